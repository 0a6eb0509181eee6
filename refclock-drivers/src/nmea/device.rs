//! The simulated NMEA receiver (feature `sim`): a [`DeviceModel`] that
//! writes each second's sentences with the encoder ([`super::encode`]), in
//! a receiver's style, and ignores what the driver writes (an NMEA
//! receiver answers nothing ntpd's driver sends).
//!
//! Set up from the driver's configuration and model options, as
//! `ntp-refclock --simulate 127.127.20.U mode M` and `refclock-sim
//! --driver nmea --option KEY=VALUE` give them:
//!
//! * the mode's sentence bits (0x1 RMC, 0x2 GGA, 0x4 GLL, 0x8 ZDA, 0x100
//!   PGRMF, 0x200 PUBX,04) choose the sentences, in that order, when any
//!   is set; the mode's speed bits (0x10..0x50) the speed;
//! * `style=ublox|garmin|mtk|rmc|legacy` the receiver's style (default
//!   `ublox`: RMC, GGA, ZDA; see [`NmeaStyle::by_name`]);
//! * `sentences=rmc,gga,...` the sentences, overriding the mode and the
//!   style (the first is the on-time sentence);
//! * `talker=XX` the talker of the standard sentences (default `GP`).

use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message};

use super::encode::{self, has_status, NmeaConfigError, NmeaStyle};
use super::parse::{checksum, SentenceKind};
use super::{baud_rate, sentence_mode};

/// The options [`new`] takes.
pub const OPTIONS: [&str; 3] = ["style", "sentences", "talker"];

/// Builds the simulated receiver for a driver set-up (see the module
/// documentation); the registry's device constructor for type 20.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    Ok(Box::new(NmeaDevice::from_setup(setup)?))
}

/// A simulated NMEA receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct NmeaDevice {
    /// How it writes its sentences.
    pub style: NmeaStyle,
    /// Its serial speed.
    pub baud: u32,
}

impl Default for NmeaDevice {
    /// A u-blox at 4800 baud.
    fn default() -> Self {
        NmeaDevice::new(NmeaStyle::default())
    }
}

fn config_error(e: NmeaConfigError) -> DeviceError {
    DeviceError(format!("NMEA: {e}"))
}

impl NmeaDevice {
    /// A receiver writing in `style` at 4800 baud.
    pub fn new(style: NmeaStyle) -> NmeaDevice {
        NmeaDevice { style, baud: 4800 }
    }

    /// The receiver a driver set-up describes (see the module
    /// documentation).
    pub fn from_setup(setup: &DeviceSetup) -> Result<NmeaDevice, DeviceError> {
        if let Some((key, _)) = setup
            .options
            .iter()
            .find(|(k, _)| !OPTIONS.contains(&k.as_str()))
        {
            return Err(DeviceError(format!(
                "NMEA: unknown option {key:?} (expected: {})",
                OPTIONS.join(", ")
            )));
        }
        let mut style = match setup.option("style") {
            Some(name) => NmeaStyle::by_name(name).map_err(config_error)?,
            None => NmeaStyle::default(),
        };
        let mode = setup.fudge.mode;
        let chosen: Vec<SentenceKind> = encode::WRITTEN
            .into_iter()
            .filter(|&k| mode & sentence_mode(k) != 0)
            .collect();
        if !chosen.is_empty() {
            style.sentences = chosen;
        }
        if let Some(list) = setup.option("sentences") {
            style = style.with_sentences(list).map_err(config_error)?;
        }
        if let Some(talker) = setup.option("talker") {
            style = style.with_talker(talker).map_err(config_error)?;
        }
        Ok(NmeaDevice {
            style,
            baud: baud_rate(mode),
        })
    }

    /// The message of one sentence: named after it, ending at its CR,
    /// saying the time is bad only when the sentence has a status.
    pub fn message(&self, kind: SentenceKind, epoch: &Epoch) -> Message {
        let checksum = self.style.has_checksum(kind);
        let text = encode::sentence(kind, &self.style, epoch);
        let mut m = Message::line(kind.name(), text).naming(epoch);
        m.valid = epoch.valid || !has_status(kind);
        m.checksum = checksum;
        m
    }
}

impl DeviceModel for NmeaDevice {
    fn describe(&self) -> String {
        let names: Vec<&str> = self.style.sentences.iter().map(|k| k.name()).collect();
        format!(
            "NMEA receiver, {} style ({}), talker {}, {} baud",
            self.style.name,
            names.join(" "),
            self.style.talker,
            self.baud
        )
    }

    fn baud(&self) -> u32 {
        self.baud
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        for &kind in &self.style.sentences {
            out.push(self.message(kind, epoch));
        }
    }

    /// Writes a wrong checksum: the right one XOR 0x5A, also on a sentence
    /// the style writes without one.
    fn corrupt(&self, message: &mut Message) -> bool {
        let Some(start) = message.bytes.iter().position(|&b| b == b'$') else {
            return false;
        };
        let stop = message.bytes[start..]
            .iter()
            .position(|&b| matches!(b, b'*' | b'\r' | b'\n'))
            .map_or(message.bytes.len(), |i| start + i);
        let body = String::from_utf8_lossy(&message.bytes[start + 1..stop]).into_owned();
        let text = encode::frame_with_checksum(&body, checksum(body.as_bytes()) ^ 0x5A);
        let mut bytes = message.bytes[..start].to_vec();
        bytes.extend_from_slice(text.as_bytes());
        message.end = bytes.len() - 2;
        message.bytes = bytes;
        message.checksum = true;
        message.corrupt = true;
        true
    }

    /// Printable once the parity bit is stripped, and never `$`, which
    /// would start a sentence.
    fn garbage_allowed(&self, byte: u8) -> bool {
        let c = byte & 0x7f;
        (0x20..0x7f).contains(&c) && c != b'$'
    }
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
