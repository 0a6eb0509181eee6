//! UBX messages <-> fields, both ways, no I/O: the few messages the
//! driver reads (time, leap second, acknowledgements, version) and the
//! configuration messages it writes.
//!
//! Layouts from u-blox's protocol specifications (u-blox 8 / M8
//! "Receiver Description including Protocol Specification", ZED-F9T
//! "Interface Description"); gpsd's `driver_ubx.c` decodes the same
//! fields. All numbers are little-endian.

use refclock_core::calendar::CivilTime;
use refclock_core::framing::{ubx_checksum, UbxMessage, UBX_SYNC};
use refclock_core::gps::GpsTime;
use refclock_core::Timestamp;

/// Class NAV.
pub const NAV: u8 = 0x01;
/// Class ACK.
pub const ACK: u8 = 0x05;
/// Class CFG.
pub const CFG: u8 = 0x06;
/// Class MON.
pub const MON: u8 = 0x0a;
/// Class TIM.
pub const TIM: u8 = 0x0d;

/// (class, id) of each message the driver knows.
pub const NAV_PVT: (u8, u8) = (NAV, 0x07);
/// NAV-TIMEGPS.
pub const NAV_TIMEGPS: (u8, u8) = (NAV, 0x20);
/// NAV-TIMEUTC.
pub const NAV_TIMEUTC: (u8, u8) = (NAV, 0x21);
/// NAV-TIMELS.
pub const NAV_TIMELS: (u8, u8) = (NAV, 0x26);
/// ACK-NAK.
pub const ACK_NAK: (u8, u8) = (ACK, 0x00);
/// ACK-ACK.
pub const ACK_ACK: (u8, u8) = (ACK, 0x01);
/// CFG-MSG (u-blox 8 and older; still taken by F9).
pub const CFG_MSG: (u8, u8) = (CFG, 0x01);
/// CFG-VALSET (protocol 23 and later: F9, M10).
pub const CFG_VALSET: (u8, u8) = (CFG, 0x8a);
/// MON-VER.
pub const MON_VER: (u8, u8) = (MON, 0x04);
/// TIM-TP.
pub const TIM_TP: (u8, u8) = (TIM, 0x01);
/// TIM-TM2.
pub const TIM_TM2: (u8, u8) = (TIM, 0x03);

/// Why a message does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The payload is shorter than the message's layout.
    #[error("{message}: payload of {found} bytes, expected {expected}")]
    Length {
        /// The message's name.
        message: &'static str,
        /// Bytes the layout needs (at least).
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// A field out of its range.
    #[error("{message}: {field} is {value}, out of range")]
    Range {
        /// The message's name.
        message: &'static str,
        /// The field.
        field: &'static str,
        /// Its value.
        value: i64,
    },
}

fn u16_at(p: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([p[i], p[i + 1]])
}
fn u32_at(p: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([p[i], p[i + 1], p[i + 2], p[i + 3]])
}
fn i32_at(p: &[u8], i: usize) -> i32 {
    u32_at(p, i) as i32
}

fn need(message: &'static str, p: &[u8], expected: usize) -> Result<(), DecodeError> {
    if p.len() < expected {
        return Err(DecodeError::Length {
            message,
            expected,
            found: p.len(),
        });
    }
    Ok(())
}

fn range(
    message: &'static str,
    field: &'static str,
    value: i64,
    ok: bool,
) -> Result<(), DecodeError> {
    if ok {
        Ok(())
    } else {
        Err(DecodeError::Range {
            message,
            field,
            value,
        })
    }
}

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

    fn decode(p: &[u8]) -> Result<TimTp, DecodeError> {
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

    fn payload(&self) -> Vec<u8> {
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

    fn decode(p: &[u8]) -> Result<TimTm2, DecodeError> {
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

    fn payload(&self) -> Vec<u8> {
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

    fn decode(p: &[u8]) -> Result<NavTimeUtc, DecodeError> {
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

    fn payload(&self) -> Vec<u8> {
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

    fn decode(p: &[u8]) -> Result<NavTimeLs, DecodeError> {
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

    fn payload(&self) -> Vec<u8> {
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

    fn decode(p: &[u8]) -> Result<NavPvt, DecodeError> {
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

    fn payload(&self) -> Vec<u8> {
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

    fn decode(p: &[u8]) -> Result<NavTimeGps, DecodeError> {
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

    fn payload(&self) -> Vec<u8> {
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

/// MON-VER (0x0A 0x04): software and hardware versions, and extensions
/// (`PROTVER=27.11`, `PROTVER 16.00`, `MOD=ZED-F9T`, …).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MonVer {
    /// Software version.
    pub sw: String,
    /// Hardware version.
    pub hw: String,
    /// The extension strings.
    pub extensions: Vec<String>,
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

fn fixed(s: &str, n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = s.bytes().take(n - 1).collect();
    v.resize(n, 0);
    v
}

impl MonVer {
    fn decode(p: &[u8]) -> Result<MonVer, DecodeError> {
        need("MON-VER", p, 40)?;
        Ok(MonVer {
            sw: cstr(&p[..30]),
            hw: cstr(&p[30..40]),
            extensions: p[40..].chunks_exact(30).map(cstr).collect(),
        })
    }

    fn payload(&self) -> Vec<u8> {
        let mut p = fixed(&self.sw, 30);
        p.extend(fixed(&self.hw, 10));
        for e in &self.extensions {
            p.extend(fixed(e, 30));
        }
        p
    }

    /// The protocol version × 100 from a `PROTVER` extension (`27.11` →
    /// 2711), if any.
    pub fn protocol_version(&self) -> Option<u32> {
        self.extensions.iter().find_map(|e| {
            let v = e.strip_prefix("PROTVER")?.trim_start_matches([' ', '=']);
            let (whole, frac) = v.trim().split_once('.').unwrap_or((v.trim(), "0"));
            let frac: String = frac.chars().take(2).collect();
            Some(whole.parse::<u32>().ok()? * 100 + format!("{frac:0<2}").parse::<u32>().ok()?)
        })
    }
}

/// A decoded message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// TIM-TP.
    TimTp(TimTp),
    /// TIM-TM2.
    TimTm2(TimTm2),
    /// NAV-TIMEUTC.
    NavTimeUtc(NavTimeUtc),
    /// NAV-TIMELS.
    NavTimeLs(NavTimeLs),
    /// NAV-PVT.
    NavPvt(NavPvt),
    /// NAV-TIMEGPS.
    NavTimeGps(NavTimeGps),
    /// ACK-ACK (`true`) or ACK-NAK of the message (class, id).
    Ack(bool, u8, u8),
    /// MON-VER.
    MonVer(MonVer),
    /// Any other message (class, id), not read.
    Other(u8, u8),
}

impl Message {
    /// Decodes the payload of message (class, id).
    pub fn decode(class: u8, id: u8, p: &[u8]) -> Result<Message, DecodeError> {
        Ok(match (class, id) {
            TIM_TP => Message::TimTp(TimTp::decode(p)?),
            TIM_TM2 => Message::TimTm2(TimTm2::decode(p)?),
            NAV_TIMEUTC => Message::NavTimeUtc(NavTimeUtc::decode(p)?),
            NAV_TIMELS => Message::NavTimeLs(NavTimeLs::decode(p)?),
            NAV_PVT => Message::NavPvt(NavPvt::decode(p)?),
            NAV_TIMEGPS => Message::NavTimeGps(NavTimeGps::decode(p)?),
            (ACK, 0 | 1) => {
                need(if id == 1 { "ACK-ACK" } else { "ACK-NAK" }, p, 2)?;
                Message::Ack(id == 1, p[0], p[1])
            }
            MON_VER => Message::MonVer(MonVer::decode(p)?),
            _ => Message::Other(class, id),
        })
    }

    /// Decodes a whole framed message (checksum not checked).
    pub fn from_frame(m: &UbxMessage<'_>) -> Result<Message, DecodeError> {
        Message::decode(m.class(), m.id(), m.payload())
    }

    /// (class, id) and payload, as a device sends it.
    pub fn parts(&self) -> ((u8, u8), Vec<u8>) {
        match self {
            Message::TimTp(t) => (TIM_TP, t.payload()),
            Message::TimTm2(t) => (TIM_TM2, t.payload()),
            Message::NavTimeUtc(t) => (NAV_TIMEUTC, t.payload()),
            Message::NavTimeLs(t) => (NAV_TIMELS, t.payload()),
            Message::NavPvt(t) => (NAV_PVT, t.payload()),
            Message::NavTimeGps(t) => (NAV_TIMEGPS, t.payload()),
            Message::Ack(ack, c, i) => ((ACK, u8::from(*ack)), vec![*c, *i]),
            Message::MonVer(v) => (MON_VER, v.payload()),
            Message::Other(c, i) => ((*c, *i), Vec::new()),
        }
    }

    /// The whole message: sync, header, payload, checksum.
    pub fn encode(&self) -> Vec<u8> {
        let ((class, id), p) = self.parts();
        frame(class, id, &p)
    }

    /// Its name (`TIM-TP`).
    pub fn name(&self) -> &'static str {
        match self {
            Message::TimTp(_) => "TIM-TP",
            Message::TimTm2(_) => "TIM-TM2",
            Message::NavTimeUtc(_) => "NAV-TIMEUTC",
            Message::NavTimeLs(_) => "NAV-TIMELS",
            Message::NavPvt(_) => "NAV-PVT",
            Message::NavTimeGps(_) => "NAV-TIMEGPS",
            Message::Ack(true, ..) => "ACK-ACK",
            Message::Ack(false, ..) => "ACK-NAK",
            Message::MonVer(_) => "MON-VER",
            Message::Other(..) => "other",
        }
    }
}

/// A UBX message of class `class`, id `id` and `payload`, framed.
pub fn frame(class: u8, id: u8, payload: &[u8]) -> Vec<u8> {
    let mut m = UBX_SYNC.to_vec();
    m.extend_from_slice(&[class, id]);
    m.extend_from_slice(&(payload.len() as u16).to_le_bytes());
    m.extend_from_slice(payload);
    let ck = ubx_checksum(&m[2..]);
    m.extend_from_slice(&ck);
    m
}

/// The messages the driver enables (class, id), in the order it asks.
pub const ENABLED: [(u8, u8); 3] = [TIM_TP, NAV_TIMEUTC, NAV_TIMELS];

/// CFG-MSG setting the rate of (class, id) on the port it is sent on to
/// once per navigation epoch.
pub fn cfg_msg(msg: (u8, u8)) -> Vec<u8> {
    frame(CFG_MSG.0, CFG_MSG.1, &[msg.0, msg.1, 1])
}

/// CFG-VALSET keys (F9 and later) of the output rate of each message of
/// [`ENABLED`] on UART1 and on USB (a key for an interface the receiver
/// lacks is refused as a whole, so that the two go in two messages).
pub const VALSET_KEYS: [[u32; 3]; 2] = [
    // CFG-MSGOUT-UBX_TIM_TP_UART1, _NAV_TIMEUTC_UART1, _NAV_TIMELS_UART1
    [0x2091_017e, 0x2091_005c, 0x2091_0061],
    // the same on USB
    [0x2091_0180, 0x2091_005e, 0x2091_0063],
];

/// CFG-VALSET writing rate 1 for `keys` in the RAM layer only (nothing
/// is saved: the receiver's stored configuration is left as it was).
pub fn cfg_valset(keys: &[u32]) -> Vec<u8> {
    let mut p = vec![0x00, 0x01, 0x00, 0x00];
    for k in keys {
        p.extend_from_slice(&k.to_le_bytes());
        p.push(1);
    }
    frame(CFG_VALSET.0, CFG_VALSET.1, &p)
}

/// The keys and values of a CFG-VALSET payload (U1 values only: the
/// MSGOUT keys), `None` when it is not one.
pub fn valset_items(payload: &[u8]) -> Option<Vec<(u32, u8)>> {
    let items = payload.get(4..)?;
    if items.len() % 5 != 0 {
        return None;
    }
    Some(
        items
            .chunks_exact(5)
            .map(|c| (u32_at(c, 0), c[4]))
            .collect(),
    )
}

/// The MON-VER poll (an empty MON-VER).
pub fn mon_ver_poll() -> Vec<u8> {
    frame(MON_VER.0, MON_VER.1, &[])
}
