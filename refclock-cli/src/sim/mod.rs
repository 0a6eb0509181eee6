//! A simulated reference-clock receiver on a pseudo-terminal, for tests and
//! for trying drivers without hardware.
//!
//! The [`Simulator`] creates a pty (optionally symlinked at a chosen path,
//! e.g. `/dev/gps0`), and each second writes the receiver's timecode into
//! the master side so that the first byte of the on-time sentence leaves at
//! the whole second plus a configured delay, the bytes paced at the serial
//! speed. A driver opens the slave path as if it were the serial port.
//! [`Scenario`]s add what real receivers do wrong: delays, jitter, dropped
//! seconds, garbage, bad checksums, no-fix periods, leap seconds, GPS week
//! roll-over, century ends, a device that vanishes, silence.
//!
//! Every sentence is recorded as a [`TruthRecord`] (the second it names
//! and when its first byte, its line end (CR) and its final LF were
//! written, measured with `CLOCK_REALTIME` around each `write()`), kept in
//! memory and optionally written to a truth log, so a test can compute the
//! offset a driver should have measured: `named − eol + time2` for a driver
//! that timestamps the end of the line in canonical mode.
//!
//! Parts: [`nmea`] (pure sentence generation), [`scenario`] (names and
//! parameters), [`plan`] (pure: what each wall second gets), [`truth`]
//! (records and their text form), [`rng`] (seeded PRNG), and the thread
//! that does the timing and the writing (`runner`).

mod handle;
pub mod nmea;
pub mod plan;
pub mod rng;
mod runner;
pub mod scenario;
pub mod truth;

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use refclock_core::os::error::OsError;
use thiserror::Error;

pub use handle::SimHandle;
pub use nmea::{NmeaStyle, SentenceKind};
pub use plan::{Disposition, Planner, SecondPlan};
pub use runner::Simulator;
pub use scenario::{Pattern, Scenario, ScenarioError};
pub use truth::{SimEvent, SimEventKind, TruthFlags, TruthRecord};

/// The speed bytes are paced at when none is configured and the slave's
/// speed cannot be read (NMEA's standard 4800 baud).
pub const FALLBACK_BAUD: u32 = 4800;

/// The timecode format the simulated receiver speaks.
#[derive(Clone, Debug, PartialEq)]
pub enum Format {
    /// NMEA 0183 in a receiver's style.
    Nmea(NmeaStyle),
}

impl Default for Format {
    fn default() -> Self {
        Format::Nmea(NmeaStyle::default())
    }
}

impl Format {
    /// The NMEA style, if the format is NMEA.
    pub fn nmea_style(&self) -> Option<&NmeaStyle> {
        match self {
            Format::Nmea(s) => Some(s),
        }
    }
}

impl FromStr for Format {
    type Err = SimError;

    /// `nmea` or `nmea:STYLE` (STYLE one of [`NmeaStyle::NAMES`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, style) = s.split_once(':').unwrap_or((s, "ublox"));
        match name.to_ascii_lowercase().as_str() {
            "nmea" => Ok(Format::Nmea(
                NmeaStyle::by_name(style).map_err(|e| SimError::Config(e.to_string()))?,
            )),
            other => Err(SimError::Config(format!(
                "unknown format {other:?} (expected nmea or nmea:STYLE)"
            ))),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::Nmea(s) => write!(f, "nmea:{}", s.name),
        }
    }
}

/// How to run a simulation.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// What the receiver writes.
    pub format: Format,
    /// What goes wrong; empty or `[Clean]` for a clean receiver.
    pub scenarios: Vec<Scenario>,
    /// A symbolic link to the slave to create (and re-create after a
    /// vanish); removed when the simulator stops.
    pub link: Option<PathBuf>,
    /// Pacing speed; `None` follows the speed the driver set on the slave
    /// (read every second), [`FALLBACK_BAUD`] if unreadable.
    pub baud: Option<u32>,
    /// Pace bytes at 10 bits per byte (`true`), or write each second's
    /// output in one `write()` (`false`, `--burst`).
    pub paced: bool,
    /// Delay of the on-time character after the whole second (scenarios
    /// `delay` and `jitter` add to it). Must be below one second.
    pub delay: Duration,
    /// Seed of every random choice.
    pub seed: u64,
    /// Write the truth log (one line per sentence and event) here.
    pub truth_log: Option<PathBuf>,
    /// How many truth records to keep in memory (oldest dropped first).
    pub truth_capacity: usize,
    /// Stop by itself after this long.
    pub duration: Option<Duration>,
    /// Keep a slave descriptor open, so the pty acts like a device that is
    /// there whether or not a driver has it open.
    pub hold_slave: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            format: Format::default(),
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

/// Starts the built-in simulated receiver for driver type `kind` (what
/// `ntp-refclock --simulate[=SCENARIO]` runs): the slave path is returned
/// by [`SimHandle::path`], pacing follows the speed the driver sets.
/// `scenarios` is one or more scenarios joined with `+` (e.g.
/// `drop:5+jitter`). For the NMEA driver (type 20) the sentences follow
/// the mode's message bits (RMC 0x1, GGA 0x2, GLL 0x4, ZDA 0x8, PGRMF
/// 0x100), u-blox style.
pub fn start_builtin(
    kind: u8,
    scenarios: &str,
    fudge: &refclock_core::Fudge,
) -> Result<SimHandle, SimError> {
    let format = match kind {
        20 => {
            let mut style = NmeaStyle::default();
            let mask = [
                (0x1, SentenceKind::Rmc),
                (0x2, SentenceKind::Gga),
                (0x4, SentenceKind::Gll),
                (0x8, SentenceKind::Zda),
                (0x100, SentenceKind::Pgrmf),
            ];
            let chosen: Vec<SentenceKind> = mask
                .iter()
                .filter(|(bit, _)| fudge.mode & bit != 0)
                .map(|&(_, k)| k)
                .collect();
            if !chosen.is_empty() {
                style.sentences = chosen;
            }
            Format::Nmea(style)
        }
        other => {
            return Err(SimError::Config(format!(
                "no simulated receiver for refclock type {other} (only 20, NMEA)"
            )))
        }
    };
    Simulator::start(SimConfig {
        format,
        scenarios: parse_scenarios(scenarios)?,
        ..SimConfig::default()
    })
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
