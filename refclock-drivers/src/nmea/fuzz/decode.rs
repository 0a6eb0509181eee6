//! `nmea_decode`: the sentence decoder ([`parse`], [`scan`]) on one
//! arbitrary line, as the driver hands lines over (no CR/LF).
//!
//! Besides "never panics", every verdict of the decoder is compared with a
//! second, deliberately naive decoding written here from the format
//! description in the decoder's module documentation (ntpd 4.2.8p18's
//! `field_init()` rules): framing and checksum, the sentence kind from its
//! name, the talker, the status field (with GGA's simulation quality and
//! the FAA mode of RMC and GLL), the time field and the date fields, value
//! for value. Then:
//!
//! * `parse(line)` is exactly `scan(line)` followed by `Sentence::decoded`;
//! * when the line has no `*`, the same line with its correct checksum
//!   appended is decoded too, and must give the same sentence with
//!   `Checksum::Valid` (when it fits the 80-byte limit);
//! * `obscure_position` changes only position bytes (to `_`) and the
//!   checksum, never the time, date or status.

use refclock_core::calendar::days_in_month;

use crate::nmea::parse::{
    checksum, obscure_position, parse, scan, Checksum, Date, DateFormat, ParseError, Sentence,
    SentenceKind, Status, TimeOfDay, MAX_LEN, MAX_LINE, MIN_LEN, MIN_NAME_LEN,
};

/// Runs the checks on `data` (and on `data` with its checksum appended).
/// Returns how many of the (one or two) lines decoded strictly.
pub fn check(data: &[u8]) -> usize {
    let mut decoded = usize::from(check_line(data));
    if let Some(fixed) = with_checksum(data) {
        decoded += usize::from(check_line(&fixed));
        compare_checksummed(data, &fixed);
    }
    decoded
}

/// `line` followed by `*HH`, its correct checksum, when it starts with `$`
/// and has no `*` yet.
pub fn with_checksum(line: &[u8]) -> Option<Vec<u8>> {
    if line.first() != Some(&b'$') || line.contains(&b'*') || line.len() > 2 * MAX_LINE {
        return None;
    }
    let mut out = line.to_vec();
    out.extend_from_slice(format!("*{:02X}", checksum(&line[1..])).as_bytes());
    Some(out)
}

/// A frame as the naive decoder sees it.
struct ModelFrame<'a> {
    /// Between `$` and `*` (or the end).
    body: &'a [u8],
    checksum: Checksum,
}

/// The framing rules, written out plainly.
fn model_frame(line: &[u8]) -> Option<ModelFrame<'_>> {
    if line.first() != Some(&b'$') || line.len() < MIN_LEN || line.len() > MAX_LINE {
        return None;
    }
    let name_len = line[1..]
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    if !line[1].is_ascii_uppercase()
        || name_len < MIN_NAME_LEN
        || line.get(1 + name_len) != Some(&b',')
    {
        return None;
    }
    let Some(star) = line.iter().position(|&b| b == b'*') else {
        return Some(ModelFrame {
            body: &line[1..],
            checksum: Checksum::None,
        });
    };
    if star + 3 != line.len() || star > MAX_LEN {
        return None;
    }
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let given = hex(line[star + 1])? * 16 + hex(line[star + 2])?;
    (given == checksum(&line[1..star])).then_some(ModelFrame {
        body: &line[1..star],
        checksum: Checksum::Valid,
    })
}

/// The sentence kind from the name (and, for PUBX, the first field).
fn model_kind(fields: &[&[u8]]) -> Option<SentenceKind> {
    let name = fields[0];
    let field = |k: usize| fields.get(k).copied().unwrap_or(&[]);
    if name == b"PGRMF" {
        return Some(SentenceKind::Pgrmf);
    }
    if name == b"PUBX" && fields.len() > 2 && field(1) == b"04" {
        return Some(SentenceKind::Pubx04);
    }
    if name.len() != 5 {
        return None;
    }
    SentenceKind::ALL
        .into_iter()
        .filter(|k| k.name().len() == 3)
        .find(|k| &name[2..] == k.name().as_bytes())
}

fn all_digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

/// `[0-9]{1,max}`.
fn number(b: &[u8], max: usize) -> Option<u32> {
    if b.is_empty() || b.len() > max || !all_digits(b) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, &c| n * 10 + u32::from(c - b'0')))
}

/// `` or `.[0-9]*`: nanoseconds from the first nine digits.
fn fraction(b: &[u8]) -> Option<u32> {
    match b {
        [] => Some(0),
        [b'.', digits @ ..] if all_digits(digits) => {
            let mut nine = [b'0'; 9];
            for (d, &c) in nine.iter_mut().zip(digits) {
                *d = c;
            }
            number(&nine, 9)
        }
        _ => None,
    }
}

fn model_time(f: &[u8]) -> Option<TimeOfDay> {
    if f.len() < 6 || !all_digits(&f[..6]) {
        return None;
    }
    let two = |i: usize| (f[i] - b'0') * 10 + (f[i + 1] - b'0');
    let (hour, minute, second) = (two(0), two(2), two(4));
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(TimeOfDay {
        hour,
        minute,
        second,
        nanos: fraction(&f[6..])?,
    })
}

fn model_ddmmyy(f: &[u8]) -> Option<Date> {
    if f.len() != 6 || !all_digits(f) {
        return None;
    }
    let two = |i: usize| (f[i] - b'0') * 10 + (f[i + 1] - b'0');
    let (day, month, yy) = (two(0), two(2), two(4));
    // The two-digit years ntpd unfolds to are 1980..=2079.
    let year = if yy < 80 { 2000 } else { 1900 } + i32::from(yy);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(Date::Ddmmyy { day, month, yy })
}

fn model_dmy(d: &[u8], m: &[u8], y: &[u8]) -> Option<Date> {
    let day = number(d, 2).filter(|v| (1..=31).contains(v))?;
    let month = number(m, 2).filter(|v| (1..=12).contains(v))?;
    let year = number(y, 4).filter(|&v| v > 1980)?;
    if day > u32::from(days_in_month(year as i32, month as u8)) {
        return None;
    }
    Some(Date::DayMonthYear {
        day: day as u8,
        month: month as u8,
        year: year as u16,
    })
}

fn model_gps(week: &[u8], tow: &[u8], leap: Option<&[u8]>) -> Option<Date> {
    let week = number(week, 5)?;
    let int_end = tow.iter().position(|&c| c == b'.').unwrap_or(tow.len());
    let secs = number(&tow[..int_end], 9).filter(|&s| s < 604_800)?;
    let tow_nanos = fraction(&tow[int_end..])?;
    let leap = match leap {
        None => 0,
        // Kept modulo 2^16, as ntpd's uint16_t.
        Some(l) => number(l, 5)? as u16,
    };
    Some(Date::GpsWeek {
        week,
        tow: secs,
        tow_nanos,
        leap,
    })
}

/// The time field's index and the status, as the naive decoder sees them.
fn model_status(kind: SentenceKind, fields: &[&[u8]]) -> (usize, Status) {
    let first = |k: usize| fields.get(k).and_then(|f| f.first()).copied();
    let sync = |ok: bool| {
        if ok {
            Status::InSync
        } else {
            Status::NotInSync
        }
    };
    // The FAA mode indicator: S (simulator) and N (not valid) are not in sync.
    let faa_ok = |k: usize| !matches!(first(k), Some(b'S' | b'N'));
    let not = |k: usize, tag: u8| sync(first(k).is_some_and(|c| c != tag));
    match kind {
        SentenceKind::Rmc => (1, sync(first(2) == Some(b'A') && faa_ok(12))),
        SentenceKind::Gga => (1, sync(!matches!(first(6), None | Some(b'0' | b'8')))),
        SentenceKind::Gll => (5, sync(first(6) == Some(b'A') && faa_ok(7))),
        SentenceKind::Zda => (1, Status::NotReported),
        SentenceKind::Zdg => (1, not(6, b'0')),
        SentenceKind::Pgrmf => (4, not(11, b'0')),
        SentenceKind::Pubx04 => (2, Status::NotReported),
    }
}

/// Checks one line; true when `parse` accepted it.
fn check_line(line: &[u8]) -> bool {
    let scanned = scan(line);
    let parsed = parse(line);
    assert_eq!(
        parsed,
        scanned.and_then(|s| s.decoded()),
        "parse() must be scan() + decoded()"
    );
    let frame = model_frame(line);
    match scanned {
        Err(e) => {
            let _ = e.to_string();
            match e {
                ParseError::Empty => assert!(line.is_empty(), "Empty for a non-empty line"),
                ParseError::UnknownSentence { .. } => {
                    let f = frame.expect("UnknownSentence for a line with bad framing");
                    let fields: Vec<&[u8]> = f.body.split(|&b| b == b',').collect();
                    assert_eq!(model_kind(&fields), None, "time sentence called unknown");
                }
                e if e.is_framing() => assert!(
                    frame.is_none(),
                    "framing error {e:?} for a line whose framing is good"
                ),
                e => panic!("scan() returned a non-framing error {e:?}"),
            }
        }
        Ok(s) => check_sentence(line, frame, &s),
    }
    if let Ok(d) = parsed {
        assert!(d.time.hour <= 23 && d.time.minute <= 59 && d.time.second <= 60);
        assert!(d.time.nanos < 1_000_000_000);
        assert!(d.kind != SentenceKind::Rmc || d.checksum == Checksum::Valid);
        assert_eq!(d.in_sync(), d.status != Status::NotInSync);
    }
    parsed.is_ok()
}

fn check_sentence(line: &[u8], frame: Option<ModelFrame<'_>>, s: &Sentence) {
    let frame = frame.expect("scan() accepted a line whose framing is bad");
    assert_eq!(s.checksum, frame.checksum, "checksum kind");
    let fields: Vec<&[u8]> = frame.body.split(|&b| b == b',').collect();
    let field = |k: usize| -> &[u8] { fields.get(k).copied().unwrap_or(&[]) };
    assert_eq!(Some(s.kind), model_kind(&fields), "sentence kind");
    assert_eq!(&s.talker.0[..], &frame.body[..2], "talker");

    let (time_idx, status) = model_status(s.kind, &fields);
    assert_eq!(s.status, status, "status");

    let time = model_time(field(time_idx));
    assert_eq!(s.time.ok(), time, "time field {:?}", field(time_idx));
    if let Err(e) = s.time {
        assert_eq!((e.kind, usize::from(e.index)), (s.kind, time_idx));
        let _ = e.to_string();
    }

    let date = match s.kind {
        SentenceKind::Rmc => model_ddmmyy(field(9)).map(Some),
        SentenceKind::Zda | SentenceKind::Zdg => model_dmy(field(2), field(3), field(4)).map(Some),
        SentenceKind::Pgrmf => model_gps(field(1), field(2), Some(field(5))).map(Some),
        SentenceKind::Pubx04 => model_gps(field(5), field(4), None).map(Some),
        SentenceKind::Gga | SentenceKind::Gll => Some(None),
    };
    assert_eq!(s.date.ok(), date, "date of {:?}", s.kind);
    if let Err(e) = s.date {
        assert_eq!(e.kind, s.kind);
        let _ = e.to_string();
    }
    if let Ok(Some(d)) = s.date {
        let expected = s.kind.date_format().expect("a kind with a date");
        let found = match d {
            Date::Ddmmyy { .. } => DateFormat::Ddmmyy,
            Date::DayMonthYear { .. } => DateFormat::DayMonthYear,
            Date::GpsWeek { .. } if s.kind == SentenceKind::Pgrmf => DateFormat::GpsWeek10,
            Date::GpsWeek { .. } => DateFormat::GpsWeekFull,
        };
        assert_eq!(found, expected);
    }

    let strict_ok = !(s.kind == SentenceKind::Rmc && s.checksum == Checksum::None)
        && s.time.is_ok()
        && s.date.is_ok();
    assert_eq!(s.decoded().is_ok(), strict_ok, "decoded() verdict");

    check_obscure(line, s);
}

fn check_obscure(line: &[u8], s: &Sentence) {
    let mut out = line.to_vec();
    obscure_position(&mut out, s.kind);
    assert_eq!(out.len(), line.len());
    for (i, (&a, &b)) in line.iter().zip(&out).enumerate() {
        assert!(
            a == b || (i > 0 && b == b'_' && !matches!(a, b',' | b'.' | b'*')),
            "obscure_position turned {:?} into {:?}",
            a as char,
            b as char
        );
    }
    if out == line {
        return;
    }
    match scan(&out) {
        Ok(o) => {
            assert_eq!(s.checksum, Checksum::None, "a wiped checksum still checks");
            assert_eq!(
                (o.kind, o.status, o.time, o.date),
                (s.kind, s.status, s.time, s.date)
            );
        }
        Err(e) => assert!(
            s.checksum == Checksum::Valid && matches!(e, ParseError::BadChecksumField { .. }),
            "obscured line fails with {e:?}"
        ),
    }
}

/// The line with its checksum appended decodes as the line did.
fn compare_checksummed(line: &[u8], fixed: &[u8]) {
    let (Ok(plain), true) = (scan(line), line.len() <= MAX_LEN) else {
        return;
    };
    let with = scan(fixed).expect("the line with a correct checksum appended must scan");
    assert_eq!(
        with,
        Sentence {
            checksum: Checksum::Valid,
            ..plain
        }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_sentences_decode_and_agree_with_the_model() {
        let rmc =
            with_checksum(b"$GPRMC,225446.33,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E")
                .unwrap();
        let gga = with_checksum(b"$GPGGA,132820.60,4134.498,N,09345.033,W,2,09,1.0,278.020,M,,M,,")
            .unwrap();
        let lines: [&[u8]; 6] = [
            &rmc,
            &gga,
            b"$GPZDA,235960.25,31,12,2016,00,00",
            b"$PGRMF,290,293895,160305,093802,13,5213.1439,N,02100.6511,E,A,2,0,62,2,1",
            b"$PUBX,04,073731.00,091202,113851.00,1196,15D,1930035,-2660.664,43,",
            b"$GNGLL,4916.45,N,12311.12,W,225444,A,A",
        ];
        for line in lines {
            assert!(check(line) >= 1, "{}", String::from_utf8_lossy(line));
            assert!(parse(line).is_ok());
        }
    }

    #[test]
    fn rmc_without_checksum_decodes_only_once_fixed() {
        let line = b"$GPRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E";
        // Without a checksum RMC is refused; with the appended one it decodes.
        assert_eq!(check(line), 1);
        assert!(parse(line).is_err());
    }

    #[test]
    fn junk_decodes_nothing() {
        let too_long = b"$GPRMC,132820.60,A,4134.49821229,N,09345.03351845,W,3.252,92.308,180320,11.5985,E,D*1A";
        for line in [
            &b""[..],
            b"$",
            b"$GPRMC",
            b"\xff\x00$GPGGA,",
            b"$GPGSV,1,1,00*79",
            too_long,
        ] {
            assert_eq!(check(line), 0, "{line:?}");
        }
    }

    #[test]
    fn model_time_and_fraction() {
        let t = model_time(b"235960.1234567891").unwrap();
        assert_eq!(
            (t.hour, t.minute, t.second, t.nanos),
            (23, 59, 60, 123_456_789)
        );
        assert_eq!(model_time(b"240000"), None);
        assert_eq!(model_time(b"120000,"), None);
        assert_eq!(model_time(b"120000.").map(|t| t.nanos), Some(0));
    }
}
