//! The simulated Leitch CSD-5300: answers `D` with the date and `T` with
//! the next three seconds, each line's CR ending 15 ms after its second
//! (what ntpd's driver assumes). Lines end in CR LF (ntpd's source: "The
//! date is return with a trailing newline"); the LF makes an empty line,
//! which both drivers skip.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{encode_date, encode_time, LeitchDate, LeitchTime};
use super::driver::{BAUD, CR_DELAY_NS};

/// The device (no options).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!(
            "leitch: unknown option {key:?} (it has none)"
        )));
    }
    Ok(Box::new(SimulatedLeitch::default()))
}

/// A Leitch CSD-5300 on UTC.
#[derive(Debug, Clone, Default)]
pub struct SimulatedLeitch {
    pending: Vec<u8>,
}

impl SimulatedLeitch {
    /// The time line naming `epoch`, its CR written 15 ms after the
    /// second.
    pub fn time_line(epoch: &Epoch) -> Message {
        let t = &epoch.time;
        let mut bytes = encode_time(&LeitchTime {
            hour: t.hour,
            minute: t.minute,
            second: t.second,
        });
        let cr = bytes.len();
        bytes.extend_from_slice(b"\r\n");
        let mut m = Message::line("TIME", bytes).naming(epoch);
        m.on_time = cr;
        m.due_at(Timestamp::new(epoch.named.secs(), CR_DELAY_NS))
    }

    fn command(&mut self, c: u8, now: Timestamp, timeline: &dyn Timeline, out: &mut Vec<Message>) {
        match c {
            b'D' => {
                let t = timeline.epoch(now.secs()).time;
                let mut bytes = encode_date(&LeitchDate {
                    year: t.year.rem_euclid(100) as u8,
                    month: t.month,
                    day: t.day,
                });
                bytes.extend_from_slice(b"\r\n");
                out.push(Message::line("DATE", bytes));
            }
            b'T' => {
                for k in 1..=3 {
                    let epoch = timeline.epoch(now.secs() + k);
                    if epoch.valid {
                        out.push(Self::time_line(&epoch));
                    }
                }
            }
            _ => {}
        }
    }
}

impl DeviceModel for SimulatedLeitch {
    fn describe(&self) -> String {
        "Leitch CSD-5300".into()
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
            match b & 0x7f {
                b'\r' => {
                    let line = std::mem::take(&mut self.pending);
                    if let [c] = line[..] {
                        self.command(c, now, timeline, out);
                    }
                }
                0 | b'\n' => {}
                c => self.pending.push(c),
            }
        }
    }

    /// A letter for a time line's last digit (a bad format).
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TIME" {
            return false;
        }
        message.bytes[message.on_time - 1] = b'x';
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        self.pending.clear();
    }
}
