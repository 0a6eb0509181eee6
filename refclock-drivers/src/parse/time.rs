//! What a PARSE format decodes from one timecode: libparse's
//! `clocktime_t` (the civil fields, the offset to UTC, the status bits)
//! and its conversion to a timestamp (`parse_to_unixtime`), with the
//! kit's calendar instead of libparse's year pivot at 98.

use refclock_core::calendar::{Basedate, CalendarError, CivilTime};
use refclock_core::{ClockEvent, Timestamp};

/// The receiver's status bits (libparse's `PARSEB_*`, include/parse.h;
/// the values are libparse's, so ntpd's state names map one to one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Status(pub u32);

impl Status {
    /// No synchronisation since power-up: the time comes from the
    /// receiver's own clock (`PARSEB_POWERUP`).
    pub const POWERUP: u32 = 0x0000_0001;
    /// Time not confirmed by the signal lately (`PARSEB_NOSYNC`).
    pub const NOSYNC: u32 = 0x0000_0002;
    /// A change of time zone (DST) is announced (`PARSEB_ANNOUNCE`).
    pub const ANNOUNCE: u32 = 0x0000_0010;
    /// Daylight saving time in effect (`PARSEB_DST`).
    pub const DST: u32 = 0x0000_0020;
    /// The time is UTC (`PARSEB_UTC`).
    pub const UTC: u32 = 0x0000_0040;
    /// A leap second deletion is announced (`PARSEB_LEAPDEL`).
    pub const LEAPDEL: u32 = 0x0000_0100;
    /// A leap second insertion is announced, or a leap second without
    /// direction (`PARSEB_LEAPADD`).
    pub const LEAPADD: u32 = 0x0000_0200;
    /// This is the leap second (`PARSEB_LEAPSECOND`).
    pub const LEAPSECOND: u32 = 0x0000_0400;
    /// The transmitter's call bit, irregularities (`PARSEB_CALLBIT`).
    pub const CALLBIT: u32 = 0x0000_1000;
    /// A position is available (`PARSEB_POSITION`).
    pub const POSITION: u32 = 0x0000_2000;
    /// Additional message data (`PARSEB_MESSAGE`).
    pub const MESSAGE: u32 = 0x0000_4000;

    /// Whether every bit of `bits` is set.
    pub const fn has(self, bits: u32) -> bool {
        self.0 & bits == bits
    }

    /// The status with `bits` set too.
    pub const fn with(self, bits: u32) -> Status {
        Status(self.0 | bits)
    }

    /// `PARSE_SYNC`: neither POWERUP nor NOSYNC.
    pub const fn in_sync(self) -> bool {
        self.0 & (Self::POWERUP | Self::NOSYNC) == 0
    }

    /// `PARSE_POWERUP`.
    pub const fn powerup(self) -> bool {
        self.0 & Self::POWERUP != 0
    }

    /// `PARSE_LEAPADD`: in sync and exactly the insertion warning.
    pub const fn leap_add(self) -> bool {
        self.in_sync() && self.0 & (Self::LEAPADD | Self::LEAPDEL) == Self::LEAPADD
    }

    /// `PARSE_LEAPDEL`: in sync and exactly the deletion warning.
    pub const fn leap_del(self) -> bool {
        self.in_sync() && self.0 & (Self::LEAPADD | Self::LEAPDEL) == Self::LEAPDEL
    }

    /// ntpd's `parsestate()` words for the bits set, e.g.
    /// `"DST, UTC DISPLAY"`, for the clockstats and log lines.
    pub fn describe(self) -> String {
        const NAMES: &[(u32, &str)] = &[
            (Status::ANNOUNCE, "DST SWITCH WARNING"),
            (Status::POWERUP, "NOT SYNCHRONIZED"),
            (Status::NOSYNC, "TIME CODE NOT CONFIRMED"),
            (Status::DST, "DST"),
            (Status::UTC, "UTC DISPLAY"),
            (Status::LEAPADD, "LEAP ADD WARNING"),
            (Status::LEAPDEL, "LEAP DELETE WARNING"),
            (Status::LEAPSECOND, "LEAP SECOND"),
            (Status::CALLBIT, "CALL BIT"),
            (Status::POSITION, "POSITION"),
            (Status::MESSAGE, "MESSAGE"),
        ];
        let words: Vec<&str> = NAMES
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0)
            .map(|&(_, name)| name)
            .collect();
        words.join("; ")
    }
}

/// A year as the timecode gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Year {
    /// Four digits (or a full year from a binary field).
    Full(i32),
    /// Two digits, unfolded by [`ParseTime::to_timestamp`] with the
    /// kit's calendar (right through 2099 and after; libparse reads
    /// 0..97 as 20yy and 98, 99 as 19yy).
    TwoDigit(u8),
}

/// The time a timecode names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Civil time fields, in the clock's time zone.
    Civil {
        /// The year.
        year: Year,
        /// Month 1..=12.
        month: u8,
        /// Day of month 1..=31.
        day: u8,
        /// Hour 0..=23.
        hour: u8,
        /// Minute 0..=59.
        minute: u8,
        /// Second 0..=60.
        second: u8,
        /// Fraction of the second in nanoseconds.
        nanos: u32,
        /// Seconds added to these fields to get UTC (libparse's
        /// `utcoffset`): 0 for UTC, −3600 for CET, −7200 for CEST.
        utc_offset: i32,
    },
    /// The receiver gave UTC directly (GPS week and time of week,
    /// libparse's `utctime`).
    Utc(Timestamp),
}

/// One decoded timecode (libparse's `clocktime_t` plus the
/// `parse_state` bits a format sets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseTime {
    /// The time the timecode names (for the on-time mark of the frame).
    pub when: When,
    /// The status bits.
    pub status: Status,
}

/// Why a frame gave no time (libparse's `CVT_FAIL` with `CVT_BADFMT`,
/// `CVT_BADDATE` or `CVT_BADTIME`, and the driver-level checks).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The frame does not have the format's layout.
    #[error("{format}: bad format: {what}")]
    BadFormat {
        /// The format's name.
        format: &'static str,
        /// What was wrong, with what was found.
        what: String,
    },
    /// A check field (parity, checksum) does not match.
    #[error("{format}: {what}")]
    BadCheck {
        /// The format's name.
        format: &'static str,
        /// Which check failed, expected and found.
        what: String,
    },
    /// A date field is out of range.
    #[error("bad date: {0}")]
    BadDate(String),
    /// A time field is out of range.
    #[error("bad time: {0}")]
    BadTime(String),
}

impl ParseError {
    /// The event ntpd's `parse_process` posts for it (`CEVNT_BADREPLY`
    /// for a format error, `CEVNT_BADDATE`, `CEVNT_BADTIME`).
    pub fn event(&self) -> ClockEvent {
        match self {
            ParseError::BadFormat { .. } | ParseError::BadCheck { .. } => ClockEvent::BadReply,
            ParseError::BadDate(_) => ClockEvent::BadDate,
            ParseError::BadTime(_) => ClockEvent::BadTime,
        }
    }

    /// A format error (for format modules).
    pub fn format(format: &'static str, what: impl Into<String>) -> ParseError {
        ParseError::BadFormat {
            format,
            what: what.into(),
        }
    }

    /// A failed check (for format modules).
    pub fn check(format: &'static str, what: impl Into<String>) -> ParseError {
        ParseError::BadCheck {
            format,
            what: what.into(),
        }
    }
}

impl From<CalendarError> for ParseError {
    fn from(e: CalendarError) -> Self {
        match e {
            CalendarError::OutOfRange {
                field: "hour" | "minute" | "second" | "nanos",
                ..
            } => ParseError::BadTime(e.to_string()),
            _ => ParseError::BadDate(e.to_string()),
        }
    }
}

/// The earliest year a two-digit year unfolds to (libparse's window
/// starts at 1998; the kit's window moves on with the receive time).
pub const TWO_DIGIT_FLOOR: i32 = 1998;

impl ParseTime {
    /// A civil time at a whole second in UTC, status in sync (for tests
    /// and encoders).
    pub fn civil_utc(t: &CivilTime, status: Status) -> ParseTime {
        ParseTime {
            when: When::Civil {
                year: Year::Full(t.year),
                month: t.month,
                day: t.day,
                hour: t.hour,
                minute: t.minute,
                second: t.second,
                nanos: t.nanos,
                utc_offset: 0,
            },
            status,
        }
    }

    /// The UTC timestamp the timecode names (`parse_to_unixtime`): the
    /// fields checked (second 60 allowed), a two-digit year unfolded
    /// around the later of `rectime` and `basedate`, the offset to UTC
    /// added. A leap second 60 maps onto the next second's timestamp, as
    /// libparse's arithmetic does.
    pub fn to_timestamp(
        &self,
        rectime: Timestamp,
        basedate: &Basedate,
    ) -> Result<Timestamp, ParseError> {
        match self.when {
            When::Utc(t) => Ok(t),
            When::Civil {
                year,
                month,
                day,
                hour,
                minute,
                second,
                nanos,
                utc_offset,
            } => {
                let year = match year {
                    Year::Full(y) => y,
                    Year::TwoDigit(yy) if yy < 100 => refclock_core::gps::unfold_two_digit_year(
                        yy,
                        TWO_DIGIT_FLOOR,
                        basedate,
                        rectime,
                    ),
                    Year::TwoDigit(yy) => {
                        return Err(ParseError::BadDate(format!("two-digit year {yy}")))
                    }
                };
                if year < 1970 {
                    return Err(ParseError::BadDate(format!("year {year} before 1970")));
                }
                let civil = CivilTime {
                    year,
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    nanos,
                };
                civil.validate()?;
                if nanos >= 1_000_000_000 {
                    return Err(ParseError::BadTime(format!("fraction {nanos} ns")));
                }
                let t = civil.to_timestamp()?;
                Ok(Timestamp::from_nanos(
                    t.as_nanos() + utc_offset as i128 * 1_000_000_000,
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
        CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
    }

    fn civil(year: Year, hour: u8, utc_offset: i32) -> ParseTime {
        ParseTime {
            when: When::Civil {
                year,
                month: 11,
                day: 23,
                hour,
                minute: 0,
                second: 46,
                nanos: 0,
                utc_offset,
            },
            status: Status::default(),
        }
    }

    #[test]
    fn local_time_and_two_digit_years() {
        let base = Basedate::RELEASE;
        let rec = ts(2026, 11, 23, 10, 0, 46);
        // hopf's example: 11:00:46 MEZ is 10:00:46 UTC.
        let t = civil(Year::TwoDigit(26), 11, -3600)
            .to_timestamp(rec, &base)
            .unwrap();
        assert_eq!(t, rec);
        // 98 is 2098 once the receive time is late enough (libparse: 1998).
        let rec98 = ts(2098, 11, 23, 11, 0, 46);
        let t = civil(Year::TwoDigit(98), 11, 0)
            .to_timestamp(rec98, &base)
            .unwrap();
        assert_eq!(t, rec98);
        // and 2099 -> 2100.
        let rec00 = ts(2100, 11, 23, 11, 0, 46);
        let t = civil(Year::TwoDigit(0), 11, 0)
            .to_timestamp(rec00, &base)
            .unwrap();
        assert_eq!(t, rec00);
    }

    #[test]
    fn bad_fields_are_named() {
        let rec = ts(2026, 11, 23, 10, 0, 46);
        let e = civil(Year::Full(2026), 24, 0)
            .to_timestamp(rec, &Basedate::RELEASE)
            .unwrap_err();
        assert!(matches!(e, ParseError::BadTime(_)), "{e}");
        assert_eq!(e.event(), ClockEvent::BadTime);
        let mut p = civil(Year::Full(2026), 10, 0);
        if let When::Civil { ref mut day, .. } = p.when {
            *day = 31;
        }
        let e = p.to_timestamp(rec, &Basedate::RELEASE).unwrap_err();
        assert_eq!(e.event(), ClockEvent::BadDate, "{e}");
    }

    #[test]
    fn status_words() {
        let s = Status(Status::DST | Status::LEAPADD);
        assert!(s.leap_add() && !s.leap_del() && s.in_sync());
        assert!(!Status(Status::NOSYNC | Status::LEAPADD).leap_add());
        assert_eq!(s.describe(), "DST; LEAP ADD WARNING");
    }
}
