//! `ntp-refclock` with the Arcron driver (type 27) against the simulated
//! clock on a pseudo-terminal, polled every 4 s (the driver sends a
//! command character every 2 s): the echoed `o\r` brings a timecode on
//! the next second, each character timed as at 300 baud with 11 bits;
//! every sample must agree with the truth log (offset = the named second
//! − the on-time estimate + time1), every poll must give one (ntpd's
//! driver gives one every other poll), and spoilt or unsynchronised
//! timecodes none.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::TruthRecord;
use simrun::{match_samples, story, written_while_open, Matching, Run};

const TIME1: f64 = 0.0123;

fn run(scenarios: &str, seconds: f64) -> (Run, Vec<TruthRecord>) {
    let sim = simrun::simulator(27, 0, &[], scenarios);
    let mut args = vec!["-d", "-i", "2"];
    args.extend_from_slice(simrun::priority_args());
    args.extend([
        "127.127.27.0",
        "path",
        sim.path().to_str().unwrap(),
        "time1",
        "0.0123",
    ]);
    let run = simrun::run_program(&args, seconds);
    (run, sim.truth())
}

/// The first character is written when an 11-bit one would have been
/// read whole (35 ms after the second), and the driver takes that off;
/// the earliest estimate wins, so a first character written late (a busy
/// host) leaves the sample up to that much before its write.
fn matching() -> Matching<'static> {
    Matching {
        kind: Some("TIME"),
        early: 0.3,
        ..Matching::first_byte(0.5, TIME1)
    }
}

#[test]
fn every_poll_gives_its_sample() {
    let (run, truth) = run("", 10.0);
    let sources = match_samples(&run, &truth, &matching());
    let sent = written_while_open(&run, &truth, "TIME", 1.0);
    assert!(sent.len() >= 2, "{}", story(&truth));
    for t in sent {
        assert!(
            sources.iter().any(|s| s.seq == t.seq),
            "no sample for {t}\n{}",
            run.stderr
        );
    }
}

#[test]
fn spoilt_and_unsynchronised_timecodes_give_no_sample() {
    let (run, truth) = run("badsum:every=5+invalid:for=4,every=8,after=6", 13.0);
    let sources = match_samples(&run, &truth, &matching());
    let sent = written_while_open(&run, &truth, "TIME", 1.0);
    assert!(sent.iter().any(|t| !t.ok()), "{}", story(&truth));
    for t in &sent {
        let sampled = sources.iter().any(|s| s.seq == t.seq);
        assert!(!sampled || t.ok(), "{t}");
    }
    assert!(run.stderr.contains("bad_format"), "{}", run.stderr);
}
