//! The simulated Oncore receiver (feature `sim`).
//!
//! Models (`DeviceSetup` option `model=`): `m12` (default; an M12+T,
//! 12 channels, `@@Ha`/`@@Hn`, model number `P273T12T12`), `ut` (an
//! 8-channel UT+, `@@Ea`/`@@En`, `R5122G1115`), `basic` (6 channels,
//! `@@Ba`/`@@Bn`, no position hold or site survey, no `@@Gj`,
//! `A11121P116`). `survey=SECS` sets how long the receiver's own site
//! survey runs (default 20 s).
//!
//! It starts in position hold (a receiver that kept its surveyed
//! position), which `@@Cf` (factory defaults) clears. It sends nothing
//! until asked: each position message command (`@@Ha1`
//! …) of its own channel count turns that message on, once a second,
//! its `@` at the whole second; the TRAIM message (`@@Hn1`, or `@@En`/
//! `@@Bn` with its first byte 1) follows it with a sawtooth that
//! changes every second. It answers `@@Cj` (receiver id), `@@Cg`,
//! `@@Cf` (factory defaults: outputs off), the self test (`@@Ia`,
//! `@@Fa`, `@@Ca`: passed), `@@Gd`/`@@At` (position control; 3 or 2
//! starts a site survey, during which the status says 3D and "survey
//! running", and after which 0D), `@@Gc`, `@@Ge`, `@@Ag`, `@@As`,
//! `@@Ga`, `@@Ay`/`@@Az` (the value set, or read back with `ff`),
//! `@@Gj` (the leap second of this month, from the epoch's warning) and
//! `@@Bj`. An epoch that is not valid is sent with the "bad almanac"
//! status bit, on which the driver takes no sample.
//!
//! Bad checksums (`badsum`): the checksum byte of a position or TRAIM
//! message flipped; answers are left alone, so that the handshake ends
//! (a lost answer costs a 16 s poll and a resent `@@Cj`; the driver's
//! tests cover it). Garbage never holds `@`.

use refclock_core::calendar::days_in_month;
use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline,
};
use refclock_core::Timestamp;

use super::codec::{self, LeapInfo, Position, Traim};

/// Builds the simulated receiver for `setup`.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    Ok(Box::new(SimulatedOncore::from_setup(setup)?))
}

/// The simulated receiver (see the module documentation).
#[derive(Debug, Clone)]
pub struct SimulatedOncore {
    /// 6, 8 or 12 channels.
    pub chan: u8,
    model: &'static str,
    survey_secs: u32,
    position_on: bool,
    traim_on: bool,
    /// 0 3D, 1 hold, 2 surveying.
    hold: u8,
    survey_left: u32,
    delay: i32,
    offset: i32,
    pending: Vec<u8>,
    last: Option<Epoch>,
}

/// The sawtooth the TRAIM message of Unix second `secs` gives (ns).
pub fn sawtooth_of(secs: i64) -> i8 {
    (((secs.rem_euclid(97) * 37) % 97) - 48) as i8
}

/// The length of a command the driver writes, from its id (payload
/// bytes + 7), or `None` for one this model does not know.
fn command_len(id: [u8; 2]) -> Option<usize> {
    let args = match &id {
        b"Cj" | b"Cf" | b"Ca" | b"Fa" | b"Ia" | b"Gj" => 0,
        b"Cg" | b"Ba" | b"Ea" | b"Ha" | b"Hn" | b"Bb" | b"Ek" | b"Aw" | b"AB" | b"Be" | b"Bd"
        | b"At" | b"Av" | b"Ag" | b"Gd" | b"Gc" | b"Ge" | b"Bj" | b"Bl" => 1,
        b"Ay" | b"Az" | b"Ad" | b"Ae" => 4,
        b"Au" | b"Af" => 5,
        b"As" | b"Ga" => 13,
        b"Bn" | b"En" => 15,
        _ => return None,
    };
    Some(args + 7)
}

impl SimulatedOncore {
    /// A receiver of `chan` channels.
    pub fn new(chan: u8) -> SimulatedOncore {
        SimulatedOncore {
            chan,
            model: match chan {
                6 => "A11121P116",
                8 => "R5122G1115",
                _ => "P273T12T12",
            },
            survey_secs: 20,
            position_on: false,
            traim_on: false,
            hold: 1,
            survey_left: 0,
            delay: 0,
            offset: 0,
            pending: Vec::new(),
            last: None,
        }
    }

    /// The receiver `setup` describes.
    pub fn from_setup(setup: &DeviceSetup) -> Result<SimulatedOncore, DeviceError> {
        let mut d = SimulatedOncore::new(12);
        let mut survey = None;
        for (k, v) in &setup.options {
            match (k.as_str(), v.as_str()) {
                ("model", "m12" | "m12+t") => d = SimulatedOncore::new(12),
                ("model", "ut" | "vp" | "ut+") => d = SimulatedOncore::new(8),
                ("model", "basic" | "pvt6") => d = SimulatedOncore::new(6),
                ("survey", s) => {
                    survey = Some(s.parse().map_err(|_| {
                        DeviceError(format!("oncore: survey={s:?} is not a number of seconds"))
                    })?)
                }
                _ => {
                    return Err(DeviceError(format!(
                        "oncore: unknown option {k}={v} (model=m12|ut|basic, survey=SECS)"
                    )))
                }
            }
        }
        if let Some(s) = survey {
            d.survey_secs = s;
        }
        Ok(d)
    }

    fn status(&self, valid: bool) -> u16 {
        let surveying = self.survey_left > 0;
        if self.chan == 12 {
            let mode: u16 = if surveying || self.hold == 0 {
                0xe000
            } else {
                0x8000
            };
            let mut s = mode | 0x0001;
            if surveying {
                s |= 0x0010;
            }
            if !valid {
                s |= 0x0080;
            }
            s
        } else {
            let mut s: u16 = if self.hold == 1 && !surveying {
                0x08
            } else {
                0x20
            };
            if !valid {
                s |= 0x01;
            }
            s
        }
    }

    /// The position message for `epoch`.
    pub fn position(&self, epoch: &Epoch) -> Vec<u8> {
        codec::encode_position(&Position {
            chan: self.chan,
            time: epoch.time,
            lat: 207_766_190,
            lon: 43_281_353,
            height: 8_511,
            status: self.status(epoch.valid),
            dop_type: if self.chan == 8 && self.survey_left > 0 {
                0x20
            } else {
                0
            },
            utc_flags: if epoch.valid { 0xd2 } else { 0 },
        })
    }

    fn answer(&mut self, cmd: &[u8], out: &mut Vec<Message>) {
        let id = [cmd[2], cmd[3]];
        let arg = cmd.get(4).copied().unwrap_or(0);
        let mut reply = |m: Vec<u8>| out.push(Message::new("ANSWER", m));
        let own = codec::channels_of(id) == Some(self.chan);
        match &id {
            b"Cj" => reply(codec::encode_cj(self.model)),
            b"Cg" => reply(codec::message(&[b'C', b'g', arg])),
            b"Cf" => {
                self.position_on = false;
                self.traim_on = false;
                self.hold = 0;
                reply(codec::message(b"Cf"));
            }
            b"Ca" if self.chan == 6 => reply(codec::build(*b"Ca", 9, |_| {})),
            b"Fa" if self.chan == 8 => reply(codec::build(*b"Fa", 9, |_| {})),
            b"Ia" if self.chan == 12 => reply(codec::build(*b"Ia", 10, |_| {})),
            b"Ba" | b"Ea" | b"Ha" if own => self.position_on = arg == 1,
            b"Bn" | b"En" | b"Hn" if own => self.traim_on = arg == 1,
            b"Gd" if self.chan == 12 => {
                self.set_hold(arg);
                reply(codec::message(&[b'G', b'd', arg]));
            }
            b"At" if self.chan == 8 => {
                if arg != 0xff {
                    self.set_hold(arg);
                }
                let v = if self.survey_left > 0 { 2 } else { self.hold };
                reply(codec::message(&[b'A', b't', v]));
            }
            b"Gc" | b"Ge" if self.chan == 12 => reply(codec::message(&[id[0], id[1], arg])),
            b"Ag" => reply(codec::message(&[
                b'A',
                b'g',
                if arg == 0xff { 0 } else { arg },
            ])),
            b"As" | b"Ga" if cmd.len() == 20 => reply(codec::message(&cmd[2..17])),
            b"Ay" | b"Az" if cmd.len() == 11 => {
                let v = codec::be_i32(&cmd[4..]);
                let slot = if id == *b"Ay" {
                    &mut self.offset
                } else {
                    &mut self.delay
                };
                if v != -1 {
                    *slot = v;
                }
                let mut b = id.to_vec();
                b.extend_from_slice(&slot.to_be_bytes());
                reply(codec::message(&b));
            }
            b"Gj" if self.chan != 6 => {
                if let Some(e) = self.last {
                    reply(codec::encode_gj(&leap_info(&e)));
                }
            }
            b"Bj" => {
                let v = match self.last.map(|e| e.leap) {
                    Some(LeapWarning::Insert) => 1,
                    Some(LeapWarning::Delete) => 2,
                    _ => 0,
                };
                reply(codec::message(&[b'B', b'j', v]));
            }
            _ => {}
        }
    }

    fn set_hold(&mut self, arg: u8) {
        match arg {
            1 => self.hold = 1,
            2 | 3 if self.chan != 6 => {
                self.hold = 1;
                self.survey_left = self.survey_secs;
            }
            _ => {
                self.hold = 0;
                self.survey_left = 0;
            }
        }
    }
}

/// The `@@Gj` of an epoch: the leap second at the end of its month.
fn leap_info(e: &Epoch) -> LeapInfo {
    let delta: i32 = match e.leap {
        LeapWarning::Insert => 1,
        LeapWarning::Delete => -1,
        LeapWarning::None => 0,
    };
    let t = e.time;
    LeapInfo {
        current: e.gps_utc as u8,
        future: (e.gps_utc + delta) as u8,
        year: t.year as u16,
        month: t.month,
        day: days_in_month(t.year, t.month),
        hour: 23,
        minute: 59,
        second: if delta < 0 { 58 } else { 60 },
    }
}

impl DeviceModel for SimulatedOncore {
    fn describe(&self) -> String {
        format!("Motorola Oncore ({} channels)", self.chan)
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        self.last = Some(*epoch);
        if self.survey_left > 0 {
            self.survey_left -= 1;
        }
        if self.position_on {
            out.push(
                Message::new("POSITION", self.position(epoch))
                    .naming(epoch)
                    .with_checksum(),
            );
            if self.traim_on {
                let t = Traim {
                    chan: self.chan,
                    status: 0,
                    sawtooth: sawtooth_of(epoch.named.secs()),
                };
                out.push(Message::new("TRAIM", codec::encode_traim(&t)).with_checksum());
            }
        }
    }

    fn input(&mut self, data: &[u8], _now: Timestamp, _tl: &dyn Timeline, out: &mut Vec<Message>) {
        self.pending.extend_from_slice(data);
        loop {
            let Some(start) = self.pending.windows(2).position(|w| w == b"@@") else {
                let keep = usize::from(self.pending.last() == Some(&b'@'));
                self.pending.drain(..self.pending.len() - keep);
                return;
            };
            self.pending.drain(..start);
            if self.pending.len() < 4 {
                return;
            }
            let Some(len) = command_len([self.pending[2], self.pending[3]]) else {
                self.pending.drain(..1);
                continue;
            };
            if self.pending.len() < len {
                return;
            }
            let cmd: Vec<u8> = self.pending.drain(..len).collect();
            let body = &cmd[2..len - 3];
            if cmd.ends_with(b"\r\n") && codec::message(body) == cmd {
                self.answer(&cmd, out);
            }
        }
    }

    fn corrupt(&self, message: &mut Message) -> bool {
        let n = message.bytes.len();
        if n < 7 || message.kind == "ANSWER" {
            return false;
        }
        message.bytes[n - 3] ^= 0x5a;
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        *self = SimulatedOncore {
            survey_secs: self.survey_secs,
            ..SimulatedOncore::new(self.chan)
        };
    }

    fn garbage_allowed(&self, byte: u8) -> bool {
        (0x20..0x7f).contains(&(byte & 0x7f)) && byte & 0x7f != b'@'
    }
}
