//! `ntp-refclock` with the u-blox driver (type 47) against the simulated
//! receiver on a pseudo-terminal: the driver configures the receiver
//! (MON-VER, then CFG-MSG, acknowledged), every sample it prints comes
//! from a TIM-TP the truth log has (offset = the second it names − the
//! time its first byte was written, within the read's wake-up latency),
//! spoilt and invalid seconds give no sample and are counted, a leap
//! second is announced in its month, and `option listen-only` sends
//! nothing.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::{SimHandle, TruthRecord};
use simrun::{priority_args, story, Run};

/// A read may lag its write by this much on a busy two-core host (see
/// cli_zyfer.rs: 250 ms and more now and then; 500 ms were seen beside
/// two busy loops with other builds running), plus the 24-byte TIM-TP's
/// 25 ms at 9600 baud. TIM-TPs are a second apart: a sample still has
/// one TIM-TP it can come from.
const MAX_LAG: f64 = 0.900;
/// Most reads are prompt: the median lag stays below this.
const MEDIAN_LAG: f64 = 0.150;

fn simulator(scenarios: &str) -> SimHandle {
    simrun::simulator(47, 0, &[], scenarios)
}

fn run_program(path: &str, seconds: f64, options: &[&str]) -> Run {
    let mut args = vec!["-d"];
    args.extend_from_slice(priority_args());
    args.extend(["127.127.47.0", "path", path]);
    args.extend_from_slice(options);
    simrun::run_program(&args, seconds)
}

/// The TIM-TP records (one a second; the other messages name nothing).
fn tim_tps(truth: &[TruthRecord]) -> Vec<&TruthRecord> {
    truth.iter().filter(|t| t.kind == "TIM-TP").collect()
}

/// Every sample comes from an intact, valid TIM-TP: the last one written
/// before it, at most MAX_LAG before, with offset = named − receive time exactly and
/// named − first byte's write time within the lag; none twice.
fn check_against_truth<'a>(run: &Run, truth: &'a [TruthRecord]) -> Vec<&'a TruthRecord> {
    let mut sources: Vec<&TruthRecord> = Vec::new();
    let mut lags = Vec::new();
    for s in &run.samples {
        // The last TIM-TP written before the sample's read.
        let t = tim_tps(truth)
            .into_iter()
            .filter(|t| t.first.is_some_and(|f| f.as_secs_f64() <= s.time + 2e-6))
            .max_by(|a, b| a.first.cmp(&b.first))
            .filter(|t| s.time - t.first.unwrap().as_secs_f64() < MAX_LAG)
            .unwrap_or_else(|| panic!("sample {s:?} has no TIM-TP\n{}", story(truth)));
        assert!(t.ok(), "sample {s:?} from a spoilt or invalid record {t}");
        let named = t.named.unwrap().as_secs_f64();
        assert!((s.offset - (named - s.time)).abs() < 2e-6, "{s:?} {t}");
        let lag = named - t.first.unwrap().as_secs_f64() - s.offset;
        assert!((-2e-6..MAX_LAG).contains(&lag), "lag {lag} {s:?} {t}");
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

/// TIM-TPs written while the program surely had the device open and
/// configured (from 3 s after its start until 0.1 s before its end).
fn read_window<'a>(run: &Run, truth: &'a [TruthRecord]) -> Vec<&'a TruthRecord> {
    tim_tps(truth)
        .into_iter()
        .filter(|t| {
            t.first.is_some_and(|f| {
                let f = f.as_secs_f64();
                f > run.started + 3.0 && f < run.stopped - 0.1
            })
        })
        .collect()
}

#[test]
fn configures_the_receiver_and_samples_every_second() {
    let sim = simulator("");
    let run = run_program(sim.path().to_str().unwrap(), 7.0, &[]);
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let window = read_window(&run, &truth);
    assert!(window.len() >= 3, "{}", story(&truth));
    for t in window {
        assert!(
            sources.iter().any(|s| s.seq == t.seq),
            "no sample for {t}\n{:?}\n{}",
            run.samples,
            run.stderr
        );
    }
    assert!(run.samples.iter().all(|s| s.leap == 0), "{:?}", run.samples);
    // MON-VER answered (protocol 18: CFG-MSG), nothing refused.
    assert!(
        run.stderr
            .contains("receiver: sw \"ROM CORE 3.01 (107888)\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("protocol 18.00"), "{}", run.stderr);
    assert!(!run.stderr.contains("refused"), "{}", run.stderr);
    let answers: Vec<&str> = truth
        .iter()
        .map(|t| t.kind.as_str())
        .filter(|k| k.starts_with("ACK") || *k == "MON-VER")
        .collect();
    assert_eq!(
        answers,
        ["MON-VER", "ACK-ACK", "ACK-ACK", "ACK-ACK"],
        "{}",
        story(&truth)
    );
}

#[test]
fn listen_only_sends_nothing_and_still_samples() {
    let sim = simulator("");
    let run = run_program(
        sim.path().to_str().unwrap(),
        5.0,
        &["option", "listen-only"],
    );
    let truth = sim.truth();
    check_against_truth(&run, &truth);
    assert!(run.samples.len() >= 2, "{:?}\n{}", run.samples, run.stderr);
    assert!(!truth
        .iter()
        .any(|t| t.kind.starts_with("ACK") || t.kind == "MON-VER"));
}

/// Spoilt messages (bad checksums) and seconds not in sync: no sample
/// from them, counted as bad format and bad signal.
#[test]
fn spoilt_and_invalid_seconds_give_no_sample() {
    let sim = simulator("badsum:every=3+invalid:for=2,every=7,after=3");
    let run = run_program(
        sim.path().to_str().unwrap(),
        9.0,
        &["option", "listen-only"],
    );
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let window = read_window(&run, &truth);
    let bad = window.iter().filter(|t| !t.ok()).count();
    assert!(bad >= 2 && window.len() - bad >= 2, "{}", story(&truth));
    for t in &window {
        let sampled = sources.iter().any(|s| s.seq == t.seq);
        assert_eq!(sampled, t.ok(), "{t}\n{:?}\n{}", run.samples, run.stderr);
    }
    assert!(run.stderr.contains("event: bad_format"), "{}", run.stderr);
    assert!(run.stderr.contains("event: bad_signal"), "{}", run.stderr);
}

/// The leap warning NAV-TIMELS gives: leap=1 before the leap second
/// (it is at the end of the month the samples are in), leap=0 after.
#[test]
fn a_leap_second_is_announced_before_it() {
    let sim = simulator("leap:at=2027-06-30,before=5");
    let run = run_program(
        sim.path().to_str().unwrap(),
        10.0,
        &["option", "listen-only"],
    );
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let midnight = 1_814_400_000.0; // 2027-07-01 00:00:00 UTC
    let (mut before, mut after) = (0, 0);
    // The first sample comes from the first TIM-TP read, before any
    // NAV-TIMELS: it cannot know.
    for (s, t) in run.samples.iter().zip(&sources).skip(1) {
        let named = t.named.unwrap().as_secs_f64();
        if named < midnight - 0.5 {
            assert_eq!(s.leap, 1, "{s:?} {t}\n{}", run.stderr);
            before += 1;
        } else if named > midnight + 0.5 {
            assert_eq!(s.leap, 0, "{s:?} {t}");
            after += 1;
        }
    }
    assert!(
        before >= 1 && after >= 2,
        "{before} {after}\n{:?}\n{}",
        run.samples,
        story(&truth)
    );
}

/// `--simulate` under the simulator's scenarios, in parallel: the program
/// ends cleanly with samples; a receiver with the week roll-over bug
/// (`rollover`: dates 1024 weeks early) is unfolded to the right time;
/// the others read as late as the scenario makes them (`year` stays far
/// off: a date in 2100 is no roll-over).
#[test]
fn scenarios_under_simulate() {
    let scenarios = ["rollover", "jitter", "garbage", "drop:3", "year:year=2100"];
    let runs: Vec<_> = scenarios
        .iter()
        .map(|&s| {
            std::thread::spawn(move || {
                let arg = format!("--simulate={s}");
                let mut args = vec!["-d"];
                args.extend_from_slice(priority_args());
                args.extend([arg.as_str(), "127.127.47.0"]);
                (s, simrun::run_program(&args, 7.0))
            })
        })
        .collect();
    for r in runs {
        let (s, run) = r.join().unwrap();
        let (err, samples) = (run.stderr, run.samples);
        assert!(samples.len() >= 2, "{s}: {samples:?}\n{err}");
        for x in &samples {
            if s.starts_with("year") {
                assert!(x.offset.abs() > 1e8, "{s}: {x:?}");
            } else {
                assert!((-MAX_LAG..0.0).contains(&x.offset), "{s}: {x:?}");
            }
        }
    }
}
