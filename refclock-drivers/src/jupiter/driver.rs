//! The Jupiter driver's logic: ntpd 4.2.8p18's `jupiter_start`,
//! `jupiter_config`, `jupiter_receive`, `jupiter_parse_t`,
//! `jupiter_parse_gpos`, `jupiter_checkpps`, `jupiter_ticker` and
//! `jupiter_poll`.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::driver::OptionInfo;
use refclock_core::framing::{FrameStatus, Framer, ZodiacFramer, ZodiacMessage};
use refclock_core::gps::{EraWindow, GpsTime};
use refclock_core::port::{PortEvent, PortSpec, PpsEdge, PpsEdgeKind, PpsRequest, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, Decoded, Position, TimeMark, ZodiacError};

/// Static facts about the driver (ntpd type 31).
pub const INFO: DriverInfo = DriverInfo {
    kind: 31,
    ntpd_name: "GPS_JUPITER",
    name: "jupiter",
    description: "Rockwell Jupiter GPS",
    refid: *b"GPS\0",
};

/// Precision the clock claims (`PRECISION`, about 4 µs).
pub const PRECISION: i8 = -18;

/// The driver option for time from the serial messages alone.
pub const SERIAL_ONLY: &str = "serial-only";

/// How long before the pulse it names a 1108 leaves the receiver, as the
/// Navman designer's guide states it ("approximately 400 milliseconds");
/// the reference time of a serial-only sample is the named second less
/// this.
pub const SERIAL_LEAD: f64 = 0.4;

/// Timer ticks a position's week stays usable as the pivot (`piv_hold`).
const PIVOT_HOLD: u16 = 60;

/// The latest a pulse may follow the 1108 naming it (`0xC0000000`, 0.75 s).
const PULSE_WINDOW_NS: i128 = 750_000_000;

/// The Rockwell Jupiter / Zodiac driver (ntpd type 31, `GPS_JUPITER`).
/// See the module documentation.
#[derive(Debug)]
pub struct JupiterDriver {
    framer: ZodiacFramer,
    unit: Unit,
}

/// The driver's state besides the framer (`struct instance`).
#[derive(Debug)]
struct Unit {
    basedate: Basedate,
    serial_only: bool,
    /// Platform in the configuration (`flag2` at start).
    moving: bool,
    /// The PPS edge that marks the second (`flag3`: clear).
    edge: PpsEdgeKind,
    /// The id was asked for by the configuration: its answer does not
    /// reconfigure (`wantid`).
    wantid: bool,
    /// Receive time of the last valid 1108 (`rcv_next`).
    rcv_next: Option<Timestamp>,
    /// The second it names, not yet used (`ref_next`).
    ref_next: Option<Timestamp>,
    /// The GPS time of the last valid 1000, or of the last 1108 unfolded
    /// with it (`piv_next`), as a Unix time on the GPS scale.
    pivot: Option<Timestamp>,
    /// Ticks until the pivot is dropped (`piv_hold`).
    piv_hold: u16,
    /// Ticks before unused samples start to expire (`rcvtout`).
    rcvtout: u8,
    /// A pulse not yet looked at (`jupiter_pps` returning 0).
    pulse: Option<Timestamp>,
    /// The last pulse time (`rcv_pps`): the same time twice is no pulse.
    last_pulse: Option<Timestamp>,
    /// GPS − UTC of the last valid 1108, to log a change.
    gps_utc: Option<i16>,
    /// Bytes the framer had skipped, to report new ones.
    skipped: u64,
    /// Bytes of the last frame that are searched again (it was bad).
    excused: u64,
}

impl JupiterDriver {
    /// Whether the driver takes its time from the serial messages alone.
    pub fn serial_only(&self) -> bool {
        self.unit.serial_only
    }

    /// The pending second named by the last 1108, if not yet used.
    pub fn next_reference(&self) -> Option<Timestamp> {
        self.unit.ref_next
    }

    /// The pivot for unfolding a time of week, if held.
    pub fn pivot(&self) -> Option<Timestamp> {
        self.unit.pivot
    }

    /// Whether the next receiver id is taken as asked for.
    pub fn wants_id(&self) -> bool {
        self.unit.wantid
    }
}

/// `yyyy-mm-ddThh:mm:ss` (ntpd's `ntpcal_iso8601std`).
pub fn iso8601(t: Timestamp) -> String {
    let c = CivilTime::from_timestamp(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// The GPS time (as a Unix time on the GPS scale, no leap seconds) of a
/// 1000, its week unfolded into the era window around the base date and
/// `rectime` (ntpd's `gpscal_from_gpsweek`, whose window is the base
/// date's alone).
pub fn position_time(p: &Position, basedate: &Basedate, rectime: Timestamp) -> Timestamp {
    let week = EraWindow::new(basedate, rectime).expand_week(u32::from(p.week));
    let t = GpsTime {
        week,
        tow_nanos: i64::from(p.week_secs) * 1_000_000_000 + i64::from(p.nanos),
    };
    t.to_utc(0)
}

/// The UTC second a 1108 names: its time of week placed within half a
/// week of `pivot` (ntpd's `gpscal_from_weektime1/2`).
pub fn mark_time(t: &TimeMark, pivot: Timestamp) -> Timestamp {
    const NS_WEEK: i128 = 604_800 * 1_000_000_000;
    // Unix time of the GPS epoch, a Sunday: weeks count from there.
    const EPOCH: i128 = 315_964_800 * 1_000_000_000;
    let p = pivot.as_nanos() - EPOCH;
    let tow = i128::from(t.utc_week_nanos());
    let week_start = p.div_euclid(NS_WEEK) * NS_WEEK;
    let mut x = week_start + tow;
    let half = NS_WEEK / 2;
    while x - p >= half {
        x -= NS_WEEK;
    }
    while x - p < -half {
        x += NS_WEEK;
    }
    Timestamp::from_nanos(x + EPOCH)
}

impl Unit {
    /// `jupiter_config`: forget the time state and send the configuration.
    fn config(&mut self, ctx: &mut Context<'_>) {
        ctx.clockstats("init receiver");
        if self.moving {
            ctx.clockstats("mobile platform");
        }
        self.rcv_next = None;
        self.ref_next = None;
        self.pivot = None;
        for m in codec::configuration(self.moving) {
            ctx.write(PortId::MAIN, m);
        }
        self.wantid = true;
    }

    /// One framed message; `first` and `last` the receive times of the
    /// reads that held its first and last byte.
    fn message(
        &mut self,
        ctx: &mut Context<'_>,
        data: &[u8],
        status: FrameStatus,
        first: Timestamp,
        last: Timestamp,
    ) {
        if status == FrameStatus::Overflow {
            ctx.clockstats("message too long");
            ctx.report(ClockEvent::BadReply);
            return;
        }
        if let Some(m) = ZodiacMessage::new(data) {
            let bits = (m.flags() >> 8) as u8;
            if m.data_words() == 0 && bits & (codec::flags::ACK | codec::flags::NAK) != 0 {
                // The receiver acknowledging a request of ours (ntpd
                // takes it for a message of that id, too short).
                let what = if bits & codec::flags::NAK != 0 {
                    "nak"
                } else {
                    "ack"
                };
                ctx.clockstats(format!("{what} {}", m.id()));
                return;
            }
        }
        let decoded = match codec::decode(data) {
            Ok(d) => d,
            Err(e) => {
                if let ZodiacError::Length { id, .. } = e {
                    if id == codec::ID_TIME_MARK {
                        // ntpd looks for a pulse before checking the size.
                        self.check_pps(ctx);
                    }
                }
                ctx.clockstats(e.to_string());
                ctx.report(e.event());
                return;
            }
        };
        match decoded {
            Decoded::TimeMark(t) => {
                self.check_pps(ctx);
                self.time_mark(ctx, &t, first, last);
            }
            Decoded::Position(p) => self.position(ctx, &p, last),
            Decoded::Receiver(r) => {
                ctx.clockstats(r.describe());
                ctx.log(format!("receiver: {}", r.describe()));
                if self.wantid {
                    self.wantid = false;
                } else {
                    ctx.clockstats("reset receiver");
                    self.config(ctx);
                }
            }
            Decoded::Other(id) => ctx.clockstats(format!("unknown message id {id}")),
        }
    }

    /// `jupiter_parse_t`: a 1108.
    fn time_mark(
        &mut self,
        ctx: &mut Context<'_>,
        t: &TimeMark,
        first: Timestamp,
        last: Timestamp,
    ) {
        if !t.valid() {
            ctx.report(ClockEvent::BadTime);
            ctx.clockstats("pulse: time mark not valid");
            return;
        }
        if self.gps_utc.is_some_and(|o| o != t.gps_utc_secs) {
            ctx.clockstats(format!(
                "GPS-UTC offset {} s, was {} s",
                t.gps_utc_secs,
                self.gps_utc.unwrap_or_default()
            ));
        }
        self.gps_utc = Some(t.gps_utc_secs);
        self.rcv_next = Some(last);
        let named = match self.pivot {
            Some(p) => {
                let n = mark_time(t, p);
                self.pivot = Some(n);
                n
            }
            None => mark_time(t, last),
        };
        self.ref_next = Some(named);
        if self.serial_only && self.pivot.is_some() {
            let reftime = named + (-SERIAL_LEAD);
            ctx.clock.leap = Leap::NoWarning;
            ctx.process_offset(reftime, first, ctx.fudge().time1());
            self.rcvtout = 2;
            ctx.clock.save_timecode(iso8601(named).as_bytes());
            self.ref_next = None;
        }
    }

    /// `jupiter_parse_gpos`: a 1000 gives the pivot when its solution is
    /// valid.
    fn position(&mut self, ctx: &mut Context<'_>, p: &Position, rectime: Timestamp) {
        if p.nav_validity != 0 {
            ctx.clockstats("gpos: Navigation solution not valid");
            return;
        }
        let t = position_time(p, &self.basedate, rectime);
        self.pivot = Some(t);
        self.piv_hold = PIVOT_HOLD;
        ctx.clockstats(format!(
            "GPS {} (gweek/sweek {}/{})",
            iso8601(t),
            p.week,
            p.week_secs
        ));
    }

    /// `jupiter_checkpps`: a new pulse within 0.75 s after the 1108 that
    /// named it gives a sample, once a 1000 has given a pivot.
    fn check_pps(&mut self, ctx: &mut Context<'_>) {
        let Some(pulse) = self.pulse.take() else {
            return;
        };
        if self.pivot.is_none() {
            return;
        }
        let (Some(rcv), Some(named)) = (self.rcv_next, self.ref_next) else {
            return;
        };
        let delta = pulse.as_nanos() - rcv.as_nanos();
        self.ref_next = None;
        if !(0..PULSE_WINDOW_NS).contains(&delta) {
            return;
        }
        ctx.clock.leap = Leap::NoWarning;
        ctx.process_offset(named, pulse, ctx.fudge().time1());
        self.rcvtout = 2;
        ctx.clock.save_timecode(iso8601(named).as_bytes());
    }
}

impl Driver for JupiterDriver {
    const INFO: DriverInfo = INFO;

    const OPTIONS: &'static [OptionInfo] = &[OptionInfo::switch(
        SERIAL_ONLY,
        "time from the 1108 messages alone, without a PPS line (tens of ms)",
    )];

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let flags = config.fudge.flags;
        let serial_only = config.has_option(SERIAL_ONLY);
        let edge = if flags.contains(ClockFlags::FLAG3) {
            PpsEdgeKind::Clear
        } else {
            PpsEdgeKind::Assert
        };
        let port = PortSpec::serial(config.device_or("/dev/gps%d"), SerialConfig::raw_8n1(9600));
        // ntpd asks the serial port itself for its PPS (RFC 2783 on the
        // device's descriptor); `ppspath` names another device.
        let pps = (!serial_only).then(|| PpsRequest {
            path: config.pps_device.clone(),
            fallback_port: Some(PortId::MAIN),
            edge,
            hardpps: false,
        });
        let driver = JupiterDriver {
            framer: ZodiacFramer::new(),
            unit: Unit {
                basedate: config.basedate,
                serial_only,
                moving: flags.contains(ClockFlags::FLAG2),
                edge,
                wantid: false,
                rcv_next: None,
                ref_next: None,
                pivot: None,
                piv_hold: 0,
                rcvtout: 0,
                pulse: None,
                last_pulse: None,
                gps_utc: None,
                skipped: 0,
                excused: 0,
            },
        };
        Ok((driver, Ports::one(port).with_pps(pps)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let JupiterDriver { framer, unit } = self;
        let mut input = data;
        while let Some(f) = framer.next_frame(&mut input, rectime) {
            let (bytes, status, first, last) = (f.data.to_vec(), f.status, f.first, f.last);
            // Bytes skipped before this message: noise, a bad header
            // checksum, a cut message (ntpd: "syncing"). The rest of a
            // message already reported as bad, searched again, is not
            // counted again.
            let skipped = framer.skipped();
            if skipped > unit.skipped + unit.excused {
                ctx.clockstats(format!(
                    "syncing ({} bytes skipped)",
                    skipped - unit.skipped
                ));
                ctx.report(ClockEvent::BadReply);
            }
            unit.skipped = skipped;
            unit.excused = match status {
                FrameStatus::Complete => 0,
                _ => bytes.len() as u64 - 1,
            };
            unit.message(ctx, &bytes, status, first, last);
        }
    }

    fn pps(&mut self, ctx: &mut Context<'_>, edge: PpsEdge) {
        let unit = &mut self.unit;
        if unit.serial_only || edge.kind != unit.edge || unit.last_pulse == Some(edge.time) {
            return;
        }
        unit.last_pulse = Some(edge.time);
        unit.pulse = Some(edge.time);
        // ntpd looks at the pulse at the next tick or 1108; the sample is
        // the same, only sooner.
        unit.check_pps(ctx);
    }

    /// `jupiter_ticker`.
    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let unit = &mut self.unit;
        unit.check_pps(ctx);
        if unit.piv_hold > 0 {
            unit.piv_hold -= 1;
            if unit.piv_hold == 0 {
                unit.pivot = None;
            }
        }
        if unit.rcvtout > 0 {
            unit.rcvtout -= 1;
        } else if !ctx.clock.pending().is_empty() {
            ctx.clock.expire_samples(1);
        }
    }

    /// `jupiter_poll`: filter what came, or report a timeout and ask for
    /// the receiver id, whose answer then reconfigures the receiver.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.clock.counters.polls += 1;
        if !ctx.clock.pending().is_empty() {
            let _ = ctx.receive();
            ctx.report(ClockEvent::Nominal);
        } else {
            ctx.report(ClockEvent::Timeout);
            ctx.write(PortId::MAIN, codec::query(codec::ID_RECEIVER));
            self.unit.wantid = false;
        }
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => self.unit.config(ctx),
            PortEvent::Closed(_) => {
                self.framer.reset();
                self.unit.skipped = self.framer.skipped();
                self.unit.excused = 0;
            }
            _ => {}
        }
    }
}
