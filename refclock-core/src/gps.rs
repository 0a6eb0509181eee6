//! GPS time: week and time of week ↔ UTC, in integer nanoseconds, and the
//! unfolding of truncated dates (10-bit weeks, two-digit years, GPS
//! roll-over bugs) into the right era.
//!
//! ## Eras that stay right
//!
//! A 10-bit week number repeats every 1024 weeks (about 19.6 years), and
//! receivers with the roll-over bug report dates a multiple of 1024 weeks
//! in the past. ntpd (and so the C ntp-refclock) maps every GPS date into
//! the 1024 weeks that start at its base date, which it ties to its build
//! date: a binary built today decodes wrongly from about 2046 on, even
//! when the system clock is right, and must be rebuilt every 19 years.
//!
//! Here the window is an [`EraWindow`] that follows the system clock:
//! it starts at the later of the base date's GPS week and the receive
//! time less 512 weeks. While the system clock is right, a date is
//! unfolded to within ±9.8 years of it, for as long as the clock runs;
//! while the system clock is wrong and before the base date (an RTC reset
//! to 1970), the base date still decides, exactly as in ntpd. A clock that
//! is right and later than the base date + 9.8 years is the only case in
//! which the result differs from ntpd's, and there ntpd's is wrong.

use crate::calendar::{Basedate, GPS_EPOCH_UNIX, SECS_PER_DAY, SECS_PER_WEEK};
use crate::time::Timestamp;

/// Nanoseconds in a second.
pub const NANOS_PER_SEC: i128 = 1_000_000_000;
/// Nanoseconds in a day.
pub const NANOS_PER_DAY: i128 = SECS_PER_DAY as i128 * NANOS_PER_SEC;
/// Nanoseconds in a GPS week.
pub const NANOS_PER_WEEK: i128 = SECS_PER_WEEK as i128 * NANOS_PER_SEC;
/// Weeks in one cycle of the 10-bit GPS week number.
pub const WEEKS_PER_ERA: i64 = 1024;
/// Days in one GPS era of 1024 weeks.
pub const DAYS_PER_ERA: i64 = 7 * WEEKS_PER_ERA;
/// Unix day of the GPS epoch, 1980-01-06.
pub const GPS_EPOCH_DAY: i64 = GPS_EPOCH_UNIX / SECS_PER_DAY;

/// A time on the GPS time scale: a full week number and the nanoseconds
/// into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GpsTime {
    /// Weeks since 1980-01-06 (not truncated).
    pub week: u32,
    /// Nanoseconds into the week, `0..604_800 × 10⁹`.
    pub tow_nanos: i64,
}

impl GpsTime {
    /// From a week and whole seconds plus nanoseconds of the week.
    pub const fn new(week: u32, tow_secs: u32, nanos: u32) -> GpsTime {
        GpsTime {
            week,
            tow_nanos: tow_secs as i64 * 1_000_000_000 + nanos as i64,
        }
    }

    /// The UTC time, given `gps_utc` = GPS − UTC in seconds (18 since
    /// 2017-01-01; a receiver states it in its time packets).
    pub fn to_utc(self, gps_utc: i32) -> Timestamp {
        Timestamp::from_nanos(
            (GPS_EPOCH_UNIX - gps_utc as i64) as i128 * NANOS_PER_SEC
                + self.week as i128 * NANOS_PER_WEEK
                + self.tow_nanos as i128,
        )
    }

    /// The GPS time of a UTC time (`gps_utc` = GPS − UTC); times before
    /// the GPS epoch give week 0.
    pub fn from_utc(t: Timestamp, gps_utc: i32) -> GpsTime {
        let g = t.as_nanos() + (gps_utc as i64 - GPS_EPOCH_UNIX) as i128 * NANOS_PER_SEC;
        let week = g.div_euclid(NANOS_PER_WEEK);
        if week < 0 {
            return GpsTime {
                week: 0,
                tow_nanos: 0,
            };
        }
        GpsTime {
            week: week as u32,
            tow_nanos: g.rem_euclid(NANOS_PER_WEEK) as i64,
        }
    }

    /// Whole seconds into the week.
    pub const fn tow_secs(&self) -> u32 {
        (self.tow_nanos / 1_000_000_000) as u32
    }
}

/// The 1024 GPS weeks into which dates are unfolded (see the module
/// documentation): from the later of the base date's first GPS week and
/// the GPS week of the receive time less 512 weeks. It always starts on a
/// Sunday, the start of a GPS week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EraWindow {
    /// Unix day the window starts on.
    start_day: i64,
}

impl EraWindow {
    /// The window for a timecode received at `rec` (the system clock),
    /// never starting before `base`'s first GPS week.
    pub fn new(base: &Basedate, rec: Timestamp) -> EraWindow {
        let base_day = GPS_EPOCH_DAY + 7 * base.base_gps_week() as i64;
        let rec_day = rec.secs().div_euclid(SECS_PER_DAY) - DAYS_PER_ERA / 2;
        // Back to the Sunday that starts its GPS week, so that the window
        // holds 1024 whole weeks.
        let rec_sunday = GPS_EPOCH_DAY + (rec_day - GPS_EPOCH_DAY).div_euclid(7) * 7;
        EraWindow {
            start_day: base_day.max(rec_sunday),
        }
    }

    /// The window of the base date alone (ntpd's, which ignores the system
    /// clock): for tests and for comparing with the C program.
    pub fn of_basedate(base: &Basedate) -> EraWindow {
        EraWindow {
            start_day: GPS_EPOCH_DAY + 7 * base.base_gps_week() as i64,
        }
    }

    /// The Unix day the window starts on.
    pub const fn start_day(&self) -> i64 {
        self.start_day
    }

    /// The first instant of the window.
    pub const fn start(&self) -> Timestamp {
        Timestamp::from_secs(self.start_day * SECS_PER_DAY)
    }

    /// Moves `t` by whole eras of 1024 weeks into the window, keeping the
    /// time of day and the day of the week (`_gpsntp_fix_gps_era`).
    pub fn fix(&self, t: Timestamp) -> Timestamp {
        let day = t.secs().div_euclid(SECS_PER_DAY);
        let mapped = self.start_day + (day - self.start_day).rem_euclid(DAYS_PER_ERA);
        Timestamp::from_nanos(t.as_nanos() + (mapped - day) as i128 * NANOS_PER_DAY)
    }

    /// The full week number of a truncated one (10-bit, or any value
    /// reduced modulo 1024): the week within the window that agrees with
    /// it modulo 1024.
    pub fn expand_week(&self, week: u32) -> u32 {
        let start_week = (self.start_day - GPS_EPOCH_DAY).div_euclid(7).max(0);
        let w = start_week + (week as i64 - start_week).rem_euclid(WEEKS_PER_ERA);
        w as u32
    }

    /// The UTC time of a truncated week, time of week and `gps_utc`,
    /// unfolded into the window.
    pub fn gps_to_utc(&self, week: u32, tow_nanos: i64, gps_utc: i32) -> Timestamp {
        let t = GpsTime {
            week: week % WEEKS_PER_ERA as u32,
            tow_nanos,
        }
        .to_utc(gps_utc);
        self.fix(t)
    }
}

/// The time of day `tod` (nanoseconds after midnight, possibly outside
/// one day: a leap second, or a "next second" correction) placed in
/// `[pivot − 12 h, pivot + 12 h)` (`_gpsntp_from_daytime`).
pub fn from_daytime(tod: i64, pivot: Timestamp) -> Timestamp {
    let lo = pivot.as_nanos() - NANOS_PER_DAY / 2;
    let lo_tod = lo.rem_euclid(NANOS_PER_DAY);
    Timestamp::from_nanos(lo + (tod as i128 - lo_tod).rem_euclid(NANOS_PER_DAY))
}

/// The year a two-digit year `yy` means for a timecode received at `rec`:
/// the year in the century that starts at `floor_year`, or, once the
/// later of the base date and the receive time is past `floor_year + 50`,
/// in the century centred on that year. With `floor_year` 1980 this is
/// ntpd's NMEA rule (80..99 → 19yy, 0..79 → 20yy) until 2030, and stays
/// right after 2079.
pub fn unfold_two_digit_year(yy: u8, floor_year: i32, base: &Basedate, rec: Timestamp) -> i32 {
    let reference = crate::calendar::year_of(rec.max(Timestamp::from_secs(base.unix_secs())));
    let lo = floor_year.max(reference - 50);
    crate::calendar::unfold_two_digit_year(yy, lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CivilTime;

    fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
        CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
    }

    fn base(y: i32) -> Basedate {
        Basedate::from_ymd(y, 1, 1).unwrap()
    }

    #[test]
    fn weeks_and_rollovers() {
        let w = |week| GpsTime::new(week, 0, 0).to_utc(0);
        assert_eq!(w(1024), ts(1999, 8, 22, 0, 0, 0));
        assert_eq!(w(2048), ts(2019, 4, 7, 0, 0, 0));
        assert_eq!(w(3072), ts(2038, 11, 21, 0, 0, 0));
        assert_eq!(w(4096), ts(2058, 7, 7, 0, 0, 0));
        // GPS is 18 s ahead of UTC since 2017.
        let t = ts(2019, 4, 6, 23, 59, 42);
        assert_eq!(GpsTime::from_utc(t, 18), GpsTime::new(2048, 0, 0));
        assert_eq!(GpsTime::new(2048, 0, 0).to_utc(18), t);
        // Nanoseconds survive both ways.
        let g = GpsTime::new(2300, 604_799, 999_999_999);
        assert_eq!(GpsTime::from_utc(g.to_utc(18), 18), g);
        assert_eq!(g.tow_secs(), 604_799);
        assert_eq!(GpsTime::from_utc(Timestamp::EPOCH, 0).week, 0);
    }

    #[test]
    fn the_window_follows_a_right_clock_and_not_a_lagging_one() {
        let b = base(2026);
        // Before base + 512 weeks: the base date decides (ntpd's window).
        let early = EraWindow::new(&b, ts(2027, 6, 1, 0, 0, 0));
        assert_eq!(early, EraWindow::of_basedate(&b));
        // A system clock reset to 1970 still gets the base date's window.
        assert_eq!(
            EraWindow::new(&b, Timestamp::EPOCH),
            EraWindow::of_basedate(&b)
        );
        // Later: centred on the receive time, from a Sunday.
        let rec = ts(2080, 6, 1, 0, 0, 0);
        let late = EraWindow::new(&b, rec);
        let half = DAYS_PER_ERA / 2 * SECS_PER_DAY;
        let lag = rec.secs() - half - late.start().secs();
        assert!((0..7 * SECS_PER_DAY).contains(&lag), "{lag}");
        assert_eq!((late.start_day() - GPS_EPOCH_DAY) % 7, 0);
    }

    #[test]
    fn fix_maps_by_whole_eras() {
        let w = EraWindow::of_basedate(&base(2015));
        let t = ts(1999, 8, 22, 10, 0, 0);
        assert_eq!(w.fix(t), ts(2019, 4, 7, 10, 0, 0));
        let inside = ts(2020, 5, 5, 5, 5, 5);
        assert_eq!(w.fix(inside), inside);
        let far = Timestamp::from_secs(inside.secs() + DAYS_PER_ERA * SECS_PER_DAY);
        assert_eq!(w.fix(far), inside);
    }

    /// A 10-bit week, as a receiver sends it, decodes right at every
    /// roll-over up to 2100 while the system clock is right; ntpd's
    /// base-date window goes wrong 1024 weeks after its base date.
    #[test]
    fn ten_bit_weeks_decode_right_through_2100() {
        let b = base(2026);
        let ntpd = EraWindow::of_basedate(&b);
        let mut ntpd_wrong_from = None;
        for day in (0..(2101 - 2026) * 366).step_by(3) {
            let truth = Timestamp::from_secs(ts(2026, 1, 4, 12, 0, 0).secs() + day * SECS_PER_DAY);
            let g = GpsTime::from_utc(truth, 18);
            let w10 = g.week % 1024;
            let ours = EraWindow::new(&b, truth).gps_to_utc(w10, g.tow_nanos, 18);
            assert_eq!(ours, truth, "{truth:?}");
            if ntpd.gps_to_utc(w10, g.tow_nanos, 18) != truth && ntpd_wrong_from.is_none() {
                ntpd_wrong_from = Some(crate::calendar::year_of(truth));
            }
            // A week expanded from the window is the true week.
            assert_eq!(EraWindow::new(&b, truth).expand_week(w10), g.week);
        }
        assert_eq!(ntpd_wrong_from, Some(2045));
    }

    #[test]
    fn roll_over_bug_dates_are_corrected_around_the_boundaries() {
        let b = base(2026);
        for truth in [
            ts(2036, 2, 7, 6, 28, 16),
            ts(2038, 1, 19, 3, 14, 8),
            ts(2038, 11, 21, 0, 0, 0),
            ts(2050, 1, 1, 0, 0, 0),
            ts(2057, 12, 31, 23, 59, 59),
            ts(2058, 7, 7, 0, 0, 0),
            ts(2080, 2, 29, 12, 0, 0),
            ts(2099, 12, 31, 23, 59, 59),
            ts(2100, 1, 1, 0, 0, 0),
        ] {
            for eras in [0, 1, 2] {
                let reported =
                    Timestamp::from_secs(truth.secs() - eras * DAYS_PER_ERA * SECS_PER_DAY);
                // System clock right, or a few hours off either way.
                for skew in [-7200, 0, 7200] {
                    let rec = Timestamp::from_secs(truth.secs() + skew);
                    assert_eq!(
                        EraWindow::new(&b, rec).fix(reported),
                        truth,
                        "{truth:?} -{eras}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_lagging_clock_is_corrected_within_the_base_window() {
        let b = base(2026);
        let truth = ts(2030, 3, 3, 3, 3, 3);
        for rec in [
            Timestamp::EPOCH,
            ts(2001, 1, 1, 0, 0, 0),
            ts(2026, 1, 1, 0, 0, 0),
        ] {
            let g = GpsTime::from_utc(truth, 18);
            assert_eq!(
                EraWindow::new(&b, rec).gps_to_utc(g.week % 1024, g.tow_nanos, 18),
                truth
            );
        }
    }

    #[test]
    fn two_digit_years() {
        let b = base(2026);
        let at = |y| ts(y, 6, 1, 0, 0, 0);
        // ntpd's rule while the clock is before 2030.
        assert_eq!(unfold_two_digit_year(99, 1980, &b, at(2026)), 1999);
        assert_eq!(unfold_two_digit_year(79, 1980, &b, at(2026)), 2079);
        assert_eq!(unfold_two_digit_year(80, 1980, &b, at(2026)), 1980);
        // A lagging clock: the base date decides.
        assert_eq!(unfold_two_digit_year(27, 1980, &b, Timestamp::EPOCH), 2027);
        // Later the century follows the clock.
        assert_eq!(unfold_two_digit_year(99, 1980, &b, at(2099)), 2099);
        assert_eq!(unfold_two_digit_year(0, 1980, &b, at(2099)), 2100);
        assert_eq!(unfold_two_digit_year(0, 1980, &b, at(2100)), 2100);
        assert_eq!(unfold_two_digit_year(80, 1980, &b, at(2081)), 2080);
    }

    #[test]
    fn daytime_window_is_minus_12_to_plus_12_hours() {
        let tod = |h: i64, m: i64, s: i64| (h * 3600 + m * 60 + s) * 1_000_000_000;
        let pivot = ts(2024, 6, 15, 12, 0, 0);
        assert_eq!(
            from_daytime(tod(12, 0, 1), pivot),
            ts(2024, 6, 15, 12, 0, 1)
        );
        assert_eq!(from_daytime(tod(0, 0, 0), pivot), ts(2024, 6, 15, 0, 0, 0));
        let pivot = ts(2024, 6, 15, 23, 59, 59);
        assert_eq!(from_daytime(tod(0, 0, 1), pivot), ts(2024, 6, 16, 0, 0, 1));
        let pivot = ts(2017, 1, 1, 0, 0, 0);
        assert_eq!(
            from_daytime(tod(23, 59, 60), pivot),
            ts(2017, 1, 1, 0, 0, 0)
        );
        assert_eq!(
            from_daytime(-1_000_000_000, pivot),
            ts(2016, 12, 31, 23, 59, 59)
        );
    }
}
