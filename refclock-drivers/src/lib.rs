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
#[cfg(feature = "arbiter")]
pub mod arbiter;
#[cfg(feature = "arcron")]
pub mod arcron;
#[cfg(feature = "as2201")]
pub mod as2201;
#[cfg(feature = "chronolog")]
pub mod chronolog;
#[cfg(feature = "datum")]
pub mod datum;
#[cfg(feature = "dumbclock")]
pub mod dumbclock;
#[cfg(feature = "fg")]
pub mod fg;
#[cfg(feature = "gpsd")]
pub mod gpsd;
#[cfg(feature = "heath")]
pub mod heath;
#[cfg(feature = "hopfserial")]
pub mod hopfserial;
#[cfg(feature = "hpgps")]
pub mod hpgps;
#[cfg(feature = "jjy")]
pub mod jjy;
#[cfg(feature = "jupiter")]
pub mod jupiter;
#[cfg(feature = "leitch")]
pub mod leitch;
#[cfg(feature = "neoclock4x")]
pub mod neoclock4x;
// The simulated AT modem of the drivers that dial a time service.
#[cfg(feature = "sim")]
pub mod modem_sim;
#[cfg(feature = "nmea")]
pub mod nmea;
#[cfg(feature = "oncore")]
pub mod oncore;
#[cfg(feature = "parse")]
pub mod parse;
#[cfg(feature = "pst")]
pub mod pst;
#[cfg(feature = "spectracom")]
pub mod spectracom;
#[cfg(feature = "trimble")]
pub mod trimble;
#[cfg(feature = "truetime")]
pub mod truetime;
// The TSIP codec: PARSE's Trimble mode and the Trimble driver (type 29).
#[cfg(any(feature = "parse", feature = "trimble"))]
pub mod tsip;
#[cfg(feature = "ubx")]
pub mod ubx;
#[cfg(feature = "ulink")]
pub mod ulink;
#[cfg(feature = "zyfer")]
pub mod zyfer;
