//! The pieces of libparse (parse.c) that the small ASCII formats share:
//! the input buffer with its overflow rule (`parse_addchar`,
//! `parse_restart`, `parse_end`), the fixed-mask check (`Strok`), the
//! number scanner (`Stoi`), the hex digit (`hexval` of clk_hopf6021.c),
//! and the civil fields of a `clocktime_t` with their range checks.

use refclock_core::Timestamp;

use crate::parse::time::{ParseError, ParseTime, Status, When, Year};

/// libparse's input buffer of one format: `size` bytes (the format's
/// `length`). A byte that does not fit ends the buffer as a frame (which
/// the format then converts like any other) and starts the next one.
#[derive(Clone, Debug)]
pub struct Buffer {
    data: Vec<u8>,
    size: usize,
}

impl Buffer {
    /// An empty buffer of `size` bytes.
    pub fn new(size: usize) -> Buffer {
        Buffer {
            data: Vec::with_capacity(size),
            size,
        }
    }

    /// Bytes held.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Forgets what it holds.
    pub fn clear(&mut self) {
        self.data.clear();
    }

    /// Starts over with `ch` as the first byte (a start character).
    pub fn start(&mut self, ch: u8) {
        self.data.clear();
        self.data.push(ch);
    }

    /// `parse_addchar`: appends `ch`; when full, the bytes held are
    /// returned as a frame and `ch` starts the next (`parse_restart`).
    pub fn add(&mut self, ch: u8) -> Option<Vec<u8>> {
        if self.data.len() < self.size {
            self.data.push(ch);
            None
        } else {
            let frame = std::mem::take(&mut self.data);
            self.data.push(ch);
            Some(frame)
        }
    }

    /// A terminator: the frame ending with `ch`; if `ch` does not fit,
    /// the bytes before it, and the buffer starts empty (libparse keeps
    /// the terminator as the next frame's first byte, which the next
    /// start byte drops again).
    pub fn end_with(&mut self, ch: u8) -> Vec<u8> {
        if self.data.len() < self.size {
            self.data.push(ch);
        }
        std::mem::take(&mut self.data)
    }
}

/// A frame cut by the input function, with libparse's `parse_stime`.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The bytes (as libparse's buffer holds them).
    pub bytes: Vec<u8>,
    /// The receive time of the format's on-time byte.
    pub stime: Timestamp,
}

/// The byte at `i`, 0 past the end (libparse's buffers end with a NUL).
fn at(buf: &[u8], i: usize) -> u8 {
    buf.get(i).copied().unwrap_or(0)
}

/// `Strok`: the buffer read as a NUL-terminated string matches `mask`
/// for the mask's whole length, a space in the mask standing for any
/// byte but NUL. The buffer may be longer than the mask.
pub fn strok(buf: &[u8], mask: &[u8]) -> bool {
    mask.iter()
        .enumerate()
        .all(|(i, &m)| at(buf, i) != 0 && (m == b' ' || at(buf, i) == m))
}

/// `Stoi`: the decimal number at `off` within `len` bytes (leading
/// spaces, then an optional sign, counted in `len`); digits stop at the
/// first other byte. `None` when no digit comes first.
pub fn stoi(buf: &[u8], off: usize, len: usize) -> Option<i64> {
    let mut i = off;
    while at(buf, i) == b' ' {
        i += 1;
    }
    let negative = at(buf, i) == b'-';
    if matches!(at(buf, i), b'-' | b'+') {
        i += 1;
    }
    let mut value: i64 = 0;
    let mut any = false;
    loop {
        let c = at(buf, i);
        i += 1;
        if !c.is_ascii_digit() || (len > 0 && i - off > len) {
            break;
        }
        value = value * 10 + i64::from(c - b'0');
        any = true;
    }
    any.then_some(if negative { -value } else { value })
}

/// clk_hopf6021.c's `hexval`: `0-9`, `A-F`, `a-f`.
pub fn hexval(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// The civil fields a format scanned, before `parse_to_unixtime`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// Year as scanned (two digits unless `full_year`).
    pub year: i64,
    /// Whether `year` has its century.
    pub full_year: bool,
    /// Month.
    pub month: i64,
    /// Day of month.
    pub day: i64,
    /// Hour.
    pub hour: i64,
    /// Minute.
    pub minute: i64,
    /// Second.
    pub second: i64,
    /// Fraction, nanoseconds.
    pub nanos: u32,
    /// Seconds to add for UTC (libparse's `utcoffset`).
    pub utc_offset: i32,
}

impl Fields {
    /// The `ParseTime` of these fields with `status`. A field that
    /// cannot be a date or a time (negative, or beyond a byte) fails as
    /// `parse_to_unixtime` would fail on it (`CVT_BADDATE` or
    /// `CVT_BADTIME`); the finer checks are [`ParseTime::to_timestamp`]'s.
    pub fn time(&self, status: u32) -> Result<ParseTime, ParseError> {
        let date = |name: &str, v: i64| {
            u8::try_from(v).map_err(|_| ParseError::BadDate(format!("{name} {v}")))
        };
        let time = |name: &str, v: i64| {
            u8::try_from(v).map_err(|_| ParseError::BadTime(format!("{name} {v}")))
        };
        let year = if self.full_year {
            Year::Full(
                i32::try_from(self.year)
                    .map_err(|_| ParseError::BadDate(format!("year {}", self.year)))?,
            )
        } else {
            let yy = date("year", self.year)?;
            if yy > 99 {
                return Err(ParseError::BadDate(format!("two-digit year {yy}")));
            }
            Year::TwoDigit(yy)
        };
        Ok(ParseTime {
            when: When::Civil {
                year,
                month: date("month", self.month)?,
                day: date("day", self.day)?,
                hour: time("hour", self.hour)?,
                minute: time("minute", self.minute)?,
                second: time("second", self.second)?,
                nanos: self.nanos,
                utc_offset: self.utc_offset,
            },
            status: Status(status),
        })
    }
}

/// What a conversion routine gives (`CVT_NONE`, `CVT_FAIL`, `CVT_OK`).
#[derive(Clone, Debug, PartialEq)]
pub enum Conv {
    /// Not this format's frame (`CVT_NONE`): no event, no sample.
    None,
    /// The format's frame, but bad (`CVT_FAIL`).
    Fail(ParseError),
    /// A time.
    Ok(ParseTime),
}

impl From<Result<ParseTime, ParseError>> for Conv {
    fn from(r: Result<ParseTime, ParseError>) -> Conv {
        match r {
            Ok(t) => Conv::Ok(t),
            Err(e) => Conv::Fail(e),
        }
    }
}

/// Two decimal digits, zero-padded.
pub fn dd(v: impl Into<i64>) -> String {
    format!("{:02}", v.into())
}

/// The UTC offset of EU summer time (CEST, BST) at `utc` Unix seconds:
/// from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
/// Sunday of October. For the simulated devices.
pub fn eu_summer(utc: i64) -> bool {
    use refclock_core::calendar::CivilTime;
    let t = CivilTime::from_timestamp(Timestamp::from_secs(utc));
    let last_sunday = |month: u8| -> i64 {
        let end = CivilTime::new(t.year, month, 31, 1, 0, 0)
            .to_timestamp()
            .map(|ts| ts.secs())
            .unwrap_or(0);
        // 1970-01-01 was a Thursday: days since then + 4 = weekday (0 = Sunday).
        let weekday = (end.div_euclid(86_400) + 4).rem_euclid(7);
        end - weekday * 86_400
    };
    (last_sunday(3)..last_sunday(10)).contains(&utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stoi_as_libparse() {
        assert_eq!(stoi(b"12", 0, 2), Some(12));
        assert_eq!(stoi(b"123", 0, 2), Some(12));
        assert_eq!(stoi(b" 5x", 0, 2), Some(5));
        assert_eq!(stoi(b"5x", 0, 2), Some(5));
        assert_eq!(stoi(b"-3", 0, 2), Some(-3));
        assert_eq!(stoi(b"x5", 0, 2), None);
        assert_eq!(stoi(b"", 0, 2), None);
        assert_eq!(stoi(b"ab07", 2, 2), Some(7));
    }

    #[test]
    fn strok_as_libparse() {
        assert!(strok(b"12:34\r\n", b"  :  \r\n"));
        assert!(strok(b"12:34\r\nxx", b"  :  \r\n"));
        assert!(!strok(b"12:34\r", b"  :  \r\n"));
        assert!(!strok(b"12\x0034\r\n", b"  :  \r\n"));
        assert!(!strok(b"12-34\r\n", b"  :  \r\n"));
    }

    #[test]
    fn buffer_overflow_restarts() {
        let mut b = Buffer::new(3);
        assert_eq!(b.add(1), None);
        assert_eq!(b.add(2), None);
        assert_eq!(b.add(3), None);
        assert_eq!(b.add(4), Some(vec![1, 2, 3]));
        assert_eq!(b.end_with(5), vec![4, 5]);
        assert!(b.is_empty());
        // A terminator that does not fit ends the frame and is dropped.
        for x in [1, 2, 3] {
            assert_eq!(b.add(x), None);
        }
        assert_eq!(b.end_with(9), vec![1, 2, 3]);
        assert!(b.is_empty());
    }

    #[test]
    fn summer_time() {
        use refclock_core::calendar::CivilTime;
        let s = |y, mo, d, h| {
            CivilTime::new(y, mo, d, h, 0, 0)
                .to_timestamp()
                .unwrap()
                .secs()
        };
        assert!(!eu_summer(s(2026, 3, 29, 0)));
        assert!(eu_summer(s(2026, 3, 29, 1)));
        assert!(eu_summer(s(2026, 10, 25, 0)));
        assert!(!eu_summer(s(2026, 10, 25, 1)));
        assert!(!eu_summer(s(2026, 12, 25, 1)));
    }
}
