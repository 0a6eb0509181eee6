//! The simulator's NMEA sentences parse back to the time they were made
//! from: checked with a small local decoder (checksum, fields) and with the
//! NMEA driver's own decoder.

use refclock_cli::sim::nmea::{self, Epoch, NmeaStyle, SentenceKind};
use refclock_core::calendar::CivilTime;
use refclock_core::gps::{GpsTime, WEEKS_PER_ERA};
use refclock_drivers::nmea::parse::{self as drv, Checksum, Date, Status};

fn civil(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> CivilTime {
    CivilTime::new(y, mo, d, h, mi, s)
}

/// Local check: `$`, body, `*HH`, CR LF, XOR of the body.
fn local_checksum_ok(s: &str) -> Option<bool> {
    let line = s.strip_suffix("\r\n")?;
    let body = line.strip_prefix('$')?;
    let (body, cs) = body.rsplit_once('*')?;
    let want = u8::from_str_radix(cs, 16).ok()?;
    Some(body.bytes().fold(0u8, |a, b| a ^ b) == want)
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

/// Every sentence each style makes for each of [`times`], with a fix and
/// without: (style name, style, epoch, kind, framed sentence).
fn every_sentence() -> Vec<(&'static str, NmeaStyle, Epoch, SentenceKind, String)> {
    let mut all = Vec::new();
    for name in NmeaStyle::NAMES {
        let style = NmeaStyle::by_name(name).unwrap();
        for t in times() {
            for valid in [true, false] {
                let e = Epoch {
                    valid,
                    ..Epoch::new(t)
                };
                for (kind, s) in nmea::second(&style, &e) {
                    all.push((name, style.clone(), e, kind, s));
                }
            }
        }
    }
    all
}

#[test]
fn every_style_checksums_and_fields() {
    for (name, style, e, kind, s) in every_sentence() {
        let (t, valid) = (e.time, e.valid);
        assert_eq!(
            local_checksum_ok(&s),
            style.has_checksum(kind).then_some(true),
            "{name}: {s:?}"
        );
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
            SentenceKind::Zda => {
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
                // Expand the week into the right 1024-week era
                // and get back the named second.
                let named = e.named();
                let utc = |w: u32| GpsTime::new(w, tow, 0).to_utc(ls);
                let full = (0..8)
                    .map(|era| week + era * cycle)
                    .find(|&w| (utc(w).secs() - named.secs()).abs() < 8 * 86_400)
                    .expect("a matching era");
                let back = utc(full);
                assert_eq!(back, named);
            }
        }
    }
}

#[test]
fn the_drivers_decoder_agrees() {
    for (name, style, e, kind, s) in every_sentence() {
        let (t, valid) = (e.time, e.valid);
        let line = s.trim_end_matches(['\r', '\n']);
        let d = drv::parse(line.as_bytes()).unwrap_or_else(|err| panic!("{name}: {line}: {err}"));
        assert_eq!(d.kind.name(), kind.name(), "{line}");
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
        let expect_status = match (kind, valid) {
            (SentenceKind::Zda, _) => Status::NotReported,
            (_, true) => Status::InSync,
            (_, false) => Status::NotInSync,
        };
        assert_eq!(d.status, expect_status, "{line}");
        match d.date {
            Some(Date::Ddmmyy { day, month, yy }) => {
                assert_eq!((day, month, yy as i32), (t.day, t.month, t.year % 100))
            }
            Some(Date::DayMonthYear { day, month, year }) => {
                assert_eq!((day, month, year as i32), (t.day, t.month, t.year))
            }
            Some(Date::GpsWeek { leap, .. }) => {
                assert_eq!(i32::from(leap), e.gps_utc)
            }
            None => assert!(matches!(kind, SentenceKind::Gga | SentenceKind::Gll)),
        }
    }
}

#[test]
fn talker_and_sentence_overrides() {
    let style = NmeaStyle::by_name("garmin")
        .unwrap()
        .with_talker("GN")
        .unwrap()
        .with_sentences("zda,pgrmf,rmc")
        .unwrap();
    let e = Epoch::new(civil(2024, 5, 6, 7, 8, 9));
    let all = nmea::second(&style, &e);
    let names: Vec<String> = all.iter().map(|(_, s)| fields(s)[0].clone()).collect();
    assert_eq!(names, vec!["$GNZDA", "$PGRMF", "$GNRMC"]);
    // Whole seconds in the garmin style.
    assert_eq!(fields(&all[0].1)[1], "070809");
}

#[test]
fn wrong_checksum_is_detected() {
    let body = nmea::body(
        SentenceKind::Rmc,
        &NmeaStyle::default(),
        &Epoch::new(civil(2024, 5, 6, 7, 8, 9)),
    );
    let good = nmea::frame(&body, true);
    let bad = nmea::frame_with_checksum(&body, nmea::checksum(body.as_bytes()) ^ 1);
    assert_eq!(local_checksum_ok(&good), Some(true));
    assert_eq!(local_checksum_ok(&bad), Some(false));
    assert!(drv::parse(bad.trim_end().as_bytes()).is_err());
}
