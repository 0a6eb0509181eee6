//! Arbiter 1088A/B lines ↔ fields, no I/O: the B5/O5 timecode and the
//! answers to the queries ntpd's `arb_receive` recognises.

use refclock_core::ascii::decimal;
use refclock_core::ClockEvent;

/// Length of a B5 timecode (`LENARB`): shorter lines are cut-off
/// broadcasts, dropped without a word.
pub const LEN: usize = 24;

/// Offset of the blank that ntpd overwrites with the time quality
/// character in the line it logs.
pub const QUALITY_AT: usize = LEN - 2;

/// The commands of mode 0 (`B0`/`B5`) and mode 1 (`O0`/`O5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commands {
    /// Stops the broadcast.
    pub halt: &'static [u8],
    /// Starts the B5 timecode once a second.
    pub start: &'static [u8],
}

impl Commands {
    /// For `mode` 0 or 1 (ntpd: odd modes use the `O` commands).
    pub fn for_mode(mode: u32) -> Commands {
        if mode % 2 == 1 {
            Commands {
                halt: b"O0",
                start: b"O5",
            }
        } else {
            Commands {
                halt: b"B0",
                start: b"B5",
            }
        }
    }
}

/// The time quality query.
pub const TQ: &[u8] = b"TQ";
/// The receiver status query.
pub const SR: &[u8] = b"SR";
/// The position queries (flag4), in the order asked.
pub const POSITION: [&[u8]; 4] = [b"LA", b"LO", b"LH", b"DB"];

/// A B5 timecode `i yy ddd hh:mm:ss.000   `.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timecode {
    /// `' '` locked, `?` not.
    pub sync: u8,
    /// Year of century.
    pub year: u8,
    /// Day of year, 1–366.
    pub day: u16,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
}

/// Why a line of timecode length is not a timecode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArbiterError {
    /// Shorter than a timecode.
    #[error("length {0}, shorter than 24")]
    Short(usize),
    /// A field not where the layout has it.
    #[error("{field} at {at}: expected {expected}, found {found:?}")]
    Field {
        /// The field.
        field: &'static str,
        /// Its offset.
        at: usize,
        /// What belongs there.
        expected: &'static str,
        /// What was there.
        found: String,
    },
    /// A field out of range.
    #[error("{field} {value} out of range")]
    Range {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
}

impl ArbiterError {
    /// The event ntpd reports.
    pub fn event(&self) -> ClockEvent {
        match self {
            ArbiterError::Short(_) | ArbiterError::Field { .. } => ClockEvent::BadReply,
            ArbiterError::Range { .. } => ClockEvent::BadTime,
        }
    }
}

fn num(code: &[u8], at: usize, len: usize, field: &'static str) -> Result<u32, ArbiterError> {
    let b = &code[at..at + len];
    decimal(b).ok_or_else(|| ArbiterError::Field {
        field,
        at,
        expected: "digits",
        found: String::from_utf8_lossy(b).into_owned(),
    })
}

fn lit(code: &[u8], at: usize, c: u8, field: &'static str) -> Result<(), ArbiterError> {
    if code[at] == c {
        Ok(())
    } else {
        Err(ArbiterError::Field {
            field,
            at,
            expected: if c == b' ' { "a blank" } else { "':'" },
            found: String::from_utf8_lossy(&code[at..=at]).into_owned(),
        })
    }
}

fn range(value: u32, min: u32, max: u32, field: &'static str) -> Result<u32, ArbiterError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ArbiterError::Range { field, value })
    }
}

/// Decodes a timecode line (24 characters or more; what follows the
/// seconds is not read).
pub fn decode(code: &[u8]) -> Result<Timecode, ArbiterError> {
    if code.len() < LEN {
        return Err(ArbiterError::Short(code.len()));
    }
    lit(code, 1, b' ', "blank")?;
    let year = num(code, 2, 2, "year")?;
    lit(code, 4, b' ', "blank")?;
    let day = num(code, 5, 3, "day")?;
    lit(code, 8, b' ', "blank")?;
    let hour = num(code, 9, 2, "hour")?;
    lit(code, 11, b':', "separator")?;
    let minute = num(code, 12, 2, "minute")?;
    lit(code, 14, b':', "separator")?;
    let second = num(code, 15, 2, "second")?;
    Ok(Timecode {
        sync: code[0],
        year: year as u8,
        day: range(day, 1, 366, "day")? as u16,
        hour: range(hour, 0, 23, "hour")? as u8,
        minute: range(minute, 0, 59, "minute")? as u8,
        second: range(second, 0, 60, "second")? as u8,
    })
}

/// The 24 characters of a timecode, as the clock sends them after its
/// on-time CR LF.
pub fn encode(t: &Timecode) -> Vec<u8> {
    format!(
        "{} {:02} {:03} {:02}:{:02}:{:02}.000   ",
        t.sync as char,
        t.year % 100,
        t.day,
        t.hour,
        t.minute,
        t.second
    )
    .into_bytes()
}

/// What a time quality character says: the dispersion ntpd gives it, or
/// `None` for a clock failure (`F`) or an unknown character.
pub fn quality_dispersion(q: u8) -> Option<f64> {
    Some(match q {
        b'0' => 1e-7,
        b'4' => 1e-6,
        b'5' => 1e-5,
        b'6' => 1e-4,
        b'7' => 1e-3,
        b'8' => 1e-2,
        b'9' => 1e-1,
        b'A' => 1.0,
        b'B' => 10.0,
        _ => return None,
    })
}
