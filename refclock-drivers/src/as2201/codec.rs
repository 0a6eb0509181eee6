//! The Austron 2201A timecode and statistics commands, no I/O.
//!
//! The answer to `*toc\r` is `yy:ddd:hh:mm:ss.mmm` and a CR (19
//! characters): year of century, day of year, time and milliseconds of
//! the instant the receiver got the `*`.

use refclock_core::ascii::decimal;
use thiserror::Error;

/// Length of a timecode (`LENTOC`).
pub const LENTOC: usize = 19;

/// What each poll writes: a CR to end anything half-typed, then the
/// time-of-capture query.
pub const POLL: &[u8] = b"\r*toc\r";

/// The statistics commands, one sent after each timecode with flag4, in
/// this order and round again (ntpd's `stat_command`).
pub const STAT_COMMANDS: &[&str] = &[
    "ITF\r",
    "ETF\r",
    "LORAN ENSEMBLE\r",
    "LORAN TDATA\r",
    "ID;OPT;VER\r",
    "ITF\r",
    "ETF\r",
    "LORAN ENSEMBLE\r",
    "TRSTAT\r",
    "POS;PPS;PPSOFF\r",
    "ITF\r",
    "ETF\r",
    "LORAN ENSEMBLE\r",
    "LORAN TDATA\r",
    "UTC\r",
    "ITF\r",
    "ETF\r",
    "LORAN ENSEMBLE\r",
    "TRSTAT\r",
    "OSC;ET;TEMP\r",
];

/// One timecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Toc {
    /// Year of century (unused: the year comes from the system clock).
    pub year: u8,
    /// Day of year, 1..=366.
    pub yday: u16,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second, up to 60.
    pub second: u8,
    /// Milliseconds.
    pub millis: u16,
}

/// Why a timecode was refused (ntpd reports `CEVNT_BADREPLY`).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum TocError {
    /// Shorter than [`LENTOC`].
    #[error("timecode has {found} characters, expected {LENTOC}")]
    Short {
        /// Characters found.
        found: usize,
    },
    /// Not `yy:ddd:hh:mm:ss.mmm`.
    #[error("expected yy:ddd:hh:mm:ss.mmm, found {found:?}")]
    Layout {
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

/// Decodes a timecode line (without its CR; characters after the 19th
/// are ignored, as ntpd's `sscanf` ignores them).
pub fn decode(l: &[u8]) -> Result<Toc, TocError> {
    if l.len() < LENTOC {
        return Err(TocError::Short { found: l.len() });
    }
    let bad = || TocError::Layout {
        found: String::from_utf8_lossy(l).into_owned(),
    };
    let seps = [(2, b':'), (6, b':'), (9, b':'), (12, b':'), (15, b'.')];
    if seps.iter().any(|&(i, c)| l[i] != c) {
        return Err(bad());
    }
    let f = |a: usize, b: usize| decimal(&l[a..b]).ok_or_else(bad);
    let (year, yday, hour, minute, second, millis) = (
        f(0, 2)?,
        f(3, 6)?,
        f(7, 9)?,
        f(10, 12)?,
        f(13, 15)?,
        f(16, 19)?,
    );
    for (field, value, lo, hi) in [
        ("day of year", yday, 1, 366),
        ("hour", hour, 0, 23),
        ("minute", minute, 0, 59),
        ("second", second, 0, 60),
    ] {
        if !(lo..=hi).contains(&value) {
            return Err(TocError::Range { field, value });
        }
    }
    Ok(Toc {
        year: year as u8,
        yday: yday as u16,
        hour: hour as u8,
        minute: minute as u8,
        second: second as u8,
        millis: millis as u16,
    })
}

/// The timecode's bytes with its CR.
pub fn encode(t: &Toc) -> Vec<u8> {
    format!(
        "{:02}:{:03}:{:02}:{:02}:{:02}.{:03}\r",
        t.year % 100,
        t.yday,
        t.hour,
        t.minute,
        t.second,
        t.millis
    )
    .into_bytes()
}
