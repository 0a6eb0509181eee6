//! Tests of the simulated Jupiter receiver, and of the driver reading it.

use refclock_core::calendar::CivilTime;
use refclock_core::port::{PpsEdge, PpsEdgeKind};
use refclock_core::sim::{DeviceModel, DeviceSetup, Due, Epoch, LeapWarning, Message, Timeline};
use refclock_core::{
    Action, Clock, ClockFlags, DriverConfig, Fudge, PortEvent, PortId, Refclock, Sample, Timestamp,
};

use super::codec::{self, Decoded};
use super::device::{self, next_epoch, JupiterDevice};
use super::tests::{base2000, ts};
use super::JupiterDriver;

/// Wall second `w` names `w + shift`.
struct Shifted(i64);

impl Timeline for Shifted {
    fn epoch(&self, wall: i64) -> Epoch {
        Epoch::at(wall + self.0)
    }
}

/// Any mapping of wall seconds to epochs.
struct Mapped<F>(F);

impl<F: Fn(i64) -> Epoch> Timeline for Mapped<F> {
    fn epoch(&self, wall: i64) -> Epoch {
        (self.0)(wall)
    }
}

fn second(dev: &mut dyn DeviceModel, e: &Epoch) -> Vec<Message> {
    let mut out = Vec::new();
    dev.second(e, &mut out);
    out
}

fn input(dev: &mut dyn DeviceModel, data: &[u8], now: Timestamp, shift: i64) -> Vec<Message> {
    let mut out = Vec::new();
    dev.input(data, now, &Shifted(shift), &mut out);
    out
}

fn ids(ms: &[Message]) -> Vec<&'static str> {
    ms.iter().map(|m| m.kind).collect()
}

fn driver(serial_only: bool) -> Clock<JupiterDriver> {
    Clock::start(DriverConfig {
        fudge: Fudge {
            flags: ClockFlags::empty(),
            ..Fudge::default()
        },
        basedate: base2000(),
        options: if serial_only {
            vec![("serial-only".into(), None)]
        } else {
            vec![]
        },
        ..DriverConfig::default()
    })
    .unwrap()
}

fn writes(a: &[Action]) -> Vec<u8> {
    a.iter()
        .filter_map(|x| match x {
            Action::Write { data, .. } => Some(data.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn samples(a: &[Action]) -> Vec<Sample> {
    a.iter()
        .filter_map(|x| match x {
            Action::Sample(s) => Some(*s),
            _ => None,
        })
        .collect()
}

#[test]
fn it_powers_up_announcing_itself_and_answers_the_configuration() {
    let mut dev = device::new(&DeviceSetup::default()).unwrap();
    assert_eq!(dev.baud(), 9600);
    let t = ts(2024, 3, 1, 12, 0, 0);
    // Power-up: its id unasked, the 1000; the 1108 waits until the wall
    // second is known.
    let first = second(dev.as_mut(), &Epoch::at(t.secs()));
    assert_eq!(ids(&first), ["ID", "1000"]);
    assert_eq!(first[1].named, Some(t));
    // The driver's configuration: an ACK for each, and the id asked for.
    let answers = input(
        dev.as_mut(),
        &codec::configuration(false).concat(),
        t + 0.01,
        0,
    );
    assert_eq!(ids(&answers), ["ACK", "ACK", "ID", "ACK", "ACK", "ACK"]);
    assert!(matches!(
        codec::decode(&answers[2].bytes),
        Ok(Decoded::Receiver(_))
    ));
    let next = second(dev.as_mut(), &Epoch::at(t.secs() + 1));
    assert_eq!(ids(&next), ["1000", "1108"]);
    assert_eq!(next[1].due, Due::At(t + 1.6));
    assert_eq!(next[1].named, Some(t + 2.0));
    let Ok(Decoded::TimeMark(m)) = codec::decode(&next[1].bytes) else {
        panic!()
    };
    assert!(m.valid() && m.utc());
    assert_eq!(m.gps_utc_secs, 18);
    // Cancel all: silence; a log request brings one back.
    input(dev.as_mut(), &codec::cancel_all(), t + 1.7, 0);
    assert!(second(dev.as_mut(), &Epoch::at(t.secs() + 2)).is_empty());
    input(dev.as_mut(), &codec::log_request(1108, 1), t + 2.7, 0);
    assert_eq!(
        ids(&second(dev.as_mut(), &Epoch::at(t.secs() + 3))),
        ["1108"]
    );
}

#[test]
fn it_keeps_the_platform_and_restarts_on_request() {
    let mut dev = JupiterDevice::new();
    let t = ts(2024, 3, 1, 12, 0, 0);
    let _ = second(&mut dev, &Epoch::at(t.secs()));
    input(&mut dev, &codec::configuration(true).concat(), t + 0.1, 0);
    assert_eq!(dev.platform(), Some(codec::PLATFORM_MEDIUM));
    assert_eq!(dev.logging(), [codec::ID_TIME_MARK, codec::ID_POSITION]);
    let mut r = device::new(&DeviceSetup::new(0, &[("restart", "3")])).unwrap();
    let kinds: Vec<Vec<&str>> = (0..7)
        .map(|k| ids(&second(r.as_mut(), &Epoch::at(t.secs() + k))))
        .collect();
    assert_eq!(kinds[0][0], "ID");
    assert_eq!(kinds[3][0], "ID");
    assert_eq!(kinds[6][0], "ID");
    assert_ne!(kinds[1][0], "ID");
    assert!(device::new(&DeviceSetup::new(0, &[("speed", "1")])).is_err());
    assert!(device::new(&DeviceSetup::new(0, &[("restart", "x")])).is_err());
}

#[test]
fn the_next_epoch_across_leap_seconds_and_weeks() {
    let e = Epoch {
        leap: LeapWarning::Insert,
        ..Epoch::at(ts(2016, 12, 31, 23, 59, 59).secs())
    };
    let l = next_epoch(&e);
    assert_eq!(l.time, CivilTime::new(2016, 12, 31, 23, 59, 60));
    assert_eq!((l.named, l.gps_utc), (ts(2017, 1, 1, 0, 0, 0), 17));
    let m = next_epoch(&l);
    assert_eq!(m.time, CivilTime::new(2017, 1, 1, 0, 0, 0));
    assert_eq!(
        (m.named, m.gps_utc, m.leap),
        (l.named, 18, LeapWarning::None)
    );
    // Not at the end of the month: no leap second.
    let mid = Epoch {
        leap: LeapWarning::Insert,
        ..Epoch::at(ts(2016, 12, 30, 23, 59, 59).secs())
    };
    assert_eq!(next_epoch(&mid).named, ts(2016, 12, 31, 0, 0, 0));
    let d = Epoch {
        leap: LeapWarning::Delete,
        ..Epoch::at(ts(2030, 6, 30, 23, 59, 58).secs())
    };
    assert_eq!(next_epoch(&d).named, ts(2030, 7, 1, 0, 0, 0));
}

/// Runs the device and the driver together for `n` seconds from `t0`
/// (epochs from `epoch_of`), the driver's writes fed back; each message
/// read 2 ms after it is due; with `pulses`, a pulse at each second.
fn run(
    dev: &mut JupiterDevice,
    clock: &mut Clock<JupiterDriver>,
    t0: i64,
    n: i64,
    pulses: bool,
    epoch_of: impl Fn(i64) -> Epoch,
) -> Vec<Action> {
    let mut all = Vec::new();
    clock.port_event(PortId::MAIN, PortEvent::Opened);
    for w in t0..t0 + n {
        let wall = Timestamp::from_secs(w);
        let written = writes(&clock.take_actions());
        if !written.is_empty() {
            let mut answers = Vec::new();
            dev.input(&written, wall, &Mapped(&epoch_of), &mut answers);
            for m in answers {
                clock.receive(PortId::MAIN, &m.bytes, wall + 0.001);
            }
        }
        clock.timer(wall);
        if pulses {
            clock.pps(PpsEdge {
                time: wall + 0.000_002,
                sequence: w as u32,
                kind: PpsEdgeKind::Assert,
            });
        }
        for m in second(dev, &epoch_of(w)) {
            let at = match m.due {
                Due::At(t) => t,
                Due::Next => wall,
            };
            clock.receive(PortId::MAIN, &m.bytes, at + 0.002);
        }
        all.extend(clock.take_actions());
    }
    all
}

#[test]
fn the_driver_reads_it_serial_only_and_with_pulses() {
    let t0 = ts(2024, 3, 2, 23, 59, 50).secs(); // a Saturday: the week turns
    for pulses in [false, true] {
        let mut dev = JupiterDevice::new();
        let mut c = driver(!pulses);
        let a = run(&mut dev, &mut c, t0, 20, pulses, Epoch::at);
        let s = samples(&a);
        assert!(s.len() >= 17, "{}", s.len());
        for s in &s {
            let reference = s.time.as_secs_f64() + s.offset;
            if pulses {
                assert!((s.offset + 0.000_002).abs() < 1e-9, "{s:?}");
                assert!((reference - reference.round()).abs() < 1e-6);
            } else {
                // Read 2 ms after it left at 0.6 s; stated for 0.6 s.
                assert!((s.offset + 0.002).abs() < 1e-6, "{s:?}");
            }
        }
        assert_eq!(dev.platform(), Some(codec::PLATFORM_LOW));
        // Its acknowledgements are not bad replies.
        assert_eq!(c.state().counters.badformat, 0);
        assert!(a
            .iter()
            .any(|x| x == &Action::ClockStats("ack 1011".into())));
    }
}

#[test]
fn a_restarting_receiver_is_configured_again() {
    let t0 = ts(2024, 3, 1, 12, 0, 0).secs();
    let mut dev = JupiterDevice::new();
    let mut c = driver(true);
    // A restart at 10 s (the device vanishing does the same): the
    // receiver forgets its configuration and announces itself.
    let a1 = run(&mut dev, &mut c, t0, 10, false, Epoch::at);
    dev.reset();
    let a2 = run(&mut dev, &mut c, t0 + 10, 10, false, Epoch::at);
    let n1 = samples(&a1).len();
    let n2 = samples(&a2).len();
    assert!(n1 >= 7 && n2 >= 6, "{n1} {n2}");
    let stats: Vec<&String> = a2
        .iter()
        .filter_map(|x| match x {
            Action::ClockStats(s) => Some(s),
            _ => None,
        })
        .collect();
    assert!(stats.iter().any(|s| s.as_str() == "init receiver"));
}

#[test]
fn through_a_leap_second_and_a_gps_era() {
    // The leap second at the end of 2016, announced.
    let midnight = ts(2017, 1, 1, 0, 0, 0).secs();
    let epoch_of = |w: i64| {
        if w < midnight {
            Epoch {
                leap: LeapWarning::Insert,
                ..Epoch::at(w)
            }
        } else if w == midnight {
            Epoch::new(CivilTime::new(2016, 12, 31, 23, 59, 60))
        } else {
            Epoch::at(w - 1)
        }
    };
    let mut dev = JupiterDevice::new();
    let mut c = driver(true);
    let a = run(&mut dev, &mut c, midnight - 10, 20, false, epoch_of);
    let s = samples(&a);
    assert!(s.len() >= 16);
    let stats: Vec<String> = a
        .iter()
        .filter_map(|x| match x {
            Action::ClockStats(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert!(stats.contains(&"GPS-UTC offset 18 s, was 17 s".to_string()));
    // A receiver one GPS era (1024 weeks) behind: the window puts it
    // right.
    let t0 = ts(2024, 3, 1, 12, 0, 0).secs();
    let era = 1024 * 604_800;
    let mut dev = JupiterDevice::new();
    let mut c = driver(true);
    let a = run(&mut dev, &mut c, t0, 8, false, |w| Epoch::at(w - era));
    let s = samples(&a);
    assert!(s.len() >= 5);
    assert!(s.iter().all(|s| (s.offset + 0.002).abs() < 1e-6), "{s:?}");
}

#[test]
fn a_corrupted_message_fails_its_data_checksum() {
    let mut dev = JupiterDevice::new();
    let t = ts(2024, 3, 1, 12, 0, 0);
    let mut ms = second(&mut dev, &Epoch::at(t.secs()));
    let mut m = ms.remove(1);
    assert!(dev.corrupt(&mut m));
    assert!(m.corrupt);
    assert_eq!(
        codec::decode(&m.bytes),
        Err(codec::ZodiacError::Checksum { id: 1000 })
    );
    assert!(!dev.garbage_allowed(0xff));
    assert!(dev.garbage_allowed(0x81));
}
