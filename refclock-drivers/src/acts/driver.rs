//! The ACTS driver's logic: ntpd 4.2.8p18's `acts_poll`, `acts_timer`,
//! `acts_timeout`, `acts_receive`, `acts_message` and `acts_timecode` on
//! top of refclock-core, with the fixes the module documentation lists.

use std::path::PathBuf;

use refclock_core::driver::OptionInfo;
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{OpenPolicy, PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{decode_tail, ActsError, Service, Timecode, Usno};

/// Static facts about the driver (ntpd type 18).
pub const INFO: DriverInfo = DriverInfo {
    kind: 18,
    ntpd_name: "ACTS",
    name: "modem",
    description: "Automated Computer Time Service",
    refid: *b"NONE",
};

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/acts%d";

/// The line speed.
pub const SPEED: u32 = 19_200;

/// The modem set-up command (`ATB1&C0&D2E0L1M1Q0V1Y1`, ended by CR): US
/// answer tone, carrier detect ignored, DTR drop hangs up, no echo,
/// speaker low until carrier, result codes as words, long-space
/// disconnect.
pub const MODEM_SETUP: &str = "ATB1&C0&D2E0L1M1Q0V1Y1";

/// Seconds to wait for the set-up command's `OK`.
pub const SETUP_TIMEOUT: u32 = 3;
/// Seconds before the next number is dialled after a failed call.
pub const REDIAL: u32 = 30;
/// Seconds to wait for `CONNECT`.
pub const ANSWER_TIMEOUT: u32 = 60;
/// Seconds a call lasts at most after `CONNECT`.
pub const TIMECODE_TIMEOUT: u32 = 60;
/// Timecodes a call collects at most.
pub const MAX_CODES: u32 = 20;
/// NIST lines with `*` give samples from this one on (before, only `#`).
pub const NIST_TRUSTED_FROM: u32 = 10;

/// When the driver calls (ntpd's `mode`, peer->ttl).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallMode {
    /// Mode 0: at each poll while no other source is selected; in
    /// ntp-refclock, which has no other source, at each poll.
    Backup,
    /// Mode 1 (and any mode above 2, as ntpd's switch falls through):
    /// at each poll.
    Auto,
    /// Mode 2: only when flag1 is set.
    Manual,
}

impl CallMode {
    /// The mode for ntpd's `mode` value.
    pub fn from_mode(mode: u32) -> CallMode {
        match mode {
            0 => CallMode::Backup,
            2 => CallMode::Manual,
            _ => CallMode::Auto,
        }
    }
}

/// Where a call is (ntpd's `S_IDLE` .. `S_MSG`, plus the open).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallState {
    /// No call; the device is closed.
    Idle,
    /// The device is being opened.
    Opening,
    /// The set-up command was sent; waiting for `OK`.
    Setup,
    /// A number was dialled; waiting for `CONNECT`.
    Connect,
    /// Connected (or on a direct cable): collecting timecodes.
    Message,
}

/// Whether a modem answer says the command or the call failed.
fn is_failure(text: &str) -> bool {
    [
        "ERROR",
        "BUSY",
        "NO CARRIER",
        "NO ANSWER",
        "NO DIAL",
        "VOICE",
        "DELAYED",
        "BLACKLISTED",
    ]
    .iter()
    .any(|w| text.starts_with(w))
}

/// The NIST ACTS / USNO / PTB / Spectracom-by-modem driver (ntpd type 18,
/// `ACTS`). See the module documentation.
#[derive(Debug)]
pub struct ActsDriver {
    mode: CallMode,
    phones: Vec<String>,
    state: CallState,
    /// Seconds left before the state's time-out (0: none).
    timer: u32,
    /// Index of the next number to dial.
    retry: usize,
    /// Valid timecodes this call.
    codes: u32,
    framer: LineFramer,
    /// Receive time of the last on-time marker (`*`, `#`).
    mark: Option<Timestamp>,
    /// Receive time of the last line end that ended no line (Spectracom's
    /// on-time CR before its timecode).
    line_start: Option<Timestamp>,
    /// A USNO timecode waiting for its `*`.
    usno: Option<Usno>,
    /// The last valid timecode, for clockstats at the end of the call.
    last_code: String,
    /// The service heard last.
    service: Option<Service>,
    open: bool,
}

impl ActsDriver {
    /// The call state.
    pub fn state(&self) -> CallState {
        self.state
    }

    /// The call mode.
    pub fn mode(&self) -> CallMode {
        self.mode
    }

    /// Valid timecodes in the current (or last) call.
    pub fn codes(&self) -> u32 {
        self.codes
    }

    /// Index of the next phone number to dial.
    pub fn next_number(&self) -> usize {
        self.retry
    }

    /// Seconds left before the current time-out or redial (0: none).
    pub fn timer(&self) -> u32 {
        self.timer
    }

    /// The service heard last.
    pub fn service(&self) -> Option<Service> {
        self.service
    }

    /// Starts a call: opens the device.
    fn call(&mut self, ctx: &mut Context<'_>) {
        if self.state != CallState::Idle {
            return;
        }
        self.state = CallState::Opening;
        self.timer = 0;
        ctx.open(PortId::MAIN);
    }

    fn event(&mut self, ctx: &mut Context<'_>, text: impl Into<String>) {
        let text = text.into();
        ctx.clockstats(text.clone());
        ctx.log(format!("modem: {text}"));
    }

    /// The device is open: send the set-up command, or `T` on a direct
    /// cable.
    fn opened(&mut self, ctx: &mut Context<'_>) {
        self.open = true;
        self.codes = 0;
        self.reset_input();
        if self.phones.is_empty() {
            ctx.write(PortId::MAIN, b"T".to_vec());
            self.state = CallState::Message;
            self.timer = TIMECODE_TIMEOUT;
            return;
        }
        self.event(ctx, format!("SETUP {MODEM_SETUP}"));
        ctx.write(PortId::MAIN, format!("{MODEM_SETUP}\r").into_bytes());
        self.state = CallState::Setup;
        self.timer = SETUP_TIMEOUT;
    }

    fn reset_input(&mut self) {
        self.framer.reset();
        self.mark = None;
        self.line_start = None;
        self.usno = None;
    }

    /// Ends the call: a sample from what came, DTR down, the device
    /// closed, and the next number after [`REDIAL`] seconds if this one
    /// gave nothing.
    fn end_call(&mut self, ctx: &mut Context<'_>) {
        if self.state == CallState::Message {
            if self.codes == 0 {
                self.event(ctx, "no timecodes");
                ctx.report(ClockEvent::Timeout);
            } else {
                ctx.clockstats(self.last_code.clone());
                let _ = ctx.receive();
            }
        }
        if self.open {
            self.event(ctx, "close");
            ctx.modem_lines(PortId::MAIN, Some(false), None);
            ctx.close(PortId::MAIN);
            self.open = false;
        }
        self.reset_input();
        self.state = CallState::Idle;
        if self.codes == 0 && self.retry > 0 && self.retry < self.phones.len() {
            self.timer = REDIAL;
        } else {
            self.timer = 0;
            self.retry = 0;
        }
    }

    /// A state's time-out ran out.
    fn timed_out(&mut self, ctx: &mut Context<'_>) {
        match self.state {
            CallState::Idle => self.call(ctx), // the redial
            CallState::Opening => {}
            CallState::Setup => {
                self.event(ctx, "no modem");
                self.end_call(ctx);
            }
            CallState::Connect => {
                self.event(ctx, "no answer");
                self.end_call(ctx);
            }
            CallState::Message => self.end_call(ctx),
        }
    }

    /// One line from the modem or the service.
    fn line(&mut self, ctx: &mut Context<'_>, text: &str, end: Timestamp) {
        let first = text.split(' ').next().unwrap_or("");
        match self.state {
            CallState::Idle | CallState::Opening => {}
            CallState::Setup => {
                if text == "OK" {
                    self.dial(ctx);
                } else if is_failure(text) {
                    self.event(ctx, text);
                    self.end_call(ctx);
                }
                // Anything else (the set-up command's echo from a modem
                // still at E1, line noise) is skipped.
            }
            CallState::Connect => {
                if first == "CONNECT" {
                    self.event(ctx, text);
                    self.state = CallState::Message;
                    self.timer = TIMECODE_TIMEOUT;
                } else if is_failure(text) {
                    self.event(ctx, text);
                    self.end_call(ctx);
                }
            }
            CallState::Message => {
                if text.starts_with("NO CARRIER") {
                    // The line dropped: use what came, hang up now.
                    self.event(ctx, text);
                    self.end_call(ctx);
                } else {
                    self.timecode(ctx, text, end);
                }
            }
        }
    }

    /// Dials the next number: DTR up, the `-p` entry as it is, CR.
    fn dial(&mut self, ctx: &mut Context<'_>) {
        let Some(number) = self.phones.get(self.retry).cloned() else {
            self.retry = 0;
            return self.end_call(ctx);
        };
        self.event(ctx, format!("DIAL #{} {number}", self.retry));
        ctx.modem_lines(PortId::MAIN, Some(true), None);
        ctx.write(PortId::MAIN, format!("{number}\r").into_bytes());
        self.retry += 1;
        self.state = CallState::Connect;
        self.timer = ANSWER_TIMEOUT;
    }

    /// A line while connected: a timecode, a banner line, or noise.
    fn timecode(&mut self, ctx: &mut Context<'_>, text: &str, end: Timestamp) {
        let usno = self.usno.take();
        let code = match decode_tail(text.as_bytes()) {
            Ok((code, skipped)) => {
                if skipped > 0 {
                    ctx.log(format!(
                        "modem: {skipped} characters of noise before a timecode"
                    ));
                }
                code
            }
            Err(ActsError::Length(_)) => {
                // A banner or help text is skipped; a line that ends in an
                // on-time marker was a timecode, spoilt.
                if text.ends_with(['*', '#']) {
                    ctx.report(ClockEvent::BadReply);
                }
                return;
            }
            Err(_) => {
                ctx.report(ClockEvent::BadReply);
                return;
            }
        };
        self.service = Some(code.service());
        let t1 = ctx.fudge().time1();
        let sample = match code {
            Timecode::UsnoMark => {
                // The on-time mark of the USNO line just before.
                let (Some(u), Some(mark)) = (usno, self.mark) else {
                    return;
                };
                ctx.clock.leap = Leap::NoWarning;
                u.time().map(|r| ctx.process_offset(r, mark, t1)).is_ok()
            }
            Timecode::Usno(u) => {
                self.codes += 1;
                self.usno = Some(u);
                self.last_code = text.to_string();
                false
            }
            Timecode::Nist(n) => {
                self.codes += 1;
                self.last_code = text.to_string();
                let Some(mark) = self.mark else { return };
                if n.otm != b'#' && self.codes < NIST_TRUSTED_FROM {
                    false
                } else {
                    ctx.clock.leap = n.leap();
                    n.reference()
                        .map(|r| ctx.process_offset(r, mark, t1))
                        .is_ok()
                }
            }
            Timecode::Ptb(p) => {
                // The second changes between the CR and the LF.
                self.codes += 1;
                self.last_code = text.to_string();
                ctx.clock.leap = p.leap();
                p.reference()
                    .map(|r| ctx.process_offset(r, end, t1))
                    .is_ok()
            }
            Timecode::Wwvb0(w) => {
                self.codes += 1;
                self.last_code = text.to_string();
                ctx.clock.leap = if w.sync == b' ' {
                    Leap::NoWarning
                } else {
                    Leap::NotInSync
                };
                self.fields(ctx, 0, w.yday, (w.hour, w.minute, w.second), 0)
            }
            Timecode::Wwvb2(w) => {
                self.codes += 1;
                self.last_code = text.to_string();
                ctx.clock.leap = match (w.sync, w.leap) {
                    (b' ', b'L') => Leap::AddSecond,
                    (b' ', _) => Leap::NoWarning,
                    _ => Leap::NotInSync,
                };
                let ms = u32::from(w.millis) * 1_000_000;
                self.fields(
                    ctx,
                    i32::from(w.yy),
                    w.yday,
                    (w.hour, w.minute, w.second),
                    ms,
                )
            }
        };
        let _ = sample;
        ctx.clock.save_timecode(text.as_bytes());
        if self.codes >= MAX_CODES {
            self.end_call(ctx);
        }
    }

    /// A Spectracom sample from day-of-year fields (ntpd's
    /// `refclock_process`), stamped at the on-time CR before the line.
    fn fields(
        &mut self,
        ctx: &mut Context<'_>,
        year: i32,
        yday: u16,
        (hour, minute, second): (u8, u8, u8),
        nsec: u32,
    ) -> bool {
        let Some(start) = self.line_start else {
            return false;
        };
        let f = &mut ctx.clock.fields;
        f.year = year;
        f.day = yday;
        f.hour = hour;
        f.minute = minute;
        f.second = second;
        f.nsec = nsec;
        ctx.process(start).is_ok()
    }
}

/// The lock file `flag2` uses: the FHS one (`/var/lock/LCK..NAME`) for
/// the device the path leads to (`/dev/acts0` → `ttyUSB0`), resolved now,
/// before any chroot, so that diallers and terminal programs honouring
/// the convention see the same lock (ntpd's `LCK..cuaU` in
/// `/var/spool/lock` is a BSD name no Linux program uses).
pub fn lock_path(device: &std::path::Path) -> PathBuf {
    let real = std::fs::canonicalize(device).unwrap_or_else(|_| device.to_path_buf());
    let name = real
        .file_name()
        .map_or_else(|| "modem".into(), |n| n.to_string_lossy().into_owned());
    PathBuf::from(format!("/var/lock/LCK..{name}"))
}

impl Driver for ActsDriver {
    const INFO: DriverInfo = INFO;

    const OPTIONS: &'static [OptionInfo] = &[OptionInfo::value(
        "lock",
        "lock the port with this UUCP lock file during calls (flag2: /var/lock/LCK..DEVICE)",
    )];

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let mode = CallMode::from_mode(config.fudge.mode);
        for p in &config.phones {
            if !p.get(..2).is_some_and(|a| a.eq_ignore_ascii_case("AT")) {
                ctx.log(format!(
                    "modem: phone entry {p:?} is not a Hayes command (ATDT...); it is sent as it is"
                ));
            }
        }
        let serial = SerialConfig {
            remote: true,
            crnl: false,
            ..SerialConfig::raw_8n1(SPEED)
        };
        let device = config.device_or(DEVICE);
        let lock = if let Some(path) = config.option_value("lock") {
            Some(PathBuf::from(path))
        } else if config.fudge.flag(ClockFlags::FLAG2) {
            Some(lock_path(&device))
        } else {
            None
        };
        if let Some(l) = &lock {
            ctx.log(format!(
                "modem: the port is locked with {} during calls",
                l.display()
            ));
        }
        let port = PortSpec::serial(device, serial)
            .opened(OpenPolicy::OnDemand)
            .with_lock(lock);
        let driver = ActsDriver {
            mode,
            phones: config.phones.clone(),
            state: CallState::Idle,
            timer: 0,
            retry: 0,
            codes: 0,
            framer: LineFramer::new(),
            mark: None,
            line_start: None,
            usno: None,
            last_code: String::new(),
            service: None,
            open: false,
        };
        Ok((driver, Ports::one(port)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        // Split after each on-time marker and line end, so that a line
        // knows the time of its own marker and of the line end before it.
        let mut rest = data;
        while !rest.is_empty() {
            let n = rest
                .iter()
                .position(|&b| matches!(b & 0x7f, b'*' | b'#' | b'\r' | b'\n'))
                .map_or(rest.len(), |i| i + 1);
            let (segment, tail) = rest.split_at(n);
            rest = tail;
            let mut lines = Vec::new();
            self.framer.feed(segment, rectime, |f| {
                lines.push((f.text().to_string(), f.last));
            });
            let ended_nothing = lines.is_empty() && self.framer.pending() == 0;
            for (text, end) in lines {
                self.line(ctx, &text, end);
                if !self.open {
                    return; // the call ended: the rest is not ours
                }
            }
            match segment.last().map(|b| b & 0x7f) {
                Some(c @ (b'*' | b'#')) => {
                    self.mark = Some(rectime);
                    if self.state == CallState::Message && !self.phones.is_empty() {
                        // Echoed for NIST's (and PTB's) loopback.
                        ctx.write(PortId::MAIN, vec![c]);
                    }
                }
                Some(b'\r' | b'\n') if ended_nothing => self.line_start = Some(rectime),
                _ => {}
            }
        }
    }

    fn timer(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        if self.timer == 0 {
            if ctx.fudge().flag(ClockFlags::FLAG1) && self.state == CallState::Idle {
                ctx.clock.fudge.flags.remove(ClockFlags::FLAG1);
                self.retry = 0;
                self.call(ctx);
            }
            return;
        }
        self.timer -= 1;
        if self.timer == 0 {
            self.timed_out(ctx);
        }
    }

    fn poll(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        ctx.clock.counters.polls += 1;
        if self.mode == CallMode::Manual {
            return;
        }
        // A redial already waiting goes on with the next number.
        if self.state == CallState::Idle && self.timer == 0 {
            self.retry = 0;
            self.call(ctx);
        }
    }

    fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => {
                if self.state == CallState::Opening {
                    self.opened(ctx);
                }
            }
            PortEvent::OpenFailed(e) => {
                ctx.log(format!("modem: open fails: {e}"));
                ctx.report(ClockEvent::Fault);
                self.state = CallState::Idle;
                self.timer = 0;
                self.retry = 0;
            }
            PortEvent::Closed(_) => {
                if self.open {
                    // Lost during a call.
                    self.open = false;
                    self.end_call(ctx);
                }
            }
            PortEvent::ModemLinesFailed(e) => {
                ctx.log(format!("modem: setting DTR failed: {e}"));
            }
            PortEvent::WriteFailed(e) => {
                ctx.log(format!("modem: write failed: {e}"));
                ctx.report(ClockEvent::Fault);
            }
            PortEvent::ModemStatus(_) => {}
        }
    }

    fn shutdown(&mut self, ctx: &mut Context<'_>) {
        if self.open {
            ctx.modem_lines(PortId::MAIN, Some(false), None);
            ctx.close(PortId::MAIN);
            self.open = false;
        }
    }
}
