//! Tests of the Heath codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock, Sample,
    Timestamp,
};

use super::codec::{self, HeathError, HeathTime};
use super::*;
use crate::testkit::Outcome;

/// The example of ntp's README.timecodes (1991-08-04 15:36:43.6 by its
/// page, read month first by the driver: 8 April).
const README: &[u8] = b"15:36:43.6     04/08/91";
/// 1991-04-08 15:36:43 UTC.
const APR8: i64 = 671_125_003;

fn ts(secs: i64, ms: u32) -> Timestamp {
    Timestamp::new(secs, ms * 1_000_000)
}

fn clock_with(fudge: Fudge, options: &[&str]) -> Clock<HeathDriver> {
    let mut c = Clock::<HeathDriver>::start(DriverConfig {
        fudge,
        options: options.iter().map(|o| (o.to_string(), None)).collect(),
        ..DriverConfig::default()
    })
    .expect("starts");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c
}

fn samples(actions: &[Action]) -> Vec<Sample> {
    Outcome::of(actions.to_vec()).samples
}

fn code_at(secs: i64, tenths: Option<u8>) -> Vec<u8> {
    let t = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    codec::encode(&HeathTime {
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        tenths,
        meridian: *b"     ",
        month: t.month,
        day: t.day,
        year: (t.year % 100) as u8,
    })
}

#[test]
fn readme_example_reads_month_first() {
    let t = codec::decode(README).unwrap();
    assert_eq!(
        (t.hour, t.minute, t.second, t.tenths),
        (15, 36, 43, Some(6))
    );
    assert_eq!((t.month, t.day, t.year), (4, 8, 91));
    assert_eq!(t.day_of_year(), 98);
    assert_eq!(codec::encode(&t), README);
}

#[test]
fn errors() {
    assert_eq!(codec::decode(b"15:36:43.6"), Err(HeathError::Length(10)));
    let e = codec::decode(b"15:36:43.6     13/08/91").unwrap_err();
    assert_eq!(
        e,
        HeathError::Range {
            field: "month",
            value: 13
        }
    );
    assert_eq!(e.event(), ClockEvent::BadTime);
    assert_eq!(
        codec::decode(b"15:36:43.6     02/29/91")
            .unwrap_err()
            .event(),
        ClockEvent::BadTime
    );
    assert_eq!(
        codec::decode(b"15:36:43.6     02/29/92")
            .unwrap()
            .day_of_year(),
        60
    );
    assert_eq!(
        codec::decode(b"15:36:43.6     12/31/92")
            .unwrap()
            .day_of_year(),
        366
    );
    assert_eq!(
        codec::decode(b"15:36:43.6     04-08/91")
            .unwrap_err()
            .event(),
        ClockEvent::BadReply
    );
    assert_eq!(
        codec::decode(b"1x:36:43.6     04/08/91")
            .unwrap_err()
            .event(),
        ClockEvent::BadReply
    );
    let t = codec::decode(b"0?:??:??.?     04/08/91");
    assert!(
        t.is_err(),
        "before the first sync the clock shows question marks"
    );
    assert_eq!(
        codec::decode(b"15:36:43.?     04/08/91").unwrap().tenths,
        None
    );
}

#[test]
fn round_trips() {
    let mut secs = 946_684_800 - 86_400 * 2;
    while secs < 4_100_000_000 {
        let code = code_at(secs, Some(3));
        let t = codec::decode(&code).unwrap();
        assert_eq!(codec::encode(&t), code);
        let civil = CivilTime::from_timestamp(Timestamp::from_secs(secs));
        assert_eq!(t.day_of_year(), civil.yday());
        secs += 86_400 * 23 + 3_607;
    }
}

#[test]
fn speed_from_mode() {
    for (mode, baud) in [(0, 1200), (1, 2400), (2, 4800), (3, 9600), (5, 2400)] {
        let c = Clock::<HeathDriver>::start(DriverConfig {
            fudge: Fudge {
                mode,
                ..Fudge::default()
            },
            ..DriverConfig::default()
        })
        .unwrap();
        let config = c.ports().list[0].kind.serial_config().cloned().unwrap();
        assert_eq!(config.baud, baud);
        assert!(config.remote);
    }
}

#[test]
fn poll_stamps_pulses_and_the_answer_gives_the_sample() {
    let mut c = clock_with(
        Fudge {
            time1: Some(0.04),
            ..Fudge::default()
        },
        &[],
    );
    c.poll(ts(APR8, 620));
    let a = c.take_actions();
    let o = Outcome::of(a.clone());
    assert_eq!(o.writes, vec![(PortId::MAIN, b"T".to_vec())]);
    assert_eq!(o.events, vec![ClockEvent::Timeout]);
    assert!(a.iter().any(|x| matches!(
        x,
        Action::ModemLines {
            rts: Some(false),
            ..
        }
    )));
    // The answer, a second later, names the pulse's time.
    c.receive(PortId::MAIN, &[README, b"\r"].concat(), ts(APR8 + 1, 400));
    let s = samples(&c.take_actions());
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].time, ts(APR8, 620));
    assert!(
        (s[0].offset - (0.04 - 0.020)).abs() < 1e-9,
        "{}",
        s[0].offset
    );
    assert_eq!(s[0].leap, Leap::NoWarning);
    // A second answer to the same pulse gives nothing.
    c.receive(PortId::MAIN, &[README, b"\r"].concat(), ts(APR8 + 1, 500));
    assert!(samples(&c.take_actions()).is_empty());
    c.poll(ts(APR8 + 64, 0));
    let o = Outcome::of(c.take_actions());
    assert_eq!(o.filtered.len(), 1);
    assert_eq!(
        o.clockstats,
        vec![String::from_utf8_lossy(README).into_owned()]
    );
}

#[test]
fn out_of_spec_is_not_in_sync() {
    let mut c = clock_with(Fudge::default(), &[]);
    c.poll(ts(APR8, 0));
    c.take_actions();
    c.receive(PortId::MAIN, b"15:36:43.?     04/08/91\r", ts(APR8 + 1, 0));
    let s = samples(&c.take_actions());
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NotInSync);
}

#[test]
fn garbled_counted_and_no_sample() {
    let mut c = clock_with(Fudge::default(), &[]);
    c.poll(ts(APR8, 0));
    c.take_actions();
    c.receive(
        PortId::MAIN,
        b"15:36:43.6     04/0891\r\n15:36\r",
        ts(APR8 + 1, 0),
    );
    let a = c.take_actions();
    assert!(samples(&a).is_empty());
    assert_eq!(c.state().counters.badformat, 2);
}

#[test]
fn failed_rts_is_a_fault_unless_ignored() {
    let mut c = clock_with(Fudge::default(), &[]);
    c.port_event(PortId::MAIN, PortEvent::ModemLinesFailed("ENOTTY".into()));
    assert_eq!(
        Outcome::of(c.take_actions()).events,
        vec![ClockEvent::Fault]
    );
    let mut c = clock_with(Fudge::default(), &[IGNORE_MODEM_LINES]);
    c.port_event(PortId::MAIN, PortEvent::ModemLinesFailed("ENOTTY".into()));
    assert!(Outcome::of(c.take_actions()).events.is_empty());
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
    let mut d = device::HeathDevice::new(1200);
    let mut c = clock_with(Fudge::default(), &[IGNORE_MODEM_LINES]);
    let mut got = Vec::new();
    for i in 0..5 {
        let now = ts(APR8 + i * 16, 370);
        c.poll(now);
        let o = Outcome::of(c.take_actions());
        let mut out = Vec::new();
        for (_, w) in o.writes {
            d.input(&w, now, &Plain, &mut out);
        }
        for m in out {
            c.receive(PortId::MAIN, &m.bytes, now.add_secs_f64(0.3));
        }
        got.extend(samples(&c.take_actions()));
    }
    assert_eq!(got.len(), 5);
    for s in got {
        assert!((s.offset + 0.070).abs() < 1e-6, "{}", s.offset);
    }
}
