//! The simulated Spectracom clock (feature `sim`): one timecode a second
//! in the format chosen with `format=0|2|3` (default 2), running on its
//! own (the driver's `T` and `R` are ignored, as by a clock left in
//! continuous mode).
//!
//! Format 0 is `CR LF` timecode `CR LF`, formats 2 and 3 `CR LF`
//! timecode; the first CR goes out on time. A valid epoch is in sync
//! (`' '`, and quality `' '` in format 2); an invalid one says `?` (and
//! quality `D`). A leap warning puts `L` in formats 2 and 3 (format 0
//! cannot say it); an inserted second is stated as second 60.

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message};

use super::codec::{self, Format, Timecode};

/// The simulated clock.
#[derive(Clone, Debug)]
pub struct SpectracomDevice {
    format: Format,
}

/// Builds the model: option `format=0|2|3`.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut format = Format::F2;
    for (key, value) in &setup.options {
        match (key.as_str(), value.as_str()) {
            ("format", "0") => format = Format::F0,
            ("format", "2") => format = Format::F2,
            ("format", "3") => format = Format::F3,
            ("format", v) => {
                return Err(DeviceError(format!("spectracom: format {v:?}: 0, 2 or 3")))
            }
            (k, _) => return Err(DeviceError(format!("spectracom: unknown option {k:?}"))),
        }
    }
    Ok(Box::new(SpectracomDevice { format }))
}

impl SpectracomDevice {
    /// A device sending `format`.
    pub fn with_format(format: Format) -> SpectracomDevice {
        SpectracomDevice { format }
    }

    /// The timecode for `epoch`.
    pub fn timecode(&self, epoch: &Epoch) -> Timecode {
        let t = &epoch.time;
        let leap = match (self.format, epoch.leap) {
            (Format::F0, _) | (_, LeapWarning::None) | (_, LeapWarning::Delete) => b' ',
            (_, LeapWarning::Insert) => b'L',
        };
        Timecode {
            format: self.format,
            sync: if epoch.valid { b' ' } else { b'?' },
            quality: match (self.format, epoch.valid) {
                (Format::F2, false) => b'D',
                _ => b' ',
            },
            year: match self.format {
                Format::F0 => None,
                _ => Some(t.year as u16),
            },
            day: t.yday(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            millis: 0,
            leap,
            dst: match self.format {
                Format::F0 => b' ',
                _ => b'S',
            },
            zone: 0,
        }
    }
}

impl DeviceModel for SpectracomDevice {
    fn describe(&self) -> String {
        let n = match self.format {
            Format::F0 => 0,
            Format::F2 => 2,
            Format::F3 => 3,
        };
        format!("Spectracom Netclock, format {n}")
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let code = codec::encode(&self.timecode(epoch));
        let mut bytes = b"\r\n".to_vec();
        bytes.extend_from_slice(&code);
        let mut end = bytes.len() - 1;
        if self.format == Format::F0 {
            end = bytes.len();
            bytes.extend_from_slice(b"\r\n");
        }
        let mut m = Message::new("TCODE", bytes).naming(epoch);
        m.on_time = 0;
        m.end = end;
        out.push(m);
    }

    /// Replaces a separator (format 3: the `+` of the zone), so that the
    /// line no longer scans (`CEVNT_BADREPLY`).
    fn corrupt(&self, message: &mut Message) -> bool {
        let at = match self.format {
            Format::F0 => 2 + 9,
            Format::F2 => 2 + 11,
            Format::F3 => 2 + 21,
        };
        match message.bytes.get_mut(at) {
            Some(b) => {
                *b = b';';
                true
            }
            None => false,
        }
    }
}
