//! WHARTON 400A Series clock, output format 1 (clk_wharton.c):
//! `<STX>ssmmhhDDMMYYS<ETX>`, exactly 15 bytes, each two-digit field
//! units first, `S` = `0x30` + status bits; the STX on time.

use refclock_core::calendar::CivilTime;

use super::libparse::Conv;
use super::libparse::Fields;
use crate::parse::time::Status;

/// Start byte, on time.
pub const STX: u8 = 0x02;
/// End byte.
pub const ETX: u8 = 0x03;
/// libparse's buffer size.
pub const SIZE: usize = 15;

/// Status bit: DCF77 (CET) source, else MSF (GMT).
pub const DCF: u8 = 0x1;
/// Status bit: summer time.
pub const SUMMER: u8 = 0x2;
/// Status bit: synchronised.
pub const SYNC: u8 = 0x4;
/// Status bit: early warning of a change of time zone.
pub const WARNING: u8 = 0x8;

/// `cvt_wharton_400a`: anything but exactly STX, 12 digits, a status
/// byte `0`..`?` and ETX is not this format.
pub fn convert(buf: &[u8]) -> Conv {
    if buf.len() != 15
        || buf[0] != STX
        || buf[14] != ETX
        || !(b'0'..=b'0' + 0xf).contains(&buf[13])
        || !buf[1..13].iter().all(u8::is_ascii_digit)
    {
        return Conv::None;
    }
    let rev = |i: usize| i64::from(buf[i + 1] - b'0') * 10 + i64::from(buf[i] - b'0');
    let s = buf[13];
    let mut status = 0;
    let mut utc_offset = if s & DCF != 0 { -3600 } else { 0 };
    if s & SUMMER != 0 {
        status |= Status::DST;
        utc_offset -= 3600;
    }
    if s & SYNC == 0 {
        status |= Status::NOSYNC;
    }
    if s & WARNING != 0 {
        status |= Status::ANNOUNCE;
    }
    Fields {
        second: rev(1),
        minute: rev(3),
        hour: rev(5),
        day: rev(7),
        month: rev(9),
        year: rev(11),
        utc_offset,
        ..Fields::default()
    }
    .time(status)
    .into()
}

/// The frame for local time `t` and the status bits.
pub fn encode(t: &CivilTime, bits: u8) -> Vec<u8> {
    let mut v = vec![STX];
    let year = t.year.rem_euclid(100) as u8;
    for x in [t.second, t.minute, t.hour, t.day, t.month, year] {
        v.push(b'0' + x % 10);
        v.push(b'0' + x / 10);
    }
    v.push(b'0' + (bits & 0xf));
    v.push(ETX);
    v
}
