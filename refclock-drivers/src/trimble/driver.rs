//! The Trimble driver's logic: ntpd 4.2.8p18's `palisade_start`,
//! `palisade_io`, `TSIP_decode`, `palisade_receive`, `palisade_poll`,
//! `praecis_parse` and `HW_poll` (refclock_palisade.c) on top of
//! refclock-core, with the fixes listed in the module documentation.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::driver::OptionInfo;
use refclock_core::framing::{DleFramer, FrameStatus, Framer};
use refclock_core::gps::EraWindow;
use refclock_core::port::{PortEvent, PortSpec, PpsEdge, PpsEdgeKind, PpsRequest};
use refclock_core::{
    pps, ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::decode::{decode, Decoded, TimeReport};
use super::receiver::Receiver;
use crate::tsip;

/// Static facts about the driver (ntpd type 29).
pub const INFO: DriverInfo = DriverInfo {
    kind: 29,
    ntpd_name: "PALISADE",
    name: "trimble",
    description: "Trimble Navigation Palisade GPS",
    refid: *b"GPS\0",
};

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/palisade%d";

/// The precision ntpd claims (`PRECISION`, about 1 µs).
pub const PRECISION: i8 = -20;

/// The Praecis' answer to `SPSTAT` is kept up to this many bytes
/// (ntpd's `praecis_parse` buffer).
pub const PRAECIS_MAX: usize = 100;

/// The speeds `option speed=` takes.
pub const SPEEDS: &[u32] = &[4800, 9600, 19_200, 38_400, 57_600, 115_200, 230_400];

/// What the Praecis is asked before each event poll.
pub const SPSTAT: &[u8] = b"SPSTAT\r\n";

/// The driver's state (`struct palisade_unit`).
#[derive(Debug)]
pub(super) struct Unit {
    pub(super) receiver: Receiver,
    pub(super) basedate: Basedate,
    /// `polled`: 2 after a poll, 0 once its sample was taken, -1 after an
    /// error (no timeout reported at the next poll).
    pub(super) polled: i32,
    /// An 8F-AD came since the last 8F-0B (ntpd's `leap_status` test:
    /// the 8F-0B is used only while no 8F-AD comes).
    pub(super) ad_pending: bool,
    /// Month of the last good time report (for the leap check).
    pub(super) month: Option<u8>,
    /// The last 8F-AC announced a leap second.
    pub(super) ac_leap: bool,
    /// Waiting for the Praecis' `SPSTAT` answer (`praecis_msg`).
    pub(super) praecis_msg: bool,
    pub(super) praecis_buf: Vec<u8>,
    /// Time of the last event poll (ntpd's `lastrec` set in `HW_poll`).
    pub(super) event_stamp: Option<Timestamp>,
    /// PPS augmentation asked for (`ppspath`).
    pub(super) pps: bool,
    pub(super) pps_edge: Option<PpsEdge>,
    pub(super) open: bool,
    /// Packets lost to framing damage so far (the framer's skip count).
    pub(super) skipped: u64,
    /// TSIPv1 packets seen (the receiver speaks TSIP version 1).
    pub(super) v1_seen: bool,
}

/// The Trimble TSIP driver (ntpd type 29, `PALISADE`).
///
/// Feed it the receiver's bytes through a [`Clock`](refclock_core::Clock);
/// it writes the start-up configuration when the port opens, triggers an
/// event (RTS pulse, `SPSTAT` first on the Praecis, command 0x21 on the
/// ACE III) at each poll unless the receiver's 1 Hz packets are used, and
/// turns the first good time report after each poll into one sample. See
/// the module documentation.
#[derive(Debug)]
pub struct TrimbleDriver {
    framer: DleFramer,
    pub(super) unit: Unit,
}

impl TrimbleDriver {
    /// The receiver the mode selected.
    pub fn receiver(&self) -> Receiver {
        self.unit.receiver
    }

    /// Whether a TSIP version 1 packet (RES 720) was seen.
    pub fn tsip_v1(&self) -> bool {
        self.unit.v1_seen
    }

    /// Whether a poll waits for its sample.
    pub fn poll_pending(&self) -> bool {
        self.unit.polled > 0
    }
}

/// Whether the 1 Hz packets are used (`flag2`, or a receiver without an
/// event input).
fn synchronous(receiver: Receiver, ctx: &Context<'_>) -> bool {
    receiver.always_synchronous() || ctx.fudge().flag(ClockFlags::FLAG2)
}

impl Unit {
    /// `HW_poll`: the ACE III is asked with 0x21, the others get an RTS
    /// pulse (the Acutime a NUL byte first); the poll time is the
    /// sample's receive time.
    fn hw_poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        if !self.open {
            ctx.report(ClockEvent::Fault);
            return;
        }
        if self.receiver == Receiver::Ace {
            ctx.write(PortId::MAIN, tsip::encode(tsip::CMD_TIME, &[]));
        } else {
            if self.receiver == Receiver::Acutime {
                ctx.write(PortId::MAIN, [0u8]);
            }
            ctx.modem_lines(PortId::MAIN, None, Some(true));
            ctx.modem_lines(PortId::MAIN, None, Some(false));
        }
        self.event_stamp = Some(now);
    }

    /// Bytes while the Praecis' `SPSTAT` answer is awaited; returns the
    /// rest after its CR LF.
    fn praecis<'a>(&mut self, ctx: &mut Context<'_>, data: &'a [u8], now: Timestamp) -> &'a [u8] {
        for (i, &b) in data.iter().enumerate() {
            if self.praecis_buf.len() + 1 >= PRAECIS_MAX {
                ctx.log("trimble: Praecis SPSTAT answer overflows its buffer");
                self.praecis_buf.clear();
                self.praecis_msg = false;
                ctx.report(ClockEvent::BadReply);
                return &data[i..];
            }
            self.praecis_buf.push(b);
            if self.praecis_buf.ends_with(b"\r\n") {
                let n = self.praecis_buf.len() - 2;
                // A clockstats record is one line: a stray CR or LF in the
                // answer becomes a space.
                let line =
                    String::from_utf8_lossy(&self.praecis_buf[..n]).replace(['\r', '\n'], " ");
                ctx.clockstats(line);
                self.praecis_buf.clear();
                self.praecis_msg = false;
                self.hw_poll(ctx, now);
                return &data[i + 1..];
            }
        }
        &[]
    }

    /// One packet from the framer.
    fn packet(
        &mut self,
        ctx: &mut Context<'_>,
        data: &[u8],
        status: FrameStatus,
        first: Timestamp,
    ) {
        if status != FrameStatus::Complete {
            ctx.report(ClockEvent::BadReply);
            return;
        }
        let Some(p) = tsip::Packet::from_frame(data) else {
            return;
        };
        let sync = synchronous(self.receiver, ctx);
        let window = EraWindow::new(&self.basedate, first);
        let decoded = decode(self.receiver, &p, sync, &window);
        if tsip::timing::subcode(&p) == Some(tsip::timing::SUB_PRIMARY_UTC)
            && matches!(decoded, Decoded::Time(_) | Decoded::NoTime(_))
        {
            self.ad_pending = true;
        }
        match decoded {
            Decoded::Ignored => {}
            Decoded::V1 => self.v1_seen = true,
            Decoded::Malformed(why) => {
                ctx.log(format!("trimble: {why}"));
                ctx.report(ClockEvent::BadReply);
                if tsip::v1::is_v1(p.id) {
                    self.v1_seen = true;
                } else {
                    self.polled = -1;
                }
            }
            Decoded::NoTime(why) => {
                if tsip::v1::is_v1(p.id) {
                    self.v1_seen = true;
                }
                if self.polled > 0 {
                    ctx.log(format!("trimble: {why}"));
                    ctx.clock.leap = Leap::NotInSync;
                    ctx.report(ClockEvent::BadTime);
                    self.polled = -1;
                }
                self.month = None;
            }
            Decoded::NoUtcOffset(why) => {
                if self.polled > 0 {
                    ctx.log(format!("trimble: {why}"));
                    ctx.report(ClockEvent::BadReply);
                    self.polled = -1;
                }
                self.month = None;
            }
            Decoded::Health { bad } => {
                if bad && self.polled > 0 {
                    ctx.report(ClockEvent::BadTime);
                    self.polled = -1;
                }
            }
            Decoded::LeapStatus(_) => {}
            Decoded::Supplemental { leap } => {
                self.ac_leap = leap;
                if self.month.is_some() {
                    ctx.clock.leap = self.ac_leap_indicator();
                }
            }
            Decoded::Time(report) => self.time(ctx, report, sync, first),
        }
    }

    fn ac_leap_indicator(&self) -> Leap {
        // ntpd's month test (bug 2773): only in June and December.
        if self.ac_leap && matches!(self.month, Some(6 | 12)) {
            Leap::AddSecond
        } else {
            Leap::NoWarning
        }
    }

    /// A good time report: one sample per poll.
    fn time(&mut self, ctx: &mut Context<'_>, r: TimeReport, sync: bool, first: Timestamp) {
        if r.v1 {
            self.v1_seen = true;
        }
        let month = CivilTime::from_timestamp(r.utc).month;
        self.month = Some(month);
        if r.comprehensive && self.polled <= 0 {
            self.ad_pending = false;
        }
        if self.polled <= 0 {
            return;
        }
        if r.comprehensive && self.ad_pending {
            // The 8F-AD before it decided (ntpd: an 8F-0B is used only
            // while no 8F-AD comes).
            self.ad_pending = false;
            return;
        }
        let leap = match r.leap {
            Some(l) => l,
            None if r.from_ab_or_v1 => self.ac_leap_indicator(),
            None => ctx.clock.leap,
        };
        let rectime = if sync {
            first
        } else {
            match self.event_stamp {
                Some(t) => t,
                None => return,
            }
        };
        let rectime = if sync && self.pps {
            pps::augment(self.pps_edge, rectime, 0.0).unwrap_or(rectime)
        } else {
            rectime
        };
        self.polled = 0;
        ctx.clock.leap = leap;
        let c = CivilTime::from_timestamp(r.utc);
        ctx.clock.fields = refclock_core::clock::DecodedFields {
            year: c.year,
            day: c.yday(),
            hour: c.hour,
            minute: c.minute,
            second: c.second,
            nsec: c.nanos,
        };
        let code = format!(
            "{:4} {:03} {:02}:{:02}:{:02}.{:09}",
            c.year,
            c.yday(),
            c.hour,
            c.minute,
            c.second,
            c.nanos
        );
        ctx.clock.save_timecode(code.as_bytes());
        ctx.clockstats(code);
        let time1 = ctx.fudge().time1();
        ctx.process_offset(r.utc, rectime, time1);
        ctx.clock.lastref = ctx.clock.lastrec;
        let _ = ctx.receive();
    }
}

impl Driver for TrimbleDriver {
    const INFO: DriverInfo = INFO;

    /// ntpd's `TRMB_MINPOLL` 4 and `TRMB_MAXPOLL` 5 (refclock_palisade.h), which its start
    /// routine sets on the peer.
    const POLL_RANGE: Option<(u8, u8)> = Some((4, 5));

    const OPTIONS: &'static [OptionInfo] = &[OptionInfo::value(
        "speed",
        "line speed in baud instead of the mode's (RES SMT 360 and RES 720: 115200)",
    )];

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let mode = config.fudge.mode & 0x7F;
        let receiver = Receiver::from_mode(mode).unwrap_or_else(|| {
            ctx.log(format!(
                "trimble: mode {mode} unknown; run as mode 0 (Palisade), as ntpd does"
            ));
            Receiver::Palisade
        });
        ctx.log(format!("trimble: {} mode", receiver.name()));
        let mut line = receiver.serial_config();
        if let Some(v) = config.option_value("speed") {
            line.baud = match v.parse::<u32>() {
                Ok(b) if SPEEDS.contains(&b) => b,
                _ => {
                    return Err(StartError::BadOption {
                        name: "speed".into(),
                        reason: format!("{v:?} is not one of {SPEEDS:?}"),
                    })
                }
            };
        }
        let port = PortSpec::serial(config.device_or(DEVICE), line);
        let pps = config.pps_device.clone().map(|path| PpsRequest {
            path: Some(path),
            fallback_port: None,
            edge: PpsEdgeKind::Assert,
            hardpps: false,
        });
        let driver = TrimbleDriver {
            framer: DleFramer::new(),
            unit: Unit {
                receiver,
                basedate: config.basedate,
                polled: 0,
                ad_pending: false,
                month: None,
                ac_leap: false,
                praecis_msg: false,
                praecis_buf: Vec::new(),
                event_stamp: None,
                pps: pps.is_some(),
                pps_edge: None,
                open: false,
                skipped: 0,
                v1_seen: false,
            },
        };
        Ok((driver, Ports::one(port).with_pps(pps)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let TrimbleDriver { framer, unit } = self;
        let mut data = data;
        if unit.praecis_msg {
            data = unit.praecis(ctx, data, rectime);
        }
        framer.feed(data, rectime, |f| {
            unit.packet(ctx, f.data, f.status, f.first)
        });
        let skipped = framer.skipped();
        if skipped > unit.skipped {
            unit.skipped = skipped;
            ctx.report(ClockEvent::BadReply);
        }
    }

    fn pps(&mut self, _ctx: &mut Context<'_>, edge: PpsEdge) {
        if edge.kind == PpsEdgeKind::Assert {
            self.unit.pps_edge = Some(edge);
        }
    }

    /// `palisade_poll`: a timeout if the last poll got no sample, then an
    /// event poll unless the 1 Hz packets are used.
    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let sync = synchronous(self.unit.receiver, ctx);
        let unit = &mut self.unit;
        ctx.clock.counters.polls += 1;
        if unit.polled > 0 {
            ctx.report(ClockEvent::Timeout);
        }
        unit.polled = 2;
        if sync {
            return;
        }
        if unit.receiver == Receiver::Praecis && unit.open {
            ctx.write(PortId::MAIN, SPSTAT);
            unit.praecis_msg = true;
            unit.praecis_buf.clear();
            return;
        }
        unit.hw_poll(ctx, now);
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => {
                self.unit.open = true;
                self.framer.reset();
                self.unit.skipped = self.framer.skipped();
                self.unit.praecis_msg = false;
                for packet in self.unit.receiver.start_packets() {
                    ctx.write(PortId::MAIN, packet);
                }
            }
            PortEvent::Closed(_) => {
                self.unit.open = false;
                self.framer.reset();
                self.unit.skipped = self.framer.skipped();
            }
            PortEvent::WriteFailed(e) | PortEvent::ModemLinesFailed(e) => {
                ctx.log(format!("trimble: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }
}
