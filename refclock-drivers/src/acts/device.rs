//! The simulated far ends of the ACTS driver (feature `sim`): the time
//! services behind the simulated Hayes modem ([`crate::modem_sim`]), and a
//! Spectracom receiver on a direct cable.
//!
//! | option `service=` | what answers a call |
//! |-------------------|---------------------|
//! | `nist` (default)  | NIST ACTS: a banner (longer than ntpd's 128-byte buffer, in one write), then each second `MJD YY-MM-DD HH:MM:SS 00 L +.1 045.0 UTC(NIST) *`, its on-time marker sent [`DEFAULT_ADVANCE_MS`] before the second (NIST's assumed line delay) and arriving that much less the line delay (`line-delay=MS`, default 0) early; after [`LOOPBACK_ECHOES`] echoed markers the marker is `#` and the advance the measured line delay (`msADV` says it): it arrives at the second |
//! | `usno`            | USNO: `jjjjj nnn hhmmss UTC` then `*` on a line of its own at the second |
//! | `ptb`             | PTB (ITU-R TF.583, 78 characters, local time MEZ = UTC+1), its CR at the second; `#` after the loopback as NIST |
//! | `spectracom0`, `spectracom2` | a Spectracom receiver in continuous mode, format 0 or 2, its leading CR at the second |
//!
//! Every call plays the service from its start (banner, loopback). The
//! modem's own options ([`ModemOptions::apply`]: `calls=`, `busy=`,
//! `drop-after=`, ...) are taken too; `loopback=0` makes NIST and PTB
//! never measure the delay (markers stay `*`); `banner=0` leaves NIST's
//! banner out.
//!
//! A driver without phone numbers writes a lone `T` and expects a clock
//! on a direct cable: a `T` written while the modem is idle (no call, no
//! command being typed) turns the device into a Spectracom receiver in
//! continuous mode (format `direct-format=0|2`, default 2) until the
//! driver closes it.

use refclock_core::calendar::CivilTime;
use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Epoch, LeapWarning, Message, Timeline,
};
use refclock_core::Timestamp;

use super::codec::{mjd_of, Nist, Ptb, Usno, Wwvb0, Wwvb2};
use super::driver::SPEED;
use crate::modem_sim::{HayesModem, ModemOptions, Service};

/// NIST's advance of its `*` lines (ms): the line delay it assumes until
/// the loopback has measured it.
pub const DEFAULT_ADVANCE_MS: u32 = 45;

/// Echoed markers NIST and PTB hear before they send `#`.
pub const LOOPBACK_ECHOES: u32 = 3;

/// NIST's banner, sent after CONNECT.
pub const NIST_BANNER: &str = "\r\nNational Institute of Standards and Technology\r\n\
Telephone Time Service, Generator 3B\r\n\
Enter question mark \"?\" for HELP\r\n\
                         D  L D\r\n \
MJD  YR MO DA H  M  S  ST S UT1 msADV        <OTM>\r\n";

/// Which far end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// NIST ACTS.
    Nist,
    /// USNO.
    Usno,
    /// PTB / NPL.
    Ptb,
    /// A Spectracom receiver, format 0 or 2.
    Spectracom(u8),
}

/// A time service behind the modem (see the module documentation).
#[derive(Clone, Debug)]
pub struct TimeService {
    kind: Kind,
    loopback: bool,
    banner: bool,
    /// The one-way delay of the simulated telephone line (ms).
    line_delay_ms: u32,
    /// Markers echoed back this call.
    echoes: u32,
}

impl TimeService {
    /// A service of `kind`; `loopback`: it measures the delay from the
    /// echoes; `banner`: NIST sends its banner.
    pub fn new(kind: Kind, loopback: bool, banner: bool) -> TimeService {
        TimeService {
            kind,
            loopback,
            banner,
            line_delay_ms: 0,
            echoes: 0,
        }
    }

    /// The same over a line of `ms` one-way delay.
    pub fn with_line_delay(self, ms: u32) -> TimeService {
        TimeService {
            line_delay_ms: ms,
            ..self
        }
    }

    /// Markers echoed back so far this call.
    pub fn echoes(&self) -> u32 {
        self.echoes
    }

    fn otm(&self) -> u8 {
        if self.loopback && self.echoes >= LOOPBACK_ECHOES {
            b'#'
        } else {
            b'*'
        }
    }

    /// The message of `epoch` (without `naming`).
    pub fn message(&self, epoch: &Epoch) -> Message {
        let t = epoch.time;
        let leap = epoch.leap;
        match self.kind {
            Kind::Nist => {
                let otm = self.otm();
                let code = Nist {
                    mjd: mjd_of(epoch.named) - u32::from(t.second == 60),
                    time: t,
                    dst: 0,
                    leap: match leap {
                        LeapWarning::None => 0,
                        LeapWarning::Insert => 1,
                        LeapWarning::Delete => 2,
                    },
                    dut1: 1,
                    advance: 10
                        * if otm == b'#' {
                            self.line_delay_ms
                        } else {
                            DEFAULT_ADVANCE_MS
                        },
                    otm,
                };
                let mut bytes = code.encode();
                bytes.extend_from_slice(b"\r\n");
                let mut m = Message::line("NIST", bytes);
                m.on_time = 49;
                // Sent `advance` early, late by the line delay: a `#`
                // arrives at the second.
                if otm == b'*' {
                    let early = f64::from(DEFAULT_ADVANCE_MS) - f64::from(self.line_delay_ms);
                    m = m.due_at(epoch.named + (-early / 1000.0));
                }
                m
            }
            Kind::Usno => {
                let code = Usno {
                    mjd: mjd_of(epoch.named) - u32::from(t.second == 60),
                    yday: t.yday(),
                    hour: t.hour,
                    minute: t.minute,
                    second: t.second,
                };
                let mut bytes = code.encode();
                bytes.extend_from_slice(b"\r\n*\r\n");
                let mut m = Message::line("USNO", bytes);
                m.on_time = 22;
                m.end = 23;
                m
            }
            Kind::Ptb => {
                let mut bytes = ptb_code(epoch, self.otm()).encode();
                bytes.extend_from_slice(b"\r\n");
                let mut m = Message::line("PTB", bytes);
                m.on_time = 78;
                m
            }
            Kind::Spectracom(format) => spectracom(epoch, format),
        }
    }
}

/// The TF.583 line of `epoch` with marker `otm` (local time MEZ, UTC+1).
pub fn ptb_code(epoch: &Epoch, otm: u8) -> Ptb {
    let t = epoch.time;
    let base = epoch.named.secs() - i64::from(t.second == 60);
    let mut local = CivilTime::from_timestamp(Timestamp::from_secs(base + 3600));
    local.second = t.second;
    let days = base.div_euclid(86_400);
    let dow = (days + 3).rem_euclid(7) + 1; // 1970-01-01 was a Thursday
    let calendar = format!(
        "{dow}{:02}{:03}032602",
        local.yday().div_ceil(7),
        local.yday()
    );
    let (leap_dir, leap_month) = match epoch.leap {
        LeapWarning::None => (b'0', 0),
        LeapWarning::Insert => (b'+', t.month),
        LeapWarning::Delete => (b'-', t.month),
    };
    let mut text = [b' '; 14];
    text[0] = b'0';
    Ptb {
        local,
        hour_mark: b':',
        zone: *b"MEZ  ",
        calendar: calendar.as_bytes().try_into().unwrap_or([b'0'; 12]),
        utc: t,
        mjd: mjd_of(Timestamp::from_secs(base)),
        dut1: 1,
        leap_dir,
        leap_month,
        delay: *b"0500",
        text,
        otm,
    }
}

/// A Spectracom timecode of `epoch` in `format` (0 or 2): CR LF, the
/// line (and CR LF after it in format 0), the first CR on time.
pub fn spectracom(epoch: &Epoch, format: u8) -> Message {
    let t = epoch.time;
    let sync = if epoch.valid { b' ' } else { b'?' };
    let mut bytes = b"\r\n".to_vec();
    if format == 0 {
        let code = Wwvb0 {
            sync,
            yday: t.yday(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            dst: b'S',
            tz: 0,
        };
        bytes.extend_from_slice(&code.encode());
        bytes.extend_from_slice(b"\r\n");
    } else {
        let code = Wwvb2 {
            sync,
            quality: b'A',
            yy: t.year.rem_euclid(100) as u8,
            yday: t.yday(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            millis: 0,
            leap: if epoch.leap == LeapWarning::Insert {
                b'L'
            } else {
                b' '
            },
            dst: b'S',
        };
        bytes.extend_from_slice(&code.encode());
    }
    let mut m = Message::new("SPECTRACOM", bytes);
    m.on_time = 0;
    if format == 0 {
        m.end = m.bytes.len() - 2; // the CR after the line
    }
    m
}

impl Service for TimeService {
    fn describe(&self) -> String {
        match self.kind {
            Kind::Nist => "NIST ACTS".into(),
            Kind::Usno => "USNO".into(),
            Kind::Ptb => "PTB".into(),
            Kind::Spectracom(f) => format!("a Spectracom receiver (format {f})"),
        }
    }

    fn answered(&mut self, _at: Timestamp, _timeline: &dyn Timeline, out: &mut Vec<Message>) {
        self.echoes = 0;
        if self.kind == Kind::Nist && self.banner {
            out.push(Message::new("BANNER", NIST_BANNER.as_bytes().to_vec()));
        }
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        out.push(self.message(epoch).naming(epoch));
    }

    fn input(&mut self, data: &[u8], _now: Timestamp, _t: &dyn Timeline, _o: &mut Vec<Message>) {
        self.echoes += data.iter().filter(|&&b| b == b'*' || b == b'#').count() as u32;
    }

    /// Breaks a digit of a timecode (its second's tens, or the MJD), so
    /// that the line still has its length but not a valid date or time.
    fn corrupt(&self, message: &mut Message) -> bool {
        let at = match message.kind {
            "NIST" => 21,
            "USNO" => 0,
            "PTB" => 49,
            "SPECTRACOM" if message.bytes.len() > 14 => 14, // the minute
            _ => return false,
        };
        message.bytes[at] = b'9';
        message.bytes[at + 1] = b'9';
        true
    }
}

/// The ACTS driver's simulated device: a modem, or a Spectracom on a
/// direct cable once a lone `T` comes (see the module documentation).
pub struct ActsDevice {
    modem: HayesModem<TimeService>,
    direct_format: u8,
    direct: bool,
}

/// Builds the device for `setup` (the registry's device constructor).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    Ok(Box::new(ActsDevice::from_setup(setup)?))
}

impl ActsDevice {
    /// The device `setup`'s options describe.
    pub fn from_setup(setup: &DeviceSetup) -> Result<ActsDevice, DeviceError> {
        let mut modem = ModemOptions {
            baud: SPEED,
            ..ModemOptions::default()
        };
        let (mut kind, mut loopback, mut banner, mut direct_format) = (Kind::Nist, true, true, 2);
        let mut line_delay = 0;
        for (key, value) in &setup.options {
            if modem.apply(key, value)? {
                continue;
            }
            let flag = || value != "0";
            match key.as_str() {
                "service" => {
                    kind = match value.as_str() {
                        "nist" => Kind::Nist,
                        "usno" => Kind::Usno,
                        "ptb" => Kind::Ptb,
                        "spectracom0" => Kind::Spectracom(0),
                        "spectracom2" => Kind::Spectracom(2),
                        _ => {
                            return Err(DeviceError(format!(
                                "modem: service={value:?}: expected nist, usno, ptb, \
                                 spectracom0 or spectracom2"
                            )))
                        }
                    }
                }
                "loopback" => loopback = flag(),
                "line-delay" => {
                    line_delay = value
                        .parse()
                        .ok()
                        .filter(|&ms: &u32| ms < 500)
                        .ok_or_else(|| DeviceError("modem: line-delay is 0-499 (ms)".into()))?
                }
                "banner" => banner = flag(),
                "direct-format" => {
                    direct_format = match value.as_str() {
                        "0" => 0,
                        "2" => 2,
                        _ => return Err(DeviceError("modem: direct-format is 0 or 2".into())),
                    }
                }
                other => {
                    return Err(DeviceError(format!(
                        "modem: unknown option {other:?} (service, loopback, line-delay, banner, \
                         direct-format, and the modem's: echo, connect-delay, connect, \
                         calls, busy, unreachable, drop-after, baud)"
                    )))
                }
            }
        }
        Ok(ActsDevice {
            modem: HayesModem::new(
                TimeService::new(kind, loopback, banner).with_line_delay(line_delay),
                modem,
            ),
            direct_format,
            direct: false,
        })
    }

    /// The modem.
    pub fn modem(&self) -> &HayesModem<TimeService> {
        &self.modem
    }

    /// Whether it plays a Spectracom on a direct cable now.
    pub fn is_direct(&self) -> bool {
        self.direct
    }
}

impl DeviceModel for ActsDevice {
    fn describe(&self) -> String {
        self.modem.describe()
    }

    fn baud(&self) -> u32 {
        self.modem.baud()
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        if self.direct {
            out.push(spectracom(epoch, self.direct_format).naming(epoch));
        } else {
            self.modem.second(epoch, out);
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        if self.direct {
            return;
        }
        if data.first() == Some(&b'T') && self.modem.idle() {
            self.direct = true;
            return;
        }
        self.modem.input(data, now, timeline, out);
    }

    fn corrupt(&self, message: &mut Message) -> bool {
        match message.kind {
            "SPECTRACOM" if self.direct => {
                TimeService::new(Kind::Spectracom(self.direct_format), false, false)
                    .corrupt(message)
            }
            _ => self.modem.corrupt(message),
        }
    }

    fn reset(&mut self) {
        self.direct = false;
        self.modem.reset();
    }

    fn garbage_allowed(&self, byte: u8) -> bool {
        // No on-time marker in garbage.
        let c = byte & 0x7f;
        (0x20..0x7f).contains(&c) && c != b'*' && c != b'#'
    }

    fn sees_close(&self) -> bool {
        true
    }

    fn line_closed(&mut self, now: Timestamp) {
        self.direct = false;
        self.modem.line_closed(now);
    }
}
