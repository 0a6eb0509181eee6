//! The simulated raw DCF77 module (feature `sim`): one pulse character a
//! second at the mode's speed, nothing in second 59, the telegram of the
//! next minute in German legal time.
//!
//! - The zone follows the EU rule (CEST from 01:00 UTC on the last Sunday
//!   of March to 01:00 UTC on the last Sunday of October); A1 is set in
//!   the telegrams sent during the hour before a change.
//! - A leap second announced for the end of the month (`leap` scenario)
//!   sets A2 in the telegrams sent during the last hour before it; an
//!   inserted 23:59:60 UTC makes a 61-second minute (a 0 in second 59,
//!   the gap in second 60); a deleted one ends the minute at second 57
//!   (the gap in second 58).
//! - `badsum` swaps a pulse in seconds 17..=58 (zone, start, time or
//!   date: a zone, start or parity error); `garbage` may write any byte
//!   that is no pulse character (noise); an invalid epoch (`invalid`) is
//!   a module without reception: no pulse.
//! - Option `lostmark=N`: every N-th minute (from the device's first) a
//!   0 pulse fills second 59, so that the minute mark is lost.
//! - Option `call=1`: the call bit R is set.

use refclock_core::calendar::{days_from_civil, days_in_month, CivilTime};
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message};

use super::super::super::clockinfo::clock_info;
use super::codec::{self, Telegram, Zone};

/// The simulated module (see the module documentation).
#[derive(Clone, Debug)]
pub struct RawDcfDevice {
    mode: u8,
    baud: u32,
    /// (short, long) pulse characters.
    chars: (u8, u8),
    lostmark: Option<u32>,
    call: bool,
    /// Minutes begun since the device started, and the last one.
    minutes: u32,
    last_minute: Option<i64>,
}

/// Builds the model: options `lostmark=N`, `call=0|1`.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mode = (setup.fudge.mode & 0x7f) as u8;
    let info = clock_info(u32::from(mode)).ok_or_else(|| DeviceError(format!("mode {mode}")))?;
    let mut dev = RawDcfDevice::new(mode, info.serial.baud);
    for (key, value) in &setup.options {
        let bad = || DeviceError(format!("rawdcf: {key}={value:?}: expected a number"));
        match key.as_str() {
            "lostmark" => {
                let n: u32 = value.parse().map_err(|_| bad())?;
                dev.lostmark = (n > 0).then_some(n);
            }
            "call" => dev.call = value.parse::<u8>().map_err(|_| bad())? != 0,
            _ => {
                return Err(DeviceError(format!(
                    "rawdcf: unknown option {key:?} (lostmark=N, call=0|1)"
                )))
            }
        }
    }
    Ok(Box::new(dev))
}

/// The UTC instant (Unix seconds) at which the zone changes in `year`:
/// 01:00 UTC on the last Sunday of `month`.
fn change_at(year: i32, month: u8) -> i64 {
    let last = days_from_civil(year, month, days_in_month(year, month));
    // ISO weekday 7 = Sunday; 1970-01-01 (day 0) was a Thursday (4).
    let weekday = (last + 3).rem_euclid(7) + 1;
    let sunday = last - (weekday % 7);
    sunday * 86_400 + 3600
}

/// The zone in force at Unix second `t`.
pub fn zone_at(t: i64) -> Zone {
    let year = CivilTime::from_timestamp(refclock_core::Timestamp::from_secs(t)).year;
    if (change_at(year, 3)..change_at(year, 10)).contains(&t) {
        Zone::Cest
    } else {
        Zone::Cet
    }
}

/// Whether a zone change happens within the hour after `t`.
fn change_within_hour(t: i64) -> bool {
    zone_at(t) != zone_at(t + 3600)
}

impl RawDcfDevice {
    /// A module for `mode` at `baud`.
    pub fn new(mode: u8, baud: u32) -> RawDcfDevice {
        RawDcfDevice {
            mode,
            baud,
            chars: codec::pulse_chars(baud),
            lostmark: None,
            call: false,
            minutes: 0,
            last_minute: None,
        }
    }

    /// The telegram sent during the UTC minute that begins at `minute`
    /// (Unix seconds), with the leap warning of that time.
    pub fn telegram(&self, minute: i64, leap: LeapWarning) -> Telegram {
        let named = minute + 60;
        let zone = zone_at(named);
        let local = CivilTime::from_timestamp(refclock_core::Timestamp::from_secs(
            named - i64::from(zone.utc_offset()),
        ));
        let mut t = Telegram::for_local(&local, zone);
        t.call = self.call;
        t.zone_change = change_within_hour(minute);
        let utc = CivilTime::from_timestamp(refclock_core::Timestamp::from_secs(minute));
        t.leap = leap != LeapWarning::None
            && utc.hour == 23
            && utc.day == days_in_month(utc.year, utc.month);
        t
    }

    /// The pulse character of second `second` of the minute that begins
    /// at `minute`, or `None` for the gap.
    fn pulse(&self, minute: i64, second: u8, leap: LeapWarning, lost_mark: bool) -> Option<u8> {
        let utc = CivilTime::from_timestamp(refclock_core::Timestamp::from_secs(minute));
        let last_minute =
            utc.hour == 23 && utc.minute == 59 && utc.day == days_in_month(utc.year, utc.month);
        let gap = match (leap, last_minute) {
            (LeapWarning::Insert, true) => 60,
            (LeapWarning::Delete, true) => 58,
            _ => 59,
        };
        let bit = match second {
            s if s == gap => {
                if !lost_mark {
                    return None;
                }
                false
            }
            s if usize::from(s) < codec::BITS => {
                codec::encode(&self.telegram(minute, leap))[usize::from(s)]
            }
            _ => false,
        };
        Some(if bit { self.chars.1 } else { self.chars.0 })
    }
}

impl DeviceModel for RawDcfDevice {
    fn describe(&self) -> String {
        format!("raw DCF77 module (PARSE mode {})", self.mode)
    }

    fn baud(&self) -> u32 {
        self.baud
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let t = &epoch.time;
        let minute = CivilTime {
            second: 0,
            nanos: 0,
            ..*t
        }
        .to_timestamp()
        .map(|m| m.secs())
        .unwrap_or(0);
        if self.last_minute != Some(minute) {
            self.last_minute = Some(minute);
            self.minutes += 1;
        }
        if !epoch.valid {
            return;
        }
        let lost = self
            .lostmark
            .is_some_and(|n| self.minutes.is_multiple_of(n));
        if let Some(c) = self.pulse(minute, t.second, epoch.leap, lost) {
            out.push(Message::new("PULSE", vec![c]).naming(epoch));
        }
    }

    /// Swaps the pulse of a second the checks cover (17..=58): a zone,
    /// start or parity error.
    fn corrupt(&self, message: &mut Message) -> bool {
        let second = message.time.map_or(0, |t| t.second);
        if !(17..=58).contains(&second) || message.bytes.len() != 1 {
            return false;
        }
        let (short, long) = self.chars;
        message.bytes[0] = if message.bytes[0] == short {
            long
        } else {
            short
        };
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        self.minutes = 0;
        self.last_minute = None;
    }

    /// Noise: any byte that is not a run of zero bits from the start bit
    /// (those would read as pulses).
    fn garbage_allowed(&self, byte: u8) -> bool {
        codec::zero_run(byte).is_none()
    }
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod device_tests;
