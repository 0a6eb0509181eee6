//! Date arithmetic of the NMEA driver: how ntpd 4.2.8p18 turns what a
//! sentence says into a full time stamp (libntp/ntp_calgps.c), on top of
//! [`refclock_core::gps`].
//!
//! * A date is never trusted as sent: unless the driver's DATETRUST mode
//!   bit is set, every result is mapped by whole GPS eras (1024 weeks) into
//!   an [`EraWindow`]. GPS-week dates are always mapped. ntpd's window
//!   starts at the base date; ours also follows the system clock once it
//!   is later (see [`refclock_core::gps`]), so dates stay right after the
//!   base date + 19.6 years.
//! * A two-digit year is read as 1980..=2079, as ntpd reads it, until the
//!   system clock passes 2030; from then on as the year within 50 of it
//!   ([`unfold_two_digit_year`]). 1980-01-01..05, before the GPS epoch, is
//!   read a century later. Then the era mapping.
//! * A time of day alone is placed within ±12 hours of a pivot: the last
//!   date seen (for [`DATE_HOLD`] seconds) or else the receive time
//!   ([`from_daytime`]).
//!
//! Everything works on Unix timestamps with nanoseconds, exactly in
//! integers.

use refclock_core::calendar::{days_from_civil, Basedate};
use refclock_core::gps::{
    from_daytime, unfold_two_digit_year, EraWindow, GpsTime, GPS_EPOCH_DAY, NANOS_PER_DAY,
};
use refclock_core::Timestamp;

/// Seconds a date stays in use as the pivot for time-only sentences
/// (`DATE_HOLD`).
pub const DATE_HOLD: u16 = 16;
/// Below this many seconds left of the hold, a date of any type is taken
/// again (`DATE_HLIM`).
pub const DATE_HLIM: u16 = 4;

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

/// What dates are unfolded around for one sentence: the base date, the
/// receive time (the system clock) and the era window they give.
#[derive(Clone, Copy, Debug)]
pub struct Dating {
    /// The base date.
    pub base: Basedate,
    /// The system time the sentence was received at.
    pub rec: Timestamp,
    /// The era window of both.
    pub window: EraWindow,
}

impl Dating {
    /// For a sentence received at `rec`.
    pub fn new(base: Basedate, rec: Timestamp) -> Dating {
        Dating {
            base,
            rec,
            window: EraWindow::new(&base, rec),
        }
    }

    /// ntpd's dating, on the base date alone (for comparisons with it).
    pub fn ntpd(base: Basedate, rec: Timestamp) -> Dating {
        Dating {
            base,
            rec,
            window: EraWindow::of_basedate(&base),
        }
    }
}

/// [`from_daytime`], then the era mapping when `warp` is set
/// (`gpsntp_from_daytime{1,2}_ex`).
pub fn from_daytime_warped(tod: i64, pivot: Timestamp, warp: bool, dating: &Dating) -> Timestamp {
    let t = from_daytime(tod, pivot);
    if warp {
        dating.window.fix(t)
    } else {
        t
    }
}

/// A civil date plus a time of day (`tod` nanoseconds after midnight) as a
/// time stamp (`gpscal_from_calendar_ex` + `gpsntp_from_gpscal_ex`).
///
/// `year` below 100 is a two-digit year ([`unfold_two_digit_year`] from
/// 1980), and a date before the GPS epoch (1980-01-01..05) then means a
/// century later. A four-digit date before the GPS epoch is always
/// era-mapped; otherwise the result is mapped only when `warp` is set. The
/// day is not checked against the month here (the decoder does that).
pub fn from_calendar(
    year: i32,
    month: u8,
    day: u8,
    tod: i64,
    warp: bool,
    dating: &Dating,
) -> Timestamp {
    let two_digit = (0..100).contains(&year);
    let mut y = if two_digit {
        unfold_two_digit_year(year as u8, 1980, &dating.base, dating.rec)
    } else {
        year
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
        dating.window.fix(t)
    } else {
        t
    }
}

/// A GPS week and time of week as a time stamp, always era-mapped
/// (`gpscal_from_gpsweek`): `week` is taken modulo 2^16 as ntpd's
/// `uint16_t` does, then `tow` seconds + `tow_nanos` − `leap` seconds are
/// added.
pub fn from_gps_week(week: u32, tow: u32, tow_nanos: u32, leap: u16, dating: &Dating) -> Timestamp {
    let t = GpsTime::new(week & 0xffff, tow, tow_nanos).to_utc(i32::from(leap));
    dating.window.fix(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use refclock_core::calendar::CivilTime;

    fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
        CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
    }

    fn dating(base: (i32, u8, u8), rec: Timestamp) -> Dating {
        Dating::new(Basedate::from_ymd(base.0, base.1, base.2).unwrap(), rec)
    }

    #[test]
    fn two_digit_years() {
        let d = dating((1990, 1, 1), ts(1990, 6, 1, 0, 0, 0));
        assert_eq!(
            from_calendar(99, 12, 31, 0, false, &d),
            ts(1999, 12, 31, 0, 0, 0)
        );
        assert_eq!(
            from_calendar(79, 1, 1, 0, false, &d),
            ts(2079, 1, 1, 0, 0, 0)
        );
        assert_eq!(
            from_calendar(80, 1, 6, 0, false, &d),
            ts(1980, 1, 6, 0, 0, 0)
        );
        // Before the GPS epoch: a century later.
        assert_eq!(
            from_calendar(80, 1, 5, 0, false, &d),
            ts(2080, 1, 5, 0, 0, 0)
        );
        // With the era mapping, 2079 lands in the era after 1990's.
        let t = from_calendar(79, 1, 1, 0, true, &d);
        assert!(t >= d.window.start());
        assert_eq!(
            (ts(2079, 1, 1, 0, 0, 0).secs() - t.secs()) % (7168 * 86_400),
            0
        );
    }

    #[test]
    fn a_right_clock_keeps_dates_right_after_2046_and_2079() {
        let base = (2026, 11, 14);
        for (rec, yy, want) in [
            (ts(2047, 3, 1, 0, 0, 0), 47, ts(2047, 3, 1, 0, 0, 0)),
            (ts(2080, 3, 1, 0, 0, 0), 80, ts(2080, 3, 1, 0, 0, 0)),
            (ts(2099, 12, 31, 0, 0, 0), 99, ts(2099, 12, 31, 0, 0, 0)),
        ] {
            let c = CivilTime::from_timestamp(want);
            let d = dating(base, rec);
            assert_eq!(from_calendar(yy, c.month, c.day, 0, true, &d), want);
            // ntpd's window: wrong by whole eras.
            let n = Dating::ntpd(d.base, rec);
            assert_ne!(from_calendar(yy, c.month, c.day, 0, true, &n), want);
        }
    }

    #[test]
    fn gps_weeks() {
        let d = dating((2004, 1, 1), ts(2005, 3, 16, 9, 38, 2));
        // Garmin 17N, 2005-03-16 09:38:02 UTC: week 290 (mod 1024), 13 leap s.
        assert_eq!(
            from_gps_week(290, 293_895, 0, 13, &d),
            ts(2005, 3, 16, 9, 38, 2)
        );
        // A four-digit year before the GPS epoch is always mapped.
        let t = from_calendar(1970, 1, 1, 0, false, &d);
        assert!(t >= d.window.start());
    }
}
