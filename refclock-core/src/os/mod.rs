//! The Linux OS layer: the only module that makes system calls.
//!
//! Serial devices ([`serial`], on descriptors opened by [`fd`] and set up
//! by [`termios`]), the RFC 2783 PPS API ([`pps`]), the system clock
//! ([`now`]), signals ([`signals`]), dropping root ([`privs`]),
//! real-time scheduling ([`sched`]), drivers' status files ([`status_file`])
//! and the blocking host loop ([`host`]).
//! Pseudo-terminals (`pty`, for the simulator and tests) only exist with
//! the `pty` feature; nothing else here uses them.
//!
//! System calls go through `nix` wherever it has them. What is left on
//! `libc` and `unsafe` is what nix lacks or cannot type: the ioctl calls
//! themselves (PPS, modem lines; numbers and wrappers from nix's ioctl
//! macros), taking over the descriptor `fcntl(F_DUPFD_CLOEXEC)` returns,
//! `sigaction`, `ntp_adjtime` and the `sched_*` calls (and the host
//! loop's own `poll()`).

pub mod clock;
pub mod device;
pub mod error;
pub mod fd;
pub mod host;
pub mod lockfile;
pub mod pps;
pub mod privs;
#[cfg(feature = "pty")]
pub mod pty;
pub mod sched;
pub mod serial;
pub mod signals;
pub mod status_file;
pub mod termios;

pub use clock::now;
