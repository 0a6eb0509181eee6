//! Tests of the Austron codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Timestamp,
};

use super::codec::{self, Toc, TocError, POLL, STAT_COMMANDS};
use super::*;
use crate::testkit::Outcome;

const TOC: &[u8] = b"91:216:15:36:43.640\r";

fn named() -> Timestamp {
    let mut c = CivilTime::new(1991, 8, 4, 15, 36, 43);
    c.nanos = 640_000_000;
    c.to_timestamp().unwrap()
}

fn at(t: Timestamp, ns: i128) -> Timestamp {
    Timestamp::from_nanos(t.as_nanos() + ns)
}

fn clock_with(flags: ClockFlags) -> Clock<As2201Driver> {
    let mut c = Clock::<As2201Driver>::start(DriverConfig {
        fudge: Fudge {
            flags,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c
}

fn clock() -> Clock<As2201Driver> {
    clock_with(ClockFlags::empty())
}

#[test]
fn decodes_and_encodes() {
    let t = codec::decode(&TOC[..19]).unwrap();
    assert_eq!(
        t,
        Toc {
            year: 91,
            yday: 216,
            hour: 15,
            minute: 36,
            second: 43,
            millis: 640
        }
    );
    assert_eq!(codec::encode(&t), TOC);
    assert_eq!(
        codec::decode(b"91:216:15:36"),
        Err(TocError::Short { found: 12 })
    );
    assert!(matches!(
        codec::decode(b"91;216:15:36:43.640"),
        Err(TocError::Layout { .. })
    ));
    assert!(matches!(
        codec::decode(b"91:367:15:36:43.640"),
        Err(TocError::Range {
            field: "day of year",
            ..
        })
    ));
    assert!(matches!(
        codec::decode(b"91:216:15:36:61.640"),
        Err(TocError::Range {
            field: "second",
            ..
        })
    ));
}

#[test]
fn round_trips() {
    for yday in [1u16, 59, 60, 365, 366] {
        for (h, m, s) in [(0, 0, 0), (23, 59, 60), (12, 30, 7)] {
            let t = Toc {
                year: 24,
                yday,
                hour: h,
                minute: m,
                second: s,
                millis: 999,
            };
            assert_eq!(codec::decode(&codec::encode(&t)[..19]), Ok(t));
        }
    }
}

#[test]
fn the_poll_time_stamps_the_answer() {
    let mut c = clock();
    let polled = at(named(), -1_000_000);
    c.poll(polled);
    let out = Outcome::of(c.take_actions());
    assert_eq!(out.writes, vec![(PortId::MAIN, POLL.to_vec())]);
    assert_eq!(out.events, vec![ClockEvent::Timeout]);
    c.receive(PortId::MAIN, TOC, at(named(), 30_000_000));
    let out = Outcome::of(c.take_actions());
    assert_eq!(out.samples.len(), 1);
    assert_eq!(out.samples[0].time, polled);
    assert!((out.samples[0].offset - 0.001).abs() < 1e-9);
    assert_eq!(out.samples[0].leap, Leap::NoWarning);
    // A second answer to the same poll gives no sample (ntpd's would be
    // off by the time between them).
    c.receive(PortId::MAIN, TOC, at(named(), 1_030_000_000));
    let out = Outcome::of(c.take_actions());
    assert!(out.samples.is_empty());
    assert_eq!(out.events, vec![ClockEvent::BadTime]);
    c.poll(at(named(), 64_000_000_000));
    let out = Outcome::of(c.take_actions());
    assert_eq!(out.filtered.len(), 1);
    assert_eq!(c.state().counters.polls, 2);
}

#[test]
fn flag2_stamps_with_the_line() {
    let mut c = clock_with(ClockFlags::FLAG2);
    c.receive(PortId::MAIN, TOC, at(named(), 30_000_000));
    let out = Outcome::of(c.take_actions());
    assert_eq!(out.samples.len(), 1);
    assert!((out.samples[0].offset + 0.030).abs() < 1e-9);
}

#[test]
fn flag4_asks_for_statistics_and_logs_them() {
    let mut c = clock_with(ClockFlags::FLAG4);
    c.poll(named());
    c.take_actions();
    c.receive(PortId::MAIN, TOC, named());
    let out = Outcome::of(c.take_actions());
    assert_eq!(out.writes, vec![(PortId::MAIN, b"ITF\r".to_vec())]);
    assert_eq!(c.driver().next_command(), STAT_COMMANDS[1]);
    c.receive(PortId::MAIN, b"2\rITF line one\rITF line two\r", named());
    assert_eq!(c.driver().lines_expected(), 0);
    c.poll(at(named(), 1_000_000_000));
    c.take_actions();
    c.receive(PortId::MAIN, TOC, at(named(), 1_000_000_000));
    let out = Outcome::of(c.take_actions());
    assert_eq!(
        out.clockstats,
        vec!["91:216:15:36:43.640 ITF ITF line one ITF line two".to_string()]
    );
    assert_eq!(out.writes, vec![(PortId::MAIN, b"ETF\r".to_vec())]);
}

#[test]
fn garbage_is_counted_never_a_sample() {
    let mut c = clock();
    for bad in [
        b"91:216:15:3x:43.640\r".as_slice(),
        b"hello world, this is long\r",
        b"91:216\r",
    ] {
        c.poll(named());
        c.take_actions();
        c.receive(PortId::MAIN, bad, named());
        let out = Outcome::of(c.take_actions());
        assert!(out.samples.is_empty());
    }
    assert_eq!(c.state().counters.badformat, 3);
}

#[test]
fn one_read_or_many() {
    for split in 0..TOC.len() {
        let mut c = clock();
        c.poll(named());
        c.receive(PortId::MAIN, &TOC[..split], named());
        c.receive(PortId::MAIN, &TOC[split..], named());
        let out = Outcome::of(c.take_actions());
        assert_eq!(out.samples.len(), 1, "split at {split}");
    }
}

#[cfg(feature = "sim")]
mod sim {
    use refclock_core::sim::{DeviceSetup, Epoch, Message, Timeline};

    use super::*;

    struct Plain;
    impl Timeline for Plain {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }

    #[test]
    fn the_device_answers_toc_with_the_capture_time() {
        let mut d = device::new(&DeviceSetup::new(0, &[])).unwrap();
        let mut out: Vec<Message> = Vec::new();
        d.input(POLL, named(), &Plain, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].bytes, TOC);
        assert_eq!(out[0].named, Some(named()));
        out.clear();
        d.input(b"ITF\r", named(), &Plain, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].bytes, b"1\r");
        assert!(device::new(&DeviceSetup::new(0, &[("x", "1")])).is_err());
    }
}
