//! JJY receivers: ntpd's type 40 (`JJY`), as ntpd 4.2.8p18's
//! `refclock_jjy.c` behaves.
//!
//! TODO: full module doc.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
mod receivers;
mod telephone;

pub use driver::{printable, JjyDriver, Outcome, Receiver, State, DEVICE, INFO, PRECISION};
pub use receivers::{
    Command, GPS01_SEQUENCE, JJY01_SEQUENCE, JST2000_REQUEST, LT2000_CONTINUOUS,
    LT2000_REQUEST_SEND,
};
pub use telephone::Telephone;

#[cfg(test)]
mod codec_tests;
#[cfg(test)]
mod driver_tests;
