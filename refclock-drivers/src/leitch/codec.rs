//! Leitch CSD-5300 answers ↔ fields, both ways, no I/O.
//!
//! ```text
//! D<CR>  ->  YYMMDD<CR>                 the date
//! T<CR>  ->  HHMMSS<CR> (three times)   the time, one line a second
//! ```
//!
//! (`refclock_leitch.c`'s header: the time is `<CR>/HHMMSS <CR>/HHMMSS
//! <CR>/HHMMSS <CR>/`, "second boundaries at '/'", and its code takes a
//! line of exactly six digits; a `/` before the digits is allowed here.)
//! The commands go out as ntpd writes them, `sizeof("D\r")` bytes: the
//! letter, CR and a NUL.

use refclock_core::ClockEvent;
use thiserror::Error;

/// The date query as ntpd writes it (with the string's NUL).
pub const DATE_QUERY: &[u8] = b"D\r\0";
/// The time query as ntpd writes it (with the string's NUL).
pub const TIME_QUERY: &[u8] = b"T\r\0";

/// A date answer: two-digit year, month, day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeitchDate {
    /// Year of the century, 0..=99.
    pub year: u8,
    /// Month, 1..=12.
    pub month: u8,
    /// Day, 1..=31 (checked against the month once the year is known).
    pub day: u8,
}

/// A time answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeitchTime {
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=60.
    pub second: u8,
}

/// Why an answer is not what was asked for.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LeitchError {
    /// Not six digits.
    #[error("expected six digits, found {found:?}")]
    Layout {
        /// The line.
        found: String,
    },
    /// A field out of range.
    #[error("{field} {value} out of range {min}..={max}")]
    Range {
        /// Which field.
        field: &'static str,
        /// Its value.
        value: u8,
        /// Smallest allowed.
        min: u8,
        /// Largest allowed.
        max: u8,
    },
}

impl LeitchError {
    /// A malformed line is a bad format; a field out of range bad data.
    pub fn event(&self) -> ClockEvent {
        match self {
            LeitchError::Layout { .. } => ClockEvent::BadReply,
            LeitchError::Range { field, .. } if matches!(*field, "month" | "day") => {
                ClockEvent::BadDate
            }
            LeitchError::Range { .. } => ClockEvent::BadTime,
        }
    }
}

fn six(line: &[u8]) -> Result<[u8; 3], LeitchError> {
    let digits = line.strip_prefix(b"/").unwrap_or(line);
    match *digits {
        [a, b, c, d, e, f] if digits.iter().all(u8::is_ascii_digit) => {
            let two = |x: u8, y: u8| (x - b'0') * 10 + (y - b'0');
            Ok([two(a, b), two(c, d), two(e, f)])
        }
        _ => Err(LeitchError::Layout {
            found: String::from_utf8_lossy(line).into_owned(),
        }),
    }
}

fn range(field: &'static str, value: u8, min: u8, max: u8) -> Result<u8, LeitchError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(LeitchError::Range {
            field,
            value,
            min,
            max,
        })
    }
}

/// Decodes a date answer (without its CR).
pub fn decode_date(line: &[u8]) -> Result<LeitchDate, LeitchError> {
    let [year, month, day] = six(line)?;
    Ok(LeitchDate {
        year,
        month: range("month", month, 1, 12)?,
        day: range("day", day, 1, 31)?,
    })
}

/// Decodes a time answer (without its CR; a leading `/` allowed).
pub fn decode_time(line: &[u8]) -> Result<LeitchTime, LeitchError> {
    let [hour, minute, second] = six(line)?;
    Ok(LeitchTime {
        hour: range("hour", hour, 0, 23)?,
        minute: range("minute", minute, 0, 59)?,
        second: range("second", second, 0, 60)?,
    })
}

/// A date answer's text, without the CR.
pub fn encode_date(d: &LeitchDate) -> Vec<u8> {
    format!("{:02}{:02}{:02}", d.year, d.month, d.day).into_bytes()
}

/// A time answer's text, without the CR.
pub fn encode_time(t: &LeitchTime) -> Vec<u8> {
    format!("{:02}{:02}{:02}", t.hour, t.minute, t.second).into_bytes()
}
