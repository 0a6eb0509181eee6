//! The simulated Heath GC-1000 (feature `sim`), at the speed of its
//! `mode` (0–3: 1200, 2400, 4800, 9600 baud). It sends nothing on its
//! own; a `T` from the driver stands for the RTS rising edge a pseudo-
//! terminal cannot carry: the clock notes the time of that instant to the
//! tenth of a second and sends `hh:mm:ss.f     mm/dd/yy` CR a moment
//! later ([`ANSWER_DELAY`]; the real clock takes up to a second). An
//! invalid second shows `?` for the tenths. 24-hour UTC display.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{self, HeathTime};
use super::driver::SPEEDS;

/// How long after the pulse the simulated clock answers.
pub const ANSWER_DELAY: f64 = 0.2;

/// The simulated clock.
#[derive(Clone, Debug)]
pub struct HeathDevice {
    baud: u32,
}

/// Builds the model; it takes no options.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!("heath: unknown option {key:?}")));
    }
    Ok(Box::new(HeathDevice {
        baud: SPEEDS[(setup.fudge.mode & 3) as usize],
    }))
}

impl HeathDevice {
    /// A device at `baud`.
    pub fn new(baud: u32) -> HeathDevice {
        HeathDevice { baud }
    }

    /// The timecode for the pulse at `now`.
    pub fn timecode(
        now: Timestamp,
        timeline: &dyn Timeline,
    ) -> (HeathTime, refclock_core::sim::Epoch) {
        let epoch = timeline.epoch(now.secs());
        let t = &epoch.time;
        let tenths = (now.subsec_nanos() / 100_000_000) as u8;
        let h = HeathTime {
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            tenths: epoch.valid.then_some(tenths),
            meridian: *b"     ",
            month: t.month,
            day: t.day,
            year: t.year.rem_euclid(100) as u8,
        };
        (h, epoch)
    }
}

impl DeviceModel for HeathDevice {
    fn describe(&self) -> String {
        "Heath GC-1000".into()
    }

    fn baud(&self) -> u32 {
        self.baud
    }

    fn second(&mut self, _epoch: &refclock_core::sim::Epoch, _out: &mut Vec<Message>) {}

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        for _ in data.iter().filter(|&&b| b == b'T') {
            let (h, epoch) = Self::timecode(now, timeline);
            let mut bytes = codec::encode(&h);
            bytes.push(b'\r');
            let due = now.add_secs_f64(ANSWER_DELAY);
            out.push(Message::line("TCODE", bytes).naming(&epoch).due_at(due));
        }
    }

    /// Replaces the slash between month and day (`CEVNT_BADREPLY`).
    fn corrupt(&self, message: &mut Message) -> bool {
        match message.bytes.get_mut(17) {
            Some(b) => {
                *b = b'-';
                true
            }
            None => false,
        }
    }
}
