//! `ntp-refclock` with the Austron driver (type 10) against the simulated
//! 2201A on a pseudo-terminal, polled every second: each sample is
//! stamped with its poll's write, before the answer (offset = the time
//! the receiver captured at the `*` − the poll time + time1, exactly),
//! every poll answered gives one, and spoilt answers none.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::TruthRecord;
use simrun::{match_samples, story, written_while_open, Matching, Run};

const TIME1: f64 = 0.0123;

fn run(scenarios: &str, seconds: f64, extra: &[&str]) -> (Run, Vec<TruthRecord>) {
    let sim = simrun::simulator(10, 0, &[], scenarios);
    let mut args = vec!["-d", "-i", "0"];
    args.extend_from_slice(simrun::priority_args());
    args.extend([
        "127.127.10.0",
        "path",
        sim.path().to_str().unwrap(),
        "time1",
        "0.0123",
    ]);
    args.extend_from_slice(extra);
    let run = simrun::run_program(&args, seconds);
    (run, sim.truth())
}

/// The sample's time is the poll's, up to 0.4 s before the answer is
/// written (a busy host delays the simulator's read of the poll).
fn matching() -> Matching<'static> {
    Matching {
        kind: Some("TOC"),
        early: 0.4,
        max_lag: 1e-6,
        ..Matching::first_byte(0.0, TIME1)
    }
}

#[test]
fn every_poll_gives_its_sample() {
    let (run, truth) = run("", 6.0, &[]);
    let sources = match_samples(&run, &truth, &matching());
    let answered = written_while_open(&run, &truth, "TOC", 1.5);
    assert!(answered.len() >= 3, "{}", story(&truth));
    for t in answered {
        assert!(
            sources.iter().any(|s| s.seq == t.seq),
            "no sample for {t}\n{}",
            run.stderr
        );
    }
}

#[test]
fn spoilt_answers_give_no_sample_and_flag4_logs_statistics() {
    let (run, truth) = run("badsum:every=2", 6.0, &["flag4", "1"]);
    let sources = match_samples(&run, &truth, &matching());
    let answered = written_while_open(&run, &truth, "TOC", 1.5);
    assert!(answered.iter().any(|t| !t.ok()), "{}", story(&truth));
    assert!(sources.len() >= 2, "{:?}\n{}", run.samples, story(&truth));
    assert!(run.stderr.contains("bad_format"), "{}", run.stderr);
    assert!(truth.iter().any(|t| t.kind == "STAT"), "{}", story(&truth));
}
