//! # refclock-fuzz-harness: the bodies of the fuzz targets
//!
//! Each fuzz target in `fuzz/fuzz_targets/NAME.rs` is one line calling the
//! function of the same name here, so the very same checks also run as
//! ordinary tests: `tests/corpus.rs` replays every file of
//! `fuzz/corpus/NAME/` (and `fuzz/artifacts/NAME/`, when present) through
//! its body under `cargo test --workspace`.
//!
//! A body takes arbitrary bytes and **panics when a property fails**: that
//! is what libFuzzer reports as a crash. Bad input is never a failure by
//! itself; what the code under test makes of it is checked:
//!
//! | target | code under test | properties |
//! |---|---|---|
//! | [`nmea_parse`](nmea_parse::nmea_parse) | `refclock_drivers::nmea::parse::{parse, scan}` | no panic; an independent re-decoding of framing, checksum, name, status, time and date fields agrees with the decoder; a correct checksum appended changes nothing else |
//! | [`nmea_driver`](nmea_driver::nmea_driver) | `refclock_drivers::nmea::NmeaDriver` | no panic; samples finite, taken at the receive time (minus `time2`, or on a PPS phase), reference time inside the window the date rules allow; counters only grow |
//! | [`line_framer`](line_framer::line_framer) | `refclock_core::line::LineFramer` | any chunking gives the same lines; each line carries the time of the chunk holding its terminator |
//! | [`sock_decode`](sock_decode::sock_decode) | `refclock_sock::SockSample` | decode never panics; encode → decode is bit-exact; decode → encode restores the datagram |
//! | [`cli_args`](cli_args::cli_args) | `refclock_cli::args::parse` | no panic; accepted command lines respect every limit |
//! | [`calendar`](calendar::calendar) | `refclock_core::calendar` | no panic; civil, year-of-day and GPS week round trips |
//!
//! Every body returns a count of the "interesting" outcomes it saw (samples
//! taken, sentences decoded, lines framed, ...), so tests can tell a corpus
//! that reaches the code's success paths from one that does not.

pub mod calendar;
pub mod cli_args;
pub mod input;
pub mod line_framer;
pub mod nmea_driver;
pub mod nmea_parse;
pub mod sock_decode;

/// The signature of a target body: bytes in, a count of interesting
/// outcomes out, a panic when a property fails.
pub type Body = fn(&[u8]) -> usize;

/// Every target: its name (the fuzz target's and its corpus folder's) and
/// its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("nmea_parse", nmea_parse::nmea_parse),
    ("nmea_driver", nmea_driver::nmea_driver),
    ("line_framer", line_framer::line_framer),
    ("sock_decode", sock_decode::sock_decode),
    ("cli_args", cli_args::cli_args),
    ("calendar", calendar::calendar),
];

/// The body of the target called `name`.
pub fn body(name: &str) -> Option<Body> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|&(_, b)| b)
}
