//! The simulated GPStarplus's output through the Zyfer driver as a
//! stream, the way the simulator's scenarios spoil it: unlocked seconds
//! (warm-up, then coasting), records spoilt by the device model's
//! `corrupt`, and garbage from its `garbage_allowed` between records,
//! across the 2016 leap second and New Year 2100.
//!
//! * Received second by second, each record a few ms after the second it
//!   names: one sample exactly for each locked, unspoilt record, its
//!   offset minus that lag; each spoilt record counted once.
//! * In one read and in random reads: the same samples, events,
//!   clockstats and log lines (the test kit's `check_chunking`).
//! * Cut into random reads by a busy host (clock jumps, ticks, polls, a
//!   lost port now and then): the script runner's properties and the
//!   driver's own checker hold.

#![cfg(all(feature = "zyfer", feature = "sim"))]

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::rng::Rng;
use refclock_core::sim::{DeviceSetup, Epoch};
use refclock_core::{Clock, DriverConfig, Fudge, Leap, PortId, Refclock, Timestamp};
use refclock_drivers::testkit::{busy_host, check_chunking, feed, run_ops};
use refclock_drivers::zyfer::{device, ZyferDriver};

/// One second of the device's output.
struct Second {
    epoch: Epoch,
    bytes: Vec<u8>,
    /// Locked and not spoilt: a sample is due.
    good: bool,
    spoilt: bool,
}

/// The epochs of `n` seconds from `start` (Unix s), the leap second
/// 2016-12-31 23:59:60 put in where it falls.
fn epochs(start: i64, n: i64) -> Vec<Epoch> {
    let leap_midnight = 1_483_228_800;
    let mut out = Vec::new();
    for s in start..start + n {
        if s == leap_midnight {
            out.push(Epoch::new(CivilTime::new(2016, 12, 31, 23, 59, 60)));
        }
        out.push(Epoch::at(s));
    }
    out
}

/// The device's output for `epochs`: unlocked for 3 s of every 10 from
/// the fourth, every 7th record spoilt, 1-20 garbage bytes after each.
fn stream(epochs: &[Epoch], rng: &mut Rng) -> Vec<Second> {
    let mut dev = device::new(&DeviceSetup::default()).unwrap();
    epochs
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let epoch = Epoch {
                valid: !(k >= 3 && (k - 3) % 10 < 3),
                ..*e
            };
            let mut out = Vec::new();
            dev.second(&epoch, &mut out);
            assert_eq!(out.len(), 1);
            let mut m = out.remove(0);
            let spoilt = k % 7 == 6 && dev.corrupt(&mut m);
            let mut bytes = m.bytes;
            let n = 1 + rng.up_to(19);
            while bytes.len() < 29 + n as usize {
                let b = rng.next_u64() as u8;
                if dev.garbage_allowed(b) {
                    bytes.push(b);
                }
            }
            Second {
                epoch,
                bytes,
                good: epoch.valid && !spoilt,
                spoilt,
            }
        })
        .collect()
}

fn config(base_year: i32) -> DriverConfig {
    DriverConfig {
        basedate: Basedate::from_ymd(base_year, 1, 1).unwrap(),
        fudge: Fudge {
            time1: Some(0.0),
            ..Fudge::default()
        },
        ..DriverConfig::default()
    }
}

/// The stretches of time the tests replay: across the 2016 leap second
/// and New Year 2100 (base dates 2010 and 2090).
fn stretches() -> [(i64, i32); 2] {
    [(1_483_228_800 - 100, 2010), (4_102_444_800 - 100, 2090)]
}

#[test]
fn second_by_second_one_sample_per_good_record() {
    let mut rng = Rng::new(1);
    for (start, base) in stretches() {
        let seconds = stream(&epochs(start, 200), &mut rng);
        let mut clock = Clock::<ZyferDriver>::start(config(base)).unwrap();
        let (mut samples, mut leap_seconds) = (0, 0);
        for (k, s) in seconds.iter().enumerate() {
            // The system clock does not insert the leap second: 23:59:60
            // is read in the wall second after 23:59:59.
            let lag_ns = 200_000 + rng.up_to(20_000_000) as u32;
            let rec = Timestamp::new(start + k as i64, lag_ns);
            let out = feed(&mut clock, PortId::MAIN, &s.bytes, rec);
            assert_eq!(out.clockstats.len(), 1, "second {k}");
            assert_eq!(out.samples.len(), usize::from(s.good), "second {k}");
            assert_eq!(out.logs.len(), usize::from(s.spoilt), "second {k}");
            if let Some(x) = out.samples.first() {
                let want = s.epoch.named.diff(rec);
                assert!((x.offset - want).abs() < 1e-9, "second {k}: {x:?}");
                assert_eq!(x.leap, Leap::NoWarning);
                samples += 1;
                leap_seconds += usize::from(s.epoch.time.second == 60);
            } else if !s.epoch.valid && !s.spoilt {
                assert_eq!(clock.state().leap, Leap::NotInSync);
            }
        }
        let good = seconds.iter().filter(|s| s.good).count();
        let spoilt = seconds.iter().filter(|s| s.spoilt).count() as u64;
        assert_eq!(samples, good);
        assert!(good > 100 && spoilt > 20, "{good} {spoilt}");
        let c = clock.state().counters;
        assert_eq!(
            (c.badformat, c.baddata, c.samples),
            (spoilt, 0, good as u64)
        );
        if base == 2010 {
            assert_eq!(leap_seconds, 1, "23:59:60 gave its sample");
        }
    }
}

#[test]
fn in_one_read_and_in_random_reads_the_same() {
    let mut rng = Rng::new(2);
    for (start, base) in stretches() {
        let seconds = stream(&epochs(start, 200), &mut rng);
        let data: Vec<u8> = seconds.iter().flat_map(|s| s.bytes.clone()).collect();
        let rec = Timestamp::from_secs(start + 100);
        let (clock, out) =
            check_chunking::<ZyferDriver, _>(&config(base), &data, rec, 1..=8, |c| {
                (c.driver().polls_left(), c.driver().polled())
            })
            .unwrap_or_else(|e| panic!("from {start}: {e}"));
        assert_eq!(out.samples.len(), seconds.iter().filter(|s| s.good).count());
        assert_eq!(out.clockstats.len(), seconds.len());
        assert_eq!(clock.state().counters.samples, out.samples.len() as u64);
    }
}

#[test]
fn under_a_busy_host_the_checker_holds() {
    let mut rng = Rng::new(3);
    for (start, base) in stretches() {
        for seed in 0..6 {
            let seconds = stream(&epochs(start, 120), &mut rng);
            let data: Vec<u8> = seconds.iter().flat_map(|s| s.bytes.clone()).collect();
            let good = seconds.iter().filter(|s| s.good).count();
            let ops = busy_host(&mut Rng::new(seed), &data, 48);
            let n = run_ops::<ZyferDriver>(&config(base), Timestamp::from_secs(start), &ops);
            // A lost port (1 read in 256) may cost the record under way.
            assert!(n <= good && n + 3 >= good, "{n} samples of {good}");
        }
    }
}
