//! The Dumbclock driver's logic: ntpd 4.2.8p18's `dumbclock_start` and
//! `dumbclock_receive`.

use refclock_core::calendar::{civil_from_days, days_from_civil, CivilTime};
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::zone::{LocalTimeError, Zone};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, OptionInfo, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, DumbTime};

/// Static facts about the driver (ntpd type 33).
pub const INFO: DriverInfo = DriverInfo {
    kind: 33,
    ntpd_name: "DUMBCLOCK",
    name: "dumbclock",
    description: "Dumb generic hh:mm:ss local clock",
    refid: *b"dumb",
};

/// Precision the clock claims (`PRECISION`, about 100 µs).
pub const PRECISION: i8 = -13;

/// Serial speed (`SPEED232`).
pub const BAUD: u32 = 9600;

/// Half a day: a time of day is taken on the date that puts it nearest
/// the system clock, so never further than this from it.
pub const HALF_DAY: i64 = 43_200;

/// A clock that sends only `hh:mm:ss` local time (ntpd type 33,
/// `DUMBCLOCK`). See the module documentation.
#[derive(Debug)]
pub struct DumbclockDriver {
    framer: LineFramer,
    zone: Zone,
}

/// The `tz` option.
pub const TZ_OPTION: OptionInfo = OptionInfo::value(
    "tz",
    "time zone of the clock's local time, as TZ takes it (default: the process's TZ)",
);

/// Why a time of day gave no UTC time near the system clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// In the skipped or repeated hour (see [`LocalTimeError`]).
    Local(LocalTimeError),
}

/// The UTC time of local time of day `t` on the date (yesterday, today or
/// tomorrow in `zone`) that puts it nearest the system time `near`: never
/// more than half a day from it, so the date needs no clock to tell it.
pub fn nearest_utc(zone: &Zone, t: &DumbTime, near: i64) -> Result<i64, DateError> {
    let today = zone.to_local(near);
    let day0 = days_from_civil(today.year, today.month, today.day);
    let mut best: Option<i64> = None;
    let mut error = None;
    for d in -1..=1 {
        let (year, month, day) = civil_from_days(day0 + d);
        let civil = CivilTime::new(year, month, day, t.hour, t.minute, t.second);
        match zone.local_to_utc_near(&civil, near) {
            Ok(u) => {
                if best.is_none_or(|b| (u - near).abs() < (b - near).abs()) {
                    best = Some(u);
                }
            }
            Err(e) => error = Some(e),
        }
    }
    match (best, error) {
        (Some(u), _) if (u - near).abs() <= HALF_DAY => Ok(u),
        (_, Some(e)) => Err(DateError::Local(e)),
        // Unreachable with three consecutive days; kept total.
        _ => Err(DateError::Local(LocalTimeError::Skipped)),
    }
}

impl DumbclockDriver {
    /// The zone the driver converts local time with.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// One line, whose CR came in the read at `rectime`.
    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        ctx.clock.save_timecode(text);
        let t = match codec::decode(text) {
            Ok(t) => t,
            Err(e) => {
                ctx.log(format!("bad line '{}': {e}", ctx.clock.timecode()));
                ctx.report(e.event());
                return;
            }
        };
        let utc = match nearest_utc(&self.zone, &t, rectime.secs()) {
            Ok(u) => u,
            Err(DateError::Local(e)) => {
                ctx.log(format!("{}: {e}", ctx.clock.timecode()));
                ctx.report(ClockEvent::BadTime);
                return;
            }
        };
        ctx.clock.leap = Leap::NoWarning;
        let time1 = ctx.fudge().time1();
        ctx.process_offset(Timestamp::from_secs(utc), rectime, time1);
        let code = ctx.clock.timecode().to_string();
        ctx.clockstats(code);
    }
}

impl Driver for DumbclockDriver {
    const INFO: DriverInfo = INFO;
    const OPTIONS: &'static [OptionInfo] = &[TZ_OPTION];

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        // Read now, before the host's chroot.
        let zone = Zone::from_option(config.option_value("tz"))
            .map_err(|e| StartError::Other(format!("time zone: {e}")))?;
        let port = PortSpec::serial(
            config.device_or("/dev/dumbclock%d"),
            SerialConfig::canonical_8n1(BAUD),
        );
        let driver = DumbclockDriver {
            framer: LineFramer::new(),
            zone,
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let mut input = data;
        while let Some(frame) = self.framer.next_frame(&mut input, rectime) {
            let (text, at) = (frame.data.to_vec(), frame.last);
            self.line(ctx, &text, at);
        }
    }

    /// The poll (ntpd's driver has none that does anything): count it and
    /// filter the samples since the last, or report a timeout.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.poll_default();
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        if let PortEvent::Closed(_) = event {
            self.framer.reset();
        }
    }
}
