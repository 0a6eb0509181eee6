//! The NeoClock4X driver's logic: ntpd 4.2.8p18's `neoclock4x_start`
//! (the power lines and the firmware dialogue), `neoclock4x_receive`
//! and `neoclock4x_poll`.

use refclock_core::framing::{Framer, LineFramer};
use refclock_core::gps::unfold_two_digit_year;
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, OptionInfo, PortId,
    Ports, StartError, Timestamp,
};

use super::codec::{self, firmware_tag, FirmwareReader};

/// Static facts about the driver (ntpd type 44).
pub const INFO: DriverInfo = DriverInfo {
    kind: 44,
    ntpd_name: "NEOCLOCK4X",
    name: "neoclock4x",
    description: "NeoClock4X DCF77 / TDF receiver",
    refid: *b"neol",
};

/// Precision the clock claims (about 1 ms).
pub const PRECISION: i8 = -10;

/// time1 when none is given: the 37 characters of a timecode at 2400
/// baud, 11 bits each (ntpd sets `fudgetime1` so at start).
pub const DEFAULT_TIME1: f64 = (codec::LEN * 11) as f64 / 2400.0;

/// Seconds from the port opening (the receiver powered) to the first
/// `V` (ntpd sleeps 3 s, then 1 s, before writing it).
pub const FIRST_QUERY_DELAY: u32 = 4;

/// Seconds a try waits for the answer before the next (ntpd waits until
/// 500 bytes of other output came, about 13 s of timecodes).
pub const ANSWER_WAIT: u32 = 6;

/// Tries of the firmware query (ntpd's 5).
pub const TRIES: u32 = 5;

/// The option that goes on when the power lines cannot be set.
pub const IGNORE_MODEM_LINES: &str = "ignore-modem-lines";

/// Where the driver is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The port is not open yet.
    Closed,
    /// Waiting `wait` more seconds before try `attempt` (0-based) writes
    /// `V`.
    Waiting {
        /// The try that comes.
        attempt: u32,
        /// Seconds left.
        wait: u32,
    },
    /// `V` written in try `attempt`; `wait` more seconds for the answer.
    Asking {
        /// This try.
        attempt: u32,
        /// Seconds left.
        wait: u32,
    },
    /// The firmware answered and is supported: timecodes are read.
    Running,
    /// It gave up (power lines, or no supported firmware): nothing more
    /// is done until the program is restarted, as ntpd refuses to start.
    Refused,
}

/// The NeoClock4X driver (ntpd type 44, `NEOCLOCK4X`): see the module
/// documentation.
#[derive(Debug)]
pub struct Neoclock4xDriver {
    framer: LineFramer,
    reader: FirmwareReader,
    phase: Phase,
    /// The firmware text of the last answer (ntpd's `firmware`).
    firmware: Option<String>,
    /// A poll came and the next line is to be used (`recvnow`).
    recvnow: bool,
    ignore_modem_lines: bool,
    basedate: refclock_core::calendar::Basedate,
}

impl Neoclock4xDriver {
    /// Where the driver is.
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The firmware text the clock gave, once it answered.
    pub fn firmware(&self) -> Option<&str> {
        self.firmware.as_deref()
    }

    fn refuse(&mut self, ctx: &mut Context<'_>, why: String) {
        ctx.log(why);
        ctx.report(ClockEvent::Fault);
        ctx.close(PortId::MAIN);
        self.phase = Phase::Refused;
    }

    /// One timecode line, the first after a poll.
    fn line(&mut self, ctx: &mut Context<'_>, code: &[u8], rectime: Timestamp) {
        ctx.clock.save_timecode(code);
        let text = ctx.clock.timecode().to_string();
        let flag1 = ctx.fudge().flag(ClockFlags::FLAG1);
        let flag2 = ctx.fudge().flag(ClockFlags::FLAG2);
        let flag4 = ctx.fudge().flag(ClockFlags::FLAG4);
        let t = match codec::decode(code) {
            Ok(t) => t,
            Err(e) => {
                ctx.log(format!("bad timecode '{text}': {e}"));
                ctx.report(e.event());
                return;
            }
        };
        if !flag2 && t.quartz != b'I' {
            ctx.log(format!("quartz clock is not initialized: {text}"));
            ctx.clock.leap = Leap::NotInSync;
            ctx.report(ClockEvent::BadDate);
            return;
        }
        if t.quartz != b'I' {
            ctx.log(format!(
                "using uninitialized quartz clock for time synchronization: {text}"
            ));
        }
        if !flag2 && !flag1 && t.source != b'A' {
            ctx.clock.leap = Leap::NotInSync;
            ctx.report(ClockEvent::BadTime);
            return;
        }
        if flag4 {
            ctx.log(format!("received data: {text}"));
        }
        let year = unfold_two_digit_year(t.year, 2000, &self.basedate, rectime);
        let Some(reftime) = t.utc(year) else {
            ctx.log(format!("date/time out of range: {text}"));
            ctx.report(ClockEvent::BadDate);
            return;
        };
        ctx.clock.leap = Leap::NoWarning;
        let time1 = ctx.fudge().time1.unwrap_or(DEFAULT_TIME1);
        ctx.process_offset(reftime, rectime, time1);
        let _ = ctx.receive();
        ctx.report(ClockEvent::Nominal);
        ctx.clockstats(text);
    }

    /// Bytes during the firmware dialogue.
    fn answer(&mut self, ctx: &mut Context<'_>, data: &[u8]) {
        if !matches!(self.phase, Phase::Asking { .. }) || !self.reader.feed(data) {
            return;
        }
        let firmware = self.reader.result().unwrap_or_default().to_string();
        ctx.log(format!("firmware version: {firmware}"));
        if firmware.contains("/R2") {
            ctx.log("the NeoClock4X uses the R2 firmware release (its LEDs behave differently)");
        }
        let tag = firmware_tag(&firmware);
        self.firmware = Some(firmware);
        if tag == Some('A') {
            ctx.log("receiver setup done");
            self.phase = Phase::Running;
            self.framer.reset();
        } else {
            let tag = tag.unwrap_or('?');
            self.refuse(
                ctx,
                format!("firmware version \"{tag}\" not supported with this driver version"),
            );
        }
    }
}

impl Driver for Neoclock4xDriver {
    const INFO: DriverInfo = INFO;

    const OPTIONS: &'static [OptionInfo] = &[OptionInfo::switch(
        IGNORE_MODEM_LINES,
        "go on when DTR and RTS (the receiver's power) cannot be set, as on a pseudo-terminal",
    )];

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let serial = SerialConfig {
            stop_bits: 2,
            ..SerialConfig::canonical_8n1(2400)
        };
        let port = PortSpec::serial(config.device_or("/dev/neoclock4x-%d"), serial);
        let driver = Neoclock4xDriver {
            framer: LineFramer::new(),
            reader: FirmwareReader::new(),
            phase: Phase::Closed,
            firmware: None,
            recvnow: false,
            ignore_modem_lines: config.has_option(IGNORE_MODEM_LINES),
            basedate: config.basedate,
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        match self.phase {
            Phase::Running => {
                let mut lines: Vec<(Vec<u8>, Timestamp)> = Vec::new();
                self.framer
                    .feed(data, rectime, |f| lines.push((f.data.to_vec(), f.last)));
                for (line, t) in lines {
                    // Only the first line after a poll is read.
                    if std::mem::take(&mut self.recvnow) {
                        self.line(ctx, &line, t);
                    }
                }
            }
            Phase::Asking { .. } => self.answer(ctx, data),
            _ => {}
        }
    }

    /// The firmware dialogue's clock: the wait before each `V`, the wait
    /// for its answer, five tries.
    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        match self.phase {
            Phase::Waiting { attempt, wait } if wait > 1 => {
                self.phase = Phase::Waiting {
                    attempt,
                    wait: wait - 1,
                };
            }
            Phase::Waiting { attempt, .. } => {
                ctx.log(format!(
                    "checking NeoClock4X firmware version ({}/{TRIES})",
                    attempt + 1
                ));
                self.reader = FirmwareReader::new();
                ctx.write(PortId::MAIN, b"V".to_vec());
                self.phase = Phase::Asking {
                    attempt,
                    wait: ANSWER_WAIT,
                };
            }
            Phase::Asking { attempt, wait } if wait > 1 && !self.reader.garbage() => {
                self.phase = Phase::Asking {
                    attempt,
                    wait: wait - 1,
                };
            }
            Phase::Asking { attempt, .. } => {
                let why = if self.reader.garbage() {
                    "garbage"
                } else {
                    "timeout"
                };
                ctx.log(format!("can't read firmware version ({why})"));
                if attempt + 1 < TRIES {
                    self.phase = Phase::Waiting {
                        attempt: attempt + 1,
                        wait: 3,
                    };
                } else {
                    self.refuse(
                        ctx,
                        "firmware version \"?\" not supported with this driver version".into(),
                    );
                }
            }
            _ => {}
        }
    }

    /// `neoclock4x_poll`: count the poll and have the next line read.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.clock.counters.polls += 1;
        self.recvnow = true;
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened if self.phase != Phase::Refused => {
                // DTR and RTS power the receiver; it starts afresh.
                ctx.modem_lines(PortId::MAIN, Some(true), Some(true));
                self.framer.reset();
                self.phase = Phase::Waiting {
                    attempt: 0,
                    wait: FIRST_QUERY_DELAY,
                };
            }
            PortEvent::Closed(_) if self.phase != Phase::Refused => {
                self.framer.reset();
                self.phase = Phase::Closed;
            }
            PortEvent::ModemLinesFailed(e) if self.phase != Phase::Refused => {
                if self.ignore_modem_lines {
                    ctx.log(format!(
                        "can't set RTS/DTR to power the NeoClock4X: {e} (going on: {IGNORE_MODEM_LINES})"
                    ));
                } else {
                    self.refuse(
                        ctx,
                        format!(
                            "can't set RTS/DTR to power the NeoClock4X: {e} \
                             (option {IGNORE_MODEM_LINES} goes on without)"
                        ),
                    );
                }
            }
            _ => {}
        }
    }

    /// Switches the receiver off (DTR and RTS down), as ntpd does.
    fn shutdown(&mut self, ctx: &mut Context<'_>) {
        if !matches!(self.phase, Phase::Closed | Phase::Refused) {
            ctx.modem_lines(PortId::MAIN, Some(false), Some(false));
        }
    }
}
