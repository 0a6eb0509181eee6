//! The driver script: fuzz bytes read as a driver configuration and a
//! sequence of device reads and host events.
//!
//! ## Format
//!
//! A 16-byte [`Header`] (missing bytes read as 0):
//!
//! | bytes | meaning |
//! |---|---|
//! | 0-1 | `u16`: bit *i* adds the driver's `MODE_BITS[i]` to the mode |
//! | 2 | bits 0-3: `flag1`..`flag4`; bits 4-7: unit |
//! | 3-4 | `i16`: `time1` in ms |
//! | 5-6 | `i16`: `time2` in ms |
//! | 7-8 | `u16`: base date, days after 1979-12-30 (Unix day 3650) |
//! | 9-12 | `u32`: start time, seconds after 2000-01-01 |
//! | 13-15 | `u24`: start time's fraction, units of 59 ns |
//!
//! Then the script. Bytes other than [`ESC`] (0xFF) are device data: each
//! run of them is one read at the current time. [`ESC`] is followed by a
//! command byte `c` and a `u16` argument `a`; `c`'s low three bits say what
//! to do ([`Op`]):
//!
//! | `c & 7` | op |
//! |---|---|
//! | 0 | the clock moves on `a` ms |
//! | 1 | the clock moves on `a` s |
//! | 2 | 1 + `a` mod 64 times: one second passes, then the timer |
//! | 3 | a poll |
//! | 4 | a PPS edge at now + `a` (as `i16`) × 100 µs, the clear edge when `c & 8`; with `c & 16` a failed PPS fetch instead; with both, a device byte 0xFF (a read of its own) |
//! | 5 | to port `c >> 5`, by `(c >> 3) & 3`: 0 lost and reopened, 1 a failed write, 2 lost, 3 reopened |
//! | 6 | the system clock steps back `a` ms |
//! | 7 | by `(c >> 3) & 3`: 0 the current second's fraction becomes `a` × 15 259 ns; 1 device data goes to port `a`; 2 the modem status lines become `a`'s bits 0-3 (DSR, DCD, CTS, RI); 3 the system leap indicator becomes `a` mod 4 |
//!
//! A device byte 0xFF is thus `ESC 0x1C a a` (a read of that byte alone,
//! as binary protocols need it: the Zodiac sync word is `FF 81`); the
//! encoder writes every 0xFF of [`Op::Data`] so.

use refclock_core::calendar::Basedate;
use refclock_core::port::ModemStatus;
use refclock_core::rng::Rng;
use refclock_core::{ClockFlags, DriverConfig, Fudge, Leap, Timestamp};

use super::input::Input;

/// The escape byte that starts a command.
pub const ESC: u8 = 0xFF;
/// The command byte of a device byte 0xFF.
pub const DATA_FF: u8 = 4 | 8 | 16;
/// Length of the header.
pub const HEADER_LEN: usize = 16;
/// Unix day of the base date for a header value of 0 (1979-12-30).
pub const BASEDATE_DAY0: i64 = 3650;
/// Unix time of a start value of 0 (2000-01-01).
pub const START0: i64 = 946_684_800;
/// Nanoseconds per unit of the start fraction.
pub const START_FRACTION_UNIT: u32 = 59;
/// Nanoseconds per unit of [`Op::SetFraction`].
pub const FRACTION_UNIT: i128 = 15_259;

/// Mode bits for a driver without a table of its own: bit *i* is `1 << i`.
pub const PLAIN_MODE_BITS: [u32; 16] = {
    let mut t = [0u32; 16];
    let mut i = 0;
    while i < 16 {
        t[i] = 1 << i;
        i += 1;
    }
    t
};

/// The header: driver configuration and start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Header {
    /// Bit *i* adds the driver's `MODE_BITS[i]`.
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
    /// The mode the bits select from `table`.
    pub fn mode(&self, table: &[u32; 16]) -> u32 {
        (0..16)
            .filter(|i| self.mode_bits & (1 << i) != 0)
            .fold(0, |m, i| m | table[i])
    }

    /// The header bits that give `mode` from `table` (bits of `mode`
    /// outside the table are dropped).
    pub fn mode_bits_for(mode: u32, table: &[u32; 16]) -> u16 {
        (0..16)
            .filter(|&i| table[i] != 0 && mode & table[i] == table[i])
            .fold(0, |m, i| m | 1 << i)
    }

    /// The base date.
    pub fn basedate(&self) -> Basedate {
        Basedate::from_unix_day(BASEDATE_DAY0 + i64::from(self.basedate))
    }

    /// The start time.
    pub fn start_time(&self) -> Timestamp {
        Timestamp::new(
            START0 + i64::from(self.start),
            (self.start_fraction & 0xff_ffff) * START_FRACTION_UNIT,
        )
    }

    /// A header for a start time and base date (seconds and days since
    /// the Unix epoch, clamped to what the header can say), the rest 0.
    pub fn at(start: i64, basedate_day: i64) -> Header {
        Header {
            start: (start - START0).clamp(0, u32::MAX.into()) as u32,
            basedate: (basedate_day - BASEDATE_DAY0).clamp(0, u16::MAX.into()) as u16,
            ..Header::default()
        }
    }

    /// The driver configuration: unit, fudge (time1, time2, flags, mode
    /// from `table`) and base date.
    pub fn config(&self, table: &[u32; 16]) -> DriverConfig {
        DriverConfig {
            unit: self.flags >> 4,
            fudge: Fudge {
                time1: Some(f64::from(self.time1_ms) / 1000.0),
                time2: Some(f64::from(self.time2_ms) / 1000.0),
                flags: ClockFlags::from_bits_truncate(self.flags & 0xf),
                mode: self.mode(table),
                ..Fudge::default()
            },
            basedate: self.basedate(),
            ..DriverConfig::default()
        }
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

    /// Reads the header from the front of `input`.
    pub fn decode(input: &mut Input<'_>) -> Header {
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

/// What happens to a port ([`Op::Port`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortOp {
    /// Lost, then reopened at once (a USB adapter's hiccup).
    Bounce,
    /// A write failed.
    WriteFailed,
    /// Lost (nothing is read from it until it is reopened).
    Lost,
    /// Reopened by the host (ports it keeps open only).
    Reopened,
}

/// One step of the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Device bytes, one read at the current time (encoded with every
    /// 0xFF replaced by 0x7F).
    Data(Vec<u8>),
    /// The clock moves on by this many milliseconds.
    AdvanceMs(u16),
    /// The clock moves on by this many seconds.
    AdvanceSecs(u16),
    /// 1 + (n mod 64) times: one second passes, then the timer.
    Ticks(u16),
    /// A poll.
    Poll,
    /// A PPS edge at the current time plus `offset` × 100 µs.
    Pps {
        /// Edge time relative to now, units of 100 µs.
        offset: i16,
        /// The clear (falling) edge rather than the assert edge.
        clear: bool,
    },
    /// A PPS fetch failed.
    PpsFault,
    /// Something happens to a port.
    Port {
        /// Its index.
        port: u8,
        /// What.
        op: PortOp,
    },
    /// The system clock steps back this many milliseconds.
    BackMs(u16),
    /// The current second's fraction becomes `n` × [`FRACTION_UNIT`] ns.
    SetFraction(u16),
    /// Device data goes to this port from now on.
    DataPort(u16),
    /// The modem status lines: bits 0-3 are DSR, DCD, CTS, RI.
    Modem(u16),
    /// The system leap indicator becomes this code (mod 4).
    HostLeap(u16),
}

impl Op {
    /// Appends the op's bytes.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        if let Op::Data(d) = self {
            for &b in d {
                if b == ESC {
                    out.extend_from_slice(&[ESC, DATA_FF, 0, 0]);
                } else {
                    out.push(b);
                }
            }
            return;
        }
        let mut cmd = |c: u8, arg: u16| {
            out.push(ESC);
            out.push(c);
            out.extend_from_slice(&arg.to_le_bytes());
        };
        match self {
            Op::Data(_) => unreachable!("written above"),
            Op::AdvanceMs(n) => cmd(0, *n),
            Op::AdvanceSecs(n) => cmd(1, *n),
            Op::Ticks(n) => cmd(2, *n),
            Op::Poll => cmd(3, 0),
            Op::Pps { offset, clear } => cmd(4 | if *clear { 8 } else { 0 }, *offset as u16),
            Op::PpsFault => cmd(4 | 16, 0),
            Op::Port { port, op } => {
                let sub = match op {
                    PortOp::Bounce => 0,
                    PortOp::WriteFailed => 1,
                    PortOp::Lost => 2,
                    PortOp::Reopened => 3,
                };
                cmd(5 | sub << 3 | (port & 7) << 5, 0)
            }
            Op::BackMs(n) => cmd(6, *n),
            Op::SetFraction(n) => cmd(7, *n),
            Op::DataPort(n) => cmd(7 | 1 << 3, *n),
            Op::Modem(n) => cmd(7 | 2 << 3, *n),
            Op::HostLeap(n) => cmd(7 | 3 << 3, *n),
        }
    }

    fn command(c: u8, a: u16) -> Op {
        match c & 7 {
            0 => Op::AdvanceMs(a),
            1 => Op::AdvanceSecs(a),
            2 => Op::Ticks(a),
            3 => Op::Poll,
            4 if c & 16 != 0 => Op::PpsFault,
            4 => Op::Pps {
                offset: a as i16,
                clear: c & 8 != 0,
            },
            5 => Op::Port {
                port: c >> 5,
                op: match (c >> 3) & 3 {
                    0 => PortOp::Bounce,
                    1 => PortOp::WriteFailed,
                    2 => PortOp::Lost,
                    _ => PortOp::Reopened,
                },
            },
            6 => Op::BackMs(a),
            _ => match (c >> 3) & 3 {
                0 => Op::SetFraction(a),
                1 => Op::DataPort(a),
                2 => Op::Modem(a),
                _ => Op::HostLeap(a),
            },
        }
    }

    /// The modem status lines of [`Op::Modem`]'s argument.
    pub fn modem_status(bits: u16) -> ModemStatus {
        ModemStatus {
            dsr: bits & 1 != 0,
            dcd: bits & 2 != 0,
            cts: bits & 4 != 0,
            ri: bits & 8 != 0,
        }
    }

    /// The leap indicator of [`Op::HostLeap`]'s argument.
    pub fn host_leap(code: u16) -> Leap {
        Leap::from_code((code % 4) as u8).unwrap_or_default()
    }
}

/// A script step borrowed from the input (data is not copied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// A run of device bytes.
    Data(&'a [u8]),
    /// A command (never [`Op::Data`]).
    Command(Op),
}

/// Streams the steps of a script after its header.
#[derive(Clone, Debug)]
pub struct Steps<'a> {
    input: Input<'a>,
}

impl<'a> Steps<'a> {
    /// The header of `data` and the steps after it.
    pub fn new(data: &'a [u8]) -> (Header, Steps<'a>) {
        let mut input = Input::new(data);
        let header = Header::decode(&mut input);
        (header, Steps { input })
    }
}

impl<'a> Iterator for Steps<'a> {
    type Item = Step<'a>;

    fn next(&mut self) -> Option<Step<'a>> {
        if self.input.is_empty() {
            return None;
        }
        let rest = self.input.rest();
        match rest.iter().position(|&b| b == ESC) {
            Some(0) => {
                self.input = Input::new(&rest[1..]);
                let c = self.input.u8();
                let a = self.input.u16();
                if c & DATA_FF == DATA_FF && c & 7 == 4 {
                    return Some(Step::Data(&[ESC]));
                }
                Some(Step::Command(Op::command(c, a)))
            }
            Some(n) => {
                self.input = Input::new(&rest[n..]);
                Some(Step::Data(&rest[..n]))
            }
            None => Some(Step::Data(rest)),
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

/// A whole input as its header and script (for tests and tools).
pub fn decode(data: &[u8]) -> (Header, Vec<Op>) {
    let (header, steps) = Steps::new(data);
    let ops = steps
        .map(|s| match s {
            Step::Data(d) => Op::Data(d.to_vec()),
            Step::Command(op) => op,
        })
        .collect();
    (header, ops)
}

/// `data` cut into random reads of 1 to `max_read` bytes, with host
/// events between them as a busy host has them: the clock moves on 0-999
/// ms before each read, and now and then a timer tick (1 in 8), a PPS
/// edge on the second (1 in 8), a poll (1 in 64), a lost and reopened
/// port (1 in 256). Reproducible from `rng`.
pub fn busy_host(rng: &mut Rng, data: &[u8], max_read: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let n = (rng.up_to(max_read.max(1) as u64 - 1) as usize + 1).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        ops.push(Op::AdvanceMs(rng.up_to(999) as u16));
        match rng.up_to(255) {
            0..=31 => ops.push(Op::Ticks(0)),
            32..=63 => ops.push(Op::Pps {
                offset: -(rng.up_to(9_999) as i16),
                clear: false,
            }),
            64..=67 => ops.push(Op::Poll),
            68 => ops.push(Op::Port {
                port: 0,
                op: PortOp::Bounce,
            }),
            _ => {}
        }
        ops.push(Op::Data(chunk.to_vec()));
        rest = tail;
    }
    ops.push(Op::Ticks(2));
    ops.push(Op::Poll);
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_round_trip() {
        let ops = vec![
            Op::Data(b"$GPZDA,000001.00,01,01,2024,00,00\r\n".to_vec()),
            Op::AdvanceMs(250),
            Op::Ticks(3),
            Op::Poll,
            Op::Pps {
                offset: -42,
                clear: true,
            },
            Op::PpsFault,
            Op::Port {
                port: 1,
                op: PortOp::Lost,
            },
            Op::Port {
                port: 0,
                op: PortOp::Bounce,
            },
            Op::Port {
                port: 7,
                op: PortOp::WriteFailed,
            },
            Op::Port {
                port: 0,
                op: PortOp::Reopened,
            },
            Op::BackMs(7),
            Op::SetFraction(65_535),
            Op::DataPort(1),
            Op::Modem(0b1010),
            Op::HostLeap(3),
            Op::AdvanceSecs(9),
        ];
        let h = Header {
            mode_bits: 0xa5a5,
            flags: 0x35,
            time1_ms: -3,
            time2_ms: 400,
            basedate: 18_262 - BASEDATE_DAY0 as u16,
            start: 757_382_400,
            start_fraction: 0xff_ffff,
        };
        assert_eq!(decode(&encode(&h, &ops)), (h, ops));
        assert_eq!(decode(&[]), (Header::default(), vec![]));
        // 0xFF in data is a read of its own.
        let (_, ops) = decode(&encode(&h, &[Op::Data(vec![1, ESC, 2, ESC, ESC])]));
        let d = |b: &[u8]| Op::Data(b.to_vec());
        assert_eq!(ops, [d(&[1]), d(&[ESC]), d(&[2]), d(&[ESC]), d(&[ESC])]);
        // The fetch failure keeps its encoding.
        let (_, ops) = decode(&[&h.encode()[..], &[ESC, 4 | 16, 0, 0]].concat());
        assert_eq!(ops, [Op::PpsFault]);
    }

    #[test]
    fn header_values() {
        let table = PLAIN_MODE_BITS;
        let h = Header {
            mode_bits: 0b101,
            flags: 0x3b,
            time1_ms: -250,
            time2_ms: 1500,
            ..Header::at(1_704_067_200, 20_000)
        };
        let c = h.config(&table);
        assert_eq!(c.unit, 3);
        assert_eq!(c.fudge.mode, 0b101);
        assert_eq!(
            c.fudge.flags,
            ClockFlags::FLAG1 | ClockFlags::FLAG2 | ClockFlags::FLAG4
        );
        assert_eq!((c.fudge.time1(), c.fudge.time2()), (-0.25, 1.5));
        assert_eq!(c.basedate.unix_day(), 20_000);
        assert_eq!(h.start_time(), Timestamp::from_secs(1_704_067_200));
        let odd = [0x80, 0, 0x1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x400];
        assert_eq!(Header::mode_bits_for(0x481, &odd), 0b1000_0000_0000_0101);
        assert_eq!(Header::at(0, 0), Header::default());
    }

    #[test]
    fn a_busy_host_delivers_every_byte() {
        let data: Vec<u8> = (0..200).collect();
        let ops = busy_host(&mut Rng::new(3), &data, 17);
        let bytes: Vec<u8> = ops
            .iter()
            .filter_map(|o| match o {
                Op::Data(d) => Some(d.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        assert_eq!(bytes, data);
        assert!(ops.iter().any(|o| matches!(o, Op::Ticks(0))));
        assert_eq!(ops.last(), Some(&Op::Poll));
    }
}
