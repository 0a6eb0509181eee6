//! Oncore messages ↔ fields, both ways, no I/O. Layouts from ntpd's
//! `oncore_messages[]` format strings (`refclock_oncore.c`) and gpsd's
//! `driver_oncore.c`; offsets count from the first `@`.
//!
//! * `@@Ba` (6 channels, 68 bytes), `@@Ea` (8, 76), `@@Ha` (12, 154):
//!   month 4, day 5, year 6–7, hour 8, minute 9, second 10, fraction
//!   11–14 (ns), latitude 15, longitude 19, height 23 (mas, mas, cm);
//!   receiver status at 64 (Ba), 72 (Ea), 129–130 (Ha); `@@Ea[37]` bit 5
//!   site survey running; `@@Ha[141]` the UTC parameter flags.
//! * `@@Bn` (59), `@@En` (69): TRAIM status at 21 (0 = good), the
//!   negative sawtooth (signed ns) at 25. `@@Hn` (78): TRAIM status at 6,
//!   sawtooth at 14.
//! * `@@Bj`: leap pending at 4 (0 none, 1 insert, 2 delete). `@@Gj`:
//!   current and future GPS − UTC at 4 and 5, the date of the change at
//!   6–7 (year), 8 (month), 9 (day).
//! * `@@Ca`/`@@Fa`/`@@Ia`: self test results at 4–5 (and 6 for `Ia`);
//!   bits 6–7 of byte 4 are the antenna state.
//! * `@@Cj`: the receiver id text; the model number after byte 160.

use refclock_core::calendar::CivilTime;
use refclock_core::framing::oncore_checksum;
use refclock_core::{ClockEvent, Timestamp};

/// Why a message does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OncoreError {
    /// Not the length its id has.
    #[error("@@{id}: {found} bytes, expected {expected}")]
    Length {
        /// The id.
        id: String,
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// A date or time field out of range.
    #[error("@@{id}: {field} {found} out of range")]
    Range {
        /// The id.
        id: String,
        /// The field.
        field: &'static str,
        /// Its value.
        found: i64,
    },
    /// Not a message this decoder reads.
    #[error("@@{0}: not a message of this kind")]
    Kind(String),
}

impl OncoreError {
    /// The clock event it counts as.
    pub fn event(&self) -> ClockEvent {
        match self {
            OncoreError::Range { field: "year", .. } => ClockEvent::BadDate,
            OncoreError::Range { .. } => ClockEvent::BadTime,
            _ => ClockEvent::BadReply,
        }
    }
}

fn id_str(m: &[u8]) -> String {
    String::from_utf8_lossy(&m[2..4.min(m.len())]).into_owned()
}

/// A signed 32-bit big-endian field.
pub fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// The number of channels a position message id means: `Ba` 6, `Ea` 8,
/// `Ha` 12.
pub fn channels_of(id: [u8; 2]) -> Option<u8> {
    match &id {
        b"Ba" | b"Bn" => Some(6),
        b"Ea" | b"En" => Some(8),
        b"Ha" | b"Hn" => Some(12),
        _ => None,
    }
}

/// Length of the position message of `chan` channels.
pub const fn position_len(chan: u8) -> usize {
    match chan {
        6 => 68,
        8 => 76,
        _ => 154,
    }
}

/// Length of the TRAIM message of `chan` channels.
pub const fn traim_len(chan: u8) -> usize {
    match chan {
        6 => 59,
        8 => 69,
        _ => 78,
    }
}

/// The position fix mode the receiver status says (ntpd's `posn_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FixMode {
    /// None of the bits.
    #[default]
    Unknown,
    /// Position hold: time only.
    Hold0D,
    /// Altitude hold.
    Fix2D,
    /// A 3D fix.
    Fix3D,
}

/// A `@@Ba`, `@@Ea` or `@@Ha` message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 6, 8 or 12.
    pub chan: u8,
    /// The date and time it states (UTC after `@@Aw1`), second 60 kept.
    pub time: CivilTime,
    /// Latitude, longitude (milliarcseconds), height (cm).
    pub lat: i32,
    /// Longitude (mas).
    pub lon: i32,
    /// Height over the ellipsoid (cm).
    pub height: i32,
    /// Receiver status: byte 64 (Ba) or 72 (Ea); Ha's two bytes 129–130.
    pub status: u16,
    /// `@@Ea[37]` (DOP type and antenna), 0 for the others.
    pub dop_type: u8,
    /// `@@Ha[141]`, the UTC parameter flags; 0 for the others.
    pub utc_flags: u8,
}

impl Position {
    /// Fix mode from the status bits (ntpd's `oncore_msg_BaEaHa`).
    pub fn mode(&self) -> FixMode {
        if self.chan == 12 {
            match (self.status >> 13) & 7 {
                4 => FixMode::Hold0D,
                6 => FixMode::Fix2D,
                7 => FixMode::Fix3D,
                _ => FixMode::Unknown,
            }
        } else if self.status & 0x08 != 0 {
            FixMode::Hold0D
        } else if self.status & 0x10 != 0 {
            FixMode::Fix2D
        } else if self.status & 0x20 != 0 {
            FixMode::Fix3D
        } else {
            FixMode::Unknown
        }
    }

    /// The almanac is not (yet) complete: no UTC offset.
    pub fn bad_almanac(&self) -> bool {
        if self.chan == 12 {
            self.status & 0x80 != 0
        } else {
            self.status & 0x01 != 0
        }
    }

    /// Too few satellites or a bad geometry.
    pub fn bad_fix(&self) -> bool {
        if self.chan == 12 {
            self.status & 0x08 != 0 || (self.status >> 13) & 7 == 2
        } else {
            self.status & 0x52 != 0
        }
    }

    /// The receiver's own site survey is running.
    pub fn survey_running(&self) -> bool {
        match self.chan {
            12 => self.status & 0x10 != 0,
            8 => self.dop_type & 0x20 != 0,
            _ => false,
        }
    }

    /// M12: the UTC parameters are decoded (`Ha[141]` bits 6–7).
    pub fn utc_decoded(&self) -> bool {
        self.utc_flags & 0xC0 != 0
    }

    /// The second it names as a Unix time (23:59:60 is the next
    /// midnight), before any GPS era correction.
    pub fn timestamp(&self) -> Timestamp {
        let mut t = self.time;
        t.nanos = 0;
        let leap = t.second == 60;
        if leap {
            t.second = 59;
        }
        let ts = t.to_timestamp().unwrap_or(Timestamp::EPOCH);
        if leap {
            Timestamp::from_secs(ts.secs() + 1)
        } else {
            ts
        }
    }
}

fn range(m: &[u8], field: &'static str, v: i64, lo: i64, hi: i64) -> Result<(), OncoreError> {
    if v < lo || v > hi {
        return Err(OncoreError::Range {
            id: id_str(m),
            field,
            found: v,
        });
    }
    Ok(())
}

/// Decodes a whole `@@Ba`/`@@Ea`/`@@Ha` message (`@@` to LF).
pub fn decode_position(m: &[u8]) -> Result<Position, OncoreError> {
    let chan = m
        .get(2..4)
        .and_then(|id| match id {
            b"Ba" => Some(6),
            b"Ea" => Some(8),
            b"Ha" => Some(12),
            _ => None,
        })
        .ok_or_else(|| OncoreError::Kind(id_str(m)))?;
    let expected = position_len(chan);
    if m.len() != expected {
        return Err(OncoreError::Length {
            id: id_str(m),
            expected,
            found: m.len(),
        });
    }
    let year = i32::from(u16::from_be_bytes([m[6], m[7]]));
    range(m, "month", m[4].into(), 1, 12)?;
    range(m, "day", m[5].into(), 1, 31)?;
    range(m, "year", year.into(), 1980, 2079)?;
    range(m, "hour", m[8].into(), 0, 23)?;
    range(m, "minute", m[9].into(), 0, 59)?;
    range(m, "second", m[10].into(), 0, 60)?;
    let nanos = u32::from_be_bytes([m[11], m[12], m[13], m[14]]);
    range(m, "fraction", nanos.into(), 0, 999_999_999)?;
    let mut time = CivilTime::new(year, m[4], m[5], m[8], m[9], m[10]);
    let mut check = time;
    check.second = check.second.min(59);
    if check.validate().is_err() {
        return Err(OncoreError::Range {
            id: id_str(m),
            field: "day",
            found: m[5].into(),
        });
    }
    time.nanos = nanos;
    let status = match chan {
        6 => u16::from(m[64]),
        8 => u16::from(m[72]),
        _ => u16::from_be_bytes([m[129], m[130]]),
    };
    Ok(Position {
        chan,
        time,
        lat: be_i32(&m[15..]),
        lon: be_i32(&m[19..]),
        height: be_i32(&m[23..]),
        status,
        dop_type: if chan == 8 { m[37] } else { 0 },
        utc_flags: if chan == 12 { m[141] } else { 0 },
    })
}

/// A `@@Bn`/`@@En`/`@@Hn` message: the TRAIM verdict on the pulse
/// just given, and the sawtooth of the next one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Traim {
    /// 6, 8 or 12.
    pub chan: u8,
    /// TRAIM status byte (0 = no alarm).
    pub status: u8,
    /// Negative sawtooth of the next pulse, ns.
    pub sawtooth: i8,
}

/// Decodes a whole `@@Bn`/`@@En`/`@@Hn` message.
pub fn decode_traim(m: &[u8]) -> Result<Traim, OncoreError> {
    let chan = match m.get(2..4) {
        Some(b"Bn") => 6,
        Some(b"En") => 8,
        Some(b"Hn") => 12,
        _ => return Err(OncoreError::Kind(id_str(m))),
    };
    let expected = traim_len(chan);
    if m.len() != expected {
        return Err(OncoreError::Length {
            id: id_str(m),
            expected,
            found: m.len(),
        });
    }
    let (s, t) = if chan == 12 { (6, 14) } else { (21, 25) };
    Ok(Traim {
        chan,
        status: m[s],
        sawtooth: m[t] as i8,
    })
}

/// The leap second a `@@Gj` announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeapInfo {
    /// GPS − UTC now.
    pub current: u8,
    /// GPS − UTC after the change.
    pub future: u8,
    /// Year of the change.
    pub year: u16,
    /// Month of the change.
    pub month: u8,
    /// Day of the change.
    pub day: u8,
    /// Hour, minute and second the receiver gives with the date.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
}

impl LeapInfo {
    /// Future − current: +1 a second inserted, −1 one deleted.
    pub fn delta(&self) -> i32 {
        i32::from(self.future) - i32::from(self.current)
    }
}

/// Decodes a whole `@@Gj` message (21 bytes).
pub fn decode_gj(m: &[u8]) -> Result<LeapInfo, OncoreError> {
    if m.get(2..4) != Some(b"Gj") {
        return Err(OncoreError::Kind(id_str(m)));
    }
    if m.len() != 21 {
        return Err(OncoreError::Length {
            id: id_str(m),
            expected: 21,
            found: m.len(),
        });
    }
    Ok(LeapInfo {
        current: m[4],
        future: m[5],
        year: u16::from_be_bytes([m[6], m[7]]),
        month: m[8],
        day: m[9],
        hour: m[15],
        minute: m[16],
        second: m[17],
    })
}

/// The receiver model the `@@Cj` model number names (ntpd's
/// `oncore_msg_Cj_id`; printed, not used for anything else, as there).
pub fn model_of(cj: &[u8]) -> (&'static str, String) {
    let text = cj.get(160..).unwrap_or(&[]);
    let start = text.iter().position(|&b| b != b' ').unwrap_or(text.len());
    let model: String = text[start..]
        .iter()
        .take(20)
        .take_while(|b| !b.is_ascii_whitespace())
        .map(|&b| b as char)
        .collect();
    let mb = model.as_bytes();
    let at = |i: usize| mb.get(i).copied().unwrap_or(0);
    let name = if model.starts_with("PVT6") {
        "PVT6"
    } else if at(0) == b'A' {
        "Basic"
    } else if at(0) == b'B' || model.starts_with("T8") {
        "VP"
    } else if at(0) == b'P' {
        "M12"
    } else if matches!(at(0), b'R' | b'D' | b'S') {
        match (at(1), at(5)) {
            (_, b'N') => "GT",
            (b'3' | b'4', b'G') => "GT+",
            (b'5', b'U') | (b'1', b'A') => "UT",
            (b'5', b'G') => "UT+",
            (b'6', b'G') => "SL",
            _ => "Unknown",
        }
    } else {
        "Unknown"
    };
    (name, model)
}

/// A command or message: `@@`, the id and payload, the XOR checksum,
/// CR LF (ntpd's `oncore_sendmsg`).
pub fn message(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 5);
    out.extend_from_slice(b"@@");
    out.extend_from_slice(body);
    out.push(oncore_checksum(body));
    out.extend_from_slice(b"\r\n");
    out
}

/// A message of the length the table gives `id`, all payload bytes
/// zero except those `fill` sets (offsets from the first `@`).
pub fn build(id: [u8; 2], len: usize, fill: impl FnOnce(&mut [u8])) -> Vec<u8> {
    let mut m = vec![0u8; len];
    m[0] = b'@';
    m[1] = b'@';
    m[2] = id[0];
    m[3] = id[1];
    fill(&mut m);
    let end = len - 3;
    m[end] = oncore_checksum(&m[2..end]);
    m[len - 2] = b'\r';
    m[len - 1] = b'\n';
    m
}

/// Encodes a position message as the receiver sends it.
pub fn encode_position(p: &Position) -> Vec<u8> {
    let id = match p.chan {
        6 => *b"Ba",
        8 => *b"Ea",
        _ => *b"Ha",
    };
    build(id, position_len(p.chan), |m| {
        m[4] = p.time.month;
        m[5] = p.time.day;
        m[6..8].copy_from_slice(&(p.time.year as u16).to_be_bytes());
        m[8] = p.time.hour;
        m[9] = p.time.minute;
        m[10] = p.time.second;
        m[11..15].copy_from_slice(&p.time.nanos.to_be_bytes());
        m[15..19].copy_from_slice(&p.lat.to_be_bytes());
        m[19..23].copy_from_slice(&p.lon.to_be_bytes());
        m[23..27].copy_from_slice(&p.height.to_be_bytes());
        match p.chan {
            6 => m[64] = p.status as u8,
            8 => {
                m[37] = p.dop_type;
                m[72] = p.status as u8;
            }
            _ => {
                m[129..131].copy_from_slice(&p.status.to_be_bytes());
                m[141] = p.utc_flags;
            }
        }
    })
}

/// Encodes a TRAIM message.
pub fn encode_traim(t: &Traim) -> Vec<u8> {
    let id = match t.chan {
        6 => *b"Bn",
        8 => *b"En",
        _ => *b"Hn",
    };
    build(id, traim_len(t.chan), |m| {
        let (s, w) = if t.chan == 12 { (6, 14) } else { (21, 25) };
        m[s] = t.status;
        m[w] = t.sawtooth as u8;
    })
}

/// Encodes a `@@Gj` message.
pub fn encode_gj(l: &LeapInfo) -> Vec<u8> {
    build(*b"Gj", 21, |m| {
        m[4] = l.current;
        m[5] = l.future;
        m[6..8].copy_from_slice(&l.year.to_be_bytes());
        m[8] = l.month;
        m[9] = l.day;
        m[15] = l.hour;
        m[16] = l.minute;
        m[17] = l.second;
    })
}

/// A `@@Cj` receiver id whose model number is `model`.
pub fn encode_cj(model: &str) -> Vec<u8> {
    build(*b"Cj", 294, |m| {
        let lines = [
            "COPYRIGHT 1991-2003 MOTOROLA INC.  ",
            "SFTW P/N #     61-G10268A          ",
            "SOFTWARE VER # 2                   ",
            "SOFTWARE REV # 1                   ",
        ];
        let mut text = String::new();
        for l in lines {
            text.push_str(l);
            text.push_str("\r\n");
        }
        let mut bytes = text.into_bytes();
        bytes.resize(145, b' ');
        bytes.extend_from_slice(b"MODEL #    ");
        bytes.extend_from_slice(model.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        let n = bytes.len().min(294 - 7);
        m[4..4 + n].copy_from_slice(&bytes[..n]);
        for b in &mut m[4 + n..291] {
            *b = b' ';
        }
    })
}
