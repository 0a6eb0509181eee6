//! The driver interface: what a driver implements, the context it is
//! handed, and the clock object a host drives.
//!
//! * A driver implements [`Driver`]: a constructor, [`Driver::start`],
//!   that returns the driver and the [`Ports`] it wants (so nothing can be
//!   fed to a driver that has not started), and entry points for bytes
//!   ([`Driver::receive`]), PPS edges, the once-a-second
//!   [`Driver::timer`], the once-per-poll [`Driver::poll`] and
//!   [`PortEvent`]s. Each entry point gets a [`Context`]: the clock's
//!   shared state ([`ClockState`](crate::clock::ClockState), ntpd's `refclockproc`), the host's
//!   status (the system leap indicator), and the sink its [`Action`](crate::Action)s go
//!   to (samples, writes, opening and closing ports, log lines).
//! * [`Clock<D>`] wraps a driver with its state and action queue. It is
//!   what a host, a test or an embedder holds; hosts drive any clock
//!   through the object-safe [`Refclock`] trait. After each call, drain
//!   [`Refclock::next_action`] and carry out every action.
//!
//! A driver never touches a file descriptor or reads a clock, so the same
//! code runs under the bundled host loop, an async runtime, a replay of a
//! capture, or a fuzzer.

use std::path::PathBuf;

use crate::calendar::Basedate;
use crate::fudge::Fudge;
use crate::port::{PortEvent, PortId, Ports, PpsEdge};
use crate::sample::Leap;
use crate::time::Timestamp;

mod clock;
mod context;
mod silence;

pub use clock::{downcast_driver, Clock, Refclock};
pub use context::Context;
pub use silence::Silence;

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
    /// A driver option this driver does not have, or given wrongly.
    #[error("driver option {name:?}: {reason}")]
    BadOption {
        /// The option's name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Anything else the driver cannot work with.
    #[error("{0}")]
    Other(String),
}

/// A driver's own option (`option NAME` or `option NAME=VALUE` on the
/// command line), declared in [`Driver::OPTIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionInfo {
    /// Its name (lower case, words joined by `-`).
    pub name: &'static str,
    /// Whether it takes a value (`NAME=VALUE`); if not it is a switch.
    pub takes_value: bool,
    /// One line saying what it does.
    pub help: &'static str,
}

impl OptionInfo {
    /// A switch: `option NAME`.
    pub const fn switch(name: &'static str, help: &'static str) -> OptionInfo {
        OptionInfo {
            name,
            takes_value: false,
            help,
        }
    }

    /// An option with a value: `option NAME=VALUE`.
    pub const fn value(name: &'static str, help: &'static str) -> OptionInfo {
        OptionInfo {
            name,
            takes_value: true,
            help,
        }
    }
}

/// Checks `options` against what a driver declares: every name known,
/// a value exactly where one is taken, no name twice.
pub fn check_options(
    declared: &[OptionInfo],
    options: &[(String, Option<String>)],
) -> Result<(), StartError> {
    for (i, (name, value)) in options.iter().enumerate() {
        let Some(info) = declared.iter().find(|o| o.name == name) else {
            let known: Vec<&str> = declared.iter().map(|o| o.name).collect();
            return Err(StartError::BadOption {
                name: name.clone(),
                reason: if known.is_empty() {
                    "this driver has no options".into()
                } else {
                    format!("unknown; this driver has {}", known.join(", "))
                },
            });
        };
        match (info.takes_value, value) {
            (true, None) => {
                return Err(StartError::BadOption {
                    name: name.clone(),
                    reason: format!("needs a value ({name}=VALUE)"),
                })
            }
            (false, Some(_)) => {
                return Err(StartError::BadOption {
                    name: name.clone(),
                    reason: "is a switch and takes no value".into(),
                })
            }
            _ => {}
        }
        if options[..i].iter().any(|(n, _)| n == name) {
            return Err(StartError::BadOption {
                name: name.clone(),
                reason: "given twice".into(),
            });
        }
    }
    Ok(())
}

/// Everything a driver is constructed from.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DriverConfig {
    /// Unit number (last part of 127.127.T.U).
    pub unit: u8,
    /// Fudge values and mode.
    pub fudge: Fudge,
    /// Device path override (`path DEVICE`); `None` = the driver's default.
    pub device: Option<PathBuf>,
    /// PPS device override (`ppspath DEVICE`).
    pub pps_device: Option<PathBuf>,
    /// The date before which no timecode date is believed (GPS weeks,
    /// two-digit years); see [`Basedate`].
    pub basedate: Basedate,
    /// Phone numbers / AT commands (`-p`), for modem drivers.
    pub phones: Vec<String>,
    /// The driver's own options (`option NAME[=VALUE]`), checked against
    /// [`Driver::OPTIONS`] by [`Clock::start`].
    pub options: Vec<(String, Option<String>)>,
}

impl DriverConfig {
    /// Whether the driver option `name` was given (switch or value).
    pub fn has_option(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    /// The value of the driver option `name=VALUE`, if given.
    pub fn option_value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// The device path: the `path` override, else `default` with `%d`
    /// replaced by the unit number (ntpd's `DEVICE` patterns).
    pub fn device_or(&self, default: &str) -> PathBuf {
        self.device
            .clone()
            .unwrap_or_else(|| PathBuf::from(default.replace("%d", &self.unit.to_string())))
    }

    /// The PPS device path: the `ppspath` override, else `default` with
    /// `%d` replaced by the unit number.
    pub fn pps_device_or(&self, default: &str) -> PathBuf {
        self.pps_device
            .clone()
            .unwrap_or_else(|| PathBuf::from(default.replace("%d", &self.unit.to_string())))
    }
}

/// What the host knows that a driver may gate on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct HostStatus {
    /// The system clock's leap indicator (ntpd's `sys_leap`), as the
    /// kernel's `ntp_adjtime` reports it: not in sync while the kernel
    /// says its time is unsynchronised.
    pub sys_leap: Leap,
}

/// A reference clock driver. See the module documentation.
pub trait Driver: Sized + Send + 'static {
    /// Static facts about this driver type.
    const INFO: DriverInfo;

    /// The driver's own options beyond ntpd's mode, fudge and flags
    /// (`option NAME[=VALUE]`). [`Clock::start`] refuses any other.
    const OPTIONS: &'static [OptionInfo] = &[];

    /// The poll exponents ntpd's driver forces on its peer (`minpoll`,
    /// `maxpoll`), if it does. A host clamps its *default* poll interval
    /// into this range; one the user chose explicitly is honoured.
    const POLL_RANGE: Option<(u8, u8)> = None;

    /// Starts a driver for `config`: checks the configuration, sets up the
    /// clock state (`ctx.clock`) and says which ports to open. Nothing is
    /// open yet; each port that opens is announced by
    /// [`PortEvent::Opened`].
    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError>;

    /// Bytes read from `port`, with the system time taken right after
    /// `poll()` woke and before `read()`.
    fn receive(&mut self, ctx: &mut Context<'_>, port: PortId, data: &[u8], rectime: Timestamp);

    /// A new PPS edge from the source the driver asked for.
    fn pps(&mut self, ctx: &mut Context<'_>, edge: PpsEdge) {
        let _ = (ctx, edge);
    }

    /// Fetching the PPS edge failed (ntpd's `refclock_pps` returns 0).
    fn pps_fault(&mut self, ctx: &mut Context<'_>, error: &str) {
        ctx.log(format!("PPS fetch failed: {error}"));
    }

    /// Once per second.
    fn timer(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let _ = (ctx, now);
    }

    /// Once per poll interval. The default is ntpd's usual one: count the
    /// poll and filter what arrived, reporting a timeout when nothing did
    /// ([`Context::poll_default`]).
    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let _ = now;
        ctx.poll_default();
    }

    /// Something happened to a port: opened, closed, a failed write.
    fn port_event(&mut self, ctx: &mut Context<'_>, port: PortId, event: PortEvent) {
        let _ = (ctx, port, event);
    }

    /// Called once before the host closes everything.
    fn shutdown(&mut self, ctx: &mut Context<'_>) {
        let _ = ctx;
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
