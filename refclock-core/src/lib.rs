//! # refclock-core: the reference clock driver framework
//!
//! This crate is what ntpd's `ntp_refclock.c` and the parts of libntp it
//! uses are to ntpd's drivers, rebuilt as a pure core with a thin OS layer.
//!
//! ## Architecture
//!
//! * A **driver** ([`driver::Driver`]) is a state machine. It owns a
//!   [`clock::ClockState`] (ntpd's `refclockproc`: last timecode, decoded
//!   fields, leap, counters, status, the 60-sample ring) and its own
//!   decoder state. Its entry points take bytes and timestamps from the
//!   caller and queue [`driver::Action`]s (a sample, bytes to write, modem
//!   lines, a status event, a clockstats line) that the caller drains with
//!   `next_action()`.
//! * The **pure modules** never do I/O and never read a clock:
//!   [`time`], [`sample`], [`fudge`], [`event`], [`filter`] (ntpd's
//!   trimmed mean), [`calendar`] (year inference, 2-digit years, GPS weeks),
//!   [`line`](mod@line) (line assembly with receive timestamps), [`clockstats`]. A
//!   test, a replay, a fuzzer or an async daemon drives a driver with
//!   nothing else.
//! * The **OS layer** ([`os`], feature `os`, Linux) is the only place with
//!   `unsafe`: serial ports (termios), modem lines, the RFC 2783 PPS API,
//!   and [`os::host`], the blocking loop the `ntp-refclock` binary runs:
//!   `poll()` on the device with a one-second timer, `CLOCK_REALTIME` taken
//!   the moment `poll()` returns and before `read()`, the bytes handed to
//!   the driver, its actions carried out.
//!
//! Sign convention everywhere: **offset = true (reference) time − system
//! time**, as chrony's SOCK protocol and ntp-refclock's `SAMPLE:` lines use
//! it.

pub mod calendar;
pub mod clock;
pub mod clockstats;
pub mod driver;
pub mod event;
pub mod filter;
pub mod fudge;
pub mod line;
pub mod sample;
pub mod time;

#[cfg(feature = "os")]
#[allow(unsafe_code)]
pub mod os;

pub use clock::{ClockId, ClockState};
pub use driver::{Action, DeviceSpec, Driver, DriverConfig, DriverInfo};
pub use event::ClockEvent;
pub use fudge::{ClockFlags, Fudge};
pub use sample::{Leap, Sample};
pub use time::Timestamp;
