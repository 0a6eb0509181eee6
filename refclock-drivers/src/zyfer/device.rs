//! The simulated GPStarplus TOD port (feature `sim`): one `!TIME` record
//! a second, its `!` on time, and nothing it answers (the TOD line only
//! transmits).
//!
//! A valid epoch is stated in UTC (time mode 2), time locked (operation
//! mode 1) with figure of merit 4 (≤ 1 µs). An invalid one says warm-up
//! (operation mode 0, figure of merit 9) until the device has been locked
//! once, and coasting (2, figure of merit 6) after that, as a receiver
//! that lost its satellites does; [`DeviceModel::reset`] (the device
//! switched off) starts it warming up again.
//!
//! The format has no leap second warning, so the device announces
//! nothing; an inserted leap second is stated as second 60
//! (`!TIME,2016,366,23,59,60,...`), as a receiver that states UTC
//! second by second must, and a deleted one is simply missing. Nothing
//! the device writes outside a record may be a `!`
//! ([`DeviceModel::garbage_allowed`]), which would start one.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message};

use super::codec::{self, ZyferTime, OP_COASTING, OP_LOCKED, OP_WARM_UP, TIME_MODE_UTC};

/// Byte offset of the comma after the day of year, which
/// [`DeviceModel::corrupt`] spoils.
const CORRUPT_AT: usize = 14;

/// The simulated receiver (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct ZyferDevice {
    /// Locked at least once since power-up.
    was_locked: bool,
}

/// Builds the model; it takes no options.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!("zyfer: unknown option {key:?}")));
    }
    Ok(Box::new(ZyferDevice::default()))
}

impl ZyferDevice {
    /// The record for `epoch`, updating the lock memory.
    pub fn record(&mut self, epoch: &Epoch) -> ZyferTime {
        let (op_mode, merit) = if epoch.valid {
            self.was_locked = true;
            (OP_LOCKED, 4)
        } else if self.was_locked {
            (OP_COASTING, 6)
        } else {
            (OP_WARM_UP, 9)
        };
        ZyferTime::from_civil(&epoch.time, TIME_MODE_UTC, merit, op_mode)
    }
}

impl DeviceModel for ZyferDevice {
    fn describe(&self) -> String {
        "Zyfer GPStarplus".to_string()
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let code = codec::encode(&self.record(epoch));
        out.push(Message::new("TIME", code).naming(epoch));
    }

    /// Replaces the comma after the day of year, so that the record no
    /// longer scans (`CEVNT_BADREPLY`).
    fn corrupt(&self, message: &mut Message) -> bool {
        match message.bytes.get_mut(CORRUPT_AT) {
            Some(b) => {
                *b = b';';
                message.corrupt = true;
                true
            }
            None => false,
        }
    }

    fn reset(&mut self) {
        self.was_locked = false;
    }

    /// Any byte but `!`, which would start a record. The port is 8N1 and
    /// the driver compares whole bytes, so `0xA1` (a `!` with the eighth
    /// bit set) is noise like any other, and so are control characters:
    /// a record has no line end they could fake.
    fn garbage_allowed(&self, byte: u8) -> bool {
        byte != codec::ON_TIME
    }
}
