//! The simulated hopf 6021-compatible clock (feature `sim`): a telegram
//! a second, sent ahead so that its ETX goes out on the second it names.
//!
//! By default it states UTC (the `B` digit's UTC bit set), which is what
//! ntpd's driver assumes; device option `zone=local` makes it state
//! German civil time (MEZ, or MESZ from the last Sunday of March 01:00
//! UTC to the last Sunday of October 01:00 UTC, with the status's
//! summer-time bit), which this driver converts and ntpd's does not. A
//! valid epoch is radio time (mode 8); an invalid one the internal
//! clock (mode 4) once the clock has had radio time, no time (mode 0)
//! before. [`DeviceModel::corrupt`] puts a letter in the seconds.

use refclock_core::calendar::{days_from_civil, CivilTime};
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message};
use refclock_core::Timestamp;

use super::codec::{self, HopfTime, DST, MODE_INTERNAL, MODE_INVALID, MODE_RADIO, UTC};

/// The simulated clock (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct HopfDevice {
    local: bool,
    was_synced: bool,
}

/// Builds the model; option `zone=utc` (default) or `zone=local`.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut dev = HopfDevice::default();
    for (key, value) in &setup.options {
        match (key.as_str(), value.as_str()) {
            ("zone", "utc") => dev.local = false,
            ("zone", "local") => dev.local = true,
            _ => {
                return Err(DeviceError(format!(
                    "hopfserial: unknown option {key}={value} (zone=utc|local)"
                )))
            }
        }
    }
    Ok(Box::new(dev))
}

/// Whether German summer time (MESZ) is in force at `utc`.
pub fn summer_time(utc: i64) -> bool {
    let year = CivilTime::from_timestamp(Timestamp::from_secs(utc)).year;
    let last_sunday = |month: u8| {
        let last = days_from_civil(year, month, 31);
        (last - (last - 3).rem_euclid(7)) * 86_400 + 3600
    };
    utc >= last_sunday(3) && utc < last_sunday(10)
}

impl HopfDevice {
    /// The telegram for `epoch`.
    pub fn telegram(&mut self, epoch: &Epoch) -> HopfTime {
        let leap = epoch.time.second == 60;
        let utc = epoch.named.secs() - i64::from(leap);
        let summer = self.local && summer_time(utc);
        let shift = match (self.local, summer) {
            (false, _) => 0,
            (true, false) => 3600,
            (true, true) => 7200,
        };
        let mut t = CivilTime::from_timestamp(Timestamp::from_secs(utc + shift));
        if leap {
            t.second = 60;
        }
        if epoch.valid {
            self.was_synced = true;
        }
        let mode = match (epoch.valid, self.was_synced) {
            (true, _) => MODE_RADIO,
            (false, true) => MODE_INTERNAL,
            (false, false) => MODE_INVALID,
        };
        let weekday = (days_from_civil(t.year, t.month, t.day) + 3).rem_euclid(7) as u8 + 1;
        HopfTime {
            status: mode | if summer { DST } else { 0 },
            weekday: weekday | if self.local { 0 } else { UTC },
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            day: t.day,
            month: t.month,
            year: t.year.rem_euclid(100) as u8,
        }
    }
}

impl DeviceModel for HopfDevice {
    fn describe(&self) -> String {
        "hopf 6021-compatible serial clock".to_string()
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let bytes = codec::encode(&self.telegram(epoch));
        let mut m = Message::new("TIME", bytes).naming(epoch);
        m.on_time = m.bytes.len() - 1;
        m.end = codec::LEN + 1;
        out.push(m);
    }

    /// A letter in the seconds.
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TIME" || message.bytes.len() < codec::LEN {
            return false;
        }
        message.bytes[8] = b'x';
        true
    }

    fn reset(&mut self) {
        self.was_synced = false;
    }
}
