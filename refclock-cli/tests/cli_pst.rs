//! `ntp-refclock` with the PST driver (type 3) against the simulated PSTI
//! 1010 on a pseudo-terminal, polled every second: every sample must
//! agree with the simulator's truth log (offset = the time the time line
//! states − the time its CR was written + time1, within the read's
//! wake-up latency), every answer must give one, spoilt answers and
//! alarms none, and the samples after an alarm must say "no warning"
//! again (ntpd's driver stays "not in sync" for good).

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::TruthRecord;
use simrun::{match_samples, story, written_while_open, Matching, Run};

const TIME1: f64 = 0.0123;

fn run(scenarios: &str, seconds: f64) -> (Run, Vec<TruthRecord>) {
    let sim = simrun::simulator(3, 0, &[], scenarios);
    let mut args = vec!["-d", "-i", "0"];
    args.extend_from_slice(simrun::priority_args());
    args.extend([
        "127.127.3.0",
        "path",
        sim.path().to_str().unwrap(),
        "time1",
        "0.0123",
    ]);
    let run = simrun::run_program(&args, seconds);
    (run, sim.truth())
}

fn matching() -> Matching<'static> {
    Matching {
        kind: Some("QT"),
        on_time: |t| t.eol,
        ..Matching::first_byte(0.5, TIME1)
    }
}

#[test]
fn every_answer_gives_its_sample() {
    let (run, truth) = run("", 6.0);
    let sources = match_samples(&run, &truth, &matching());
    let asked = written_while_open(&run, &truth, "QT", 1.5);
    assert!(asked.len() >= 3, "{}", story(&truth));
    for t in asked {
        assert!(
            sources.iter().any(|s| s.seq == t.seq),
            "no sample for {t}\n{}",
            run.stderr
        );
    }
}

#[test]
fn spoilt_answers_and_alarms_give_no_sample() {
    let (run, truth) = run("badsum:every=5+invalid:for=2,every=6,after=3", 10.0);
    let sources = match_samples(&run, &truth, &matching());
    let asked = written_while_open(&run, &truth, "QT", 1.5);
    let bad = asked.iter().filter(|t| !t.ok()).count();
    assert!(bad >= 2, "{}", story(&truth));
    assert!(sources.len() >= 2, "{:?}\n{}", run.samples, story(&truth));
    assert!(run.stderr.contains("bad_format"), "{}", run.stderr);
}
