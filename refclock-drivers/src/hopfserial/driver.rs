//! The hopf serial driver's logic: ntpd 4.2.8p18's `hopfserial_start`,
//! `hopfserial_receive` and `hopfserial_poll`.

use refclock_core::calendar::{clocktime, day_of_year, YearStart};
use refclock_core::clock::DecodedFields;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::gps::unfold_two_digit_year;
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, HopfTime, MODE_INTERNAL, MODE_INVALID};

/// Static facts about the driver (ntpd type 38).
pub const INFO: DriverInfo = DriverInfo {
    kind: 38,
    ntpd_name: "HOPF_SERIAL",
    name: "hopfserial",
    description: "hopf Elektronic serial line receiver",
    refid: *b"hopf",
};

/// Precision the clock claims (about 1 ms).
pub const PRECISION: i8 = -10;

/// The hopf serial driver (ntpd type 38, `HOPF_SERIAL`): see the module
/// documentation.
#[derive(Debug)]
pub struct HopfSerialDriver {
    framer: LineFramer,
    /// A poll came: the next line is read (`rpt_next`).
    rpt_next: bool,
    basedate: refclock_core::calendar::Basedate,
    year_start: YearStart,
}

impl HopfSerialDriver {
    /// The UTC instant a telegram received at `rectime` names: its date
    /// and time less its zone (none with the UTC bit), the year the
    /// nearest the receive time (ntpd's `clocktime`).
    pub fn reference_time(&mut self, t: &HopfTime, rectime: Timestamp) -> Option<Timestamp> {
        let year = unfold_two_digit_year(t.year, 1998, &self.basedate, rectime);
        let yday = day_of_year(year, t.month, t.day);
        clocktime(
            yday,
            t.hour,
            t.minute,
            t.second,
            -t.zone_hours(),
            rectime,
            &mut self.year_start,
        )
        .ok()
        .map(Timestamp::from_secs)
    }

    fn line(&mut self, ctx: &mut Context<'_>, line: &[u8], rectime: Timestamp) {
        ctx.clock.save_timecode(line);
        let text = ctx.clock.timecode().to_string();
        let t = match codec::decode(line) {
            Ok(t) => t,
            Err(e) => {
                ctx.log(format!("bad timecode '{text}': {e}"));
                ctx.report(e.event());
                return;
            }
        };
        ctx.clock.fields = DecodedFields {
            year: 2000 + i32::from(t.year),
            day: day_of_year(2000 + i32::from(t.year), t.month, t.day),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: 0,
        };
        ctx.clock.leap = Leap::NoWarning;
        let flag1 = ctx.fudge().flag(ClockFlags::FLAG1);
        if t.mode() == MODE_INVALID || (t.mode() == MODE_INTERNAL && !flag1) {
            ctx.report(ClockEvent::BadTime);
            ctx.clock.leap = Leap::NotInSync;
            return;
        }
        let Some(reftime) = self.reference_time(&t, rectime) else {
            ctx.report(ClockEvent::BadTime);
            return;
        };
        let time1 = ctx.fudge().time1();
        ctx.process_offset(reftime, rectime, time1);
        let _ = ctx.receive();
        ctx.clockstats(text);
    }
}

impl Driver for HopfSerialDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let port = PortSpec::serial(
            config.device_or("/dev/hopfclock%d"),
            SerialConfig::canonical_8n1(9600),
        );
        let driver = HopfSerialDriver {
            framer: LineFramer::new(),
            rpt_next: false,
            basedate: config.basedate,
            year_start: None,
        };
        Ok((driver, Ports::one(port)))
    }

    /// Lines as `refclock_gtlin` gives them (STX and ETX stripped), each
    /// stamped with the read that ended it at its LF; only the first
    /// after a poll is read.
    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let mut lines = Vec::new();
        self.framer
            .feed(data, rectime, |f| lines.push((f.data.to_vec(), f.last)));
        for (line, at) in lines {
            if std::mem::take(&mut self.rpt_next) {
                self.line(ctx, &line, at);
            }
        }
    }

    /// `hopfserial_poll`: count the poll; the next line is read.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.clock.counters.polls += 1;
        self.rpt_next = true;
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        if let PortEvent::Closed(_) = event {
            self.framer.reset();
        }
    }
}
