//! The HP driver in its clock, and what the driver tests look for in
//! its actions (shared by the driver, dialogue and simulation tests).

use refclock_core::calendar::CivilTime;
use refclock_core::clock::ClockState;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, PortEvent, PortId, Refclock,
    Sample, Timestamp,
};

use super::codec::Timecode;
use super::HpgpsDriver;
use crate::testkit::Outcome;

pub(super) struct D(pub(super) Clock<HpgpsDriver>);

impl D {
    pub(super) fn new(mode: u32, flags: ClockFlags, time1: Option<f64>) -> D {
        D(Clock::start(DriverConfig {
            unit: 3,
            fudge: Fudge {
                mode,
                flags,
                time1,
                ..Fudge::default()
            },
            ..DriverConfig::default()
        })
        .expect("starts"))
    }
    /// A 58503A whose port has opened and which has answered the
    /// identification and time zone queries (zone `tz`).
    pub(super) fn ready(flags: ClockFlags, time1: Option<f64>, tz: &str) -> D {
        let mut d = D::new(0, flags, time1);
        d.event(PortEvent::Opened);
        let hello = format!("HEWLETT-PACKARD,58503A,3626A01234,3704-C\r\nscpi > {tz}\r\nscpi > ");
        d.feed(hello.as_bytes(), Timestamp::from_secs(1));
        d
    }
    pub(super) fn feed(&mut self, data: &[u8], rec: Timestamp) -> Vec<Action> {
        self.0.receive(PortId::MAIN, data, rec);
        self.0.take_actions()
    }
    pub(super) fn poll(&mut self, now: Timestamp) -> Vec<Action> {
        Refclock::poll(&mut self.0, now);
        self.0.take_actions()
    }
    pub(super) fn event(&mut self, e: PortEvent) -> Vec<Action> {
        self.0.port_event(PortId::MAIN, e);
        self.0.take_actions()
    }
    pub(super) fn clock(&self) -> &ClockState {
        self.0.state()
    }
    pub(super) fn driver(&self) -> &HpgpsDriver {
        self.0.driver()
    }
}

pub(super) fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

/// The receive time of the CR of a timecode naming `named`, 0.955 s
/// before it (what a 58503A at 9600 baud gives).
pub(super) fn cr_time(named: Timestamp) -> Timestamp {
    Timestamp::new(named.secs() - 1, 45_000_000)
}

/// `scpi > T2...cc\r\n` for a timecode naming local `t`, with changes.
pub(super) fn line_with(t: CivilTime, change: impl FnOnce(&mut Timecode)) -> Vec<u8> {
    let mut code = Timecode::new(t);
    change(&mut code);
    [&b"scpi > "[..], &code.encode(), b"\r\n"].concat()
}

pub(super) fn line(t: CivilTime) -> Vec<u8> {
    line_with(t, |_| {})
}

pub(super) fn samples(actions: &[Action]) -> Vec<Sample> {
    Outcome::of(actions.to_vec()).samples
}

pub(super) fn writes(actions: &[Action]) -> Vec<Vec<u8>> {
    let writes = Outcome::of(actions.to_vec()).writes;
    writes
        .into_iter()
        .filter(|(port, _)| *port == PortId::MAIN)
        .map(|(_, data)| data)
        .collect()
}

pub(super) fn events(actions: &[Action]) -> Vec<ClockEvent> {
    Outcome::of(actions.to_vec()).events
}

pub(super) fn stats(actions: &[Action]) -> Vec<String> {
    Outcome::of(actions.to_vec()).clockstats
}

pub(super) fn logs(actions: &[Action]) -> Vec<String> {
    Outcome::of(actions.to_vec()).logs
}

pub(super) fn filtered(actions: &[Action]) -> usize {
    Outcome::of(actions.to_vec()).filtered.len()
}
