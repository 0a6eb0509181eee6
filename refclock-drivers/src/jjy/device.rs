//! The simulated JJY receivers (feature `sim`), one per mode, each
//! stating JST:
//!
//! | mode | receiver | what it does |
//! |---|---|---|
//! | 1 | TS-JJY01 | answers `dcst` (`valid`/`invalid`), `stus` (`adjusted`/`unadjusted`), `time` and `date` at once, `stim` at the next whole second (first byte on time) |
//! | 2 | JST2000 | answers `ENQ 1 J ETX` at the next whole second, its ETX on time, tenths `0` |
//! | 3 | LT-2000 | after `C`, each second a SUB at the second and half a second later the line naming the next second; `#` stops it |
//! | 4 | JJY-200 | a line every second, first byte on time (`'NG` while not in sync) |
//! | 5 | TS-GPSclock-01 | answers `stus` (`*G`/`*R`) and `date` at once, `time` at the next whole second |
//! | 100–180 | telephone JJY | a Hayes modem ([`crate::modem_sim`], 2400 baud, its options accepted) with the service of `tel_device` behind it |
//! | 6 | TDC-300 | every second STX `YYMMDDWHHMMSS` ETX STX 0xE5 ETX, the 0xE5 on time (type 3; option `format=1` or `format=2` for types 1 and 2, their ETX on time); nothing while not in sync |
//!
//! Scenarios: a corrupted message has its first digit replaced by `?`
//! (no layout allows one there). The TS-GPSclock-01's `time` answered at
//! the next whole second is an assumption: ntpd's driver takes its
//! milliseconds as 0.

use refclock_core::calendar::CivilTime;
use refclock_core::framing::{ETX, STX};
use refclock_core::sim::{DeviceError, DeviceModel, DeviceSetup, Epoch, Message, Timeline};
use refclock_core::Timestamp;

use super::codec::{
    encode_gps01_date, encode_hms, encode_jjy01_date, encode_jjy200, encode_jst2000, encode_lt2000,
    encode_tdc300, Jjy200Status, Jst, Tdc300,
};
use super::driver::Receiver;
use super::tel_device::TelJjyService;
use crate::modem_sim::{HayesModem, ModemOptions};

/// The least time between a command and the second that answers it.
pub const MIN_LEAD_NS: i128 = 20_000_000;

/// Builds the simulated receiver of `setup`'s mode.
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    let receiver = Receiver::from_mode(setup.fudge.mode).ok_or_else(|| {
        DeviceError(format!(
            "jjy: no simulated receiver for mode {} (0-6, 100-180)",
            setup.fudge.mode
        ))
    })?;
    if receiver == Receiver::Telephone {
        // An AT modem at 2400 baud with the service behind it; the
        // modem's options pass through.
        let mut options = ModemOptions {
            baud: 2400,
            ..ModemOptions::default()
        };
        for (key, value) in &setup.options {
            if !options.apply(key, value)? {
                return Err(DeviceError(format!(
                    "jjy: unknown modem option {key}={value}"
                )));
            }
        }
        return Ok(Box::new(HayesModem::new(TelJjyService::new(), options)));
    }
    let mut format = 3;
    for (key, value) in &setup.options {
        match (key.as_str(), value.as_str()) {
            ("format", "1") if receiver == Receiver::SeikoTdc300 => format = 1,
            ("format", "2") if receiver == Receiver::SeikoTdc300 => format = 2,
            ("format", "3") if receiver == Receiver::SeikoTdc300 => format = 3,
            _ => {
                return Err(DeviceError(format!(
                    "jjy: unknown option {key}={value} (mode 6 takes format=1, 2 or 3)"
                )))
            }
        }
    }
    Ok(Box::new(JjySim::new(receiver, format)))
}

/// A simulated JJY receiver (see the module documentation).
#[derive(Clone, Debug)]
pub struct JjySim {
    receiver: Receiver,
    /// TDC-300 output type (1, 2, 3).
    format: u8,
    /// A command being received.
    pending: Vec<u8>,
    /// LT-2000 in continuous mode.
    continuous: bool,
}

impl JjySim {
    /// The receiver, TDC-300 output type `format`.
    pub fn new(receiver: Receiver, format: u8) -> JjySim {
        JjySim {
            receiver,
            format,
            pending: Vec::new(),
            continuous: false,
        }
    }

    /// The first whole second at least [`MIN_LEAD_NS`] + `before_ns` after
    /// `now`.
    fn next_second(now: Timestamp, before_ns: i128) -> i64 {
        let t = Timestamp::from_nanos(now.as_nanos() + MIN_LEAD_NS + before_ns);
        t.secs() + i64::from(t.subsec_nanos() > 0)
    }

    /// A line answering at second `second`, first byte on time.
    fn timed_line(kind: &'static str, epoch: &Epoch, text: Vec<u8>) -> Message {
        let mut bytes = text;
        bytes.extend_from_slice(b"\r\n");
        Message::line(kind, bytes)
            .naming(epoch)
            .due_at(epoch_second(epoch))
    }

    fn command(
        &mut self,
        cmd: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let here = timeline.epoch(now.secs());
        let jst = Jst::from_utc(&here.time);
        let gps = self.receiver == Receiver::TristateGps01;
        let line = |kind, mut text: Vec<u8>| {
            text.extend_from_slice(b"\r\n");
            Message::line(kind, text)
        };
        let answer = match cmd {
            b"dcst" if !gps => line(
                "DCST",
                if here.valid {
                    b"valid".to_vec()
                } else {
                    b"invalid".to_vec()
                },
            ),
            b"stus" if gps => line(
                "STUS",
                if here.valid {
                    b"*G".to_vec()
                } else {
                    b"*R".to_vec()
                },
            ),
            b"stus" => line(
                "STUS",
                if here.valid {
                    b"adjusted".to_vec()
                } else {
                    b"unadjusted".to_vec()
                },
            ),
            b"date" => line(
                "DATE",
                if gps {
                    encode_gps01_date(&jst)
                } else {
                    encode_jjy01_date(&jst)
                },
            ),
            b"time" if !gps => line("TIME", encode_hms(&jst)),
            b"time" | b"stim" => {
                let epoch = timeline.epoch(Self::next_second(now, 0));
                let jst = Jst::from_utc(&epoch.time);
                Self::timed_line(if gps { "TIME" } else { "STIM" }, &epoch, encode_hms(&jst))
            }
            _ => return,
        };
        out.push(answer);
    }

    /// A frame STX `text` ETX.
    fn frame(text: &[u8]) -> Vec<u8> {
        let mut v = vec![STX];
        v.extend_from_slice(text);
        v.push(ETX);
        v
    }
}

/// The system time of the second an epoch names (leap seconds aside).
fn epoch_second(epoch: &Epoch) -> Timestamp {
    Timestamp::from_secs(epoch.named.secs())
}

impl DeviceModel for JjySim {
    fn describe(&self) -> String {
        self.receiver.name().to_string()
    }

    fn baud(&self) -> u32 {
        self.receiver.serial_config().baud
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let jst = Jst::from_utc(&epoch.time);
        match self.receiver {
            Receiver::CitizenJjy200 => {
                let status = if epoch.valid {
                    Jjy200Status::Ok
                } else {
                    Jjy200Status::Ng
                };
                let mut bytes = encode_jjy200(status, &jst);
                bytes.push(b'\r');
                out.push(Message::line("JJY200", bytes).naming(epoch));
            }
            Receiver::SeikoTdc300 if epoch.valid => {
                let mut m = match self.format {
                    1 => {
                        let b = Self::frame(&encode_tdc300(&Tdc300::Time(
                            jst.hour, jst.minute, jst.second,
                        )));
                        let mut m = Message::new("TYPE1", b);
                        m.on_time = m.end;
                        m
                    }
                    2 => {
                        let b = Self::frame(&encode_tdc300(&Tdc300::Full(jst, *b"0000")));
                        let mut m = Message::new("TYPE2", b);
                        m.on_time = m.end;
                        m
                    }
                    _ => {
                        let mut b = Self::frame(&encode_tdc300(&Tdc300::Announce(jst)));
                        b.extend_from_slice(&Self::frame(&encode_tdc300(&Tdc300::Second)));
                        let mut m = Message::new("TYPE3", b);
                        m.on_time = m.end - 1;
                        m
                    }
                };
                m = m.naming(epoch);
                if self.format != 3 {
                    m = m.due_at(epoch_second(epoch));
                }
                out.push(m);
            }
            Receiver::EchoLt2000 if self.continuous => {
                out.push(Message::new("SUB", vec![0x1a]));
                // The line for the next second, half a second before it.
                let next_t =
                    CivilTime::from_timestamp(Timestamp::from_secs(epoch.named.secs() + 1));
                let mut next = Epoch::new(next_t);
                next.valid = epoch.valid;
                let mut bytes = encode_lt2000(&Jst::from_utc(&next.time), *b"0000");
                bytes.push(b'\r');
                out.push(
                    Message::line("LT2000", bytes)
                        .naming(&next)
                        .due_at(Timestamp::new(epoch.named.secs(), 500_000_000)),
                );
            }
            _ => {}
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        for &b in data {
            match self.receiver {
                Receiver::TristateJjy01 | Receiver::TristateGps01 => match b {
                    b'\r' | b'\n' => {
                        if !self.pending.is_empty() {
                            let cmd = std::mem::take(&mut self.pending);
                            self.command(&cmd, now, timeline, out);
                        }
                    }
                    c => {
                        if self.pending.len() < 64 {
                            self.pending.push(c);
                        }
                    }
                },
                Receiver::CdexJst2000 => match b {
                    0x05 => self.pending = vec![0x05],
                    ETX => {
                        if self.pending == b"\x051J" {
                            let answer_len = 17;
                            let before =
                                answer_len as i128 * 10_000_000_000 / i128::from(self.baud());
                            let epoch = timeline.epoch(Self::next_second(now, before));
                            let jst = Jst::from_utc(&epoch.time);
                            let mut m = Message::new("JST2000", Self::frame(&encode_jst2000(&jst)));
                            m.on_time = m.end;
                            out.push(m.naming(&epoch).due_at(epoch_second(&epoch)));
                        }
                        self.pending.clear();
                    }
                    c => {
                        if !self.pending.is_empty() && self.pending.len() < 8 {
                            self.pending.push(c);
                        }
                    }
                },
                Receiver::EchoLt2000 => match b {
                    b'C' => self.continuous = true,
                    b'#' => self.continuous = false,
                    _ => {}
                },
                _ => {}
            }
        }
    }

    /// Replaces the first digit by `?`.
    fn corrupt(&self, message: &mut Message) -> bool {
        match message.bytes.iter_mut().find(|b| b.is_ascii_digit()) {
            Some(b) => {
                *b = b'?';
                message.corrupt = true;
                true
            }
            None => false,
        }
    }

    fn reset(&mut self) {
        self.pending.clear();
        self.continuous = false;
    }
}
