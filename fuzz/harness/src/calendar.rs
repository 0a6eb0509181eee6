//! Target `calendar`: `refclock_core::calendar` and `refclock_core::gps`
//! (GPS weeks, eras, time-of-day placement) on arbitrary values.
//!
//! ## Input format
//!
//! A sequence of checks: a selector byte (mod 8) and the values that check
//! reads (little-endian, zeros past the end), until the input is used up.
//!
//! ## Domain
//!
//! Years are `i32`, so day counts are taken within ±[`DAY_SPAN`] (about
//! ±1.9 billion years) and times within that many days of the epoch; GPS
//! base dates within [`BASE_DAYS`]. Outside that the arithmetic is not
//! meant to hold (a year does not fit its type); inside it every function
//! must be total.
//!
//! ## Properties
//!
//! 0. days → civil date → days is the identity; the next day is the next
//!    date; day of year and `month_day` are inverse; `days_in_year` is the
//!    distance between two New Years.
//! 1. timestamp → `CivilTime` → timestamp is the identity (second ≤ 59).
//! 2. `CivilTime::validate` accepts exactly the valid fields; a valid time
//!    converts and converts back (second 60 is the next second).
//! 3. `clocktime`: field checks; an accepted time is less than `CLOSETIME`
//!    from the receive time, a year start plus the time into the year, the
//!    cache holds that year start; without a cache it is the nearest
//!    candidate year and a refusal means no year is near enough.
//! 4. `periodic_extend` and `unfold_two_digit_year` land in their window
//!    and keep the value modulo the cycle.
//! 5. `Basedate`: `from_ymd` agrees with `days_from_civil`; the base GPS
//!    week starts on or after the base date within a week; the base date's
//!    era window expands a week to the first on or after it with the same
//!    low 10 bits.
//! 6. `GpsTime` ↔ UTC round trips, exactly to the nanosecond.
//! 7. `EraWindow::new`: a window of 1024 whole weeks from a Sunday, never
//!    before the base date's, holding the receive time once that is 512
//!    weeks past it; `fix`, `expand_week` and `gps_to_utc` land in it by
//!    whole eras (idempotent); `from_daytime` places a time of day within
//!    ±12 h of its pivot; `gps::unfold_two_digit_year` lands in the century
//!    the base date and the receive time give.

use refclock_core::calendar::{
    civil_from_days, clocktime, day_of_year, days_from_civil, days_in_month, days_in_year,
    is_leap_year, month_day, periodic_extend, unfold_two_digit_year, year_of, Basedate,
    CalendarError, CivilTime, CLOSETIME, GPS_EPOCH_UNIX, SECS_PER_DAY, SECS_PER_WEEK,
};
use refclock_core::gps::{
    self, from_daytime, EraWindow, GpsTime, DAYS_PER_ERA, GPS_EPOCH_DAY, NANOS_PER_WEEK,
};
use refclock_core::Timestamp;
use refclock_drivers::testkit::Input;

/// Day counts are taken within ±`DAY_SPAN` of 1970-01-01.
pub const DAY_SPAN: i64 = 700_000_000_000;
/// Base dates are taken within these days of 1970-01-01.
pub const BASE_DAYS: (i64, i64) = (-1_000_000, 100_000_000);

const NANOS: i128 = 1_000_000_000;
const DAY_NS: i128 = SECS_PER_DAY as i128 * NANOS;
const DAY_PER_WEEK: i64 = 7;

/// `v` when it is in `lo..=hi`, else `v` wrapped into that range.
fn fold(v: i64, lo: i64, hi: i64) -> i64 {
    let span = i128::from(hi) - i128::from(lo) + 1;
    (i128::from(lo) + (i128::from(v) - i128::from(lo)).rem_euclid(span)) as i64
}

fn year_start(year: i32) -> i64 {
    days_from_civil(year, 1, 1) * SECS_PER_DAY
}

/// Runs the checks the input selects; returns how many ran.
pub fn calendar(data: &[u8]) -> usize {
    let mut i = Input::new(data);
    let mut n = 0;
    while !i.is_empty() {
        match i.u8() % 8 {
            0 => civil_days(fold(i.i64(), -DAY_SPAN, DAY_SPAN)),
            1 => timestamps(i.i64(), i.u32()),
            2 => civil_fields(&mut i),
            3 => clock_time(&mut i),
            4 => periodic(&mut i),
            5 => basedate(&mut i),
            6 => gps_time(&mut i),
            _ => era(&mut i),
        }
        n += 1;
    }
    n
}

fn civil_days(days: i64) {
    let (y, m, d) = civil_from_days(days);
    assert!(
        (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m),
        "{y}-{m}-{d}"
    );
    assert_eq!(days_from_civil(y, m, d), days);
    let next = civil_from_days(days + 1);
    let expect = if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    };
    assert_eq!(next, expect, "the day after {y}-{m}-{d}");
    let yday = day_of_year(y, m, d);
    assert!(yday >= 1 && yday <= days_in_year(y));
    assert_eq!(month_day(y, yday), Some((m, d)));
    assert_eq!(month_day(y, 0), None);
    assert_eq!(month_day(y, days_in_year(y) + 1), None);
    let len = days_from_civil(y + 1, 1, 1) - days_from_civil(y, 1, 1);
    assert_eq!(len, i64::from(days_in_year(y)));
    assert_eq!(len == 366, is_leap_year(y));
}

fn timestamps(secs: i64, nanos: u32) {
    let secs = fold(secs, -DAY_SPAN * SECS_PER_DAY, DAY_SPAN * SECS_PER_DAY);
    let t = Timestamp::new(secs, nanos % 1_000_000_000);
    let c = CivilTime::from_timestamp(t);
    assert!(c.validate().is_ok(), "{c:?}");
    assert!(c.second <= 59);
    assert_eq!(c.to_timestamp(), Ok(t));
    assert_eq!(year_of(t), c.year);
    assert_eq!(c.yday(), day_of_year(c.year, c.month, c.day));
    let ys = year_start(c.year);
    assert!(ys <= t.secs() && t.secs() < year_start(c.year + 1));
}

fn civil_fields(i: &mut Input<'_>) {
    let c = CivilTime {
        year: fold(i64::from(i.i32()), -1_000_000_000, 1_000_000_000) as i32,
        month: i.u8() % 16,
        day: i.u8() % 40,
        hour: i.u8() % 32,
        minute: i.u8() % 64,
        second: i.u8() % 64,
        nanos: i.u32() % 1_100_000_000,
    };
    let valid = (1..=12).contains(&c.month)
        && c.day >= 1
        && c.day <= days_in_month(c.year, c.month)
        && c.hour <= 23
        && c.minute <= 59
        && c.second <= 60
        && c.nanos < 1_000_000_000;
    let v = c.validate();
    assert_eq!(v.is_ok(), valid, "validate({c:?}) = {v:?}");
    if let Err(e) = &v {
        assert!(!e.to_string().is_empty());
        assert_eq!(c.to_timestamp().err().as_ref(), Some(e));
        return;
    }
    let t = c.to_timestamp().expect("a valid civil time converts");
    if c.second < 60 {
        assert_eq!(CivilTime::from_timestamp(t), c);
    } else {
        let before = CivilTime { second: 59, ..c }.to_timestamp().expect("valid");
        assert_eq!(t.secs(), before.secs() + 1);
        assert_eq!(t.subsec_nanos(), c.nanos);
    }
}

fn clock_time(i: &mut Input<'_>) {
    let yday = i.u16() % 400;
    let (hour, minute, second) = (i.u8() % 32, i.u8() % 64, i.u8() % 64);
    let tz = i64::from(i.u8() as i8 % 16);
    let rec_secs = fold(
        i.i64(),
        -DAY_SPAN * SECS_PER_DAY / 2,
        DAY_SPAN * SECS_PER_DAY / 2,
    );
    let rec = Timestamp::new(rec_secs, i.u32() % 1_000_000_000);
    let cache_sel = i.u8();
    let mut cache = (cache_sel & 1 != 0)
        .then(|| year_start(year_of(rec) + i32::from((cache_sel as i8) >> 1) % 8));
    let had_cache = cache.is_some();
    let r = clocktime(yday, hour, minute, second, tz as i32, rec, &mut cache);
    let fields_ok = (1..=366).contains(&yday) && hour <= 23 && minute <= 59 && second <= 60;
    if !fields_ok {
        assert!(matches!(r, Err(CalendarError::OutOfRange { .. })), "{r:?}");
        return;
    }
    let into_year = i64::from(second)
        + 60 * (i64::from(minute) + 60 * (i64::from(hour) + tz + 24 * (i64::from(yday) - 1)));
    let ys = cache.expect("clocktime leaves a year start in the cache");
    let (y, m, d) = civil_from_days(ys.div_euclid(SECS_PER_DAY));
    assert!(
        ys.rem_euclid(SECS_PER_DAY) == 0 && (m, d) == (1, 1),
        "cache {ys}: {y}-{m}-{d}"
    );
    // The candidates a search can choose from, nearest first.
    let guess = year_of(Timestamp::from_secs(rec.secs() - into_year));
    let nearest = (guess - 3..=guess + 3)
        .map(|y| (year_start(y) + into_year - rec.secs()).abs())
        .min()
        .expect("candidates");
    match r {
        Ok(t) => {
            assert!((t - rec.secs()).abs() < CLOSETIME, "{t} from {rec:?}");
            assert_eq!(
                t - into_year,
                ys,
                "result is the cached year start + time into year"
            );
            if !had_cache {
                assert_eq!((t - rec.secs()).abs(), nearest, "not the nearest year");
            }
        }
        Err(CalendarError::TooFar { diff }) => {
            assert!(diff.abs() >= CLOSETIME);
            if !had_cache {
                assert!(nearest >= CLOSETIME, "a year {nearest} s away was refused");
            }
        }
        Err(e) => panic!("clocktime failed with {e:?} for valid fields"),
    }
}

fn periodic(i: &mut Input<'_>) {
    let pivot = i.i64() >> 2;
    let value = i.i64() >> 2;
    let cycle = i64::from(i.u32()).max(1);
    let r = periodic_extend(pivot, value, cycle);
    assert!(pivot <= r && r < pivot + cycle);
    assert_eq!((r - value).rem_euclid(cycle), 0);
    let yy = i.u8();
    let pivot_year = fold(i64::from(i.i32()), -1_000_000_000, 1_000_000_000) as i32;
    let y = unfold_two_digit_year(yy, pivot_year);
    assert!(pivot_year <= y && y < pivot_year + 100);
    assert_eq!((i64::from(y) - i64::from(yy)).rem_euclid(100), 0);
}

fn basedate(i: &mut Input<'_>) {
    let day = fold(i.i64(), BASE_DAYS.0, BASE_DAYS.1);
    let b = Basedate::from_unix_day(day);
    assert_eq!(b.unix_day(), day);
    assert_eq!(b.unix_secs(), day * SECS_PER_DAY);
    let (y, m, d) = civil_from_days(day);
    assert_eq!(b.year(), y);
    assert_eq!(Basedate::from_ymd(y, m, d), Ok(b));
    let base = b.base_gps_week();
    let week_day = GPS_EPOCH_DAY + 7 * i64::from(base);
    if day >= GPS_EPOCH_DAY {
        assert!(
            day <= week_day && week_day < day + 7,
            "week {base} for day {day}"
        );
    } else {
        assert_eq!(base, 0);
    }
    let window = EraWindow::of_basedate(&b);
    assert_eq!(window.start_day(), week_day);
    let week = i.u32();
    let w = window.expand_week(week);
    assert!(base <= w && w < base + 1024, "{week} -> {w}, base {base}");
    assert_eq!(w % 1024, week % 1024);
    // Invalid dates are refused.
    let (mm, dd) = (i.u8() % 16, i.u8() % 40);
    let valid = (1..=12).contains(&mm) && dd >= 1 && dd <= days_in_month(y, mm);
    assert_eq!(Basedate::from_ymd(y, mm, dd).is_ok(), valid);
}

fn gps_time(i: &mut Input<'_>) {
    let week = i.u32() % (1 << 30);
    let tow_ns = i.u64() % (SECS_PER_WEEK as u64 * 1_000_000_000);
    let leap = i32::from(i.u8());
    let g = GpsTime::new(
        week,
        (tow_ns / 1_000_000_000) as u32,
        (tow_ns % 1_000_000_000) as u32,
    );
    assert_eq!(i128::from(g.tow_nanos), tow_ns as i128);
    assert_eq!(g.tow_secs() as u64, tow_ns / 1_000_000_000);
    let t = g.to_utc(leap);
    let whole = GPS_EPOCH_UNIX + i64::from(week) * SECS_PER_WEEK - i64::from(leap);
    assert_eq!(t.as_nanos(), i128::from(whole) * NANOS + tow_ns as i128);
    assert_eq!(GpsTime::from_utc(t, leap), g, "{t:?}");
    // And from a UTC time: back exactly, or week 0 before the epoch.
    let secs = fold(i.i64(), -(1 << 40), 1 << 50);
    let t = Timestamp::new(secs, i.u32() % 1_000_000_000);
    let g = GpsTime::from_utc(t, leap);
    assert!((0..NANOS_PER_WEEK).contains(&i128::from(g.tow_nanos)));
    if t.as_nanos() + i128::from(leap) * NANOS >= i128::from(GPS_EPOCH_UNIX) * NANOS {
        assert_eq!(g.to_utc(leap), t);
    } else {
        assert_eq!((g.week, g.tow_nanos), (0, 0));
    }
}

fn era(i: &mut Input<'_>) {
    let base = Basedate::from_unix_day(fold(i.i64(), BASE_DAYS.0 / 100, BASE_DAYS.1 / 100));
    let rec = Timestamp::from_nanos(
        i128::from(fold(i.i64(), -DAY_SPAN, DAY_SPAN)) * DAY_NS / 1000
            + i128::from(i.u32() % 1_000_000_000),
    );
    let w = EraWindow::new(&base, rec);
    let of_base = EraWindow::of_basedate(&base);
    let era_ns = i128::from(DAYS_PER_ERA) * DAY_NS;
    let start = w.start().as_nanos();
    assert_eq!(
        w.start(),
        Timestamp::from_secs(w.start_day() * SECS_PER_DAY)
    );
    assert_eq!((w.start_day() - GPS_EPOCH_DAY).rem_euclid(7), 0, "a Sunday");
    assert!(
        w.start_day() >= of_base.start_day(),
        "before the base date's"
    );
    let rec_day = rec.secs().div_euclid(SECS_PER_DAY);
    if w.start_day() > of_base.start_day() {
        // Following the receive time: 512 weeks (less a week) before it.
        let lead = rec_day - w.start_day();
        assert!(
            (DAYS_PER_ERA / 2..DAY_PER_WEEK + DAYS_PER_ERA / 2).contains(&lead),
            "{lead}"
        );
    } else {
        assert!(rec_day - of_base.start_day() < DAYS_PER_ERA / 2 + DAY_PER_WEEK);
    }
    let in_window = |t: Timestamp| (start..start + era_ns).contains(&t.as_nanos());

    let t = Timestamp::from_nanos(
        i128::from(fold(i.i64(), -DAY_SPAN, DAY_SPAN)) * DAY_NS / 1000
            + i128::from(i.u32() % 1_000_000_000),
    );
    let m = w.fix(t);
    assert!(in_window(m), "{t:?} -> {m:?}");
    assert_eq!(
        (m.as_nanos() - t.as_nanos()).rem_euclid(era_ns),
        0,
        "by whole eras"
    );
    assert_eq!(w.fix(m), m, "era mapping is idempotent");

    let week = i.u32();
    let e = w.expand_week(week);
    assert_eq!(e % 1024, week % 1024);
    assert!(in_window(GpsTime::new(e, 0, 0).to_utc(0)), "{week} -> {e}");
    let tow_ns = i.u64() % (SECS_PER_WEEK as u64 * 1_000_000_000);
    let leap = i32::from(i.u8());
    let u = w.gps_to_utc(week, tow_ns as i64, leap);
    assert!(in_window(u), "week {week} -> {u:?}");
    assert_eq!(
        u,
        w.fix(
            GpsTime {
                week: week % 1024,
                tow_nanos: tow_ns as i64
            }
            .to_utc(leap)
        )
    );

    let tod = fold(i.i64(), -2 * SECS_PER_DAY, 2 * SECS_PER_DAY) * 1_000_000_000
        + i64::from(i.u32() % 1_000_000_000);
    let p = from_daytime(tod, rec);
    let d = p.as_nanos() - rec.as_nanos();
    assert!(
        (-DAY_NS / 2..DAY_NS / 2).contains(&d),
        "{tod} placed {d} ns from {rec:?}"
    );
    assert_eq!(
        (p.as_nanos() - i128::from(tod)).rem_euclid(DAY_NS),
        0,
        "time of day kept"
    );

    let (yy, floor) = (i.u8() % 100, 1900 + i32::from(i.u8()));
    let y = gps::unfold_two_digit_year(yy, floor, &base, rec);
    let reference = year_of(rec.max(Timestamp::from_secs(base.unix_secs())));
    let lo = floor.max(reference - 50);
    assert!(lo <= y && y < lo + 100, "{yy} -> {y} (from {lo})");
    assert_eq!((y - i32::from(yy)).rem_euclid(100), 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_runs_on_zeros_and_ones() {
        for sel in 0..8u8 {
            for fill in [0u8, 1, 0x7f, 0xff] {
                let mut d = vec![sel];
                d.extend(std::iter::repeat_n(fill, 40));
                assert!(calendar(&d) >= 1);
            }
        }
    }

    #[test]
    fn a_known_clocktime() {
        // 2024-06-15 (yday 167) 12:00:03 received at 12:00:05.
        let mut d = vec![3u8];
        d.extend_from_slice(&167u16.to_le_bytes());
        d.extend_from_slice(&[12, 0, 3, 0]);
        d.extend_from_slice(&1_718_452_805i64.to_le_bytes());
        d.extend_from_slice(&[0; 5]);
        assert_eq!(calendar(&d), 1);
    }
}
