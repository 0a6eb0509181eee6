//! The PARSE driver with the eight formats on scripted input: samples at
//! the on-time byte's receive time, polls, trust after loss of sync,
//! leap, counted errors, reads split anywhere.

use refclock_core::calendar::CivilTime;
use refclock_core::fudge::Fudge;
use refclock_core::sim::{Epoch, LeapWarning};
use refclock_core::{
    Action, Clock, ClockEvent, DriverConfig, Leap, PortEvent, PortId, Refclock, Timestamp,
};

use super::device::AsciiDevice;
use super::*;
use crate::parse::ParseDriver;
use crate::testkit::{check_chunking, Outcome};

const MODES: [u8; 8] = [3, 4, 11, 12, 13, 15, 17, 24];

fn config(mode: u8) -> DriverConfig {
    DriverConfig {
        fudge: Fudge {
            mode: mode.into(),
            time1: Some(0.0),
            ..Fudge::default()
        },
        ..DriverConfig::default()
    }
}

fn clock(mode: u8) -> Clock<ParseDriver> {
    let mut c = Clock::<ParseDriver>::start(config(mode)).expect("starts");
    c.take_actions();
    c
}

fn outcome(c: &mut Clock<ParseDriver>) -> Outcome {
    Outcome::of(c.take_actions())
}

/// The device's frame for the second `secs` (valid unless `invalid`).
fn frame(mode: u8, secs: i64, valid: bool) -> Vec<u8> {
    let dev = AsciiDevice::of(Kind::of_mode(mode).unwrap());
    let mut e = Epoch::at(secs);
    e.valid = valid;
    dev.frame(&e).unwrap().bytes
}

/// The read time that a frame's on-time byte had, for a frame naming
/// `secs`, so that its sample has offset 0.
const NOW: i64 = 1_795_000_000;

#[test]
fn every_mode_starts_with_its_format() {
    for mode in MODES {
        let c = clock(mode);
        assert_eq!(
            c.driver().format_name(),
            Kind::of_mode(mode).unwrap().name()
        );
        assert_eq!(c.driver().clock_info().mode, mode);
    }
}

#[test]
fn one_sample_per_frame_at_its_on_time_read() {
    for mode in MODES {
        let mut c = clock(mode);
        for k in 0..3 {
            let secs = NOW + k;
            let bytes = frame(mode, secs, true);
            // The frame in two reads: its first byte at the second, the
            // rest 50 ms later.
            let t0 = Timestamp::from_secs(secs);
            let t1 = Timestamp::new(secs, 50_000_000);
            c.receive(PortId::MAIN, &bytes[..1], t0);
            c.receive(PortId::MAIN, &bytes[1..], t1);
            let o = outcome(&mut c);
            assert_eq!(o.samples.len(), 1, "mode {mode}: {o:?}");
            let s = &o.samples[0];
            let on_time_last = matches!(mode, 3 | 12);
            let (time, offset) = if on_time_last { (t1, -0.05) } else { (t0, 0.0) };
            assert_eq!(s.time, time, "mode {mode}");
            assert!(
                (s.offset - offset).abs() < 1e-9,
                "mode {mode}: {}",
                s.offset
            );
            assert_eq!(s.leap, Leap::NoWarning, "mode {mode}");
        }
    }
}

#[test]
fn polls_as_ntpd() {
    // Schmid: at the opening, every second, and at each poll.
    let mut c = clock(4);
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.timer(Timestamp::from_secs(NOW));
    c.poll(Timestamp::from_secs(NOW));
    let w = outcome(&mut c).writes;
    assert_eq!(w, vec![(PortId::MAIN, b"s".to_vec()); 3]);
    // RCC8000 and SEL240x: once per poll, not on the timer.
    for (mode, poll) in [(11, &b"\r"[..]), (24, &b"BUB8"[..])] {
        let mut c = clock(mode);
        c.port_event(PortId::MAIN, PortEvent::Opened);
        c.timer(Timestamp::from_secs(NOW));
        assert!(outcome(&mut c).writes.is_empty());
        c.poll(Timestamp::from_secs(NOW));
        assert_eq!(outcome(&mut c).writes, vec![(PortId::MAIN, poll.to_vec())]);
    }
    // The others never write.
    for mode in [3, 12, 13, 15, 17] {
        let mut c = clock(mode);
        c.port_event(PortId::MAIN, PortEvent::Opened);
        c.timer(Timestamp::from_secs(NOW));
        c.poll(Timestamp::from_secs(NOW));
        assert!(outcome(&mut c).writes.is_empty(), "mode {mode}");
    }
}

#[test]
fn trust_time_after_loss_of_sync() {
    // DCF7000 trusts 300 s after the last synchronised timecode.
    let mut c = clock(3);
    let feed = |c: &mut Clock<ParseDriver>, secs: i64, valid: bool| {
        let b = frame(3, secs, valid);
        c.receive(PortId::MAIN, &b, Timestamp::from_secs(secs));
        outcome(c).samples
    };
    assert_eq!(feed(&mut c, NOW, true).len(), 1);
    let s = feed(&mut c, NOW + 299, false);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
    assert!(feed(&mut c, NOW + 301, false).is_empty());
    assert_eq!(c.state().leap, Leap::NotInSync);
    // Never synchronised since power-up (RCC8000, SEL240x): no sample.
    for mode in [11, 24] {
        let mut c = clock(mode);
        let b = frame(mode, NOW, false);
        c.receive(PortId::MAIN, &b, Timestamp::from_secs(NOW));
        let o = outcome(&mut c);
        assert!(o.samples.is_empty(), "mode {mode}");
        assert!(o.events.contains(&ClockEvent::Fault), "mode {mode}");
    }
    // Computime sends nothing when not synchronised.
    let dev = AsciiDevice::of(Kind::Computime);
    let mut e = Epoch::at(NOW);
    e.valid = false;
    assert!(dev.frame(&e).is_none());
}

#[test]
fn schmid_leap_warning() {
    let dev = AsciiDevice::of(Kind::Schmid);
    let end = CivilTime::new(2016, 12, 31, 23, 30, 0)
        .to_timestamp()
        .unwrap()
        .secs();
    let mut e = Epoch::at(end);
    e.leap = LeapWarning::Insert;
    let bytes = dev.frame(&e).unwrap().bytes;
    assert_ne!(bytes[8] & schmid::TX_LEAP, 0);
    let mut c = clock(4);
    c.receive(PortId::MAIN, &bytes, Timestamp::from_secs(end));
    let o = outcome(&mut c);
    assert_eq!(o.samples.len(), 1);
    assert_eq!(o.samples[0].leap, Leap::AddSecond);
    assert!(o.samples[0].offset.abs() < 1e-9);
    // flag4: a leap second without direction is a deletion.
    let mut cfg = config(4);
    cfg.fudge.flags.set(refclock_core::ClockFlags::FLAG4, true);
    let mut c = Clock::<ParseDriver>::start(cfg).expect("starts");
    c.take_actions();
    c.receive(PortId::MAIN, &bytes, Timestamp::from_secs(end));
    assert_eq!(outcome(&mut c).samples[0].leap, Leap::DelSecond);
    // An hour before: no warning yet.
    e = Epoch::at(end - 3600);
    e.leap = LeapWarning::Insert;
    assert_eq!(dev.frame(&e).unwrap().bytes[8] & schmid::TX_LEAP, 0);
}

#[test]
fn summer_time_in_local_formats() {
    // 2026-07-01 10:00:00 UTC through each local-time format.
    let secs = CivilTime::new(2026, 7, 1, 10, 0, 0)
        .to_timestamp()
        .unwrap()
        .secs();
    for mode in MODES {
        let mut c = clock(mode);
        let b = frame(mode, secs, true);
        c.receive(PortId::MAIN, &b, Timestamp::from_secs(secs));
        let o = outcome(&mut c);
        assert_eq!(o.samples.len(), 1, "mode {mode}");
        assert!(
            o.samples[0].offset.abs() < 1e-9,
            "mode {mode}: {:?}",
            o.samples
        );
    }
}

#[test]
fn bad_frames_are_counted_never_samples() {
    for mode in MODES {
        let mut c = clock(mode);
        let dev = AsciiDevice::of(Kind::of_mode(mode).unwrap());
        let mut m = dev.frame(&Epoch::at(NOW)).unwrap();
        use refclock_core::sim::DeviceModel;
        assert!(dev.corrupt(&mut m), "mode {mode}");
        c.receive(PortId::MAIN, &m.bytes, Timestamp::from_secs(NOW));
        let o = outcome(&mut c);
        assert!(o.samples.is_empty(), "mode {mode}");
        let n = c.state().counters;
        assert_eq!(n.badformat + n.baddata, 1, "mode {mode}: {n:?}");
        // And the next good frame gives its sample.
        let b = frame(mode, NOW + 1, true);
        c.receive(PortId::MAIN, &b, Timestamp::from_secs(NOW + 1));
        assert_eq!(outcome(&mut c).samples.len(), 1, "mode {mode}");
    }
}

#[test]
fn a_stray_byte_loses_one_frame_not_all() {
    // libparse keeps the terminator that overflowed DCF7000's and
    // RCC8000's full buffers, and then every frame overflows.
    for mode in MODES {
        let mut c = clock(mode);
        c.receive(PortId::MAIN, b"7", Timestamp::from_secs(NOW - 1));
        let mut n = 0;
        for k in 0..4 {
            let b = frame(mode, NOW + k, true);
            c.receive(PortId::MAIN, &b, Timestamp::from_secs(NOW + k));
            n += outcome(&mut c).samples.len();
        }
        assert!(n >= 3, "mode {mode}: {n} samples");
    }
}

#[test]
fn reads_split_anywhere() {
    for mode in MODES {
        let mut data = Vec::new();
        for k in 0..5 {
            data.extend(frame(mode, NOW + k, true));
        }
        data.extend_from_slice(b"noise\x02\x03\r\n");
        data.extend(frame(mode, NOW + 6, true));
        let (_, o) = check_chunking::<ParseDriver, _>(
            &config(mode),
            &data,
            Timestamp::from_secs(NOW + 7),
            0..20,
            |c| c.state().counters,
        )
        .unwrap_or_else(|e| panic!("mode {mode}: {e}"));
        assert!(o.samples.len() >= 5, "mode {mode}: {}", o.samples.len());
        assert!(o.samples.iter().all(|s| s.offset.abs() < 8.0));
    }
}

#[test]
fn the_pulse_window_actions_are_plain() {
    // Nothing but samples, events, logs and clockstats from a frame.
    let mut c = clock(12);
    let b = frame(12, NOW, true);
    c.receive(PortId::MAIN, &b, Timestamp::from_secs(NOW));
    for a in c.take_actions() {
        assert!(
            matches!(
                a,
                Action::Sample(_) | Action::Event(_) | Action::Log(_) | Action::ClockStats(_)
            ),
            "{a:?}"
        );
    }
}
