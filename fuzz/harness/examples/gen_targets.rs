//! Writes cargo-fuzz's files from `refclock_fuzz_harness::TARGETS`: the
//! `[[bin]]`s of `fuzz/Cargo.toml` and `fuzz/fuzz_targets/NAME.rs`, removing
//! the files of targets that are gone.
//!
//! ```sh
//! cargo run -p refclock-fuzz-harness --example gen_targets
//! ```

use refclock_fuzz_harness::generate::{fuzz_dir, write};
use refclock_fuzz_harness::TARGETS;

fn main() {
    let dir = fuzz_dir();
    let changed = write(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for c in &changed {
        println!("{c}");
    }
    println!("{} targets, {} files changed", TARGETS.len(), changed.len());
}
