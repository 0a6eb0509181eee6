//! `ntp-refclock` with the PARSE driver's Trimble modes (type 8, modes 9
//! TAIP and 10 TSIP) against the simulated receivers on a
//! pseudo-terminal: the driver polls, the receiver answers, and every
//! sample must agree with the simulator's truth log (offset = the second
//! the answer names − the time its first byte was read + time1, within
//! the read's wake-up latency); answers with a spoilt checksum (TAIP) or
//! from seconds without a fix (both) give no sample.

mod common;

use std::thread;
use std::time::Duration;

use common::{lines_of, parse_sample, spawn, terminate, Sample};
use refclock_core::os::clock::now;
use refclock_sim::{
    device_model, parse_scenarios, DeviceSetup, SimConfig, SimHandle, Simulator, TruthRecord,
};

/// A sample's answer is the one whose first byte was written at most this
/// long before the sample's receive time (a busy host's pty can lag).
const MAX_LAG: f64 = 0.25;

fn simulator(mode: u32, scenarios: &str) -> SimHandle {
    Simulator::start(SimConfig {
        scenarios: parse_scenarios(scenarios).unwrap(),
        ..SimConfig::new(device_model(8, &DeviceSetup::new(mode, &[])).unwrap())
    })
    .unwrap()
}

struct Run {
    samples: Vec<Sample>,
    stderr: String,
    started: f64,
    stopped: f64,
}

/// `ntp-refclock -d -i 0 127.127.8.0 mode M path PATH time1 T` for
/// `seconds`, stopped with SIGTERM.
fn run_program(path: &str, mode: &str, time1: &str, seconds: f64) -> Run {
    let args = [
        "-d",
        "-i",
        "0",
        "127.127.8.0",
        "mode",
        mode,
        "path",
        path,
        "time1",
        time1,
    ];
    let started = now().as_secs_f64();
    let mut child = spawn(&args);
    let lines = lines_of(&mut child);
    thread::sleep(Duration::from_secs_f64(seconds));
    let stopped = now().as_secs_f64();
    let (code, stderr) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    thread::sleep(Duration::from_millis(100));
    let samples = lines
        .try_iter()
        .map(|l| parse_sample(&l).unwrap_or_else(|| panic!("not a sample line: {l:?}")))
        .collect();
    Run {
        samples,
        stderr,
        started,
        stopped,
    }
}

fn story(truth: &[TruthRecord]) -> String {
    truth
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every sample comes from one time answer (`kind`) written whole, from
/// a good second, with `named − time + time1` exactly and `named − first
/// + time1` within [`MAX_LAG`]; no answer gives two. Returns them.
fn check<'a>(run: &Run, truth: &'a [TruthRecord], kind: &str, time1: f64) -> Vec<&'a TruthRecord> {
    let mut sources: Vec<&TruthRecord> = Vec::new();
    for s in &run.samples {
        let t = truth
            .iter()
            .filter(|t| t.kind == kind && t.named.is_some())
            .find(|t| {
                t.first
                    .is_some_and(|f| (-2e-6..MAX_LAG).contains(&(s.time - f.as_secs_f64())))
            })
            .unwrap_or_else(|| panic!("sample {s:?} has no answer\n{}", story(truth)));
        assert!(t.ok(), "sample {s:?} from a spoilt or invalid answer {t}");
        assert_eq!(s.leap, 0, "{s:?}");
        let named = t.named.unwrap().as_secs_f64();
        let exact = named - s.time + time1;
        assert!((s.offset - exact).abs() < 2e-6, "{s:?} vs {exact} ({t})");
        assert!(
            !sources.iter().any(|u| u.seq == t.seq),
            "two samples of {t}"
        );
        sources.push(t);
    }
    sources
}

/// The good answers written while the program surely had the device
/// open and was polling.
fn window<'a>(run: &Run, truth: &'a [TruthRecord], kind: &str) -> Vec<&'a TruthRecord> {
    truth
        .iter()
        .filter(|t| {
            t.kind == kind
                && t.first.is_some_and(|f| {
                    let f = f.as_secs_f64();
                    f > run.started + 3.0 && f < run.stopped - 0.3
                })
        })
        .collect()
}

#[test]
fn taip_answers_each_poll_and_bad_checksums_give_nothing() {
    let sim = simulator(9, "badsum:every=3");
    let run = run_program(sim.path().to_str().unwrap(), "9", "0.0", 9.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "RTM", 0.0);
    let answers = window(&run, &truth, "RTM");
    assert!(answers.len() >= 4, "{}\n{}", story(&truth), run.stderr);
    let good = answers.iter().filter(|t| t.ok()).count();
    assert!(
        sources.len() + 1 >= good && !sources.is_empty(),
        "{} samples of {good} good answers\n{}",
        sources.len(),
        story(&truth)
    );
    if answers.iter().any(|t| t.flags.badsum) {
        assert!(run.stderr.contains("checksum"), "{}", run.stderr);
    }
}

#[test]
fn taip_without_a_fix_gives_no_sample() {
    let sim = simulator(9, "invalid:for=3,every=6,after=2");
    let run = run_program(sim.path().to_str().unwrap(), "9", "0.0", 9.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "RTM", 0.0);
    assert!(!sources.is_empty(), "{}\n{}", story(&truth), run.stderr);
}

#[test]
fn tsip_answers_the_query_each_second() {
    let sim = simulator(10, "invalid:for=3,every=8,after=4");
    let run = run_program(sim.path().to_str().unwrap(), "10", "0.02", 10.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "TIME", 0.02);
    let answers = window(&run, &truth, "TIME");
    assert!(answers.len() >= 4, "{}\n{}", story(&truth), run.stderr);
    let good = answers.iter().filter(|t| t.ok()).count();
    // The first time after an invalid period is judged by the health
    // before it: at most one good answer per period gives nothing.
    assert!(
        sources.len() + 3 >= good && sources.len() >= 2,
        "{} samples of {good} good answers\n{}",
        sources.len(),
        story(&truth)
    );
    assert!(run.stderr.contains("re-initialised"), "{}", run.stderr);
}
