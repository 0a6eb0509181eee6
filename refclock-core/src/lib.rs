//! # refclock-core: the reference clock driver framework
//!
//! This crate is what ntpd's `ntp_refclock.c` and the parts of libntp it
//! uses are to ntpd's drivers, rebuilt as a pure core with a thin OS layer.
//!
//! ## Architecture
//!
//! * A **driver** ([`driver::Driver`]) is a state machine. Its start
//!   returns the driver and the [`port::Ports`] it wants opened (serial
//!   devices, a TCP server, a file read on request, none; a PPS source).
//!   Its entry points take bytes and timestamps from the caller, plus a
//!   [`driver::Context`]: the [`clock::ClockState`] (ntpd's
//!   `refclockproc`: last timecode, decoded fields, leap, counters,
//!   status, the 60-sample ring) and the sink for the [`Action`]s it
//!   queues (a sample, bytes to write, a port to open or close, modem
//!   lines, a status event, a clockstats line). [`driver::Clock`] wraps a
//!   driver with its state and queue; hosts drive any clock through the
//!   object-safe [`driver::Refclock`] and drain its actions.
//! * The **pure modules** never do I/O and never read a clock:
//!   [`time`], [`sample`], [`fudge`], [`event`], [`filter`] (ntpd's
//!   trimmed mean), [`calendar`] (year inference, 2-digit years, the base
//!   date), [`gps`] (GPS weeks and eras that follow the system clock),
//!   [`pps`] (PPS augmentation), [`framing`] (lines, STX/ETX, DLE-stuffed
//!   and binary messages, each with the receive times of its first and
//!   last bytes), [`clockstats`], [`rng`], and `sim` (feature `sim`: the
//!   simulated-device interface). A test, a replay, a fuzzer or an async
//!   daemon drives a driver with nothing else.
//! * The **OS layer** ([`os`], feature `os`, Linux) is the only place with
//!   `unsafe`: serial ports (termios), modem lines, the RFC 2783 PPS API,
//!   and the host that runs clocks: `poll()` on their devices with the
//!   one-second timer, `CLOCK_REALTIME` taken the moment `poll()` returns
//!   and before `read()`, the bytes handed to the driver, its actions
//!   carried out.
//!
//! Sign convention everywhere: **offset = true (reference) time − system
//! time**, as chrony's SOCK protocol and ntp-refclock's `SAMPLE:` lines use
//! it.

pub mod action;
pub mod ascii;
pub mod calendar;
pub mod clock;
pub mod clockstats;
pub mod driver;
pub mod event;
pub mod filter;
pub mod framing;
pub mod fudge;
pub mod gps;
pub mod port;
pub mod pps;
pub mod rng;
pub mod sample;
pub mod schedule;
#[cfg(feature = "sim")]
pub mod sim;
pub mod time;
pub mod zone;

#[cfg(feature = "os")]
#[allow(unsafe_code)]
pub mod os;

pub use action::Action;
pub use clock::{ClockId, ClockState};
pub use driver::{
    Clock, Context, Driver, DriverConfig, DriverInfo, OptionInfo, Refclock, StartError,
};
pub use event::ClockEvent;
pub use fudge::{ClockFlags, Fudge};
pub use port::{PortEvent, PortId, PortSpec, Ports};
pub use sample::{Leap, Sample};
pub use time::Timestamp;
