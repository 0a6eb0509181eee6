//! The simulator's record of what it wrote and when: one [`TruthRecord`]
//! per sentence, and [`SimEvent`]s for the device coming and going.
//!
//! Written as text, one line each, to the truth log:
//!
//! ```text
//! TRUTH seq=3 sec=1 wall=1700000001 shift=0 named=1700000001.000000000 time=2023-11-14T22:13:21 first=1700000001.000012345 first_end=1700000001.000020001 eol=1700000001.139729000 eol_end=1700000001.139735000 last=1700000001.141812000 last_end=1700000001.141818000 kind=RMC on_time=1 ok=1 flags=- garbage=0 text=$GPRMC,...*5A
//! EVENT at=1700000005.900000000 vanish path=/dev/pts/7
//! ```
//!
//! `first`, `eol` and `last` are `CLOCK_REALTIME` read right before the
//! `write()` that carried the sentence's first byte (`$`), its CR and its
//! final LF; `*_end` right after that `write()` returned; `-` when nothing
//! was written. The CR is where a reader in canonical mode with ICRNL (the
//! way ntpd and `SerialPort` set the line up) sees the line end, one byte
//! time before the LF. So for a driver that timestamps the end of the line
//! with fudge time2 = t2, the expected offset of a sample is
//! `named − eol + t2` (offset = true time − system time); see
//! [`TruthRecord::expected_offset`]. A reader in raw mode that waits for
//! the LF sees the line at `last`.

use std::fmt;
use std::str::FromStr;

use refclock_core::calendar::CivilTime;
use refclock_core::Timestamp;
use thiserror::Error;

use super::nmea::SentenceKind;

/// What was special about a sentence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TruthFlags {
    /// Written with a wrong checksum.
    pub badsum: bool,
    /// Says status V / no fix.
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
}

const FLAG_NAMES: [&str; 8] = [
    "badsum",
    "invalid",
    "dropped",
    "silent",
    "vanished",
    "garbage",
    "overflow",
    "no_checksum",
];

impl TruthFlags {
    fn bits(&self) -> [bool; 8] {
        [
            self.badsum,
            self.invalid,
            self.dropped,
            self.silent,
            self.vanished,
            self.garbage,
            self.overflow,
            self.no_checksum,
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
            _ => return false,
        };
        *f = true;
        true
    }

    /// Whether the sentence was not written at all.
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

/// One sentence the simulator wrote (or would have written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TruthRecord {
    /// Sequence number over the run, from 0, one per sentence.
    pub seq: u64,
    /// Index of the wall second since the start of the run.
    pub second: u64,
    /// The wall-clock whole second the sentence belongs to (Unix s).
    pub wall: i64,
    /// `named − wall`, seconds: the timecode mapping.
    pub shift: i64,
    /// The second the sentence names, as a Unix timestamp (23:59:60 → the
    /// following midnight).
    pub named: Timestamp,
    /// The same as a civil time (second 60 kept).
    pub time: CivilTime,
    /// System time right before the `write()` of the first byte.
    pub first: Option<Timestamp>,
    /// System time right after that `write()` returned.
    pub first_end: Option<Timestamp>,
    /// System time right before the `write()` of the CR ending the line
    /// (the first line-end byte).
    pub eol: Option<Timestamp>,
    /// System time right after that `write()` returned.
    pub eol_end: Option<Timestamp>,
    /// System time right before the `write()` of the final LF.
    pub last: Option<Timestamp>,
    /// System time right after that `write()` returned.
    pub last_end: Option<Timestamp>,
    /// Which sentence.
    pub kind: SentenceKind,
    /// The first sentence of its second (its first byte is the on-time
    /// character).
    pub on_time: bool,
    /// What was special about it.
    pub flags: TruthFlags,
    /// Number of garbage bytes written right after it.
    pub garbage: usize,
    /// The sentence, `$` up to the checksum (no CR LF).
    pub text: String,
}

impl TruthRecord {
    /// Written completely, valid status, right checksum.
    pub fn ok(&self) -> bool {
        !self.flags.not_written()
            && !self.flags.badsum
            && !self.flags.invalid
            && !self.flags.overflow
    }

    /// The offset (true time − system time, seconds) a driver that
    /// timestamps the end of the line in canonical mode should measure for
    /// this sentence with fudge time2 = `time2`: `named − eol + time2`;
    /// `None` when it was not written.
    pub fn expected_offset(&self, time2: f64) -> Option<f64> {
        self.eol.map(|eol| self.named - eol + time2)
    }

    /// Parses one `TRUTH ...` line of the truth log.
    pub fn parse_line(line: &str) -> Result<TruthRecord, TruthParseError> {
        line.parse()
    }
}

fn opt(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "-".to_string(), |t| t.to_string())
}

fn fmt_civil(t: &CivilTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
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
            self.named,
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
        let ts = |field: &'static str| -> Result<Timestamp, TruthParseError> {
            let v = get(field)?;
            parse_timestamp(v).ok_or_else(|| bad(field, v))
        };
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
        let time = get("time")?;
        let kind = get("kind")?;
        let on_time = get("on_time")?;
        Ok(TruthRecord {
            seq: num("seq", get("seq")?, bad)?,
            second: num("sec", get("sec")?, bad)?,
            wall: num("wall", get("wall")?, bad)?,
            shift: num("shift", get("shift")?, bad)?,
            named: ts("named")?,
            time: parse_civil(time).ok_or_else(|| bad("time", time))?,
            first: ots("first")?,
            first_end: ots("first_end")?,
            eol: ots("eol")?,
            eol_end: ots("eol_end")?,
            last: ots("last")?,
            last_end: ots("last_end")?,
            kind: kind.parse().map_err(|_| bad("kind", kind))?,
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
mod tests {
    use super::*;

    fn sample() -> TruthRecord {
        TruthRecord {
            seq: 3,
            second: 1,
            wall: 1_700_000_001,
            shift: -3,
            named: Timestamp::from_secs(1_699_999_998),
            time: CivilTime {
                year: 2016,
                month: 12,
                day: 31,
                hour: 23,
                minute: 59,
                second: 60,
                nanos: 0,
            },
            first: Some(Timestamp::new(1_700_000_001, 12_345)),
            first_end: Some(Timestamp::new(1_700_000_001, 20_001)),
            eol: Some(Timestamp::new(1_700_000_001, 143_729_000)),
            eol_end: Some(Timestamp::new(1_700_000_001, 143_735_000)),
            last: Some(Timestamp::new(1_700_000_001, 145_812_000)),
            last_end: Some(Timestamp::new(1_700_000_001, 145_818_000)),
            kind: SentenceKind::Pgrmf,
            on_time: true,
            flags: TruthFlags {
                badsum: true,
                garbage: true,
                ..Default::default()
            },
            garbage: 5,
            text: "$PGRMF,1,2,3*00".into(),
        }
    }

    #[test]
    fn line_round_trip() {
        let r = sample();
        let line = r.to_string();
        assert!(line
            .starts_with("TRUTH seq=3 sec=1 wall=1700000001 shift=-3 named=1699999998.000000000"));
        assert!(line.contains(" time=2016-12-31T23:59:60 "));
        assert!(line.contains(" first=1700000001.000012345 "));
        assert!(line.contains(" kind=PGRMF on_time=1 ok=0 flags=badsum,garbage garbage=5 "));
        assert!(line.ends_with(" text=$PGRMF,1,2,3*00"));
        assert_eq!(TruthRecord::parse_line(&line), Ok(r.clone()));

        let mut d = r;
        d.first = None;
        d.first_end = None;
        d.eol = None;
        d.eol_end = None;
        d.last = None;
        d.last_end = None;
        d.flags = TruthFlags {
            dropped: true,
            ..Default::default()
        };
        let line = d.to_string();
        assert!(line.contains(" first=- first_end=- eol=- eol_end=- last=- last_end=- "));
        assert_eq!(line.parse::<TruthRecord>(), Ok(d));
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            "EVENT at=1.000000000 stop".parse::<TruthRecord>(),
            Err(TruthParseError::NotTruth)
        );
        let line = sample().to_string().replace("kind=PGRMF", "kind=XYZ");
        assert!(matches!(
            line.parse::<TruthRecord>(),
            Err(TruthParseError::Bad { field: "kind", .. })
        ));
        let line = sample().to_string().replace(" seq=3", "");
        assert_eq!(
            line.parse::<TruthRecord>(),
            Err(TruthParseError::Missing("seq"))
        );
        assert_eq!(parse_timestamp("12.5"), None);
    }

    #[test]
    fn expected_offset_uses_the_line_end() {
        let mut r = sample();
        r.named = Timestamp::from_secs(1_700_000_001);
        let off = r.expected_offset(0.0).unwrap();
        assert!((off - -0.143729).abs() < 1e-9, "{off}");
        let off = r.expected_offset(0.2).unwrap();
        assert!((off - 0.056271).abs() < 1e-9, "{off}");
        r.eol = None;
        assert_eq!(r.expected_offset(0.0), None);
    }

    #[test]
    fn ok_flag() {
        let mut r = sample();
        assert!(!r.ok());
        r.flags = TruthFlags::default();
        assert!(r.ok());
        r.flags.garbage = true;
        r.flags.no_checksum = true;
        assert!(r.ok(), "garbage after it does not spoil the sentence");
        r.flags.silent = true;
        assert!(!r.ok());
    }

    #[test]
    fn event_lines() {
        let e = SimEvent {
            at: Timestamp::new(5, 1),
            kind: SimEventKind::Vanished("/dev/pts/9".into()),
        };
        assert_eq!(e.to_string(), "EVENT at=5.000000001 vanish path=/dev/pts/9");
    }
}
