//! The Oncore driver: ntpd 4.2.8p18's `oncore_start`, `oncore_poll`,
//! `oncore_receive`/`oncore_consume` and `oncore_get_timestamp`. The
//! per-message handlers and the start-up state machine are in
//! `handshake.rs`.

use std::path::{Path, PathBuf};

use refclock_core::calendar::Basedate;
use refclock_core::driver::OptionInfo;
use refclock_core::framing::{FrameStatus, Framer, OncoreFramer};
use refclock_core::gps::EraWindow;
use refclock_core::port::{
    PortEvent, PortSpec, PpsEdge, PpsEdgeKind, PpsRequest, SerialConfig, StatusFileSpec,
};
use refclock_core::{
    ClockEvent, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports, StartError,
    Timestamp,
};

use super::codec::{self, FixMode, Position};
use super::config::{self, OncoreConfig};
use super::leap::Broadcast;
use super::status::StatusImage;

/// Static facts about the driver (ntpd type 30).
pub const INFO: DriverInfo = DriverInfo {
    kind: 30,
    ntpd_name: "ONCORE",
    name: "oncore",
    description: "Motorola UT Oncore GPS",
    refid: *b"GPS\0",
};

/// Seconds between polls: ntpd fixes minpoll = maxpoll = 4.
pub const POLL_SECS: u8 = 16;

/// The serial device pattern.
pub const DEVICE: &str = "/dev/oncore.serial.%d";
/// The PPS device pattern.
pub const PPS_DEVICE: &str = "/dev/oncore.pps.%d";

/// Where the start-up handshake is (ntpd's `receive_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Nothing sent yet.
    NoIdea,
    /// `@@Cj` sent: waiting for the receiver id.
    CheckId,
    /// `@@Ba`, `@@Ea`, `@@Ha` sent: counting which answer.
    CheckChan,
    /// Channels known, `@@Cj` sent again.
    HaveChan,
    /// `@@Cf` (factory defaults) sent: modes 3 and 4.
    ResetSent,
    /// Self test (`@@Ca`/`@@Fa`/`@@Ia`) sent.
    TestSent,
    /// Self test passed, `@@Cj` sent: the next one configures.
    Init,
    /// Configured; waiting for an almanac.
    Almanac,
    /// Running: samples.
    Run,
    /// Given up (no answer, failed self test, power-on failure): ntpd
    /// shuts the driver down.
    Dead,
}

/// Site survey state (ntpd's `site_survey_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Survey {
    /// Not decided.
    Unknown,
    /// Asked the receiver; waiting to see whether it surveys.
    Testing,
    /// The receiver surveys.
    Hardware,
    /// The driver averages 10000 3D fixes itself.
    Software,
    /// Position known: position hold.
    Done,
}

/// Counters of what came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Tally {
    /// Good messages.
    pub messages: u64,
    /// Messages with a bad checksum.
    pub bad_checksum: u64,
    /// Bytes dropped while searching for a message (truncated messages,
    /// noise, unknown ids).
    pub skipped: u64,
    /// Messages that did not decode.
    pub bad: u64,
    /// Samples taken.
    pub samples: u64,
    /// Samples refused for want of a fresh PPS edge.
    pub no_pulse: u64,
}

/// The driver's state besides the framer (ntpd's `struct instance`).
#[derive(Debug)]
pub(super) struct Unit {
    pub(super) cfg: OncoreConfig,
    pub(super) basedate: Basedate,
    pub(super) serial_only: bool,
    pub(super) edge_kind: PpsEdgeKind,
    pub(super) state: State,
    pub(super) survey: Survey,
    pub(super) fix: FixMode,
    pub(super) chan: u8,
    pub(super) chan_ck: u8,
    /// -1 unknown, 0 off, 1 on.
    pub(super) traim: i8,
    pub(super) traim_ck: bool,
    pub(super) traim_delay: u8,
    pub(super) count: u8,
    pub(super) count1: u8,
    pub(super) count2: u8,
    pub(super) count3: u8,
    pub(super) count4: u8,
    pub(super) count5: u8,
    pub(super) count5_set: bool,
    pub(super) counta: u32,
    pub(super) timeout: u8,
    pub(super) pollcnt: u8,
    pub(super) polled: bool,
    pub(super) once: bool,
    pub(super) saw_at: bool,
    pub(super) saw_ay: bool,
    /// -1 no `@@Gj` (use `@@Bj`), 0 unknown, 1 seen.
    pub(super) saw_gj: i8,
    pub(super) bj_day: i16,
    /// PPS offset in ns (the file's, or what `@@Ay` reads back).
    pub(super) offset_ns: i64,
    pub(super) sawtooth: i8,
    pub(super) pos: Option<Position>,
    /// Receive time of the read holding the position message's first byte.
    pub(super) pos_rectime: Timestamp,
    /// No sample was taken (or refused) for `pos` yet.
    pub(super) pos_fresh: bool,
    pub(super) edge: Option<PpsEdge>,
    pub(super) last_sequence: Option<u32>,
    pub(super) ss_sum: [f64; 3],
    pub(super) ss_count: u32,
    pub(super) ticks: u8,
    pub(super) tally: Tally,
    /// The `STATUS` file's content, when the configuration names one.
    pub(super) status: Option<StatusImage>,
    /// The almanac and position were sent back from the status file
    /// (ntpd's `almanac_from_shmem`).
    pub(super) almanac_loaded: bool,
    /// A `POSN2D`/`POSN3D` excursion out of position hold is under way
    /// (ntpd's `shmem_reset`).
    pub(super) status_reset: bool,
    /// The M12 loses its satellites when taken out of position hold:
    /// no `POSN2D`/`POSN3D` excursions there (ntpd's `shmem_bad_Ea`).
    pub(super) no_excursions: bool,
    /// The VP's broadcast leap-second data collected from `@@Bl`.
    pub(super) broadcast: Broadcast,
}

/// Software site survey length (ntpd's `POS_HOLD_AVERAGE`).
pub const POS_HOLD_AVERAGE: u32 = 10_000;

impl Unit {
    fn new(
        cfg: OncoreConfig,
        basedate: Basedate,
        serial_only: bool,
        status: Option<StatusImage>,
    ) -> Unit {
        let offset_ns = i64::from(cfg.offset_ns);
        let edge_kind = if cfg.assert {
            PpsEdgeKind::Assert
        } else {
            PpsEdgeKind::Clear
        };
        Unit {
            cfg,
            basedate,
            serial_only,
            edge_kind,
            state: State::NoIdea,
            survey: Survey::Unknown,
            fix: FixMode::Unknown,
            chan: 0,
            chan_ck: 0,
            traim: -1,
            traim_ck: false,
            traim_delay: 0,
            count: 0,
            count1: 0,
            count2: 0,
            count3: 0,
            count4: 0,
            count5: 0,
            count5_set: false,
            counta: 0,
            timeout: 0,
            pollcnt: 2,
            polled: false,
            once: true,
            saw_at: false,
            saw_ay: false,
            saw_gj: 0,
            bj_day: -1,
            offset_ns,
            sawtooth: 0,
            pos: None,
            pos_rectime: Timestamp::EPOCH,
            pos_fresh: false,
            edge: None,
            last_sequence: None,
            ss_sum: [0.0; 3],
            ss_count: 0,
            // ntpd polls at its first tick, then every 16 s.
            ticks: POLL_SECS - 1,
            tally: Tally::default(),
            status,
            almanac_loaded: false,
            status_reset: false,
            no_excursions: false,
            broadcast: Broadcast::default(),
        }
    }

    /// Sends `body` framed (`oncore_sendmsg`).
    pub(super) fn send(&self, ctx: &mut Context<'_>, body: &[u8]) {
        ctx.write(PortId::MAIN, codec::message(body));
    }

    /// `oncore_poll`, every 16 s.
    fn poll16(&mut self, ctx: &mut Context<'_>) {
        if self.state == State::Dead {
            return;
        }
        if self.timeout > 0 {
            self.timeout -= 1;
            if self.timeout == 0 {
                ctx.log("Oncore: No response from @@Cj, shutting down driver");
                ctx.report(ClockEvent::Timeout);
                self.state = State::Dead;
            } else {
                self.send(ctx, b"Cj");
                ctx.log("Oncore: Resend @@Cj");
            }
            return;
        }
        if self.pollcnt == 0 {
            ctx.report(ClockEvent::Timeout);
        } else {
            self.pollcnt -= 1;
        }
        ctx.clock.counters.polls += 1;
    }

    /// `oncore_get_timestamp`: one sample for the position message last
    /// received, from the latest PPS edge corrected by `dt_ns` (the
    /// sawtooth of this pulse plus the PPS offset), or in serial-only
    /// mode from the message's receive time.
    pub(super) fn get_timestamp(&mut self, ctx: &mut Context<'_>, dt_ns: i64) {
        if self.survey == Survey::Done && self.fix != FixMode::Hold0D {
            return;
        }
        let Some(pos) = self.pos else {
            return;
        };
        if !std::mem::replace(&mut self.pos_fresh, false) {
            // Deliberate: a TRAIM message whose position message was lost
            // must not pair the last one (a second old) with this pulse.
            return;
        }
        if pos.bad_almanac() {
            return;
        }
        if self.count5 > 0 {
            self.count5 -= 1;
            return;
        }
        if pos.chan == 12 && !pos.utc_decoded() {
            // Deliberate: the M12 states GPS time until it has the UTC
            // parameters (see the module documentation).
            return;
        }
        let rectime = if self.serial_only {
            self.pos_rectime.add_secs_f64(-ctx.fudge().time2())
        } else {
            let Some(edge) = self.edge else {
                self.tally.no_pulse += 1;
                return;
            };
            let age = self.pos_rectime.diff(edge.time);
            if Some(edge.sequence) == self.last_sequence || !(0.0..1.0).contains(&age) {
                self.tally.no_pulse += 1;
                ctx.log("ONCORE: oncore_get_timestamp, error serial pps");
                return;
            }
            self.last_sequence = Some(edge.sequence);
            Timestamp::from_nanos(edge.time.as_nanos() - i128::from(dt_ns))
        };
        let reftime = EraWindow::new(&self.basedate, rectime).fix(pos.timestamp());
        let t = pos.time;
        ctx.clock.fields = refclock_core::clock::DecodedFields {
            year: t.year,
            day: refclock_core::calendar::CivilTime {
                second: t.second.min(59),
                ..t
            }
            .yday(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            nsec: 0,
        };
        let time1 = ctx.fudge().time1();
        ctx.process_offset(reftime, rectime, time1);
        self.tally.samples += 1;
        ctx.clockstats(format!(
            "{}.{:09} {} {} {:2} {:2} {:2} rstat {:04x} chan {} traim {} sawtooth {} dt {}",
            rectime.secs(),
            rectime.subsec_nanos(),
            t.year,
            ctx.clock.fields.day,
            t.hour,
            t.minute,
            t.second,
            pos.status,
            pos.chan,
            self.traim,
            self.sawtooth,
            dt_ns
        ));
        self.pollcnt = 2;
        if self.polled {
            self.polled = false;
            ctx.clock.lastref = ctx.clock.lastrec;
            let _ = ctx.receive();
        }
    }
}

/// The Motorola Oncore driver (ntpd type 30, `ONCORE`).
///
/// See the module documentation.
#[derive(Debug)]
pub struct OncoreDriver {
    framer: OncoreFramer,
    pub(super) unit: Unit,
    skipped: u64,
}

impl OncoreDriver {
    /// The handshake state.
    pub fn state(&self) -> State {
        self.unit.state
    }

    /// The site survey state.
    pub fn survey(&self) -> Survey {
        self.unit.survey
    }

    /// Channels in use (0 before the channel test).
    pub fn channels(&self) -> u8 {
        self.unit.chan
    }

    /// TRAIM in use: -1 unknown, 0 off, 1 on.
    pub fn traim(&self) -> i8 {
        self.unit.traim
    }

    /// What the configuration file said.
    pub fn config(&self) -> &OncoreConfig {
        &self.unit.cfg
    }

    /// Counters.
    pub fn tally(&self) -> Tally {
        self.unit.tally
    }

    /// The `STATUS` file's content as the driver last stored it.
    pub fn status_file(&self) -> Option<&StatusImage> {
        self.unit.status.as_ref()
    }

    /// The sawtooth (ns) `@@Hn`/`@@En`/`@@Bn` gave for the next pulse.
    pub fn sawtooth(&self) -> i8 {
        self.unit.sawtooth
    }
}

/// Whether two paths name the same file (ntpd compares `st_dev` and
/// `st_ino`).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

impl Driver for OncoreDriver {
    const INFO: DriverInfo = INFO;

    const OPTIONS: &'static [OptionInfo] = &[
        OptionInfo::switch(
            "serial-only",
            "no PPS line: samples from the @@Ha/@@Ea time and the receive time of its first byte (milliseconds)",
        ),
        OptionInfo::value(
            "config",
            "the configuration file to read instead of searching /etc/ntp and /etc for ntp.oncore.U, ntp.oncoreU, ntp.oncore",
        ),
    ];

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let explicit = config.option_value("config").map(PathBuf::from);
        let cfg = config::resolve(config.unit, explicit.as_deref())
            .map_err(|e| StartError::Other(format!("configuration file: {e}")))?;
        ctx.log("ONCORE DRIVER -- CONFIGURING");
        match &cfg.file {
            Some(f) => ctx.log(format!("configuration from {}", f.display())),
            None => ctx.log("no configuration file: mode 4 (hard reset, site survey)"),
        }
        for w in &cfg.warnings {
            ctx.log(w.clone());
        }
        ctx.log(format!("Input mode = {}", cfg.mode));
        // Read before any chroot, as the configuration file is; the host
        // creates the new file and maps it.
        let status = cfg.shmem.as_ref().map(|name| {
            let old = match std::fs::read(name) {
                Ok(b) => Some(b),
                Err(e) => {
                    ctx.log(format!("ONCORE: Can't open SHMEM file {name}: {e}"));
                    None
                }
            };
            let image = StatusImage::new(old.as_deref());
            ctx.log(format!(
                "SHMEM (size = {}) is CONFIGURED and available as {name}",
                image.bytes().len()
            ));
            (PathBuf::from(name), image)
        });
        if cfg.hardpps {
            ctx.log("HARDPPS Set.");
        }
        let serial_only = config.has_option("serial-only");
        let serial = config.device_or(DEVICE);
        let pps = if serial_only {
            None
        } else {
            let path = config.pps_device_or(PPS_DEVICE);
            let edge = if cfg.assert {
                PpsEdgeKind::Assert
            } else {
                PpsEdgeKind::Clear
            };
            if same_file(&serial, &path) {
                // One descriptor: the PPS source is the serial port's own.
                Some(PpsRequest {
                    path: None,
                    fallback_port: Some(PortId::MAIN),
                    edge,
                    hardpps: cfg.hardpps,
                })
            } else if std::fs::metadata(&path).is_err() {
                return Err(StartError::Other(format!(
                    "Can't open fd2 ({}): no PPS device (use 'option serial-only' for a receiver without a PPS line)",
                    path.display()
                )));
            } else {
                Some(PpsRequest {
                    path: Some(path),
                    fallback_port: None,
                    edge,
                    hardpps: cfg.hardpps,
                })
            }
        };
        // ntpd zero-fills `refclockproc`: "no warning" until @@Bj/@@Gj.
        ctx.clock.leap = Leap::NoWarning;
        let file = status.as_ref().map(|(path, image)| StatusFileSpec {
            path: path.clone(),
            image: image.bytes().to_vec(),
        });
        let driver = OncoreDriver {
            framer: OncoreFramer::new(),
            unit: Unit::new(cfg, config.basedate, serial_only, status.map(|s| s.1)),
            skipped: 0,
        };
        let port = PortSpec::serial(serial, SerialConfig::raw_8n1(9600));
        Ok((
            driver,
            Ports::one(port).with_pps(pps).with_status_file(file),
        ))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let OncoreDriver {
            framer,
            unit,
            skipped,
        } = self;
        framer.feed(data, rectime, |f| match f.status {
            FrameStatus::Complete => {
                unit.tally.messages += 1;
                if let Some((at, data)) = unit.status.as_mut().and_then(|s| s.record(f.data)) {
                    ctx.status_write(at, data);
                }
                unit.message(ctx, f.data, f.first);
            }
            FrameStatus::BadChecksum => {
                unit.tally.bad_checksum += 1;
                ctx.report(ClockEvent::BadReply);
            }
            _ => {
                unit.tally.bad += 1;
                ctx.report(ClockEvent::BadReply);
            }
        });
        let now = framer.skipped();
        unit.tally.skipped += now - *skipped;
        *skipped = now;
    }

    fn pps(&mut self, _ctx: &mut Context<'_>, edge: PpsEdge) {
        if edge.kind == self.unit.edge_kind {
            self.unit.edge = Some(edge);
        }
    }

    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        self.unit.ticks += 1;
        if self.unit.ticks >= POLL_SECS {
            self.unit.ticks = 0;
            self.unit.poll16(ctx);
        }
    }

    /// The host's poll (`-i`) only has the next sample filter the pending
    /// ones (ntpd's `polled`, which its `refclock_receive` call awaits);
    /// the rest of ntpd's poll (the `@@Cj` resends, the timeout count) runs
    /// every 16 s from [`Driver::timer`], as ntpd fixes this driver's poll
    /// interval at 2^4 s.
    fn poll(&mut self, _ctx: &mut Context<'_>, _now: Timestamp) {
        self.unit.polled = true;
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => {
                // A new receiver, or the same one after a loss: the
                // handshake starts again (`oncore_start`'s tail).
                let cfg = self.unit.cfg.clone();
                let tally = self.unit.tally;
                let status = self.unit.status.take();
                self.unit = Unit::new(cfg, self.unit.basedate, self.unit.serial_only, status);
                self.unit.tally = tally;
                self.unit.state = State::CheckId;
                ctx.log("state = ONCORE_CHECK_ID");
                self.unit.timeout = 4;
                self.unit.send(ctx, &[b'C', b'g', 1]);
                self.unit.send(ctx, b"Cj");
            }
            PortEvent::Closed(_) => self.framer.reset(),
            _ => {}
        }
    }
}
