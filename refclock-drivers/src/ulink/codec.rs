//! The Ultralink timecodes ↔ their fields, both ways, no I/O.
//!
//! Each timecode follows a CR LF whose CR is on time; the layout is
//! chosen by length, and for 32 characters by the first one
//! (`refclock_ulink.c`, from Ultralink's data sheets):
//!
//! ```text
//! 33x (32): S9+D 00 YYYY+DDDUTCS HH:MM:SSL+5
//!           0    5  8   12  16   21 24 27 29
//! 325 (32): R5_1C00LYYYY+DDDUTCS HH:MM:SSL+5
//! 320 (24): SQRYYYYDDD+HH:MM:SS.mmLT
//!           0  3   7  10 13 16 19 22
//! ```
//!
//! 33x: `S` in sync or `N` noisy signal, signal level, data bit, hours
//! since the last good frame (`Lk` locked), year, leap year `+`, day of
//! year, `UTC`, DST state, hour, **`:` in sync** (`?` not), minute,
//! second, leap second warning `+` insert or `-` delete, UT1 correction.
//! 325: `R` and readability, data bit, station, hours since sync, lock
//! character (space, or 0xA5 when locked, which the line reader turns
//! into `%`), then as the 33x with the leap warning `I` insert, `D`
//! delete. 320: `S` synchronised in the last hour (`0`–`9` tens of hours
//! since, `?` **not in sync**), correlating frames, reception state,
//! year, day of year, leap year, hour, minute, second, hundredths, leap
//! warning `I`/`D`, DST transition.

use refclock_core::ascii::decimal;
use refclock_core::ClockEvent;

/// Length of a 33x or 325 timecode.
pub const LEN33X: usize = 32;
/// Length of a 320 timecode.
pub const LEN320: usize = 24;

/// Which receiver a timecode comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// Model 330, 331 or 332.
    M33x,
    /// Model 325.
    M325,
    /// Model 320.
    M320,
}

/// The leap second warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeapWarning {
    /// None.
    None,
    /// A second inserted at the end of the month.
    Insert,
    /// A second deleted.
    Delete,
}

/// One decoded timecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UlinkTime {
    /// The receiver.
    pub model: Model,
    /// The first character: 33x `S` or `N`, 325 `R`, 320 the sync state.
    pub signal: u8,
    /// Year.
    pub year: u16,
    /// Day of year.
    pub day: u16,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second (0..=60).
    pub second: u8,
    /// Hundredths (320 only; 0 otherwise).
    pub hundredths: u8,
    /// In sync: the `:` after the hour (33x, 325), the first character
    /// not `?` (320).
    pub sync: bool,
    /// The leap second warning.
    pub leap: LeapWarning,
}

/// Why a timecode was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UlinkError {
    /// Neither 24 nor 32 characters.
    #[error("expected {LEN320} or {LEN33X} characters, found {found}")]
    Length {
        /// Characters found.
        found: usize,
    },
    /// 32 characters starting with neither `S`, `N` nor `R`.
    #[error("32 characters starting {found:?}: neither a 33x (S, N) nor a 325 (R)")]
    Model {
        /// The first character.
        found: char,
    },
    /// A field is not what the layout has there.
    #[error("{field}: expected {expected}, found {found:?}")]
    Field {
        /// The field.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
        /// What was there.
        found: String,
    },
    /// The day or time is out of range.
    #[error("{field} out of range: {value}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u16,
    },
}

impl UlinkError {
    /// ntpd's event: a timecode its `sscanf` refuses is `CEVNT_BADREPLY`;
    /// a day or time out of range fails its `clocktime`, `CEVNT_BADTIME`.
    pub fn event(&self) -> ClockEvent {
        match self {
            UlinkError::OutOfRange { .. } => ClockEvent::BadTime,
            _ => ClockEvent::BadReply,
        }
    }
}

fn num(code: &[u8], at: usize, width: usize, field: &'static str) -> Result<u16, UlinkError> {
    let d = &code[at..at + width];
    decimal(d)
        .and_then(|v| u16::try_from(v).ok())
        .ok_or_else(|| UlinkError::Field {
            field,
            expected: "digits",
            found: String::from_utf8_lossy(d).into_owned(),
        })
}

fn lit(code: &[u8], at: usize, want: u8, field: &'static str) -> Result<(), UlinkError> {
    if code[at] == want {
        Ok(())
    } else {
        Err(UlinkError::Field {
            field,
            expected: "':', '.' as the layout has it",
            found: char::from(code[at]).to_string(),
        })
    }
}

fn range(field: &'static str, v: u16, lo: u16, hi: u16) -> Result<u16, UlinkError> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(UlinkError::OutOfRange { field, value: v })
    }
}

/// Decodes a timecode line (without its CR LF).
pub fn decode(code: &[u8]) -> Result<UlinkTime, UlinkError> {
    let model = match (code.len(), code.first()) {
        (LEN33X, Some(b'S' | b'N')) => Model::M33x,
        (LEN33X, Some(b'R')) => Model::M325,
        (LEN33X, Some(&c)) => {
            return Err(UlinkError::Model {
                found: char::from(c),
            })
        }
        (LEN320, _) => Model::M320,
        (n, _) => return Err(UlinkError::Length { found: n }),
    };
    if model == Model::M320 {
        if !(0x20..0x7f).contains(&code[0]) {
            return Err(UlinkError::Field {
                field: "sync state",
                expected: "a printable character",
                found: String::from_utf8_lossy(&code[..1]).into_owned(),
            });
        }
        num(code, 1, 1, "correlating frames")?;
        lit(code, 13, b':', "separator after the hour")?;
        lit(code, 16, b':', "separator after the minute")?;
        lit(code, 19, b'.', "separator after the second")?;
        return Ok(UlinkTime {
            model,
            signal: code[0],
            year: num(code, 3, 4, "year")?,
            day: range("day", num(code, 7, 3, "day")?, 1, 366)?,
            hour: range("hour", num(code, 11, 2, "hour")?, 0, 23)? as u8,
            minute: range("minute", num(code, 14, 2, "minute")?, 0, 59)? as u8,
            second: range("second", num(code, 17, 2, "second")?, 0, 60)? as u8,
            hundredths: num(code, 20, 2, "hundredths")? as u8,
            sync: code[0] != b'?',
            leap: match code[22] {
                b'I' => LeapWarning::Insert,
                b'D' => LeapWarning::Delete,
                _ => LeapWarning::None,
            },
        });
    }
    lit(code, 26, b':', "separator after the minute")?;
    let (insert, delete) = if model == Model::M325 {
        (b'I', b'D')
    } else {
        (b'+', b'-')
    };
    Ok(UlinkTime {
        model,
        signal: code[0],
        year: num(code, 8, 4, "year")?,
        day: range("day", num(code, 13, 3, "day")?, 1, 366)?,
        hour: range("hour", num(code, 21, 2, "hour")?, 0, 23)? as u8,
        minute: range("minute", num(code, 24, 2, "minute")?, 0, 59)? as u8,
        second: range("second", num(code, 27, 2, "second")?, 0, 60)? as u8,
        hundredths: 0,
        sync: code[23] == b':',
        leap: match code[29] {
            c if c == insert => LeapWarning::Insert,
            c if c == delete => LeapWarning::Delete,
            _ => LeapWarning::None,
        },
    })
}

fn is_leap_year(year: u16) -> bool {
    refclock_core::calendar::is_leap_year(i32::from(year))
}

/// Encodes a timecode line (without CR LF) as the simulated receivers
/// send it: signal level 9, data bit 1, locked, no DST, UT1 +0.
pub fn encode(t: &UlinkTime) -> Vec<u8> {
    let leap_year = if is_leap_year(t.year) { '+' } else { ' ' };
    let sync = if t.sync { ':' } else { '?' };
    let text = match t.model {
        Model::M33x => format!(
            "{}9 1 Lk {:04}{leap_year}{:03}UTCS {:02}{sync}{:02}:{:02}{}+0",
            char::from(t.signal),
            t.year % 10_000,
            t.day % 1000,
            t.hour % 100,
            t.minute % 100,
            t.second % 100,
            match t.leap {
                LeapWarning::None => ' ',
                LeapWarning::Insert => '+',
                LeapWarning::Delete => '-',
            }
        ),
        Model::M325 => format!(
            "{}5 1C00{}{:04}{leap_year}{:03}UTCS {:02}{sync}{:02}:{:02}{}+0",
            char::from(t.signal),
            if t.sync { '%' } else { ' ' },
            t.year % 10_000,
            t.day % 1000,
            t.hour % 100,
            t.minute % 100,
            t.second % 100,
            match t.leap {
                LeapWarning::None => ' ',
                LeapWarning::Insert => 'I',
                LeapWarning::Delete => 'D',
            }
        ),
        Model::M320 => format!(
            "{}5R{:04}{:03}{leap_year}{:02}:{:02}:{:02}.{:02}{} ",
            char::from(t.signal),
            t.year % 10_000,
            t.day % 1000,
            t.hour % 100,
            t.minute % 100,
            t.second % 100,
            t.hundredths % 100,
            match t.leap {
                LeapWarning::None => ' ',
                LeapWarning::Insert => 'I',
                LeapWarning::Delete => 'D',
            }
        ),
    };
    text.into_bytes()
}
