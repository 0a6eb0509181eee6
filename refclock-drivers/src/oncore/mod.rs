//! Motorola Oncore GPS receivers: ntpd's type 30 (`ONCORE`), as ntpd
//! 4.2.8p18's `refclock_oncore.c` and `html/drivers/driver30.html`
//! describe it. Documentation in progress; see the README section.

pub mod codec;
pub mod config;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
mod handshake;

pub use codec::{FixMode, LeapInfo, OncoreError, Position, Traim};
pub use config::{ConfigError, OncoreConfig};
pub use driver::{OncoreDriver, State, Survey, Tally, INFO, POLL_SECS};

#[cfg(all(test, feature = "sim"))]
mod driver_tests;
#[cfg(test)]
mod tests;
