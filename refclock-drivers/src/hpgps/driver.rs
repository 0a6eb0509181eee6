//! The HP driver's logic: ntpd 4.2.8p18's `hpgps_start`, `hpgps_receive`
//! and `hpgps_poll` on top of refclock-core.

use refclock_core::clock::DecodedFields;
use refclock_core::driver::Silence;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{
    decode_reply, prompt_reports_error, split_prompt, LeapFlag, Reply, TimeZone, Timecode,
    CLEAR_STATUS, START_QUERY, STATUS_SCREEN_LINES, STATUS_SCREEN_QUERY, TIMECODE_QUERY,
    ZONE_QUERY,
};

/// Static facts about the driver (ntpd type 26).
pub const INFO: DriverInfo = DriverInfo {
    kind: 26,
    ntpd_name: "GPS_HP",
    name: "hpgps",
    description: "HP 58503A GPS Time & Frequency Receiver",
    refid: *b"GPS\0",
};

/// The precision the driver claims (`PRECISION`, about 1 ms).
pub const PRECISION: i8 = -10;

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/hpgps%d";

/// Size of ntpd's status screen buffer (`SMAX`): a line of the screen is
/// kept while the lines kept so far fit in it, each with a newline, and a
/// terminating NUL.
pub const SCREEN_MAX: usize = 23 * 80 + 1;

/// Polls without an answer before each further poll reports a timeout
/// (ntpd's `pollcnt`, reset to this by every line heard).
pub const POLLS_BEFORE_TIMEOUT: u8 = 2;

/// The receiver the mode selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// HP 58503A (mode 0, and any mode but 1): 9600 baud, 8N1.
    Hp58503A,
    /// HP Z3801A (mode 1): 19200 baud, 7 data bits, odd parity.
    Z3801A,
}

impl Receiver {
    /// The receiver for a `mode` value: 1 is the Z3801A, anything else the
    /// 58503A, as ntpd has it.
    pub fn from_mode(mode: u32) -> Receiver {
        if mode == 1 {
            Receiver::Z3801A
        } else {
            Receiver::Hp58503A
        }
    }

    /// Its line settings, canonical input (ntpd's LDISC_CLK).
    pub fn serial_config(self) -> SerialConfig {
        match self {
            Receiver::Hp58503A => SerialConfig::canonical_8n1(9600),
            Receiver::Z3801A => SerialConfig::canonical_8n1(19_200).seven_odd(),
        }
    }

    /// Its name (`HP 58503A`).
    pub fn name(self) -> &'static str {
        match self {
            Receiver::Hp58503A => "HP 58503A",
            Receiver::Z3801A => "HP Z3801A",
        }
    }
}

/// The dialogue state (`struct hpgpsunit`).
#[derive(Debug)]
struct Unit {
    receiver: Receiver,
    /// Polls a silent receiver may pass before it is reported (`pollcnt`).
    silence: Silence,
    /// The last good `:PTIME:TZONE?` answer (`tzhour`, `tzminute`).
    zone: TimeZone,
    /// A good time zone answer came since the port opened.
    zone_known: bool,
    /// A timecode was refused for want of the zone: until the zone is
    /// known, each poll asks for it again.
    zone_wanted: bool,
    /// Lines still expected that are logged only (`linecnt`).
    linecnt: u16,
    /// The identification or status screen being collected (`statscrn`),
    /// one line each.
    screen: Vec<String>,
    /// Bytes `screen` would take in ntpd's buffer (a newline each).
    screen_len: usize,
    /// The filter ran since the last poll.
    filtered: bool,
    open: bool,
}

/// The HP 58503A / Z3801A driver (ntpd type 26, `GPS_HP`).
///
/// Feed it the receiver's bytes through a [`Clock`](refclock_core::Clock)
/// and tell it when its port opens; it writes the SCPI queries, decodes
/// the answers, and turns each good timecode into one raw sample (offset
/// = named second − receive time of the timecode's CR + `time1`). See the
/// module documentation for the dialogue and what `time1` must be.
#[derive(Debug)]
pub struct HpgpsDriver {
    framer: LineFramer,
    unit: Unit,
}

impl HpgpsDriver {
    /// The receiver the mode selected.
    pub fn receiver(&self) -> Receiver {
        self.unit.receiver
    }

    /// The time zone in use: the receiver's last good answer, UTC before
    /// it.
    pub fn time_zone(&self) -> TimeZone {
        self.unit.zone
    }

    /// Whether the receiver has answered the time zone query since its
    /// port opened: until it has, timecodes give no sample, and once one
    /// was refused each poll asks again.
    pub fn time_zone_known(&self) -> bool {
        self.unit.zone_known
    }

    /// Lines still expected of an identification or status screen; while
    /// non-zero, lines are logged and not decoded.
    pub fn screen_lines_expected(&self) -> u16 {
        self.unit.linecnt
    }

    /// Polls left before a silent receiver is reported ([`ClockEvent::Timeout`]
    /// at every poll once this is 0).
    pub fn polls_left(&self) -> u8 {
        self.unit.silence.left()
    }
}

impl Unit {
    /// Writes to the receiver, or reports a fault when its port is not
    /// open (ntpd reports `CEVNT_FAULT` when `refclock_write` fails).
    fn write(&mut self, ctx: &mut Context<'_>, data: &[u8]) -> bool {
        if self.open {
            ctx.write(PortId::MAIN, data);
        } else {
            ctx.report(ClockEvent::Fault);
        }
        self.open
    }

    /// One line from the receiver (`hpgps_receive`).
    fn line(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        if text.is_empty() {
            return;
        }
        ctx.clock.save_timecode(text);
        let shown = String::from_utf8_lossy(text).into_owned();
        if self.linecnt > 0 {
            self.linecnt -= 1;
            if self.screen_len + shown.len() + 2 <= SCREEN_MAX {
                self.screen_len += shown.len() + 1;
                self.screen.push(shown);
            }
            if self.linecnt == 0 {
                // One record a line: clockstats stays a record a line
                // (ntpd writes the lines as one record, a newline before
                // each).
                for line in std::mem::take(&mut self.screen) {
                    ctx.clockstats(line);
                }
                self.screen_len = 0;
            }
            return;
        }
        ctx.clockstats(shown);
        self.screen.clear();
        self.screen_len = 0;
        self.silence.heard();

        let (prompt, reply) = split_prompt(text);
        if prompt_reports_error(prompt) {
            ctx.log(format!(
                "hpgps: error indicated in prompt: {}",
                String::from_utf8_lossy(prompt)
            ));
            self.write(ctx, CLEAR_STATUS);
        }
        match decode_reply(reply) {
            Ok(Reply::TimeZone(zone)) => {
                self.zone = zone;
                self.zone_known = true;
            }
            Ok(Reply::Timecode(code)) => self.timecode(ctx, &code, rectime),
            Err(e) => {
                ctx.log(format!("hpgps: {e}"));
                ctx.report(e.event());
            }
        }
    }

    /// A timecode that decoded: fields, leap, sample, filter, and the
    /// status screen with flag4.
    fn timecode(&mut self, ctx: &mut Context<'_>, code: &Timecode, rectime: Timestamp) {
        if !self.zone_known {
            // Its local time cannot be told from UTC yet: a receiver on
            // local time whose zone answer was lost would read hours off.
            ctx.log("hpgps: no time zone from the receiver yet; timecode not used");
            self.zone_wanted = true;
            return;
        }
        let utc = code.utc(self.zone);
        ctx.clock.fields = DecodedFields {
            year: utc.year,
            day: utc.yday(),
            hour: utc.hour,
            minute: utc.minute,
            second: utc.second,
            nsec: 0,
        };
        // Leap warnings count only in June and December (ntp bug 1090):
        // the months a leap second may end; here the UTC month.
        let leap_month = utc.month == 6 || utc.month == 12;
        let leap = if !code.in_sync() {
            Leap::NotInSync
        } else {
            match code.leap {
                LeapFlag::Insert if leap_month => Leap::AddSecond,
                LeapFlag::Delete if leap_month => Leap::DelSecond,
                LeapFlag::None | LeapFlag::Insert | LeapFlag::Delete => Leap::NoWarning,
                LeapFlag::Other(c) => {
                    ctx.clock.leap = Leap::NoWarning;
                    ctx.log(format!(
                        "hpgps: unrecognized leap indicator {:?}",
                        char::from(c)
                    ));
                    ctx.report(ClockEvent::BadTime);
                    return;
                }
            }
        };
        ctx.clock.leap = leap;
        // `refclock_process`: reference time from the fields around the
        // receive time, plus time1. It reports a bad time on failure.
        if ctx.process(rectime).is_err() {
            return;
        }
        // ntpd uses the receive time as the reference time too.
        ctx.clock.lastref = ctx.clock.lastrec;
        // ntpd filters after each timecode; here after the first of each
        // poll interval (the same while the receiver answers only what is
        // asked), so that a chatty line cannot run the filter at will.
        if !self.filtered {
            self.filtered = ctx.receive().is_some();
        }
        if ctx.fudge().flag(ClockFlags::FLAG4) {
            self.linecnt = STATUS_SCREEN_LINES;
            self.write(ctx, STATUS_SCREEN_QUERY);
        }
    }
}

impl Driver for HpgpsDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let mode = config.fudge.mode;
        let receiver = Receiver::from_mode(mode);
        if mode > 1 {
            ctx.log(format!(
                "hpgps: mode {mode} is not 0 or 1; taken as 0 ({}), as ntpd does",
                receiver.name()
            ));
        }
        let port = PortSpec::serial(config.device_or(DEVICE), receiver.serial_config());
        let driver = HpgpsDriver {
            framer: LineFramer::new(),
            unit: Unit {
                receiver,
                silence: Silence::new(POLLS_BEFORE_TIMEOUT),
                zone: TimeZone::UTC,
                zone_known: false,
                zone_wanted: false,
                linecnt: 0,
                screen: Vec::new(),
                screen_len: 0,
                filtered: false,
                open: false,
            },
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        let HpgpsDriver { framer, unit } = self;
        // The line ends at its CR: the receive time is that of the read
        // that held it (in canonical mode, the line's only read).
        framer.feed(data, rectime, |line| unit.line(ctx, line.data, line.last));
    }

    /// `hpgps_poll`: count down or report a timeout, then ask for a
    /// timecode (and for the time zone first once a timecode had to be
    /// refused for want of it, until it is known: its answer was lost). The
    /// filter runs after a timecode, not here.
    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        let unit = &mut self.unit;
        unit.filtered = false;
        unit.silence.poll(ctx);
        if unit.open && !unit.zone_known && unit.zone_wanted {
            ctx.write(PortId::MAIN, ZONE_QUERY);
        }
        if unit.write(ctx, TIMECODE_QUERY) {
            ctx.clock.counters.polls += 1;
        }
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        let unit = &mut self.unit;
        match event {
            PortEvent::Opened => {
                // What ntpd does once at start, here at every opening, so
                // that a receiver that came back is asked again.
                unit.open = true;
                self.framer.reset();
                unit.screen.clear();
                unit.screen_len = 0;
                unit.zone_known = false;
                unit.zone_wanted = false;
                unit.linecnt = 1;
                unit.write(ctx, START_QUERY);
            }
            PortEvent::Closed(_) => {
                unit.open = false;
                self.framer.reset();
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("hpgps: write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }
}
