//! The TIM messages read: TIM-TP and TIM-TM2 (see [`codec`](super::codec)).

use refclock_core::gps::GpsTime;
use refclock_core::Timestamp;

use super::codec::{i32_at, need, range, u16_at, u32_at, DecodeError};

/// TIM-TP (0x0D 0x01): the time of the NEXT pulse on the TIMEPULSE pin,
/// and the quantisation error that pulse will have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TimTp {
    /// Time of week of the pulse, ms, in the time base of `flags`.
    pub tow_ms: u32,
    /// Sub-millisecond part, 2^-32 ms.
    pub tow_sub_ms: u32,
    /// Quantisation error of the pulse, ps (see [`TimTp::qerr_secs`]).
    pub qerr_ps: i32,
    /// Week of the pulse in the time base (full week number).
    pub week: u16,
    /// Bit 0 time base UTC (else GNSS), bit 1 UTC available, bits 2-3
    /// RAIM, bit 4 qErr invalid (protocol 27+).
    pub flags: u8,
    /// Bits 0-3 the GNSS of a GNSS time base (0 GPS), bits 4-7 the UTC
    /// standard.
    pub ref_info: u8,
}

/// TIM-TP flags bit: the time base is UTC (else GNSS time).
pub const TP_UTC_BASE: u8 = 0x01;
/// TIM-TP flags bit: UTC is available.
pub const TP_UTC_AVAILABLE: u8 = 0x02;
/// TIM-TP flags bit: qErr is not valid.
pub const TP_QERR_INVALID: u8 = 0x10;

impl TimTp {
    /// Payload length.
    pub const LEN: usize = 16;

    pub(super) fn decode(p: &[u8]) -> Result<TimTp, DecodeError> {
        need("TIM-TP", p, Self::LEN)?;
        let t = TimTp {
            tow_ms: u32_at(p, 0),
            tow_sub_ms: u32_at(p, 4),
            qerr_ps: i32_at(p, 8),
            week: u16_at(p, 12),
            flags: p[14],
            ref_info: p[15],
        };
        range("TIM-TP", "towMS", t.tow_ms.into(), t.tow_ms < 604_800_000)?;
        Ok(t)
    }

    pub(super) fn payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(Self::LEN);
        p.extend_from_slice(&self.tow_ms.to_le_bytes());
        p.extend_from_slice(&self.tow_sub_ms.to_le_bytes());
        p.extend_from_slice(&self.qerr_ps.to_le_bytes());
        p.extend_from_slice(&self.week.to_le_bytes());
        p.extend_from_slice(&[self.flags, self.ref_info]);
        p
    }

    /// Nanoseconds into the week (the sub-millisecond part rounded).
    pub fn tow_nanos(&self) -> i64 {
        let sub = (u64::from(self.tow_sub_ms) * 1_000_000 + (1 << 31)) >> 32;
        i64::from(self.tow_ms) * 1_000_000 + sub as i64
    }

    /// The UTC time of the pulse: in a UTC time base directly (when UTC
    /// is available), in GPS time with `gps_utc` (GPS − UTC) when known.
    /// `None` for another GNSS's time base, for UTC not available, or for
    /// GPS time without the leap seconds.
    pub fn pulse_utc(&self, gps_utc: Option<i32>) -> Option<Timestamp> {
        let t = GpsTime {
            week: self.week.into(),
            tow_nanos: self.tow_nanos(),
        };
        if self.flags & TP_UTC_BASE != 0 {
            (self.flags & TP_UTC_AVAILABLE != 0).then(|| t.to_utc(0))
        } else if self.ref_info & 0x0f == 0 {
            gps_utc.map(|l| t.to_utc(l))
        } else {
            None
        }
    }

    /// The correction to add to the time at which the pulse was seen to
    /// get the time of the instant it should have marked, in seconds
    /// (`None` when the receiver says qErr is invalid). See the module
    /// documentation: qErr = intended − actual.
    pub fn qerr_secs(&self) -> Option<f64> {
        (self.flags & TP_QERR_INVALID == 0).then(|| f64::from(self.qerr_ps) * 1e-12)
    }
}

/// TIM-TM2 (0x0D 0x03): the time of an edge on the EXTINT input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TimTm2 {
    /// Channel (EXTINT0, 1).
    pub ch: u8,
    /// Bit 0 mode, 1 run, 2 new falling edge, 3-4 time base (0 receiver,
    /// 1 GNSS, 2 UTC), 5 UTC available, 6 time valid, 7 new rising edge.
    pub flags: u8,
    /// Edge counter.
    pub count: u16,
    /// Week of the last rising edge.
    pub wn_r: u16,
    /// Week of the last falling edge.
    pub wn_f: u16,
    /// Time of week of the rising edge, ms.
    pub tow_ms_r: u32,
    /// Its sub-millisecond part, ns.
    pub tow_sub_ms_r: u32,
    /// Time of week of the falling edge, ms.
    pub tow_ms_f: u32,
    /// Its sub-millisecond part, ns.
    pub tow_sub_ms_f: u32,
    /// Accuracy estimate, ns.
    pub acc_est: u32,
}

impl TimTm2 {
    /// Payload length.
    pub const LEN: usize = 28;

    pub(super) fn decode(p: &[u8]) -> Result<TimTm2, DecodeError> {
        need("TIM-TM2", p, Self::LEN)?;
        let t = TimTm2 {
            ch: p[0],
            flags: p[1],
            count: u16_at(p, 2),
            wn_r: u16_at(p, 4),
            wn_f: u16_at(p, 6),
            tow_ms_r: u32_at(p, 8),
            tow_sub_ms_r: u32_at(p, 12),
            tow_ms_f: u32_at(p, 16),
            tow_sub_ms_f: u32_at(p, 20),
            acc_est: u32_at(p, 24),
        };
        range(
            "TIM-TM2",
            "towMsR",
            t.tow_ms_r.into(),
            t.tow_ms_r < 604_800_000,
        )?;
        range(
            "TIM-TM2",
            "towSubMsR",
            t.tow_sub_ms_r.into(),
            t.tow_sub_ms_r < 1_000_000,
        )?;
        Ok(t)
    }

    pub(super) fn payload(&self) -> Vec<u8> {
        let mut p = vec![self.ch, self.flags];
        p.extend_from_slice(&self.count.to_le_bytes());
        p.extend_from_slice(&self.wn_r.to_le_bytes());
        p.extend_from_slice(&self.wn_f.to_le_bytes());
        for v in [
            self.tow_ms_r,
            self.tow_sub_ms_r,
            self.tow_ms_f,
            self.tow_sub_ms_f,
            self.acc_est,
        ] {
            p.extend_from_slice(&v.to_le_bytes());
        }
        p
    }

    /// The UTC time of the last rising edge, when it is new, the time
    /// valid, and its base UTC (with UTC available) or GPS (with
    /// `gps_utc` known).
    pub fn rising_utc(&self, gps_utc: Option<i32>) -> Option<Timestamp> {
        if self.flags & 0xc0 != 0xc0 {
            return None;
        }
        let t = GpsTime {
            week: self.wn_r.into(),
            tow_nanos: i64::from(self.tow_ms_r) * 1_000_000 + i64::from(self.tow_sub_ms_r),
        };
        match (self.flags >> 3) & 3 {
            2 if self.flags & 0x20 != 0 => Some(t.to_utc(0)),
            1 => gps_utc.map(|l| t.to_utc(l)),
            _ => None,
        }
    }
}
