//! The libparse formats, one module per format family, and the choice
//! of format (and simulated device) by mode.

use super::format::Format;

pub mod meinberg;
pub mod rawdcf;
pub mod trimble;
pub mod ascii;

/// The format of `mode` (0..=24), with the hooks of that mode (its
/// polls and start-up strings), or `None` while a mode is not
/// implemented.
#[allow(clippy::match_single_binding)]
pub fn for_mode(mode: u8) -> Option<Box<dyn Format>> {
    // One arm per family; each family's constructor takes the mode when
    // the family's modes differ in their hooks.
    match mode {
        0 | 1 | 2 | 7 | 18 | 22 | 23 => {
            meinberg::Meinberg::new(mode).map(|f| Box::new(f) as Box<dyn Format>)
        }
        5 | 6 | 8 | 14 | 16 | 19 | 20 | 21 => Some(Box::new(rawdcf::RawDcf::new(mode))),
        9 | 10 => trimble::for_mode(mode),
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
