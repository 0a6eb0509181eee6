//! Calendar arithmetic for timecodes: civil dates ↔ Unix time, year
//! inference for timecodes without a year (ntpd's `clocktime()`), 2-digit
//! year unfolding, and the base date before which no timecode date is
//! believed. GPS weeks and eras are in [`crate::gps`].
//!
//! All functions are pure; the "now" they reason around is always a
//! receive timestamp handed in by the caller.

use crate::time::Timestamp;
use thiserror::Error;

/// Seconds in a day.
pub const SECS_PER_DAY: i64 = 86_400;
/// The GPS epoch, 1980-01-06 00:00:00 UTC, as Unix seconds.
pub const GPS_EPOCH_UNIX: i64 = 315_964_800;
/// Seconds in a GPS week.
pub const SECS_PER_WEEK: i64 = 7 * SECS_PER_DAY;
/// `clocktime()` accepts a result only within this many seconds of the
/// receive time (`CLOSETIME`, 4 h).
pub const CLOSETIME: i64 = 4 * 3600;
/// `clocktime()` reuses the cached year start when the result lands this
/// close to the receive time (`NEARTIME`, 182 days).
pub const NEARTIME: i64 = 182 * SECS_PER_DAY;

/// What was wrong with a date or time.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CalendarError {
    /// A field is outside its range.
    #[error("{field} {value} out of range {min}..={max}")]
    OutOfRange {
        /// Which field.
        field: &'static str,
        /// The value found.
        value: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// The day does not exist in that month and year (e.g. Feb 29, 2023).
    #[error("day {day} does not exist in {year}-{month:02}")]
    NoSuchDay {
        /// Year.
        year: i32,
        /// Month.
        month: u8,
        /// Day of month.
        day: u8,
    },
    /// The timecode is more than [`CLOSETIME`] away from the receive time in
    /// every candidate year.
    #[error("timecode is {diff} s from the receive time (limit {CLOSETIME} s)")]
    TooFar {
        /// Signed distance (timecode − receive time) of the best candidate.
        diff: i64,
    },
}

fn check(field: &'static str, value: i64, min: i64, max: i64) -> Result<(), CalendarError> {
    if value < min || value > max {
        Err(CalendarError::OutOfRange {
            field,
            value,
            min,
            max,
        })
    } else {
        Ok(())
    }
}

/// Gregorian leap year.
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1..=12) of `year`.
pub const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days in `year`.
pub const fn days_in_year(year: i32) -> u16 {
    if is_leap_year(year) {
        366
    } else {
        365
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (any year; month
/// and day are not checked here).
pub const fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    // Shift the year to start in March so the leap day is the last one.
    let y = year as i64 - (month <= 2) as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) of a day count since 1970-01-01.
pub const fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y as i32, m, d)
}

/// Day of year (1..=366) of a date.
pub const fn day_of_year(year: i32, month: u8, day: u8) -> u16 {
    (days_from_civil(year, month, day) - days_from_civil(year, 1, 1) + 1) as u16
}

/// Month and day of a day of year; `None` when `yday` is not in the year.
pub fn month_day(year: i32, yday: u16) -> Option<(u8, u8)> {
    if yday == 0 || yday > days_in_year(year) {
        return None;
    }
    let (_, m, d) = civil_from_days(days_from_civil(year, 1, 1) + yday as i64 - 1);
    Some((m, d))
}

/// A UTC date and time as a timecode states it. `second` may be 60 (a leap
/// second).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CivilTime {
    /// Full year (e.g. 2024).
    pub year: i32,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of month, 1..=31.
    pub day: u8,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=60.
    pub second: u8,
    /// Nanoseconds, 0..1e9.
    pub nanos: u32,
}

impl CivilTime {
    /// A civil time at a whole second (fields are checked later, by
    /// [`CivilTime::validate`] or [`CivilTime::to_timestamp`]).
    pub const fn new(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Self {
        CivilTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos: 0,
        }
    }

    /// Checks every field's range, including the day against the month.
    pub fn validate(&self) -> Result<(), CalendarError> {
        check("month", self.month as i64, 1, 12)?;
        check("day", self.day as i64, 1, 31)?;
        check_time(self.hour, self.minute, self.second)?;
        check("nanoseconds", self.nanos as i64, 0, 999_999_999)?;
        if self.day > days_in_month(self.year, self.month) {
            return Err(CalendarError::NoSuchDay {
                year: self.year,
                month: self.month,
                day: self.day,
            });
        }
        Ok(())
    }

    /// Unix time of this civil time, after validation. Second 60 maps onto
    /// the first second of the next day, as POSIX time does (the kernel
    /// repeats a second instead).
    pub fn to_timestamp(&self) -> Result<Timestamp, CalendarError> {
        self.validate()?;
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * SECS_PER_DAY
            + self.hour as i64 * 3600
            + self.minute as i64 * 60
            + self.second as i64;
        Ok(Timestamp::new(secs, self.nanos))
    }

    /// The civil time of a Unix timestamp (never second 60).
    pub fn from_timestamp(t: Timestamp) -> CivilTime {
        let days = t.secs().div_euclid(SECS_PER_DAY);
        let sod = t.secs().rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        CivilTime {
            year,
            month,
            day,
            hour: (sod / 3600) as u8,
            minute: (sod / 60 % 60) as u8,
            second: (sod % 60) as u8,
            nanos: t.subsec_nanos(),
        }
    }

    /// Day of year of the date.
    pub fn yday(&self) -> u16 {
        day_of_year(self.year, self.month, self.day)
    }
}

/// Checks hour 0..=23, minute 0..=59, second 0..=60.
pub fn check_time(hour: u8, minute: u8, second: u8) -> Result<(), CalendarError> {
    check("hour", hour as i64, 0, 23)?;
    check("minute", minute as i64, 0, 59)?;
    check("second", second as i64, 0, 60)
}

/// The year a Unix time falls in.
pub fn year_of(t: Timestamp) -> i32 {
    civil_from_days(t.secs().div_euclid(SECS_PER_DAY)).0
}

fn year_start(year: i32) -> i64 {
    days_from_civil(year, 1, 1) * SECS_PER_DAY
}

/// A cache of the year start found by the last [`clocktime`] call
/// (`pp->yearstart`).
pub type YearStart = Option<i64>;

/// Full Unix seconds of a timecode that gives only day-of-year and time of
/// day, choosing the year that puts it nearest to `rec` (ntpd's
/// `clocktime()`): the cached year start is used when it lands within
/// [`NEARTIME`]; otherwise the years around the receive time are tried and
/// the closest wins (and is cached). Fails with [`CalendarError::TooFar`]
/// when the result is [`CLOSETIME`] or more from `rec`.
///
/// `tz_hours_west` is added to the hour, as ntpd's `tzoff` is. Field ranges
/// are checked (`yday` 1..=366, second up to 60).
pub fn clocktime(
    yday: u16,
    hour: u8,
    minute: u8,
    second: u8,
    tz_hours_west: i32,
    rec: Timestamp,
    cache: &mut YearStart,
) -> Result<i64, CalendarError> {
    check("day of year", yday as i64, 1, 366)?;
    check_time(hour, minute, second)?;
    let into_year = second as i64
        + 60 * (minute as i64 + 60 * (hour as i64 + tz_hours_west as i64 + 24 * (yday as i64 - 1)));
    let rec_s = rec.secs();
    let verdict = |t: i64| {
        let d = t - rec_s;
        if d.abs() < CLOSETIME {
            Ok(t)
        } else {
            Err(CalendarError::TooFar { diff: d })
        }
    };
    if let Some(ys) = *cache {
        let t = ys + into_year;
        if (t - rec_s).abs() < NEARTIME {
            return verdict(t);
        }
    }
    let guess = year_of(Timestamp::from_secs(rec_s - into_year));
    let best = (guess - 1..=guess + 1)
        .map(|y| (year_start(y), year_start(y) + into_year))
        .min_by_key(|&(_, t)| ((t - rec_s).abs(), (t - rec_s) > 0))
        .expect("three candidates");
    *cache = Some(best.0);
    verdict(best.1)
}

/// Maps `value` into the window `[pivot, pivot + cycle)` by adding a
/// multiple of `cycle` (`ntpcal_periodic_extend`).
pub fn periodic_extend(pivot: i64, value: i64, cycle: i64) -> i64 {
    pivot + (value - pivot).rem_euclid(cycle)
}

/// Unfolds a 2-digit year into the century window starting at
/// `pivot_year` (the result is in `pivot_year..pivot_year + 100`).
pub fn unfold_two_digit_year(yy: u8, pivot_year: i32) -> i32 {
    periodic_extend(pivot_year as i64, yy as i64, 100) as i32
}

/// The date before which no GPS date is believed: a receiver's truncated
/// week number or two-digit year is unfolded to a date on or after it
/// (ntp 4.2.8p13+ `basedate`). The C ntp-refclock sets it to its build
/// date minus 14 days, so a binary decodes GPS dates right for about 19.6
/// years after it was built; [`crate::gps::EraWindow`] also follows the
/// system clock once it is later, so the base date only matters while
/// the system clock is wrong. [`Basedate::default`] is
/// [`Basedate::RELEASE`], fixed in the source (not the build date, which
/// would make builds differ and freeze at the first build of a target
/// directory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Basedate {
    /// Days since 1970-01-01.
    day: i64,
}

impl Default for Basedate {
    fn default() -> Self {
        Basedate::RELEASE
    }
}

impl Basedate {
    /// The default base date, 2026-11-14: what the C program derives from
    /// its build date (the day before it, less 14 days) when built on this
    /// release's date, 2026-11-29 (it prints "basedate set to 2026-11-14").
    pub const RELEASE: Basedate = Basedate::from_unix_day(days_from_civil(2026, 11, 14));

    /// From a day count since 1970-01-01.
    pub const fn from_unix_day(day: i64) -> Self {
        Basedate { day }
    }

    /// From a civil date.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Self, CalendarError> {
        CivilTime {
            year,
            month,
            day,
            ..Default::default()
        }
        .validate()?;
        Ok(Self::from_unix_day(days_from_civil(year, month, day)))
    }

    /// Day count since 1970-01-01.
    pub const fn unix_day(&self) -> i64 {
        self.day
    }

    /// Unix seconds of the base date's midnight.
    pub const fn unix_secs(&self) -> i64 {
        self.day * SECS_PER_DAY
    }

    /// The year of the base date.
    pub fn year(&self) -> i32 {
        civil_from_days(self.day).0
    }

    /// The full GPS week of the first Sunday on or after the base date
    /// (never before week 0).
    pub fn base_gps_week(&self) -> u32 {
        let days = self.day - GPS_EPOCH_UNIX / SECS_PER_DAY;
        ((days.max(0) + 6) / 7) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
        CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
    }

    #[test]
    fn civil_round_trip_over_centuries() {
        for days in (-800_000..800_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn leap_years() {
        assert!(is_leap_year(2000));
        assert!(!is_leap_year(1900));
        assert!(is_leap_year(2024));
        assert!(!is_leap_year(2100));
        assert_eq!(day_of_year(2024, 12, 31), 366);
        assert_eq!(month_day(2024, 60), Some((2, 29)));
        assert_eq!(month_day(2023, 60), Some((3, 1)));
        assert_eq!(month_day(2023, 366), None);
    }

    #[test]
    fn feb_29_validation() {
        let mut c = CivilTime {
            year: 2024,
            month: 2,
            day: 29,
            ..Default::default()
        };
        assert!(c.validate().is_ok());
        c.year = 2023;
        assert!(matches!(c.validate(), Err(CalendarError::NoSuchDay { .. })));
        c.year = 2100;
        assert!(c.validate().is_err());
    }

    #[test]
    fn second_60_is_next_midnight() {
        let leap = ts(2016, 12, 31, 23, 59, 60);
        assert_eq!(leap, ts(2017, 1, 1, 0, 0, 0));
        assert_eq!(leap.secs(), 1_483_228_800);
        let bad = CivilTime {
            second: 61,
            ..CivilTime::from_timestamp(leap)
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn clocktime_same_year() {
        let rec = ts(2024, 6, 15, 12, 0, 5);
        let mut cache = None;
        let t = clocktime(day_of_year(2024, 6, 15), 12, 0, 3, 0, rec, &mut cache).unwrap();
        assert_eq!(t, ts(2024, 6, 15, 12, 0, 3).secs());
        assert_eq!(cache, Some(year_start(2024)));
        // Second call uses the cache.
        let t2 = clocktime(day_of_year(2024, 6, 15), 12, 0, 4, 0, rec, &mut cache).unwrap();
        assert_eq!(t2, t + 1);
    }

    #[test]
    fn clocktime_new_year_both_ways() {
        // Timecode says Dec 31 23:59:59 but we received it just after New Year.
        let rec = ts(2025, 1, 1, 0, 0, 1);
        let mut cache = None;
        // 2024 is a leap year: Dec 31 is day 366.
        let t = clocktime(366, 23, 59, 59, 0, rec, &mut cache).unwrap();
        assert_eq!(t, ts(2024, 12, 31, 23, 59, 59).secs());
        // Timecode says Jan 1 00:00:01, received late on Dec 31.
        let rec = ts(2024, 12, 31, 23, 59, 58);
        let mut cache = Some(year_start(2024));
        let t = clocktime(1, 0, 0, 1, 0, rec, &mut cache).unwrap();
        assert_eq!(t, ts(2025, 1, 1, 0, 0, 1).secs());
        assert_eq!(cache, Some(year_start(2025)));
    }

    #[test]
    fn clocktime_leap_day_and_leap_second() {
        let rec = ts(2024, 2, 29, 10, 0, 0);
        let t = clocktime(60, 10, 0, 0, 0, rec, &mut None).unwrap();
        assert_eq!(t, rec.secs());
        let rec = ts(2016, 12, 31, 23, 59, 59);
        let t = clocktime(366, 23, 59, 60, 0, rec, &mut None).unwrap();
        assert_eq!(t, ts(2017, 1, 1, 0, 0, 0).secs());
    }

    #[test]
    fn clocktime_rejects_far_times() {
        let rec = ts(2024, 6, 15, 12, 0, 0);
        let r = clocktime(day_of_year(2024, 6, 15), 17, 0, 0, 0, rec, &mut None);
        assert_eq!(r, Err(CalendarError::TooFar { diff: 5 * 3600 }));
        let r = clocktime(0, 0, 0, 0, 0, rec, &mut None);
        assert!(matches!(r, Err(CalendarError::OutOfRange { .. })));
        let r = clocktime(10, 24, 0, 0, 0, rec, &mut None);
        assert!(matches!(
            r,
            Err(CalendarError::OutOfRange { field: "hour", .. })
        ));
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(unfold_two_digit_year(24, 2004), 2024);
        assert_eq!(unfold_two_digit_year(3, 2004), 2103);
        assert_eq!(unfold_two_digit_year(99, 1980), 1999);
        assert_eq!(unfold_two_digit_year(79, 1980), 2079);
        assert_eq!(unfold_two_digit_year(0, 2000), 2000);
    }

    #[test]
    fn basedate_sunday_alignment() {
        // 1980-01-06 is the GPS epoch (a Sunday): week 0.
        assert_eq!(Basedate::from_ymd(1980, 1, 6).unwrap().base_gps_week(), 0);
        // The next day rounds up to week 1.
        assert_eq!(Basedate::from_ymd(1980, 1, 7).unwrap().base_gps_week(), 1);
        assert_eq!(
            Basedate::default(),
            Basedate::from_ymd(2026, 11, 14).unwrap()
        );
    }
}
