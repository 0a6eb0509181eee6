//! SEL-240x (clk_sel240x.c), the B8 answer to the poll `BUB8`:
//! `<SOH>YYYY:DDD:HH:MM:SSq<CR><LF>` in UTC, the SOH on time; `q` is
//! the quality: ` ` locked, `.` `*` `#` within 1, 10, 100 µs, `?` worse.

use refclock_core::calendar::CivilTime;

use super::libparse::{strok, Conv, Fields};
use crate::parse::time::{ParseError, Status};

/// The poll ntpd sends once per poll interval (`SEL240X_POLLCMD`).
pub const POLL: &[u8] = b"BUB8";
/// Start byte, on time.
pub const SOH: u8 = 0x01;
/// The frame's layout.
pub const MASK: &[u8] = b"\x01    :   :  :  :   \r\n";
/// libparse's buffer size.
pub const SIZE: usize = 25;

/// A number as glibc's `strptime` reads it at `off` within `len`
/// positions: spaces, then one digit or more.
fn number(buf: &[u8], off: usize, len: usize) -> Option<i64> {
    let field = &buf[off..off + len];
    let digits = field.iter().skip_while(|&&c| c == b' ');
    let mut value = None;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        value = Some(value.unwrap_or(0) * 10 + i64::from(c - b'0'));
    }
    value
}

/// `cvt_sel240x`: the mask, then year, day of year, hour, minute and
/// second as `strptime("%Y:%j:%H:%M:%S")` takes them. A field it would
/// refuse is a bad format here (ntpd dereferences the NULL it returns).
pub fn convert(buf: &[u8]) -> Conv {
    if !strok(buf, MASK) {
        return Conv::None;
    }
    let bad = |what: &str| Conv::Fail(super::bad("SEL B8", what.to_string()));
    let (Some(year), Some(yday), Some(hour), Some(minute), Some(second)) = (
        number(buf, 1, 4),
        number(buf, 6, 3),
        number(buf, 10, 2),
        number(buf, 13, 2),
        number(buf, 16, 2),
    ) else {
        return bad("a field is not a number");
    };
    if !(1..=366).contains(&yday) || hour > 23 || minute > 59 || second > 61 {
        return bad("a field out of strptime's range");
    }
    let Some((month, day)) = month_day(year as i32, yday as u16) else {
        return Conv::Fail(ParseError::BadDate(format!("day {yday} of {year}")));
    };
    let mut status = Status::UTC;
    match buf[18] {
        b'?' => status |= Status::POWERUP,
        b' ' => {}
        _ => status |= Status::NOSYNC,
    }
    Fields {
        year,
        full_year: true,
        month: month.into(),
        day: day.into(),
        hour,
        minute,
        second,
        ..Fields::default()
    }
    .time(status)
    .into()
}

/// Month and day of day-of-year `yday` (1-based) in `year`.
pub fn month_day(year: i32, yday: u16) -> Option<(u8, u8)> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let lengths = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut rest = yday;
    for (m, &len) in lengths.iter().enumerate() {
        if rest >= 1 && rest <= len {
            return Some((m as u8 + 1, rest as u8));
        }
        rest = rest.checked_sub(len)?;
    }
    None
}

/// The answer for UTC `t` with quality character `q`.
pub fn encode(t: &CivilTime, q: u8) -> Vec<u8> {
    let mut v = vec![SOH];
    v.extend_from_slice(
        format!(
            "{:04}:{:03}:{:02}:{:02}:{:02}",
            t.year,
            t.yday(),
            t.hour,
            t.minute,
            t.second
        )
        .as_bytes(),
    );
    v.push(q);
    v.extend_from_slice(b"\r\n");
    v
}
