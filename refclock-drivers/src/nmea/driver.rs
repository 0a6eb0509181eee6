//! The NMEA driver's logic: ntpd 4.2.8p18's `nmea_receive`,
//! `nmea_procrec`, `nmea_timer` and `nmea_poll` as a state machine.

use std::path::PathBuf;

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::clock::DecodedFields;
use refclock_core::driver::{
    DeviceSpec, PpsEdge, PpsEdgeKind, PpsRequest, SerialConfig, StartError,
};
use refclock_core::line::LineFramer;
use refclock_core::{
    Action, ClockEvent, ClockFlags, ClockId, ClockState, Driver, DriverConfig, DriverInfo, Leap,
    Timestamp,
};

use super::calgps::{self, DateType, DATE_HLIM, DATE_HOLD};
use super::parse::{self, Checksum, Date, ParseError, SentenceKind, Status, MAX_LINE};

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

/// PPS phase noise gap, as fractions of 2^32 (0.45 .. 0.55 s).
const PPS_PLIM_HI: u32 = 1_932_735_284;
const PPS_PLIM_LO: u32 = 2_362_232_013;
const NANOS: i128 = 1_000_000_000;

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
enum SeenChecksum {
    Nothing,
    Without,
    With,
}

impl From<Checksum> for SeenChecksum {
    fn from(c: Checksum) -> Self {
        match c {
            Checksum::None => SeenChecksum::Without,
            Checksum::Valid => SeenChecksum::With,
        }
    }
}

/// The NMEA driver's own state (`nmea_unit`, without the line buffer).
#[derive(Debug)]
struct Unit {
    basedate: Basedate,
    /// Seconds before sample expiry starts (`rcvtout`).
    rcvtout: u16,
    /// A PPS-augmented sample was taken since the last poll.
    ppsapi_gate: bool,
    /// The peer's FLAG_PPS: PPS is in control.
    pps_flag: bool,
    precision: i8,
    /// A ZDG was seen: GPS time from now on, UTC sentences ignored.
    gps_time: bool,
    last_reftime: Option<Timestamp>,
    /// Last date seen; `None` after a poll without samples.
    last_gpsdate: Option<Timestamp>,
    hold_gpsdate: u16,
    type_gpsdate: DateType,
    tally: Tally,
    totals: Tally,
    cksum: [SeenChecksum; 7],
    pps_edge: Option<PpsEdge>,
}

/// The NMEA GPS driver (ntpd type 20, `GPS_NMEA`).
///
/// Feed it the receiver's bytes with [`Driver::receive`]; each complete
/// sentence is checked, selected, decoded and turned into at most one raw
/// sample (`offset = reference time − (receive time − time2)`), or into a
/// clock event saying why not. See the module documentation for the rules.
#[derive(Debug)]
pub struct NmeaDriver {
    clock: ClockState,
    device: Option<PathBuf>,
    pps_device: Option<PathBuf>,
    framer: LineFramer,
    unit: Unit,
}

impl NmeaDriver {
    /// A driver for `config` (nothing is opened until the host acts on
    /// [`Driver::startup`]).
    pub fn new(config: DriverConfig) -> NmeaDriver {
        let id = ClockId {
            kind: INFO.kind,
            unit: config.unit,
        };
        let mut cksum = [SeenChecksum::Nothing; 7];
        // RMC has always required a checksum.
        cksum[SentenceKind::Rmc.index()] = SeenChecksum::With;
        let mut clock = ClockState::new(id, config.fudge);
        // ntpd zero-fills `struct refclockproc`, so `pp->leap` starts as
        // LEAP_NOWARNING (only the peer starts "not in sync"): a ZDA-only
        // receiver, whose sentences never set it, is usable from the start.
        clock.leap = Leap::NoWarning;
        NmeaDriver {
            clock,
            device: config.device,
            pps_device: config.pps_device,
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
        }
    }

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

    fn mode(&self) -> u32 {
        self.clock.fudge.mode
    }

    fn flag(&self, f: ClockFlags) -> bool {
        self.clock.fudge.flag(f)
    }
}

impl Driver for NmeaDriver {
    fn info(&self) -> &'static DriverInfo {
        &INFO
    }

    fn clock(&self) -> &ClockState {
        &self.clock
    }

    fn clock_mut(&mut self) -> &mut ClockState {
        &mut self.clock
    }

    fn startup(&mut self) -> Result<DeviceSpec, StartError> {
        let unit = self.clock.id.unit;
        let path = self
            .device
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("/dev/gps{unit}")));
        let pps = self.flag(ClockFlags::FLAG1).then(|| PpsRequest {
            path: Some(
                self.pps_device
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(format!("/dev/gpspps{unit}"))),
            ),
            fallback_to_serial: true,
            edge: self.pps_edge_kind(),
            hardpps: self.flag(ClockFlags::FLAG3),
        });
        Ok(DeviceSpec {
            path,
            serial: Some(SerialConfig::canonical_8n1(baud_rate(self.mode()))),
            pps,
            read_size: 0,
            // p18's nmead_open(): /dev/gpsN may link to host:port.
            tcp_fallback: true,
        })
    }

    fn receive(&mut self, data: &[u8], rectime: Timestamp) {
        let NmeaDriver {
            clock,
            framer,
            unit,
            ..
        } = self;
        for line in framer.feed(data, rectime) {
            unit.procline(clock, line.bytes(), line.overflow, line.time);
        }
    }

    fn pps(&mut self, edge: PpsEdge) {
        if edge.kind == self.pps_edge_kind() {
            self.unit.pps_edge = Some(edge);
        }
    }

    fn wants_pps(&self) -> bool {
        self.flag(ClockFlags::FLAG1)
    }

    fn timer(&mut self, _now: Timestamp) {
        let unit = &mut self.unit;
        if unit.rcvtout > 0 {
            unit.rcvtout -= 1;
        } else if !self.clock.pending().is_empty() {
            // Nothing new for a while: age out the oldest sample and drop
            // any half-assembled line.
            self.clock.expire_samples(1);
            self.framer.reset();
        }
        if unit.hold_gpsdate > 0 {
            unit.hold_gpsdate -= 1;
            if unit.hold_gpsdate < DATE_HLIM {
                unit.type_gpsdate = DateType::None;
            }
        }
    }

    fn poll(&mut self, _now: Timestamp) {
        let mode = self.mode();
        let unit = &mut self.unit;
        let clock = &mut self.clock;
        if !unit.ppsapi_gate {
            unit.pps_flag = false;
            unit.precision = PRECISION;
        } else {
            unit.ppsapi_gate = false;
        }
        if clock.pending().is_empty() {
            unit.pps_flag = false;
            if clock.status.code() < ClockEvent::Timeout.code() {
                clock.report(ClockEvent::Timeout);
            }
            // ntpd zeroes the held date here; we forget it, so that time-only
            // sentences fall back to the receive time as pivot.
            unit.last_gpsdate = None;
        } else {
            clock.counters.polls += 1;
            clock.lastref = clock.lastrec;
            let _ = clock.receive();
            if clock.status.code() > ClockEvent::Nominal.code() {
                clock.report(ClockEvent::Nominal);
            }
        }
        let text = if mode & MODE_EXTLOG != 0 {
            let code = clock.timecode();
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
            clock.timecode().to_string()
        };
        clock.push_action(Action::ClockStats(text));
        unit.tally = Tally::default();
    }

    fn device_lost(&mut self) {
        self.framer.reset();
    }
}

impl NmeaDriver {
    fn pps_edge_kind(&self) -> PpsEdgeKind {
        if self.flag(ClockFlags::FLAG2) {
            PpsEdgeKind::Clear
        } else {
            PpsEdgeKind::Assert
        }
    }
}

impl Unit {
    fn count(&mut self, f: impl Fn(&mut Tally)) {
        f(&mut self.tally);
        f(&mut self.totals);
    }

    /// One line from the framer (`nmea_receive`'s per-line step): the
    /// sentence starts at the first `$`; a line with none, or one longer
    /// than the buffer, is dropped as ntpd's assembler drops it.
    fn procline(&mut self, clock: &mut ClockState, raw: &[u8], overflow: bool, rectime: Timestamp) {
        let start = raw.iter().position(|&b| b == b'$');
        match start {
            Some(s) if !overflow => {
                let mut buf = [0u8; MAX_LINE];
                let line = &raw[s..raw.len().min(s + MAX_LINE)];
                buf[..line.len()].copy_from_slice(line);
                self.procrec(clock, &mut buf[..line.len()], rectime);
            }
            _ => self.count(|t| t.dropped += 1),
        }
    }

    /// `nmea_procrec`: one sentence received at `rectime`.
    fn procrec(&mut self, clock: &mut ClockState, line: &mut [u8], rectime: Timestamp) {
        let fudge = &clock.fudge;
        let mode = fudge.mode;
        let (time1, time2) = (fudge.time1(), fudge.time2());
        let flag1 = fudge.flag(ClockFlags::FLAG1);
        let flag4 = fudge.flag(ClockFlags::FLAG4);

        let frame = match parse::frame(line) {
            Ok(f) => f,
            Err(ParseError::Empty) => return,
            Err(e) => {
                clock.push_action(Action::Log(format!(
                    "{} invalid data: '{}': {e}",
                    clock.id,
                    String::from_utf8_lossy(line)
                )));
                clock.report(ClockEvent::BadReply);
                self.count(|t| t.invalid += 1);
                return;
            }
        };
        self.count(|t| t.total += 1);
        let kind = match parse::identify(frame.body) {
            Ok(k) => k,
            Err(_) => {
                self.count(|t| t.unknown += 1);
                return;
            }
        };

        if mode & MODE_DELAYMEAS != 0 {
            let name_end = line.iter().position(|&b| b == b',').unwrap_or(line.len());
            clock.push_action(Action::ClockStats(format!(
                "delay {:.6} {}",
                rectime.subsec_nanos() as f64 * 1e-9,
                String::from_utf8_lossy(&line[..name_end])
            )));
        }

        if mode & MODE_MESSAGE_MASK != 0 && mode & sentence_mode(kind) == 0 {
            self.count(|t| t.filtered += 1);
            return;
        }

        // Once a sentence type has come with a checksum, it must always.
        let seen = SeenChecksum::from(frame.checksum);
        let slot = &mut self.cksum[kind.index()];
        if *slot <= seen {
            *slot = seen;
        } else {
            clock.push_action(Action::Log(format!(
                "{} {}",
                clock.id,
                ParseError::MissingChecksum { kind }
            )));
            clock.report(ClockEvent::BadReply);
            self.count(|t| t.malformed += 1);
            return;
        }

        // ZDG is GPS time; never mix it with UTC.
        if kind == SentenceKind::Zdg {
            if !self.gps_time {
                self.gps_time = true;
                clock.push_action(Action::Log(format!(
                    "{} using GPS time as if it were UTC",
                    clock.id
                )));
            }
        } else if self.gps_time {
            self.count(|t| t.filtered += 1);
            return;
        }

        let fields = parse::Fields::split(frame.body);
        let name = fields.get(0);
        let talker = parse::Talker([name[0], name[1]]);
        let s = parse::decode_fields(kind, talker, frame.checksum, &fields);

        // Which date to take, given the one held (`type_gpsdate`).
        let date_type = match kind {
            SentenceKind::Rmc => DateType::TwoDigitYear,
            SentenceKind::Pgrmf => DateType::Week10Bit,
            SentenceKind::Zda | SentenceKind::Zdg => DateType::FourDigitYear,
            SentenceKind::Pubx04 => DateType::WeekExtended,
            SentenceKind::Gga | SentenceKind::Gll => DateType::None,
        };
        let date_type = if date_type != DateType::None && self.type_gpsdate <= date_type {
            date_type
        } else {
            DateType::None
        };
        if s.status != Status::NotReported {
            clock.leap = if s.status == Status::InSync {
                Leap::NoWarning
            } else {
                Leap::NotInSync
            };
        }
        if flag4 {
            parse::obscure_position(line, kind);
        }
        if mode & MODE_IGNSTATUS != 0 {
            clock.leap = Leap::NoWarning;
        }

        // ntpd's order of checks: status, then time, then the date (when
        // this sentence's date is to be used at all).
        let verdict = if clock.leap == Leap::NotInSync {
            Err((ClockEvent::Prop, None))
        } else {
            match (s.time, s.date) {
                (Err(e), _) => Err((ClockEvent::BadTime, Some(e))),
                (Ok(time), _) if date_type == DateType::None => Ok((time, None)),
                (Ok(time), Ok(Some(date))) => Ok((time, Some(date))),
                (Ok(_), Err(e)) => Err((ClockEvent::BadDate, Some(e))),
                (Ok(_), Ok(None)) => Err((ClockEvent::BadDate, None)),
            }
        };
        let (time, date) = match verdict {
            Ok(v) => v,
            Err((event, err)) => {
                if event == ClockEvent::Prop {
                    self.count(|t| t.rejected += 1);
                } else {
                    self.count(|t| t.malformed += 1);
                }
                if let Some(e) = err {
                    clock.push_action(Action::Log(format!("{} {e}", clock.id)));
                }
                clock.save_timecode(line);
                clock.report(event);
                return;
            }
        };

        // The receive time: PPS edge when one relates, else minus time2.
        let mut rcv = rectime.add_secs_f64(-time2);
        let mut with_pps = false;
        if flag1 && clock.leap != Leap::NotInSync {
            if let Some(t) = pps_augment(self.pps_edge, rcv, time1) {
                rcv = t;
                with_pps = true;
            }
        }

        // ZDG states the second that the *next* PPS starts.
        let tod = time.nanos_of_day()
            - if kind == SentenceKind::Zdg {
                1_000_000_000
            } else {
                0
            };
        let base = self.basedate;
        let mut warp = mode & MODE_DATETRUST == 0;
        if let Some(date) = date {
            let held = match date {
                Date::GpsWeek {
                    week,
                    tow,
                    tow_nanos,
                    leap,
                } => {
                    if date_type == DateType::Week10Bit {
                        warp = true;
                    }
                    calgps::from_gps_week(week, tow, tow_nanos, leap, &base)
                }
                Date::Ddmmyy { day, month, yy } => {
                    calgps::from_calendar(yy as i32, month, day, tod, warp, &base)
                }
                Date::DayMonthYear { day, month, year } => {
                    calgps::from_calendar(year as i32, month, day, tod, warp, &base)
                }
            };
            self.last_gpsdate = Some(held);
            self.type_gpsdate = date_type;
            self.hold_gpsdate = DATE_HOLD;
        }
        let pivot = match self.last_gpsdate {
            Some(d) if self.hold_gpsdate > 0 => d,
            _ => rcv,
        };
        let reftime = calgps::from_daytime_warped(tod, pivot, warp, &base);

        if self.last_reftime == Some(reftime) {
            self.count(|t| t.filtered += 1);
            return;
        }
        self.last_reftime = Some(reftime);
        self.count(|t| t.accepted += 1);
        clock.save_timecode(line);
        let civil = CivilTime::from_timestamp(reftime);
        clock.fields = DecodedFields {
            year: civil.year,
            day: civil.yday(),
            hour: civil.hour,
            minute: civil.minute,
            second: civil.second,
            nsec: civil.nanos,
        };
        if with_pps {
            self.ppsapi_gate = true;
            self.precision = PPS_PRECISION;
            if reftime.diff(rcv).abs() < 0.5 {
                if mode & MODE_QUIETPPS == 0 {
                    self.pps_flag = true;
                }
                self.count(|t| t.pps_used += 1);
            }
        }
        clock.process_offset(reftime, rcv, 0.0);
        self.rcvtout = 2;
    }
}

/// `refclock_ppsaugment`: moves the (time2-corrected) receive time `rcv`
/// onto the phase of the last PPS edge (corrected by `time1`), to the
/// nearest second. `None` when there is no edge, the edge is stale (two
/// seconds or more away), or the phase is too close to half a second to
/// tell which way to go.
fn pps_augment(edge: Option<PpsEdge>, rcv: Timestamp, time1: f64) -> Option<Timestamp> {
    let stamp = edge?.time.add_secs_f64(-time1);
    let delta = stamp.as_nanos() - rcv.as_nanos();
    if !(-2..=1).contains(&delta.div_euclid(NANOS)) {
        return None;
    }
    let frac = delta.rem_euclid(NANOS);
    let phase = ((frac << 32) / NANOS) as u32;
    if phase > PPS_PLIM_HI && phase < PPS_PLIM_LO {
        return None;
    }
    let shift = if phase >> 31 != 0 { frac - NANOS } else { frac };
    Some(Timestamp::from_nanos(rcv.as_nanos() + shift))
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
