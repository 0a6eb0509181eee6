//! Telephone JJY's modem: ntpd 4.2.8p18's `modem_*` state machine in
//! `refclock_jjy.c`, and the way its raw input is cut into pieces.

use refclock_core::{ClockFlags, Context, PortId};

/// Where the modem is (`MODEM_STATE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModemState {
    /// On hook.
    Disconnect,
    /// The set-up commands, one per `OK` (or `ERROR`).
    Initialize,
    /// `ATDW…` written, waiting for the call's result.
    Dialing,
    /// In a call.
    Connect,
    /// Hanging up: `+++` until silence or a time-out, then `ATH0`.
    Escape,
}

/// What happened to the modem (`MODEM_EVENT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModemEvent {
    /// Start a call.
    Initialize,
    /// Dial.
    Dialout,
    /// Hang up.
    Disconnect,
    /// A result code (`OK`, `CONNECT`...) or another line.
    Reply(Reply),
    /// No line for a while.
    Silent,
    /// The state lasted too long.
    Timeout,
}

/// The modem's result codes as ntpd tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `OK`.
    Ok,
    /// `CONNECT` or `CONNECT …`.
    Connect,
    /// `RING`.
    Ring,
    /// `NO CARRIER`.
    NoCarrier,
    /// `ERROR`.
    Error,
    /// `NO DIALTONE` (ntpd looks for `NO DAILTONE`, so a modem's real
    /// `NO DIALTONE` is an unknown line to it; both are taken here).
    NoDialtone,
    /// `BUSY`.
    Busy,
    /// `NO ANSWER`.
    NoAnswer,
    /// Anything else.
    Unknown,
}

impl Reply {
    /// The result code of a line's text.
    pub fn of(text: &[u8]) -> Reply {
        match text {
            b"OK" => Reply::Ok,
            b"CONNECT" => Reply::Connect,
            b"RING" => Reply::Ring,
            b"NO CARRIER" => Reply::NoCarrier,
            b"ERROR" => Reply::Error,
            b"NO DIALTONE" | b"NO DAILTONE" => Reply::NoDialtone,
            b"BUSY" => Reply::Busy,
            b"NO ANSWER" => Reply::NoAnswer,
            t if t.starts_with(b"CONNECT ") => Reply::Connect,
            _ => Reply::Unknown,
        }
    }
}

/// Seconds of silence after which the modem state machine acts, per
/// state (`iModemSilentTimeout`).
fn silent_timeout(s: ModemState) -> u32 {
    if s == ModemState::Escape {
        5
    } else {
        0
    }
}

/// Seconds a state may last (`iModemStateTimeout`).
fn state_timeout(s: ModemState) -> u32 {
    match s {
        ModemState::Initialize | ModemState::Escape => 20,
        ModemState::Dialing => 90,
        ModemState::Disconnect | ModemState::Connect => 0,
    }
}

/// The modem's half of the telephone dialogue.
#[derive(Debug)]
pub struct Modem {
    /// Where the modem is.
    pub state: ModemState,
    silent_timer: u32,
    state_timer: u32,
    silent_count: u32,
    command_seq: u32,
    /// What is dialled after `ATDW` and the tone/pulse letter.
    pub phone: String,
}

impl Modem {
    /// An idle modem that dials `phone`.
    pub fn new(phone: String) -> Modem {
        Modem {
            state: ModemState::Disconnect,
            silent_timer: 0,
            state_timer: 0,
            silent_count: 0,
            command_seq: 0,
            phone,
        }
    }

    /// Whether the timer has anything to do (`isModemStateTimerOn`).
    pub fn timer_on(&self) -> bool {
        silent_timeout(self.state) != 0 || state_timeout(self.state) != 0
    }

    /// Once a second (`modem_timer`).
    pub fn timer(&mut self, ctx: &mut Context<'_>) {
        if silent_timeout(self.state) != 0 {
            self.silent_timer += 1;
            if self.silent_timer >= silent_timeout(self.state) {
                self.event(ctx, ModemEvent::Silent);
            }
        }
        if state_timeout(self.state) != 0 {
            self.state_timer += 1;
            if self.state_timer >= state_timeout(self.state) {
                self.event(ctx, ModemEvent::Timeout);
            }
        }
    }

    fn write(ctx: &mut Context<'_>, cmd: &str) {
        ctx.write(PortId::MAIN, cmd.as_bytes().to_vec());
        ctx.clockstats(format!("--> {}", cmd.trim_end()));
    }

    /// The next set-up command (`modem_init_resp00`); true when they are
    /// all answered.
    fn init_next(&mut self, ctx: &mut Context<'_>) -> bool {
        self.command_seq += 1;
        let flag = |f| ctx.fudge().flag(f);
        let cmd = match self.command_seq {
            // Echo off, result codes on, as words.
            1 => "ATE0Q0V1\r\n".to_string(),
            // Speaker: flag3 on, flag4 louder.
            2 => format!(
                "ATM{}L{}\r\n",
                if flag(ClockFlags::FLAG3) { 2 } else { 0 },
                if flag(ClockFlags::FLAG4) { 2 } else { 1 }
            ),
            3 => "AT&K4\r\n".to_string(),
            4 => "AT+MS=V22B\r\n".to_string(),
            5 => "AT%C0\r\n".to_string(),
            // Error correction with flag2.
            6 => format!("AT\\N{}\r\n", if flag(ClockFlags::FLAG2) { 3 } else { 0 }),
            7 => "ATH1\r\n".to_string(),
            8 => return true,
            _ => return false,
        };
        Self::write(ctx, &cmd);
        false
    }

    /// `modem_control`: the event in the current state, the state it
    /// leads to, and the event that follows.
    pub fn event(&mut self, ctx: &mut Context<'_>, event: ModemEvent) {
        use ModemEvent as E;
        use ModemState as S;
        let st = self.state;
        let change = match (event, st) {
            (E::Initialize, S::Disconnect) => true,
            (E::Initialize, S::Initialize) => {
                self.command_seq = 0;
                self.init_next(ctx)
            }
            (E::Dialout, S::Dialing) => {
                let tp = if ctx.fudge().flag(ClockFlags::FLAG1) {
                    'P'
                } else {
                    'T'
                };
                Self::write(ctx, &format!("ATDW{tp}{}\r\n", self.phone));
                false
            }
            (E::Disconnect, S::Initialize | S::Dialing | S::Connect) => true,
            (E::Disconnect, S::Escape) => {
                Self::write(ctx, "+++");
                false
            }
            (E::Reply(Reply::Ok | Reply::Error), S::Initialize) => self.init_next(ctx),
            (E::Reply(Reply::Connect), S::Dialing) => true,
            (
                E::Reply(
                    Reply::NoCarrier
                    | Reply::Error
                    | Reply::NoDialtone
                    | Reply::Busy
                    | Reply::NoAnswer,
                ),
                S::Dialing,
            ) => {
                Self::write(ctx, "ATH0\r\n");
                true
            }
            (E::Reply(_), S::Escape) => {
                self.silent_timer = 0;
                false
            }
            (E::Silent, S::Escape) => {
                self.silent_count += 1;
                if self.silent_count < state_timeout(S::Escape) / silent_timeout(S::Escape) {
                    Self::write(ctx, "+++");
                    self.silent_timer = 0;
                    false
                } else {
                    Self::write(ctx, "ATH0\r\n");
                    true
                }
            }
            (E::Timeout, S::Initialize | S::Dialing | S::Connect) => true,
            (E::Timeout, S::Escape) => {
                Self::write(ctx, "ATH0\r\n");
                true
            }
            _ => false,
        };
        let mut post = None;
        if change {
            let next = match (event, st) {
                (E::Initialize, _) => S::Initialize,
                (E::Disconnect, S::Initialize) => S::Disconnect,
                (E::Disconnect, _) => S::Escape,
                (E::Reply(Reply::Ok | Reply::Error), S::Initialize) => S::Dialing,
                (E::Reply(Reply::Connect), S::Dialing) => S::Connect,
                (E::Reply(_), S::Dialing) => S::Disconnect,
                (E::Silent, _) => S::Disconnect,
                (E::Timeout, S::Initialize | S::Escape) => S::Disconnect,
                (E::Timeout, _) => S::Escape,
                _ => st,
            };
            post = match (event, st) {
                (E::Initialize, S::Disconnect) => Some(E::Initialize),
                (E::Disconnect | E::Timeout, S::Dialing | S::Connect) => Some(E::Disconnect),
                (E::Reply(Reply::Ok | Reply::Error), S::Initialize) => Some(E::Dialout),
                _ => None,
            };
            if next != st {
                self.silent_count = 0;
                self.state_timer = 0;
                self.command_seq = 0;
            }
            self.state = next;
        }
        if let Some(p) = post {
            self.event(ctx, p);
        }
    }
}

/// The strings after which ntpd's driver cuts telephone input
/// (`teljjy_raw_break`), in the order it tries them at each position.
const BREAKS: [&[u8]; 6] = [b"\r\n", b"\r", b"\n", b"Name ? ", b">", b"+++"];

/// Most bytes kept without a break (ntpd's `MAX_RAWBUF − 2`): a longer
/// run is handed out whole.
pub const MAX_PIECE: usize = 98;

/// Cuts raw input after each break string; pieces of control bytes only
/// are dropped. Each piece carries the receive time of the read that
/// completed it.
#[derive(Debug, Default)]
pub struct Splitter {
    buf: Vec<u8>,
}

impl Splitter {
    /// Feeds one read; calls `piece` with each piece's printable text.
    pub fn feed(&mut self, data: &[u8], mut piece: impl FnMut(&[u8])) {
        for &b in data {
            // "\r" is a break, but "\r\n" is preferred at the same
            // position: a CR waits for the byte after it.
            if self.buf.last() == Some(&b'\r') && b != b'\n' {
                self.flush(&mut piece);
            }
            self.buf.push(b);
            let end = if b == b'\r' {
                false
            } else {
                BREAKS.iter().any(|s| self.buf.ends_with(s))
            };
            if end || self.buf.len() >= MAX_PIECE {
                self.flush(&mut piece);
            }
        }
        if self.buf.last() == Some(&b'\r') {
            // A CR ends its read: what comes later cannot join it.
            self.flush(&mut piece);
        }
    }

    fn flush(&mut self, piece: &mut impl FnMut(&[u8])) {
        let text = super::codec::text_of(&self.buf);
        self.buf.clear();
        if !text.is_empty() {
            piece(&text);
        }
    }

    /// Forgets a partial piece.
    pub fn reset(&mut self) {
        self.buf.clear();
    }
}

/// The pieces `data` gives, for tests.
pub fn pieces(data: &[u8]) -> Vec<Vec<u8>> {
    let mut s = Splitter::default();
    let mut out = Vec::new();
    s.feed(data, |p| out.push(p.to_vec()));
    out
}

/// Checks `-p`: one number of digits and hyphens, optionally after an
/// outside-line `0,`, of 6 to 10 digits (after the `0,`), not starting
/// with an emergency or special-service prefix (00, 10, 11, 12, 171,
/// 177, 0X0). Returns the number as it is dialled.
pub fn check_phone(phones: &[String]) -> Result<String, String> {
    let [phone] = phones else {
        return Err(format!(
            "telephone JJY needs exactly one -p number ({} given)",
            phones.len()
        ));
    };
    if let Some(c) = phone
        .chars()
        .find(|c| !(c.is_ascii_digit() || *c == '-' || *c == ','))
    {
        return Err(format!(
            "-p {phone}: {c:?} is not a digit, a hyphen or a comma"
        ));
    }
    let number = match phone.split_once(',') {
        None => phone.as_str(),
        Some(("0", rest)) if !rest.contains(',') => rest,
        Some(_) => {
            return Err(format!(
                "-p {phone}: an outside line is taken with '0,' only"
            ))
        }
    };
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if !(6..=10).contains(&digits.len()) {
        return Err(format!(
            "-p {phone}: {} digits, expected 6 to 10",
            digits.len()
        ));
    }
    let b = digits.as_bytes();
    let special = ["00", "10", "11", "12", "171", "177"]
        .iter()
        .any(|p| digits.starts_with(p))
        || (b[0] == b'0' && b[2] == b'0');
    if special {
        return Err(format!(
            "-p {phone}: emergency and special-service prefixes are not dialled"
        ));
    }
    Ok(phone.clone())
}
