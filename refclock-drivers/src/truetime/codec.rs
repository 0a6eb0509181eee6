//! What a TrueTime clock says, line by line ↔ fields, no I/O: ntpd
//! 4.2.8p18's `true_receive` tells its lines apart in this order.

use refclock_core::ascii::decimal;
use refclock_core::ClockEvent;

/// The satellite a GOES receiver sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Satellite {
    /// Longitude between 70° and 100° W: time2 applies.
    East,
    /// Longitude between 100° and 140° W: time1 applies (the default).
    West,
    /// Anywhere else: no change.
    Unknown,
}

/// A timecode `ddd:hh:mm:ssQ` (the `^A` before it and the CR LF after it
/// are not part of the line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timecode {
    /// Day of year, 1–366.
    pub day: u16,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
    /// The quality character: `>`, `#`, `?` and `X` say "not in sync",
    /// anything else (`' '`, `.`, `*`, a station letter) in sync.
    pub quality: u8,
}

impl Timecode {
    /// Whether the quality character says the clock is in sync.
    pub fn in_sync(&self) -> bool {
        !matches!(self.quality, b'>' | b'#' | b'?' | b'X')
    }
}

/// One line from the clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// `?…` or `ERROR 05 NO SUCH FUNCTION`: the clock did not understand.
    Huh,
    /// A GOES receiver's satellite position `nnnnn+nnn-nnn` (longitude in
    /// hundredths of a degree, latitude, offset).
    Position {
        /// Longitude, hundredths of a degree west.
        lon: i32,
        /// Which satellite that is.
        satellite: Satellite,
    },
    /// `Fnn` (0 < nn < 80): a TM/TMD clock saying what it does.
    Function(u8),
    /// `VER xx.xx`: a TL-3's firmware version (answer to `QV`).
    Version,
    /// ` TRUETIME Mk III ` or ` TRUETIME XL…`: a TM/TMD/XL identifying.
    Identification,
    /// `N03726428W12209421+000033`: a GPS-800 TCU's position.
    Location,
    /// A timecode.
    Time(Timecode),
}

/// Why a line is none of the above.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrueTimeError {
    /// Not a known reply.
    #[error("not a known reply")]
    Unknown,
    /// A timecode with a field out of range.
    #[error("{field} {value} out of range")]
    Range {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
}

impl TrueTimeError {
    /// The event ntpd reports.
    pub fn event(&self) -> ClockEvent {
        match self {
            TrueTimeError::Unknown => ClockEvent::BadReply,
            TrueTimeError::Range { .. } => ClockEvent::BadTime,
        }
    }
}

/// A signed number: optional sign and digits.
fn signed(b: &[u8]) -> Option<i32> {
    match b.split_first() {
        Some((b'-', rest)) => decimal(rest).map(|v| -(v as i32)),
        Some((b'+', rest)) => decimal(rest).map(|v| v as i32),
        _ => decimal(b).map(|v| v as i32),
    }
}

/// Decodes one line (printable characters only, no line end).
pub fn decode(line: &[u8]) -> Result<Reply, TrueTimeError> {
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    if at(0) == b'?' || line == b"ERROR 05 NO SUCH FUNCTION" {
        return Ok(Reply::Huh);
    }
    if matches!(at(5), b'+' | b'-') && matches!(at(9), b'+' | b'-') && line.len() >= 13 {
        if let (Some(lon), Some(_), Some(_)) = (
            signed(&line[0..5]),
            decimal(&line[6..9]),
            decimal(&line[10..13]),
        ) {
            let satellite = if lon > 7000 && lon < 14000 {
                if lon < 10000 {
                    Satellite::East
                } else {
                    Satellite::West
                }
            } else {
                Satellite::Unknown
            };
            return Ok(Reply::Position { lon, satellite });
        }
    }
    if at(0) == b'F' && line.len() >= 2 {
        let n = line[1..]
            .iter()
            .take(2)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if let Some(i) = decimal(&line[1..1 + n]) {
            if i > 0 && i < 80 {
                return Ok(Reply::Function(i as u8));
            }
        }
    }
    if line.starts_with(b"VER") && at(6) == b'.' {
        return Ok(Reply::Version);
    }
    if line.starts_with(b" TRUETIME Mk III ") || line.starts_with(b" TRUETIME XL") {
        return Ok(Reply::Identification);
    }
    if matches!(at(0), b'N' | b'S') && matches!(at(9), b'W' | b'E') && at(18) == b'+' {
        return Ok(Reply::Location);
    }
    if line.len() >= 13 && at(3) == b':' && at(6) == b':' && at(9) == b':' {
        if let (Some(day), Some(hour), Some(minute), Some(second)) = (
            decimal(&line[0..3]),
            decimal(&line[4..6]),
            decimal(&line[7..9]),
            decimal(&line[10..12]),
        ) {
            let check = |field, value: u32, min, max| {
                if (min..=max).contains(&value) {
                    Ok(())
                } else {
                    Err(TrueTimeError::Range { field, value })
                }
            };
            check("day", day, 1, 366)?;
            check("hour", hour, 0, 23)?;
            check("minute", minute, 0, 59)?;
            check("second", second, 0, 60)?;
            return Ok(Reply::Time(Timecode {
                day: day as u16,
                hour: hour as u8,
                minute: minute as u8,
                second: second as u8,
                quality: line[12],
            }));
        }
    }
    Err(TrueTimeError::Unknown)
}

/// The timecode line as the clock sends it: `^A`, `ddd:hh:mm:ssQ`, CR
/// (on time), LF.
pub fn encode(t: &Timecode) -> Vec<u8> {
    let mut v = vec![0x01];
    v.extend(
        format!(
            "{:03}:{:02}:{:02}:{:02}{}",
            t.day, t.hour, t.minute, t.second, t.quality as char
        )
        .into_bytes(),
    );
    v.extend(b"\r\n");
    v
}
