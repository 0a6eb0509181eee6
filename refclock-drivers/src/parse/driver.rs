//! The PARSE driver's logic common to all modes: ntpd 4.2.8p18's
//! `parse_start`, `parse_poll`, `parse_event` and `parse_process`.

use refclock_core::calendar::Basedate;
use refclock_core::fudge::ClockFlags;
use refclock_core::port::{PortEvent, PortSpec, PpsEdge, PpsEdgeKind, PpsRequest};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::clockinfo::{clock_info, ClockInfo};
use super::format::{Decoded, Format};
use super::formats;
use super::time::{ParseTime, Status};

/// Static facts about the driver (ntpd type 8).
pub const INFO: DriverInfo = DriverInfo {
    kind: 8,
    ntpd_name: "PARSE",
    name: "generic",
    description: "Generic reference clock driver (PARSE)",
    refid: *b"PARS",
};

/// Mode bit asking for RFC 2783 PPS.
pub const MODE_PPS: u32 = 0x80;

/// A PPS edge is used with a timecode only when the timecode's offset is
/// within [-0.5, 0.5) s (`parse_process`).
const PPS_WINDOW: f64 = 0.5;

/// The PARSE driver (ntpd type 8, `GENERIC`).
#[derive(Debug)]
pub struct ParseDriver {
    info: &'static ClockInfo,
    format: Box<dyn Format>,
    basedate: Basedate,
    /// Trust time after loss of sync, seconds (`maxunsync`; `time2`
    /// with `flag1`).
    maxunsync: f64,
    /// PPS phase adjustment (`time2` without `flag1`).
    pps_phase: f64,
    /// PPS asked for (`mode & 0x80`).
    pps: bool,
    /// Last time the clock reported sync (`lastsync`; None = never, or
    /// reset to wait for full sync again).
    lastsync: Option<Timestamp>,
    /// Last poll that found no timecode since the one before
    /// (`lastmissed`).
    lastmissed: Option<Timestamp>,
    /// A poll is waiting for a timecode (`pollneeddata`).
    pollneeddata: Option<Timestamp>,
    /// The status of the previous timecode (`timedata.parse_state`).
    last_status: Option<Status>,
    /// The newest PPS edge not yet used, and the sequence of the last
    /// one used (`ppsserial`).
    pps_edge: Option<PpsEdge>,
    pps_used: Option<u32>,
    /// Decoded frames waiting to be processed (reused buffer).
    decoded: Vec<Decoded>,
}

impl ParseDriver {
    /// The clock table entry of this clock's mode.
    pub fn clock_info(&self) -> &'static ClockInfo {
        self.info
    }

    /// The format's name.
    pub fn format_name(&self) -> &'static str {
        self.format.name()
    }

    /// The trust time after loss of sync, seconds.
    pub fn trust_time(&self) -> f64 {
        self.maxunsync
    }

    /// Posts `event` (ntpd's `parse_event`): only a change of status is
    /// reported, and the format's event hook sees it first.
    fn event(&mut self, ctx: &mut Context<'_>, event: ClockEvent, now: Timestamp) {
        if ctx.clock.status != event {
            self.format.on_event(ctx, event, now);
        }
        ctx.report(event);
    }

    fn process(&mut self, ctx: &mut Context<'_>, decoded: Decoded, now: Timestamp) {
        match decoded {
            Decoded::Other { note } => {
                if let Some(note) = note {
                    ctx.clockstats(note);
                }
            }
            Decoded::Error { error, text } => {
                ctx.clock.save_timecode(text.as_bytes());
                ctx.log(format!("bad timecode \"{text}\": {error}"));
                self.event(ctx, error.event(), now);
            }
            Decoded::Time {
                time,
                rectime,
                text,
            } => self.timecode(ctx, time, rectime, &text),
        }
    }

    /// One timecode (`parse_process` with `CVT_OK`).
    fn timecode(&mut self, ctx: &mut Context<'_>, time: ParseTime, rectime: Timestamp, text: &str) {
        ctx.clock.save_timecode(text.as_bytes());
        ctx.clockstats(text.to_string());
        let reftime = match time.to_timestamp(rectime, &self.basedate) {
            Ok(t) => t,
            Err(e) => {
                ctx.log(format!("bad timecode \"{text}\": {e}"));
                self.event(ctx, e.event(), rectime);
                return;
            }
        };
        let status = time.status;
        if self.last_status != Some(status) {
            let old = self.last_status.map(|s| s.describe()).unwrap_or_default();
            ctx.clockstats(format!(
                "STATE CHANGE: <{}> -> <{}>",
                old,
                status.describe()
            ));
            self.last_status = Some(status);
        }
        if status.powerup() {
            self.event(ctx, ClockEvent::Fault, rectime);
        } else if status.in_sync() {
            self.lastsync = Some(rectime);
        } else {
            self.event(ctx, ClockEvent::Prop, rectime);
        }

        let mut fudge = ctx.clock.fudge.time1();
        let mut reftime = reftime;
        let mut rectime = rectime;
        if self.pps {
            if let Some(edge) = self.take_pps() {
                let off = reftime.diff(rectime);
                if (-PPS_WINDOW..PPS_WINDOW).contains(&off) {
                    fudge = self.pps_phase;
                    if self.info.pps_on_second {
                        // The edge starts the second nearest to it.
                        reftime = round_to_second(edge.time);
                    }
                    rectime = edge.time;
                }
            }
        }
        if status.in_sync() {
            ctx.report(ClockEvent::Nominal);
        }

        let untrusted = match self.lastsync {
            None => true,
            Some(last) => {
                rectime.diff(last) > self.maxunsync
                    || self.lastmissed.is_some_and(|missed| last < missed)
            }
        } || (!self.info.powerup_trust && status.powerup());
        if untrusted {
            ctx.clock.leap = Leap::NotInSync;
            self.lastsync = None;
        } else {
            ctx.clock.leap = if status.leap_add() {
                if ctx.clock.fudge.flag(ClockFlags::FLAG4) {
                    Leap::DelSecond
                } else {
                    Leap::AddSecond
                }
            } else if status.leap_del() {
                Leap::DelSecond
            } else {
                Leap::NoWarning
            };
            ctx.process_offset(reftime, rectime, fudge);
        }
        if self.pollneeddata.take().is_some() {
            let _ = ctx.receive();
        }
    }

    /// The newest PPS edge not used before (`time_pps_fetch` with a
    /// changed sequence).
    fn take_pps(&mut self) -> Option<PpsEdge> {
        let edge = self.pps_edge.take()?;
        if self.pps_used == Some(edge.sequence) {
            return None;
        }
        self.pps_used = Some(edge.sequence);
        Some(edge)
    }
}

/// The whole second nearest to `t`.
fn round_to_second(t: Timestamp) -> Timestamp {
    let ns = t.as_nanos();
    Timestamp::from_nanos((ns + 500_000_000).div_euclid(1_000_000_000) * 1_000_000_000)
}

impl Driver for ParseDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        ParseDriver::start_with(config, ctx, None)
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let mut decoded = std::mem::take(&mut self.decoded);
        self.format.feed(data, rectime, &mut decoded);
        for d in decoded.drain(..) {
            self.process(ctx, d, rectime);
        }
        self.decoded = decoded;
    }

    fn pps(&mut self, ctx: &mut Context<'_>, edge: PpsEdge) {
        ParseDriver::pps(self, ctx, edge)
    }

    fn timer(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        self.format.on_second(ctx, now);
    }

    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        ParseDriver::poll(self, ctx, now)
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, port: PortId, event: PortEvent) {
        ParseDriver::port_event(self, ctx, port, event)
    }
}

impl ParseDriver {
    /// `start` with the mode's format, or `format` instead (tests of the
    /// common logic with a format of their own).
    pub(crate) fn start_with(
        config: &DriverConfig,
        ctx: &mut Context<'_>,
        format: Option<Box<dyn Format>>,
    ) -> Result<(Self, Ports), StartError> {
        let fudge = &config.fudge;
        let mode = fudge.mode & 0x7f;
        let bad = |reason: String| StartError::BadMode {
            mode: fudge.mode,
            reason,
        };
        if fudge.mode & !0xff != 0 {
            return Err(bad("PARSE modes are 0..=24, +128 for PPS".into()));
        }
        let info =
            clock_info(mode).ok_or_else(|| bad("PARSE modes are 0..=24, +128 for PPS".into()))?;
        let format = format
            .or_else(|| formats::for_mode(info.mode, &config.basedate))
            .ok_or_else(|| bad(format!("{} is not implemented yet", info.description)))?;
        let flags = fudge.flags;
        if ctx.clock.fudge.time1.is_none() {
            ctx.clock.fudge.time1 = Some(info.basedelay);
        }
        if ctx.clock.fudge.refid.is_none() {
            ctx.clock.fudge.refid = Some(info.refid);
        }
        let time2 = fudge.time2();
        let (maxunsync, pps_phase) = if flags.contains(ClockFlags::FLAG1) {
            (time2.abs().trunc(), 0.0)
        } else {
            (info.maxunsync as f64, time2)
        };
        // ntpd zero-fills its unit: the leap indicator starts at 0 and
        // only a trusted timecode sets it.
        ctx.clock.leap = Leap::NotInSync;
        let pps = fudge.mode & MODE_PPS != 0;
        let port = PortSpec::serial(config.device_or("/dev/refclock-%d"), info.serial);
        let pps_request = pps.then(|| PpsRequest {
            path: Some(config.pps_device_or("/dev/refclockpps-%d")),
            fallback_port: Some(PortId::MAIN),
            edge: if flags.contains(ClockFlags::FLAG2) {
                PpsEdgeKind::Clear
            } else {
                PpsEdgeKind::Assert
            },
            hardpps: flags.contains(ClockFlags::FLAG3),
        });
        ctx.log(format!(
            "{} (mode {}), format \"{}\", trust time {} s",
            info.description, fudge.mode, info.format, maxunsync
        ));
        let driver = ParseDriver {
            info,
            format,
            basedate: config.basedate,
            maxunsync,
            pps_phase,
            pps,
            lastsync: None,
            lastmissed: None,
            pollneeddata: None,
            last_status: None,
            pps_edge: None,
            pps_used: None,
            decoded: Vec::new(),
        };
        Ok((driver, Ports::one(port).with_pps(pps_request)))
    }

    /// A PPS edge: kept for the next timecode.
    pub(crate) fn pps(&mut self, _ctx: &mut Context<'_>, edge: PpsEdge) {
        self.pps_edge = Some(edge);
    }

    /// `parse_poll`.
    pub(crate) fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        ctx.clock.counters.polls += 1;
        if self.pollneeddata.is_some() {
            // A whole poll interval without a timecode. (ntpd compares the
            // time since the last poll with the poll interval by `>`, which
            // a regular poll never exceeds.)
            self.lastmissed = Some(now);
            self.event(ctx, ClockEvent::Timeout, now);
            ctx.log("no data from device within poll interval (check receiver / wiring)");
        }
        self.pollneeddata = Some(now);
        self.format.on_poll(ctx, now);
    }

    /// The port opened or closed.
    pub(crate) fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => self.format.on_open(ctx),
            PortEvent::Closed(_) => self.format.reset(),
            PortEvent::ModemLinesFailed(e) => {
                ctx.log(format!("setting the modem lines failed: {e}"));
            }
            _ => {}
        }
    }
}
