//! The Datum PTS time reply ↔ fields, both ways, no I/O.
//!
//! The request is the six bytes `//k/mn`; the reply seven bytes of packed
//! BCD (`refclock_datum.c`, `datum_pts_receive`):
//!
//! ```text
//! byte 0   low nibble: hundreds of the day of year (high nibble unused)
//! byte 1   tens | units of the day of year
//! byte 2   tens (bits 0x30) | units of the hour
//! byte 3   tens (bits 0x70) | units of the minute
//! byte 4   tens (bits 0x70) | units of the second
//! byte 5   hundreds | tens of the millisecond
//! byte 6   units of the millisecond | unused nibble
//! ```
//!
//! The time is UTC (ntpd's driver is built with `GMT` defined). ntpd
//! checks no digit; here every digit must be 0..=9 and the fields in
//! range, so that a shifted or garbled reply is caught.

use refclock_core::ClockEvent;
use thiserror::Error;

/// The time request.
pub const REQUEST: &[u8] = b"//k/mn";

/// Length of the reply.
pub const LEN: usize = 7;

/// A reply's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatumTime {
    /// Day of year, 1..=366.
    pub day: u16,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=60.
    pub second: u8,
    /// Millisecond, 0..=999.
    pub msec: u16,
}

/// Why seven bytes are not a reply.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DatumError {
    /// Not seven bytes.
    #[error("expected {LEN} bytes, found {found}")]
    Length {
        /// How many there were.
        found: usize,
    },
    /// A nibble that is no decimal digit.
    #[error("byte {byte} ({value:#04x}): {field} is not BCD")]
    Bcd {
        /// Which byte.
        byte: usize,
        /// The byte.
        value: u8,
        /// The field it belongs to.
        field: &'static str,
    },
    /// A field out of range.
    #[error("{field} {value} out of range {min}..={max}")]
    Range {
        /// Which field.
        field: &'static str,
        /// Its value.
        value: u16,
        /// Smallest allowed.
        min: u16,
        /// Largest allowed.
        max: u16,
    },
}

impl DatumError {
    /// Garbled bytes are a bad format; a field out of range bad data.
    pub fn event(&self) -> ClockEvent {
        match self {
            DatumError::Range { field: "day", .. } => ClockEvent::BadDate,
            DatumError::Range { .. } => ClockEvent::BadTime,
            _ => ClockEvent::BadReply,
        }
    }
}

/// Decodes a reply.
pub fn decode(b: &[u8]) -> Result<DatumTime, DatumError> {
    let &[b0, b1, b2, b3, b4, b5, b6] = b else {
        return Err(DatumError::Length { found: b.len() });
    };
    let digit = |byte: usize, value: u8, nibble: u8, field: &'static str| {
        if nibble <= 9 {
            Ok(u16::from(nibble))
        } else {
            Err(DatumError::Bcd { byte, value, field })
        }
    };
    let range = |field: &'static str, value: u16, min: u16, max: u16| {
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(DatumError::Range {
                field,
                value,
                min,
                max,
            })
        }
    };
    let day = 100 * digit(0, b0, b0 & 0x0f, "day")?
        + 10 * digit(1, b1, b1 >> 4, "day")?
        + digit(1, b1, b1 & 0x0f, "day")?;
    let hour = 10 * u16::from((b2 & 0x30) >> 4) + digit(2, b2, b2 & 0x0f, "hour")?;
    let minute = 10 * u16::from((b3 & 0x70) >> 4) + digit(3, b3, b3 & 0x0f, "minute")?;
    let second = 10 * u16::from((b4 & 0x70) >> 4) + digit(4, b4, b4 & 0x0f, "second")?;
    let msec = 100 * digit(5, b5, b5 >> 4, "millisecond")?
        + 10 * digit(5, b5, b5 & 0x0f, "millisecond")?
        + digit(6, b6, b6 >> 4, "millisecond")?;
    Ok(DatumTime {
        day: range("day", day, 1, 366)?,
        hour: range("hour", hour, 0, 23)? as u8,
        minute: range("minute", minute, 0, 59)? as u8,
        second: range("second", second, 0, 60)? as u8,
        msec,
    })
}

/// The seven bytes of a reply (unused nibbles zero).
pub fn encode(t: &DatumTime) -> [u8; LEN] {
    let bcd = |v: u16| (((v / 10) % 10) << 4 | (v % 10)) as u8;
    [
        ((t.day / 100) % 10) as u8,
        bcd(t.day % 100),
        bcd(u16::from(t.hour)),
        bcd(u16::from(t.minute)),
        bcd(u16::from(t.second)),
        bcd(t.msec / 10),
        ((t.msec % 10) as u8) << 4,
    ]
}
