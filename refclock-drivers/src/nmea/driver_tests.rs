//! Unit tests of the NMEA driver logic: start-up and sentence handling
//! here, dates and eras in `driver_tests_dates.rs`, polls, clockstats,
//! timers and PPS in `driver_tests_polls.rs`.

use std::path::PathBuf;

use super::*;
use crate::nmea::calgps::{DATE_HLIM, DATE_HOLD};
use crate::nmea::parse::checksum;
use crate::testkit::{self, Outcome};
use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::clock::ClockState;
use refclock_core::port::{DataBits, InputMode, Parity};
use refclock_core::{Clock, ClockId, Fudge, Refclock};

/// The driver in its clock, with the entry points the tests call.
struct D(Clock<NmeaDriver>);

impl D {
    fn new(config: DriverConfig) -> D {
        D(Clock::start(config).expect("starts"))
    }
    fn timer(&mut self, now: Timestamp) {
        Refclock::timer(&mut self.0, now);
    }
    fn poll(&mut self, now: Timestamp) {
        Refclock::poll(&mut self.0, now);
    }
    fn pps(&mut self, edge: PpsEdge) {
        Refclock::pps(&mut self.0, edge);
    }
    fn clock(&self) -> &ClockState {
        self.0.state()
    }
    fn ports(&self) -> &Ports {
        self.0.ports()
    }
    fn tally(&self) -> Tally {
        self.0.driver().tally()
    }
    fn totals(&self) -> Tally {
        self.0.driver().totals()
    }
    fn pps_in_control(&self) -> bool {
        self.0.driver().pps_in_control()
    }
    fn precision(&self) -> i8 {
        self.0.driver().precision()
    }
    fn date_hold(&self) -> (DateType, u16) {
        self.0.driver().date_hold()
    }
    fn gps_time(&self) -> bool {
        self.0.driver().gps_time()
    }
}

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

/// `$body*CS\r\n`.
fn sentence(body: &str) -> String {
    format!("${body}*{:02X}\r\n", checksum(body.as_bytes()))
}

struct Setup {
    mode: u32,
    flags: ClockFlags,
    time1: Option<f64>,
    time2: Option<f64>,
    basedate: Basedate,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            mode: 0,
            flags: ClockFlags::empty(),
            time1: None,
            time2: None,
            basedate: Basedate::from_ymd(2010, 1, 1).unwrap(),
        }
    }
}

impl Setup {
    fn build(self) -> D {
        D::new(DriverConfig {
            unit: 3,
            fudge: Fudge {
                time1: self.time1,
                time2: self.time2,
                flags: self.flags,
                mode: self.mode,
                ..Default::default()
            },
            basedate: self.basedate,
            ..Default::default()
        })
    }
}

fn feed(d: &mut D, data: &str, rec: Timestamp) -> Outcome {
    testkit::feed(&mut d.0, PortId::MAIN, data.as_bytes(), rec)
}

fn rmc(time: &str, status: char, date: &str) -> String {
    sentence(&format!(
        "GPRMC,{time},{status},5213.1439,N,02100.6511,E,000.0,226.0,{date},004.2,E,D"
    ))
}

fn gga(time: &str, quality: char) -> String {
    sentence(&format!(
        "GPGGA,{time},5213.1439,N,02100.6511,E,{quality},10,0.9,137.2,M,36.2,M,,"
    ))
}

fn zda(time: &str, date: &str) -> String {
    sentence(&format!("GPZDA,{time},{date},00,00"))
}

fn assert_tally_adds_up(t: Tally) {
    assert_eq!(
        t.total,
        t.accepted + t.rejected + t.malformed + t.filtered + t.unknown,
        "{t:?}"
    );
}

#[test]
fn info_and_startup() {
    assert_eq!(INFO.kind, 20);
    assert_eq!(INFO.ntpd_name, "GPS_NMEA");
    assert_eq!(INFO.name, "nmea");
    assert_eq!(INFO.refid, *b"GPS\0");
    assert_eq!(INFO.description, "NMEA GPS Clock");

    let d = Setup::default().build();
    assert_eq!(d.0.info().kind, 20);
    assert_eq!(d.0.id(), ClockId { kind: 20, unit: 3 });
    let main = |d: &D| match &d.ports().get(PortId::MAIN).unwrap().kind {
        PortKind::SerialOrTcpLink { path, config } => (path.clone(), config.unwrap()),
        other => panic!("{other:?}"),
    };
    let (path, serial) = main(&d);
    assert_eq!(path, PathBuf::from("/dev/gps3"));
    assert_eq!(serial.baud, 4800);
    assert_eq!(serial.data_bits, DataBits::Eight);
    assert_eq!(serial.parity, Parity::None);
    assert_eq!(serial.stop_bits, 1);
    assert_eq!(serial.input, InputMode::Canonical);
    assert_eq!(d.ports().pps, None);

    for (bits, baud) in [
        (0x00, 4800),
        (0x10, 9600),
        (0x20, 19_200),
        (0x30, 38_400),
        (0x40, 57_600),
        (0x50, 115_200),
        (0x60, 4800),
        (0x70, 4800),
    ] {
        let d = Setup {
            mode: bits | MODE_RMC,
            ..Default::default()
        }
        .build();
        assert_eq!(main(&d).1.baud, baud, "{bits:#x}");
    }

    let d = Setup {
        flags: ClockFlags::FLAG1 | ClockFlags::FLAG2 | ClockFlags::FLAG3,
        ..Default::default()
    }
    .build();
    let pps = d.ports().pps.clone().unwrap();
    assert_eq!(pps.path, Some(PathBuf::from("/dev/gpspps3")));
    assert_eq!(pps.fallback_port, Some(PortId::MAIN));
    assert_eq!(pps.edge, PpsEdgeKind::Clear);
    assert!(pps.hardpps);

    let d = D::new(DriverConfig {
        unit: 0,
        fudge: Fudge {
            flags: ClockFlags::FLAG1,
            ..Default::default()
        },
        device: Some("/dev/ttyUSB0".into()),
        pps_device: Some("/dev/pps1".into()),
        ..Default::default()
    });
    assert_eq!(main(&d).0, PathBuf::from("/dev/ttyUSB0"));
    let pps = d.ports().pps.clone().unwrap();
    assert_eq!(pps.path, Some(PathBuf::from("/dev/pps1")));
    assert_eq!(pps.edge, PpsEdgeKind::Assert);
    assert!(!pps.hardpps);
}

#[test]
fn offset_is_named_second_plus_time2_minus_receive_time() {
    let mut d = Setup {
        time2: Some(0.35),
        ..Default::default()
    }
    .build();
    let named = ts(2024, 3, 1, 12, 0, 7);
    let rec = Timestamp::new(named.secs(), 512_345_678);
    let a = feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    let s = a.samples;
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
    // Sample time: receive time − time2, exactly to the nanosecond.
    assert_eq!(s[0].time, Timestamp::new(named.secs(), 162_345_678));
    let expect = named.diff(rec) + 0.35;
    assert!(
        (s[0].offset - expect).abs() < 1e-9,
        "{} {}",
        s[0].offset,
        expect
    );
    assert!((s[0].offset - (-0.162_345_678)).abs() < 1e-9);
    assert_eq!(d.clock().lastref, Some(named));
    assert_eq!(
        d.clock().timecode(),
        rmc("120007", 'A', "010324").trim_end()
    );
    assert_eq!(d.tally().accepted, 1);
    assert_eq!(d.clock().fields.hour, 12);
    assert_eq!(d.clock().fields.day, 61);

    // Fractional seconds in the sentence are part of the reference time.
    let rec = Timestamp::new(named.secs() + 1, 900_000_000);
    let s = feed(&mut d, &rmc("120008.25", 'A', "010324"), rec).samples;
    assert!((s[0].offset - (0.25 - 0.9 + 0.35)).abs() < 1e-9);
}

#[test]
fn status_v_is_not_in_sync() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let a = feed(&mut d, &rmc("120007", 'V', "010324"), rec);
    assert!(a.samples.is_empty());
    assert_eq!(a.events, vec![ClockEvent::Prop]);
    assert_eq!(d.clock().leap, Leap::NotInSync);
    assert_eq!(d.tally().rejected, 1);
    // The rejected sentence is the last timecode.
    assert!(d.clock().timecode().starts_with("$GPRMC,120007,V"));

    // GGA with fix quality 0, GLL with V.
    let a = feed(&mut d, &gga("120008", '0'), rec + 1.0);
    assert!(a.samples.is_empty());
    let gll = sentence("GPGLL,5213.1439,N,02100.6511,E,120009,V,D");
    assert!(feed(&mut d, &gll, rec + 2.0).samples.is_empty());
    assert_eq!(d.tally().rejected, 3);

    // Status A again: a sample, leap no warning.
    let a = feed(&mut d, &rmc("120010", 'A', "010324"), rec + 3.0);
    assert_eq!(a.samples.len(), 1);
    assert_eq!(d.clock().leap, Leap::NoWarning);
}

#[test]
fn ignstatus_accepts_status_v() {
    let mut d = Setup {
        mode: MODE_IGNSTATUS,
        ..Default::default()
    }
    .build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let s = feed(&mut d, &rmc("120007", 'V', "010324"), rec).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
}

#[test]
fn invalid_and_missing_checksums() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let good = rmc("120007", 'A', "010324");
    let bad = good.replace("5213", "5214");
    let a = feed(&mut d, &bad, rec);
    assert_eq!(a.events, vec![ClockEvent::BadReply]);
    assert!(a.samples.is_empty());
    assert_eq!(d.clock().counters.badformat, 1);
    assert_eq!(d.totals().invalid, 1);
    assert_eq!(d.totals().total, 0);

    // RMC always needs a checksum.
    let plain = good.split('*').next().unwrap().to_string() + "\r\n";
    let a = feed(&mut d, &plain, rec);
    assert!(a.samples.is_empty());
    assert_eq!(d.clock().counters.badformat, 2);
    assert_eq!(d.tally().malformed, 1);

    // GGA may go without ...
    let gga_cs = gga("120008", '1');
    let gga_plain = gga_cs.split('*').next().unwrap().to_string() + "\r\n";
    assert_eq!(feed(&mut d, &gga_plain, rec + 1.0).samples.len(), 1);
    // ... until it has been seen with one.
    assert_eq!(
        feed(&mut d, &gga("120009", '1'), rec + 2.0).samples.len(),
        1
    );
    let gga_plain = gga("120010", '1').split('*').next().unwrap().to_string() + "\r\n";
    let a = feed(&mut d, &gga_plain, rec + 3.0);
    assert!(a.samples.is_empty());
    assert_eq!(d.tally().malformed, 2);
    assert_eq!(d.clock().counters.badformat, 3);
    assert_tally_adds_up(d.totals());
}

#[test]
fn garbage_truncated_and_overlong_lines() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    // Noise before the '$' is skipped, as ntpd's assembler does.
    let a = feed(
        &mut d,
        &format!("xx\x01{}", rmc("120007", 'A', "010324")),
        rec,
    );
    assert_eq!(a.samples.len(), 1);
    // A line without '$' is dropped; a cut sentence is bad format.
    let a = feed(&mut d, "garbage\r\n$GPRMC,1200\r\n", rec);
    assert!(a.samples.is_empty());
    assert_eq!(d.totals().dropped, 1);
    assert_eq!(d.totals().malformed, 1); // RMC without checksum
    let cut = &rmc("120008", 'A', "010324")[..40];
    let a = feed(&mut d, &format!("{cut}*7\r\n"), rec);
    assert!(a.samples.is_empty());
    assert_eq!(d.totals().invalid, 1);
    assert_eq!(d.clock().counters.badformat, 2);
    // Overlong: more than the buffer is dropped silently; 81 bytes with a
    // checksum is bad format.
    let long = format!("$GPTXT,{}\r\n", "y".repeat(200));
    assert_eq!(feed(&mut d, &long, rec), Outcome::default());
    assert_eq!(d.totals().dropped, 2);
    let over = sentence(&format!("GPGGA,120009,{}", "1".repeat(70)));
    feed(&mut d, &over, rec);
    assert_eq!(d.totals().invalid, 2);
    // Binary junk.
    let junk: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
    let _ = testkit::feed(&mut d.0, PortId::MAIN, &junk, rec);
    assert_tally_adds_up(d.totals());
}

#[test]
fn mode_selects_sentences() {
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let mut d = Setup {
        mode: MODE_GGA,
        ..Default::default()
    }
    .build();
    assert!(feed(&mut d, &rmc("120007", 'A', "010324"), rec)
        .samples
        .is_empty());
    assert_eq!(d.tally().filtered, 1);
    // GGA only: leap was never set by an RMC, GGA sets it itself.
    assert_eq!(
        feed(&mut d, &gga("120008", '1'), rec + 1.0).samples.len(),
        1
    );
    assert_eq!(d.tally().accepted, 1);

    // Mode bits for baud rate etc. do not select sentences.
    let mut d = Setup {
        mode: 0x50 | MODE_EXTLOG,
        ..Default::default()
    }
    .build();
    assert_eq!(
        feed(&mut d, &rmc("120007", 'A', "010324"), rec)
            .samples
            .len(),
        1
    );

    // ZDA bit: RMC, GGA filtered; ZDA taken once the leap is good.
    let mut d = Setup {
        mode: MODE_ZDA | MODE_IGNSTATUS,
        ..Default::default()
    }
    .build();
    feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    feed(&mut d, &gga("120007", '1'), rec);
    assert_eq!(d.tally().filtered, 2);
    let s = feed(&mut d, &zda("120008.00", "01,03,2024"), rec + 1.0).samples;
    assert_eq!(s.len(), 1);
    assert!((s[0].offset + 0.1).abs() < 1e-9);
}

#[test]
fn duplicates_are_filtered() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let burst = format!(
        "{}{}{}",
        rmc("120007", 'A', "010324"),
        gga("120007", '1'),
        zda("120007", "01,03,2024")
    );
    let a = feed(&mut d, &burst, rec);
    assert_eq!(a.samples.len(), 1);
    assert_eq!(d.tally().filtered, 2);
    assert_eq!(d.tally().accepted, 1);
    // The filtered ones did not replace the timecode.
    assert!(d.clock().timecode().starts_with("$GPRMC"));
    let a = feed(&mut d, &gga("120008", '1'), rec + 1.0);
    assert_eq!(a.samples.len(), 1);
}

#[test]
fn zda_keeps_the_leap_indicator_as_it_was() {
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let mut d = Setup::default().build();
    // The clock starts without a warning (ntpd's zeroed `pp->leap`).
    assert_eq!(d.clock().leap, Leap::NoWarning);
    let s = feed(&mut d, &zda("120007", "01,03,2024"), rec).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
    // A GGA without fix sets "not in sync", and ZDA keeps it.
    feed(&mut d, &gga("120008", '0'), rec + 1.0);
    let a = feed(&mut d, &zda("120009", "01,03,2024"), rec + 2.0);
    assert!(a.samples.is_empty());
    assert_eq!(d.tally().rejected, 2);
    assert_eq!(d.clock().status, ClockEvent::Prop);
    feed(&mut d, &gga("120010", '1'), rec + 3.0);
    let s = feed(&mut d, &zda("120011", "01,03,2024"), rec + 4.0).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
}

#[test]
fn second_60() {
    let mut d = Setup::default().build();
    let rec = ts(2016, 12, 31, 23, 59, 59) + 0.1;
    let s = feed(&mut d, &rmc("235959", 'A', "311216"), rec).samples;
    assert_eq!(d.clock().lastref, Some(ts(2016, 12, 31, 23, 59, 59)));
    assert!((s[0].offset + 0.1).abs() < 1e-9);
    // 23:59:60 is accepted and names the POSIX time of the next midnight.
    let s = feed(&mut d, &rmc("235960", 'A', "311216"), rec + 1.0).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(ts(2017, 1, 1, 0, 0, 0)));
    assert_eq!(d.clock().lastref.unwrap().secs(), 1_483_228_800);
    assert!((s[0].offset + 0.1).abs() < 1e-9);
    assert_eq!(s[0].leap, Leap::NoWarning);
    // A time-only sentence at the leap second, too.
    let mut d = Setup::default().build();
    feed(&mut d, &gga("235959", '1'), rec);
    let s = feed(&mut d, &gga("235960.5", '1'), rec + 1.0).samples;
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(ts(2017, 1, 1, 0, 0, 0) + 0.5));
}

#[path = "driver_tests_dates.rs"]
mod dates;
#[path = "driver_tests_polls.rs"]
mod polls;
