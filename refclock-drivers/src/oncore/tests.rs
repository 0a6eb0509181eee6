//! Tests of the Oncore codec and configuration file, and the replays of
//! gpsd's captures.

use std::collections::BTreeSet;

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::framing::{FrameStatus, Framer, OncoreFramer};
use refclock_core::gps::EraWindow;
use refclock_core::{ClockEvent, Timestamp};

use super::codec::{self, FixMode, OncoreError, Position, Traim};
use super::config::{self, parse};
use crate::testkit::{Capture, Testdata};

pub(super) fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

/// A position message of `chan` channels naming `t`, with `status`.
pub(super) fn position(chan: u8, t: CivilTime, status: u16) -> Position {
    Position {
        chan,
        time: t,
        lat: 207_766_190,
        lon: 43_281_353,
        height: 8_511,
        status,
        dop_type: 0,
        utc_flags: if chan == 12 { 0xd2 } else { 0 },
    }
}

/// Every frame of `bytes`: (status, bytes).
fn frames(bytes: &[u8]) -> Vec<(FrameStatus, Vec<u8>)> {
    let mut f = OncoreFramer::new();
    let mut out = Vec::new();
    f.feed(bytes, Timestamp::EPOCH, |fr| {
        out.push((fr.status, fr.data.to_vec()))
    });
    out
}

#[test]
fn positions_round_trip_for_every_model() {
    for chan in [6, 8, 12] {
        for (i, secs) in [0i64, 86_399, 951_782_400, 1_483_228_799, 3_000_000_000]
            .into_iter()
            .enumerate()
        {
            let mut t = CivilTime::from_timestamp(Timestamp::from_secs(secs + 315_964_800));
            t.nanos = 123_456 * i as u32;
            let p = position(chan, t, if chan == 12 { 0x8401 } else { 0x08 });
            let m = codec::encode_position(&p);
            assert_eq!(m.len(), codec::position_len(chan));
            assert_eq!(frames(&m), vec![(FrameStatus::Complete, m.clone())]);
            assert_eq!(codec::decode_position(&m), Ok(p));
        }
    }
    let mut leap = position(12, CivilTime::new(2016, 12, 31, 23, 59, 60), 0x8000);
    let m = codec::encode_position(&leap);
    assert_eq!(
        codec::decode_position(&m).unwrap().timestamp(),
        ts(2017, 1, 1, 0, 0, 0)
    );
    leap.time.second = 61;
    let m = codec::encode_position(&leap);
    assert!(matches!(
        codec::decode_position(&m),
        Err(OncoreError::Range {
            field: "second",
            ..
        })
    ));
}

#[test]
fn position_errors_name_the_field() {
    let good = codec::encode_position(&position(8, CivilTime::new(2020, 4, 10, 5, 12, 50), 8));
    let spoil = |i: usize, v: u8| {
        let mut m = good.clone();
        m[i] = v;
        codec::decode_position(&m)
    };
    let field = |r: Result<Position, OncoreError>| match r {
        Err(OncoreError::Range { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(spoil(4, 13)), "month");
    assert_eq!(field(spoil(5, 0)), "day");
    assert_eq!(field(spoil(8, 24)), "hour");
    assert_eq!(field(spoil(9, 60)), "minute");
    assert_eq!(field(spoil(11, 0xff)), "fraction");
    assert_eq!(field(spoil(6, 0)), "year");
    assert_eq!(spoil(6, 0).unwrap_err().event(), ClockEvent::BadDate);
    assert_eq!(spoil(8, 24).unwrap_err().event(), ClockEvent::BadTime);
    // 31 April.
    assert_eq!(field(spoil(5, 31)), "day");
    assert!(matches!(
        codec::decode_position(&good[..70]),
        Err(OncoreError::Length { .. })
    ));
    assert!(matches!(
        codec::decode_position(b"@@Cj\r\n\r\n"),
        Err(OncoreError::Kind(_))
    ));
}

#[test]
fn status_bits_as_ntpd_reads_them() {
    let t = CivilTime::new(2020, 4, 10, 5, 12, 50);
    assert_eq!(position(8, t, 0x08).mode(), FixMode::Hold0D);
    assert_eq!(position(8, t, 0x10).mode(), FixMode::Fix2D);
    assert_eq!(position(6, t, 0x20).mode(), FixMode::Fix3D);
    assert!(position(8, t, 0x41).bad_almanac());
    assert!(position(8, t, 0x41).bad_fix());
    assert_eq!(position(12, t, 0x8401).mode(), FixMode::Hold0D);
    assert_eq!(position(12, t, 0xe000).mode(), FixMode::Fix3D);
    assert!(position(12, t, 0x0080).bad_almanac());
    assert!(position(12, t, 0x0010).survey_running());
    let mut p = position(8, t, 0x20);
    p.dop_type = 0x20;
    assert!(p.survey_running());
}

#[test]
fn traim_gj_and_commands_round_trip() {
    for chan in [6, 8, 12] {
        for saw in [-128i8, -7, 0, 48, 127] {
            let t = Traim {
                chan,
                status: (saw & 1) as u8,
                sawtooth: saw,
            };
            let m = codec::encode_traim(&t);
            assert_eq!(m.len(), codec::traim_len(chan));
            assert_eq!(codec::decode_traim(&m), Ok(t));
            assert_eq!(frames(&m).len(), 1);
        }
    }
    let l = codec::LeapInfo {
        current: 18,
        future: 19,
        year: 2027,
        month: 6,
        day: 30,
        hour: 23,
        minute: 59,
        second: 60,
    };
    assert_eq!(codec::decode_gj(&codec::encode_gj(&l)), Ok(l));
    assert_eq!(l.delta(), 1);
    // ntpd's oncore_sendmsg: @@, the bytes, their XOR, CR LF.
    assert_eq!(codec::message(b"Cj"), b"@@Cj)\r\n".to_vec());
    assert_eq!(codec::message(&[b'H', b'a', 1]), b"@@Ha\x01(\r\n".to_vec());
    let cj = codec::encode_cj("P273T12T12");
    assert_eq!(cj.len(), 294);
    assert_eq!(codec::model_of(&cj), ("M12", "P273T12T12".to_string()));
    assert_eq!(codec::model_of(&codec::encode_cj("B4121P1155")).0, "VP");
    assert_eq!(codec::model_of(&codec::encode_cj("R5122U1115")).0, "UT");
    assert_eq!(codec::model_of(&codec::encode_cj("A11121P116")).0, "Basic");
    assert_eq!(codec::model_of(&codec::encode_cj("PVT6")).0, "PVT6");
}

/// Raw decoded times (no era correction) of the position messages of a
/// capture, and the count of frames that were not good.
fn decoded(c: &Capture) -> (Vec<Position>, usize) {
    let mut good = Vec::new();
    let mut bad = 0;
    for (st, m) in frames(c.body()) {
        if st != FrameStatus::Complete {
            bad += 1;
            continue;
        }
        if matches!(&m[2..4], b"Ba" | b"Ea" | b"Ha") {
            good.push(codec::decode_position(&m).expect("decodes"));
        }
    }
    (good, bad)
}

fn secs(ps: &[Position]) -> BTreeSet<i64> {
    ps.iter().map(|p| p.timestamp().secs()).collect()
}

/// The capture-by-capture agreement with gpsd (see the module doc).
#[test]
fn captures_agree_with_gpsd() {
    let Some(data) = Testdata::locate(env!("CARGO_MANIFEST_DIR")) else {
        return;
    };
    let load = |n: &str| data.capture(n).expect(n);
    // Two UT+ captures: every time gpsd printed is ours, and the other
    // way round. Both are the 2000-08-25 of a receiver one GPS era
    // behind (gpsd prints it as it is); unfolded they are 2020-04-10.
    for name in ["oncore-binary.log", "oncore-binary-pos-hold.log"] {
        let c = load(name);
        let (ps, bad) = decoded(&c);
        assert_eq!(bad, 0, "{name}");
        let tpv = c.tpv_times();
        assert!(!tpv.is_empty());
        assert_eq!(secs(&ps), tpv, "{name}");
        let rec = ts(2020, 4, 10, 5, 0, 0);
        let w = EraWindow::new(&Basedate::from_ymd(2019, 1, 1).unwrap(), rec);
        for p in &ps {
            let fixed = w.fix(p.timestamp());
            assert_eq!(fixed.secs() - p.timestamp().secs(), 7168 * 86_400, "{name}");
            assert_eq!(CivilTime::from_timestamp(fixed).year, 2020);
        }
    }
    // No UTC offset yet: the receiver states GPS time as UTC; gpsd prints
    // no time, and the bad-almanac bit we gate on is set in every message.
    let c = load("oncore-binary-no-utc-offset.log");
    let (ps, bad) = decoded(&c);
    assert_eq!(bad, 0);
    assert!(c.tpv_times().is_empty());
    assert!(!ps.is_empty() && ps.iter().all(|p| p.bad_almanac()));
    // M12: gpsd prints a time only once @@Bo told it the UTC offset,
    // which comes after the first @@Ha: the first second is ours alone.
    let c = load("oncore-m12.log");
    let (ps, bad) = decoded(&c);
    assert_eq!(bad, 0);
    let ours = secs(&ps);
    let tpv = c.tpv_times();
    assert!(tpv.is_subset(&ours));
    let extra: Vec<i64> = ours.difference(&tpv).copied().collect();
    assert_eq!(extra, vec![ts(2026, 1, 21, 7, 33, 29).secs()]);
    assert!(ps.iter().all(|p| p.utc_decoded() && !p.bad_almanac()));
    // oncore.log is a GT+ in NMEA mode: no binary message at all.
    let c = load("oncore.log");
    assert!(c.is_text());
    assert_eq!(decoded(&c).0.len(), 0);
    assert!(!c.tpv_times().is_empty());
}

#[test]
fn damaged_messages_are_counted_never_decoded() {
    let good = codec::encode_position(&position(
        12,
        CivilTime::new(2026, 1, 21, 7, 33, 29),
        0x8401,
    ));
    let mut badsum = good.clone();
    badsum[20] ^= 0x40;
    let truncated = &good[..100];
    let mut stream = Vec::new();
    stream.extend_from_slice(&badsum);
    stream.extend_from_slice(truncated);
    stream.extend_from_slice(&good);
    let mut f = OncoreFramer::new();
    let mut got = Vec::new();
    f.feed(&stream, Timestamp::EPOCH, |fr| {
        got.push((fr.status, fr.data.len()))
    });
    assert_eq!(
        got,
        vec![
            (FrameStatus::BadChecksum, 154),
            (FrameStatus::Complete, 154)
        ]
    );
    assert!(f.skipped() >= 100);
}

fn cfg_err(text: &str) -> config::ConfigError {
    parse(text, "/etc/ntp.oncore.0").unwrap_err()
}

#[test]
fn config_keywords() {
    let c = parse(
        "# my receiver\n\
         mode = 1\n\
         LON  -106 34.610\n\
         Latitude 35 08.999\n\
         HT 5215 FT # feet\n\
         DELAY 60 ns\n\
         offset=0.5 us\n\
         clear\n\
         HARDPPS\n\
         STATUS /var/log/Oncore.0\n\
         POSN3D\n\
         CHAN 12\n\
         TRAIM off\n\
         MASK 10\n\
         ppscontrol satellite\n",
        "f",
    )
    .unwrap();
    assert_eq!(c.mode, 1);
    let (lat, lon, ht) = c.position.unwrap();
    assert_eq!(lat, (1000.0 * (60.0 * (8.999 + 60.0 * 35.0))) as i32);
    assert_eq!(lon, -((1000.0 * (60.0 * (34.610 + 60.0 * 106.0))) as i32));
    assert_eq!(ht, (5215.0 * 0.3048 * 100.0) as i32);
    assert_eq!(c.delay_ns, 60);
    assert_eq!(c.offset_ns, 500);
    assert!(!c.assert && c.hardpps);
    assert_eq!(c.shmem.as_deref(), Some("/var/log/Oncore.0"));
    assert_eq!(c.shmem_posn, 3);
    assert_eq!(c.chan, Some(12));
    assert_eq!(c.traim, Some(false));
    assert_eq!(c.mask, Some(10));
    assert_eq!(c.pps_control, Some(2));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    let c = parse(
        "LAT 10 20 30.5\nLON 1.5\nHT 100 M\nPOSN2D\nTRAIM\nASSERT\nDELAY 0.5 MS\nOFFSET 2 MS\n",
        "f",
    )
    .unwrap();
    assert_eq!(c.position.unwrap(), (37_230_500, 5_400_000, 10_000));
    assert_eq!((c.shmem_posn, c.traim, c.assert), (2, Some(true), true));
    assert_eq!((c.delay_ns, c.offset_ns), (500_000, 2_000_000));
    // No MODE: 0, as in ntpd. Mode 1 or 3 without a whole position: +1.
    assert_eq!(parse("", "f").unwrap().mode, 0);
    let c = parse("MODE 3\nLAT 1\nLON 2\n", "f").unwrap();
    assert_eq!(c.mode, 4);
    assert!(c.position.is_none());
    assert!(c.warnings.iter().any(|w| w.contains("mode set to 4")));
    // Unknown keywords: a warning (ntpd ignores them).
    let c = parse("FOO 1\n", "f").unwrap();
    assert!(c.warnings[0].contains("FOO"));
    // DELAY without a unit is seconds, as in ntpd.
    assert_eq!(parse("DELAY 0.00000006\n", "f").unwrap().delay_ns, 60);
    // Negative zero degrees keeps its sign.
    let c = parse("LAT -0 30\nLON 0\nHT 0\n", "f").unwrap();
    assert_eq!(c.position, Some((-1_800_000, 0, 0)));
}

#[test]
fn config_errors_name_file_line_and_word() {
    let e = cfg_err("\nMODE 7\n");
    assert_eq!((e.line, e.word.as_str()), (2, "7"));
    assert_eq!(
        e.to_string(),
        "/etc/ntp.oncore.0:2: \"7\": is not a mode (0 to 4)"
    );
    assert_eq!(cfg_err("LAT abc").word, "ABC");
    assert_eq!(cfg_err("LAT 1 2 3 4").word, "LAT");
    assert_eq!(cfg_err("LAT 91").word, "91");
    assert_eq!(cfg_err("LON 181").word, "181");
    assert_eq!(cfg_err("HT 10 YD").word, "YD");
    assert_eq!(cfg_err("HT").word, "HT");
    assert_eq!(cfg_err("DELAY 60 PS").word, "PS");
    assert_eq!(cfg_err("DELAY 2 MS").word, "2");
    assert_eq!(cfg_err("OFFSET -1 NS").word, "-1");
    assert_eq!(cfg_err("CHAN 10").word, "10");
    assert_eq!(cfg_err("CHAN").word, "CHAN");
    assert_eq!(cfg_err("TRAIM maybe").word, "MAYBE");
    assert_eq!(cfg_err("MASK 90").word, "90");
    assert_eq!(cfg_err("PPSCONTROL off").word, "off");
    assert_eq!(cfg_err("SHMEM").word, "SHMEM");
    assert_eq!(cfg_err("MODE two").word, "TWO");
}

#[test]
fn config_search_order() {
    let dir = std::env::temp_dir().join(format!("oncore-cfg-{}", std::process::id()));
    let (a, b) = (dir.join("ntp"), dir.join("etc"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let dirs = [a.as_path(), b.as_path()];
    assert_eq!(config::find(2, &dirs), None);
    std::fs::write(b.join("ntp.oncore.2"), "MODE 0\n").unwrap();
    assert_eq!(config::find(2, &dirs), Some(b.join("ntp.oncore.2")));
    std::fs::write(a.join("ntp.oncore"), "MODE 1\n").unwrap();
    assert_eq!(config::find(2, &dirs), Some(a.join("ntp.oncore")));
    std::fs::write(a.join("ntp.oncore2"), "MODE 2\n").unwrap();
    assert_eq!(config::find(2, &dirs), Some(a.join("ntp.oncore2")));
    std::fs::write(a.join("ntp.oncore.2"), "MODE 3\n").unwrap();
    assert_eq!(config::find(2, &dirs), Some(a.join("ntp.oncore.2")));
    assert_eq!(config::find(1, &dirs), Some(a.join("ntp.oncore")));
    let c = config::load(&a.join("ntp.oncore2")).unwrap();
    assert_eq!((c.mode, c.file), (2, Some(a.join("ntp.oncore2"))));
    let e = config::load(&a.join("missing")).unwrap_err();
    assert!(e.to_string().contains("cannot read"));
    std::fs::remove_dir_all(&dir).unwrap();
}
