//! The hopf 6021-compatible serial telegram ↔ its fields, both ways, no
//! I/O.
//!
//! ```text
//! STX A B H H M M S S D D M M Y Y LF CR ETX
//!      0 1 2 3 4 5 6 7 8 9 0 1 2 3              (the line the driver reads)
//! ```
//!
//! `A` status (hex): bit 0 a change of summer time announced, bit 1
//! summer time (MESZ), bits 2–3 the mode: 0 no time, 4 the internal
//! clock, 8 radio, 12 radio high precision. `B` (hex): bit 3 the time is
//! UTC (else MEZ/MESZ), bits 0–2 the weekday (1 Monday … 7 Sunday). Then
//! time and date, two digits each (libparse's `clk_hopf6021.c` has the
//! layout; ntpd's `refclock_hopfser.c` reads the line with its control
//! characters stripped by `refclock_gtlin`). The ETX goes out on the
//! second the telegram names.

use refclock_core::ClockEvent;

/// Length of the line without its control characters.
pub const LEN: usize = 14;

/// Status `A`: summer time.
pub const DST: u8 = 0x2;
/// Status `A`: a change of summer time is announced.
pub const DST_WARN: u8 = 0x1;
/// Status `A`: the mode bits.
pub const MODE: u8 = 0xC;
/// Mode: no time available.
pub const MODE_INVALID: u8 = 0x0;
/// Mode: the internal (crystal) clock.
pub const MODE_INTERNAL: u8 = 0x4;
/// Mode: radio clock.
pub const MODE_RADIO: u8 = 0x8;
/// Mode: radio clock, high precision.
pub const MODE_RADIO_HP: u8 = 0xC;
/// Weekday digit `B`: the time is UTC.
pub const UTC: u8 = 0x8;

/// One telegram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HopfTime {
    /// Status digit `A`.
    pub status: u8,
    /// Weekday digit `B` (with the UTC bit).
    pub weekday: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second (0..=60).
    pub second: u8,
    /// Day of month.
    pub day: u8,
    /// Month.
    pub month: u8,
    /// Year, two digits.
    pub year: u8,
}

impl HopfTime {
    /// The mode bits of the status.
    pub fn mode(&self) -> u8 {
        self.status & MODE
    }

    /// Hours the stated time is ahead of UTC: 0 with the UTC bit, else 2
    /// in summer time and 1 otherwise.
    pub fn zone_hours(&self) -> i32 {
        if self.weekday & UTC != 0 {
            0
        } else if self.status & DST != 0 {
            2
        } else {
            1
        }
    }
}

/// Why a line was refused (`CEVNT_BADREPLY`, as ntpd reports all).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HopfError {
    /// Not 14 characters.
    #[error("expected {LEN} characters, found {found}")]
    Length {
        /// Characters found.
        found: usize,
    },
    /// A field is not of its kind.
    #[error("{field}: expected {expected}, found {found:?}")]
    Field {
        /// The field.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
        /// What was there.
        found: String,
    },
    /// A field out of range (the day against its month).
    #[error("{field} out of range: {value}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u8,
    },
}

impl HopfError {
    /// ntpd's event: `CEVNT_BADREPLY`.
    pub fn event(&self) -> ClockEvent {
        ClockEvent::BadReply
    }
}

fn hex(line: &[u8], at: usize, field: &'static str) -> Result<u8, HopfError> {
    char::from(line[at])
        .to_digit(16)
        .map(|d| d as u8)
        .ok_or_else(|| HopfError::Field {
            field,
            expected: "a hex digit",
            found: String::from_utf8_lossy(&line[at..=at]).into_owned(),
        })
}

fn two(line: &[u8], at: usize, field: &'static str, lo: u8, hi: u8) -> Result<u8, HopfError> {
    let d = &line[at..at + 2];
    if !d.iter().all(u8::is_ascii_digit) {
        return Err(HopfError::Field {
            field,
            expected: "two digits",
            found: String::from_utf8_lossy(d).into_owned(),
        });
    }
    let v = (d[0] - b'0') * 10 + (d[1] - b'0');
    if v < lo || v > hi {
        return Err(HopfError::OutOfRange { field, value: v });
    }
    Ok(v)
}

/// Decodes a line (control characters already stripped).
pub fn decode(line: &[u8]) -> Result<HopfTime, HopfError> {
    if line.len() != LEN {
        return Err(HopfError::Length { found: line.len() });
    }
    let t = HopfTime {
        status: hex(line, 0, "status")?,
        weekday: hex(line, 1, "weekday")?,
        hour: two(line, 2, "hour", 0, 23)?,
        minute: two(line, 4, "minute", 0, 59)?,
        second: two(line, 6, "second", 0, 60)?,
        day: two(line, 8, "day", 1, 31)?,
        month: two(line, 10, "month", 1, 12)?,
        year: two(line, 12, "year", 0, 99)?,
    };
    // The century does not matter for the length of a month here.
    if t.day > refclock_core::calendar::days_in_month(2000 + i32::from(t.year), t.month) {
        return Err(HopfError::OutOfRange {
            field: "day",
            value: t.day,
        });
    }
    Ok(t)
}

/// The line of a telegram (without control characters).
pub fn encode_line(t: &HopfTime) -> Vec<u8> {
    format!(
        "{:X}{:X}{:02}{:02}{:02}{:02}{:02}{:02}",
        t.status & 15,
        t.weekday & 15,
        t.hour % 100,
        t.minute % 100,
        t.second % 100,
        t.day % 100,
        t.month % 100,
        t.year % 100
    )
    .into_bytes()
}

/// The whole telegram as the clock sends it: `STX line LF CR ETX`.
pub fn encode(t: &HopfTime) -> Vec<u8> {
    let mut v = vec![0x02];
    v.extend_from_slice(&encode_line(t));
    v.extend_from_slice(b"\n\r\x03");
    v
}
