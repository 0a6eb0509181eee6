//! Target `nmea_driver`: the whole NMEA driver
//! (`refclock_drivers::nmea::NmeaDriver`) driven by the input.
//!
//! ## Input format
//!
//! A 16-byte header (missing bytes read as 0), then a script:
//!
//! | bytes | meaning |
//! |---|---|
//! | 0-1 | `u16`: bit *i* adds [`MODE_BITS`]`[i]` to the mode |
//! | 2 | bits 0-3: `flag1`..`flag4`; bits 4-7: unit |
//! | 3-4 | `i16`: `time1` in ms |
//! | 5-6 | `i16`: `time2` in ms |
//! | 7-8 | `u16`: base date, days after 1979-12-30 (Unix day 3650) |
//! | 9-12 | `u32`: start time, seconds after 2000-01-01 |
//! | 13-15 | `u24`: start time's fraction, units of 59 ns |
//!
//! In the script, bytes other than [`ESC`] (0xFF) are device data: each run
//! of them is one `receive()` at the current time. [`ESC`] is followed by a
//! command byte and a `u16` argument; the command's low three bits say
//! what to do ([`Op`]). 0xFF is lost as data, which costs little: the line
//! framer masks the parity bit, so 0x7F stands for it exactly.
//!
//! ## Properties
//!
//! After every call into the driver its actions are drained and checked:
//!
//! * a sample comes only from `receive()`; its offset is finite; its leap
//!   indicator is "no warning" (NMEA never announces leap seconds, and a
//!   receiver not in sync gives no sample); its time is that call's receive
//!   time minus `time2` exactly, or, with `flag1`, a time less than 1 s
//!   from it on the phase of the last PPS edge (minus `time1`);
//! * its reference time (time + offset) lies in the window the date rules
//!   allow ([`ref_window`]): the GPS era of the base date (1024 weeks from
//!   its first GPS week) unless mode 0x40000 trusts the receiver's date,
//!   and otherwise 1980-01-01 − 12 h .. 10000-01-01 + 12 h (four-digit
//!   years up to 9999, time-only sentences within ±12 h of a date or the
//!   receive time). Hence |offset| stays below the window's distance from
//!   the receive times given, which is checked too;
//! * a filtered result (per poll) is finite, with 1 ≤ kept ≤ n ≤ 60, and
//!   its mean lies between the smallest and largest sample since the last
//!   one;
//! * status events only report changes; each poll writes one clockstats
//!   line and clears the per-poll tally;
//! * the clock's counters and the driver's totals never decrease, the
//!   totals add up (`total` = accepted + rejected + malformed + filtered +
//!   unknown), and there is exactly one sample per accepted sentence.

use refclock_core::calendar::{days_from_civil, Basedate, SECS_PER_DAY};
use refclock_core::clock::Counters;
use refclock_core::driver::{PpsEdge, PpsEdgeKind};
use refclock_core::{Action, ClockEvent, ClockFlags, Driver, DriverConfig, Fudge, Leap, Timestamp};
use refclock_drivers::nmea::calgps::era_start_day;
use refclock_drivers::nmea::{
    baud_rate, NmeaDriver, Tally, MODE_DATETRUST, MODE_DELAYMEAS, MODE_EXTLOG, MODE_GGA, MODE_GLL,
    MODE_IGNSTATUS, MODE_PGRMF, MODE_PUBX04, MODE_QUIETPPS, MODE_RMC, MODE_ZDA,
};

use crate::input::Input;

/// The escape byte that starts a command in the script.
pub const ESC: u8 = 0xFF;
/// Length of the header.
pub const HEADER_LEN: usize = 16;
/// Unix day of the base date for a header value of 0 (1979-12-30).
pub const BASEDATE_DAY0: i64 = 3650;
/// Unix time of a start value of 0 (2000-01-01).
pub const START0: i64 = 946_684_800;
/// Nanoseconds per unit of the start fraction.
pub const START_FRACTION_UNIT: u32 = 59;

/// The mode bit each header bit adds: every documented bit, the three
/// speed bits, a selection bit no sentence uses (0x400: everything is
/// filtered), and an unused bit.
pub const MODE_BITS: [u32; 16] = [
    MODE_RMC,
    MODE_GGA,
    MODE_GLL,
    MODE_ZDA,
    MODE_PGRMF,
    MODE_PUBX04,
    MODE_DELAYMEAS,
    MODE_EXTLOG,
    MODE_QUIETPPS,
    MODE_DATETRUST,
    MODE_IGNSTATUS,
    0x10,
    0x20,
    0x40,
    0x400,
    0x0010_0000,
];

const NANOS: i128 = 1_000_000_000;

/// The header: driver configuration and start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Header {
    /// Bit *i* adds [`MODE_BITS`]`[i]`.
    pub mode_bits: u16,
    /// Bits 0-3: flag1..flag4; bits 4-7: unit.
    pub flags: u8,
    /// `time1` in milliseconds.
    pub time1_ms: i16,
    /// `time2` in milliseconds.
    pub time2_ms: i16,
    /// Base date, days after Unix day [`BASEDATE_DAY0`].
    pub basedate: u16,
    /// Start time, seconds after [`START0`].
    pub start: u32,
    /// Start fraction in units of [`START_FRACTION_UNIT`] ns (24 bits).
    pub start_fraction: u32,
}

impl Header {
    /// The mode value the bits select.
    pub fn mode(&self) -> u32 {
        MODE_BITS
            .iter()
            .enumerate()
            .filter(|(i, _)| self.mode_bits & (1 << i) != 0)
            .fold(0, |m, (_, &b)| m | b)
    }

    /// The header values that give `mode` (bits outside [`MODE_BITS`] are
    /// dropped).
    pub fn mode_bits_for(mode: u32) -> u16 {
        MODE_BITS
            .iter()
            .enumerate()
            .filter(|(_, &b)| mode & b == b)
            .fold(0, |m, (i, _)| m | 1 << i)
    }

    /// The start time.
    pub fn start_time(&self) -> Timestamp {
        Timestamp::new(
            START0 + i64::from(self.start),
            (self.start_fraction & 0xff_ffff) * START_FRACTION_UNIT,
        )
    }

    /// The header's 16 bytes.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..2].copy_from_slice(&self.mode_bits.to_le_bytes());
        b[2] = self.flags;
        b[3..5].copy_from_slice(&self.time1_ms.to_le_bytes());
        b[5..7].copy_from_slice(&self.time2_ms.to_le_bytes());
        b[7..9].copy_from_slice(&self.basedate.to_le_bytes());
        b[9..13].copy_from_slice(&self.start.to_le_bytes());
        b[13..16].copy_from_slice(&self.start_fraction.to_le_bytes()[..3]);
        b
    }

    fn decode(input: &mut Input<'_>) -> Header {
        let mut h = Input::new(input.bytes(HEADER_LEN));
        Header {
            mode_bits: h.u16(),
            flags: h.u8(),
            time1_ms: h.i16(),
            time2_ms: h.i16(),
            basedate: h.u16(),
            start: h.u32(),
            start_fraction: u32::from_le_bytes([h.u8(), h.u8(), h.u8(), 0]),
        }
    }
}

/// One step of the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Device bytes, delivered in one `receive()` at the current time
    /// (encoded with every 0xFF replaced by 0x7F).
    Data(Vec<u8>),
    /// Command 0: the clock moves on by this many milliseconds.
    AdvanceMs(u16),
    /// Command 1: the clock moves on by this many seconds.
    AdvanceSecs(u16),
    /// Command 2: 1 + (n mod 64) times: one second passes, then `timer()`.
    Ticks(u16),
    /// Command 3: `poll()`.
    Poll,
    /// Command 4: a PPS edge at the current time plus `offset` × 100 µs;
    /// command bit 3 makes it a clear edge.
    Pps {
        /// Edge time relative to now, units of 100 µs.
        offset: i16,
        /// A clear (falling) edge rather than an assert edge.
        clear: bool,
    },
    /// Command 5: `device_lost()` then `device_reopened()`.
    DeviceLost,
    /// Command 6: the system clock steps back this many milliseconds.
    BackMs(u16),
    /// Command 7: the current time's fraction becomes `n` × 15 259 ns.
    SetFraction(u16),
}

/// Nanoseconds per unit of [`Op::SetFraction`].
pub const FRACTION_UNIT: i128 = 15_259;

impl Op {
    fn encode_into(&self, out: &mut Vec<u8>) {
        let mut cmd = |c: u8, arg: u16| {
            out.push(ESC);
            out.push(c);
            out.extend_from_slice(&arg.to_le_bytes());
        };
        match self {
            Op::Data(d) => out.extend(d.iter().map(|&b| if b == ESC { 0x7f } else { b })),
            Op::AdvanceMs(n) => cmd(0, *n),
            Op::AdvanceSecs(n) => cmd(1, *n),
            Op::Ticks(n) => cmd(2, *n),
            Op::Poll => cmd(3, 0),
            Op::Pps { offset, clear } => cmd(4 | if *clear { 8 } else { 0 }, *offset as u16),
            Op::DeviceLost => cmd(5, 0),
            Op::BackMs(n) => cmd(6, *n),
            Op::SetFraction(n) => cmd(7, *n),
        }
    }
}

/// The input bytes for a header and a script.
pub fn encode(header: &Header, ops: &[Op]) -> Vec<u8> {
    let mut out = header.encode().to_vec();
    for op in ops {
        op.encode_into(&mut out);
    }
    out
}

/// The script in `data` after the header, with each device-data run
/// borrowed from the input.
fn next_op<'a>(input: &mut Input<'a>) -> Option<OpRef<'a>> {
    if input.is_empty() {
        return None;
    }
    let rest = input.rest();
    match rest.iter().position(|&b| b == ESC) {
        Some(0) => {
            *input = Input::new(&rest[1..]);
            let cmd = input.u8();
            let arg = input.u16();
            Some(OpRef::Command(cmd, arg))
        }
        Some(n) => {
            *input = Input::new(&rest[n..]);
            Some(OpRef::Data(&rest[..n]))
        }
        None => Some(OpRef::Data(rest)),
    }
}

enum OpRef<'a> {
    Data(&'a [u8]),
    Command(u8, u16),
}

/// Decodes a whole input into its header and script (for tests and
/// tools; the target itself streams).
pub fn decode(data: &[u8]) -> (Header, Vec<Op>) {
    let mut input = Input::new(data);
    let header = Header::decode(&mut input);
    let mut ops = Vec::new();
    while let Some(op) = next_op(&mut input) {
        ops.push(match op {
            OpRef::Data(d) => Op::Data(d.to_vec()),
            OpRef::Command(c, a) => match c & 7 {
                0 => Op::AdvanceMs(a),
                1 => Op::AdvanceSecs(a),
                2 => Op::Ticks(a),
                3 => Op::Poll,
                4 => Op::Pps {
                    offset: a as i16,
                    clear: c & 8 != 0,
                },
                5 => Op::DeviceLost,
                6 => Op::BackMs(a),
                _ => Op::SetFraction(a),
            },
        });
    }
    (header, ops)
}

/// The window `[lo, hi)` (nanoseconds since the epoch) that every
/// reference time must fall in, for a driver with `mode` and `basedate`,
/// given sample times in `[t_lo, t_hi]` (nanoseconds).
///
/// * Without [`MODE_DATETRUST`] every result goes through ntpd's GPS era
///   mapping: `[era start, era start + 1024 weeks)`.
/// * With it, a date is taken as sent: a two-digit year is 1980..=2079
///   (2080 for 1-5 January 1980), a four-digit year 1981..=9999, a GPS week
///   is still era-mapped; the time of day (up to 86 401 s with a leap
///   second, −1 s for ZDG) is then placed within ±12 h of that date or of
///   the sample time.
pub fn ref_window(mode: u32, basedate: &Basedate, t_lo: i128, t_hi: i128) -> (i128, i128) {
    let day_ns = i128::from(SECS_PER_DAY) * NANOS;
    if mode & MODE_DATETRUST == 0 {
        let start = i128::from(era_start_day(basedate)) * day_ns;
        return (start, start + 7168 * day_ns);
    }
    let slack = day_ns / 2 + 2 * NANOS;
    let lo = i128::from(days_from_civil(1980, 1, 1)) * day_ns;
    let hi = i128::from(days_from_civil(10000, 1, 1)) * day_ns;
    ((lo).min(t_lo) - slack, hi.max(t_hi) + slack)
}

/// What the checker knows about the run so far.
struct Checker {
    mode: u32,
    basedate: Basedate,
    flag1: bool,
    time1: f64,
    time2: f64,
    edge_kind: PpsEdgeKind,
    last_edge: Option<PpsEdge>,
    rec_lo: i128,
    rec_hi: i128,
    samples: u64,
    /// Smallest and largest offset since the last filtered result.
    since_filter: Option<(f64, f64)>,
    since_filter_count: usize,
    status: ClockEvent,
    counters: Counters,
    totals: Tally,
}

/// Which call produced the actions being checked.
#[derive(Clone, Copy)]
enum Call {
    Receive(Timestamp),
    Poll,
    Other,
}

/// Runs the script in `data`; returns the number of samples taken.
pub fn nmea_driver(data: &[u8]) -> usize {
    let mut input = Input::new(data);
    let header = Header::decode(&mut input);
    let mode = header.mode();
    let flags = ClockFlags::from_bits_truncate(header.flags & 0xf);
    let time1 = f64::from(header.time1_ms) / 1000.0;
    let time2 = f64::from(header.time2_ms) / 1000.0;
    let basedate = Basedate::from_unix_day(BASEDATE_DAY0 + i64::from(header.basedate));
    let mut driver = NmeaDriver::new(DriverConfig {
        unit: header.flags >> 4,
        fudge: Fudge {
            time1: Some(time1),
            time2: Some(time2),
            flags,
            mode,
            ..Fudge::default()
        },
        poll: 4,
        basedate,
        ..DriverConfig::default()
    });
    let spec = driver
        .startup()
        .expect("the NMEA driver starts in any mode");
    let serial = spec.serial.expect("a serial device");
    assert_eq!(serial.baud, baud_rate(mode));
    assert_eq!(spec.pps.is_some(), flags.contains(ClockFlags::FLAG1));
    assert_eq!(driver.wants_pps(), flags.contains(ClockFlags::FLAG1));

    let mut now = header.start_time();
    let mut c = Checker {
        mode,
        basedate,
        flag1: flags.contains(ClockFlags::FLAG1),
        time1,
        time2,
        edge_kind: if flags.contains(ClockFlags::FLAG2) {
            PpsEdgeKind::Clear
        } else {
            PpsEdgeKind::Assert
        },
        last_edge: None,
        rec_lo: i128::MAX,
        rec_hi: i128::MIN,
        samples: 0,
        since_filter: None,
        since_filter_count: 0,
        status: driver.clock().status,
        counters: driver.clock().counters,
        totals: driver.totals(),
    };
    c.drain(&mut driver, Call::Other);
    let mut sequence = 0u32;
    while let Some(op) = next_op(&mut input) {
        match op {
            OpRef::Data(bytes) => {
                c.rec_lo = c.rec_lo.min(now.as_nanos());
                c.rec_hi = c.rec_hi.max(now.as_nanos());
                driver.receive(bytes, now);
                c.drain(&mut driver, Call::Receive(now));
            }
            OpRef::Command(cmd, arg) => match cmd & 7 {
                0 => now = shift(now, i128::from(arg) * 1_000_000),
                1 => now = shift(now, i128::from(arg) * NANOS),
                2 => {
                    for _ in 0..=(arg % 64) {
                        now = shift(now, NANOS);
                        driver.timer(now);
                        c.drain(&mut driver, Call::Other);
                    }
                }
                3 => {
                    driver.poll(now);
                    c.drain(&mut driver, Call::Poll);
                    assert_eq!(driver.tally(), Tally::default(), "poll clears the tally");
                }
                4 => {
                    sequence = sequence.wrapping_add(1);
                    let edge = PpsEdge {
                        time: shift(now, i128::from(arg as i16) * 100_000),
                        sequence,
                        kind: if cmd & 8 != 0 {
                            PpsEdgeKind::Clear
                        } else {
                            PpsEdgeKind::Assert
                        },
                    };
                    if edge.kind == c.edge_kind {
                        c.last_edge = Some(edge);
                    }
                    driver.pps(edge);
                    c.drain(&mut driver, Call::Other);
                }
                5 => {
                    driver.device_lost();
                    driver.device_reopened();
                    c.drain(&mut driver, Call::Other);
                }
                6 => now = shift(now, -i128::from(arg) * 1_000_000),
                _ => {
                    now = Timestamp::from_nanos(
                        i128::from(now.secs()) * NANOS + i128::from(arg) * FRACTION_UNIT,
                    )
                }
            },
        }
    }
    driver.shutdown();
    c.drain(&mut driver, Call::Other);
    c.samples as usize
}

fn shift(t: Timestamp, nanos: i128) -> Timestamp {
    Timestamp::from_nanos(t.as_nanos() + nanos)
}

impl Checker {
    /// Drains and checks the driver's actions after one call.
    fn drain(&mut self, driver: &mut NmeaDriver, call: Call) {
        let mut clockstats = 0;
        while let Some(action) = driver.next_action() {
            match action {
                Action::Sample(s) => {
                    let Call::Receive(t) = call else {
                        panic!("sample {s:?} outside receive()");
                    };
                    self.check_sample(s.time, s.offset, s.leap, t);
                }
                Action::Filtered(f) => {
                    assert!(matches!(call, Call::Poll), "filtered result outside poll()");
                    assert!(f.offset.is_finite() && f.jitter.is_finite() && f.jitter >= 0.0);
                    assert!(1 <= f.kept && f.kept <= f.n && f.n <= 60, "{f:?}");
                    assert!(
                        f.n <= self.since_filter_count,
                        "{f:?}: more than were taken"
                    );
                    let (lo, hi) = self.since_filter.expect("samples before a filtered result");
                    let tol = 1e-9 * (1.0 + lo.abs().max(hi.abs()));
                    assert!(
                        lo - tol <= f.offset && f.offset <= hi + tol,
                        "filtered offset {} outside [{lo}, {hi}]",
                        f.offset
                    );
                    self.since_filter = None;
                    self.since_filter_count = 0;
                }
                Action::Event(e) => {
                    assert_ne!(e, self.status, "an event that changes nothing");
                    self.status = e;
                }
                Action::ClockStats(line) => {
                    assert!(!line.contains('\n'));
                    clockstats += 1;
                }
                Action::Log(_) => {}
                a @ (Action::Write(_) | Action::ModemLines { .. }) => {
                    panic!("the NMEA driver asked for {a:?}")
                }
            }
        }
        if matches!(call, Call::Poll) {
            assert_eq!(clockstats, 1, "one clockstats line per poll");
        } else if self.mode & MODE_DELAYMEAS == 0 {
            assert_eq!(clockstats, 0, "clockstats outside poll() without mode 0x80");
        }
        self.check_counters(driver);
    }

    fn check_sample(&mut self, time: Timestamp, offset: f64, leap: Leap, rectime: Timestamp) {
        assert!(offset.is_finite(), "offset {offset}");
        assert_eq!(leap, Leap::NoWarning, "a sample from a clock not in sync");
        let rcv = rectime.add_secs_f64(-self.time2);
        if time != rcv {
            assert!(
                self.flag1,
                "sample time {time:?}, receive time − time2 {rcv:?}"
            );
            let edge = self.last_edge.expect("a PPS-moved sample without an edge");
            let stamp = edge.time.add_secs_f64(-self.time1);
            let moved = time.as_nanos() - rcv.as_nanos();
            assert!(moved.abs() < NANOS, "PPS moved the sample by {moved} ns");
            assert_eq!(
                (time.as_nanos() - stamp.as_nanos()).rem_euclid(NANOS),
                0,
                "PPS-moved sample {time:?} not on the phase of {stamp:?}"
            );
        }
        self.samples += 1;
        self.since_filter_count += 1;
        self.since_filter = Some(match self.since_filter {
            None => (offset, offset),
            Some((lo, hi)) => (lo.min(offset), hi.max(offset)),
        });

        // The sample times this run can produce, and the reference window.
        // PPS moves a sample by less than 1 s; 1 ms more covers rounding.
        let slack = NANOS + 1_000_000;
        let t2 = (self.time2 * 1e9).round() as i128;
        let t_lo = self.rec_lo - t2 - slack;
        let t_hi = self.rec_hi - t2 + slack;
        assert!((t_lo..=t_hi).contains(&time.as_nanos()));
        let (w_lo, w_hi) = ref_window(self.mode, &self.basedate, t_lo, t_hi);
        let reftime = time.as_nanos() + (offset * 1e9).round() as i128;
        let tol = 1_000_000; // 1 ms: an f64 offset of 10^11 s is good to ~10 µs
        assert!(
            w_lo - tol <= reftime && reftime < w_hi + tol,
            "reference time {} outside [{w_lo}, {w_hi}) ns (mode {:#x})",
            reftime,
            self.mode
        );
        let bound = (w_hi - t_lo).max(t_hi - w_lo) as f64 / 1e9;
        assert!(offset.abs() <= bound + 1e-3, "|offset| {offset} > {bound}");
    }

    fn check_counters(&mut self, driver: &NmeaDriver) {
        let c = driver.clock().counters;
        let old = self.counters;
        assert!(
            c.polls >= old.polls
                && c.noreply >= old.noreply
                && c.badformat >= old.badformat
                && c.baddata >= old.baddata
                && c.samples >= old.samples,
            "counters went back: {old:?} -> {c:?}"
        );
        assert_eq!(c.samples, self.samples, "samples counted vs. emitted");
        self.counters = c;

        let t = driver.totals();
        let fields = |t: &Tally| {
            [
                t.total,
                t.accepted,
                t.rejected,
                t.malformed,
                t.filtered,
                t.pps_used,
                t.unknown,
                t.invalid,
                t.dropped,
            ]
        };
        let (new, prev, tally) = (fields(&t), fields(&self.totals), fields(&driver.tally()));
        for i in 0..new.len() {
            assert!(
                new[i] >= prev[i],
                "totals went back: {:?} -> {t:?}",
                self.totals
            );
            assert!(tally[i] <= new[i], "tally above totals");
        }
        assert_eq!(
            t.total,
            t.accepted + t.rejected + t.malformed + t.filtered + t.unknown,
            "totals do not add up: {t:?}"
        );
        assert!(t.pps_used <= t.accepted);
        assert_eq!(t.accepted, self.samples, "one sample per accepted sentence");
        self.totals = t;

        assert_eq!(driver.clock().status, self.status, "status vs. events");
        let code = driver.clock().timecode();
        assert!(code.len() < 128 && code.bytes().all(|b| (0x20..0x7f).contains(&b)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            // 2024-01-01 as the start, a 2020 base date.
            start: 757_382_400,
            basedate: (18_262 - BASEDATE_DAY0) as u16,
            ..Header::default()
        }
    }

    #[test]
    fn script_round_trip() {
        let ops = vec![
            Op::Data(b"$GPZDA,000001.00,01,01,2024,00,00\r\n".to_vec()),
            Op::AdvanceMs(250),
            Op::Ticks(3),
            Op::Poll,
            Op::Pps {
                offset: -42,
                clear: true,
            },
            Op::DeviceLost,
            Op::BackMs(7),
            Op::SetFraction(65_535),
            Op::AdvanceSecs(9),
        ];
        let h = Header {
            mode_bits: 0xa5a5,
            flags: 0x35,
            time1_ms: -3,
            time2_ms: 400,
            start_fraction: 0xff_ffff,
            ..header()
        };
        assert_eq!(decode(&encode(&h, &ops)), (h, ops));
        assert_eq!(Header::mode_bits_for(h.mode()), h.mode_bits);
    }

    #[test]
    fn zda_gives_samples_at_the_receive_time() {
        let mut ops = vec![];
        for s in 1..=5u8 {
            ops.push(Op::Data(
                format!("$GPZDA,0000{s:02}.00,01,01,2024,00,00\r\n").into_bytes(),
            ));
            ops.push(Op::Ticks(0));
        }
        ops.push(Op::Poll);
        let h = Header {
            time2_ms: 100,
            ..header()
        };
        assert_eq!(nmea_driver(&encode(&h, &ops)), 5);
    }

    #[test]
    fn not_in_sync_gives_nothing() {
        let ops = [Op::Data(
            b"$GPRMC,000001,V,4916.45,N,12311.12,W,000.5,054.7,010124,020.3,E*71\r\n".to_vec(),
        )];
        assert_eq!(nmea_driver(&encode(&header(), &ops)), 0);
    }

    #[test]
    fn windows() {
        let base = Basedate::from_ymd(2020, 1, 1).unwrap();
        let (lo, hi) = ref_window(0, &base, 0, 0);
        assert_eq!(hi - lo, 1024 * 7 * 86_400 * NANOS);
        assert!(lo <= 1_577_836_800 * NANOS + 7 * 86_400 * NANOS);
        let (lo, hi) = ref_window(MODE_DATETRUST, &base, 0, 0);
        assert!(lo < 315_532_800 * NANOS && hi > 253_402_300_800 * NANOS);
    }
}
