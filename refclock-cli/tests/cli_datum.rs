//! `ntp-refclock` with the Datum driver (type 17) against the simulated
//! PTS on a pseudo-terminal: each poll's `//k/mn` is answered with the
//! time to the millisecond, and each sample must agree with the
//! simulator's truth log (offset = the instant the reply names − the time
//! its first byte was read + time1); spoilt replies give none.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, run_program, simulator, story, Matching};

/// A busy two-core host can delay a pty read by hundreds of ms.
const MAX_LAG: f64 = 0.5;

#[test]
fn each_poll_gives_one_right_sample_and_spoilt_replies_none() {
    let sim = simulator(17, 0, &[], "badsum:every=3");
    let path = sim.path().to_str().unwrap().to_string();
    let args = [
        "-d",
        "-i",
        "0",
        "127.127.17.0",
        "path",
        &path,
        "time1",
        "0.003",
    ];
    let run = run_program(&args, 6.0);
    let truth = sim.truth();
    let m = Matching {
        kind: Some("TIME"),
        ..Matching::first_byte(MAX_LAG, 0.003)
    };
    let sources = match_samples(&run, &truth, &m);
    let good = truth.iter().filter(|t| t.kind == "TIME" && t.ok()).count();
    assert!(
        sources.len() >= 3 && sources.len() + 1 >= good,
        "{} samples of {good} good replies\n{}\n{}",
        sources.len(),
        story(&truth),
        run.stderr
    );
}
