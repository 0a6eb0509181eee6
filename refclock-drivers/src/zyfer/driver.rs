//! The Zyfer driver's logic: ntpd 4.2.8p18's `zyfer_start`,
//! `zyfer_receive` and `zyfer_poll`.

use refclock_core::calendar::Basedate;
use refclock_core::clock::DecodedFields;
use refclock_core::driver::Silence;
use refclock_core::framing::{FixedFramer, Framer};
use refclock_core::gps::EraWindow;
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::codec::{self, ZyferTime, OP_LOCKED, TIME_MODE_UTC};

/// Static facts about the driver (ntpd type 42).
pub const INFO: DriverInfo = DriverInfo {
    kind: 42,
    ntpd_name: "ZYFER",
    name: "zyfer",
    description: "Zyfer GPStarplus receiver",
    refid: *b"GPS\0",
};

/// Precision the clock claims (`PRECISION`, about 1 µs).
pub const PRECISION: i8 = -20;

/// Polls without a sample before a timeout is reported (`pollcnt`).
const POLLCNT: u8 = 2;

/// The Zyfer GPStarplus driver (ntpd type 42, `ZYFER`).
///
/// Feed it the bytes of the receiver's TOD port through a
/// [`Clock`](refclock_core::Clock); each timecode from a receiver locked
/// to UTC gives one raw sample (`offset = reference time − time of the
/// read that held the '!' + time1`). See the module documentation.
#[derive(Debug)]
pub struct ZyferDriver {
    framer: FixedFramer,
    unit: Unit,
}

/// The driver's state besides the framer (`struct zyferunit`).
#[derive(Debug)]
struct Unit {
    basedate: Basedate,
    /// Polls without a sample before a timeout is reported (`pollcnt`).
    silence: Silence,
    /// A poll came since the last sample (`polled`).
    polled: bool,
}

impl ZyferDriver {
    /// Polls left before a timeout is reported: 2 after each sample,
    /// one less at each poll.
    pub fn polls_left(&self) -> u8 {
        self.unit.silence.left()
    }

    /// Whether a poll is waiting for the next sample to filter the
    /// pending ones.
    pub fn polled(&self) -> bool {
        self.unit.polled
    }
}

impl Unit {
    /// One record from the framer, whose `!` came in the read at `rectime`.
    fn record(&mut self, ctx: &mut Context<'_>, code: &[u8], rectime: Timestamp) {
        ctx.clock.save_timecode(code);
        let text = ctx.clock.timecode().to_string();
        ctx.clockstats(text.clone());
        let t = match codec::decode(code) {
            Ok(t) => t,
            Err(e) => {
                // The host names the clock in front of the line.
                ctx.log(format!("bad timecode '{text}': {e}"));
                ctx.report(e.event());
                return;
            }
        };
        ctx.clock.fields = DecodedFields {
            year: i32::from(t.year),
            day: t.day,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: 0,
        };
        if t.time_mode != TIME_MODE_UTC {
            ctx.report(ClockEvent::BadTime);
            return;
        }
        if t.op_mode != OP_LOCKED {
            // Not locked: no sample, and the clock says "not in sync" until
            // the receiver locks again (ntpd sets LEAP_NOTINSYNC here and
            // never clears it: see the module documentation).
            ctx.clock.leap = Leap::NotInSync;
            return;
        }
        ctx.clock.leap = Leap::NoWarning;
        let reftime = reference_time(&t, &self.basedate, rectime);
        let time1 = ctx.fudge().time1();
        ctx.process_offset(reftime, rectime, time1);
        self.silence.heard();
        if self.polled {
            self.polled = false;
            let _ = ctx.receive();
        }
    }
}

/// The instant a timecode received at `rectime` names: its date moved by
/// whole GPS eras of 1024 weeks into the window around the base date and
/// the receive time (ntpd's `gpsntp_from_calendar`, whose window is the
/// base date's alone; see [`EraWindow`]).
pub fn reference_time(t: &ZyferTime, basedate: &Basedate, rectime: Timestamp) -> Timestamp {
    EraWindow::new(basedate, rectime).fix(t.timestamp())
}

impl Driver for ZyferDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let port = PortSpec::serial(
            config.device_or("/dev/zyfer%d"),
            SerialConfig::raw_8n1(9600),
        );
        let driver = ZyferDriver {
            framer: FixedFramer::new(codec::ON_TIME, codec::LEN),
            unit: Unit {
                basedate: config.basedate,
                silence: Silence::new(POLLCNT),
                polled: false,
            },
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let ZyferDriver { framer, unit } = self;
        // A fragment cut short by the next '!' is handed on too: it fails
        // to decode and is counted.
        framer.feed(data, rectime, |f| unit.record(ctx, f.data, f.first));
    }

    /// `zyfer_poll`: count the poll, report a timeout after two polls
    /// without a sample, and have the next sample filter the pending ones
    /// (ntpd calls `refclock_receive` from the receive path, not here).
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let unit = &mut self.unit;
        unit.silence.poll(ctx);
        ctx.clock.counters.polls += 1;
        unit.polled = true;
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        if let PortEvent::Closed(_) = event {
            self.framer.reset();
        }
    }
}
