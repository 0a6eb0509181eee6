//! Fuzz target `sock_decode`: see `refclock_fuzz_harness::sock_decode` for the input
//! format and the properties checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = refclock_fuzz_harness::sock_decode::sock_decode(data);
});
