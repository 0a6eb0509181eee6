//! # refclock-sim: the receiver simulator
//!
//! Plays a reference-clock device on a pseudo-terminal, for tests,
//! benchmarks and trying drivers without hardware. The simulator knows no
//! timecode format: each driver that can be simulated has a device model
//! in its folder ([`refclock_core::sim::DeviceModel`], in
//! `refclock-drivers` behind the `sim` feature, registered in
//! [`refclock_drivers::registry`]) that writes the device's messages for a
//! given second and answers what the driver writes. This crate is the
//! generic half:
//!
//! * [`scenario`]: what goes wrong, by name with parameters (delays,
//!   jitter, dropped seconds, garbage, bad checksums, invalid periods, a
//!   leap second, GPS week roll-over, a New Year, a device that vanishes,
//!   silence);
//! * [`plan`]: the pure timeline: which second each wall-clock second
//!   names, and each second's messages with the scenarios applied;
//! * [`truth`]: the record of every message (the second it names, when
//!   its first byte, its `end` byte and its last byte were written,
//!   measured with `CLOCK_REALTIME` around each `write()`), kept in memory
//!   and optionally written to a truth log, so a test can compute the
//!   offset a driver should have measured (`named − eol + time2` for a
//!   driver that timestamps the end of the line in canonical mode);
//! * the thread that does the timing, the writing and the reading
//!   ([`Simulator::start`], returning a [`SimHandle`]).
//!
//! [`Simulator`] creates a pty (optionally symlinked at a chosen path,
//! e.g. `/dev/gps0`); a driver opens the slave as if it were the serial
//! port. Each second's first message leaves so that its on-time byte is
//! written at the whole second plus a configured delay, the bytes paced
//! at the serial speed; what the driver writes is read as it comes and
//! handed to the model, whose answers are written when they are due.
//!
//! [`start_builtin`] runs the device of any driver that has a model, as
//! `ntp-refclock --simulate` does.

mod handle;
mod line;
pub mod plan;
mod runner;
pub mod scenario;
mod simulator;
pub mod truth;

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use refclock_core::os::error::OsError;
use refclock_drivers::registry;
use thiserror::Error;

pub use handle::SimHandle;
pub use plan::{Disposition, PlannedMessage, Planner, SecondPlan};
pub use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup};
pub use scenario::{Pattern, Scenario, ScenarioError};
pub use simulator::Simulator;
pub use truth::{
    parse_timestamp, InputRecord, SimEvent, SimEventKind, TruthFlags, TruthParseError, TruthRecord,
};

/// How to run a simulation.
pub struct SimConfig {
    /// The simulated device.
    pub device: Box<dyn DeviceModel>,
    /// What goes wrong; empty or `[Clean]` for a clean device.
    pub scenarios: Vec<Scenario>,
    /// A symbolic link to the slave to create (and re-create after a
    /// vanish); removed when the simulator stops.
    pub link: Option<PathBuf>,
    /// Pacing speed; `None` follows the speed the driver set on the slave
    /// (read whenever a group of messages starts), the model's
    /// [`baud`](DeviceModel::baud) if unreadable.
    pub baud: Option<u32>,
    /// Pace bytes at 10 bits per byte (`true`), or write each group of
    /// messages (a second's output, an answer) in one `write()` (`false`,
    /// `--burst`).
    pub paced: bool,
    /// Delay of the on-time byte after the whole second (scenarios
    /// `delay` and `jitter` add to it; timed answers are as late). Must be
    /// below one second.
    pub delay: Duration,
    /// Seed of every random choice.
    pub seed: u64,
    /// Write the truth log (one line per message, input and event) here.
    pub truth_log: Option<PathBuf>,
    /// How many truth records to keep in memory (oldest dropped first).
    pub truth_capacity: usize,
    /// Stop by itself after this long.
    pub duration: Option<Duration>,
    /// Keep a slave descriptor open, so the pty acts like a device that is
    /// there whether or not a driver has it open.
    pub hold_slave: bool,
}

impl SimConfig {
    /// A clean, paced run of `device` without end, link or truth log.
    pub fn new(device: Box<dyn DeviceModel>) -> SimConfig {
        SimConfig {
            device,
            scenarios: Vec::new(),
            link: None,
            baud: None,
            paced: true,
            delay: Duration::ZERO,
            seed: 1,
            truth_log: None,
            truth_capacity: 100_000,
            duration: None,
            hold_slave: true,
        }
    }
}

impl Default for SimConfig {
    /// [`SimConfig::new`] with the default device: the NMEA driver's (a
    /// u-blox receiver), as `refclock-sim` without `--driver` plays.
    fn default() -> Self {
        let device = device_model(DEFAULT_DRIVER, &DeviceSetup::default())
            .expect("the NMEA driver and its simulated receiver are built in");
        SimConfig::new(device)
    }
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("device", &self.device.describe())
            .field("scenarios", &self.scenarios)
            .field("link", &self.link)
            .field("baud", &self.baud)
            .field("paced", &self.paced)
            .field("delay", &self.delay)
            .field("seed", &self.seed)
            .field("truth_log", &self.truth_log)
            .field("truth_capacity", &self.truth_capacity)
            .field("duration", &self.duration)
            .field("hold_slave", &self.hold_slave)
            .finish()
    }
}

/// The driver type whose device plays when none is chosen (20, NMEA).
pub const DEFAULT_DRIVER: u8 = 20;

/// Why a simulation could not start or ended early.
#[derive(Debug, Error)]
pub enum SimError {
    /// Creating the pseudo-terminal failed.
    #[error("{0}")]
    Pty(OsError),
    /// Creating the symbolic link failed.
    #[error("{0}")]
    Link(OsError),
    /// Setting up the master side failed.
    #[error("pty set-up: {what} failed: {source}")]
    Setup {
        /// The step.
        what: &'static str,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// A configuration value is wrong.
    #[error("{0}")]
    Config(String),
    /// The driver has no simulated device (or is not in this build).
    #[error("{0}")]
    NoDevice(String),
    /// The device model rejected its set-up.
    #[error("{0}")]
    Device(#[from] DeviceError),
    /// The scenarios are wrong.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// The truth log could not be created or written.
    #[error("truth log {}: {source}", path.display())]
    TruthLog {
        /// Its path.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The simulator thread could not be started or panicked.
    #[error("simulator thread: {0}")]
    Thread(String),
}

/// The drivers of this build that have a simulated device, in type order.
pub fn simulated() -> impl Iterator<Item = &'static registry::Implemented> {
    registry::available().filter(|d| d.device.is_some())
}

/// The simulated device of driver type `kind`, set up for `setup`; fails
/// with a message naming the driver when it has none.
pub fn device_model(kind: u8, setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, SimError> {
    let have = || {
        let list: Vec<String> = simulated()
            .map(|d| format!("{} ({})", d.info.kind, d.info.ntpd_name))
            .collect();
        if list.is_empty() {
            "none in this build".to_string()
        } else {
            format!("simulated: {}", list.join(", "))
        }
    };
    let Some(entry) = registry::by_kind(kind) else {
        return Err(SimError::NoDevice(format!(
            "no refclock type {kind} ({})",
            have()
        )));
    };
    let Some(driver) = entry.implemented() else {
        return Err(SimError::NoDevice(format!(
            "the {} driver (refclock type {kind}) is not in this build ({})",
            entry.ntpd_name,
            have()
        )));
    };
    let Some(make) = driver.device else {
        return Err(SimError::NoDevice(format!(
            "the {} driver (refclock type {kind}) has no simulated device ({})",
            entry.ntpd_name,
            have()
        )));
    };
    Ok(make(setup)?)
}

/// Starts the simulated device of driver type `kind` (what
/// `ntp-refclock --simulate[=SCENARIO]` runs), set up from the driver's
/// configuration: the slave path is returned by [`SimHandle::path`],
/// pacing follows the speed the driver sets. `scenarios` is one or more
/// scenarios joined with `+` (e.g. `drop:5+jitter`). For the NMEA driver
/// (type 20) the sentences follow the mode's message bits (RMC 0x1, GGA
/// 0x2, GLL 0x4, ZDA 0x8, PGRMF 0x100, PUBX,04 0x200), u-blox style.
pub fn start_builtin(
    kind: u8,
    scenarios: &str,
    setup: &DeviceSetup,
) -> Result<SimHandle, SimError> {
    let scenarios = parse_scenarios(scenarios)?;
    let device = device_model(kind, setup)?;
    // The device is found through a link in a directory of ours, so that
    // after a `vanish` the driver reopens the new pseudo-terminal, never a
    // /dev/pts/N that another program has been given meanwhile.
    let dir = private_dir().map_err(|source| SimError::Setup {
        what: "creating a directory for the device link",
        source,
    })?;
    let started = Simulator::start(SimConfig {
        scenarios,
        link: Some(dir.join("device")),
        ..SimConfig::new(device)
    });
    match started {
        Ok(mut handle) => {
            handle.private_dir = Some(dir);
            Ok(handle)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            Err(e)
        }
    }
}

/// A new directory only we can enter, under the system's temporary one.
fn private_dir() -> std::io::Result<std::path::PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("refclock-sim.{}.{n}", std::process::id()));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = std::fs::remove_dir_all(&dir);
            }
            Err(e) => return Err(e),
        }
    }
}

/// Parses scenarios joined with `+` (`drop:5+jitter:max=30`); an empty
/// string is `clean`.
pub fn parse_scenarios(text: &str) -> Result<Vec<Scenario>, SimError> {
    let list = text
        .split('+')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<Scenario>())
        .collect::<Result<Vec<_>, _>>()?;
    Scenario::check_combination(&list)?;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_lookups_name_the_driver() {
        let setup = DeviceSetup::default();
        assert!(device_model(20, &setup).is_ok());
        let err = device_model(41, &setup).err().unwrap().to_string();
        assert!(
            err.contains("TT560") && err.contains("type 41") && err.contains("20 (GPS_NMEA)"),
            "{err}"
        );
        let err = device_model(25, &setup).err().unwrap().to_string();
        assert!(err.contains("no refclock type 25"), "{err}");
        assert!(simulated().any(|d| d.info.kind == 20));
        let bad = DeviceSetup {
            options: vec![("style".into(), "sirf".into())],
            ..DeviceSetup::default()
        };
        assert!(matches!(device_model(20, &bad), Err(SimError::Device(_))));
    }

    #[test]
    fn scenarios_join_with_plus() {
        assert_eq!(parse_scenarios("").unwrap(), vec![]);
        assert_eq!(parse_scenarios("drop:5+jitter").unwrap().len(), 2);
        assert!(parse_scenarios("leap+rollover").is_err());
        assert!(parse_scenarios("nosuch").is_err());
    }

    #[test]
    fn default_config_plays_nmea() {
        let c = SimConfig::default();
        assert!(c.device.describe().starts_with("NMEA"));
        assert!(format!("{c:?}").contains("ublox"));
    }
}
