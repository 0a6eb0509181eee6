//! NMEA-0183 sentence generation for the simulator: RMC, GGA, GLL, ZDA and
//! Garmin's PGRMF, framed with `$`, `*CS` and CR LF, in the styles of a
//! few real receivers.
//!
//! Everything here is a pure function of a UTC civil time (second 60 is a
//! leap second) and a style; nothing reads a clock. The field layouts
//! follow NMEA 0183 v2.3 and the sentences ntpd's `refclock_nmea.c`
//! decodes:
//!
//! ```text
//! $--RMC,hhmmss.ss,A,llll.ll,a,yyyyy.yy,a,x.x,x.x,ddmmyy,x.x,a,m*hh
//! $--GGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,x.x,x.x,M,x.x,M,,*hh
//! $--GLL,llll.ll,a,yyyyy.yy,a,hhmmss.ss,A,m*hh
//! $--ZDA,hhmmss.ss,dd,mm,yyyy,zh,zm*hh
//! $PGRMF,week,tow,ddmmyy,hhmmss,ls,llll.ll,a,yyyyy.yy,a,M,fix,spd,dir,pdop,tdop*hh
//! ```
//!
//! PGRMF's week is the 10-bit GPS week (weeks since 1980-01-06 mod 1024),
//! `tow` the GPS seconds into it and `ls` the GPS − UTC offset, so UTC =
//! GPS − ls (ntpd's `parse_gpsw`).

use std::fmt::{self, Write as _};
use std::str::FromStr;

use refclock_core::calendar::{CivilTime, GPS_EPOCH_UNIX, SECS_PER_DAY, SECS_PER_WEEK};
use refclock_core::Timestamp;
use thiserror::Error;

/// Ends of the UTC days after which a leap second was inserted, with the
/// GPS − UTC offset that holds from the following midnight (IERS Bulletin
/// C; GPS time started equal to UTC on 1980-01-06).
const LEAP_TABLE: &[(i32, u8, u8, i32)] = &[
    (1981, 6, 30, 1),
    (1982, 6, 30, 2),
    (1983, 6, 30, 3),
    (1985, 6, 30, 4),
    (1987, 12, 31, 5),
    (1989, 12, 31, 6),
    (1990, 12, 31, 7),
    (1992, 6, 30, 8),
    (1993, 6, 30, 9),
    (1994, 6, 30, 10),
    (1995, 12, 31, 11),
    (1997, 6, 30, 12),
    (1998, 12, 31, 13),
    (2005, 12, 31, 14),
    (2008, 12, 31, 15),
    (2012, 6, 30, 16),
    (2015, 6, 30, 17),
    (2016, 12, 31, 18),
];

/// GPS − UTC in seconds at Unix time `unix` (UTC), from the table of leap
/// seconds up to 2016-12-31 (0 before 1981-07-01, 18 after 2016).
pub fn gps_utc_offset(unix: i64) -> i32 {
    let mut offset = 0;
    for &(y, m, d, after) in LEAP_TABLE {
        let midnight = (refclock_core::calendar::days_from_civil(y, m, d) + 1) * SECS_PER_DAY;
        if unix >= midnight {
            offset = after;
        }
    }
    offset
}

/// The NMEA checksum: XOR of every byte between `$` and `*`.
pub fn checksum(body: &[u8]) -> u8 {
    body.iter().fold(0, |acc, b| acc ^ b)
}

/// Frames a sentence body (without `$`): `$BODY*CS\r\n`, or `$BODY\r\n`
/// when `with_checksum` is false.
pub fn frame(body: &str, with_checksum: bool) -> String {
    if with_checksum {
        frame_with_checksum(body, checksum(body.as_bytes()))
    } else {
        format!("${body}\r\n")
    }
}

/// Frames a sentence body with the checksum `cs` as given (which may be a
/// wrong one on purpose).
pub fn frame_with_checksum(body: &str, cs: u8) -> String {
    format!("${body}*{cs:02X}\r\n")
}

/// Checks a framed sentence (with or without CR LF): `Some(true)` when its
/// checksum matches, `Some(false)` when it does not, `None` when it has no
/// checksum or is not a sentence.
pub fn verify(sentence: &str) -> Option<bool> {
    let s = sentence.trim_end_matches(['\r', '\n']);
    let body = s.strip_prefix('$')?;
    let (body, cs) = body.rsplit_once('*')?;
    if cs.len() != 2 {
        return Some(false);
    }
    let cs = u8::from_str_radix(cs, 16).ok()?;
    Some(checksum(body.as_bytes()) == cs)
}

/// One of the sentences the simulator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SentenceKind {
    /// Recommended minimum data: time, status, position, 2-digit-year date.
    Rmc,
    /// Fix data: time and fix quality, no date.
    Gga,
    /// Geographic position: position, time and status, no date.
    Gll,
    /// Time and date with a 4-digit year, no status.
    Zda,
    /// Garmin fix data: GPS week and time of week, leap seconds, UTC
    /// date and time.
    Pgrmf,
}

impl SentenceKind {
    /// Every kind, in a fixed order.
    pub const ALL: [SentenceKind; 5] = [
        SentenceKind::Rmc,
        SentenceKind::Gga,
        SentenceKind::Gll,
        SentenceKind::Zda,
        SentenceKind::Pgrmf,
    ];

    /// The sentence's name as written in the truth log (`RMC`, `PGRMF`).
    pub fn name(self) -> &'static str {
        match self {
            SentenceKind::Rmc => "RMC",
            SentenceKind::Gga => "GGA",
            SentenceKind::Gll => "GLL",
            SentenceKind::Zda => "ZDA",
            SentenceKind::Pgrmf => "PGRMF",
        }
    }

    /// Whether the sentence carries a validity indication (status or fix
    /// quality); ZDA does not.
    pub fn has_status(self) -> bool {
        !matches!(self, SentenceKind::Zda)
    }
}

impl fmt::Display for SentenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SentenceKind {
    type Err = NmeaConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SentenceKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| NmeaConfigError::UnknownSentence(s.to_string()))
    }
}

/// What was wrong with an NMEA style or sentence list.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NmeaConfigError {
    /// A sentence name other than rmc, gga, gll, zda, pgrmf.
    #[error("unknown sentence {0:?} (expected rmc, gga, gll, zda or pgrmf)")]
    UnknownSentence(String),
    /// A style name that is not one of [`NmeaStyle::NAMES`].
    #[error("unknown NMEA style {0:?} (expected one of: ublox, garmin, mtk, rmc, legacy)")]
    UnknownStyle(String),
    /// A talker that is not two upper-case letters.
    #[error("talker {0:?} is not two upper-case letters")]
    BadTalker(String),
    /// An empty sentence list.
    #[error("the sentence list is empty")]
    NoSentences,
}

/// A fixed antenna position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    /// Latitude, degrees, north positive.
    pub lat: f64,
    /// Longitude, degrees, east positive.
    pub lon: f64,
    /// Altitude above mean sea level, metres.
    pub alt: f64,
}

impl Default for Position {
    /// A roof in Prague, 50°05.1234' N 14°25.5678' E, 250.3 m.
    fn default() -> Self {
        Position {
            lat: 50.0 + 5.1234 / 60.0,
            lon: 14.0 + 25.5678 / 60.0,
            alt: 250.3,
        }
    }
}

/// How a receiver writes its second: which sentences in which order (the
/// first is the on-time sentence), with how many decimals on the time,
/// which ones without a checksum, under which talker.
#[derive(Clone, Debug, PartialEq)]
pub struct NmeaStyle {
    /// The style's name (`ublox`, `garmin`...).
    pub name: String,
    /// Talker of the standard sentences (`GP`, `GN`, `GL`...); PGRMF is
    /// proprietary and has none.
    pub talker: String,
    /// Decimals of the seconds in time fields (0, 2 or 3 in practice).
    pub decimals: u8,
    /// The sentences written each second, in order.
    pub sentences: Vec<SentenceKind>,
    /// Sentences written without `*CS` (legacy receivers; ntpd insists on
    /// it for RMC only).
    pub no_checksum: Vec<SentenceKind>,
    /// The reported position.
    pub position: Position,
}

impl NmeaStyle {
    /// The style names [`NmeaStyle::by_name`] knows.
    pub const NAMES: [&'static str; 5] = ["ublox", "garmin", "mtk", "rmc", "legacy"];

    /// A named style:
    /// * `ublox`: RMC, GGA, ZDA, times with 2 decimals (u-blox 6/7/8 with
    ///   ZDA enabled);
    /// * `garmin`: RMC, GGA, GLL, PGRMF, whole-second times (GPS 17N/18x);
    /// * `mtk`: GGA, RMC, ZDA, 3 decimals (MediaTek MT3339);
    /// * `rmc`: RMC only, 2 decimals (Meinberg GPS164 NMEA output);
    /// * `legacy`: GGA and ZDA without checksums, whole seconds (HP 58534A).
    pub fn by_name(name: &str) -> Result<NmeaStyle, NmeaConfigError> {
        use SentenceKind::*;
        let (sentences, decimals, no_checksum) = match name.to_ascii_lowercase().as_str() {
            "ublox" => (vec![Rmc, Gga, Zda], 2, vec![]),
            "garmin" => (vec![Rmc, Gga, Gll, Pgrmf], 0, vec![]),
            "mtk" => (vec![Gga, Rmc, Zda], 3, vec![]),
            "rmc" => (vec![Rmc], 2, vec![]),
            "legacy" => (vec![Gga, Zda], 0, vec![Gga, Zda]),
            _ => return Err(NmeaConfigError::UnknownStyle(name.to_string())),
        };
        Ok(NmeaStyle {
            name: name.to_ascii_lowercase(),
            talker: "GP".to_string(),
            decimals,
            sentences,
            no_checksum,
            position: Position::default(),
        })
    }

    /// Replaces the sentence list (e.g. from `--sentences rmc,gga,zda`).
    pub fn with_sentences(mut self, list: &str) -> Result<NmeaStyle, NmeaConfigError> {
        let sentences = list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(SentenceKind::from_str)
            .collect::<Result<Vec<_>, _>>()?;
        if sentences.is_empty() {
            return Err(NmeaConfigError::NoSentences);
        }
        self.sentences = sentences;
        Ok(self)
    }

    /// Replaces the talker (`GN`, `GL`, ...).
    pub fn with_talker(mut self, talker: &str) -> Result<NmeaStyle, NmeaConfigError> {
        if talker.len() != 2 || !talker.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(NmeaConfigError::BadTalker(talker.to_string()));
        }
        self.talker = talker.to_string();
        Ok(self)
    }

    /// Whether `kind` is written with a checksum in this style.
    pub fn has_checksum(&self, kind: SentenceKind) -> bool {
        !self.no_checksum.contains(&kind)
    }
}

impl Default for NmeaStyle {
    fn default() -> Self {
        NmeaStyle::by_name("ublox").expect("ublox is a known style")
    }
}

impl FromStr for NmeaStyle {
    type Err = NmeaConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NmeaStyle::by_name(s)
    }
}

/// What one second's sentences state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Epoch {
    /// The UTC time the sentences name (second 60 during a leap second).
    pub time: CivilTime,
    /// Status `A` / fix present (true) or `V` / no fix (false).
    pub valid: bool,
    /// GPS − UTC in seconds, for PGRMF (see [`gps_utc_offset`]).
    pub gps_utc: i32,
}

impl Epoch {
    /// A valid epoch at `time` with the GPS − UTC offset of that date
    /// (during a leap second 23:59:60, still the old one).
    pub fn new(time: CivilTime) -> Epoch {
        let unix = time.to_timestamp().map_or(0, |t| t.secs());
        let unix = if time.second == 60 { unix - 1 } else { unix };
        Epoch {
            time,
            valid: true,
            gps_utc: gps_utc_offset(unix),
        }
    }

    /// The Unix timestamp of the named second (23:59:60 is the following
    /// midnight, as [`CivilTime::to_timestamp`] maps it).
    pub fn named(&self) -> Timestamp {
        self.time.to_timestamp().unwrap_or(Timestamp::from_secs(0))
    }
}

fn push_time(out: &mut String, t: &CivilTime, decimals: u8) {
    let _ = write!(out, "{:02}{:02}{:02}", t.hour, t.minute, t.second);
    if decimals > 0 {
        let d = decimals.min(9) as u32;
        let frac = t.nanos / 10u32.pow(9 - d);
        let _ = write!(out, ".{:0width$}", frac, width = d as usize);
    }
}

fn push_date_ddmmyy(out: &mut String, t: &CivilTime) {
    let _ = write!(
        out,
        "{:02}{:02}{:02}",
        t.day,
        t.month,
        t.year.rem_euclid(100)
    );
}

/// Degrees and minutes in units of 1e-4 minute, rounded once so that the
/// minutes never print as 60.
fn deg_min(a: f64) -> (u64, u64) {
    let total = (a.abs() * 60.0 * 10_000.0).round() as u64;
    (total / 600_000, total % 600_000)
}

fn push_lat(out: &mut String, lat: f64) {
    let hemi = if lat < 0.0 { 'S' } else { 'N' };
    let (deg, min) = deg_min(lat);
    let _ = write!(
        out,
        "{deg:02}{:02}.{:04},{hemi}",
        min / 10_000,
        min % 10_000
    );
}

fn push_lon(out: &mut String, lon: f64) {
    let hemi = if lon < 0.0 { 'W' } else { 'E' };
    let (deg, min) = deg_min(lon);
    let _ = write!(
        out,
        "{deg:03}{:02}.{:04},{hemi}",
        min / 10_000,
        min % 10_000
    );
}

/// GPS week mod 1024 and whole seconds of week of a named second, on the
/// GPS time scale (`gps_utc` seconds ahead of UTC).
fn gps_week_tow(epoch: &Epoch) -> (u32, i64) {
    let g = epoch.named().secs() - GPS_EPOCH_UNIX + epoch.gps_utc as i64;
    let week = g.div_euclid(SECS_PER_WEEK);
    (week.rem_euclid(1024) as u32, g.rem_euclid(SECS_PER_WEEK))
}

/// The body (between `$` and `*`) of one sentence.
pub fn body(kind: SentenceKind, style: &NmeaStyle, epoch: &Epoch) -> String {
    let t = &epoch.time;
    let pos = &style.position;
    let talker = &style.talker;
    let mut s = String::with_capacity(80);
    match kind {
        SentenceKind::Rmc => {
            let _ = write!(s, "{talker}RMC,");
            push_time(&mut s, t, style.decimals);
            if epoch.valid {
                s.push_str(",A,");
                push_lat(&mut s, pos.lat);
                s.push(',');
                push_lon(&mut s, pos.lon);
                s.push_str(",0.00,0.00,");
            } else {
                s.push_str(",V,,,,,,,");
            }
            push_date_ddmmyy(&mut s, t);
            s.push_str(",,,");
            s.push(if epoch.valid { 'A' } else { 'N' });
        }
        SentenceKind::Gga => {
            let _ = write!(s, "{talker}GGA,");
            push_time(&mut s, t, style.decimals);
            s.push(',');
            if epoch.valid {
                push_lat(&mut s, pos.lat);
                s.push(',');
                push_lon(&mut s, pos.lon);
                let _ = write!(s, ",1,08,0.9,{:.1},M,45.2,M,,", pos.alt);
            } else {
                s.push_str(",,,,0,00,99.99,,,,,,");
            }
        }
        SentenceKind::Gll => {
            let _ = write!(s, "{talker}GLL,");
            if epoch.valid {
                push_lat(&mut s, pos.lat);
                s.push(',');
                push_lon(&mut s, pos.lon);
                s.push(',');
            } else {
                s.push_str(",,,,");
            }
            push_time(&mut s, t, style.decimals);
            s.push_str(if epoch.valid { ",A,A" } else { ",V,N" });
        }
        SentenceKind::Zda => {
            let _ = write!(s, "{talker}ZDA,");
            push_time(&mut s, t, style.decimals);
            let _ = write!(s, ",{:02},{:02},{:04},00,00", t.day, t.month, t.year);
        }
        SentenceKind::Pgrmf => {
            let (week, tow) = gps_week_tow(epoch);
            let _ = write!(s, "PGRMF,{week},{tow},");
            push_date_ddmmyy(&mut s, t);
            s.push(',');
            push_time(&mut s, t, 0);
            let _ = write!(s, ",{},", epoch.gps_utc);
            push_lat(&mut s, pos.lat);
            s.push(',');
            push_lon(&mut s, pos.lon);
            let fix = if epoch.valid { 2 } else { 0 };
            let _ = write!(s, ",A,{fix},0,0,2,1");
        }
    }
    s
}

/// One complete sentence (`$...*CS\r\n`, or without `*CS` when the style
/// says so).
pub fn sentence(kind: SentenceKind, style: &NmeaStyle, epoch: &Epoch) -> String {
    frame(&body(kind, style, epoch), style.has_checksum(kind))
}

/// Every sentence of one second, in the style's order.
pub fn second(style: &NmeaStyle, epoch: &Epoch) -> Vec<(SentenceKind, String)> {
    style
        .sentences
        .iter()
        .map(|&k| (k, sentence(k, style, epoch)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn civil(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> CivilTime {
        CivilTime::new(y, mo, d, h, mi, s)
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
    fn gps_utc_table() {
        assert_eq!(gps_utc_offset(0), 0);
        let before = (refclock_core::calendar::days_from_civil(2017, 1, 1)) * SECS_PER_DAY - 1;
        assert_eq!(gps_utc_offset(before), 17);
        assert_eq!(gps_utc_offset(before + 1), 18);
        let y2000 = refclock_core::calendar::days_from_civil(2000, 1, 1) * SECS_PER_DAY;
        assert_eq!(gps_utc_offset(y2000), 13);
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
            .with_sentences("zda,gll,pgrmf")
            .unwrap();
        assert_eq!(
            style.sentences,
            vec![SentenceKind::Zda, SentenceKind::Gll, SentenceKind::Pgrmf]
        );
        assert!(matches!(
            NmeaStyle::default().with_sentences("rmc,xyz"),
            Err(NmeaConfigError::UnknownSentence(s)) if s == "xyz"
        ));
        assert_eq!(
            NmeaStyle::default().with_sentences(""),
            Err(NmeaConfigError::NoSentences)
        );
        assert!(NmeaStyle::by_name("sirf").is_err());
    }

    #[test]
    fn every_style_is_short_enough_and_checksummed() {
        for name in NmeaStyle::NAMES {
            let style = NmeaStyle::by_name(name).unwrap();
            for valid in [true, false] {
                let e = Epoch {
                    valid,
                    ..Epoch::new(civil(2099, 12, 31, 23, 59, 59))
                };
                for (k, s) in second(&style, &e) {
                    // NMEA's limit: 82 characters including $ and CR LF.
                    assert!(s.len() <= 82, "{name} {k}: {s}");
                    assert!(s.starts_with('$') && s.ends_with("\r\n"));
                    assert_eq!(verify(&s), style.has_checksum(k).then_some(true));
                }
            }
        }
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
}
