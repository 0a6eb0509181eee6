//! The simulator's record of what it wrote and when: one [`TruthRecord`]
//! per message (a timecode, an answer, a prompt), [`SimEvent`]s for the
//! device coming and going, and [`InputRecord`]s for what the driver
//! wrote.
//!
//! Written as text, one line each, to the truth log:
//!
//! ```text
//! TRUTH seq=3 sec=1 wall=1700000001 shift=0 named=1700000001.000000000 time=2023-11-14T22:13:21 first=1700000001.000012345 first_end=1700000001.000020001 eol=1700000001.139729000 eol_end=1700000001.139735000 last=1700000001.141812000 last_end=1700000001.141818000 kind=RMC on_time=1 ok=1 flags=- garbage=0 text=$GPRMC,...*5A
//! INPUT at=1700000001.500000000 len=14 text=:PTIME:TCODE?\x0D
//! EVENT at=1700000005.900000000 vanish path=/dev/pts/7
//! ```
//!
//! `first`, `eol` and `last` are `CLOCK_REALTIME` read right before the
//! `write()` that carried the message's first byte, its `end` byte (see
//! [`Message::end`](refclock_core::sim::Message::end): for a text line
//! its CR) and its last byte; `*_end` right after that `write()`
//! returned; `-` when nothing was written. The `end` byte is where a
//! reader has the whole message: for a line, where a reader in canonical
//! mode with ICRNL (the way ntpd and `SerialPort` set the line up) sees
//! it end, one byte time before the LF. So for a driver that timestamps
//! the end of the line with fudge time2 = t2, the expected offset of a
//! sample is `named − eol + t2` (offset = true time − system time); see
//! [`TruthRecord::expected_offset`]. A reader in raw mode that waits for
//! the LF sees the line at `last`.
//!
//! `named` and `time` are `-` for a message that names no second (a
//! prompt, an identification). `text` is the message without its final
//! line end, bytes outside printable ASCII (and `\`) written as `\xHH`.

use std::fmt;
use std::str::FromStr;

use refclock_core::calendar::CivilTime;
use refclock_core::Timestamp;
use thiserror::Error;

/// What was special about a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TruthFlags {
    /// Spoilt by the `badsum` scenario (a wrong checksum).
    pub badsum: bool,
    /// Says the time is bad (NMEA: status V / no fix).
    pub invalid: bool,
    /// Not written: dropped second (`drop`).
    pub dropped: bool,
    /// Not written: `silence`.
    pub silent: bool,
    /// Not written: the device was gone (`vanish`).
    pub vanished: bool,
    /// Random bytes were written right after it.
    pub garbage: bool,
    /// Part of it could not be written (the pty's buffer was full because
    /// nobody read the slave, or the write failed).
    pub overflow: bool,
    /// Written without a checksum.
    pub no_checksum: bool,
    /// An answer to what the driver wrote (not sent on its own).
    pub reply: bool,
}

const FLAG_NAMES: [&str; 9] = [
    "badsum",
    "invalid",
    "dropped",
    "silent",
    "vanished",
    "garbage",
    "overflow",
    "no_checksum",
    "reply",
];

impl TruthFlags {
    fn bits(&self) -> [bool; 9] {
        [
            self.badsum,
            self.invalid,
            self.dropped,
            self.silent,
            self.vanished,
            self.garbage,
            self.overflow,
            self.no_checksum,
            self.reply,
        ]
    }

    fn set(&mut self, name: &str) -> bool {
        let f = match name {
            "badsum" => &mut self.badsum,
            "invalid" => &mut self.invalid,
            "dropped" => &mut self.dropped,
            "silent" => &mut self.silent,
            "vanished" => &mut self.vanished,
            "garbage" => &mut self.garbage,
            "overflow" => &mut self.overflow,
            "no_checksum" => &mut self.no_checksum,
            "reply" => &mut self.reply,
            _ => return false,
        };
        *f = true;
        true
    }

    /// Whether the message was not written at all.
    pub fn not_written(&self) -> bool {
        self.dropped || self.silent || self.vanished
    }
}

impl fmt::Display for TruthFlags {
    /// Comma-separated names, `-` when none is set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = FLAG_NAMES
            .iter()
            .zip(self.bits())
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect();
        if names.is_empty() {
            f.write_str("-")
        } else {
            f.write_str(&names.join(","))
        }
    }
}

/// One message the simulator wrote (or would have written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TruthRecord {
    /// Sequence number over the run, from 0, one per message.
    pub seq: u64,
    /// Index of the wall second since the start of the run.
    pub second: u64,
    /// The wall-clock whole second the message belongs to (Unix s): the
    /// second whose output it is, or in which an answer was due.
    pub wall: i64,
    /// The timeline's mapping at `wall`, seconds: the second `wall`
    /// names − `wall`.
    pub shift: i64,
    /// The second the message names, as a Unix timestamp (23:59:60 → the
    /// following midnight); `None` when it names none.
    pub named: Option<Timestamp>,
    /// The same as a civil time (second 60 kept).
    pub time: Option<CivilTime>,
    /// System time right before the `write()` of the first byte.
    pub first: Option<Timestamp>,
    /// System time right after that `write()` returned.
    pub first_end: Option<Timestamp>,
    /// System time right before the `write()` of the message's `end`
    /// byte (the CR ending a line).
    pub eol: Option<Timestamp>,
    /// System time right after that `write()` returned.
    pub eol_end: Option<Timestamp>,
    /// System time right before the `write()` of the last byte (a line's
    /// final LF).
    pub last: Option<Timestamp>,
    /// System time right after that `write()` returned.
    pub last_end: Option<Timestamp>,
    /// The message's name as the model gives it (`RMC`, `TCODE`,
    /// `PROMPT`).
    pub kind: String,
    /// Its on-time byte was timed: the first message of its second, or
    /// an answer the device times.
    pub on_time: bool,
    /// What was special about it.
    pub flags: TruthFlags,
    /// Number of garbage bytes written right after it.
    pub garbage: usize,
    /// The message without its final line end (see the module
    /// documentation).
    pub text: String,
}

impl TruthRecord {
    /// Written completely, saying the time is good, not spoilt.
    pub fn ok(&self) -> bool {
        !self.flags.not_written()
            && !self.flags.badsum
            && !self.flags.invalid
            && !self.flags.overflow
    }

    /// The offset (true time − system time, seconds) a driver that
    /// timestamps the end of the line in canonical mode should measure for
    /// this message with fudge time2 = `time2`: `named − eol + time2`;
    /// `None` when it was not written or names no second.
    pub fn expected_offset(&self, time2: f64) -> Option<f64> {
        Some(self.named? - self.eol? + time2)
    }

    /// Parses one `TRUTH ...` line of the truth log.
    pub fn parse_line(line: &str) -> Result<TruthRecord, TruthParseError> {
        line.parse()
    }
}

fn opt(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "-".to_string(), |t| t.to_string())
}

fn fmt_civil(t: &Option<CivilTime>) -> String {
    t.map_or_else(
        || "-".to_string(),
        |t| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                t.year, t.month, t.day, t.hour, t.minute, t.second
            )
        },
    )
}

/// The truth log's form of message bytes: printable ASCII as it is, `\`
/// and every other byte as `\xHH`.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("\\x{b:02X}"));
        }
    }
    s
}

/// The bytes [`escape`] wrote; `None` for a malformed escape.
pub fn unescape(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'\\' {
            if bytes.next()? != b'x' {
                return None;
            }
            let hex = [bytes.next()?, bytes.next()?];
            out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    Some(out)
}

fn parse_civil(s: &str) -> Option<CivilTime> {
    let (date, time) = s.split_once('T')?;
    // The year may be negative in principle; split from the right.
    let mut d = date.rsplitn(3, '-');
    let day = d.next()?.parse().ok()?;
    let month = d.next()?.parse().ok()?;
    let year = d.next()?.parse().ok()?;
    let mut t = time.splitn(3, ':');
    let hour = t.next()?.parse().ok()?;
    let minute = t.next()?.parse().ok()?;
    let second = t.next()?.parse().ok()?;
    Some(CivilTime::new(year, month, day, hour, minute, second))
}

/// Parses `SECS.NNNNNNNNN` (as [`Timestamp`]'s `Display` writes it).
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let (secs, nanos) = s.split_once('.')?;
    if nanos.len() != 9 || !nanos.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Timestamp::new(secs.parse().ok()?, nanos.parse().ok()?))
}

impl fmt::Display for TruthRecord {
    /// The truth-log line (without a newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TRUTH seq={} sec={} wall={} shift={} named={} time={} first={} first_end={} \
             eol={} eol_end={} last={} last_end={} kind={} on_time={} ok={} flags={} \
             garbage={} text={}",
            self.seq,
            self.second,
            self.wall,
            self.shift,
            opt(self.named),
            fmt_civil(&self.time),
            opt(self.first),
            opt(self.first_end),
            opt(self.eol),
            opt(self.eol_end),
            opt(self.last),
            opt(self.last_end),
            self.kind,
            u8::from(self.on_time),
            u8::from(self.ok()),
            self.flags,
            self.garbage,
            self.text
        )
    }
}

/// A truth-log line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TruthParseError {
    /// Not a `TRUTH` line.
    #[error("not a TRUTH line")]
    NotTruth,
    /// A field is missing.
    #[error("field {0} missing")]
    Missing(&'static str),
    /// A field's value does not parse.
    #[error("field {field}: bad value {value:?}")]
    Bad {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
    },
}

impl FromStr for TruthRecord {
    type Err = TruthParseError;

    fn from_str(line: &str) -> Result<Self, Self::Err> {
        let rest = line
            .trim_end_matches(['\r', '\n'])
            .strip_prefix("TRUTH ")
            .ok_or(TruthParseError::NotTruth)?;
        // `text=` is last and may contain anything but a newline.
        let (head, text) = match rest.split_once(" text=") {
            Some((h, t)) => (h, t),
            None => return Err(TruthParseError::Missing("text")),
        };
        let get = |field: &'static str| -> Result<&str, TruthParseError> {
            head.split(' ')
                .find_map(|kv| kv.strip_prefix(field).and_then(|r| r.strip_prefix('=')))
                .ok_or(TruthParseError::Missing(field))
        };
        let bad = |field: &'static str, value: &str| TruthParseError::Bad {
            field,
            value: value.to_string(),
        };
        fn num<T: FromStr>(
            field: &'static str,
            v: &str,
            bad: impl Fn(&'static str, &str) -> TruthParseError,
        ) -> Result<T, TruthParseError> {
            v.parse().map_err(|_| bad(field, v))
        }
        let ots = |field: &'static str| -> Result<Option<Timestamp>, TruthParseError> {
            match get(field)? {
                "-" => Ok(None),
                v => parse_timestamp(v).map(Some).ok_or_else(|| bad(field, v)),
            }
        };
        let mut flags = TruthFlags::default();
        let fl = get("flags")?;
        if fl != "-" {
            for name in fl.split(',') {
                if !flags.set(name) {
                    return Err(bad("flags", fl));
                }
            }
        }
        let time = match get("time")? {
            "-" => None,
            v => Some(parse_civil(v).ok_or_else(|| bad("time", v))?),
        };
        let kind = get("kind")?;
        let on_time = get("on_time")?;
        Ok(TruthRecord {
            seq: num("seq", get("seq")?, bad)?,
            second: num("sec", get("sec")?, bad)?,
            wall: num("wall", get("wall")?, bad)?,
            shift: num("shift", get("shift")?, bad)?,
            named: ots("named")?,
            time,
            first: ots("first")?,
            first_end: ots("first_end")?,
            eol: ots("eol")?,
            eol_end: ots("eol_end")?,
            last: ots("last")?,
            last_end: ots("last_end")?,
            kind: kind.to_string(),
            on_time: match on_time {
                "1" => true,
                "0" => false,
                v => return Err(bad("on_time", v)),
            },
            flags,
            garbage: num("garbage", get("garbage")?, bad)?,
            text: text.to_string(),
        })
    }
}

/// What the driver wrote to the device, as one read of the pty got it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputRecord {
    /// System time the bytes were found readable.
    pub at: Timestamp,
    /// The bytes.
    pub data: Vec<u8>,
}

impl fmt::Display for InputRecord {
    /// The truth-log line (without a newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "INPUT at={} len={} text={}",
            self.at,
            self.data.len(),
            escape(&self.data)
        )
    }
}

/// Something that happened to the simulated device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimEventKind {
    /// A pty was created (at the start, or when the device came back);
    /// the slave's path.
    Appeared(std::path::PathBuf),
    /// The device vanished (pty closed, link removed); the old slave path.
    Vanished(std::path::PathBuf),
    /// The simulator stopped.
    Stopped,
    /// Something failed (a write error, a failed re-creation).
    Error(String),
}

/// An event with the system time it happened at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimEvent {
    /// System time.
    pub at: Timestamp,
    /// What happened.
    pub kind: SimEventKind,
}

impl fmt::Display for SimEvent {
    /// The truth-log line (without a newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EVENT at={} ", self.at)?;
        match &self.kind {
            SimEventKind::Appeared(p) => write!(f, "appear path={}", p.display()),
            SimEventKind::Vanished(p) => write!(f, "vanish path={}", p.display()),
            SimEventKind::Stopped => f.write_str("stop"),
            SimEventKind::Error(e) => write!(f, "error message={e}"),
        }
    }
}

#[cfg(test)]
#[path = "truth_tests.rs"]
mod tests;
