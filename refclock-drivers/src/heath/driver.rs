//! The Heath driver's logic: ntpd 4.2.8p18's `heath_start`,
//! `heath_receive` and `heath_poll`.

use refclock_core::clock::DecodedFields;
use refclock_core::driver::OptionInfo;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::codec::{self, POLL};

/// Static facts about the driver (ntpd type 19).
pub const INFO: DriverInfo = DriverInfo {
    kind: 19,
    ntpd_name: "WWV_HEATH",
    name: "heath",
    description: "Heath WWV/WWVH Receiver",
    refid: *b"WWV\0",
};

/// Precision the clock claims (`PRECISION`, about 100 ms).
pub const PRECISION: i8 = -4;

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/heath%d";

/// The speeds `mode` 0–3 select (ntpd uses `mode & 3`): the GC-1000 has
/// 1200, 2400 and 4800; 9600 was the GC-1001 II's.
pub const SPEEDS: [u32; 4] = [1200, 2400, 4800, 9600];

/// The option that stops reporting failed RTS ioctls as faults.
pub const IGNORE_MODEM_LINES: &str = "ignore-modem-lines";

/// The Heath GC-1000 driver (ntpd type 19, `WWV_HEATH`).
///
/// At each poll it takes a timestamp, pulses RTS and writes `T`; the
/// clock answers with the time of the pulse, which gives one raw sample
/// against that timestamp (+ time1). See the module documentation.
#[derive(Debug)]
pub struct HeathDriver {
    framer: LineFramer,
    unit: Unit,
}

#[derive(Debug)]
struct Unit {
    /// The time taken at the last poll, until an answer uses it.
    stamp: Option<Timestamp>,
    ignore_modem_lines: bool,
    open: bool,
}

impl HeathDriver {
    /// The poll timestamp waiting for the clock's answer.
    pub fn pending_stamp(&self) -> Option<Timestamp> {
        self.unit.stamp
    }
}

impl Unit {
    /// One line (`heath_receive`).
    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8]) {
        ctx.clock.save_timecode(text);
        let t = match codec::decode(text) {
            Ok(t) => t,
            Err(e) => {
                let shown = ctx.clock.timecode().to_string();
                ctx.log(format!("heath: bad timecode '{shown}': {e}"));
                ctx.report(e.event());
                return;
            }
        };
        ctx.clock.fields = DecodedFields {
            year: i32::from(t.year),
            day: t.day_of_year(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: u32::from(t.tenths.unwrap_or(0)) * 100_000_000,
        };
        ctx.clock.leap = if t.tenths.is_some() {
            Leap::NoWarning
        } else {
            Leap::NotInSync
        };
        // The clock states the time of the RTS pulse: the sample is
        // against the time taken at the poll, once.
        let Some(stamp) = self.stamp.take() else {
            ctx.log("heath: timecode without a poll before it; not used");
            return;
        };
        let _ = ctx.process(stamp);
    }
}

impl Driver for HeathDriver {
    const INFO: DriverInfo = INFO;

    const OPTIONS: &'static [OptionInfo] = &[OptionInfo::switch(
        IGNORE_MODEM_LINES,
        "do not report a failed RTS pulse as a fault (a pseudo-terminal, the simulated clock)",
    )];

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let speed = SPEEDS[(config.fudge.mode & 3) as usize];
        let serial = SerialConfig {
            remote: true,
            ..SerialConfig::canonical_8n1(speed)
        };
        let port = PortSpec::serial(config.device_or(DEVICE), serial);
        let driver = HeathDriver {
            framer: LineFramer::new(),
            unit: Unit {
                stamp: None,
                ignore_modem_lines: config.has_option(IGNORE_MODEM_LINES),
                open: false,
            },
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let HeathDriver { framer, unit } = self;
        // The receive time is of no use: the clock answers about a second
        // after the pulse whose time it states.
        framer.feed(data, rectime, |line| unit.line(ctx, line.data));
    }

    /// `heath_poll`: the timestamp, RTS down, `T`, RTS up (the clock
    /// answers the rising edge); then filter what the last poll's answer
    /// gave, or report a timeout.
    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let unit = &mut self.unit;
        if unit.open {
            unit.stamp = Some(now);
            ctx.modem_lines(PortId::MAIN, None, Some(false));
            ctx.write(PortId::MAIN, POLL);
            ctx.modem_lines(PortId::MAIN, None, Some(true));
        } else {
            ctx.report(ClockEvent::Fault);
        }
        ctx.clock.counters.polls += 1;
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
                unit.stamp = None;
                self.framer.reset();
            }
            PortEvent::Closed(_) => {
                unit.open = false;
                unit.stamp = None;
                self.framer.reset();
            }
            PortEvent::ModemLinesFailed(e) if !unit.ignore_modem_lines => {
                ctx.log(format!("heath: RTS pulse failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("heath: write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }
}
