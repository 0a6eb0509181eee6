//! `ntp-refclock` against the receiver simulator's troublesome scenarios
//! (leap second, GPS week roll-over bug, New Year, garbled input): every
//! sample it prints must agree with the simulator's truth log, and bad
//! sentences must give no sample at all.

mod common;

use std::thread;
use std::time::Duration;

use common::{parse_sample, spawn, terminate, Sample};

use refclock_core::calendar::SECS_PER_WEEK;
use refclock_sim::{parse_scenarios, SimConfig, Simulator, TruthRecord};

const TIME2: f64 = 0.05;

/// When the driver took the receive timestamp.
fn received(s: &Sample) -> f64 {
    s.time + TIME2
}

/// The reference time the driver decoded (system time + offset).
fn reference(s: &Sample) -> f64 {
    s.time + s.offset
}

/// Runs the simulator with `scenarios` for `seconds` and ntp-refclock on it;
/// returns the samples and the truth.
fn run(scenarios: &str, seconds: u64) -> (Vec<Sample>, Vec<TruthRecord>, String) {
    let sim = Simulator::start(SimConfig {
        scenarios: parse_scenarios(scenarios).unwrap(),
        paced: false,
        delay: Duration::from_millis(100),
        ..SimConfig::default()
    })
    .unwrap();
    let time2 = TIME2.to_string();
    let path = sim.path().to_str().unwrap().to_string();
    let mut child = spawn(&["127.127.20.0", "path", &path, "time2", &time2]);
    let lines = common::lines_of(&mut child);
    thread::sleep(Duration::from_secs(seconds));
    let (code, err) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{err}");
    // The reader thread has seen everything once the pipe closed.
    thread::sleep(Duration::from_millis(100));
    let samples: Vec<Sample> = lines
        .try_iter()
        .map(|l| parse_sample(&l).unwrap_or_else(|| panic!("not a sample line: {l:?}")))
        .collect();
    (samples, sim.truth(), err)
}

/// The valid sentence a sample came from: written just before the
/// sample's receive time (a burst writes a second's sentences at once, so
/// several may qualify) and naming the time the sample decoded, after
/// `correction` seconds are added to what the sentence named.
fn source_of<'a>(s: &Sample, truth: &'a [TruthRecord], correction: f64) -> Option<&'a TruthRecord> {
    truth.iter().find(|t| {
        let Some(expected) = t.expected_offset(TIME2) else {
            return false;
        };
        let lag = received(s) - t.eol.unwrap().as_secs_f64();
        t.ok()
            && (-0.001..0.050).contains(&lag)
            && (s.offset - (expected + correction)).abs() < 0.050
    })
}

/// Every sample comes from a written, valid sentence and carries its
/// offset (within the wake-up latency); no second gives two samples.
fn check_against_truth(samples: &[Sample], truth: &[TruthRecord], correction: f64) {
    assert!(!samples.is_empty());
    for s in samples {
        assert!(
            source_of(s, truth, correction).is_some(),
            "sample {s:?} matches no valid sentence; truth: {truth:#?}"
        );
        assert_eq!(s.leap, 0, "NMEA has no leap warning");
    }
    // One sample per named second at most: reference times strictly grow.
    for w in samples.windows(2) {
        assert!(reference(&w[1]) > reference(&w[0]) + 0.5, "{w:?}");
    }
}

#[test]
fn leap_second_is_decoded_and_not_doubled() {
    // A future leap second, inside the GPS era the driver trusts.
    let (samples, truth, err) = run("leap:at=2027-06-30,before=4", 9);
    check_against_truth(&samples, &truth, 0.0);
    let leap = truth
        .iter()
        .find(|t| t.time.is_some_and(|t| t.second == 60) && t.on_time)
        .expect("the simulator sent 23:59:60");
    assert!(
        samples
            .iter()
            .filter_map(|s| source_of(s, &truth, 0.0))
            .any(|t| t.wall == leap.wall),
        "a sample for 23:59:60: {samples:?}\n{err}"
    );
}

#[test]
fn gps_week_rollover_bug_is_corrected() {
    // The receiver says 1024 weeks ago; the driver must put it back into
    // the era after its base date, i.e. the true time.
    let (samples, truth, _) = run("rollover", 6);
    assert!(truth.iter().all(|t| t.shift == -1024 * SECS_PER_WEEK));
    check_against_truth(&samples, &truth, 1024.0 * SECS_PER_WEEK as f64);
    assert!(samples.len() >= 3);
    for s in &samples {
        assert!(s.offset.abs() < 1.0, "corrected to the true time: {s:?}");
    }
}

#[test]
fn new_year_is_crossed() {
    let (samples, truth, _) = run("year:year=2031,before=3", 7);
    check_against_truth(&samples, &truth, 0.0);
    // Samples from both sides of the New Year.
    let years: std::collections::BTreeSet<i32> = samples
        .iter()
        .map(|s| source_of(s, &truth, 0.0).unwrap().time.unwrap().year)
        .collect();
    assert_eq!(years.into_iter().collect::<Vec<_>>(), vec![2030, 2031]);
}

#[test]
fn garbled_input_gives_no_wrong_sample() {
    let (samples, truth, err) = run(
        "garbage:bytes=40+badsum:p=30+invalid:for=2,every=5,after=1+drop:p=20",
        9,
    );
    check_against_truth(&samples, &truth, 0.0);
    // A good second: some valid sentence, and none saying "no fix" (a ZDA
    // has no status; in a second whose RMC said V the driver rightly
    // stays out of sync, as ntpd does).
    let mut walls: Vec<i64> = truth.iter().map(|t| t.wall).collect();
    walls.dedup();
    let good_seconds = walls
        .iter()
        .filter(|&&w| {
            let second: Vec<&TruthRecord> = truth.iter().filter(|t| t.wall == w).collect();
            second.iter().any(|t| t.ok()) && !second.iter().any(|t| t.flags.invalid)
        })
        .count();
    let summary: Vec<String> = truth
        .iter()
        .map(|t| {
            format!(
                "{} {:?} ok={} flags={:?} {}",
                t.wall,
                t.kind,
                t.ok(),
                t.flags,
                t.text
            )
        })
        .collect();
    assert!(
        samples.len() + 1 >= good_seconds,
        "{} samples for {good_seconds} good seconds: {samples:?}\n{}\n{err}",
        samples.len(),
        summary.join("\n")
    );
}
