//! Tests of the Datum codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::{Clock, ClockEvent, DriverConfig, PortId, Refclock, Timestamp};

use super::codec::{self, DatumError, DatumTime};
use super::*;
use crate::testkit::{drain, feed, Outcome};

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn at(t: Timestamp, ms: u32) -> Timestamp {
    Timestamp::new(t.secs(), ms * 1_000_000)
}

fn clock() -> Clock<DatumDriver> {
    let mut c = Clock::start(DriverConfig::default()).expect("starts");
    let _ = drain(&mut c);
    c
}

fn poll(c: &mut Clock<DatumDriver>, t: Timestamp) -> Outcome {
    c.poll(t);
    Outcome::of(drain(c))
}

fn time(day: u16, hour: u8, minute: u8, second: u8, msec: u16) -> DatumTime {
    DatumTime {
        day,
        hour,
        minute,
        second,
        msec,
    }
}

#[test]
fn replies_decode_and_encode() {
    // Day 216, 15:36:43.640 (the README.timecodes date).
    let b = [0x02, 0x16, 0x15, 0x36, 0x43, 0x64, 0x00];
    assert_eq!(codec::decode(&b), Ok(time(216, 15, 36, 43, 640)));
    assert_eq!(codec::encode(&time(216, 15, 36, 43, 640)), b);
    for t in [
        time(1, 0, 0, 0, 0),
        time(366, 23, 59, 60, 999),
        time(100, 9, 9, 9, 9),
    ] {
        assert_eq!(codec::decode(&codec::encode(&t)), Ok(t));
    }
    assert_eq!(codec::decode(&b[..6]), Err(DatumError::Length { found: 6 }));
    let mut bad = b;
    bad[4] = 0x4a;
    assert!(matches!(
        codec::decode(&bad),
        Err(DatumError::Bcd { byte: 4, .. })
    ));
    assert_eq!(
        codec::decode(&bad).unwrap_err().event(),
        ClockEvent::BadReply
    );
    let e = codec::decode(&codec::encode(&time(367, 0, 0, 0, 0))).unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadDate);
    let e = codec::decode(&[0x01, 0x00, 0x24, 0, 0, 0, 0]).unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadTime);
}

#[test]
fn a_poll_and_its_reply_give_a_sample() {
    let mut c = clock();
    let t = ts(2024, 8, 3, 15, 36, 43);
    let o = poll(&mut c, at(t, 600));
    assert_eq!(o.writes, vec![(PortId::MAIN, b"//k/mn".to_vec())]);
    let reply = codec::encode(&time(216, 15, 36, 43, 640));
    // The first byte read 1 ms after the time it gives, in two reads.
    let mut o = feed(&mut c, PortId::MAIN, &reply[..3], at(t, 641));
    assert!(o.samples.is_empty());
    o.append(feed(&mut c, PortId::MAIN, &reply[3..], at(t, 650)));
    assert_eq!(o.samples.len(), 1);
    assert!(
        (o.samples[0].offset + 0.001).abs() < 1e-9,
        "{:?}",
        o.samples
    );
    assert_eq!(o.filtered.len(), 1);
    // An eighth byte and unasked bytes are dropped.
    let o = feed(&mut c, PortId::MAIN, &reply, at(t, 700));
    assert!(o.samples.is_empty() && o.events.is_empty());
    // A poll without a reply since the last: timeout at the next.
    poll(&mut c, t);
    let o = poll(&mut c, t);
    assert_eq!(o.events, vec![ClockEvent::Timeout]);
}

#[test]
fn bad_replies_counted() {
    let mut c = clock();
    let t = ts(2024, 8, 3, 15, 36, 43);
    poll(&mut c, t);
    let o = feed(
        &mut c,
        PortId::MAIN,
        &[0x0a, 0x16, 0x15, 0x36, 0x43, 0x64, 0x00],
        t,
    );
    assert!(o.samples.is_empty());
    assert_eq!(c.state().counters.badformat, 1);
    poll(&mut c, t);
    feed(
        &mut c,
        PortId::MAIN,
        &codec::encode(&time(216, 15, 61, 0, 0)),
        t,
    );
    assert_eq!(c.state().counters.baddata, 1);
}

#[test]
fn serial_settings_as_ntpd() {
    let c = clock();
    let port = c.ports().get(PortId::MAIN).unwrap();
    assert_eq!(port.kind.path(), Some(std::path::Path::new("/dev/datum")));
    let serial = *port.kind.serial_config().unwrap();
    assert_eq!(serial, SERIAL);
    assert_eq!(serial.baud, 9600);
    assert_eq!(serial.parity, refclock_core::port::Parity::Even);
    assert!(!serial.crnl);
    assert_eq!(serial.input, refclock_core::port::InputMode::Raw);
}

#[cfg(feature = "sim")]
#[test]
fn the_simulated_pts_answers_the_driver() {
    use refclock_core::sim::{DeviceSetup, Due, Epoch, Timeline};
    struct Utc;
    impl Timeline for Utc {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }
    let mut dev = device::new(&DeviceSetup::new(0, &[])).unwrap();
    let mut c = clock();
    let t = ts(2024, 12, 31, 23, 59, 59);
    for ms in [0u32, 500, 998] {
        let o = poll(&mut c, at(t, ms));
        let mut out = Vec::new();
        // The request in two writes.
        dev.input(&o.writes[0].1[..2], at(t, ms), &Utc, &mut out);
        dev.input(&o.writes[0].1[2..], at(t, ms), &Utc, &mut out);
        assert_eq!(out.len(), 1);
        let Due::At(due) = out[0].due else {
            panic!("timed")
        };
        let o = feed(
            &mut c,
            PortId::MAIN,
            &out[0].bytes,
            due.add_secs_f64(0.0005),
        );
        assert_eq!(o.samples.len(), 1);
        assert!(
            (o.samples[0].offset + 0.0005).abs() < 1e-9,
            "{:?}",
            o.samples
        );
        let mut bad = out[0].clone();
        assert!(dev.corrupt(&mut bad));
        assert!(codec::decode(&bad.bytes).is_err());
    }
    for b in 0..=255u8 {
        if dev.garbage_allowed(b) {
            let mut r = codec::encode(&time(216, 15, 36, 43, 640)).to_vec();
            r.insert(0, b);
            assert!(codec::decode(&r[..7]).is_err());
        }
    }
}
