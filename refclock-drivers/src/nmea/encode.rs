//! The NMEA encoder (feature `sim`): the sentences a receiver writes for
//! one second, in the styles of a few real receivers. The decoder's
//! counterpart ([`super::parse`]), used by the simulated receiver
//! ([`super::device`]), the tests and the benchmarks.
//!
//! Everything here is a pure function of an [`Epoch`] (a UTC civil time,
//! second 60 during a leap second, with the receiver's validity and GPS −
//! UTC offset) and a [`NmeaStyle`]; nothing reads a clock. The field
//! layouts follow NMEA 0183 v2.3 and what ntpd's `refclock_nmea.c`
//! decodes:
//!
//! ```text
//! $--RMC,hhmmss.ss,A,llll.ll,a,yyyyy.yy,a,x.x,x.x,ddmmyy,x.x,a,m*hh
//! $--GGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,x.x,x.x,M,x.x,M,,*hh
//! $--GLL,llll.ll,a,yyyyy.yy,a,hhmmss.ss,A,m*hh
//! $--ZDA,hhmmss.ss,dd,mm,yyyy,zh,zm*hh
//! $PGRMF,week,tow,ddmmyy,hhmmss,ls,llll.ll,a,yyyyy.yy,a,M,fix,spd,dir,pdop,tdop*hh
//! $PUBX,04,hhmmss.ss,ddmmyy,utctow.ss,utcweek,lsD,clkbias,clkdrift,gran*hh
//! ```
//!
//! PGRMF's week is the 10-bit GPS week (weeks since 1980-01-06 mod 1024),
//! `tow` the GPS seconds into it and `ls` the GPS − UTC offset, so UTC =
//! GPS − ls (ntpd's `parse_gpsw`). PUBX,04 counts UTC weeks and seconds
//! since the same epoch, in full.

use std::fmt::Write as _;

use refclock_core::calendar::{CivilTime, GPS_EPOCH_UNIX, SECS_PER_WEEK};
use refclock_core::sim::Epoch;

use super::parse::{checksum, SentenceKind};

/// What was wrong with an NMEA style, talker or sentence list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NmeaConfigError {
    /// A sentence name the encoder does not write.
    #[error("unknown sentence {0:?} (expected rmc, gga, gll, zda, pgrmf or pubx04)")]
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

/// The sentences the encoder writes (ZDG is not one of them: its GPS
/// time of the following second is another receiver's idea).
pub const WRITTEN: [SentenceKind; 6] = [
    SentenceKind::Rmc,
    SentenceKind::Gga,
    SentenceKind::Gll,
    SentenceKind::Zda,
    SentenceKind::Pgrmf,
    SentenceKind::Pubx04,
];

/// The sentence called `name` (`rmc`, `PGRMF`, `pubx04` or `PUBX,04`,
/// any case), if the encoder writes it.
pub fn sentence_by_name(name: &str) -> Result<SentenceKind, NmeaConfigError> {
    let wanted: String = name
        .chars()
        .filter(|c| *c != ',')
        .collect::<String>()
        .to_ascii_uppercase();
    WRITTEN
        .into_iter()
        .find(|k| k.name().replace(',', "") == wanted)
        .ok_or_else(|| NmeaConfigError::UnknownSentence(name.to_string()))
}

/// Whether a sentence carries the receiver's verdict on its time (a status
/// or fix quality); ZDA and PUBX,04 do not.
pub fn has_status(kind: SentenceKind) -> bool {
    !matches!(kind, SentenceKind::Zda | SentenceKind::Pubx04)
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
    /// Talker of the standard sentences (`GP`, `GN`, `GL`...); PGRMF and
    /// PUBX are proprietary and have none.
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

    /// Replaces the sentence list (e.g. from `sentences=rmc,gga,zda`).
    pub fn with_sentences(mut self, list: &str) -> Result<NmeaStyle, NmeaConfigError> {
        let sentences = list
            .split(',')
            .filter(|s| !s.is_empty())
            .map(sentence_by_name)
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

impl std::str::FromStr for NmeaStyle {
    type Err = NmeaConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NmeaStyle::by_name(s)
    }
}

fn push_time(out: &mut String, t: &CivilTime, decimals: u8) {
    let _ = write!(out, "{:02}{:02}{:02}", t.hour, t.minute, t.second);
    if decimals > 0 {
        let d = u32::from(decimals.min(9));
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
    let g = epoch.named.secs() - GPS_EPOCH_UNIX + i64::from(epoch.gps_utc);
    let week = g.div_euclid(SECS_PER_WEEK);
    (week.rem_euclid(1024) as u32, g.rem_euclid(SECS_PER_WEEK))
}

/// The body (between `$` and `*`) of one sentence. ZDG, which the encoder
/// does not write, comes out as a ZDA.
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
        SentenceKind::Zda | SentenceKind::Zdg => {
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
        SentenceKind::Pubx04 => {
            let u = epoch.named.secs() - GPS_EPOCH_UNIX;
            let (week, tow) = (u.div_euclid(SECS_PER_WEEK), u.rem_euclid(SECS_PER_WEEK));
            s.push_str("PUBX,04,");
            push_time(&mut s, t, 2);
            s.push(',');
            push_date_ddmmyy(&mut s, t);
            let _ = write!(s, ",{tow}.00,{week},{}", epoch.gps_utc);
            // u-blox marks a leap-second count taken from firmware rather
            // than from the almanac with `D`; an invalid epoch has not
            // heard the almanac.
            if !epoch.valid {
                s.push('D');
            }
            s.push_str(",1930035,-2.660,21");
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
