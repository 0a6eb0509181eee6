//! The simulated Jupiter / Zodiac receiver (feature `sim`).
//!
//! Each second it sends what it has been told to log: at power-up the
//! 1000 geodetic position and the 1108 UTC time mark (the TU30 of gpsd's
//! capture also sent 1002, which the driver ignores), and after the
//! driver's configuration the same two:
//!
//! * the 1000 for the second, at the whole second: GPS week (16 bits)
//!   and seconds of week, the UTC date and time (second 60 kept), and a
//!   navigation validity of 0, or 0x04 (too few satellites) in a second
//!   the scenario makes invalid;
//! * the 1108 for the **next** second, 400 ms before it (at 0.6 s), as
//!   the Navman designer's guide says the receiver sends it: UTC seconds
//!   of week, GPS − UTC, flags valid (cleared in an invalid second) and
//!   UTC. To time it the model needs the wall second it is in, which
//!   [`DeviceModel::second`] does not say: it learns it from the
//!   timeline [`DeviceModel::input`] is handed (the epochs around the
//!   time the driver wrote, matched against the epochs it was given) and
//!   counts on from there, one call a wall second. Until the driver has
//!   written something it sends no 1108 (the Jupiter driver writes its
//!   configuration as soon as the port opens).
//!
//! Of what the driver writes it answers: a one-shot query of 1011 with
//! the receiver id, and every message asking for an acknowledgement with
//! a header-only ACK of the same id. "Cancel all" stops the output, a
//! log request starts the message named, 1220 sets the platform
//! (remembered, [`JupiterDevice::platform`]).
//!
//! A restart (model option `restart=N`: every N seconds; and when the
//! device vanishes) forgets the configuration, goes back to the power-up
//! output and sends an unrequested 1011 first, which tells the driver to
//! configure it again.
//!
//! The protocol has no leap-second warning: around an inserted leap
//! second the 1108 naming 23:59:60 states the seconds of week of the
//! following midnight (the count cannot say 60) and the GPS − UTC
//! offset steps at midnight. Nothing the device writes outside a message
//! may be 0xFF, the first sync byte ([`DeviceModel::garbage_allowed`]).

use refclock_core::calendar::CivilTime;
use refclock_core::framing::{FrameStatus, Framer, ZodiacFramer, ZodiacMessage};
use refclock_core::gps::GpsTime;
use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline,
};
use refclock_core::Timestamp;

use super::codec::{self, flags, Position, ReceiverId, TimeMark, MARK_UTC, MARK_VALID};

/// When in its wall second the 1108 goes out (400 ms before the next).
const MARK_AT: f64 = 0.6;

/// What the TU30 logs at power-up.
const POWER_UP: [u16; 2] = [codec::ID_POSITION, codec::ID_TIME_MARK];

/// The simulated receiver (see the module documentation).
#[derive(Debug)]
pub struct JupiterDevice {
    /// Ids logged every second.
    logging: Vec<u16>,
    /// Seconds since power-up.
    ticks: u32,
    /// A restart happened: the next second starts with a 1011.
    announce: bool,
    /// Restart every this many seconds (0: never).
    restart_every: u32,
    /// Seconds since the last restart.
    since_restart: u32,
    /// Message sequence number.
    sequence: u16,
    /// The platform the last 1220 set.
    platform: Option<u16>,
    /// Reads what the driver writes.
    input: ZodiacFramer,
    /// The epoch of the last [`DeviceModel::second`].
    last_epoch: Option<Epoch>,
    /// Its wall second, once the timeline told (see [`DeviceModel::input`]).
    wall: Option<i64>,
    /// Wall seconds around the last input and their epochs, to find the
    /// wall second of the next [`DeviceModel::second`] by its epoch.
    candidates: Vec<(i64, Epoch)>,
}

/// Builds the model: option `restart=N` (seconds between restarts).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut d = JupiterDevice::new();
    for (key, value) in &setup.options {
        match key.as_str() {
            "restart" => {
                d.restart_every = value
                    .parse()
                    .map_err(|_| DeviceError(format!("jupiter: restart={value}: not a number")))?
            }
            _ => return Err(DeviceError(format!("jupiter: unknown option {key:?}"))),
        }
    }
    Ok(Box::new(d))
}

impl Default for JupiterDevice {
    fn default() -> Self {
        Self::new()
    }
}

/// The epoch after `e`: a leap second inserted or deleted at the end of
/// the month it announces, otherwise the next second.
pub fn next_epoch(e: &Epoch) -> Epoch {
    let t = e.time;
    let last_day = CivilTime::from_timestamp(Timestamp::from_secs(e.named.secs() + 86_400)).month
        != t.month
        || t.second == 60;
    let mut n = if t.second == 60 {
        Epoch {
            time: CivilTime::from_timestamp(e.named),
            gps_utc: e.gps_utc + 1,
            leap: LeapWarning::None,
            ..*e
        }
    } else if e.leap == LeapWarning::Insert
        && last_day
        && (t.hour, t.minute, t.second) == (23, 59, 59)
    {
        Epoch {
            named: Timestamp::from_secs(e.named.secs() + 1),
            time: CivilTime { second: 60, ..t },
            ..*e
        }
    } else if e.leap == LeapWarning::Delete
        && last_day
        && (t.hour, t.minute, t.second) == (23, 59, 58)
    {
        let named = Timestamp::from_secs(e.named.secs() + 2);
        Epoch {
            named,
            time: CivilTime::from_timestamp(named),
            gps_utc: e.gps_utc - 1,
            leap: LeapWarning::None,
            ..*e
        }
    } else {
        let named = Timestamp::from_secs(e.named.secs() + 1);
        Epoch {
            named,
            time: CivilTime::from_timestamp(named),
            ..*e
        }
    };
    n.valid = e.valid;
    n
}

/// The 1000 a receiver sends for `e` (its GPS time the named second plus
/// GPS − UTC; in 23:59:60 the old offset, which keeps GPS time going on).
pub fn position_for(e: &Epoch, set_time: u32, sequence: u16) -> Position {
    let g = GpsTime::from_utc(e.named, e.gps_utc);
    let t = e.time;
    Position {
        set_time,
        sequence,
        meas_sequence: sequence,
        nav_validity: if e.valid { 0 } else { 0x04 },
        nav_type: 0,
        measurements: if e.valid { 8 } else { 2 },
        polar: 0,
        week: g.week as u16,
        week_secs: g.tow_secs(),
        nanos: 0,
        utc: [
            u16::from(t.day),
            u16::from(t.month),
            t.year as u16,
            u16::from(t.hour),
            u16::from(t.minute),
            u16::from(t.second),
        ],
        utc_nanos: 0,
        rest: [0; 28],
    }
}

/// The 1108 a receiver sends before the pulse of `e`: UTC seconds of
/// week (23:59:60 counted as the midnight after it), GPS − UTC, valid
/// and UTC flags.
pub fn time_mark_for(e: &Epoch, set_time: u32, sequence: u16) -> TimeMark {
    let utc = GpsTime::from_utc(e.named, 0);
    TimeMark {
        set_time,
        sequence,
        week_secs: utc.tow_secs(),
        gps_utc_secs: e.gps_utc as i16,
        gps_utc_nanos: 0,
        flags: MARK_UTC | if e.valid { MARK_VALID } else { 0 },
    }
}

impl JupiterDevice {
    /// A receiver just powered up.
    pub fn new() -> JupiterDevice {
        JupiterDevice {
            logging: POWER_UP.to_vec(),
            ticks: 0,
            announce: true,
            restart_every: 0,
            since_restart: 0,
            sequence: 0,
            platform: None,
            input: ZodiacFramer::new(),
            last_epoch: None,
            wall: None,
            candidates: Vec::new(),
        }
    }

    /// The platform the driver set, if any.
    pub fn platform(&self) -> Option<u16> {
        self.platform
    }

    /// The ids it logs every second.
    pub fn logging(&self) -> &[u16] {
        &self.logging
    }

    fn restart(&mut self) {
        self.logging = POWER_UP.to_vec();
        self.ticks = 0;
        self.announce = true;
        self.since_restart = 0;
        self.platform = None;
        self.input.reset();
    }

    fn id(&self) -> Vec<u8> {
        let mut r = ReceiverId::with_texts(["12", "1.02", "01/01/00", "TIMING", ""]);
        r.set_time = self.ticks * 100;
        codec::encode_receiver(&r)
    }

    /// One message the driver wrote.
    fn command(&mut self, m: &ZodiacMessage<'_>, out: &mut Vec<Message>) {
        let bits = (m.flags() >> 8) as u8;
        let id = m.id();
        if bits & flags::DISC != 0 {
            if id == codec::ID_ALL {
                self.logging.clear();
            } else {
                self.logging.retain(|&l| l != id);
            }
        } else if bits & flags::LOG != 0 && bits & flags::CONN != 0 {
            if !self.logging.contains(&id) {
                self.logging.push(id);
            }
        } else if id == codec::ID_PLATFORM {
            self.platform = m.data_word(1);
        }
        if bits & flags::REQUEST != 0 {
            out.push(Message::new("ACK", codec::message(id, flags::ACK, &[])).with_checksum());
        }
        if bits & flags::QUERY != 0 && id == codec::ID_RECEIVER {
            out.push(Message::new("ID", self.id()).with_checksum());
        }
    }
}

impl DeviceModel for JupiterDevice {
    fn describe(&self) -> String {
        "Rockwell Jupiter (Zodiac binary)".to_string()
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if self.restart_every > 0 && self.since_restart >= self.restart_every {
            self.restart();
        }
        self.since_restart += 1;
        self.ticks += 1;
        let set_time = self.ticks * 100;
        if std::mem::take(&mut self.announce) {
            out.push(Message::new("ID", self.id()).with_checksum());
        }
        self.sequence = self.sequence.wrapping_add(1) & 0x7fff;
        if self.logging.contains(&codec::ID_POSITION) {
            let p = position_for(epoch, set_time, self.sequence);
            out.push(
                Message::new("1000", codec::encode_position(&p))
                    .naming(epoch)
                    .with_checksum(),
            );
        }
        let found = self.candidates.iter().find(|(_, e)| e == epoch);
        self.wall = match found {
            Some(&(w, _)) => Some(w),
            None => self.wall.map(|w| w + 1),
        };
        self.candidates.clear();
        self.last_epoch = Some(*epoch);
        if self.logging.contains(&codec::ID_TIME_MARK) {
            // Sent 400 ms before the second it names; while the wall
            // second is not known yet (nothing written to the device so
            // far), not at all.
            if let Some(wall) = self.wall {
                let next = next_epoch(epoch);
                let t = time_mark_for(&next, set_time + 60, self.sequence);
                out.push(
                    Message::new("1108", codec::encode_time_mark(&t))
                        .naming(&next)
                        .with_checksum()
                        .due_at(Timestamp::from_secs(wall) + MARK_AT),
                );
            }
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        // Which wall second the last `second` was for: the one whose
        // epoch it was handed (seconds come in order, one call each);
        // and for the next call, the epochs of the wall seconds around.
        let s = now.secs();
        if let Some(last) = self.last_epoch {
            if let Some(w) = (s - 2..=s + 1).find(|&w| timeline.epoch(w) == last) {
                self.wall = Some(w);
            }
        }
        self.candidates = (s - 1..=s + 2).map(|w| (w, timeline.epoch(w))).collect();
        let mut frames = Vec::new();
        self.input.feed(data, now, |f| {
            if f.status == FrameStatus::Complete {
                frames.push(f.data.to_vec());
            }
        });
        for bytes in frames {
            if let Some(m) = ZodiacMessage::new(&bytes) {
                self.command(&m, out);
            }
        }
    }

    /// Flips a bit of the first data word: the data checksum fails.
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.bytes.len() <= 12 {
            return false;
        }
        message.bytes[10] ^= 0x01;
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        self.restart();
    }

    /// Any byte but 0xFF, which could begin a sync word.
    fn garbage_allowed(&self, byte: u8) -> bool {
        byte != 0xff
    }
}
