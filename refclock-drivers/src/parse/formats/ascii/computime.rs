//! Diem's Computime (clk_computime.c): `T:YY:MM:DD:WD:HH:MM:SS<CR><LF>`
//! in UTC, the `T` on time. The format has no status: every timecode is
//! taken as synchronised, and the weekday is not read.

use refclock_core::calendar::CivilTime;

use super::libparse::{dd, stoi, strok, Conv, Fields};

/// The frame's layout.
pub const MASK: &[u8] = b"T:  :  :  :  :  :  :  \r\n";
/// libparse's buffer size.
pub const SIZE: usize = 24;

/// `cvt_computime`.
pub fn convert(buf: &[u8]) -> Conv {
    if !strok(buf, MASK) {
        return Conv::None;
    }
    let f = |off| stoi(buf, off, 2);
    let (Some(day), Some(month), Some(year), Some(hour), Some(minute), Some(second)) =
        (f(8), f(5), f(2), f(14), f(17), f(20))
    else {
        return Conv::Fail(super::bad(
            "Diem's Computime Radio Clock",
            "a field is not a number",
        ));
    };
    Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        ..Fields::default()
    }
    .time(0)
    .into()
}

/// The `T:YY:MM:DD:WD:HH:MM:SS` part of a Computime or Varitext frame.
pub fn body(t: &CivilTime, weekday: u8) -> String {
    format!(
        "T:{}:{}:{}:{}:{}:{}:{}",
        dd(t.year.rem_euclid(100)),
        dd(t.month),
        dd(t.day),
        dd(weekday),
        dd(t.hour),
        dd(t.minute),
        dd(t.second)
    )
}

/// The frame for UTC `t` and weekday `weekday`.
pub fn encode(t: &CivilTime, weekday: u8) -> Vec<u8> {
    format!("{}\r\n", body(t, weekday)).into_bytes()
}
