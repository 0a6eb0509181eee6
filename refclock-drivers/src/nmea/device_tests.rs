//! The encoder's sentences and the simulated receiver: field layouts,
//! checksums, styles, and that the driver's own decoder reads back the
//! time each sentence was made from.

use refclock_core::calendar::{CivilTime, SECS_PER_DAY};
use refclock_core::gps::{GpsTime, WEEKS_PER_ERA};
use refclock_core::sim::{DeviceModel, DeviceSetup, Due, Epoch, Message};

use super::*;
use crate::nmea::encode::{
    body, frame, frame_with_checksum, second, sentence, verify, Position, WRITTEN,
};
use crate::nmea::parse::{self, Checksum, Date, Status};

fn civil(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> CivilTime {
    CivilTime::new(y, mo, d, h, mi, s)
}

fn setup(mode: u32, options: &[(&str, &str)]) -> DeviceSetup {
    DeviceSetup::new(mode, options)
}

fn messages(dev: &mut dyn DeviceModel, epoch: &Epoch) -> Vec<Message> {
    let mut out = Vec::new();
    dev.second(epoch, &mut out);
    out
}

#[test]
fn checksum_of_known_sentences() {
    // From gpsd's test logs (meinberg-gps164.log, garmin17n.log).
    assert_eq!(
        verify("$GPRMC,220952.00,A,4742.21,N,01200.75,E,0.0,0.0,181223,0.0,E*5A\r\n"),
        Some(true)
    );
    assert_eq!(
        verify("$GPGLL,5213.1439,N,02100.6511,E,093802,A,D*48"),
        Some(true)
    );
    assert_eq!(
        verify("$GPGLL,5213.1439,N,02100.6511,E,093802,A,D*49"),
        Some(false)
    );
    assert_eq!(verify("$GPZDA,222449,25,10,2010,+00,00"), None);
}

#[test]
fn ublox_rmc_layout() {
    let style = NmeaStyle::by_name("ublox").unwrap();
    let e = Epoch::new(civil(2023, 12, 18, 22, 9, 52));
    let s = sentence(SentenceKind::Rmc, &style, &e);
    assert_eq!(
        s,
        frame(
            "GPRMC,220952.00,A,5005.1234,N,01425.5678,E,0.00,0.00,181223,,,A",
            true
        )
    );
    assert!(s.ends_with("\r\n"));
    assert_eq!(verify(&s), Some(true));
}

#[test]
fn invalid_status_and_quality() {
    let style = NmeaStyle::by_name("garmin").unwrap();
    let mut e = Epoch::new(civil(2023, 1, 2, 3, 4, 5));
    e.valid = false;
    let rmc = body(SentenceKind::Rmc, &style, &e);
    assert_eq!(rmc, "GPRMC,030405,V,,,,,,,020123,,,N");
    let gga = body(SentenceKind::Gga, &style, &e);
    assert_eq!(gga.split(',').nth(6), Some("0"));
    let gll = body(SentenceKind::Gll, &style, &e);
    assert_eq!(gll.split(',').nth(6), Some("V"));
    let f = body(SentenceKind::Pgrmf, &style, &e);
    assert_eq!(f.split(',').nth(11), Some("0"));
}

#[test]
fn leap_second_is_written_as_60() {
    let style = NmeaStyle::by_name("ublox").unwrap();
    let e = Epoch::new(civil(2016, 12, 31, 23, 59, 60));
    let zda = body(SentenceKind::Zda, &style, &e);
    assert_eq!(zda, "GPZDA,235960.00,31,12,2016,00,00");
    let rmc = body(SentenceKind::Rmc, &style, &e);
    assert!(rmc.starts_with("GPRMC,235960.00,A,"));
    assert!(rmc.contains(",311216,"));
}

#[test]
fn pgrmf_week_tow_and_leap_seconds() {
    let style = NmeaStyle::by_name("garmin").unwrap();
    // 2017-01-01 00:00:00 UTC = GPS week 1930, tow 18 (Sunday), LS 18.
    let e = Epoch::new(civil(2017, 1, 1, 0, 0, 0));
    assert_eq!(e.gps_utc, 18);
    let f = body(SentenceKind::Pgrmf, &style, &e);
    let fields: Vec<&str> = f.split(',').collect();
    assert_eq!(fields[1], (1930 % 1024).to_string());
    assert_eq!(fields[2], "18");
    assert_eq!(fields[3], "010117");
    assert_eq!(fields[4], "000000");
    assert_eq!(fields[5], "18");
    // The leap second before it: GPS time is one second earlier, LS 17.
    let leap = Epoch::new(civil(2016, 12, 31, 23, 59, 60));
    assert_eq!(leap.gps_utc, 17);
    let f = body(SentenceKind::Pgrmf, &style, &leap);
    let fields: Vec<&str> = f.split(',').collect();
    assert_eq!(fields[1], (1930 % 1024).to_string());
    assert_eq!(fields[2], "17");
    assert_eq!(fields[4], "235960");
    assert_eq!(fields[5], "17");
}

#[test]
fn legacy_has_no_checksums_and_whole_seconds() {
    let style = NmeaStyle::by_name("legacy").unwrap();
    let e = Epoch::new(civil(2010, 10, 25, 22, 24, 49));
    let all = second(&style, &e);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].0, SentenceKind::Gga);
    assert!(all[0].1.starts_with("$GPGGA,222449,"));
    assert_eq!(verify(&all[0].1), None);
    assert_eq!(all[1].1, "$GPZDA,222449,25,10,2010,00,00\r\n");
}

#[test]
fn mtk_three_decimals_and_talker() {
    let style = NmeaStyle::by_name("mtk")
        .unwrap()
        .with_talker("GN")
        .unwrap();
    let e = Epoch::new(civil(2015, 4, 13, 20, 26, 40));
    let all = second(&style, &e);
    assert!(all[0].1.starts_with("$GNGGA,202640.000,"));
    assert!(all.iter().all(|(_, s)| verify(s) == Some(true)));
    assert!(style.clone().with_talker("gn").is_err());
    assert!(style.with_talker("GPS").is_err());
}

#[test]
fn sentence_list_override() {
    let style = NmeaStyle::by_name("ublox")
        .unwrap()
        .with_sentences("zda,gll,pgrmf,pubx04")
        .unwrap();
    assert_eq!(
        style.sentences,
        vec![
            SentenceKind::Zda,
            SentenceKind::Gll,
            SentenceKind::Pgrmf,
            SentenceKind::Pubx04
        ]
    );
    assert!(matches!(
        NmeaStyle::default().with_sentences("rmc,xyz"),
        Err(NmeaConfigError::UnknownSentence(s)) if s == "xyz"
    ));
    assert!(NmeaStyle::default().with_sentences("zdg").is_err());
    assert_eq!(
        NmeaStyle::default().with_sentences(""),
        Err(NmeaConfigError::NoSentences)
    );
    assert!(NmeaStyle::by_name("sirf").is_err());
}

#[test]
fn minutes_never_print_as_60() {
    let style = NmeaStyle {
        position: Position {
            lat: 50.999_999_999,
            lon: -0.000_000_1,
            alt: 0.0,
        },
        ..NmeaStyle::default()
    };
    let e = Epoch::new(civil(2020, 2, 29, 0, 0, 0));
    let gll = body(SentenceKind::Gll, &style, &e);
    assert!(gll.starts_with("GPGLL,5100.0000,N,00000.0000,W,"), "{gll}");
}

#[test]
fn southern_western_hemispheres() {
    let style = NmeaStyle {
        position: Position {
            lat: -33.8172,
            lon: -118.5,
            alt: 10.0,
        },
        ..NmeaStyle::default()
    };
    let e = Epoch::new(civil(2020, 2, 29, 0, 0, 0));
    let rmc = body(SentenceKind::Rmc, &style, &e);
    assert!(rmc.contains(",3349.0320,S,11830.0000,W,"), "{rmc}");
    assert!(rmc.contains(",290220,"));
}

fn times() -> Vec<CivilTime> {
    vec![
        civil(2023, 11, 14, 22, 13, 20),
        civil(2016, 12, 31, 23, 59, 60),
        civil(1999, 12, 31, 23, 59, 59),
        civil(2000, 1, 1, 0, 0, 0),
        civil(2099, 12, 31, 23, 59, 59),
        civil(2100, 1, 1, 0, 0, 0),
        civil(2024, 2, 29, 12, 0, 1),
        civil(2004, 3, 30, 6, 7, 8),
    ]
}

/// Every sentence each style (plus PUBX,04) makes for each of [`times`],
/// with a fix and without, as the device's messages: (style name, style,
/// epoch, kind, message).
fn every_message() -> Vec<(&'static str, NmeaStyle, Epoch, SentenceKind, Message)> {
    let mut all = Vec::new();
    let mut styles: Vec<(&str, NmeaStyle)> = NmeaStyle::NAMES
        .iter()
        .map(|&n| (n, NmeaStyle::by_name(n).unwrap()))
        .collect();
    styles.push((
        "every",
        NmeaStyle::by_name("mtk")
            .unwrap()
            .with_sentences("rmc,gga,gll,zda,pgrmf,pubx04")
            .unwrap(),
    ));
    for (name, style) in styles {
        let mut dev = NmeaDevice::new(style.clone());
        for t in times() {
            for valid in [true, false] {
                let e = Epoch {
                    valid,
                    ..Epoch::new(t)
                };
                for (&kind, m) in style.sentences.iter().zip(messages(&mut dev, &e)) {
                    all.push((name, style.clone(), e, kind, m));
                }
            }
        }
    }
    all
}

fn fields(s: &str) -> Vec<String> {
    let line = s.trim_end_matches(['\r', '\n']);
    let line = line.split('*').next().unwrap();
    line.split(',').map(str::to_string).collect()
}

fn hhmmss(f: &str) -> (u8, u8, u8) {
    (
        f[0..2].parse().unwrap(),
        f[2..4].parse().unwrap(),
        f[4..6].parse().unwrap(),
    )
}

#[test]
fn every_message_is_framed_named_and_short_enough() {
    for (name, style, e, kind, m) in every_message() {
        let s = String::from_utf8(m.bytes.clone()).unwrap();
        // NMEA's limit: 82 characters including $ and CR LF.
        assert!(s.len() <= 82, "{name} {kind}: {s}");
        assert!(s.starts_with('$') && s.ends_with("\r\n"), "{s:?}");
        assert_eq!(verify(&s), style.has_checksum(kind).then_some(true));
        assert_eq!(m.kind, kind.name());
        assert_eq!((m.on_time, m.end), (0, s.len() - 2), "ends at its CR");
        assert_eq!((m.named, m.time), (Some(e.named), Some(e.time)));
        assert_eq!(m.valid, e.valid || !has_status(kind), "{s}");
        assert_eq!(m.checksum, style.has_checksum(kind));
        assert_eq!((m.corrupt, m.due), (false, Due::Next));
    }
}

#[test]
fn every_style_states_its_fields() {
    for (name, _, e, kind, m) in every_message() {
        let s = m.text();
        let (t, valid) = (e.time, e.valid);
        let f = fields(&s);
        let hms = (t.hour, t.minute, t.second);
        match kind {
            SentenceKind::Rmc => {
                assert_eq!(f[0], "$GPRMC");
                assert_eq!(hhmmss(&f[1]), hms);
                assert_eq!(f[2], if valid { "A" } else { "V" });
                assert_eq!(
                    f[9],
                    format!("{:02}{:02}{:02}", t.day, t.month, t.year % 100)
                );
            }
            SentenceKind::Gga => {
                assert_eq!(f[0], "$GPGGA");
                assert_eq!(hhmmss(&f[1]), hms);
                assert_eq!(f[6] != "0", valid);
            }
            SentenceKind::Gll => {
                assert_eq!(f[0], "$GPGLL");
                assert_eq!(hhmmss(&f[5]), hms);
                assert_eq!(f[6], if valid { "A" } else { "V" });
            }
            SentenceKind::Zda | SentenceKind::Zdg => {
                assert_eq!(hhmmss(&f[1]), hms);
                assert_eq!(f[2].parse::<u8>().unwrap(), t.day);
                assert_eq!(f[3].parse::<u8>().unwrap(), t.month);
                assert_eq!(f[4].parse::<i32>().unwrap(), t.year);
            }
            SentenceKind::Pgrmf => {
                assert_eq!(f[0], "$PGRMF");
                assert_eq!(hhmmss(&f[4]), hms);
                let week: u32 = f[1].parse().unwrap();
                let tow: u32 = f[2].parse().unwrap();
                let ls: i32 = f[5].parse().unwrap();
                let cycle = WEEKS_PER_ERA as u32;
                assert!(week < cycle);
                // Expand the week into the right 1024-week era and get
                // back the named second.
                let utc = |w: u32| GpsTime::new(w, tow, 0).to_utc(ls);
                let full = (0..8)
                    .map(|era| week + era * cycle)
                    .find(|&w| (utc(w).secs() - e.named.secs()).abs() < 8 * SECS_PER_DAY)
                    .expect("a matching era");
                assert_eq!(utc(full), e.named, "{name}: {s}");
            }
            SentenceKind::Pubx04 => {
                assert_eq!(f[..2], ["$PUBX", "04"]);
                assert_eq!(hhmmss(&f[2]), hms);
                let tow: f64 = f[4].parse().unwrap();
                let week: i64 = f[5].parse().unwrap();
                let utc = refclock_core::calendar::GPS_EPOCH_UNIX
                    + week * refclock_core::calendar::SECS_PER_WEEK
                    + tow as i64;
                assert_eq!(utc, e.named.secs(), "{s}");
            }
        }
    }
}

#[test]
fn the_drivers_decoder_agrees() {
    for (name, style, e, kind, m) in every_message() {
        let (t, valid) = (e.time, e.valid);
        let line = m.text();
        let d = parse::parse(line.as_bytes()).unwrap_or_else(|err| panic!("{name}: {line}: {err}"));
        assert_eq!(d.kind, kind, "{line}");
        assert_eq!(
            (d.time.hour, d.time.minute, d.time.second),
            (t.hour, t.minute, t.second),
            "{line}"
        );
        assert_eq!(
            d.checksum,
            if style.has_checksum(kind) {
                Checksum::Valid
            } else {
                Checksum::None
            }
        );
        let expect_status = match (has_status(kind), valid) {
            (false, _) => Status::NotReported,
            (_, true) => Status::InSync,
            (_, false) => Status::NotInSync,
        };
        assert_eq!(d.status, expect_status, "{line}");
        match d.date {
            Some(Date::Ddmmyy { day, month, yy }) => {
                assert_eq!((day, month, i32::from(yy)), (t.day, t.month, t.year % 100))
            }
            Some(Date::DayMonthYear { day, month, year }) => {
                assert_eq!((day, month, i32::from(year)), (t.day, t.month, t.year))
            }
            Some(Date::GpsWeek { leap, .. }) if kind == SentenceKind::Pgrmf => {
                assert_eq!(i32::from(leap), e.gps_utc)
            }
            Some(Date::GpsWeek { leap, .. }) => assert_eq!(leap, 0, "PUBX,04 states UTC"),
            None => assert!(matches!(kind, SentenceKind::Gga | SentenceKind::Gll)),
        }
    }
}

#[test]
fn wrong_checksum_is_detected() {
    let body = body(
        SentenceKind::Rmc,
        &NmeaStyle::default(),
        &Epoch::new(civil(2024, 5, 6, 7, 8, 9)),
    );
    let good = frame(&body, true);
    let bad = frame_with_checksum(&body, checksum(body.as_bytes()) ^ 1);
    assert_eq!(verify(&good), Some(true));
    assert_eq!(verify(&bad), Some(false));
    assert!(parse::parse(bad.trim_end().as_bytes()).is_err());
}

#[test]
fn set_up_from_mode_bits_and_options() {
    let dev = NmeaDevice::from_setup(&setup(0, &[])).unwrap();
    assert_eq!(dev, NmeaDevice::default());
    assert_eq!(dev.baud(), 4800);
    // RMC, ZDA and 9600 baud, in the mode bits' order.
    let dev = NmeaDevice::from_setup(&setup(0x1 | 0x8 | 0x10, &[])).unwrap();
    assert_eq!(dev.style.sentences, [SentenceKind::Rmc, SentenceKind::Zda]);
    assert_eq!(dev.baud(), 9600);
    let dev = NmeaDevice::from_setup(&setup(0x200 | 0x100, &[])).unwrap();
    assert_eq!(
        dev.style.sentences,
        [SentenceKind::Pgrmf, SentenceKind::Pubx04]
    );
    // Options: the sentence list beats the mode bits.
    let dev = NmeaDevice::from_setup(&setup(
        0x1,
        &[
            ("style", "garmin"),
            ("talker", "GN"),
            ("sentences", "gll,rmc"),
        ],
    ))
    .unwrap();
    assert_eq!(dev.style.name, "garmin");
    assert_eq!(dev.style.talker, "GN");
    assert_eq!(dev.style.sentences, [SentenceKind::Gll, SentenceKind::Rmc]);
    assert_eq!(dev.style.decimals, 0);
    assert!(dev.describe().contains("garmin style (GLL RMC), talker GN"));
    for (opts, needle) in [
        (&[("style", "sirf")][..], "sirf"),
        (&[("sentences", "rmc,xyz")], "xyz"),
        (&[("talker", "gps")], "gps"),
        (&[("baud", "9600")], "baud"),
    ] {
        let err = NmeaDevice::from_setup(&setup(0, opts))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("NMEA: ") && err.contains(needle), "{err}");
    }
}

#[test]
fn corrupt_gives_a_wrong_checksum_and_keeps_the_line_end() {
    let mut dev = NmeaDevice::new(NmeaStyle::by_name("legacy").unwrap());
    let e = Epoch::new(civil(2024, 5, 6, 7, 8, 9));
    for mut m in messages(&mut dev, &e) {
        assert_eq!(verify(&m.text()), None);
        assert!(dev.corrupt(&mut m));
        let s = String::from_utf8(m.bytes.clone()).unwrap();
        assert_eq!(verify(&s), Some(false), "{s}");
        assert!(m.checksum && m.corrupt);
        assert_eq!(m.end, s.len() - 2);
        assert_eq!(m.bytes[m.end], b'\r');
    }
    let mut dev = NmeaDevice::default();
    for mut m in messages(&mut dev, &e) {
        let len = m.bytes.len();
        assert!(dev.corrupt(&mut m));
        assert_eq!(m.bytes.len(), len);
        assert_eq!(verify(&m.text()), Some(false));
        assert!(parse::parse(m.text().as_bytes()).is_err());
    }
    let mut binary = Message::new("X", vec![1, 2, 3]);
    assert!(!dev.corrupt(&mut binary));
    assert!(!binary.corrupt);
}

#[test]
fn garbage_never_starts_or_ends_a_sentence() {
    let dev = NmeaDevice::default();
    assert!(dev.garbage_allowed(b'A'));
    assert!(dev.garbage_allowed(0xC1), "0xC1 & 0x7f is 'A'");
    assert!(!dev.garbage_allowed(b'$'));
    assert!(!dev.garbage_allowed(0xA4), "0xA4 & 0x7f is '$'");
    assert!(!dev.garbage_allowed(0x8A), "0x8A & 0x7f is LF");
    assert!(!dev.garbage_allowed(b'\r'));
}

#[test]
fn written_sentences_are_every_decoded_one_but_zdg() {
    assert_eq!(WRITTEN.len() + 1, SentenceKind::ALL.len());
    assert!(!WRITTEN.contains(&SentenceKind::Zdg));
    for k in WRITTEN {
        assert_eq!(encode::sentence_by_name(k.name()), Ok(k));
        assert_eq!(
            encode::sentence_by_name(&k.name().to_ascii_lowercase()),
            Ok(k)
        );
    }
}

#[test]
fn answers_nothing() {
    struct NoTimeline;
    impl refclock_core::sim::Timeline for NoTimeline {
        fn epoch(&self, wall: i64) -> Epoch {
            Epoch::at(wall)
        }
    }
    let mut dev = NmeaDevice::default();
    let mut out = Vec::new();
    dev.input(
        b"$PMTK220,1000*1F\r\n",
        refclock_core::Timestamp::from_secs(1_700_000_000),
        &NoTimeline,
        &mut out,
    );
    assert!(out.is_empty());
}
