//! The Meinberg strings and binary messages: the real examples, status
//! characters, round trips, every error, the framers.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::Timestamp;

use super::binary::{self, Header};
use super::codec::*;
use super::framer::{Frame, GpsFramer, StandardFramer};
use crate::parse::time::{ParseError, ParseTime, Status, When, Year};

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

/// The UTC time a decoded string names, unfolded near `near`.
fn utc(p: &ParseTime, near: Timestamp) -> Timestamp {
    p.to_timestamp(near, &Basedate::RELEASE).unwrap()
}

/// clk_meinberg.c's GPS example, and html/parsedata.html's two as ntpd
/// reads them (no space after the STX).
const GPS_EXAMPLE: &[u8] =
    b"\x0209.07.93; 5; 08:48:26; +00:00; #*S!A L; 49.5736N  11.0280E  373m\x03";
const DOC_1: &[u8] = b"\x0209.07.93; 5; 08:48:26; +00:00;        ; 49.5736N  11.0280E  373m \x03";
const DOC_2: &[u8] = b"\x0208.11.06; 3; 14:39:39; +00:00;        ; 51.9828N   9.2258E  176m \x03";

#[test]
fn the_gps_example_of_clk_meinberg() {
    let p = decode_gps(GPS_EXAMPLE).unwrap();
    // The kit unfolds 93 to 2093 (its window starts in 1998), libparse
    // to 1993.
    let near = ts(2093, 7, 9, 8, 48, 26);
    assert_eq!(utc(&p, ts(2026, 11, 29, 0, 0, 0)), near);
    assert_eq!(
        p.when,
        When::Civil {
            year: Year::TwoDigit(93),
            month: 7,
            day: 9,
            hour: 8,
            minute: 48,
            second: 26,
            nanos: 0,
            utc_offset: 0,
        }
    );
    // #: POWERUP, *: NOSYNC (so no POSITION), S: DST (read from `x`;
    // ntpd reads `y`, the `!` here), !: ANNOUNCE, A: LEAPADD, L: LEAPSECOND.
    assert_eq!(
        p.status,
        Status(
            Status::POWERUP
                | Status::NOSYNC
                | Status::DST
                | Status::UTC
                | Status::ANNOUNCE
                | Status::LEAPADD
                | Status::LEAPSECOND
        )
    );
}

#[test]
fn the_parsedata_examples_without_and_with_the_space() {
    let p = decode_gps(DOC_1).unwrap();
    assert!(p.status.in_sync());
    assert_eq!(p.status, Status(Status::UTC | Status::POSITION));
    let near = ts(2093, 7, 9, 8, 48, 26);
    assert_eq!(utc(&p, near), near);
    let p = decode_gps(DOC_2).unwrap();
    assert_eq!(p.status, Status(Status::UTC | Status::POSITION));
    let near = ts(2026, 11, 20, 0, 0, 0);
    assert_eq!(utc(&p, near), ts(2006, 11, 8, 14, 39, 39));
    // As printed, with a space after the STX: ntpd's layout does not
    // allow it (nor do we): a bad format, never a time.
    for printed in [DOC_1, DOC_2] {
        let spaced = [&[STX, b' '][..], &printed[1..]].concat();
        let e = decode_gps(&spaced).unwrap_err();
        assert!(matches!(e, ParseError::BadFormat { .. }), "{e}");
    }
}

#[test]
fn standard_string_status_characters() {
    let near = ts(2026, 12, 24, 11, 0, 0);
    let case = |flags: &str| -> ParseTime {
        let s = format!("\x02D:24.12.26;T:4;U:12.00.00;{flags}\x03");
        decode_standard(s.as_bytes()).unwrap()
    };
    // CET: 12:00 local is 11:00 UTC.
    let p = case("    ");
    assert_eq!(utc(&p, near), near);
    assert_eq!(p.status, Status(0));
    // CEST, UTC.
    let p = case("  S ");
    assert_eq!(utc(&p, near), near.add_secs_f64(-3600.0));
    assert_eq!(p.status, Status(Status::DST));
    let p = case("  U ");
    assert_eq!(utc(&p, near), near.add_secs_f64(3600.0));
    assert_eq!(p.status, Status(Status::UTC));
    // #, *, !, A, a.
    assert_eq!(case("#   ").status, Status(Status::POWERUP));
    assert_eq!(case(" *  ").status, Status(Status::NOSYNC));
    assert_eq!(
        case("#*  ").status,
        Status(Status::POWERUP | Status::NOSYNC)
    );
    assert_eq!(case("   !").status, Status(Status::ANNOUNCE));
    assert!(case("   A").status.leap_add());
    assert!(case("   a").status.leap_del());
    assert!(!case("#  A").status.leap_add(), "not in sync");
    // Zone characters other than ' ', S, U: bad format.
    for bad in ["  X ", "  s "] {
        let s = format!("\x02D:24.12.26;T:4;U:12.00.00;{bad}\x03");
        assert!(matches!(
            decode_standard(s.as_bytes()),
            Err(ParseError::BadFormat { .. })
        ));
    }
    // Second 60 is the leap second.
    let s = b"\x02D:01.01.17;T:7;U:00.59.60;    \x03";
    let p = decode_standard(s).unwrap();
    assert!(p.status.has(Status::LEAPSECOND));
    assert_eq!(
        utc(&p, ts(2017, 1, 1, 0, 0, 0)),
        ts(2017, 1, 1, 0, 0, 0),
        "23:59:60 UTC maps onto the next second"
    );
}

#[test]
fn extended_string_status_characters() {
    let near = ts(2026, 12, 24, 12, 0, 0);
    let case = |flags: &str| -> ParseTime {
        let s = format!("\x0224.12.26; 4; 12:00:00; {flags}\x03");
        decode_standard(s.as_bytes()).unwrap()
    };
    let p = case("U      ");
    assert_eq!(utc(&p, near), near);
    assert_eq!(p.status, Status(Status::UTC));
    assert_eq!(utc(&case("       "), near), near.add_secs_f64(-3600.0));
    assert_eq!(case("   S   ").status, Status(Status::DST));
    assert_eq!(case(" #     ").status, Status(Status::POWERUP));
    assert_eq!(case("  *    ").status, Status(Status::NOSYNC));
    assert_eq!(case("    !  ").status, Status(Status::ANNOUNCE));
    assert_eq!(case("     A ").status, Status(Status::LEAPADD));
    // No direction in DCF77: an `a` is no deletion here.
    assert_eq!(case("    a  ").status, Status(0));
    assert_eq!(case("      R").status, Status(Status::CALLBIT));
}

#[test]
fn stoi_and_strok_as_libparse() {
    assert_eq!(stoi(b"12", 0, 2), Some(12));
    assert_eq!(stoi(b" 5;", 0, 2), Some(5));
    assert_eq!(stoi(b"5 ", 0, 2), Some(5));
    assert_eq!(stoi(b"-5", 0, 2), Some(-5));
    assert_eq!(stoi(b"+5", 0, 2), Some(5));
    assert_eq!(stoi(b"123", 0, 2), Some(12));
    assert_eq!(stoi(b"  ", 0, 2), None);
    assert_eq!(stoi(b"  7", 0, 2), None, "the digit is past the field");
    assert_eq!(stoi(b"ab", 0, 2), None);
    assert!(strok(b"\x02D:ab.cd", b"\x02D:  ."));
    assert!(!strok(b"\x02D:ab", b"\x02D:  ."), "shorter than the layout");
    assert!(!strok(b"\x02d:ab.", b"\x02D:  ."));
}

#[test]
fn every_error_is_named() {
    let ok = b"\x02D:24.12.26;T:4;U:12.00.00;    \x03";
    assert!(decode_standard(ok).is_ok());
    // Truncated, noise, a wrong separator, a NUL inside, no digits.
    for bad in [
        &ok[..20],
        &b"noise noise noise noise noise!!!"[..],
        b"\x02D:24,12.26;T:4;U:12.00.00;    \x03",
        b"\x02D:24.12.26;T:4;U:12.00.00\x00    \x03",
        b"\x02D:xx.12.26;T:4;U:12.00.00;    \x03",
    ] {
        let e = decode_standard(bad).unwrap_err();
        assert!(matches!(e, ParseError::BadFormat { .. }), "{e}");
        assert!(decode_gps(bad).is_err());
    }
    // Bad date and time: found when converting.
    let near = ts(2026, 12, 24, 11, 0, 0);
    for (bad, date) in [
        (&b"\x02D:32.12.26;T:4;U:12.00.00;    \x03"[..], true),
        (b"\x02D:29.02.26;T:4;U:12.00.00;    \x03", true),
        (b"\x02D:24.13.26;T:4;U:12.00.00;    \x03", true),
        (b"\x02D:24.12.26;T:4;U:24.00.00;    \x03", false),
        (b"\x02D:24.12.26;T:4;U:12.60.00;    \x03", false),
        (b"\x02D:24.12.26;T:4;U:12.00.61;    \x03", false),
        (b"\x02D:24.12.26;T:4;U:-1.00.00;    \x03", false),
    ] {
        let p = decode_standard(bad).unwrap();
        let e = p.to_timestamp(near, &Basedate::RELEASE).unwrap_err();
        let want = if date {
            matches!(e, ParseError::BadDate(_))
        } else {
            matches!(e, ParseError::BadTime(_))
        };
        assert!(want, "{e} for {:?}", String::from_utf8_lossy(bad));
    }
    // GPS: a UTC offset without digits.
    let mut s = GPS_EXAMPLE.to_vec();
    s[25] = b'x';
    s[26] = b'x';
    assert!(matches!(decode_gps(&s), Err(ParseError::BadFormat { .. })));
}

#[test]
fn round_trips_over_many_dates() {
    let mut t = ts(1999, 12, 31, 23, 0, 0).secs();
    let end = ts(2101, 3, 2, 0, 0, 0).secs();
    let mut n = 0;
    while t < end {
        let civil = CivilTime::from_timestamp(Timestamp::from_secs(t));
        let rec = Timestamp::from_secs(t);
        for zone in [0, 60, 120, -330] {
            let local = CivilTime::from_timestamp(Timestamp::from_secs(t + i64::from(zone) * 60));
            let mut tel = Telegram::utc(local);
            tel.zone_minutes = zone;
            tel.utc = zone == 0;
            tel.dst = zone == 120;
            let p = decode_gps(&tel.gps(POSITION)).unwrap();
            assert_eq!(utc(&p, rec), rec, "gps {civil:?} {zone}");
            if zone == 0 || zone == 60 || zone == 120 {
                for s in [tel.standard(), tel.extended()] {
                    let p = decode_standard(&s).unwrap();
                    assert_eq!(utc(&p, rec), rec, "{:?}", String::from_utf8_lossy(&s));
                    let p = decode_gps(&s).unwrap();
                    assert_eq!(utc(&p, rec), rec);
                }
            }
        }
        n += 1;
        // Steps through leap days, year ends and 2099 -> 2100.
        t += 86_400 * 29 + 3_607;
    }
    assert!(n > 1200);
    for (y, mo, d) in [(2024, 2, 29), (2099, 12, 31), (2100, 1, 1), (2100, 2, 28)] {
        let rec = ts(y, mo, d, 23, 59, 59);
        let p = decode_standard(&Telegram::utc(CivilTime::from_timestamp(rec)).standard()).unwrap();
        assert_eq!(utc(&p, rec), rec);
    }
}

#[test]
fn weekdays() {
    assert_eq!(weekday(&CivilTime::new(1993, 7, 9, 0, 0, 0)), 5);
    assert_eq!(weekday(&CivilTime::new(2006, 11, 8, 0, 0, 0)), 3);
    assert_eq!(weekday(&CivilTime::new(2026, 11, 29, 0, 0, 0)), 7);
}

fn frames_std(data: &[u8]) -> Vec<Frame> {
    let mut f = StandardFramer::default();
    let mut out = Vec::new();
    for &b in data {
        f.push(b, Timestamp::from_secs(1), &mut out);
    }
    out
}

#[test]
fn standard_framer_as_mbg_input() {
    let s = Telegram::utc(CivilTime::new(2026, 1, 1, 0, 0, 0)).standard();
    assert_eq!(s.len(), 32, "the standard string fills libparse's buffer");
    // Noise before the STX is dropped by it; a second STX restarts.
    let data = [&b"xyz"[..], &s[..10], &s].concat();
    let f = frames_std(&data);
    assert_eq!(f.len(), 1);
    assert!(matches!(&f[0], Frame::Text { bytes, .. } if *bytes == s));
    // 32 bytes of noise without STX/ETX go up as a frame (a bad reply in
    // ntpd), and so does a lone ETX after noise.
    let f = frames_std(&[b'n'; 70]);
    assert_eq!(f.len(), 2);
    let f = frames_std(b"ab\x03");
    assert!(matches!(&f[..], [Frame::Text { bytes, stime: None }] if bytes == b"ab\x03"));
    // A string too long: the first 32 bytes go up, the rest starts over.
    let long = GPS_EXAMPLE;
    let f = frames_std(long);
    assert_eq!(f.len(), 3, "{f:?}");
}

fn frames_gps(data: &[u8]) -> Vec<Frame> {
    let mut f = GpsFramer::default();
    let mut out = Vec::new();
    for &b in data {
        f.push(b, Timestamp::from_secs(1), &mut out);
    }
    out
}

#[test]
fn gps_framer_separates_strings_and_binary_messages() {
    let q = binary::query(binary::GPS_SW_REV);
    assert_eq!(
        q,
        vec![0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00]
    );
    let a = binary::answer(binary::GPS_SW_REV).unwrap();
    let data = [&b"junk"[..], &a, GPS_EXAMPLE, &q, b"x", GPS_EXAMPLE].concat();
    let f = frames_gps(&data);
    assert_eq!(f.len(), 4, "{f:?}");
    assert_eq!(f[0], Frame::Binary(a.clone()));
    assert!(matches!(&f[1], Frame::Text { bytes, .. } if bytes == GPS_EXAMPLE));
    assert_eq!(f[2], Frame::Binary(q));
    assert_eq!(
        binary::decode(&a),
        binary::Message::Good {
            cmd: binary::GPS_SW_REV,
            text: Some("meinberg_gps_version=\"1.23 refclock\"".into())
        }
    );
    // An STX inside a binary message is data; a SOH inside a string too.
    let mut odd = binary::encode(binary::GPS_ASCII_MSG, b"\x02\x03ab");
    let f = frames_gps(&odd);
    assert_eq!(f, vec![Frame::Binary(odd.clone())]);
    // A wrong header checksum ends the message after the header: its
    // data are read as they come (here STX ETX, an empty string).
    odd[8] ^= 0x40;
    let f = frames_gps(&[&odd[..], GPS_EXAMPLE].concat());
    assert!(matches!(f[0], Frame::BadHeader(_)));
    assert!(matches!(&f[1], Frame::Text { bytes, .. } if bytes == b"\x02\x03"));
    assert!(matches!(&f[2], Frame::Text { bytes, .. } if bytes == GPS_EXAMPLE));
    // A wrong data checksum is seen when decoding.
    let mut bad = binary::answer(binary::GPS_BVAR_STAT).unwrap();
    *bad.last_mut().unwrap() ^= 1;
    assert!(matches!(
        binary::decode(&bad),
        binary::Message::BadChecksum(_)
    ));
    // A length beyond the buffer: skipped unread.
    let mut huge = vec![0x01, 0x02, 0x00, 0x88, 0x01, 0x00, 0x00];
    let h = binary::csum(&huge[1..7]);
    huge.extend_from_slice(&h.to_le_bytes());
    assert!(Header::hdr_ok(huge[1..9].try_into().unwrap()));
    assert!(frames_gps(&[&huge[..], GPS_EXAMPLE].concat()).len() == 1);
    // A string without ETX: dropped after 400 bytes.
    let f = frames_gps(&[&[STX][..], &[b'x'; 450], GPS_EXAMPLE].concat());
    assert!(matches!(f[0], Frame::Overflow(401)), "{f:?}");
}

#[test]
fn binary_texts() {
    let t = |cmd| match binary::decode(&binary::answer(cmd).unwrap()) {
        binary::Message::Good { text, .. } => text.unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        t(binary::GPS_BVAR_STAT),
        "meinberg_gps_status=\"[0x0000] <all buffered data complete>\""
    );
    assert_eq!(t(binary::GPS_ANT_INFO), "meinberg_antenna_status=\"<OK>\"");
    assert_eq!(
        t(binary::GPS_ASCII_MSG),
        "gps_message=\"simulated message\""
    );
    let m = binary::encode(binary::GPS_BVAR_STAT, &0x0005u16.to_le_bytes());
    assert!(
        matches!(binary::decode(&m), binary::Message::Good { text: Some(s), .. }
        if s == "meinberg_gps_status=\"[0x0005] incomplete buffered data: Configuration/Health, UTC Correction\"")
    );
    assert_eq!(binary::QUERY_SEQUENCE.len(), 8);
}
