//! The Forum Graphic codec, the doubled DLE, and the driver on scripted
//! replies.

use refclock_core::calendar::CivilTime;
use refclock_core::framing::DLE;
use refclock_core::{
    Action, Clock, ClockEvent, DriverConfig, Leap, PortEvent, PortId, Refclock, Timestamp,
};

use super::codec::{self, FgError, FgTime};
use super::*;

fn t(year: u8, day: u16, hour: u8, minute: u8, second: u8) -> FgTime {
    FgTime {
        year,
        day,
        hour,
        minute,
        second,
        millis: 0,
        micros: 0,
    }
}

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

#[test]
fn queries() {
    assert_eq!(&INIT[..4], &[0x10, 0x48, 0x10, 0x0d]);
    assert_eq!(&QUERY[..4], &[0x10, 0x44, 0x10, 0x0d]);
    assert!(INIT[4..].iter().chain(&QUERY[4..]).all(|&b| b == 0));
    assert_eq!((INIT.len(), QUERY.len()), (26, 26));
}

#[test]
fn layout() {
    let code = codec::encode(&FgTime {
        millis: 25,
        micros: 7,
        ..t(24, 256, 13, 45, 59)
    });
    assert_eq!(code.len(), 26);
    assert_eq!(
        &code[..10],
        &[DLE, b'D', 0x24, 0x02, 0x56, 0x13, 0x45, 0x59, 0x25, 0x70]
    );
    assert_eq!(&code[24..], &[DLE, b'\r']);
    let d = codec::decode(&code[..25]).unwrap();
    assert_eq!(d.nanos(), 25_007_000);
    assert_eq!(
        (d.year, d.day, d.hour, d.minute, d.second),
        (24, 256, 13, 45, 59)
    );
    // Anything before the DLE is skipped, as ntpd's scan does.
    let mut shifted = vec![0x00, 0x7f];
    shifted.extend_from_slice(&code[..25]);
    assert_eq!(codec::decode(&shifted), Ok(d));
}

/// At 10:10:10 on day 110 of 2010 every field is DLE: each is doubled
/// and read once.
#[test]
fn doubled_dle() {
    let all_tens = t(10, 110, 10, 10, 10);
    let code = codec::encode(&all_tens);
    assert_eq!(code.len(), 26);
    assert_eq!(
        &code[..14],
        &[DLE, b'D', DLE, DLE, 0x01, DLE, DLE, DLE, DLE, DLE, DLE, DLE, DLE, 0x00]
    );
    assert_eq!(codec::decode(&code[..25]), Ok(all_tens));
    for hms in [(10, 10, 0), (11, 10, 5), (10, 59, 10), (23, 59, 59)] {
        let x = t(24, 10, hms.0, hms.1, hms.2);
        assert_eq!(codec::decode(&codec::encode(&x)[..25]), Ok(x));
    }
}

#[test]
fn errors() {
    let code = codec::encode(&t(24, 1, 0, 0, 0));
    assert_eq!(
        codec::decode(&code[..22]),
        Err(FgError::Short { found: 22 })
    );
    assert_eq!(codec::decode(&[0u8; 25]), Err(FgError::NoStart));
    let mut cut = vec![0u8; 20];
    cut.extend_from_slice(&code[..6]);
    assert!(matches!(
        codec::decode(&cut),
        Err(FgError::Truncated { .. })
    ));
    let mut bad = code.clone();
    bad[7] = 0x6a;
    assert_eq!(
        codec::decode(&bad[..25]),
        Err(FgError::Bcd {
            field: "second",
            found: 0x6a
        })
    );
    assert_eq!(FgError::NoStart.event(), ClockEvent::BadReply);
    // Year 94 comes first, whatever else is wrong.
    let mut p = codec::encode(&t(94, 1, 0, 0, 0));
    p[7] = 0xaa;
    assert_eq!(codec::decode(&p[..25]), Err(FgError::PowerUp));
}

fn samples(actions: &[Action]) -> Vec<refclock_core::Sample> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Sample(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn started() -> Clock<FgDriver> {
    let mut c = Clock::<FgDriver>::start(DriverConfig::default()).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    let a = c.take_actions();
    assert!(a
        .iter()
        .any(|a| matches!(a, Action::Write { data, .. } if data == &INIT)));
    c
}

#[test]
fn first_reply_discarded_then_a_sample_per_reply() {
    let mut c = started();
    let at = ts(2024, 9, 12, 10, 10, 10);
    let rec = Timestamp::new(at.secs(), 27_000_000);
    let mut init_ack = vec![DLE, b'H'];
    init_ack.resize(24, 0);
    init_ack.extend_from_slice(&[DLE, b'\r']);
    c.receive(PortId::MAIN, &init_ack, rec);
    assert!(!c.driver().discards_next());
    c.poll(rec);
    assert!(c
        .take_actions()
        .iter()
        .any(|a| matches!(a, Action::Write { data, .. } if data == &QUERY)));
    let code = codec::encode(&t(24, 256, 10, 10, 10));
    // Split anywhere: one reply, one sample.
    c.receive(PortId::MAIN, &code[..9], rec);
    c.receive(PortId::MAIN, &code[9..], rec);
    let a = c.take_actions();
    let s = samples(&a);
    assert_eq!(s.len(), 1, "{a:?}");
    assert!((s[0].offset + 0.027).abs() < 1e-9, "{s:?}");
    assert_eq!(s[0].leap, Leap::NoWarning);
    assert!(a.iter().any(|a| matches!(a, Action::Filtered(_))));
    assert_eq!(c.state().timecode(), "2024 256 10 10 10");
    c.poll(rec);
    assert!(c
        .take_actions()
        .iter()
        .any(|a| matches!(a, Action::ClockStats(s) if s == "2024 256 10 10 10")));
}

#[test]
fn power_up_year_reinitialises() {
    let mut c = started();
    let rec = ts(2024, 9, 12, 10, 0, 0);
    c.receive(PortId::MAIN, &codec::encode(&t(24, 1, 0, 0, 0)), rec);
    c.take_actions();
    c.receive(PortId::MAIN, &codec::encode(&t(94, 1, 0, 0, 0)), rec);
    let a = c.take_actions();
    assert!(samples(&a).is_empty());
    assert!(a
        .iter()
        .any(|a| matches!(a, Action::Write { data, .. } if data == &INIT)));
    assert_eq!(c.state().counters.badformat, 1);
    assert!(c.driver().discards_next());
}

#[test]
fn bad_replies_are_counted() {
    let mut c = started();
    let rec = ts(2024, 9, 12, 10, 0, 0);
    c.receive(PortId::MAIN, b"discarded\r", rec);
    let mut bad = codec::encode(&t(24, 256, 10, 0, 0));
    bad[6] = 0xfa;
    c.receive(PortId::MAIN, b"short\r", rec);
    c.receive(PortId::MAIN, &bad, rec);
    c.receive(PortId::MAIN, &codec::encode(&t(24, 400, 10, 0, 0)), rec);
    let a = c.take_actions();
    assert!(samples(&a).is_empty());
    assert_eq!(c.state().counters.badformat, 2);
    assert_eq!(c.state().counters.baddata, 1);
}

#[cfg(feature = "sim")]
#[test]
fn the_simulated_station_answers() {
    use refclock_core::sim::{DeviceSetup, Due, Epoch, Timeline};
    struct Plain;
    impl Timeline for Plain {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }
    let mut dev = device::new(&DeviceSetup::new(0, &[])).unwrap();
    let now = Timestamp::new(ts(2010, 4, 20, 10, 10, 9).secs(), 300_000_000);
    let mut out = Vec::new();
    dev.input(&QUERY[..1], now, &Plain, &mut out);
    dev.input(&QUERY[1..], now, &Plain, &mut out);
    dev.input(&INIT, now, &Plain, &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].due, Due::At(ts(2010, 4, 20, 10, 10, 10)));
    let d = codec::decode(&out[0].bytes[..25]).unwrap();
    assert_eq!(
        (d.year, d.day, d.hour, d.minute, d.second),
        (10, 110, 10, 10, 10)
    );
    let mut m = out[0].clone();
    assert!(dev.corrupt(&mut m));
    assert!(matches!(
        codec::decode(&m.bytes[..25]),
        Err(FgError::Bcd {
            field: "second",
            ..
        })
    ));
}
