//! The simulated PSTI 1010 (feature `sim`): it answers `QT` with the time
//! line, `QD` with the date line and `QM` with the status line, in the
//! order asked, and sends nothing on its own. The time line's CR goes out
//! on a whole millisecond, the time it states.
//!
//! A valid epoch has status `82` and `0000` minutes since the last update;
//! an invalid one the alarm `02` and `0010`. The station is WWV, or WWVH
//! with the option `station=wwvh`.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{self, DateLine, StatusLine, TimeLine};

/// Least time from a command to the CR of its time line.
pub const MIN_LEAD_NS: i128 = 30_000_000;

/// The simulated receiver.
#[derive(Clone, Debug, Default)]
pub struct PstDevice {
    wwvh: bool,
    /// The character after a `Q`, or `Q` itself.
    pending: Option<u8>,
    /// The last time line's CR: the date and status lines name its day.
    last: Option<(CivilTime, bool)>,
}

/// Builds the model; option `station=wwv|wwvh`.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut d = PstDevice::default();
    for (key, value) in &setup.options {
        match (key.as_str(), value.as_str()) {
            ("station", "wwv") => d.wwvh = false,
            ("station", "wwvh") => d.wwvh = true,
            _ => return Err(DeviceError(format!("pst: unknown option {key}={value}"))),
        }
    }
    Ok(Box::new(d))
}

/// The time line for `c` (its CR on time; second 60 kept).
pub fn time_line(c: &CivilTime) -> Vec<u8> {
    codec::encode_time(&TimeLine {
        ampm: b' ',
        hour: c.hour,
        minute: c.minute,
        second: c.second,
        millis: (c.nanos / 1_000_000) as u16,
        dst: b' ',
    })
}

/// The date line for the day of `c`.
pub fn date_line(c: &CivilTime) -> Vec<u8> {
    codec::encode_date(&DateLine {
        year: c.year.rem_euclid(100) as u8,
        month: c.month,
        day: c.day,
        yday: c.yday(),
    })
}

/// The status line: in sync or not, WWV or WWVH.
pub fn status_line(valid: bool, wwvh: bool) -> Vec<u8> {
    let mut info = *b"O3@055281824C";
    if !valid {
        info[9] = b'0';
    }
    if wwvh {
        info[12] = b'H';
    }
    codec::encode_status(&StatusLine {
        info,
        minutes: if valid { 0 } else { 10 },
        tail: b"0394".to_vec(),
    })
}

impl PstDevice {
    fn time(&mut self, now: Timestamp, timeline: &dyn Timeline) -> Message {
        let earliest = now.as_nanos() + MIN_LEAD_NS;
        let at = Timestamp::from_nanos((earliest + 999_999) / 1_000_000 * 1_000_000);
        let epoch: Epoch = timeline.epoch(at.secs());
        let named = Timestamp::new(epoch.named.secs(), at.subsec_nanos());
        let mut time = epoch.time;
        time.nanos = at.subsec_nanos();
        self.last = Some((time, epoch.valid));
        let bytes = time_line(&time);
        let cr = bytes.len() - 1;
        let mut m = Message::line("QT", bytes).due_at(at);
        m.on_time = cr;
        m.named = Some(named);
        m.time = Some(time);
        m.valid = epoch.valid;
        m
    }

    fn answer(&mut self, c: u8, now: Timestamp, timeline: &dyn Timeline) -> Option<Message> {
        match c {
            b'T' => Some(self.time(now, timeline)),
            b'D' => {
                let t = self
                    .last
                    .map(|(t, _)| t)
                    .unwrap_or_else(|| CivilTime::from_timestamp(now));
                Some(Message::line("QD", date_line(&t)))
            }
            b'M' => {
                let valid = self.last.map(|(_, v)| v).unwrap_or(true);
                Some(Message::line("QM", status_line(valid, self.wwvh)))
            }
            _ => None,
        }
    }
}

impl DeviceModel for PstDevice {
    fn describe(&self) -> String {
        "PSTI 1010".to_string()
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
            let c = b & 0x7f;
            if self.pending.take() == Some(b'Q') {
                if let Some(m) = self.answer(c, now, timeline) {
                    out.push(m);
                }
            } else if c == b'Q' {
                self.pending = Some(b'Q');
            }
        }
    }

    /// Breaks the time line's first colon: no longer a time line.
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "QT" || message.bytes.len() < 4 {
            return false;
        }
        message.bytes[3] = b';';
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        self.pending = None;
        self.last = None;
    }
}
