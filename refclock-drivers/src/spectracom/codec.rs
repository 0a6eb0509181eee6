//! Spectracom timecodes ↔ fields, no I/O: formats 0, 2 and 3, told apart
//! by their length as ntpd's `wwvb_receive` does.

use refclock_core::ClockEvent;

/// Length of a format 0 timecode (`LENWWVB0`).
pub const LEN0: usize = 22;
/// Length of a format 2 timecode (`LENWWVB2`).
pub const LEN2: usize = 24;
/// Length of a format 3 timecode (`LENWWVB3`).
pub const LEN3: usize = 29;

/// The poll character (`T`): the clock answers with a timecode.
pub const POLL: u8 = b'T';
/// The character asking for the next line of the quality table (`R`),
/// sent instead of `T` while the table is being read (flag4).
pub const TABLE_POLL: u8 = b'R';

/// Which of the clock's data formats a timecode is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `I  ddd hh:mm:ss DTZ=nn` (22 characters).
    F0,
    /// `IQyy ddd hh:mm:ss.mmm LD` (24 characters).
    F2,
    /// `0003I yyyymmdd hhmmss+0000DL#` (29 characters, undocumented).
    F3,
}

/// One decoded timecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timecode {
    /// The format, from the length.
    pub format: Format,
    /// Synchronisation character: `' '` in sync, anything else (`?`) not.
    pub sync: u8,
    /// Quality character (format 2 only; `' '` in the others): `' '`
    /// locked, `A`…`D` growing time error.
    pub quality: u8,
    /// Year: two digits in format 2, four in format 3, absent in format 0.
    pub year: Option<u16>,
    /// Day of year, 1–366 (format 3: from its month and day).
    pub day: u16,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
    /// Milliseconds (format 2; 0 in the others).
    pub millis: u16,
    /// The leap character (`L`: a leap second at the end of the month);
    /// `' '` in format 0.
    pub leap: u8,
    /// The daylight saving character (`S`, `I`, `D`, `O` or blank).
    pub dst: u8,
    /// The time zone of format 0 (`TZ=nn`); 0 in the others.
    pub zone: u8,
}

impl Timecode {
    /// Whether the clock says it is synchronised.
    pub fn in_sync(&self) -> bool {
        self.sync == b' '
    }

    /// Whether the clock announces a leap second.
    pub fn leap_warning(&self) -> bool {
        self.leap == b'L'
    }
}

/// Why a line is not a timecode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpectracomError {
    /// Not 22, 24 or 29 characters.
    #[error("length {0}: not 22 (format 0), 24 (format 2) or 29 (format 3)")]
    Length(usize),
    /// A field that is not what its format has there.
    #[error("{field} at {at}: expected {expected}, found {found:?}")]
    Field {
        /// The field.
        field: &'static str,
        /// Its offset.
        at: usize,
        /// What belongs there.
        expected: &'static str,
        /// What was there.
        found: String,
    },
    /// A field out of its range.
    #[error("{field} {value} out of range")]
    Range {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// Format 0 stated in a time zone other than UTC.
    #[error("time zone TZ={0:02}: the clock must be set to UTC (TZ=00)")]
    Zone(u8),
}

impl SpectracomError {
    /// The event ntpd reports: a layout error is a bad reply, a value out
    /// of range a bad time.
    pub fn event(&self) -> ClockEvent {
        match self {
            SpectracomError::Length(_) | SpectracomError::Field { .. } => ClockEvent::BadReply,
            SpectracomError::Range { .. } | SpectracomError::Zone(_) => ClockEvent::BadTime,
        }
    }
}

fn field_err(
    code: &[u8],
    at: usize,
    len: usize,
    field: &'static str,
    expected: &'static str,
) -> SpectracomError {
    let end = (at + len).min(code.len());
    SpectracomError::Field {
        field,
        at,
        expected,
        found: String::from_utf8_lossy(&code[at.min(end)..end]).into_owned(),
    }
}

/// A number of `len` digits at `at`; leading blanks are taken as zeros
/// (a day of year written `  5`), at least the last character must be a
/// digit.
fn num(code: &[u8], at: usize, len: usize, field: &'static str) -> Result<u32, SpectracomError> {
    let bytes = &code[at..at + len];
    let mut value = 0u32;
    let mut leading = true;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b' ' && leading && i + 1 < len {
            continue;
        }
        leading = false;
        if !b.is_ascii_digit() {
            return Err(field_err(code, at, len, field, "digits"));
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Ok(value)
}

fn lit(
    code: &[u8],
    at: usize,
    text: &'static str,
    field: &'static str,
) -> Result<(), SpectracomError> {
    if code.get(at..at + text.len()) == Some(text.as_bytes()) {
        Ok(())
    } else {
        Err(field_err(code, at, text.len(), field, text))
    }
}

fn range(value: u32, max: u32, min: u32, field: &'static str) -> Result<u32, SpectracomError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(SpectracomError::Range { field, value })
    }
}

/// `hh?mm?ss` at `at` with separators `sep` (`:` or none).
fn hms(code: &[u8], at: usize, sep: bool) -> Result<(u8, u8, u8), SpectracomError> {
    let step = if sep { 3 } else { 2 };
    let h = num(code, at, 2, "hour")?;
    if sep {
        lit(code, at + 2, ":", "separator")?;
        lit(code, at + 5, ":", "separator")?;
    }
    let m = num(code, at + step, 2, "minute")?;
    let s = num(code, at + 2 * step, 2, "second")?;
    Ok((
        range(h, 23, 0, "hour")? as u8,
        range(m, 59, 0, "minute")? as u8,
        range(s, 60, 0, "second")? as u8,
    ))
}

/// Decodes a timecode line (without its line ends), its format chosen by
/// its length.
pub fn decode(code: &[u8]) -> Result<Timecode, SpectracomError> {
    match code.len() {
        LEN0 => decode0(code),
        LEN2 => decode2(code),
        LEN3 => decode3(code),
        n => Err(SpectracomError::Length(n)),
    }
}

/// `I  ddd hh:mm:ss DTZ=nn`
fn decode0(code: &[u8]) -> Result<Timecode, SpectracomError> {
    lit(code, 1, "  ", "blanks")?;
    let day = num(code, 3, 3, "day")?;
    lit(code, 6, " ", "blank")?;
    let (hour, minute, second) = hms(code, 7, true)?;
    lit(code, 17, "TZ=", "zone")?;
    let zone = num(code, 20, 2, "zone")? as u8;
    let day = range(day, 366, 1, "day")? as u16;
    if zone != 0 {
        return Err(SpectracomError::Zone(zone));
    }
    Ok(Timecode {
        format: Format::F0,
        sync: code[0],
        quality: b' ',
        year: None,
        day,
        hour,
        minute,
        second,
        millis: 0,
        leap: b' ',
        dst: code[16],
        zone,
    })
}

/// `IQyy ddd hh:mm:ss.mmm LD`
fn decode2(code: &[u8]) -> Result<Timecode, SpectracomError> {
    let year = num(code, 2, 2, "year")? as u16;
    lit(code, 4, " ", "blank")?;
    let day = num(code, 5, 3, "day")?;
    lit(code, 8, " ", "blank")?;
    let (hour, minute, second) = hms(code, 9, true)?;
    lit(code, 17, ".", "decimal point")?;
    let millis = num(code, 18, 3, "milliseconds")? as u16;
    lit(code, 21, " ", "blank")?;
    let day = range(day, 366, 1, "day")? as u16;
    Ok(Timecode {
        format: Format::F2,
        sync: code[0],
        quality: code[1],
        year: Some(year),
        day,
        hour,
        minute,
        second,
        millis,
        leap: code[22],
        dst: code[23],
        zone: 0,
    })
}

/// `0003I yyyymmdd hhmmss+0000DL#`
fn decode3(code: &[u8]) -> Result<Timecode, SpectracomError> {
    lit(code, 0, "0003", "format number")?;
    lit(code, 5, " ", "blank")?;
    let year = num(code, 6, 4, "year")?;
    let month = range(num(code, 10, 2, "month")?, 12, 1, "month")?;
    let mday = num(code, 12, 2, "day")?;
    lit(code, 14, " ", "blank")?;
    let (hour, minute, second) = hms(code, 15, false)?;
    lit(code, 21, "+0000", "zone")?;
    lit(code, 28, "#", "on-time mark")?;
    let year = year as i32;
    let len = refclock_core::calendar::days_in_month(year, month as u8) as u32;
    let mday = range(mday, len, 1, "day")?;
    let day = refclock_core::calendar::day_of_year(year, month as u8, mday as u8);
    Ok(Timecode {
        format: Format::F3,
        sync: code[4],
        quality: b' ',
        year: Some(year as u16),
        day,
        hour,
        minute,
        second,
        millis: 0,
        leap: code[27],
        dst: code[26],
        zone: 0,
    })
}

/// The exact characters a clock sends for `t`, without line ends (see
/// [`crate::spectracom`] for the CR LF around them). Format 3 needs
/// `month` and `mday`, which `t.day` does not carry: they are computed
/// from the year and day.
pub fn encode(t: &Timecode) -> Vec<u8> {
    let s = match t.format {
        Format::F0 => format!(
            "{}  {:03} {:02}:{:02}:{:02} {}TZ={:02}",
            t.sync as char, t.day, t.hour, t.minute, t.second, t.dst as char, t.zone
        ),
        Format::F2 => format!(
            "{}{}{:02} {:03} {:02}:{:02}:{:02}.{:03} {}{}",
            t.sync as char,
            t.quality as char,
            t.year.unwrap_or(0) % 100,
            t.day,
            t.hour,
            t.minute,
            t.second,
            t.millis,
            t.leap as char,
            t.dst as char
        ),
        Format::F3 => {
            let year = i32::from(t.year.unwrap_or(2000));
            let (month, mday) = refclock_core::calendar::month_day(year, t.day).unwrap_or((1, 1));
            format!(
                "0003{} {:04}{:02}{:02} {:02}{:02}{:02}+0000{}{}#",
                t.sync as char,
                year,
                month,
                mday,
                t.hour,
                t.minute,
                t.second,
                t.dst as char,
                t.leap as char
            )
        }
    };
    s.into_bytes()
}
