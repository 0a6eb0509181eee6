//! The JJY receivers' replies as bytes ↔ fields, both ways, no I/O.
//!
//! Every receiver states Japan Standard Time (UTC+9, no daylight saving);
//! [`Jst::to_utc`] converts. The layouts (ntpd 4.2.8p18's
//! `refclock_jjy.c`, and the receivers' manuals as that file quotes them):
//!
//! | receiver (mode) | reply | length |
//! |---|---|---|
//! | TS-JJY01/02 (1) | `date`: `YYYY/MM/DD WWW`; `time`, `stim`: `HH:MM:SS`; `stus`: `adjusted`/`unadjusted`; `dcst`: `valid`/`invalid` | 14, 8, 8/10, 5/7 |
//! | JST2000 (2) | STX `JYYMMDDWHHMMSSS` ETX (the last digit tenths of a second) | 15 |
//! | LT-2000 (3) | `YYMMDDWHHMMSS` + 4 status characters, CR, 0.5 s before the second it names | 17 |
//! | JJY-200 (4) | `'OK YY/MM/DD W HH:MM:SS` CR (`OK`, `NG` or `ER`; W 0 = Monday) | 23 |
//! | TS-GPSclock-01 (5) | `date`: `YYYY/MM/DD`; `time`: `HH:MM:SS`; `stus`: `*R`, `*G`, `*U`, `+U` | 10, 8, 2 |
//! | TDC-300 (6) | type 1 STX `HH:MM:SS` ETX; type 2 STX `YYMMDDHHMMSSWLSCU` ETX; type 3 STX `YYMMDDWHHMMSS` ETX then STX 0xE5 ETX at the second | 8, 17, 13, 1 |
//!
//! Two-digit years are 2000 + YY, as ntpd has them.

use refclock_core::ascii::decimal;
use refclock_core::calendar::{civil_from_days, days_from_civil, CivilTime};

/// Why a reply did not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The reply is not as long as its layout.
    #[error("{what}: expected {expected} characters, found {found}")]
    Length {
        /// Which reply.
        what: &'static str,
        /// Its length.
        expected: usize,
        /// What came.
        found: usize,
    },
    /// A field that is not what the layout has there.
    #[error("{what}: {field} expected {expected}, found {found:?}")]
    Field {
        /// Which reply.
        what: &'static str,
        /// Which field.
        field: &'static str,
        /// What belongs there.
        expected: &'static str,
        /// What came.
        found: String,
    },
}

/// A date and time in JST as a receiver states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Jst {
    /// Full year.
    pub year: i32,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=60.
    pub second: u8,
    /// Milliseconds, 0..=999.
    pub millis: u16,
}

/// JST − UTC in seconds.
pub const JST_OFFSET: i64 = 9 * 3600;

impl Jst {
    /// The UTC time it is (nine hours earlier; second 60 kept).
    pub fn to_utc(&self) -> CivilTime {
        let mut days = days_from_civil(self.year, self.month, self.day);
        let mut hour = i32::from(self.hour) - 9;
        if hour < 0 {
            hour += 24;
            days -= 1;
        }
        let (year, month, day) = civil_from_days(days);
        CivilTime {
            year,
            month,
            day,
            hour: hour as u8,
            minute: self.minute,
            second: self.second,
            nanos: u32::from(self.millis) * 1_000_000,
        }
    }

    /// The JST time of a UTC one (second 60 kept).
    pub fn from_utc(t: &CivilTime) -> Jst {
        let mut days = days_from_civil(t.year, t.month, t.day);
        let mut hour = u32::from(t.hour) + 9;
        if hour >= 24 {
            hour -= 24;
            days += 1;
        }
        let (year, month, day) = civil_from_days(days);
        Jst {
            year,
            month,
            day,
            hour: hour as u8,
            minute: t.minute,
            second: t.second,
            millis: (t.nanos / 1_000_000) as u16,
        }
    }

    /// Half a second earlier (the LT-2000's line comes 0.5 s before the
    /// second it names), with the right day, month and year at a
    /// boundary.
    pub fn half_second_before(&self) -> Jst {
        let mut days = days_from_civil(self.year, self.month, self.day);
        let mut sod = i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second.min(59))
            - 1;
        if sod < 0 {
            sod += 86_400;
            days -= 1;
        }
        let (year, month, day) = civil_from_days(days);
        Jst {
            year,
            month,
            day,
            hour: (sod / 3600) as u8,
            minute: (sod / 60 % 60) as u8,
            second: if self.second == 60 {
                59
            } else {
                (sod % 60) as u8
            },
            millis: 500,
        }
    }

    /// Day of the week, 0 = Sunday.
    pub fn weekday_sunday0(&self) -> u8 {
        (days_from_civil(self.year, self.month, self.day) + 4).rem_euclid(7) as u8
    }

    /// Second of the day.
    pub fn second_of_day(&self) -> u32 {
        (u32::from(self.hour) * 60 + u32::from(self.minute)) * 60 + u32::from(self.second)
    }

    fn check(self, what: &'static str) -> Result<Jst, DecodeError> {
        let bad = |field, expected, v: u32| DecodeError::Field {
            what,
            field,
            expected,
            found: v.to_string(),
        };
        if !(1..=12).contains(&self.month) {
            return Err(bad("month", "1..12", self.month.into()));
        }
        if !(1..=31).contains(&self.day) {
            return Err(bad("day", "1..31", self.day.into()));
        }
        check_hms(what, self.hour, self.minute, self.second)?;
        Ok(self)
    }
}

fn check_hms(what: &'static str, h: u8, m: u8, s: u8) -> Result<(), DecodeError> {
    let bad = |field, expected, v: u8| DecodeError::Field {
        what,
        field,
        expected,
        found: v.to_string(),
    };
    if h > 23 {
        return Err(bad("hour", "0..23", h));
    }
    if m > 59 {
        return Err(bad("minute", "0..59", m));
    }
    if s > 60 {
        return Err(bad("second", "0..60", s));
    }
    Ok(())
}

/// `n` decimal digits at `at`.
fn digits(
    what: &'static str,
    field: &'static str,
    s: &[u8],
    at: usize,
    n: usize,
) -> Result<u32, DecodeError> {
    let part = s.get(at..at + n).unwrap_or(&[]);
    decimal(part)
        .filter(|_| part.len() == n)
        .ok_or_else(|| DecodeError::Field {
            what,
            field,
            expected: "digits",
            found: String::from_utf8_lossy(part).into_owned(),
        })
}

fn two(what: &'static str, field: &'static str, s: &[u8], at: usize) -> Result<u8, DecodeError> {
    Ok(digits(what, field, s, at, 2)? as u8)
}

fn literal(what: &'static str, s: &[u8], at: usize, c: u8) -> Result<(), DecodeError> {
    match s.get(at) {
        Some(&b) if b == c => Ok(()),
        other => Err(DecodeError::Field {
            what,
            field: "separator",
            expected: match c {
                b'/' => "'/'",
                b':' => "':'",
                b' ' => "' '",
                b'J' => "'J'",
                _ => "'''",
            },
            found: other
                .map(|&b| char::from(b).to_string())
                .unwrap_or_default(),
        }),
    }
}

fn length(what: &'static str, s: &[u8], expected: usize) -> Result<(), DecodeError> {
    if s.len() == expected {
        Ok(())
    } else {
        Err(DecodeError::Length {
            what,
            expected,
            found: s.len(),
        })
    }
}

/// `HH:MM:SS` (TS-JJY01 `time`/`stim`, TS-GPSclock-01 `time`, TDC-300
/// type 1): hour, minute, second.
pub fn decode_hms(s: &[u8]) -> Result<(u8, u8, u8), DecodeError> {
    const W: &str = "time";
    length(W, s, 8)?;
    literal(W, s, 2, b':')?;
    literal(W, s, 5, b':')?;
    let (h, m, sec) = (
        two(W, "hour", s, 0)?,
        two(W, "minute", s, 3)?,
        two(W, "second", s, 6)?,
    );
    check_hms(W, h, m, sec)?;
    Ok((h, m, sec))
}

/// `HH:MM:SS` of `t`.
pub fn encode_hms(t: &Jst) -> Vec<u8> {
    format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second).into_bytes()
}

/// `YYYY/MM/DD` followed by `rest` more characters (TS-JJY01's weekday
/// `www` after a blank: 4; TS-GPSclock-01: 0): year 2000..=2098 as
/// ntpd checks it, month, day.
pub fn decode_long_date(s: &[u8], rest: usize) -> Result<(i32, u8, u8), DecodeError> {
    const W: &str = "date";
    length(W, s, 10 + rest)?;
    literal(W, s, 4, b'/')?;
    literal(W, s, 7, b'/')?;
    let year = digits(W, "year", s, 0, 4)? as i32;
    if !(2000..2099).contains(&year) {
        return Err(DecodeError::Field {
            what: W,
            field: "year",
            expected: "2000..2098",
            found: year.to_string(),
        });
    }
    let j = Jst {
        year,
        month: two(W, "month", s, 5)?,
        day: two(W, "day", s, 8)?,
        ..Jst::default()
    }
    .check(W)?;
    Ok((j.year, j.month, j.day))
}

/// The TS-JJY01's `date` reply: `YYYY/MM/DD WWW`.
pub fn encode_jjy01_date(t: &Jst) -> Vec<u8> {
    const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    format!(
        "{:04}/{:02}/{:02} {}",
        t.year,
        t.month,
        t.day,
        DAYS[usize::from(t.weekday_sunday0())]
    )
    .into_bytes()
}

/// The TS-GPSclock-01's `date` reply: `YYYY/MM/DD`.
pub fn encode_gps01_date(t: &Jst) -> Vec<u8> {
    format!("{:04}/{:02}/{:02}", t.year, t.month, t.day).into_bytes()
}

/// Two-digit fields `YYMMDD` at `at`, the weekday digit skipped when
/// `weekday_first` says where it is (after the date: `Some(true)`).
fn yymmdd(what: &'static str, s: &[u8], at: usize) -> Result<(i32, u8, u8), DecodeError> {
    Ok((
        2000 + i32::from(two(what, "year", s, at)?),
        two(what, "month", s, at + 2)?,
        two(what, "day", s, at + 4)?,
    ))
}

/// The JST2000's reply between STX and ETX: `JYYMMDDWHHMMSSS`.
pub fn decode_jst2000(s: &[u8]) -> Result<Jst, DecodeError> {
    const W: &str = "JST2000";
    length(W, s, 15)?;
    literal(W, s, 0, b'J')?;
    let (year, month, day) = yymmdd(W, s, 1)?;
    digits(W, "weekday", s, 7, 1)?;
    Jst {
        year,
        month,
        day,
        hour: two(W, "hour", s, 8)?,
        minute: two(W, "minute", s, 10)?,
        second: two(W, "second", s, 12)?,
        millis: digits(W, "tenths", s, 14, 1)? as u16 * 100,
    }
    .check(W)
}

/// `JYYMMDDWHHMMSSS` of `t` (weekday 0 = Sunday).
pub fn encode_jst2000(t: &Jst) -> Vec<u8> {
    format!(
        "J{:02}{:02}{:02}{}{:02}{:02}{:02}{}",
        t.year % 100,
        t.month,
        t.day,
        t.weekday_sunday0(),
        t.hour,
        t.minute,
        t.second,
        t.millis / 100
    )
    .into_bytes()
}

/// `YYMMDDWHHMMSS` at the start of `s` (LT-2000, TDC-300 type 3).
fn decode_yymmddwhhmmss(what: &'static str, s: &[u8]) -> Result<Jst, DecodeError> {
    let (year, month, day) = yymmdd(what, s, 0)?;
    let weekday = digits(what, "weekday", s, 6, 1)?;
    if weekday > 6 {
        return Err(DecodeError::Field {
            what,
            field: "weekday",
            expected: "0..6",
            found: weekday.to_string(),
        });
    }
    Jst {
        year,
        month,
        day,
        hour: two(what, "hour", s, 7)?,
        minute: two(what, "minute", s, 9)?,
        second: two(what, "second", s, 11)?,
        millis: 0,
    }
    .check(what)
}

fn encode_yymmddwhhmmss(t: &Jst) -> String {
    format!(
        "{:02}{:02}{:02}{}{:02}{:02}{:02}",
        t.year % 100,
        t.month,
        t.day,
        t.weekday_sunday0(),
        t.hour,
        t.minute,
        t.second
    )
}

/// The LT-2000's continuous line `YYMMDDWHHMMSS` + 4 status characters:
/// the second it names (the line comes half a second before it) and the
/// status characters.
pub fn decode_lt2000(s: &[u8]) -> Result<(Jst, [u8; 4]), DecodeError> {
    const W: &str = "LT-2000";
    length(W, s, 17)?;
    let t = decode_yymmddwhhmmss(W, s)?;
    Ok((t, [s[13], s[14], s[15], s[16]]))
}

/// The LT-2000's continuous line for `t` with `status`.
pub fn encode_lt2000(t: &Jst, status: [u8; 4]) -> Vec<u8> {
    let mut v = encode_yymmddwhhmmss(t).into_bytes();
    v.extend_from_slice(&status);
    v
}

/// The JJY-200's status: `OK`, or unsure (`NG`, `ER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jjy200Status {
    /// `OK`.
    Ok,
    /// `NG`: not received.
    Ng,
    /// `ER`: error.
    Er,
}

/// The JJY-200's line `'OK YY/MM/DD W HH:MM:SS` (W 0 = Monday).
pub fn decode_jjy200(s: &[u8]) -> Result<(Jjy200Status, Jst), DecodeError> {
    const W: &str = "JJY-200";
    length(W, s, 23)?;
    literal(W, s, 0, b'\'')?;
    let status = match &s[1..3] {
        b"OK" => Jjy200Status::Ok,
        b"NG" => Jjy200Status::Ng,
        b"ER" => Jjy200Status::Er,
        other => {
            return Err(DecodeError::Field {
                what: W,
                field: "status",
                expected: "OK, NG or ER",
                found: String::from_utf8_lossy(other).into_owned(),
            })
        }
    };
    for (at, c) in [
        (3, b' '),
        (6, b'/'),
        (9, b'/'),
        (12, b' '),
        (14, b' '),
        (17, b':'),
        (20, b':'),
    ] {
        literal(W, s, at, c)?;
    }
    let weekday = digits(W, "weekday", s, 13, 1)?;
    if weekday > 6 {
        return Err(DecodeError::Field {
            what: W,
            field: "weekday",
            expected: "0..6",
            found: weekday.to_string(),
        });
    }
    let t = Jst {
        year: 2000 + i32::from(two(W, "year", s, 4)?),
        month: two(W, "month", s, 7)?,
        day: two(W, "day", s, 10)?,
        hour: two(W, "hour", s, 15)?,
        minute: two(W, "minute", s, 18)?,
        second: two(W, "second", s, 21)?,
        millis: 0,
    }
    .check(W)?;
    Ok((status, t))
}

/// The JJY-200's line for `t`.
pub fn encode_jjy200(status: Jjy200Status, t: &Jst) -> Vec<u8> {
    let st = match status {
        Jjy200Status::Ok => "OK",
        Jjy200Status::Ng => "NG",
        Jjy200Status::Er => "ER",
    };
    format!(
        "'{st} {:02}/{:02}/{:02} {} {:02}:{:02}:{:02}",
        t.year % 100,
        t.month,
        t.day,
        (t.weekday_sunday0() + 6) % 7,
        t.hour,
        t.minute,
        t.second
    )
    .into_bytes()
}

/// The TS-GPSclock-01's `stus` answers.
pub const GPS01_STATUS: [&[u8]; 4] = [b"*R", b"*G", b"*U", b"+U"];

/// The TDC-300's second signal, alone between STX and ETX.
pub const TDC300_SECOND: u8 = 0xE5;

/// One TDC-300 frame (between STX and ETX, control characters dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tdc300 {
    /// Type 1 `HH:MM:SS`: hour, minute, second (the date is the
    /// computer's).
    Time(u8, u8, u8),
    /// Type 2 `YYMMDDHHMMSSWLSCU` and its last four status characters.
    Full(Jst, [u8; 4]),
    /// Type 3 `YYMMDDWHHMMSS`: the second the next second signal marks.
    Announce(Jst),
    /// Type 3's second signal, 0xE5.
    Second,
}

/// A TDC-300 frame's text (see [`Tdc300`]).
pub fn decode_tdc300(s: &[u8]) -> Result<Tdc300, DecodeError> {
    const W: &str = "TDC-300";
    match s.len() {
        1 if s[0] == TDC300_SECOND => Ok(Tdc300::Second),
        1 => Err(DecodeError::Field {
            what: W,
            field: "second signal",
            expected: "0xE5",
            found: format!("{:#04x}", s[0]),
        }),
        8 => {
            let m: Vec<u8> = s.iter().map(|b| b & 0x7f).collect();
            let (h, mi, sec) = decode_hms(&m)?;
            Ok(Tdc300::Time(h, mi, sec))
        }
        13 => Ok(Tdc300::Announce(decode_yymmddwhhmmss(W, s)?)),
        17 => {
            let m: Vec<u8> = s.iter().map(|b| b & 0x7f).collect();
            let (year, month, day) = yymmdd(W, &m, 0)?;
            let t = Jst {
                year,
                month,
                day,
                hour: two(W, "hour", &m, 6)?,
                minute: two(W, "minute", &m, 8)?,
                second: two(W, "second", &m, 10)?,
                millis: 0,
            }
            .check(W)?;
            let weekday = digits(W, "weekday", &m, 12, 1)?;
            if weekday > 6 {
                return Err(DecodeError::Field {
                    what: W,
                    field: "weekday",
                    expected: "0..6",
                    found: weekday.to_string(),
                });
            }
            Ok(Tdc300::Full(t, [m[13], m[14], m[15], m[16]]))
        }
        n => Err(DecodeError::Length {
            what: W,
            expected: 13,
            found: n,
        }),
    }
}

/// A TDC-300 frame's text, without STX and ETX.
pub fn encode_tdc300(f: &Tdc300) -> Vec<u8> {
    match f {
        Tdc300::Time(h, m, s) => format!("{h:02}:{m:02}:{s:02}").into_bytes(),
        Tdc300::Full(t, st) => {
            let mut v = format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}{}",
                t.year % 100,
                t.month,
                t.day,
                t.hour,
                t.minute,
                t.second,
                t.weekday_sunday0()
            )
            .into_bytes();
            v.extend_from_slice(st);
            v
        }
        Tdc300::Announce(t) => encode_yymmddwhhmmss(t).into_bytes(),
        Tdc300::Second => vec![TDC300_SECOND],
    }
}

/// The printable part of a raw frame, as ntpd's driver reads it: every
/// byte that is not a control character (0x00..=0x1f, 0x7f).
pub fn text_of(frame: &[u8]) -> Vec<u8> {
    frame
        .iter()
        .copied()
        .filter(|&b| b >= 0x20 && b != 0x7f)
        .collect()
}
