//! NMEA-0183 sentence decoder: one line in, a typed sentence or a typed
//! error out. Pure, allocation-free, no regular expressions.
//!
//! Framing follows ntpd 4.2.8p18's `field_init()` (ntpd/refclock_nmea.c):
//!
//! ```text
//! $TTSSS,field1,field2,...,fieldN*CS      (CR LF stripped by the caller)
//! ^ start  name: [A-Z][A-Z0-9]{3,} then ','
//!                                  ^ optional checksum: '*' and exactly two
//!                                    upper-case hex digits ending the line,
//!                                    the XOR of every byte between '$' and '*'
//! ```
//!
//! With a checksum the sentence before the `*` may be at most
//! [`MAX_LEN`] bytes (including the `$`); any line is at most [`MAX_LINE`]
//! bytes, the size of the driver's assembly buffer.
//!
//! The time sentences decoded ([`SentenceKind`]), with field numbers
//! counted from the sentence name (field 0):
//!
//! | sentence | time | date | status |
//! |---|---|---|---|
//! | `$--RMC,hhmmss.ss,A,lat,N,lon,E,spd,hdg,ddmmyy,mv,E,m` | 1 | 9 (`ddmmyy`) | 2: `A` valid, and mode (12) not `S`/`N` |
//! | `$--GGA,hhmmss.ss,lat,N,lon,E,Q,...` | 1 | — | 6: fix quality, `0` = none, `8` = simulation |
//! | `$--GLL,lat,N,lon,E,hhmmss.ss,A,m` | 5 | — | 6: `A` valid, and mode (7) not `S`/`N` |
//! | `$--ZDA,hhmmss.ss,dd,mm,yyyy,zh,zm` | 1 | 2-4 | — (none sent) |
//! | `$--ZDG,hhmmss.s,dd,mm,yyyy,AA.BB,V` (Accord, GPS time of the *next* PPS) | 1 | 2-4 | 6: `0` = invalid |
//! | `$PGRMF,wk,tow,ddmmyy,hhmmss,leap,lat,N,lon,E,mode,fix,...` (Garmin) | 4 | week 1, tow 2, leap 5 | 11: fix type, `0` = none |
//! | `$PUBX,04,hhmmss.ss,ddmmyy,utcTow,utcWk,leap,...` (u-blox) | 2 | week 5, tow 4 | — (none sent) |
//!
//! Any two-character talker is accepted on the standard sentences (`GP`,
//! `GN`, `GL`, `GA`, `BD`, `GB`, ...), as ntpd does.
//!
//! A receiver in simulation mode is never in sync: GGA fix quality `8`, or
//! the NMEA 2.3 FAA mode indicator `S` (simulator) or `N` (data not
//! valid) on RMC and GLL. ntpd reads neither and takes such fixes as true
//! time; gpsd does not.
//!
//! Two entry points: [`scan`] checks the framing and identifies the
//! sentence but keeps each field's verdict apart ([`Sentence`]), which is
//! what the driver needs to report errors in ntpd's order; [`parse`] is the
//! strict form that returns a fully decoded [`Decoded`] or the first error.

use core::fmt;

mod checksum;
mod error;
mod fields;

pub use checksum::checksum;
use checksum::{hex_upper, xor_all};
pub use error::{FieldError, ParseError, Snippet};
use fields::{
    faa_mode, gga_quality, parse_ddmmyy, parse_dmy, parse_gps_week, parse_time, status_is,
    status_not,
};

/// Shortest possible sentence: `$` + a four-character name + `,`
/// (`NMEA_PROTO_MINLEN`).
pub const MIN_LEN: usize = 6;
/// Longest sentence before the `*` of a checksum, including the `$`
/// (`NMEA_PROTO_MAXLEN`).
pub const MAX_LEN: usize = 80;
/// Longest line at all (ntpd's assembly buffer, `BMAX − 1`).
pub const MAX_LINE: usize = 127;
/// Shortest sentence name (`NMEA_PROTO_IDLEN`).
pub const MIN_NAME_LEN: usize = 4;

/// Fields looked at: enough for PGRMF's fix type (field 11) and its
/// neighbours; later fields are never needed.
const MAX_FIELDS: usize = 16;

/// The time sentences the decoder knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SentenceKind {
    /// `$--RMC`: recommended minimum data; time, status and `ddmmyy` date.
    Rmc,
    /// `$--GGA`: fix data; time and fix quality.
    Gga,
    /// `$--GLL`: position; time and status.
    Gll,
    /// `$--ZDA`: time and full date; no status.
    Zda,
    /// `$--ZDG` (Accord): GPS time and date of the *following* second, and a
    /// sync status.
    Zdg,
    /// `$PGRMF` (Garmin): GPS week, time of week, leap seconds, time, fix type.
    Pgrmf,
    /// `$PUBX,04` (u-blox): time, UTC week and time of week.
    Pubx04,
}

impl SentenceKind {
    /// Every kind, in ntpd's sentence index order.
    pub const ALL: [SentenceKind; 7] = [
        SentenceKind::Rmc,
        SentenceKind::Gga,
        SentenceKind::Gll,
        SentenceKind::Zda,
        SentenceKind::Zdg,
        SentenceKind::Pgrmf,
        SentenceKind::Pubx04,
    ];

    /// ntpd's sentence index (`NMEA_GPRMC` = 0 .. `NMEA_PUBX04` = 6).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The sentence's name without talker (`"RMC"`, `"PGRMF"`, `"PUBX,04"`).
    pub const fn name(self) -> &'static str {
        match self {
            SentenceKind::Rmc => "RMC",
            SentenceKind::Gga => "GGA",
            SentenceKind::Gll => "GLL",
            SentenceKind::Zda => "ZDA",
            SentenceKind::Zdg => "ZDG",
            SentenceKind::Pgrmf => "PGRMF",
            SentenceKind::Pubx04 => "PUBX,04",
        }
    }

    /// The kind of date the sentence carries, if any.
    pub const fn date_format(self) -> Option<DateFormat> {
        match self {
            SentenceKind::Rmc => Some(DateFormat::Ddmmyy),
            SentenceKind::Zda | SentenceKind::Zdg => Some(DateFormat::DayMonthYear),
            SentenceKind::Pgrmf => Some(DateFormat::GpsWeek10),
            SentenceKind::Pubx04 => Some(DateFormat::GpsWeekFull),
            SentenceKind::Gga | SentenceKind::Gll => None,
        }
    }
}

impl fmt::Display for SentenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a sentence states its date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateFormat {
    /// One `ddmmyy` field with a two-digit year (RMC).
    Ddmmyy,
    /// Three fields `dd,mm,yyyy` (ZDA, ZDG).
    DayMonthYear,
    /// A 10-bit GPS week, time of week and leap seconds (PGRMF).
    GpsWeek10,
    /// A full UTC week and time of week (PUBX,04).
    GpsWeekFull,
}

/// Whether the sentence carried a checksum (a wrong one is an error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Checksum {
    /// No `*CS` suffix (`CHECK_VALID` in ntpd).
    None,
    /// A checksum that matched (`CHECK_CSVALID`).
    Valid,
}

/// The receiver's verdict on its own data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Valid fix / time (RMC and GLL `A`, GGA quality ≠ 0, ZDG status ≠ 0,
    /// PGRMF fix ≠ 0).
    InSync,
    /// Invalid, or the status field is empty or missing.
    NotInSync,
    /// The sentence has no status field (ZDA, PUBX,04).
    NotReported,
}

/// The two talker characters of a standard sentence (`GP`, `GN`, ...); for
/// the proprietary sentences the first two characters of the name (`PG`,
/// `PU`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Talker(pub [u8; 2]);

impl Talker {
    /// The talker as text.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Debug for Talker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Talker({})", self.as_str())
    }
}

impl fmt::Display for Talker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Time of day as the sentence states it (UTC, or GPS time for ZDG).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TimeOfDay {
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=60 (60 during a leap second).
    pub second: u8,
    /// Fraction of the second in nanoseconds (digits past the ninth are
    /// dropped, as ntpd does).
    pub nanos: u32,
}

impl TimeOfDay {
    /// Nanoseconds since midnight (second 60 counts as 86 400 s and more).
    pub const fn nanos_of_day(&self) -> i64 {
        (self.hour as i64 * 3600 + self.minute as i64 * 60 + self.second as i64) * 1_000_000_000
            + self.nanos as i64
    }
}

/// A date as the sentence states it, before any unfolding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Date {
    /// `ddmmyy` (RMC): two-digit year.
    Ddmmyy {
        /// Day of month, 1..=31 (checked against the month).
        day: u8,
        /// Month, 1..=12.
        month: u8,
        /// Year within the century, 0..=99.
        yy: u8,
    },
    /// `dd,mm,yyyy` (ZDA, ZDG).
    DayMonthYear {
        /// Day of month, 1..=31 (checked against the month).
        day: u8,
        /// Month, 1..=12.
        month: u8,
        /// Full year, 1981..=9999 (ntpd rejects 1980 and earlier).
        year: u16,
    },
    /// GPS week and time of week (PGRMF: 10-bit week of the GPS time scale
    /// with `leap` = GPS − UTC; PUBX,04: full UTC week, `leap` 0).
    GpsWeek {
        /// Week number as sent (PGRMF: modulo 1024).
        week: u32,
        /// Whole seconds into the week, 0..604 800.
        tow: u32,
        /// Fraction of the time of week in nanoseconds.
        tow_nanos: u32,
        /// Seconds to subtract to get UTC.
        leap: u16,
    },
}

/// A time sentence whose framing is valid, each field's verdict kept
/// apart (see [`scan`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// Which sentence.
    pub kind: SentenceKind,
    /// Talker (or first two name characters of a proprietary sentence).
    pub talker: Talker,
    /// Whether a (valid) checksum was present.
    pub checksum: Checksum,
    /// The receiver's status.
    pub status: Status,
    /// The time of day, or why it did not decode.
    pub time: Result<TimeOfDay, FieldError>,
    /// The date (`None` for GGA and GLL), or why it did not decode.
    pub date: Result<Option<Date>, FieldError>,
}

impl Sentence {
    /// The strict view: time and date (where the sentence has one) must
    /// have decoded, and RMC must carry a checksum.
    pub fn decoded(&self) -> Result<Decoded, ParseError> {
        if self.kind == SentenceKind::Rmc && self.checksum == Checksum::None {
            return Err(ParseError::MissingChecksum { kind: self.kind });
        }
        let time = self.time?;
        let date = self.date?;
        Ok(Decoded {
            kind: self.kind,
            talker: self.talker,
            checksum: self.checksum,
            status: self.status,
            time,
            date,
        })
    }
}

/// A fully decoded time sentence (see [`parse`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// Which sentence.
    pub kind: SentenceKind,
    /// Talker (or first two name characters of a proprietary sentence).
    pub talker: Talker,
    /// Whether a (valid) checksum was present.
    pub checksum: Checksum,
    /// The receiver's status.
    pub status: Status,
    /// Time of day.
    pub time: TimeOfDay,
    /// Date, for the sentences that carry one.
    pub date: Option<Date>,
}

impl Decoded {
    /// Whether the receiver says its time is good (ZDA and PUBX,04, which
    /// carry no status, count as good).
    pub fn in_sync(&self) -> bool {
        self.status != Status::NotInSync
    }
}

/// Decodes one line strictly: framing, sentence, time and date must all
/// be good, and RMC must carry a checksum.
pub fn parse(line: &[u8]) -> Result<Decoded, ParseError> {
    scan(line)?.decoded()
}

/// Checks the framing of one line (no CR/LF) and identifies the sentence;
/// the time, date and status fields are decoded but a bad one does not fail
/// the call (it is kept in the [`Sentence`]).
pub fn scan(line: &[u8]) -> Result<Sentence, ParseError> {
    let frame = frame(line)?;
    let kind = identify(frame.body)?;
    let fields = Fields::split(frame.body);
    let name = fields.get(0);
    let talker = Talker([name[0], name[1]]);
    Ok(decode_fields(kind, talker, frame.checksum, &fields))
}

/// A line whose framing is valid.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame<'a> {
    /// Between `$` and `*` (or the end).
    pub body: &'a [u8],
    /// Whether a checksum was present.
    pub checksum: Checksum,
}

/// Checks start, length, name and checksum (`field_init()`).
pub(crate) fn frame(line: &[u8]) -> Result<Frame<'_>, ParseError> {
    let len = line.len();
    let Some(&first) = line.first() else {
        return Err(ParseError::Empty);
    };
    if first != b'$' {
        return Err(ParseError::BadStart { found: first });
    }
    if len < MIN_LEN {
        return Err(ParseError::TooShort { len, min: MIN_LEN });
    }
    if len > MAX_LINE {
        return Err(ParseError::TooLong { len, max: MAX_LINE });
    }
    // Name: [A-Z][A-Z0-9]*, at least MIN_NAME_LEN long, then ','.
    let mut cs = 0u8;
    let mut i = 1;
    if !line[1].is_ascii_uppercase() {
        return Err(ParseError::BadName {
            found: Snippet::new(&line[1..len.min(8)]),
        });
    }
    while i < len && (line[i].is_ascii_uppercase() || line[i].is_ascii_digit()) {
        cs ^= line[i];
        i += 1;
    }
    if i >= len || line[i] != b',' || i - 1 < MIN_NAME_LEN {
        return Err(ParseError::BadName {
            found: Snippet::new(&line[1..len.min(i + 1)]),
        });
    }
    // Data up to the first '*'.
    let star = match line[i..].iter().position(|&b| b == b'*') {
        Some(p) => i + p,
        None => len,
    };
    cs ^= xor_all(&line[i..star]);
    if star == len {
        return Ok(Frame {
            body: &line[1..],
            checksum: Checksum::None,
        });
    }
    if star + 3 != len {
        return Err(ParseError::BadChecksumField {
            found: Snippet::new(&line[star..]),
        });
    }
    if star > MAX_LEN {
        return Err(ParseError::TooLong {
            len: star,
            max: MAX_LEN,
        });
    }
    let given = match (hex_upper(line[star + 1]), hex_upper(line[star + 2])) {
        (Some(h), Some(l)) => (h << 4) | l,
        _ => {
            return Err(ParseError::BadChecksumField {
                found: Snippet::new(&line[star..]),
            })
        }
    };
    if given != cs {
        return Err(ParseError::ChecksumMismatch {
            computed: cs,
            given,
        });
    }
    Ok(Frame {
        body: &line[1..star],
        checksum: Checksum::Valid,
    })
}

/// Which time sentence the body holds (`nmea_procrec`'s name match: any
/// two-character talker on the standard sentences).
pub(crate) fn identify(body: &[u8]) -> Result<SentenceKind, ParseError> {
    // The name is at least four characters and followed by ',', so body
    // has at least five bytes.
    let kind = match body {
        [_, _, b'R', b'M', b'C', b',', ..] => SentenceKind::Rmc,
        [_, _, b'G', b'G', b'A', b',', ..] => SentenceKind::Gga,
        [_, _, b'G', b'L', b'L', b',', ..] => SentenceKind::Gll,
        [_, _, b'Z', b'D', b'A', b',', ..] => SentenceKind::Zda,
        [_, _, b'Z', b'D', b'G', b',', ..] => SentenceKind::Zdg,
        [b'P', b'G', b'R', b'M', b'F', b',', ..] => SentenceKind::Pgrmf,
        [b'P', b'U', b'B', b'X', b',', b'0', b'4', b',', ..] => SentenceKind::Pubx04,
        _ => {
            let end = body.iter().position(|&b| b == b',').unwrap_or(body.len());
            return Err(ParseError::UnknownSentence {
                name: Snippet::new(&body[..end]),
            });
        }
    };
    Ok(kind)
}

/// Field boundaries of a sentence body.
pub(crate) struct Fields<'a> {
    body: &'a [u8],
    /// `starts[k]` is where field k starts; field k ends one before
    /// `starts[k + 1]` (or at the end of the body for the last field).
    starts: [u8; MAX_FIELDS + 1],
    count: usize,
}

impl<'a> Fields<'a> {
    /// Splits at commas (the body is at most [`MAX_LINE`] bytes).
    pub(crate) fn split(body: &'a [u8]) -> Fields<'a> {
        let mut starts = [0u8; MAX_FIELDS + 1];
        let mut count = 1;
        for (i, &b) in body.iter().enumerate() {
            if b == b',' {
                if count == MAX_FIELDS {
                    break;
                }
                starts[count] = (i + 1) as u8;
                count += 1;
            }
        }
        Fields {
            body,
            starts,
            count,
        }
    }

    /// Field `k`; empty when the sentence has fewer fields.
    pub(crate) fn get(&self, k: usize) -> &'a [u8] {
        if k >= self.count {
            return &[];
        }
        let start = self.starts[k] as usize;
        let end = if k + 1 < self.count {
            self.starts[k + 1] as usize - 1
        } else {
            // The last field counted runs to the next comma or the end.
            self.body[start..]
                .iter()
                .position(|&b| b == b',')
                .map_or(self.body.len(), |p| start + p)
        };
        &self.body[start..end]
    }
}

pub(crate) fn decode_fields(
    kind: SentenceKind,
    talker: Talker,
    checksum: Checksum,
    f: &Fields<'_>,
) -> Sentence {
    let (time_idx, status) = match kind {
        SentenceKind::Rmc => (1, faa_mode(status_is(f.get(2), b'A'), f.get(12))),
        SentenceKind::Gga => (1, gga_quality(f.get(6))),
        SentenceKind::Gll => (5, faa_mode(status_is(f.get(6), b'A'), f.get(7))),
        SentenceKind::Zda => (1, Status::NotReported),
        SentenceKind::Zdg => (1, status_not(f.get(6), b'0')),
        SentenceKind::Pgrmf => (4, status_not(f.get(11), b'0')),
        SentenceKind::Pubx04 => (2, Status::NotReported),
    };
    let time = parse_time(kind, time_idx, f.get(time_idx));
    let date = match kind {
        SentenceKind::Rmc => parse_ddmmyy(kind, 9, f.get(9)).map(Some),
        SentenceKind::Zda | SentenceKind::Zdg => {
            parse_dmy(kind, f.get(2), f.get(3), f.get(4)).map(Some)
        }
        SentenceKind::Pgrmf => {
            parse_gps_week(kind, (1, f.get(1)), (2, f.get(2)), Some((5, f.get(5)))).map(Some)
        }
        SentenceKind::Pubx04 => parse_gps_week(kind, (5, f.get(5)), (4, f.get(4)), None).map(Some),
        SentenceKind::Gga | SentenceKind::Gll => Ok(None),
    };
    Sentence {
        kind,
        talker,
        checksum,
        status,
        time,
        date,
    }
}

/// Fields ntpd's `field_wipe()` obscures for flag4 (position), per sentence.
const fn position_fields(kind: SentenceKind) -> &'static [usize] {
    match kind {
        SentenceKind::Rmc => &[3, 4, 5, 6],
        SentenceKind::Gga => &[2, 4],
        SentenceKind::Gll => &[1, 3],
        SentenceKind::Pgrmf => &[6, 8],
        SentenceKind::Zda | SentenceKind::Zdg | SentenceKind::Pubx04 => &[],
    }
}

/// Overwrites the position fields of a sentence of `kind`, and its
/// checksum, with `_` (keeping `.`), as ntpd's `field_wipe()` does when
/// flag4 is set. `line` starts with `$`. Sentences without position
/// (ZDA, ZDG, PUBX,04) are left alone.
pub fn obscure_position(line: &mut [u8], kind: SentenceKind) {
    let wanted = position_fields(kind);
    if wanted.is_empty() {
        return;
    }
    let len = line.len();
    let mut field = 0usize;
    let mut i = 1; // after '$'
    while i < len {
        match line[i] {
            b',' => field += 1,
            b'*' => break,
            b'.' => {}
            _ if wanted.contains(&field) => line[i] = b'_',
            _ => {}
        }
        i += 1;
    }
    if len >= 3 && line[len - 3] == b'*' {
        for b in &mut line[len - 2..] {
            if *b != b'.' && *b != b',' && *b != b'*' {
                *b = b'_';
            }
        }
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
