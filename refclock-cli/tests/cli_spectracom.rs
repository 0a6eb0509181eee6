//! `ntp-refclock` with the Spectracom driver (type 4) against the
//! simulated clock on a pseudo-terminal: every sample must agree with the
//! simulator's truth log (offset = the second the timecode names − the
//! time its opening CR was written + time2, within the read's lag), and
//! spoilt timecodes must give no sample and be counted.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, story, Matching};

const TIME2: f64 = 0.0123;
/// Loose: a busy two-core host delays a pty read by hundreds of ms now
/// and then; timecodes are a second apart.
const MAX_LAG: f64 = 0.5;

fn run(
    format: &str,
    scenarios: &str,
    seconds: f64,
) -> (simrun::Run, Vec<refclock_sim::TruthRecord>) {
    let sim = simrun::simulator(4, 0, &[("format", format)], scenarios);
    let mut args = vec!["-d"];
    args.extend_from_slice(simrun::priority_args());
    args.extend([
        "127.127.4.0",
        "path",
        sim.path().to_str().unwrap(),
        "time2",
        "0.0123",
    ]);
    let run = simrun::run_program(&args, seconds);
    let truth = sim.truth();
    (run, truth)
}

fn matching() -> Matching<'static> {
    Matching {
        kind: Some("TCODE"),
        ..Matching::first_byte(MAX_LAG, TIME2)
    }
}

#[test]
fn formats_0_2_and_3_give_a_sample_per_second() {
    for format in ["0", "2", "3"] {
        let (run, truth) = run(format, "clean", 4.5);
        let sources = match_samples(&run, &truth, &matching());
        assert!(
            sources.len() >= 2,
            "format {format}: {}\n{}",
            story(&truth),
            run.stderr
        );
    }
}

#[test]
fn spoilt_timecodes_give_no_sample_and_are_counted() {
    let (run, truth) = run("2", "badsum:every=2", 5.0);
    let sources = match_samples(&run, &truth, &matching());
    assert!(sources.iter().all(|t| !t.flags.badsum));
    assert!(!sources.is_empty(), "{}\n{}", story(&truth), run.stderr);
    assert!(run.stderr.contains("bad timecode"), "{}", run.stderr);
}
