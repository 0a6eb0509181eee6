//! The simulated HP 58503A / Z3801A (feature `sim`): a SCPI responder.
//!
//! It sends nothing on its own. Each command the driver writes (ended by
//! CR; LF is ignored) is answered, and every answer ends with the prompt,
//! without a line end; the answer and its prompt are one [`Message`]
//! (the device writes them in one go), so that each answer counts once
//! in the `badsum` scenario and garbage lands after the prompt, where
//! line noise on an idle line would:
//!
//! | command           | answer                                        |
//! |-------------------|-----------------------------------------------|
//! | `*IDN?`           | `HEWLETT-PACKARD,58503A,...` CR LF, prompt    |
//! | `:PTIME:TZONE?`   | `+0,+0` CR LF (its zone), prompt              |
//! | `:PTIME:TCODE?`   | `T2...cc` CR LF, prompt; timed: its `T` 980 ms before the second it names |
//! | `:SYSTEM:PRINT?`  | the 22-line status screen, each CR LF; prompt |
//! | `*CLS`            | clears the error queue; prompt                |
//! | empty line        | prompt                                        |
//! | anything else     | error -113 queued; prompt                     |
//!
//! The prompt is `scpi > `, or `E-113> ` while the error queue holds an
//! error. Headers match SCPI's way: any case, long or short form
//! (`:PTIM:TCOD?`), the leading colon optional.
//!
//! The timecode goes out at the first on-time point (980 ms before a
//! whole second) at least [`MIN_LEAD_NS`] after the query arrived and
//! after everything the device had to send before it has left at the
//! serial speed: its `T` is always on time, never late behind a long
//! answer (the status screen takes 1.8 s at 9600 baud). Other answers are
//! not timed: the simulator writes them as soon as the line is free, even
//! while a timecode waits for its on-time point (a real HP answers in
//! order; the driver cannot tell the difference).
//!
//! For the scenarios: a timecode is spoilt by breaking its checksum
//! ([`DeviceModel::corrupt`]); other answers cannot be. Garbage may be
//! any printable character but `>`, which would end a prompt: garbage
//! after an answer's prompt prefixes the next answer, which the driver
//! then refuses.
//!
//! Options (`DeviceSetup::options`): `tz=H,M`, the receiver's time zone
//! (local time = UTC + H hours + M minutes; signs optional; default
//! `+0,+0`). It is not range-checked, so that the driver's check can be
//! exercised. The mode picks the receiver as the driver does (1: Z3801A at
//! 19200 baud, otherwise 58503A at 9600).

use std::collections::VecDeque;

use refclock_core::sim::{
    DeviceError, DeviceModel, DeviceSetup, Due, Epoch, LeapWarning, Message, Timeline,
};
use refclock_core::Timestamp;

use super::codec::{error_prompt, parse_zone, LeapFlag, TimeZone, Timecode, PROMPT};
use super::driver::Receiver;

/// SCPI's "Undefined header" error.
pub const UNDEFINED_HEADER: i16 = -113;

/// How long before the second it names the timecode's `T` is sent.
pub const ON_TIME_LEAD_NS: u32 = 980_000_000;

/// The least time between the CR of a timecode query and the on-time
/// point that answers it (the receiver must parse the query first).
pub const MIN_LEAD_NS: i128 = 10_000_000;

/// Builds the simulated HP for `setup` (the registry's device constructor).
pub fn new(setup: &DeviceSetup) -> Result<Box<dyn DeviceModel>, DeviceError> {
    Ok(Box::new(SimulatedHp::from_setup(setup)?))
}

/// The simulated receiver (see the module documentation).
#[derive(Debug, Clone)]
pub struct SimulatedHp {
    receiver: Receiver,
    zone: TimeZone,
    /// A command being received (up to its CR).
    pending: Vec<u8>,
    /// The SCPI error queue, oldest first.
    errors: VecDeque<i16>,
    /// When everything queued so far has left at the serial speed.
    busy_until: Timestamp,
}

impl SimulatedHp {
    /// A receiver of the given kind in time zone `zone`.
    pub fn new(receiver: Receiver, zone: TimeZone) -> SimulatedHp {
        SimulatedHp {
            receiver,
            zone,
            pending: Vec::new(),
            errors: VecDeque::new(),
            busy_until: Timestamp::EPOCH,
        }
    }

    /// The receiver `setup` describes (its mode and the `tz` option).
    pub fn from_setup(setup: &DeviceSetup) -> Result<SimulatedHp, DeviceError> {
        let mut zone = TimeZone::UTC;
        for (key, value) in &setup.options {
            match key.as_str() {
                "tz" => zone = parse_tz_option(value)?,
                other => {
                    return Err(DeviceError(format!(
                        "hpgps: unknown option {other:?} (the HP takes tz=H,M)"
                    )))
                }
            }
        }
        Ok(SimulatedHp::new(
            Receiver::from_mode(setup.fudge.mode),
            zone,
        ))
    }

    /// Its time zone.
    pub fn zone(&self) -> TimeZone {
        self.zone
    }

    /// The identification it answers to `*IDN?`.
    pub fn identification(&self) -> &'static str {
        match self.receiver {
            Receiver::Hp58503A => "HEWLETT-PACKARD,58503A,3626A01234,3704-C",
            Receiver::Z3801A => "HEWLETT-PACKARD,Z3801A,3542A01234,3543",
        }
    }

    /// The prompt as it would be sent now.
    pub fn prompt(&self) -> Vec<u8> {
        match self.errors.front() {
            Some(&code) => error_prompt(code),
            None => PROMPT.to_vec(),
        }
    }

    /// The timecode answering a query at `now`, without its prompt: it
    /// names the first second whose on-time point (980 ms before it) is
    /// not before `now`, and is due at that point.
    pub fn timecode_at(&self, now: Timestamp, timeline: &dyn Timeline) -> Message {
        let lead = Timestamp::from_nanos(now.as_nanos() + i128::from(ON_TIME_LEAD_NS));
        let second = lead.secs() + i64::from(lead.subsec_nanos() > 0);
        let epoch = timeline.epoch(second);
        let due = Timestamp::new(second - 1, 1_000_000_000 - ON_TIME_LEAD_NS);
        let mut bytes = self.encode(&epoch);
        bytes.extend_from_slice(b"\r\n");
        Message::line("TCODE", bytes)
            .naming(&epoch)
            .with_checksum()
            .due_at(due)
    }

    /// The 23 characters of the timecode of `epoch` in this receiver's
    /// zone: figures of merit 3 and 0 and `V` = 0 while the epoch is
    /// valid, 9, 3 and 1 when it is not.
    pub fn encode(&self, epoch: &Epoch) -> Vec<u8> {
        let mut code = Timecode::new(self.zone.to_local(epoch.time));
        code.leap = match epoch.leap {
            LeapWarning::None => LeapFlag::None,
            LeapWarning::Insert => LeapFlag::Insert,
            LeapWarning::Delete => LeapFlag::Delete,
        };
        if !epoch.valid {
            code.time_figure = b'9';
            code.freq_figure = b'3';
            code.sync = b'1';
        }
        code.encode()
    }

    /// Nanoseconds a character takes on the line (10 bits: 8N1 or 7O1).
    fn char_ns(&self) -> i128 {
        10_000_000_000 / i128::from(self.baud().max(1))
    }

    /// Queues `message` and notes how long the line is busy with it.
    fn queue(&mut self, message: Message, now: Timestamp, out: &mut Vec<Message>) {
        let start = match message.due {
            Due::At(t) => t,
            Due::Next => now.max(self.busy_until),
        };
        let busy =
            Timestamp::from_nanos(start.as_nanos() + message.bytes.len() as i128 * self.char_ns());
        self.busy_until = self.busy_until.max(busy);
        out.push(message);
    }

    /// Queues `message` with the prompt appended (a bare prompt when it
    /// is empty): the message still ends at its line end, a bare prompt
    /// at its last byte.
    fn answer(&mut self, mut message: Message, now: Timestamp, out: &mut Vec<Message>) {
        let line_end = message.bytes.iter().position(|&b| b == b'\r' || b == b'\n');
        message.bytes.extend_from_slice(&self.prompt());
        message.end = line_end.unwrap_or(message.bytes.len() - 1);
        self.queue(message, now, out);
    }

    /// One command line, without its CR.
    fn command(
        &mut self,
        line: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let text = String::from_utf8_lossy(line);
        let text = text.trim();
        let message = if header_is(text, "*IDN?") {
            Message::line("IDN", format!("{}\r\n", self.identification()))
        } else if header_is(text, ":PTIMe:TZONe?") {
            Message::line("TZONE", format!("{}\r\n", self.zone.encode()))
        } else if header_is(text, ":PTIMe:TCODe?") {
            let earliest = Timestamp::from_nanos(now.max(self.busy_until).as_nanos() + MIN_LEAD_NS);
            self.timecode_at(earliest, timeline)
        } else if header_is(text, ":SYSTem:PRINt?") {
            let epoch = timeline.epoch(now.secs());
            let mut lines = status_screen(&epoch);
            let last = lines.pop().unwrap_or_default();
            // The prompt follows the last line only.
            for line in lines {
                self.queue(Message::line("SCREEN", format!("{line}\r\n")), now, out);
            }
            Message::line("SCREEN", format!("{last}\r\n"))
        } else {
            if header_is(text, "*CLS") {
                self.errors.clear();
            } else if !text.is_empty() {
                self.errors.push_back(UNDEFINED_HEADER);
            }
            Message::new("PROMPT", Vec::new())
        };
        self.answer(message, now, out);
    }
}

/// `H,M` with optional signs, not range-checked.
fn parse_tz_option(value: &str) -> Result<TimeZone, DeviceError> {
    let bad = || DeviceError(format!("hpgps: tz={value:?}: expected H,M (e.g. -8,0)"));
    let signed = if value.starts_with(['+', '-']) {
        value.to_string()
    } else {
        format!("+{value}")
    };
    let (h, m) = parse_zone(signed.as_bytes()).map_err(|_| bad())?;
    Ok(TimeZone {
        hours: i8::try_from(h).map_err(|_| bad())?,
        minutes: i8::try_from(m).map_err(|_| bad())?,
    })
}

/// Whether `text` is the SCPI header `pattern` (`:PTIMe:TCODe?`: each
/// node in its long form or in its short form, the capitals; any case;
/// the leading colon optional).
fn header_is(text: &str, pattern: &str) -> bool {
    let strip = |s: &str| s.strip_prefix(':').unwrap_or(s).to_string();
    let (text, pattern) = (strip(text), strip(pattern));
    let (text, query) = match text.strip_suffix('?') {
        Some(t) => (t.to_string(), true),
        None => (text, false),
    };
    let (pattern, wants_query) = match pattern.strip_suffix('?') {
        Some(p) => (p.to_string(), true),
        None => (pattern, false),
    };
    if query != wants_query {
        return false;
    }
    let nodes: Vec<&str> = text.split(':').collect();
    let wanted: Vec<&str> = pattern.split(':').collect();
    nodes.len() == wanted.len()
        && nodes.iter().zip(&wanted).all(|(node, want)| {
            let short: String = want.chars().filter(|c| !c.is_ascii_lowercase()).collect();
            node.eq_ignore_ascii_case(want) || node.eq_ignore_ascii_case(&short)
        })
}

/// A plausible 22-line status screen for `epoch` (every line non-empty:
/// ntpd counts only lines with characters).
fn status_screen(epoch: &Epoch) -> Vec<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = &epoch.time;
    let (state, mode, tfom) = if epoch.valid {
        ("Outputs Valid", ">> Locked to GPS", 3)
    } else {
        ("Outputs Invalid", ">> Power-up", 9)
    };
    let month = MONTHS[usize::from(t.month.clamp(1, 12)) - 1];
    let rule = |title: &str, tag: &str| {
        let dots = 79usize.saturating_sub(title.len() + tag.len() + 6);
        format!("{title} {} [ {tag} ]", ".".repeat(dots))
    };
    vec![
        format!("{:-^79}", " Receiver Status "),
        rule("SYNCHRONIZATION", state),
        format!(
            "{:<46}{}",
            "SmartClock Mode ____________", "Reference Outputs ___________"
        ),
        format!("{mode:<46}TFOM     {tfom}             FFOM     0"),
        format!("{:<46}{}", "   Recovery", "1PPS TI +2.1 ns relative to GPS"),
        format!("{:<46}{}", "   Holdover", "HOLD THR 1.000 us"),
        format!("{:<46}{}", "   Power-up", "Holdover Uncertainty ________"),
        format!("{:<46}{}", " ", "Predict  50.0 us/initial 24 hrs"),
        rule("ACQUISITION", "GPS 1PPS Valid"),
        format!(
            "{:<46}{}",
            "Tracking: 4 ____   Not Tracking: 2 ____", "Time ________________"
        ),
        format!(
            "{:<46}UTC      {:02}:{:02}:{:02}     {:02} {month} {:04}",
            "PRN  El  Az   SS   PRN  El  Az", t.hour, t.minute, t.second, t.day, t.year
        ),
        format!(
            "{:<46}{}",
            "  3  71 140   92     8  11 301", "GPS 1PPS Synchronized to UTC"
        ),
        format!(
            "{:<46}{}",
            " 11  44  62   80    19  06  27", "ANT DLY  0 ns"
        ),
        format!("{:<46}{}", " 17  30 221   64", "Position ______________"),
        format!("{:<46}{}", " 28  19 318   41", "MODE     Hold"),
        format!("{:<46}{}", " ", "LAT      N  47:22:00.000"),
        format!("{:<46}{}", " ", "LON      E   8:33:00.000"),
        format!("{:<46}{}", " ", "HGT              +410.00 m  (MSL)"),
        format!("{:<46}{}", "ELEV MASK 10 deg", " "),
        rule("HEALTH MONITOR", "OK"),
        "Self Test: OK    Int Pwr: OK   Oven Pwr: OK   OCXO: OK   EFC: OK   GPS Rcv: OK"
            .to_string(),
        format!("{:<46}{}", "(simulated)", " "),
    ]
}

impl DeviceModel for SimulatedHp {
    fn describe(&self) -> String {
        self.receiver.name().to_string()
    }

    fn baud(&self) -> u32 {
        self.receiver.serial_config().baud
    }

    fn second(&mut self, _epoch: &Epoch, _out: &mut Vec<Message>) {}

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        for &b in data {
            match b & 0x7f {
                b'\r' => {
                    let line = std::mem::take(&mut self.pending);
                    self.command(&line, now, timeline, out);
                }
                b'\n' => {}
                c => self.pending.push(c),
            }
        }
    }

    /// Breaks a timecode's checksum (its last hex digit); other answers
    /// have none.
    fn corrupt(&self, message: &mut Message) -> bool {
        if message.kind != "TCODE" || message.bytes.len() < 23 {
            return false;
        }
        let digit = &mut message.bytes[22];
        *digit = if *digit == b'0' { b'1' } else { b'0' };
        message.corrupt = true;
        true
    }

    fn reset(&mut self) {
        self.pending.clear();
        self.errors.clear();
        self.busy_until = Timestamp::EPOCH;
    }

    /// Printable characters but `>`, which ends a prompt (the parity bit
    /// does not count: the Z3801A's reader masks it).
    fn garbage_allowed(&self, byte: u8) -> bool {
        let c = byte & 0x7f;
        (0x20..0x7f).contains(&c) && c != b'>'
    }
}
