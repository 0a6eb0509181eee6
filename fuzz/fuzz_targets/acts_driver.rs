//! Fuzz target `acts_driver`: its body is the entry of that name in
//! `refclock_fuzz_harness::TARGETS`. Written by
//! `cargo run -p refclock-fuzz-harness --example gen_targets`; do not edit.
#![no_main]

use libfuzzer_sys::fuzz_target;

const BODY: refclock_fuzz_harness::Body = refclock_fuzz_harness::body_of("acts_driver");

fuzz_target!(|data: &[u8]| {
    let _ = BODY(data);
});
