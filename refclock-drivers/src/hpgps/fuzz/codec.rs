//! `hpgps_decode` and `hpgps_roundtrip`: the SCPI codec against a naive
//! reading of the format, and encode → decode of arbitrary values.
//!
//! [`decode`] takes one line as the driver gets it from its framer (the
//! prompt, then the reply) and checks, besides that nothing panics:
//!
//! * the split: the prompt is empty or ends with the line's last `>`, the
//!   reply starts with neither a space nor a tab, and prompt, blanks and
//!   reply give the line back; the error test is "the last `E` comes after
//!   the last `s`" (no `s` counting as before everything);
//! * a second decoder written from the format description ([`naive`])
//!   agrees with [`decode_reply`]: a timecode exactly when `T2`, 14
//!   digits, 5 characters, 2 hex digits make 23 characters with the right
//!   checksum and a real date and time (second 60 allowed), field for
//!   field; a time zone exactly when a signed hour, a comma, blanks, an
//!   hour with or without sign, each of 1 to 9 digits, are in ntpd's
//!   ranges, value for value;
//! * what decodes encodes back to the same line (the checksum in capitals)
//!   and only a date or time out of range is a bad time.
//!
//! [`roundtrip`] builds a timecode (any date of years 0-9999, second 60,
//! any printable status characters but `>`), a time zone in range and a prompt
//! from the input; the line the receiver would send decodes to exactly
//! them, and the zone's local time goes back to UTC.

use refclock_core::calendar::{days_from_civil, CivilTime};
use refclock_core::ClockEvent;

use crate::hpgps::codec::{
    decode_reply, error_prompt, prompt_reports_error, split_prompt, CodecError, LeapFlag, Reply,
    TimeZone, Timecode, PROMPT,
};
use crate::testkit::Input;

/// Days in a month, Gregorian, written out again.
fn month_days(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// What the naive decoder makes of a reply.
#[derive(Debug, PartialEq, Eq)]
pub enum Naive {
    /// A timecode: year, month, day, hour, minute, second, and the five
    /// status characters.
    Timecode([i64; 6], [u8; 5]),
    /// A time zone: hours and minutes.
    Zone(i64, i64),
    /// A timecode of the right shape and checksum naming a date or time
    /// that does not exist.
    BadTime,
    /// Nothing to decode.
    Nothing,
}

fn number(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > 9 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

fn signed(text: &[u8], sign_required: bool) -> Option<i64> {
    match text.first() {
        Some(b'+') => number(&text[1..]),
        Some(b'-') => number(&text[1..]).map(|n| -n),
        _ if sign_required => None,
        _ => number(text),
    }
}

/// The reply read straight from the format description.
pub fn naive(reply: &[u8]) -> Naive {
    if reply.len() == 23 && reply.starts_with(b"T2") {
        let digits = &reply[2..16];
        let hex = std::str::from_utf8(&reply[21..23]).ok();
        let sum = reply[..21].iter().map(|&b| u32::from(b)).sum::<u32>() % 256;
        if digits.iter().all(u8::is_ascii_digit)
            && hex.is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            && hex.and_then(|h| u32::from_str_radix(h, 16).ok()) == Some(sum)
        {
            let field = |a: usize, b: usize| number(&reply[a..b]).unwrap_or(-1);
            let f = [
                field(2, 6),
                field(6, 8),
                field(8, 10),
                field(10, 12),
                field(12, 14),
                field(14, 16),
            ];
            let ok = (1..=12).contains(&f[1])
                && f[2] >= 1
                && f[2] <= month_days(f[0], f[1].clamp(1, 12))
                && f[3] <= 23
                && f[4] <= 59
                && f[5] <= 60;
            if !ok {
                return Naive::BadTime;
            }
            let mut status = [0; 5];
            status.copy_from_slice(&reply[16..21]);
            return Naive::Timecode(f, status);
        }
        return Naive::Nothing;
    }
    if let Some(comma) = reply.iter().position(|&b| b == b',') {
        let hours = signed(&reply[..comma], true);
        let rest = &reply[comma + 1..];
        let blanks = rest
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let minutes = signed(&rest[blanks..], false);
        if let (Some(h), Some(m)) = (hours, minutes) {
            if (-12..=13).contains(&h) && (-59..=59).contains(&m) {
                return Naive::Zone(h, m);
            }
        }
    }
    Naive::Nothing
}

/// The `hpgps_decode` body: see the module documentation. Returns the
/// number of replies that decoded (0 or 1).
pub fn decode(line: &[u8]) -> usize {
    let (prompt, reply) = split_prompt(line);
    let last_gt = line.iter().rposition(|&b| b == b'>');
    assert_eq!(
        prompt.len(),
        last_gt.map_or(0, |i| i + 1),
        "prompt of {line:?}"
    );
    assert!(!reply.starts_with(b" ") && !reply.starts_with(b"\t"));
    let blanks = &line[prompt.len()..line.len() - reply.len()];
    assert!(blanks.iter().all(|&b| b == b' ' || b == b'\t'));
    let last = |c: u8| prompt.iter().rposition(|&b| b == c);
    let error = match (last(b'E'), last(b's')) {
        (Some(e), Some(s)) => e > s,
        (Some(_), None) => true,
        (None, _) => false,
    };
    assert_eq!(prompt_reports_error(prompt), error, "{prompt:?}");

    let decoded = decode_reply(reply);
    match (&decoded, naive(reply)) {
        (Ok(Reply::Timecode(c)), Naive::Timecode(f, status)) => {
            let t = &c.local;
            let got = [
                i64::from(t.year),
                i64::from(t.month),
                i64::from(t.day),
                i64::from(t.hour),
                i64::from(t.minute),
                i64::from(t.second),
            ];
            assert_eq!(got, f, "{reply:?}");
            assert_eq!(t.nanos, 0);
            let back = [
                c.time_figure,
                c.freq_figure,
                c.leap.byte(),
                c.service,
                c.sync,
            ];
            assert_eq!(back, status);
            assert_eq!(c.in_sync(), status[4] == b'0');
            assert_eq!(c.encode(), reply.to_ascii_uppercase_tail(21));
        }
        (Ok(Reply::TimeZone(z)), Naive::Zone(h, m)) => {
            assert_eq!((i64::from(z.hours), i64::from(z.minutes)), (h, m));
            assert_eq!(TimeZone::decode(z.encode().as_bytes()), Ok(*z));
        }
        (Err(e @ CodecError::OutOfRange { .. }), Naive::BadTime) => {
            assert_eq!(e.event(), ClockEvent::BadTime);
        }
        (Err(e), Naive::Nothing) => {
            assert!(!matches!(e, CodecError::OutOfRange { .. }), "{e}");
            assert_eq!(e.event(), ClockEvent::BadReply);
        }
        (got, naive) => panic!("{reply:?}: decoded {got:?}, naive {naive:?}"),
    }
    usize::from(decoded.is_ok())
}

/// Upper-cases the bytes from `from` on (the checksum's hex digits).
trait UpperTail {
    fn to_ascii_uppercase_tail(&self, from: usize) -> Vec<u8>;
}

impl UpperTail for [u8] {
    fn to_ascii_uppercase_tail(&self, from: usize) -> Vec<u8> {
        let mut v = self.to_vec();
        v[from..].make_ascii_uppercase();
        v
    }
}

/// A printable character (what the framer lets through) but `>`, which
/// would end a prompt inside the timecode (the driver, like ntpd, takes
/// everything up to the last `>` for the prompt).
fn printable(i: &mut Input<'_>) -> u8 {
    match 0x20 + i.u8() % 95 {
        b'>' => b'0',
        c => c,
    }
}

/// A timecode from `i`: any valid date of years 0-9999, second 0-60,
/// printable status characters but `>`.
pub fn arbitrary_timecode(i: &mut Input<'_>) -> Timecode {
    let year = i.u16() % 10_000;
    let month = 1 + i.u8() % 12;
    let days = month_days(i64::from(year), i64::from(month)) as u8;
    let day = 1 + i.u8() % days;
    let local = CivilTime::new(
        i32::from(year),
        month,
        day,
        i.u8() % 24,
        i.u8() % 60,
        i.u8() % 61,
    );
    Timecode {
        local,
        time_figure: printable(i),
        freq_figure: printable(i),
        leap: LeapFlag::from_byte(printable(i)),
        service: printable(i),
        sync: printable(i),
    }
}

/// A time zone in ntpd's range from `i`.
pub fn arbitrary_zone(i: &mut Input<'_>) -> TimeZone {
    let hours = i64::from(i.u8() % 26) - 12;
    let minutes = i64::from(i.u8() % 119) - 59;
    TimeZone::new(hours, minutes).expect("in range")
}

/// The `hpgps_roundtrip` body: see the module documentation.
pub fn roundtrip(data: &[u8]) -> usize {
    let mut i = Input::new(data);
    let code = arbitrary_timecode(&mut i);
    let zone = arbitrary_zone(&mut i);
    let (prompt, error) = match i.u8() % 3 {
        0 => (PROMPT.to_vec(), false),
        1 => (error_prompt(i.i16()), true),
        _ => (Vec::new(), false),
    };
    let text = code.encode();
    assert_eq!(text.len(), 23);
    assert_eq!(Timecode::decode(&text), Ok(code));
    let line = [&prompt[..], &text].concat();
    let (p, reply) = split_prompt(&line);
    // The prompt ends at its `>`; the blank after it is skipped.
    assert_eq!((p, reply), (prompt.trim_ascii_end(), &text[..]));
    assert_eq!(prompt_reports_error(p), error);
    assert_eq!(decode_reply(reply), Ok(Reply::Timecode(code)));
    assert_eq!(decode(&line), 1);

    let zone_line = [&prompt[..], zone.encode().as_bytes()].concat();
    assert_eq!(
        decode_reply(split_prompt(&zone_line).1),
        Ok(Reply::TimeZone(zone))
    );
    // Local time and UTC, by the minute; the second stays as it is.
    let t = code.local;
    let utc = zone.to_utc(t);
    assert_eq!(zone.to_local(utc), t);
    assert_eq!(utc.second, t.second);
    let minutes = |c: &CivilTime| {
        days_from_civil(c.year, c.month, c.day) * 1440
            + i64::from(c.hour) * 60
            + i64::from(c.minute)
    };
    assert_eq!(minutes(&utc), minutes(&t) - zone.offset_minutes());
    assert_eq!(code.utc(zone), utc);
    1
}
