//! The NMEA driver's dates at the calendar's boundaries, with the default
//! base date (this release's): two-digit years (RMC), four-digit years
//! (ZDA) and 10-bit GPS weeks (PGRMF) decode to the true time through at
//! least 2100 while the system clock is right, and a system clock that lags
//! (reset to 1970, or to a date before the build) is still corrected to the
//! true time within the base date's 1024 weeks. The C program is wrong by
//! 1024 weeks from 2046 on with these same inputs.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::gps::GpsTime;
use refclock_core::sim::gps_utc_offset;
use refclock_core::{Action, Clock, DriverConfig, PortId, Refclock, Sample, Timestamp};
use refclock_drivers::nmea::parse::checksum;
use refclock_drivers::nmea::NmeaDriver;

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn framed(body: &str) -> String {
    format!("${body}*{:02X}\r\n", checksum(body.as_bytes()))
}

/// RMC, ZDA and PGRMF naming `t` (PGRMF with a 10-bit week and
/// `gps_utc` leap seconds).
fn sentences(t: Timestamp, gps_utc: i32) -> [(&'static str, String); 3] {
    let c = CivilTime::from_timestamp(t);
    let hms = format!("{:02}{:02}{:02}", c.hour, c.minute, c.second);
    let ddmmyy = format!("{:02}{:02}{:02}", c.day, c.month, c.year % 100);
    let g = GpsTime::from_utc(t, gps_utc);
    [
        (
            "RMC",
            framed(&format!(
                "GPRMC,{hms}.00,A,5005.1234,N,01425.5678,E,0.00,0.00,{ddmmyy},,,A"
            )),
        ),
        (
            "ZDA",
            framed(&format!(
                "GPZDA,{hms}.00,{:02},{:02},{:04},00,00",
                c.day, c.month, c.year
            )),
        ),
        (
            "PGRMF",
            framed(&format!(
                "PGRMF,{},{},{ddmmyy},{hms},{gps_utc},5005.1234,N,01425.5678,E,A,2,0,0,1,1",
                g.week % 1024,
                g.tow_secs()
            )),
        ),
    ]
}

/// The one sample a fresh driver (default base date) makes of `line`
/// received at `rec`.
fn sample(line: &str, rec: Timestamp) -> Sample {
    let mut clock = Clock::<NmeaDriver>::start(DriverConfig {
        basedate: Basedate::default(),
        ..DriverConfig::default()
    })
    .unwrap();
    clock.receive(PortId::MAIN, line.as_bytes(), rec);
    let samples: Vec<Sample> = std::iter::from_fn(|| clock.next_action())
        .filter_map(|a| match a {
            Action::Sample(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(samples.len(), 1, "{line}");
    samples[0]
}

/// The reference time the driver took: receive time + offset.
fn reftime(s: &Sample) -> Timestamp {
    s.time + s.offset
}

#[test]
fn dates_stay_right_through_2100_with_a_right_system_clock() {
    let truths = [
        ts(2036, 2, 7, 6, 28, 16),    // NTP era 0 ends
        ts(2038, 1, 19, 3, 14, 8),    // 32-bit time_t ends
        ts(2038, 11, 20, 23, 59, 59), // GPS week 3071/3072 roll-over
        ts(2038, 11, 21, 0, 0, 0),
        ts(2045, 8, 20, 12, 0, 0), // the default base date's window ends
        ts(2050, 6, 15, 12, 0, 0),
        ts(2057, 12, 31, 23, 59, 59),
        ts(2058, 7, 7, 0, 0, 0), // GPS week 4096
        ts(2079, 12, 31, 23, 59, 59),
        ts(2080, 2, 29, 12, 0, 0),
        ts(2099, 12, 31, 23, 59, 59),
        ts(2100, 1, 1, 0, 0, 0),
        ts(2100, 3, 1, 0, 0, 0), // 2100 is no leap year
    ];
    for truth in truths {
        let rec = truth + 0.1;
        for (name, line) in sentences(truth, 18) {
            let s = sample(&line, rec);
            assert_eq!(reftime(&s), truth, "{name} at {truth:?}: {line}");
            assert!((s.offset + 0.1).abs() < 1e-9, "{name}: {}", s.offset);
        }
    }
}

#[test]
fn a_lagging_system_clock_is_corrected_within_the_base_window() {
    let truth = ts(2031, 6, 30, 12, 34, 56);
    for rec in [
        Timestamp::from_secs(1),   // an RTC reset to 1970
        ts(2020, 1, 1, 0, 0, 0),   // before the build
        ts(2026, 11, 20, 0, 0, 0), // just after the base date
    ] {
        for (name, line) in sentences(truth, gps_utc_offset(truth.secs())) {
            let s = sample(&line, rec);
            assert_eq!(reftime(&s), truth, "{name} received at {rec:?}");
            assert!(s.offset > 0.0, "the system clock is behind");
        }
    }
}

#[test]
fn receivers_with_the_week_roll_over_bug_are_corrected() {
    // A receiver 1024 weeks behind reports 2031 dates in 2050; with the
    // system clock right the 10-bit week and the two-digit year it gives
    // are unfolded to the true date.
    let truth = ts(2050, 6, 15, 12, 0, 0);
    let reported = Timestamp::from_secs(truth.secs() - 1024 * 7 * 86_400);
    let [rmc, _, pgrmf] = sentences(reported, 18);
    for (name, line) in [rmc, pgrmf] {
        let s = sample(&line, truth + 0.2);
        assert_eq!(reftime(&s), truth, "{name}");
    }
}
