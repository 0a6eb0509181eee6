//! Simulated devices: the pure, format-specific half of the receiver
//! simulator (feature `sim`).
//!
//! Each driver that can be simulated has a [`DeviceModel`] in its folder:
//! its timecode encoder plus how the device answers what the driver writes
//! to it. The generic half (the `refclock-sim` crate) knows no format: it
//! keeps the timeline (which second each wall-clock second names, with
//! leap seconds, roll-overs and year ends), applies the scenarios (drops,
//! garbage, bad checksums, invalid status, silence, a vanishing device,
//! jitter), paces the bytes at the serial speed on a pseudo-terminal,
//! records when each byte left, and passes what the driver writes to the
//! model.
//!
//! A model sees time only through the [`Epoch`]s it is handed: it never
//! reads a clock.

use crate::calendar::CivilTime;
use crate::fudge::Fudge;
use crate::time::Timestamp;

/// A leap second announced for the end of the current month (UTC), as
/// receivers announce it during the days or hours before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LeapWarning {
    /// None announced.
    #[default]
    None,
    /// 23:59:60 will be inserted.
    Insert,
    /// 23:59:59 will be skipped.
    Delete,
}

/// What one second means to a simulated device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Epoch {
    /// The second the timecode names, as a Unix timestamp (a leap second
    /// 23:59:60 is the following midnight, as POSIX time has it).
    pub named: Timestamp,
    /// The same as the receiver states it in UTC (second 60 kept).
    pub time: CivilTime,
    /// The receiver says its time is good (fix, lock, sync).
    pub valid: bool,
    /// GPS − UTC in seconds at this second (18 since 2017; during an
    /// inserted leap second still the old value).
    pub gps_utc: i32,
    /// A leap second announced for the end of this month.
    pub leap: LeapWarning,
}

impl Epoch {
    /// A valid epoch naming `time`, with the GPS − UTC offset of that date.
    pub fn new(time: CivilTime) -> Epoch {
        let named = time.to_timestamp().unwrap_or(Timestamp::EPOCH);
        let before = if time.second == 60 {
            named.secs() - 1
        } else {
            named.secs()
        };
        Epoch {
            named,
            time,
            valid: true,
            gps_utc: gps_utc_offset(before),
            leap: LeapWarning::None,
        }
    }

    /// The valid epoch of a Unix second (never second 60).
    pub fn at(secs: i64) -> Epoch {
        Epoch::new(CivilTime::from_timestamp(Timestamp::from_secs(secs)))
    }
}

/// When a message is to be written. The simulator writes messages in
/// groups: a message due [`Due::At`] an instant opens a group, and the
/// `Next` messages after it (in the order the model gave them) follow it
/// on the line at the serial speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Due {
    /// Right after the message before it; for the first message of
    /// [`DeviceModel::second`], at the whole second (plus the scenarios'
    /// delay); for the first answer of [`DeviceModel::input`], as soon as
    /// the line is free.
    #[default]
    Next,
    /// Its on-time byte at this system time, plus the delay the scenarios
    /// give the wall second it falls in (an answer the device times, like
    /// the HP's timecode 980 ms before the second it names).
    At(Timestamp),
}

/// One message a device writes: a timecode, an answer, a prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its name in the truth log (`RMC`, `TCODE`, `PROMPT`).
    pub kind: &'static str,
    /// The bytes, framing included.
    pub bytes: Vec<u8>,
    /// The byte that marks the second (the on-time character).
    pub on_time: usize,
    /// The byte after which a reader has the whole message (the CR of a
    /// line read in canonical mode; the last byte of a binary message).
    pub end: usize,
    /// The second the message names, if it is a timecode.
    pub named: Option<Timestamp>,
    /// The same as the receiver states it in UTC (second 60 kept), for
    /// the truth log; set with `named` by [`Message::naming`].
    pub time: Option<CivilTime>,
    /// It says the time is good.
    pub valid: bool,
    /// It carries a checksum.
    pub checksum: bool,
    /// The simulator corrupted it (see [`DeviceModel::corrupt`]).
    pub corrupt: bool,
    /// When it is to be written.
    pub due: Due,
}

impl Message {
    /// A message of `bytes` whose first byte is on time and whose last
    /// completes it, naming nothing.
    pub fn new(kind: &'static str, bytes: Vec<u8>) -> Message {
        let end = bytes.len().saturating_sub(1);
        Message {
            kind,
            bytes,
            on_time: 0,
            end,
            named: None,
            time: None,
            valid: true,
            checksum: false,
            corrupt: false,
            due: Due::Next,
        }
    }

    /// A text line: `end` is its first CR or LF (where a canonical reader
    /// sees it end), or its last byte.
    pub fn line(kind: &'static str, text: impl Into<Vec<u8>>) -> Message {
        let bytes = text.into();
        let mut m = Message::new(kind, bytes);
        if let Some(i) = m.bytes.iter().position(|&b| b == b'\r' || b == b'\n') {
            m.end = i;
        }
        m
    }

    /// The same, naming the epoch's second with its validity.
    pub fn naming(self, epoch: &Epoch) -> Message {
        Message {
            named: Some(epoch.named),
            time: Some(epoch.time),
            valid: epoch.valid,
            ..self
        }
    }

    /// The same with a checksum.
    pub fn with_checksum(self) -> Message {
        Message {
            checksum: true,
            ..self
        }
    }

    /// The same, due at `at`.
    pub fn due_at(self, at: Timestamp) -> Message {
        Message {
            due: Due::At(at),
            ..self
        }
    }

    /// The bytes as text (lossy), without the line end, for the truth log.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes)
            .trim_end_matches(['\r', '\n'])
            .to_string()
    }
}

/// The simulator's timeline, as an answering device sees it.
pub trait Timeline {
    /// The epoch of wall-clock second `wall` (Unix seconds of the system
    /// clock), after the scenarios' shifts, leap seconds and invalid
    /// periods.
    fn epoch(&self, wall: i64) -> Epoch;
}

/// How a simulated device is set up: the driver's configuration, as the
/// `ntp-refclock --simulate` command line gives it, plus model options
/// (`key=value`, e.g. the HP's time zone).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceSetup {
    /// Unit number.
    pub unit: u8,
    /// Fudge values and mode of the clock that will read the device.
    pub fudge: Fudge,
    /// Model options, `key=value`.
    pub options: Vec<(String, String)>,
}

impl DeviceSetup {
    /// Unit 0, `mode`, default fudge values, and `options` (`key`, `value`).
    pub fn new(mode: u32, options: &[(&str, &str)]) -> DeviceSetup {
        DeviceSetup {
            unit: 0,
            fudge: Fudge {
                mode,
                ..Fudge::default()
            },
            options: options
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// The value of option `key`.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a device model could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DeviceError(pub String);

/// A simulated device (see the module documentation).
pub trait DeviceModel: Send {
    /// What the device is, for messages (`u-blox NMEA`, `HP 58503A`).
    fn describe(&self) -> String;

    /// The serial speed the device talks at, for pacing when the driver's
    /// setting cannot be read.
    fn baud(&self) -> u32;

    /// What the device sends on its own in the wall second whose epoch
    /// this is, in order (see [`Due`]): the first's on-time byte is
    /// written at the whole second (plus the scenarios' delay), the
    /// others follow. Called once per wall second, in order, shortly
    /// before it begins, also for seconds whose output a scenario then
    /// suppresses.
    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>);

    /// The driver wrote `data` at system time `now` (the bytes as read,
    /// not split into commands); queue the answers in `out` (see [`Due`]:
    /// as soon as possible, or at an instant the device chooses).
    /// `timeline` tells which second a wall-clock second names.
    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let _ = (data, now, timeline, out);
    }

    /// Spoils `message` the way a line error would and a checksum or a
    /// format check catches (a wrong checksum, where the format has one),
    /// keeping `on_time` and `end` right; returns false when the model
    /// cannot (the message is left alone). The simulator sets
    /// [`Message::corrupt`] when this returns true.
    fn corrupt(&self, message: &mut Message) -> bool {
        let _ = message;
        false
    }

    /// The device is switched off (the simulated device vanished): forget
    /// what a dialogue had reached.
    fn reset(&mut self) {}

    /// Whether the model wants [`DeviceModel::line_closed`]: the
    /// simulator then keeps no descriptor of the pty's slave open (a
    /// driver's close is the last one). The default is false.
    fn sees_close(&self) -> bool {
        false
    }

    /// The driver closed the device at `now` (the last descriptor of the
    /// pty's slave went; only when [`DeviceModel::sees_close`]). On a
    /// serial line that close drops DTR (HUPCL), which is how a modem
    /// driver hangs up; a simulated modem hangs up here. Called once per
    /// close; the default ignores it.
    fn line_closed(&mut self, now: Timestamp) {
        let _ = now;
    }

    /// Whether the `garbage` scenario may write `byte` between messages:
    /// it must neither start nor end a message for this format, so that
    /// garbage spoils at most the message it sticks to. The default
    /// allows what is printable once a reader strips the parity bit
    /// (`& 0x7f`), i.e. no CR, LF or other control character; a model
    /// whose messages open with a printable character excludes it too.
    fn garbage_allowed(&self, byte: u8) -> bool {
        (0x20..0x7f).contains(&(byte & 0x7f))
    }
}

/// Ends of the UTC days after which a leap second was inserted, with the
/// GPS − UTC offset from the following midnight (IERS Bulletin C; GPS
/// time started equal to UTC on 1980-01-06).
const LEAP_TABLE: &[(i32, u8, u8, i32)] = &[
    (1981, 6, 30, 1),
    (1982, 6, 30, 2),
    (1983, 6, 30, 3),
    (1985, 6, 30, 4),
    (1987, 12, 31, 5),
    (1989, 12, 31, 6),
    (1990, 12, 31, 7),
    (1992, 6, 30, 8),
    (1993, 6, 30, 9),
    (1994, 6, 30, 10),
    (1995, 12, 31, 11),
    (1997, 6, 30, 12),
    (1998, 12, 31, 13),
    (2005, 12, 31, 14),
    (2008, 12, 31, 15),
    (2012, 6, 30, 16),
    (2015, 6, 30, 17),
    (2016, 12, 31, 18),
];

/// GPS − UTC in seconds at Unix time `unix` (UTC), from the leap seconds up
/// to 2016-12-31 (0 before 1981-07-01, 18 after 2016).
pub fn gps_utc_offset(unix: i64) -> i32 {
    let mut offset = 0;
    for &(y, m, d, after) in LEAP_TABLE {
        let midnight =
            (crate::calendar::days_from_civil(y, m, d) + 1) * crate::calendar::SECS_PER_DAY;
        if unix >= midnight {
            offset = after;
        }
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leap_table() {
        assert_eq!(gps_utc_offset(0), 0);
        let before = crate::calendar::days_from_civil(2017, 1, 1) * 86_400 - 1;
        assert_eq!(gps_utc_offset(before), 17);
        assert_eq!(gps_utc_offset(before + 1), 18);
        let leap = Epoch::new(CivilTime::new(2016, 12, 31, 23, 59, 60));
        assert_eq!(leap.gps_utc, 17);
        assert_eq!(leap.named.secs(), before + 1);
    }

    #[test]
    fn lines_end_at_their_cr() {
        let m = Message::line("X", b"abc\r\n".to_vec());
        assert_eq!((m.on_time, m.end), (0, 3));
        assert_eq!(m.text(), "abc");
        let m = Message::new("B", vec![1, 2, 3]);
        assert_eq!(m.end, 2);
    }

    #[test]
    fn naming_keeps_the_civil_time() {
        let leap = Epoch::new(CivilTime::new(2016, 12, 31, 23, 59, 60));
        let m = Message::new("T", vec![b'x']).naming(&leap);
        assert_eq!(m.named, Some(leap.named));
        assert_eq!(m.time.map(|t| t.second), Some(60));
    }

    #[test]
    fn default_garbage_is_printable() {
        struct Quiet;
        impl DeviceModel for Quiet {
            fn describe(&self) -> String {
                "quiet".into()
            }
            fn baud(&self) -> u32 {
                9600
            }
            fn second(&mut self, _: &Epoch, _: &mut Vec<Message>) {}
        }
        assert!(Quiet.garbage_allowed(b'a') && Quiet.garbage_allowed(0xE1));
        assert!(!Quiet.garbage_allowed(b'\r') && !Quiet.garbage_allowed(0x8A));
    }
}
