//! The simulated u-blox receiver, and the driver reading it.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline};
use refclock_core::{Clock, Leap, PortEvent, PortId, Refclock, Timestamp};

use super::codec::{self, Message as Ubx};
use super::device::{self, sawtooth_ps};
use super::tests::{actions, config, samples};
use super::UbxDriver;

struct Wall;
impl Timeline for Wall {
    fn epoch(&self, wall: i64) -> Epoch {
        Epoch::at(wall)
    }
}

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> i64 {
    CivilTime::new(y, mo, d, h, mi, s)
        .to_timestamp()
        .unwrap()
        .secs()
}

fn decode(m: &Message) -> Ubx {
    codec::Message::from_frame(&refclock_core::framing::UbxMessage::new(&m.bytes).unwrap()).unwrap()
}

fn second(dev: &mut dyn DeviceModel, e: &Epoch) -> Vec<Message> {
    let mut out = Vec::new();
    dev.second(e, &mut out);
    out
}

#[test]
fn its_seconds_decode_to_the_epoch_and_the_next_pulse() {
    let mut dev = device::new(&DeviceSetup::default()).unwrap();
    assert_eq!(dev.baud(), 9600);
    assert!(dev.describe().contains("u-blox"));
    // A week roll-over of the 10-bit week (2019-04-06/07) and a year end.
    for s in [
        ts(2019, 4, 6, 23, 59, 59),
        ts(2026, 12, 31, 23, 59, 58),
        ts(2026, 3, 1, 0, 0, 0),
    ] {
        let e = Epoch::at(s);
        let out = second(dev.as_mut(), &e);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].named, Some(e.named));
        let Ubx::TimTp(tp) = decode(&out[0]) else {
            panic!()
        };
        assert_eq!(tp.pulse_utc(None), Some(Timestamp::from_secs(s + 1)));
        assert_eq!(tp.qerr_ps, sawtooth_ps(s + 1, 20_000));
        let Ubx::NavTimeUtc(u) = decode(&out[1]) else {
            panic!()
        };
        assert_eq!(u.utc(), Some(e.named));
        let Ubx::NavTimeLs(ls) = decode(&out[2]) else {
            panic!()
        };
        assert_eq!((ls.gps_utc(), ls.ls_change), (Some(18), 0));
    }
    // Not in sync: no UTC anywhere.
    let e = Epoch {
        valid: false,
        ..Epoch::at(ts(2026, 3, 1, 0, 0, 0))
    };
    let out = second(dev.as_mut(), &e);
    let Ubx::TimTp(tp) = decode(&out[0]) else {
        panic!()
    };
    assert_eq!(tp.pulse_utc(None), None);
    let Ubx::NavTimeUtc(u) = decode(&out[1]) else {
        panic!()
    };
    assert_eq!(u.utc(), None);
    // A leap warning: the change and the seconds to the month's end.
    let e = Epoch {
        leap: LeapWarning::Insert,
        ..Epoch::at(ts(2027, 6, 30, 23, 0, 0))
    };
    let Ubx::NavTimeLs(ls) = decode(&second(dev.as_mut(), &e)[2]) else {
        panic!()
    };
    assert_eq!((ls.ls_change, ls.time_to_ls_event), (1, 3600));
}

#[test]
fn the_sawtooth_stays_within_its_amplitude() {
    let q: Vec<i32> = (0..1000).map(|s| sawtooth_ps(s, 20_000)).collect();
    assert!(q.iter().all(|v| (-20_000..20_000).contains(v)));
    assert!(q.iter().max().unwrap() - q.iter().min().unwrap() > 39_000);
}

#[test]
fn answers_mon_ver_and_acknowledges_configuration() {
    for (protver, valset_ok, msg_ok) in [
        ("18.00", false, true),
        ("27.11", true, true),
        ("34.10", true, false),
    ] {
        let mut dev = device::new(&DeviceSetup::new(0, &[("protver", protver)])).unwrap();
        let mut out = Vec::new();
        let mut input = codec::mon_ver_poll();
        input.extend(codec::cfg_msg(codec::TIM_TP));
        input.extend(codec::cfg_valset(&codec::VALSET_KEYS[0]));
        // Split anywhere: the device frames what it is given.
        dev.input(&input[..5], Timestamp::EPOCH, &Wall, &mut out);
        dev.input(&input[5..], Timestamp::EPOCH, &Wall, &mut out);
        assert_eq!(out.len(), 3);
        let Ubx::MonVer(v) = decode(&out[0]) else {
            panic!()
        };
        assert_eq!(
            v.protocol_version().map(|p| p.to_string()),
            Some(protver.replace('.', ""))
        );
        assert_eq!(decode(&out[1]), Ubx::Ack(msg_ok, 6, 1));
        assert_eq!(decode(&out[2]), Ubx::Ack(valset_ok, 6, 0x8a));
    }
    assert!(device::new(&DeviceSetup::new(0, &[("nosuch", "1")])).is_err());
    assert!(device::new(&DeviceSetup::new(0, &[("qerr", "x")])).is_err());
}

#[test]
fn corrupt_messages_fail_their_checksum() {
    let mut dev = device::new(&DeviceSetup::default()).unwrap();
    assert!(!dev.garbage_allowed(0xb5));
    assert!(dev.garbage_allowed(0x62));
    let mut out = second(dev.as_mut(), &Epoch::at(ts(2026, 3, 1, 0, 0, 0)));
    for m in &mut out {
        assert!(dev.corrupt(m));
        let mut c = Clock::<UbxDriver>::start(config(0, &["listen-only"])).unwrap();
        c.receive(PortId::MAIN, &m.bytes, Timestamp::from_secs(1));
        assert!(samples(&actions(&mut c)).is_empty());
        assert_eq!(c.driver().tally().bad_checksum, 1);
    }
}

/// The driver, configuring the device through its answers, then reading
/// its seconds: a sample each second, the leap warning in its month.
#[test]
fn the_driver_reads_the_device() {
    let mut dev = device::new(&DeviceSetup::new(0, &[("protver", "27.50")])).unwrap();
    let mut c = Clock::<UbxDriver>::start(config(0, &[])).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    let mut answers = Vec::new();
    for _ in 0..2 {
        for a in actions(&mut c) {
            if let refclock_core::Action::Write { data, .. } = a {
                dev.input(&data, Timestamp::EPOCH, &Wall, &mut answers);
            }
        }
        for m in answers.drain(..) {
            c.receive(PortId::MAIN, &m.bytes, Timestamp::EPOCH);
        }
    }
    assert_eq!(c.driver().config_method(), super::ConfigMethod::ValSet);
    assert_eq!((c.driver().tally().acks, c.driver().tally().naks), (2, 0));
    let s0 = ts(2027, 6, 30, 23, 59, 50);
    for k in 0..20 {
        let mut e = Epoch::at(s0 + k);
        if e.named.secs() < ts(2027, 7, 1, 0, 0, 0) {
            e.leap = LeapWarning::Insert;
        }
        let bytes: Vec<u8> = second(dev.as_mut(), &e)
            .into_iter()
            .flat_map(|m| m.bytes)
            .collect();
        let rec = e.named + 0.030;
        c.receive(PortId::MAIN, &bytes, rec);
        let got = samples(&actions(&mut c));
        assert_eq!(got.len(), 1, "{k}");
        assert!((got[0].offset + 0.030).abs() < 1e-9);
        // The first second pairs NAV-TIMELS; from then on the warning
        // holds until the event.
        if (1..10).contains(&k) {
            assert_eq!(got[0].leap, Leap::AddSecond, "{k}");
        } else if k >= 10 {
            assert_eq!(got[0].leap, Leap::NoWarning, "{k}");
        }
    }
}

/// A receiver with the week roll-over bug (dates 1024 weeks early, the
/// simulator's `rollover` scenario): its times are put back into the
/// window of the base date and the receive time.
#[test]
fn a_rolled_over_receiver_is_unfolded() {
    let mut dev = device::new(&DeviceSetup::default()).unwrap();
    let mut c = Clock::<UbxDriver>::start(config(0, &["listen-only"])).unwrap();
    let era = 1024 * 7 * 86_400;
    for k in 0..3 {
        let real = ts(2027, 2, 1, 0, 0, 0) + k;
        let e = Epoch::at(real - era);
        let bytes: Vec<u8> = second(dev.as_mut(), &e)
            .into_iter()
            .flat_map(|m| m.bytes)
            .collect();
        let rec = Timestamp::from_secs(real) + 0.02;
        c.receive(PortId::MAIN, &bytes, rec);
        let got = samples(&actions(&mut c));
        assert_eq!(got.len(), 1);
        assert!((got[0].offset + 0.02).abs() < 1e-9, "{:?}", got[0]);
    }
}
