//! TSIP version 1 (Trimble's RES 720 and later): the same DLE framing,
//! packet ids 0x90..0xA3, and inside each packet a sub-id, a length, a
//! mode and an XOR checksum (gpsd's driver_tsip.c, `tsipv1_parse`):
//!
//! ```text
//!  DLE  id  sub  len(2)  mode  data …  cksum  DLE ETX
//!           └──── len counts mode, data and cksum ┘
//!  cksum: id ^ sub ^ len ^ mode ^ data … makes the XOR of all zero
//! ```
//!
//! The mode is 0 for a query, 1 for a set, 2 for a response. The time
//! report is A1-00, timing information, which the receiver sends once a
//! second after the PPS it names (the only periodic message on by
//! default).

use super::{get_f32, Packet};

/// Lowest TSIPv1 packet id.
pub const FIRST_ID: u8 = 0x90;
/// Highest TSIPv1 packet id.
pub const LAST_ID: u8 = 0xA3;
/// A1: timing and position reports.
pub const ID_TIMING: u8 = 0xA1;
/// Sub-id of A1-00, timing information.
pub const SUB_TIMING: u8 = 0x00;
/// Mode byte of a response.
pub const MODE_RESPONSE: u8 = 0x02;

/// Whether `id` is a TSIPv1 packet id.
pub fn is_v1(id: u8) -> bool {
    (FIRST_ID..=LAST_ID).contains(&id)
}

/// Why a TSIPv1 packet did not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum V1Error {
    /// Shorter than sub-id, length and mode.
    #[error("TSIPv1 packet 0x{id:02X}: {found} bytes, too short for its header")]
    Runt {
        /// The id.
        id: u8,
        /// Bytes after the id.
        found: usize,
    },
    /// The length field disagrees with the bytes received.
    #[error("TSIPv1 packet 0x{id:02X}-{sub:02X}: length field {field}, {found} bytes follow it")]
    Length {
        /// The id.
        id: u8,
        /// The sub-id.
        sub: u8,
        /// The length field.
        field: u16,
        /// Bytes after the length field.
        found: usize,
    },
    /// The XOR checksum is not zero.
    #[error("TSIPv1 packet 0x{id:02X}-{sub:02X}: bad checksum (XOR 0x{xor:02X})")]
    Checksum {
        /// The id.
        id: u8,
        /// The sub-id.
        sub: u8,
        /// XOR of all bytes (0 when right).
        xor: u8,
    },
    /// A report shorter than its layout.
    #[error("TSIPv1 report 0x{id:02X}-{sub:02X}: {found} data bytes, expected {expected}")]
    Short {
        /// The id.
        id: u8,
        /// The sub-id.
        sub: u8,
        /// Bytes needed.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
}

/// A checked TSIPv1 packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct V1Packet<'a> {
    /// Packet id.
    pub id: u8,
    /// Sub-id.
    pub sub: u8,
    /// Mode (0 query, 1 set, 2 response).
    pub mode: u8,
    /// The data between mode and checksum.
    pub data: &'a [u8],
}

impl<'a> V1Packet<'a> {
    /// Checks length and checksum of a TSIPv1 packet.
    pub fn decode(p: &Packet<'a>) -> Result<V1Packet<'a>, V1Error> {
        let d = p.data;
        if d.len() < 5 {
            return Err(V1Error::Runt {
                id: p.id,
                found: d.len(),
            });
        }
        let sub = d[0];
        let field = u16::from_be_bytes([d[1], d[2]]);
        if usize::from(field) != d.len() - 3 {
            return Err(V1Error::Length {
                id: p.id,
                sub,
                field,
                found: d.len() - 3,
            });
        }
        let xor = d.iter().fold(p.id, |a, &b| a ^ b);
        if xor != 0 {
            return Err(V1Error::Checksum { id: p.id, sub, xor });
        }
        Ok(V1Packet {
            id: p.id,
            sub,
            mode: d[3],
            data: &d[4..d.len() - 1],
        })
    }
}

/// The unstuffed bytes after the id of a TSIPv1 packet (sub-id, length,
/// mode, data, checksum): pass them to [`super::encode`] with the id.
pub fn encode(id: u8, sub: u8, mode: u8, data: &[u8]) -> Vec<u8> {
    let len = (data.len() + 2) as u16;
    let mut out = Vec::with_capacity(data.len() + 5);
    out.push(sub);
    out.extend_from_slice(&len.to_be_bytes());
    out.push(mode);
    out.extend_from_slice(data);
    let xor = out.iter().fold(id, |a, &b| a ^ b);
    out.push(xor);
    out
}

/// A1-00 flag: UTC offset valid.
pub const TIMING_UTC_VALID: u8 = 0x01;
/// A1-00 flag: time valid.
pub const TIMING_TIME_VALID: u8 = 0x02;
/// A1-00 time base: GPS.
pub const TIME_BASE_GPS: u8 = 0;

/// A1-00, timing information (30 data bytes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// GPS seconds of the week.
    pub tow: u32,
    /// GPS week (full).
    pub week: u16,
    /// Hours of the time base.
    pub hour: u8,
    /// Minutes.
    pub minute: u8,
    /// Seconds.
    pub second: u8,
    /// Month.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
    /// Year.
    pub year: u16,
    /// Time base of the date fields (0 GPS).
    pub time_base: u8,
    /// PPS base.
    pub pps_base: u8,
    /// Flags (`TIMING_*`).
    pub flags: u8,
    /// GPS − UTC, seconds.
    pub utc_offset: i16,
    /// The PPS quantisation error, seconds (as gpsd reads it).
    pub qerr: f32,
}

impl Timing {
    /// Data bytes (between mode and checksum).
    pub const LEN: usize = 30;

    /// Decodes A1-00 from a checked packet.
    pub fn decode(p: &V1Packet<'_>) -> Result<Timing, V1Error> {
        let d = p.data;
        if d.len() < Self::LEN {
            return Err(V1Error::Short {
                id: p.id,
                sub: p.sub,
                expected: Self::LEN,
                found: d.len(),
            });
        }
        Ok(Timing {
            tow: u32::from_be_bytes([d[0], d[1], d[2], d[3]]),
            week: u16::from_be_bytes([d[4], d[5]]),
            hour: d[6],
            minute: d[7],
            second: d[8],
            month: d[9],
            day: d[10],
            year: u16::from_be_bytes([d[11], d[12]]),
            time_base: d[13],
            pps_base: d[14],
            flags: d[15],
            utc_offset: i16::from_be_bytes([d[16], d[17]]),
            qerr: get_f32(d, 18),
        })
    }

    /// The data bytes (bias and bias rate sent as zeros).
    pub fn encode(&self) -> Vec<u8> {
        let mut d = vec![0u8; Self::LEN];
        d[0..4].copy_from_slice(&self.tow.to_be_bytes());
        d[4..6].copy_from_slice(&self.week.to_be_bytes());
        d[6] = self.hour;
        d[7] = self.minute;
        d[8] = self.second;
        d[9] = self.month;
        d[10] = self.day;
        d[11..13].copy_from_slice(&self.year.to_be_bytes());
        d[13] = self.time_base;
        d[14] = self.pps_base;
        d[15] = self.flags;
        d[16..18].copy_from_slice(&self.utc_offset.to_be_bytes());
        d[18..22].copy_from_slice(&self.qerr.to_be_bytes());
        d
    }

    /// The whole packet's bytes after the id (for [`super::encode`]).
    pub fn packet(&self) -> Vec<u8> {
        encode(ID_TIMING, SUB_TIMING, MODE_RESPONSE, &self.encode())
    }
}
