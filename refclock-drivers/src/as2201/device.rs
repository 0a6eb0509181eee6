//! The simulated Austron 2201A (feature `sim`), in the non-interactive
//! mode the driver needs (`off`, `term cr`, `ts utc`): it notes the time
//! each `*` arrives, answers `toc` with that time to the millisecond, and
//! answers any other command line with a count line `1` and one line
//! `CMD: simulated`. It sends nothing on its own.
//!
//! The timecode has no sync indication: while the epoch is invalid the
//! receiver does not answer `toc` at all.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{self, Toc};

/// The simulated receiver.
#[derive(Clone, Debug, Default)]
pub struct As2201Device {
    /// The command being typed.
    line: Vec<u8>,
    /// When the last `*` arrived.
    capture: Option<Timestamp>,
}

/// Builds the model; it takes no options.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!("as2201: unknown option {key:?}")));
    }
    Ok(Box::new(As2201Device::default()))
}

/// The timecode of `c` (milliseconds from its nanoseconds).
pub fn timecode(c: &CivilTime) -> Vec<u8> {
    codec::encode(&Toc {
        year: c.year.rem_euclid(100) as u8,
        yday: c.yday(),
        hour: c.hour,
        minute: c.minute,
        second: c.second,
        millis: (c.nanos / 1_000_000) as u16,
    })
}

impl As2201Device {
    fn command(&mut self, now: Timestamp, timeline: &dyn Timeline, out: &mut Vec<Message>) {
        let line = std::mem::take(&mut self.line);
        let text = String::from_utf8_lossy(&line).trim().to_string();
        if text.is_empty() {
            return;
        }
        if text.eq_ignore_ascii_case("toc") {
            let at = self.capture.take().unwrap_or(now);
            let ms = Timestamp::new(at.secs(), at.subsec_nanos() / 1_000_000 * 1_000_000);
            let epoch: Epoch = timeline.epoch(ms.secs());
            if !epoch.valid {
                return;
            }
            let mut time = epoch.time;
            time.nanos = ms.subsec_nanos();
            let mut m = Message::line("TOC", timecode(&time));
            m.named = Some(Timestamp::new(epoch.named.secs(), ms.subsec_nanos()));
            m.time = Some(time);
            out.push(m);
        } else {
            out.push(Message::line("COUNT", b"1\r".to_vec()));
            out.push(Message::line("STAT", format!("{text}: simulated\r")));
        }
    }
}

impl DeviceModel for As2201Device {
    fn describe(&self) -> String {
        "Austron 2201A".to_string()
    }

    fn baud(&self) -> u32 {
        9600
    }

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
                b'*' => {
                    self.capture = Some(now);
                    self.line.clear();
                }
                b'\r' | b'\n' => self.command(now, timeline, out),
                c => self.line.push(c),
            }
        }
    }

    /// Turns the first colon into a semicolon: a bad reply.
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TOC" || message.bytes.len() < 3 {
            return false;
        }
        message.bytes[2] = b';';
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        *self = As2201Device::default();
    }

    /// Printable characters but digits alone could make a count line;
    /// garbage sticks to lines, so any printable character but `*`.
    fn garbage_allowed(&self, byte: u8) -> bool {
        let c = byte & 0x7f;
        (0x20..0x7f).contains(&c) && c != b'*'
    }
}
