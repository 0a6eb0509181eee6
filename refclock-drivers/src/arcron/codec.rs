//! The Arcron timecode as bytes ↔ fields, no I/O.
//!
//! The answer to `o\r` is 15 characters and a CR (`refclock_arc.c`'s
//! notes): `hhmmss` `w` (day of week, 1 = Monday) `DDMMYY`, a BST/UTC
//! byte and a status byte, both `0011xxxx` once the parity bit is
//! stripped. The driver's buffer holds the echoed `o` first, so its
//! offsets 1..=15 are this module's 0..=14.

use refclock_core::ascii::decimal;
use thiserror::Error;

/// Characters of a timecode, without the echoed `o` and the CR.
pub const LEN: usize = 15;

/// BST/UTC byte: a change between BST and UTC is announced.
pub const FLAG_CHANGE: u8 = 0x1;
/// BST/UTC byte: British Summer Time is in effect.
pub const FLAG_BST: u8 = 0x2;
/// BST/UTC byte: UTC is in effect (the complement of [`FLAG_BST`]).
pub const FLAG_UTC: u8 = 0x4;

/// Status byte: the clock holds a valid time.
pub const STATUS_VALID: u8 = 0x1;
/// Status byte: at least one reception since 02:30 succeeded.
pub const STATUS_RECEIVED: u8 = 0x2;
/// Status byte: the last reception attempt failed.
pub const STATUS_LAST_FAILED: u8 = 0x4;
/// Status byte: the battery is low.
pub const STATUS_BATTERY_LOW: u8 = 0x8;
/// The low three status bits of a clock in sync (valid, received, last
/// attempt good): the only value ntpd calls "signal acquired".
pub const STATUS_GOOD: u8 = STATUS_VALID | STATUS_RECEIVED;

/// One decoded timecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArcTime {
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=60.
    pub second: u8,
    /// Day of the week, 1 (Monday)..=7.
    pub weekday: u8,
    /// Day of the month, 1..=31.
    pub day: u8,
    /// Month, 1..=12.
    pub month: u8,
    /// Two-digit year.
    pub year: u8,
    /// The BST/UTC byte (parity stripped).
    pub flags: u8,
    /// The status byte (parity stripped).
    pub status: u8,
}

/// Why a timecode was refused (ntpd reports each as `CEVNT_BADREPLY`).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ArcError {
    /// Fewer than 15 characters.
    #[error("timecode has {found} characters, expected {LEN}")]
    Length {
        /// Characters found.
        found: usize,
    },
    /// A field is not made of digits.
    #[error("{field}: expected digits, found {found:?}")]
    Digits {
        /// The field.
        field: &'static str,
        /// What was there.
        found: String,
    },
    /// A field is out of range.
    #[error("{field} {value} out of range {min}..={max}")]
    Range {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u8,
        /// Least allowed.
        min: u8,
        /// Most allowed.
        max: u8,
    },
}

fn digits(code: &[u8], at: usize, n: usize, field: &'static str) -> Result<u8, ArcError> {
    let s = &code[at..at + n];
    decimal(s)
        .and_then(|v| u8::try_from(v).ok())
        .ok_or_else(|| ArcError::Digits {
            field,
            found: String::from_utf8_lossy(s).into_owned(),
        })
}

fn range(field: &'static str, value: u8, min: u8, max: u8) -> Result<u8, ArcError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(ArcError::Range {
            field,
            value,
            min,
            max,
        })
    }
}

/// Decodes the 15 characters after the echoed `o` (more are ignored), with
/// ntpd's checks: digits where `get1`/`get2` want them, then the ranges
/// (second up to 60). The two status bytes are taken as they are, parity
/// bit stripped.
pub fn decode(code: &[u8]) -> Result<ArcTime, ArcError> {
    if code.len() < LEN {
        return Err(ArcError::Length { found: code.len() });
    }
    let hour = digits(code, 0, 2, "hour")?;
    let minute = digits(code, 2, 2, "minute")?;
    let second = digits(code, 4, 2, "second")?;
    let weekday = digits(code, 6, 1, "day of week")?;
    let day = digits(code, 7, 2, "day")?;
    let month = digits(code, 9, 2, "month")?;
    let year = digits(code, 11, 2, "year")?;
    Ok(ArcTime {
        hour: range("hour", hour, 0, 23)?,
        minute: range("minute", minute, 0, 59)?,
        second: range("second", second, 0, 60)?,
        weekday: range("day of week", weekday, 1, 7)?,
        day: range("day", day, 1, 31)?,
        month: range("month", month, 1, 12)?,
        year,
        flags: code[13] & 0x7f,
        status: code[14] & 0x7f,
    })
}

/// The bytes the clock sends: the 15 characters and the CR. The two
/// status bytes get their fixed bits `0011` in the high nibble.
pub fn encode(t: &ArcTime) -> Vec<u8> {
    let mut s = format!(
        "{:02}{:02}{:02}{}{:02}{:02}{:02}",
        t.hour,
        t.minute,
        t.second,
        t.weekday,
        t.day,
        t.month,
        t.year % 100
    )
    .into_bytes();
    s.push(0x30 | (t.flags & 0x0f));
    s.push(0x30 | (t.status & 0x0f));
    s.push(b'\r');
    s
}

/// Whether the BST and UTC bits are each other's complement (mode 0's
/// check; a timecode failing it is a bad reply).
pub fn zone_bits_consistent(flags: u8) -> bool {
    (flags & FLAG_BST != 0) != (flags & FLAG_UTC != 0)
}
