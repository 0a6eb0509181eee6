//! `ntp-refclock` with the PARSE driver's Trimble modes (type 8, modes 9
//! TAIP and 10 TSIP) against the simulated receivers on a
//! pseudo-terminal: the driver polls, the receiver answers, and every
//! sample must agree with the simulator's truth log (offset = the second
//! the answer names − the time its first byte was read + time1, within
//! the read's wake-up latency); answers with a spoilt checksum (TAIP) or
//! from seconds without a fix (both) give no sample.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::TruthRecord;
use simrun::{match_samples, run_program, simulator, story, written_while_open, Matching, Run};

/// A sample's answer is the one whose first byte was written at most
/// this long before the sample's receive time (a busy host's pty can lag).
const MAX_LAG: f64 = 0.25;

/// `ntp-refclock -d -i 0 127.127.8.0 mode M path PATH time1 T` for
/// `seconds`.
fn program(path: &str, mode: &str, time1: &str, seconds: f64) -> Run {
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
    run_program(&args, seconds)
}

/// Every sample comes from one good time answer (`kind`) written whole,
/// read within [`MAX_LAG`] of its first byte, with the exact offset; no
/// answer gives two. Returns them.
fn check<'a>(run: &Run, truth: &'a [TruthRecord], kind: &str, time1: f64) -> Vec<&'a TruthRecord> {
    let m = Matching {
        kind: Some(kind),
        ..Matching::first_byte(MAX_LAG, time1)
    };
    match_samples(run, truth, &m)
}

/// The good answers written while the program surely had the device
/// open and was polling.
fn window<'a>(run: &Run, truth: &'a [TruthRecord], kind: &str) -> Vec<&'a TruthRecord> {
    written_while_open(run, truth, kind, 3.0)
}

#[test]
fn taip_answers_each_poll_and_bad_checksums_give_nothing() {
    let sim = simulator(8, 9, &[], "badsum:every=3");
    let run = program(sim.path().to_str().unwrap(), "9", "0.0", 9.0);
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
    let sim = simulator(8, 9, &[], "invalid:for=3,every=6,after=2");
    let run = program(sim.path().to_str().unwrap(), "9", "0.0", 9.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "RTM", 0.0);
    assert!(!sources.is_empty(), "{}\n{}", story(&truth), run.stderr);
}

#[test]
fn tsip_answers_the_query_each_second() {
    let sim = simulator(8, 10, &[], "invalid:for=3,every=8,after=4");
    let run = program(sim.path().to_str().unwrap(), "10", "0.02", 10.0);
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
