//! ELV DCF7000 (clk_dcf7000.c): `YY-MM-DD-WW-HH-MM-SS-FF<CR>` in local
//! German time, once a second, the CR on time.

use refclock_core::calendar::CivilTime;

use super::libparse::{dd, stoi, strok, Conv, Fields};
use crate::parse::time::Status;

/// The frame's layout (libparse's fixed string; a space is any byte).
pub const MASK: &[u8] = b"  -  -  -  -  -  -  -  \r";
/// libparse's buffer size.
pub const SIZE: usize = 24;

/// `FF` bit: summer time (CEST, UTC+2), else CET (UTC+1).
pub const FLAG_CEST: u8 = 0x1;
/// `FF` bit: a change of time zone is announced.
pub const FLAG_ANNOUNCE: u8 = 0x2;
/// `FF` bit: the time is not confirmed by the signal.
pub const FLAG_NOSYNC: u8 = 0x4;

/// `cvt_dcf7000`. The weekday is not read, nor checked.
pub fn convert(buf: &[u8]) -> Conv {
    if !strok(buf, MASK) {
        return Conv::None;
    }
    let field = |off| stoi(buf, off, 2);
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second), Some(ff)) = (
        field(0),
        field(3),
        field(6),
        field(12),
        field(15),
        field(18),
        field(21),
    ) else {
        return Conv::Fail(super::bad("ELV DCF7000", "a field is not a number"));
    };
    let mut status = 0;
    if ff & i64::from(FLAG_ANNOUNCE) != 0 {
        status |= Status::ANNOUNCE;
    }
    if ff & i64::from(FLAG_NOSYNC) != 0 {
        status |= Status::NOSYNC;
    }
    Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        utc_offset: if ff & i64::from(FLAG_CEST) != 0 {
            -7200
        } else {
            -3600
        },
        ..Fields::default()
    }
    .time(status)
    .into()
}

/// The frame for local time `t` (CET or CEST as `flags` says), weekday
/// `weekday` (1 = Monday .. 7 = Sunday) and the `FF` flags.
pub fn encode(t: &CivilTime, weekday: u8, flags: u8) -> Vec<u8> {
    format!(
        "{}-{}-{}-{}-{}-{}-{}-{}\r",
        dd(t.year.rem_euclid(100)),
        dd(t.month),
        dd(t.day),
        dd(weekday),
        dd(t.hour),
        dd(t.minute),
        dd(t.second),
        dd(flags)
    )
    .into_bytes()
}
