//! A simulated Hayes (AT) modem (feature `sim`), shared by the drivers
//! that dial a time service: ACTS / modem (type 18) and telephone JJY
//! (type 40, modes 100 and up).
//!
//! [`HayesModem`] is a [`DeviceModel`] in front of a [`Service`], the far
//! end of the call. In command state it takes AT command lines (ended by
//! CR; LF and anything before `AT` ignored), echoes them while `E1` (the
//! state after reset), and answers with result codes, as words (`V1`,
//! `CR LF OK CR LF`) or numbers (`V0`, `0 CR`), or not at all (`Q1`):
//!
//! | command | effect |
//! |---------|--------|
//! | `D...` (`DT`, `DP`, `DW`, `,`, digits) | dials; the rest of the line is the dial string, its digits the number |
//! | `E0`/`E1`, `Q0`/`Q1`, `V0`/`V1` | echo, quiet, words |
//! | `H`/`H0` | hangs up (after `+++`: ends the call); `H1` off hook |
//! | `O` | back on line after `+++` (`CONNECT`); `NO CARRIER` without a call |
//! | `Z`, `&F` | back to the defaults (`E1 Q0 V1`) |
//! | `I` | an identification line |
//! | `A` | `NO CARRIER` (nobody rings) |
//! | `B L M N P T W X Y` + digits, `S`n`=`v, `S`n`?`, `&`/`%`/`\` + letter + digits, `+...` up to `;` | accepted, ignored |
//! | anything else | `ERROR` |
//!
//! A dialled call ends, [`ModemOptions::connect_delay_ms`] after the dial
//! command (what follows its CR in the same write is dropped), in its
//! [`CallOutcome`]: `CONNECT` (then the line belongs to
//! the service: bytes from the caller go to [`Service::input`], the
//! service's output follows), `BUSY`, `NO ANSWER`, `NO CARRIER`,
//! `NO DIALTONE`; or it connects to a far end that drops the line after
//! [`ModemOptions::drop_after`] seconds (`NO CARRIER`), sends garbage, or
//! sends nothing. The outcome of each call is taken in turn from
//! [`ModemOptions::calls`] (cyclic; all `answer` by default), except that
//! numbers listed in `busy` or `unreachable` always give `BUSY` or
//! `NO ANSWER`.
//!
//! A call ends when the caller drops DTR (on the simulator's pty: when the
//! driver closes the device, [`DeviceModel::line_closed`]; `&D2` as ntpd
//! sets it), with `+++` (one guard second, `OK`) then `ATH`, or when the
//! service hangs up ([`Service::finished`]) or the line drops: then the
//! modem says `NO CARRIER`. Output already planned when the caller closes
//! the device (a `CONNECT` still due, the current second's timecode) is
//! still written into the closed pty; the next open's flush discards it.
//!
//! Options ([`ModemOptions::apply`]; a driver's device passes on the ones
//! it does not know): `echo=0|1`, `connect-delay=MS` (default 1000),
//! `connect=TEXT` (default `CONNECT`), `calls=OUTCOME,...`,
//! `busy=NUMBER,...`, `unreachable=NUMBER,...`, `drop-after=S`
//! (default 5), `baud=N` (default 19200).

use std::str::FromStr;

use refclock_core::sim::{DeviceError, DeviceModel, Due, Epoch, Message, Timeline};
use refclock_core::Timestamp;

mod commands;
#[cfg(test)]
mod tests;

/// The far end of a call (a time service, a clock behind a modem).
pub trait Service: Send {
    /// What it is, for messages.
    fn describe(&self) -> String;

    /// The call was answered: `CONNECT` goes out at `at`. Start afresh
    /// and queue what the service sends first (a banner), [`Due::Next`]
    /// messages following the `CONNECT`.
    ///
    /// [`Due::Next`]: refclock_core::sim::Due::Next
    fn answered(&mut self, at: Timestamp, timeline: &dyn Timeline, out: &mut Vec<Message>);

    /// What it sends on its own in the wall second of `epoch`, as
    /// [`DeviceModel::second`] (called only for whole seconds after the
    /// `CONNECT`, while the call lasts). A message due at an instant is
    /// timed in the epoch's terms (`epoch.named` + what it wants); the
    /// modem moves it by the scenarios' shift to system time.
    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>);

    /// The caller sent `data` at `now` (as [`DeviceModel::input`]).
    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        let _ = (data, now, timeline, out);
    }

    /// Whether it has hung up (after a goodbye, at the end of its call
    /// time): the modem then says `NO CARRIER` and the call is over.
    fn finished(&self) -> bool {
        false
    }

    /// As [`DeviceModel::corrupt`], for its own messages.
    fn corrupt(&self, message: &mut Message) -> bool {
        let _ = message;
        false
    }
}

/// How a dialled call ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    /// `CONNECT`, then the service (`answer`).
    Answer,
    /// `BUSY` (`busy`).
    Busy,
    /// `NO ANSWER` (`no-answer`).
    NoAnswer,
    /// `NO CARRIER`: no modem answered (`no-carrier`).
    NoCarrier,
    /// `NO DIALTONE` (`no-dialtone`).
    NoDialtone,
    /// `CONNECT`, the service, then `NO CARRIER` after
    /// [`ModemOptions::drop_after`] seconds (`drop`).
    Drop,
    /// `CONNECT`, then a line of printable noise every second (`garbage`).
    Garbage,
    /// `CONNECT`, then nothing (`silent`).
    Silent,
}

impl FromStr for CallOutcome {
    type Err = DeviceError;
    fn from_str(s: &str) -> Result<CallOutcome, DeviceError> {
        Ok(match s {
            "answer" => CallOutcome::Answer,
            "busy" => CallOutcome::Busy,
            "no-answer" => CallOutcome::NoAnswer,
            "no-carrier" => CallOutcome::NoCarrier,
            "no-dialtone" => CallOutcome::NoDialtone,
            "drop" => CallOutcome::Drop,
            "garbage" => CallOutcome::Garbage,
            "silent" => CallOutcome::Silent,
            _ => {
                return Err(DeviceError(format!(
                    "modem: call outcome {s:?}: expected answer, busy, no-answer, \
                     no-carrier, no-dialtone, drop, garbage or silent"
                )))
            }
        })
    }
}

/// The modem's settings (see the module documentation for the options).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModemOptions {
    /// Echo commands after a reset (`E1`).
    pub echo: bool,
    /// From the dial command to its result.
    pub connect_delay_ms: u32,
    /// The result that opens a call.
    pub connect_text: String,
    /// Outcomes of successive calls, in turn (empty: always `answer`).
    pub calls: Vec<CallOutcome>,
    /// Numbers (digits) that are always busy.
    pub busy: Vec<String>,
    /// Numbers (digits) that never answer.
    pub unreachable: Vec<String>,
    /// Seconds a `drop` call lasts.
    pub drop_after: u32,
    /// The serial speed.
    pub baud: u32,
}

impl Default for ModemOptions {
    fn default() -> ModemOptions {
        ModemOptions {
            echo: true,
            connect_delay_ms: 1000,
            connect_text: "CONNECT".into(),
            calls: Vec::new(),
            busy: Vec::new(),
            unreachable: Vec::new(),
            drop_after: 5,
            baud: 19200,
        }
    }
}

impl ModemOptions {
    /// Takes option `key=value` if it is the modem's: `Ok(false)` when it
    /// is not, an error when its value is bad.
    pub fn apply(&mut self, key: &str, value: &str) -> Result<bool, DeviceError> {
        let number = |v: &str| -> Result<u32, DeviceError> {
            v.parse()
                .map_err(|_| DeviceError(format!("modem: {key}={v:?}: expected a number")))
        };
        let list = |v: &str| -> Vec<String> { v.split(',').map(digits).collect() };
        match key {
            "echo" => self.echo = number(value)? != 0,
            "connect-delay" => self.connect_delay_ms = number(value)?,
            "connect" => self.connect_text = value.to_string(),
            "calls" => self.calls = value.split(',').map(str::parse).collect::<Result<_, _>>()?,
            "busy" => self.busy = list(value),
            "unreachable" => self.unreachable = list(value),
            "drop-after" => self.drop_after = number(value)?,
            "baud" => self.baud = number(value)?.max(1),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The digits of a dial string (`0-9`, `*`, `#`), modifiers and
/// punctuation left out.
pub fn digits(dial: &str) -> String {
    dial.chars()
        .filter(|c| c.is_ascii_digit() || *c == '*' || *c == '#')
        .collect()
}

/// Hayes result codes: words and numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    Ok,
    Connect,
    NoCarrier,
    Error,
    NoDialtone,
    Busy,
    NoAnswer,
}

impl Code {
    fn number(self) -> u8 {
        match self {
            Code::Ok => 0,
            Code::Connect => 1,
            Code::NoCarrier => 3,
            Code::Error => 4,
            Code::NoDialtone => 6,
            Code::Busy => 7,
            Code::NoAnswer => 8,
        }
    }
}

/// Where the modem is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    /// Taking commands, no call.
    Command,
    /// In a call (from the `CONNECT` at `since`): bytes go to the far end.
    Online {
        since: Timestamp,
        outcome: CallOutcome,
    },
    /// In a call, taking commands after `+++`.
    Escaped {
        since: Timestamp,
        outcome: CallOutcome,
    },
}

/// The simulated modem in front of service `S` (see the module
/// documentation).
pub struct HayesModem<S: Service> {
    service: S,
    options: ModemOptions,
    state: State,
    echo: bool,
    quiet: bool,
    verbose: bool,
    /// The command line being typed.
    line: Vec<u8>,
    /// `+` characters in a row while on line.
    pluses: u8,
    /// Calls dialled so far.
    calls: usize,
    /// The numbers dialled so far (digits).
    dialled: Vec<String>,
    /// Epoch seconds minus wall seconds, as last seen.
    shift: i64,
}

impl<S: Service> HayesModem<S> {
    /// A modem after reset, calls reaching `service`.
    pub fn new(service: S, options: ModemOptions) -> HayesModem<S> {
        HayesModem {
            service,
            echo: options.echo,
            options,
            state: State::Command,
            quiet: false,
            verbose: true,
            line: Vec::new(),
            pluses: 0,
            calls: 0,
            dialled: Vec::new(),
            shift: 0,
        }
    }

    /// The service behind it.
    pub fn service(&self) -> &S {
        &self.service
    }

    /// The numbers dialled so far (their digits), in order.
    pub fn dialled(&self) -> &[String] {
        &self.dialled
    }

    /// Whether it is idle: no call, no command being typed.
    pub fn idle(&self) -> bool {
        self.state == State::Command && self.line.is_empty()
    }

    /// Whether a call is up (on line or escaped).
    pub fn in_call(&self) -> bool {
        self.state != State::Command
    }

    fn result(&self, code: Code, out: &mut Vec<Message>) {
        self.result_at(code, None, out);
    }

    /// Queues result `code`, due at `at` or as soon as the line is free.
    fn result_at(&self, code: Code, at: Option<Timestamp>, out: &mut Vec<Message>) {
        if self.quiet {
            return;
        }
        let text = match code {
            Code::Ok => "OK",
            Code::Connect => &self.options.connect_text,
            Code::NoCarrier => "NO CARRIER",
            Code::Error => "ERROR",
            Code::NoDialtone => "NO DIALTONE",
            Code::Busy => "BUSY",
            Code::NoAnswer => "NO ANSWER",
        };
        let mut m = if self.verbose {
            let mut m = Message::new("RESULT", format!("\r\n{text}\r\n").into_bytes());
            m.end = m.bytes.len() - 2;
            m
        } else {
            Message::new("RESULT", format!("{}\r", code.number()).into_bytes())
        };
        if let Some(at) = at {
            m = m.due_at(at);
        }
        out.push(m);
    }

    /// The call ends (the far end or the line): `NO CARRIER`.
    fn lost(&mut self, out: &mut Vec<Message>) {
        self.state = State::Command;
        self.pluses = 0;
        self.result(Code::NoCarrier, out);
    }

    /// `E1 Q0 V1`, as after reset.
    fn defaults(&mut self) {
        self.echo = self.options.echo;
        self.quiet = false;
        self.verbose = true;
    }

    /// Dials `dial` (what follows `D`) at `now`.
    fn dial(
        &mut self,
        dial: &str,
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        if self.state != State::Command {
            return self.result(Code::Error, out);
        }
        let number = digits(dial);
        self.dialled.push(number.clone());
        let at = now + f64::from(self.options.connect_delay_ms) / 1000.0;
        let outcome = if number.is_empty() {
            CallOutcome::NoCarrier
        } else if self.options.busy.contains(&number) {
            CallOutcome::Busy
        } else if self.options.unreachable.contains(&number) {
            CallOutcome::NoAnswer
        } else if self.options.calls.is_empty() {
            CallOutcome::Answer
        } else {
            self.options.calls[self.calls % self.options.calls.len()]
        };
        self.calls += 1;
        let code = match outcome {
            CallOutcome::Busy => Code::Busy,
            CallOutcome::NoAnswer => Code::NoAnswer,
            CallOutcome::NoCarrier => Code::NoCarrier,
            CallOutcome::NoDialtone => Code::NoDialtone,
            _ => Code::Connect,
        };
        self.result_at(code, Some(at), out);
        if code == Code::Connect {
            self.state = State::Online { since: at, outcome };
            if matches!(outcome, CallOutcome::Answer | CallOutcome::Drop) {
                self.service.answered(at, timeline, out);
            }
        }
    }
}

impl<S: Service> DeviceModel for HayesModem<S> {
    fn describe(&self) -> String {
        format!("Hayes modem calling {}", self.service.describe())
    }

    fn baud(&self) -> u32 {
        self.options.baud
    }

    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        let State::Online { since, outcome } = self.state else {
            return;
        };
        let wall = epoch.named.secs() - self.shift;
        if Timestamp::from_secs(wall) <= since {
            return;
        }
        match outcome {
            CallOutcome::Drop if wall - since.secs() > i64::from(self.options.drop_after) => {
                return self.lost(out)
            }
            CallOutcome::Answer | CallOutcome::Drop => {
                let from = out.len();
                self.service.second(epoch, out);
                // The service times its output in the epoch's terms.
                for m in &mut out[from..] {
                    if let Due::At(t) = m.due {
                        m.due = Due::At(t + (-self.shift) as f64);
                    }
                }
            }
            CallOutcome::Garbage => out.push(Message::new("NOISE", noise(wall))),
            _ => {}
        }
        if self.service.finished() {
            self.lost(out);
        }
    }

    fn input(
        &mut self,
        data: &[u8],
        now: Timestamp,
        timeline: &dyn Timeline,
        out: &mut Vec<Message>,
    ) {
        self.shift = timeline.epoch(now.secs()).named.secs() - now.secs();
        let mut rest = data;
        while !rest.is_empty() {
            if let State::Online { since, outcome } = self.state {
                // Data for the far end, up to a `+++`.
                let mut n = 0;
                while n < rest.len() && self.pluses < 3 {
                    self.pluses = if rest[n] == b'+' { self.pluses + 1 } else { 0 };
                    n += 1;
                }
                if matches!(outcome, CallOutcome::Answer | CallOutcome::Drop) {
                    self.service.input(&rest[..n], now, timeline, out);
                    if self.service.finished() {
                        self.lost(out);
                    }
                }
                rest = &rest[n..];
                if self.pluses == 3 {
                    self.pluses = 0;
                    self.state = State::Escaped { since, outcome };
                    self.result_at(Code::Ok, Some(now + 1.0), out);
                }
                continue;
            }
            let b = rest[0];
            rest = &rest[1..];
            if self.echo {
                match out.last_mut() {
                    Some(m) if m.kind == "ECHO" => {
                        m.bytes.push(b);
                        m.end = m.bytes.len() - 1;
                    }
                    _ => out.push(Message::new("ECHO", vec![b])),
                }
            }
            match b & 0x7f {
                b'\r' => {
                    let line = std::mem::take(&mut self.line);
                    let before = self.state;
                    self.command(&line, now, timeline, out);
                    if before == State::Command && self.in_call() {
                        // Dialling: the rest of what came (the LF of
                        // a CR LF) is not the far end's.
                        return;
                    }
                }
                b'\n' => {}
                0x08 => {
                    self.line.pop();
                }
                c => {
                    if self.line.len() < 256 {
                        self.line.push(c)
                    }
                }
            }
        }
    }

    fn corrupt(&self, message: &mut Message) -> bool {
        match message.kind {
            "RESULT" | "ECHO" | "INFO" | "NOISE" => false,
            _ => self.service.corrupt(message),
        }
    }

    fn reset(&mut self) {
        self.state = State::Command;
        self.line.clear();
        self.pluses = 0;
        self.defaults();
    }

    fn sees_close(&self) -> bool {
        true
    }

    fn line_closed(&mut self, _now: Timestamp) {
        // DTR dropped (&D2): hang up, back to command state.
        self.state = State::Command;
        self.line.clear();
        self.pluses = 0;
    }
}

/// A line of printable noise for wall second `wall` (a wrong number).
fn noise(wall: i64) -> Vec<u8> {
    let mut x = (wall as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes: Vec<u8> = (0..40)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b' ' + (x % 94) as u8
        })
        .collect();
    bytes.extend_from_slice(b"\r\n");
    bytes
}
