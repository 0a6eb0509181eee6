//! The test kit (feature `testkit`): what makes a driver's tests and fuzz
//! targets cheap.
//!
//! * [`Testdata`] and [`Capture`]: gpsd's receiver captures
//!   (`shared/testdata/gpsd`), the header split off, with gpsd's decoded
//!   times as an oracle ([`Capture::tpv_times`]).
//! * Replay ([`feed`], [`feed_reads`], [`feed_chunked`], [`Chunker`],
//!   [`Outcome`]): bytes into a clock in reads of chosen sizes and times,
//!   its actions sorted into samples, events, clockstats and log lines;
//!   [`check_chunking`] feeds the same bytes in one read and in random
//!   reads and compares everything.
//! * The driver script ([`script`], [`run_script`], [`run_ops`]): fuzz
//!   bytes read as a configuration and a sequence of reads, ticks, polls,
//!   PPS edges and port events; any driver run under it keeps the
//!   properties listed at [`run_script`], and its own ([`Checker`]).
//! * [`FuzzCodec`] and [`FuzzDriver`]: what a driver implements to get
//!   its three fuzz targets, `NAME_decode`, `NAME_roundtrip` and
//!   `NAME_driver`.
//! * [`Input`]: a cursor over fuzz bytes that never runs out; the one
//!   PRNG is [`refclock_core::rng::Rng`].
//!
//! Everything but the capture loader is pure: no file, no clock, no
//! device.
//!
//! # A new driver's fuzz targets
//!
//! 1. Beside the driver (`src/foo/mod.rs`, or a `src/foo/fuzz.rs` it
//!    declares with `#[cfg(feature = "testkit")] mod fuzz;`):
//!
//!    ```ignore
//!    use crate::testkit::{FuzzCodec, FuzzDriver, Input};
//!
//!    impl FuzzCodec for FooDriver {
//!        // The decoder never panics; count what decodes.
//!        fn decode(data: &[u8]) -> usize {
//!            usize::from(codec::decode(data).is_ok())
//!        }
//!        // Encode -> decode gives back what was encoded.
//!        fn roundtrip(data: &[u8]) -> usize {
//!            let value = codec::Timecode::arbitrary(&mut Input::new(data));
//!            assert_eq!(codec::decode(&codec::encode(&value)), Ok(value));
//!            1
//!        }
//!    }
//!
//!    // The generic properties; override `MODE_BITS`, `rules` or
//!    // `checker` for the driver's own.
//!    impl FuzzDriver for FooDriver {}
//!    ```
//!
//! 2. One line in the list of `fuzz/harness/src/lib.rs`:
//!
//!    ```ignore
//!    targets! {
//!        drivers {
//!            nmea => refclock_drivers::nmea::NmeaDriver,
//!            foo => refclock_drivers::foo::FooDriver,
//!        }
//!        ...
//!    }
//!    ```
//!
//! 3. Generate cargo-fuzz's files and the seeds, and commit them:
//!
//!    ```sh
//!    cargo run -p refclock-fuzz-harness --example gen_targets   # fuzz/Cargo.toml, fuzz/fuzz_targets/foo_*.rs
//!    cargo run -p refclock-fuzz-harness --example gen_corpus    # fuzz/corpus/foo_*/seed-*
//!    ```
//!
//!    `cargo test -p refclock-fuzz-harness` fails, naming these commands,
//!    while either is missing; it then replays the new corpora.
//!
//! # A new driver's replay tests
//!
//! In `refclock-drivers/tests/foo_replay.rs` (the kit is on in every test
//! build of this crate):
//!
//! ```ignore
//! use refclock_drivers::testkit::{busy_host, check_chunking, run_ops, Testdata};
//!
//! #[test]
//! fn captures_in_one_read_and_in_random_reads() {
//!     let Some(data) = Testdata::locate(env!("CARGO_MANIFEST_DIR")) else { return };
//!     for cap in data.captures() {
//!         check_chunking::<FooDriver, _>(&config(), cap.body(), t0(), 1..=3, |c| c.driver().stats())
//!             .unwrap_or_else(|e| panic!("{}: {e}", cap.name));
//!     }
//! }
//!
//! #[test]
//! fn captures_under_a_busy_host() {
//!     // ... for each capture and a few seeds:
//!     run_ops::<FooDriver>(&config(), t0(), &busy_host(&mut Rng::new(seed), cap.body(), 64));
//! }
//! ```
//!
//! `refclock-drivers/tests/nmea_replay.rs` does all of this for NMEA, with
//! gpsd's decoded times as the oracle.

mod capture;
mod fuzz;
mod input;
mod invariants;
mod replay;
mod runner;
pub mod script;

pub use capture::{iso8601_secs, Capture, Testdata, TESTDATA};
pub use fuzz::{Call, Checker, FuzzCodec, FuzzDriver, NoChecks, Rules};
pub use input::Input;
pub use replay::{check_chunking, drain, feed, feed_chunked, feed_reads, Chunker, Outcome};
pub use runner::{run_ops, run_script};
pub use script::{busy_host, Header, Op, PortOp};

#[cfg(test)]
pub(crate) mod tests;
