//! The Spectracom driver's logic: ntpd 4.2.8p18's `wwvb_start`,
//! `wwvb_receive`, `wwvb_timer`, `wwvb_poll` and `wwvb_control`.

use refclock_core::clock::DecodedFields;
use refclock_core::framing::{FrameStatus, Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, PpsEdge, PpsEdgeKind, PpsRequest, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, SpectracomError, POLL, TABLE_POLL};

/// Static facts about the driver (ntpd type 4).
pub const INFO: DriverInfo = DriverInfo {
    kind: 4,
    ntpd_name: "SPECTRACOM",
    name: "spectracom",
    description: "Spectracom (generic) Receivers",
    refid: *b"WWVB",
};

/// Precision the clock claims (`PRECISION`, about 100 µs).
pub const PRECISION: i8 = -13;

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/wwvb%d";

/// Lines of the clock's quality table read after the first poll of a day
/// with flag4 (`MONLIN`).
pub const MONITOR_LINES: u8 = 15;

/// The Spectracom WWVB/GPS driver (ntpd type 4, `SPECTRACOM`).
///
/// Feed it the clock's bytes through a [`Clock`](refclock_core::Clock);
/// each timecode gives one raw sample stamped with the CR that went out
/// on time before it (offset = named time − that CR's receive time +
/// `time2`), or, with flag1 and a working PPS source, the pulses give the
/// samples (+ `time1`). See the module documentation.
#[derive(Debug)]
pub struct SpectracomDriver {
    framer: LineFramer,
    unit: Unit,
}

/// The driver's state besides the framer (`struct wwvbunit`).
#[derive(Debug, Default)]
struct Unit {
    /// Receive time of the last CR (`laststamp`).
    laststamp: Option<Timestamp>,
    /// The last line end was a CR, so the next empty line is its LF
    /// (`prev_eol_cr`).
    prev_eol_cr: bool,
    /// Hour of the last timecode at the last poll (`lasthour`).
    lasthour: u8,
    /// Lines of the quality table still to log (`linect`).
    linect: u8,
    /// Timecodes since the last poll (`tcount`).
    tcount: u32,
    /// PPS samples since the last poll (`pcount`).
    pcount: u32,
    /// The PPS gives the samples (`FLAG_PPS`).
    pps_active: bool,
    open: bool,
}

impl SpectracomDriver {
    /// Whether the PPS signal gives the samples now (flag1, and a pulse
    /// since the last poll).
    pub fn pps_in_control(&self) -> bool {
        self.unit.pps_active
    }

    /// Lines of the quality table still to be logged (flag4).
    pub fn table_lines_left(&self) -> u8 {
        self.unit.linect
    }
}

/// The PPS edge the flags select (flag2: the clear edge), as ntpd's
/// `refclock_params` has it.
fn pps_edge_kind(flags: ClockFlags) -> PpsEdgeKind {
    if flags.contains(ClockFlags::FLAG2) {
        PpsEdgeKind::Clear
    } else {
        PpsEdgeKind::Assert
    }
}

impl Unit {
    /// An empty line: the receive time of a CR is kept, an LF's dropped;
    /// they alternate, and the line end of a timecode was a CR.
    fn empty_line(&mut self, rectime: Timestamp) {
        if !self.prev_eol_cr {
            self.laststamp = Some(rectime);
        }
        self.prev_eol_cr = !self.prev_eol_cr;
    }

    /// A line with characters, whose end came at `trtmp`.
    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], trtmp: Timestamp, status: FrameStatus) {
        let lastrec = self.laststamp.replace(trtmp);
        self.prev_eol_cr = true;
        let Some(lastrec) = lastrec else {
            // No CR seen yet: its on-time mark is unknown.
            return;
        };
        ctx.clock.save_timecode(text);
        let decoded = if status == FrameStatus::Overflow {
            Err(SpectracomError::Length(text.len()))
        } else {
            codec::decode(text)
        };
        let t = match decoded {
            Ok(t) => t,
            Err(e) => {
                if e.event() == ClockEvent::BadReply && self.linect > 0 {
                    // A line of the quality table.
                    self.linect -= 1;
                    ctx.clockstats(String::from_utf8_lossy(text).into_owned());
                } else {
                    let shown = ctx.clock.timecode().to_string();
                    ctx.log(format!("bad timecode '{shown}': {e}"));
                    ctx.report(e.event());
                }
                return;
            }
        };
        ctx.clock.fields = DecodedFields {
            year: t.year.map_or(0, i32::from),
            day: t.day,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: u32::from(t.millis) * 1_000_000,
        };
        if !matches!(t.quality, b' ' | b'A'..=b'D') {
            // ntpd counts it and goes on with the sample.
            ctx.report(ClockEvent::BadReply);
        }
        ctx.clock.leap = if !t.in_sync() {
            Leap::NotInSync
        } else if t.leap_warning() {
            Leap::AddSecond
        } else {
            Leap::NoWarning
        };
        self.tcount += 1;
        if self.pps_active {
            return;
        }
        let time2 = ctx.fudge().time2();
        // Reports a bad time when the fields do not fit the receive time.
        let _ = ctx.process_fields(lastrec, time2);
    }
}

impl Driver for SpectracomDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let flags = config.fudge.flags;
        let port = PortSpec::serial(config.device_or(DEVICE), SerialConfig::canonical_8n1(9600));
        // flag1: the PPS on the clock's own port (ntpd's wwvb_control),
        // or on the PPS device given.
        let pps = flags.contains(ClockFlags::FLAG1).then(|| PpsRequest {
            path: config.pps_device.clone(),
            fallback_port: Some(PortId::MAIN),
            edge: pps_edge_kind(flags),
            hardpps: flags.contains(ClockFlags::FLAG3),
        });
        ctx.clock.leap = Leap::NoWarning;
        let driver = SpectracomDriver {
            framer: LineFramer::new(),
            unit: Unit::default(),
        };
        Ok((driver, Ports::one(port).with_pps(pps)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let SpectracomDriver { framer, unit } = self;
        // Byte by byte, to see the empty lines the line framer skips: the
        // CR of one of them is the on-time mark.
        for &b in data {
            let c = b & 0x7f;
            if (c == b'\r' || c == b'\n') && framer.pending() == 0 {
                unit.empty_line(rectime);
                continue;
            }
            framer.feed(&[b], rectime, |f| unit.line(ctx, f.data, f.last, f.status));
        }
    }

    /// `wwvb_timer`: a `T` every second (an `R` while the quality table
    /// is being read); the clock answers, or runs on its own and ignores
    /// it.
    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        if !self.unit.open {
            return;
        }
        let c = if self.unit.linect > 0 {
            TABLE_POLL
        } else {
            POLL
        };
        ctx.write(PortId::MAIN, vec![c]);
    }

    /// `refclock_pps` through the timer: each pulse of the selected edge
    /// is a sample (+ `time1`) and puts the PPS in control until a poll
    /// interval passes without one.
    fn pps(&mut self, ctx: &mut Context<'_>, edge: PpsEdge) {
        let flags = ctx.fudge().flags;
        if !flags.contains(ClockFlags::FLAG1) || edge.kind != pps_edge_kind(flags) {
            return;
        }
        let time1 = ctx.fudge().time1();
        ctx.process_pps(edge.time, time1);
        self.unit.pcount += 1;
        self.unit.pps_active = true;
    }

    /// `wwvb_poll`: the quality table at the first poll of a day (flag4),
    /// the PPS out of control after an interval without pulses, a timeout
    /// (and the pending samples dropped) after one without timecodes;
    /// otherwise the filter.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let unit = &mut self.unit;
        ctx.clock.counters.polls += 1;
        let hour = ctx.clock.fields.hour;
        if ctx.fudge().flag(ClockFlags::FLAG4) && hour < unit.lasthour {
            unit.linect = MONITOR_LINES;
        }
        unit.lasthour = hour;
        if unit.pcount == 0 {
            unit.pps_active = false;
        }
        if unit.tcount == 0 {
            let n = ctx.clock.pending().len();
            ctx.clock.expire_samples(n);
            ctx.report(ClockEvent::Timeout);
            return;
        }
        unit.pcount = 0;
        unit.tcount = 0;
        let _ = ctx.receive();
        let code = ctx.clock.timecode().to_string();
        ctx.clockstats(code);
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => {
                self.unit.open = true;
                self.unit.laststamp = None;
                self.unit.prev_eol_cr = false;
                self.framer.reset();
            }
            PortEvent::Closed(_) => {
                self.unit.open = false;
                self.framer.reset();
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("spectracom: write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }
}
