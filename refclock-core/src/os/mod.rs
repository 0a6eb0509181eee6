//! The Linux OS layer: the only module that makes system calls.
//!
//! Serial devices ([`serial`], on descriptors opened by [`fd`] and set up
//! by [`termios`]), the RFC 2783 PPS API ([`pps`]), the system
//! clock ([`now`]), signals ([`signals`]), dropping root ([`privs`]) and the
//! blocking host loop ([`host`]).

pub mod clock;
pub mod device;
pub mod error;
pub mod fd;
pub mod host;
pub mod pps;
pub mod privs;
#[cfg(feature = "pty")]
pub mod pty;
pub mod sched;
pub mod serial;
pub mod signals;
pub mod termios;

pub use clock::now;
