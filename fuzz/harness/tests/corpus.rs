//! Replays the fuzz corpora as ordinary tests: every file of
//! `fuzz/corpus/TARGET/` (the committed seeds, what the fuzzer found, and
//! the reproducers of bugs found) and of `fuzz/artifacts/TARGET/` (crashes
//! of a local fuzzing run, when present) goes through the target's body.
//! A file whose body panics fails the target's test, with the file named.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use refclock_fuzz_harness::body;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// Runs every corpus and artifact file of `target`; returns the body's
/// summed count of interesting outcomes.
fn replay(target: &str) -> usize {
    let run = body(target).expect("a known target");
    let corpus = files(&fuzz_dir().join("corpus").join(target));
    assert!(
        !corpus.is_empty(),
        "no corpus for {target} in {}",
        fuzz_dir().join("corpus").display()
    );
    let artifacts = files(&fuzz_dir().join("artifacts").join(target));
    let mut hits = 0;
    let mut failures = Vec::new();
    for path in corpus.iter().chain(&artifacts) {
        let data = std::fs::read(path).expect("corpus file");
        match catch_unwind(AssertUnwindSafe(|| run(&data))) {
            Ok(n) => hits += n,
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{}: {msg}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {target} inputs fail:\n{}",
        failures.len(),
        corpus.len() + artifacts.len(),
        failures.join("\n")
    );
    hits
}

#[test]
fn nmea_parse_corpus() {
    // Some lines of the corpus decode strictly.
    assert!(replay("nmea_parse") > 0);
}

#[test]
fn nmea_driver_corpus() {
    // The corpus takes samples.
    assert!(replay("nmea_driver") > 0);
}

#[test]
fn line_framer_corpus() {
    assert!(replay("line_framer") > 0);
}

#[test]
fn sock_decode_corpus() {
    assert!(replay("sock_decode") > 0);
}

#[test]
fn cli_args_corpus() {
    assert!(replay("cli_args") > 0);
}

#[test]
fn calendar_corpus() {
    assert!(replay("calendar") > 0);
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    for (name, _) in refclock_fuzz_harness::TARGETS {
        let file = fuzz_dir().join("fuzz_targets").join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&file).expect("fuzz target source");
        assert!(
            text.contains(&format!("refclock_fuzz_harness::{name}::{name}(data)")),
            "{} does not call its harness body",
            file.display()
        );
    }
}
