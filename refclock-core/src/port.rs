//! Ports: what a driver asks the host to open, and what the host tells the
//! driver about them.
//!
//! A driver's start returns [`Ports`]: a list of [`PortSpec`]s (index 0 is
//! [`PortId::MAIN`], the second [`PortId::SECOND`]...) and an optional
//! [`PpsRequest`]. Each port says what it is ([`PortKind`]: a serial
//! device, a serial device that may be a `host:port` link, a TCP server, a
//! file read when the driver asks), when it is opened ([`OpenPolicy`]) and
//! how a lost one is retried ([`Backoff`]). A driver with no device returns
//! no port at all.
//!
//! The host reports back with [`PortEvent`]s: opened, closed (and why),
//! an open that failed, a write or modem-line call that failed, the modem
//! status lines.

use std::path::PathBuf;
use std::time::Duration;

use crate::time::Timestamp;

/// A driver's port: its index in the list the driver's start returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortId(pub u8);

impl PortId {
    /// The first port (the receiver's serial line for most drivers).
    pub const MAIN: PortId = PortId(0);
    /// The second port (e.g. an ICOM CI-V radio beside the audio input).
    pub const SECOND: PortId = PortId(1);

    /// The index into the port list.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for PortId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "port {}", self.0)
    }
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
    /// [`SerialConfig::eol`] adds line ends beyond NL (and CR through ICRNL).
    #[default]
    Canonical,
    /// Raw: bytes as they arrive (VMIN 1, VTIME 0), as LDISC_RAW.
    Raw,
}

/// Serial port settings a driver asks for (what `refclock_setup` does
/// with `speed` and `lflags`, plus what PARSE sets by hand).
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
    /// `LDISC_ECHO`: echo input (ECHO in lflag).
    pub echo: bool,
    /// XON/XOFF output flow control (IXON; PARSE's TAIP mode).
    pub xon: bool,
    /// Output post-processing (OPOST; PARSE's TAIP mode).
    pub opost: bool,
    /// Extra line-end characters in canonical mode (VEOL, VEOL2): PARSE's
    /// TSIP mode ends a read at ETX and at DLE.
    pub eol: [Option<u8>; 2],
    /// Map CR to NL on input (ICRNL), as ntpd's `refclock_setup` does for
    /// every line discipline. PARSE sets its termios from its clock table
    /// instead, and only its TAIP mode has ICRNL: binary formats must
    /// not have their 0x0D bytes turned into 0x0A.
    pub crnl: bool,
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
            echo: false,
            xon: false,
            opost: false,
            eol: [None, None],
            crnl: true,
        }
    }

    /// 8N1 at `baud`, raw input.
    pub const fn raw_8n1(baud: u32) -> Self {
        SerialConfig {
            input: InputMode::Raw,
            ..Self::canonical_8n1(baud)
        }
    }

    /// The same with 7 data bits and odd parity (ntpd's LDISC_7O1).
    pub const fn seven_odd(self) -> Self {
        SerialConfig {
            data_bits: DataBits::Seven,
            parity: Parity::Odd,
            ..self
        }
    }

    /// Seconds one character takes on the line (start bit, data bits,
    /// parity bit, stop bits).
    pub fn char_time(&self) -> f64 {
        let bits =
            1 + match self.data_bits {
                DataBits::Seven => 7,
                DataBits::Eight => 8,
            } + u32::from(self.parity != Parity::None)
                + u32::from(self.stop_bits);
        f64::from(bits) / f64::from(self.baud.max(1))
    }
}

/// How a lost port (or one that could not be opened) is retried: after
/// `initial`, doubling up to `max`. A serial device's directory is also
/// watched, so a device that comes back is reopened at once; the back-off
/// is the fallback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// First delay.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
}

impl Backoff {
    /// 1 s doubling to 30 s: the host's default for devices.
    pub const DEVICE: Backoff = Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(30),
    };

    /// The delay after `previous` (or the first one).
    pub fn next(&self, previous: Option<Duration>) -> Duration {
        match previous {
            None => self.initial,
            Some(p) => (p * 2).clamp(self.initial, self.max.max(self.initial)),
        }
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::DEVICE
    }
}

/// What a port is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PortKind {
    /// A serial device. `config: None` opens anything that can be opened
    /// (a FIFO, a file, a tty left as it is).
    Serial {
        /// The device path.
        path: PathBuf,
        /// Line settings.
        config: Option<SerialConfig>,
    },
    /// A serial device, or, when the path cannot be opened as one and is
    /// a symbolic link whose target reads `host:port`, a TCP connection
    /// there (ntpd's NMEA "nmead").
    SerialOrTcpLink {
        /// The device path.
        path: PathBuf,
        /// Line settings for the serial case.
        config: Option<SerialConfig>,
    },
    /// A TCP client (GPSD JSON). The host resolves `host` when it starts
    /// (before any chroot) and connects to the addresses in turn.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port number.
        port: u16,
    },
    /// A character device or file that is not waited on: the driver reads
    /// it with [`Action::Read`](crate::Action::Read), typically at poll
    /// time (kernel-driver clocks: PCF, TSYNC).
    ReadOnRequest {
        /// The device path.
        path: PathBuf,
    },
}

impl PortKind {
    /// The path of a device port (`None` for TCP).
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            PortKind::Serial { path, .. }
            | PortKind::SerialOrTcpLink { path, .. }
            | PortKind::ReadOnRequest { path } => Some(path),
            PortKind::Tcp { .. } => None,
        }
    }

    /// The serial settings, for serial ports.
    pub fn serial_config(&self) -> Option<&SerialConfig> {
        match self {
            PortKind::Serial { config, .. } | PortKind::SerialOrTcpLink { config, .. } => {
                config.as_ref()
            }
            _ => None,
        }
    }

    /// What it is, for messages (`/dev/gps0`, `localhost:2947`).
    pub fn describe(&self) -> String {
        match self {
            PortKind::Tcp { host, port } => format!("{host}:{port}"),
            other => other
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        }
    }
}

/// When a port is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OpenPolicy {
    /// At start; a failure to open stops the start. Reopened when lost.
    #[default]
    AtStart,
    /// Only when the driver asks ([`Action::Open`](crate::Action::Open)),
    /// closed when it asks ([`Action::Close`](crate::Action::Close)); never
    /// reopened by the host (a modem for the length of a call).
    OnDemand,
    /// Opened by the host as soon as it can: tried at start, and retried
    /// with the back-off while it fails, without stopping the start (a
    /// TCP server that may not be up yet).
    Keep,
}

/// One port a driver wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec {
    /// What to open.
    pub kind: PortKind,
    /// When.
    pub open: OpenPolicy,
    /// How a lost port is retried.
    pub backoff: Backoff,
    /// Largest read the driver wants at once (0 = the host's default).
    pub read_size: usize,
    /// A UUCP-style lock file made before each open (with this
    /// process's PID) and removed at close; a port another live process
    /// has locked fails to open ([`PortEvent::OpenFailed`]).
    pub lock: Option<PathBuf>,
}

impl PortSpec {
    /// A serial device opened at start with `config`.
    pub fn serial(path: impl Into<PathBuf>, config: SerialConfig) -> PortSpec {
        PortSpec::of(PortKind::Serial {
            path: path.into(),
            config: Some(config),
        })
    }

    /// A port of `kind` opened at start, default back-off and read size.
    pub fn of(kind: PortKind) -> PortSpec {
        PortSpec {
            kind,
            open: OpenPolicy::AtStart,
            backoff: Backoff::DEVICE,
            read_size: 0,
            lock: None,
        }
    }

    /// The same, locked with the lock file `path` while open.
    pub fn with_lock(self, path: Option<PathBuf>) -> PortSpec {
        PortSpec { lock: path, ..self }
    }

    /// The same, opened as `open` says.
    pub fn opened(self, open: OpenPolicy) -> PortSpec {
        PortSpec { open, ..self }
    }

    /// The same, retried with `backoff`.
    pub fn with_backoff(self, backoff: Backoff) -> PortSpec {
        PortSpec { backoff, ..self }
    }

    /// The same, read at most `n` bytes at a time.
    pub fn with_read_size(self, n: usize) -> PortSpec {
        PortSpec {
            read_size: n,
            ..self
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
    /// When `path` is absent or fails, try this port's device itself
    /// (the PPS line discipline on the serial port).
    pub fallback_port: Option<PortId>,
    /// Edge to capture.
    pub edge: PpsEdgeKind,
    /// Bind the kernel's hardpps to it (`flag3`).
    pub hardpps: bool,
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

/// A status file the host keeps for the driver: created (truncated) with
/// `image` when the clock is added, before any chroot, and mapped shared,
/// so that other programs can map it and read what the driver stores
/// there with [`Context::status_write`](crate::Context::status_write)
/// (ntpd's Oncore `STATUS` file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusFileSpec {
    /// Where.
    pub path: PathBuf,
    /// Its whole initial content; writes beyond it are refused.
    pub image: Vec<u8>,
}

/// Everything a driver wants opened: its ports, a PPS source, a status
/// file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Ports {
    /// The ports, [`PortId`] = index.
    pub list: Vec<PortSpec>,
    /// A PPS source, when the driver uses one.
    pub pps: Option<PpsRequest>,
    /// A status file, when the driver keeps one.
    pub status_file: Option<StatusFileSpec>,
}

impl Ports {
    /// No device at all (a PPS-only or shared-memory clock).
    pub fn none() -> Ports {
        Ports::default()
    }

    /// One port.
    pub fn one(spec: PortSpec) -> Ports {
        Ports {
            list: vec![spec],
            ..Ports::default()
        }
    }

    /// The same with another port after the others.
    pub fn and(mut self, spec: PortSpec) -> Ports {
        self.list.push(spec);
        self
    }

    /// The same with a PPS source.
    pub fn with_pps(self, pps: Option<PpsRequest>) -> Ports {
        Ports { pps, ..self }
    }

    /// The same with a status file.
    pub fn with_status_file(self, status_file: Option<StatusFileSpec>) -> Ports {
        Ports {
            status_file,
            ..self
        }
    }

    /// The port `id`.
    pub fn get(&self, id: PortId) -> Option<&PortSpec> {
        self.list.get(id.index())
    }

    /// Every port with its id.
    pub fn iter(&self) -> impl Iterator<Item = (PortId, &PortSpec)> {
        self.list
            .iter()
            .enumerate()
            .map(|(i, s)| (PortId(i as u8), s))
    }
}

/// Modem status lines (TIOCMGET).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ModemStatus {
    /// Data Set Ready.
    pub dsr: bool,
    /// Data Carrier Detect.
    pub dcd: bool,
    /// Clear To Send.
    pub cts: bool,
    /// Ring Indicator.
    pub ri: bool,
}

/// Why a port closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The driver asked ([`Action::Close`](crate::Action::Close)).
    Requested,
    /// It went away: end of file, a read error, a hang-up. The host
    /// reopens ports opened at start.
    Lost(String),
}

/// What the host tells a driver about one of its ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortEvent {
    /// The port is open (at start, after [`Action::Open`](crate::Action::Open),
    /// or again after it was lost).
    Opened,
    /// An [`Action::Open`](crate::Action::Open) failed.
    OpenFailed(String),
    /// The port closed.
    Closed(CloseReason),
    /// A write failed or could not be queued (the port is stuck or gone).
    WriteFailed(String),
    /// Setting modem lines or reading them failed (ENOTTY on a pty).
    ModemLinesFailed(String),
    /// The modem status lines, after an
    /// [`Action::QueryModem`](crate::Action::QueryModem).
    ModemStatus(ModemStatus),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_limit() {
        let b = Backoff::DEVICE;
        let mut d = None;
        let mut seen = Vec::new();
        for _ in 0..7 {
            let n = b.next(d);
            seen.push(n.as_secs());
            d = Some(n);
        }
        assert_eq!(seen, vec![1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn char_times() {
        let c = SerialConfig::canonical_8n1(9600);
        assert!((c.char_time() - 10.0 / 9600.0).abs() < 1e-12);
        let z = SerialConfig::canonical_8n1(19_200).seven_odd();
        assert!((z.char_time() - 10.0 / 19_200.0).abs() < 1e-12);
    }

    #[test]
    fn ports_are_numbered_in_order() {
        let p = Ports::one(PortSpec::serial("/dev/a", SerialConfig::raw_8n1(9600))).and(
            PortSpec::of(PortKind::Tcp {
                host: "localhost".into(),
                port: 2947,
            })
            .opened(OpenPolicy::Keep),
        );
        let ids: Vec<_> = p.iter().map(|(id, s)| (id, s.kind.describe())).collect();
        assert_eq!(
            ids,
            vec![
                (PortId::MAIN, "/dev/a".to_string()),
                (PortId::SECOND, "localhost:2947".to_string())
            ]
        );
    }
}
