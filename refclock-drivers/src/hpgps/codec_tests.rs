//! Tests of the HP codec: the real timecode, round trips, time zones
//! across days and years, and every decode error.

use refclock_core::calendar::{day_of_year, days_in_month, CivilTime};
use refclock_core::rng::Rng;
use refclock_core::ClockEvent;

use super::codec::*;

/// NTPsec's `docs/driver_hpgps.adoc`: 2006-01-05 07:51:43, checksum 0x3B.
const REAL: &[u8] = b"T220060105075143300003B";

fn civil(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> CivilTime {
    CivilTime::new(y, mo, d, h, mi, s)
}

/// A timecode with any fields (even impossible ones) and a good checksum.
fn raw(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Vec<u8> {
    Timecode::new(civil(y, mo, d, h, mi, s)).encode()
}

#[test]
fn the_real_timecode() {
    assert_eq!(checksum(&REAL[..CHECKSUM_SPAN]), 0x3B);
    let code = Timecode::decode(REAL).unwrap();
    assert_eq!(code.local, civil(2006, 1, 5, 7, 51, 43));
    assert_eq!(
        (code.time_figure, code.freq_figure, code.service, code.sync),
        (b'3', b'0', b'0', b'0')
    );
    assert_eq!(code.leap, LeapFlag::None);
    assert!(code.in_sync());
    assert_eq!(code.utc(TimeZone::UTC), code.local);
    assert_eq!(code.encode(), REAL);
    // As the driver reads it: after the prompt of the previous answer.
    let (prompt, reply) = split_prompt(b"scpi > T220060105075143300003B");
    assert_eq!((prompt, reply), (&b"scpi >"[..], REAL));
    assert!(!prompt_reports_error(prompt));
    assert_eq!(decode_reply(reply), Ok(Reply::Timecode(code)));
    // Lower-case hex is a hex checksum too.
    let mut lower = raw(2006, 1, 5, 7, 51, 42);
    lower[21..].make_ascii_lowercase();
    assert!(Timecode::decode(&lower).is_ok(), "{lower:?}");
}

#[test]
fn prompts_are_split_at_the_last_bracket() {
    assert_eq!(split_prompt(b"+0,+0"), (&b""[..], &b"+0,+0"[..]));
    assert_eq!(
        split_prompt(b"scpi >  \t+0,+0"),
        (&b"scpi >"[..], &b"+0,+0"[..])
    );
    assert_eq!(
        split_prompt(b"E-113> scpi > scpi > T2"),
        (&b"E-113> scpi > scpi >"[..], &b"T2"[..])
    );
    assert_eq!(split_prompt(b"scpi > "), (&b"scpi >"[..], &b""[..]));
    assert_eq!(split_prompt(b""), (&b""[..], &b""[..]));
}

#[test]
fn the_error_test_is_ntpds() {
    for (prompt, error) in [
        (&b"scpi >"[..], false),
        (b"E-113>", true),
        (b"E-113> scpi > scpi >", false),
        (b"scpi > E-113>", true),
        (b"", false),
        (b"s", false),
        (b"E", true),
        (b"Es", false),
        (b"sE", true),
        (b"e-113>", false),
    ] {
        assert_eq!(
            prompt_reports_error(prompt),
            error,
            "{}",
            String::from_utf8_lossy(prompt)
        );
    }
    assert_eq!(error_prompt(-113), b"E-113> ");
    assert!(prompt_reports_error(split_prompt(&error_prompt(-113)).0));
    assert!(!prompt_reports_error(split_prompt(PROMPT).0));
}

#[test]
fn commands_are_ntpds_bytes() {
    assert_eq!(START_QUERY, b"*IDN?\r:PTIME:TZONE?\r");
    assert_eq!(START_QUERY.len(), 20);
    assert_eq!(TIMECODE_QUERY.len(), 14);
    assert_eq!(CLEAR_STATUS, b"*CLS\r\r");
    assert_eq!(STATUS_SCREEN_QUERY.len(), 15);
    assert_eq!(STATUS_SCREEN_LINES, 22);
}

#[test]
fn round_trips_over_many_dates_and_zones() {
    let mut rng = Rng::new(26);
    let zones = [
        (0, 0),
        (-8, 0),
        (5, 30),
        (-3, -30),
        (13, 0),
        (-12, 0),
        (9, 45),
        (-4, 59),
    ];
    // Every day of some years around leap rules: 1999-2001 (2000 leap),
    // 2023-2025, 2099-2101 (2100 not leap).
    for year in [1999, 2000, 2001, 2023, 2024, 2025, 2099, 2100, 2101] {
        for month in 1..=12u8 {
            for day in 1..=days_in_month(year, month) {
                let t = civil(
                    year,
                    month,
                    day,
                    rng.up_to(23) as u8,
                    rng.up_to(59) as u8,
                    rng.up_to(60) as u8,
                );
                let (h, m) = zones[rng.up_to(zones.len() as u64 - 1) as usize];
                let zone = TimeZone::new(h, m).unwrap();
                let mut code = Timecode::new(zone.to_local(t));
                code.leap = LeapFlag::from_byte(b"0+-"[rng.up_to(2) as usize]);
                code.sync = b'0' + rng.up_to(1) as u8;
                let bytes = code.encode();
                assert_eq!(bytes.len(), TIMECODE_LEN);
                let back = Timecode::decode(&bytes).unwrap_or_else(|e| panic!("{e}: {t:?}"));
                assert_eq!(back, code);
                assert_eq!(back.utc(zone), t, "zone {zone:?}");
            }
        }
    }
    // Every valid zone survives its own encoding.
    for h in TimeZone::HOURS {
        for m in TimeZone::MINUTES {
            let z = TimeZone::new(h, m).unwrap();
            assert_eq!(TimeZone::decode(z.encode().as_bytes()), Ok(z));
        }
    }
}

#[test]
fn zones_cross_midnight_and_new_year() {
    let z = |h, m| TimeZone::new(h, m).unwrap();
    // Pacific Standard Time, -8,0: local 20:00 on New Year's Eve is 04:00
    // on New Year's Day.
    assert_eq!(
        z(-8, 0).to_utc(civil(2023, 12, 31, 20, 0, 5)),
        civil(2024, 1, 1, 4, 0, 5)
    );
    // India, +5,30: local 02:00 on New Year's Day is 20:30 the day before.
    assert_eq!(
        z(5, 30).to_utc(civil(2024, 1, 1, 2, 0, 0)),
        civil(2023, 12, 31, 20, 30, 0)
    );
    // +13: back across a leap day.
    assert_eq!(
        z(13, 0).to_utc(civil(2024, 3, 1, 5, 0, 0)),
        civil(2024, 2, 29, 16, 0, 0)
    );
    // -3,-30 (Newfoundland): forward over the end of February.
    assert_eq!(
        z(-3, -30).to_utc(civil(2023, 2, 28, 22, 0, 0)),
        civil(2023, 3, 1, 1, 30, 0)
    );
    // Minutes carry their own sign: -3,+30 is 2 h 30 min west.
    assert_eq!(z(-3, 30).offset_minutes(), -150);
    // A leap second keeps its second 60 in any zone.
    let leap = civil(2016, 12, 31, 23, 59, 60);
    let local = z(5, 30).to_local(leap);
    assert_eq!(local, civil(2017, 1, 1, 5, 29, 60));
    assert_eq!(z(5, 30).to_utc(local), leap);
    let code = Timecode::decode(&Timecode::new(local).encode()).unwrap();
    assert_eq!(code.utc(z(5, 30)), leap);
}

/// ntpd's own arithmetic (hpgps_receive), restated: day of year from its
/// tables with `isleap_4`, then minutes and hours subtracted with one
/// carry each. Gives (year, day of year, hour, minute).
fn ntpd_shift(t: CivilTime, zone: TimeZone) -> (i32, i32, i32, i32) {
    let leap4 = |y: i32| y % 4 == 0;
    let month_len = |y: i32, m: i32| match m {
        2 if leap4(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let mut year = t.year;
    let mut day = i32::from(t.day)
        + (1..i32::from(t.month))
            .map(|m| month_len(year, m))
            .sum::<i32>();
    let lastday = if leap4(year) { 366 } else { 365 };
    let mut minute = i32::from(t.minute) - i32::from(zone.minutes);
    let mut hour = i32::from(t.hour) - i32::from(zone.hours);
    if minute < 0 {
        minute += 60;
        hour -= 1;
    }
    if minute > 59 {
        minute -= 60;
        hour += 1;
    }
    if hour < 0 {
        hour += 24;
        day -= 1;
        if day < 1 {
            year -= 1;
            day = if leap4(year) { 366 } else { 365 };
        }
    }
    if hour > 23 {
        hour -= 24;
        day += 1;
        if day > lastday {
            year += 1;
            day = 1;
        }
    }
    (year, day, hour, minute)
}

#[test]
fn calendar_arithmetic_agrees_with_ntpds_where_ntpd_is_right() {
    let mut rng = Rng::new(2006);
    for _ in 0..20_000 {
        // 1901..2099: where isleap_4 is the Gregorian rule.
        let year = 1901 + rng.up_to(198) as i32;
        let month = 1 + rng.up_to(11) as u8;
        let day = 1 + rng.up_to(u64::from(days_in_month(year, month)) - 1) as u8;
        let t = civil(
            year,
            month,
            day,
            rng.up_to(23) as u8,
            rng.up_to(59) as u8,
            7,
        );
        let zone = TimeZone::new(rng.up_to(25) as i64 - 12, rng.up_to(118) as i64 - 59).unwrap();
        let utc = zone.to_utc(t);
        let ours = (
            utc.year,
            i32::from(day_of_year(utc.year, utc.month, utc.day)),
            i32::from(utc.hour),
            i32::from(utc.minute),
        );
        assert_eq!(ours, ntpd_shift(t, zone), "{t:?} {zone:?}");
        assert_eq!(utc.second, 7);
    }
}

#[test]
fn decode_errors_name_what_was_wrong() {
    let good = raw(2024, 2, 29, 12, 0, 0);
    assert!(Timecode::decode(&good).is_ok());
    let cases: Vec<(Vec<u8>, CodecError)> = vec![
        (b"T".to_vec(), CodecError::NoFormat { found: "T".into() }),
        (
            b"X220060105075143300003B".to_vec(),
            CodecError::UnknownReply { found: "X2".into() },
        ),
        (
            b"T120060105075143300003B".to_vec(),
            CodecError::UnknownFormat { found: "T1".into() },
        ),
        (
            REAL[..22].to_vec(),
            CodecError::Length {
                expected: 23,
                found: 22,
            },
        ),
        (
            [REAL, b" "].concat(),
            CodecError::Length {
                expected: 23,
                found: 24,
            },
        ),
        (
            b"T22O060105075143300003B".to_vec(),
            CodecError::Syntax {
                field: "year",
                expected: "4 digits",
                found: "2O06".into(),
            },
        ),
        (
            b"T22006010507 143300003B".to_vec(),
            CodecError::Syntax {
                field: "minute",
                expected: "2 digits",
                found: " 1".into(),
            },
        ),
        (
            b"T220060105075143300003G".to_vec(),
            CodecError::Syntax {
                field: "checksum",
                expected: "2 hex digits",
                found: "3G".into(),
            },
        ),
        (
            b"T220060105075143300003C".to_vec(),
            CodecError::Checksum {
                found: 0x3C,
                computed: 0x3B,
            },
        ),
        (
            // A line error in a digit: caught by the checksum.
            b"T220060105075144300003B".to_vec(),
            CodecError::Checksum {
                found: 0x3B,
                computed: 0x3C,
            },
        ),
    ];
    for (text, want) in cases {
        let got = Timecode::decode(&text).unwrap_err();
        assert_eq!(got, want, "{}", String::from_utf8_lossy(&text));
        assert_eq!(got.event(), ClockEvent::BadReply);
    }
    let range = |field: &'static str, found: i64, min: i64, max: i64| CodecError::OutOfRange {
        field,
        found,
        min,
        max,
    };
    for (text, want) in [
        (raw(2024, 13, 1, 0, 0, 0), range("month", 13, 1, 12)),
        (raw(2024, 0, 1, 0, 0, 0), range("month", 0, 1, 12)),
        (raw(2023, 2, 29, 0, 0, 0), range("day", 29, 1, 28)),
        (raw(2100, 2, 29, 0, 0, 0), range("day", 29, 1, 28)),
        (raw(2024, 4, 31, 0, 0, 0), range("day", 31, 1, 30)),
        (raw(2024, 4, 0, 0, 0, 0), range("day", 0, 1, 30)),
        (raw(2024, 4, 1, 24, 0, 0), range("hour", 24, 0, 23)),
        (raw(2024, 4, 1, 0, 60, 0), range("minute", 60, 0, 59)),
        (raw(2024, 4, 1, 0, 0, 61), range("second", 61, 0, 60)),
    ] {
        let got = Timecode::decode(&text).unwrap_err();
        assert_eq!(got, want, "{}", String::from_utf8_lossy(&text));
        assert_eq!(got.event(), ClockEvent::BadTime);
    }
    assert!(Timecode::decode(&raw(2024, 6, 30, 23, 59, 60)).is_ok());
    // The message names the field, what was expected and what was found.
    let e = Timecode::decode(b"T22O060105075143300003B").unwrap_err();
    assert_eq!(e.to_string(), "year: expected 4 digits, found \"2O06\"");
}

#[test]
fn time_zone_replies() {
    for (text, h, m) in [
        (&b"+0,+0"[..], 0, 0),
        (b"-8,+0", -8, 0),
        (b"-8,0", -8, 0),
        (b"+5,30", 5, 30),
        (b"-3,-30", -3, -30),
        (b"+13,0", 13, 0),
        (b"-12,-59", -12, -59),
        (b"+1, 15", 1, 15),
    ] {
        let z = TimeZone::decode(text).unwrap();
        assert_eq!(
            (z.hours, z.minutes),
            (h, m),
            "{}",
            String::from_utf8_lossy(text)
        );
        assert_eq!(decode_reply(text), Ok(Reply::TimeZone(z)));
    }
    assert_eq!(TimeZone::UTC.encode(), "+0,+0");
    assert_eq!(TimeZone::new(-8, 0).unwrap().encode(), "-8,+0");
    assert_eq!(TimeZone::new(-3, -30).unwrap().encode(), "-3,-30");

    let out = |field: &'static str, found: i64, min: i64, max: i64| CodecError::ZoneOutOfRange {
        field,
        found,
        min,
        max,
    };
    for (text, want) in [
        (&b"+14,0"[..], out("hours", 14, -12, 13)),
        (b"-13,0", out("hours", -13, -12, 13)),
        (b"+0,60", out("minutes", 60, -59, 59)),
        (b"+0,-60", out("minutes", -60, -59, 59)),
    ] {
        let e = TimeZone::decode(text).unwrap_err();
        assert_eq!(e, want);
        assert_eq!(e.event(), ClockEvent::BadReply);
    }
    for text in [
        &b"+0"[..],
        b"+0,",
        b"+0,+0x",
        b"+,0",
        b"0,0",
        b"+0;0",
        b"+1234567890,0",
    ] {
        let e = TimeZone::decode(text).unwrap_err();
        assert!(matches!(e, CodecError::Syntax { .. }), "{e:?}");
        assert_eq!(e.event(), ClockEvent::BadReply);
    }
}

#[test]
fn replies_are_told_apart_by_their_first_character() {
    assert_eq!(
        decode_reply(b""),
        Err(CodecError::NoFormat { found: "".into() })
    );
    assert_eq!(
        decode_reply(b"+"),
        Err(CodecError::NoFormat { found: "+".into() })
    );
    assert_eq!(
        decode_reply(b"HEWLETT-PACKARD"),
        Err(CodecError::UnknownReply { found: "HE".into() })
    );
    assert!(matches!(decode_reply(REAL), Ok(Reply::Timecode(_))));
    assert!(matches!(decode_reply(b"-8,0"), Ok(Reply::TimeZone(_))));
}

#[test]
fn leap_flags_and_status_characters() {
    for (b, flag) in [
        (b'0', LeapFlag::None),
        (b'+', LeapFlag::Insert),
        (b'-', LeapFlag::Delete),
        (b'x', LeapFlag::Other(b'x')),
    ] {
        assert_eq!(LeapFlag::from_byte(b), flag);
        assert_eq!(flag.byte(), b);
    }
    let mut code = Timecode::new(civil(2016, 12, 31, 12, 0, 0));
    code.leap = LeapFlag::Other(b'?');
    code.sync = b'1';
    code.service = b'1';
    let back = Timecode::decode(&code.encode()).unwrap();
    assert_eq!(back, code);
    assert!(!back.in_sync());
}
