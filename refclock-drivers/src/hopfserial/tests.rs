//! The hopf telegram on libparse's example, the zone bits, and the
//! driver on scripted input.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortId, Refclock, Timestamp,
};

use super::codec::{self, HopfError, HopfTime};
use super::*;

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

/// libparse's `clk_hopf6021.c`: Thursday 23.11.95 11:00:46 MEZ.
const LIBPARSE: &[u8] = b"C4110046231195";

#[test]
fn the_libparse_example() {
    let t = codec::decode(LIBPARSE).unwrap();
    assert_eq!(
        t,
        HopfTime {
            status: 0xC,
            weekday: 4,
            hour: 11,
            minute: 0,
            second: 46,
            day: 23,
            month: 11,
            year: 95,
        }
    );
    assert_eq!(t.mode(), codec::MODE_RADIO_HP);
    assert_eq!(t.zone_hours(), 1);
    assert_eq!(codec::encode_line(&t), LIBPARSE);
    assert_eq!(codec::encode(&t), b"\x02C4110046231195\n\r\x03".to_vec());
}

#[test]
fn zones() {
    let t = codec::decode(LIBPARSE).unwrap();
    let summer = HopfTime { status: 0xE, ..t };
    let utc = HopfTime {
        weekday: 0xC,
        ..summer
    };
    assert_eq!((summer.zone_hours(), utc.zone_hours()), (2, 0));
}

#[test]
fn errors() {
    assert_eq!(
        codec::decode(b"C41100462311"),
        Err(HopfError::Length { found: 12 })
    );
    for (line, field) in [
        (&b"G4110046231195"[..], "status"),
        (b"C4 10046231195", "hour"),
        (b"C4110046231395", "month"),
        (b"C4110061231195", "second"),
        (b"C4110046300295", "day"),
    ] {
        let e = codec::decode(line).unwrap_err();
        let f = match &e {
            HopfError::Field { field, .. } | HopfError::OutOfRange { field, .. } => *field,
            _ => "",
        };
        assert_eq!(f, field, "{e}");
        assert_eq!(e.event(), ClockEvent::BadReply);
    }
}

fn clock(flags: ClockFlags) -> Clock<HopfSerialDriver> {
    Clock::<HopfSerialDriver>::start(DriverConfig {
        fudge: Fudge {
            flags,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap()
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

/// The libparse example read 2 ms before 10:00:46 UTC: +2 ms; ntpd's
/// driver would take it as 11:00:46 UTC.
#[test]
fn a_sample_per_poll_in_utc() {
    let mut c = clock(ClockFlags::empty());
    let rec = Timestamp::new(ts(1995, 11, 23, 10, 0, 45).secs(), 998_000_000);
    let mut stream = b"\x03\x02".to_vec();
    stream.extend_from_slice(LIBPARSE);
    stream.extend_from_slice(b"\n\r");
    c.receive(PortId::MAIN, &stream, rec);
    assert!(samples(&c.take_actions()).is_empty(), "no poll yet");
    c.poll(rec);
    c.receive(PortId::MAIN, &stream, rec);
    c.receive(PortId::MAIN, &stream, rec);
    let a = c.take_actions();
    let s = samples(&a);
    assert_eq!(s.len(), 1);
    assert!((s[0].offset - 0.002).abs() < 1e-9, "{s:?}");
    assert_eq!(s[0].leap, Leap::NoWarning);
    assert!(a
        .iter()
        .any(|a| matches!(a, Action::ClockStats(l) if l == "C4110046231195")));
}

#[test]
fn modes() {
    let rec = ts(2024, 1, 1, 0, 0, 0);
    let run = |flags, status: u8| {
        let mut c = clock(flags);
        c.poll(rec);
        let t = HopfTime {
            status,
            weekday: 0x9,
            hour: 0,
            minute: 0,
            second: 0,
            day: 1,
            month: 1,
            year: 24,
        };
        let mut l = codec::encode(&t);
        l.extend_from_slice(b"\x02");
        c.receive(PortId::MAIN, &l, rec);
        (samples(&c.take_actions()).len(), c.state().leap)
    };
    assert_eq!(run(ClockFlags::empty(), 0x8), (1, Leap::NoWarning));
    assert_eq!(run(ClockFlags::empty(), 0xC), (1, Leap::NoWarning));
    assert_eq!(run(ClockFlags::empty(), 0x4), (0, Leap::NotInSync));
    assert_eq!(run(ClockFlags::FLAG1, 0x4), (1, Leap::NoWarning));
    assert_eq!(run(ClockFlags::FLAG1, 0x0), (0, Leap::NotInSync));
}

#[test]
fn local_time_across_new_year() {
    // 00:30 MEZ on 1 January is 23:30 UTC on 31 December.
    let mut c = clock(ClockFlags::empty());
    let rec = ts(2023, 12, 31, 23, 30, 0);
    c.poll(rec);
    c.receive(PortId::MAIN, b"\x02C1003000010124\n\r", rec);
    let s = samples(&c.take_actions());
    assert_eq!(s.len(), 1);
    assert!(s[0].offset.abs() < 1e-9, "{s:?}");
}

#[test]
fn bad_lines_are_counted() {
    let mut c = clock(ClockFlags::empty());
    let rec = ts(2024, 1, 1, 0, 0, 0);
    for l in [&b"\x02C41100\n"[..], b"\x02C4110046231395\n"] {
        c.poll(rec);
        c.receive(PortId::MAIN, l, rec);
    }
    assert!(samples(&c.take_actions()).is_empty());
    assert_eq!(c.state().counters.badformat, 2);
}

#[cfg(feature = "sim")]
#[test]
fn the_simulated_clock() {
    use refclock_core::sim::{DeviceSetup, Epoch};
    for zone in ["utc", "local"] {
        let mut dev = device::new(&DeviceSetup::new(0, &[("zone", zone)])).unwrap();
        for secs in [
            ts(2024, 1, 15, 12, 45, 30).secs(),
            ts(2024, 7, 1, 0, 30, 0).secs(),
            ts(2024, 12, 31, 23, 30, 0).secs(),
        ] {
            let mut out = Vec::new();
            dev.second(&Epoch::at(secs), &mut out);
            let m = &out[0];
            assert_eq!(m.bytes[m.on_time], 0x03);
            assert_eq!(m.bytes[m.end], b'\n');
            let mut c = clock(ClockFlags::empty());
            let rec = Timestamp::from_secs(secs);
            c.poll(rec);
            c.receive(PortId::MAIN, &m.bytes, rec);
            let s = samples(&c.take_actions());
            assert_eq!(s.len(), 1, "{zone} {}", m.text());
            assert!(s[0].offset.abs() < 1e-9, "{zone} {s:?}");
        }
    }
    assert!(device::new(&DeviceSetup::new(0, &[("zone", "mars")])).is_err());
}
