//! Building the reports a receiver sends (for the simulated device, the
//! fuzz targets and the tests).

use refclock_core::calendar::CivilTime;
use refclock_core::gps::GpsTime as GpsWeekTime;
use refclock_core::Timestamp;

use crate::tsip::timing::{
    Comprehensive, PrimaryTiming, PrimaryUtc, AB_NOT_SET, AB_NO_UTC, AB_UTC_PPS, AB_UTC_TIME,
    AD_LEAP_PENDING, AD_UTC_AVAILABLE,
};
use crate::tsip::{self, v1};

/// 8F-AD for a civil time (fraction in `nanos`).
pub fn primary_utc(t: &CivilTime, event: u16, valid: bool, leap: bool) -> PrimaryUtc {
    PrimaryUtc {
        event,
        fraction: f64::from(t.nanos) * 1e-9,
        hour: t.hour,
        minute: t.minute,
        second: t.second,
        day: t.day,
        month: t.month,
        year: t.year as u16,
        tracking: if valid { 0 } else { 3 },
        status: if !valid {
            0
        } else if leap {
            AD_UTC_AVAILABLE | AD_LEAP_PENDING
        } else {
            AD_UTC_AVAILABLE
        },
    }
}

/// 8F-0B for a civil time.
pub fn comprehensive(t: &CivilTime, event: u16, gps_utc: i32) -> Comprehensive {
    let days = refclock_core::calendar::days_from_civil(t.year, t.month, t.day);
    let dow = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday
    let sod = i64::from(t.hour) * 3600 + i64::from(t.minute) * 60 + i64::from(t.second);
    Comprehensive {
        event,
        tow: (dow * 86_400 + sod) as f64 + f64::from(t.nanos) * 1e-9,
        day: t.day,
        month: t.month,
        year: t.year as u16,
        receiver_mode: 7,
        utc_offset: gps_utc as i16,
    }
}

/// 8F-AB for the UTC second `named` (UTC fields, as the driver
/// configures the receiver; a leap second is not representable here).
pub fn primary_timing(named: Timestamp, gps_utc: i32, valid: bool) -> PrimaryTiming {
    let g = GpsWeekTime::from_utc(named, gps_utc);
    let t = CivilTime::from_timestamp(named);
    PrimaryTiming {
        tow: g.tow_secs(),
        week: g.week as u16,
        utc_offset: gps_utc as i16,
        flags: if valid {
            AB_UTC_TIME | AB_UTC_PPS
        } else {
            AB_UTC_TIME | AB_UTC_PPS | AB_NOT_SET | AB_NO_UTC
        },
        second: t.second,
        minute: t.minute,
        hour: t.hour,
        day: t.day,
        month: t.month,
        year: t.year as u16,
    }
}

/// A1-00 for the UTC second `named` (GPS time base, the RES 720's
/// default).
pub fn v1_timing(named: Timestamp, gps_utc: i32, valid: bool) -> v1::Timing {
    let g = GpsWeekTime::from_utc(named, gps_utc);
    let gps = CivilTime::from_timestamp(Timestamp::from_secs(named.secs() + i64::from(gps_utc)));
    v1::Timing {
        tow: g.tow_secs(),
        week: g.week as u16,
        hour: gps.hour,
        minute: gps.minute,
        second: gps.second,
        month: gps.month,
        day: gps.day,
        year: gps.year as u16,
        time_base: v1::TIME_BASE_GPS,
        pps_base: 0,
        flags: if valid {
            v1::TIMING_UTC_VALID | v1::TIMING_TIME_VALID
        } else {
            0
        },
        utc_offset: gps_utc as i16,
        qerr: 0.0,
    }
}

/// 0x41 for a UTC time with `gps_utc`.
pub fn gps_time(utc: Timestamp, gps_utc: i32, valid: bool) -> tsip::GpsTime {
    let g = GpsWeekTime::from_utc(utc, gps_utc);
    tsip::GpsTime {
        tow: if valid {
            (g.tow_nanos as f64 * 1e-9) as f32
        } else {
            -1.0
        },
        week: (g.week % 1024) as i16,
        utc_offset: gps_utc as f32,
    }
}
