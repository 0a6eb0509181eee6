//! # refclock-drivers: the reference clock drivers
//!
//! One module per driver, each behind a cargo feature. A driver module has
//! its timecode decoder (pure: bytes and a receive time in, decoded time or
//! a typed error out) and its driver logic implementing
//! [`refclock_core::Driver`]. The [`registry`] maps ntpd's type numbers to
//! names and constructors, so the command line, `-l` and the simulator
//! share one list.

pub mod registry;
#[cfg(feature = "testkit")]
pub mod testkit;

#[cfg(feature = "acts")]
pub mod acts;
#[cfg(feature = "hpgps")]
pub mod hpgps;
#[cfg(feature = "jupiter")]
pub mod jupiter;
// The simulated AT modem of the drivers that dial a time service.
#[cfg(feature = "sim")]
pub mod modem_sim;
#[cfg(feature = "nmea")]
pub mod nmea;
#[cfg(feature = "oncore")]
pub mod oncore;
#[cfg(feature = "parse")]
pub mod parse;
// The TSIP codec: PARSE's Trimble mode and the Trimble driver (type 29).
#[cfg(feature = "trimble")]
pub mod trimble;
#[cfg(any(feature = "parse", feature = "trimble"))]
pub mod tsip;
#[cfg(feature = "ubx")]
pub mod ubx;
#[cfg(feature = "zyfer")]
pub mod zyfer;
