//! # refclock-fuzz-harness: the bodies of the fuzz targets
//!
//! [`TARGETS`] lists every fuzz target: its name (the cargo-fuzz binary's
//! and its corpus folder's) and its body. The very same bodies run in
//! three ways: under libFuzzer (`fuzz/fuzz_targets/NAME.rs`, generated
//! from [`TARGETS`] by `examples/gen_targets.rs`), over the committed
//! corpus as an ordinary test (`tests/corpus.rs` replays every file of
//! `fuzz/corpus/NAME/` and, when present, `fuzz/artifacts/NAME/`), and in
//! the unit tests here.
//!
//! A body takes arbitrary bytes and **panics when a property fails**: that
//! is what libFuzzer reports as a crash. Bad input is never a failure by
//! itself; what the code under test makes of it is checked. Every body
//! returns a count of the "interesting" outcomes it saw (samples taken,
//! sentences decoded, lines framed, ...), so tests can tell a corpus that
//! reaches the code's success paths from one that does not.
//!
//! ## Drivers: three targets from one line
//!
//! Each line of `drivers { .. }` below gives a driver's three targets,
//! from what it implements of the test kit
//! ([`refclock_drivers::testkit`], whose documentation tells how):
//!
//! | target | body |
//! |---|---|
//! | `NAME_decode` | [`FuzzCodec::decode`]: the decoder never panics (NMEA: and agrees with a naive decoder) |
//! | `NAME_roundtrip` | [`FuzzCodec::roundtrip`]: encode → decode gives back what was encoded |
//! | `NAME_driver` | [`run_script`]: the driver under a script of reads, ticks, polls, PPS edges and port events keeps the generic properties and its own ([`FuzzDriver`]) |
//!
//! ## The other targets
//!
//! | target | code under test | properties |
//! |---|---|---|
//! | [`line_framer`](line_framer::line_framer) | `refclock_core::framing::LineFramer` | any chunking, and stopping after each frame, give the model's lines, each with the times of the reads holding its first byte and its terminator |
//! | [`sock_decode`](sock_decode::sock_decode) | `refclock_sock::SockSample` | decode never panics; encode → decode is bit-exact; decode → encode restores the datagram |
//! | [`cli_args`](cli_args::cli_args) | `refclock_cli::args::parse` | no panic; accepted command lines respect every limit |
//! | [`calendar`](calendar::calendar) | `refclock_core::calendar`, `refclock_core::gps` | no panic; civil, year-of-day, GPS week and era round trips |

pub mod calendar;
pub mod cli_args;
pub mod generate;
pub mod line_framer;
pub mod sock_decode;

use refclock_drivers::testkit::{run_script, FuzzCodec, FuzzDriver};

/// The signature of a target body: bytes in, a count of interesting
/// outcomes out, a panic when a property fails.
pub type Body = fn(&[u8]) -> usize;

/// What a target fuzzes, for the seeds `gen_corpus` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A driver's decoder ([`FuzzCodec::decode`]).
    Decode,
    /// A driver's encode → decode round trip ([`FuzzCodec::roundtrip`]).
    Roundtrip,
    /// A driver under the script runner ([`run_script`]).
    Driver,
    /// Anything else.
    Other,
}

/// One fuzz target.
#[derive(Clone, Copy)]
pub struct Target {
    /// The target's name: its cargo-fuzz binary and corpus folder.
    pub name: &'static str,
    /// Its body.
    pub body: Body,
    /// What it fuzzes.
    pub kind: Kind,
    /// Well-formed messages of the driver for seeds: as its decoder takes
    /// them ([`FuzzCodec::examples`]) for the decode and round-trip
    /// targets, as its device sends them ([`FuzzCodec::framed`]) for the
    /// driver target; none for the other targets.
    pub examples: fn() -> Vec<Vec<u8>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish()
    }
}

fn no_examples() -> Vec<Vec<u8>> {
    Vec::new()
}

/// Builds [`TARGETS`]: three targets for each line of `drivers`, one for
/// each line of `others`.
macro_rules! targets {
    (
        drivers { $($name:ident => $driver:ty),* $(,)? }
        others { $($other:ident => $body:path),* $(,)? }
    ) => {
        /// Every target, the drivers' first (see the crate documentation).
        pub const TARGETS: &[Target] = &[
            $(
                Target {
                    name: concat!(stringify!($name), "_decode"),
                    body: <$driver as FuzzCodec>::decode,
                    kind: Kind::Decode,
                    examples: <$driver as FuzzCodec>::examples,
                },
                Target {
                    name: concat!(stringify!($name), "_roundtrip"),
                    body: <$driver as FuzzCodec>::roundtrip,
                    kind: Kind::Roundtrip,
                    examples: <$driver as FuzzCodec>::examples,
                },
                Target {
                    name: concat!(stringify!($name), "_driver"),
                    body: driver_body::<$driver>,
                    kind: Kind::Driver,
                    examples: device_examples::<$driver>,
                },
            )*
            $(
                Target {
                    name: stringify!($other),
                    body: $body,
                    kind: Kind::Other,
                    examples: no_examples,
                },
            )*
        ];
    };
}

targets! {
    drivers {
        nmea => refclock_drivers::nmea::NmeaDriver,
        hpgps => refclock_drivers::hpgps::HpgpsDriver,
        zyfer => refclock_drivers::zyfer::ZyferDriver,
        jupiter => refclock_drivers::jupiter::JupiterDriver,
        parse => refclock_drivers::parse::ParseDriver,
        oncore => refclock_drivers::oncore::OncoreDriver,
        ubx => refclock_drivers::ubx::UbxDriver,
        trimble => refclock_drivers::trimble::TrimbleDriver,
        leitch => refclock_drivers::leitch::LeitchDriver,
        datum => refclock_drivers::datum::DatumDriver,
        chronolog => refclock_drivers::chronolog::ChronologDriver,
        dumbclock => refclock_drivers::dumbclock::DumbclockDriver,
        pst => refclock_drivers::pst::PstDriver,
        as2201 => refclock_drivers::as2201::As2201Driver,
        arcron => refclock_drivers::arcron::ArcronDriver,
        ulink => refclock_drivers::ulink::UlinkDriver,
        fg => refclock_drivers::fg::FgDriver,
        hopfserial => refclock_drivers::hopfserial::HopfSerialDriver,
        neoclock4x => refclock_drivers::neoclock4x::Neoclock4xDriver,
        gpsd => refclock_drivers::gpsd::GpsdDriver,
        jjy => refclock_drivers::jjy::JjyDriver,
        spectracom => refclock_drivers::spectracom::SpectracomDriver,
        truetime => refclock_drivers::truetime::TrueTimeDriver,
        arbiter => refclock_drivers::arbiter::ArbiterDriver,
        heath => refclock_drivers::heath::HeathDriver,
        acts => refclock_drivers::acts::ActsDriver,
    }
    others {
        line_framer => line_framer::line_framer,
        sock_decode => sock_decode::sock_decode,
        cli_args => cli_args::cli_args,
        calendar => calendar::calendar,
    }
}

/// A driver target's body: [`run_script`].
pub fn driver_body<D: FuzzDriver>(data: &[u8]) -> usize {
    run_script::<D>(data)
}

/// A driver's examples as its device sends them.
pub fn device_examples<D: FuzzCodec>() -> Vec<Vec<u8>> {
    D::examples().iter().map(|m| D::framed(m)).collect()
}

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The body of the target called `name`.
pub fn body(name: &str) -> Option<Body> {
    target(name).map(|t| t.body)
}

/// The body of the target called `name`, at compile time: a generated
/// `fuzz_targets/NAME.rs` whose target is gone fails to build.
pub const fn body_of(name: &str) -> Body {
    let mut i = 0;
    while i < TARGETS.len() {
        if const_eq(TARGETS[i].name, name) {
            return TARGETS[i].body;
        }
        i += 1;
    }
    panic!("no such fuzz target; run `cargo run -p refclock-fuzz-harness --example gen_targets`")
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "{names:?}");
        for &n in &names {
            assert!(body(n).is_some());
            assert!(std::ptr::fn_addr_eq(body_of(n), body(n).unwrap()));
        }
        assert_eq!(
            &names[..3],
            &["nmea_decode", "nmea_roundtrip", "nmea_driver"]
        );
        assert!(body("nmea_parse").is_none());
        assert!(!const_eq("ab", "abc") && !const_eq("ab", "ac") && const_eq("", ""));
    }

    #[test]
    fn driver_targets_have_examples() {
        for t in TARGETS.iter().filter(|t| t.kind != Kind::Other) {
            assert!(!(t.examples)().is_empty(), "{}", t.name);
        }
    }
}
