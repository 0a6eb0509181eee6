//! The simulated Chrono-log K: each second in sync it sends the date
//! line and the time line in the zone it was given, the time line's CR on
//! the second.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message};
use refclock_core::zone::Zone;

use super::codec::{encode, Line};
use super::driver::BAUD;

/// The device for `setup`: option `tz=ZONE` (as TZ takes it), else the
/// process's zone.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    Ok(Box::new(SimulatedChronolog::new(zone_of(
        setup,
        "chronolog",
    )?)))
}

/// The zone a local-time device uses: `tz=ZONE`, else the process's.
fn zone_of(setup: &DeviceSetup, who: &str) -> Result<Zone, DeviceError> {
    let mut zone = None;
    for (key, value) in &setup.options {
        match key.as_str() {
            "tz" => zone = Some(value.clone()),
            other => {
                return Err(DeviceError(format!(
                    "{who}: unknown option {other:?} (it takes tz=ZONE)"
                )))
            }
        }
    }
    Zone::from_option(zone.as_deref()).map_err(|e| DeviceError(format!("{who}: {e}")))
}

/// A Chrono-log K on local time.
#[derive(Debug, Clone)]
pub struct SimulatedChronolog {
    zone: Zone,
}

impl SimulatedChronolog {
    /// A clock on `zone`.
    pub fn new(zone: Zone) -> SimulatedChronolog {
        SimulatedChronolog { zone }
    }

    /// The two lines for the second `epoch` names, with the time line's CR
    /// on time.
    pub fn message(&self, epoch: &Epoch) -> Message {
        let t = self.zone.to_local(epoch.named.secs());
        let mut bytes = encode(&Line::Date {
            year: (t.year.rem_euclid(100)) as u8,
            month: t.month,
            day: t.day,
        });
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(&encode(&Line::Time {
            hour: t.hour,
            minute: t.minute,
            second: t.second,
        }));
        let cr = bytes.len();
        bytes.extend_from_slice(b"\r\n");
        let mut m = Message::new("YZ", bytes).naming(epoch);
        m.on_time = cr;
        m.end = cr;
        m
    }
}

impl DeviceModel for SimulatedChronolog {
    fn describe(&self) -> String {
        format!("Chrono-log K ({})", self.zone.name())
    }

    fn baud(&self) -> u32 {
        BAUD
    }

    /// Silent while not in sync: the format has no way to say so.
    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if epoch.valid {
            out.push(self.message(epoch));
        }
    }

    /// A letter for the time line's last digit (a bad format).
    fn corrupt(&self, message: &mut Message) -> bool {
        let Some(i) = message.on_time.checked_sub(1) else {
            return false;
        };
        message.bytes[i] = b'x';
        message.corrupt = true;
        true
    }
}
