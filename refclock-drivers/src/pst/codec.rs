//! The PSTI/Traconex answers as bytes ↔ fields, no I/O.
//!
//! The driver sends `QTQDQM`; the clock answers three lines (CR ends
//! each), which ntpd's driver joins with spaces in the order they came:
//!
//! ```text
//! QT:  ahh:mm:ss.fffs     a = AM/PM (' ' in 24-hour mode), s = DST (' ')
//! QD:  yy/mm/dd/ddd       only ddd, the day of year, is used
//! QM:  frdzycchhSSFTttttuuxx
//! ```
//!
//! In the status line, `SS` (characters 9 and 10) is the status: `8x`
//! when the clock works correctly, anything else an alarm (not in sync);
//! `T` (12) the station, `H` for WWVH, anything else WWV; `tttt` the
//! minutes since the last update.

use refclock_core::ascii::decimal;
use thiserror::Error;

/// Least length of the joined answer (`LENPST`).
pub const LENPST: usize = 46;

/// The time line: its first character, the time and the DST character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeLine {
    /// AM/PM indicator (`' '` in 24-hour mode).
    pub ampm: u8,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=60.
    pub second: u8,
    /// Milliseconds.
    pub millis: u16,
    /// Daylight-saving indicator (`' '` in 24-hour mode).
    pub dst: u8,
}

/// The date line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateLine {
    /// Year of century (from the clock's switches).
    pub year: u8,
    /// Month.
    pub month: u8,
    /// Day of month.
    pub day: u8,
    /// Day of year, 1..=366: the one field ntpd uses.
    pub yday: u16,
}

/// The status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusLine {
    /// `frdzycchhSSFT`, 13 characters.
    pub info: [u8; 13],
    /// Minutes since the last update (`tttt`).
    pub minutes: u16,
    /// The rest (`uuxx`).
    pub tail: Vec<u8>,
}

impl StatusLine {
    /// The clock works correctly (`SS` starts with `8`).
    pub fn in_sync(&self) -> bool {
        self.info[9] == b'8'
    }

    /// The station heard: WWVH (`T` = `H`) or WWV.
    pub fn wwvh(&self) -> bool {
        self.info[12] == b'H'
    }
}

/// Why an answer was refused (ntpd reports `CEVNT_BADREPLY`).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PstError {
    /// The joined answer is shorter than [`LENPST`].
    #[error("answer has {found} characters, expected at least {LENPST}")]
    Short {
        /// Characters found.
        found: usize,
    },
    /// A line does not have its layout.
    #[error("{line} line: expected {expected}, found {found:?}")]
    Layout {
        /// Which line.
        line: &'static str,
        /// What was expected.
        expected: &'static str,
        /// The line.
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

fn layout(line: &'static str, expected: &'static str, found: &[u8]) -> PstError {
    PstError::Layout {
        line,
        expected,
        found: String::from_utf8_lossy(found).into_owned(),
    }
}

/// Decodes the time line `ahh:mm:ss.fffs` (the DST character may be
/// missing when the clock ends the line after the milliseconds).
pub fn decode_time(l: &[u8]) -> Result<TimeLine, PstError> {
    const WANT: &str = "ahh:mm:ss.fffs";
    let bad = || layout("time", WANT, l);
    if l.len() < 13 || l[3] != b':' || l[6] != b':' || l[9] != b'.' {
        return Err(bad());
    }
    let hour = decimal(&l[1..3]).ok_or_else(bad)?;
    let minute = decimal(&l[4..6]).ok_or_else(bad)?;
    let second = decimal(&l[7..9]).ok_or_else(bad)?;
    let millis = decimal(&l[10..13]).ok_or_else(bad)?;
    for (field, value, max) in [
        ("hour", hour, 23),
        ("minute", minute, 59),
        ("second", second, 60),
    ] {
        if value > max {
            return Err(PstError::Range { field, value });
        }
    }
    Ok(TimeLine {
        ampm: l[0],
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        millis: millis as u16,
        dst: l.get(13).copied().unwrap_or(b' '),
    })
}

/// Decodes the date line `yy/mm/dd/ddd`.
pub fn decode_date(l: &[u8]) -> Result<DateLine, PstError> {
    const WANT: &str = "yy/mm/dd/ddd";
    let bad = || layout("date", WANT, l);
    if l.len() < 12 || l[2] != b'/' || l[5] != b'/' || l[8] != b'/' {
        return Err(bad());
    }
    let year = decimal(&l[0..2]).ok_or_else(bad)? as u8;
    let month = decimal(&l[3..5]).ok_or_else(bad)? as u8;
    let day = decimal(&l[6..8]).ok_or_else(bad)? as u8;
    let yday = decimal(&l[9..12]).ok_or_else(bad)?;
    if !(1..=366).contains(&yday) {
        return Err(PstError::Range {
            field: "day of year",
            value: yday,
        });
    }
    Ok(DateLine {
        year,
        month,
        day,
        yday: yday as u16,
    })
}

/// Decodes the status line `frdzycchhSSFTttttuuxx`: 13 printable
/// characters, 4 digits, the rest kept.
pub fn decode_status(l: &[u8]) -> Result<StatusLine, PstError> {
    const WANT: &str = "frdzycchhSSFTtttt...";
    let bad = || layout("status", WANT, l);
    if l.len() < 17 || l[..13].contains(&b' ') {
        return Err(bad());
    }
    let minutes = decimal(&l[13..17]).ok_or_else(bad)? as u16;
    let mut info = [0; 13];
    info.copy_from_slice(&l[..13]);
    Ok(StatusLine {
        info,
        minutes,
        tail: l[17..].to_vec(),
    })
}

/// The joined answer as ntpd keeps it: each line followed by a space.
pub fn join(lines: &[&[u8]]) -> Vec<u8> {
    let mut s = Vec::new();
    for l in lines {
        s.extend_from_slice(l);
        s.push(b' ');
    }
    s
}

/// The three answers decoded, in the driver's order (time, date,
/// status); the joined length is checked first, as ntpd does.
pub fn decode(
    time: &[u8],
    date: &[u8],
    status: &[u8],
) -> Result<(TimeLine, DateLine, StatusLine), PstError> {
    let found = time.len() + date.len() + status.len() + 3;
    if found < LENPST {
        return Err(PstError::Short { found });
    }
    Ok((
        decode_time(time)?,
        decode_date(date)?,
        decode_status(status)?,
    ))
}

/// The time line's bytes with its CR.
pub fn encode_time(t: &TimeLine) -> Vec<u8> {
    let mut s = vec![t.ampm];
    s.extend(
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            t.hour, t.minute, t.second, t.millis
        )
        .bytes(),
    );
    s.push(t.dst);
    s.push(b'\r');
    s
}

/// The date line's bytes with its CR.
pub fn encode_date(d: &DateLine) -> Vec<u8> {
    format!(
        "{:02}/{:02}/{:02}/{:03}\r",
        d.year % 100,
        d.month,
        d.day,
        d.yday
    )
    .into_bytes()
}

/// The status line's bytes with its CR.
pub fn encode_status(s: &StatusLine) -> Vec<u8> {
    let mut v = s.info.to_vec();
    v.extend(format!("{:04}", s.minutes % 10_000).bytes());
    v.extend_from_slice(&s.tail);
    v.push(b'\r');
    v
}
