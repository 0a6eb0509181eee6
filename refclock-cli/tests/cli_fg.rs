//! `ntp-refclock` with the Forum Graphic driver (type 37) against the
//! simulated dating station on a pseudo-terminal: the station answers
//! each date query at the next whole second; every sample must agree
//! with the simulator's truth log (offset = the second the reply names −
//! the time its CR was read + time1), spoilt replies (a BCD digit
//! broken) and the power-up ones (year 94, the `invalid` scenario) give
//! none, and the first reply (to the initialisation) is discarded.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, run_program, simulator, story, Matching};

/// Loose: a busy two-core host delays a pty read now and then; the
/// replies are a second apart.
const MAX_LAG: f64 = 0.5;

fn run(scenarios: &str, seconds: f64) -> (simrun::Run, Vec<refclock_sim::TruthRecord>) {
    let sim = simulator(37, 0, &[], scenarios);
    let path = sim.path().to_str().unwrap().to_string();
    let args = [
        "-d",
        "-i",
        "0",
        "127.127.37.0",
        "path",
        &path,
        "time1",
        "0.02",
    ];
    let run = run_program(&args, seconds);
    (run, sim.truth())
}

fn check(run: &simrun::Run, truth: &[refclock_sim::TruthRecord]) -> usize {
    let m = Matching {
        kind: Some("DATE"),
        on_time: |t| t.eol,
        early: 0.002,
        ..Matching::first_byte(MAX_LAG, 0.02)
    };
    match_samples(run, truth, &m).len()
}

#[test]
fn samples_agree_with_the_truth_log() {
    let (run, truth) = run("badsum:every=3", 5.0);
    let n = check(&run, &truth);
    assert!(n >= 2, "{n} samples\n{}\n{}", story(&truth), run.stderr);
    assert!(truth.iter().any(|t| t.kind == "INIT"), "{}", story(&truth));
}

#[test]
fn power_up_replies_give_no_sample() {
    let (run, truth) = run("invalid:every=4,for=2,after=1", 6.0);
    let n = check(&run, &truth);
    assert!(n >= 1, "{n} samples\n{}\n{}", story(&truth), run.stderr);
}
