//! Fuzz target `nmea_driver`: see `refclock_fuzz_harness::nmea_driver` for the input
//! format and the properties checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = refclock_fuzz_harness::nmea_driver::nmea_driver(data);
});
