//! The GPSD JSON driver's constants, modes and tallies, and what its
//! start checks: the watched device and where gpsd is.

use std::path::{Path, PathBuf};

use refclock_core::port::{PortKind, SerialConfig};
use refclock_core::StartError;

/// The device gpsd is asked to watch, `%d` = the unit number modulo 128.
pub const DEVICE: &str = "/dev/gps%d";
/// Where gpsd is (`localhost:gpsd`, i.e. port 2947).
pub const DEFAULT_HOST: &str = "localhost";
/// gpsd's port.
pub const DEFAULT_PORT: u16 = 2947;
/// Seconds of silence before the connection is given up (`TICKOVER_LOW`);
/// also the first reconnect delay.
pub const TICKOVER_LOW: u32 = 10;
/// Longest reconnect delay (`TICKOVER_HIGH`).
pub const TICKOVER_HIGH: u32 = 120;
/// The reconnect delay grows by this much per failure.
pub const TICKOVER_STEP: u32 = 5;
/// The silence count-down value at which `?VERSION;` is sent as a live
/// check (6 s after the last data).
pub const LIVE_CHECK_AT: u32 = 4;
/// Seconds between two logs of the same trouble (`LOGTHROTTLE`).
pub const LOG_THROTTLE: u32 = 3600;
/// Automatic mode's PPS account: its ceiling, the credit of a good pulse,
/// the debit of a missing one (`PPS_MAXCOUNT`, `PPS_INCCOUNT`,
/// `PPS_DECCOUNT`).
pub const PPS_MAXCOUNT: i32 = 60;
/// See [`PPS_MAXCOUNT`].
pub const PPS_INCCOUNT: i32 = 3;
/// See [`PPS_MAXCOUNT`].
pub const PPS_DECCOUNT: i32 = 1;
/// The PPS-only unit's account ceiling (`PPS2_MAXCOUNT`).
pub const PPS2_MAXCOUNT: i32 = 10;

/// What the `mode` selects for the primary unit (`MODE_OP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpMode {
    /// 0: serial time (TPV, or TOFF when gpsd sends it) alone.
    Serial,
    /// 1: serial time paired with a PPS object, nothing without a pulse.
    Strict,
    /// 2: paired while pulses come, serial time alone after a minute or
    /// so without them.
    Auto,
}

impl OpMode {
    /// `mode & 3`, 3 meaning 0, as ntpd has it.
    pub fn from_mode(mode: u32) -> OpMode {
        match mode & 3 {
            1 => OpMode::Strict,
            2 => OpMode::Auto,
            _ => OpMode::Serial,
        }
    }
}

/// The per-poll tallies flag4 writes to clockstats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tallies {
    /// Known objects received.
    pub recv: u32,
    /// Lines that could not be used (bad JSON, bad fields).
    pub breply: u32,
    /// TPVs without a fix.
    pub nosync: u32,
    /// Serial time objects (TPV, TOFF) received.
    pub sti_recv: u32,
    /// ... and used for a sample.
    pub sti_used: u32,
    /// PPS objects received.
    pub pps_recv: u32,
    /// ... and used for a sample.
    pub pps_used: u32,
}

/// The real path of the watched device, which must be a character device
/// (`gpsd_start`'s `ntp_realpath` and `S_ISCHR` checks).
pub fn real_device(path: &Path) -> Result<String, StartError> {
    use std::os::unix::fs::FileTypeExt;
    let real = std::fs::canonicalize(path)
        .map_err(|e| StartError::Other(format!("{}: {e}", path.display())))?;
    let meta = std::fs::metadata(&real)
        .map_err(|e| StartError::Other(format!("{} not accessible: {e}", real.display())))?;
    if !meta.file_type().is_char_device() {
        return Err(StartError::Other(format!(
            "{} is not a character device",
            real.display()
        )));
    }
    Ok(real.display().to_string())
}

/// Where gpsd is: `HOST:PORT` (`[V6]:PORT`), or the path of a character
/// device carrying gpsd's JSON (`/...`).
pub(super) fn server_port(value: Option<&str>) -> Result<PortKind, StartError> {
    let bad = |reason: &str| StartError::BadOption {
        name: "server".into(),
        reason: reason.into(),
    };
    let Some(v) = value else {
        return Ok(PortKind::Tcp {
            host: DEFAULT_HOST.into(),
            port: DEFAULT_PORT,
        });
    };
    if v.starts_with('/') {
        return Ok(PortKind::Serial {
            path: PathBuf::from(v),
            config: Some(SerialConfig::raw_8n1(115_200)),
        });
    }
    let (host, port) = v
        .rsplit_once(':')
        .ok_or_else(|| bad("HOST:PORT or /PATH expected"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|&p| p != 0)
        .ok_or_else(|| bad("the port is not a number 1..65535"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("no host"));
    }
    Ok(PortKind::Tcp {
        host: host.into(),
        port,
    })
}
