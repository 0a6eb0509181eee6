//! The simulated gpsd on its own, and the driver talking to it.

use refclock_core::sim::{DeviceSetup, Epoch, Message, Timeline};
use refclock_core::{Clock, DriverConfig, PortEvent, PortId, Refclock, Timestamp};

use super::codec::{decode, watch_request, Object};
use super::device::new;
use super::GpsdDriver;

struct Wall;

impl Timeline for Wall {
    fn epoch(&self, wall: i64) -> Epoch {
        Epoch::at(wall)
    }
}

fn kinds(out: &[Message]) -> Vec<&'static str> {
    out.iter().map(|m| m.kind).collect()
}

#[test]
fn announces_itself_until_watched_then_streams() {
    let mut g = new(&DeviceSetup::new(1, &[])).unwrap();
    let now = Timestamp::from_secs(1_700_000_000);
    let mut out = Vec::new();
    g.second(&Epoch::at(now.secs()), &mut out);
    assert_eq!(kinds(&out), vec!["VERSION"]);
    out.clear();
    g.input(
        &watch_request("/dev/pts/5", true)[..20],
        now,
        &Wall,
        &mut out,
    );
    assert!(out.is_empty(), "half a request");
    g.input(
        &watch_request("/dev/pts/5", true)[20..],
        now,
        &Wall,
        &mut out,
    );
    assert_eq!(kinds(&out), vec!["DEVICES", "WATCH"]);
    let Ok(Object::Watch(w)) = decode(&out[1].bytes) else {
        panic!()
    };
    assert_eq!(w.device.as_deref(), Some("/dev/pts/5"));
    out.clear();
    g.second(&Epoch::at(now.secs() + 1), &mut out);
    assert_eq!(kinds(&out), vec!["PPS", "TPV", "TOFF"]);
    assert!(out.iter().all(|m| m.named == Some(now + 1.0)));
    // Not valid: a TPV without a fix, nothing else.
    out.clear();
    let mut e = Epoch::at(now.secs() + 2);
    e.valid = false;
    g.second(&e, &mut out);
    assert_eq!(kinds(&out), vec!["TPV"]);
    let Ok(Object::Tpv(t)) = decode(&out[0].bytes) else {
        panic!()
    };
    assert_eq!((t.mode, t.time), (1, None));
    // ?VERSION; is answered; a corrupted line is no JSON.
    out.clear();
    g.input(b"?VERSION;\r\n", now, &Wall, &mut out);
    assert_eq!(kinds(&out), vec!["VERSION"]);
    assert!(g.corrupt(&mut out[0]));
    assert!(decode(out[0].text().as_bytes()).is_err());
    // Switched off: it forgets the watch.
    g.reset();
    out.clear();
    g.second(&Epoch::at(now.secs() + 3), &mut out);
    assert_eq!(kinds(&out), vec!["VERSION"]);
}

#[test]
fn options() {
    let old = new(&DeviceSetup::new(0, &[("proto", "3.9"), ("pps", "yes")])).unwrap();
    assert!(old.describe().contains("3.9"));
    assert!(new(&DeviceSetup::new(0, &[("proto", "x")])).is_err());
    assert!(new(&DeviceSetup::new(0, &[("pps", "maybe")])).is_err());
    assert!(new(&DeviceSetup::new(0, &[("colour", "red")])).is_err());
    // Before 3.10 nothing but TPVs, even when asked for PPS.
    let mut g = old;
    let mut out = Vec::new();
    let now = Timestamp::from_secs(1_700_000_000);
    g.input(&watch_request("/dev/x", true), now, &Wall, &mut out);
    out.clear();
    g.second(&Epoch::at(now.secs()), &mut out);
    assert_eq!(kinds(&out), vec!["TPV"]);
}

#[test]
fn the_driver_and_the_simulated_gpsd_agree() {
    let mut g = new(&DeviceSetup::new(0, &[])).unwrap();
    let mut clock = Clock::<GpsdDriver>::start(DriverConfig {
        device: Some("/dev/null".into()),
        options: vec![("server".into(), Some("/dev/null".into()))],
        ..DriverConfig::default()
    })
    .unwrap();
    clock.port_event(PortId::MAIN, PortEvent::Opened);
    let mut samples = Vec::new();
    for k in 0..5 {
        let now = Timestamp::from_secs(1_700_000_000 + k);
        let mut out = Vec::new();
        g.second(&Epoch::at(now.secs()), &mut out);
        for m in &out {
            clock.receive(PortId::MAIN, &m.bytes, now + 0.02);
        }
        for a in clock.take_actions() {
            match a {
                refclock_core::Action::Write { data, .. } => {
                    let mut answers = Vec::new();
                    g.input(&data, now, &Wall, &mut answers);
                    for m in &answers {
                        clock.receive(PortId::MAIN, &m.bytes, now + 0.03);
                    }
                }
                refclock_core::Action::Sample(s) => samples.push(s),
                _ => {}
            }
        }
        samples.extend(clock.take_actions().into_iter().filter_map(|a| match a {
            refclock_core::Action::Sample(s) => Some(s),
            _ => None,
        }));
        Refclock::timer(&mut clock, now + 0.5);
    }
    // Watched after the first second; a TOFF sample each second after.
    assert_eq!(samples.len(), 4, "{samples:?}");
    for s in samples {
        assert_eq!(s.time.subsec_nanos(), 0);
        assert_eq!(s.offset, 0.0);
    }
}
