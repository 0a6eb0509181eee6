//! The HP's side of the SCPI dialogue as bytes ↔ fields, both ways, no
//! I/O: the commands the driver writes, the prompt, the time zone reply
//! and the format-2 timecode.
//!
//! ```text
//! T2yyyymmddhhmmssMFLRVcc      23 characters, then CR LF
//! ||   |   | | | | |||||+-- cc: checksum, two hex digits: the sum of the
//! ||   |   | | | | |||||       21 characters from T to V, low 8 bits
//! ||   |   | | | | ||||+---- V: 0 = time valid, anything else = not in sync
//! ||   |   | | | | |||+----- R: 1 = the receiver requests service
//! ||   |   | | | | ||+------ L: leap second at the end of the month:
//! ||   |   | | | | ||           0 none, + insert, - delete
//! ||   |   | | | | |+------- F: frequency figure of merit, 0..3
//! ||   |   | | | | +-------- M: time figure of merit, 0..9
//! ||   |   | | | +---------- ss: second (60 during a leap second)
//! ||   |   | | +------------ mm: minute
//! ||   |   | +-------------- hh: hour
//! ||   |   +---------------- dd: day of the month
//! ||   +-------------------- mm: month
//! |+------------------------ yyyy: year
//! +------------------------- T: the on-time character, 980 ms before the
//!                               second the timecode names; 2: format 2
//! ```
//!
//! The date and time are the receiver's local time, UTC + its
//! `:PTIME:TZONE` (hours and minutes, each with its own sign: Pacific
//! Standard Time is `-8,+0`), which the receiver answers as two signed
//! integers, `+0,+0`.
//!
//! Sources: ntpd 4.2.8p18 `ntpd/refclock_hpgps.c` (the comment at its
//! top, `hpgps_receive`); NTPsec `docs/driver_hpgps.adoc` (the real
//! timecode `T220060105075143300003B`).

use std::ops::RangeInclusive;

use refclock_core::calendar::{civil_from_days, days_from_civil, days_in_month, CivilTime};
use refclock_core::ClockEvent;

/// What the driver writes when the port opens: the identification query,
/// then the time zone query (ntpd's `hpgps_start`).
pub const START_QUERY: &[u8] = b"*IDN?\r:PTIME:TZONE?\r";
/// What the driver writes each poll.
pub const TIMECODE_QUERY: &[u8] = b":PTIME:TCODE?\r";
/// What the driver writes before the timecode query at a poll while the
/// receiver has not answered the time zone query since the port opened.
pub const ZONE_QUERY: &[u8] = b":PTIME:TZONE?\r";
/// What the driver writes when a prompt reports an error: clear the
/// status, then an empty command line.
pub const CLEAR_STATUS: &[u8] = b"*CLS\r\r";
/// What the driver writes after a good timecode when flag4 is set.
pub const STATUS_SCREEN_QUERY: &[u8] = b":SYSTEM:PRINT?\r";
/// Lines of the status screen the driver collects (ntpd's `linecnt`).
pub const STATUS_SCREEN_LINES: u16 = 22;
/// The receiver's prompt while its error queue is empty; sent after every
/// answer, without a line end.
pub const PROMPT: &[u8] = b"scpi > ";

/// Length of a format-2 timecode, `T` to the checksum.
pub const TIMECODE_LEN: usize = 23;
/// Characters the checksum sums, from `T` on.
pub const CHECKSUM_SPAN: usize = 21;

/// The prompt while the error queue holds `code` (`E-113> `: no space
/// before the `>`, unlike [`PROMPT`]).
pub fn error_prompt(code: i16) -> Vec<u8> {
    format!("E{code}> ").into_bytes()
}

/// Why a reply could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// Fewer than the two characters that say what the reply is.
    #[error("reply: expected at least 2 characters, found {found:?}")]
    NoFormat {
        /// What there was.
        found: String,
    },
    /// Neither a time zone (`+`, `-`) nor a timecode (`T`).
    #[error("reply: expected a time zone (+H,M or -H,M) or a timecode (T2...), found {found:?}")]
    UnknownReply {
        /// The first two characters.
        found: String,
    },
    /// A timecode of a format other than 2.
    #[error("timecode format: expected T2, found {found:?}")]
    UnknownFormat {
        /// The first two characters.
        found: String,
    },
    /// A format-2 timecode of the wrong length.
    #[error("timecode length: expected {expected} characters, found {found}")]
    Length {
        /// [`TIMECODE_LEN`].
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A field that is not what its place requires.
    #[error("{field}: expected {expected}, found {found:?}")]
    Syntax {
        /// Which field.
        field: &'static str,
        /// What it should look like.
        expected: &'static str,
        /// What was there.
        found: String,
    },
    /// The timecode's checksum does not match its characters.
    #[error(
        "checksum: expected {computed:02X} (the sum of the first 21 characters), found {found:02X}"
    )]
    Checksum {
        /// The checksum the timecode carries.
        found: u8,
        /// The sum of its first [`CHECKSUM_SPAN`] characters.
        computed: u8,
    },
    /// A date or time field outside its range (the day against its month).
    #[error("{field}: expected {min}..={max}, found {found}")]
    OutOfRange {
        /// Which field.
        field: &'static str,
        /// The value found.
        found: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A time zone field outside what ntpd accepts.
    #[error("time zone {field}: expected {min}..={max}, found {found}")]
    ZoneOutOfRange {
        /// `hours` or `minutes`.
        field: &'static str,
        /// The value found.
        found: i64,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
}

impl CodecError {
    /// The event ntpd reports for it: a date or time out of range is a
    /// bad time, everything else (a time zone out of range included) a
    /// bad reply.
    pub fn event(&self) -> ClockEvent {
        match self {
            CodecError::OutOfRange { .. } => ClockEvent::BadTime,
            _ => ClockEvent::BadReply,
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits a line into the prompt and the reply after it, as ntpd does:
/// the prompt is everything up to and including the last `>` (nothing when
/// there is none); the spaces and tabs after it are skipped.
pub fn split_prompt(line: &[u8]) -> (&[u8], &[u8]) {
    let cut = line.iter().rposition(|&b| b == b'>').map_or(0, |i| i + 1);
    let (prompt, mut rest) = line.split_at(cut);
    while let [b' ' | b'\t', tail @ ..] = rest {
        rest = tail;
    }
    (prompt, rest)
}

/// ntpd's error test on the prompt part of a line: the last `E` comes
/// after the last `s` (or there is an `E` and no `s`). `scpi > ` has no
/// `E`; `E-113> ` has no `s`; in `E-113> scpi >`, left over from before a
/// `*CLS`, the last prompt is `scpi >` and the test is false.
pub fn prompt_reports_error(prompt: &[u8]) -> bool {
    // `None < Some(_)`, as C's NULL compares below any pointer.
    prompt.iter().rposition(|&b| b == b'E') > prompt.iter().rposition(|&b| b == b's')
}

/// The timecode checksum: the sum of `bytes`, low 8 bits.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b))
}

/// The receiver's time zone, `:PTIME:TZONE`: local time = UTC + `hours`
/// h + `minutes` min (each with its own sign).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TimeZone {
    /// Hours east of UTC (negative: west).
    pub hours: i8,
    /// Minutes added to the hours (their sign is their own).
    pub minutes: i8,
}

impl TimeZone {
    /// UTC, ntpd's assumption until the receiver answers.
    pub const UTC: TimeZone = TimeZone {
        hours: 0,
        minutes: 0,
    };
    /// The hours ntpd accepts.
    pub const HOURS: RangeInclusive<i64> = -12..=13;
    /// The minutes ntpd accepts.
    pub const MINUTES: RangeInclusive<i64> = -59..=59;

    /// A time zone within [`TimeZone::HOURS`] and [`TimeZone::MINUTES`].
    pub fn new(hours: i64, minutes: i64) -> Result<TimeZone, CodecError> {
        for (field, found, range) in [
            ("hours", hours, Self::HOURS),
            ("minutes", minutes, Self::MINUTES),
        ] {
            if !range.contains(&found) {
                return Err(CodecError::ZoneOutOfRange {
                    field,
                    found,
                    min: *range.start(),
                    max: *range.end(),
                });
            }
        }
        Ok(TimeZone {
            hours: hours as i8,
            minutes: minutes as i8,
        })
    }

    /// Local time − UTC in minutes.
    pub fn offset_minutes(&self) -> i64 {
        i64::from(self.hours) * 60 + i64::from(self.minutes)
    }

    /// Decodes the answer to `:PTIME:TZONE?` (after the prompt): a signed
    /// hour, a comma, a minute with or without sign. The range is checked.
    pub fn decode(text: &[u8]) -> Result<TimeZone, CodecError> {
        let (hours, minutes) = parse_zone(text)?;
        TimeZone::new(hours, minutes)
    }

    /// The answer as the receiver sends it (`+0,+0`, `-8,+0`), without
    /// the line end.
    pub fn encode(&self) -> String {
        format!("{:+},{:+}", self.hours, self.minutes)
    }

    /// UTC of a local date and time (the second is kept as it is, 60
    /// included; the date follows the hours and minutes across days,
    /// months and years).
    pub fn to_utc(&self, local: CivilTime) -> CivilTime {
        shift_minutes(local, -self.offset_minutes())
    }

    /// The local date and time of a UTC one.
    pub fn to_local(&self, utc: CivilTime) -> CivilTime {
        shift_minutes(utc, self.offset_minutes())
    }
}

/// `t` moved by `minutes`, the seconds field untouched.
fn shift_minutes(t: CivilTime, minutes: i64) -> CivilTime {
    let total = days_from_civil(t.year, t.month, t.day) * 1440
        + i64::from(t.hour) * 60
        + i64::from(t.minute)
        + minutes;
    let (year, month, day) = civil_from_days(total.div_euclid(1440));
    let in_day = total.rem_euclid(1440);
    CivilTime {
        year,
        month,
        day,
        hour: (in_day / 60) as u8,
        minute: (in_day % 60) as u8,
        ..t
    }
}

/// A signed decimal at the start of `text` (sign optional unless
/// `sign_required`); returns it and the rest.
fn signed<'a>(
    text: &'a [u8],
    field: &'static str,
    sign_required: bool,
) -> Result<(i64, &'a [u8]), CodecError> {
    let syntax = || CodecError::Syntax {
        field,
        expected: if sign_required {
            "a sign and 1 to 9 digits"
        } else {
            "1 to 9 digits, signed or not"
        },
        found: lossy(text),
    };
    let (negative, digits) = match text {
        [b'+', rest @ ..] => (false, rest),
        [b'-', rest @ ..] => (true, rest),
        _ if sign_required => return Err(syntax()),
        _ => (false, text),
    };
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 9 {
        return Err(syntax());
    }
    let value = digits[..n]
        .iter()
        .fold(0i64, |a, &b| a * 10 + i64::from(b - b'0'));
    Ok((if negative { -value } else { value }, &digits[n..]))
}

/// The two numbers of a time zone reply, not range-checked.
pub(crate) fn parse_zone(text: &[u8]) -> Result<(i64, i64), CodecError> {
    let (hours, rest) = signed(text, "time zone hours", true)?;
    let Some((b',', mut rest)) = rest.split_first().map(|(c, r)| (*c, r)) else {
        return Err(CodecError::Syntax {
            field: "time zone",
            expected: "a comma after the hours",
            found: lossy(text),
        });
    };
    while let [b' ' | b'\t', tail @ ..] = rest {
        rest = tail;
    }
    let (minutes, rest) = signed(rest, "time zone minutes", false)?;
    if !rest.is_empty() {
        return Err(CodecError::Syntax {
            field: "time zone",
            expected: "nothing after the minutes",
            found: lossy(text),
        });
    }
    Ok((hours, minutes))
}

/// The leap second indicator `L`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LeapFlag {
    /// `0`: none.
    #[default]
    None,
    /// `+`: a second is inserted at the end of the month.
    Insert,
    /// `-`: a second is deleted at the end of the month.
    Delete,
    /// Any other character (ntpd: a bad time, while the time is valid).
    Other(u8),
}

impl LeapFlag {
    /// From its character.
    pub fn from_byte(b: u8) -> LeapFlag {
        match b {
            b'0' => LeapFlag::None,
            b'+' => LeapFlag::Insert,
            b'-' => LeapFlag::Delete,
            other => LeapFlag::Other(other),
        }
    }

    /// Its character.
    pub fn byte(self) -> u8 {
        match self {
            LeapFlag::None => b'0',
            LeapFlag::Insert => b'+',
            LeapFlag::Delete => b'-',
            LeapFlag::Other(b) => b,
        }
    }
}

/// A decoded format-2 timecode (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timecode {
    /// The second it names, in the receiver's local time (UTC + its
    /// time zone); `second` may be 60, `nanos` is 0.
    pub local: CivilTime,
    /// `M`, time figure of merit, as sent (`'0'..='9'`).
    pub time_figure: u8,
    /// `F`, frequency figure of merit, as sent (`'0'..='3'`).
    pub freq_figure: u8,
    /// `L`, the leap second indicator.
    pub leap: LeapFlag,
    /// `R`, service request, as sent (`'0'` none, `'1'` requested).
    pub service: u8,
    /// `V`, as sent: `'0'` the time is valid, anything else not in sync.
    pub sync: u8,
}

impl Timecode {
    /// A valid timecode naming `local`, figures of merit 3 and 0, no leap
    /// second, no service request.
    pub fn new(local: CivilTime) -> Timecode {
        Timecode {
            local,
            time_figure: b'3',
            freq_figure: b'0',
            leap: LeapFlag::None,
            service: b'0',
            sync: b'0',
        }
    }

    /// Whether `V` says the time is valid.
    pub fn in_sync(&self) -> bool {
        self.sync == b'0'
    }

    /// The second it names in UTC, given the receiver's time zone.
    pub fn utc(&self, zone: TimeZone) -> CivilTime {
        zone.to_utc(self.local)
    }

    /// Decodes a timecode: `T2`, 23 characters, digits where digits
    /// belong, the checksum, then the date and time ranges (second 60
    /// allowed, the day checked against its month).
    pub fn decode(text: &[u8]) -> Result<Timecode, CodecError> {
        if text.len() < 2 {
            return Err(CodecError::NoFormat { found: lossy(text) });
        }
        let head = lossy(&text[..2]);
        if text[0] != b'T' {
            return Err(CodecError::UnknownReply { found: head });
        }
        if text[1] != b'2' {
            return Err(CodecError::UnknownFormat { found: head });
        }
        if text.len() != TIMECODE_LEN {
            return Err(CodecError::Length {
                expected: TIMECODE_LEN,
                found: text.len(),
            });
        }
        let digits = |field: &'static str, at: usize, n: usize| {
            let part = &text[at..at + n];
            if part.iter().all(u8::is_ascii_digit) {
                Ok(part.iter().fold(0i64, |a, &b| a * 10 + i64::from(b - b'0')))
            } else {
                Err(CodecError::Syntax {
                    field,
                    expected: if n == 4 { "4 digits" } else { "2 digits" },
                    found: lossy(part),
                })
            }
        };
        let year = digits("year", 2, 4)?;
        let month = digits("month", 6, 2)?;
        let day = digits("day", 8, 2)?;
        let hour = digits("hour", 10, 2)?;
        let minute = digits("minute", 12, 2)?;
        let second = digits("second", 14, 2)?;
        let found = std::str::from_utf8(&text[21..23])
            .ok()
            .filter(|s| s.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .ok_or_else(|| CodecError::Syntax {
                field: "checksum",
                expected: "2 hex digits",
                found: lossy(&text[21..23]),
            })?;
        let computed = checksum(&text[..CHECKSUM_SPAN]);
        if found != computed {
            return Err(CodecError::Checksum { found, computed });
        }
        let range = |field: &'static str, found: i64, min: i64, max: i64| {
            if (min..=max).contains(&found) {
                Ok(())
            } else {
                Err(CodecError::OutOfRange {
                    field,
                    found,
                    min,
                    max,
                })
            }
        };
        range("month", month, 1, 12)?;
        let year = year as i32;
        let month = month as u8;
        range("day", day, 1, i64::from(days_in_month(year, month)))?;
        range("hour", hour, 0, 23)?;
        range("minute", minute, 0, 59)?;
        range("second", second, 0, 60)?;
        Ok(Timecode {
            local: CivilTime::new(
                year,
                month,
                day as u8,
                hour as u8,
                minute as u8,
                second as u8,
            ),
            time_figure: text[16],
            freq_figure: text[17],
            leap: LeapFlag::from_byte(text[18]),
            service: text[19],
            sync: text[20],
        })
    }

    /// The 23 characters the receiver sends (without CR LF), the checksum
    /// computed. The year is written modulo 10000.
    pub fn encode(&self) -> Vec<u8> {
        let t = &self.local;
        let mut out = format!(
            "T2{:04}{:02}{:02}{:02}{:02}{:02}",
            t.year.rem_euclid(10_000),
            t.month,
            t.day,
            t.hour,
            t.minute,
            t.second
        )
        .into_bytes();
        out.extend_from_slice(&[
            self.time_figure,
            self.freq_figure,
            self.leap.byte(),
            self.service,
            self.sync,
        ]);
        let sum = checksum(&out);
        out.extend_from_slice(format!("{sum:02X}").as_bytes());
        out
    }
}

/// A reply after the prompt: the time zone or a timecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The answer to `:PTIME:TZONE?`.
    TimeZone(TimeZone),
    /// The answer to `:PTIME:TCODE?`.
    Timecode(Timecode),
}

/// Decodes what follows the prompt: at least two characters; `+` or `-`
/// opens a time zone, `T` a timecode.
pub fn decode_reply(text: &[u8]) -> Result<Reply, CodecError> {
    match text {
        [] | [_] => Err(CodecError::NoFormat { found: lossy(text) }),
        [b'+' | b'-', ..] => TimeZone::decode(text).map(Reply::TimeZone),
        [b'T', ..] => Timecode::decode(text).map(Reply::Timecode),
        _ => Err(CodecError::UnknownReply {
            found: lossy(&text[..2]),
        }),
    }
}
