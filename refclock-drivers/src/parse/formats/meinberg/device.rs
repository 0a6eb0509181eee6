//! The simulated Meinberg receivers (feature `sim`): one time string a
//! second, its STX on the second, and for the GPS modes the answers to
//! the binary queries.
//!
//! Modes 0, 1, 2, 22: a DCF77 receiver at 9600 7E2 sending the standard
//! string (option `string=extended`: the Uni-Erlangen extended one) in
//! CET/CEST, as the German receivers do (option `zone=utc`: in UTC).
//! Modes 7, 18, 23: a GPS receiver at 19200 8N1 sending the Uni-Erlangen
//! GPS string in UTC (`zone=cet`: CET/CEST with its offset) and
//! answering the queries for its software revision, buffered-variable
//! status, antenna and ASCII message (the others stay unanswered).
//!
//! An invalid epoch: the DCF77 receiver runs on its quartz (`*`), or,
//! if it has never synchronised since power-up, also says so (`#`); the
//! GPS receiver says `#` (not synchronised), with `*` (position not
//! verified) until it first synchronised. A leap second warning is `A`
//! (`a` for a deletion, except in the extended string, which has no
//! direction); the leap second itself is second 60 (and `L`).

use refclock_core::calendar::{days_from_civil, CivilTime};
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message};
use refclock_core::Timestamp;

use super::binary::{self, Header, HEADER_LEN};
use super::codec::{self, Telegram, SOH, STX};

/// Which string a DCF77 receiver sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Standard,
    Extended,
    Gps,
}

/// The simulated receiver (see the module documentation).
#[derive(Clone, Debug)]
pub struct MeinbergDevice {
    layout: Layout,
    /// Local time CET/CEST (otherwise UTC).
    cet: bool,
    /// Synchronised at least once since power-up.
    was_synced: bool,
    /// Bytes of a query not yet complete.
    input: Vec<u8>,
}

/// Builds the model of `setup.fudge.mode & 0x7F`; options `string`
/// (`standard`, `extended`; DCF77 modes) and `zone` (`cet`, `utc`).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mode = setup.fudge.mode & 0x7f;
    let gps = matches!(mode, 7 | 18 | 23);
    let mut layout = if gps { Layout::Gps } else { Layout::Standard };
    let mut cet = !gps;
    for (key, value) in &setup.options {
        match (key.as_str(), value.as_str()) {
            ("string", "standard") if !gps => layout = Layout::Standard,
            ("string", "extended") if !gps => layout = Layout::Extended,
            ("zone", "cet") => cet = true,
            ("zone", "utc") => cet = false,
            _ => {
                return Err(DeviceError(format!(
                    "meinberg mode {mode}: unknown option {key}={value} \
                     (string=standard|extended for DCF77 modes, zone=cet|utc)"
                )))
            }
        }
    }
    Ok(Box::new(MeinbergDevice {
        layout,
        cet,
        was_synced: false,
        input: Vec::new(),
    }))
}

/// Whether CEST is in effect at Unix second `t`: from 01:00 UTC on the
/// last Sunday of March to 01:00 UTC on the last Sunday of October.
pub fn cest(t: i64) -> bool {
    let year = CivilTime::from_timestamp(Timestamp::from_secs(t)).year;
    let last_sunday = |month: u8| {
        let last = days_from_civil(year, month, 31);
        // 1970-01-01 was a Thursday: days + 4 is 0 on a Sunday.
        last - (last + 4).rem_euclid(7)
    };
    let start = last_sunday(3) * 86_400 + 3600;
    let end = last_sunday(10) * 86_400 + 3600;
    (start..end).contains(&t)
}

impl MeinbergDevice {
    /// The telegram of `epoch`, updating the sync memory.
    pub fn telegram(&mut self, epoch: &Epoch) -> Telegram {
        let utc = epoch.time;
        let mut t = Telegram::utc(utc);
        if self.cet {
            // The second before a leap second decides the zone.
            let base = epoch.named.secs() - i64::from(utc.second == 60);
            let dst = cest(base);
            let minutes = if dst { 120 } else { 60 };
            let mut local =
                CivilTime::from_timestamp(Timestamp::from_secs(base + i64::from(minutes) * 60));
            if utc.second == 60 {
                local.second = 60;
            }
            t.local = local;
            t.weekday = codec::weekday(&local);
            t.utc = false;
            t.dst = dst;
            t.zone_minutes = minutes;
            // A change within the next hour.
            t.announce = cest(base + 3600) != dst;
        }
        t.leap = epoch.leap != LeapWarning::None;
        t.leap_delete = epoch.leap == LeapWarning::Delete;
        if epoch.valid {
            self.was_synced = true;
        } else if self.layout == Layout::Gps {
            t.powerup = true;
            t.nosync = !self.was_synced;
        } else {
            t.nosync = true;
            t.powerup = !self.was_synced;
        }
        t
    }

    /// The bytes of the string for `epoch`.
    pub fn string(&mut self, epoch: &Epoch) -> Vec<u8> {
        let t = self.telegram(epoch);
        match self.layout {
            Layout::Standard => t.standard(),
            Layout::Extended => t.extended(),
            Layout::Gps => t.gps(codec::POSITION),
        }
    }
}

impl DeviceModel for MeinbergDevice {
    fn describe(&self) -> String {
        match self.layout {
            Layout::Standard => "Meinberg DCF77 receiver (standard string)",
            Layout::Extended => "Meinberg DCF77 receiver (Uni-Erlangen string)",
            Layout::Gps => "Meinberg GPS receiver (Uni-Erlangen string)",
        }
        .to_string()
    }

    fn baud(&self) -> u32 {
        if self.layout == Layout::Gps {
            19_200
        } else {
            9600
        }
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let bytes = self.string(epoch);
        out.push(Message::new("TIME", bytes).naming(epoch));
    }

    /// Queries are `SOH` and a header; each one with a good header
    /// checksum is answered, if the receiver knows the command.
    fn input(
        &mut self,
        data: &[u8],
        _now: Timestamp,
        _timeline: &dyn refclock_core::sim::Timeline,
        out: &mut Vec<Message>,
    ) {
        if self.layout != Layout::Gps {
            return;
        }
        for &b in data {
            if self.input.is_empty() && b != SOH {
                continue;
            }
            self.input.push(b);
            if self.input.len() == 1 + HEADER_LEN {
                let hdr: [u8; HEADER_LEN] = self.input[1..].try_into().expect("8 bytes");
                self.input.clear();
                if Header::hdr_ok(&hdr) {
                    if let Some(answer) = binary::answer(Header::parse(&hdr).cmd) {
                        out.push(Message::new("ANSWER", answer).with_checksum());
                    }
                }
            }
        }
    }

    /// A string loses a separator (the `;` after the date: the layout
    /// no longer matches); a binary answer a data byte (its data
    /// checksum no longer matches).
    fn corrupt(&self, message: &mut Message) -> bool {
        let at = match message.bytes.first() {
            Some(&STX) => message.bytes.iter().position(|&b| b == b';'),
            Some(&SOH) if message.bytes.len() > 1 + HEADER_LEN => Some(1 + HEADER_LEN),
            _ => None,
        };
        let Some(at) = at else {
            return false;
        };
        let b = &mut message.bytes[at];
        *b = if *b == b',' { b';' } else { b',' };
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        self.was_synced = false;
        self.input.clear();
    }

    /// Printable bytes only (as the default), which never start or end
    /// a string or a binary message.
    fn garbage_allowed(&self, byte: u8) -> bool {
        (0x20..0x7f).contains(&(byte & 0x7f))
    }
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
