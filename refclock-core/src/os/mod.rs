//! The Linux OS layer: the only module that makes system calls.
//!
//! Serial devices ([`serial`]), the RFC 2783 PPS API ([`pps`]), the system
//! clock ([`now`]) and the blocking host loop ([`host`]).

pub mod clock;
pub mod host;
pub mod pps;
pub mod serial;

pub use clock::now;
