//! Replays the fuzz corpora as ordinary tests: every file of
//! `fuzz/corpus/TARGET/` (the committed seeds, what the fuzzer found, and
//! the reproducers of bugs found) and of `fuzz/artifacts/TARGET/` (crashes
//! of a local fuzzing run, when present) goes through the target's body,
//! for every target of `TARGETS`. A file whose body panics fails the test,
//! with the target and the file named; so does a target without a corpus,
//! or whose corpus never reaches its success paths (a count of 0).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use refclock_fuzz_harness::generate::fuzz_dir;
use refclock_fuzz_harness::{Target, TARGETS};

const GEN_CORPUS: &str = "cargo run -p refclock-fuzz-harness --example gen_corpus";

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

fn message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Runs every corpus and artifact file of `target`; the problems found.
fn replay(target: &Target) -> Vec<String> {
    let name = target.name;
    let corpus = files(&fuzz_dir().join("corpus").join(name));
    if corpus.is_empty() {
        return vec![format!(
            "{name}: no corpus in {}; run `{GEN_CORPUS}`",
            fuzz_dir().join("corpus").join(name).display()
        )];
    }
    let artifacts = files(&fuzz_dir().join("artifacts").join(name));
    let mut hits = 0;
    let mut problems = Vec::new();
    for path in corpus.iter().chain(&artifacts) {
        let data = std::fs::read(path).expect("corpus file");
        match catch_unwind(AssertUnwindSafe(|| (target.body)(&data))) {
            Ok(n) => hits += n,
            Err(e) => problems.push(format!("{name}: {}: {}", path.display(), message(&*e))),
        }
    }
    if hits == 0 {
        problems.push(format!(
            "{name}: {} inputs and none reaches a success path",
            corpus.len()
        ));
    }
    problems
}

#[test]
fn every_corpus_replays() {
    let problems: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = TARGETS.iter().map(|t| s.spawn(move || replay(t))).collect();
        runs.into_iter()
            .flat_map(|r| r.join().expect("replay thread"))
            .collect()
    });
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_corpus_folder_belongs_to_a_target() {
    let dir = fuzz_dir().join("corpus");
    for e in std::fs::read_dir(&dir).expect("fuzz/corpus") {
        let p = e.expect("entry").path();
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        assert!(
            !p.is_dir() || TARGETS.iter().any(|t| t.name == name),
            "{} is no target's corpus: rename or remove it",
            p.display()
        );
    }
}
