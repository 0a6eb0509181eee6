//! The driver interface: what a host calls, and what a driver asks of it.
//!
//! A driver is a state machine. The host opens what [`Driver::startup`]
//! asks for, then feeds it: bytes with their receive timestamp
//! ([`Driver::receive`]), PPS edges ([`Driver::pps`]), the once-a-second
//! [`Driver::timer`] and the once-per-poll-interval [`Driver::poll`]. After
//! each call the host drains [`Driver::next_action`] and carries out every
//! [`Action`]: emit a sample, write bytes to the device, set modem lines,
//! log. The driver never touches a file descriptor or reads a clock, so the
//! same code runs under the bundled blocking host loop, an async runtime,
//! a replay of a capture, or a fuzzer.

use std::path::PathBuf;

use crate::calendar::Basedate;
use crate::clock::{ClockId, ClockState};
use crate::event::ClockEvent;
use crate::filter::FilterOutput;
use crate::fudge::Fudge;
use crate::sample::Sample;
use crate::time::Timestamp;

/// Something the driver wants the host to do. Drain them all after every
/// call into the driver.
#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// A raw sample: ntp-refclock prints and sends every one of these.
    Sample(Sample),
    /// The per-poll trimmed-mean result (`refclock_receive`), for
    /// clockstats and for embedders that want one value per poll.
    Filtered(FilterOutput),
    /// Bytes to write to the device.
    Write(Vec<u8>),
    /// Modem control lines to set (`None` leaves a line as it is).
    ModemLines {
        /// Data Terminal Ready.
        dtr: Option<bool>,
        /// Request To Send.
        rts: Option<bool>,
    },
    /// The clock's status changed.
    Event(ClockEvent),
    /// A line of text for the clockstats file (without address or time).
    ClockStats(String),
    /// A diagnostic for the log (printed with `-d`).
    Log(String),
}

/// Number of data bits per character.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DataBits {
    /// 7 data bits (CS7).
    Seven,
    /// 8 data bits (CS8).
    #[default]
    Eight,
}

/// Parity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Parity {
    /// No parity.
    #[default]
    None,
    /// Even parity.
    Even,
    /// Odd parity.
    Odd,
}

/// How the line discipline delivers input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InputMode {
    /// Canonical (ICANON, ICRNL): one read per line, as ntpd's LDISC_CLK.
    #[default]
    Canonical,
    /// Raw: bytes as they arrive (VMIN 1, VTIME 0), as LDISC_RAW.
    Raw,
}

/// Serial port settings a driver asks for (what `refclock_setup` does
/// with `speed` and `lflags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SerialConfig {
    /// Speed in baud (50 .. 4_000_000; standard `Bxxx` values only).
    pub baud: u32,
    /// Character size.
    pub data_bits: DataBits,
    /// Parity.
    pub parity: Parity,
    /// Stop bits, 1 or 2.
    pub stop_bits: u8,
    /// Canonical or raw input.
    pub input: InputMode,
    /// Strip the 8th bit on input (ISTRIP).
    pub strip: bool,
    /// Check input parity (INPCK); otherwise parity errors are ignored.
    pub check_parity: bool,
    /// `LDISC_REMOTE`: clear CLOCAL when DSR is up (modems).
    pub remote: bool,
}

impl SerialConfig {
    /// 8N1 at `baud`, canonical, ntpd's default framing.
    pub const fn canonical_8n1(baud: u32) -> Self {
        SerialConfig {
            baud,
            data_bits: DataBits::Eight,
            parity: Parity::None,
            stop_bits: 1,
            input: InputMode::Canonical,
            strip: false,
            check_parity: false,
            remote: false,
        }
    }

    /// 8N1 at `baud`, raw input.
    pub const fn raw_8n1(baud: u32) -> Self {
        SerialConfig {
            input: InputMode::Raw,
            ..Self::canonical_8n1(baud)
        }
    }
}

/// Which PPS edge marks the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PpsEdgeKind {
    /// The assert (rising) edge: PPS_CAPTUREASSERT.
    #[default]
    Assert,
    /// The clear (falling) edge: PPS_CAPTURECLEAR (`flag2` in most drivers).
    Clear,
}

/// A PPS source a driver wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PpsRequest {
    /// Tried first (e.g. `/dev/gpspps0`).
    pub path: Option<PathBuf>,
    /// When `path` is absent or fails, try the serial device itself.
    pub fallback_to_serial: bool,
    /// Edge to capture.
    pub edge: PpsEdgeKind,
    /// Bind the kernel's hardpps to it (`flag3`); we only report it.
    pub hardpps: bool,
}

/// What to open for a driver: returned by [`Driver::startup`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceSpec {
    /// The device path (`/dev/gps0`, or the `path` override).
    pub path: PathBuf,
    /// Serial settings; `None` for a device that is not a tty.
    pub serial: Option<SerialConfig>,
    /// A PPS source, when the driver uses one.
    pub pps: Option<PpsRequest>,
    /// Largest read the driver wants at once (`io.datalen`; 0 = default).
    pub read_size: usize,
    /// When the path cannot be opened as a tty and is a symbolic link to
    /// `host:port`, connect there by TCP instead (ntpd's NMEA "nmead").
    pub tcp_fallback: bool,
}

/// A PPS edge as the kernel time-stamped it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PpsEdge {
    /// System time of the edge.
    pub time: Timestamp,
    /// Kernel sequence number of the edge.
    pub sequence: u32,
    /// Which edge it is.
    pub kind: PpsEdgeKind,
}

/// Why a driver cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    /// A mode value the driver does not support.
    #[error("unsupported mode {mode}: {reason}")]
    BadMode {
        /// The mode given.
        mode: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// A unit number the driver does not support.
    #[error("unsupported unit {unit}: {reason}")]
    BadUnit {
        /// The unit given.
        unit: u8,
        /// What is wrong with it.
        reason: String,
    },
    /// Anything else the driver cannot work with.
    #[error("{0}")]
    Other(String),
}

/// Everything a driver is constructed from.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DriverConfig {
    /// Unit number (last part of 127.127.T.U).
    pub unit: u8,
    /// Fudge values and mode.
    pub fudge: Fudge,
    /// Poll exponent: the poll interval is 2^poll seconds (`-i`).
    pub poll: u8,
    /// Device path override (`path DEVICE`); `None` = the driver's default.
    pub device: Option<PathBuf>,
    /// PPS device override (`ppspath DEVICE`).
    pub pps_device: Option<PathBuf>,
    /// GPS week base date.
    pub basedate: Basedate,
    /// Phone numbers / AT commands (`-p`), for modem drivers.
    pub phones: Vec<String>,
}

/// Static facts about a driver type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DriverInfo {
    /// ntpd's type number.
    pub kind: u8,
    /// ntpd's short name (`GPS_NMEA`), printed by `-l`.
    pub ntpd_name: &'static str,
    /// The readable name (`nmea`), accepted in place of the address.
    pub name: &'static str,
    /// One line saying what it serves.
    pub description: &'static str,
    /// Default refid.
    pub refid: [u8; 4],
}

/// A reference clock driver. See the module documentation for the calling
/// convention.
pub trait Driver: Send {
    /// Static facts about this driver type.
    fn info(&self) -> &'static DriverInfo;

    /// The shared clock state.
    fn clock(&self) -> &ClockState;

    /// The shared clock state, mutably.
    fn clock_mut(&mut self) -> &mut ClockState;

    /// Says what to open. Called once, before any other entry point.
    fn startup(&mut self) -> Result<DeviceSpec, StartError>;

    /// Bytes read from the device, with the system time taken right after
    /// `poll()` woke and before `read()`.
    fn receive(&mut self, data: &[u8], rectime: Timestamp);

    /// A new PPS edge. Drivers without PPS ignore it.
    fn pps(&mut self, edge: PpsEdge) {
        let _ = edge;
    }

    /// Whether the driver currently wants PPS edges fetched.
    fn wants_pps(&self) -> bool {
        false
    }

    /// Once per second.
    fn timer(&mut self, now: Timestamp) {
        let _ = now;
    }

    /// Once per poll interval. The default counts the poll and runs the
    /// filter over what arrived (`refclock_receive`), reporting a timeout
    /// when nothing did.
    fn poll(&mut self, now: Timestamp) {
        let _ = now;
        let clock = self.clock_mut();
        clock.counters.polls += 1;
        if clock.pending().is_empty() {
            clock.report(ClockEvent::Timeout);
        } else {
            let _ = clock.receive();
        }
    }

    /// The device was lost (EOF, EIO, hang-up): reset line assembly and any
    /// half-finished dialogue. The host will reopen it and call
    /// [`Driver::device_reopened`].
    fn device_lost(&mut self) {}

    /// The device is open again after [`Driver::device_lost`].
    fn device_reopened(&mut self) {}

    /// Called once before the host closes everything.
    fn shutdown(&mut self) {}

    /// The oldest action the driver queued.
    fn next_action(&mut self) -> Option<Action> {
        self.clock_mut().next_action()
    }

    /// The clock's address.
    fn id(&self) -> ClockId {
        self.clock().id
    }
}
