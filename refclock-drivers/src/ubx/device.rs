//! The simulated u-blox timing receiver (feature `sim`): each second
//! TIM-TP (the next pulse, UTC time base, with a sawtooth qErr),
//! NAV-TIMEUTC and NAV-TIMELS, TIM-TP's first byte at the whole second;
//! MON-VER polls answered, CFG-MSG and CFG-VALSET acknowledged.
//!
//! Model options: `protver=NN.NN` (default 18.00, an M8T; 27 and more is
//! an F9T, which NAKs nothing; below 27 CFG-VALSET is NAKed, from 34, an
//! M10, CFG-MSG is), `qerr=NS` (the sawtooth's amplitude, default 20 ns).
//!
//! TIM-TP names the next second's pulse, so the driver's serial time from
//! it is the second it was sent in: that is the second the message
//! "names" in the truth log. An invalid epoch (not in sync) sends TIM-TP
//! with "UTC not available" and NAV-TIMEUTC without `validUTC`. A leap
//! warning sends NAV-TIMELS with the change and the seconds to the end
//! of the month. Weeks are full 16-bit weeks, as every u-blox sends them:
//! a roll-over of the 10-bit week changes nothing.

use refclock_core::framing::{Framer, UbxFramer, UbxMessage};
use refclock_core::gps::GpsTime;
use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline,
};
use refclock_core::Timestamp;

use super::codec::{self, Message as Ubx, MonVer, NavTimeLs, NavTimeUtc, TimTp};
use super::driver::baud_rate;

/// The sawtooth qErr (ps) of the pulse at Unix second `second`: a ramp
/// over one oscillator tick of `2 × amp_ps`, advancing 37 % of a tick a
/// second, from −amp to +amp.
pub fn sawtooth_ps(second: i64, amp_ps: i64) -> i32 {
    let tick = (2 * amp_ps).max(1);
    let step = tick * 37 / 100;
    ((second.rem_euclid(1_000_003) * step).rem_euclid(tick) - amp_ps) as i32
}

/// The simulated receiver (see the module documentation).
#[derive(Clone, Debug)]
pub struct UbxDevice {
    /// Protocol version × 100.
    pub protver: u32,
    /// qErr amplitude, ps.
    pub qerr_amp_ps: i64,
    baud: u32,
    framer: UbxFramer,
    /// CFG messages acknowledged since power-up.
    pub configured: u32,
}

/// Builds the model (options: see the module documentation).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let mut dev = UbxDevice::new(baud_rate(setup.fudge.mode));
    for (key, value) in &setup.options {
        match key.as_str() {
            "protver" => {
                let v = MonVer {
                    extensions: vec![format!("PROTVER={value}")],
                    ..MonVer::default()
                };
                dev.protver = v
                    .protocol_version()
                    .ok_or_else(|| DeviceError(format!("ubx: bad protver {value:?}")))?;
            }
            "qerr" => {
                let ns: f64 = value
                    .parse()
                    .map_err(|_| DeviceError(format!("ubx: bad qerr {value:?}")))?;
                dev.qerr_amp_ps = (ns * 1000.0) as i64;
            }
            _ => return Err(DeviceError(format!("ubx: unknown option {key:?}"))),
        }
    }
    Ok(Box::new(dev))
}

impl UbxDevice {
    /// An M8T at `baud`.
    pub fn new(baud: u32) -> UbxDevice {
        UbxDevice {
            protver: 1800,
            qerr_amp_ps: 20_000,
            baud,
            framer: UbxFramer::new(),
            configured: 0,
        }
    }

    /// The messages of one second, in order.
    pub fn messages(&self, epoch: &Epoch) -> Vec<Ubx> {
        let pulse = Timestamp::from_secs(epoch.named.secs() + 1);
        let g = GpsTime::from_utc(pulse, 0);
        let tp = TimTp {
            tow_ms: (g.tow_nanos / 1_000_000) as u32,
            tow_sub_ms: 0,
            qerr_ps: sawtooth_ps(pulse.secs(), self.qerr_amp_ps),
            week: g.week as u16,
            flags: if epoch.valid { 0x03 } else { 0x01 },
            ref_info: 0,
        };
        let gps = GpsTime::from_utc(epoch.named, epoch.gps_utc);
        let itow = (gps.tow_nanos / 1_000_000) as u32;
        let c = epoch.time;
        let utc = NavTimeUtc {
            itow,
            tacc: if epoch.valid { 20 } else { 0xffff_ffff },
            nano: 0,
            year: c.year as u16,
            month: c.month,
            day: c.day,
            hour: c.hour,
            min: c.minute,
            sec: c.second,
            valid: if epoch.valid { 0x07 } else { 0x03 },
        };
        let (ls_change, to_event) = match epoch.leap {
            LeapWarning::None => (0, 0),
            LeapWarning::Insert => (1, 0),
            LeapWarning::Delete => (-1, 0),
        };
        let to_event = if ls_change != 0 {
            super::rules::next_month(epoch.named).secs() - epoch.named.secs()
        } else {
            to_event
        };
        let ls = NavTimeLs {
            itow,
            version: 0,
            src_of_curr_ls: 1,
            curr_ls: epoch.gps_utc as i8,
            src_of_ls_change: if ls_change != 0 { 2 } else { 0 },
            ls_change,
            time_to_ls_event: to_event as i32,
            date_of_ls_gps_wn: 0,
            date_of_ls_gps_dn: 0,
            valid: if epoch.valid { 0x03 } else { 0 },
        };
        vec![Ubx::TimTp(tp), Ubx::NavTimeUtc(utc), Ubx::NavTimeLs(ls)]
    }

    /// The answer to one message the driver wrote.
    fn answer(&mut self, class: u8, id: u8, payload: &[u8]) -> Option<Ubx> {
        match (class, id) {
            codec::MON_VER if payload.is_empty() => {
                let mut extensions = vec!["FWVER=TIM 1.10".to_string()];
                if self.protver >= 1500 {
                    extensions.push(format!(
                        "PROTVER={}.{:02}",
                        self.protver / 100,
                        self.protver % 100
                    ));
                }
                Some(Ubx::MonVer(MonVer {
                    sw: "ROM CORE 3.01 (107888)".into(),
                    hw: "00080000".into(),
                    extensions,
                }))
            }
            codec::CFG_MSG => {
                let ok = self.protver < 3400;
                self.configured += u32::from(ok);
                Some(Ubx::Ack(ok, class, id))
            }
            codec::CFG_VALSET => {
                let ok = self.protver >= 2700;
                self.configured += u32::from(ok);
                Some(Ubx::Ack(ok, class, id))
            }
            (codec::CFG, _) => Some(Ubx::Ack(false, class, id)),
            _ => None,
        }
    }
}

impl DeviceModel for UbxDevice {
    fn describe(&self) -> String {
        format!(
            "u-blox timing receiver (UBX, protocol {}.{:02})",
            self.protver / 100,
            self.protver % 100
        )
    }

    fn baud(&self) -> u32 {
        self.baud
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        for (i, m) in self.messages(epoch).into_iter().enumerate() {
            let msg = Message::new(m.name(), m.encode()).with_checksum();
            // TIM-TP gives the driver's time of this second.
            out.push(if i == 0 { msg.naming(epoch) } else { msg });
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        _now: Timestamp,
        _timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let mut answers = Vec::new();
        let mut framer = std::mem::take(&mut self.framer);
        framer.feed(data, Timestamp::EPOCH, |f| {
            if f.is_complete() {
                if let Some(m) = UbxMessage::new(f.data) {
                    answers.push((m.class(), m.id(), m.payload().to_vec()));
                }
            }
        });
        self.framer = framer;
        for (class, id, payload) in answers {
            if let Some(a) = self.answer(class, id, &payload) {
                out.push(Message::new(a.name(), a.encode()).with_checksum());
            }
        }
    }

    /// Flips a payload bit: the checksum no longer matches.
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.bytes.len() <= 8 {
            return false;
        }
        message.bytes[6] ^= 0x01;
        true
    }

    fn reset(&mut self) {
        self.framer.reset();
        self.configured = 0;
    }

    /// Anything but the first sync byte 0xB5.
    fn garbage_allowed(&self, byte: u8) -> bool {
        byte != codec_sync()
    }
}

fn codec_sync() -> u8 {
    refclock_core::framing::UBX_SYNC[0]
}
