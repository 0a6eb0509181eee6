//! The timecodes: real ones, round trips, every error.

use super::codec::*;
use refclock_core::calendar::CivilTime;
use refclock_core::{Leap, Timestamp};

/// NIST's own example (ntpd's refclock_acts.c, driver18.html).
const NIST_1990: &[u8] = b"47999 90-04-18 21:39:15 50 0 +.1 045.0 UTC(NIST) *";
/// The TF.583 example of ntpd's old PTB driver (78 characters).
const PTB_1995: &[u8] =
    b"1995-01-23 20:58:51 MEZ  10402303260219950123195849740+40000500              *";

#[test]
fn nist_example() {
    assert_eq!(NIST_1990.len(), LEN_NIST);
    let Timecode::Nist(n) = decode(NIST_1990).unwrap_or_else(|e| panic!("{e}")) else {
        panic!("not NIST")
    };
    assert_eq!(n.mjd, 47999);
    assert_eq!(n.time, CivilTime::new(1990, 4, 18, 21, 39, 15));
    assert_eq!(
        (n.dst, n.leap, n.dut1, n.advance, n.otm),
        (50, 0, 1, 450, b'*')
    );
    assert_eq!(n.leap(), Leap::NoWarning);
    assert_eq!(n.encode(), NIST_1990);
    assert_eq!(
        n.reference().unwrap(),
        CivilTime::new(1990, 4, 18, 21, 39, 15)
            .to_timestamp()
            .unwrap()
    );
    let hash = b"47999 90-04-18 21:39:16 50 0 +.1 045.0 UTC(NIST) #";
    assert!(matches!(decode(hash), Ok(Timecode::Nist(n)) if n.otm == b'#'));
    // A recent line: MJD 60318 is 2024-01-09; negative DUT1; leap 1.
    let now = b"60318 24-01-09 18:38:45 00 1 -.1 045.0 UTC(NIST) *";
    let Ok(Timecode::Nist(n)) = decode(now) else {
        panic!()
    };
    assert_eq!((n.time.year, n.dut1, n.leap()), (2024, -1, Leap::AddSecond));
    assert_eq!(n.encode(), now);
}

#[test]
fn nist_errors() {
    let mut bad = NIST_1990.to_vec();
    bad[7] = b'9'; // year 99 does not match the MJD
    assert!(matches!(decode(&bad), Err(ActsError::Date { .. })));
    let mut bad = NIST_1990.to_vec();
    bad[49] = b'+';
    assert!(matches!(
        decode(&bad),
        Err(ActsError::Field {
            field: "on-time marker",
            ..
        })
    ));
    let mut bad = NIST_1990.to_vec();
    bad[27] = b'3';
    assert!(matches!(
        decode(&bad),
        Err(ActsError::Field { field: "leap", .. })
    ));
    let mut bad = NIST_1990.to_vec();
    bad[21] = b'7';
    assert!(matches!(
        decode(&bad),
        Err(ActsError::Field { field: "time", .. })
    ));
    let mut bad = NIST_1990.to_vec();
    bad[40] = b'X';
    let e = decode(&bad).unwrap_err();
    assert!(e.to_string().contains("timescale"), "{e}");
    assert_eq!(decode(b"hello"), Err(ActsError::Length(5)));
    assert_eq!(decode(b""), Err(ActsError::Length(0)));
    assert_eq!(decode(b"#"), Err(ActsError::Length(1)));
}

#[test]
fn usno() {
    // 2024-01-09 is MJD 60318, day 9.
    let line = b"60318 009 183845 UTC";
    assert_eq!(line.len(), LEN_USNO);
    let Ok(Timecode::Usno(u)) = decode(line) else {
        panic!()
    };
    assert_eq!(
        (u.mjd, u.yday, u.hour, u.minute, u.second),
        (60318, 9, 18, 38, 45)
    );
    assert_eq!(u.encode(), line);
    assert_eq!(
        u.time().unwrap(),
        CivilTime::new(2024, 1, 9, 18, 38, 45)
            .to_timestamp()
            .unwrap()
    );
    assert_eq!(decode(b"*"), Ok(Timecode::UsnoMark));
    assert!(matches!(
        decode(b"60318 010 183845 UTC"),
        Err(ActsError::Date { .. })
    ));
    assert!(matches!(
        decode(b"60318 009 183845 TAI"),
        Err(ActsError::Field { .. })
    ));
}

#[test]
fn ptb_example() {
    assert_eq!(PTB_1995.len(), LEN_PTB);
    let Ok(Timecode::Ptb(p)) = decode(PTB_1995) else {
        panic!()
    };
    assert_eq!(p.utc, CivilTime::new(1995, 1, 23, 19, 58, 51));
    assert_eq!(p.local, CivilTime::new(1995, 1, 23, 20, 58, 51));
    assert_eq!(
        (p.mjd, p.dut1, p.leap_dir, p.leap_month),
        (49740, 4, b'0', 0)
    );
    assert_eq!(&p.zone, b"MEZ  ");
    assert_eq!(p.otm, b'*');
    assert_eq!(p.leap(), Leap::NoWarning);
    assert_eq!(p.encode(), PTB_1995);
    let mut leap = p.clone();
    leap.leap_dir = b'+';
    leap.leap_month = 1;
    assert_eq!(leap.leap(), Leap::AddSecond);
    leap.leap_month = 6;
    assert_eq!(leap.leap(), Leap::NoWarning, "not this month");
    let mut bad = PTB_1995.to_vec();
    bad[50] = b'8';
    assert!(matches!(decode(&bad), Err(ActsError::Date { .. })));
    let mut bad = PTB_1995.to_vec();
    bad[13] = b'.';
    assert!(matches!(
        decode(&bad),
        Err(ActsError::Field {
            field: "hour mark",
            ..
        })
    ));
}

#[test]
fn spectracom() {
    let f0 = b"   009 18:38:45 STZ=00";
    let Ok(Timecode::Wwvb0(w)) = decode(f0) else {
        panic!()
    };
    assert_eq!(
        (w.sync, w.yday, w.hour, w.minute, w.second),
        (b' ', 9, 18, 38, 45)
    );
    assert_eq!(w.encode(), f0);
    assert!(matches!(decode(b"?  009 18:38:45 STZ=00"), Ok(Timecode::Wwvb0(w)) if w.sync == b'?'));
    let f2 = b" A24 009 18:38:45.123 LS";
    let Ok(Timecode::Wwvb2(w)) = decode(f2) else {
        panic!()
    };
    assert_eq!((w.yy, w.yday, w.millis, w.leap), (24, 9, 123, b'L'));
    assert_eq!(w.encode(), f2);
    assert!(matches!(
        decode(b" A24 000 18:38:45.123  S"),
        Err(ActsError::Field { .. })
    ));
    assert!(matches!(
        decode(b"   367 18:38:45 STZ=00"),
        Err(ActsError::Field { .. })
    ));
}

#[test]
fn round_trips_over_many_dates() {
    let dates = [
        (1999, 12, 31, 23, 59, 59),
        (2000, 2, 29, 0, 0, 0),
        (2016, 12, 31, 23, 59, 60),
        (2024, 12, 31, 12, 30, 1),
        (2038, 1, 19, 3, 14, 8),
        (2099, 12, 31, 23, 59, 59),
    ];
    for (y, mo, d, h, mi, s) in dates {
        let t = CivilTime::new(y, mo, d, h, mi, s);
        let mjd = date_mjd(y, mo, d);
        assert_eq!(mjd_date(mjd), (y, mo, d));
        let n = Nist {
            mjd,
            time: t,
            dst: 0,
            leap: 2,
            dut1: -3,
            advance: 123,
            otm: b'#',
        };
        assert_eq!(decode(&n.encode()), Ok(Timecode::Nist(n)));
        let u = Usno {
            mjd,
            yday: t.yday(),
            hour: h,
            minute: mi,
            second: s,
        };
        assert_eq!(decode(&u.encode()), Ok(Timecode::Usno(u)));
        let w = Wwvb2 {
            sync: b' ',
            quality: b'A',
            yy: (y % 100) as u8,
            yday: t.yday(),
            hour: h,
            minute: mi,
            second: s,
            millis: 999,
            leap: b' ',
            dst: b'S',
        };
        assert_eq!(decode(&w.encode()), Ok(Timecode::Wwvb2(w)));
    }
    assert_eq!(mjd_of(Timestamp::from_secs(0)), 40587);
    assert_eq!(date_mjd(1858, 11, 17), 0);
}

#[test]
fn noise_before_a_timecode() {
    let noisy = [&b"x!@j"[..], NIST_1990].concat();
    let (code, skipped) = decode_tail(&noisy).unwrap();
    assert_eq!(skipped, 4);
    assert!(matches!(code, Timecode::Nist(_)));
    let noisy = [&b"zz"[..], PTB_1995].concat();
    assert!(matches!(decode_tail(&noisy), Ok((Timecode::Ptb(_), 2))));
    assert!(matches!(
        decode_tail(b"q60318 009 183845 UTC"),
        Ok((Timecode::Usno(_), 1))
    ));
    assert_eq!(decode_tail(b"hello world"), Err(ActsError::Length(11)));
    // A timecode's length is decoded as it is.
    assert!(decode_tail(
        &NIST_1990[..49]
            .iter()
            .chain(b"+")
            .copied()
            .collect::<Vec<_>>()
    )
    .is_err());
}
