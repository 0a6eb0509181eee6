//! Replays gpsd's receiver captures (shared/testdata/gpsd) through the NMEA
//! decoder and driver.
//!
//! * Every RMC and ZDA time decoded must be one gpsd decoded too (the
//!   `"time"` of a TPV record in the `.chk` file).
//! * The driver, fed each capture line by line with the receive time set
//!   to the sentence's own time + 0.1 s, must emit samples whose offset is
//!   exactly time2 − 0.1, and its counters must add up.
//! * Every file of the folder, NMEA or binary, fed in random chunks, must
//!   not make the driver panic, and chunking must not change the result
//!   (the test kit's `check_chunking`); under a busy host in several modes
//!   it keeps the properties of the kit's script runner and the NMEA
//!   driver's own (`run_ops` with `busy_host`).

#![cfg(feature = "nmea")]

use std::collections::BTreeSet;

use refclock_core::calendar::{Basedate, CivilTime, SECS_PER_DAY};
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::rng::Rng;
use refclock_core::{Clock, ClockFlags, DriverConfig, Fudge, PortId, Refclock, Sample, Timestamp};
use refclock_drivers::nmea::parse::{self, Date, SentenceKind, Status};
use refclock_drivers::nmea::{NmeaDriver, Tally};
use refclock_drivers::testkit::{
    busy_host, check_chunking, drain, feed, run_ops, Capture, Outcome, Testdata,
};

const TIME2: f64 = 0.05;
const DELAY: f64 = 0.1;

fn testdata() -> Option<Testdata> {
    Testdata::locate(env!("CARGO_MANIFEST_DIR"))
}

/// The captures that have gpsd's decoded output beside them.
fn checked_captures(data: &Testdata) -> Vec<Capture> {
    data.captures()
        .into_iter()
        .filter(|c| c.chk.is_some())
        .collect()
}

fn unix(year: i32, month: u8, day: u8, t: &parse::TimeOfDay) -> Timestamp {
    let midnight = CivilTime {
        year,
        month,
        day,
        ..Default::default()
    }
    .to_timestamp()
    .unwrap();
    Timestamp::from_nanos(midnight.as_nanos() + t.nanos_of_day() as i128)
}

/// Full time of a sentence with a calendar date, computed here without
/// the driver's code: two-digit years as ntpd reads them (1980..=2079).
fn dated(kind: SentenceKind, t: &parse::TimeOfDay, date: &Date) -> Option<Timestamp> {
    let full = match *date {
        Date::Ddmmyy { day, month, yy } => {
            let year = if yy < 80 { 2000 } else { 1900 } + yy as i32;
            unix(year, month, day, t)
        }
        Date::DayMonthYear { day, month, year } => unix(year as i32, month, day, t),
        Date::GpsWeek { .. } => return None,
    };
    Some(if kind == SentenceKind::Zdg {
        full + -1.0
    } else {
        full
    })
}

/// Whole seconds in 1024 GPS weeks.
const ERA_SECS: i64 = 1024 * 7 * SECS_PER_DAY;

#[test]
fn decoded_rmc_and_zda_times_match_gpsd() {
    let Some(testdata) = testdata() else { return };
    let (mut matched, mut era_shifted, mut first_fix, mut cut) = (0, 0, 0, 0);
    let mut checked_files = 0;
    for cap in checked_captures(&testdata) {
        let times = cap.tpv_times();
        let name = &cap.name;
        let (mut file_matched, mut file_first_fix, mut file_cut) = (0, 0, 0);
        let mut prev_rmc_status = None;
        for line in cap.lines() {
            // Every line decodes or fails cleanly; binary ones fail.
            let Ok(s) = parse::scan(line) else { continue };
            if !matches!(s.kind, SentenceKind::Rmc | SentenceKind::Zda) {
                continue;
            }
            let prev = if s.kind == SentenceKind::Rmc {
                prev_rmc_status.replace(s.status)
            } else {
                None
            };
            let Ok(d) = s.decoded() else { continue };
            // gpsd reports no time for an RMC that says "V" (mtk-3301.log
            // has receiver dates of 1980 while it has no fix), and ignores
            // sentences without checksum (hp58534a.log, whose .chk is
            // empty).
            if d.status == Status::NotInSync || d.checksum == parse::Checksum::None {
                continue;
            }
            let t = dated(d.kind, &d.time, &d.date.unwrap()).unwrap();
            let secs = t.secs();
            let text = String::from_utf8_lossy(line);
            if times.contains(&secs) {
                file_matched += 1;
            } else if times.contains(&(secs + ERA_SECS)) {
                // gpsd maps dates into the 1024-week GPS era of its own
                // base date, as ntpd does; for neo-m8n.log (2015) that put
                // every time one era later, in 2034.
                era_shifted += 1;
            } else if prev == Some(Status::NotInSync) {
                // gpsd reports once per cycle; in the cycle in which the
                // receiver first gets a fix, its TPV has no time yet
                // (beidou-bd.log, haicom-305N.log, mtk-3301.log: the first
                // RMC with A after ones with V).
                file_first_fix += 1;
            } else if file_cut == 0
                && times.last().is_some_and(|&l| {
                    (1..3600).contains(&(secs - l)) || (1..3600).contains(&(secs + ERA_SECS - l))
                })
            {
                // gpsd reports a cycle when it has seen all of it; the
                // capture ended first (neo-m8n.log: the last RMC).
                file_cut += 1;
            } else {
                panic!("{name}: {text} decodes to {t} (unix {secs}), not a gpsd TPV time");
            }
        }
        assert!(
            file_first_fix <= 1,
            "{name}: {file_first_fix} unmatched first fixes"
        );
        first_fix += file_first_fix;
        cut += file_cut;
        if !times.is_empty() && cap.body().windows(4).any(|w| w == b"RMC," || w == b"ZDA,") {
            checked_files += 1;
        }
        matched += file_matched;
    }
    println!("{matched} matched, {era_shifted} one era off, {first_fix} first fixes, {cut} cut");
    assert!(
        checked_files >= 18,
        "only {checked_files} captures with RMC/ZDA"
    );
    assert!(matched >= 550, "only {matched} RMC/ZDA times matched");
    assert!(era_shifted <= 30 && first_fix <= 3 && cut <= 2);
}

fn config(basedate: Basedate, mode: u32, flags: ClockFlags) -> DriverConfig {
    DriverConfig {
        unit: 0,
        fudge: Fudge {
            time2: Some(TIME2),
            time1: Some(0.0),
            mode,
            flags,
            ..Default::default()
        },
        basedate,
        ..Default::default()
    }
}

/// The samples of an outcome, each offset finite.
fn samples(out: Outcome) -> Vec<Sample> {
    assert!(out.samples.iter().all(|s| s.offset.is_finite()));
    out.samples
}

/// How many lines the framer assembles from `bytes` (what the driver sees).
fn framed_lines(bytes: &[u8]) -> u64 {
    let mut n = 0;
    LineFramer::new().feed(bytes, Timestamp::EPOCH, |_| n += 1);
    n
}

/// Every line the driver saw is counted once, and (without timers, which
/// drop half-assembled lines) it saw every line the framer makes of the
/// input.
fn assert_adds_up(name: &str, t: Tally, lines: u64) {
    assert_eq!(
        t.total,
        t.accepted + t.rejected + t.malformed + t.filtered + t.unknown,
        "{name}: {t:?}"
    );
    assert_eq!(t.dropped + t.invalid + t.total, lines, "{name}: {t:?}");
}

/// The first time of a capture: the earliest date sentence that decodes
/// and is in sync, or else the earliest time gpsd saw.
fn first_time(times: &BTreeSet<i64>, lines: &[&[u8]]) -> Option<Timestamp> {
    let first = lines
        .iter()
        .filter_map(|l| parse::parse(l).ok())
        .filter(|d| d.in_sync())
        .filter_map(|d| dated(d.kind, &d.time, d.date.as_ref()?))
        .map(|t| t.secs())
        .min()
        .or_else(|| times.first().copied());
    first.map(Timestamp::from_secs)
}

/// A base date a week before `first`, so that every date of the capture
/// is in the base date's GPS era.
fn basedate_for(first: Option<Timestamp>) -> Basedate {
    let secs = first.map_or(946_684_800, |t| t.secs());
    Basedate::from_unix_day(secs.div_euclid(SECS_PER_DAY) - 7)
}

#[test]
fn driver_replay_offsets_and_counters() {
    let Some(testdata) = testdata() else { return };
    let mut total_samples = 0;
    for cap in checked_captures(&testdata) {
        let name = &cap.name;
        let lines = cap.lines();
        let times = cap.tpv_times();
        let first = first_time(&times, &lines);
        let basedate = basedate_for(first);
        let mut d = Clock::<NmeaDriver>::start(config(basedate, 0, ClockFlags::empty())).unwrap();

        // The sentence's own time: its date and time, or its time of day
        // next to the last own time (the capture runs forward).
        let mut last = first;
        let mut rec = last.unwrap_or(Timestamp::from_secs(basedate.unix_secs()));
        let mut all = Vec::new();
        let mut expected_times = Vec::new();
        let mut fed_lines = 0;
        for line in &lines {
            if let Ok(s) = parse::scan(line) {
                if let Ok(t) = s.time {
                    let own = match s.date {
                        Ok(Some(ref date)) => dated(s.kind, &t, date),
                        _ => None,
                    }
                    .or_else(|| {
                        let pivot = last?;
                        let tod = t.nanos_of_day() as i128
                            - if s.kind == SentenceKind::Zdg {
                                1_000_000_000
                            } else {
                                0
                            };
                        let lo = pivot.as_nanos() - 43_200_000_000_000;
                        let day = 86_400_000_000_000i128;
                        Some(Timestamp::from_nanos(
                            lo + (tod - lo.rem_euclid(day)).rem_euclid(day),
                        ))
                    });
                    if let Some(own) = own {
                        if s.status != Status::NotInSync {
                            last = Some(own);
                        }
                        rec = own + DELAY;
                    }
                }
            }
            let mut data = line.to_vec();
            data.extend_from_slice(b"\r\n");
            fed_lines += framed_lines(&data);
            let got = samples(feed(&mut d, PortId::MAIN, &data, rec));
            expected_times.extend(got.iter().map(|_| rec + -TIME2));
            all.extend(got);
        }
        d.poll(rec);
        assert!(Outcome::of(drain(&mut d)).samples.is_empty(), "{name}");
        let samples = all;

        assert_eq!(samples.len(), expected_times.len(), "{name}");
        for (s, want) in samples.iter().zip(&expected_times) {
            assert!(
                (s.offset - (TIME2 - DELAY)).abs() < 1e-6,
                "{name}: offset {} at {}",
                s.offset,
                s.time
            );
            assert_eq!(s.time, *want, "{name}");
        }
        let t = d.driver().totals();
        assert_adds_up(name, t, fed_lines);
        assert_eq!(samples.len() as u64, t.accepted, "{name}");
        assert_eq!(d.state().counters.samples, t.accepted, "{name}");
        let nmea_time = lines.iter().any(|l| {
            parse::parse(l).is_ok_and(|p| p.in_sync() && p.checksum == parse::Checksum::Valid)
        });
        if nmea_time && !times.is_empty() {
            assert!(t.accepted > 0, "{name}: no samples");
        }
        total_samples += samples.len();
    }
    println!("{total_samples} samples");
    assert!(total_samples >= 450, "only {total_samples} samples in all");
}

#[test]
fn every_file_in_one_read_and_in_random_reads() {
    let Some(testdata) = testdata() else { return };
    let files = testdata.files();
    assert!(files.len() >= 30);
    let basedate = Basedate::from_ymd(2004, 1, 1).unwrap();
    let rec = Timestamp::from_secs(1_500_000_000);
    let config = config(basedate, 0, ClockFlags::FLAG4);
    for (i, path) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        // The same samples, events, clockstats, counters and totals
        // whatever the reads (the receive time is fixed).
        let seeds = (1..=3u64).map(|seed| 0x9e37_79b9_7f4a_7c15 ^ (seed << 32) ^ i as u64);
        let (whole, _) = check_chunking::<NmeaDriver, Tally>(&config, &bytes, rec, seeds, |c| {
            c.driver().totals()
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_adds_up(&name, whole.driver().totals(), framed_lines(&bytes));
    }
}

/// Every file under a busy host (time moving, timers, polls, PPS edges,
/// the device lost now and then) in several modes: the script runner's
/// generic properties and the NMEA driver's own hold
/// (`refclock_drivers::nmea::fuzz::checks`).
#[test]
fn every_file_under_a_busy_host() {
    let Some(testdata) = testdata() else { return };
    let basedate = Basedate::from_ymd(2004, 1, 1).unwrap();
    let start = Timestamp::from_secs(1_500_000_000);
    let mut total = 0;
    for (i, path) in testdata.files().iter().enumerate() {
        let bytes = std::fs::read(path).unwrap();
        let mut rng = Rng::new(0xdead_beef_cafe_f00d ^ i as u64);
        for mode in [
            0,
            0x1,
            0x2,
            0x8,
            0x100,
            0x200,
            0x80 | 0x10000,
            0x40000 | 0x80000,
        ] {
            let config = config(basedate, mode, ClockFlags::FLAG1 | ClockFlags::FLAG4);
            total += run_ops::<NmeaDriver>(&config, start, &busy_host(&mut rng, &bytes, 200));
        }
    }
    assert!(total > 1000, "only {total} samples");
}

/// A Garmin GPSmap 76S in simulation mode: its RMCs say V and its GGAs
/// report fix quality 8 (simulation). ntpd (and the C program) takes the
/// GGAs as true time; we give no sample, as gpsd gives no fix.
#[test]
fn a_receiver_in_simulation_mode_gives_no_sample() {
    let Some(testdata) = testdata() else { return };
    let cap = testdata.capture("GPSmap-76S.log").unwrap();
    let gga_q8 = cap
        .lines()
        .iter()
        .filter(|l| l.starts_with(b"$GPGGA") && l.split(|&b| b == b',').nth(6) == Some(b"8"))
        .count();
    assert!(gga_q8 >= 12, "{gga_q8} GGAs of quality 8");
    let basedate = Basedate::from_ymd(2004, 1, 1).unwrap();
    let mut d = Clock::<NmeaDriver>::start(config(basedate, 0, ClockFlags::empty())).unwrap();
    let out = feed(
        &mut d,
        PortId::MAIN,
        &cap.crlf_body(),
        Timestamp::from_secs(1_200_000_000),
    );
    assert!(out.samples.is_empty(), "{:?}", out.samples);
    assert!(d.driver().totals().rejected as usize >= gga_q8);
}
