//! Tests of the Arbiter codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Sample, StartError, Timestamp,
};

use super::codec::{self, ArbiterError, Timecode};
use super::*;
use crate::testkit::Outcome;

/// 1991-08-04 15:36:43 UTC.
const SECS: i64 = 681_320_203;

fn ts(secs: i64, ms: u32) -> Timestamp {
    Timestamp::new(secs, ms * 1_000_000)
}

fn clock_with(fudge: Fudge) -> Clock<ArbiterDriver> {
    let mut c = Clock::<ArbiterDriver>::start(DriverConfig {
        fudge,
        ..DriverConfig::default()
    })
    .expect("starts");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c
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

fn code_at(secs: i64, sync: u8) -> Vec<u8> {
    let t = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    codec::encode(&Timecode {
        sync,
        year: (t.year % 100) as u8,
        day: t.yday(),
        hour: t.hour,
        minute: t.minute,
        second: t.second,
    })
}

#[test]
fn timecode_layout() {
    let code = code_at(SECS, b' ');
    assert_eq!(code, b"  91 216 15:36:43.000   ");
    assert_eq!(code.len(), codec::LEN);
    let t = codec::decode(&code).unwrap();
    assert_eq!(
        (t.sync, t.year, t.day, t.hour, t.minute, t.second),
        (b' ', 91, 216, 15, 36, 43)
    );
    assert_eq!(codec::encode(&t), code);
    assert_eq!(codec::decode(b"  91 216"), Err(ArbiterError::Short(8)));
    let e = codec::decode(b"  91 216 15;36:43.000   ").unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadReply);
    let e = codec::decode(b"  91 216 15:60:43.000   ").unwrap_err();
    assert_eq!(
        e,
        ArbiterError::Range {
            field: "minute",
            value: 60
        }
    );
    assert_eq!(e.event(), ClockEvent::BadTime);
    let mut secs = 946_684_800 - 86_400;
    while secs < 4_200_000_000 {
        let code = code_at(secs, b'?');
        assert_eq!(codec::encode(&codec::decode(&code).unwrap()), code);
        secs += 86_400 * 31 + 3_599;
    }
}

#[test]
fn mode_picks_the_commands() {
    let mut c = clock_with(Fudge::default());
    assert_eq!(writes(&c.take_actions()), vec![b"B0".to_vec()]);
    let mut c = clock_with(Fudge {
        mode: 1,
        ..Fudge::default()
    });
    assert_eq!(writes(&c.take_actions()), vec![b"O0".to_vec()]);
    let e = Clock::<ArbiterDriver>::start(DriverConfig {
        fudge: Fudge {
            mode: 2,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap_err();
    assert!(matches!(e, StartError::BadMode { mode: 2, .. }));
}

/// The poll's dialogue, then the broadcast as the clock sends it: each
/// timecode line ends at the next second's CR.
#[test]
fn poll_dialogue_skips_the_first_timecode() {
    let mut c = clock_with(Fudge {
        time1: Some(0.001),
        ..Fudge::default()
    });
    c.take_actions();
    c.poll(ts(SECS - 3, 0));
    let a = c.take_actions();
    assert_eq!(writes(&a), vec![b"TQ".to_vec()]);
    assert_eq!(Outcome::of(a).events, vec![ClockEvent::Timeout]);
    c.receive(PortId::MAIN, b"TQ0\r\n", ts(SECS - 3, 10));
    assert_eq!(writes(&c.take_actions()), vec![b"SR".to_vec()]);
    c.receive(
        PortId::MAIN,
        b"SRV=09 S=45 T=8 P=1.2 E=00\r\n",
        ts(SECS - 3, 50),
    );
    assert_eq!(writes(&c.take_actions()), vec![b"B5".to_vec()]);
    let mut got = Vec::new();
    let mut all_writes = Vec::new();
    for i in 0..3 {
        let mut data = b"\r\n".to_vec();
        data.extend(code_at(SECS + i, b' '));
        // The CR ends the line before: one read per line end.
        c.receive(PortId::MAIN, &data[..1], ts(SECS + i, 2));
        c.receive(PortId::MAIN, &data[1..2], ts(SECS + i, 3));
        c.receive(PortId::MAIN, &data[2..], ts(SECS + i, 30));
        let a = c.take_actions();
        got.extend(samples(&a));
        all_writes.extend(writes(&a));
    }
    // The first timecode (SECS) is skipped; SECS + 1 ends at SECS + 2's CR.
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].time, ts(SECS + 1, 2));
    assert!((got[0].offset - (0.001 - 0.002)).abs() < 1e-9);
    assert_eq!(got[0].leap, Leap::NoWarning);
    assert_eq!(all_writes, vec![b"B0".to_vec()]);
    c.poll(ts(SECS + 3, 0));
    let o = Outcome::of(c.take_actions());
    assert_eq!(o.filtered.len(), 1);
    assert_eq!(
        o.clockstats,
        vec!["  91 216 15:36:44.000 0 V=09 S=45 T=8 P=1.2 E=00".to_string()]
    );
}

#[test]
fn no_quality_no_sample_and_no_complaint() {
    let mut c = clock_with(Fudge::default());
    c.take_actions();
    for i in 0..4 {
        let mut data = b"\r\n".to_vec();
        data.extend(code_at(SECS + i, b' '));
        c.receive(PortId::MAIN, &data, ts(SECS + i, 2));
    }
    let a = c.take_actions();
    assert!(samples(&a).is_empty());
    assert!(writes(&a).is_empty());
    assert_eq!(c.state().counters.badformat, 0);
}

fn dialogue(c: &mut Clock<ArbiterDriver>, tq: &[u8]) {
    c.poll(ts(SECS - 3, 0));
    c.receive(PortId::MAIN, tq, ts(SECS - 3, 10));
    c.receive(
        PortId::MAIN,
        b"SRV=09 S=45 T=8 P=1.2 E=00\r\n",
        ts(SECS - 3, 50),
    );
    c.take_actions();
}

#[test]
fn quality_failure_and_unknown() {
    for (tq, event) in [
        (&b"TQF\r\n"[..], ClockEvent::Fault),
        (b"TQZ\r\n", ClockEvent::BadReply),
    ] {
        let mut c = clock_with(Fudge::default());
        dialogue(&mut c, tq);
        let mut data = Vec::new();
        for i in 0..3 {
            data.extend(b"\r\n");
            data.extend(code_at(SECS + i, b' '));
        }
        data.extend(b"\r\n");
        c.receive(PortId::MAIN, &data, ts(SECS, 2));
        let o = Outcome::of(c.take_actions());
        assert!(o.samples.is_empty());
        assert!(o.events.contains(&event), "{:?}", o.events);
        assert!(o.writes.iter().all(|(_, w)| w == b"B0"));
    }
}

#[test]
fn unlocked_and_garbled() {
    let mut c = clock_with(Fudge::default());
    dialogue(&mut c, b"TQ6\r\n");
    let mut data = b"\r\n".to_vec();
    data.extend(code_at(SECS, b'?'));
    data.extend(b"\r\n");
    data.extend(code_at(SECS + 1, b'?'));
    data.extend(b"\r\n  ;1 216 15:36:45.000   \r\n");
    c.receive(PortId::MAIN, &data, ts(SECS, 2));
    let o = Outcome::of(c.take_actions());
    assert_eq!(o.samples.len(), 1);
    assert_eq!(o.samples[0].leap, Leap::NotInSync);
    assert_eq!(c.state().counters.badformat, 1);
}

#[test]
fn flag4_asks_the_position() {
    let mut c = clock_with(Fudge {
        flags: ClockFlags::FLAG4,
        ..Fudge::default()
    });
    c.take_actions();
    c.poll(ts(SECS, 0));
    c.receive(
        PortId::MAIN,
        b"TQ0\r\nSRV=09 S=45 T=8 P=1.2 E=00\r\n",
        ts(SECS, 10),
    );
    assert_eq!(
        writes(&c.take_actions()),
        vec![b"TQ".to_vec(), b"SR".to_vec(), b"LA".to_vec()]
    );
    c.receive(
        PortId::MAIN,
        b"LAN 39:43:20.130\r\nLOW105:11:25.930\r\nLH 01640.2\r\nDB +0.0 0.0\r\n",
        ts(SECS, 20),
    );
    let o = Outcome::of(c.take_actions());
    let w: Vec<_> = o.writes.into_iter().map(|(_, d)| d).collect();
    assert_eq!(
        w,
        vec![
            b"LO".to_vec(),
            b"LH".to_vec(),
            b"DB".to_vec(),
            b"B5".to_vec()
        ]
    );
    assert_eq!(
        o.clockstats,
        vec!["N 39:43:20.130 W105:11:25.930  01640.2  +0.0 0.0".to_string()]
    );
}

#[cfg(feature = "sim")]
#[test]
fn against_the_simulated_clock() {
    use refclock_core::sim::{DeviceModel, Epoch, Timeline};
    struct Plain;
    impl Timeline for Plain {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }
    let mut d = device::ArbiterDevice::new(0);
    let mut c = clock_with(Fudge::default());
    let mut got = Vec::new();
    let mut filtered = 0;
    for i in 0..40 {
        let mut out = Vec::new();
        d.second(&Epoch::at(SECS + i), &mut out);
        for m in out {
            // One read per line end, at the second's CR.
            let mut start = 0;
            for (j, &b) in m.bytes.iter().enumerate() {
                if b == b'\r' || b == b'\n' {
                    c.receive(PortId::MAIN, &m.bytes[start..=j], ts(SECS + i, 2));
                    start = j + 1;
                }
            }
            c.receive(PortId::MAIN, &m.bytes[start..], ts(SECS + i, 20));
        }
        if i % 8 == 0 {
            c.poll(ts(SECS + i, 500));
        }
        for _ in 0..8 {
            let o = Outcome::of(c.take_actions());
            got.extend(o.samples);
            filtered += o.filtered.len();
            if o.writes.is_empty() {
                break;
            }
            let mut out = Vec::new();
            for (_, w) in o.writes {
                d.input(&w, ts(SECS + i, 600), &Plain, &mut out);
            }
            for m in out {
                c.receive(PortId::MAIN, &m.bytes, ts(SECS + i, 600));
            }
        }
    }
    assert!(got.len() >= 4, "{} samples", got.len());
    assert!(filtered >= 3);
    for s in &got {
        assert!((s.offset + 0.002).abs() < 1e-9, "{}", s.offset);
    }
}
