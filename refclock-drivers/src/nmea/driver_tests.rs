//! Unit tests of the NMEA driver logic.

use std::path::PathBuf;

use super::*;
use crate::nmea::calgps::{DATE_HLIM, DATE_HOLD};
use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::clock::ClockState;
use refclock_core::port::{DataBits, InputMode, Parity};
use refclock_core::{Action, Clock, ClockId, Fudge, Refclock, Sample};

/// The driver in its clock, with the entry points the tests call.
struct D(Clock<NmeaDriver>);

impl D {
    fn new(config: DriverConfig) -> D {
        D(Clock::start(config).expect("starts"))
    }
    fn receive(&mut self, data: &[u8], rec: Timestamp) {
        self.0.receive(PortId::MAIN, data, rec);
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
    fn next_action(&mut self) -> Option<Action> {
        self.0.next_action()
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
    let cs = crate::nmea::parse::checksum(body.as_bytes());
    format!("${body}*{cs:02X}\r\n")
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

fn drain(d: &mut D) -> Vec<Action> {
    std::iter::from_fn(|| d.next_action()).collect()
}

fn feed(d: &mut D, data: &str, rec: Timestamp) -> Vec<Action> {
    d.receive(data.as_bytes(), rec);
    drain(d)
}

fn samples(actions: &[Action]) -> Vec<Sample> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Sample(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn events(actions: &[Action]) -> Vec<ClockEvent> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Event(e) => Some(*e),
            _ => None,
        })
        .collect()
}

fn stats(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ClockStats(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
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
    let s = samples(&a);
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
    let s = samples(&feed(&mut d, &rmc("120008.25", 'A', "010324"), rec));
    assert!((s[0].offset - (0.25 - 0.9 + 0.35)).abs() < 1e-9);
}

#[test]
fn status_v_is_not_in_sync() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let a = feed(&mut d, &rmc("120007", 'V', "010324"), rec);
    assert!(samples(&a).is_empty());
    assert_eq!(events(&a), vec![ClockEvent::Prop]);
    assert_eq!(d.clock().leap, Leap::NotInSync);
    assert_eq!(d.tally().rejected, 1);
    // The rejected sentence is the last timecode.
    assert!(d.clock().timecode().starts_with("$GPRMC,120007,V"));

    // GGA with fix quality 0, GLL with V.
    let a = feed(&mut d, &gga("120008", '0'), rec + 1.0);
    assert!(samples(&a).is_empty());
    let gll = sentence("GPGLL,5213.1439,N,02100.6511,E,120009,V,D");
    assert!(samples(&feed(&mut d, &gll, rec + 2.0)).is_empty());
    assert_eq!(d.tally().rejected, 3);

    // Status A again: a sample, leap no warning.
    let a = feed(&mut d, &rmc("120010", 'A', "010324"), rec + 3.0);
    assert_eq!(samples(&a).len(), 1);
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
    let s = samples(&feed(&mut d, &rmc("120007", 'V', "010324"), rec));
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
    assert_eq!(events(&a), vec![ClockEvent::BadReply]);
    assert!(samples(&a).is_empty());
    assert_eq!(d.clock().counters.badformat, 1);
    assert_eq!(d.totals().invalid, 1);
    assert_eq!(d.totals().total, 0);

    // RMC always needs a checksum.
    let plain = good.split('*').next().unwrap().to_string() + "\r\n";
    let a = feed(&mut d, &plain, rec);
    assert!(samples(&a).is_empty());
    assert_eq!(d.clock().counters.badformat, 2);
    assert_eq!(d.tally().malformed, 1);

    // GGA may go without ...
    let gga_cs = gga("120008", '1');
    let gga_plain = gga_cs.split('*').next().unwrap().to_string() + "\r\n";
    assert_eq!(samples(&feed(&mut d, &gga_plain, rec + 1.0)).len(), 1);
    // ... until it has been seen with one.
    assert_eq!(
        samples(&feed(&mut d, &gga("120009", '1'), rec + 2.0)).len(),
        1
    );
    let gga_plain = gga("120010", '1').split('*').next().unwrap().to_string() + "\r\n";
    let a = feed(&mut d, &gga_plain, rec + 3.0);
    assert!(samples(&a).is_empty());
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
    assert_eq!(samples(&a).len(), 1);
    // A line without '$' is dropped; a cut sentence is bad format.
    let a = feed(&mut d, "garbage\r\n$GPRMC,1200\r\n", rec);
    assert!(samples(&a).is_empty());
    assert_eq!(d.totals().dropped, 1);
    assert_eq!(d.totals().malformed, 1); // RMC without checksum
    let cut = &rmc("120008", 'A', "010324")[..40];
    let a = feed(&mut d, &format!("{cut}*7\r\n"), rec);
    assert!(samples(&a).is_empty());
    assert_eq!(d.totals().invalid, 1);
    assert_eq!(d.clock().counters.badformat, 2);
    // Overlong: more than the buffer is dropped silently; 81 bytes with a
    // checksum is bad format.
    let long = format!("$GPTXT,{}\r\n", "y".repeat(200));
    assert!(feed(&mut d, &long, rec).is_empty());
    assert_eq!(d.totals().dropped, 2);
    let over = sentence(&format!("GPGGA,120009,{}", "1".repeat(70)));
    feed(&mut d, &over, rec);
    assert_eq!(d.totals().invalid, 2);
    // Binary junk.
    let junk: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
    d.receive(&junk, rec);
    drain(&mut d);
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
    assert!(samples(&feed(&mut d, &rmc("120007", 'A', "010324"), rec)).is_empty());
    assert_eq!(d.tally().filtered, 1);
    // GGA only: leap was never set by an RMC, GGA sets it itself.
    assert_eq!(
        samples(&feed(&mut d, &gga("120008", '1'), rec + 1.0)).len(),
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
        samples(&feed(&mut d, &rmc("120007", 'A', "010324"), rec)).len(),
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
    let s = samples(&feed(&mut d, &zda("120008.00", "01,03,2024"), rec + 1.0));
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
    assert_eq!(samples(&a).len(), 1);
    assert_eq!(d.tally().filtered, 2);
    assert_eq!(d.tally().accepted, 1);
    // The filtered ones did not replace the timecode.
    assert!(d.clock().timecode().starts_with("$GPRMC"));
    let a = feed(&mut d, &gga("120008", '1'), rec + 1.0);
    assert_eq!(samples(&a).len(), 1);
}

#[test]
fn zda_keeps_the_leap_indicator_as_it_was() {
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let mut d = Setup::default().build();
    // The clock starts without a warning (ntpd's zeroed `pp->leap`).
    assert_eq!(d.clock().leap, Leap::NoWarning);
    let s = samples(&feed(&mut d, &zda("120007", "01,03,2024"), rec));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
    // A GGA without fix sets "not in sync", and ZDA keeps it.
    feed(&mut d, &gga("120008", '0'), rec + 1.0);
    let a = feed(&mut d, &zda("120009", "01,03,2024"), rec + 2.0);
    assert!(samples(&a).is_empty());
    assert_eq!(d.tally().rejected, 2);
    assert_eq!(d.clock().status, ClockEvent::Prop);
    feed(&mut d, &gga("120010", '1'), rec + 3.0);
    let s = samples(&feed(&mut d, &zda("120011", "01,03,2024"), rec + 4.0));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NoWarning);
}

#[test]
fn second_60() {
    let mut d = Setup::default().build();
    let rec = ts(2016, 12, 31, 23, 59, 59) + 0.1;
    let s = samples(&feed(&mut d, &rmc("235959", 'A', "311216"), rec));
    assert_eq!(d.clock().lastref, Some(ts(2016, 12, 31, 23, 59, 59)));
    assert!((s[0].offset + 0.1).abs() < 1e-9);
    // 23:59:60 is accepted and names the POSIX time of the next midnight.
    let s = samples(&feed(&mut d, &rmc("235960", 'A', "311216"), rec + 1.0));
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(ts(2017, 1, 1, 0, 0, 0)));
    assert_eq!(d.clock().lastref.unwrap().secs(), 1_483_228_800);
    assert!((s[0].offset + 0.1).abs() < 1e-9);
    assert_eq!(s[0].leap, Leap::NoWarning);
    // A time-only sentence at the leap second, too.
    let mut d = Setup::default().build();
    feed(&mut d, &gga("235959", '1'), rec);
    let s = samples(&feed(&mut d, &gga("235960.5", '1'), rec + 1.0));
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(ts(2017, 1, 1, 0, 0, 0) + 0.5));
}

#[test]
fn two_digit_years_and_centuries() {
    // Trusted dates: 80..99 are 19yy, 00..79 20yy.
    for (date, year) in [
        ("010699", 1999),
        ("010605", 2005),
        ("010679", 2079),
        ("010680", 1980),
    ] {
        let mut d = Setup {
            mode: MODE_DATETRUST,
            basedate: Basedate::from_ymd(1980, 1, 6).unwrap(),
            ..Default::default()
        }
        .build();
        let named = ts(year, 6, 1, 12, 0, 0);
        let s = samples(&feed(&mut d, &rmc("120000", 'A', date), named + 0.1));
        assert_eq!(d.clock().lastref, Some(named), "{date}");
        assert!((s[0].offset + 0.1).abs() < 1e-9);
    }
    // 1980-01-01..05 came before GPS: read as 2080.
    let mut d = Setup {
        mode: MODE_DATETRUST,
        ..Default::default()
    }
    .build();
    feed(
        &mut d,
        &rmc("120000", 'A', "050180"),
        ts(2080, 1, 5, 12, 0, 0),
    );
    assert_eq!(d.clock().lastref, Some(ts(2080, 1, 5, 12, 0, 0)));

    // Untrusted: mapped into the 1024 weeks from the base date. A receiver
    // with the roll-over bug says 1999-08-22 for 2019-04-07.
    let mut d = Setup {
        basedate: Basedate::from_ymd(2015, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    let named = ts(2019, 4, 7, 12, 0, 0);
    let s = samples(&feed(&mut d, &rmc("120000", 'A', "220899"), named + 0.1));
    assert_eq!(d.clock().lastref, Some(named));
    assert!((s[0].offset + 0.1).abs() < 1e-9);
    // ... and the same for a four-digit year.
    let mut d = Setup {
        mode: MODE_IGNSTATUS,
        basedate: Basedate::from_ymd(2015, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    feed(&mut d, &zda("120001", "22,08,1999"), named + 1.1);
    assert_eq!(d.clock().lastref, Some(named + 1.0));
}

fn pgrmf(week: u32, tow: u32, time: &str, leap: u32) -> String {
    sentence(&format!(
        "PGRMF,{week},{tow},000000,{time},{leap},5213.1439,N,02100.6511,E,A,2,0,226,2,1"
    ))
}

#[test]
fn gps_week_rollovers_with_pgrmf() {
    // First roll-over: week 1023 -> 1024 on 1999-08-22 (13 leap seconds).
    let mut d = Setup {
        basedate: Basedate::from_ymd(1998, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    let last = ts(1999, 8, 21, 23, 59, 46);
    // A time of week past the end of the week is a bad date.
    let s = samples(&feed(
        &mut d,
        &pgrmf(1023, 604_800, "235947", 13),
        last + 0.1,
    ));
    assert!(s.is_empty());
    assert_eq!(d.clock().counters.baddata, 1);
    // The last GPS second of week 1023 is 23:59:46 UTC.
    let s = samples(&feed(
        &mut d,
        &pgrmf(1023, 604_799, "235946", 13),
        last + 0.1,
    ));
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(last));
    let first = ts(1999, 8, 22, 0, 0, 0);
    let s = samples(&feed(&mut d, &pgrmf(0, 13, "000000", 13), first + 0.1));
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(first));
    assert!((s[0].offset + 0.1).abs() < 1e-9);

    // Second roll-over: 2019-04-07 is week 2048 (0 in 10 bits), 18 leap s.
    let mut d = Setup {
        basedate: Basedate::from_ymd(2015, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    let before = ts(2019, 4, 6, 23, 59, 41);
    feed(&mut d, &pgrmf(1023, 604_799, "235941", 18), before + 0.1);
    assert_eq!(d.clock().lastref, Some(before));
    let after = ts(2019, 4, 7, 0, 0, 0);
    let s = samples(&feed(&mut d, &pgrmf(0, 18, "000000", 18), after + 0.1));
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(after));
    // The same sentence with a base date after 2019 lands one era later.
    let mut d = Setup {
        basedate: Basedate::from_ymd(2020, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    feed(&mut d, &pgrmf(0, 18, "000000", 18), after + 0.1);
    let later = Timestamp::from_secs(after.secs() + 1024 * 7 * 86_400);
    assert_eq!(d.clock().lastref, Some(later));
}

#[test]
fn pubx04_gives_the_date() {
    let mut d = Setup {
        mode: MODE_IGNSTATUS,
        basedate: Basedate::from_ymd(2000, 1, 1).unwrap(),
        ..Default::default()
    }
    .build();
    let line = sentence("PUBX,04,073731.00,091202,113851.00,1196,15D,1930035,-2660.664,43,");
    let named = ts(2002, 12, 9, 7, 37, 31);
    let s = samples(&feed(&mut d, &line, named + 0.1));
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(named));
    assert_eq!(d.date_hold(), (DateType::WeekExtended, DATE_HOLD));
}

#[test]
fn zdg_is_gps_time_of_the_next_second() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 0) + 0.1;
    let zdg = sentence("GPZDG,120001.0,01,03,2024,03.50,2");
    let a = feed(&mut d, &zdg, rec);
    assert_eq!(samples(&a).len(), 1);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 1, 12, 0, 0)));
    assert!(d.gps_time());
    assert!(a
        .iter()
        .any(|a| matches!(a, Action::Log(l) if l.contains("GPS time"))));
    // From now on UTC sentences are ignored.
    let a = feed(&mut d, &rmc("120001", 'A', "010324"), rec + 1.0);
    assert!(samples(&a).is_empty());
    assert_eq!(d.tally().filtered, 1);
    // A ZDG that says its time is invalid is rejected.
    let a = feed(
        &mut d,
        &sentence("GPZDG,120003.0,01,03,2024,03.50,0"),
        rec + 2.0,
    );
    assert_eq!(events(&a), vec![ClockEvent::Prop]);
}

#[test]
fn bad_time_and_bad_date() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let a = feed(&mut d, &rmc("126007", 'A', "010324"), rec);
    assert_eq!(events(&a), vec![ClockEvent::BadTime]);
    assert!(a
        .iter()
        .any(|a| matches!(a, Action::Log(l) if l.contains("time"))));
    let a = feed(&mut d, &rmc("120007", 'A', "310224"), rec);
    assert_eq!(events(&a), vec![ClockEvent::BadDate]);
    assert_eq!(d.clock().counters.baddata, 2);
    assert_eq!(d.tally().malformed, 2);
    assert!(d.clock().timecode().contains("310224"));
}

#[test]
fn date_hold_and_priority() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    assert_eq!(d.date_hold(), (DateType::TwoDigitYear, DATE_HOLD));
    feed(&mut d, &zda("120008", "01,03,2024"), rec + 1.0);
    assert_eq!(d.date_hold(), (DateType::FourDigitYear, DATE_HOLD));
    // While a four-digit date is held, RMC's date is not even looked at.
    let s = samples(&feed(&mut d, &rmc("120009", 'A', "999999"), rec + 2.0));
    assert_eq!(s.len(), 1);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 1, 12, 0, 9)));
    // Time-only sentences are dated by the held date, not the receive time.
    let far = rec + 86_400.0 * 3.0;
    feed(&mut d, &gga("120010", '1'), far);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 1, 12, 0, 10)));
    // Hold counts down; below DATE_HLIM any date is taken again.
    for _ in 0..(DATE_HOLD - DATE_HLIM) {
        d.timer(rec);
    }
    assert_eq!(d.date_hold(), (DateType::FourDigitYear, DATE_HLIM));
    d.timer(rec);
    assert_eq!(d.date_hold(), (DateType::None, DATE_HLIM - 1));
    let a = feed(&mut d, &rmc("120011", 'A', "999999"), rec + 4.0);
    assert_eq!(events(&a), vec![ClockEvent::BadDate]);
    for _ in 0..DATE_HLIM {
        d.timer(rec);
    }
    assert_eq!(d.date_hold(), (DateType::None, 0));
    // No date held: the receive time is the pivot.
    feed(&mut d, &gga("120012", '1'), far);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 4, 12, 0, 12)));
}

#[test]
fn time_only_sentences_unfold_around_the_receive_time() {
    let mut d = Setup {
        time2: Some(0.2),
        ..Default::default()
    }
    .build();
    // 23:59:59.9 named, received after midnight: yesterday.
    let rec = ts(2024, 3, 2, 0, 0, 0) + 0.3;
    let s = samples(&feed(&mut d, &gga("235959.9", '1'), rec));
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 1, 23, 59, 59) + 0.9));
    assert!((s[0].offset - (-0.4 + 0.2)).abs() < 1e-9);
    // 00:00:00.5 named, receive time (minus time2) still before midnight.
    let rec = ts(2024, 3, 2, 0, 0, 0) + 0.1;
    feed(&mut d, &gga("000000.5", '1'), rec);
    assert_eq!(d.clock().lastref, Some(ts(2024, 3, 2, 0, 0, 0) + 0.5));
}

#[test]
fn flag4_obscures_the_position() {
    let mut d = Setup {
        flags: ClockFlags::FLAG4,
        ..Default::default()
    }
    .build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let s = samples(&feed(&mut d, &rmc("120007", 'A', "010324"), rec));
    assert_eq!(s.len(), 1);
    let code = d.clock().timecode().to_string();
    assert_eq!(
        code,
        "$GPRMC,120007,A,____.____,_,_____.____,_,000.0,226.0,010324,004.2,E,D*__"
    );
    let a = drain_poll(&mut d, rec + 1.0);
    assert_eq!(stats(&a), vec![code]);
    // Rejected sentences are saved obscured, too.
    feed(&mut d, &gga("120008", '0'), rec + 1.0);
    assert!(d
        .clock()
        .timecode()
        .starts_with("$GPGGA,120008,____.____,N,_____.____,E,0"));
}

fn drain_poll(d: &mut D, now: Timestamp) -> Vec<Action> {
    d.poll(now);
    drain(d)
}

#[test]
fn poll_timeouts_and_clockstats() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    // Nothing received: one timeout, reported once.
    let a = drain_poll(&mut d, rec);
    assert_eq!(events(&a), vec![ClockEvent::Timeout]);
    assert_eq!(stats(&a), vec![String::new()]);
    let a = drain_poll(&mut d, rec);
    assert!(events(&a).is_empty());
    assert_eq!(d.clock().counters.noreply, 1);
    assert_eq!(d.clock().counters.polls, 0);

    for i in 0..5 {
        feed(
            &mut d,
            &rmc(&format!("12000{}", 7 + i / 3), 'A', "010324"),
            rec,
        );
    }
    let a = drain_poll(&mut d, rec);
    assert_eq!(d.clock().counters.polls, 1);
    assert!(a.iter().any(|a| matches!(a, Action::Filtered(_))));
    assert_eq!(events(&a), vec![ClockEvent::Nominal]);
    assert_eq!(
        stats(&a),
        vec![rmc("120008", 'A', "010324").trim_end().to_string()]
    );
    assert_eq!(d.tally(), Tally::default());
    assert_eq!(d.totals().accepted, 2);
    assert_eq!(d.totals().filtered, 3);
}

#[test]
fn extended_clockstats() {
    let mut d = Setup {
        mode: MODE_EXTLOG,
        ..Default::default()
    }
    .build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let a = drain_poll(&mut d, rec);
    assert_eq!(stats(&a), vec!["(none)  0 0 0 0 0 0".to_string()]);
    feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    feed(&mut d, &gga("120007", '1'), rec);
    feed(&mut d, &sentence("GPGSV,3,1,12"), rec);
    feed(&mut d, &rmc("120008", 'V', "010324"), rec);
    feed(&mut d, &rmc("120009", 'A', "320399"), rec);
    let a = drain_poll(&mut d, rec);
    let code = rmc("120009", 'A', "320399");
    assert_eq!(stats(&a), vec![format!("{}  5 1 1 1 1 0", code.trim_end())]);
}

#[test]
fn delay_measurement_lines() {
    let mut d = Setup {
        mode: MODE_DELAYMEAS | MODE_GGA,
        ..Default::default()
    }
    .build();
    let rec = Timestamp::new(ts(2024, 3, 1, 12, 0, 7).secs(), 250_000_000);
    let a = feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    assert_eq!(stats(&a), vec!["delay 0.250000 $GPRMC".to_string()]);
    let a = feed(&mut d, &gga("120007", '1'), rec);
    assert_eq!(stats(&a), vec!["delay 0.250000 $GPGGA".to_string()]);
    let a = feed(&mut d, &sentence("GPGSV,3,1,12"), rec);
    assert!(stats(&a).is_empty());
}

#[test]
fn lines_split_across_reads() {
    let mut d = Setup::default().build();
    let line = rmc("120007", 'A', "010324");
    let (a, b) = line.split_at(30);
    let t1 = ts(2024, 3, 1, 12, 0, 7) + 0.05;
    let t2 = ts(2024, 3, 1, 12, 0, 7) + 0.2;
    assert!(feed(&mut d, a, t1).is_empty());
    let s = samples(&feed(&mut d, b, t2));
    assert_eq!(s[0].time, t2);
    // The timer drops a half line once samples go stale.
    feed(&mut d, "$GPGGA,1200", t2);
    for _ in 0..3 {
        d.timer(t2);
    }
    assert!(d.clock().pending().is_empty());
    let s = samples(&feed(&mut d, &gga("120009", '1')[6..], t2 + 2.0));
    assert!(s.is_empty());
    assert_eq!(d.totals().dropped, 1);
}

#[test]
fn sample_expiry() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    feed(&mut d, &rmc("120008", 'A', "010324"), rec + 1.0);
    assert_eq!(d.clock().pending().len(), 2);
    d.timer(rec);
    d.timer(rec);
    assert_eq!(d.clock().pending().len(), 2);
    d.timer(rec);
    assert_eq!(d.clock().pending().len(), 1);
    d.timer(rec);
    assert!(d.clock().pending().is_empty());
}

fn pps_setup(flags: ClockFlags, mode: u32) -> D {
    Setup {
        flags,
        mode,
        time1: Some(0.000_5),
        time2: Some(0.1),
        ..Default::default()
    }
    .build()
}

fn edge(t: Timestamp, kind: PpsEdgeKind) -> PpsEdge {
    PpsEdge {
        time: t,
        sequence: 1,
        kind,
    }
}

#[test]
fn pps_augments_the_receive_time() {
    let mut d = pps_setup(ClockFlags::FLAG1, 0);
    let second = ts(2024, 3, 1, 12, 0, 7);
    // Edge 2 µs late; sentence received 0.35 s later.
    d.pps(edge(second + 0.000_002, PpsEdgeKind::Assert));
    let s = samples(&feed(&mut d, &rmc("120007", 'A', "010324"), second + 0.35));
    assert_eq!(s.len(), 1);
    // Receive time moved to the edge minus time1.
    assert_eq!(s[0].time, second + (0.000_002 - 0.000_5));
    assert!((s[0].offset - 0.000_498).abs() < 1e-9);
    assert_eq!(d.tally().pps_used, 1);
    assert!(d.pps_in_control());
    assert_eq!(d.precision(), PPS_PRECISION);
    drain_poll(&mut d, second);
    assert!(d.pps_in_control());
    // A poll interval without PPS samples turns it down again.
    drain_poll(&mut d, second);
    assert!(!d.pps_in_control());
    assert_eq!(d.precision(), PRECISION);

    // A stale edge (5 s old) is not used: time2 applies.
    let s = samples(&feed(&mut d, &rmc("120012", 'A', "010324"), second + 5.35));
    assert_eq!(s[0].time, second + 5.25);
    // An edge near half a second off is ambiguous: not used.
    d.pps(edge(second + 5.75, PpsEdgeKind::Assert));
    let s = samples(&feed(&mut d, &rmc("120013", 'A', "010324"), second + 6.35));
    assert_eq!(s[0].time, second + 6.25);
    // The other edge kind is ignored.
    let mut d = pps_setup(ClockFlags::FLAG1, 0);
    d.pps(edge(second, PpsEdgeKind::Clear));
    let s = samples(&feed(&mut d, &rmc("120007", 'A', "010324"), second + 0.35));
    assert_eq!(s[0].time, second + 0.25);
    assert_eq!(d.tally().pps_used, 0);

    // Quiet PPS: used, but not claimed.
    let mut d = pps_setup(ClockFlags::FLAG1 | ClockFlags::FLAG2, MODE_QUIETPPS);
    d.pps(edge(second, PpsEdgeKind::Clear));
    let s = samples(&feed(&mut d, &rmc("120007", 'A', "010324"), second + 0.35));
    assert_eq!(s[0].time, second + -0.000_5);
    assert_eq!(d.tally().pps_used, 1);
    assert!(!d.pps_in_control());

    // Without flag1, edges are ignored.
    let mut d = pps_setup(ClockFlags::empty(), 0);
    d.pps(edge(second, PpsEdgeKind::Assert));
    let s = samples(&feed(&mut d, &rmc("120007", 'A', "010324"), second + 0.35));
    assert_eq!(s[0].time, second + 0.25);
}
