//! The simulated Ultralink receivers (feature `sim`). Option `model`:
//!
//! * `33x` (the default): a timecode a second on its own, `CR LF` and
//!   the 32 characters, the CR on time (the line ends with the next
//!   second's CR). Option `noisy=K`: every K-th second the first
//!   character is `N` (noisy signal) instead of `S`, the receiver still
//!   in sync.
//! * `325`: polled (the driver's flag1 writes `T`): the answer, `CR LF`,
//!   the 32 characters and a CR, goes out at the next whole second, its
//!   CR on time.
//! * `320`: polled the same way; the answer states hundredths and goes
//!   out on the next hundredth at least 5 ms ahead.
//!
//! An invalid epoch is stated not in sync (`?`). A leap second is
//! announced (`+`, or `I` for the 325 and 320) during the month before
//! it and stated as second 60. [`DeviceModel::corrupt`] puts a letter in
//! the minutes.

use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Due, Epoch, LeapWarning as SimLeap, Message, Timeline,
};
use refclock_core::Timestamp;

use super::codec::{self, LeapWarning, Model, UlinkTime};

/// The simulated receiver (see the module documentation).
#[derive(Clone, Debug)]
pub struct UlinkDevice {
    model: Model,
    noisy: u64,
    count: u64,
    /// When the last polled answer was due: one at a time.
    last_due: Timestamp,
}

/// Builds the model from options `model=33x|325|320` and `noisy=K`.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut dev = UlinkDevice {
        model: Model::M33x,
        noisy: 0,
        count: 0,
        last_due: Timestamp::EPOCH,
    };
    for (key, value) in &setup.options {
        match (key.as_str(), value.as_str()) {
            ("model", "33x" | "330" | "331" | "332") => dev.model = Model::M33x,
            ("model", "325") => dev.model = Model::M325,
            ("model", "320") => dev.model = Model::M320,
            ("noisy", k) if k.parse::<u64>().is_ok() => dev.noisy = k.parse().unwrap_or(0),
            _ => {
                return Err(DeviceError(format!(
                    "ulink: unknown option {key}={value} (model=33x|325|320, noisy=K)"
                )))
            }
        }
    }
    Ok(Box::new(dev))
}

impl UlinkDevice {
    /// The timecode for `epoch`, `hundredths` into its second.
    pub fn timecode(&mut self, epoch: &Epoch, hundredths: u8) -> UlinkTime {
        self.count += 1;
        let signal = match self.model {
            Model::M33x if self.noisy > 0 && self.count.is_multiple_of(self.noisy) => b'N',
            Model::M33x => b'S',
            Model::M325 => b'R',
            Model::M320 if epoch.valid => b'S',
            Model::M320 => b'?',
        };
        UlinkTime {
            model: self.model,
            signal,
            year: epoch.time.year.rem_euclid(10_000) as u16,
            day: epoch.time.yday(),
            hour: epoch.time.hour,
            minute: epoch.time.minute,
            second: epoch.time.second,
            hundredths,
            sync: epoch.valid,
            leap: match epoch.leap {
                SimLeap::None => LeapWarning::None,
                SimLeap::Insert => LeapWarning::Insert,
                SimLeap::Delete => LeapWarning::Delete,
            },
        }
    }

    fn bytes(&self, t: &UlinkTime, trailing_cr: bool) -> Vec<u8> {
        let mut v = b"\r\n".to_vec();
        let mut text = codec::encode(t);
        if t.model == Model::M325 && t.sync {
            // The lock character the reader sees as '%'.
            text[7] = 0xA5;
        }
        v.extend_from_slice(&text);
        if trailing_cr {
            v.push(b'\r');
        }
        v
    }
}

impl DeviceModel for UlinkDevice {
    fn describe(&self) -> String {
        match self.model {
            Model::M33x => "Ultralink 33x",
            Model::M325 => "Ultralink 325",
            Model::M320 => "Ultralink 320",
        }
        .to_string()
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if self.model == Model::M33x {
            let t = self.timecode(epoch, 0);
            let bytes = self.bytes(&t, false);
            out.push(Message::new("TIME", bytes).naming(epoch));
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        if self.model == Model::M33x || !data.contains(&codec_poll()) {
            return;
        }
        let step: i128 = if self.model == Model::M320 {
            10_000_000
        } else {
            1_000_000_000
        };
        let earliest = (now.as_nanos() + 5_000_000).max(self.last_due.as_nanos() + step);
        let due = Timestamp::from_nanos((earliest + step - 1).div_euclid(step) * step);
        self.last_due = due;
        let epoch = timeline.epoch(due.secs());
        let hundredths = (due.subsec_nanos() / 10_000_000) as u8;
        let t = self.timecode(&epoch, hundredths);
        let bytes = self.bytes(&t, true);
        let mut m = Message::new("TIME", bytes).naming(&epoch);
        m.named = m
            .named
            .map(|n| Timestamp::new(n.secs(), u32::from(hundredths) * 10_000_000));
        m.due = Due::At(due);
        out.push(m);
    }

    /// A letter in the minutes.
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TIME" {
            return false;
        }
        let at = 2 + if self.model == Model::M320 { 14 } else { 24 };
        if message.bytes.len() <= at {
            return false;
        }
        message.bytes[at] = b'x';
        true
    }

    fn reset(&mut self) {
        self.count = 0;
        self.last_due = Timestamp::EPOCH;
    }
}

fn codec_poll() -> u8 {
    super::driver::POLL
}
