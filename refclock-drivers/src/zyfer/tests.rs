//! Tests of the Zyfer codec, driver and simulated device.

use std::path::PathBuf;

use refclock_core::calendar::{days_from_civil, Basedate, CivilTime, SECS_PER_DAY};
use refclock_core::gps::DAYS_PER_ERA;
use refclock_core::port::{InputMode, PortKind};
use refclock_core::rng::Rng;
use refclock_core::{
    Action, Clock, ClockEvent, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock, Sample,
    Timestamp,
};

use super::codec::{self, ZyferError, ZyferTime, LEN};
use super::*;
use crate::testkit::Outcome;

/// The timecode in ntpd's source, and the second it names.
const REAL: &[u8] = b"!TIME,2002,017,07,59,32,2,4,1";
pub(super) const REAL_SECS: i64 = 1_011_254_372;

pub(super) fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn code(y: u16, day: u16, h: u8, mi: u8, s: u8, time_mode: u8, op_mode: u8) -> Vec<u8> {
    codec::encode(&ZyferTime {
        year: y,
        day,
        hour: h,
        minute: mi,
        second: s,
        time_mode,
        figure_of_merit: 4,
        op_mode,
    })
}

/// The timecode of a Unix second, locked or not.
pub(super) fn code_at(secs: i64, op_mode: u8) -> Vec<u8> {
    let t = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    codec::encode(&ZyferTime::from_civil(&t, 2, 4, op_mode))
}

pub(super) fn clock_with(basedate: Basedate, time1: Option<f64>) -> Clock<ZyferDriver> {
    Clock::start(DriverConfig {
        unit: 3,
        fudge: Fudge {
            time1,
            ..Fudge::default()
        },
        basedate,
        ..DriverConfig::default()
    })
    .expect("starts")
}

pub(super) fn clock() -> Clock<ZyferDriver> {
    clock_with(Basedate::from_ymd(2000, 1, 1).unwrap(), None)
}

pub(super) fn feed(c: &mut Clock<ZyferDriver>, data: &[u8], rec: Timestamp) -> Vec<Action> {
    c.receive(PortId::MAIN, data, rec);
    c.take_actions()
}

pub(super) fn samples(actions: &[Action]) -> Vec<Sample> {
    Outcome::of(actions.to_vec()).samples
}

pub(super) fn events(actions: &[Action]) -> Vec<ClockEvent> {
    Outcome::of(actions.to_vec()).events
}

fn stats(actions: &[Action]) -> Vec<String> {
    Outcome::of(actions.to_vec()).clockstats
}

pub(super) fn filtered(actions: &[Action]) -> usize {
    Outcome::of(actions.to_vec()).filtered.len()
}

// ---- codec ----

#[test]
fn the_real_timecode() {
    let t = codec::decode(REAL).unwrap();
    assert_eq!(
        t,
        ZyferTime {
            year: 2002,
            day: 17,
            hour: 7,
            minute: 59,
            second: 32,
            time_mode: 2,
            figure_of_merit: 4,
            op_mode: 1,
        }
    );
    assert_eq!(t.timestamp(), Timestamp::from_secs(REAL_SECS));
    assert_eq!(t.timestamp(), ts(2002, 1, 17, 7, 59, 32));
    assert_eq!(codec::encode(&t), REAL);
}

#[test]
fn round_trips_over_many_dates() {
    let mut rng = Rng::new(42);
    let mut seen_366 = 0;
    // Every 1.3 days from 1980 to 2100, at a random time of day, plus the
    // last second of every year (day 365 or 366).
    let start = days_from_civil(1980, 1, 1);
    let mut secs: Vec<i64> = (0..(120 * 365 * 10 / 13))
        .map(|i| (start + i * 13 / 10) * SECS_PER_DAY + rng.up_to(86_399) as i64)
        .collect();
    secs.extend((1980..2100).map(|y| days_from_civil(y + 1, 1, 1) * SECS_PER_DAY - 1));
    for s in secs {
        let civil = CivilTime::from_timestamp(Timestamp::from_secs(s));
        let t = ZyferTime::from_civil(&civil, 2, 4 + rng.up_to(5) as u8, rng.up_to(4) as u8);
        let bytes = codec::encode(&t);
        assert_eq!(bytes.len(), LEN);
        let back = codec::decode(&bytes).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(back, t);
        assert_eq!(back.timestamp().secs(), s);
        seen_366 += usize::from(t.day == 366);
    }
    // 2000 is a leap year, 2100 is not: 30 leap years from 1980 to 2099.
    assert!(seen_366 >= 30, "{seen_366}");
    let end_of_2000 = codec::decode(b"!TIME,2000,366,23,59,59,2,4,1").unwrap();
    assert_eq!(end_of_2000.timestamp(), ts(2000, 12, 31, 23, 59, 59));
}

#[test]
fn a_leap_second_is_the_next_minute() {
    let t = codec::decode(b"!TIME,2016,366,23,59,60,2,4,1").unwrap();
    assert_eq!(t.second, 60);
    assert_eq!(t.timestamp(), ts(2017, 1, 1, 0, 0, 0));
}

#[test]
fn every_misplaced_byte_is_named() {
    // A letter in every digit position names its field.
    let names = [
        (6..10, "year"),
        (11..14, "day"),
        (15..17, "hour"),
        (18..20, "minute"),
        (21..23, "second"),
        (24..25, "time mode"),
        (26..27, "figure of merit"),
        (28..29, "operation mode"),
    ];
    for (positions, name) in names {
        for i in positions {
            let mut c = REAL.to_vec();
            c[i] = b'x';
            match codec::decode(&c) {
                Err(e @ ZyferError::Field { field, .. }) => {
                    assert_eq!(field, name, "{i}");
                    assert_eq!(e.event(), ClockEvent::BadReply);
                    assert!(e.to_string().contains('x'), "{e}");
                }
                other => panic!("{i}: {other:?}"),
            }
        }
    }
    // A separator that is not a comma: the field before it.
    for (i, name) in [
        (10, "year"),
        (14, "day"),
        (17, "hour"),
        (27, "figure of merit"),
    ] {
        let mut c = REAL.to_vec();
        c[i] = b' ';
        assert!(
            matches!(codec::decode(&c), Err(ZyferError::Field { field, .. }) if field == name),
            "{i}"
        );
    }
    // Wrong field count at the right length, signs as sscanf takes them.
    for bad in [
        &b"!TIME,2002,017,07,59,32,2,41,"[..],
        b"!TIME,2002,17,07,59,32,2,4,10",
        b"!TIME,+002,017,07,59,32,2,4,1",
        b"!TIME,2002,017, 7,59,32,2,4,1",
    ] {
        assert_eq!(bad.len(), LEN);
        let e = codec::decode(bad).unwrap_err();
        assert!(matches!(e, ZyferError::Field { .. }), "{e:?}");
    }
    let e = codec::decode(b"!DATE,2002,017,07,59,32,2,4,1").unwrap_err();
    assert_eq!(
        e,
        ZyferError::Header {
            found: "!DATE,".into()
        }
    );
    assert_eq!(e.event(), ClockEvent::BadReply);
}

#[test]
fn lengths_and_ranges_are_bad_time() {
    for n in [0, 1, 13, 28, 30, 58] {
        let mut c = REAL.repeat(2);
        c.truncate(n);
        let e = codec::decode(&c).unwrap_err();
        assert_eq!(e, ZyferError::Length { found: n });
        assert_eq!(e.event(), ClockEvent::BadTime);
    }
    let range = |c: &[u8]| match codec::decode(c) {
        Err(e @ ZyferError::OutOfRange { .. }) => {
            assert_eq!(e.event(), ClockEvent::BadTime);
            e.to_string()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(
        range(b"!TIME,2002,000,07,59,32,2,4,1"),
        "day 0 out of range 1..=365"
    );
    assert_eq!(
        range(b"!TIME,2001,366,07,59,32,2,4,1"),
        "day 366 out of range 1..=365"
    );
    assert_eq!(
        range(b"!TIME,2004,367,07,59,32,2,4,1"),
        "day 367 out of range 1..=366"
    );
    assert_eq!(
        range(b"!TIME,2002,017,24,00,00,2,4,1"),
        "hour 24 out of range 0..=23"
    );
    assert_eq!(
        range(b"!TIME,2002,017,23,60,00,2,4,1"),
        "minute 60 out of range 0..=59"
    );
    assert_eq!(
        range(b"!TIME,2002,017,23,59,61,2,4,1"),
        "second 61 out of range 0..=60"
    );
    assert!(codec::decode(b"!TIME,2004,366,07,59,32,2,4,1").is_ok());
}

// ---- driver ----

#[test]
fn info_and_start() {
    assert_eq!(
        (INFO.kind, INFO.ntpd_name, INFO.name, INFO.refid),
        (42, "ZYFER", "zyfer", *b"GPS\0")
    );
    let entry = crate::registry::by_kind(42).unwrap();
    assert_eq!(
        (entry.ntpd_name, entry.name, entry.description),
        (INFO.ntpd_name, INFO.name, INFO.description)
    );
    assert_eq!(entry.implemented().map(|d| d.info), Some(INFO));
    assert_eq!(PRECISION, -20);

    let c = clock();
    let port = c.ports().get(PortId::MAIN).unwrap();
    let PortKind::Serial { path, config } = &port.kind else {
        panic!("{port:?}")
    };
    assert_eq!(path, &PathBuf::from("/dev/zyfer3"));
    let config = config.unwrap();
    assert_eq!((config.baud, config.input), (9600, InputMode::Raw));
    assert_eq!(config, refclock_core::port::SerialConfig::raw_8n1(9600));
    assert_eq!(c.ports().list.len(), 1);
    assert_eq!(c.ports().pps, None);
    assert_eq!(c.state().leap, Leap::NotInSync);
    assert_eq!(c.driver().polls_left(), 2);

    let c = Clock::<ZyferDriver>::start(DriverConfig {
        device: Some("/dev/ttyS1".into()),
        ..DriverConfig::default()
    })
    .unwrap();
    let path = c.ports().get(PortId::MAIN).unwrap().kind.path();
    assert_eq!(path, Some(std::path::Path::new("/dev/ttyS1")));
}

#[test]
fn a_locked_timecode_gives_one_sample_with_time1() {
    let mut c = clock_with(Basedate::from_ymd(2000, 1, 1).unwrap(), Some(0.0105));
    let rec = Timestamp::new(REAL_SECS, 3_000_000);
    let acts = feed(&mut c, REAL, rec);
    let s = samples(&acts);
    assert_eq!(s.len(), 1, "{acts:?}");
    assert_eq!(s[0].time, rec);
    assert!(
        (s[0].offset - (0.0105 - 0.003)).abs() < 1e-9,
        "{}",
        s[0].offset
    );
    assert_eq!((s[0].leap, s[0].pulse), (Leap::NoWarning, false));
    assert_eq!(
        stats(&acts),
        vec![String::from_utf8(REAL.to_vec()).unwrap()]
    );
    assert!(events(&acts).is_empty());
    let st = c.state();
    assert_eq!(st.timecode(), "!TIME,2002,017,07,59,32,2,4,1");
    assert_eq!(st.lastref, Some(Timestamp::from_secs(REAL_SECS)));
    assert_eq!(st.lastrec, Some(rec));
    assert_eq!(
        (st.fields.year, st.fields.day, st.fields.second),
        (2002, 17, 32)
    );
    assert_eq!(st.counters.samples, 1);
}

/// However the 29 bytes are split over reads, the sample is the same,
/// timed by the read that held the '!'.
#[test]
fn split_reads_give_the_same_sample() {
    let whole = {
        let mut c = clock();
        samples(&feed(&mut c, REAL, Timestamp::new(REAL_SECS, 1_000)))
    };
    assert_eq!(whole.len(), 1);
    for i in 0..=LEN {
        for j in i..=LEN {
            let mut c = clock();
            let (t1, t2, t3) = (1_000, 2_000_000, 3_000_000);
            let mut acts = feed(&mut c, &REAL[..i], Timestamp::new(REAL_SECS, t1));
            acts.extend(feed(&mut c, &REAL[i..j], Timestamp::new(REAL_SECS, t2)));
            acts.extend(feed(&mut c, &REAL[j..], Timestamp::new(REAL_SECS, t3)));
            let first = if i > 0 {
                t1
            } else if j > 0 {
                t2
            } else {
                t3
            };
            let s = samples(&acts);
            assert_eq!(s.len(), 1, "{i} {j}");
            assert_eq!(s[0].time, Timestamp::new(REAL_SECS, first), "{i} {j}");
            assert!((s[0].offset + first as f64 * 1e-9).abs() < 1e-12);
            if first == t1 {
                assert_eq!(s, whole);
            }
        }
    }
}

#[test]
fn back_to_back_records_in_one_read_give_two_samples() {
    let mut c = clock();
    let mut data = b"\x00garbage".to_vec();
    data.extend(code_at(REAL_SECS, 1));
    data.extend(code_at(REAL_SECS + 1, 1));
    let s = samples(&feed(&mut c, &data, Timestamp::new(REAL_SECS + 1, 0)));
    let offsets: Vec<f64> = s.iter().map(|s| s.offset).collect();
    assert_eq!(offsets, vec![-1.0, 0.0]);
}

/// ntpd's bug: one unlocked record and the clock is "not in sync" for
/// good. Here it recovers with the next locked record.
#[test]
fn not_locked_then_locked_again_recovers() {
    let mut c = clock();
    let at = |c: &mut Clock<ZyferDriver>, k: i64, op: u8| {
        let rec = Timestamp::new(REAL_SECS + k, 500_000);
        feed(c, &code_at(REAL_SECS + k, op), rec)
    };
    assert_eq!(samples(&at(&mut c, 0, 1)).len(), 1);
    Refclock::poll(&mut c, Timestamp::from_secs(REAL_SECS));
    for op in [0, 2, 3, 4, 9] {
        let acts = at(&mut c, 1, op);
        assert!(samples(&acts).is_empty(), "{op}");
        assert!(events(&acts).is_empty(), "{op}: ntpd reports nothing");
        assert_eq!(c.state().leap, Leap::NotInSync);
    }
    // The poll's filtering waits for a sample; an unlocked record is none.
    assert!(c.driver().polled());
    let acts = at(&mut c, 2, 1);
    let s = samples(&acts);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
    assert_eq!(c.state().leap, Leap::NoWarning);
    assert_eq!(filtered(&acts), 1, "{acts:?}");
    assert!(!c.driver().polled());
    assert_eq!(c.state().counters.samples, 2);
}

#[test]
fn only_utc_time_is_taken() {
    for mode in [0, 1, 3, 4, 5] {
        let mut c = clock();
        let acts = feed(
            &mut c,
            &code(2002, 17, 7, 59, 32, mode, 1),
            Timestamp::EPOCH,
        );
        assert!(samples(&acts).is_empty());
        assert_eq!(events(&acts), vec![ClockEvent::BadTime]);
        assert_eq!(c.state().counters.baddata, 1);
    }
}

#[test]
fn bad_input_is_counted_and_gives_no_sample() {
    let mut c = clock();
    let rec = Timestamp::from_secs(REAL_SECS);
    let junk: Vec<u8> = std::iter::once(b'!')
        .chain((1..29).map(|b| b as u8 ^ 0x80))
        .collect();
    let cases: [(&[u8], ClockEvent); 5] = [
        (b"!TIME,2002,017,07,59,32;2,4,1", ClockEvent::BadReply),
        (b"!TIME,20O2,017,07,59,32,2,4,1", ClockEvent::BadReply),
        (b"!TIME,2002,367,07,59,32,2,4,1", ClockEvent::BadTime),
        (b"!TIME,2002,017,24,59,32,2,4,1", ClockEvent::BadTime),
        (&junk, ClockEvent::BadReply),
    ];
    let mut seen = Vec::new();
    for (bad, event) in cases {
        let before = c.state().counters;
        let acts = feed(&mut c, bad, rec);
        let what = String::from_utf8_lossy(bad);
        assert!(samples(&acts).is_empty(), "{what}");
        let after = c.state().counters;
        let counted = match event {
            ClockEvent::BadReply => after.badformat - before.badformat,
            _ => after.baddata - before.baddata,
        };
        assert_eq!(counted, 1, "{what}");
        // An event is queued when the status changes.
        seen.extend(events(&acts));
        assert_eq!(stats(&acts).len(), 1, "one clockstats line per record");
        // One log line, without the clock's name (the host adds it).
        assert!(
            acts.iter()
                .any(|a| matches!(a, Action::Log(l) if l.starts_with("bad timecode '!"))),
            "{acts:?}"
        );
        assert_eq!(c.state().last_event, event);
    }
    assert_eq!(
        seen,
        vec![
            ClockEvent::BadReply,
            ClockEvent::BadTime,
            ClockEvent::BadReply
        ]
    );
    // Only printable bytes are saved.
    assert_eq!(c.state().timecode(), "!");
    // A fragment cut short by the next record: wrong length; the record
    // after it is whole.
    let mut data = b"!TIME,2002,01".to_vec();
    data.extend_from_slice(REAL);
    let acts = feed(&mut c, &data, rec);
    assert_eq!(events(&acts), vec![ClockEvent::BadTime]);
    assert_eq!(
        stats(&acts),
        vec![
            "!TIME,2002,01".to_string(),
            String::from_utf8_lossy(REAL).into_owned()
        ]
    );
    assert_eq!(samples(&acts).len(), 1);
    let n = &c.state().counters;
    assert_eq!((n.badformat, n.baddata, n.samples), (3, 3, 1));
}

#[test]
fn polls_time_out_after_two_without_a_sample_and_filter_at_the_next_one() {
    let mut c = clock();
    let poll = |c: &mut Clock<ZyferDriver>| {
        Refclock::poll(c, Timestamp::EPOCH);
        c.take_actions()
    };
    // Nothing received: two polls count down, the third reports.
    assert!(poll(&mut c).is_empty());
    assert!(poll(&mut c).is_empty());
    assert_eq!(events(&poll(&mut c)), vec![ClockEvent::Timeout]);
    assert_eq!(poll(&mut c), vec![], "the status is already no reply");
    assert_eq!(c.state().counters.noreply, 2);
    assert_eq!(c.state().counters.polls, 4);
    // A sample after a poll filters what is pending, once.
    let k = |k: i64| Timestamp::from_secs(REAL_SECS + k);
    let acts = feed(&mut c, &code_at(REAL_SECS, 1), k(0));
    assert_eq!(filtered(&acts), 1);
    assert_eq!(c.driver().polls_left(), 2);
    let acts = feed(&mut c, &code_at(REAL_SECS + 1, 1), k(1));
    assert_eq!((samples(&acts).len(), filtered(&acts)), (1, 0));
    // Unlocked records count as nothing: the timeout comes back.
    // (ntpd's driver never reports nominal: the status stays no reply.)
    assert!(poll(&mut c).is_empty());
    feed(&mut c, &code_at(REAL_SECS + 2, 2), k(2));
    assert!(poll(&mut c).is_empty());
    assert_eq!(c.state().counters.noreply, 2);
    assert!(poll(&mut c).is_empty());
    assert_eq!(c.state().counters.noreply, 3);
    let acts = feed(&mut c, &code_at(REAL_SECS + 3, 1), k(3));
    let Some(Action::Filtered(f)) = acts.iter().find(|a| matches!(a, Action::Filtered(_))) else {
        panic!("{acts:?}")
    };
    assert_eq!(f.n, 2, "the sample before and this one");
}

#[test]
fn a_lost_port_drops_the_partial_record() {
    let mut c = clock();
    feed(&mut c, &REAL[..20], Timestamp::EPOCH);
    Refclock::port_event(
        &mut c,
        PortId::MAIN,
        PortEvent::Closed(refclock_core::port::CloseReason::Lost("gone".into())),
    );
    let acts = feed(&mut c, &REAL[20..], Timestamp::EPOCH);
    assert!(acts.is_empty(), "{acts:?}");
}

/// The stated date is moved by whole eras of 1024 weeks into the window
/// of the base date and the receive time.
#[test]
fn era_mapping() {
    let day = |d: i64| d * SECS_PER_DAY;
    let era = day(DAYS_PER_ERA);
    let base = Basedate::from_ymd(2000, 1, 1).unwrap();
    let t = codec::decode(REAL).unwrap();
    let truth = Timestamp::from_secs(REAL_SECS);
    // A right system clock, or one reset to 1970: the base date decides.
    assert_eq!(reference_time(&t, &base, truth), truth);
    assert_eq!(reference_time(&t, &base, Timestamp::EPOCH), truth);
    // A later base date moves it one era on (ntpd does the same).
    let late = Basedate::from_ymd(2015, 1, 1).unwrap();
    let later = Timestamp::from_secs(REAL_SECS + era);
    assert_eq!(reference_time(&t, &late, Timestamp::EPOCH), later);
    assert_eq!(later, ts(2021, 9, 2, 7, 59, 32));
    // A receiver with the roll-over bug stating 2002 in 2041, with the
    // system clock right: two eras on, past the base date's window.
    let rec = Timestamp::from_secs(REAL_SECS + 2 * era + 1);
    assert_eq!(
        reference_time(&t, &late, rec),
        Timestamp::from_secs(REAL_SECS + 2 * era)
    );
    // Through the driver.
    let mut c = clock_with(late, None);
    let s = samples(&feed(&mut c, REAL, rec));
    assert!((s[0].offset + 1.0).abs() < 1e-9, "{s:?}");
}
