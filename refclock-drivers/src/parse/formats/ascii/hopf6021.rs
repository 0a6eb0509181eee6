//! hopf Funkuhr 6021 (clk_hopf6021.c): `<STX>ABHHMMSSDDMMYY<LF><CR><ETX>`
//! once a second, sent ahead of the second so that the ETX is on time.
//! Example from libparse: `C4110046231195` = Thursday 23.11.95 11:00:46
//! MEZ (winter time), 10:00:46 UTC.

use refclock_core::calendar::CivilTime;

use super::libparse::{dd, hexval, stoi, strok, Conv, Fields};
use crate::parse::time::Status;

/// Start and end bytes.
pub const STX: u8 = 0x02;
/// The end byte, on time.
pub const ETX: u8 = 0x03;
/// The frame's layout.
pub const MASK: &[u8] = b"\x02              \n\r\x03";
/// libparse's buffer size.
pub const SIZE: usize = 19;

/// Status `A`: a change of time zone is announced.
pub const DST_WARN: u8 = 0x1;
/// Status `A`: summer time (MESZ).
pub const DST: u8 = 0x2;
/// Status `A`: mode mask: 0 invalid, 4 internal clock, 8 radio, 12 radio
/// high precision.
pub const MODE: u8 = 0xC;
/// Mode: internal clock (not confirmed by the signal).
pub const INTERNAL: u8 = 0x4;
/// Mode: radio clock.
pub const RADIO: u8 = 0x8;
/// Weekday `B`: the time is UTC (else MEZ/MESZ).
pub const UTC: u8 = 0x8;

/// `cvt_hopf6021`. The weekday is not checked.
pub fn convert(buf: &[u8]) -> Conv {
    if !strok(buf, MASK) {
        return Conv::None;
    }
    let f = |off| stoi(buf, off, 2);
    let (Some(day), Some(month), Some(year), Some(hour), Some(minute), Some(second)) =
        (f(9), f(11), f(13), f(3), f(5), f(7))
    else {
        return Conv::Fail(super::bad("hopf Funkuhr 6021", "a field is not a number"));
    };
    let (Some(a), Some(b)) = (hexval(buf[1]), hexval(buf[2])) else {
        return Conv::Fail(super::bad(
            "hopf Funkuhr 6021",
            format!(
                "status {:?} weekday {:?}, expected hex digits",
                buf[1] as char, buf[2] as char
            ),
        ));
    };
    let mut status = 0;
    let utc_offset = if b & UTC != 0 {
        status |= Status::UTC;
        0
    } else if a & DST != 0 {
        status |= Status::DST;
        -7200
    } else {
        -3600
    };
    if a & DST_WARN != 0 {
        status |= Status::ANNOUNCE;
    }
    match a & MODE {
        0 => status |= Status::POWERUP,
        INTERNAL => status |= Status::NOSYNC,
        _ => {}
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

/// The frame for time `t` (local, or UTC with the `UTC` bit in
/// `weekday`), status digit `a` and weekday digit `weekday` (1 = Monday).
pub fn encode(t: &CivilTime, a: u8, weekday: u8) -> Vec<u8> {
    let mut v = vec![STX];
    v.extend_from_slice(
        format!(
            "{:X}{:X}{}{}{}{}{}{}\n\r",
            a & 0xf,
            weekday & 0xf,
            dd(t.hour),
            dd(t.minute),
            dd(t.second),
            dd(t.day),
            dd(t.month),
            dd(t.year.rem_euclid(100))
        )
        .as_bytes(),
    );
    v.push(ETX);
    v
}
