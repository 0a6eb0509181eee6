//! The Austron driver's logic: ntpd 4.2.8p18's `as2201_start`,
//! `as2201_receive` and `as2201_poll`.

use refclock_core::clock::DecodedFields;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, POLL, STAT_COMMANDS};

/// Static facts about the driver (ntpd type 10).
pub const INFO: DriverInfo = DriverInfo {
    kind: 10,
    ntpd_name: "GPS_AS2201",
    name: "as2201",
    description: "Austron 2201A GPS Receiver",
    refid: *b"GPS\0",
};

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/gps%d";

/// Size of ntpd's statistics buffer (`SMAX`); a record is kept to 198
/// characters.
pub const SMAX: usize = 200;

/// The Austron 2200A/2201A driver (ntpd type 10, `GPS_AS2201`).
///
/// See the module documentation for the dialogue and what differs from
/// ntpd.
#[derive(Debug)]
pub struct As2201Driver {
    framer: LineFramer,
    /// flag2: stamp each timecode with its own receive time.
    line_times: bool,
    /// flag4: ask for statistics after each timecode.
    statistics: bool,
    /// The time of the last poll's write, for the next timecode.
    poll_time: Option<Timestamp>,
    /// The clockstats record being collected: the timecode, the command
    /// and the lines of its answer.
    stats: String,
    /// Lines of a statistics answer still expected (`linect`).
    linect: u32,
    /// The next statistics command (`index`).
    index: usize,
    port_open: bool,
}

impl As2201Driver {
    /// The statistics command sent next (with flag4).
    pub fn next_command(&self) -> &'static str {
        STAT_COMMANDS[self.index]
    }

    /// Lines of a statistics answer still expected.
    pub fn lines_expected(&self) -> u32 {
        self.linect
    }

    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        ctx.clock.save_timecode(text);
        let shown = String::from_utf8_lossy(text).into_owned();
        if self.linect > 0 {
            self.linect -= 1;
            if self.stats.len() + shown.len() <= SMAX - 2 {
                self.stats.push(' ');
                self.stats.push_str(&shown);
            }
            return;
        }
        if text.len() == 1 {
            // The number of lines of a statistics answer (C's atoi: a
            // non-digit counts 0).
            self.linect = if text[0].is_ascii_digit() {
                u32::from(text[0] - b'0')
            } else {
                0
            };
            return;
        }
        if !self.stats.is_empty() {
            ctx.clockstats(std::mem::take(&mut self.stats));
        }
        let stamp = if self.line_times {
            Some(rectime)
        } else {
            self.poll_time.take()
        };
        let t = match codec::decode(text) {
            Ok(t) => t,
            Err(e) => {
                ctx.log(format!("as2201: bad timecode: {e}"));
                ctx.report(ClockEvent::BadReply);
                return;
            }
        };
        let Some(stamp) = stamp else {
            // Deliberate difference: ntpd pairs it with the last poll's
            // time again (or none at all).
            ctx.log("as2201: timecode without a poll of its own, not used");
            ctx.report(ClockEvent::BadTime);
            return;
        };
        ctx.clock.leap = Leap::NoWarning;
        ctx.clock.fields = DecodedFields {
            year: i32::from(t.year),
            day: t.yday,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: u32::from(t.millis) * 1_000_000,
        };
        if ctx.process(stamp).is_err() {
            return;
        }
        if shown.len() <= SMAX - 2 {
            self.stats = shown;
        }
        if self.statistics {
            let command = STAT_COMMANDS[self.index];
            if self.stats.len() + 1 + command.len() <= SMAX - 2 {
                self.stats.push(' ');
                self.stats.push_str(command.trim_end_matches('\r'));
                if self.port_open {
                    ctx.write(PortId::MAIN, command.as_bytes());
                }
                self.index = (self.index + 1) % STAT_COMMANDS.len();
            }
        }
    }
}

impl Driver for As2201Driver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let flags = config.fudge.flags;
        let port = PortSpec::serial(config.device_or(DEVICE), SerialConfig::canonical_8n1(9600));
        Ok((
            As2201Driver {
                framer: LineFramer::new(),
                line_times: flags.contains(ClockFlags::FLAG2),
                statistics: flags.contains(ClockFlags::FLAG4),
                poll_time: None,
                stats: String::new(),
                linect: 0,
                index: 0,
                port_open: false,
            },
            Ports::one(port),
        ))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let mut lines = Vec::new();
        self.framer
            .feed(data, rectime, |f| lines.push((f.data.to_vec(), f.last)));
        for (line, t) in lines {
            self.line(ctx, &line, t);
        }
    }

    /// `as2201_poll`: write `\r*toc\r` and note the time (unless flag2),
    /// then filter what came since the last poll, or report a timeout.
    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        if self.port_open {
            ctx.write(PortId::MAIN, POLL);
            ctx.clock.counters.polls += 1;
            if !self.line_times {
                self.poll_time = Some(now);
            }
        } else {
            ctx.report(ClockEvent::Fault);
        }
        if ctx.clock.pending().is_empty() {
            ctx.report(ClockEvent::Timeout);
        } else {
            let _ = ctx.receive();
        }
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => self.port_open = true,
            PortEvent::Closed(_) => {
                self.port_open = false;
                self.framer.reset();
                self.linect = 0;
                self.poll_time = None;
            }
            _ => {}
        }
    }
}
