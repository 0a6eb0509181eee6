//! The Chronolog driver's logic: ntpd 4.2.8p18's `chronolog_start`,
//! `chronolog_receive` and `chronolog_poll`.

use refclock_core::calendar::{
    civil_from_days, days_from_civil, unfold_two_digit_year, Basedate, CivilTime,
};
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::zone::Zone;
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, OptionInfo, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, Line};

/// Static facts about the driver (ntpd type 32).
pub const INFO: DriverInfo = DriverInfo {
    kind: 32,
    ntpd_name: "CHRONOLOG",
    name: "chronolog",
    description: "Chrono-log K",
    refid: *b"chro",
};

/// Precision the clock claims (`PRECISION`, about 100 µs).
pub const PRECISION: i8 = -13;

/// Serial speed (`SPEED232`).
pub const BAUD: u32 = 2400;

/// The Chrono-log K-series WWVB receiver (ntpd type 32, `CHRONOLOG`).
///
/// Feed it the receiver's lines; each `Z hh:mm:ss` line after a
/// `Y yy/mm/dd` line gives one sample, stamped with the read that held
/// its CR, the local time converted with the zone read at start. See the
/// module documentation.
#[derive(Debug)]
pub struct ChronologDriver {
    framer: LineFramer,
    zone: Zone,
    basedate: Basedate,
    /// The last date line's date (full year, month, day).
    date: Option<(i32, u8, u8)>,
}

impl ChronologDriver {
    /// The zone the driver converts local time with.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// One line, whose CR came in the read at `rectime`.
    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        ctx.clock.save_timecode(text);
        let line = match codec::decode(text) {
            Ok(line) => line,
            Err(e) => {
                ctx.log(format!("bad line '{}': {e}", ctx.clock.timecode()));
                ctx.report(e.event());
                return;
            }
        };
        match line {
            Line::Date { year, month, day } => {
                let year = unfold_two_digit_year(year, self.basedate.year());
                if day > refclock_core::calendar::days_in_month(year, month) {
                    ctx.report(ClockEvent::BadDate);
                    return;
                }
                self.date = Some((year, month, day));
            }
            Line::Time {
                hour,
                minute,
                second,
            } => {
                let Some((year, month, day)) = self.date else {
                    // No date yet: nothing to convert with.
                    return;
                };
                // The date came a few seconds before the time: across
                // midnight it is the day before (or, from a clock that
                // sends the coming date early, after). A time more than
                // half a day from the system clock is moved by a day
                // towards it.
                let rec = rectime.secs();
                let on = |days: i64| {
                    let (y, m, d) = civil_from_days(days);
                    let local = CivilTime::new(y, m, d, hour, minute, second);
                    self.zone.local_to_utc_near(&local, rec)
                };
                let days = days_from_civil(year, month, day);
                let utc = match on(days) {
                    Ok(t) if t - rec > 43_200 => on(days - 1),
                    Ok(t) if rec - t > 43_200 => on(days + 1),
                    other => other,
                };
                let utc = match utc {
                    Ok(t) => t,
                    Err(e) => {
                        ctx.log(format!("{}: {e}", ctx.clock.timecode()));
                        ctx.report(ClockEvent::BadTime);
                        return;
                    }
                };
                let reftime = Timestamp::from_secs(utc);
                ctx.clock.leap = Leap::NoWarning;
                let time1 = ctx.fudge().time1();
                ctx.process_offset(reftime, rectime, time1);
                let code = ctx.clock.timecode().to_string();
                ctx.clockstats(code);
            }
        }
    }
}

/// The `tz` option.
pub const TZ_OPTION: OptionInfo = OptionInfo::value(
    "tz",
    "time zone of the clock's local time, as TZ takes it (default: the process's TZ)",
);

impl Driver for ChronologDriver {
    const INFO: DriverInfo = INFO;
    const OPTIONS: &'static [OptionInfo] = &[TZ_OPTION];

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        // Read now, before the host's chroot: /etc/localtime and the
        // zoneinfo files may not be there afterwards.
        let zone = Zone::from_option(config.option_value("tz"))
            .map_err(|e| StartError::Other(format!("time zone: {e}")))?;
        let port = PortSpec::serial(
            config.device_or("/dev/chronolog%d"),
            SerialConfig::canonical_8n1(BAUD),
        );
        let driver = ChronologDriver {
            framer: LineFramer::new(),
            zone,
            basedate: config.basedate,
            date: None,
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
