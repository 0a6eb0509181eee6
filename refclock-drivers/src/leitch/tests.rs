//! Tests of the Leitch codec, driver and simulated device.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::{Clock, ClockEvent, DriverConfig, PortId, Refclock, Timestamp};

use super::codec::{self, LeitchError};
use super::*;
use crate::testkit::{drain, feed, Outcome};

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn at(t: Timestamp, ms: u32) -> Timestamp {
    Timestamp::new(t.secs(), ms * 1_000_000)
}

fn config() -> DriverConfig {
    DriverConfig {
        basedate: Basedate::from_ymd(2020, 1, 1).unwrap(),
        ..DriverConfig::default()
    }
}

fn clock() -> Clock<LeitchDriver> {
    let mut c = Clock::start(config()).expect("starts");
    let _ = drain(&mut c);
    c
}

fn poll(c: &mut Clock<LeitchDriver>, t: Timestamp) -> Outcome {
    c.poll(t);
    Outcome::of(drain(c))
}

#[test]
fn answers_decode_and_encode() {
    let d = codec::decode_date(b"240715").unwrap();
    assert_eq!((d.year, d.month, d.day), (24, 7, 15));
    assert_eq!(codec::decode_date(&codec::encode_date(&d)), Ok(d));
    let t = codec::decode_time(b"130559").unwrap();
    assert_eq!((t.hour, t.minute, t.second), (13, 5, 59));
    assert_eq!(codec::decode_time(b"/130559"), Ok(t));
    assert_eq!(codec::decode_time(&codec::encode_time(&t)), Ok(t));
    assert!(matches!(
        codec::decode_time(b"13055"),
        Err(LeitchError::Layout { .. })
    ));
    assert!(matches!(
        codec::decode_time(b"13a559"),
        Err(LeitchError::Layout { .. })
    ));
    assert_eq!(
        codec::decode_time(b"240000").unwrap_err().event(),
        ClockEvent::BadTime
    );
    assert_eq!(
        codec::decode_date(b"241315").unwrap_err().event(),
        ClockEvent::BadDate
    );
    assert_eq!(
        codec::decode_date(b"24x315").unwrap_err().event(),
        ClockEvent::BadReply
    );
    assert!(codec::decode_time(b"235960").is_ok());
}

#[test]
fn one_exchange_one_sample_from_the_least_delayed_line() {
    let mut c = clock();
    let t0 = ts(2024, 7, 15, 13, 5, 58);
    let o = poll(&mut c, at(t0, 100));
    assert_eq!(o.writes, vec![(PortId::MAIN, b"D\r\0".to_vec())]);
    let o = feed(&mut c, PortId::MAIN, b"240715\r", at(t0, 400));
    assert_eq!(o.writes, vec![(PortId::MAIN, b"T\r\0".to_vec())]);
    // CRs 15 ms after seconds 59, 00, 01, read 20, 17 and 30 ms after.
    let mut samples = Vec::new();
    for (k, line, ms) in [
        (1, &b"130559\r"[..], 20),
        (2, b"130600\r", 17),
        (3, b"/130601\r", 30),
    ] {
        let o = feed(
            &mut c,
            PortId::MAIN,
            line,
            at(t0.add_secs_f64(k as f64), ms),
        );
        samples.extend(o.samples);
    }
    assert_eq!(samples.len(), 1);
    assert!((samples[0].offset + 0.002).abs() < 1e-9, "{samples:?}");
    assert_eq!(samples[0].time, at(t0.add_secs_f64(2.0), 17));
    assert_eq!(c.driver().state(), State::Idle);
    // The next poll asks again.
    let o = poll(&mut c, t0.add_secs_f64(10.0));
    assert_eq!(o.writes.len(), 1);
}

#[test]
fn a_poll_during_an_exchange_leaves_it_and_silence_times_out() {
    let mut c = clock();
    let t0 = ts(2024, 7, 15, 13, 5, 58);
    poll(&mut c, t0);
    let o = poll(&mut c, t0.add_secs_f64(1.0));
    assert!(o.writes.is_empty());
    assert_eq!(c.driver().state(), State::Date);
    c.timer(t0.add_secs_f64(4.0));
    assert_eq!(c.driver().state(), State::Date);
    c.timer(t0.add_secs_f64(6.0));
    assert_eq!(c.driver().state(), State::Idle);
    assert_eq!(c.state().counters.noreply, 1);
}

#[test]
fn bad_answers_counted_and_end_the_exchange() {
    let mut c = clock();
    let t0 = ts(2024, 7, 15, 13, 5, 58);
    poll(&mut c, t0);
    let o = feed(&mut c, PortId::MAIN, b"24071\r", t0);
    assert!(o.writes.is_empty());
    assert_eq!(c.driver().state(), State::Idle);
    assert_eq!(c.state().counters.badformat, 1);
    // February 30th.
    poll(&mut c, t0);
    feed(&mut c, PortId::MAIN, b"240230\r", t0);
    assert_eq!(c.state().counters.baddata, 1);
    poll(&mut c, t0);
    feed(&mut c, PortId::MAIN, b"240715\r", t0);
    let o = feed(&mut c, PortId::MAIN, b"250000\r", t0);
    assert!(o.samples.is_empty());
    assert_eq!(c.state().counters.baddata, 2);
    // Unasked lines are ignored.
    let o = feed(&mut c, PortId::MAIN, b"130559\r", t0);
    assert!(o.samples.is_empty() && o.events.is_empty());
}

#[test]
fn midnight_between_date_and_time() {
    let mut c = clock();
    let t0 = ts(2024, 12, 31, 23, 59, 59);
    poll(&mut c, t0);
    feed(&mut c, PortId::MAIN, b"241231\r", t0);
    let mut samples = Vec::new();
    for k in 1..=3u8 {
        let line = format!("0000{:02}\r", k - 1);
        let rec = at(t0.add_secs_f64(k as f64), 15);
        samples.extend(feed(&mut c, PortId::MAIN, line.as_bytes(), rec).samples);
    }
    assert_eq!(samples.len(), 1);
    assert!(samples[0].offset.abs() < 1e-9, "{samples:?}");
}

#[cfg(feature = "sim")]
#[test]
fn the_simulated_clock_answers_the_driver() {
    use refclock_core::sim::{DeviceSetup, Epoch, Timeline};
    struct Utc;
    impl Timeline for Utc {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }
    let mut dev = device::new(&DeviceSetup::new(0, &[])).unwrap();
    let mut c = clock();
    let t0 = ts(2024, 2, 29, 23, 59, 58);
    let o = poll(&mut c, at(t0, 500));
    let mut out = Vec::new();
    dev.input(&o.writes[0].1, at(t0, 500), &Utc, &mut out);
    assert_eq!(out.len(), 1);
    let o = feed(&mut c, PortId::MAIN, &out[0].bytes, at(t0, 530));
    let mut answers = Vec::new();
    dev.input(&o.writes[0].1, at(t0, 540), &Utc, &mut answers);
    assert_eq!(answers.len(), 3);
    let mut samples = Vec::new();
    for m in &answers {
        let refclock_core::sim::Due::At(due) = m.due else {
            panic!("timed")
        };
        samples.extend(feed(&mut c, PortId::MAIN, &m.bytes, due.add_secs_f64(0.001)).samples);
    }
    assert_eq!(samples.len(), 1);
    assert!((samples[0].offset + 0.001).abs() < 1e-6, "{samples:?}");
    let mut bad = answers[0].clone();
    assert!(dev.corrupt(&mut bad));
    assert!(codec::decode_time(&bad.bytes[..6]).is_err());
}
