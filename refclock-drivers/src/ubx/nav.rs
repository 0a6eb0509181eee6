//! The NAV messages read: NAV-TIMEUTC, NAV-TIMELS, NAV-PVT and
//! NAV-TIMEGPS (see [`codec`](super::codec)).

use refclock_core::calendar::CivilTime;
use refclock_core::gps::GpsTime;
use refclock_core::Timestamp;

use super::codec::{i32_at, need, range, u16_at, u32_at, DecodeError};

/// NAV-TIMEUTC (0x01 0x21): the navigation epoch in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NavTimeUtc {
    /// GPS time of week of the epoch, ms.
    pub itow: u32,
    /// Time accuracy estimate, ns.
    pub tacc: u32,
    /// Fraction of the second, ns (−1e9..1e9).
    pub nano: i32,
    /// Year (UTC).
    pub year: u16,
    /// Month 1..12.
    pub month: u8,
    /// Day 1..31.
    pub day: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub min: u8,
    /// Second 0..60.
    pub sec: u8,
    /// Bit 0 valid TOW, 1 valid week, 2 valid UTC; bits 4-7 UTC standard.
    pub valid: u8,
}

/// NAV-TIMEUTC valid bit: UTC is valid (leap seconds known).
pub const UTC_VALID_UTC: u8 = 0x04;

/// A calendar time with a signed nanosecond fraction, or `None` when it
/// is not a date.
fn civil(
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nano: i32,
) -> Option<Timestamp> {
    let t = CivilTime {
        year: year.into(),
        month,
        day,
        hour,
        minute,
        second,
        nanos: 0,
    }
    .to_timestamp()
    .ok()?;
    Some(Timestamp::from_nanos(t.as_nanos() + i128::from(nano)))
}

impl NavTimeUtc {
    /// Payload length.
    pub const LEN: usize = 20;

    pub(super) fn decode(p: &[u8]) -> Result<NavTimeUtc, DecodeError> {
        need("NAV-TIMEUTC", p, Self::LEN)?;
        let t = NavTimeUtc {
            itow: u32_at(p, 0),
            tacc: u32_at(p, 4),
            nano: i32_at(p, 8),
            year: u16_at(p, 12),
            month: p[14],
            day: p[15],
            hour: p[16],
            min: p[17],
            sec: p[18],
            valid: p[19],
        };
        let n = t.nano;
        range(
            "NAV-TIMEUTC",
            "nano",
            n.into(),
            n.unsigned_abs() <= 1_000_000_000,
        )?;
        Ok(t)
    }

    pub(super) fn payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(Self::LEN);
        p.extend_from_slice(&self.itow.to_le_bytes());
        p.extend_from_slice(&self.tacc.to_le_bytes());
        p.extend_from_slice(&self.nano.to_le_bytes());
        p.extend_from_slice(&self.year.to_le_bytes());
        p.extend_from_slice(&[
            self.month, self.day, self.hour, self.min, self.sec, self.valid,
        ]);
        p
    }

    /// The UTC time, when the receiver says UTC is valid and the fields
    /// make a date.
    pub fn utc(&self) -> Option<Timestamp> {
        if self.valid & UTC_VALID_UTC == 0 {
            return None;
        }
        civil(
            self.year, self.month, self.day, self.hour, self.min, self.sec, self.nano,
        )
    }
}

/// NAV-TIMELS (0x01 0x26): the leap second information.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NavTimeLs {
    /// GPS time of week, ms.
    pub itow: u32,
    /// Message version (0).
    pub version: u8,
    /// Source of the current number of leap seconds.
    pub src_of_curr_ls: u8,
    /// Leap seconds since the GPS epoch (GPS − UTC).
    pub curr_ls: i8,
    /// Source of the change information.
    pub src_of_ls_change: u8,
    /// The coming (or last) change: −1, 0, +1.
    pub ls_change: i8,
    /// Seconds to the event (negative: since it), when valid.
    pub time_to_ls_event: i32,
    /// GPS week of the event.
    pub date_of_ls_gps_wn: u16,
    /// GPS day of week of the event (1..7, the day at whose end it is).
    pub date_of_ls_gps_dn: u16,
    /// Bit 0 `currLs` valid, bit 1 `timeToLsEvent` valid.
    pub valid: u8,
}

impl NavTimeLs {
    /// Payload length.
    pub const LEN: usize = 24;

    pub(super) fn decode(p: &[u8]) -> Result<NavTimeLs, DecodeError> {
        need("NAV-TIMELS", p, Self::LEN)?;
        let t = NavTimeLs {
            itow: u32_at(p, 0),
            version: p[4],
            src_of_curr_ls: p[8],
            curr_ls: p[9] as i8,
            src_of_ls_change: p[10],
            ls_change: p[11] as i8,
            time_to_ls_event: i32_at(p, 12),
            date_of_ls_gps_wn: u16_at(p, 16),
            date_of_ls_gps_dn: u16_at(p, 18),
            valid: p[23],
        };
        let c = t.ls_change;
        range("NAV-TIMELS", "lsChange", c.into(), (-1..=1).contains(&c))?;
        Ok(t)
    }

    pub(super) fn payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(Self::LEN);
        p.extend_from_slice(&self.itow.to_le_bytes());
        p.extend_from_slice(&[self.version, 0, 0, 0]);
        p.extend_from_slice(&[
            self.src_of_curr_ls,
            self.curr_ls as u8,
            self.src_of_ls_change,
            self.ls_change as u8,
        ]);
        p.extend_from_slice(&self.time_to_ls_event.to_le_bytes());
        p.extend_from_slice(&self.date_of_ls_gps_wn.to_le_bytes());
        p.extend_from_slice(&self.date_of_ls_gps_dn.to_le_bytes());
        p.extend_from_slice(&[0, 0, 0, self.valid]);
        p
    }

    /// GPS − UTC, when valid.
    pub fn gps_utc(&self) -> Option<i32> {
        (self.valid & 1 != 0).then_some(self.curr_ls.into())
    }
}

/// NAV-PVT (0x01 0x07): the navigation solution, with UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NavPvt {
    /// GPS time of week, ms.
    pub itow: u32,
    /// Year (UTC).
    pub year: u16,
    /// Month.
    pub month: u8,
    /// Day.
    pub day: u8,
    /// Hour.
    pub hour: u8,
    /// Minute.
    pub min: u8,
    /// Second 0..60.
    pub sec: u8,
    /// Bit 0 valid date, 1 valid time, 2 fully resolved (leap seconds
    /// known), 3 valid magnetic declination.
    pub valid: u8,
    /// Time accuracy estimate, ns.
    pub tacc: u32,
    /// Fraction of the second, ns.
    pub nano: i32,
    /// Fix type (0 none … 5 time only).
    pub fix_type: u8,
    /// Bit 0 gnssFixOK.
    pub flags: u8,
    /// The rest of the payload (flags2, numSV, position, velocity …),
    /// kept for the round trip (zeros past a u-blox 7's 84 bytes).
    pub rest: [u8; 70],
}

impl Default for NavPvt {
    fn default() -> NavPvt {
        NavPvt {
            itow: 0,
            year: 0,
            month: 0,
            day: 0,
            hour: 0,
            min: 0,
            sec: 0,
            valid: 0,
            tacc: 0,
            nano: 0,
            fix_type: 0,
            flags: 0,
            rest: [0; 70],
        }
    }
}

impl NavPvt {
    /// Payload length of u-blox 8 and later (u-blox 7 has 84).
    pub const LEN: usize = 92;
    /// The shortest payload read (u-blox 7).
    pub const MIN_LEN: usize = 84;

    pub(super) fn decode(p: &[u8]) -> Result<NavPvt, DecodeError> {
        need("NAV-PVT", p, Self::MIN_LEN)?;
        let mut rest = [0; 70];
        let n = p.len().min(Self::LEN) - 22;
        rest[..n].copy_from_slice(&p[22..22 + n]);
        let t = NavPvt {
            itow: u32_at(p, 0),
            year: u16_at(p, 4),
            month: p[6],
            day: p[7],
            hour: p[8],
            min: p[9],
            sec: p[10],
            valid: p[11],
            tacc: u32_at(p, 12),
            nano: i32_at(p, 16),
            fix_type: p[20],
            flags: p[21],
            rest,
        };
        let n = t.nano;
        range(
            "NAV-PVT",
            "nano",
            n.into(),
            n.unsigned_abs() <= 1_000_000_000,
        )?;
        Ok(t)
    }

    pub(super) fn payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(Self::LEN);
        p.extend_from_slice(&self.itow.to_le_bytes());
        p.extend_from_slice(&self.year.to_le_bytes());
        p.extend_from_slice(&[
            self.month, self.day, self.hour, self.min, self.sec, self.valid,
        ]);
        p.extend_from_slice(&self.tacc.to_le_bytes());
        p.extend_from_slice(&self.nano.to_le_bytes());
        p.extend_from_slice(&[self.fix_type, self.flags]);
        p.extend_from_slice(&self.rest);
        p
    }

    /// The UTC time, when date and time are valid and fully resolved.
    pub fn utc(&self) -> Option<Timestamp> {
        if self.valid & 0x07 != 0x07 {
            return None;
        }
        civil(
            self.year, self.month, self.day, self.hour, self.min, self.sec, self.nano,
        )
    }
}

/// NAV-TIMEGPS (0x01 0x20): the navigation epoch in GPS time, with the
/// leap seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct NavTimeGps {
    /// GPS time of week, ms.
    pub itow: u32,
    /// Fraction of the millisecond, ns (−500000..500000).
    pub ftow: i32,
    /// GPS week (full).
    pub week: i16,
    /// GPS − UTC, s.
    pub leap_s: i8,
    /// Bit 0 TOW valid, 1 week valid, 2 leap seconds valid.
    pub valid: u8,
    /// Time accuracy estimate, ns.
    pub tacc: u32,
}

impl NavTimeGps {
    /// Payload length.
    pub const LEN: usize = 16;

    pub(super) fn decode(p: &[u8]) -> Result<NavTimeGps, DecodeError> {
        need("NAV-TIMEGPS", p, Self::LEN)?;
        let t = NavTimeGps {
            itow: u32_at(p, 0),
            ftow: i32_at(p, 4),
            week: u16_at(p, 8) as i16,
            leap_s: p[10] as i8,
            valid: p[11],
            tacc: u32_at(p, 12),
        };
        range("NAV-TIMEGPS", "iTOW", t.itow.into(), t.itow < 604_800_000)?;
        let f = t.ftow;
        range(
            "NAV-TIMEGPS",
            "fTOW",
            f.into(),
            f.unsigned_abs() <= 1_000_000,
        )?;
        Ok(t)
    }

    pub(super) fn payload(&self) -> Vec<u8> {
        let mut p = Vec::with_capacity(Self::LEN);
        p.extend_from_slice(&self.itow.to_le_bytes());
        p.extend_from_slice(&self.ftow.to_le_bytes());
        p.extend_from_slice(&self.week.to_le_bytes());
        p.extend_from_slice(&[self.leap_s as u8, self.valid]);
        p.extend_from_slice(&self.tacc.to_le_bytes());
        p
    }

    /// GPS − UTC, when valid.
    pub fn gps_utc(&self) -> Option<i32> {
        (self.valid & 0x04 != 0).then_some(self.leap_s.into())
    }

    /// The UTC time, when time of week, week and leap seconds are valid.
    pub fn utc(&self) -> Option<Timestamp> {
        if self.valid & 0x07 != 0x07 || self.week < 0 {
            return None;
        }
        let t = GpsTime {
            week: self.week as u32,
            tow_nanos: i64::from(self.itow) * 1_000_000 + i64::from(self.ftow),
        };
        Some(t.to_utc(self.leap_s.into()))
    }
}
