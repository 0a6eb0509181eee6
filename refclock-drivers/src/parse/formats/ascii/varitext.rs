//! Varitext (clk_varitext.c): `T:YY:MM:DD:WD:HH:MM:SS<CR><LF>` in UK
//! civil time, then a status character and three checksum characters;
//! the `T` of `T:` on time. Its own framer: a frame starts at `T:` and
//! ends four bytes after the CR LF.

use refclock_core::calendar::CivilTime;
use refclock_core::Timestamp;

use super::computime::body;
use super::libparse::{stoi, strok, Buffer, Conv, Fields, Frame};
use crate::parse::time::Status;

/// The frame's layout (status and checksum any bytes).
pub const MASK: &[u8] = b"T:  :  :  :  :  :  :  \r\n    ";
/// libparse's buffer size.
pub const SIZE: usize = 30;

/// Status bit: initialised (else the time is invalid).
pub const INITIALISED: u8 = 0x01;
/// Status bit: synchronised.
pub const SYNCHRONISED: u8 = 0x02;
/// Status bit: alarm.
pub const ALARM: u8 = 0x04;
/// Status bit: British Summer Time (UTC+1), else GMT.
pub const BST: u8 = 0x08;
/// Status bit: a change of season within about an hour.
pub const SEASON_CHANGE: u8 = 0x10;
/// Status bit: the last MSF telegram was good.
pub const LAST_OK: u8 = 0x20;
/// Status bit: always set.
pub const ALWAYS: u8 = 0x40;

/// `cvt_varitext`, with the status bits libparse leaves commented out
/// read as they are documented (see the module documentation).
pub fn convert(buf: &[u8]) -> Conv {
    if !strok(buf, MASK) {
        return Conv::None;
    }
    let f = |off| stoi(buf, off, 2);
    let (Some(day), Some(month), Some(year), Some(hour), Some(minute), Some(second)) =
        (f(8), f(5), f(2), f(14), f(17), f(20))
    else {
        return Conv::Fail(super::bad(
            "Varitext Radio Clock",
            "a field is not a number",
        ));
    };
    let s = buf[24];
    let mut status = 0;
    let mut utc_offset = 0;
    if s & BST != 0 {
        utc_offset = -3600;
        status |= Status::DST;
    }
    if s & INITIALISED == 0 {
        status |= Status::POWERUP;
    }
    if s & SYNCHRONISED == 0 {
        status |= Status::NOSYNC;
    }
    if s & SEASON_CHANGE != 0 {
        status |= Status::ANNOUNCE;
    }
    Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        utc_offset,
        ..Fields::default()
    }
    .time(status)
    .into()
}

/// The frame for UK civil time `t`, weekday and status bits (`ALWAYS`
/// added); the checksum is sent as `000` (neither side checks it).
pub fn encode(t: &CivilTime, weekday: u8, bits: u8) -> Vec<u8> {
    let mut v = format!("{}\r\n", body(t, weekday)).into_bytes();
    v.push(ALWAYS | (bits & 0x3f));
    v.extend_from_slice(b"000");
    v
}

/// `inp_varitext`'s state: a frame starts at `T:`, stamped with the read
/// that held the `T`, and ends with the fourth byte after its CR LF (a
/// NUL is appended, as libparse does).
#[derive(Clone, Debug)]
pub struct Framer {
    buf: Buffer,
    start_found: bool,
    end_found: bool,
    end_count: u8,
    previous: u8,
    t_time: Timestamp,
    stime: Timestamp,
}

impl Default for Framer {
    fn default() -> Self {
        Framer {
            buf: Buffer::new(SIZE),
            start_found: false,
            end_found: false,
            end_count: 0,
            previous: 0,
            t_time: Timestamp::EPOCH,
            stime: Timestamp::EPOCH,
        }
    }
}

impl Framer {
    /// Forgets everything (libparse's `memset` of its state; the buffer
    /// is restarted by the next `T:`).
    fn forget(&mut self) {
        self.start_found = false;
        self.end_found = false;
        self.end_count = 0;
        self.previous = 0;
        self.t_time = Timestamp::EPOCH;
    }

    /// Forgets the frame under way and the buffer.
    pub fn reset(&mut self) {
        self.forget();
        self.buf.clear();
    }

    /// One byte (parity bit already stripped); a frame when one ends.
    pub fn input(&mut self, ch: u8, rectime: Timestamp) -> Option<Frame> {
        if ch == b'T' {
            self.t_time = rectime;
        }
        if self.previous == b'T' && ch == b':' {
            self.buf.start(b'T');
            self.stime = self.t_time;
            self.start_found = true;
            self.end_found = false;
            self.end_count = 0;
        }
        if self.start_found {
            if let Some(bytes) = self.buf.add(ch) {
                self.forget();
                return Some(Frame {
                    bytes,
                    stime: self.stime,
                });
            }
            if self.end_found {
                self.end_count += 1;
                if self.end_count == 4 {
                    self.forget();
                    let bytes = self.buf.end_with(0);
                    return Some(Frame {
                        bytes,
                        stime: self.stime,
                    });
                }
            }
            if self.previous == b'\r' && ch == b'\n' {
                self.end_found = true;
            }
        }
        self.previous = ch;
        None
    }
}
