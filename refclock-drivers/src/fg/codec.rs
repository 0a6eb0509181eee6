//! The Forum Graphic's replies ↔ their fields, both ways, no I/O.
//!
//! ```text
//! DLE 'D' YY 0D DD hh mm ss cc f0 ... DLE CR      (26 bytes)
//!  0   1   2  3  4  5  6  7  8  9
//! ```
//!
//! Offsets from the first DLE, as `refclock_fg.c` reads them: packed BCD
//! year (2), hundreds of the day of year (low nibble of 3), its tens and
//! units (4), hour (5), minute (6), second (7), two digits the driver
//! takes as milliseconds (8) and one as microseconds (high nibble of 9).
//! A data byte equal to DLE (0x10: the BCD of 10) is sent twice, so at
//! hour 10, minute 10, second 10, day 10 or 110... the fields after it
//! move one byte on; [`decode`] takes the doubled DLE as one. What lies
//! between the fields and the closing DLE CR is not documented (the
//! simulated device sends NULs to make 26 bytes, as the queries are).

use refclock_core::framing::DLE;
use refclock_core::ClockEvent;

/// Length of a query, and of the simulated device's replies.
pub const LENFG: usize = 26;

/// The shortest read ntpd's driver takes (`LENFG − 2`, line end
/// included): a frame without its line end must have 23 bytes.
pub const MIN_FRAME: usize = LENFG - 3;

/// A query padded with NULs to 26 bytes: `DLE cmd DLE CR`.
const fn query(cmd: u8) -> [u8; LENFG] {
    let mut q = [0u8; LENFG];
    q[0] = DLE;
    q[1] = cmd;
    q[2] = DLE;
    q[3] = b'\r';
    q
}

/// The initialisation written at start: `DLE H DLE CR`.
pub const INIT: [u8; LENFG] = query(b'H');
/// The date query written at each poll: `DLE D DLE CR`.
pub const QUERY: [u8; LENFG] = query(b'D');

/// The year a receiver just powered up states (its date is not valid).
pub const POWER_UP_YEAR: u8 = 94;

/// One decoded reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FgTime {
    /// Year, two digits.
    pub year: u8,
    /// Day of year, 0..=399 as BCD allows (checked by the caller).
    pub day: u16,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// The two digits at offset 8, taken as milliseconds.
    pub millis: u8,
    /// The digit in the high nibble of offset 9, taken as microseconds.
    pub micros: u8,
}

impl FgTime {
    /// The fraction of the second as ntpd's driver computes it:
    /// `millis` ms + `micros` µs.
    pub fn nanos(&self) -> u32 {
        u32::from(self.millis) * 1_000_000 + u32::from(self.micros) * 1000
    }
}

/// Why a reply was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FgError {
    /// Shorter than ntpd's 24 bytes.
    #[error("expected at least {MIN_FRAME} bytes before the line end, found {found}")]
    Short {
        /// Bytes found.
        found: usize,
    },
    /// No DLE in the reply.
    #[error("no DLE in the reply")]
    NoStart,
    /// The reply ends (a lone DLE, or its end) before the fields do.
    #[error("the reply ends {found} bytes after its DLE, before its fields")]
    Truncated {
        /// Bytes after the DLE.
        found: usize,
    },
    /// Year 94: the station was just powered up and its date is not
    /// valid (checked before the other fields, as ntpd does).
    #[error("year 94: the station was just powered up")]
    PowerUp,
    /// A field is not packed BCD.
    #[error("{field}: expected BCD, found {found:#04x}")]
    Bcd {
        /// The field.
        field: &'static str,
        /// The byte.
        found: u8,
    },
}

impl FgError {
    /// ntpd's event: `CEVNT_BADREPLY` for all.
    pub fn event(&self) -> ClockEvent {
        ClockEvent::BadReply
    }
}

fn bcd(b: u8, field: &'static str) -> Result<u8, FgError> {
    let (hi, lo) = (b >> 4, b & 15);
    if hi > 9 || lo > 9 {
        return Err(FgError::Bcd { field, found: b });
    }
    Ok(hi * 10 + lo)
}

/// The bytes after the first DLE, doubled DLEs taken once, up to a lone
/// DLE (the closing `DLE CR`).
fn unstuff(after: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(after.len());
    let mut i = 0;
    while i < after.len() {
        let b = after[i];
        if b == DLE && i > 0 {
            if after.get(i + 1) == Some(&DLE) {
                v.push(DLE);
                i += 2;
                continue;
            }
            break;
        }
        v.push(b);
        i += 1;
    }
    v
}

/// Decodes one reply: a read without its line end.
pub fn decode(frame: &[u8]) -> Result<FgTime, FgError> {
    if frame.len() < MIN_FRAME {
        return Err(FgError::Short { found: frame.len() });
    }
    let start = frame
        .iter()
        .position(|&b| b == DLE)
        .ok_or(FgError::NoStart)?;
    // p[k] is the byte at offset k + 1 from the DLE.
    let p = unstuff(&frame[start + 1..]);
    if p.len() < 9 {
        return Err(FgError::Truncated { found: p.len() });
    }
    let at = |k: usize| p[k - 1];
    if at(2) == to_bcd(POWER_UP_YEAR) {
        return Err(FgError::PowerUp);
    }
    let hundreds = at(3) & 15;
    if hundreds > 9 {
        return Err(FgError::Bcd {
            field: "day",
            found: at(3),
        });
    }
    let micros = at(9) >> 4;
    if micros > 9 {
        return Err(FgError::Bcd {
            field: "fraction",
            found: at(9),
        });
    }
    Ok(FgTime {
        year: bcd(at(2), "year")?,
        day: u16::from(hundreds) * 100 + u16::from(bcd(at(4), "day")?),
        hour: bcd(at(5), "hour")?,
        minute: bcd(at(6), "minute")?,
        second: bcd(at(7), "second")?,
        millis: bcd(at(8), "fraction")?,
        micros,
    })
}

fn to_bcd(n: u8) -> u8 {
    ((n / 10 % 10) << 4) | (n % 10)
}

/// Encodes a reply as the simulated device sends it: `DLE 'D'`, the
/// fields with each DLE doubled, NULs, `DLE CR`; 26 bytes.
pub fn encode(t: &FgTime) -> Vec<u8> {
    let fields = [
        to_bcd(t.year),
        (t.day / 100 % 10) as u8,
        to_bcd((t.day % 100) as u8),
        to_bcd(t.hour),
        to_bcd(t.minute),
        to_bcd(t.second),
        to_bcd(t.millis),
        (t.micros % 10) << 4,
    ];
    let mut v = vec![DLE, b'D'];
    for b in fields {
        v.push(b);
        if b == DLE {
            v.push(DLE);
        }
    }
    v.resize(LENFG - 2, 0);
    v.extend_from_slice(&[DLE, b'\r']);
    v
}
