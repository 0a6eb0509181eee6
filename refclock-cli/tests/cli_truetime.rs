//! `ntp-refclock` with the TrueTime driver (type 5) against the simulated
//! GOES receiver on a pseudo-terminal: the identification dialogue runs
//! without stalling, and each poll's sample agrees with the simulator's
//! truth log (offset = the second the timecode names − the time its CR
//! was written + time1, within the read's lag).

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::TruthRecord;
use simrun::{match_samples, story, Matching};

const TIME1: f64 = 0.0123;
const MAX_LAG: f64 = 0.5;

fn matching() -> Matching<'static> {
    Matching {
        kind: Some("TCODE"),
        on_time: |t: &TruthRecord| t.eol,
        ..Matching::first_byte(MAX_LAG, TIME1)
    }
}

fn run(model: &str, seconds: f64) -> (simrun::Run, Vec<TruthRecord>) {
    let sim = simrun::simulator(5, 0, &[("model", model)], "clean");
    let mut args = vec!["-d", "-i", "1"];
    args.extend_from_slice(simrun::priority_args());
    args.extend([
        "127.127.5.0",
        "path",
        sim.path().to_str().unwrap(),
        "time1",
        "0.0123",
    ]);
    let run = simrun::run_program(&args, seconds);
    let truth = sim.truth();
    (run, truth)
}

#[test]
fn goes_is_identified_and_polled() {
    let (run, truth) = run("goes", 6.0);
    let sources = match_samples(&run, &truth, &matching());
    assert!(sources.len() >= 2, "{}\n{}", story(&truth), run.stderr);
    assert!(run.stderr.contains("clock Goes"), "{}", run.stderr);
}

#[test]
fn tl3_dialogue_does_not_stall() {
    // ntpd sleeps a second between ST0 and QV; here QV waits for the next
    // tick, and the program keeps running its timers meanwhile.
    let (run, truth) = run("tl3", 6.0);
    let sources = match_samples(&run, &truth, &matching());
    assert!(!sources.is_empty(), "{}\n{}", story(&truth), run.stderr);
    assert!(run.stderr.contains("TL3: VER"), "{}", run.stderr);
}
