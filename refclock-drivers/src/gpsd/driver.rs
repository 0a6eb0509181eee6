//! The GPSD JSON driver's logic: ntpd 4.2.8p18's `gpsd_start`,
//! `gpsd_receive`/`gpsd_parse`, `gpsd_timer` and `gpsd_poll` on top of
//! refclock-core.

use std::path::PathBuf;

use refclock_core::framing::{FrameStatus, Framer, LineFramer};
use refclock_core::port::{CloseReason, OpenPolicy, PortEvent, PortKind, PortSpec};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, OptionInfo, PortId,
    Ports, StartError, Timestamp,
};

use super::codec::{
    decode, format_time, parse_time, proto, watch_request, Object, TimePair, Tpv, Version, Watch,
    MAX_LINE, VERSION_QUERY,
};
use super::setup::{
    real_device, server_port, OpMode, Tallies, DEVICE, LIVE_CHECK_AT, LOG_THROTTLE, PPS2_MAXCOUNT,
    PPS_DECCOUNT, PPS_INCCOUNT, PPS_MAXCOUNT, TICKOVER_HIGH, TICKOVER_LOW, TICKOVER_STEP,
};

/// Static facts about the driver (ntpd type 46).
pub const INFO: DriverInfo = DriverInfo {
    kind: 46,
    ntpd_name: "GPSDJSON",
    name: "gpsd",
    description: "GPSD JSON socket",
    refid: *b"GPSD",
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conn {
    /// No connection; one is made when the count-down ends.
    Idle,
    /// Asked the host to connect.
    Connecting,
    Open,
}

/// Serial time information of the last TPV or TOFF.
#[derive(Clone, Copy, Debug)]
struct Sti {
    stamp: Timestamp,
    /// When gpsd (TOFF) or we (TPV) received it, minus time2.
    recvt: Timestamp,
    /// When the line reached us.
    local: Timestamp,
}

/// The last pulse.
#[derive(Clone, Copy, Debug)]
struct Pulse {
    /// The pulse's system time minus time1.
    recvt: Timestamp,
    local: Timestamp,
}

/// The GPSD JSON driver (ntpd type 46, `GPSDJSON`). Unit `u` < 128 is the
/// primary unit watching `/dev/gpsu`; unit `u` ≥ 128 is the PPS-only unit
/// of `/dev/gps(u−128)`, which here keeps its own connection (see the
/// module documentation).
#[derive(Debug)]
pub struct GpsdDriver {
    secondary: bool,
    /// The connection is ours to make and drop (TCP); a device path
    /// (`server=/PATH`) is opened by the host at start, before any
    /// chroot, and reopened by it.
    tcp: bool,
    mode: OpMode,
    device: String,
    framer: Box<LineFramer<MAX_LINE>>,
    conn: Conn,
    tickover: u32,
    tickpres: u32,
    logthrottle: u32,
    proto: u32,
    have_version: bool,
    watching: bool,
    pf_nsec: bool,
    pf_toff: bool,
    nosync: bool,
    sti: Option<Sti>,
    pulse: Option<Pulse>,
    pulse2: Option<(Timestamp, Timestamp)>,
    ppscount: i32,
    rawsti: bool,
    ppscount2: i32,
    tallies: Tallies,
}

impl GpsdDriver {
    /// The device gpsd is asked to watch (its real path).
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The operation mode.
    pub fn op_mode(&self) -> OpMode {
        self.mode
    }

    /// Whether this is the PPS-only unit (unit ≥ 128).
    pub fn is_secondary(&self) -> bool {
        self.secondary
    }

    /// Whether the connection is up.
    pub fn connected(&self) -> bool {
        self.conn == Conn::Open
    }

    /// The current reconnect delay preset, seconds (`tickpres`).
    pub fn reconnect_delay(&self) -> u32 {
        self.tickpres
    }

    /// The protocol version gpsd announced (`PROTO_VERSION`), 0 before.
    pub fn protocol(&self) -> u32 {
        self.proto
    }

    /// Whether gpsd confirmed the watch of our device.
    pub fn watching(&self) -> bool {
        self.watching
    }

    /// The tallies of the current poll interval.
    pub fn tallies(&self) -> Tallies {
        self.tallies
    }

    /// Whether automatic mode currently uses serial time alone.
    pub fn raw_serial(&self) -> bool {
        self.rawsti
    }

    fn log_ok(&mut self, ctx: &Context<'_>) -> bool {
        let ok = ctx.fudge().flag(ClockFlags::FLAG3)
            || self.logthrottle == 0
            || self.logthrottle == LOG_THROTTLE;
        if ok {
            self.logthrottle = LOG_THROTTLE;
        }
        ok
    }

    fn enter_opmode(&mut self) {
        if self.mode == OpMode::Auto {
            self.rawsti = false;
            self.ppscount = PPS_MAXCOUNT / 2;
        }
        self.pulse = None;
        self.sti = None;
    }

    /// The connection failed or was given up: wait `tickpres` seconds,
    /// and the next time 5 s longer (`gpsd_stop_socket`).
    fn back_off(&mut self) {
        self.tickover = self.tickpres;
        self.tickpres = (self.tickpres + TICKOVER_STEP).min(TICKOVER_HIGH);
    }

    fn forget_session(&mut self) {
        self.have_version = false;
        self.watching = false;
        self.sti = None;
        self.pulse = None;
        self.pulse2 = None;
        self.framer.reset();
    }

    fn stop(&mut self, ctx: &mut Context<'_>, why: &str) {
        if self.conn == Conn::Open && self.log_ok(ctx) {
            ctx.log(format!("gpsd: closing the connection to gpsd: {why}"));
        }
        self.forget_session();
        if !self.tcp {
            // A terminal stays open: listen again from scratch.
            self.tickover = TICKOVER_LOW;
            return;
        }
        ctx.close(PortId::MAIN);
        self.conn = Conn::Idle;
        self.back_off();
    }

    fn write(&mut self, ctx: &mut Context<'_>, data: Vec<u8>) {
        if self.conn == Conn::Open {
            ctx.write(PortId::MAIN, data);
        }
    }

    fn bad(&mut self, ctx: &mut Context<'_>, why: String) {
        self.tallies.breply += 1;
        ctx.report(ClockEvent::BadReply);
        if self.log_ok(ctx) {
            ctx.log(format!("gpsd: {why}"));
        }
    }

    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        let object = match decode(text) {
            Ok(o) => o,
            Err(e) => return self.bad(ctx, e.to_string()),
        };
        match object {
            Object::Tpv(t) => self.tpv(ctx, &t, rectime),
            Object::Pps(p) => self.pps(ctx, &p, rectime),
            Object::Toff(t) => self.toff(ctx, &t, rectime),
            Object::Version(v) => self.version(ctx, &v),
            Object::Watch(w) => self.watch(&w),
            Object::Other(_) => return,
        }
        self.tallies.recv += 1;
        if self.secondary {
            self.eval_pps_secondary(ctx);
            return;
        }
        if let (Some(s), Some(p)) = (self.sti, self.pulse) {
            let diff = s.local.diff(p.local);
            if diff >= 1.0 {
                self.pulse = None; // the pulse is too old
            } else if diff < 0.0 {
                self.sti = None; // the serial time is too old
            }
        }
        match self.mode {
            OpMode::Serial => self.eval_serial(ctx),
            OpMode::Strict => self.eval_strict(ctx),
            OpMode::Auto => self.eval_auto(ctx),
        }
    }

    fn version(&mut self, ctx: &mut Context<'_>, v: &Version) {
        if !self.have_version {
            ctx.log(format!(
                "gpsd: GPSD revision={} release={} protocol={}.{}",
                v.rev, v.release, v.major, v.minor
            ));
        }
        self.proto = v.proto();
        self.have_version = true;
        // A server that answers is a working one: the back-off starts
        // again from 10 s (ntpd never shortens it again).
        self.tickpres = TICKOVER_LOW;
        self.pf_nsec = self.proto >= proto(3, 9);
        self.pf_toff = self.proto >= proto(3, 10);
        if !self.watching {
            let req = watch_request(&self.device, self.pf_toff);
            self.write(ctx, req);
        }
    }

    fn watch(&mut self, w: &Watch) {
        if w.device.as_deref() != Some(self.device.as_str()) {
            return;
        }
        self.watching = w.enable == Some(true) && w.json == Some(true);
    }

    fn tpv(&mut self, ctx: &mut Context<'_>, t: &Tpv, rectime: Timestamp) {
        let time = match (&t.time, t.mode >= 2) {
            (Some(time), true) => time,
            _ => {
                if !self.pf_toff {
                    self.tallies.sti_recv += 1;
                }
                self.tallies.nosync += 1;
                self.sti = None;
                self.pulse = None;
                self.nosync = true;
                return;
            }
        };
        self.nosync = false;
        if self.pf_toff {
            return; // the time comes with the TOFF
        }
        self.tallies.sti_recv += 1;
        ctx.clock.save_timecode(time.as_bytes());
        match parse_time(time) {
            Ok(stamp) => {
                let time2 = ctx.fudge().time2();
                self.sti = Some(Sti {
                    stamp,
                    recvt: rectime.add_secs_f64(-time2),
                    local: rectime,
                });
            }
            Err(e) => {
                self.sti = None;
                self.bad(ctx, e.to_string());
            }
        }
    }

    fn pps(&mut self, ctx: &mut Context<'_>, p: &TimePair, rectime: Timestamp) {
        self.tallies.pps_recv += 1;
        if self.nosync {
            return;
        }
        let Some((real, clock)) = p.times(self.pf_nsec) else {
            return self.bad(ctx, "PPS: a time field is missing or out of range".into());
        };
        let time1 = ctx.fudge().time1();
        let recvt = clock.add_secs_f64(-time1);
        self.pulse = if ctx.fudge().flag(ClockFlags::FLAG2) {
            None
        } else {
            Some(Pulse {
                recvt,
                local: rectime,
            })
        };
        if self.secondary {
            ctx.clock.save_timecode(format_time(real).as_bytes());
        }
        self.pulse2 = Some((real, recvt));
    }

    fn toff(&mut self, ctx: &mut Context<'_>, t: &TimePair, rectime: Timestamp) {
        self.tallies.sti_recv += 1;
        self.pf_toff = true;
        if self.nosync {
            return;
        }
        let Some((real, clock)) = t.times(true) else {
            return self.bad(ctx, "TOFF: a time field is missing or out of range".into());
        };
        self.sti = Some(Sti {
            stamp: real,
            recvt: clock.add_secs_f64(-ctx.fudge().time2()),
            local: rectime,
        });
        if !self.secondary {
            ctx.clock.save_timecode(format_time(real).as_bytes());
        }
    }

    fn sample(&mut self, ctx: &mut Context<'_>, stamp: Timestamp, recvt: Timestamp) {
        if ctx.clock.pending().is_empty() {
            ctx.report(ClockEvent::Nominal);
        }
        ctx.clock.leap = Leap::NoWarning;
        ctx.process_offset(stamp, recvt, 0.0);
    }

    fn eval_serial(&mut self, ctx: &mut Context<'_>) {
        if let Some(s) = self.sti.take() {
            self.sample(ctx, s.stamp, s.recvt);
            self.tallies.sti_used += 1;
        }
    }

    fn eval_strict(&mut self, ctx: &mut Context<'_>) {
        if let (Some(s), Some(p)) = (self.sti, self.pulse) {
            // The serial time names the second, the pulse times it.
            self.sample(ctx, s.stamp, p.recvt);
            self.sti = None;
            self.pulse = None;
            self.tallies.sti_used += 1;
        }
    }

    fn eval_auto(&mut self, ctx: &mut Context<'_>) {
        if self.sti.is_none() {
            return;
        }
        if self.pulse.is_some() {
            self.ppscount = (self.ppscount + PPS_INCCOUNT).min(PPS_MAXCOUNT);
            if self.ppscount == PPS_MAXCOUNT && self.rawsti {
                self.rawsti = false;
                ctx.log("gpsd: expect valid PPS from now");
            }
        } else {
            self.ppscount = (self.ppscount - PPS_DECCOUNT).max(0);
            if self.ppscount == 0 && !self.rawsti {
                self.rawsti = true;
                ctx.log("gpsd: use TPV alone from now");
            }
        }
        if self.rawsti {
            self.eval_serial(ctx);
        } else {
            self.eval_strict(ctx);
        }
    }

    fn eval_pps_secondary(&mut self, ctx: &mut Context<'_>) {
        if let Some((stamp, recvt)) = self.pulse2.take() {
            self.sample(ctx, stamp, recvt);
            self.ppscount2 = (self.ppscount2 + 2).min(PPS2_MAXCOUNT);
            self.tallies.pps_used += 1;
        }
    }

    fn timer_connection(&mut self, ctx: &mut Context<'_>) {
        self.logthrottle = self.logthrottle.saturating_sub(1);
        self.tickover = self.tickover.saturating_sub(1);
        match (self.tickover, self.conn) {
            (LIVE_CHECK_AT, Conn::Open) => self.write(ctx, VERSION_QUERY.to_vec()),
            (0, Conn::Open) => self.stop(ctx, "no data for 10 s"),
            (0, Conn::Idle) if self.tcp => {
                self.conn = Conn::Connecting;
                ctx.open(PortId::MAIN);
            }
            _ => {}
        }
    }
}

impl Driver for GpsdDriver {
    const INFO: DriverInfo = INFO;
    const OPTIONS: &'static [OptionInfo] = &[
        OptionInfo::value(
            "server",
            "where gpsd is: HOST:PORT (default localhost:2947), or the /PATH of a \
             character device carrying gpsd's JSON (the simulated gpsd)",
        ),
        OptionInfo::value(
            "watch",
            "the device to ask gpsd for, as gpsd names it, instead of the real \
             path of /dev/gpsU (not checked here: a gpsd on another host)",
        ),
    ];

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let mode = config.fudge.mode;
        if mode & !3 != 0 {
            return Err(StartError::BadMode {
                mode,
                reason: "0 (serial time), 1 (serial time + PPS) or 2 (automatic)".into(),
            });
        }
        let secondary = config.unit >= 128;
        let path = config.device.clone().unwrap_or_else(|| {
            PathBuf::from(DEVICE.replace("%d", &(config.unit & 0x7f).to_string()))
        });
        let device = match config.option_value("watch") {
            Some(name) if !name.is_empty() => name.to_string(),
            Some(_) => {
                return Err(StartError::BadOption {
                    name: "watch".into(),
                    reason: "needs a device name".into(),
                })
            }
            None => real_device(&path)?,
        };
        let port = server_port(config.option_value("server"))?;
        let tcp = matches!(port, PortKind::Tcp { .. });
        let mut d = GpsdDriver {
            secondary,
            tcp,
            mode: OpMode::from_mode(mode),
            device,
            framer: Box::new(LineFramer::long()),
            conn: Conn::Idle,
            tickover: 0,
            tickpres: TICKOVER_LOW,
            logthrottle: 0,
            proto: 0,
            have_version: false,
            watching: false,
            pf_nsec: false,
            pf_toff: false,
            nosync: false,
            sti: None,
            pulse: None,
            pulse2: None,
            ppscount: 0,
            rawsti: false,
            ppscount2: 0,
            tallies: Tallies::default(),
        };
        if !secondary {
            d.enter_opmode();
        }
        ctx.clock.leap = Leap::NotInSync;
        let spec = if tcp {
            PortSpec::of(port).opened(OpenPolicy::OnDemand)
        } else {
            PortSpec::of(port)
        };
        Ok((d, Ports::one(spec)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let mut input = data;
        while let Some(frame) = self.framer.next_frame(&mut input, rectime) {
            let (status, last) = (frame.status, frame.last);
            let text = frame.data.to_vec();
            if status == FrameStatus::Overflow {
                self.bad(ctx, format!("a line longer than {MAX_LINE} bytes"));
                continue;
            }
            self.line(ctx, &text, last);
        }
        self.tickover = TICKOVER_LOW;
    }

    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        self.timer_connection(ctx);
        if self.secondary {
            self.ppscount2 = (self.ppscount2 - 1).max(0);
            if self.ppscount2 == 0 && !ctx.clock.pending().is_empty() {
                ctx.report(ClockEvent::Timeout);
                let n = ctx.clock.pending().len();
                ctx.clock.expire_samples(n);
            }
        }
    }

    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.clock.counters.polls += 1;
        if !ctx.clock.pending().is_empty() {
            ctx.report(ClockEvent::Nominal);
            let _ = ctx.receive();
        } else if self.secondary {
            ctx.report(ClockEvent::Timeout);
        } else if self.conn != Conn::Open {
            ctx.report(ClockEvent::Fault);
        } else if self.tallies.breply != 0 {
            ctx.report(ClockEvent::BadReply);
        } else {
            ctx.report(ClockEvent::Timeout);
        }
        if !self.secondary && ctx.fudge().flag(ClockFlags::FLAG4) {
            let t = self.tallies;
            ctx.clockstats(format!(
                "{} {} {} {} {} {} {}",
                t.recv, t.breply, t.nosync, t.sti_recv, t.sti_used, t.pps_recv, t.pps_used
            ));
        }
        self.tallies = Tallies::default();
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => {
                self.conn = Conn::Open;
                self.tickover = TICKOVER_LOW;
                self.forget_session();
            }
            PortEvent::OpenFailed(e) => {
                if self.log_ok(ctx) {
                    ctx.log(format!("gpsd: cannot connect to gpsd: {e}"));
                }
                self.conn = Conn::Idle;
                self.back_off();
            }
            PortEvent::Closed(CloseReason::Lost(e)) => {
                if self.log_ok(ctx) {
                    ctx.log(format!("gpsd: connection to gpsd lost: {e}"));
                }
                self.conn = Conn::Idle;
                self.forget_session();
                // Noticed at once (ntpd waits for the silence time-out):
                // try again at the next second, then back off.
                self.tickover = 1;
            }
            PortEvent::WriteFailed(e) if self.log_ok(ctx) => {
                ctx.log(format!("gpsd: write to gpsd failed: {e}"));
            }
            _ => {}
        }
    }
}
