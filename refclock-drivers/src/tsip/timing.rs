//! The timing superpackets (report 0x8F) the Trimble driver (type 29)
//! reads: 8F-0B comprehensive time and 8F-AD primary UTC time (Palisade,
//! Acutime, Praecis), 8F-AB primary timing and 8F-AC supplemental timing
//! (Thunderbolt, Resolution SMT). Layouts from Trimble's reference
//! manuals as ntpd's refclock_palisade.c (`TSIP_decode`) and gpsd's
//! driver_tsip.c read them; offsets below are into the data after the
//! 0x8F id, subcode first. Lengths are exact, as ntpd checks them.

use super::{get_f64, get_i16, Packet, TsipError};

/// Report 0x8F: superpackets (the subcode is the first data byte).
pub const ID_SUPER_REPORT: u8 = 0x8F;
/// 8F-0B: comprehensive time.
pub const SUB_COMPREHENSIVE: u8 = 0x0B;
/// 8F-AD: primary UTC time.
pub const SUB_PRIMARY_UTC: u8 = 0xAD;
/// 8F-AB: primary timing.
pub const SUB_PRIMARY_TIMING: u8 = 0xAB;
/// 8F-AC: supplemental timing.
pub const SUB_SUPPLEMENTAL: u8 = 0xAC;

fn get_u16(d: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([d[at], d[at + 1]])
}

fn get_u32(d: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([d[at], d[at + 1], d[at + 2], d[at + 3]])
}

/// Checks id 0x8F, the subcode and the exact length.
fn need_super(p: &Packet<'_>, sub: u8, len: usize) -> Result<(), TsipError> {
    if p.id != ID_SUPER_REPORT || p.data.first() != Some(&sub) {
        return Err(TsipError::WrongId {
            expected: ID_SUPER_REPORT,
            found: p.id,
        });
    }
    if p.data.len() != len {
        return Err(TsipError::Short {
            id: p.id,
            expected: len,
            found: p.data.len(),
        });
    }
    Ok(())
}

/// The subcode of a superpacket (`None` for another report or an empty
/// one).
pub fn subcode(p: &Packet<'_>) -> Option<u8> {
    (p.id == ID_SUPER_REPORT).then(|| p.data.first().copied())?
}

/// 8F-0B, comprehensive time (74 data bytes). Kept: what a time needs;
/// the rest (oscillator, position, satellites) is sent as zeros.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Comprehensive {
    /// Event count: 0 for the 1 Hz packet, else the event input's count.
    pub event: u16,
    /// UTC seconds of the week (with the fraction).
    pub tow: f64,
    /// Day of the month.
    pub day: u8,
    /// Month, 1..12.
    pub month: u8,
    /// Year.
    pub year: u16,
    /// Receiver operating mode.
    pub receiver_mode: u8,
    /// GPS − UTC, seconds (0: not known).
    pub utc_offset: i16,
}

impl Comprehensive {
    /// Data bytes, subcode included.
    pub const LEN: usize = 74;

    /// Decodes 8F-0B.
    pub fn decode(p: &Packet<'_>) -> Result<Comprehensive, TsipError> {
        need_super(p, SUB_COMPREHENSIVE, Self::LEN)?;
        let d = p.data;
        Ok(Comprehensive {
            event: get_u16(d, 1),
            tow: get_f64(d, 3),
            day: d[11],
            month: d[12],
            year: get_u16(d, 13),
            receiver_mode: d[15],
            utc_offset: get_i16(d, 16),
        })
    }

    /// The data bytes, subcode first.
    pub fn encode(&self) -> Vec<u8> {
        let mut d = vec![0u8; Self::LEN];
        d[0] = SUB_COMPREHENSIVE;
        d[1..3].copy_from_slice(&self.event.to_be_bytes());
        d[3..11].copy_from_slice(&self.tow.to_be_bytes());
        d[11] = self.day;
        d[12] = self.month;
        d[13..15].copy_from_slice(&self.year.to_be_bytes());
        d[15] = self.receiver_mode;
        d[16..18].copy_from_slice(&self.utc_offset.to_be_bytes());
        d
    }
}

/// 8F-AD status bit: UTC time available.
pub const AD_UTC_AVAILABLE: u8 = 0x01;
/// 8F-AD status bit: leap second pending (within 24 h).
pub const AD_LEAP_PENDING: u8 = 0x02;
/// 8F-AD status bit: GPS leap warning (the navigation message announces one).
pub const AD_LEAP_WARNING: u8 = 0x04;
/// 8F-AD status bit: leap second in progress.
pub const AD_LEAP_IN_PROGRESS: u8 = 0x08;

/// 8F-AD, primary UTC time (22 data bytes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrimaryUtc {
    /// Event count (0 for the 1 Hz packet).
    pub event: u16,
    /// Fraction of the second.
    pub fraction: f64,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second (60 in a leap second).
    pub second: u8,
    /// Day of the month.
    pub day: u8,
    /// Month.
    pub month: u8,
    /// Year.
    pub year: u16,
    /// Tracking status (0 doing fixes ... 2..7, 11, 12 not usable).
    pub tracking: u8,
    /// Status bits (`AD_*`).
    pub status: u8,
}

impl PrimaryUtc {
    /// Data bytes, subcode included.
    pub const LEN: usize = 22;

    /// Decodes 8F-AD.
    pub fn decode(p: &Packet<'_>) -> Result<PrimaryUtc, TsipError> {
        need_super(p, SUB_PRIMARY_UTC, Self::LEN)?;
        let d = p.data;
        Ok(PrimaryUtc {
            event: get_u16(d, 1),
            fraction: get_f64(d, 3),
            hour: d[11],
            minute: d[12],
            second: d[13],
            day: d[14],
            month: d[15],
            year: get_u16(d, 16),
            tracking: d[18],
            status: d[19],
        })
    }

    /// The data bytes, subcode first.
    pub fn encode(&self) -> Vec<u8> {
        let mut d = vec![0u8; Self::LEN];
        d[0] = SUB_PRIMARY_UTC;
        d[1..3].copy_from_slice(&self.event.to_be_bytes());
        d[3..11].copy_from_slice(&self.fraction.to_be_bytes());
        d[11] = self.hour;
        d[12] = self.minute;
        d[13] = self.second;
        d[14] = self.day;
        d[15] = self.month;
        d[16..18].copy_from_slice(&self.year.to_be_bytes());
        d[18] = self.tracking;
        d[19] = self.status;
        d
    }

    /// Whether the tracking status makes the time unusable (ntpd: 2..7,
    /// 11, 12).
    pub fn not_tracking(&self) -> bool {
        matches!(self.tracking, 2..=7 | 11 | 12)
    }
}

/// 8F-AB timing flag: the date fields are UTC (else GPS time).
pub const AB_UTC_TIME: u8 = 0x01;
/// 8F-AB timing flag: the PPS is aligned to UTC (else GPS).
pub const AB_UTC_PPS: u8 = 0x02;
/// 8F-AB timing flag: time is not set.
pub const AB_NOT_SET: u8 = 0x04;
/// 8F-AB timing flag: no UTC information.
pub const AB_NO_UTC: u8 = 0x08;
/// 8F-AB timing flag: time from the user (test mode), not the satellites.
pub const AB_USER_TIME: u8 = 0x10;

/// 8F-AB, primary timing (17 data bytes): sent just after the PPS it
/// names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrimaryTiming {
    /// GPS seconds of the week.
    pub tow: u32,
    /// GPS week (full on these receivers, folded on some).
    pub week: u16,
    /// GPS − UTC, seconds.
    pub utc_offset: i16,
    /// Timing flags (`AB_*`).
    pub flags: u8,
    /// Seconds.
    pub second: u8,
    /// Minutes.
    pub minute: u8,
    /// Hours.
    pub hour: u8,
    /// Day of the month.
    pub day: u8,
    /// Month.
    pub month: u8,
    /// Year.
    pub year: u16,
}

impl PrimaryTiming {
    /// Data bytes, subcode included.
    pub const LEN: usize = 17;

    /// Decodes 8F-AB.
    pub fn decode(p: &Packet<'_>) -> Result<PrimaryTiming, TsipError> {
        need_super(p, SUB_PRIMARY_TIMING, Self::LEN)?;
        let d = p.data;
        Ok(PrimaryTiming {
            tow: get_u32(d, 1),
            week: get_u16(d, 5),
            utc_offset: get_i16(d, 7),
            flags: d[9],
            second: d[10],
            minute: d[11],
            hour: d[12],
            day: d[13],
            month: d[14],
            year: get_u16(d, 15),
        })
    }

    /// The data bytes, subcode first.
    pub fn encode(&self) -> Vec<u8> {
        let mut d = vec![0u8; Self::LEN];
        d[0] = SUB_PRIMARY_TIMING;
        d[1..5].copy_from_slice(&self.tow.to_be_bytes());
        d[5..7].copy_from_slice(&self.week.to_be_bytes());
        d[7..9].copy_from_slice(&self.utc_offset.to_be_bytes());
        d[9] = self.flags;
        d[10] = self.second;
        d[11] = self.minute;
        d[12] = self.hour;
        d[13] = self.day;
        d[14] = self.month;
        d[15..17].copy_from_slice(&self.year.to_be_bytes());
        d
    }
}

/// 8F-AC minor alarm: leap second pending (bit 7, as ntpd, NTPsec and
/// the Thunderbolt and Resolution SMT manuals have it).
pub const AC_MINOR_LEAP_PENDING: u16 = 0x0080;

/// 8F-AC, supplemental timing (68 data bytes). Kept: modes, alarms and
/// decoding status; the rest is sent as zeros.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Supplemental {
    /// Receiver mode (7 = overdetermined clock).
    pub receiver_mode: u8,
    /// Disciplining mode.
    pub disciplining_mode: u8,
    /// Holdover duration, seconds.
    pub holdover: u32,
    /// Critical alarm bits.
    pub critical: u16,
    /// Minor alarm bits.
    pub minor: u16,
    /// GPS decoding status (0 doing fixes).
    pub decoding: u8,
}

impl Supplemental {
    /// Data bytes, subcode included.
    pub const LEN: usize = 68;

    /// Decodes 8F-AC.
    pub fn decode(p: &Packet<'_>) -> Result<Supplemental, TsipError> {
        need_super(p, SUB_SUPPLEMENTAL, Self::LEN)?;
        let d = p.data;
        Ok(Supplemental {
            receiver_mode: d[1],
            disciplining_mode: d[2],
            holdover: get_u32(d, 4),
            critical: get_u16(d, 8),
            minor: get_u16(d, 10),
            decoding: d[12],
        })
    }

    /// The data bytes, subcode first.
    pub fn encode(&self) -> Vec<u8> {
        let mut d = vec![0u8; Self::LEN];
        d[0] = SUB_SUPPLEMENTAL;
        d[1] = self.receiver_mode;
        d[2] = self.disciplining_mode;
        d[4..8].copy_from_slice(&self.holdover.to_be_bytes());
        d[8..10].copy_from_slice(&self.critical.to_be_bytes());
        d[10..12].copy_from_slice(&self.minor.to_be_bytes());
        d[12] = self.decoding;
        d
    }

    /// Whether the receiver announces a leap second.
    pub fn leap_pending(&self) -> bool {
        self.minor & AC_MINOR_LEAP_PENDING != 0
    }
}
