//! The Arbiter driver's logic: ntpd 4.2.8p18's `arb_start`,
//! `arb_receive` and `arb_poll`.

use refclock_core::clock::DecodedFields;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, Commands, LEN, POSITION, QUALITY_AT, SR, TQ};

/// Static facts about the driver (ntpd type 11).
pub const INFO: DriverInfo = DriverInfo {
    kind: 11,
    ntpd_name: "GPS_ARBITER",
    name: "arbiter",
    description: "Arbiter 1088A/B GPS Receiver",
    refid: *b"GPS ",
};

/// Precision the clock claims (`PRECISION`, about 1 µs).
pub const PRECISION: i8 = -20;

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/gps%d";

/// Longest status string kept (`MAXSTA` − 1).
const MAX_STATUS: usize = 39;
/// Longest position string kept (`MAXPOS` − 1).
const MAX_POSITION: usize = 79;

/// The Arbiter 1088A/B driver (ntpd type 11, `GPS_ARBITER`).
///
/// Feed it the clock's lines through a [`Clock`](refclock_core::Clock)
/// and tell it when its port opens; at each poll it asks the time quality
/// and the status, starts the broadcast, takes a sample from the second
/// timecode and every one after it until the broadcast stops (offset =
/// named second − receive time of the line end before the timecode +
/// time1), and stops the broadcast again. See the module documentation.
#[derive(Debug)]
pub struct ArbiterDriver {
    framer: LineFramer,
    unit: Unit,
}

#[derive(Debug)]
struct Unit {
    commands: Commands,
    /// End of the last line with characters (`laststamp`).
    laststamp: Option<Timestamp>,
    /// That line was a whole timecode (24 characters): its end is the
    /// on-time CR of the next timecode.
    prev_clean: bool,
    /// Lines since the poll that were not answers (`tcswitch`).
    tcswitch: u32,
    /// The last `TQ` answer (`qualchar`); none before the first.
    quality: Option<u8>,
    /// The last `SR` answer (`status`).
    status: String,
    /// The `LA`, `LO`, `LH`, `DB` answers (`latlon`).
    position: String,
    open: bool,
}

impl ArbiterDriver {
    /// The last time quality character, if any `TQ` was answered.
    pub fn quality(&self) -> Option<u8> {
        self.unit.quality
    }

    /// The last receiver status string (`SR`).
    pub fn status(&self) -> &str {
        &self.unit.status
    }
}

fn bounded(s: &[u8], max: usize) -> String {
    String::from_utf8_lossy(&s[..s.len().min(max)]).into_owned()
}

fn push_bounded(s: &mut String, add: &str, max: usize) {
    for c in add.chars() {
        if s.len() >= max {
            break;
        }
        s.push(c);
    }
}

impl Unit {
    fn write(&mut self, ctx: &mut Context<'_>, cmd: &'static [u8]) -> bool {
        if self.open {
            ctx.write(PortId::MAIN, cmd);
        }
        self.open
    }

    /// One line (`arb_receive`), its end read at `trtmp`.
    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], trtmp: Timestamp) {
        let lastrec = self.laststamp.replace(trtmp);
        let prev_clean = std::mem::replace(&mut self.prev_clean, text.len() == LEN);
        if text.len() < 3 {
            return;
        }
        if self.tcswitch == 0 {
            // Answers to the queries, while the poll's dialogue runs.
            let tail = String::from_utf8_lossy(&text[2..]).into_owned();
            let flag4 = ctx.fudge().flag(ClockFlags::FLAG4);
            match &text[..2] {
                b"TQ" => {
                    self.quality = Some(text[2]);
                    self.write(ctx, SR);
                    return;
                }
                b"SR" => {
                    self.status = bounded(&text[2..], MAX_STATUS);
                    let next = if flag4 {
                        POSITION[0]
                    } else {
                        self.commands.start
                    };
                    self.write(ctx, next);
                    return;
                }
                b"LA" => {
                    self.position = bounded(&text[2..], MAX_POSITION);
                    self.write(ctx, POSITION[1]);
                    return;
                }
                b"LO" | b"LH" => {
                    push_bounded(&mut self.position, " ", MAX_POSITION);
                    push_bounded(&mut self.position, &tail, MAX_POSITION);
                    let next = if &text[..2] == b"LO" {
                        POSITION[2]
                    } else {
                        POSITION[3]
                    };
                    self.write(ctx, next);
                    return;
                }
                b"DB" => {
                    push_bounded(&mut self.position, " ", MAX_POSITION);
                    push_bounded(&mut self.position, &tail, MAX_POSITION);
                    ctx.clockstats(self.position.clone());
                    let start = self.commands.start;
                    self.write(ctx, start);
                    // ntpd goes on with the line as a timecode line: it is
                    // counted below and, too short, dropped.
                }
                _ => {}
            }
        }
        self.tcswitch += 1;
        if text.len() < LEN {
            return;
        }
        // Only a timecode after a whole one is stamped right: the end of
        // that line is its on-time CR. The first after the dialogue
        // follows an answer (ntpd skips it too), and one after an answer
        // that ran into the broadcast would take the answer's end.
        let Some(lastrec) = lastrec.filter(|_| prev_clean) else {
            return;
        };
        // The line as ntpd logs it: the quality character in place of the
        // blank at 22, the status after it.
        let mut shown = text.to_vec();
        shown[QUALITY_AT] = self.quality.unwrap_or(b' ');
        shown.extend_from_slice(self.status.as_bytes());
        ctx.clock.save_timecode(&shown);
        let halt = self.commands.halt;
        let t = match codec::decode(text) {
            Ok(t) => t,
            Err(e) => {
                let shown = ctx.clock.timecode().to_string();
                ctx.log(format!("arbiter: bad timecode '{shown}': {e}"));
                ctx.report(e.event());
                self.write(ctx, halt);
                return;
            }
        };
        let Some(quality) = self.quality else {
            // No TQ answer yet (another host is polling the clock): the
            // quality of the time is unknown.
            return;
        };
        ctx.clock.fields = DecodedFields {
            year: i32::from(t.year),
            day: t.day,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: 0,
        };
        match quality {
            b'F' => {
                ctx.report(ClockEvent::Fault);
                self.write(ctx, halt);
                return;
            }
            q if codec::quality_dispersion(q).is_none() => {
                ctx.log(format!("arbiter: unknown time quality {:?}", q as char));
                ctx.report(ClockEvent::BadReply);
                self.write(ctx, halt);
                return;
            }
            _ => {}
        }
        ctx.clock.leap = if t.sync == b' ' {
            Leap::NoWarning
        } else {
            Leap::NotInSync
        };
        let _ = ctx.process(lastrec);
        self.write(ctx, halt);
    }
}

impl Driver for ArbiterDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let mode = config.fudge.mode;
        if mode > 1 {
            return Err(StartError::BadMode {
                mode,
                reason: "0 (B5 timecode) or 1 (O5)".into(),
            });
        }
        let port = PortSpec::serial(config.device_or(DEVICE), SerialConfig::canonical_8n1(9600));
        ctx.clock.leap = Leap::NoWarning;
        let driver = ArbiterDriver {
            framer: LineFramer::new(),
            unit: Unit {
                commands: Commands::for_mode(mode),
                laststamp: None,
                prev_clean: false,
                tcswitch: 0,
                quality: None,
                status: String::new(),
                position: String::new(),
                open: false,
            },
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let ArbiterDriver { framer, unit } = self;
        framer.feed(data, rectime, |line| unit.line(ctx, line.data, line.last));
    }

    /// `arb_poll`: ask the time quality (the dialogue goes on from its
    /// answer), then filter what the last poll's broadcast gave, or
    /// report a timeout; the last timecode goes to clockstats.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let unit = &mut self.unit;
        ctx.clock.counters.polls += 1;
        unit.tcswitch = 0;
        if !unit.write(ctx, TQ) {
            ctx.report(ClockEvent::Fault);
        }
        if ctx.clock.pending().is_empty() {
            ctx.report(ClockEvent::Timeout);
            return;
        }
        let _ = ctx.receive();
        let code = ctx.clock.timecode().to_string();
        ctx.clockstats(code);
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        let unit = &mut self.unit;
        match event {
            PortEvent::Opened => {
                unit.open = true;
                unit.laststamp = None;
                unit.prev_clean = false;
                self.framer.reset();
                let halt = unit.commands.halt;
                unit.write(ctx, halt);
            }
            PortEvent::Closed(_) => {
                unit.open = false;
                self.framer.reset();
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("arbiter: write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }
}
