//! The Heath GC-1000 timecode ↔ fields, no I/O, as ntpd's
//! `heath_receive` reads it: `hh:mm:ss.f AM  mm/dd/yy`, month before day.

use refclock_core::ascii::decimal;
use refclock_core::ClockEvent;

/// Length of a GC-1000 timecode (`LENHEATH1`).
pub const LEN: usize = 23;

/// The character written at each poll besides the RTS pulse (ntpd keeps
/// it "for timing purposes"; the GC-1001 II it was for is not supported).
pub const POLL: &[u8] = b"T";

/// Days of the months of a common year (`day1tab`).
const DAYS: [u16; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// One decoded timecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeathTime {
    /// Hour, 0–23 (the clock must be set to 24-hour UTC).
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
    /// Tenths of a second; `None` when the clock shows `?` there (out of
    /// spec: not in sync).
    pub tenths: Option<u8>,
    /// The five characters after the tenths (` AM  `, ` PM  `, blanks in
    /// 24-hour mode); not used.
    pub meridian: [u8; 5],
    /// Month, 1–12 (read before the day, as ntpd's source does).
    pub month: u8,
    /// Day of month.
    pub day: u8,
    /// Year of century.
    pub year: u8,
}

impl HeathTime {
    /// Day of year from month and day, the year of century telling leap
    /// years (every fourth, as ntpd: right from 1901 to 2099).
    pub fn day_of_year(&self) -> u16 {
        let leap = self.year.is_multiple_of(4);
        let before: u16 = DAYS[..usize::from(self.month - 1)].iter().sum();
        before + u16::from(leap && self.month > 2) + u16::from(self.day)
    }
}

/// Why a line is not a timecode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeathError {
    /// Not 23 characters.
    #[error("length {0}, not 23")]
    Length(usize),
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

impl HeathError {
    /// The event ntpd reports.
    pub fn event(&self) -> ClockEvent {
        match self {
            HeathError::Length(_) | HeathError::Field { .. } => ClockEvent::BadReply,
            HeathError::Range { .. } => ClockEvent::BadTime,
        }
    }
}

fn num(code: &[u8], at: usize, field: &'static str) -> Result<u8, HeathError> {
    let b = &code[at..at + 2];
    match decimal(b) {
        // Two digits: at most 99.
        Some(v) => Ok(v as u8),
        None => Err(HeathError::Field {
            field,
            at,
            expected: "two digits",
            found: String::from_utf8_lossy(b).into_owned(),
        }),
    }
}

fn sep(code: &[u8], at: usize, c: u8) -> Result<(), HeathError> {
    if code[at] == c {
        return Ok(());
    }
    Err(HeathError::Field {
        field: "separator",
        at,
        expected: match c {
            b':' => "':'",
            b'.' => "'.'",
            _ => "'/'",
        },
        found: String::from_utf8_lossy(&code[at..=at]).into_owned(),
    })
}

fn range(value: u8, min: u8, max: u8, field: &'static str) -> Result<u8, HeathError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(HeathError::Range {
            field,
            value: u32::from(value),
        })
    }
}

/// Decodes a timecode line (without its CR).
pub fn decode(code: &[u8]) -> Result<HeathTime, HeathError> {
    if code.len() != LEN {
        return Err(HeathError::Length(code.len()));
    }
    let hour = num(code, 0, "hour")?;
    sep(code, 2, b':')?;
    let minute = num(code, 3, "minute")?;
    sep(code, 5, b':')?;
    let second = num(code, 6, "second")?;
    sep(code, 8, b'.')?;
    let tenths = code[9].is_ascii_digit().then(|| code[9] - b'0');
    let mut meridian = [0; 5];
    meridian.copy_from_slice(&code[10..15]);
    let month = num(code, 15, "month")?;
    sep(code, 17, b'/')?;
    let day = num(code, 18, "day")?;
    sep(code, 20, b'/')?;
    let year = num(code, 21, "year")?;
    let month = range(month, 1, 12, "month")?;
    let len = DAYS[usize::from(month - 1)] as u8 + u8::from(month == 2 && year.is_multiple_of(4));
    Ok(HeathTime {
        hour: range(hour, 0, 23, "hour")?,
        minute: range(minute, 0, 59, "minute")?,
        second: range(second, 0, 60, "second")?,
        tenths,
        meridian,
        month,
        day: range(day, 1, len, "day")?,
        year,
    })
}

/// The 23 characters the clock sends (its CR not included).
pub fn encode(t: &HeathTime) -> Vec<u8> {
    let mut v = format!("{:02}:{:02}:{:02}.", t.hour, t.minute, t.second).into_bytes();
    v.push(t.tenths.map_or(b'?', |d| b'0' + d));
    v.extend_from_slice(&t.meridian);
    v.extend(format!("{:02}/{:02}/{:02}", t.month, t.day, t.year).into_bytes());
    v
}
