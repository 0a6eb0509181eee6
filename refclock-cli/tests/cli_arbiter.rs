//! `ntp-refclock` with the Arbiter driver (type 11) in mode 1 against the
//! simulated 1088B on a pseudo-terminal: each poll's dialogue (TQ, SR,
//! O5) runs, and every sample agrees with the simulator's truth log
//! (offset = the second the timecode names − the time its opening CR was
//! written + time1, within the read's lag).

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, story, Matching};

const TIME1: f64 = 0.0123;
const MAX_LAG: f64 = 0.5;

#[test]
fn each_poll_gives_samples_as_the_truth_says() {
    // Polls 4 s apart: a dialogue's broadcast lasts two seconds.
    let sim = simrun::simulator(11, 1, &[], "clean");
    let mut args = vec!["-d", "-i", "2"];
    args.extend_from_slice(simrun::priority_args());
    args.extend([
        "127.127.11.0",
        "path",
        sim.path().to_str().unwrap(),
        "time1",
        "0.0123",
        "mode",
        "1",
    ]);
    let run = simrun::run_program(&args, 7.0);
    let truth = sim.truth();
    let matching = Matching {
        kind: Some("TCODE"),
        ..Matching::first_byte(MAX_LAG, TIME1)
    };
    let sources = match_samples(&run, &truth, &matching);
    assert!(!sources.is_empty(), "{}\n{}", story(&truth), run.stderr);
    assert!(
        truth
            .iter()
            .any(|t| t.kind == "REPLY" && t.text.starts_with("TQ0")),
        "{}",
        story(&truth)
    );
}
