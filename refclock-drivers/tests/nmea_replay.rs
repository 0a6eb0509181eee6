//! Replays gpsd's receiver captures (shared/testdata/gpsd) through the NMEA
//! decoder and driver.
//!
//! * Every RMC and ZDA time decoded must be one gpsd decoded too (the
//!   `"time"` of a TPV record in the `.chk` file).
//! * The driver, fed each capture line by line with the receive time set
//!   to the sentence's own time + 0.1 s, must emit samples whose offset is
//!   exactly time2 − 0.1, and its counters must add up.
//! * Every file of the folder, NMEA or binary, fed in random chunks, must
//!   not make the driver panic, and chunking must not change the result.

#![cfg(feature = "nmea")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use refclock_core::calendar::{Basedate, CivilTime, SECS_PER_DAY};
use refclock_core::framing::{Framer, LineFramer};
use refclock_core::port::{PpsEdge, PpsEdgeKind};
use refclock_core::rng::Rng;
use refclock_core::{Action, ClockFlags, DriverConfig, Fudge, Sample, Timestamp};
use refclock_core::{Clock, PortId, Refclock};
use refclock_drivers::nmea::parse::{self, Date, SentenceKind, Status};
use refclock_drivers::nmea::{NmeaDriver, Tally};

const TIME2: f64 = 0.05;
const DELAY: f64 = 0.1;

fn testdata() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/gpsd");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "test data folder {} is missing",
        dir.display()
    );
    println!("note: {} is absent; replay tests skipped", dir.display());
    None
}

/// (log, chk) pairs, sorted.
fn captures(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .filter_map(|p| {
            let chk = PathBuf::from(format!("{}.chk", p.display()));
            chk.is_file().then_some((p, chk))
        })
        .collect();
    v.sort();
    v
}

/// The capture without its `#` header, split into lines (CR/LF removed).
fn body_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .collect();
    let header = lines.iter().take_while(|l| l.starts_with(b"#")).count();
    lines.drain(..header);
    lines
}

/// Parses gpsd's `2013-09-18T19:25:59.000Z` to whole Unix seconds.
fn iso8601_secs(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let t = CivilTime {
        year: num(0..4)? as i32,
        month: num(5..7)? as u8,
        day: num(8..10)? as u8,
        hour: num(11..13)? as u8,
        minute: num(14..16)? as u8,
        second: num(17..19)? as u8,
        nanos: 0,
    };
    Some(t.to_timestamp().ok()?.secs())
}

/// The `"time"` of every TPV record of a `.chk` file, in whole seconds.
fn tpv_times(chk: &str) -> BTreeSet<i64> {
    chk.lines()
        .filter(|l| l.contains("\"class\":\"TPV\""))
        .filter_map(|l| {
            let start = l.find("\"time\":\"")? + 8;
            let end = start + l[start..].find('"')?;
            iso8601_secs(&l[start..end])
        })
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
    let Some(dir) = testdata() else { return };
    let (mut matched, mut era_shifted, mut first_fix, mut cut) = (0, 0, 0, 0);
    let mut checked_files = 0;
    for (log, chk) in captures(&dir) {
        let bytes = std::fs::read(&log).unwrap();
        let chk_text = String::from_utf8_lossy(&std::fs::read(&chk).unwrap()).into_owned();
        let times = tpv_times(&chk_text);
        let name = log.file_name().unwrap().to_string_lossy().into_owned();
        let (mut file_matched, mut file_first_fix, mut file_cut) = (0, 0, 0);
        let mut prev_rmc_status = None;
        for line in body_lines(&bytes) {
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
        if !times.is_empty() && bytes.windows(4).any(|w| w == b"RMC," || w == b"ZDA,") {
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

fn drain(d: &mut Clock<NmeaDriver>, out: &mut Vec<Sample>) {
    while let Some(a) = d.next_action() {
        if let Action::Sample(s) = a {
            assert!(s.offset.is_finite());
            out.push(s);
        }
    }
}

/// How many lines the framer assembles from `bytes` (what the driver sees).
fn framed_lines(bytes: &[u8]) -> u64 {
    let mut n = 0;
    LineFramer::new().feed(bytes, Timestamp::EPOCH, |_| n += 1);
    n
}

/// Every line the driver saw is counted once. `lines` is what the framer
/// makes of the input; the driver sees fewer when its timer dropped a
/// half-assembled line.
fn assert_adds_up(name: &str, t: Tally, lines: u64, timers: bool) {
    assert_eq!(
        t.total,
        t.accepted + t.rejected + t.malformed + t.filtered + t.unknown,
        "{name}: {t:?}"
    );
    let seen = t.dropped + t.invalid + t.total;
    if timers {
        assert!(seen <= lines, "{name}: {t:?}");
    } else {
        assert_eq!(seen, lines, "{name}: {t:?}");
    }
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
    let Some(dir) = testdata() else { return };
    let mut total_samples = 0;
    for (log, chk) in captures(&dir) {
        let name = log.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&log).unwrap();
        let lines = body_lines(&bytes);
        let times = tpv_times(&String::from_utf8_lossy(&std::fs::read(&chk).unwrap()));
        let first = first_time(&times, &lines);
        let basedate = basedate_for(first);
        let mut d = Clock::<NmeaDriver>::start(config(basedate, 0, ClockFlags::empty())).unwrap();

        // The sentence's own time: its date and time, or its time of day
        // next to the last own time (the capture runs forward).
        let mut last = first;
        let mut rec = last.unwrap_or(Timestamp::from_secs(basedate.unix_secs()));
        let mut samples = Vec::new();
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
            let before = samples.len();
            d.receive(PortId::MAIN, &data, rec);
            drain(&mut d, &mut samples);
            for _ in before..samples.len() {
                expected_times.push(rec + -TIME2);
            }
        }
        d.poll(rec);
        drain(&mut d, &mut samples);

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
        assert_adds_up(&name, t, fed_lines, false);
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

fn feed_chunked(
    d: &mut Clock<NmeaDriver>,
    bytes: &[u8],
    rng: &mut Rng,
    rec: Timestamp,
    out: &mut Vec<Sample>,
) {
    let mut rest = bytes;
    while !rest.is_empty() {
        let n = (rng.next_u64() % 300 + 1).min(rest.len() as u64) as usize;
        let (chunk, tail) = rest.split_at(n);
        d.receive(PortId::MAIN, chunk, rec);
        drain(d, out);
        rest = tail;
    }
}

#[test]
fn every_file_in_random_chunks() {
    let Some(dir) = testdata() else { return };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(files.len() >= 30);
    let basedate = Basedate::from_ymd(2004, 1, 1).unwrap();
    let rec = Timestamp::from_secs(1_500_000_000);
    for (i, path) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).unwrap();
        let lines = framed_lines(&bytes);

        // One read with everything, against random chunkings: the same
        // samples and counters (the receive time is fixed).
        let mut whole = Clock::<NmeaDriver>::start(config(basedate, 0, ClockFlags::FLAG4)).unwrap();
        let mut want = Vec::new();
        whole.receive(PortId::MAIN, &bytes, rec);
        drain(&mut whole, &mut want);
        assert_adds_up(&name, whole.driver().totals(), lines, false);
        for seed in 1..=3u64 {
            let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15 ^ (seed << 32) ^ i as u64);
            let mut d = Clock::<NmeaDriver>::start(config(basedate, 0, ClockFlags::FLAG4)).unwrap();
            let mut got = Vec::new();
            feed_chunked(&mut d, &bytes, &mut rng, rec, &mut got);
            assert_eq!(got, want, "{name} seed {seed}");
            assert_eq!(
                d.driver().totals(),
                whole.driver().totals(),
                "{name} seed {seed}"
            );
            assert_eq!(d.state().timecode(), whole.state().timecode(), "{name}");
        }

        // With time moving, timers, polls, PPS edges and every mode bit
        // flipped now and then: no panic, counters consistent.
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
            let mut d = Clock::<NmeaDriver>::start(config(
                basedate,
                mode,
                ClockFlags::FLAG1 | ClockFlags::FLAG4,
            ))
            .unwrap();
            let mut out = Vec::new();
            let mut t = rec;
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                let n = (rng.next_u64() % 200 + 1).min(rest.len() as u64) as usize;
                let (chunk, tail) = rest.split_at(n);
                t = t + (rng.next_u64() % 1000) as f64 * 1e-3;
                match rng.next_u64() % 8 {
                    0 => d.timer(t),
                    1 => d.pps(PpsEdge {
                        time: Timestamp::from_secs(t.secs()),
                        sequence: 0,
                        kind: PpsEdgeKind::Assert,
                    }),
                    2 if rng.next_u64().is_multiple_of(8) => d.poll(t),
                    _ => {}
                }
                d.receive(PortId::MAIN, chunk, t);
                drain(&mut d, &mut out);
                rest = tail;
            }
            d.poll(t);
            drain(&mut d, &mut out);
            assert_adds_up(&name, d.driver().totals(), lines, true);
            assert_eq!(out.len() as u64, d.driver().totals().accepted, "{name}");
        }
    }
}

/// A Garmin GPSmap 76S in simulation mode: its RMCs say V and its GGAs
/// report fix quality 8 (simulation). ntpd (and the C program) takes the
/// GGAs as true time; we give no sample, as gpsd gives no fix.
#[test]
fn a_receiver_in_simulation_mode_gives_no_sample() {
    let Some(dir) = testdata() else { return };
    let bytes = std::fs::read(dir.join("GPSmap-76S.log")).unwrap();
    let body: Vec<u8> = body_lines(&bytes)
        .iter()
        .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
        .collect();
    let gga_q8 = body_lines(&bytes)
        .iter()
        .filter(|l| l.starts_with(b"$GPGGA") && l.split(|&b| b == b',').nth(6) == Some(b"8"))
        .count();
    assert!(gga_q8 >= 12, "{gga_q8} GGAs of quality 8");
    let basedate = Basedate::from_ymd(2004, 1, 1).unwrap();
    let mut d = Clock::<NmeaDriver>::start(config(basedate, 0, ClockFlags::empty())).unwrap();
    let mut samples = Vec::new();
    d.receive(PortId::MAIN, &body, Timestamp::from_secs(1_200_000_000));
    drain(&mut d, &mut samples);
    assert!(samples.is_empty(), "{samples:?}");
    assert!(d.driver().totals().rejected as usize >= gga_q8);
}
