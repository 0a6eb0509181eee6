//! The simulated dumb clock: each second in sync, `hh:mm:ss\r\n` in the
//! zone it was given, the CR on the second.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message};
use refclock_core::zone::Zone;

use super::codec::{encode, DumbTime};
use super::driver::BAUD;

/// The device for `setup`: option `tz=ZONE` (as TZ takes it), else the
/// process's zone.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut zone = None;
    for (key, value) in &setup.options {
        match key.as_str() {
            "tz" => zone = Some(value.clone()),
            other => {
                return Err(DeviceError(format!(
                    "dumbclock: unknown option {other:?} (it takes tz=ZONE)"
                )))
            }
        }
    }
    let zone =
        Zone::from_option(zone.as_deref()).map_err(|e| DeviceError(format!("dumbclock: {e}")))?;
    Ok(Box::new(SimulatedDumbclock::new(zone)))
}

/// A dumb clock on local time.
#[derive(Debug, Clone)]
pub struct SimulatedDumbclock {
    zone: Zone,
}

impl SimulatedDumbclock {
    /// A clock on `zone`.
    pub fn new(zone: Zone) -> SimulatedDumbclock {
        SimulatedDumbclock { zone }
    }

    /// The line for the second `epoch` names, its CR on time.
    pub fn message(&self, epoch: &Epoch) -> Message {
        let t = self.zone.to_local(epoch.named.secs());
        let mut bytes = encode(&DumbTime {
            hour: t.hour,
            minute: t.minute,
            second: t.second,
        });
        let cr = bytes.len();
        bytes.extend_from_slice(b"\r\n");
        let mut m = Message::line("TIME", bytes).naming(epoch);
        m.on_time = cr;
        m
    }
}

impl DeviceModel for SimulatedDumbclock {
    fn describe(&self) -> String {
        format!("dumb clock ({})", self.zone.name())
    }

    fn baud(&self) -> u32 {
        BAUD
    }

    /// Silent while not in sync: the format cannot say so.
    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if epoch.valid {
            out.push(self.message(epoch));
        }
    }

    /// A letter for the last digit (a bad format).
    fn corrupt(&self, message: &mut Message) -> bool {
        let Some(i) = message.on_time.checked_sub(1) else {
            return false;
        };
        message.bytes[i] = b'x';
        message.corrupt = true;
        true
    }
}
