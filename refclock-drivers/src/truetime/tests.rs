//! Tests of the TrueTime codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Sample, Timestamp,
};

use super::codec::{self, Reply, Satellite, Timecode, TrueTimeError};
use super::*;
use crate::testkit::Outcome;

/// 1991-08-04 15:36:43 UTC, the second of ntp's README.timecodes.
const REAL_SECS: i64 = 681_320_203;
const REAL: &[u8] = b"216:15:36:43 ";

fn ts(secs: i64, ms: u32) -> Timestamp {
    Timestamp::new(secs, ms * 1_000_000)
}

fn clock_with(fudge: Fudge) -> Clock<TrueTimeDriver> {
    Clock::<TrueTimeDriver>::start(DriverConfig {
        fudge,
        ..DriverConfig::default()
    })
    .expect("starts")
}

fn writes(actions: &[Action]) -> Vec<Vec<u8>> {
    Outcome::of(actions.to_vec())
        .writes
        .into_iter()
        .map(|(_, d)| d)
        .collect()
}

fn samples(actions: &[Action]) -> Vec<Sample> {
    Outcome::of(actions.to_vec()).samples
}

fn line_at(secs: i64, quality: u8) -> Vec<u8> {
    let t = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    codec::encode(&Timecode {
        day: t.yday(),
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        quality,
    })
}

#[test]
fn real_timecode() {
    let Reply::Time(t) = codec::decode(REAL).unwrap() else {
        panic!("not a timecode")
    };
    assert_eq!(
        (t.day, t.hour, t.minute, t.second, t.quality),
        (216, 15, 36, 43, b' ')
    );
    assert!(t.in_sync());
    let mut sent = vec![0x01];
    sent.extend_from_slice(REAL);
    sent.extend_from_slice(b"\r\n");
    assert_eq!(codec::encode(&t), sent);
    for q in [b'>', b'#', b'?', b'X'] {
        let Reply::Time(t) = codec::decode(b"216:15:36:43?").unwrap() else {
            panic!()
        };
        assert!(!t.in_sync());
        let _ = q;
    }
}

#[test]
fn other_replies() {
    assert_eq!(codec::decode(b"?").unwrap(), Reply::Huh);
    assert_eq!(
        codec::decode(b"ERROR 05 NO SUCH FUNCTION").unwrap(),
        Reply::Huh
    );
    assert_eq!(
        codec::decode(b"13500+039-000").unwrap(),
        Reply::Position {
            lon: 13500,
            satellite: Satellite::West
        }
    );
    assert_eq!(
        codec::decode(b"07500+039-000").unwrap(),
        Reply::Position {
            lon: 7500,
            satellite: Satellite::East
        }
    );
    assert_eq!(
        codec::decode(b"02000+039-000").unwrap(),
        Reply::Position {
            lon: 2000,
            satellite: Satellite::Unknown
        }
    );
    assert_eq!(codec::decode(b"F50").unwrap(), Reply::Function(50));
    assert_eq!(codec::decode(b"F08").unwrap(), Reply::Function(8));
    assert_eq!(codec::decode(b"VER 01.02").unwrap(), Reply::Version);
    assert_eq!(
        codec::decode(b" TRUETIME Mk III ").unwrap(),
        Reply::Identification
    );
    assert_eq!(
        codec::decode(b" TRUETIME XL-DC").unwrap(),
        Reply::Identification
    );
    assert_eq!(
        codec::decode(b"N03726428W12209421+000033").unwrap(),
        Reply::Location
    );
    assert_eq!(codec::decode(b"hello"), Err(TrueTimeError::Unknown));
    assert_eq!(codec::decode(b"216:15:3"), Err(TrueTimeError::Unknown));
    let e = codec::decode(b"216:24:36:43 ").unwrap_err();
    assert_eq!(
        e,
        TrueTimeError::Range {
            field: "hour",
            value: 24
        }
    );
    assert_eq!(e.event(), ClockEvent::BadTime);
    assert_eq!(
        codec::decode(b"367:01:00:00 ").unwrap_err().event(),
        ClockEvent::BadTime
    );
}

#[test]
fn round_trips() {
    let mut secs = 946_684_800 - 86_400 * 2;
    while secs < 4_200_000_000 {
        let line = line_at(secs, b'.');
        let text = &line[1..line.len() - 2];
        let Reply::Time(t) = codec::decode(text).unwrap() else {
            panic!()
        };
        assert_eq!(codec::encode(&t), line);
        secs += 86_400 * 29 + 3_599;
    }
    let Reply::Time(t) = codec::decode(b"366:23:59:60 ").unwrap() else {
        panic!()
    };
    assert_eq!((t.day, t.second), (366, 60));
}

#[test]
fn start_stops_the_clock_and_asks_for_a_goes() {
    let mut c = clock_with(Fudge::default());
    c.port_event(PortId::MAIN, PortEvent::Opened);
    assert_eq!(
        writes(&c.take_actions()),
        vec![b"\x03\r".to_vec(), b"P\r".to_vec()]
    );
    assert_eq!(c.driver().state(), State::InqGoes);
}

#[test]
fn flag1_never_writes() {
    let mut c = clock_with(Fudge {
        flags: ClockFlags::FLAG1,
        ..Fudge::default()
    });
    c.port_event(PortId::MAIN, PortEvent::Opened);
    assert!(writes(&c.take_actions()).is_empty());
    // A clock already sending is read all the same.
    c.poll(ts(REAL_SECS - 1, 0));
    c.receive(PortId::MAIN, &line_at(REAL_SECS, b' '), ts(REAL_SECS, 2));
    let a = c.take_actions();
    assert!(writes(&a).is_empty());
    assert_eq!(samples(&a).len(), 1);
}

#[test]
fn tl3_question_waits_a_tick_instead_of_sleeping() {
    let mut c = clock_with(Fudge::default());
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c.receive(PortId::MAIN, b"?\r\n", ts(REAL_SECS, 0));
    assert_eq!(writes(&c.take_actions()), vec![b"ST0".to_vec()]);
    c.timer(ts(REAL_SECS + 1, 0));
    assert_eq!(writes(&c.take_actions()), vec![b"QV".to_vec()]);
    c.receive(PortId::MAIN, b"VER 01.02\r\n", ts(REAL_SECS + 1, 10));
    assert_eq!(writes(&c.take_actions()), vec![b"ST1".to_vec()]);
    assert_eq!(c.driver().model(), Model::Tl3);
}

#[test]
fn unexpected_events_are_ignored_not_aborts() {
    let mut c = clock_with(Fudge::default());
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    // ntpd aborts on an F50 while asking a GOES.
    c.receive(PortId::MAIN, b"F50\r\n", ts(REAL_SECS, 0));
    c.take_actions();
    assert_eq!(c.driver().state(), State::InqGoes);
}

#[test]
fn xl_identification_does_not_recurse() {
    let mut c = clock_with(Fudge::default());
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    for line in [&b"?"[..], b"?", b"?"] {
        c.receive(PortId::MAIN, &[line, b"\r\n"].concat(), ts(REAL_SECS, 0));
        c.timer(ts(REAL_SECS, 0));
    }
    assert_eq!(c.driver().state(), State::InqTm);
    c.take_actions();
    c.receive(PortId::MAIN, b" TRUETIME XL-DC\r\n", ts(REAL_SECS, 0));
    assert_eq!(c.driver().model(), Model::Tm);
    assert_eq!(writes(&c.take_actions()), vec![b"F18\r".to_vec()]);
    c.receive(PortId::MAIN, b" TRUETIME XL-DC\r\n", ts(REAL_SECS, 0));
    assert_eq!(writes(&c.take_actions()), vec![b"F50\r".to_vec()]);
}

#[test]
fn one_sample_per_poll_and_east_satellite_uses_time2() {
    let mut c = clock_with(Fudge {
        time1: Some(0.008),
        time2: Some(-0.004),
        ..Fudge::default()
    });
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.receive(PortId::MAIN, b"13500+039-000\r\n", ts(REAL_SECS - 5, 0));
    assert_eq!(c.driver().model(), Model::Goes);
    c.take_actions();
    // Not polled: no sample.
    c.receive(PortId::MAIN, &line_at(REAL_SECS, b' '), ts(REAL_SECS, 1));
    assert!(samples(&c.take_actions()).is_empty());
    c.poll(ts(REAL_SECS, 500));
    c.receive(
        PortId::MAIN,
        &line_at(REAL_SECS + 1, b' '),
        ts(REAL_SECS + 1, 1),
    );
    let a = c.take_actions();
    let s = samples(&a);
    assert_eq!(s.len(), 1);
    assert!((s[0].offset - (0.008 - 0.001)).abs() < 1e-9);
    assert_eq!(
        writes(&a),
        vec![b"P".to_vec()],
        "GOES: ask the satellite again"
    );
    assert_eq!(Outcome::of(a).filtered.len(), 1);
    // East now.
    c.receive(PortId::MAIN, b"07500+039-000\r\n", ts(REAL_SECS + 1, 50));
    assert_eq!(c.driver().satellite(), Satellite::East);
    c.receive(
        PortId::MAIN,
        &line_at(REAL_SECS + 2, b' '),
        ts(REAL_SECS + 2, 1),
    );
    assert!(samples(&c.take_actions()).is_empty());
    c.poll(ts(REAL_SECS + 2, 500));
    c.receive(
        PortId::MAIN,
        &line_at(REAL_SECS + 3, b'?'),
        ts(REAL_SECS + 3, 1),
    );
    let s = samples(&c.take_actions());
    assert_eq!(s.len(), 1);
    assert!((s[0].offset - (-0.004 - 0.001)).abs() < 1e-9);
    assert_eq!(s[0].leap, Leap::NotInSync);
}

#[test]
fn bad_lines_are_counted() {
    let mut c = clock_with(Fudge::default());
    c.poll(ts(REAL_SECS, 0));
    c.receive(PortId::MAIN, b"216:15;36:43 \r\n", ts(REAL_SECS, 1));
    c.receive(PortId::MAIN, b"216:15:36:61 \r\n", ts(REAL_SECS, 2));
    let o = Outcome::of(c.take_actions());
    assert!(o.samples.is_empty());
    assert_eq!(c.state().counters.badformat, 1);
    assert_eq!(c.state().counters.baddata, 1);
}

#[test]
fn silence_restarts_the_identification() {
    let mut c = clock_with(Fudge::default());
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c.poll(ts(1, 0));
    c.poll(ts(2, 0));
    assert!(writes(&c.take_actions()).is_empty());
    c.poll(ts(3, 0));
    let a = c.take_actions();
    assert_eq!(Outcome::of(a.clone()).events, vec![ClockEvent::Timeout]);
    assert_eq!(writes(&a), vec![b"ST0".to_vec()], "InqGoes: on to the TL-3");
}

#[cfg(feature = "sim")]
mod dialogue {
    use super::*;
    use refclock_core::sim::{DeviceModel, Epoch, Message, Timeline};

    struct Plain;
    impl Timeline for Plain {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }

    fn deliver(c: &mut Clock<TrueTimeDriver>, msgs: Vec<Message>, t: Timestamp) {
        for m in msgs {
            c.receive(PortId::MAIN, &m.bytes, t);
        }
    }

    /// Runs the driver against a device model for `secs` seconds, polling
    /// every 4; returns the samples.
    fn run(kind: device::DeviceModelKind, secs: i64) -> (Clock<TrueTimeDriver>, Vec<Sample>) {
        let mut d = device::TrueTimeDevice::new(kind);
        let mut c = clock_with(Fudge::default());
        let mut got = Vec::new();
        c.port_event(PortId::MAIN, PortEvent::Opened);
        for i in 0..secs {
            let now = ts(REAL_SECS + i, 0);
            let mut out = Vec::new();
            d.second(&Epoch::at(REAL_SECS + i), &mut out);
            deliver(&mut c, out, ts(REAL_SECS + i, 2));
            c.timer(now);
            if i % 4 == 3 {
                c.poll(ts(REAL_SECS + i, 500));
            }
            // Let the dialogue run to its end within the second.
            for _ in 0..8 {
                let a = c.take_actions();
                got.extend(samples(&a));
                let w = writes(&a);
                if w.is_empty() {
                    break;
                }
                let mut out = Vec::new();
                for data in w {
                    d.input(&data, now, &Plain, &mut out);
                }
                deliver(&mut c, out, ts(REAL_SECS + i, 100));
            }
        }
        (c, got)
    }

    #[test]
    fn every_model_is_identified_and_gives_samples() {
        use device::DeviceModelKind as K;
        for (kind, model) in [
            (K::Goes, Model::Goes),
            (K::Tl3, Model::Tl3),
            (K::Tm, Model::Tm),
            (K::Tcu, Model::Tcu),
        ] {
            let (c, got) = run(kind, 40);
            assert_eq!(c.driver().model(), model, "{kind:?}");
            assert_eq!(c.driver().state(), State::Auto, "{kind:?}");
            assert!(got.len() >= 5, "{kind:?}: {} samples", got.len());
            for s in &got {
                assert!((s.offset + 0.002).abs() < 1e-9, "{kind:?} {}", s.offset);
            }
        }
    }
}
