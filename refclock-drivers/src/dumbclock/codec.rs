//! Dumb clock lines ↔ fields, both ways, no I/O.
//!
//! ```text
//! hh:mm:ss<CR><LF>     local time, 24-hour clock; the <CR> is on time
//! ```
//!
//! (`refclock_dumbclock.c`'s header writes `hh:mm:ss   <cr>`: blanks
//! after the time are allowed.) ntpd reads it with `sscanf("%02d:%02d:
//! %02d")`, which also takes leading blanks, signs, one-digit fields and
//! anything after the seconds, and checks no range.

use refclock_core::ClockEvent;
use thiserror::Error;

/// A time of day as the clock sends it (local time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DumbTime {
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59 (local time knows no leap second).
    pub second: u8,
}

/// Why a line is not a dumb clock's time.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DumbclockError {
    /// Not `hh:mm:ss` (length, separators or digits).
    #[error("expected 'hh:mm:ss', found {found:?}")]
    Layout {
        /// The line.
        found: String,
    },
    /// A field is out of range.
    #[error("{field} {value} out of range 0..={max}")]
    Range {
        /// Which field.
        field: &'static str,
        /// Its value.
        value: u8,
        /// Largest allowed.
        max: u8,
    },
}

impl DumbclockError {
    /// A malformed line is a bad format, a field out of range a bad time.
    pub fn event(&self) -> ClockEvent {
        match self {
            DumbclockError::Layout { .. } => ClockEvent::BadReply,
            DumbclockError::Range { .. } => ClockEvent::BadTime,
        }
    }
}

/// Decodes one line (without its CR/LF; trailing blanks allowed).
pub fn decode(line: &[u8]) -> Result<DumbTime, DumbclockError> {
    let text = line.trim_ascii_end();
    let layout = || DumbclockError::Layout {
        found: String::from_utf8_lossy(line).into_owned(),
    };
    let [h1, h2, b':', m1, m2, b':', s1, s2] = *text else {
        return Err(layout());
    };
    let two = |a: u8, b: u8| -> Result<u8, DumbclockError> {
        if a.is_ascii_digit() && b.is_ascii_digit() {
            Ok((a - b'0') * 10 + (b - b'0'))
        } else {
            Err(layout())
        }
    };
    let field = |name: &'static str, value: u8, max: u8| {
        if value <= max {
            Ok(value)
        } else {
            Err(DumbclockError::Range {
                field: name,
                value,
                max,
            })
        }
    };
    let (hour, minute, second) = (two(h1, h2)?, two(m1, m2)?, two(s1, s2)?);
    Ok(DumbTime {
        hour: field("hour", hour, 23)?,
        minute: field("minute", minute, 59)?,
        second: field("second", second, 59)?,
    })
}

/// The line the clock sends, without the line end.
pub fn encode(t: &DumbTime) -> Vec<u8> {
    format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second).into_bytes()
}
