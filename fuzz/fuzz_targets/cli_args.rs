//! Fuzz target `cli_args`: see `refclock_fuzz_harness::cli_args` for the input
//! format and the properties checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = refclock_fuzz_harness::cli_args::cli_args(data);
});
