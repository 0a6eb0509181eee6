//! Trimble Standard Interface Protocol (TSIP): packets and the reports
//! the drivers read, both ways, without I/O.
//!
//! ```text
//!  DLE  id  data …  DLE ETX        (a DLE in id or data is sent twice)
//! ```
//!
//! Numbers are big-endian: `INTEGER` 16 bits two's complement, `SINGLE`
//! and `DOUBLE` IEEE 754 sent sign and exponent first (Trimble's TSIP
//! reference; ntpd's `getflt`/`getdbl`/`getshort` in refclock_parse.c,
//! libntp's `fetch_ieee754`). TSIP has neither length nor checksum: a
//! report shorter than its layout is refused here
//! ([`TsipError::Short`]).
//!
//! Framing a byte stream into packets is
//! [`refclock_core::framing::DleFramer`]'s work; [`encode`] does the
//! reverse. The reports decoded here are those ntpd's PARSE driver
//! (type 8, mode 10) reads: 0x41 GPS time, 0x46 receiver health, 0x4F
//! UTC parameters and 0x55 I/O options; the Trimble driver (type 29)
//! reuses them and adds the timing superpackets ([`timing`]: 8F-0B,
//! 8F-AD, 8F-AB, 8F-AC) and TSIP version 1 ([`v1`]: the RES 720's A1-00).

use refclock_core::calendar::{GPS_EPOCH_UNIX, SECS_PER_WEEK};
use refclock_core::gps::EraWindow;
use refclock_core::Timestamp;

pub mod timing;
pub mod v1;

#[cfg(test)]
#[path = "tests.rs"]
mod tests;

/// Data link escape: opens and closes packets, doubled in their data.
pub const DLE: u8 = 0x10;
/// End of text: closes a packet after a DLE.
pub const ETX: u8 = 0x03;

/// Report 0x41: GPS time.
pub const ID_GPS_TIME: u8 = 0x41;
/// Report 0x46: receiver health.
pub const ID_HEALTH: u8 = 0x46;
/// Report 0x4F: UTC parameters.
pub const ID_UTC_PARAMS: u8 = 0x4F;
/// Report 0x55: I/O options.
pub const ID_IO_OPTIONS: u8 = 0x55;

/// Command 0x1F: request software versions.
pub const CMD_VERSION: u8 = 0x1F;
/// Command 0x21: request current time (answered by 0x41).
pub const CMD_TIME: u8 = 0x21;
/// Command 0x22: fix mode select.
pub const CMD_FIX_MODE: u8 = 0x22;
/// Command 0x28: request system message (answered by 0x48).
pub const CMD_MESSAGE: u8 = 0x28;
/// Command 0x2C: set/request operating parameters.
pub const CMD_OPER_PARAMS: u8 = 0x2C;
/// Command 0x2F: request UTC parameters (answered by 0x4F).
pub const CMD_UTC_PARAMS: u8 = 0x2F;
/// Command 0x35: set/request I/O options (answered by 0x55).
pub const CMD_IO_OPTIONS: u8 = 0x35;
/// Command 0x8E: superpacket commands.
pub const CMD_SUPER: u8 = 0x8E;

/// Why a report did not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TsipError {
    /// Fewer data bytes than the report's layout.
    #[error("report 0x{id:02X}: {found} data bytes, expected at least {expected}")]
    Short {
        /// The packet id.
        id: u8,
        /// Bytes needed.
        expected: usize,
        /// Bytes present.
        found: usize,
    },
    /// A SINGLE or DOUBLE is NaN or infinite (`fetch_ieee754` refuses
    /// them), or too large for the time arithmetic.
    #[error("report 0x{id:02X}: field {field} is not a usable number ({value})")]
    BadNumber {
        /// The packet id.
        id: u8,
        /// The field's name.
        field: &'static str,
        /// The value as read.
        value: String,
    },
    /// The packet is another report.
    #[error("packet 0x{found:02X} is not report 0x{expected:02X}")]
    WrongId {
        /// The id wanted.
        expected: u8,
        /// The id found.
        found: u8,
    },
}

/// One packet: its id and its data, stuffing undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet<'a> {
    /// The packet id.
    pub id: u8,
    /// The data after the id.
    pub data: &'a [u8],
}

impl<'a> Packet<'a> {
    /// A frame as [`DleFramer`](refclock_core::framing::DleFramer) hands
    /// it out (id then data); `None` for an empty one.
    pub fn from_frame(frame: &'a [u8]) -> Option<Packet<'a>> {
        let (&id, data) = frame.split_first()?;
        Some(Packet { id, data })
    }

    fn need(&self, id: u8, len: usize) -> Result<(), TsipError> {
        if self.id != id {
            return Err(TsipError::WrongId {
                expected: id,
                found: self.id,
            });
        }
        if self.data.len() < len {
            return Err(TsipError::Short {
                id,
                expected: len,
                found: self.data.len(),
            });
        }
        Ok(())
    }
}

/// The bytes of a packet on the line: DLE, id, data with every DLE
/// doubled, DLE, ETX.
pub fn encode(id: u8, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 6);
    out.push(DLE);
    for &b in std::iter::once(&id).chain(data) {
        if b == DLE {
            out.push(DLE);
        }
        out.push(b);
    }
    out.extend_from_slice(&[DLE, ETX]);
    out
}

/// A big-endian `INTEGER` at `at` (the caller checked the length).
pub fn get_i16(data: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([data[at], data[at + 1]])
}

/// A big-endian `SINGLE` at `at`.
pub fn get_f32(data: &[u8], at: usize) -> f32 {
    f32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

/// A big-endian `DOUBLE` at `at`.
pub fn get_f64(data: &[u8], at: usize) -> f64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[at..at + 8]);
    f64::from_be_bytes(b)
}

/// A `SINGLE` that `fetch_ieee754` accepts (finite, below 2^31 in
/// magnitude: it must fit ntpd's 32.32 fixed point).
fn usable(id: u8, field: &'static str, v: f32) -> Result<f64, TsipError> {
    let v = f64::from(v);
    if v.is_finite() && v.abs() < 2_147_483_648.0 {
        Ok(v)
    } else {
        Err(TsipError::BadNumber {
            id,
            field,
            value: format!("{v}"),
        })
    }
}

/// Report 0x41, GPS time: time of week (GPS time, s), the week number
/// (as sent: 10 bits on old receivers, full on newer ones) and GPS − UTC
/// (s).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GpsTime {
    /// GPS time of week, seconds; negative or zero while the receiver
    /// has no time.
    pub tow: f32,
    /// The week number as sent.
    pub week: i16,
    /// GPS − UTC, seconds (0 until the receiver has the UTC parameters).
    pub utc_offset: f32,
}

impl GpsTime {
    /// Data bytes of the report.
    pub const LEN: usize = 10;

    /// Decodes report 0x41.
    pub fn decode(p: &Packet<'_>) -> Result<GpsTime, TsipError> {
        p.need(ID_GPS_TIME, Self::LEN)?;
        Ok(GpsTime {
            tow: get_f32(p.data, 0),
            week: get_i16(p.data, 4),
            utc_offset: get_f32(p.data, 6),
        })
    }

    /// The report's data bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut d = Vec::with_capacity(Self::LEN);
        d.extend_from_slice(&self.tow.to_be_bytes());
        d.extend_from_slice(&self.week.to_be_bytes());
        d.extend_from_slice(&self.utc_offset.to_be_bytes());
        d
    }

    /// The UTC time it names, to the microsecond as libparse has it
    /// (`cvt_trimtsip`: time of week less the offset, on the week
    /// unfolded into `window` modulo 1024). Fails on a NaN, an infinity
    /// or a value too large.
    pub fn utc(&self, window: &EraWindow) -> Result<Timestamp, TsipError> {
        let tow = usable(ID_GPS_TIME, "time of week", self.tow)?;
        let offset = usable(ID_GPS_TIME, "UTC offset", self.utc_offset)?;
        let week = window.expand_week(u32::from(self.week as u16));
        // Both are binary fractions: the difference in f64 is exact.
        let secs = tow - offset;
        let whole = secs.floor();
        let micros = ((secs - whole) * 1e6).round() as i128;
        let unix = GPS_EPOCH_UNIX + i64::from(week) * SECS_PER_WEEK + whole as i64;
        Ok(Timestamp::from_nanos(
            i128::from(unix) * 1_000_000_000 + micros * 1000,
        ))
    }
}

/// Report 0x46, receiver health: the status code and the error bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Health {
    /// Status: 0x00 doing fixes, 0x01 no GPS time yet, 0x03 PDOP too
    /// high, 0x08 no usable satellites, 0x09..0x0B only 1..3 usable,
    /// 0x0C the chosen satellite is unusable.
    pub status: u8,
    /// Error bits (battery, antenna, …).
    pub errors: u8,
}

impl Health {
    /// Data bytes of the report.
    pub const LEN: usize = 2;

    /// Decodes report 0x46 (libparse reads only the status byte; one
    /// byte is enough for it).
    pub fn decode(p: &Packet<'_>) -> Result<Health, TsipError> {
        p.need(ID_HEALTH, 1)?;
        Ok(Health {
            status: p.data[0],
            errors: p.data.get(1).copied().unwrap_or(0),
        })
    }

    /// The report's data bytes.
    pub fn encode(&self) -> Vec<u8> {
        vec![self.status, self.errors]
    }
}

/// Report 0x4F, UTC parameters (the GPS navigation message's UTC page).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UtcParams {
    /// A0, seconds.
    pub a0: f64,
    /// A1, s/s.
    pub a1: f32,
    /// ΔtLS: GPS − UTC now, seconds.
    pub dtls: i16,
    /// t0t: reference time of the parameters, seconds of week (0 when
    /// the receiver has none).
    pub t0t: f32,
    /// WNt: reference week.
    pub wnt: i16,
    /// WNLSF: week of the leap second.
    pub wnlsf: i16,
    /// DN: day of that week (1 = Sunday) at whose end it happens.
    pub dn: i16,
    /// ΔtLSF: GPS − UTC after it.
    pub dtlsf: i16,
}

impl UtcParams {
    /// Data bytes of the report.
    pub const LEN: usize = 26;

    /// Decodes report 0x4F.
    pub fn decode(p: &Packet<'_>) -> Result<UtcParams, TsipError> {
        p.need(ID_UTC_PARAMS, Self::LEN)?;
        let d = p.data;
        Ok(UtcParams {
            a0: get_f64(d, 0),
            a1: get_f32(d, 8),
            dtls: get_i16(d, 12),
            t0t: get_f32(d, 14),
            wnt: get_i16(d, 18),
            wnlsf: get_i16(d, 20),
            dn: get_i16(d, 22),
            dtlsf: get_i16(d, 24),
        })
    }

    /// The report's data bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut d = Vec::with_capacity(Self::LEN);
        d.extend_from_slice(&self.a0.to_be_bytes());
        d.extend_from_slice(&self.a1.to_be_bytes());
        d.extend_from_slice(&self.dtls.to_be_bytes());
        d.extend_from_slice(&self.t0t.to_be_bytes());
        for v in [self.wnt, self.wnlsf, self.dn, self.dtlsf] {
            d.extend_from_slice(&v.to_be_bytes());
        }
        d
    }

    /// Whether the receiver has the parameters: libparse takes the
    /// integer part of t0t in its fixed point (`t0t.l_ui != 0`), so a t0t
    /// in [0, 1) means none. A NaN or infinite t0t fails.
    pub fn known(&self) -> Result<bool, TsipError> {
        let t0t = usable(ID_UTC_PARAMS, "t0t", self.t0t)?;
        Ok(t0t.floor() != 0.0)
    }
}

/// Report 0x55, I/O options: position, velocity, timing and auxiliary
/// bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoOptions(pub [u8; 4]);

impl IoOptions {
    /// Decodes report 0x55.
    pub fn decode(p: &Packet<'_>) -> Result<IoOptions, TsipError> {
        p.need(ID_IO_OPTIONS, 4)?;
        Ok(IoOptions([p.data[0], p.data[1], p.data[2], p.data[3]]))
    }
}
