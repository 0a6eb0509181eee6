//! The eight formats on real timecodes, round trips over many dates, and
//! every way a frame fails.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::Timestamp;

use super::libparse::{Conv, Frame};
use super::*;
use crate::parse::format::Decoded;
use crate::parse::time::{ParseError, ParseTime, Status, When, Year};

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

/// The time a converted frame names, unfolded around `near`.
fn utc(conv: &Conv, near: Timestamp) -> (Timestamp, Status) {
    match conv {
        Conv::Ok(t) => (t.to_timestamp(near, &Basedate::RELEASE).unwrap(), t.status),
        other => panic!("{other:?}"),
    }
}

#[allow(clippy::too_many_arguments)]
fn civil(
    yy: u8,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    utc_offset: i32,
) -> When {
    When::Civil {
        year: Year::TwoDigit(yy),
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        utc_offset,
    }
}

fn fail(conv: Conv) -> ParseError {
    match conv {
        Conv::Fail(e) => e,
        other => panic!("{other:?}"),
    }
}

/// Every frame `bytes` gives, fed one byte at a time at `rec`.
fn frames(kind: Kind, bytes: &[u8], rec: Timestamp) -> Vec<Frame> {
    let mut f = AsciiFormat::new(kind);
    bytes.iter().filter_map(|&b| f.input(b, rec)).collect()
}

#[test]
fn hopf_example_from_libparse() {
    // Thursday 23.11.95 11:00:46 MEZ, winter time: 10:00:46 UTC.
    // (Two-digit 95 is 2095 now, in libparse as here: compare fields.)
    let frame = b"\x02C4110046231195\n\r\x03";
    let Conv::Ok(p) = hopf6021::convert(frame) else {
        panic!()
    };
    assert_eq!(p.when, civil(95, 11, 23, 11, 0, 46, 0, -3600));
    let s = p.status;
    assert!(s.in_sync() && !s.has(Status::DST) && !s.has(Status::UTC));
    // The same in 2026 is 10:00:46 UTC.
    let c = hopf6021::convert(b"\x02C4110046231126\n\r\x03");
    assert_eq!(
        utc(&c, ts(2026, 1, 1, 0, 0, 0)).0,
        ts(2026, 11, 23, 10, 0, 46)
    );
    // The same with the UTC bit in the weekday digit: 11:00:46 UTC.
    let near = ts(2026, 1, 1, 0, 0, 0);
    let (t, s) = utc(&hopf6021::convert(b"\x02CC110046231126\n\r\x03"), near);
    assert_eq!((t, s.has(Status::UTC)), (ts(2026, 11, 23, 11, 0, 46), true));
    // Summer time and announcement; internal clock; invalid.
    let (t, s) = utc(&hopf6021::convert(b"\x02B3110046230726\n\r\x03"), near);
    assert_eq!(t, ts(2026, 7, 23, 9, 0, 46));
    assert!(s.has(Status::DST | Status::ANNOUNCE) && s.in_sync());
    let (_, s) = utc(&hopf6021::convert(b"\x0244110046231126\n\r\x03"), t);
    assert!(s.has(Status::NOSYNC) && !s.powerup());
    let (_, s) = utc(&hopf6021::convert(b"\x0204110046231126\n\r\x03"), t);
    assert!(s.powerup());
    let e = fail(hopf6021::convert(b"\x02G4110046231126\n\r\x03"));
    assert!(matches!(e, ParseError::BadFormat { .. }));
    // Stamped at the ETX, not at the STX.
    let mut f = AsciiFormat::new(Kind::Hopf6021);
    let (t0, t1) = (Timestamp::from_secs(100), Timestamp::from_secs(101));
    assert!(frame[..17].iter().all(|&b| f.input(b, t0).is_none()));
    assert_eq!(f.input(0x03, t1).unwrap().stime, t1);
}

#[test]
fn rcc8000_example_from_libparse() {
    let frame = b"15:50:36.534 30/09/94 273 5 A\r\n";
    let Conv::Ok(p) = rcc8000::convert(frame) else {
        panic!()
    };
    // 'A' says BST, but the receiver emits GMT all year: no offset.
    assert_eq!(p.when, civil(94, 9, 30, 15, 50, 36, 534_000_000, 0));
    assert_eq!(p.status, Status(Status::UTC));
    let t = ts(2026, 9, 30, 15, 50, 36);
    // Not valid: never synchronised.
    let (_, s) = utc(&rcc8000::convert(b"15:50:36.534 30/09/94 273 5 2\r\n"), t);
    assert!(s.powerup());
    // A status that is no hex digit: a bad reply (libparse: in sync).
    let e = fail(rcc8000::convert(b"15:50:36.534 30/09/94 273 5 Z\r\n"));
    assert!(matches!(e, ParseError::BadFormat { .. }), "{e}");
    // Stamped at the first byte.
    let got = frames(Kind::Rcc8000, frame, Timestamp::from_secs(5));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].bytes, frame);
}

#[test]
fn dcf7000_local_time_and_flags() {
    let (t, s) = utc(
        &dcf7000::convert(b"26-11-29-07-23-15-42-00\r"),
        ts(2026, 11, 29, 0, 0, 0),
    );
    assert_eq!(t, ts(2026, 11, 29, 22, 15, 42));
    assert!(s.in_sync());
    let (t, s) = utc(&dcf7000::convert(b"26-07-01-03-12-00-00-03\r"), t);
    assert_eq!(t, ts(2026, 7, 1, 10, 0, 0));
    assert!(s.has(Status::ANNOUNCE) && !s.has(Status::DST));
    let (_, s) = utc(&dcf7000::convert(b"26-07-01-03-12-00-00-05\r"), t);
    assert!(s.has(Status::NOSYNC));
    // The weekday is not read.
    assert!(matches!(
        dcf7000::convert(b"26-07-01-xx-12-00-00-00\r"),
        Conv::Ok(_)
    ));
    let e = fail(dcf7000::convert(b"26-07-01-03-x2-00-00-00\r"));
    assert!(matches!(e, ParseError::BadFormat { .. }));
    assert_eq!(dcf7000::convert(b"26-07-01-03-12:00-00-00\r"), Conv::None);
}

#[test]
fn schmid_binary_answer() {
    let ans = [10, 11, 12, 3, 29, 11, 26, 3, schmid::TX_MET, 0, 0xFD];
    let (t, s) = utc(&schmid::convert(&ans), ts(2026, 11, 29, 0, 0, 0));
    assert_eq!(
        t.as_nanos(),
        ts(2026, 11, 29, 9, 11, 12).as_nanos() + 300_000_000
    );
    assert!(s.in_sync());
    let mut a = ans;
    a[8] = schmid::TX_MEST | schmid::TX_LEAP | schmid::TX_ANNOUNCE | schmid::TX_CALLBIT;
    let (t2, s) = utc(&schmid::convert(&a), t);
    assert_eq!(t2.as_nanos(), t.as_nanos() - 3_600_000_000_000);
    assert!(s.has(Status::DST | Status::LEAPADD | Status::ANNOUNCE | Status::CALLBIT));
    assert!(s.leap_add());
    // Crystal backup: not confirmed, and the transmitter bits not read.
    a[7] = schmid::CLOCK_TIME;
    let (_, s) = utc(&schmid::convert(&a), t);
    assert!(s.has(Status::NOSYNC) && !s.has(Status::LEAPADD) && !s.powerup());
    a[7] = 0;
    assert!(utc(&schmid::convert(&a), t).1.powerup());
    // No zone, bad time, bad date, wrong length.
    let mut b = ans;
    b[8] = 0;
    assert!(matches!(
        fail(schmid::convert(&b)),
        ParseError::BadFormat { .. }
    ));
    let mut b = ans;
    b[0] = 24;
    assert!(matches!(fail(schmid::convert(&b)), ParseError::BadTime(_)));
    let mut b = ans;
    b[5] = 13;
    assert!(matches!(fail(schmid::convert(&b)), ParseError::BadDate(_)));
    assert_eq!(schmid::convert(&ans[1..]), Conv::None);
}

#[test]
fn computime_varitext_wharton_sel() {
    let near = ts(2026, 11, 29, 0, 0, 0);
    let (t, s) = utc(&computime::convert(b"T:26:11:29:07:22:15:42\r\n"), near);
    assert_eq!((t, s), (ts(2026, 11, 29, 22, 15, 42), Status(0)));

    let st = varitext::ALWAYS | varitext::INITIALISED | varitext::SYNCHRONISED;
    let mut v = b"T:26:07:01:03:12:00:00\r\n".to_vec();
    v.extend_from_slice(&[st | varitext::BST, b'1', b'2', b'3', 0]);
    let (t, s) = utc(&varitext::convert(&v), near);
    assert_eq!(t, ts(2026, 7, 1, 11, 0, 0));
    assert!(s.has(Status::DST) && s.in_sync());
    v[24] = varitext::ALWAYS | varitext::INITIALISED | varitext::SEASON_CHANGE;
    let (_, s) = utc(&varitext::convert(&v), near);
    assert!(s.has(Status::NOSYNC | Status::ANNOUNCE) && !s.powerup());
    v[24] = varitext::ALWAYS;
    assert!(utc(&varitext::convert(&v), near).1.powerup());

    // Wharton: units first; DCF source in summer: UTC+2.
    let w = wharton::encode(&CivilTime::new(2026, 7, 1, 12, 34, 56), 0x7);
    assert_eq!(w, b"\x02654321107062\x37\x03");
    let (t, s) = utc(&wharton::convert(&w), near);
    assert_eq!(t, ts(2026, 7, 1, 10, 34, 56));
    assert!(s.has(Status::DST) && s.in_sync());
    let w = wharton::encode(&CivilTime::new(2026, 12, 1, 12, 34, 56), 0x8);
    let (t, s) = utc(&wharton::convert(&w), near);
    assert_eq!(t, ts(2026, 12, 1, 12, 34, 56));
    assert!(s.has(Status::NOSYNC | Status::ANNOUNCE));
    assert_eq!(wharton::convert(&w[..14]), Conv::None);
    let mut bad = w.clone();
    bad[3] = b'x';
    assert_eq!(wharton::convert(&bad), Conv::None);

    let (t, s) = utc(&sel240x::convert(b"\x012026:333:22:15:42 \r\n"), near);
    assert_eq!((t, s), (ts(2026, 11, 29, 22, 15, 42), Status(Status::UTC)));
    let (_, s) = utc(&sel240x::convert(b"\x012026:333:22:15:42?\r\n"), near);
    assert!(s.powerup());
    let (_, s) = utc(&sel240x::convert(b"\x012026:333:22:15:42#\r\n"), near);
    assert!(s.has(Status::NOSYNC) && !s.powerup());
    let e = fail(sel240x::convert(b"\x012026:333:24:15:42 \r\n"));
    assert!(matches!(e, ParseError::BadFormat { .. }));
    let e = fail(sel240x::convert(b"\x012026:366:23:15:42 \r\n"));
    assert!(matches!(e, ParseError::BadDate(_)));
    // Day 366 of a leap year is 31 December.
    let (t, _) = utc(&sel240x::convert(b"\x012028:366:23:59:60 \r\n"), near);
    assert_eq!(t, ts(2029, 1, 1, 0, 0, 0));
}

/// The frames each format makes of a time, for round trips.
fn encode(kind: Kind, t: &CivilTime) -> Vec<u8> {
    let wd = 3;
    match kind {
        Kind::Dcf7000 => dcf7000::encode(t, wd, 0),
        Kind::Schmid => schmid::encode(t, 3, schmid::TX_MET),
        Kind::Rcc8000 => rcc8000::encode(t, t.yday(), wd, rcc8000::VALID),
        Kind::Hopf6021 => hopf6021::encode(t, hopf6021::RADIO, wd | hopf6021::UTC),
        Kind::Computime => computime::encode(t, wd),
        Kind::Wharton => wharton::encode(t, wharton::SYNC),
        Kind::Varitext => varitext::encode(t, wd, varitext::INITIALISED | varitext::SYNCHRONISED),
        Kind::Sel240x => sel240x::encode(t, b' '),
    }
}

/// Seconds to add to the encoded local time for UTC.
fn offset(kind: Kind) -> i64 {
    match kind {
        Kind::Dcf7000 | Kind::Schmid => -3600,
        _ => 0,
    }
}

const KINDS: [Kind; 8] = [
    Kind::Dcf7000,
    Kind::Schmid,
    Kind::Rcc8000,
    Kind::Hopf6021,
    Kind::Computime,
    Kind::Wharton,
    Kind::Varitext,
    Kind::Sel240x,
];

#[test]
fn round_trips_over_many_dates() {
    let mut dates = vec![
        ts(2000, 2, 29, 23, 59, 59),
        ts(2024, 2, 29, 12, 0, 0),
        ts(2026, 12, 31, 23, 59, 59),
        ts(2027, 1, 1, 0, 0, 0),
        ts(2099, 12, 31, 23, 59, 59),
        ts(2100, 1, 1, 0, 0, 0),
        ts(2100, 3, 1, 0, 0, 0),
        ts(2098, 6, 15, 8, 30, 0),
    ];
    let mut s: i64 = 946_684_800;
    while s < 4_200_000_000 {
        dates.push(Timestamp::from_secs(s));
        s += 86_400 * 37 + 3_671;
    }
    for kind in KINDS {
        for &d in &dates {
            let local = CivilTime::from_timestamp(Timestamp::from_secs(d.secs() - offset(kind)));
            let bytes = encode(kind, &local);
            let got = frames(kind, &bytes, d);
            assert_eq!(got.len(), 1, "{kind:?} {bytes:?}");
            let f = AsciiFormat::new(kind);
            match f.decode(got[0].clone()) {
                Decoded::Time { time, rectime, .. } => {
                    assert_eq!(rectime, d);
                    let t = time.to_timestamp(d, &Basedate::RELEASE).unwrap();
                    assert_eq!(t, d, "{kind:?} {:?}", String::from_utf8_lossy(&bytes));
                    assert!(time.status.in_sync(), "{kind:?}");
                }
                other => panic!("{kind:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn leap_second_sixty() {
    let t = CivilTime::new(2016, 12, 31, 23, 59, 60);
    for kind in [Kind::Rcc8000, Kind::Computime, Kind::Sel240x, Kind::Wharton] {
        let got = frames(kind, &encode(kind, &t), Timestamp::from_secs(5));
        match AsciiFormat::new(kind).decode(got[0].clone()) {
            Decoded::Time { time, .. } => assert_eq!(
                time.to_timestamp(ts(2016, 12, 31, 0, 0, 0), &Basedate::RELEASE),
                Ok(ts(2017, 1, 1, 0, 0, 0)),
                "{kind:?}"
            ),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn noise_truncation_and_overflow() {
    let t = CivilTime::new(2026, 11, 29, 22, 15, 42);
    for kind in KINDS {
        let good = encode(kind, &t);
        // Truncated at every length, then a whole frame: only the whole
        // one gives a time; the rest is at most one frame that is not
        // one or fails.
        for cut in 0..good.len() {
            let mut bytes = good[..cut].to_vec();
            bytes.extend_from_slice(&good);
            bytes.extend_from_slice(&good);
            let f = AsciiFormat::new(kind);
            let times: Vec<ParseTime> = frames(kind, &bytes, Timestamp::from_secs(1))
                .into_iter()
                .filter_map(|fr| match f.decode(fr) {
                    Decoded::Time { time, .. } => Some(time),
                    _ => None,
                })
                .collect();
            assert!(
                (1..=2).contains(&times.len()),
                "{kind:?} cut {cut}: {} times",
                times.len()
            );
        }
        // Pure noise never panics and never gives a time.
        let mut rng = refclock_core::rng::Rng::new(kind as u64);
        let noise: Vec<u8> = (0..4000).map(|_| rng.up_to(255) as u8).collect();
        let mut f = AsciiFormat::new(kind);
        let mut out = Vec::new();
        crate::parse::format::Format::feed(&mut f, &noise, Timestamp::from_secs(1), &mut out);
        assert!(
            out.iter().all(|d| !matches!(d, Decoded::Time { .. })),
            "{kind:?}"
        );
    }
}

#[test]
fn varitext_framing() {
    let st = varitext::ALWAYS | varitext::INITIALISED | varitext::SYNCHRONISED;
    let good = varitext::encode(&CivilTime::new(2026, 11, 29, 22, 15, 42), 7, st);
    assert_eq!(good.len(), 28);
    let mut f = AsciiFormat::new(Kind::Varitext);
    let (t0, t1, t2) = (
        Timestamp::from_secs(10),
        Timestamp::from_secs(11),
        Timestamp::from_secs(12),
    );
    // Noise, a stray `T` without `:`, then the frame: `T` in one read,
    // the rest in later ones; stamped at the read of the `T`.
    for &b in b"xxT-yy" {
        assert!(f.input(b, t0).is_none());
    }
    assert!(f.input(b'T', t1).is_none());
    let mut got = Vec::new();
    for &b in &good[1..] {
        got.extend(f.input(b | 0x80, t2)); // parity bits are stripped
    }
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].stime, t1);
    // libparse appends a NUL; the text leaves it out.
    assert_eq!(&got[0].bytes[..28], &good[..]);
    assert_eq!(got[0].bytes[28], 0);
    match f.decode(got[0].clone()) {
        Decoded::Time { text, .. } => assert_eq!(text, "T:26:11:29:07:22:15:42<0D><0A>C000"),
        other => panic!("{other:?}"),
    }
    // A `T:` within a frame starts it again.
    let mut bytes = good[..10].to_vec();
    bytes.extend_from_slice(&good);
    let got = frames(Kind::Varitext, &bytes, t0);
    assert_eq!(got.len(), 1);
    assert_eq!(&got[0].bytes[..28], &good[..]);
}
