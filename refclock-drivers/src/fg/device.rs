//! The simulated Forum Graphic dating station (feature `sim`): silent
//! until asked; `DLE D` (the date query) is answered at the next whole
//! second (or the one after, if an answer is due at that one already)
//! with the date and time of that second (fraction 0), its first byte on
//! time; `DLE H` (the initialisation) with a short
//! acknowledgement. An invalid epoch is answered with year 94, what the
//! station says just after power-up.

use refclock_core::framing::DLE;
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{self, FgTime, LENFG, POWER_UP_YEAR};

/// The simulated station (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct FgDevice {
    /// The last byte of the previous write (a query split after its DLE).
    carry: Option<u8>,
    /// The whole second the last answer was due at: one answer a second,
    /// so that each goes out on its second.
    last_due: i64,
}

/// Builds the model; it takes no options.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!("fg: unknown option {key:?}")));
    }
    Ok(Box::new(FgDevice::default()))
}

/// The reply naming `time` (fraction 0), or the power-up one.
pub fn reply(time: &refclock_core::calendar::CivilTime, valid: bool) -> Vec<u8> {
    codec::encode(&FgTime {
        year: if valid {
            time.year.rem_euclid(100) as u8
        } else {
            POWER_UP_YEAR
        },
        day: time.yday(),
        hour: time.hour,
        minute: time.minute,
        second: time.second,
        millis: 0,
        micros: 0,
    })
}

impl DeviceModel for FgDevice {
    fn describe(&self) -> String {
        "Forum Graphic GPS dating station".to_string()
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, _epoch: &refclock_core::sim::Epoch, _out: &mut Vec<Message>) {}

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let mut prev = self.carry.take();
        for &b in data {
            if prev == Some(DLE) {
                match b {
                    b'D' => {
                        let wall = (now.secs() + 1).max(self.last_due + 1);
                        self.last_due = wall;
                        let epoch = timeline.epoch(wall);
                        let bytes = reply(&epoch.time, epoch.valid);
                        let m = Message::new("DATE", bytes).naming(&epoch);
                        out.push(m.due_at(Timestamp::from_secs(wall)));
                    }
                    b'H' => {
                        let mut ack = vec![DLE, b'H'];
                        ack.resize(LENFG - 2, 0);
                        ack.extend_from_slice(&[DLE, b'\r']);
                        out.push(Message::new("INIT", ack));
                    }
                    _ => {}
                }
            }
            prev = Some(b);
        }
        self.carry = prev;
    }

    /// Spoils the second's BCD (0xAA is no digit).
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "DATE" {
            return false;
        }
        // The second is the sixth field byte; count doubled DLEs once.
        let mut k = 0;
        let mut i = 2;
        while i < message.bytes.len() && k < 5 {
            i += if message.bytes[i] == DLE { 2 } else { 1 };
            k += 1;
        }
        if message.bytes[i] == DLE {
            // Its double goes too; a NUL keeps the 26 bytes.
            message.bytes.remove(i + 1);
            message.bytes.insert(LENFG - 3, 0);
        }
        message.bytes[i] = 0xAA;
        true
    }

    fn reset(&mut self) {
        self.carry = None;
        self.last_due = 0;
    }
}
