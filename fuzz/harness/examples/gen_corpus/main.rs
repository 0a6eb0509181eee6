//! Writes the seed corpora of the fuzz targets (`seed-*` files) from gpsd's
//! receiver captures, the drivers' examples and hand-made cases.
//!
//! ```sh
//! cargo run -p refclock-fuzz-harness --example gen_corpus [-- CORPUS_DIR [GPSD_DIR]]
//! ```
//!
//! Defaults: `fuzz/corpus` of this repository and `shared/testdata/gpsd`
//! beside it. Every target of `refclock_fuzz_harness::TARGETS` gets the
//! generic seeds of its kind ([`generic`]) and, for some, seeds of its own
//! ([`extra`]). Existing `seed-*` files are replaced; other files (what
//! the fuzzer found, reproducers of bugs) are left alone. Every seed is
//! run through its target's body before it is written.

mod generic;
mod nmea;
mod others;

use std::fs;
use std::path::PathBuf;

use refclock_drivers::testkit::{Capture, Testdata};
use refclock_fuzz_harness::TARGETS;

/// Seeds of one target: (file name, bytes).
pub type Seeds = Vec<(String, Vec<u8>)>;

/// A target's own seeds, beside the generic ones.
fn extra(target: &str, caps: &[Capture]) -> Seeds {
    match target {
        "nmea_decode" => nmea::decode_seeds(caps),
        "nmea_driver" => nmea::driver_seeds(caps),
        "line_framer" => others::line_framer_seeds(caps),
        "sock_decode" => others::sock_seeds(),
        "cli_args" => others::cli_seeds(),
        "calendar" => others::calendar_seeds(),
        _ => Seeds::new(),
    }
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = args
        .next()
        .map_or_else(|| here.join("../corpus"), PathBuf::from);
    let testdata = match args.next() {
        Some(dir) => Testdata::at(dir),
        None => Testdata::find(&here).expect("shared/testdata/gpsd beside the repository"),
    };
    let caps = testdata.captures();
    assert!(
        !caps.is_empty(),
        "no captures in {}",
        testdata.dir().display()
    );
    for target in TARGETS {
        let mut seeds = generic::seeds(target, &caps);
        seeds.extend(extra(target.name, &caps));
        let dir = corpus.join(target.name);
        fs::create_dir_all(&dir).expect("corpus dir");
        for e in fs::read_dir(&dir).expect("corpus dir") {
            let p = e.expect("entry").path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("seed-"))
            {
                fs::remove_file(&p).expect("old seed");
            }
        }
        let mut hits = 0;
        let mut bytes = 0;
        for (name, data) in &seeds {
            hits += (target.body)(data);
            bytes += data.len();
            fs::write(dir.join(name), data).expect("seed");
        }
        println!(
            "{}: {} seeds, {bytes} bytes, {hits} hits",
            target.name,
            seeds.len()
        );
    }
    for e in fs::read_dir(&corpus).expect("corpus dir") {
        let p = e.expect("entry").path();
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        if p.is_dir() && !TARGETS.iter().any(|t| t.name == name) {
            println!("note: {} is no target's corpus", p.display());
        }
    }
}
