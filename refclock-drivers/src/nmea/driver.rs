//! The NMEA driver's logic: ntpd 4.2.8p18's `nmea_start`, `nmea_timer`
//! and `nmea_poll` (the per-sentence part, `nmea_procrec`, is in
//! `sentence.rs`).

use refclock_core::calendar::Basedate;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{
    PortEvent, PortKind, PortSpec, PpsEdge, PpsEdgeKind, PpsRequest, SerialConfig,
};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::calgps::{DateType, DATE_HLIM};
use super::parse::SentenceKind;

/// Static facts about the driver (ntpd type 20).
pub const INFO: DriverInfo = DriverInfo {
    kind: 20,
    ntpd_name: "GPS_NMEA",
    name: "nmea",
    description: "NMEA GPS Clock",
    refid: *b"GPS\0",
};

/// Mode bit: process RMC.
pub const MODE_RMC: u32 = 0x0000_0001;
/// Mode bit: process GGA.
pub const MODE_GGA: u32 = 0x0000_0002;
/// Mode bit: process GLL.
pub const MODE_GLL: u32 = 0x0000_0004;
/// Mode bit: process ZDA and ZDG.
pub const MODE_ZDA: u32 = 0x0000_0008;
/// Mode bit: process Garmin PGRMF.
pub const MODE_PGRMF: u32 = 0x0000_0100;
/// Mode bit: process u-blox PUBX,04.
pub const MODE_PUBX04: u32 = 0x0000_0200;
/// The sentence selection bits; none set means every sentence.
pub const MODE_MESSAGE_MASK: u32 = 0x0000_FF0F;
/// Line speed selector, bits 4-6.
pub const MODE_BAUDRATE_MASK: u32 = 0x0000_0070;
/// Log the receive time's fraction for each recognised sentence.
pub const MODE_DELAYMEAS: u32 = 0x0000_0080;
/// Append the tally counters to the per-poll clockstats line.
pub const MODE_EXTLOG: u32 = 0x0001_0000;
/// Use PPS but do not claim to be a PPS peer.
pub const MODE_QUIETPPS: u32 = 0x0002_0000;
/// Trust the receiver's date: no GPS era mapping (except GPS weeks).
pub const MODE_DATETRUST: u32 = 0x0004_0000;
/// Ignore the receiver's status: always in sync.
pub const MODE_IGNSTATUS: u32 = 0x0008_0000;

/// Precision without PPS (`PRECISION`, about 2 ms).
pub const PRECISION: i8 = -9;
/// Precision with PPS (`PPS_PRECISION`, about 1 µs).
pub const PPS_PRECISION: i8 = -20;

/// The mode bit that selects a sentence (`sentence_mode[]`).
pub const fn sentence_mode(kind: SentenceKind) -> u32 {
    match kind {
        SentenceKind::Rmc => MODE_RMC,
        SentenceKind::Gga => MODE_GGA,
        SentenceKind::Gll => MODE_GLL,
        SentenceKind::Zda | SentenceKind::Zdg => MODE_ZDA,
        SentenceKind::Pgrmf => MODE_PGRMF,
        SentenceKind::Pubx04 => MODE_PUBX04,
    }
}

/// Line speed selected by mode bits 4-6 (4800 for 0 and anything unknown).
pub const fn baud_rate(mode: u32) -> u32 {
    match (mode & MODE_BAUDRATE_MASK) >> 4 {
        1 => 9600,
        2 => 19_200,
        3 => 38_400,
        4 => 57_600,
        5 => 115_200,
        _ => 4800,
    }
}

/// Sentence counters. The first six are ntpd's tally (logged with mode
/// [`MODE_EXTLOG`]); the last three are ours, so that every line is
/// counted once:
/// lines seen = `dropped` + `invalid` + `total`, and
/// `total` = `accepted` + `rejected` + `malformed` + `filtered` + `unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tally {
    /// Valid NMEA sentences (good framing and checksum).
    pub total: u64,
    /// Sentences that produced a sample.
    pub accepted: u64,
    /// Sentences whose receiver status said "not in sync".
    pub rejected: u64,
    /// Missing checksum, bad time or bad date.
    pub malformed: u64,
    /// Not selected by the mode, UTC after ZDG, or the same reference
    /// time as the sentence before.
    pub filtered: u64,
    /// Accepted samples whose receive time a PPS edge replaced.
    pub pps_used: u64,
    /// Valid sentences that carry no time we use (GSV, VTG, ...).
    pub unknown: u64,
    /// Lines that are not valid NMEA (reported as bad format).
    pub invalid: u64,
    /// Lines ignored before framing: no `$`, or longer than the buffer.
    pub dropped: u64,
}

/// ntpd's per-sentence checksum memory: what was seen so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum SeenChecksum {
    Nothing,
    Without,
    With,
}

/// The NMEA driver's own state (`nmea_unit`, without the line buffer).
#[derive(Debug)]
pub(super) struct Unit {
    pub(super) basedate: Basedate,
    /// Seconds before sample expiry starts (`rcvtout`).
    pub(super) rcvtout: u16,
    /// A PPS-augmented sample was taken since the last poll.
    pub(super) ppsapi_gate: bool,
    /// The peer's FLAG_PPS: PPS is in control.
    pub(super) pps_flag: bool,
    pub(super) precision: i8,
    /// A ZDG was seen: GPS time from now on, UTC sentences ignored.
    pub(super) gps_time: bool,
    pub(super) last_reftime: Option<Timestamp>,
    /// Last date seen; `None` after a poll without samples.
    pub(super) last_gpsdate: Option<Timestamp>,
    pub(super) hold_gpsdate: u16,
    pub(super) type_gpsdate: DateType,
    pub(super) tally: Tally,
    pub(super) totals: Tally,
    pub(super) cksum: [SeenChecksum; 7],
    pub(super) pps_edge: Option<PpsEdge>,
}

/// The NMEA GPS driver (ntpd type 20, `GPS_NMEA`).
///
/// Feed it the receiver's bytes through a [`Clock`](refclock_core::Clock);
/// each complete sentence is checked, selected, decoded and turned into at
/// most one raw sample (`offset = reference time − (receive time −
/// time2)`), or into a clock event saying why not. See the module
/// documentation for the rules.
#[derive(Debug)]
pub struct NmeaDriver {
    framer: LineFramer,
    unit: Unit,
}

impl NmeaDriver {
    /// Counters since the last poll (ntpd resets its tally every poll).
    pub fn tally(&self) -> Tally {
        self.unit.tally
    }

    /// Counters since start.
    pub fn totals(&self) -> Tally {
        self.unit.totals
    }

    /// Whether PPS is in control (ntpd's `FLAG_PPS` on the peer): a
    /// PPS-augmented sample within 0.5 s of its reference time was taken
    /// since the last poll, and [`MODE_QUIETPPS`] is not set.
    pub fn pps_in_control(&self) -> bool {
        self.unit.pps_flag
    }

    /// The precision the clock claims: [`PPS_PRECISION`] while PPS
    /// augments the samples, [`PRECISION`] otherwise.
    pub fn precision(&self) -> i8 {
        self.unit.precision
    }

    /// Whether a ZDG switched the driver to GPS time.
    pub fn gps_time(&self) -> bool {
        self.unit.gps_time
    }

    /// The date held as pivot for time-only sentences: its type and the
    /// seconds it is still held (0 = none; the receive time is the pivot).
    pub fn date_hold(&self) -> (DateType, u16) {
        (self.unit.type_gpsdate, self.unit.hold_gpsdate)
    }
}

/// The PPS edge the flags select (flag2: the clear edge).
fn pps_edge_kind(flags: ClockFlags) -> PpsEdgeKind {
    if flags.contains(ClockFlags::FLAG2) {
        PpsEdgeKind::Clear
    } else {
        PpsEdgeKind::Assert
    }
}

impl Driver for NmeaDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let fudge = &config.fudge;
        let flags = fudge.flags;
        // p18's nmead_open(): /dev/gpsN may link to host:port.
        let port = PortSpec::of(PortKind::SerialOrTcpLink {
            path: config.device_or("/dev/gps%d"),
            config: Some(SerialConfig::canonical_8n1(baud_rate(fudge.mode))),
        });
        let pps = flags.contains(ClockFlags::FLAG1).then(|| PpsRequest {
            path: Some(config.pps_device_or("/dev/gpspps%d")),
            fallback_port: Some(PortId::MAIN),
            edge: pps_edge_kind(flags),
            hardpps: flags.contains(ClockFlags::FLAG3),
        });
        let mut cksum = [SeenChecksum::Nothing; 7];
        // RMC has always required a checksum.
        cksum[SentenceKind::Rmc.index()] = SeenChecksum::With;
        // ntpd zero-fills `struct refclockproc`, so `pp->leap` starts as
        // LEAP_NOWARNING (only the peer starts "not in sync"): a ZDA-only
        // receiver, whose sentences never set it, is usable from the start.
        ctx.clock.leap = Leap::NoWarning;
        let driver = NmeaDriver {
            framer: LineFramer::new(),
            unit: Unit {
                basedate: config.basedate,
                rcvtout: 0,
                ppsapi_gate: false,
                pps_flag: false,
                precision: PRECISION,
                gps_time: false,
                last_reftime: None,
                last_gpsdate: None,
                hold_gpsdate: 0,
                type_gpsdate: DateType::None,
                tally: Tally::default(),
                totals: Tally::default(),
                cksum,
                pps_edge: None,
            },
        };
        Ok((driver, Ports::one(port).with_pps(pps)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let NmeaDriver { framer, unit } = self;
        framer.feed(data, rectime, |line| {
            unit.procline(ctx, line.data, !line.is_complete(), line.last)
        });
    }

    fn pps(&mut self, ctx: &mut Context<'_>, edge: PpsEdge) {
        if edge.kind == pps_edge_kind(ctx.fudge().flags) {
            self.unit.pps_edge = Some(edge);
        }
    }

    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let unit = &mut self.unit;
        if unit.rcvtout > 0 {
            unit.rcvtout -= 1;
        } else if !ctx.clock.pending().is_empty() {
            // Nothing new for a while: age out the oldest sample and drop
            // any half-assembled line.
            ctx.clock.expire_samples(1);
            self.framer.reset();
        }
        if unit.hold_gpsdate > 0 {
            unit.hold_gpsdate -= 1;
            if unit.hold_gpsdate < DATE_HLIM {
                unit.type_gpsdate = DateType::None;
            }
        }
    }

    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let mode = ctx.fudge().mode;
        let unit = &mut self.unit;
        if !unit.ppsapi_gate {
            unit.pps_flag = false;
            unit.precision = PRECISION;
        } else {
            unit.ppsapi_gate = false;
        }
        if ctx.clock.pending().is_empty() {
            unit.pps_flag = false;
            if ctx.clock.status.code() < ClockEvent::Timeout.code() {
                ctx.report(ClockEvent::Timeout);
            }
            // ntpd zeroes the held date here; we forget it, so that time-only
            // sentences fall back to the receive time as pivot.
            unit.last_gpsdate = None;
        } else {
            ctx.clock.counters.polls += 1;
            ctx.clock.lastref = ctx.clock.lastrec;
            let _ = ctx.receive();
            if ctx.clock.status.code() > ClockEvent::Nominal.code() {
                ctx.report(ClockEvent::Nominal);
            }
        }
        let text = if mode & MODE_EXTLOG != 0 {
            let code = ctx.clock.timecode();
            let t = &unit.tally;
            format!(
                "{}  {} {} {} {} {} {}",
                if code.is_empty() { "(none)" } else { code },
                t.total,
                t.accepted,
                t.rejected,
                t.malformed,
                t.filtered,
                t.pps_used
            )
        } else {
            ctx.clock.timecode().to_string()
        };
        ctx.clockstats(text);
        unit.tally = Tally::default();
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        if let PortEvent::Closed(_) = event {
            self.framer.reset();
        }
    }
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
