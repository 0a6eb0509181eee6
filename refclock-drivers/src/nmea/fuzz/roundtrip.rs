//! `nmea_roundtrip`: a sentence built from arbitrary bytes, written as a
//! receiver writes it, decodes to exactly what was built.
//!
//! The input chooses the sentence kind, the talker, whether a checksum is
//! sent, the status fields, the time of day (0-9 fraction digits), and the
//! date in the kind's format (two-digit or four-digit year with or without
//! leading zeros, GPS week and time of week with a fraction, leap seconds
//! written modulo 2^16 or not), each within the range the format allows.
//! The line written from it must [`scan`] to that sentence, [`parse`] to
//! it (or refuse an RMC without checksum), and pass the naive decoder's
//! comparison ([`check`](super::decode::check)).

use crate::nmea::parse::{
    checksum, parse, scan, Checksum, Date, ParseError, Sentence, SentenceKind, Status, Talker,
    TimeOfDay, MAX_LEN,
};
use crate::testkit::Input;

/// Days in `month`; February has 29 in a `leap` year.
fn month_days(month: u8, leap: bool) -> u8 {
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A number `< 10^digits` and its nanoseconds as a fraction of a second.
fn fraction(i: &mut Input<'_>) -> (String, u32) {
    let digits = u32::from(i.u8() % 11);
    if digits == 10 {
        // A bare '.'.
        return (".".into(), 0);
    }
    if digits == 0 {
        return (String::new(), 0);
    }
    let value = i.u32() % 10u32.pow(digits);
    (
        format!(".{value:0width$}", width = digits as usize),
        value * 10u32.pow(9 - digits),
    )
}

fn time(i: &mut Input<'_>) -> (String, TimeOfDay) {
    let (hour, minute, second) = (i.u8() % 24, i.u8() % 60, i.u8() % 61);
    let (frac, nanos) = fraction(i);
    let t = TimeOfDay {
        hour,
        minute,
        second,
        nanos,
    };
    (format!("{hour:02}{minute:02}{second:02}{frac}"), t)
}

/// One of `choices`, by the next byte.
fn pick<'a>(i: &mut Input<'_>, choices: &[&'a str]) -> &'a str {
    choices[usize::from(i.u8()) % choices.len()]
}

/// `n` written with its leading zeros to `width` when `pad`.
fn padded(n: u32, width: usize, pad: bool) -> String {
    if pad {
        format!("{n:0width$}")
    } else {
        n.to_string()
    }
}

fn gps_week(i: &mut Input<'_>, with_leap: bool) -> (String, String, String, Date) {
    let week = i.u32() % 100_000;
    let tow = i.u32() % 604_800;
    let (frac, tow_nanos) = fraction(i);
    let leap = if with_leap { i.u16() } else { 0 };
    // Leap seconds are kept modulo 2^16: 65 536 more reads the same.
    let written = if i.u8() & 1 == 1 && u32::from(leap) + 65_536 <= 99_999 {
        u32::from(leap) + 65_536
    } else {
        u32::from(leap)
    };
    let date = Date::GpsWeek {
        week,
        tow,
        tow_nanos,
        leap,
    };
    (
        week.to_string(),
        format!("{tow}{frac}"),
        written.to_string(),
        date,
    )
}

fn ddmmyy(i: &mut Input<'_>) -> (String, Date) {
    let yy = i.u8() % 100;
    let month = 1 + i.u8() % 12;
    let day = 1 + i.u8() % month_days(month, yy.is_multiple_of(4));
    (
        format!("{day:02}{month:02}{yy:02}"),
        Date::Ddmmyy { day, month, yy },
    )
}

fn dmy(i: &mut Input<'_>) -> (String, Date) {
    let year = 1981 + i.u16() % (10_000 - 1981);
    let leap = refclock_core::calendar::is_leap_year(year.into());
    let month = 1 + i.u8() % 12;
    let day = 1 + i.u8() % month_days(month, leap);
    let pad = i.u8();
    let text = format!(
        "{},{},{year}",
        padded(day.into(), 2, pad & 1 != 0),
        padded(month.into(), 2, pad & 2 != 0)
    );
    (text, Date::DayMonthYear { day, month, year })
}

/// The line (without CR LF) and the sentence it must decode to.
pub fn build(data: &[u8]) -> (Vec<u8>, Sentence) {
    let mut i = Input::new(data);
    let kind = SentenceKind::ALL[usize::from(i.u8()) % SentenceKind::ALL.len()];
    let letter = |b: u8| b'A' + b % 26;
    let talker = match kind {
        SentenceKind::Pgrmf => *b"PG",
        SentenceKind::Pubx04 => *b"PU",
        _ => [letter(i.u8()), letter(i.u8())],
    };
    let with_cs = i.u8() & 1 == 1;
    let (time_text, time) = time(&mut i);
    let tk = std::str::from_utf8(&talker).unwrap_or("GP");
    let position = "4807.038,N,01131.000,E";
    let (body, status, date) = match kind {
        SentenceKind::Rmc => {
            let st = pick(&mut i, &["A", "V"]);
            let mode = pick(&mut i, &["", "A", "D", "E", "S", "N"]);
            let (d, date) = ddmmyy(&mut i);
            let sync = st == "A" && !matches!(mode, "S" | "N");
            (
                format!("{tk}RMC,{time_text},{st},{position},0.0,0.0,{d},,,{mode}"),
                sync,
                Some(date),
            )
        }
        SentenceKind::Gga => {
            let q = pick(&mut i, &["", "0", "1", "2", "6", "8", "9"]);
            let sync = !matches!(q, "" | "0" | "8");
            (
                format!("{tk}GGA,{time_text},{position},{q},08,0.9,545.4,M,46.9,M,,"),
                sync,
                None,
            )
        }
        SentenceKind::Gll => {
            let st = pick(&mut i, &["A", "V", ""]);
            let mode = pick(&mut i, &["", "A", "D", "S", "N"]);
            let sync = st == "A" && !matches!(mode, "S" | "N");
            (
                format!("{tk}GLL,{position},{time_text},{st},{mode}"),
                sync,
                None,
            )
        }
        SentenceKind::Zda | SentenceKind::Zdg => {
            let (d, date) = dmy(&mut i);
            if kind == SentenceKind::Zda {
                (format!("{tk}ZDA,{time_text},{d},00,00"), false, Some(date))
            } else {
                let st = pick(&mut i, &["", "0", "1", "2"]);
                let sync = !matches!(st, "" | "0");
                (
                    format!("{tk}ZDG,{time_text},{d},03.50,{st}"),
                    sync,
                    Some(date),
                )
            }
        }
        SentenceKind::Pgrmf => {
            let (week, tow, leap, date) = gps_week(&mut i, true);
            let fix = pick(&mut i, &["", "0", "1", "2"]);
            let sync = !matches!(fix, "" | "0");
            (
                format!("PGRMF,{week},{tow},000000,{time_text},{leap},,,,,A,{fix}"),
                sync,
                Some(date),
            )
        }
        SentenceKind::Pubx04 => {
            let (week, tow, _, date) = gps_week(&mut i, false);
            (
                format!("PUBX,04,{time_text},000000,{tow},{week},18,0,0,0"),
                false,
                Some(date),
            )
        }
    };
    let status = match kind {
        SentenceKind::Zda | SentenceKind::Pubx04 => Status::NotReported,
        _ if status => Status::InSync,
        _ => Status::NotInSync,
    };
    let mut line = format!("${body}").into_bytes();
    if with_cs {
        line.extend_from_slice(format!("*{:02X}", checksum(body.as_bytes())).as_bytes());
    }
    let sentence = Sentence {
        kind,
        talker: Talker(talker),
        checksum: if with_cs {
            Checksum::Valid
        } else {
            Checksum::None
        },
        status,
        time: Ok(time),
        date: Ok(date),
    };
    (line, sentence)
}

/// Builds, writes and decodes one sentence; returns 1.
pub fn check(data: &[u8]) -> usize {
    let (line, want) = build(data);
    let text = String::from_utf8_lossy(&line);
    assert!(line.len() <= MAX_LEN + 3, "{text}: too long to write");
    assert_eq!(scan(&line), Ok(want), "{text}");
    let strict = if want.kind == SentenceKind::Rmc && want.checksum == Checksum::None {
        Err(ParseError::MissingChecksum { kind: want.kind })
    } else {
        want.decoded()
    };
    assert_eq!(parse(&line), strict, "{text}");
    let _ = super::decode::check(&line);
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use refclock_core::rng::Rng;

    #[test]
    fn every_kind_round_trips() {
        let mut rng = Rng::new(1);
        let mut kinds = std::collections::BTreeSet::new();
        for _ in 0..2000 {
            let data = rng.bytes(40);
            let (_, s) = build(&data);
            kinds.insert(s.kind);
            assert_eq!(check(&data), 1);
        }
        assert_eq!(kinds.len(), SentenceKind::ALL.len());
    }

    #[test]
    fn a_known_sentence() {
        // RMC, talker GN, checksum, 12:34:56.5, status A, mode A, 29-02-24.
        let data = [0, 6, 13, 1, 12, 34, 56, 1, 5, 0, 0, 0, 0, 1, 24, 1, 28];
        let (line, s) = build(&data);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "$GNRMC,123456.5,A,4807.038,N,01131.000,E,0.0,0.0,290224,,,A*7F"
        );
        assert_eq!(s.status, Status::InSync);
    }
}
