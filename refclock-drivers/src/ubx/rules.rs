//! The driver's types and rules that need no state: the line speed,
//! the message ranking, the counters, the leap window.

use refclock_core::calendar::CivilTime;
use refclock_core::port::PpsEdgeKind;
use refclock_core::{ClockFlags, Leap, Timestamp};

use super::driver::MODE_BAUDRATE_MASK;

/// Line speed selected by mode bits 4-6 (9600, u-blox's default, for 0).
pub const fn baud_rate(mode: u32) -> u32 {
    match (mode & MODE_BAUDRATE_MASK) >> 4 {
        2 => 19_200,
        3 => 38_400,
        4 => 57_600,
        5 => 115_200,
        6 => 230_400,
        _ => 9600,
    }
}

/// The time messages, best first: a serial sample comes from the best
/// one received in the last 2.5 s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub enum Source {
    /// TIM-TP (the pulse before the message).
    TimTp = 0,
    /// NAV-TIMEUTC.
    NavTimeUtc = 1,
    /// NAV-PVT.
    NavPvt = 2,
    /// NAV-TIMEGPS.
    NavTimeGps = 3,
}

/// How the receiver's messages are switched on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigMethod {
    /// Not at all (`option listen-only`).
    None,
    /// Ask MON-VER first.
    Auto,
    /// CFG-MSG.
    CfgMsg,
    /// CFG-VALSET.
    ValSet,
    /// Both (MON-VER unanswered).
    Both,
}

/// Counters since start; every message framed is counted once in
/// `messages`, `bad_checksum`, `overflow` or `bad_length`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tally {
    /// Intact messages that decoded (any class).
    pub messages: u64,
    /// Messages with a bad checksum.
    pub bad_checksum: u64,
    /// Headers claiming a message longer than the framer keeps.
    pub overflow: u64,
    /// Intact messages too short for their layout, or out of range.
    pub bad_length: u64,
    /// Time messages that said the time is not valid.
    pub invalid: u64,
    /// Time messages not used: a better one is present, or the same
    /// second was sampled already.
    pub superseded: u64,
    /// Serial samples.
    pub samples: u64,
    /// Pulse samples.
    pub pulse_samples: u64,
    /// Pulse samples corrected by a TIM-TP's qErr.
    pub qerr_applied: u64,
    /// ACK-ACK and ACK-NAK received.
    pub acks: u64,
    /// ACK-NAK received.
    pub naks: u64,
}

/// The PPS edge the flags select (flag2: the clear edge).
pub(super) fn edge_kind(flags: ClockFlags) -> PpsEdgeKind {
    if flags.contains(ClockFlags::FLAG2) {
        PpsEdgeKind::Clear
    } else {
        PpsEdgeKind::Assert
    }
}

pub(super) fn recent(t: Option<Timestamp>, now: Timestamp, secs: f64) -> bool {
    t.is_some_and(|t| (0.0..secs).contains(&now.diff(t)))
}

/// The whole second nearest `t`.
pub(super) fn round_second(t: Timestamp) -> Timestamp {
    let n = t.as_nanos();
    Timestamp::from_nanos((n + 500_000_000).div_euclid(1_000_000_000) * 1_000_000_000)
}

/// The first instant of the UTC month after the one `t` is in.
pub(super) fn next_month(t: Timestamp) -> Timestamp {
    let c = CivilTime::from_timestamp(t);
    let (y, m) = if c.month == 12 {
        (c.year + 1, 1)
    } else {
        (c.year, c.month + 1)
    };
    CivilTime::new(y, m, 1, 0, 0, 0).to_timestamp().unwrap_or(t)
}

/// The leap indicator at `now` for a leap event: announced from the
/// start of the UTC month at whose end the event is, and only for an
/// event at the end of a month.
pub fn leap_at(event: Option<(Timestamp, Leap)>, now: Timestamp) -> Leap {
    match event {
        Some((at, leap)) if at > now && at == next_month(now) => leap,
        _ => Leap::NoWarning,
    }
}
