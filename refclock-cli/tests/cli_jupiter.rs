//! `ntp-refclock` with the Jupiter driver (type 31) against the simulated
//! Zodiac receiver on a pseudo-terminal. A pty has no PPS line: by
//! default the driver, as ntpd's, configures the receiver and gives no
//! sample; with `option serial-only` every sample must agree with the
//! simulator's truth log (offset = the second the 1108 names − 0.4 s −
//! the time its first byte was written + time1, within the read's
//! wake-up latency), spoilt and invalid messages must give none, and a
//! receiver that restarts must be configured again.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use common::Sample;
use refclock_sim::{SimHandle, TruthRecord};
use simrun::{story, Run};

const TIME1: f64 = 0.0123;
const TIME1_ARG: &str = "0.0123";
/// The driver's serial-only reference: the named second less this.
const LEAD: f64 = 0.4;
/// Loose: a busy two-core host delays a pty read by hundreds of ms now
/// and then (376 ms seen, in two tests at once; cli_parse_ascii.rs saw
/// 440 ms). The 1108s are a second apart: a read up to 0.5 s late still
/// names its message.
const MAX_LAG: f64 = 0.5;
const MEDIAN_LAG: f64 = 0.1;

fn simulator(scenarios: &str, options: &[(&str, &str)]) -> SimHandle {
    simrun::simulator(31, 0, options, scenarios)
}

/// `ntp-refclock -d 127.127.31.0 path PATH time1 TIME1 [extra]` for
/// `seconds`, stopped with SIGTERM.
fn run_program(path: &str, seconds: f64, extra: &[&str]) -> Run {
    run_with(path, seconds, &[], extra)
}

/// The same with program options `before` the address.
fn run_with(path: &str, seconds: f64, before: &[&str], extra: &[&str]) -> Run {
    let mut args = vec!["-d"];
    args.extend_from_slice(before);
    args.extend(["127.127.31.0", "path", path, "time1", TIME1_ARG]);
    args.extend_from_slice(extra);
    simrun::run_program(&args, seconds)
}

/// The 1108 a sample came from: the one whose first byte was written at
/// most `MAX_LAG` before the sample's receive time.
fn source<'a>(s: &Sample, truth: &'a [TruthRecord]) -> Option<&'a TruthRecord> {
    truth.iter().filter(|t| t.kind == "1108").find(|t| {
        t.first
            .is_some_and(|f| (-2e-6..MAX_LAG).contains(&(s.time - f.as_secs_f64())))
    })
}

/// Every sample comes from a whole, valid 1108, carries `named − 0.4 −
/// receive time + time1` exactly and the truth's within the read lag,
/// leap 0; no 1108 gives two. Returns the sources.
fn check_against_truth<'a>(run: &Run, truth: &'a [TruthRecord]) -> Vec<&'a TruthRecord> {
    check_unfolded(run, truth, false)
}

/// The same; with `unfold`, the 1108 names a date whole GPS eras in the
/// past (the roll-over bug) and the sample must name the right one, the
/// truth's second less its shift.
fn check_unfolded<'a>(run: &Run, truth: &'a [TruthRecord], unfold: bool) -> Vec<&'a TruthRecord> {
    let mut sources: Vec<&TruthRecord> = Vec::new();
    let mut lags = Vec::new();
    for s in &run.samples {
        let t = source(s, truth)
            .unwrap_or_else(|| panic!("sample {s:?} has no 1108\n{}", story(truth)));
        assert!(t.ok(), "sample {s:?} from a spoilt or invalid message {t}");
        assert_eq!(s.leap, 0, "{s:?}");
        let shift = if unfold { t.shift as f64 } else { 0.0 };
        let reference = t.named.unwrap().as_secs_f64() - shift - LEAD;
        let exact = reference - s.time + TIME1;
        assert!((s.offset - exact).abs() < 2e-6, "{s:?} vs {exact} ({t})");
        let lag = reference - t.first.unwrap().as_secs_f64() + TIME1 - s.offset;
        assert!(lag < MAX_LAG, "read {lag:.6} s late: {s:?} {t}");
        lags.push(lag);
        assert!(
            !sources.iter().any(|u| u.seq == t.seq),
            "two samples of {t}"
        );
        sources.push(t);
    }
    lags.sort_by(f64::total_cmp);
    if let Some(median) = lags.get(lags.len() / 2) {
        assert!(
            *median < MEDIAN_LAG,
            "median read lag {median:.6} s: {lags:?}"
        );
    }
    sources
}

/// The 1108s written while the program surely had the device open and
/// configured (from 3 s after its start until 0.1 s before its end).
fn window<'a>(run: &Run, truth: &'a [TruthRecord]) -> Vec<&'a TruthRecord> {
    truth
        .iter()
        .filter(|t| t.kind == "1108")
        .filter(|t| {
            t.first.is_some_and(|f| {
                let f = f.as_secs_f64();
                f > run.started + 3.0 && f < run.stopped - 0.1
            })
        })
        .collect()
}

#[test]
fn serial_only_gives_a_sample_per_time_mark_as_the_truth_says() {
    let sim = simulator("", &[]);
    let run = run_program(
        sim.path().to_str().unwrap(),
        8.0,
        &["option", "serial-only"],
    );
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let w = window(&run, &truth);
    assert!(w.len() >= 4, "{}", story(&truth));
    for t in w {
        assert!(
            sources.iter().any(|s| s.seq == t.seq),
            "no sample for {t}\n{:?}\n{}",
            run.samples,
            run.stderr
        );
    }
    // The configuration was answered: ACKs and the id.
    assert!(truth.iter().any(|t| t.kind == "ACK"), "{}", story(&truth));
    assert!(
        run.stderr.contains("receiver: 12 chan ver"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_pps_it_configures_the_receiver_and_gives_nothing() {
    let sim = simulator("", &[]);
    let run = run_program(sim.path().to_str().unwrap(), 5.0, &[]);
    let truth = sim.truth();
    assert!(run.samples.is_empty(), "{:?}", run.samples);
    assert!(run.stderr.contains("PPSAPI fails"), "{}", run.stderr);
    assert!(
        run.stderr.contains("receiver: 12 chan ver"),
        "{}",
        run.stderr
    );
    // It asked for the 1108s, which came.
    assert!(!window(&run, &truth).is_empty(), "{}", story(&truth));
}

#[test]
fn spoilt_and_invalid_time_marks_give_no_sample() {
    let sim = simulator(
        "badsum:every=3+garbage:bytes=30+invalid:for=2,every=7,after=4",
        &[],
    );
    let run = run_program(
        sim.path().to_str().unwrap(),
        10.0,
        &["option", "serial-only"],
    );
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let w = window(&run, &truth);
    let bad = w.iter().filter(|t| !t.ok()).count();
    assert!(bad >= 2 && w.len() - bad >= 2, "{}", story(&truth));
    // Each good 1108 gives a sample unless the pivot's 1000 of the same
    // second was spoilt and none was held: with a pivot held 60 s,
    // always.
    for t in &w {
        let sampled = sources.iter().any(|s| s.seq == t.seq);
        assert_eq!(sampled, t.ok(), "{t}\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains("event: bad_format (2)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_restarted_receiver_is_configured_again() {
    let sim = simulator("", &[("restart", "4")]);
    let run = run_program(
        sim.path().to_str().unwrap(),
        10.0,
        &["option", "serial-only"],
    );
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    // After each restart the receiver sends only its power-up output
    // until configured again; the samples go on.
    let ids = run.stderr.matches("receiver: 12 chan ver").count();
    assert!(ids >= 3, "{}", run.stderr);
    let late = sources
        .iter()
        .filter(|t| t.first.unwrap().as_secs_f64() > run.started + 6.0)
        .count();
    assert!(late >= 2, "{}\n{}", story(&truth), run.stderr);
}

/// An inserted leap second: the 1108 naming 23:59:60 states the seconds
/// of week of the following midnight (the count has no 60), so it and the
/// one naming 00:00:00 both give a sample of that midnight, as the truth
/// has them; the GPS − UTC step is logged; the leap indicator stays 0
/// (the protocol announces nothing).
#[test]
fn a_leap_second_as_the_truth_says() {
    let sim = simulator("leap:at=2027-06-30,before=5", &[]);
    let stats = std::env::temp_dir().join(format!("jupiter-leap-{}", std::process::id()));
    let run = run_with(
        sim.path().to_str().unwrap(),
        10.0,
        &["-c", stats.to_str().unwrap()],
        &["option", "serial-only"],
    );
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let leap = truth
        .iter()
        .find(|t| t.kind == "1108" && t.time.is_some_and(|c| c.second == 60))
        .expect("23:59:60 was named");
    assert!(
        sources.iter().any(|s| s.seq == leap.seq),
        "{}",
        story(&truth)
    );
    let text = std::fs::read_to_string(&stats).unwrap();
    assert!(text.contains("GPS-UTC offset 19 s, was 18 s"), "{text}");
    let _ = std::fs::remove_file(&stats);
}

/// A receiver with the GPS week roll-over bug (dates 1024 weeks back):
/// the driver unfolds the 1000's week, and the 1108 with it, into the
/// window around the system clock: every sample is right.
#[test]
fn a_week_roll_over_is_unfolded() {
    let sim = simulator("rollover", &[]);
    let run = run_program(
        sim.path().to_str().unwrap(),
        7.0,
        &["option", "serial-only"],
    );
    let truth = sim.truth();
    let sources = check_unfolded(&run, &truth, true);
    assert!(sources.len() >= 3, "{}\n{}", story(&truth), run.stderr);
}
