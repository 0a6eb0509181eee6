//! Fuzz target `line_framer`: see `refclock_fuzz_harness::line_framer` for the input
//! format and the properties checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = refclock_fuzz_harness::line_framer::line_framer(data);
});
