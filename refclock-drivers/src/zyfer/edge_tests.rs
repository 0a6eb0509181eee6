//! The driver at the edges of time: leap seconds, New Year 2100, GPS
//! eras, long unlocked periods and a device that goes away.

use refclock_core::calendar::{Basedate, CivilTime, SECS_PER_DAY};
use refclock_core::gps::DAYS_PER_ERA;
use refclock_core::port::CloseReason;
use refclock_core::{Action, Clock, Leap, PortEvent, PortId, Refclock, Timestamp};

use super::codec::{self, ZyferTime, OP_COASTING, OP_LOCKED, OP_WARM_UP};
use super::tests::{clock, code_at, feed, filtered, samples, ts, REAL_SECS};
use super::ZyferDriver;

const ERA: i64 = DAYS_PER_ERA * SECS_PER_DAY;

/// The record of a civil time (second 60 kept), locked, in UTC.
fn civil_code(t: CivilTime) -> Vec<u8> {
    codec::encode(&ZyferTime::from_civil(&t, 2, 4, OP_LOCKED))
}

/// Offsets of the samples of `records`, each received `lag` s after
/// system second `first + k`.
fn offsets(c: &mut Clock<ZyferDriver>, first: i64, lag: f64, records: &[Vec<u8>]) -> Vec<f64> {
    let mut out = Vec::new();
    for (k, r) in records.iter().enumerate() {
        let rec = Timestamp::from_secs(first + k as i64).add_secs_f64(lag);
        for s in samples(&feed(c, r, rec)) {
            assert_eq!(s.leap, Leap::NoWarning, "{}", String::from_utf8_lossy(r));
            assert_eq!(s.time, rec);
            out.push((s.offset * 1e6).round() / 1e6);
        }
    }
    out
}

/// The format has no warning; second 60 is the first second of the next
/// minute, as in ntpd, so 23:59:60 and 00:00:00 name the same instant.
/// Against a system clock that does not insert the leap second (as the
/// simulator's), both samples are right: the clock is a second ahead of
/// UTC from then on.
#[test]
fn a_leap_second_and_the_midnight_after_it_name_the_same_instant() {
    let midnight = ts(2016, 12, 31, 23, 59, 58).secs() + 2;
    let records: Vec<Vec<u8>> = [58, 59, 60]
        .iter()
        .map(|&s| civil_code(CivilTime::new(2016, 12, 31, 23, 59, s)))
        .chain((0..2).map(|s| civil_code(CivilTime::new(2017, 1, 1, 0, 0, s))))
        .collect();
    assert_eq!(records[2], b"!TIME,2016,366,23,59,60,2,4,1");
    let mut c = clock();
    let got = offsets(&mut c, midnight - 2, 0.001, &records);
    assert_eq!(got, vec![-0.001, -0.001, -0.001, -1.001, -1.001]);
    assert_eq!(c.state().lastref, Some(Timestamp::from_secs(midnight + 1)));
    // A kernel that inserts it reads 23:59:59 again during 23:59:60: that
    // one sample is a second off (chronyd drops samples this close to a
    // leap second it knows of), the next is right again.
    let mut c = clock();
    let rec = [-2, -1, -1, 0, 1].map(|k| midnight + k);
    let mut got = Vec::new();
    for (r, &at) in records.iter().zip(&rec) {
        got.extend(samples(&feed(&mut c, r, Timestamp::from_secs(at))));
    }
    let got: Vec<f64> = got.iter().map(|s| s.offset).collect();
    assert_eq!(got, vec![0.0, 0.0, 1.0, 0.0, 0.0]);
}

/// A deleted leap second is a record that never comes: 23:59:58 is
/// followed by 00:00:00, and the clock one second behind sees it so.
#[test]
fn a_deleted_leap_second_is_a_gap() {
    let midnight = ts(2027, 1, 1, 0, 0, 0).secs();
    let records = vec![
        code_at(midnight - 2, OP_LOCKED),
        code_at(midnight, OP_LOCKED),
        code_at(midnight + 1, OP_LOCKED),
    ];
    let mut c = clock();
    assert_eq!(
        offsets(&mut c, midnight - 2, 0.0, &records),
        vec![0.0, 1.0, 1.0]
    );
}

/// New Year 2100 (not a leap year: day 365 of 2099, then day 1) and the
/// end of February 2100, with the system clock right: the era window
/// follows the receive time, so samples are right with a base date a
/// century earlier.
#[test]
fn the_year_2100_with_a_right_clock() {
    let mut c = clock();
    for start in [ts(2099, 12, 31, 23, 59, 57), ts(2100, 2, 28, 23, 59, 58)] {
        let records: Vec<Vec<u8>> = (0..5)
            .map(|k| code_at(start.secs() + k, OP_LOCKED))
            .collect();
        let got = offsets(&mut c, start.secs(), 0.0002, &records);
        assert_eq!(got, vec![-0.0002; 5]);
    }
    assert_eq!(
        code_at(ts(2099, 12, 31, 0, 0, 0).secs(), 1)[11..14],
        *b"365"
    );
    assert_eq!(code_at(ts(2100, 3, 1, 0, 0, 0).secs(), 1)[11..14], *b"060");
}

/// The simulator's `year:year=2100` with a system clock decades away: the
/// stated date moves by whole eras of 1024 weeks into the window around
/// the receive time, as a GPS receiver's date must (ntpd: around the base
/// date). It cannot be the truth, which no window that far away holds.
#[test]
fn a_date_decades_from_the_system_clock_moves_by_whole_eras() {
    let mut c = clock();
    let stated = ts(2099, 12, 31, 23, 59, 59);
    let rec = ts(2026, 11, 29, 12, 0, 0);
    let s = samples(&feed(&mut c, &code_at(stated.secs(), OP_LOCKED), rec));
    assert_eq!(s.len(), 1);
    let reftime = c.state().lastref.unwrap();
    assert_eq!((stated.secs() - reftime.secs()).rem_euclid(ERA), 0);
    assert!((reftime.secs() - rec.secs()).abs() < ERA / 2 + 7 * SECS_PER_DAY);
    assert!((s[0].offset - reftime.diff(rec)).abs() < 1e-6);
}

/// `invalid:for=3,every=10,after=3` as the simulated receiver sends it
/// (warm-up, locked, coasting, locked...): no sample while unlocked, and
/// samples "no warning" and filtered at the polls again after every
/// unlocked period. ntpd would stay "not in sync" from second 3 on.
#[test]
fn every_unlocked_period_ends_in_samples_again() {
    let mut c = clock();
    let mut per_second = Vec::new();
    let mut filtered_after_unlock = 0;
    for k in 0..40i64 {
        let unlocked = k >= 3 && (k - 3) % 10 < 3;
        let op = if unlocked { OP_COASTING } else { OP_LOCKED };
        if k % 4 == 0 {
            Refclock::poll(&mut c, Timestamp::from_secs(REAL_SECS + k));
            c.take_actions();
        }
        let acts = feed(
            &mut c,
            &code_at(REAL_SECS + k, op),
            Timestamp::new(REAL_SECS + k, 400_000),
        );
        let s = samples(&acts);
        per_second.push(s.len());
        if unlocked {
            assert!(s.is_empty(), "second {k}");
            assert_eq!(c.state().leap, Leap::NotInSync, "second {k}");
        } else {
            assert_eq!(s.len(), 1, "second {k}");
            assert_eq!(s[0].leap, Leap::NoWarning);
            assert!((s[0].offset + 0.0004).abs() < 1e-9);
            if k > 6 && (k - 3) % 10 == 3 {
                // The first locked second after a period: a poll came
                // during it (or just now), and this sample filters.
                filtered_after_unlock += filtered(&acts);
            }
        }
    }
    assert_eq!(per_second.iter().sum::<usize>(), 40 - 12);
    assert_eq!(filtered_after_unlock, 3, "seconds 16, 26 and 36");
    // Warm-up records (never locked yet) give nothing either.
    let mut c = clock();
    assert!(samples(&feed(
        &mut c,
        &code_at(REAL_SECS, OP_WARM_UP),
        ts(2002, 1, 1, 0, 0, 0)
    ))
    .is_empty());
}

/// The device goes away mid-record and comes back warming up, then
/// locks: the half record is forgotten, the warm-up gives nothing, the
/// locked records give samples.
#[test]
fn a_device_that_vanishes_and_comes_back() {
    let mut c = clock();
    let t = |k: i64| Timestamp::new(REAL_SECS + k, 1_000_000);
    assert_eq!(
        samples(&feed(&mut c, &code_at(REAL_SECS, 1), t(0))).len(),
        1
    );
    feed(&mut c, &code_at(REAL_SECS + 1, 1)[..12], t(1));
    Refclock::port_event(
        &mut c,
        PortId::MAIN,
        PortEvent::Closed(CloseReason::Lost("end of file".into())),
    );
    Refclock::port_event(&mut c, PortId::MAIN, PortEvent::Opened);
    let acts = c.take_actions();
    assert!(!acts.iter().any(|a| matches!(a, Action::Sample(_))));
    let rest = feed(&mut c, &code_at(REAL_SECS + 1, 1)[12..], t(4));
    assert!(rest.is_empty(), "the tail of the lost record: {rest:?}");
    assert!(samples(&feed(&mut c, &code_at(REAL_SECS + 5, OP_WARM_UP), t(5))).is_empty());
    assert_eq!(c.state().leap, Leap::NotInSync);
    let s = samples(&feed(&mut c, &code_at(REAL_SECS + 6, 1), t(6)));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
    assert_eq!(c.state().counters.samples, 2);
}

/// A base date of 2020 and a receiver with the roll-over bug (its dates
/// 1024 weeks back): the era mapping puts them right.
#[test]
fn a_receiver_a_whole_era_behind_is_put_right() {
    let mut c = clock_at_base(2020);
    let now = ts(2026, 11, 29, 20, 0, 0).secs();
    let records: Vec<Vec<u8>> = (0..3).map(|k| code_at(now + k - ERA, 1)).collect();
    assert_eq!(&records[0][6..10], b"2007");
    assert_eq!(offsets(&mut c, now, 0.0, &records), vec![0.0; 3]);
}

fn clock_at_base(year: i32) -> Clock<ZyferDriver> {
    super::tests::clock_with(Basedate::from_ymd(year, 1, 1).unwrap(), None)
}
