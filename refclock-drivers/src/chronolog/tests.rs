//! Tests of the Chronolog codec, driver and simulated device.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::{Clock, ClockEvent, DriverConfig, Leap, PortId, Refclock, Timestamp};

use super::codec::{self, ChronologError, Line};
use super::*;
use crate::testkit::{check_chunking, drain, feed};

const BERLIN: &str = "CET-1CEST,M3.5.0,M10.5.0/3";

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn at(t: Timestamp, ms: u32) -> Timestamp {
    Timestamp::new(t.secs(), ms * 1_000_000)
}

fn config(tz: &str) -> DriverConfig {
    DriverConfig {
        basedate: Basedate::from_ymd(2020, 1, 1).unwrap(),
        options: vec![("tz".into(), Some(tz.into()))],
        ..DriverConfig::default()
    }
}

fn clock(tz: &str) -> Clock<ChronologDriver> {
    let mut c = Clock::start(config(tz)).expect("starts");
    let _ = drain(&mut c);
    c
}

#[test]
fn lines_decode_and_encode() {
    assert_eq!(
        codec::decode(b"Y 24/07/15"),
        Ok(Line::Date {
            year: 24,
            month: 7,
            day: 15
        })
    );
    assert_eq!(
        codec::decode(b"Z 13:05:59"),
        Ok(Line::Time {
            hour: 13,
            minute: 5,
            second: 59
        })
    );
    for l in [
        Line::Date {
            year: 0,
            month: 2,
            day: 29,
        },
        Line::Time {
            hour: 23,
            minute: 59,
            second: 0,
        },
    ] {
        assert_eq!(codec::decode(&codec::encode(&l)), Ok(l));
    }
}

#[test]
fn bad_lines_name_the_field() {
    assert!(matches!(
        codec::decode(b"X 24/07/15"),
        Err(ChronologError::Layout { .. })
    ));
    assert!(matches!(
        codec::decode(b"Z 13:05:5"),
        Err(ChronologError::Layout { .. })
    ));
    assert!(matches!(
        codec::decode(b"Z 1a:05:59"),
        Err(ChronologError::Digits { field: "hour", .. })
    ));
    let e = codec::decode(b"Y 24/13/15").unwrap_err();
    assert!(matches!(e, ChronologError::Range { field: "month", .. }));
    assert_eq!(e.event(), ClockEvent::BadDate);
    let e = codec::decode(b"Z 24:00:00").unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadTime);
    assert!(codec::decode(b"Y 24/04/31").is_err());
    assert!(codec::decode(b"Z 12:00:60").is_err());
}

#[test]
fn time_line_stamped_with_its_own_cr_in_local_time() {
    let mut c = clock(BERLIN);
    // Summer: CEST, UTC+2. The date comes a few seconds before.
    let t = ts(2024, 7, 15, 11, 5, 59);
    let o = feed(
        &mut c,
        PortId::MAIN,
        b"Y 24/07/15\r\n",
        at(t, 0).add_secs_f64(-3.0),
    );
    assert!(o.samples.is_empty());
    let o = feed(&mut c, PortId::MAIN, b"Z 13:05:59\r\n", at(t, 20));
    assert_eq!(o.samples.len(), 1);
    assert!(
        (o.samples[0].offset + 0.020).abs() < 1e-9,
        "{:?}",
        o.samples
    );
    assert_eq!(o.samples[0].leap, Leap::NoWarning);
    assert!(o.filtered.is_empty());
    assert_eq!(o.clockstats, vec!["Z 13:05:59".to_string()]);
    // Winter: CET, UTC+1.
    let t = ts(2024, 1, 2, 23, 30, 0);
    feed(&mut c, PortId::MAIN, b"Y 24/01/03\r\n", t);
    let o = feed(&mut c, PortId::MAIN, b"Z 00:30:00\r\n", at(t, 5));
    assert!((o.samples[0].offset + 0.005).abs() < 1e-9);
}

#[test]
fn no_date_no_sample_and_garbage_counted() {
    let mut c = clock("UTC0");
    let t = ts(2024, 7, 15, 13, 5, 59);
    let o = feed(&mut c, PortId::MAIN, b"Z 13:05:59\r\n", t);
    assert!(o.samples.is_empty() && o.events.is_empty());
    let o = feed(
        &mut c,
        PortId::MAIN,
        b"hello\r\nY 24/02/30\r\nZ 25:00:00\r\n",
        t,
    );
    assert!(o.samples.is_empty());
    assert_eq!(
        o.events,
        vec![
            ClockEvent::BadReply,
            ClockEvent::BadDate,
            ClockEvent::BadTime
        ]
    );
    assert_eq!(c.state().counters.badformat, 1);
    assert_eq!(c.state().counters.baddata, 2);
}

#[test]
fn skipped_and_repeated_hours() {
    let mut c = clock(BERLIN);
    // 2024-03-31 02:30 local does not exist.
    let t = ts(2024, 3, 31, 1, 0, 0);
    let o = feed(&mut c, PortId::MAIN, b"Y 24/03/31\r\nZ 02:30:00\r\n", t);
    assert!(o.samples.is_empty());
    assert_eq!(o.events, vec![ClockEvent::BadTime]);
    // 2024-10-27 02:30 local is 00:30 or 01:30 UTC: the one near the
    // system clock is taken.
    for utc in [ts(2024, 10, 27, 0, 30, 0), ts(2024, 10, 27, 1, 30, 0)] {
        let o = feed(
            &mut c,
            PortId::MAIN,
            b"Y 24/10/27\r\nZ 02:30:00\r\n",
            at(utc, 7),
        );
        assert_eq!(o.samples.len(), 1);
        assert!((o.samples[0].offset + 0.007).abs() < 1e-9);
    }
    // The system clock 30 minutes off in that hour: no sample, counted
    // (the event was reported already: only the counter moves).
    let before = c.state().counters.baddata;
    let o = feed(
        &mut c,
        PortId::MAIN,
        b"Z 02:30:00\r\n",
        ts(2024, 10, 27, 1, 0, 0),
    );
    assert!(o.samples.is_empty());
    assert_eq!(c.state().counters.baddata, before + 1);
}

#[test]
fn a_date_from_before_midnight_is_moved_to_the_time_it_dates() {
    let mut c = clock("UTC0");
    // The date at 23:59:57, the time at 00:00:00 of the next day.
    let t = ts(2024, 12, 31, 23, 59, 57);
    feed(&mut c, PortId::MAIN, b"Y 24/12/31\r\n", t);
    let t = ts(2025, 1, 1, 0, 0, 0);
    let o = feed(&mut c, PortId::MAIN, b"Z 00:00:00\r\n", at(t, 4));
    assert!(
        (o.samples[0].offset + 0.004).abs() < 1e-9,
        "{:?}",
        o.samples
    );
    // A date sent early, for the coming day.
    feed(
        &mut c,
        PortId::MAIN,
        b"Y 25/01/02\r\n",
        ts(2025, 1, 1, 23, 59, 58),
    );
    let t = ts(2025, 1, 1, 23, 59, 59);
    let o = feed(&mut c, PortId::MAIN, b"Z 23:59:59\r\n", at(t, 4));
    assert!(
        (o.samples[0].offset + 0.004).abs() < 1e-9,
        "{:?}",
        o.samples
    );
}

#[test]
fn two_digit_year_follows_the_base_date() {
    let mut c = clock("UTC0");
    let t = ts(2069, 1, 1, 0, 0, 0);
    let o = feed(&mut c, PortId::MAIN, b"Y 69/01/01\r\nZ 00:00:00\r\n", t);
    assert!(o.samples[0].offset.abs() < 1e-9, "2069, not 1969");
}

#[test]
fn reads_split_anywhere_give_the_same() {
    let t = ts(2024, 7, 15, 11, 5, 59);
    let data = b"Y 24/07/15\r\nZ 13:05:59\r\nZ 13:06:00\r\nxx\r\n";
    let (_, o) = check_chunking::<ChronologDriver, _>(&config(BERLIN), data, t, 0..40, |_| ())
        .expect("same");
    assert_eq!(o.samples.len(), 2);
}

#[test]
fn zone_read_at_start_and_bad_zone_refused() {
    let c = clock(BERLIN);
    assert_eq!(
        c.driver().zone().offset_at(ts(2024, 7, 1, 0, 0, 0).secs()),
        7200
    );
    assert!(Clock::<ChronologDriver>::start(config(":/nonexistent")).is_err());
    assert!(Clock::<ChronologDriver>::start(DriverConfig {
        options: vec![("bogus".into(), None)],
        ..DriverConfig::default()
    })
    .is_err());
}

#[cfg(feature = "sim")]
#[test]
fn the_simulated_clock_gives_right_samples() {
    use refclock_core::sim::{DeviceSetup, Epoch};
    let mut dev = device::new(&DeviceSetup::new(0, &[("tz", BERLIN)])).unwrap();
    let mut c = clock(BERLIN);
    for secs in [
        ts(2024, 10, 27, 0, 59, 58).secs(),
        ts(2024, 10, 27, 1, 0, 1).secs(),
        ts(2024, 12, 31, 22, 59, 59).secs(),
    ] {
        let epoch = Epoch::at(secs);
        let mut out = Vec::new();
        dev.second(&epoch, &mut out);
        let m = &out[0];
        assert_eq!(m.bytes[m.on_time], b'\r');
        // Everything up to and including the on-time CR in a read at the
        // second, the rest after.
        let rec = Timestamp::new(secs, 3_000_000);
        let o = feed(&mut c, PortId::MAIN, &m.bytes[..=m.on_time], rec);
        assert_eq!(o.samples.len(), 1, "{}", m.text());
        assert!((o.samples[0].offset + 0.003).abs() < 1e-9, "{}", m.text());
        feed(&mut c, PortId::MAIN, &m.bytes[m.on_time + 1..], rec);
        let mut bad = m.clone();
        assert!(dev.corrupt(&mut bad));
        let before = c.state().counters.badformat;
        let o = feed(&mut c, PortId::MAIN, &bad.bytes, rec);
        assert!(o.samples.is_empty());
        assert_eq!(c.state().counters.badformat, before + 1);
    }
    let mut out = Vec::new();
    let mut invalid = Epoch::at(0);
    invalid.valid = false;
    dev.second(&invalid, &mut out);
    assert!(out.is_empty());
    assert!(device::new(&DeviceSetup::new(0, &[("x", "1")])).is_err());
}
