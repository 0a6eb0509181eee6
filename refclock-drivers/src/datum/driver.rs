//! The Datum PTS driver's logic: ntpd 4.2.8p18's `datum_pts_poll` and
//! `datum_pts_receive`, with the sample ntpd drops.

use refclock_core::clock::DecodedFields;
use refclock_core::port::{Parity, PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::codec::{self, LEN, REQUEST};

/// Static facts about the driver (ntpd type 17).
pub const INFO: DriverInfo = DriverInfo {
    kind: 17,
    ntpd_name: "GPS_DATUM",
    name: "datum",
    description: "Datum Precision Time System",
    refid: *b"DATM",
};

/// Precision the clock claims (`PRECISION`, about 1 ms).
pub const PRECISION: i8 = -10;

/// Serial speed.
pub const BAUD: u32 = 9600;

/// The serial settings: 9600 baud, 8 data bits, even parity, raw, no CR
/// mapping (ntpd sets `IGNBRK`, `CS8|CREAD|PARENB|CLOCAL` by hand).
pub const SERIAL: SerialConfig = SerialConfig {
    parity: Parity::Even,
    crnl: false,
    ..SerialConfig::raw_8n1(BAUD)
};

/// The Datum Programmable Time System (ntpd type 17, `GPS_DATUM`). See
/// the module documentation.
#[derive(Debug)]
pub struct DatumDriver {
    /// The reply so far, after a request.
    reply: Vec<u8>,
    /// Receive time of the read that held the reply's first byte.
    first: Timestamp,
    /// A request is out and its reply not complete.
    asked: bool,
    /// A reply came since the last poll.
    answered: bool,
}

impl DatumDriver {
    fn reply(&mut self, ctx: &mut Context<'_>) {
        self.asked = false;
        self.answered = true;
        ctx.clock.save_timecode(&self.reply);
        let t = match codec::decode(&self.reply) {
            Ok(t) => t,
            Err(e) => {
                ctx.log(format!("bad reply: {e}"));
                ctx.report(e.event());
                return;
            }
        };
        ctx.clock.fields = DecodedFields {
            year: 0,
            day: t.day,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: u32::from(t.msec) * 1_000_000,
        };
        ctx.clock.leap = Leap::NoWarning;
        if ctx.process(self.first).is_ok() {
            let _ = ctx.receive();
        }
    }
}

impl Driver for DatumDriver {
    const INFO: DriverInfo = INFO;

    /// The device is `/dev/datum` whatever the unit, as in ntpd.
    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let port = PortSpec::serial(config.device_or("/dev/datum"), SERIAL);
        let driver = DatumDriver {
            reply: Vec::with_capacity(LEN),
            first: Timestamp::EPOCH,
            asked: false,
            answered: true,
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        for &b in data {
            // Bytes nobody asked for are dropped.
            if !self.asked {
                continue;
            }
            if self.reply.is_empty() {
                self.first = rectime;
            }
            self.reply.push(b);
            if self.reply.len() == LEN {
                self.reply(ctx);
            }
        }
    }

    /// `datum_pts_poll`: the request, and a new reply buffer; a timeout
    /// when the last request got no whole reply.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.clock.counters.polls += 1;
        if !self.answered {
            ctx.report(ClockEvent::Timeout);
        }
        ctx.write(PortId::MAIN, REQUEST);
        self.reply.clear();
        self.asked = true;
        self.answered = false;
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        if let PortEvent::Closed(_) = event {
            self.reply.clear();
            self.asked = false;
        }
    }
}
