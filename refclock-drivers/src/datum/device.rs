//! The simulated Datum PTS: answers each `//k/mn` with the time, to the
//! millisecond, at which the reply's first byte goes out.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{encode, DatumTime, REQUEST};
use super::driver::BAUD;

/// How long after the request the reply starts.
pub const TURNAROUND_NS: i128 = 2_000_000;

/// The device (no options).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!(
            "datum: unknown option {key:?} (it has none)"
        )));
    }
    Ok(Box::new(SimulatedDatum::default()))
}

/// A Datum PTS.
#[derive(Debug, Clone, Default)]
pub struct SimulatedDatum {
    /// The request bytes matched so far.
    matched: usize,
}

impl SimulatedDatum {
    /// The reply giving the time `at` (whole milliseconds) of the second
    /// `epoch` names, due at `at`.
    pub fn reply(epoch: &Epoch, at: Timestamp) -> Message {
        let t = &epoch.time;
        let msec = (at.subsec_nanos() / 1_000_000) as u16;
        let bytes = encode(&DatumTime {
            day: t.yday(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            msec,
        });
        let mut m = Message::new("TIME", bytes.to_vec()).naming(epoch);
        let instant = Timestamp::new(epoch.named.secs(), u32::from(msec) * 1_000_000);
        m.named = Some(instant);
        m.due_at(Timestamp::new(at.secs(), u32::from(msec) * 1_000_000))
    }
}

impl DeviceModel for SimulatedDatum {
    fn describe(&self) -> String {
        "Datum PTS".into()
    }

    fn baud(&self) -> u32 {
        BAUD
    }

    /// Silent unless asked.
    fn second(&mut self, _epoch: &Epoch, _out: &mut Vec<Message>) {}

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        for &b in data {
            if b == REQUEST[self.matched] {
                self.matched += 1;
            } else {
                self.matched = usize::from(b == REQUEST[0]);
            }
            if self.matched == REQUEST.len() {
                self.matched = 0;
                let at = Timestamp::from_nanos(now.as_nanos() + TURNAROUND_NS);
                let epoch = timeline.epoch(at.secs());
                if epoch.valid {
                    out.push(Self::reply(&epoch, at));
                }
            }
        }
    }

    /// A seconds digit that is no digit.
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.bytes.len() != 7 {
            return false;
        }
        message.bytes[4] |= 0x0f;
        message.corrupt = true;
        true
    }

    /// Only bytes whose low nibble is no digit: one stuck before a reply
    /// spoils its day, never gives a wrong time.
    fn garbage_allowed(&self, byte: u8) -> bool {
        byte & 0x0f > 9
    }

    fn reset(&mut self) {
        self.matched = 0;
    }
}
