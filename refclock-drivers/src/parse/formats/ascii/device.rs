//! The simulated clocks of modes 3, 4, 11, 12, 13, 15, 17 and 24 (feature
//! `sim`): each sends its format's frame with the status of the
//! simulator's epoch, in the local time its format carries, and the
//! polled ones (Schmid, RCC8000, SEL240x) answer each poll at the next
//! whole second with the time of that second.
//!
//! A valid epoch is "synchronised"; an invalid one is the format's "not
//! confirmed by the signal" (DCF7000 `FF` 4, hopf internal clock,
//! Schmid crystal backup, Wharton without sync, Varitext not
//! synchronised), or, where the format has only a "never synchronised"
//! (RCC8000 without its valid bit, SEL240x `?`), that. Computime has no
//! status: it sends nothing in an invalid second. The hour before a
//! change of summer time carries the announcement; Schmid's leap bit is
//! set in the hour before an inserted leap second. [`corrupt`] spoils a
//! field so that the frame fails its conversion (a digit that is not one,
//! or a value out of range) and is counted.
//!
//! [`corrupt`]: DeviceModel::corrupt

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline,
};
use refclock_core::Timestamp;

use super::libparse::eu_summer;
use super::{computime, dcf7000, hopf6021, rcc8000, schmid, sel240x, varitext, wharton, Kind};

/// The simulated clock of one of the eight modes.
#[derive(Clone, Debug)]
pub struct AsciiDevice {
    kind: Kind,
    /// The wall second of the last answer to a poll.
    answered: i64,
}

/// Builds the device of `mode`; it takes no options.
pub fn new(mode: u8, setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    if let Some((key, _)) = setup.options.first() {
        return Err(DeviceError(format!(
            "PARSE mode {mode}: unknown option {key:?}"
        )));
    }
    let kind = Kind::of_mode(mode)
        .ok_or_else(|| DeviceError(format!("PARSE mode {mode} is not an ASCII clock")))?;
    Ok(Box::new(AsciiDevice { kind, answered: 0 }))
}

/// Local time at `offset` seconds east of UTC for the epoch (second 60
/// kept).
fn local(epoch: &Epoch, offset: i64) -> CivilTime {
    let leap = epoch.time.second == 60;
    let secs = epoch.named.secs() - i64::from(leap) + offset;
    let mut t = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    if leap {
        t.second = 60;
    }
    t
}

/// The UTC second of the epoch before a leap second (for zone rules).
fn utc_secs(epoch: &Epoch) -> i64 {
    epoch.named.secs() - i64::from(epoch.time.second == 60)
}

/// Summer time now, and whether the zone changes within the hour.
fn summer(epoch: &Epoch) -> (bool, bool) {
    let t = utc_secs(epoch);
    let now = eu_summer(t);
    (now, eu_summer(t + 3600) != now)
}

/// Weekday 1 = Monday .. 7 = Sunday of a civil date.
fn weekday(t: &CivilTime) -> u8 {
    let days = CivilTime::new(t.year, t.month, t.day, 0, 0, 0)
        .to_timestamp()
        .map(|ts| ts.secs().div_euclid(86_400))
        .unwrap_or(0);
    // 1970-01-01 was a Thursday (4).
    ((days + 3).rem_euclid(7) + 1) as u8
}

impl AsciiDevice {
    /// The clock of `kind`.
    pub fn of(kind: Kind) -> AsciiDevice {
        AsciiDevice { kind, answered: 0 }
    }

    /// The frame for `epoch` (None: nothing to send).
    pub fn frame(&self, epoch: &Epoch) -> Option<Message> {
        let valid = epoch.valid;
        let (dst, announce) = summer(epoch);
        let cet = |summer: bool| local(epoch, if summer { 7200 } else { 3600 });
        let (bytes, on_time) = match self.kind {
            Kind::Dcf7000 => {
                let t = cet(dst);
                let mut ff = 0;
                if dst {
                    ff |= dcf7000::FLAG_CEST;
                }
                if announce {
                    ff |= dcf7000::FLAG_ANNOUNCE;
                }
                if !valid {
                    ff |= dcf7000::FLAG_NOSYNC;
                }
                let b = dcf7000::encode(&t, weekday(&t), ff);
                let last = b.len() - 1;
                (b, last)
            }
            Kind::Schmid => {
                let t = cet(dst);
                let clock = if valid {
                    schmid::CLOCK_TIME | schmid::CLOCK_SIGNAL
                } else {
                    schmid::CLOCK_TIME
                };
                let mut tx = if dst { schmid::TX_MEST } else { schmid::TX_MET };
                if announce {
                    tx |= schmid::TX_ANNOUNCE;
                }
                if epoch.leap == LeapWarning::Insert {
                    let next =
                        CivilTime::from_timestamp(Timestamp::from_secs(utc_secs(epoch) + 3600));
                    if next.month != epoch.time.month || epoch.time.second == 60 {
                        tx |= schmid::TX_LEAP;
                    }
                }
                (schmid::encode(&t, clock, tx), 0)
            }
            Kind::Rcc8000 => {
                let t = epoch.time;
                let mut flag = if valid { rcc8000::VALID } else { 0 };
                if dst {
                    flag |= rcc8000::BST;
                }
                let leap_year = (t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0;
                if leap_year {
                    flag |= rcc8000::LEAP_YEAR;
                }
                (rcc8000::encode(&t, t.yday(), weekday(&t) % 7, flag), 0)
            }
            Kind::Hopf6021 => {
                let t = cet(dst);
                let mut a = if valid {
                    hopf6021::RADIO
                } else {
                    hopf6021::INTERNAL
                };
                if dst {
                    a |= hopf6021::DST;
                }
                if announce {
                    a |= hopf6021::DST_WARN;
                }
                let b = hopf6021::encode(&t, a, weekday(&t));
                let last = b.len() - 1;
                (b, last)
            }
            Kind::Computime => {
                if !valid {
                    return None;
                }
                let t = epoch.time;
                (computime::encode(&t, weekday(&t)), 0)
            }
            Kind::Wharton => {
                let t = local(epoch, if dst { 3600 } else { 0 });
                let mut bits = 0;
                if dst {
                    bits |= wharton::SUMMER;
                }
                if valid {
                    bits |= wharton::SYNC;
                }
                if announce {
                    bits |= wharton::WARNING;
                }
                (wharton::encode(&t, bits), 0)
            }
            Kind::Varitext => {
                let t = local(epoch, if dst { 3600 } else { 0 });
                let mut bits = varitext::INITIALISED | varitext::LAST_OK;
                if valid {
                    bits |= varitext::SYNCHRONISED;
                }
                if dst {
                    bits |= varitext::BST;
                }
                if announce {
                    bits |= varitext::SEASON_CHANGE;
                }
                (varitext::encode(&t, weekday(&t), bits), 0)
            }
            Kind::Sel240x => {
                let q = if valid { b' ' } else { b'?' };
                (sel240x::encode(&epoch.time, q), 0)
            }
        };
        let mut m = Message::new("TCODE", bytes).naming(epoch);
        m.on_time = on_time;
        // A CR LF line ends, for a reader, at its CR.
        if let Some(cr) = m.bytes.windows(2).position(|w| w == b"\r\n") {
            if cr + 2 == m.bytes.len() {
                m.end = cr;
            }
        }
        Some(m)
    }

    /// The bytes that poll this clock, if it is polled.
    fn poll(&self) -> Option<&'static [u8]> {
        match self.kind {
            Kind::Schmid => Some(schmid::POLL),
            Kind::Rcc8000 => Some(rcc8000::POLL),
            Kind::Sel240x => Some(sel240x::POLL),
            _ => None,
        }
    }
}

impl DeviceModel for AsciiDevice {
    fn describe(&self) -> String {
        self.kind.name().to_string()
    }

    fn baud(&self) -> u32 {
        match self.kind {
            Kind::Schmid => 1200,
            Kind::Rcc8000 => 2400,
            _ => 9600,
        }
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if self.poll().is_none() {
            out.extend(self.frame(epoch));
        }
    }

    /// Each poll (Schmid `s`, RCC8000 CR, SEL240x `BUB8`; other bytes are
    /// ignored) is answered at the next whole second; a poll in the same
    /// second as the one before it finds the clock busy (Schmid's first
    /// poll, at the opening, may fall just before the timer's first).
    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let Some(poll) = self.poll() else { return };
        let polls = if poll.len() == 1 {
            data.iter().filter(|&&b| b == poll[0]).count()
        } else {
            data.windows(poll.len()).filter(|w| *w == poll).count()
        };
        if polls == 0 {
            return;
        }
        let wall = now.secs() + 1;
        if wall <= self.answered {
            return;
        }
        self.answered = wall;
        let epoch = timeline.epoch(wall);
        if let Some(m) = self.frame(&epoch) {
            out.push(m.due_at(Timestamp::from_secs(wall)));
        }
    }

    /// A digit of the hour made a letter (a bad reply), or for Wharton,
    /// whose frames must be all digits, and SEL240x, whose hour ntpd
    /// hands to `strptime`, a field out of range (a bad time).
    fn corrupt(&self, message: &mut Message) -> bool {
        let b = &mut message.bytes;
        let at = match self.kind {
            Kind::Schmid => {
                b[0] = 24;
                message.corrupt = true;
                return true;
            }
            Kind::Wharton => {
                b[6] = b'9';
                message.corrupt = true;
                return true;
            }
            Kind::Sel240x => {
                b[16] = b'6';
                b[17] = b'1';
                message.corrupt = true;
                return true;
            }
            Kind::Dcf7000 => 12,
            Kind::Rcc8000 => 0,
            Kind::Hopf6021 => 3,
            Kind::Computime | Kind::Varitext => 14,
        };
        match b.get_mut(at) {
            Some(c) => {
                *c = b'x';
                message.corrupt = true;
                true
            }
            None => false,
        }
    }

    /// Printable bytes, except a `T` for the clocks whose frames start
    /// with one.
    fn reset(&mut self) {
        self.answered = 0;
    }

    fn garbage_allowed(&self, byte: u8) -> bool {
        let c = byte & 0x7f;
        (0x20..0x7f).contains(&c)
            && !(matches!(self.kind, Kind::Computime | Kind::Varitext) && c == b'T')
    }
}
