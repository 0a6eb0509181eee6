//! The JJY driver's common logic: ntpd 4.2.8p18's `jjy_start`,
//! `jjy_poll`, `jjy_receive` and `jjy_synctime` on top of refclock-core;
//! each receiver's replies are in `receivers.rs`.

use refclock_core::clock::DecodedFields;
use refclock_core::framing::{Framer, LineFramer, StxEtxFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, OptionInfo, PortId,
    Ports, StartError, Timestamp,
};

use super::codec::Jst;
use super::telephone::Telephone;

/// Static facts about the driver (ntpd type 40).
pub const INFO: DriverInfo = DriverInfo {
    kind: 40,
    ntpd_name: "JJY",
    name: "jjy",
    description: "JJY receiver",
    refid: *b"JJY\0",
};

/// The precision the driver claims (`PRECISION`, about 100 ms).
pub const PRECISION: i8 = -3;

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/jjy%d";

/// The receiver the mode selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// Tristate TS-JJY01/02 (mode 1; mode 0 too).
    TristateJjy01,
    /// C-DEX JST2000 (mode 2).
    CdexJst2000,
    /// Echo Keisokuki LT-2000 (mode 3).
    EchoLt2000,
    /// Citizen T.I.C. JJY-200 (mode 4).
    CitizenJjy200,
    /// Tristate TS-GPSclock-01 (mode 5).
    TristateGps01,
    /// Seiko Time Systems TDC-300 (mode 6).
    SeikoTdc300,
    /// NICT's telephone JJY through a modem (mode 100, 101–180).
    Telephone,
}

impl Receiver {
    /// The receiver of `mode`, if it is one of ntpd's.
    pub fn from_mode(mode: u32) -> Option<Receiver> {
        Some(match mode {
            0 | 1 => Receiver::TristateJjy01,
            2 => Receiver::CdexJst2000,
            3 => Receiver::EchoLt2000,
            4 => Receiver::CitizenJjy200,
            5 => Receiver::TristateGps01,
            6 => Receiver::SeikoTdc300,
            100..=180 => Receiver::Telephone,
            _ => return None,
        })
    }

    /// Its line settings: canonical (ntpd's LDISC_CLK) for the line
    /// receivers, raw for the STX/ETX ones and the modem.
    pub fn serial_config(self) -> SerialConfig {
        match self {
            Receiver::TristateJjy01 | Receiver::EchoLt2000 => SerialConfig::canonical_8n1(9600),
            Receiver::CitizenJjy200 => SerialConfig::canonical_8n1(4800),
            Receiver::TristateGps01 => SerialConfig::canonical_8n1(38_400),
            Receiver::CdexJst2000 => SerialConfig::raw_8n1(9600),
            Receiver::SeikoTdc300 | Receiver::Telephone => SerialConfig::raw_8n1(2400),
        }
    }

    /// Its name, as ntpd logs it.
    pub fn name(self) -> &'static str {
        match self {
            Receiver::TristateJjy01 => "Tristate Ltd. TS-JJY01, TS-JJY02",
            Receiver::CdexJst2000 => "C-DEX Co. Ltd. JST2000",
            Receiver::EchoLt2000 => "Echo Keisokuki Co. Ltd. LT2000",
            Receiver::CitizenJjy200 => "CITIZEN T.I.C CO. LTD. JJY200",
            Receiver::TristateGps01 => "Tristate Ltd. TS-GPS01",
            Receiver::SeikoTdc300 => "SEIKO TIME SYSTEMS TDC-300",
            Receiver::Telephone => "Telephone JJY",
        }
    }

    /// Whether its replies come between STX and ETX.
    pub fn stx_etx(self) -> bool {
        matches!(self, Receiver::CdexJst2000 | Receiver::SeikoTdc300)
    }
}

/// Where the dialogue of a poll is (`iProcessState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No poll yet: what comes is dropped.
    Idle,
    /// Polled, nothing heard yet.
    Poll,
    /// Replies coming.
    Receive,
    /// The poll's dialogue is over (a sample, or a reply that gives
    /// none); what comes until the next poll is dropped.
    Done,
    /// A bad reply ended the poll's dialogue.
    Error,
}

/// What one reply did (`JJY_RECEIVE_*`).
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// The dialogue is over.
    Done,
    /// More replies expected.
    Wait,
    /// A bad reply: counted, the dialogue is over.
    Bad(ClockEvent, String),
}

/// The framing of the receiver's replies.
#[derive(Debug)]
pub(super) enum Framing {
    Lines(LineFramer),
    Frames(StxEtxFramer),
}

/// The state of a poll's dialogue (`struct jjyunit`).
#[derive(Debug)]
pub(super) struct Unit {
    pub receiver: Receiver,
    pub state: State,
    /// The command being answered (`iCommandSeq`).
    pub seq: usize,
    /// Replies heard since the poll (`iLineCount`).
    pub lines: u32,
    /// TDC-300 frames since the poll (`iReceiveSeq`).
    pub receive_seq: u32,
    /// Seconds of the day of the `time`/`stim` replies (`iTimestamp`).
    pub stamps: Vec<u32>,
    /// The date and time decoded so far.
    pub jst: Jst,
    /// TS-JJY01: the last `stus` said adjusted.
    pub adjusted: bool,
    /// TS-JJY01: `stus` said adjusted at least once.
    pub adjusted_once: bool,
    /// TS-JJY01: when `stus` last said adjusted (at start: the first
    /// poll).
    pub last_adjusted: Option<Timestamp>,
    /// Polls made.
    pub polls: u64,
    pub open: bool,
}

/// The JJY driver (ntpd type 40, `JJY`).
///
/// Feed it the receiver's bytes through a [`Clock`](refclock_core::Clock);
/// at each poll it asks the receiver for the time (or takes the next
/// timecode of one that sends every second) and turns the reply into one
/// sample. See the module documentation.
#[derive(Debug)]
pub struct JjyDriver {
    framing: Framing,
    unit: Unit,
    telephone: Option<Box<Telephone>>,
}

impl JjyDriver {
    /// The receiver the mode selected.
    pub fn receiver(&self) -> Receiver {
        self.unit.receiver
    }

    /// Where the poll's dialogue is.
    pub fn state(&self) -> State {
        self.unit.state
    }

    /// The telephone dialogue, in modes 100–180.
    pub fn telephone(&self) -> Option<&Telephone> {
        self.telephone.as_deref()
    }
}

impl Unit {
    /// Writes a command, or reports a fault when the port is closed.
    pub fn write(&mut self, ctx: &mut Context<'_>, data: &[u8]) {
        if self.open {
            ctx.write(PortId::MAIN, data);
        } else {
            ctx.report(ClockEvent::Fault);
        }
    }

    /// `jjy_synctime` with the date and time decoded so far.
    pub fn synctime(&mut self, ctx: &mut Context<'_>, rectime: Timestamp, leap: Leap) {
        synctime(ctx, &self.jst, rectime, leap);
    }

    /// One reply (a line, or a frame's bytes between STX and ETX).
    fn reply(&mut self, ctx: &mut Context<'_>, data: &[u8], rectime: Timestamp) {
        if data.is_empty() {
            return;
        }
        if matches!(self.state, State::Idle | State::Done | State::Error) {
            return;
        }
        self.lines += 1;
        self.state = State::Receive;
        ctx.clock.save_timecode(data);
        ctx.clockstats(format!("<-- {}", printable(data)));
        match self.dispatch(ctx, data, rectime) {
            Outcome::Done => self.state = State::Done,
            Outcome::Wait => {}
            Outcome::Bad(event, why) => {
                ctx.clockstats(format!("# {why}"));
                ctx.log(format!("jjy: {why}"));
                ctx.report(event);
                self.state = State::Error;
            }
        }
    }
}

/// `jjy_synctime`: the JST date and time `jst` as a sample stamped
/// `rectime` with leap indicator `leap`, then the filter (ntpd runs
/// `refclock_receive` after each sample).
pub(super) fn synctime(ctx: &mut Context<'_>, jst: &Jst, rectime: Timestamp, leap: Leap) {
    let utc = jst.to_utc();
    ctx.clock.fields = DecodedFields {
        year: utc.year,
        day: utc.yday(),
        hour: utc.hour,
        minute: utc.minute,
        second: utc.second,
        nsec: utc.nanos,
    };
    ctx.clock.leap = leap;
    if ctx.process(rectime).is_err() {
        return;
    }
    ctx.clock.lastref = ctx.clock.lastrec;
    let _ = ctx.receive();
    let j = jst;
    ctx.clockstats(format!(
        "{:04}/{:02}/{:02} {:02}:{:02}:{:02}.{:03} JST   ( {:04}/{:03} {:02}:{:02}:{:02}.{:03} UTC )",
        j.year,
        j.month,
        j.day,
        j.hour,
        j.minute,
        j.second,
        j.millis,
        utc.year,
        utc.yday(),
        utc.hour,
        utc.minute,
        utc.second,
        utc.nanos / 1_000_000
    ));
}

/// A reply as text for the logs, control bytes as `<xNN>`.
pub fn printable(data: &[u8]) -> String {
    data.iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                char::from(b).to_string()
            } else {
                format!("<x{b:02X}>")
            }
        })
        .collect()
}

impl Driver for JjyDriver {
    const INFO: DriverInfo = INFO;

    const OPTIONS: &'static [OptionInfo] = &[OptionInfo::value(
        "call-interval",
        "telephone JJY: least seconds between two calls (default 256, ntpd's minpoll 8)",
    )];

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let mode = config.fudge.mode;
        let receiver = Receiver::from_mode(mode).ok_or_else(|| {
            StartError::Other(format!(
                "jjy: mode {mode} is not supported (0-6, 100, 101-180)"
            ))
        })?;
        let telephone = if receiver == Receiver::Telephone {
            Some(Box::new(Telephone::new(config)?))
        } else {
            None
        };
        ctx.clockstats(format!(
            "mode={mode} dev={}",
            config.device_or(DEVICE).display()
        ));
        ctx.clockstats(format!("Refclock: {}", receiver.name()));
        if receiver == Receiver::TristateJjy01
            && config.fudge.flags.contains(ClockFlags::FLAG2)
            && !config.fudge.flags.contains(ClockFlags::FLAG1)
        {
            ctx.log(
                "jjy: flag2 without flag1: the receiver is never asked stus, so no sample \
                 will be taken (as in ntpd); set flag1 too",
            );
        }
        ctx.clock.leap = Leap::NoWarning;
        let framing = if receiver.stx_etx() {
            Framing::Frames(StxEtxFramer::new())
        } else {
            Framing::Lines(LineFramer::new())
        };
        let port = PortSpec::serial(config.device_or(DEVICE), receiver.serial_config());
        let ports = match &telephone {
            Some(t) => t.ports(port),
            None => Ports::one(port),
        };
        let driver = JjyDriver {
            framing,
            unit: Unit {
                receiver,
                state: State::Idle,
                seq: 0,
                lines: 0,
                receive_seq: 0,
                stamps: Vec::new(),
                jst: Jst::default(),
                adjusted: false,
                adjusted_once: false,
                last_adjusted: None,
                polls: 0,
                open: false,
            },
            telephone,
        };
        Ok((driver, ports))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        if let Some(t) = &mut self.telephone {
            t.receive(ctx, data, rectime);
            return;
        }
        let JjyDriver { framing, unit, .. } = self;
        match framing {
            // A line is read at its CR (canonical input): stamped then.
            Framing::Lines(f) => {
                f.feed(data, rectime, |line| unit.reply(ctx, line.data, line.last))
            }
            // A frame at its ETX.
            Framing::Frames(f) => f.feed(data, rectime, |frame| {
                if frame.is_complete() {
                    unit.reply(ctx, frame.data, frame.last)
                }
            }),
        }
    }

    fn timer(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        if let Some(t) = &mut self.telephone {
            t.timer(ctx, now);
        }
    }

    /// `jjy_poll`: a timeout when the last poll heard nothing, then the
    /// receiver's first command.
    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        if let Some(t) = &mut self.telephone {
            t.poll(ctx, now);
            return;
        }
        let unit = &mut self.unit;
        if unit.polls > 0 && unit.lines == 0 {
            ctx.report(ClockEvent::Timeout);
        }
        unit.polls += 1;
        ctx.clock.counters.polls += 1;
        unit.last_adjusted.get_or_insert(now);
        unit.state = State::Poll;
        unit.seq = 0;
        unit.receive_seq = 0;
        unit.lines = 0;
        unit.stamps.clear();
        unit.start_poll(ctx);
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, port: PortId, event: PortEvent) {
        if let Some(t) = &mut self.telephone {
            t.port_event(ctx, port, event);
            return;
        }
        match event {
            PortEvent::Opened => {
                self.unit.open = true;
                self.reset_framer();
            }
            PortEvent::Closed(_) => {
                self.unit.open = false;
                self.reset_framer();
                if self.unit.state != State::Idle {
                    self.unit.state = State::Done;
                }
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("jjy: write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }

    fn shutdown(&mut self, ctx: &mut Context<'_>) {
        if let Some(t) = &mut self.telephone {
            t.shutdown(ctx);
        }
    }
}

impl JjyDriver {
    fn reset_framer(&mut self) {
        match &mut self.framing {
            Framing::Lines(f) => f.reset(),
            Framing::Frames(f) => f.reset(),
        }
    }
}
