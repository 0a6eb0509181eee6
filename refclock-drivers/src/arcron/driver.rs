//! The Arcron driver's logic: ntpd 4.2.8p18's `arc_start`, `arc_receive`,
//! `arc_poll` and its slow command queue (`arc_event_handler`).

use std::collections::VecDeque;

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::clock::DecodedFields;
use refclock_core::gps::unfold_two_digit_year;
use refclock_core::port::{PortEvent, PortSpec, SerialConfig};
use refclock_core::{
    ClockEvent, ClockFlags, Context, Driver, DriverConfig, DriverInfo, Leap, PortId, Ports,
    StartError, Timestamp,
};

use super::codec::{self, ArcTime, FLAG_BST, STATUS_BATTERY_LOW, STATUS_GOOD};

/// Static facts about the driver (ntpd type 27).
pub const INFO: DriverInfo = DriverInfo {
    kind: 27,
    ntpd_name: "ARCRON_MSF",
    name: "arcron",
    description: "ARCRON MSF (and DCF77) Receiver",
    refid: *b"MSFa",
};

/// The default device, `%d` = the unit number.
pub const DEVICE: &str = "/dev/arc%d";

/// Characters kept of an answer: the echoed command and 15 of the clock's
/// (`LENARC`).
pub const LENARC: usize = 16;

/// Seconds between two command characters (`QUEUETICK`): the clock
/// powers its transmitter from the receive lines and needs the pause.
pub const QUEUE_TICK: u8 = 2;

/// Command characters the queue holds (`CMDQUEUELEN`).
pub const QUEUE_LEN: usize = 4;

/// Seconds from a resync to the next (`DEFAULT_RESYNC_TIME`).
pub const RESYNC_INTERVAL: i64 = 57 * 60;
/// Seconds to the next resync after one with poor quality
/// (`RETRY_RESYNC_TIME`).
pub const RESYNC_RETRY: i64 = 27 * 60;
/// Seconds from the start to the first resync (`INITIAL_RESYNC_DELAY`
/// of ntpd's default `ARCRON_KEEN` build), plus `(67 × unit) mod 1009`.
pub const INITIAL_RESYNC_DELAY: i64 = 500;
/// Least signal quality (0..5) the clock is trusted with after a resync
/// (`MIN_CLOCK_QUALITY_OK`).
pub const MIN_QUALITY_OK: u8 = 3;

/// The receiver's seconds to send `n` characters of 11 bits at 300 baud,
/// less half a bit (the UART takes a byte half-way through its stop bit),
/// in nanoseconds: how long after the second's start the `n`th character
/// of the answer is read (ntpd's `charoffsets`, 0 for `n` = 0).
pub fn char_offset_ns(n: usize) -> i128 {
    if n == 0 {
        0
    } else {
        (22 * n as i128 - 1) * 1_000_000_000 / 600
    }
}

/// The clock's time zone as the mode and flag1 tell the driver to undo.
fn utc_correction(mode: u32, local: bool, flags: u8) -> i64 {
    let bst = flags & FLAG_BST != 0;
    match (mode, local, bst) {
        // Mode 0 always corrects BST; modes 1 and 2 only with flag1.
        (0, _, true) | (1, true, true) | (2, true, false) => -3600,
        (2, true, true) => -7200,
        _ => 0,
    }
}

/// The Arcron MSF/DCF77/WWVB driver (ntpd type 27, `ARCRON_MSF`).
///
/// See the module documentation for the dialogue and what differs from
/// ntpd.
#[derive(Debug)]
pub struct ArcronDriver {
    mode: u32,
    unit: u8,
    /// flag1: the clock states local time (modes 1 and 2).
    local: bool,
    /// flag2: never resync.
    no_resync: bool,
    basedate: Basedate,
    /// The answer being collected (`a_lastcode`, `lencode`), CRs and `h`
    /// echoes left out.
    code: Vec<u8>,
    /// The earliest on-time estimate of the timecode being read
    /// (`up->lastrec`).
    lastrec: Option<Timestamp>,
    /// Command characters not yet sent (`cmdqueue`).
    queue: VecDeque<u8>,
    /// Timer ticks until the next command character goes out.
    countdown: u8,
    /// Low three bits of the last status byte (`up->status`).
    status: Option<u8>,
    /// Signal quality of the last resync, `None` while unknown.
    quality: Option<u8>,
    /// A resync is in progress.
    resyncing: bool,
    /// A poll came since the last filtered result: the next sample
    /// filters.
    polled: bool,
    /// When the next resync is due (Unix seconds), set at the first tick.
    next_resync: Option<i64>,
    /// Quality readings of the current minute: sum, count, end of the
    /// minute (ntpd's function-static `quality_sum` etc.).
    quality_sum: u32,
    quality_polls: u32,
    quality_stamp: i64,
    quality_average: u8,
    port_open: bool,
}

impl ArcronDriver {
    /// Signal quality of the last resync (0..=5), `None` while unknown.
    pub fn quality(&self) -> Option<u8> {
        self.quality
    }

    /// Whether a resync is in progress.
    pub fn resyncing(&self) -> bool {
        self.resyncing
    }

    /// Command characters waiting to be sent.
    pub fn queued(&self) -> Vec<u8> {
        self.queue.iter().copied().collect()
    }

    /// When the next resync is due (Unix seconds), once the timer ran.
    pub fn next_resync(&self) -> Option<i64> {
        self.next_resync
    }

    /// Queues a command (`send_slow`); false when it does not fit.
    fn send_slow(&mut self, cmd: &[u8]) -> bool {
        if QUEUE_LEN - self.queue.len() < cmd.len() {
            return false;
        }
        self.queue.extend(cmd);
        true
    }

    /// A `g` answer: `g`, the resync state (`3` = in progress) and the
    /// quality digit 0..5.
    fn quality_answer(&mut self, ctx: &mut Context<'_>, rectime: Timestamp) {
        let r = self.code[1] & 0x7f;
        let q = self.code[2] & 0x7f;
        self.code.clear();
        if r & 0x70 != 0x30 || q & 0x70 != 0x30 || q & 0x0f > 5 {
            ctx.log(format!("arcron: bad 'g' answer {r:02x} {q:02x}"));
            return;
        }
        let now = rectime.secs();
        if r == b'3' {
            if self.quality_stamp < now {
                self.quality_stamp = now + 60 - now.rem_euclid(60) + 5;
                self.quality_sum = 0;
                self.quality_polls = 0;
            }
            self.quality_sum += u32::from(q & 0x0f);
            self.quality_polls += 1;
            self.quality_average = (self.quality_sum / self.quality_polls) as u8;
        } else if self.resyncing {
            let quality = self.quality_average;
            self.quality = Some(quality);
            let verdict = if quality < MIN_QUALITY_OK {
                "TOO POOR, will not use clock"
            } else {
                "OK, will use clock"
            };
            ctx.log(format!(
                "arcron: sync finished, signal quality {quality}: {verdict}"
            ));
            self.resyncing = false;
            self.quality_average = 0;
            self.quality_sum = 0;
            self.quality_polls = 0;
            if quality < MIN_QUALITY_OK {
                self.next_resync = Some(now + RESYNC_RETRY);
            }
        }
    }

    /// A whole timecode in `code` (`o` and 15 characters).
    fn timecode(&mut self, ctx: &mut Context<'_>) {
        let code = std::mem::take(&mut self.code);
        let Some(lastrec) = self.lastrec.take() else {
            ctx.report(ClockEvent::BadReply);
            return;
        };
        let mut shown = code.clone();
        shown.push(match self.quality {
            None => b'6',
            Some(q) => b'0' + q,
        });
        ctx.clock.save_timecode(&shown);
        let t = match codec::decode(&code[1..]) {
            Ok(t) => t,
            Err(e) => {
                ctx.log(format!("arcron: bad timecode: {e}"));
                ctx.report(ClockEvent::BadReply);
                return;
            }
        };
        if self.mode == 0 && !codec::zone_bits_consistent(t.flags) {
            ctx.log("arcron: BST and UTC bits agree");
            ctx.report(ClockEvent::BadReply);
            return;
        }
        if t.status & STATUS_BATTERY_LOW != 0 {
            ctx.log("arcron: battery low");
        }
        let status = t.status & 0x7;
        let changed = self.status != Some(status);
        self.status = Some(status);
        if status != STATUS_GOOD {
            // Deliberate difference: no sample while the status is not
            // "signal acquired", not only at the change.
            ctx.clock.leap = Leap::NotInSync;
            if changed {
                ctx.log("arcron: signal lost");
                ctx.report(ClockEvent::Fault);
            }
            return;
        }
        if changed {
            ctx.log("arcron: signal acquired");
        }
        let Some(utc) = self.utc_of(&t, lastrec) else {
            ctx.report(ClockEvent::BadTime);
            return;
        };
        ctx.clock.leap = Leap::NoWarning;
        ctx.clock.fields = DecodedFields {
            year: utc.year,
            day: utc.yday(),
            hour: utc.hour,
            minute: utc.minute,
            second: utc.second,
            nsec: 0,
        };
        if ctx.process(lastrec).is_err() {
            return;
        }
        ctx.clockstats(String::from_utf8_lossy(&shown).into_owned());
        // ntpd filters after every sample; once a poll interval here (two
        // timecodes in one interval, another host asking too, give one
        // filtered result).
        if std::mem::take(&mut self.polled) {
            let _ = ctx.receive();
        }
    }

    /// The UTC date and time a timecode names (second 60 kept), or `None`
    /// for a date that does not exist.
    fn utc_of(&self, t: &ArcTime, rectime: Timestamp) -> Option<CivilTime> {
        let year = unfold_two_digit_year(t.year, 1998, &self.basedate, rectime);
        let leap = t.second == 60;
        let civil = CivilTime::new(year, t.month, t.day, t.hour, t.minute, t.second.min(59));
        let local = civil.to_timestamp().ok()?;
        let utc =
            Timestamp::from_secs(local.secs() + utc_correction(self.mode, self.local, t.flags));
        let mut c = CivilTime::from_timestamp(utc);
        if leap {
            c.second = 60;
        }
        Some(c)
    }
}

impl Driver for ArcronDriver {
    const INFO: DriverInfo = INFO;

    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let fudge = &config.fudge;
        let mode = fudge.mode;
        let local = fudge.flag(ClockFlags::FLAG1);
        let refid =
            match mode {
                0 => *b"MSFa",
                1 => *b"MSF\0",
                2 => *b"DCF\0",
                3 => *b"WWVB",
                _ => return Err(StartError::BadMode {
                    mode,
                    reason:
                        "the Arcron modes are 0 (MSF, original), 1 (MSF), 2 (DCF77) and 3 (WWVB)"
                            .into(),
                }),
            };
        if mode == 3 && local {
            return Err(StartError::BadMode {
                mode,
                reason: "flag1 (local time) is not supported for WWVB: set the clock to UTC".into(),
            });
        }
        if ctx.clock.fudge.refid.is_none() {
            ctx.clock.fudge.refid = Some(refid);
        }
        // 300 baud, 8 data bits, 2 stop bits, parity stripped, raw.
        let serial = SerialConfig {
            stop_bits: 2,
            strip: true,
            crnl: false,
            ..SerialConfig::raw_8n1(300)
        };
        let driver = ArcronDriver {
            mode,
            unit: config.unit,
            local,
            no_resync: fudge.flag(ClockFlags::FLAG2),
            basedate: config.basedate,
            code: Vec::with_capacity(LENARC),
            lastrec: None,
            queue: VecDeque::with_capacity(QUEUE_LEN),
            countdown: QUEUE_TICK,
            status: None,
            quality: None,
            resyncing: false,
            polled: false,
            next_resync: None,
            quality_sum: 0,
            quality_polls: 0,
            quality_stamp: 0,
            quality_average: 0,
            port_open: false,
        };
        Ok((
            driver,
            Ports::one(PortSpec::serial(config.device_or(DEVICE), serial)),
        ))
    }

    /// `arc_receive`, one read at a time: the on-time estimate is the
    /// read's time less the line time of the characters before its last
    /// byte; the earliest estimate of a timecode wins.
    fn receive(&mut self, ctx: &mut Context<'_>, _port: PortId, data: &[u8], rectime: Timestamp) {
        if data.is_empty() {
            return;
        }
        if self.resyncing && self.queue.is_empty() {
            self.send_slow(b"g\r");
        }
        let first = data[0] & 0x7f;
        let last_offset = self.code.len() + data.len() - 1;
        if self.code.first() == Some(&b'o')
            && (self.code.len() != 1 || first != b'\r')
            && last_offset >= 1
        {
            if last_offset > LENARC {
                self.code.clear();
                self.lastrec = None;
                ctx.report(ClockEvent::BadReply);
                return;
            }
            let stamp = Timestamp::from_nanos(rectime.as_nanos() - char_offset_ns(last_offset));
            if self.lastrec.is_none_or(|t| stamp <= t) {
                self.lastrec = Some(stamp);
            }
        }
        for &b in data {
            if self.code.len() >= LENARC {
                break;
            }
            let c = b & 0x7f;
            if c != b'\r' && c != b'h' {
                self.code.push(c);
                if c == b'o' && self.code.len() == 1 {
                    self.lastrec = None;
                }
            }
        }
        match self.code.first() {
            Some(b'g') if self.code.len() >= 3 => self.quality_answer(ctx, rectime),
            Some(b'o') if self.code.len() >= LENARC => self.timecode(ctx),
            None | Some(b'g' | b'o') => {}
            Some(_) => {
                self.code.clear();
                ctx.report(ClockEvent::BadReply);
            }
        }
    }

    /// Once a second: the first tick schedules the first resync; every
    /// [`QUEUE_TICK`] ticks one command character goes out.
    fn timer(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        if self.next_resync.is_none() {
            self.next_resync =
                Some(now.secs() + INITIAL_RESYNC_DELAY + (67 * i64::from(self.unit)) % 1009);
        }
        self.countdown = self.countdown.saturating_sub(1);
        if self.countdown == 0 {
            self.countdown = QUEUE_TICK;
            if let Some(c) = self.queue.pop_front() {
                if self.port_open {
                    ctx.write(PortId::MAIN, vec![c]);
                } else {
                    ctx.log("arcron: write while the port is closed");
                }
            }
        }
    }

    /// `arc_poll`: start a resync when one is due (unless flag2), refuse
    /// a clock whose last resync had poor quality, else ask for the time.
    /// The first sample after a poll runs the filter.
    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        self.polled = true;
        let due = self.next_resync.is_some_and(|t| t <= now.secs());
        if !self.no_resync && due {
            self.quality = None;
            self.resyncing = true;
            ctx.log("arcron: sending resync command");
            self.send_slow(b"h\r");
            self.next_resync = Some(now.secs() + RESYNC_INTERVAL);
        }
        if self.quality.is_some_and(|q| q < MIN_QUALITY_OK) {
            ctx.report(ClockEvent::Fault);
            return;
        }
        if !self.send_slow(b"o\r") {
            self.code.clear();
            ctx.report(ClockEvent::Fault);
            return;
        }
        ctx.clock.counters.polls += 1;
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => self.port_open = true,
            PortEvent::Closed(_) => {
                self.port_open = false;
                self.code.clear();
                self.lastrec = None;
            }
            _ => {}
        }
    }
}
