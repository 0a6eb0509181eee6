//! The Zyfer TOD timecode ↔ its fields, both ways, without I/O.
//!
//! ```text
//! !TIME,2002,017,07,59,32,2,4,1
//! 0     6    11  15 18 21 24 26 28   (byte offsets of the fields)
//! ```
//!
//! 29 bytes, no line end; the layout is the one ntpd 4.2.8p18's
//! `refclock_zyfer.c` documents and reads with
//! `sscanf("!TIME,%4d,%3d,%2d,%2d,%2d,%d,%d,%d")`. Here every field must
//! have exactly its width in digits.

use refclock_core::calendar::{days_from_civil, days_in_year, CivilTime, SECS_PER_DAY};
use refclock_core::{ClockEvent, Timestamp};

/// Length of a timecode (`LENZYFER`).
pub const LEN: usize = 29;
/// The on-time character that opens a timecode.
pub const ON_TIME: u8 = b'!';
/// What every timecode starts with.
pub const HEADER: &[u8] = b"!TIME,";

/// Time mode 1: GPS time.
pub const TIME_MODE_GPS: u8 = 1;
/// Time mode 2: UTC, the only one the driver accepts.
pub const TIME_MODE_UTC: u8 = 2;
/// Operation mode 0: warm-up.
pub const OP_WARM_UP: u8 = 0;
/// Operation mode 1: time locked, the only one that gives samples.
pub const OP_LOCKED: u8 = 1;
/// Operation mode 2: coasting (lock lost, holding over).
pub const OP_COASTING: u8 = 2;

/// The fields of one timecode, as the receiver states them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZyferTime {
    /// Year, four digits.
    pub year: u16,
    /// Day of the year, 1..=365 or 366.
    pub day: u16,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=60 (the manual shows 59 at most; 60 would be a leap
    /// second).
    pub second: u8,
    /// Time mode `m`: 1 GPS, 2 UTC, 3 local GPS, 4 local UTC, 5 manual.
    pub time_mode: u8,
    /// Time figure of merit `T`: 4 ≤ 1 µs, 5 ≤ 10 µs, 6 ≤ 100 µs,
    /// 7 ≤ 1 ms, 8 ≤ 10 ms, 9 worse.
    pub figure_of_merit: u8,
    /// Operation mode `O`: 0 warm-up, 1 time locked, 2 coasting,
    /// 3 recovering, 4 manual.
    pub op_mode: u8,
}

impl ZyferTime {
    /// The fields of `time` (second 60 kept), with the given modes.
    pub fn from_civil(time: &CivilTime, time_mode: u8, figure_of_merit: u8, op_mode: u8) -> Self {
        ZyferTime {
            year: time.year.clamp(0, 9999) as u16,
            day: time.yday(),
            hour: time.hour,
            minute: time.minute,
            second: time.second,
            time_mode,
            figure_of_merit,
            op_mode,
        }
    }

    /// The instant the fields name, with the year as stated (no era
    /// mapping). Second 60 is the first second of the next minute, as
    /// POSIX time and ntpd's calendar arithmetic have it.
    pub fn timestamp(&self) -> Timestamp {
        let day = days_from_civil(i32::from(self.year), 1, 1) + i64::from(self.day) - 1;
        let sod =
            i64::from(self.hour) * 3600 + i64::from(self.minute) * 60 + i64::from(self.second);
        Timestamp::from_secs(day * SECS_PER_DAY + sod)
    }
}

/// Why a timecode was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ZyferError {
    /// Not 29 bytes.
    #[error("timecode is {found} bytes long, expected {LEN}")]
    Length {
        /// Its length.
        found: usize,
    },
    /// Does not start with `!TIME,`.
    #[error("timecode starts with {found:?}, expected \"!TIME,\"")]
    Header {
        /// What it starts with.
        found: String,
    },
    /// A field is not all digits, or a separator is not where it belongs.
    #[error("field {field} is {found:?}, expected {width} digits then {after:?}")]
    Field {
        /// Which field.
        field: &'static str,
        /// Its bytes and the separator after it, as found.
        found: String,
        /// Digits the field has.
        width: usize,
        /// What follows it: `,` or the end.
        after: &'static str,
    },
    /// A field is outside its range.
    #[error("{field} {value} out of range {min}..={max}")]
    OutOfRange {
        /// Which field.
        field: &'static str,
        /// The value found.
        value: u16,
        /// Smallest allowed.
        min: u16,
        /// Largest allowed.
        max: u16,
    },
}

impl ZyferError {
    /// The clock event ntpd reports for it: a wrong length is
    /// `CEVNT_BADTIME` (as ntpd reports a timecode that is not 29 bytes
    /// long), a field that does not scan is `CEVNT_BADREPLY` (ntpd's
    /// failed `sscanf`), and a value out of range `CEVNT_BADTIME` (ntpd
    /// does not check ranges).
    pub fn event(&self) -> ClockEvent {
        match self {
            ZyferError::Header { .. } | ZyferError::Field { .. } => ClockEvent::BadReply,
            ZyferError::Length { .. } | ZyferError::OutOfRange { .. } => ClockEvent::BadTime,
        }
    }
}

/// The fields after the header: name, width in digits.
const FIELDS: [(&str, usize); 8] = [
    ("year", 4),
    ("day", 3),
    ("hour", 2),
    ("minute", 2),
    ("second", 2),
    ("time mode", 1),
    ("figure of merit", 1),
    ("operation mode", 1),
];

fn range(field: &'static str, value: u16, min: u16, max: u16) -> Result<(), ZyferError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ZyferError::OutOfRange {
            field,
            value,
            min,
            max,
        })
    }
}

/// Decodes one timecode (exactly the 29 bytes from the `!`): checks the
/// layout, that every field is digits of its width, and the ranges of the
/// day (against the year), hour, minute and second. The modes may be any
/// digit; what they mean is the driver's business.
pub fn decode(code: &[u8]) -> Result<ZyferTime, ZyferError> {
    if code.len() != LEN {
        return Err(ZyferError::Length { found: code.len() });
    }
    if !code.starts_with(HEADER) {
        return Err(ZyferError::Header {
            found: String::from_utf8_lossy(&code[..HEADER.len()]).into_owned(),
        });
    }
    let mut values = [0u16; 8];
    let mut pos = HEADER.len();
    for (i, &(field, width)) in FIELDS.iter().enumerate() {
        let last = i == FIELDS.len() - 1;
        let digits = &code[pos..pos + width];
        let sep_ok = last || code[pos + width] == b',';
        if !sep_ok || !digits.iter().all(u8::is_ascii_digit) {
            let end = (pos + width + 1).min(LEN);
            return Err(ZyferError::Field {
                field,
                found: String::from_utf8_lossy(&code[pos..end]).into_owned(),
                width,
                after: if last { "the end" } else { "," },
            });
        }
        values[i] = digits.iter().fold(0, |v, &d| v * 10 + u16::from(d - b'0'));
        pos += width + 1;
    }
    let [year, day, hour, minute, second, time_mode, figure_of_merit, op_mode] = values;
    range("day", day, 1, days_in_year(i32::from(year)))?;
    range("hour", hour, 0, 23)?;
    range("minute", minute, 0, 59)?;
    range("second", second, 0, 60)?;
    Ok(ZyferTime {
        year,
        day,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        time_mode: time_mode as u8,
        figure_of_merit: figure_of_merit as u8,
        op_mode: op_mode as u8,
    })
}

/// The timecode of `t`. Fields must fit their widths (as [`decode`]
/// returns them); a value too wide gives a timecode [`decode`] rejects.
pub fn encode(t: &ZyferTime) -> Vec<u8> {
    format!(
        "!TIME,{:04},{:03},{:02},{:02},{:02},{},{},{}",
        t.year, t.day, t.hour, t.minute, t.second, t.time_mode, t.figure_of_merit, t.op_mode
    )
    .into_bytes()
}
