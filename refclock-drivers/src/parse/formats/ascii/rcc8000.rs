//! Radiocode RCC8000 (clk_rcc8000.c), Type II serial output:
//! `HH:MM:SS.mmm DD/MM/YY DDD W P<CR><LF>`, the answer to a CR, its first
//! byte on time. Example from libparse: `15:50:36.534 30/09/94 273 5 A`.

use refclock_core::calendar::CivilTime;

use super::libparse::{dd, hexval, stoi, strok, Conv, Fields};
use crate::parse::time::Status;

/// The poll ntpd sends once per poll interval (`RCC_POLLCMD`).
pub const POLL: &[u8] = b"\r";
/// The frame's layout.
pub const MASK: &[u8] = b"  :  :  .      /  /          \r\n";
/// libparse's buffer size.
pub const SIZE: usize = 31;

/// Status digit bit: the time is valid.
pub const VALID: u8 = 0x8;
/// Status digit bit: reject code.
pub const REJECT: u8 = 0x4;
/// Status digit bit: British Summer Time is in force (the time is GMT
/// all the same, see the module documentation).
pub const BST: u8 = 0x2;
/// Status digit bit: a leap year.
pub const LEAP_YEAR: u8 = 0x1;

/// `cvt_rcc8000`, except that a status that is not an upper-case hex
/// digit is a bad format (libparse takes it for "in sync").
pub fn convert(buf: &[u8]) -> Conv {
    if !strok(buf, MASK) {
        return Conv::None;
    }
    let f = |off, len| stoi(buf, off, len);
    let (Some(day), Some(month), Some(year), Some(hour), Some(minute), Some(second), Some(ms)) = (
        f(13, 2),
        f(16, 2),
        f(19, 2),
        f(0, 2),
        f(3, 2),
        f(6, 2),
        f(9, 3),
    ) else {
        return Conv::Fail(super::bad("Radiocode RCC8000", "a field is not a number"));
    };
    let p = buf[28];
    let flag = match p {
        b'0'..=b'9' | b'A'..=b'F' => hexval(p).unwrap_or(0),
        _ => {
            return Conv::Fail(super::bad(
                "Radiocode RCC8000",
                format!("status {:?}, expected a hex digit 0-F", p as char),
            ))
        }
    };
    let mut status = Status::UTC;
    if flag & VALID == 0 {
        status |= Status::POWERUP;
    }
    Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos: (ms.clamp(0, 999) * 1_000_000) as u32,
        ..Fields::default()
    }
    .time(status)
    .into()
}

/// The answer for UTC `t` (milliseconds from `t.nanos`), day of year
/// `yday`, weekday `wday` (0 = Sunday) and the status digit `flag`.
pub fn encode(t: &CivilTime, yday: u16, wday: u8, flag: u8) -> Vec<u8> {
    format!(
        "{}:{}:{}.{:03} {}/{}/{} {:03} {} {:X}\r\n",
        dd(t.hour),
        dd(t.minute),
        dd(t.second),
        t.nanos / 1_000_000,
        dd(t.day),
        dd(t.month),
        dd(t.year.rem_euclid(100)),
        yday,
        wday,
        flag & 0xf
    )
    .into_bytes()
}
