//! The simulated module against the driver in virtual time: minutes of
//! characters over a zone change, a leap second, lost marks, spoilt
//! pulses and noise, every sample checked against the second it names.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceModel, DeviceSetup, Epoch, LeapWarning, Message};
use refclock_core::{ClockEvent, Leap, PortId, Refclock as _, Timestamp};

use super::super::codec::{self, Zone};
use super::super::stream_tests::clock;
use super::*;
use crate::testkit::Outcome;

const READ_LAG: f64 = 0.220;

fn secs(y: i32, mo: u8, d: u8, h: u8, mi: u8) -> i64 {
    CivilTime::new(y, mo, d, h, mi, 0)
        .to_timestamp()
        .unwrap()
        .secs()
}

/// The epochs from Unix second `from` for `n` seconds, with 23:59:60
/// inserted after `leap` (the Unix second of the midnight that ends it)
/// and the warning set on that day.
fn epochs(from: i64, n: i64, leap: Option<i64>) -> Vec<Epoch> {
    let mut out = Vec::new();
    for u in from..from + n {
        let mut e = Epoch::at(u);
        if let Some(end) = leap {
            if (end - 86_400..end).contains(&u) {
                e.leap = LeapWarning::Insert;
            }
            if u == end {
                let mut t = CivilTime::from_timestamp(Timestamp::from_secs(u - 1));
                t.second = 60;
                let mut e60 = Epoch::new(t);
                e60.leap = LeapWarning::Insert;
                out.push(e60);
            }
        }
        out.push(e);
    }
    out
}

/// What a run gave: the outcome, and the second each sample names
/// checked against the epoch of the character it was read from.
struct Run {
    out: Outcome,
    checked: usize,
}

/// Runs `dev` through `epochs` (one a real second from `epochs[0]`),
/// `spoil` may change each second's messages; mode 5's driver reads each
/// at its second + `READ_LAG`.
fn run(
    dev: &mut dyn DeviceModel,
    epochs: &[Epoch],
    flag4: bool,
    mut spoil: impl FnMut(usize, &mut Vec<Message>),
) -> Run {
    let mut c = clock(5, flag4);
    let mut out = Outcome::default();
    let start = epochs[0].named.secs();
    let mut named_at = Vec::new();
    for (k, e) in epochs.iter().enumerate() {
        let mut msgs = Vec::new();
        dev.second(e, &mut msgs);
        spoil(k, &mut msgs);
        let bytes: Vec<u8> = msgs.iter().flat_map(|m| m.bytes.clone()).collect();
        if bytes.is_empty() {
            continue;
        }
        let t = Timestamp::from_secs(start + k as i64).add_secs_f64(READ_LAG);
        named_at.push((t, e.named));
        c.receive(PortId::MAIN, &bytes, t);
        for a in c.take_actions() {
            out.add(a);
        }
    }
    for s in &out.samples {
        let (_, named) = named_at
            .iter()
            .find(|(t, _)| *t == s.time)
            .expect("a sample at a read");
        let reference = s.time.as_secs_f64() + s.offset - 0.292;
        assert!(
            (reference - named.as_secs_f64()).abs() < 1e-6,
            "{s:?} names {reference}, the character {named:?}"
        );
    }
    Run {
        checked: out.samples.len(),
        out,
    }
}

fn device(options: &[(&str, &str)]) -> Box<dyn DeviceModel> {
    new(&DeviceSetup::new(5, options)).unwrap()
}

fn bad_replies(o: &Outcome) -> usize {
    o.events
        .iter()
        .filter(|&&e| e == ClockEvent::BadReply)
        .count()
}

#[test]
fn zone_changes_both_ways() {
    for change in [secs(2024, 3, 31, 1, 0), secs(2024, 10, 27, 1, 0)] {
        let mut dev = device(&[]);
        let r = run(
            dev.as_mut(),
            &epochs(change - 300, 600, None),
            false,
            |_, _| {},
        );
        // Marks at change-300 (the start), -240 (arms), -180: samples
        // from there on, 59 a minute, straight through the change.
        assert_eq!(r.checked, 8 * 59);
        assert_eq!(bad_replies(&r.out), 0);
        let stats = r.out.clockstats.join("\n");
        assert!(stats.contains("DST SWITCH WARNING"), "{stats}");
    }
    // The zone of the EU rule, and A1 in the hour before the change only.
    let spring = secs(2024, 3, 31, 1, 0);
    assert_eq!(zone_at(spring - 1), Zone::Cet);
    assert_eq!(zone_at(spring), Zone::Cest);
    assert_eq!(zone_at(secs(2024, 10, 27, 1, 0) - 1), Zone::Cest);
    assert_eq!(zone_at(secs(2024, 10, 27, 1, 0)), Zone::Cet);
    let d = RawDcfDevice::new(5, 50);
    let a1 = |m: i64| d.telegram(m, LeapWarning::None).zone_change;
    assert!(!a1(spring - 3660) && a1(spring - 3600) && a1(spring - 60) && !a1(spring));
    // The telegram sent during 00:59 UTC names 03:00 CEST.
    let t = d.telegram(spring - 60, LeapWarning::None);
    assert_eq!((t.zone, t.hour, t.minute), (Zone::Cest, 3, 0));
}

#[test]
fn a_leap_second_through_the_device() {
    let end = secs(2017, 1, 1, 0, 0);
    for flag4 in [false, true] {
        let mut dev = device(&[]);
        let r = run(
            dev.as_mut(),
            &epochs(end - 300, 400, Some(end)),
            flag4,
            |_, _| {},
        );
        let want = if flag4 {
            Leap::DelSecond
        } else {
            Leap::AddSecond
        };
        // Samples until 23:59:59 and the mark of 00:00:00 warn (their
        // telegrams were sent in the hour before); the raster is broken
        // by the 61-second minute, so 00:00:01.. give none; from the mark
        // of 00:01 on, no warning.
        let leaps: Vec<(i64, Leap)> = r
            .out
            .samples
            .iter()
            .map(|s| {
                (
                    (s.time.as_secs_f64() + s.offset - 0.292).round() as i64,
                    s.leap,
                )
            })
            .collect();
        assert!(leaps
            .iter()
            .filter(|(t, _)| *t <= end)
            .all(|&(_, l)| l == want));
        assert!(leaps.iter().any(|&(t, _)| t == end - 1));
        assert!(!leaps.iter().any(|&(t, _)| (end + 1..end + 60).contains(&t)));
        assert!(leaps
            .iter()
            .filter(|(t, _)| *t >= end + 60)
            .all(|&(_, l)| l == Leap::NoWarning));
        assert!(leaps.iter().any(|&(t, _)| t == end + 60));
    }
    // A2 only in the last hour of the month.
    let d = RawDcfDevice::new(5, 50);
    assert!(d.telegram(end - 3600, LeapWarning::Insert).leap);
    assert!(d.telegram(end - 60, LeapWarning::Insert).leap);
    assert!(!d.telegram(end - 3660, LeapWarning::Insert).leap);
    assert!(!d.telegram(end - 60, LeapWarning::None).leap);
}

#[test]
fn lost_marks_spoilt_pulses_noise_and_silence_give_no_wrong_sample() {
    let from = secs(2026, 6, 10, 12, 0);
    // Every 4th minute without its mark.
    let mut dev = device(&[("lostmark", "4")]);
    let r = run(dev.as_mut(), &epochs(from, 1200, None), false, |_, _| {});
    assert!(r.checked > 200, "{}", r.checked);
    assert!(r
        .out
        .logs
        .iter()
        .any(|l| l.contains("without a minute mark")));
    // Every 97th pulse spoilt the way `badsum` does.
    let mut dev = device(&[]);
    let model = RawDcfDevice::new(5, 50);
    let mut spoilt = 0;
    let r = run(dev.as_mut(), &epochs(from, 1200, None), false, |k, msgs| {
        if k % 97 == 96 {
            for m in msgs.iter_mut() {
                spoilt += usize::from(model.corrupt(m));
            }
        }
    });
    assert!(spoilt >= 5 && bad_replies(&r.out) >= 5, "{spoilt}");
    assert!(r.checked > 300);
    // Noise after every 157th pulse (bytes `garbage` may write).
    let mut dev = device(&[]);
    let noise: Vec<u8> = (0..=255u8).filter(|&b| model.garbage_allowed(b)).collect();
    let r = run(dev.as_mut(), &epochs(from, 1200, None), false, |k, msgs| {
        if k % 157 == 156 && !msgs.is_empty() {
            msgs.push(Message::new("NOISE", vec![noise[k % noise.len()]]));
        }
    });
    assert!(r.out.logs.iter().any(|l| l.contains("not a pulse")));
    assert!(r.checked > 300);
    // No reception for two minutes: nothing, then time again.
    let mut dev = device(&[]);
    let mut ep = epochs(from, 900, None);
    for e in &mut ep[300..420] {
        e.valid = false;
    }
    let r = run(dev.as_mut(), &ep, false, |_, _| {});
    assert!(r.out.samples.iter().any(|s| s.time.secs() > from + 600));
}

#[test]
fn the_models_characters_options_and_noise() {
    for (mode, baud) in [(5, 50), (8, 1200), (19, 4800), (20, 75)] {
        let mut dev = new(&DeviceSetup::new(mode, &[])).unwrap();
        assert_eq!(dev.baud(), baud);
        let mut out = Vec::new();
        let from = secs(2026, 6, 10, 12, 0);
        for u in from..from + 60 {
            dev.second(&Epoch::at(u), &mut out);
        }
        // 59 pulses, none in second 59, the short and long characters
        // of the speed.
        assert_eq!(out.len(), 59);
        let (short, long) = codec::pulse_chars(baud);
        assert!(out.iter().all(|m| m.bytes == [short] || m.bytes == [long]));
        assert!(out.iter().all(|m| m.named.is_some()));
    }
    assert!(new(&DeviceSetup::new(5, &[("bogus", "1")])).is_err());
    assert!(new(&DeviceSetup::new(5, &[("lostmark", "x")])).is_err());
    let d = RawDcfDevice::new(5, 50);
    for b in 0..=255u8 {
        assert_eq!(d.garbage_allowed(b), codec::zero_run(b).is_none(), "{b:#x}");
    }
    // `badsum` spoils only seconds the checks cover.
    let mut m = Message::new("PULSE", vec![0xF0]).naming(&Epoch::at(secs(2026, 1, 1, 0, 0) + 5));
    assert!(!d.corrupt(&mut m));
    let mut m = Message::new("PULSE", vec![0xF0]).naming(&Epoch::at(secs(2026, 1, 1, 0, 0) + 30));
    assert!(d.corrupt(&mut m) && m.bytes == [0x00] && m.corrupt);
    // The call bit option.
    let mut dev = new(&DeviceSetup::new(5, &[("call", "1")])).unwrap();
    let mut out = Vec::new();
    dev.second(&Epoch::at(secs(2026, 1, 1, 0, 0) + 15), &mut out);
    assert_eq!(out[0].bytes, [0x00]);
}
