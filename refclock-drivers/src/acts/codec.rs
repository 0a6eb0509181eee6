//! The services' timecodes, told apart by their length as ntpd does:
//! decode a line (without its line end) into its fields, encode fields
//! into the exact line a service sends. No I/O.

use refclock_core::ascii::decimal;
use refclock_core::calendar::{civil_from_days, days_from_civil, CivilTime, SECS_PER_DAY};
use refclock_core::{Leap, Timestamp};

use super::spectracom::{decode_wwvb0, decode_wwvb2};
pub use super::spectracom::{Wwvb0, Wwvb2};

/// MJD of 1970-01-01.
pub const MJD_UNIX: i64 = 40_587;

/// Length of a NIST ACTS timecode (format A).
pub const LEN_NIST: usize = 50;
/// Length of a USNO timecode (its on-time `*` follows on a line of its own).
pub const LEN_USNO: usize = 20;
/// Length of the European (PTB, NPL; ITU-R TF.583) timecode.
pub const LEN_PTB: usize = 78;
/// Length of a Spectracom format 0 timecode.
pub const LEN_WWVB0: usize = 22;
/// Length of a Spectracom format 2 timecode.
pub const LEN_WWVB2: usize = 24;

/// What a line could not be decoded as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActsError {
    /// No service sends a line of this length.
    #[error("no timecode is {0} characters long")]
    Length(usize),
    /// A field is not what the format has there.
    #[error("{format} {field}: expected {expected}, found {found:?}")]
    Field {
        /// The format (`NIST`, `USNO`, `PTB`, `WWVB`).
        format: &'static str,
        /// Which field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What was there.
        found: String,
    },
    /// The date does not exist or disagrees with the MJD beside it.
    #[error("{format}: date {found} does not match MJD {mjd}")]
    Date {
        /// The format.
        format: &'static str,
        /// The MJD.
        mjd: u32,
        /// The date as stated.
        found: String,
    },
}

/// Which service a timecode comes from (ntpd sets the refid from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// NIST ACTS: refid `NIST`.
    Nist,
    /// US Naval Observatory: refid `USNO`.
    Usno,
    /// PTB, NPL and the other TF.583 services: refid `PTB`.
    Ptb,
    /// A Spectracom receiver: refid `WWVB`.
    Wwvb,
}

impl Service {
    /// ntpd's reference ID for it.
    pub fn refid(self) -> &'static str {
        match self {
            Service::Nist => "NIST",
            Service::Usno => "USNO",
            Service::Ptb => "PTB",
            Service::Wwvb => "WWVB",
        }
    }
}

/// NIST ACTS format A: `47999 90-04-18 21:39:15 50 0 +.1 045.0 UTC(NIST) *`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nist {
    /// Modified Julian Day.
    pub mjd: u32,
    /// UTC date and time (the year from the MJD; second 60 kept).
    pub time: CivilTime,
    /// Daylight saving code (00 .. 99), not used.
    pub dst: u8,
    /// Leap second at the end of the month: 0 none, 1 insert, 2 delete.
    pub leap: u8,
    /// UT1 − UTC in tenths of a second (−9 ..= 9).
    pub dut1: i8,
    /// The advance the service applies, in tenths of a millisecond.
    pub advance: u32,
    /// The on-time marker: `*`, or `#` once the loopback measured the delay.
    pub otm: u8,
}

/// USNO: `jjjjj nnn hhmmss UTC`, its `*` on the next line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usno {
    /// Modified Julian Day.
    pub mjd: u32,
    /// Day of year.
    pub yday: u16,
    /// UTC time of day.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
}

/// The ITU-R TF.583 code of PTB and NPL:
/// `1995-01-23 20:58:51 MEZ  10402303260219950123195849740+40000500…*`
/// (78 characters; the second changes between the CR and LF after it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ptb {
    /// Local date and time as stated (`E` may be `A`/`B` in the hour
    /// that repeats at the end of summer time).
    pub local: CivilTime,
    /// The character between hour and minute (`:`, `A`, `B`).
    pub hour_mark: u8,
    /// The zone (`MEZ  `, `MESZ `, `UTC+0`, 5 characters).
    pub zone: [u8; 5],
    /// Day of week, week, day of year, next change of summer time
    /// (month, day, hour): 12 digits, not used.
    pub calendar: [u8; 12],
    /// UTC date and time (second from `local`).
    pub utc: CivilTime,
    /// Modified Julian Day.
    pub mjd: u32,
    /// UT1 − UTC in tenths of a second.
    pub dut1: i8,
    /// `+` or `-` when a leap second ends month `leap_month`, else `0`.
    pub leap_dir: u8,
    /// The month at whose end the leap second is.
    pub leap_month: u8,
    /// The signal delay, 4 digits (not used).
    pub delay: [u8; 4],
    /// The additional text line (14 characters: sequence number, text).
    pub text: [u8; 14],
    /// `*` (assumed delay) or `#` (measured).
    pub otm: u8,
}

/// A decoded line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Timecode {
    /// NIST (50).
    Nist(Nist),
    /// USNO (20).
    Usno(Usno),
    /// USNO's on-time line, `*`.
    UsnoMark,
    /// PTB/NPL (78).
    Ptb(Ptb),
    /// Spectracom format 0 (22).
    Wwvb0(Wwvb0),
    /// Spectracom format 2 (24).
    Wwvb2(Wwvb2),
}

impl Timecode {
    /// The service it comes from.
    pub fn service(&self) -> Service {
        match self {
            Timecode::Nist(_) => Service::Nist,
            Timecode::Usno(_) | Timecode::UsnoMark => Service::Usno,
            Timecode::Ptb(_) => Service::Ptb,
            Timecode::Wwvb0(_) | Timecode::Wwvb2(_) => Service::Wwvb,
        }
    }
}

/// A cursor over one line, for fixed-position fields.
pub(super) struct Fields<'a> {
    pub(super) line: &'a [u8],
    pub(super) format: &'static str,
}

impl Fields<'_> {
    pub(super) fn bad(
        &self,
        field: &'static str,
        expected: &'static str,
        at: usize,
        n: usize,
    ) -> ActsError {
        ActsError::Field {
            format: self.format,
            field,
            expected,
            found: String::from_utf8_lossy(&self.line[at..at + n]).into_owned(),
        }
    }

    /// `n` decimal digits at `at`.
    pub(super) fn num(&self, field: &'static str, at: usize, n: usize) -> Result<u32, ActsError> {
        decimal(&self.line[at..at + n]).ok_or_else(|| self.bad(field, "digits", at, n))
    }

    /// `n` decimal digits at `at`, too many for a number (kept as text).
    pub(super) fn all_digits(
        &self,
        field: &'static str,
        at: usize,
        n: usize,
    ) -> Result<(), ActsError> {
        if self.line[at..at + n].iter().all(u8::is_ascii_digit) {
            Ok(())
        } else {
            Err(self.bad(field, "digits", at, n))
        }
    }

    /// Literal `text` at `at`.
    pub(super) fn lit(
        &self,
        field: &'static str,
        at: usize,
        text: &'static str,
    ) -> Result<(), ActsError> {
        if &self.line[at..at + text.len()] != text.as_bytes() {
            return Err(self.bad(field, text, at, text.len()));
        }
        Ok(())
    }

    pub(super) fn one_of(
        &self,
        field: &'static str,
        at: usize,
        set: &'static str,
    ) -> Result<u8, ActsError> {
        let c = self.line[at];
        if !set.as_bytes().contains(&c) {
            return Err(self.bad(field, set, at, 1));
        }
        Ok(c)
    }

    /// A sign (`+`, `-`, or a space for +) and one digit: tenths.
    pub(super) fn tenths(&self, field: &'static str, at: usize) -> Result<i8, ActsError> {
        let sign = self.one_of(field, at, "+- ")?;
        let d = self.num(field, at + 1, 1)? as i8;
        Ok(if sign == b'-' { -d } else { d })
    }
}

/// The civil date of an MJD.
pub fn mjd_date(mjd: u32) -> (i32, u8, u8) {
    civil_from_days(i64::from(mjd) - MJD_UNIX)
}

/// The MJD of a civil date.
pub fn date_mjd(year: i32, month: u8, day: u8) -> u32 {
    (days_from_civil(year, month, day) + MJD_UNIX).max(0) as u32
}

/// Decodes one line (its line end removed).
pub fn decode(line: &[u8]) -> Result<Timecode, ActsError> {
    match line.len() {
        1 if line[0] == b'*' => Ok(Timecode::UsnoMark),
        LEN_NIST => decode_nist(line).map(Timecode::Nist),
        LEN_USNO => decode_usno(line).map(Timecode::Usno),
        LEN_PTB => decode_ptb(line).map(Timecode::Ptb),
        LEN_WWVB0 => decode_wwvb0(line).map(Timecode::Wwvb0),
        LEN_WWVB2 => decode_wwvb2(line).map(Timecode::Wwvb2),
        n => Err(ActsError::Length(n)),
    }
}

/// [`decode`], and for a line of no timecode's length, the timecode its
/// end holds (PTB, NIST or USNO, whose lines end in fixed text or their
/// on-time marker): noise before a timecode on its line is skipped.
/// Returns the timecode and how many characters were skipped.
pub fn decode_tail(line: &[u8]) -> Result<(Timecode, usize), ActsError> {
    match decode(line) {
        Err(ActsError::Length(n)) => {
            for len in [LEN_PTB, LEN_NIST, LEN_USNO] {
                if n > len {
                    if let Ok(code) = decode(&line[n - len..]) {
                        return Ok((code, n - len));
                    }
                }
            }
            Err(ActsError::Length(n))
        }
        other => other.map(|code| (code, 0)),
    }
}

fn check_date(
    format: &'static str,
    mjd: u32,
    yy: u32,
    month: u32,
    day: u32,
) -> Result<i32, ActsError> {
    let (year, m, d) = mjd_date(mjd);
    if year.rem_euclid(100) as u32 != yy || u32::from(m) != month || u32::from(d) != day {
        return Err(ActsError::Date {
            format,
            mjd,
            found: format!("{yy:02}-{month:02}-{day:02}"),
        });
    }
    Ok(year)
}

pub(super) fn check_time(
    f: &Fields<'_>,
    at: usize,
    h: u32,
    m: u32,
    s: u32,
) -> Result<(), ActsError> {
    if h > 23 || m > 59 || s > 60 {
        return Err(f.bad("time", "hh:mm:ss within the day", at, 8));
    }
    Ok(())
}

fn decode_nist(line: &[u8]) -> Result<Nist, ActsError> {
    let f = Fields {
        line,
        format: "NIST",
    };
    let mjd = f.num("MJD", 0, 5)?;
    f.lit("separator", 5, " ")?;
    let yy = f.num("year", 6, 2)?;
    f.lit("separator", 8, "-")?;
    let month = f.num("month", 9, 2)?;
    f.lit("separator", 11, "-")?;
    let day = f.num("day", 12, 2)?;
    f.lit("separator", 14, " ")?;
    let hour = f.num("hour", 15, 2)?;
    f.lit("separator", 17, ":")?;
    let minute = f.num("minute", 18, 2)?;
    f.lit("separator", 20, ":")?;
    let second = f.num("second", 21, 2)?;
    f.lit("separator", 23, " ")?;
    let dst = f.num("DST", 24, 2)? as u8;
    f.lit("separator", 26, " ")?;
    let leap = f.num("leap", 27, 1)? as u8;
    f.lit("separator", 28, " ")?;
    let sign = f.one_of("DUT1", 29, "+- ")?;
    f.lit("DUT1", 30, ".")?;
    let tenths = f.num("DUT1", 31, 1)? as i8;
    let dut1 = if sign == b'-' { -tenths } else { tenths };
    f.lit("separator", 32, " ")?;
    let adv = f.num("msADV", 33, 3)? * 10;
    f.lit("msADV", 36, ".")?;
    let advance = adv + f.num("msADV", 37, 1)?;
    f.lit("timescale", 38, " UTC(NIST) ")?;
    let otm = f.one_of("on-time marker", 49, "*#")?;
    if leap > 2 {
        return Err(f.bad("leap", "0, 1 or 2", 27, 1));
    }
    check_time(&f, 15, hour, minute, second)?;
    let year = check_date("NIST", mjd, yy, month, day)?;
    let time = CivilTime::new(
        year,
        month as u8,
        day as u8,
        hour as u8,
        minute as u8,
        second as u8,
    );
    Ok(Nist {
        mjd,
        time,
        dst,
        leap,
        dut1,
        advance,
        otm,
    })
}

impl Nist {
    /// The line, without line end.
    pub fn encode(&self) -> Vec<u8> {
        let t = &self.time;
        let sign = if self.dut1 < 0 { '-' } else { '+' };
        format!(
            "{:05} {:02}-{:02}-{:02} {:02}:{:02}:{:02} {:02} {} {sign}.{} {:03}.{} UTC(NIST) {}",
            self.mjd,
            t.year.rem_euclid(100),
            t.month,
            t.day,
            t.hour,
            t.minute,
            t.second,
            self.dst,
            self.leap,
            self.dut1.unsigned_abs(),
            self.advance / 10,
            self.advance % 10,
            self.otm as char
        )
        .into_bytes()
    }

    /// The leap warning it carries.
    pub fn leap(&self) -> Leap {
        match self.leap {
            1 => Leap::AddSecond,
            2 => Leap::DelSecond,
            _ => Leap::NoWarning,
        }
    }
}

fn decode_usno(line: &[u8]) -> Result<Usno, ActsError> {
    let f = Fields {
        line,
        format: "USNO",
    };
    let mjd = f.num("MJD", 0, 5)?;
    f.lit("separator", 5, " ")?;
    let yday = f.num("day of year", 6, 3)?;
    f.lit("separator", 9, " ")?;
    let hour = f.num("hour", 10, 2)?;
    let minute = f.num("minute", 12, 2)?;
    let second = f.num("second", 14, 2)?;
    f.lit("timescale", 16, " UTC")?;
    check_time(&f, 10, hour, minute, second)?;
    let (year, m, d) = mjd_date(mjd);
    if refclock_core::calendar::day_of_year(year, m, d) as u32 != yday {
        return Err(ActsError::Date {
            format: "USNO",
            mjd,
            found: format!("day {yday}"),
        });
    }
    Ok(Usno {
        mjd,
        yday: yday as u16,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
    })
}

impl Usno {
    /// The line, without line end.
    pub fn encode(&self) -> Vec<u8> {
        format!(
            "{:05} {:03} {:02}{:02}{:02} UTC",
            self.mjd, self.yday, self.hour, self.minute, self.second
        )
        .into_bytes()
    }

    /// The second it names.
    pub fn time(&self) -> Result<Timestamp, refclock_core::calendar::CalendarError> {
        let (y, m, d) = mjd_date(self.mjd);
        CivilTime::new(y, m, d, self.hour, self.minute, self.second).to_timestamp()
    }
}

impl Nist {
    /// The second it names.
    pub fn reference(&self) -> Result<Timestamp, refclock_core::calendar::CalendarError> {
        self.time.to_timestamp()
    }
}

fn decode_ptb(line: &[u8]) -> Result<Ptb, ActsError> {
    let f = Fields {
        line,
        format: "PTB",
    };
    let year = f.num("year", 0, 4)?;
    f.lit("separator", 4, "-")?;
    let month = f.num("month", 5, 2)?;
    f.lit("separator", 7, "-")?;
    let day = f.num("day", 8, 2)?;
    f.lit("separator", 10, " ")?;
    let hour = f.num("hour", 11, 2)?;
    let hour_mark = f.one_of("hour mark", 13, ":AB")?;
    let minute = f.num("minute", 14, 2)?;
    f.lit("separator", 16, ":")?;
    let second = f.num("second", 17, 2)?;
    f.lit("separator", 19, " ")?;
    let mut zone = [0u8; 5];
    zone.copy_from_slice(&line[20..25]);
    f.all_digits("calendar", 25, 12)?;
    let mut calendar = [0u8; 12];
    calendar.copy_from_slice(&line[25..37]);
    let uyear = f.num("UTC year", 37, 4)?;
    let umonth = f.num("UTC month", 41, 2)?;
    let uday = f.num("UTC day", 43, 2)?;
    let uhour = f.num("UTC hour", 45, 2)?;
    let uminute = f.num("UTC minute", 47, 2)?;
    let mjd = f.num("MJD", 49, 5)?;
    let dut1 = f.tenths("DUT1", 54)?;
    let leap_dir = line[56];
    let leap_month = f.num("leap month", 57, 2)? as u8;
    f.num("delay", 59, 4)?;
    let mut delay = [0u8; 4];
    delay.copy_from_slice(&line[59..63]);
    let mut text = [0u8; 14];
    text.copy_from_slice(&line[63..77]);
    let otm = f.one_of("on-time marker", 77, "*#")?;
    check_time(&f, 11, hour, minute, second)?;
    check_time(&f, 45, uhour, uminute, second)?;
    let local = CivilTime::new(
        year as i32,
        month as u8,
        day as u8,
        hour as u8,
        minute as u8,
        second as u8,
    );
    local
        .validate()
        .map_err(|_| f.bad("date", "a date", 0, 10))?;
    let utc = CivilTime::new(
        uyear as i32,
        umonth as u8,
        uday as u8,
        uhour as u8,
        uminute as u8,
        second as u8,
    );
    if date_mjd(utc.year, utc.month, utc.day) != mjd || utc.validate().is_err() {
        return Err(ActsError::Date {
            format: "PTB",
            mjd,
            found: format!("{uyear:04}-{umonth:02}-{uday:02}"),
        });
    }
    Ok(Ptb {
        local,
        hour_mark,
        zone,
        calendar,
        utc,
        mjd,
        dut1,
        leap_dir,
        leap_month,
        delay,
        text,
        otm,
    })
}

impl Ptb {
    /// The line, without line end.
    pub fn encode(&self) -> Vec<u8> {
        let l = &self.local;
        let u = &self.utc;
        let mut s = format!(
            "{:04}-{:02}-{:02} {:02}{}{:02}:{:02} ",
            l.year, l.month, l.day, l.hour, self.hour_mark as char, l.minute, l.second
        )
        .into_bytes();
        s.extend_from_slice(&self.zone);
        s.extend_from_slice(&self.calendar);
        s.extend_from_slice(
            format!(
                "{:04}{:02}{:02}{:02}{:02}{:05}{}{}",
                u.year,
                u.month,
                u.day,
                u.hour,
                u.minute,
                self.mjd,
                if self.dut1 < 0 { '-' } else { '+' },
                self.dut1.unsigned_abs()
            )
            .as_bytes(),
        );
        s.push(self.leap_dir);
        s.extend_from_slice(format!("{:02}", self.leap_month).as_bytes());
        s.extend_from_slice(&self.delay);
        s.extend_from_slice(&self.text);
        s.push(self.otm);
        s
    }

    /// The second it names (UTC).
    pub fn reference(&self) -> Result<Timestamp, refclock_core::calendar::CalendarError> {
        self.utc.to_timestamp()
    }

    /// The leap warning: a leap second at the end of this month.
    pub fn leap(&self) -> Leap {
        match self.leap_dir {
            b'+' if self.leap_month == self.utc.month => Leap::AddSecond,
            b'-' if self.leap_month == self.utc.month => Leap::DelSecond,
            _ => Leap::NoWarning,
        }
    }
}

/// The MJD of a Unix time.
pub fn mjd_of(t: Timestamp) -> u32 {
    (t.secs().div_euclid(SECS_PER_DAY) + MJD_UNIX) as u32
}
