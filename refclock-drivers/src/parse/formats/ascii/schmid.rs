//! Schmid WS/DCF (clk_schmid.c): the answer to the poll byte `s`
//! (0x73: time, date, clock status, transmitter status, backup time), 10
//! binary bytes and the end byte 0xFD.

use refclock_core::calendar::CivilTime;

use super::libparse::{Conv, Fields};
use crate::parse::time::{ParseError, Status};

/// The poll byte ntpd sends every second (`WS_POLLCMD`).
pub const POLL: &[u8] = b"s";
/// The end byte.
pub const END: u8 = 0xFD;
/// The answer's length, end byte included.
pub const LEN: usize = 11;
/// libparse's buffer size.
pub const SIZE: usize = 12;

/// Clock status bit: the time is valid (else never set since power-up).
pub const CLOCK_TIME: u8 = 0x01;
/// Clock status bit: the time is from DCF77 (else from the crystal).
pub const CLOCK_SIGNAL: u8 = 0x02;
/// Transmitter status: the call bit (irregularities at the transmitter).
pub const TX_CALLBIT: u8 = 0x01;
/// Transmitter status: a change of time zone within the hour.
pub const TX_ANNOUNCE: u8 = 0x02;
/// Transmitter status: summer time (MESZ).
pub const TX_MEST: u8 = 0x04;
/// Transmitter status: winter time (MEZ).
pub const TX_MET: u8 = 0x08;
/// Transmitter status: a leap second within the hour.
pub const TX_LEAP: u8 = 0x10;

/// `cvt_schmid`: 11 bytes ending with 0xFD, or not this format.
pub fn convert(buf: &[u8]) -> Conv {
    if buf.len() != 11 || buf[10] != END {
        return Conv::None;
    }
    if buf[0] > 23 || buf[1] > 59 || buf[2] > 59 || buf[3] > 9 {
        return Conv::Fail(ParseError::BadTime(format!(
            "{}:{}:{}.{}",
            buf[0], buf[1], buf[2], buf[3]
        )));
    }
    if !(1..=31).contains(&buf[4]) || !(1..=12).contains(&buf[5]) || buf[6] > 99 {
        return Conv::Fail(ParseError::BadDate(format!(
            "{}.{}.{}",
            buf[4], buf[5], buf[6]
        )));
    }
    let mut status = 0;
    let utc_offset = match buf[8] & (TX_MET | TX_MEST) {
        TX_MET => -3600,
        TX_MEST => {
            status |= Status::DST;
            -7200
        }
        zone => {
            return Conv::Fail(super::bad(
                "Schmid",
                format!("time zone bits {zone:#04x}, expected 0x08 or 0x04"),
            ))
        }
    };
    if buf[7] & CLOCK_TIME == 0 {
        status |= Status::POWERUP;
    }
    if buf[7] & CLOCK_SIGNAL == 0 {
        status |= Status::NOSYNC;
    } else {
        if buf[8] & TX_CALLBIT != 0 {
            status |= Status::CALLBIT;
        }
        if buf[8] & TX_ANNOUNCE != 0 {
            status |= Status::ANNOUNCE;
        }
        if buf[8] & TX_LEAP != 0 {
            status |= Status::LEAPADD;
        }
    }
    Fields {
        year: buf[6].into(),
        month: buf[5].into(),
        day: buf[4].into(),
        hour: buf[0].into(),
        minute: buf[1].into(),
        second: buf[2].into(),
        nanos: u32::from(buf[3]) * 100_000_000,
        utc_offset,
        ..Fields::default()
    }
    .time(status)
    .into()
}

/// The answer for local time `t` (its tenths from `t.nanos`), the clock
/// and transmitter status bytes.
pub fn encode(t: &CivilTime, clock: u8, transmitter: u8) -> Vec<u8> {
    vec![
        t.hour,
        t.minute,
        t.second,
        (t.nanos / 100_000_000) as u8,
        t.day,
        t.month,
        t.year.rem_euclid(100) as u8,
        clock,
        transmitter,
        0,
        END,
    ]
}
