//! Tests of the Arcron codec, driver and simulated device.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Timestamp,
};

use super::codec::{self, ArcError, ArcTime};
use super::*;
use crate::testkit::Outcome;

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn clock_with(mode: u32, flags: ClockFlags) -> Clock<ArcronDriver> {
    let mut c = Clock::<ArcronDriver>::start(DriverConfig {
        fudge: Fudge {
            mode,
            flags,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .expect("starts");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c
}

fn clock() -> Clock<ArcronDriver> {
    clock_with(0, ClockFlags::empty())
}

fn at(t: Timestamp, ns: i128) -> Timestamp {
    Timestamp::from_nanos(t.as_nanos() + ns)
}

/// The timecode of `t` as the clock sends it, with BST/UTC byte `flags`
/// and status `status`.
fn code(t: Timestamp, flags: u8, status: u8) -> Vec<u8> {
    let c = CivilTime::from_timestamp(t);
    codec::encode(&ArcTime {
        hour: c.hour,
        minute: c.minute,
        second: c.second,
        weekday: 1,
        day: c.day,
        month: c.month,
        year: (c.year % 100) as u8,
        flags,
        status,
    })
}

/// Echo of `o\r` before `second`, then the timecode one character a read
/// at line speed from `second`; the actions.
fn answer(c: &mut Clock<ArcronDriver>, second: Timestamp, bytes: &[u8]) -> Outcome {
    c.receive(PortId::MAIN, b"o", at(second, -3_000_000_000));
    c.receive(PortId::MAIN, b"\r", at(second, -1_000_000_000));
    for (i, b) in bytes.iter().enumerate() {
        c.receive(PortId::MAIN, &[*b], at(second, char_offset_ns(i + 1)));
    }
    Outcome::of(c.take_actions())
}

const T0: (i32, u8, u8, u8, u8, u8) = (1991, 8, 4, 15, 36, 43);

fn t0() -> Timestamp {
    let (y, mo, d, h, mi, s) = T0;
    ts(y, mo, d, h, mi, s)
}

#[test]
fn decodes_a_timecode() {
    let t = codec::decode(b"153643704089143").unwrap();
    assert_eq!(
        t,
        ArcTime {
            hour: 15,
            minute: 36,
            second: 43,
            weekday: 7,
            day: 4,
            month: 8,
            year: 91,
            flags: b'4',
            status: b'3',
        }
    );
    assert_eq!(codec::encode(&t), b"153643704089143\r");
}

#[test]
fn refuses_bad_fields() {
    assert_eq!(
        codec::decode(b"1536437"),
        Err(ArcError::Length { found: 7 })
    );
    assert!(matches!(
        codec::decode(b"15x643704089143"),
        Err(ArcError::Digits {
            field: "minute",
            ..
        })
    ));
    assert!(matches!(
        codec::decode(b"246643704089143"),
        Err(ArcError::Range { field: "hour", .. })
    ));
    assert!(matches!(
        codec::decode(b"153643804089143"),
        Err(ArcError::Range {
            field: "day of week",
            ..
        })
    ));
    assert!(matches!(
        codec::decode(b"153643704139143"),
        Err(ArcError::Range { field: "month", .. })
    ));
}

#[test]
fn round_trips_over_many_dates() {
    let mut t = ts(1998, 1, 1, 0, 0, 0).secs();
    while t < ts(2047, 12, 31, 0, 0, 0).secs() {
        let bytes = code(Timestamp::from_secs(t), 4, 3);
        let d = codec::decode(&bytes).unwrap();
        assert_eq!(codec::encode(&d), bytes);
        t += 86_400 * 37 + 3_607;
    }
}

#[test]
fn char_offsets_are_ntpds() {
    // ntpd's table: 0x962fc963 / 2^32 s for 16 characters, less half a bit.
    let c16 = (0x962f_c963u64 as f64 - 0x0DA_740Eu64 as f64 / 2.0) / 4_294_967_296.0;
    assert!((char_offset_ns(16) as f64 * 1e-9 - c16).abs() < 1e-6);
    assert_eq!(char_offset_ns(0), 0);
}

#[test]
fn the_timecode_gives_a_sample_on_time() {
    let mut c = clock();
    c.poll(at(t0(), -5_000_000_000));
    c.take_actions();
    let out = answer(&mut c, t0(), &code(t0(), 4, 3));
    assert_eq!(out.samples.len(), 1, "{:?}", out.events);
    assert!(out.samples[0].offset.abs() < 1e-6);
    assert_eq!(out.samples[0].leap, Leap::NoWarning);
    assert_eq!(out.samples[0].time, t0());
    assert_eq!(out.filtered.len(), 1);
    assert_eq!(out.clockstats, vec!["o1536431040891436".to_string()]);
}

#[test]
fn one_read_or_many_give_the_same_sample() {
    let bytes = code(t0(), 4, 3);
    let mut c = clock();
    c.receive(PortId::MAIN, b"o", at(t0(), -3_000_000_000));
    c.receive(PortId::MAIN, b"\r", at(t0(), -1_000_000_000));
    c.receive(PortId::MAIN, &bytes, at(t0(), char_offset_ns(16)));
    let one = Outcome::of(c.take_actions());
    assert_eq!(one.samples.len(), 1);
    assert!(one.samples[0].offset.abs() < 1e-6);
    for split in 1..bytes.len() {
        let mut c = clock();
        c.receive(PortId::MAIN, b"o", at(t0(), -3_000_000_000));
        c.receive(PortId::MAIN, b"\r", at(t0(), -1_000_000_000));
        c.receive(
            PortId::MAIN,
            &bytes[..split],
            at(t0(), char_offset_ns(split)),
        );
        c.receive(
            PortId::MAIN,
            &bytes[split..],
            at(t0(), char_offset_ns(16) + 5_000_000),
        );
        let out = Outcome::of(c.take_actions());
        assert_eq!(out.samples.len(), 1, "split at {split}");
        assert!(out.samples[0].offset.abs() < 1e-6, "split at {split}");
    }
}

#[test]
fn every_poll_gives_a_sample() {
    // ntpd's driver gives one every other poll (see the module doc).
    let mut c = clock();
    for k in 0..4 {
        let t = at(t0(), k * 64_000_000_000);
        let out = answer(&mut c, t, &code(t, 4, 3));
        assert_eq!(out.samples.len(), 1, "poll {k}");
    }
}

#[test]
fn polls_queue_o_cr_sent_every_two_seconds() {
    let mut c = clock();
    let t = t0();
    c.timer(t);
    c.poll(t);
    let mut writes = Vec::new();
    for s in 1..=6 {
        c.timer(at(t, s * 1_000_000_000));
        writes.extend(Outcome::of(c.take_actions()).writes);
    }
    let bytes: Vec<Vec<u8>> = writes.into_iter().map(|(_, b)| b).collect();
    assert_eq!(bytes, vec![b"o".to_vec(), b"\r".to_vec()]);
    assert_eq!(c.state().counters.polls, 1);
}

#[test]
fn not_in_sync_gives_no_sample() {
    let mut c = clock();
    let out = answer(&mut c, t0(), &code(t0(), 4, 5));
    assert!(out.samples.is_empty());
    assert_eq!(out.events, vec![ClockEvent::Fault]);
    assert_eq!(c.state().leap, Leap::NotInSync);
    // Still not in sync: ntpd would take this one; we do not.
    let t = at(t0(), 64_000_000_000);
    let out = answer(&mut c, t, &code(t, 4, 5));
    assert!(out.samples.is_empty());
    let t = at(t0(), 128_000_000_000);
    let out = answer(&mut c, t, &code(t, 4, 3));
    assert_eq!(out.samples.len(), 1);
    assert_eq!(c.state().leap, Leap::NoWarning);
}

#[test]
fn mode_0_takes_bst_off_and_checks_the_zone_bits() {
    let mut c = clock();
    let local = at(t0(), 3_600_000_000_000);
    let out = answer(&mut c, t0(), &code(local, 2, 3));
    assert_eq!(out.samples.len(), 1);
    assert!(out.samples[0].offset.abs() < 1e-6);
    let out = answer(&mut c, t0(), &code(t0(), 6, 3));
    assert!(out.samples.is_empty());
    assert_eq!(out.events, vec![ClockEvent::BadReply]);
}

#[test]
fn mode_2_with_flag1_is_central_european_time() {
    let mut c = clock_with(2, ClockFlags::FLAG1);
    assert_eq!(c.state().fudge.refid, Some(*b"DCF\0"));
    let summer = at(t0(), 7_200_000_000_000);
    let out = answer(&mut c, t0(), &code(summer, 2, 3));
    assert!(out.samples[0].offset.abs() < 1e-6);
    let winter = at(t0(), 3_600_000_000_000);
    let out = answer(&mut c, t0(), &code(winter, 4, 3));
    assert!(out.samples[0].offset.abs() < 1e-6);
    // Without flag1 the clock states UTC; the zone bits are not checked.
    let mut c = clock_with(2, ClockFlags::empty());
    let out = answer(&mut c, t0(), &code(t0(), 6, 3));
    assert!(out.samples[0].offset.abs() < 1e-6);
}

#[test]
fn bad_modes_are_refused() {
    for (mode, flags) in [(4, ClockFlags::empty()), (3, ClockFlags::FLAG1)] {
        let r = Clock::<ArcronDriver>::start(DriverConfig {
            fudge: Fudge {
                mode,
                flags,
                ..Fudge::default()
            },
            ..DriverConfig::default()
        });
        assert!(r.is_err(), "mode {mode}");
    }
}

#[test]
fn garbage_is_counted_never_a_sample() {
    let mut c = clock();
    c.receive(PortId::MAIN, b"12345zz\r", t0());
    let mut bad = code(t0(), 4, 3);
    bad[3] = b'?';
    let out = answer(&mut c, t0(), &bad);
    assert!(out.samples.is_empty());
    assert!(c.state().counters.badformat >= 2);
    // A timecode without its echoed command.
    c.receive(PortId::MAIN, &code(t0(), 4, 3), t0());
    assert!(Outcome::of(c.take_actions()).samples.is_empty());
    // Too much in one read.
    c.receive(PortId::MAIN, b"o", t0());
    let mut long = code(t0(), 4, 3);
    long.extend_from_slice(b"12");
    c.receive(PortId::MAIN, &long, t0());
    assert!(Outcome::of(c.take_actions()).samples.is_empty());
}

#[test]
fn a_resync_asks_for_quality_and_a_poor_one_stops_the_polls() {
    let mut c = clock();
    let t = t0();
    c.timer(t);
    let due = c.driver().next_resync().unwrap();
    assert_eq!(due, t.secs() + INITIAL_RESYNC_DELAY);
    c.poll(Timestamp::from_secs(due));
    assert!(c.driver().resyncing());
    assert_eq!(c.driver().queued(), b"h\ro\r".to_vec());
    c.take_actions();
    // Reads while resyncing with an empty queue ask for the quality.
    let mut c2 = clock();
    c2.timer(t);
    c2.poll(Timestamp::from_secs(due));
    for s in 1..=8 {
        c2.timer(Timestamp::from_secs(due + s));
    }
    c2.receive(PortId::MAIN, b"g", Timestamp::from_secs(due + 9));
    assert_eq!(c2.driver().queued(), b"g\r".to_vec());
    c2.receive(PortId::MAIN, b"\r", Timestamp::from_secs(due + 10));
    c2.receive(PortId::MAIN, b"31\r", Timestamp::from_secs(due + 11));
    c2.receive(PortId::MAIN, b"g", Timestamp::from_secs(due + 12));
    c2.receive(PortId::MAIN, b"21\r", Timestamp::from_secs(due + 13));
    assert!(!c2.driver().resyncing());
    assert_eq!(c2.driver().quality(), Some(1));
    c2.take_actions();
    c2.poll(Timestamp::from_secs(due + 64));
    let out = Outcome::of(c2.take_actions());
    assert_eq!(out.events, vec![ClockEvent::Fault]);
    assert_eq!(c2.driver().next_resync(), Some(due + 13 + RESYNC_RETRY));
}

#[test]
fn flag2_never_resyncs() {
    let mut c = clock_with(0, ClockFlags::FLAG2);
    c.timer(t0());
    c.poll(at(t0(), 10_000_000_000_000));
    assert!(!c.driver().resyncing());
    assert_eq!(c.driver().queued(), b"o\r".to_vec());
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
    fn the_device_echoes_and_answers_on_the_next_second() {
        let mut d = device::new(&DeviceSetup::new(0, &[])).unwrap();
        let mut out: Vec<Message> = Vec::new();
        let now = at(t0(), 300_000_000);
        d.input(b"o", now, &Plain, &mut out);
        d.input(b"\r", now, &Plain, &mut out);
        assert_eq!(out.len(), 18);
        assert_eq!(out[0].bytes, b"o");
        assert_eq!(out[1].bytes, b"\r");
        let tc = &out[2];
        assert_eq!(tc.named, Some(at(t0(), 1_000_000_000)));
        let bytes: Vec<u8> = out[2..].iter().flat_map(|m| m.bytes.clone()).collect();
        let mut c = clock();
        let o = answer(&mut c, at(t0(), 1_000_000_000), &bytes);
        assert_eq!(o.samples.len(), 1);
        assert!(o.samples[0].offset.abs() < 1e-6);
        assert!(device::new(&DeviceSetup::new(0, &[("x", "1")])).is_err());
    }
}

#[test]
fn a_cr_read_with_the_timecode_leaves_nothing_behind() {
    // ntpd keeps its length at 16 and throws the next poll's echo away.
    let mut c = clock();
    for k in 0..3 {
        let t = at(t0(), k * 8_000_000_000);
        c.receive(PortId::MAIN, b"o", at(t, -3_000_000_000));
        c.receive(PortId::MAIN, b"\r", at(t, -1_000_000_000));
        c.receive(PortId::MAIN, &code(t, 4, 3), at(t, char_offset_ns(16)));
        let out = Outcome::of(c.take_actions());
        assert_eq!(out.samples.len(), 1, "poll {k}");
    }
}

#[test]
fn one_filtered_result_a_poll_interval() {
    let mut c = clock();
    c.poll(at(t0(), -5_000_000_000));
    c.take_actions();
    let first = answer(&mut c, t0(), &code(t0(), 4, 3));
    let t = at(t0(), 2_000_000_000);
    let second = answer(&mut c, t, &code(t, 4, 3));
    assert_eq!((first.samples.len(), second.samples.len()), (1, 1));
    assert_eq!((first.filtered.len(), second.filtered.len()), (1, 0));
}
