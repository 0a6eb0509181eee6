//! The simulated receivers through the driver, in process: each mode's
//! output for a second gives that second (answers to the driver's writes
//! for the polled ones), a leap warning reaches the samples, corrupted
//! packets give nothing.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::sim::{DeviceSetup, Epoch, LeapWarning, Message, Timeline};
use refclock_core::{Action, ClockFlags, Leap, PortId, Refclock, Timestamp};

use super::capture_tests::clock;

struct Fixed(Epoch);

impl Timeline for Fixed {
    fn epoch(&self, _wall: i64) -> Epoch {
        self.0
    }
}

fn secs() -> i64 {
    CivilTime::new(2026, 12, 31, 12, 0, 0)
        .to_timestamp()
        .unwrap()
        .secs()
}

#[test]
fn every_mode_gives_its_second() {
    let base = Basedate::from_ymd(2020, 1, 1).unwrap();
    for mode in 0..8u32 {
        let flag2 = matches!(mode, 0 | 1 | 4);
        let flags = if flag2 {
            ClockFlags::FLAG2
        } else {
            ClockFlags::empty()
        };
        let mut setup = DeviceSetup::new(mode, &[]);
        setup.fudge.flags = flags;
        let mut dev = super::device::new(&setup).unwrap();
        let mut c = clock(mode, flags, base);
        let s = secs();
        let mut epoch = Epoch::at(s);
        epoch.leap = LeapWarning::Insert;
        let now = Timestamp::from_secs(s);
        c.poll(now);
        let mut out: Vec<Message> = Vec::new();
        dev.second(&epoch, &mut out);
        // What the driver wrote (0x21, the NUL byte) goes to the device.
        for a in c.take_actions() {
            if let Action::Write { data, .. } = a {
                dev.input(&data, now, &Fixed(epoch), &mut out);
            }
        }
        let bytes: Vec<u8> = out.iter().flat_map(|m| m.bytes.clone()).collect();
        c.receive(PortId::MAIN, &bytes, now.add_secs_f64(0.01));
        let samples: Vec<_> = c
            .take_actions()
            .into_iter()
            .filter_map(|a| match a {
                Action::Sample(s) => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(samples.len(), 1, "mode {mode}: {out:?}");
        let reference = samples[0].time.add_secs_f64(samples[0].offset);
        assert!(
            (reference.diff(now)).abs() < 0.04,
            "mode {mode}: {reference:?}"
        );
        // 8F-AD says so in June/December; 8F-AC's comes after 8F-AB, so
        // the next sample has it; 0x41 has none.
        let want = match mode {
            0 | 1 | 3 | 4 => Leap::AddSecond,
            _ => Leap::NoWarning,
        };
        assert_eq!(samples[0].leap, want, "mode {mode}");
    }
}

#[test]
fn corrupted_packets_give_nothing() {
    let base = Basedate::from_ymd(2020, 1, 1).unwrap();
    for (mode, options) in [(2, vec![]), (2, vec![("tsipv1", "1")]), (7, vec![])] {
        let mut dev = super::device::new(&DeviceSetup::new(mode, &options)).unwrap();
        let mut c = clock(mode, ClockFlags::empty(), base);
        let now = Timestamp::from_secs(secs());
        c.poll(now);
        let mut out = Vec::new();
        dev.second(&Epoch::at(secs()), &mut out);
        for m in &mut out {
            assert!(dev.corrupt(m), "mode {mode}");
        }
        let bytes: Vec<u8> = out.iter().flat_map(|m| m.bytes.clone()).collect();
        c.receive(PortId::MAIN, &bytes, now);
        let actions = c.take_actions();
        assert!(
            !actions.iter().any(|a| matches!(a, Action::Sample(_))),
            "mode {mode} {options:?}"
        );
        assert!(c.state().counters.badformat >= 1, "mode {mode} {options:?}");
    }
}
