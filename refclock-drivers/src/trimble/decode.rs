//! `TSIP_decode`: what one packet means to the driver in a given mode,
//! without state or I/O.

use refclock_core::calendar::{CivilTime, SECS_PER_DAY};
use refclock_core::gps::EraWindow;
use refclock_core::{Leap, Timestamp};

use super::receiver::Receiver;
use crate::tsip::timing::{
    subcode, Comprehensive, PrimaryTiming, PrimaryUtc, Supplemental, AB_NOT_SET, AB_NO_UTC,
    AB_USER_TIME, AB_UTC_TIME, AD_LEAP_PENDING, AD_UTC_AVAILABLE, SUB_COMPREHENSIVE,
    SUB_PRIMARY_TIMING, SUB_PRIMARY_UTC, SUB_SUPPLEMENTAL,
};
use crate::tsip::v1::{self, V1Packet};
use crate::tsip::{self, Packet};

/// A good time report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeReport {
    /// The UTC time it names.
    pub utc: Timestamp,
    /// The leap indicator it gives (`None`: from elsewhere).
    pub leap: Option<Leap>,
    /// An 8F-0B (used only while no 8F-AD comes).
    pub comprehensive: bool,
    /// An 8F-AB or an A1-00: the leap comes from 8F-AC.
    pub from_ab_or_v1: bool,
    /// The 8F-AD status byte, for an 8F-AD.
    pub ad_status: Option<u8>,
    /// A TSIPv1 packet.
    pub v1: bool,
}

/// What a packet means.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded {
    /// Nothing for this mode.
    Ignored,
    /// A TSIPv1 packet of no interest.
    V1,
    /// Wrong length, bad checksum, impossible date: counted.
    Malformed(String),
    /// The receiver says it has no usable time (counted while polled).
    NoTime(String),
    /// No GPS − UTC offset yet (ntpd counts it as a bad reply).
    NoUtcOffset(String),
    /// Receiver health (0x46): bad or not.
    Health {
        /// The error bits say the time is not to be trusted.
        bad: bool,
    },
    /// An 8F-AD that is not used for time (its status byte).
    LeapStatus(u8),
    /// An 8F-AC: whether it announces a leap second.
    Supplemental {
        /// Minor alarm "leap second pending".
        leap: bool,
    },
    /// A time.
    Time(TimeReport),
}

fn civil(
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
) -> Result<Timestamp, String> {
    CivilTime::new(i32::from(year), month, day, hour, minute, second)
        .to_timestamp()
        .map_err(|e| {
            format!("bad date {year}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}: {e}")
        })
}

/// GPS time less GPS − UTC.
fn shift(t: Timestamp, gps_utc: i16) -> Timestamp {
    Timestamp::from_nanos(t.as_nanos() - i128::from(gps_utc) * 1_000_000_000)
}

fn report(utc: Timestamp) -> TimeReport {
    TimeReport {
        utc,
        leap: None,
        comprehensive: false,
        from_ab_or_v1: false,
        ad_status: None,
        v1: false,
    }
}

/// Decodes one packet for `receiver`; `sync`: the 1 Hz packets are used
/// (`flag2` or a receiver without event input); `window`: where dates
/// and weeks are unfolded.
pub fn decode(receiver: Receiver, p: &Packet<'_>, sync: bool, window: &EraWindow) -> Decoded {
    if v1::is_v1(p.id) {
        return decode_v1(p, window);
    }
    if let Some(sub) = subcode(p) {
        return decode_super(sub, p, sync, window);
    }
    match p.id {
        0x41 | 0x46 | 0x54 | 0x4B | 0x6D if receiver.palisade_like() => Decoded::Ignored,
        tsip::ID_GPS_TIME if matches!(receiver, Receiver::Ace | Receiver::Copernicus) => {
            gps_time(p, window)
        }
        tsip::ID_HEALTH if receiver == Receiver::Acutime => match p.data.get(1) {
            Some(&e) => Decoded::Health { bad: e != 0 },
            None => Decoded::Malformed("0x46 shorter than 2 bytes".into()),
        },
        tsip::ID_HEALTH if receiver == Receiver::Copernicus => match p.data.get(1) {
            // Bits 0 and 6 are no errors.
            Some(&e) => Decoded::Health { bad: e & 0x3E != 0 },
            None => Decoded::Malformed("0x46 shorter than 2 bytes".into()),
        },
        _ => Decoded::Ignored,
    }
}

fn gps_time(p: &Packet<'_>, window: &EraWindow) -> Decoded {
    if p.data.len() != tsip::GpsTime::LEN {
        return Decoded::Malformed(format!("0x41 of {} bytes, not 10", p.data.len()));
    }
    let t = match tsip::GpsTime::decode(p) {
        Ok(t) => t,
        Err(e) => return Decoded::Malformed(e.to_string()),
    };
    if t.tow.is_nan() || t.tow < 0.0 {
        return Decoded::NoTime(format!("0x41: no GPS time yet (time of week {})", t.tow));
    }
    if t.tow >= 604_800.0 || !(-255.0..=255.0).contains(&t.utc_offset) {
        return Decoded::Malformed(format!(
            "0x41: time of week {} or UTC offset {} out of range",
            t.tow, t.utc_offset
        ));
    }
    if t.utc_offset as i32 == 0 {
        return Decoded::NoUtcOffset("0x41: UTC offset unknown".into());
    }
    match t.utc(window) {
        Ok(utc) => Decoded::Time(TimeReport {
            leap: Some(Leap::NoWarning),
            ..report(utc)
        }),
        Err(e) => Decoded::Malformed(e.to_string()),
    }
}

fn decode_super(sub: u8, p: &Packet<'_>, sync: bool, window: &EraWindow) -> Decoded {
    let event = match p.data.get(1..3) {
        Some(b) => u16::from_be_bytes([b[0], b[1]]),
        None => 0,
    };
    match sub {
        SUB_COMPREHENSIVE => {
            if !sync && event == 0 {
                return Decoded::Ignored;
            }
            let c = match Comprehensive::decode(p) {
                Ok(c) => c,
                Err(e) => return Decoded::Malformed(e.to_string()),
            };
            if c.utc_offset == 0 {
                return Decoded::NoUtcOffset("8F-0B: UTC offset unknown".into());
            }
            if !c.tow.is_finite() || c.tow < 0.0 || c.tow >= 604_800.0 {
                return Decoded::Malformed(format!("8F-0B: time of week {}", c.tow));
            }
            let whole = c.tow.floor();
            let nanos = ((c.tow - whole) * 1e9) as i64;
            let sod = whole as i64 % SECS_PER_DAY;
            let midnight = match civil(c.year, c.month, c.day, 0, 0, 0) {
                Ok(t) => t,
                Err(e) => return Decoded::Malformed(format!("8F-0B: {e}")),
            };
            let utc = Timestamp::from_nanos(
                midnight.as_nanos() + i128::from(sod) * 1_000_000_000 + i128::from(nanos),
            );
            Decoded::Time(TimeReport {
                comprehensive: true,
                leap: Some(Leap::NoWarning),
                ..report(window.fix(utc))
            })
        }
        SUB_PRIMARY_UTC => {
            let a = match PrimaryUtc::decode(p) {
                Ok(a) => a,
                Err(e) => return Decoded::Malformed(e.to_string()),
            };
            if !sync && event == 0 {
                return Decoded::LeapStatus(a.status);
            }
            if a.not_tracking() {
                return Decoded::NoTime(format!("8F-AD: not tracking (status {})", a.tracking));
            }
            if a.status & AD_UTC_AVAILABLE == 0 {
                return Decoded::NoTime(format!(
                    "8F-AD: UTC not available (status 0x{:02X})",
                    a.status
                ));
            }
            let t = match civil(a.year, a.month, a.day, a.hour, a.minute, a.second) {
                Ok(t) => t,
                Err(e) => return Decoded::Malformed(format!("8F-AD: {e}")),
            };
            if !a.fraction.is_finite() || !(0.0..1.0).contains(&a.fraction) {
                return Decoded::Malformed(format!("8F-AD: fraction {}", a.fraction));
            }
            let utc = window.fix(Timestamp::from_nanos(
                t.as_nanos() + (a.fraction * 1e9) as i128,
            ));
            let month = CivilTime::from_timestamp(utc).month;
            let leap = if a.status & AD_LEAP_PENDING != 0 && (month == 6 || month == 12) {
                Leap::AddSecond
            } else {
                Leap::NoWarning
            };
            Decoded::Time(TimeReport {
                leap: Some(leap),
                ad_status: Some(a.status),
                ..report(utc)
            })
        }
        SUB_PRIMARY_TIMING => {
            let a = match PrimaryTiming::decode(p) {
                Ok(a) => a,
                Err(e) => return Decoded::Malformed(e.to_string()),
            };
            if a.utc_offset == 0 {
                return Decoded::NoUtcOffset("8F-AB: UTC offset unknown".into());
            }
            if a.flags & (AB_NOT_SET | AB_NO_UTC | AB_USER_TIME) != 0 {
                return Decoded::NoTime(format!(
                    "8F-AB: time not usable (timing flags 0x{:02X})",
                    a.flags
                ));
            }
            let t = match civil(a.year, a.month, a.day, a.hour, a.minute, a.second) {
                Ok(t) => t,
                Err(e) => return Decoded::Malformed(format!("8F-AB: {e}")),
            };
            // The fields are GPS time unless the receiver was set to UTC.
            let utc = if a.flags & AB_UTC_TIME != 0 {
                t
            } else {
                shift(t, a.utc_offset)
            };
            Decoded::Time(TimeReport {
                from_ab_or_v1: true,
                ..report(window.fix(utc))
            })
        }
        SUB_SUPPLEMENTAL => match Supplemental::decode(p) {
            Ok(s) => Decoded::Supplemental {
                leap: s.leap_pending(),
            },
            Err(e) => Decoded::Malformed(e.to_string()),
        },
        _ => Decoded::Ignored,
    }
}

fn decode_v1(p: &Packet<'_>, window: &EraWindow) -> Decoded {
    let v = match V1Packet::decode(p) {
        Ok(v) => v,
        Err(e) => return Decoded::Malformed(e.to_string()),
    };
    if (v.id, v.sub, v.mode) != (v1::ID_TIMING, v1::SUB_TIMING, v1::MODE_RESPONSE) {
        return Decoded::V1;
    }
    let t = match v1::Timing::decode(&v) {
        Ok(t) => t,
        Err(e) => return Decoded::Malformed(e.to_string()),
    };
    let valid = v1::TIMING_UTC_VALID | v1::TIMING_TIME_VALID;
    if t.flags & valid != valid {
        return Decoded::NoTime(format!("A1-00: time not valid (flags 0x{:02X})", t.flags));
    }
    if t.time_base != v1::TIME_BASE_GPS {
        return Decoded::NoTime(format!(
            "A1-00: time base {} (only GPS, the default, is decoded)",
            t.time_base
        ));
    }
    let gps = match civil(t.year, t.month, t.day, t.hour, t.minute, t.second) {
        Ok(g) => g,
        Err(e) => return Decoded::Malformed(format!("A1-00: {e}")),
    };
    Decoded::Time(TimeReport {
        from_ab_or_v1: true,
        v1: true,
        ..report(window.fix(shift(gps, t.utc_offset)))
    })
}
