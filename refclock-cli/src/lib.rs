//! # refclock-cli: the `ntp-refclock` program
//!
//! A drop-in replacement for the C ntp-refclock: the same command line, the
//! same `SAMPLE:` lines, the same exit codes, feeding chrony through its
//! SOCK protocol. The pieces:
//!
//! * [`args`]: the command line, parsed like the C program's `getopt("+...")`
//!   (options stop at the clock address), plus our additions (readable
//!   driver names, `path`/`ppspath` driver options, `--simulate`).
//! * [`app`]: runs one driver in the host loop and carries out its samples:
//!   `SAMPLE:` lines on stdout, datagrams to chronyd, clockstats records.
//!
//! The receiver simulator behind `--simulate` and the `refclock-sim` binary
//! is the `refclock-sim` crate, which plays any driver's simulated device
//! on a pseudo-terminal.

pub mod app;
pub mod args;
