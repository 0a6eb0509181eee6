//! Decoders of single fields (`_parse_time`, `_parse_date1`,
//! `_parse_date3`, `parse_gpsw`, `parse_qual` in ntpd's refclock_nmea.c).

use super::{Date, FieldError, SentenceKind, Snippet, Status, TimeOfDay};

/// In sync when the field starts with `tag` (`parse_qual(.., tag, 0)`).
pub(super) fn status_is(field: &[u8], tag: u8) -> Status {
    match field.first() {
        Some(&c) if c == tag => Status::InSync,
        _ => Status::NotInSync,
    }
}

/// In sync when the field is present and does not start with `tag`
/// (`parse_qual(.., tag, 1)`). An empty field counts as not in sync
/// (ntpd 4.2.8p18 reads the next separator there and calls it good).
pub(super) fn status_not(field: &[u8], tag: u8) -> Status {
    match field.first() {
        Some(&c) if c != tag => Status::InSync,
        _ => Status::NotInSync,
    }
}

/// GGA's fix quality: in sync unless empty, `0` (no fix) or `8`
/// (simulation).
pub(super) fn gga_quality(field: &[u8]) -> Status {
    match field.first() {
        Some(b'0' | b'8') | None => Status::NotInSync,
        Some(_) => Status::InSync,
    }
}

/// `status`, unless the NMEA 2.3 FAA mode indicator (when present) says
/// `S` (simulator) or `N` (data not valid).
pub(super) fn faa_mode(status: Status, mode: &[u8]) -> Status {
    match mode.first() {
        Some(b'S' | b'N') => Status::NotInSync,
        _ => status,
    }
}

fn field_error(
    kind: SentenceKind,
    index: usize,
    name: &'static str,
    expected: &'static str,
    found: &[u8],
) -> FieldError {
    FieldError {
        kind,
        index: index as u8,
        name,
        expected,
        found: Snippet::new(found),
    }
}

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [h @ b'0'..=b'9', l @ b'0'..=b'9', ..] => Some((h - b'0') * 10 + (l - b'0')),
        _ => None,
    }
}

/// `[0-9]{1,max}` filling the whole field.
fn number(b: &[u8], max_digits: usize) -> Option<u32> {
    if b.is_empty() || b.len() > max_digits {
        return None;
    }
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u32;
    }
    Some(n)
}

/// `.[0-9]*` or nothing: nanoseconds from the first nine digits (the rest
/// must be digits and are dropped). `None` when `b` is not of that form.
fn fraction(b: &[u8]) -> Option<u32> {
    match b {
        [] => Some(0),
        [b'.', digits @ ..] => {
            let mut nanos = 0u32;
            let mut scale = 100_000_000u32;
            for &c in digits {
                if !c.is_ascii_digit() {
                    return None;
                }
                nanos += (c - b'0') as u32 * scale;
                scale /= 10;
            }
            Some(nanos)
        }
        _ => None,
    }
}

/// `hhmmss[.f*]` (`_parse_time` + `_parse_frac`): h < 24, m < 60, s < 61.
pub(super) fn parse_time(
    kind: SentenceKind,
    idx: usize,
    b: &[u8],
) -> Result<TimeOfDay, FieldError> {
    let bad = |expected| field_error(kind, idx, "time", expected, b);
    if b.len() < 6 {
        return Err(bad("hhmmss[.sss]"));
    }
    let (h, m, s) = match (two_digits(b), two_digits(&b[2..]), two_digits(&b[4..])) {
        (Some(h), Some(m), Some(s)) => (h, m, s),
        _ => return Err(bad("hhmmss[.sss]")),
    };
    if h > 23 || m > 59 || s > 60 {
        return Err(bad("hour 0-23, minute 0-59, second 0-60"));
    }
    let nanos = fraction(&b[6..]).ok_or_else(|| bad("hhmmss[.sss]"))?;
    Ok(TimeOfDay {
        hour: h,
        minute: m,
        second: s,
        nanos,
    })
}

/// Days in a month; `leap` says whether February has 29.
fn month_days(month: u8, leap: bool) -> u8 {
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `ddmmyy` (`_parse_date1`), the day also checked against the month (a
/// two-digit year is a leap year when divisible by 4: true for every year
/// ntpd unfolds it to, 1980..=2079).
pub(super) fn parse_ddmmyy(kind: SentenceKind, idx: usize, b: &[u8]) -> Result<Date, FieldError> {
    let bad = |expected| field_error(kind, idx, "date", expected, b);
    if b.len() != 6 {
        return Err(bad("ddmmyy"));
    }
    let (d, m, y) = match (two_digits(b), two_digits(&b[2..]), two_digits(&b[4..])) {
        (Some(d), Some(m), Some(y)) => (d, m, y),
        _ => return Err(bad("ddmmyy")),
    };
    if !(1..=12).contains(&m) || d == 0 || d > month_days(m, y % 4 == 0) {
        return Err(bad("a valid day and month"));
    }
    Ok(Date::Ddmmyy {
        day: d,
        month: m,
        yy: y,
    })
}

/// `dd,mm,yyyy` (`_parse_date3`): 1-2, 1-2 and 1-4 digits, year > 1980,
/// the day checked against the month.
pub(super) fn parse_dmy(
    kind: SentenceKind,
    d: &[u8],
    m: &[u8],
    y: &[u8],
) -> Result<Date, FieldError> {
    let day = number(d, 2).filter(|v| (1..=31).contains(v));
    let Some(day) = day else {
        return Err(field_error(kind, 2, "day", "day of month 1-31", d));
    };
    let month = number(m, 2).filter(|v| (1..=12).contains(v));
    let Some(month) = month else {
        return Err(field_error(kind, 3, "month", "month 1-12", m));
    };
    let year = number(y, 4).filter(|&v| v > 1980);
    let Some(year) = year else {
        return Err(field_error(
            kind,
            4,
            "year",
            "four-digit year after 1980",
            y,
        ));
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if day as u8 > month_days(month as u8, leap) {
        return Err(field_error(
            kind,
            2,
            "day",
            "a day that exists in the month",
            d,
        ));
    }
    Ok(Date::DayMonthYear {
        day: day as u8,
        month: month as u8,
        year: year as u16,
    })
}

/// Week, time of week and leap seconds (`parse_gpsw`): week 1-5 digits,
/// time of week 1-9 digits with an optional fraction and below 604 800,
/// leap 1-5 digits (kept modulo 2^16 like ntpd's `uint16_t`).
pub(super) fn parse_gps_week(
    kind: SentenceKind,
    (widx, w): (usize, &[u8]),
    (tidx, t): (usize, &[u8]),
    leap: Option<(usize, &[u8])>,
) -> Result<Date, FieldError> {
    let Some(week) = number(w, 5) else {
        return Err(field_error(kind, widx, "week", "GPS week number", w));
    };
    let int_end = t.iter().position(|&c| c == b'.').unwrap_or(t.len());
    let tow = number(&t[..int_end], 9).filter(|&s| s < 7 * 86_400);
    let frac = fraction(&t[int_end..]);
    let (Some(tow), Some(tow_nanos)) = (tow, frac) else {
        return Err(field_error(
            kind,
            tidx,
            "time of week",
            "seconds 0-604799[.sss]",
            t,
        ));
    };
    let leap = match leap {
        None => 0,
        Some((lidx, l)) => match number(l, 5) {
            Some(v) => v as u16,
            None => return Err(field_error(kind, lidx, "leap seconds", "a number", l)),
        },
    };
    Ok(Date::GpsWeek {
        week,
        tow,
        tow_nanos,
        leap,
    })
}
