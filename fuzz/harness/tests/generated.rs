//! cargo-fuzz's files (`fuzz/Cargo.toml`'s `[[bin]]`s and
//! `fuzz/fuzz_targets/`) must be what `TARGETS` gives.

use refclock_fuzz_harness::generate::{fuzz_dir, problems, COMMAND};

#[test]
fn cargo_fuzz_files_are_in_step_with_the_targets() {
    let p = problems(&fuzz_dir());
    assert!(
        p.is_empty(),
        "cargo-fuzz's files are out of step with refclock_fuzz_harness::TARGETS; run `{COMMAND}`:\n{}",
        p.join("\n")
    );
}
