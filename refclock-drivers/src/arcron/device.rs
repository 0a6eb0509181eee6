//! The simulated Arcron clock (feature `sim`): it echoes every character
//! it is sent; after `o\r` it sends the timecode of the next whole
//! second, each character when the real clock's (11 bits at 300 baud,
//! the first's start bit on the second) would be read whole; `h\r` starts a resync of 20 s,
//! during which `g\r` is answered `g3` and the signal quality `5`, and
//! `g2` and the quality afterwards.
//!
//! A valid epoch has the status "valid, received, last attempt good"
//! (`3`); an invalid one "valid, last attempt failed" (`5`). The clock
//! states UTC (BST/UTC byte `4`). It sends nothing on its own.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{self, ArcTime, FLAG_UTC, STATUS_GOOD, STATUS_LAST_FAILED, STATUS_VALID};
use super::driver::char_offset_ns;

/// Seconds a resync lasts.
pub const RESYNC_SECS: i64 = 20;

/// The simulated clock.
#[derive(Clone, Debug, Default)]
pub struct ArcronDevice {
    /// The command character before the CR.
    command: Option<u8>,
    /// The resync runs until then.
    resync_until: Option<Timestamp>,
}

/// Builds the model; it takes no options.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!("arcron: unknown option {key:?}")));
    }
    Ok(Box::new(ArcronDevice::default()))
}

/// The timecode the clock sends for `epoch` (15 characters and the CR).
pub fn timecode(epoch: &Epoch) -> Vec<u8> {
    let t: &CivilTime = &epoch.time;
    let days = refclock_core::calendar::days_from_civil(t.year, t.month, t.day);
    // 1970-01-01 was a Thursday (4); Monday is 1.
    let weekday = ((days + 3).rem_euclid(7) + 1) as u8;
    let status = if epoch.valid {
        STATUS_GOOD
    } else {
        STATUS_VALID | STATUS_LAST_FAILED
    };
    codec::encode(&ArcTime {
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        weekday,
        day: t.day,
        month: t.month,
        year: t.year.rem_euclid(100) as u8,
        flags: FLAG_UTC,
        status,
    })
}

/// The timecode for `epoch` as one message a character, each due when
/// the real clock's 11-bit character would have been received whole
/// (the simulator paces 10 bits a character): the first, `TIME`, names
/// the second, the others are `TAIL`.
pub fn timed_bytes(epoch: &Epoch, second: i64) -> Vec<Message> {
    timecode(epoch)
        .into_iter()
        .enumerate()
        .map(|(k, b)| {
            let due =
                Timestamp::from_nanos(i128::from(second) * 1_000_000_000 + char_offset_ns(k + 1));
            let m = if k == 0 {
                Message::new("TIME", vec![b]).naming(epoch)
            } else {
                Message::new("TAIL", vec![b])
            };
            m.due_at(due)
        })
        .collect()
}

impl DeviceModel for ArcronDevice {
    fn describe(&self) -> String {
        "Arcron MSF".to_string()
    }

    fn baud(&self) -> u32 {
        300
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
            out.push(Message::new("ECHO", vec![c]));
            if c != b'\r' {
                self.command = Some(c);
                continue;
            }
            match self.command.take() {
                Some(b'o') => {
                    let second = now.secs() + 1;
                    let epoch = timeline.epoch(second);
                    out.extend(timed_bytes(&epoch, second));
                }
                Some(b'h') => {
                    self.resync_until = Some(Timestamp::from_secs(now.secs() + RESYNC_SECS));
                }
                Some(b'g') => {
                    let running = self.resync_until.is_some_and(|t| now < t);
                    let r = if running { b'3' } else { b'2' };
                    out.push(Message::new("QUALITY", vec![r, b'5', b'\r']));
                }
                _ => {}
            }
        }
    }

    /// Turns a digit of the timecode (a character of its own) into a
    /// letter: a field no longer made of digits, or BST/UTC bits that
    /// agree (bad replies), or a status that is not in sync.
    fn corrupt(&self, message: &mut Message) -> bool {
        if !matches!(message.kind, "TIME" | "TAIL")
            || !message.bytes.first().is_some_and(u8::is_ascii_digit)
        {
            return false;
        }
        message.bytes[0] = b'x';
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        *self = ArcronDevice::default();
    }

    /// Printable characters but `o`, `g` and `h`, which the driver takes
    /// for an echoed command, and but `0`..`?`, which could pass for a
    /// digit or status byte of a timecode it falls into (the characters
    /// are messages of their own); no CR.
    fn garbage_allowed(&self, byte: u8) -> bool {
        let c = byte & 0x7f;
        (0x20..0x7f).contains(&c) && !(0x30..=0x3f).contains(&c) && !matches!(c, b'o' | b'g' | b'h')
    }
}
