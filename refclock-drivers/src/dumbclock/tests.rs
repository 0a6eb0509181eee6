//! Tests of the Dumbclock codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::zone::Zone;
use refclock_core::{Clock, ClockEvent, DriverConfig, Leap, PortId, Refclock, Timestamp};

use super::codec::{self, DumbTime, DumbclockError};
use super::*;
use crate::testkit::{check_chunking, drain, feed};

const NEW_YORK: &str = "EST5EDT,M3.2.0,M11.1.0";

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn at(t: Timestamp, ms: u32) -> Timestamp {
    Timestamp::new(t.secs(), ms * 1_000_000)
}

fn config(tz: &str) -> DriverConfig {
    DriverConfig {
        options: vec![("tz".into(), Some(tz.into()))],
        ..DriverConfig::default()
    }
}

fn clock(tz: &str) -> Clock<DumbclockDriver> {
    let mut c = Clock::start(config(tz)).expect("starts");
    let _ = drain(&mut c);
    c
}

fn hms(hour: u8, minute: u8, second: u8) -> DumbTime {
    DumbTime {
        hour,
        minute,
        second,
    }
}

#[test]
fn lines_decode_and_encode() {
    assert_eq!(codec::decode(b"13:05:59"), Ok(hms(13, 5, 59)));
    assert_eq!(codec::decode(b"13:05:59   "), Ok(hms(13, 5, 59)));
    for t in [hms(0, 0, 0), hms(23, 59, 59), hms(12, 30, 7)] {
        assert_eq!(codec::decode(&codec::encode(&t)), Ok(t));
    }
    for bad in [&b"1:05:59"[..], b"13-05-59", b"13:05:5x", b" 13:05:59", b""] {
        let e = codec::decode(bad).unwrap_err();
        assert!(matches!(e, DumbclockError::Layout { .. }), "{bad:?}");
        assert_eq!(e.event(), ClockEvent::BadReply);
    }
    let e = codec::decode(b"24:00:00").unwrap_err();
    assert_eq!(
        e,
        DumbclockError::Range {
            field: "hour",
            value: 24,
            max: 23
        }
    );
    assert_eq!(e.event(), ClockEvent::BadTime);
    assert!(codec::decode(b"12:60:00").is_err());
    assert!(codec::decode(b"12:00:60").is_err());
}

#[test]
fn each_line_stamped_with_its_own_cr() {
    let mut c = clock(NEW_YORK);
    // Summer: EDT, UTC-4.
    let t = ts(2024, 7, 15, 17, 5, 59);
    let o = feed(&mut c, PortId::MAIN, b"13:05:59\r\n", at(t, 2));
    assert_eq!(o.samples.len(), 1);
    assert!(
        (o.samples[0].offset + 0.002).abs() < 1e-9,
        "{:?}",
        o.samples
    );
    assert_eq!(o.samples[0].leap, Leap::NoWarning);
    assert!(o.filtered.is_empty());
    assert_eq!(o.clockstats, vec!["13:05:59".to_string()]);
    // The next, CR only.
    let o = feed(&mut c, PortId::MAIN, b"13:06:00\r", at(t, 1002));
    assert!((o.samples[0].offset + 0.002).abs() < 1e-9);
}

#[test]
fn the_date_nearest_the_system_clock() {
    let z = Zone::from_posix(NEW_YORK).unwrap();
    // 23:59:59 EST seen just after local midnight (system clock 2 s fast):
    // yesterday.
    let near = ts(2024, 1, 2, 5, 0, 1).secs();
    assert_eq!(
        nearest_utc(&z, &hms(23, 59, 59), near),
        Ok(ts(2024, 1, 2, 4, 59, 59).secs())
    );
    // 00:00:01 seen just before midnight: tomorrow.
    let near = ts(2024, 1, 2, 4, 59, 58).secs();
    assert_eq!(
        nearest_utc(&z, &hms(0, 0, 1), near),
        Ok(ts(2024, 1, 2, 5, 0, 1).secs())
    );
    // A clock 3 hours ahead stays on its day (ntpd moves it a day back).
    let near = ts(2024, 1, 2, 12, 0, 0).secs();
    assert_eq!(
        nearest_utc(&z, &hms(10, 0, 0), near),
        Ok(ts(2024, 1, 2, 15, 0, 0).secs())
    );
}

#[test]
fn skipped_and_repeated_hours() {
    let mut c = clock(NEW_YORK);
    // 2024-03-10 02:30 local does not exist.
    let o = feed(
        &mut c,
        PortId::MAIN,
        b"02:30:00\r\n",
        ts(2024, 3, 10, 7, 0, 0),
    );
    assert!(o.samples.is_empty());
    assert_eq!(o.events, vec![ClockEvent::BadTime]);
    // 2024-11-03 01:30 local is 05:30 EDT or 06:30 EST (UTC).
    for utc in [ts(2024, 11, 3, 5, 30, 0), ts(2024, 11, 3, 6, 30, 0)] {
        let o = feed(&mut c, PortId::MAIN, b"01:30:00\r\n", at(utc, 4));
        assert_eq!(o.samples.len(), 1);
        assert!((o.samples[0].offset + 0.004).abs() < 1e-9);
    }
    let before = c.state().counters.baddata;
    let o = feed(
        &mut c,
        PortId::MAIN,
        b"01:30:00\r\n",
        ts(2024, 11, 3, 6, 0, 0),
    );
    assert!(o.samples.is_empty());
    assert_eq!(c.state().counters.baddata, before + 1);
}

#[test]
fn garbage_counted_never_a_sample() {
    let mut c = clock("UTC0");
    let o = feed(
        &mut c,
        PortId::MAIN,
        b"hello\r\n25:00:00\r\n\r\n",
        ts(2024, 1, 1, 0, 0, 0),
    );
    assert!(o.samples.is_empty());
    assert_eq!(c.state().counters.badformat, 1);
    assert_eq!(c.state().counters.baddata, 1);
}

#[test]
fn reads_split_anywhere_give_the_same() {
    let t = ts(2024, 7, 15, 13, 5, 59);
    let data = b"13:05:59\r\n13:06:00   \r\nxx\r13:06:01\r";
    let (_, o) = check_chunking::<DumbclockDriver, _>(&config("UTC0"), data, t, 0..40, |_| ())
        .expect("same");
    assert_eq!(o.samples.len(), 3);
}

#[test]
fn bad_zone_refused() {
    assert!(Clock::<DumbclockDriver>::start(config(":/nonexistent")).is_err());
    let c = clock(NEW_YORK);
    assert_eq!(
        c.driver().zone().offset_at(ts(2024, 1, 1, 0, 0, 0).secs()),
        -18000
    );
}

#[cfg(feature = "sim")]
#[test]
fn the_simulated_clock_gives_right_samples() {
    use refclock_core::sim::{DeviceSetup, Epoch};
    let mut dev = device::new(&DeviceSetup::new(0, &[("tz", NEW_YORK)])).unwrap();
    let mut c = clock(NEW_YORK);
    for secs in [
        ts(2024, 11, 3, 5, 59, 58).secs(),
        ts(2024, 11, 3, 6, 0, 1).secs(),
        ts(2024, 12, 31, 4, 59, 59).secs(),
        ts(2025, 1, 1, 5, 0, 0).secs(),
    ] {
        let mut out = Vec::new();
        dev.second(&Epoch::at(secs), &mut out);
        let m = &out[0];
        assert_eq!(m.bytes[m.on_time], b'\r');
        let rec = Timestamp::new(secs, 1_000_000);
        let o = feed(&mut c, PortId::MAIN, &m.bytes, rec);
        assert_eq!(o.samples.len(), 1, "{}", m.text());
        assert!((o.samples[0].offset + 0.001).abs() < 1e-9, "{}", m.text());
        let mut bad = m.clone();
        assert!(dev.corrupt(&mut bad));
        let before = c.state().counters.badformat;
        assert!(feed(&mut c, PortId::MAIN, &bad.bytes, rec)
            .samples
            .is_empty());
        assert_eq!(c.state().counters.badformat, before + 1);
    }
    let mut invalid = Epoch::at(0);
    invalid.valid = false;
    let mut out = Vec::new();
    dev.second(&invalid, &mut out);
    assert!(out.is_empty());
}
