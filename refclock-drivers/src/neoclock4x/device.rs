//! The simulated NeoClock4X (feature `sim`): a timecode line a second,
//! its first byte on time, in German local time (CET, or CEST from the
//! last Sunday of March 01:00 UTC to the last Sunday of October 01:00
//! UTC), and the firmware text in answer to `V`.
//!
//! A valid epoch is radio time (`A`) with the quartz initialised (`I`);
//! an invalid one is quartz time (`C`), the quartz `I` once the device
//! has had radio time since it was switched on and `X` before. The
//! format has no leap second warning; an inserted leap second is stated
//! as second 60. [`DeviceModel::corrupt`] spoils the checksum.
//!
//! The device has no power lines to watch: the driver's DTR/RTS fail on
//! the pseudo-terminal, so it runs with `option ignore-modem-lines`
//! (which `ntp-refclock --simulate` adds).

use refclock_core::calendar::{days_from_civil, CivilTime};
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{self, NeoTime};

/// The firmware answer to `V` (the text ntpd's driver compiles in when
/// told the firmware, with the serial number line that ends it).
pub const FIRMWARE: &[u8] = b"\xa9 2002 NEOL S.A. FRANCE\r\nL0.01 NDF:A:*\r\nS/N: 004711\r\n";

/// The simulated receiver (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct NeoDevice {
    was_synced: bool,
    /// Firmware tag to announce instead of `A` (option `firmware=X`).
    tag: Option<u8>,
}

/// Builds the model; option `firmware=X` announces firmware `X` (the
/// driver refuses anything but `A`).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut dev = NeoDevice::default();
    for (key, value) in &setup.options {
        match (key.as_str(), value.as_bytes()) {
            ("firmware", [tag]) => dev.tag = Some(*tag),
            _ => return Err(DeviceError(format!("neoclock4x: unknown option {key:?}"))),
        }
    }
    Ok(Box::new(dev))
}

/// The UTC offset of German civil time at `utc` (seconds): CEST from the
/// last Sunday of March 01:00 UTC to the last Sunday of October 01:00.
pub fn cet_offset(utc: i64) -> (i64, bool) {
    let year = CivilTime::from_timestamp(Timestamp::from_secs(utc)).year;
    let last_sunday = |month: u8| {
        let last = days_from_civil(year, month, 31);
        // 1970-01-01 was a Thursday: day 3 (mod 7) is a Sunday.
        let back = (last - 3).rem_euclid(7);
        (last - back) * 86_400 + 3600
    };
    let summer = utc >= last_sunday(3) && utc < last_sunday(10);
    (if summer { 7200 } else { 3600 }, summer)
}

impl NeoDevice {
    /// The timecode for `epoch`.
    pub fn timecode(&mut self, epoch: &Epoch) -> NeoTime {
        let leap = epoch.time.second == 60;
        let utc = epoch.named.secs() - i64::from(leap);
        let (offset, summer) = cet_offset(utc);
        let mut local = CivilTime::from_timestamp(Timestamp::from_secs(utc + offset));
        if leap {
            local.second = 60;
        }
        if epoch.valid {
            self.was_synced = true;
        }
        let weekday = (days_from_civil(local.year, local.month, local.day) + 3).rem_euclid(7) + 1;
        NeoTime {
            head: *b"NC4",
            serial: *b"004711",
            radio: *b"100",
            day: local.day,
            month: local.month,
            year: local.year.rem_euclid(100) as u8,
            hour: local.hour,
            minute: local.minute,
            second: local.second,
            hundredths: 0,
            weekday: weekday as u8,
            source: if epoch.valid { b'A' } else { b'C' },
            dst: if summer { b'S' } else { b'W' },
            quartz: if self.was_synced { b'I' } else { b'X' },
            antenna1: 0x3f,
            antenna2: 0x40,
        }
    }
}

impl DeviceModel for NeoDevice {
    fn describe(&self) -> String {
        "NeoClock4X".to_string()
    }

    fn baud(&self) -> u32 {
        2400
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let mut line = codec::encode(&self.timecode(epoch));
        line.extend_from_slice(b"\r\n");
        out.push(Message::line("TIME", line).naming(epoch).with_checksum());
    }

    fn input(&mut self, data: &[u8], _now: Timestamp, _t: &dyn Timeline, out: &mut Vec<Message>) {
        if data.contains(&b'V') {
            let mut text = FIRMWARE.to_vec();
            if let Some(tag) = self.tag {
                let at = text
                    .windows(4)
                    .position(|w| w == b"NDF:")
                    .expect("in the text");
                text[at + 4] = tag;
            }
            out.push(Message::new("FIRMWARE", text));
        }
    }

    /// Breaks the checksum (its last hex digit).
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TIME" || message.bytes.len() < codec::LEN {
            return false;
        }
        let d = &mut message.bytes[codec::LEN - 1];
        *d = if *d == b'0' { b'1' } else { b'0' };
        true
    }

    fn reset(&mut self) {
        self.was_synced = false;
    }
}
