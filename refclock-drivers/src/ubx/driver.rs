//! The u-blox driver's logic (see the module documentation for the rules).

use refclock_core::calendar::Basedate;
use refclock_core::framing::{FrameStatus, Framer, UbxFramer, UbxMessage};
use refclock_core::gps::EraWindow;
use refclock_core::port::{PortEvent, PpsEdge, PpsRequest, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, OptionInfo, PortId,
    PortSpec, Ports, StartError, Timestamp,
};

use super::codec::{self, Message, NavTimeLs, TimTp};
pub use super::rules::{baud_rate, leap_at, ConfigMethod, Source, Tally};
use super::rules::{edge_kind, recent, round_second};

/// Static facts about the driver (type 47: none of ntpd's, whose types
/// end at 46).
pub const INFO: DriverInfo = DriverInfo {
    kind: 47,
    ntpd_name: "UBX",
    name: "ubx",
    description: "u-blox timing GPS (UBX binary)",
    refid: *b"GPS\0",
};

/// Mode: choose the configuration message by the receiver's MON-VER.
pub const MODE_AUTO: u32 = 0;
/// Mode bit: configure with CFG-MSG (u-blox 8 and older).
pub const MODE_CFG_MSG: u32 = 0x1;
/// Mode bit: configure with CFG-VALSET (F9, M10).
pub const MODE_CFG_VALSET: u32 = 0x2;
/// Mode bits 4-6: the line speed (see [`baud_rate`]).
pub const MODE_BAUDRATE_MASK: u32 = 0x70;

/// Precision without PPS (about 2 ms).
pub const PRECISION: i8 = -9;
/// Precision of pulse samples (about 1 µs).
pub const PPS_PRECISION: i8 = -20;

/// TIM-TP descriptions of pulses kept, newest last.
const PULSES_KEPT: usize = 4;
/// Seconds within which a better time message supersedes a worse one,
/// a pulse supersedes the serial samples, and a NAV status applies to a
/// TIM-TP.
const RECENT: f64 = 2.5;
/// Timer ticks to wait for the MON-VER answer.
const MONVER_WAIT: u8 = 3;

/// A pulse a TIM-TP described.
#[derive(Clone, Copy, Debug, PartialEq)]
struct NextPulse {
    /// The UTC second it marks.
    time: Timestamp,
    /// qErr (intended − actual), s.
    qerr: Option<f64>,
}

#[derive(Debug)]
struct Unit {
    basedate: Basedate,
    /// The method chosen by the mode and options.
    configured: ConfigMethod,
    /// The method under way.
    config: ConfigMethod,
    pps: bool,
    correct_qerr: bool,
    monver_wait: Option<u8>,
    gps_utc: Option<i32>,
    /// The last NAV-TIMELS, waiting for a time message of its epoch.
    timels: Option<NavTimeLs>,
    /// The leap event (UTC instant) and its direction.
    leap_event: Option<(Timestamp, Leap)>,
    /// iTOW and UTC second of the last NAV time message.
    last_epoch: Option<(u32, Timestamp)>,
    /// The pulses the last TIM-TPs described, newest last.
    pulses: Vec<NextPulse>,
    /// Reference and receive time of the last serial time.
    last_serial: Option<(Timestamp, Timestamp)>,
    last_pulse: Option<Timestamp>,
    /// The second of the last pulse sample.
    last_pulse_second: Option<i64>,
    /// When the first serial time was received (with PPS, serial samples
    /// wait for pulses this long first).
    first_serial: Option<Timestamp>,
    seen: [Option<Timestamp>; 4],
    /// Receive time and verdict of the last NAV validity.
    nav_valid: Option<(Timestamp, bool)>,
    last_second: Option<i64>,
    tally: Tally,
}

/// The u-blox timing receiver driver (type 47, `UBX`). See the module
/// documentation.
#[derive(Debug)]
pub struct UbxDriver {
    framer: UbxFramer,
    unit: Unit,
}

impl UbxDriver {
    /// Counters since start.
    pub fn tally(&self) -> Tally {
        self.unit.tally
    }

    /// How the receiver is (to be) configured.
    pub fn config_method(&self) -> ConfigMethod {
        self.unit.config
    }

    /// GPS − UTC as the receiver last stated it validly.
    pub fn gps_utc(&self) -> Option<i32> {
        self.unit.gps_utc
    }
}

impl Unit {
    /// `t` moved by whole eras of 1024 GPS weeks into the window of the
    /// base date and the receive time (a receiver whose firmware's week
    /// reference is past states dates 1024 weeks early).
    fn unfold(&self, t: Timestamp, rectime: Timestamp) -> Timestamp {
        EraWindow::new(&self.basedate, rectime).fix(t)
    }

    fn message(&mut self, ctx: &mut Context<'_>, m: &UbxMessage<'_>, rectime: Timestamp) {
        let msg = match Message::from_frame(m) {
            Ok(msg) => msg,
            Err(e) => {
                self.tally.bad_length += 1;
                ctx.log(format!("bad message: {e}"));
                ctx.report(ClockEvent::BadReply);
                return;
            }
        };
        self.tally.messages += 1;
        match msg {
            Message::TimTp(tp) => self.tim_tp(ctx, &tp, rectime),
            Message::NavTimeUtc(t) => {
                let text = format!(
                    "NAV-TIMEUTC {:04}-{:02}-{:02} {:02}:{:02}:{:02} nano {} tAcc {} valid {:#04x}",
                    t.year, t.month, t.day, t.hour, t.min, t.sec, t.nano, t.tacc, t.valid
                );
                self.nav_time(ctx, Source::NavTimeUtc, t.itow, t.utc(), rectime, &text);
            }
            Message::NavPvt(t) => {
                let text = format!(
                    "NAV-PVT {:04}-{:02}-{:02} {:02}:{:02}:{:02} nano {} tAcc {} valid {:#04x} fix {}",
                    t.year, t.month, t.day, t.hour, t.min, t.sec, t.nano, t.tacc, t.valid, t.fix_type
                );
                let utc = t.utc().filter(|_| t.flags & 1 != 0);
                self.nav_time(ctx, Source::NavPvt, t.itow, utc, rectime, &text);
            }
            Message::NavTimeGps(t) => {
                if let Some(l) = t.gps_utc() {
                    self.gps_utc = Some(l);
                }
                let text = format!(
                    "NAV-TIMEGPS week {} tow {} fTOW {} leapS {} valid {:#04x}",
                    t.week, t.itow, t.ftow, t.leap_s, t.valid
                );
                self.nav_time(ctx, Source::NavTimeGps, t.itow, t.utc(), rectime, &text);
            }
            Message::NavTimeLs(ls) => {
                if let Some(l) = ls.gps_utc() {
                    self.gps_utc = Some(l);
                }
                self.timels = Some(ls);
                self.pair_timels();
                if let (Some((_, second)), true) =
                    (self.last_epoch, ctx.clock.leap != Leap::NotInSync)
                {
                    ctx.clock.leap = leap_at(self.leap_event, second);
                }
            }
            Message::Ack(ack, class, id) => {
                self.tally.acks += 1;
                if !ack {
                    self.tally.naks += 1;
                    ctx.log(format!("receiver refused message {class:#04x} {id:#04x}"));
                }
            }
            Message::MonVer(v) => self.mon_ver(ctx, &v),
            Message::TimTm2(_) | Message::Other(..) => {}
        }
    }

    /// A NAV-TIMELS and the time message of its epoch give the instant of
    /// the leap event.
    fn pair_timels(&mut self) {
        let (Some(ls), Some((itow, second))) = (self.timels, self.last_epoch) else {
            return;
        };
        if ls.itow != itow {
            return;
        }
        self.timels = None;
        self.leap_event = None;
        if ls.valid & 0x02 != 0 && ls.ls_change != 0 && ls.time_to_ls_event > 0 {
            let leap = if ls.ls_change > 0 {
                Leap::AddSecond
            } else {
                Leap::DelSecond
            };
            let at = second + ls.time_to_ls_event as f64;
            self.leap_event = Some((round_second(at), leap));
        }
    }

    fn tim_tp(&mut self, ctx: &mut Context<'_>, tp: &TimTp, rectime: Timestamp) {
        let text = format!(
            "TIM-TP week {} tow {} sub {} qErr {} flags {:#04x} refInfo {:#04x}",
            tp.week, tp.tow_ms, tp.tow_sub_ms, tp.qerr_ps, tp.flags, tp.ref_info
        );
        ctx.clock.save_timecode(text.as_bytes());
        let nav_bad = self
            .nav_valid
            .is_some_and(|(t, ok)| !ok && recent(Some(t), rectime, RECENT));
        let pulse = tp.pulse_utc(self.gps_utc).map(|t| self.unfold(t, rectime));
        let Some(pulse) = pulse.filter(|_| !nav_bad) else {
            self.tally.invalid += 1;
            return;
        };
        if self.pulses.len() == PULSES_KEPT {
            self.pulses.remove(0);
        }
        self.pulses.push(NextPulse {
            time: pulse,
            qerr: tp.qerr_secs().filter(|_| self.correct_qerr),
        });
        // The message follows the pulse before the one it describes.
        self.serial(ctx, Source::TimTp, pulse + -1.0, rectime);
    }

    fn nav_time(
        &mut self,
        ctx: &mut Context<'_>,
        source: Source,
        itow: u32,
        utc: Option<Timestamp>,
        rectime: Timestamp,
        text: &str,
    ) {
        ctx.clock.save_timecode(text.as_bytes());
        let utc = utc.map(|t| self.unfold(t, rectime));
        self.nav_valid = Some((rectime, utc.is_some()));
        let Some(utc) = utc else {
            self.tally.invalid += 1;
            ctx.clock.leap = Leap::NotInSync;
            ctx.report(ClockEvent::Prop);
            return;
        };
        self.last_epoch = Some((itow, round_second(utc)));
        self.pair_timels();
        self.serial(ctx, source, utc, rectime);
    }

    /// A valid serial time `reftime` from `source`, received at `rectime`.
    fn serial(
        &mut self,
        ctx: &mut Context<'_>,
        source: Source,
        reftime: Timestamp,
        rectime: Timestamp,
    ) {
        self.seen[source as usize] = Some(rectime);
        if self.seen[..source as usize]
            .iter()
            .any(|&t| recent(t, rectime, RECENT))
        {
            self.tally.superseded += 1;
            return;
        }
        ctx.clock.leap = leap_at(self.leap_event, reftime);
        self.last_serial = Some((reftime, rectime));
        let first = *self.first_serial.get_or_insert(rectime);
        if self.pps && (recent(self.last_pulse, rectime, RECENT) || rectime.diff(first) < RECENT) {
            // Pulses come, or may still come: they make the samples.
            return;
        }
        let second = round_second(reftime).secs();
        if self.last_second == Some(second) {
            self.tally.superseded += 1;
            return;
        }
        self.last_second = Some(second);
        let time2 = ctx.fudge().time2();
        ctx.process_offset(reftime, rectime.add_secs_f64(-time2), 0.0);
        self.tally.samples += 1;
    }

    fn pulse(&mut self, ctx: &mut Context<'_>, edge: Timestamp) {
        if ctx.clock.leap == Leap::NotInSync {
            return;
        }
        let time1 = ctx.fudge().time1();
        // The second the edge marks: the last serial time moved by the
        // time since it was received, to the nearest second (the
        // messages follow their second by less than half a second).
        let near = |l: &(Timestamp, Timestamp)| (-1.0..RECENT).contains(&edge.diff(l.1));
        let Some((r, rec)) = self.last_serial.filter(near) else {
            return;
        };
        let second = round_second(r.add_secs_f64(edge.diff(rec)));
        // Its qErr, if a TIM-TP described it.
        let qerr = self
            .pulses
            .iter()
            .find(|p| p.time == second)
            .and_then(|p| p.qerr);
        if self.last_pulse_second == Some(second.secs()) {
            return;
        }
        self.last_pulse_second = Some(second.secs());
        self.last_pulse = Some(edge);
        // qErr = intended − actual: the instant the pulse should have
        // marked is qErr after the edge that was seen.
        let q = qerr.unwrap_or(0.0);
        ctx.process_offset(second, edge, time1 - q);
        ctx.clock.leap = leap_at(self.leap_event, second);
        self.tally.pulse_samples += 1;
        if qerr.is_some() {
            self.tally.qerr_applied += 1;
        }
    }

    fn mon_ver(&mut self, ctx: &mut Context<'_>, v: &codec::MonVer) {
        let pv = v.protocol_version();
        ctx.log(format!(
            "receiver: sw {:?} hw {:?} protocol {}",
            v.sw,
            v.hw,
            pv.map_or("unknown".to_string(), |p| format!(
                "{}.{:02}",
                p / 100,
                p % 100
            ))
        ));
        if self.monver_wait.take().is_some() {
            // CFG-VALSET from protocol 27 on (F9); CFG-MSG before.
            self.config = if pv.is_some_and(|p| p >= 2700) {
                ConfigMethod::ValSet
            } else {
                ConfigMethod::CfgMsg
            };
            self.send_config(ctx);
        }
    }

    fn send_config(&mut self, ctx: &mut Context<'_>) {
        let (msg, valset) = match self.config {
            ConfigMethod::None => return,
            ConfigMethod::Auto => {
                ctx.write(PortId::MAIN, codec::mon_ver_poll());
                self.monver_wait = Some(MONVER_WAIT);
                return;
            }
            ConfigMethod::CfgMsg => (true, false),
            ConfigMethod::ValSet => (false, true),
            ConfigMethod::Both => (true, true),
        };
        if msg {
            for m in codec::ENABLED {
                ctx.write(PortId::MAIN, codec::cfg_msg(m));
            }
        }
        if valset {
            for keys in codec::VALSET_KEYS {
                ctx.write(PortId::MAIN, codec::cfg_valset(&keys));
            }
        }
    }
}

impl Driver for UbxDriver {
    const INFO: DriverInfo = INFO;

    const OPTIONS: &'static [OptionInfo] = &[
        OptionInfo::switch(
            "listen-only",
            "send nothing to the receiver: take the messages it sends as configured",
        ),
        OptionInfo::switch(
            "no-qerr",
            "do not correct pulse samples by the qErr of TIM-TP",
        ),
    ];

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let fudge = &config.fudge;
        let mode = fudge.mode;
        if mode & !(MODE_CFG_MSG | MODE_CFG_VALSET | MODE_BAUDRATE_MASK) != 0 {
            return Err(StartError::BadMode {
                mode,
                reason: "known bits: 1 CFG-MSG, 2 CFG-VALSET, 0x70 line speed".into(),
            });
        }
        let method = if config.has_option("listen-only") {
            ConfigMethod::None
        } else {
            match mode & 3 {
                MODE_CFG_MSG => ConfigMethod::CfgMsg,
                MODE_CFG_VALSET => ConfigMethod::ValSet,
                3 => ConfigMethod::Both,
                _ => ConfigMethod::Auto,
            }
        };
        let flags = fudge.flags;
        let pps = flags.contains(ClockFlags::FLAG1) || config.pps_device.is_some();
        let port = PortSpec::serial(
            config.device_or("/dev/gps%d"),
            SerialConfig::raw_8n1(baud_rate(mode)),
        );
        let request = pps.then(|| PpsRequest {
            path: Some(config.pps_device_or("/dev/gpspps%d")),
            fallback_port: Some(PortId::MAIN),
            edge: edge_kind(flags),
            hardpps: flags.contains(ClockFlags::FLAG3),
        });
        ctx.clock.leap = Leap::NotInSync;
        let driver = UbxDriver {
            framer: UbxFramer::new(),
            unit: Unit {
                basedate: config.basedate,
                configured: method,
                config: method,
                pps,
                correct_qerr: !config.has_option("no-qerr"),
                monver_wait: None,
                gps_utc: None,
                timels: None,
                leap_event: None,
                last_epoch: None,
                pulses: Vec::with_capacity(PULSES_KEPT),
                last_serial: None,
                last_pulse: None,
                last_pulse_second: None,
                first_serial: None,
                seen: [None; 4],
                nav_valid: None,
                last_second: None,
                tally: Tally::default(),
            },
        };
        Ok((driver, Ports::one(port).with_pps(request)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let UbxDriver { framer, unit } = self;
        framer.feed(data, rectime, |f| match f.status {
            FrameStatus::Complete => match UbxMessage::new(f.data) {
                // The receive time of the read that held the first byte:
                // the message's start is nearest the pulse before it.
                Some(m) => unit.message(ctx, &m, f.first),
                None => {
                    unit.tally.bad_length += 1;
                    ctx.report(ClockEvent::BadReply);
                }
            },
            FrameStatus::BadChecksum => {
                unit.tally.bad_checksum += 1;
                ctx.report(ClockEvent::BadReply);
            }
            FrameStatus::Overflow | FrameStatus::Short => {
                unit.tally.overflow += 1;
                ctx.report(ClockEvent::BadReply);
            }
        });
    }

    fn pps(&mut self, ctx: &mut Context<'_>, edge: PpsEdge) {
        if self.unit.pps && edge.kind == edge_kind(ctx.fudge().flags) {
            self.unit.pulse(ctx, edge.time);
        }
    }

    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let unit = &mut self.unit;
        match unit.monver_wait {
            Some(0) => {
                unit.monver_wait = None;
                ctx.log("no MON-VER answer: configuring with CFG-MSG and CFG-VALSET");
                unit.config = ConfigMethod::Both;
                unit.send_config(ctx);
            }
            Some(n) => unit.monver_wait = Some(n - 1),
            None => {}
        }
    }

    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.clock.counters.polls += 1;
        if ctx.clock.pending().is_empty() {
            ctx.report(ClockEvent::Timeout);
        } else {
            let _ = ctx.receive();
            if ctx.clock.status.code() > ClockEvent::Nominal.code() {
                ctx.report(ClockEvent::Nominal);
            }
        }
        let text = ctx.clock.timecode().to_string();
        if !text.is_empty() {
            ctx.clockstats(text);
        }
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened if port == PortId::MAIN => {
                self.unit.config = self.unit.configured;
                self.unit.send_config(ctx);
            }
            PortEvent::Closed(_) => {
                self.framer.reset();
                self.unit.pulses.clear();
                self.unit.monver_wait = None;
            }
            _ => {}
        }
    }
}
