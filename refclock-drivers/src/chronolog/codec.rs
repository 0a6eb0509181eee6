//! Chrono-log K lines ↔ fields, both ways, no I/O.
//!
//! ```text
//! Y yy/mm/dd<CR><LF>     the date (local), a few seconds before the time
//! Z hh:mm:ss<CR><LF>     the time (local); the <CR> is on time
//! ```
//!
//! (`refclock_chronolog.c`'s header and `driver32.html`.) Every field is
//! two digits; ntpd's `sscanf("Y %d/%d/%d")` and `"Z %02d:%02d:%02d"`
//! take signs, blanks and short numbers too, and check no range.

use refclock_core::ascii::decimal;
use refclock_core::calendar::days_in_month;
use refclock_core::ClockEvent;
use thiserror::Error;

/// One line of the clock, as the line reader gives it (no CR or LF).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// `Y yy/mm/dd`: the local date, two-digit year.
    Date {
        /// Year of the century, 0..=99.
        year: u8,
        /// Month, 1..=12.
        month: u8,
        /// Day of the month, 1..=31 (checked against the month, with
        /// February 29 allowed: the century is not known here).
        day: u8,
    },
    /// `Z hh:mm:ss`: the local time of day.
    Time {
        /// Hour, 0..=23.
        hour: u8,
        /// Minute, 0..=59.
        minute: u8,
        /// Second, 0..=59 (local time knows no leap second).
        second: u8,
    },
}

/// Why a line is not a Chrono-log line.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChronologError {
    /// Neither `Y yy/mm/dd` nor `Z hh:mm:ss` (length or separators).
    #[error("expected 'Y yy/mm/dd' or 'Z hh:mm:ss', found {found:?}")]
    Layout {
        /// The line.
        found: String,
    },
    /// A field is not two digits.
    #[error("{field}: expected two digits, found {found:?}")]
    Digits {
        /// Which field.
        field: &'static str,
        /// What was there.
        found: String,
    },
    /// A field is out of range.
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

impl ChronologError {
    /// The clock event it counts as: a malformed line is a bad format, a
    /// well-formed one out of range bad data.
    pub fn event(&self) -> ClockEvent {
        match self {
            ChronologError::Range { field, .. } if matches!(*field, "month" | "day") => {
                ClockEvent::BadDate
            }
            ChronologError::Range { .. } => ClockEvent::BadTime,
            _ => ClockEvent::BadReply,
        }
    }
}

/// Length of either line without its line end.
pub const LEN: usize = 10;

/// A two-digit field at `at` of `line`.
pub fn two_digits(line: &[u8], at: usize, field: &'static str) -> Result<u8, ChronologError> {
    let part = line.get(at..at + 2).unwrap_or(&[]);
    match decimal(part) {
        // Two digits: at most 99.
        Some(v) if part.len() == 2 => Ok(v as u8),
        _ => Err(ChronologError::Digits {
            field,
            found: String::from_utf8_lossy(part).into_owned(),
        }),
    }
}

fn range(field: &'static str, value: u8, min: u8, max: u8) -> Result<u8, ChronologError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ChronologError::Range {
            field,
            value,
            min,
            max,
        })
    }
}

/// Decodes one line (without its CR/LF).
pub fn decode(line: &[u8]) -> Result<Line, ChronologError> {
    let layout = || ChronologError::Layout {
        found: String::from_utf8_lossy(line).into_owned(),
    };
    if line.len() != LEN || line[1] != b' ' {
        return Err(layout());
    }
    match (line[0], line[4], line[7]) {
        (b'Y', b'/', b'/') => {
            let year = two_digits(line, 2, "year")?;
            let month = range("month", two_digits(line, 5, "month")?, 1, 12)?;
            // A leap year (2000) for the longest February.
            let day = range(
                "day",
                two_digits(line, 8, "day")?,
                1,
                days_in_month(2000, month),
            )?;
            Ok(Line::Date { year, month, day })
        }
        (b'Z', b':', b':') => Ok(Line::Time {
            hour: range("hour", two_digits(line, 2, "hour")?, 0, 23)?,
            minute: range("minute", two_digits(line, 5, "minute")?, 0, 59)?,
            second: range("second", two_digits(line, 8, "second")?, 0, 59)?,
        }),
        _ => Err(layout()),
    }
}

/// The line the clock sends for `line`, without the line end.
pub fn encode(line: &Line) -> Vec<u8> {
    match *line {
        Line::Date { year, month, day } => format!("Y {year:02}/{month:02}/{day:02}"),
        Line::Time {
            hour,
            minute,
            second,
        } => format!("Z {hour:02}:{minute:02}:{second:02}"),
    }
    .into_bytes()
}
