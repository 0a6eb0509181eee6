//! The simulated PARSE clocks: the device of `mode & 0x7F`, from its
//! format family's module.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup};

/// The simulated clock of `setup.fudge.mode & 0x7F`.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mode = setup.fudge.mode & 0x7f;
    let m = u8::try_from(mode).map_err(|_| DeviceError(format!("mode {mode}: 0..=24")))?;
    match super::formats::device_for_mode(m, setup) {
        Some(device) => device,
        None => Err(DeviceError(format!(
            "PARSE mode {mode} has no simulated device (modes 0..=24)"
        ))),
    }
}
