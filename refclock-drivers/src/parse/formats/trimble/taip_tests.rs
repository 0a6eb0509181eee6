//! Tests of TAIP (mode 9): the RTM codec, libparse's framing, the
//! driver's polls, resets and samples.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Clock, ClockEvent, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock, Timestamp,
};

use super::taip::{self, Rtm, TaipFormat, POLL, RESET};
use crate::parse::format::{Decoded, Format};
use crate::parse::time::{ParseError, When, Year};
use crate::parse::ParseDriver;
use crate::testkit::{check_chunking, Outcome};

pub(super) fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn rtm(t: &CivilTime, fix: u8) -> Rtm {
    Rtm {
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        millis: 0,
        day: t.day,
        month: t.month,
        year: t.year as u16,
        gps_utc: 18,
        fix,
        sats: 7,
    }
}

fn code_at(secs: i64, fix: u8) -> Vec<u8> {
    taip::encode(&rtm(
        &CivilTime::from_timestamp(Timestamp::from_secs(secs)),
        fix,
    ))
}

fn config(mode: u32) -> DriverConfig {
    DriverConfig {
        fudge: Fudge {
            mode,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    }
}

fn clock() -> Clock<ParseDriver> {
    let mut c = Clock::<ParseDriver>::start(config(9)).expect("mode 9 starts");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    c
}

fn feed(c: &mut Clock<ParseDriver>, data: &[u8], rec: Timestamp) -> Outcome {
    c.receive(PortId::MAIN, data, rec);
    Outcome::of(c.take_actions())
}

#[test]
fn a_real_rtm_report() {
    // The layout in clk_trimtaip.c, filled in: 2026-11-29 22:30:15.250
    // UTC, 3D fix, 7 satellites.
    let mut frame = b">RTM22301525029112026181071".to_vec();
    frame.extend_from_slice(b"00000;*");
    let sum = frame.iter().fold(0u8, |a, &b| a ^ b);
    // libparse reads the hex digits in either case.
    frame.extend_from_slice(format!("{sum:02x}<").as_bytes());
    assert_eq!(frame.len(), taip::LEN);
    let t = taip::decode(&frame).unwrap().unwrap();
    assert_eq!(
        t.when,
        When::Civil {
            year: Year::Full(2026),
            month: 11,
            day: 29,
            hour: 22,
            minute: 30,
            second: 15,
            nanos: 250_000_000,
            utc_offset: 0,
        }
    );
    assert!(t.status.in_sync() && t.status.has(crate::parse::time::Status::UTC));
}

#[test]
fn round_trips_over_many_dates() {
    let mut secs = ts(1999, 12, 31, 23, 59, 58).secs();
    let end = ts(2101, 3, 1, 0, 0, 0).secs();
    while secs < end {
        let code = code_at(secs, 1);
        let t = taip::decode(&code).unwrap().unwrap();
        let back = t
            .to_timestamp(Timestamp::from_secs(secs), &Default::default())
            .unwrap();
        assert_eq!(back.secs(), secs, "{}", String::from_utf8_lossy(&code));
        secs += 86_400 * 13 + 3_607;
    }
    // Year ends, a leap day, 2099 -> 2100, second 60.
    for (y, mo, d, h, mi, s) in [
        (2024, 2, 29, 12, 0, 0),
        (2026, 12, 31, 23, 59, 59),
        (2099, 12, 31, 23, 59, 59),
        (2100, 1, 1, 0, 0, 0),
    ] {
        let code = code_at(ts(y, mo, d, h, mi, s).secs(), 1);
        let t = taip::decode(&code).unwrap().unwrap();
        assert_eq!(
            t.to_timestamp(ts(y, mo, d, h, mi, s), &Default::default())
                .unwrap(),
            ts(y, mo, d, h, mi, s)
        );
    }
    let leap = CivilTime::new(2016, 12, 31, 23, 59, 60);
    let code = taip::encode(&rtm(&leap, 1));
    let t = taip::decode(&code).unwrap().unwrap();
    assert_eq!(
        t.to_timestamp(ts(2017, 1, 1, 0, 0, 0), &Default::default())
            .unwrap(),
        ts(2017, 1, 1, 0, 0, 0)
    );
}

#[test]
fn errors_and_what_is_ignored() {
    let good = code_at(ts(2026, 11, 29, 22, 0, 0).secs(), 1);
    // Checksum: a bad time (CEVNT_BADTIME).
    let mut bad = good.clone();
    bad[35] = if bad[35] == b'0' { b'1' } else { b'0' };
    let e = taip::decode(&bad).unwrap_err();
    assert!(matches!(e, ParseError::BadTime(_)), "{e}");
    assert_eq!(e.event(), ClockEvent::BadTime);
    let mut nothex = good.clone();
    nothex[34] = b'G';
    assert_eq!(
        taip::decode(&nothex).unwrap_err().event(),
        ClockEvent::BadTime
    );
    // An unreadable field: a bad reply (CEVNT_BADREPLY).
    let mut field = good.clone();
    field[6] = b'x';
    field[7] = b'y';
    let e = taip::decode(&field).unwrap_err();
    assert_eq!(e.event(), ClockEvent::BadReply, "{e}");
    // Not an RTM report, the wrong length, version digit not 1: ignored.
    assert_eq!(taip::decode(b">RPV12345<").unwrap(), None);
    assert_eq!(taip::decode(&good[..36]).unwrap(), None);
    let mut v = good.clone();
    v[26] = b'0';
    assert_eq!(taip::decode(&v).unwrap(), None);
    // Out-of-range fields, with a right checksum.
    let mut r = rtm(&CivilTime::new(2026, 2, 1, 0, 0, 0), 1);
    r.day = 30;
    let e = taip::decode(&taip::encode(&r)).unwrap().unwrap();
    assert!(e
        .to_timestamp(ts(2026, 2, 1, 0, 0, 0), &Default::default())
        .is_err());
}

#[test]
fn fix_nine_is_power_up() {
    let t = taip::decode(&code_at(ts(2026, 11, 29, 22, 0, 0).secs(), 9))
        .unwrap()
        .unwrap();
    assert!(t.status.powerup());
    for fix in 0..9 {
        let t = taip::decode(&code_at(ts(2026, 11, 29, 22, 0, 0).secs(), fix))
            .unwrap()
            .unwrap();
        assert!(t.status.in_sync(), "fix {fix}");
    }
}

#[test]
fn framing_as_libparse() {
    let rec = ts(2026, 11, 29, 22, 0, 0);
    let code = code_at(rec.secs(), 1);
    let mut f = TaipFormat::new();
    let mut out = Vec::new();
    // Noise before '>' is dropped; the frame is stamped at its '>'.
    f.feed(b"xx<yy", rec, &mut out);
    f.feed(&code[..5], rec, &mut out);
    f.feed(&code[5..], Timestamp::from_secs(rec.secs() + 1), &mut out);
    let times: Vec<_> = out
        .iter()
        .filter_map(|d| match d {
            Decoded::Time { rectime, .. } => Some(*rectime),
            _ => None,
        })
        .collect();
    assert_eq!(times, vec![rec]);
    // A run of noise longer than the buffer gives frames, never a time.
    out.clear();
    f.feed(&[b'a'; 200], rec, &mut out);
    assert!(out.iter().all(|d| matches!(d, Decoded::Other { .. })));
    // The eighth bit is stripped.
    out.clear();
    let high: Vec<u8> = code.iter().map(|b| b | 0x80).collect();
    f.feed(&high, rec, &mut out);
    assert!(matches!(out.last(), Some(Decoded::Time { .. })));
}

#[test]
fn polls_samples_and_resets() {
    let mut c = clock();
    let t0 = ts(2026, 11, 29, 22, 0, 0);
    // The poll string once per poll interval, nothing at the timer.
    c.timer(t0);
    assert!(Outcome::of(c.take_actions()).writes.is_empty());
    c.poll(t0);
    let o = Outcome::of(c.take_actions());
    assert_eq!(o.writes, vec![(PortId::MAIN, POLL.to_vec())]);
    // The answer gives a sample at its '>'.
    let o = feed(&mut c, &code_at(t0.secs() + 1, 1), t0 + 1.004);
    assert_eq!(o.samples.len(), 1);
    assert!((o.samples[0].offset + 0.004).abs() < 1e-6);
    assert_eq!(c.state().leap, Leap::NoWarning);
    // A bad reply resets the receiver (once per change of status).
    let mut field = code_at(t0.secs() + 2, 1);
    field[4] = b'x';
    let o = feed(&mut c, &field, t0 + 2.0);
    assert!(o.samples.is_empty());
    assert_eq!(o.events, vec![ClockEvent::BadReply]);
    let want: Vec<_> = RESET.iter().map(|s| (PortId::MAIN, s.to_vec())).collect();
    assert_eq!(o.writes, want);
    let o = feed(&mut c, &field, t0 + 3.0);
    assert!(o.writes.is_empty());
    // A wrong checksum is a bad time: no reset.
    let mut sum = code_at(t0.secs() + 4, 1);
    sum[35] ^= 1;
    let o = feed(&mut c, &sum, t0 + 4.0);
    assert_eq!(o.events, vec![ClockEvent::BadTime]);
    assert!(o.writes.is_empty() && o.samples.is_empty());
    // No fix: no sample, not in sync (trust time 0).
    let o = feed(&mut c, &code_at(t0.secs() + 5, 9), t0 + 5.0);
    assert!(o.samples.is_empty());
    assert_eq!(c.state().leap, Leap::NotInSync);
    let o = feed(&mut c, &code_at(t0.secs() + 6, 3), t0 + 6.0);
    assert_eq!(o.samples.len(), 1);
}

#[test]
fn split_reads_give_the_same_samples() {
    let t0 = ts(2026, 11, 29, 22, 0, 0);
    let mut data = Vec::new();
    for i in 0..5 {
        data.extend(code_at(t0.secs() + i, 1));
        data.extend_from_slice(b"\r\n>RPV1<");
    }
    let (_, o) =
        check_chunking::<ParseDriver, _>(&config(9), &data, t0, 0..20, |c| c.state().leap).unwrap();
    assert_eq!(o.samples.len(), 5);
}

#[test]
fn mode_137_asks_for_pps() {
    let c = Clock::<ParseDriver>::start(config(137)).expect("starts");
    assert!(c.ports().pps.is_some());
}

#[test]
fn fuzz_codecs_on_their_examples_and_noise() {
    use super::fuzz::{TaipCodec, TsipCodec};
    use crate::testkit::FuzzCodec;
    for e in TaipCodec::examples() {
        assert_eq!(TaipCodec::decode(&e), 2);
    }
    for e in TsipCodec::examples() {
        let _ = TsipCodec::decode(&e);
    }
    let mut rng = refclock_core::rng::Rng::new(7);
    for _ in 0..2000 {
        let n = (rng.next_u64() % 64) as usize;
        let data: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
        TaipCodec::decode(&data);
        TsipCodec::decode(&data);
        TaipCodec::roundtrip(&data);
        TsipCodec::roundtrip(&data);
    }
}
