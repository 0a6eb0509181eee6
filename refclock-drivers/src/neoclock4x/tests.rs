//! The NeoClock4X codec on built timecodes, the firmware dialogue, the
//! power lines, and the driver on scripted input.

use refclock_core::calendar::CivilTime;
use refclock_core::port::CloseReason;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Timestamp,
};

use super::codec::{self, firmware_tag, FirmwareReader, NeoError, NeoTime};
use super::*;

/// The simulated device's answer to `V`.
const FIRMWARE: &[u8] = b"\xa9 2002 NEOL S.A. FRANCE\r\nL0.01 NDF:A:*\r\nS/N: 004711\r\n";

/// 2024-01-15 13:45:30.50 CET, radio time, quartz set.
fn winter() -> NeoTime {
    NeoTime {
        head: *b"NC4",
        serial: *b"004711",
        radio: *b"100",
        day: 15,
        month: 1,
        year: 24,
        hour: 13,
        minute: 45,
        second: 30,
        hundredths: 50,
        weekday: 1,
        source: b'A',
        dst: b'W',
        quartz: b'I',
        antenna1: 0x3f,
        antenna2: 0x40,
    }
}

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

#[test]
fn layout_and_checksum() {
    let code = codec::encode(&winter());
    assert_eq!(code.len(), codec::LEN);
    assert_eq!(&code[..35], b"NC40047111001501241345305001AWI3F40");
    let sum: u32 = code[..35].iter().map(|&b| u32::from(b)).sum();
    assert_eq!(
        std::str::from_utf8(&code[35..]).unwrap(),
        format!("{:02X}", sum % 256)
    );
    assert_eq!(codec::decode(&code), Ok(winter()));
    // Lower-case hex is read as ntpd reads it.
    let mut lower = code.clone();
    lower[35..].make_ascii_lowercase();
    let t2 = codec::decode(&lower).unwrap();
    assert_eq!((t2.antenna1, t2.antenna2), (0x3f, 0x40));
}

#[test]
fn local_time_to_utc() {
    let t = winter();
    assert_eq!(
        t.utc(2024),
        Some(Timestamp::new(
            ts(2024, 1, 15, 12, 45, 30).secs(),
            500_000_000
        ))
    );
    let summer = NeoTime {
        month: 7,
        dst: b'S',
        ..winter()
    };
    assert_eq!(
        summer.utc(2024).map(|t| t.secs()),
        Some(ts(2024, 7, 15, 11, 45, 30).secs())
    );
    // Just after local midnight on New Year: the previous year in UTC.
    let ny = NeoTime {
        day: 1,
        hour: 0,
        minute: 30,
        second: 0,
        hundredths: 0,
        ..winter()
    };
    assert_eq!(ny.utc(2024), Some(ts(2023, 12, 31, 23, 30, 0)));
}

#[test]
fn errors() {
    let good = codec::encode(&winter());
    assert_eq!(
        codec::decode(&good[..36]),
        Err(NeoError::Length { found: 36 })
    );
    let mut bad = good.clone();
    bad[20] = b'9';
    assert!(matches!(
        codec::decode(&bad),
        Err(NeoError::Checksum { .. })
    ));
    assert_eq!(
        codec::decode(&bad).unwrap_err().event(),
        ClockEvent::BadReply
    );
    for (at, field) in [(12, "day"), (18, "hour"), (24, "hundredths")] {
        let mut b = good[..35].to_vec();
        b[at] = b'x';
        let s = codec::checksum(&b);
        b.extend_from_slice(format!("{s:02X}").as_bytes());
        let e = codec::decode(&b).unwrap_err();
        assert!(
            matches!(e, NeoError::Field { field: f, .. } if f == field),
            "{e}"
        );
        assert_eq!(e.event(), ClockEvent::BadDate);
    }
    for t in [
        NeoTime {
            hour: 24,
            ..winter()
        },
        NeoTime {
            month: 2,
            day: 30,
            ..winter()
        },
        NeoTime {
            month: 13,
            ..winter()
        },
    ] {
        let e = codec::decode(&codec::encode(&t)).unwrap_err();
        assert!(matches!(e, NeoError::OutOfRange { .. }), "{e}");
    }
}

#[test]
fn firmware_answer() {
    let mut r = FirmwareReader::new();
    assert!(!r.feed(b"junk 12\r\n"));
    assert!(!r.feed(b"\xa9 2002 NEOL S.A. FRANCE\r\nL0.01 NDF:A:*\r\n"));
    assert!(r.feed(b"S/N: 004711\r\n"));
    assert_eq!(
        r.result(),
        Some("(c) 2002 NEOL S.A. FRANCE / L0.01 NDF:A:*")
    );
    assert_eq!(firmware_tag(r.result().unwrap()), Some('A'));
    assert_eq!(firmware_tag("(c) 2002 NEOL / NDF:B:*"), Some('B'));
    assert_eq!(firmware_tag("NDF:A:*"), None, "too early in the text");
    assert_eq!(firmware_tag("(c) 2002 NDF:A:x"), None);
    let mut g = FirmwareReader::new();
    g.feed(&[b'x'; 600]);
    assert!(g.garbage());
}

fn config(flags: ClockFlags, options: &[&str]) -> DriverConfig {
    DriverConfig {
        fudge: Fudge {
            flags,
            ..Fudge::default()
        },
        options: options.iter().map(|o| (o.to_string(), None)).collect(),
        ..DriverConfig::default()
    }
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

fn writes(actions: &[Action]) -> Vec<Vec<u8>> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Write { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

/// Opens the port and runs the dialogue to its end at `t0` + 4 s.
fn running(flags: ClockFlags) -> Clock<Neoclock4xDriver> {
    let mut c = Clock::<Neoclock4xDriver>::start(config(flags, &[])).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    let a = c.take_actions();
    assert!(a.iter().any(|a| matches!(
        a,
        Action::ModemLines {
            dtr: Some(true),
            rts: Some(true),
            ..
        }
    )));
    let t0 = ts(2024, 1, 15, 12, 0, 0).secs();
    for k in 1..FIRST_QUERY_DELAY as i64 {
        c.timer(Timestamp::from_secs(t0 + k));
        assert!(writes(&c.take_actions()).is_empty());
    }
    c.timer(Timestamp::from_secs(t0 + 4));
    assert_eq!(writes(&c.take_actions()), vec![b"V".to_vec()]);
    c.receive(PortId::MAIN, FIRMWARE, Timestamp::from_secs(t0 + 4));
    assert_eq!(c.driver().phase(), &Phase::Running);
    c
}

#[test]
fn one_sample_per_poll_from_the_first_line() {
    let mut c = running(ClockFlags::empty());
    c.take_actions();
    let mut line = codec::encode(&winter());
    line.extend_from_slice(b"\r\n");
    let rec = Timestamp::new(ts(2024, 1, 15, 12, 45, 30).secs(), 700_000_000);
    // Before any poll: not read.
    c.receive(PortId::MAIN, &line, rec);
    assert!(samples(&c.take_actions()).is_empty());
    c.poll(rec);
    c.receive(PortId::MAIN, &line, rec);
    c.receive(PortId::MAIN, &line, rec);
    let a = c.take_actions();
    let s = samples(&a);
    assert_eq!(s.len(), 1);
    assert!((s[0].offset - (-0.2 + DEFAULT_TIME1)).abs() < 1e-9, "{s:?}");
    assert_eq!(s[0].leap, Leap::NoWarning);
    assert!(a.iter().any(|a| matches!(a, Action::Filtered(_))));
    assert!(a.iter().any(|a| matches!(a, Action::ClockStats(_))));
}

#[test]
fn quartz_and_status_flags() {
    let rec = Timestamp::from_secs(ts(2024, 1, 15, 12, 45, 31).secs());
    let run = |flags, t: NeoTime| {
        let mut c = running(flags);
        c.take_actions();
        c.poll(rec);
        let mut line = codec::encode(&t);
        line.push(b'\r');
        c.receive(PortId::MAIN, &line, rec);
        (samples(&c.take_actions()).len(), c.state().leap)
    };
    let quartz = NeoTime {
        source: b'C',
        ..winter()
    };
    let never = NeoTime {
        quartz: b'X',
        ..quartz
    };
    assert_eq!(run(ClockFlags::empty(), quartz), (0, Leap::NotInSync));
    assert_eq!(run(ClockFlags::FLAG1, quartz), (1, Leap::NoWarning));
    assert_eq!(run(ClockFlags::FLAG1, never), (0, Leap::NotInSync));
    assert_eq!(run(ClockFlags::FLAG2, never), (1, Leap::NoWarning));
}

#[test]
fn bad_lines_are_counted() {
    let mut c = running(ClockFlags::empty());
    let rec = Timestamp::from_secs(ts(2024, 1, 15, 12, 45, 31).secs());
    let mut bad = codec::encode(&winter());
    bad[36] ^= 1;
    for line in [&b"short\r"[..], &bad] {
        c.poll(rec);
        let mut l = line.to_vec();
        l.push(b'\r');
        c.receive(PortId::MAIN, &l, rec);
    }
    assert!(samples(&c.take_actions()).is_empty());
    assert_eq!(c.state().counters.badformat, 2);
}

#[test]
fn power_lines_failing() {
    let failed = PortEvent::ModemLinesFailed("Inappropriate ioctl for device".into());
    let mut c = Clock::<Neoclock4xDriver>::start(config(ClockFlags::empty(), &[])).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.port_event(PortId::MAIN, failed.clone());
    let a = c.take_actions();
    assert!(a.iter().any(|a| matches!(a, Action::Close(PortId::MAIN))));
    assert_eq!(c.driver().phase(), &Phase::Refused);
    // It stays refused: a reopen does nothing, no query is written.
    c.port_event(PortId::MAIN, PortEvent::Closed(CloseReason::Requested));
    c.port_event(PortId::MAIN, PortEvent::Opened);
    for k in 0..20 {
        c.timer(Timestamp::from_secs(k));
    }
    assert!(writes(&c.take_actions()).is_empty());

    let mut c =
        Clock::<Neoclock4xDriver>::start(config(ClockFlags::empty(), &[IGNORE_MODEM_LINES]))
            .unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.port_event(PortId::MAIN, failed);
    assert!(matches!(c.driver().phase(), Phase::Waiting { .. }));
}

#[test]
fn five_tries_then_refusal() {
    let mut c = Clock::<Neoclock4xDriver>::start(config(ClockFlags::empty(), &[])).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    let mut vs = 0;
    for k in 0..100 {
        c.timer(Timestamp::from_secs(k));
        vs += writes(&c.take_actions()).len();
        // Timecodes without an answer do not count as one.
        c.receive(
            PortId::MAIN,
            b"NC4004711100150124134530\r\n",
            Timestamp::from_secs(k),
        );
    }
    assert_eq!(vs, TRIES as usize);
    assert_eq!(c.driver().phase(), &Phase::Refused);
}

#[test]
fn other_firmware_refused() {
    let mut c = Clock::<Neoclock4xDriver>::start(config(ClockFlags::empty(), &[])).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    for k in 0..=FIRST_QUERY_DELAY as i64 {
        c.timer(Timestamp::from_secs(k));
    }
    c.receive(
        PortId::MAIN,
        b"\xa9 2002 NEOL S.A. FRANCE\r\nL0.01 NDF:B:*\r\nS/N: 1\r\n",
        Timestamp::from_secs(5),
    );
    assert_eq!(c.driver().phase(), &Phase::Refused);
    assert_eq!(
        c.driver().firmware(),
        Some("(c) 2002 NEOL S.A. FRANCE / L0.01 NDF:B:*")
    );
}

#[test]
fn shutdown_lowers_the_lines() {
    let mut c = running(ClockFlags::empty());
    c.take_actions();
    c.shutdown();
    assert!(c.take_actions().iter().any(|a| matches!(
        a,
        Action::ModemLines {
            dtr: Some(false),
            rts: Some(false),
            ..
        }
    )));
}

#[cfg(feature = "sim")]
#[test]
fn the_simulated_device_decodes() {
    use refclock_core::sim::{DeviceSetup, Epoch};
    let mut dev = device::new(&DeviceSetup::new(0, &[])).unwrap();
    for secs in [
        ts(2024, 1, 15, 12, 45, 30).secs(),
        ts(2024, 3, 31, 0, 59, 59).secs(),
        ts(2024, 3, 31, 1, 0, 0).secs(),
        ts(2024, 10, 27, 0, 59, 59).secs(),
        ts(2024, 10, 27, 1, 0, 0).secs(),
        ts(2024, 12, 31, 23, 30, 0).secs(),
    ] {
        assert_eq!(super::device::FIRMWARE, FIRMWARE);
        let mut out = Vec::new();
        dev.second(&Epoch::at(secs), &mut out);
        let line = &out[0].bytes;
        let t = codec::decode(&line[..codec::LEN]).unwrap();
        let year = 2000 + i32::from(t.year);
        assert_eq!(t.utc(year), Some(Timestamp::from_secs(secs)), "{t:?}");
    }
    let summer = |s| device::cet_offset(s).1;
    assert!(!summer(ts(2024, 3, 31, 0, 59, 59).secs()));
    assert!(summer(ts(2024, 3, 31, 1, 0, 0).secs()));
    assert!(summer(ts(2024, 10, 27, 0, 59, 59).secs()));
    assert!(!summer(ts(2024, 10, 27, 1, 0, 0).secs()));
}
