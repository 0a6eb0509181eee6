//! Telephone JJY (modes 100, 101–180): NICT's dial-up time service
//! through an AT modem, as ntpd 4.2.8p18's `teljjy_*` state machine
//! holds the conversation (NICT ended the service in 2024).
//!
//! Each poll (at most one call every [`DEFAULT_CALL_INTERVAL`] seconds,
//! ntpd's forced minpoll 8; `option call-interval=S` changes it) sets
//! the modem up, dials the one `-p` number as `ATDWT…` (`ATDWP…` with
//! flag1), logs in as `TJJY` at the `Name ? ` prompt and, at each `>`
//! prompt, sends the next command:
//!
//! | command | answer | use |
//! |---|---|---|
//! | `LOOP`, then `>` five times, then `COM` (modes 101–180) | each `>` echoed | the round-trip delay of each |
//! | `TIME` | `HHMMSS` three times, each on its second | the first group's last second |
//! | `4DATE` | `YYYYMMDD` | the date |
//! | `LEAPSEC` | ` 0`, `+1` or `-1` | the leap indicator of the sample |
//! | `TIME` | three more | the sample: the last, when the three are consecutive seconds and the first group ended at most 15 s before |
//! | `BYE` | farewell, hang-up | then `+++` and `ATH0` |
//!
//! The sample is stamped at the last `TIME` answer's line end; in modes
//! 101–180 its reference time is later by (mode − 100) % of the average
//! round trip (the delays over 700 ms and those that timed out left out,
//! and with three or more the longest, with four or more also the
//! shortest; none when fewer than two remain), in whole milliseconds as
//! ntpd has it. flag2 asks the modem for error correction (`AT\N3`),
//! flag3 turns its speaker on (`ATM2`), flag4 louder (`L2`).

use refclock_core::port::{PortEvent, PortSpec};
use refclock_core::{
    ClockEvent, Context, DriverConfig, Leap, PortId, Ports, StartError, Timestamp,
};

use super::codec::Jst;
pub use super::modem::check_phone;
use super::modem::{Modem, ModemEvent, ModemState, Reply, Splitter};

/// Least seconds between two calls by default (2^8, ntpd's minpoll 8).
pub const DEFAULT_CALL_INTERVAL: f64 = 256.0;

/// Loopback measurements per call (`MAX_LOOPBACK`).
pub const LOOPBACKS: usize = 5;

/// Round trips longer than this are not used (ms).
pub const LOOPBACK_LIMIT_MS: f64 = 700.0;

/// Where the conversation is (`TELJJY_STATE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TelState {
    /// No call.
    Idle,
    /// The modem is being set up and dials.
    Dialout,
    /// Connected: logging in.
    Login,
    /// Logged in: the commands.
    Connect,
    /// `BYE` sent: hanging up.
    Bye,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TelEvent {
    Start,
    Connect,
    Disconnect,
    Command,
    Login,
    Prompt,
    Data,
    Error,
    Silent,
    Timeout,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Loop,
    Loopback,
    Com,
    Time,
    Date,
    Leapsec,
    Bye,
}

/// The command sequence (index 0: idle); mode 100 starts at `TIME`.
const SEQUENCE: [Option<(&str, Kind)>; 14] = [
    None,
    Some(("LOOP\r", Kind::Loop)),
    Some((">", Kind::Loopback)),
    Some((">", Kind::Loopback)),
    Some((">", Kind::Loopback)),
    Some((">", Kind::Loopback)),
    Some((">", Kind::Loopback)),
    Some(("COM\r", Kind::Com)),
    Some(("TIME\r", Kind::Time)),
    Some(("4DATE\r", Kind::Date)),
    Some(("LEAPSEC\r", Kind::Leapsec)),
    Some(("TIME\r", Kind::Time)),
    Some(("BYE\r", Kind::Bye)),
    None,
];
const SKIP_LOOPBACK: usize = 7;

fn command(seq: usize) -> Option<(&'static str, Kind)> {
    SEQUENCE.get(seq).copied().flatten()
}

/// The telephone conversation (see the module documentation).
#[derive(Debug)]
pub struct Telephone {
    mode: u32,
    /// Where the conversation is.
    pub state: TelState,
    modem: Modem,
    splitter: Splitter,
    silent_timer: u32,
    state_timer: u32,
    seq: usize,
    line_error: bool,
    stamps: Vec<u32>,
    jst: Jst,
    leap: Leap,
    loop_count: usize,
    send_time: [Timestamp; LOOPBACKS],
    delay_ms: [f64; LOOPBACKS],
    loop_timeout: [bool; LOOPBACKS],
    /// A poll's data is taken (ntpd's `iProcessState`).
    active: bool,
    lines: u32,
    polls: u64,
    interval: f64,
    last_call: Option<Timestamp>,
    open: bool,
}

impl Telephone {
    /// Checks the configuration: the number, the mode, the option.
    pub fn new(config: &DriverConfig) -> Result<Telephone, StartError> {
        let phone =
            check_phone(&config.phones).map_err(|e| StartError::Other(format!("jjy: {e}")))?;
        let interval = match config.option_value("call-interval") {
            None => DEFAULT_CALL_INTERVAL,
            Some(v) => v.parse::<f64>().ok().filter(|s| *s >= 0.0).ok_or_else(|| {
                StartError::BadOption {
                    name: "call-interval".into(),
                    reason: format!("{v:?} is not a number of seconds"),
                }
            })?,
        };
        Ok(Telephone {
            mode: config.fudge.mode,
            state: TelState::Idle,
            modem: Modem::new(phone),
            splitter: Splitter::default(),
            silent_timer: 0,
            state_timer: 0,
            seq: 0,
            line_error: false,
            stamps: Vec::new(),
            jst: Jst::default(),
            leap: Leap::NoWarning,
            loop_count: 0,
            send_time: [Timestamp::EPOCH; LOOPBACKS],
            delay_ms: [0.0; LOOPBACKS],
            loop_timeout: [false; LOOPBACKS],
            active: false,
            lines: 0,
            polls: 0,
            interval,
            last_call: None,
            open: false,
        })
    }

    /// The modem's state.
    pub fn modem_state(&self) -> ModemState {
        self.modem.state
    }

    /// The ports: the modem's, open all the time as in ntpd.
    pub fn ports(&self, port: PortSpec) -> Ports {
        Ports::one(port)
    }

    fn write(&self, ctx: &mut Context<'_>, text: &str) {
        if self.open {
            ctx.write(PortId::MAIN, text.as_bytes().to_vec());
            ctx.clockstats(format!("--> {}", text.trim_end()));
        } else {
            ctx.report(ClockEvent::Fault);
        }
    }

    /// Bytes from the modem (`jjy_receive_telephone`).
    pub fn receive(&mut self, ctx: &mut Context<'_>, data: &[u8], rectime: Timestamp) {
        if !self.active {
            self.splitter.reset();
            return;
        }
        self.lines += 1;
        let mut pieces = Vec::new();
        self.splitter.feed(data, |p| pieces.push(p.to_vec()));
        for p in pieces {
            if !self.active {
                break;
            }
            ctx.clockstats(format!("<-- {}", super::driver::printable(&p)));
            self.piece(ctx, &p, rectime);
        }
    }

    fn piece(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        if matches!(
            self.state,
            TelState::Idle | TelState::Dialout | TelState::Bye
        ) {
            let before = self.modem.state;
            self.modem.event(ctx, ModemEvent::Reply(Reply::of(text)));
            self.modem_changed(ctx, before, rectime);
            return;
        }
        self.silent_timer = 0;
        let event = match text {
            b"Name ? " => TelEvent::Login,
            b">" => TelEvent::Prompt,
            t if t.starts_with(b"?") => TelEvent::Error,
            _ => TelEvent::Data,
        };
        self.event(ctx, event, text, rectime);
    }

    fn modem_changed(&mut self, ctx: &mut Context<'_>, before: ModemState, now: Timestamp) {
        if self.modem.state != before {
            match self.modem.state {
                ModemState::Disconnect => self.event(ctx, TelEvent::Disconnect, b"", now),
                ModemState::Connect => self.event(ctx, TelEvent::Connect, b"", now),
                _ => {}
            }
        }
    }

    /// Once a second (`jjy_timer_telephone`).
    pub fn timer(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let silent = match self.state {
            TelState::Login => 10,
            TelState::Connect => 5,
            _ => 0,
        };
        if silent != 0 {
            self.silent_timer += 1;
            if self.silent_timer >= silent {
                self.event(ctx, TelEvent::Silent, b"", now);
            }
        }
        let limit = match self.state {
            TelState::Idle => 0,
            TelState::Dialout => 120,
            TelState::Login | TelState::Connect => 60,
            TelState::Bye => 40,
        };
        if limit != 0 {
            self.state_timer += 1;
            if self.state_timer >= limit {
                self.event(ctx, TelEvent::Timeout, b"", now);
            }
        }
        if self.modem.timer_on() {
            let before = self.modem.state;
            self.modem.timer(ctx);
            self.modem_changed(ctx, before, now);
        }
    }

    /// A poll (`jjy_poll_telephone`): a call when none is under way and
    /// the last began long enough ago.
    pub fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        if self.state == TelState::Idle {
            if let Some(last) = self.last_call {
                if now.diff(last) < self.interval {
                    return;
                }
            }
        }
        if self.polls > 0 && self.lines == 0 {
            ctx.report(ClockEvent::Timeout);
        }
        self.polls += 1;
        ctx.clock.counters.polls += 1;
        self.active = true;
        self.lines = 0;
        if self.state == TelState::Idle {
            self.splitter.reset();
            self.last_call = Some(now);
        }
        self.event(ctx, TelEvent::Start, b"", now);
    }

    /// A port event.
    pub fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => {
                self.open = true;
                self.splitter.reset();
            }
            PortEvent::Closed(_) => {
                self.open = false;
                self.splitter.reset();
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("jjy: write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            _ => {}
        }
    }

    /// Nothing to do: the host closes the port.
    pub fn shutdown(&mut self, _ctx: &mut Context<'_>) {}

    /// `teljjy_control`.
    fn event(&mut self, ctx: &mut Context<'_>, event: TelEvent, text: &[u8], now: Timestamp) {
        use TelEvent as E;
        use TelState as S;
        let st = self.state;
        let change = match (event, st) {
            (E::Start, S::Idle) => {
                self.modem.event(ctx, ModemEvent::Initialize);
                true
            }
            (E::Connect, S::Dialout) => true,
            (E::Disconnect, S::Dialout | S::Login | S::Connect | S::Bye) => true,
            (E::Command | E::Timeout, S::Bye) => {
                self.modem.event(ctx, ModemEvent::Disconnect);
                false
            }
            (E::Login, S::Login) => {
                self.write(ctx, "TJJY\r");
                false
            }
            (E::Login | E::Error | E::Timeout, S::Connect) => true,
            (E::Prompt, S::Login) => {
                self.reset_call();
                true
            }
            (E::Prompt, S::Connect) => self.send_next(ctx, now),
            (E::Data, S::Connect) => {
                self.data(ctx, text, now);
                false
            }
            (E::Error | E::Timeout, S::Login) => true,
            (E::Silent, S::Login) => {
                self.write(ctx, "\r");
                self.silent_timer = 0;
                true
            }
            (E::Silent, S::Connect) => self.silent(ctx, now),
            (E::Timeout, S::Dialout) => true,
            _ => false,
        };
        let mut post = None;
        if change {
            let next = match (event, st) {
                (E::Start, _) => S::Dialout,
                (E::Connect, _) => S::Login,
                (E::Disconnect, _) | (E::Timeout, S::Dialout) => S::Idle,
                (E::Prompt, S::Login) => S::Connect,
                (E::Login | E::Prompt | E::Error | E::Timeout, S::Connect)
                | (E::Error | E::Timeout, S::Login) => S::Bye,
                _ => st,
            };
            post = match (event, st) {
                (E::Login | E::Prompt | E::Error | E::Timeout, S::Connect)
                | (E::Error | E::Timeout, S::Login) => Some(E::Command),
                (E::Prompt, S::Login) => Some(E::Prompt),
                _ => None,
            };
            self.silent_timer = 0;
            if next != st {
                self.state_timer = 0;
                self.reset_call();
                if next == S::Idle {
                    self.active = false;
                }
            }
            self.state = next;
        }
        if let Some(p) = post {
            self.event(ctx, p, b"", now);
        }
    }

    fn reset_call(&mut self) {
        self.line_error = false;
        self.seq = 0;
        self.stamps.clear();
        self.loop_count = 0;
        self.loop_timeout = [false; LOOPBACKS];
    }

    /// `teljjy_conn_send`: the next command; true when the last was sent.
    fn send_next(&mut self, ctx: &mut Context<'_>, now: Timestamp) -> bool {
        if self.seq > 0 && command(self.seq).is_none() {
            return true;
        }
        if self.seq == 0 && self.mode == 100 {
            self.seq = SKIP_LOOPBACK;
        } else if self.seq == 0 {
            self.loop_count = 0;
            self.loop_timeout = [false; LOOPBACKS];
        } else if command(self.seq).is_some_and(|c| c.1 == Kind::Loopback)
            && self.loop_count < LOOPBACKS
        {
            self.set_delay(ctx, now);
            self.loop_count += 1;
        }
        self.seq += 1;
        match command(self.seq) {
            Some((text, kind)) => {
                self.write(ctx, text);
                if kind == Kind::Loopback && self.loop_count < LOOPBACKS {
                    self.send_time[self.loop_count] = now;
                }
                command(self.seq + 1).is_none()
            }
            None => true,
        }
    }

    fn set_delay(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let i = self.loop_count;
        let ms = now.diff(self.send_time[i]) * 1000.0;
        self.delay_ms[i] = ms;
        ctx.clockstats(format!("* Loopback delay : {ms:.3} mSec."));
    }

    /// The correction of modes 101–180 in whole milliseconds
    /// (`teljjy_getDelay`), or `None` without two usable round trips.
    fn correction_ms(&self) -> Option<u32> {
        let usable: Vec<(usize, f64)> = (0..self.loop_count.min(LOOPBACKS))
            .filter(|&i| !self.loop_timeout[i] && self.delay_ms[i] <= LOOPBACK_LIMIT_MS)
            .map(|i| (i, self.delay_ms[i]))
            .collect();
        if usable.len() < 2 {
            return None;
        }
        let max = usable
            .iter()
            .copied()
            .fold(usable[0], |a, b| if b.1 > a.1 { b } else { a })
            .0;
        let min = usable
            .iter()
            .copied()
            .fold(usable[0], |a, b| if b.1 < a.1 { b } else { a })
            .0;
        let kept: Vec<f64> = usable
            .iter()
            .filter(|(i, _)| !(usable.len() >= 3 && *i == max || usable.len() >= 4 && *i == min))
            .map(|(_, d)| (d * 1000.0).floor())
            .collect();
        let average_us = (kept.iter().sum::<f64>() / kept.len() as f64).floor();
        Some((average_us * f64::from(self.mode - 100) / 100_000.0).floor() as u32)
    }

    /// `teljjy_conn_silent`.
    fn silent(&mut self, ctx: &mut Context<'_>, now: Timestamp) -> bool {
        if (1..SKIP_LOOPBACK).contains(&self.seq) {
            if command(self.seq).is_some_and(|c| c.1 == Kind::Loopback)
                && self.loop_count < LOOPBACKS
            {
                self.loop_timeout[self.loop_count] = true;
            }
            self.silent_timer = 0;
            return self.send_next(ctx, now);
        }
        self.write(ctx, "\r");
        self.silent_timer = 0;
        false
    }

    /// `teljjy_conn_data`: an answer to the current command.
    fn data(&mut self, ctx: &mut Context<'_>, text: &[u8], rectime: Timestamp) {
        let Some((cmd, kind)) = command(self.seq) else {
            return self.unexpected(ctx, text);
        };
        let echo = cmd.trim_end_matches('\r').as_bytes();
        if text.len() == echo.len()
            && kind == Kind::Loopback
            && self.loop_count < LOOPBACKS
            && text[0] == echo[0]
        {
            self.set_delay(ctx, rectime);
            self.loop_count += 1;
        } else if text == echo {
            ctx.clockstats("* Echoback");
        } else if kind == Kind::Date && text.len() == 8 {
            match super::codec::decode_long_date(
                &[&text[0..4], b"/", &text[4..6], b"/", &text[6..8]].concat(),
                0,
            ) {
                Ok((y, m, d)) => (self.jst.year, self.jst.month, self.jst.day) = (y, m, d),
                Err(e) => self.bad(ctx, &e.to_string()),
            }
        } else if kind == Kind::Leapsec && matches!(text, b" 0" | b"+1" | b"-1") {
            self.leap = match text {
                b"+1" => Leap::AddSecond,
                b"-1" => Leap::DelSecond,
                _ => Leap::NoWarning,
            };
            ctx.clockstats(format!("* Leap second : {}", String::from_utf8_lossy(text)));
        } else if kind == Kind::Time && text.len() == 6 {
            let hms = [&text[0..2], b":", &text[2..4], b":", &text[4..6]].concat();
            match super::codec::decode_hms(&hms) {
                Ok((h, m, s)) => {
                    (self.jst.hour, self.jst.minute, self.jst.second) = (h, m, s);
                    if self.stamps.len() < 6 {
                        self.stamps.push(self.jst.second_of_day());
                    }
                    if self.stamps.len() == 6 && !self.line_error {
                        self.time_sample(ctx, rectime);
                    }
                }
                Err(e) => {
                    self.bad(ctx, &e.to_string());
                    if self.stamps.len() < 6 {
                        self.stamps.push(u32::MAX);
                    }
                }
            }
        } else if kind == Kind::Loopback {
            ctx.clockstats(format!(
                "* Ignore reply : [{}]",
                String::from_utf8_lossy(text)
            ));
        } else {
            self.unexpected(ctx, text);
        }
    }

    fn time_sample(&mut self, ctx: &mut Context<'_>, rectime: Timestamp) {
        let t: Vec<i64> = self.stamps.iter().map(|&s| i64::from(s)).collect();
        if !(t[3] - 15 <= t[2] && t[2] <= t[3] && t[3] + 1 == t[4] && t[4] + 1 == t[5]) {
            ctx.clockstats(format!("* Timestamps not usable : {t:?}"));
            return;
        }
        let ms = if self.mode == 100 {
            Some(0)
        } else {
            self.correction_ms()
        };
        self.jst.millis = ms.unwrap_or(0) as u16;
        super::driver::synctime(ctx, &self.jst, rectime, self.leap);
        if self.mode != 100 {
            ctx.clockstats(match ms {
                Some(ms) => format!("* Delay adjustment : {ms} mSec."),
                None => "* Delay adjustment : None".to_string(),
            });
        }
    }

    fn bad(&mut self, ctx: &mut Context<'_>, why: &str) {
        self.line_error = true;
        ctx.clockstats(format!("# {why}"));
        ctx.log(format!("jjy: {why}"));
        ctx.report(ClockEvent::BadReply);
    }

    fn unexpected(&mut self, ctx: &mut Context<'_>, text: &[u8]) {
        let why = format!("unexpected reply {:?}", String::from_utf8_lossy(text));
        self.bad(ctx, &why);
    }
}
