//! Date arithmetic of the NMEA driver: how ntpd 4.2.8p18 turns what a
//! sentence says into a full time stamp (libntp/ntp_calgps.c).
//!
//! * A date is never trusted as sent: unless the driver's DATETRUST mode
//!   bit is set, every result is mapped by whole GPS eras (1024 weeks) into
//!   the era that starts with the GPS week of the base date
//!   ([`fix_gps_era`]). GPS-week dates are always mapped.
//! * A two-digit year is read as 1980..=2079 (and 1980-01-01..05, before
//!   the GPS epoch, as 2080) before that mapping ([`from_calendar`]).
//! * A time of day alone is placed within ±12 hours of a pivot: the last
//!   date seen (for [`DATE_HOLD`] seconds) or else the receive time
//!   ([`from_daytime`]).
//!
//! Everything works on Unix timestamps with nanoseconds, exactly in
//! integers; ntpd's split day/second and week/second forms are not needed.

use refclock_core::calendar::{days_from_civil, Basedate, GPS_EPOCH_UNIX, SECS_PER_DAY};
use refclock_core::Timestamp;

/// Seconds a date stays in use as the pivot for time-only sentences
/// (`DATE_HOLD`).
pub const DATE_HOLD: u16 = 16;
/// Below this many seconds left of the hold, a date of any type is taken
/// again (`DATE_HLIM`).
pub const DATE_HLIM: u16 = 4;

const NANOS_PER_SEC: i128 = 1_000_000_000;
const NANOS_PER_DAY: i128 = SECS_PER_DAY as i128 * NANOS_PER_SEC;
/// Days in a GPS era of 1024 weeks.
const ERA_DAYS: i64 = 7 * 1024;
/// Unix day of the GPS epoch, 1980-01-06.
const GPS_EPOCH_DAY: i64 = GPS_EPOCH_UNIX / SECS_PER_DAY;

/// The kinds of date a sentence provides, in ntpd's order of preference
/// (`enum date_type`): while a date is held, only a date of the same or a
/// later type replaces it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum DateType {
    /// No date held (`DTYP_NONE`).
    #[default]
    None,
    /// Two-digit year, RMC (`DTYP_Y2D`).
    TwoDigitYear,
    /// 10-bit GPS week, PGRMF (`DTYP_W10B`).
    Week10Bit,
    /// Four-digit year, ZDA and ZDG (`DTYP_Y4D`).
    FourDigitYear,
    /// Full week number, PUBX,04 (`DTYP_WEXT`).
    WeekExtended,
}

/// Unix day at which the GPS era of `base` begins: the Sunday that starts
/// the first GPS week on or after the base date.
pub fn era_start_day(base: &Basedate) -> i64 {
    GPS_EPOCH_DAY + 7 * base.base_gps_week() as i64
}

/// Moves `t` by whole eras of 1024 weeks into
/// `[era start, era start + 1024 weeks)` (`_gpsntp_fix_gps_era`), keeping
/// the time of day and the day of the week.
pub fn fix_gps_era(t: Timestamp, base: &Basedate) -> Timestamp {
    let start = era_start_day(base);
    let day = t.secs().div_euclid(SECS_PER_DAY);
    let mapped = start + (day - start).rem_euclid(ERA_DAYS);
    Timestamp::from_nanos(t.as_nanos() + (mapped - day) as i128 * NANOS_PER_DAY)
}

/// Places a time of day (`tod` nanoseconds after midnight, possibly
/// outside one day: a leap second, or ZDG's "next second" correction) in
/// `[pivot − 12 h, pivot + 12 h)` (`_gpsntp_from_daytime`).
pub fn from_daytime(tod: i64, pivot: Timestamp) -> Timestamp {
    let lo = pivot.as_nanos() - NANOS_PER_DAY / 2;
    let lo_tod = lo.rem_euclid(NANOS_PER_DAY);
    Timestamp::from_nanos(lo + (tod as i128 - lo_tod).rem_euclid(NANOS_PER_DAY))
}

/// [`from_daytime`], then [`fix_gps_era`] when `warp` is set
/// (`gpsntp_from_daytime{1,2}_ex`).
pub fn from_daytime_warped(tod: i64, pivot: Timestamp, warp: bool, base: &Basedate) -> Timestamp {
    let t = from_daytime(tod, pivot);
    if warp {
        fix_gps_era(t, base)
    } else {
        t
    }
}

/// A civil date plus a time of day (`tod` nanoseconds after midnight) as a
/// time stamp (`gpscal_from_calendar_ex` + `gpsntp_from_gpscal_ex`).
///
/// `year` below 100 is a two-digit year: 0..=79 means 20yy, 80..=99 19yy,
/// and a date before the GPS epoch (1980-01-01..05) a century later. A
/// four-digit date before the GPS epoch is always era-mapped; otherwise
/// the result is mapped only when `warp` is set. The day is not checked
/// against the month here (the decoder does that).
pub fn from_calendar(
    year: i32,
    month: u8,
    day: u8,
    tod: i64,
    warp: bool,
    base: &Basedate,
) -> Timestamp {
    let two_digit = (0..100).contains(&year);
    let mut y = match year {
        0..=79 => year + 2000,
        80..=99 => year + 1900,
        _ => year,
    };
    let mut days = days_from_civil(y, month, day);
    let mut warp = warp;
    if days < GPS_EPOCH_DAY {
        if two_digit {
            y += 100;
            days = days_from_civil(y, month, day);
        } else {
            warp = true;
        }
    }
    let t = Timestamp::from_nanos(days as i128 * NANOS_PER_DAY + tod as i128);
    if warp {
        fix_gps_era(t, base)
    } else {
        t
    }
}

/// A GPS week and time of week as a time stamp, always era-mapped
/// (`gpscal_from_gpsweek`): `week` is taken modulo 2^16 as ntpd's
/// `uint16_t` does, then `tow` seconds + `tow_nanos` − `leap` seconds are
/// added.
pub fn from_gps_week(week: u32, tow: u32, tow_nanos: u32, leap: u16, base: &Basedate) -> Timestamp {
    let week = (week & 0xffff) as i128;
    let secs =
        GPS_EPOCH_UNIX as i128 + week * 7 * SECS_PER_DAY as i128 + tow as i128 - leap as i128;
    let t = Timestamp::from_nanos(secs * NANOS_PER_SEC + tow_nanos as i128);
    fix_gps_era(t, base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use refclock_core::calendar::CivilTime;

    fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
        CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
    }

    fn tod(h: i64, m: i64, s: i64) -> i64 {
        (h * 3600 + m * 60 + s) * 1_000_000_000
    }

    #[test]
    fn daytime_window_is_minus_12_to_plus_12_hours() {
        let pivot = ts(2024, 6, 15, 12, 0, 0);
        assert_eq!(
            from_daytime(tod(12, 0, 1), pivot),
            ts(2024, 6, 15, 12, 0, 1)
        );
        // Exactly 12 h away: the earlier one (ntpd's tie rule).
        assert_eq!(from_daytime(tod(0, 0, 0), pivot), ts(2024, 6, 15, 0, 0, 0));
        // Just past midnight, pivot late in the day: next day.
        let pivot = ts(2024, 6, 15, 23, 59, 59);
        assert_eq!(from_daytime(tod(0, 0, 1), pivot), ts(2024, 6, 16, 0, 0, 1));
        // Late time of day, pivot just after midnight: previous day.
        let pivot = ts(2024, 6, 16, 0, 0, 2);
        assert_eq!(
            from_daytime(tod(23, 59, 58), pivot),
            ts(2024, 6, 15, 23, 59, 58)
        );
        // A leap second is the first second of the next day.
        let pivot = ts(2017, 1, 1, 0, 0, 0);
        assert_eq!(
            from_daytime(tod(23, 59, 60), pivot),
            ts(2017, 1, 1, 0, 0, 0)
        );
        // ZDG's "minus one second" across midnight.
        assert_eq!(
            from_daytime(-1_000_000_000, pivot),
            ts(2016, 12, 31, 23, 59, 59)
        );
    }

    #[test]
    fn era_mapping() {
        let base = Basedate::from_ymd(2015, 1, 1).unwrap();
        // 2019-04-07 is GPS week 2048; one era before that is 1999-08-22.
        let t = ts(1999, 8, 22, 10, 0, 0);
        assert_eq!(fix_gps_era(t, &base), ts(2019, 4, 7, 10, 0, 0));
        // Inside the era: unchanged.
        let t = ts(2020, 5, 5, 5, 5, 5);
        assert_eq!(fix_gps_era(t, &base), t);
        // Beyond the era: pulled back.
        let far = Timestamp::from_secs(t.secs() + 1024 * 7 * 86_400);
        assert_eq!(fix_gps_era(far, &base), t);
    }

    #[test]
    fn two_digit_years() {
        let base = Basedate::from_ymd(1990, 1, 1).unwrap();
        assert_eq!(
            from_calendar(99, 12, 31, 0, false, &base),
            ts(1999, 12, 31, 0, 0, 0)
        );
        assert_eq!(
            from_calendar(79, 1, 1, 0, false, &base),
            ts(2079, 1, 1, 0, 0, 0)
        );
        assert_eq!(
            from_calendar(80, 1, 6, 0, false, &base),
            ts(1980, 1, 6, 0, 0, 0)
        );
        // Before the GPS epoch: a century later.
        assert_eq!(
            from_calendar(80, 1, 5, 0, false, &base),
            ts(2080, 1, 5, 0, 0, 0)
        );
        // With the era mapping, 2079 lands in the era after 1990's.
        let t = from_calendar(79, 1, 1, 0, true, &base);
        assert!(t >= Timestamp::from_secs(era_start_day(&base) * 86_400));
        assert_eq!(
            (ts(2079, 1, 1, 0, 0, 0).secs() - t.secs()) % (7168 * 86_400),
            0
        );
    }

    #[test]
    fn gps_weeks() {
        let base = Basedate::from_ymd(2004, 1, 1).unwrap();
        // Garmin 17N, 2005-03-16 09:38:02 UTC: week 290 (mod 1024), 13 leap s.
        assert_eq!(
            from_gps_week(290, 293_895, 0, 13, &base),
            ts(2005, 3, 16, 9, 38, 2)
        );
        // A four-digit year before the GPS epoch is always mapped.
        let t = from_calendar(1970, 1, 1, 0, false, &base);
        assert!(t.secs() >= era_start_day(&base) * 86_400);
    }
}
