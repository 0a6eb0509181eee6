//! The JJY codec: the layouts of driver40.html and `refclock_jjy.c`,
//! round trips over many dates, JST ↔ UTC, every error.

use refclock_core::calendar::CivilTime;
use refclock_core::Timestamp;

use super::codec::*;

fn jst(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Jst {
    Jst {
        year: y,
        month: mo,
        day: d,
        hour: h,
        minute: mi,
        second: s,
        millis: 0,
    }
}

#[test]
fn documented_layouts() {
    // driver40.html's layouts, filled in.
    assert_eq!(decode_hms(b"12:34:56").unwrap(), (12, 34, 56));
    assert_eq!(
        decode_long_date(b"2024/02/29 THU", 4).unwrap(),
        (2024, 2, 29)
    );
    assert_eq!(decode_long_date(b"2024/02/29", 0).unwrap(), (2024, 2, 29));
    let t = decode_jst2000(b"J2402294123456").unwrap_err();
    assert!(matches!(t, DecodeError::Length { found: 14, .. }), "{t}");
    assert_eq!(
        decode_jst2000(b"J24022941234567").unwrap(),
        Jst {
            millis: 700,
            ..jst(2024, 2, 29, 12, 34, 56)
        }
    );
    let (t, st) = decode_lt2000(b"2402294123456ABCD").unwrap();
    assert_eq!((t, &st), (jst(2024, 2, 29, 12, 34, 56), b"ABCD"));
    assert_eq!(
        decode_jjy200(b"'OK 24/02/29 3 12:34:56").unwrap(),
        (Jjy200Status::Ok, jst(2024, 2, 29, 12, 34, 56))
    );
    assert_eq!(
        decode_jjy200(b"'NG 24/02/29 3 12:34:56").unwrap().0,
        Jjy200Status::Ng
    );
    assert_eq!(
        decode_tdc300(b"2402294123456").unwrap(),
        Tdc300::Announce(jst(2024, 2, 29, 12, 34, 56))
    );
    assert_eq!(decode_tdc300(&[0xE5]).unwrap(), Tdc300::Second);
    assert_eq!(
        decode_tdc300(b"12:34:56").unwrap(),
        Tdc300::Time(12, 34, 56)
    );
    assert_eq!(
        decode_tdc300(b"24022912345640000").unwrap(),
        Tdc300::Full(jst(2024, 2, 29, 12, 34, 56), *b"0000")
    );
    // The parity bit of types 1 and 2 is masked, as ntpd does.
    let high: Vec<u8> = b"12:34:56".iter().map(|b| b | 0x80).collect();
    assert_eq!(decode_tdc300(&high).unwrap(), Tdc300::Time(12, 34, 56));
}

#[test]
fn encodings_are_the_layouts() {
    let t = jst(2024, 2, 29, 12, 34, 56); // a Thursday
    assert_eq!(t.weekday_sunday0(), 4);
    assert_eq!(encode_hms(&t), b"12:34:56");
    assert_eq!(encode_jjy01_date(&t), b"2024/02/29 THU");
    assert_eq!(encode_gps01_date(&t), b"2024/02/29");
    assert_eq!(encode_jst2000(&t), b"J24022941234560");
    assert_eq!(encode_lt2000(&t, *b"0000"), b"24022941234560000");
    // JJY-200: 0 = Monday.
    assert_eq!(
        encode_jjy200(Jjy200Status::Ok, &t),
        b"'OK 24/02/29 3 12:34:56"
    );
    assert_eq!(encode_tdc300(&Tdc300::Announce(t)), b"2402294123456");
    assert_eq!(
        encode_tdc300(&Tdc300::Full(t, *b"0000")),
        b"24022912345640000"
    );
}

#[test]
fn jst_is_utc_plus_nine() {
    let cases = [
        (jst(2024, 1, 1, 8, 59, 59), (2023, 12, 31, 23)),
        (jst(2024, 1, 1, 9, 0, 0), (2024, 1, 1, 0)),
        (jst(2024, 3, 1, 0, 0, 0), (2024, 2, 29, 15)),
        (jst(2023, 3, 1, 3, 0, 0), (2023, 2, 28, 18)),
        (jst(2017, 1, 1, 8, 59, 60), (2016, 12, 31, 23)),
    ];
    for (j, (y, m, d, h)) in cases {
        let u = j.to_utc();
        assert_eq!((u.year, u.month, u.day, u.hour), (y, m, d, h), "{j:?}");
        assert_eq!((u.minute, u.second), (j.minute, j.second));
        assert_eq!(Jst::from_utc(&u), j);
    }
}

#[test]
fn half_a_second_before_crosses_boundaries_right() {
    // ntpd leaves the day at 0 when the month changes (2024-03-01 00:00:00
    // becomes "2024-02-00"): ours takes the last day of the month.
    let t = jst(2024, 3, 1, 0, 0, 0).half_second_before();
    assert_eq!(
        t,
        Jst {
            millis: 500,
            ..jst(2024, 2, 29, 23, 59, 59)
        }
    );
    let t = jst(2025, 1, 1, 0, 0, 0).half_second_before();
    assert_eq!(
        t,
        Jst {
            millis: 500,
            ..jst(2024, 12, 31, 23, 59, 59)
        }
    );
    let t = jst(2025, 6, 1, 12, 0, 0).half_second_before();
    assert_eq!(
        t,
        Jst {
            millis: 500,
            ..jst(2025, 6, 1, 11, 59, 59)
        }
    );
    let t = jst(2017, 1, 1, 8, 59, 60).half_second_before();
    assert_eq!(
        t,
        Jst {
            millis: 500,
            ..jst(2017, 1, 1, 8, 59, 59)
        }
    );
}

#[test]
fn round_trips_over_many_dates() {
    // Every 7 hours 13 minutes 17 seconds for 30 years, and the ends of
    // years and leap days.
    let mut secs = CivilTime::new(2000, 1, 1, 0, 0, 0)
        .to_timestamp()
        .unwrap()
        .secs();
    let end = CivilTime::new(2030, 1, 1, 0, 0, 0)
        .to_timestamp()
        .unwrap()
        .secs();
    while secs < end {
        let u = CivilTime::from_timestamp(Timestamp::from_secs(secs));
        let t = Jst::from_utc(&u);
        assert_eq!(t.to_utc(), u);
        if t.year < 2099 && t.year >= 2000 {
            assert_eq!(
                decode_hms(&encode_hms(&t)).unwrap(),
                (t.hour, t.minute, t.second)
            );
            assert_eq!(
                decode_long_date(&encode_jjy01_date(&t), 4).unwrap(),
                (t.year, t.month, t.day)
            );
            assert_eq!(
                decode_long_date(&encode_gps01_date(&t), 0).unwrap(),
                (t.year, t.month, t.day)
            );
            assert_eq!(decode_jst2000(&encode_jst2000(&t)).unwrap(), t);
            assert_eq!(
                decode_lt2000(&encode_lt2000(&t, *b"1234")).unwrap(),
                (t, *b"1234")
            );
            assert_eq!(
                decode_jjy200(&encode_jjy200(Jjy200Status::Er, &t)).unwrap(),
                (Jjy200Status::Er, t)
            );
            for f in [
                Tdc300::Announce(t),
                Tdc300::Full(t, *b"0000"),
                Tdc300::Second,
            ] {
                assert_eq!(decode_tdc300(&encode_tdc300(&f)).unwrap(), f);
            }
        }
        secs += 7 * 3600 + 13 * 60 + 17;
    }
    // Second 60 survives.
    let t = jst(2017, 1, 1, 8, 59, 60);
    assert_eq!(decode_jst2000(&encode_jst2000(&t)).unwrap(), t);
    assert_eq!(decode_hms(b"08:59:60").unwrap(), (8, 59, 60));
}

#[test]
fn every_error_names_the_field() {
    let field = |r: Result<(u8, u8, u8), DecodeError>| match r {
        Err(DecodeError::Field { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(decode_hms(b"24:00:00")), "hour");
    assert_eq!(field(decode_hms(b"23:60:00")), "minute");
    assert_eq!(field(decode_hms(b"23:59:61")), "second");
    assert_eq!(field(decode_hms(b"23-59:00")), "separator");
    assert_eq!(field(decode_hms(b"2x:59:00")), "hour");
    assert!(matches!(
        decode_hms(b"23:59:0"),
        Err(DecodeError::Length {
            expected: 8,
            found: 7,
            ..
        })
    ));
    let date = |s: &[u8], rest| match decode_long_date(s, rest) {
        Err(DecodeError::Field { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(date(b"1999/12/31", 0), "year");
    assert_eq!(date(b"2099/01/01", 0), "year");
    assert_eq!(date(b"2024/13/01", 0), "month");
    assert_eq!(date(b"2024/12/32", 0), "day");
    assert_eq!(date(b"2024/12/00 SUN", 4), "day");
    let e = decode_jst2000(b"X24022941234567").unwrap_err();
    assert!(e.to_string().contains("'J'"), "{e}");
    let e = decode_jjy200(b"'OK 24/02/29 7 12:34:56").unwrap_err();
    assert!(e.to_string().contains("weekday"), "{e}");
    let e = decode_jjy200(b"'XX 24/02/29 3 12:34:56").unwrap_err();
    assert!(e.to_string().contains("status"), "{e}");
    let e = decode_jjy200(b"\"OK 24/02/29 3 12:34:56").unwrap_err();
    assert!(e.to_string().contains("separator"), "{e}");
    let e = decode_tdc300(&[0xE6]).unwrap_err();
    assert!(e.to_string().contains("0xe6"), "{e}");
    let e = decode_tdc300(b"240229412345").unwrap_err();
    assert!(matches!(e, DecodeError::Length { found: 12, .. }), "{e}");
    let e = decode_tdc300(b"2402298123456").unwrap_err();
    assert!(e.to_string().contains("weekday"), "{e}");
    let e = decode_lt2000(b"2413294123456ABCD").unwrap_err();
    assert!(e.to_string().contains("month"), "{e}");
}

#[test]
fn text_drops_control_bytes_only() {
    assert_eq!(text_of(b"\x02J24\x7f\x03"), b"J24");
    assert_eq!(text_of(&[0x02, 0xE5, 0x03]), vec![0xE5]);
}
