//! NMEA sentences to benchmark on: three consecutive real sentences of
//! each time type, and whole receiver captures for a mixed stream.
//!
//! The single sentences are copied from gpsd's regression capture
//! `mt3339.log` (Adafruit Ultimate GPS HAT, MediaTek MT3339, recorded
//! 2015-04-13 in Bend, Oregon; gpsd's BSD-2-Clause licence, see
//! `shared/testdata/gpsd/COPYING`): the RMC, GGA and ZDA of the epochs
//! 20:26:40, :41 and :42 UTC, lines 8-19 of the file.

use std::io;
use std::path::{Path, PathBuf};

use refclock_core::calendar::{days_from_civil, SECS_PER_DAY};
use refclock_core::Timestamp;
use refclock_drivers::testkit::{Testdata, TESTDATA};

/// `$GPRMC` of `mt3339.log`, lines 10, 14 and 18.
pub const RMC: [&str; 3] = [
    "$GPRMC,202640.000,A,4404.1306,N,12118.8515,W,0.03,225.97,130415,,,D*73",
    "$GPRMC,202641.000,A,4404.1305,N,12118.8515,W,0.01,201.71,130415,,,D*7D",
    "$GPRMC,202642.000,A,4404.1305,N,12118.8515,W,0.00,0.00,130415,,,D*7A",
];

/// `$GPGGA` of `mt3339.log`, lines 8, 12 and 16.
pub const GGA: [&str; 3] = [
    "$GPGGA,202640.000,4404.1306,N,12118.8515,W,2,10,0.98,1127.7,M,-19.6,M,0000,0000*6C",
    "$GPGGA,202641.000,4404.1305,N,12118.8515,W,2,11,0.83,1127.7,M,-19.6,M,0000,0000*65",
    "$GPGGA,202642.000,4404.1305,N,12118.8515,W,2,11,0.83,1127.7,M,-19.6,M,0000,0000*66",
];

/// `$GPZDA` of `mt3339.log`, lines 11, 15 and 19.
pub const ZDA: [&str; 3] = [
    "$GPZDA,202640.000,13,04,2015,,*54",
    "$GPZDA,202641.000,13,04,2015,,*55",
    "$GPZDA,202642.000,13,04,2015,,*56",
];

/// The sentence sets by name, in the order the benchmarks report them.
pub const BY_TYPE: [(&str, &[&str; 3]); 3] = [("RMC", &RMC), ("GGA", &GGA), ("ZDA", &ZDA)];

/// Midnight UTC of the day the sentences above were recorded
/// (2015-04-13).
pub const MT3339_MIDNIGHT: Timestamp =
    Timestamp::from_secs(days_from_civil(2015, 4, 13) * SECS_PER_DAY);

/// Whole captures used as mixed streams: the MT3339 (GGA, GSA, GSV, RMC,
/// ZDA: about half of the lines are time sentences) and a u-blox NEO-M9N
/// with four GNSS (mostly GSV and GSA; one RMC, GGA and ZDA a second).
pub const MIXED_CAPTURES: [&str; 2] = ["mt3339.log", "ublox-neo-m9n-nmea.log"];

/// gpsd's captures, beside the repository (`shared/testdata/gpsd`, found
/// by the test kit's loader; where it would be when it is absent).
pub fn testdata_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    Testdata::find(here).map_or_else(
        || here.join("../..").join(TESTDATA),
        |t| t.dir().to_path_buf(),
    )
}

/// The lines of capture `name` (in [`testdata_dir`]) after its `#`
/// header, without CR/LF; empty lines are left out. A binary capture is
/// an error.
pub fn capture_lines(name: &str) -> io::Result<Vec<String>> {
    let cap = Testdata::at(testdata_dir()).capture(name)?;
    if !cap.is_text() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("capture {name} is not text"),
        ));
    }
    Ok(cap
        .lines()
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use refclock_drivers::nmea::parse::{self, Checksum, Date, SentenceKind, Status};

    /// Hours, minutes, seconds of the three epochs.
    const EPOCHS: [(u8, u8, u8); 3] = [(20, 26, 40), (20, 26, 41), (20, 26, 42)];

    #[test]
    fn our_decoder_accepts_every_sentence_fully() {
        for (name, lines) in BY_TYPE {
            for (line, &(h, m, s)) in lines.iter().zip(&EPOCHS) {
                let d = parse::parse(line.as_bytes()).unwrap();
                assert_eq!(d.kind.name(), name, "{line}");
                assert_eq!(d.checksum, Checksum::Valid, "{line}");
                assert!(d.in_sync(), "{line}");
                assert_eq!(
                    (d.time.hour, d.time.minute, d.time.second, d.time.nanos),
                    (h, m, s, 0),
                    "{line}"
                );
                let date = match d.kind {
                    SentenceKind::Rmc => Some(Date::Ddmmyy {
                        day: 13,
                        month: 4,
                        yy: 15,
                    }),
                    SentenceKind::Zda => Some(Date::DayMonthYear {
                        day: 13,
                        month: 4,
                        year: 2015,
                    }),
                    _ => None,
                };
                assert_eq!(d.date, date, "{line}");
            }
        }
        assert_eq!(
            parse::parse(GGA[0].as_bytes()).unwrap().status,
            Status::InSync
        );
    }

    #[test]
    fn nmea_crate_accepts_every_sentence_with_the_same_time() {
        use nmea::ParseResult;
        for (name, lines) in BY_TYPE {
            for (line, &(h, m, s)) in lines.iter().zip(&EPOCHS) {
                let r = nmea::parse_str(line).unwrap();
                let (time, date) = match (name, r) {
                    ("RMC", ParseResult::RMC(d)) => (d.fix_time, d.fix_date),
                    ("GGA", ParseResult::GGA(d)) => (d.fix_time, None),
                    ("ZDA", ParseResult::ZDA(d)) => (d.utc_time, d.utc_date()),
                    (_, other) => panic!("{line}: {other:?}"),
                };
                let time = time.unwrap();
                assert_eq!(time.to_string(), format!("{h:02}:{m:02}:{s:02}"));
                if name != "GGA" {
                    assert_eq!(date.unwrap().to_string(), "2015-04-13");
                }
            }
        }
    }

    #[test]
    fn midnight_is_the_recording_day() {
        // 2015-04-13 00:00:00 UTC.
        assert_eq!(MT3339_MIDNIGHT.secs(), 1_428_883_200);
    }

    #[test]
    fn captures_load_without_header() {
        if Testdata::locate(env!("CARGO_MANIFEST_DIR")).is_none() {
            return;
        }
        assert!(capture_lines("oncore-binary.log").is_err());
        let lines = capture_lines("mt3339.log").unwrap();
        // The constants are lines 8-19 of the file: body lines 0-11.
        assert_eq!(lines[0], GGA[0]);
        assert_eq!(lines[2], RMC[0]);
        assert_eq!(lines[3], ZDA[0]);
        assert_eq!(lines[4], GGA[1]);
        assert_eq!(lines[6], RMC[1]);
        assert_eq!(lines[11], ZDA[2]);
        for name in MIXED_CAPTURES {
            let lines = capture_lines(name).unwrap();
            assert!(lines.len() > 100, "{name}: {}", lines.len());
            assert!(lines.iter().all(|l| l.starts_with('$')), "{name}");
            // Both decoders must find time sentences in each stream.
            let ours = lines
                .iter()
                .filter(|l| parse::parse(l.as_bytes()).is_ok())
                .count();
            let theirs = lines.iter().filter(|l| nmea::parse_str(l).is_ok()).count();
            assert!(ours > 10, "{name}: {ours}");
            assert!(theirs >= ours, "{name}: {theirs} < {ours}");
        }
    }
}
