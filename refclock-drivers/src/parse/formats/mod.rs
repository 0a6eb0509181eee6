//! The libparse formats, one module per format family, and the choice
//! of format (and simulated device) by mode.

use super::format::Format;

pub mod ascii;
pub mod meinberg;
pub mod rawdcf;
pub mod trimble;

/// The format of `mode` (0..=24), with the hooks of that mode (its
/// polls and start-up strings), or `None` while a mode is not
/// implemented. `basedate` is the clock's (GPS weeks unfold after it).
pub fn for_mode(mode: u8, basedate: &refclock_core::calendar::Basedate) -> Option<Box<dyn Format>> {
    // One arm per family; each family's constructor takes the mode when
    // the family's modes differ in their hooks.
    match mode {
        0 | 1 | 2 | 7 | 18 | 22 | 23 => {
            meinberg::Meinberg::new(mode).map(|f| Box::new(f) as Box<dyn Format>)
        }
        5 | 6 | 8 | 14 | 16 | 19 | 20 | 21 => Some(Box::new(rawdcf::RawDcf::new(mode))),
        9 | 10 => trimble::for_mode(mode, basedate),
        3 | 4 | 11 | 12 | 13 | 15 | 17 | 24 => {
            ascii::for_mode(mode).map(|f| Box::new(f) as Box<dyn Format>)
        }
        _ => None,
    }
}

/// The simulated device of `mode` (0..=24), or `None` while a mode has
/// none.
#[cfg(feature = "sim")]
#[allow(clippy::match_single_binding)]
pub fn device_for_mode(
    mode: u8,
    setup: &refclock_core::sim::DeviceSetup,
) -> Option<Result<Box<dyn refclock_core::sim::DeviceModel>, refclock_core::sim::DeviceError>> {
    match mode {
        0 | 1 | 2 | 7 | 18 | 22 | 23 => Some(meinberg::device::new(setup)),
        5 | 6 | 8 | 14 | 16 | 19 | 20 | 21 => Some(rawdcf::device::new(setup)),
        9 | 10 => Some(trimble::device::new(mode, setup)),
        3 | 4 | 11 | 12 | 13 | 15 | 17 | 24 => Some(ascii::device::new(mode, setup)),
        _ => None,
    }
}

/// The round trip of `mode`'s format under the fuzzer (encode what
/// `data` describes, decode it, compare): the `FuzzCodec` of its family.
#[cfg(feature = "testkit")]
pub fn fuzz_roundtrip(mode: u8, data: &[u8]) -> usize {
    use crate::testkit::FuzzCodec;
    use ascii::fuzz as a;
    match mode {
        0 | 1 | 2 | 22 => meinberg::fuzz::MeinbergStandardCodec::roundtrip(data),
        7 | 18 | 23 => meinberg::fuzz::MeinbergGpsCodec::roundtrip(data),
        5 | 6 | 8 | 14 | 16 | 19 | 20 | 21 => rawdcf::fuzz::RawDcfFuzz::roundtrip(data),
        9 => trimble::fuzz::TaipCodec::roundtrip(data),
        10 => trimble::fuzz::TsipCodec::roundtrip(data),
        3 => a::Dcf7000Codec::roundtrip(data),
        4 => a::SchmidCodec::roundtrip(data),
        11 => a::Rcc8000Codec::roundtrip(data),
        12 => a::Hopf6021Codec::roundtrip(data),
        13 => a::ComputimeCodec::roundtrip(data),
        15 => a::WhartonCodec::roundtrip(data),
        17 => a::VaritextCodec::roundtrip(data),
        24 => a::Sel240xCodec::roundtrip(data),
        _ => 0,
    }
}

/// Example timecodes for the fuzzer's seed corpus, each led by its mode
/// byte and framed as the clock sends it.
#[cfg(feature = "testkit")]
pub fn fuzz_examples() -> Vec<Vec<u8>> {
    use crate::testkit::FuzzCodec;
    use ascii::fuzz as a;
    fn of<C: FuzzCodec>(mode: u8, out: &mut Vec<Vec<u8>>) {
        for m in C::examples() {
            let mut v = vec![mode];
            v.extend(C::framed(&m));
            out.push(v);
        }
    }
    let mut out = Vec::new();
    of::<meinberg::fuzz::MeinbergStandardCodec>(0, &mut out);
    of::<meinberg::fuzz::MeinbergGpsCodec>(7, &mut out);
    of::<rawdcf::fuzz::RawDcfFuzz>(5, &mut out);
    of::<trimble::fuzz::TaipCodec>(9, &mut out);
    of::<trimble::fuzz::TsipCodec>(10, &mut out);
    of::<a::Dcf7000Codec>(3, &mut out);
    of::<a::SchmidCodec>(4, &mut out);
    of::<a::Rcc8000Codec>(11, &mut out);
    of::<a::Hopf6021Codec>(12, &mut out);
    of::<a::ComputimeCodec>(13, &mut out);
    of::<a::WhartonCodec>(15, &mut out);
    of::<a::VaritextCodec>(17, &mut out);
    of::<a::Sel240xCodec>(24, &mut out);
    out
}
