//! `ntp-refclock` with the Leitch driver (type 13) against the simulated
//! CSD-5300 on a pseudo-terminal: each poll asks for the date and the
//! time, the clock answers three time lines, and each exchange gives one
//! sample that must agree with the simulator's truth log (offset = the
//! second a line names + 15 ms − the time its CR was read + time1).

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, run_program, simulator, story, Matching};

/// A busy two-core host can delay a pty read by hundreds of ms.
const MAX_LAG: f64 = 0.5;

#[test]
fn each_exchange_gives_one_right_sample() {
    let sim = simulator(13, 0, &[], "clean");
    let path = sim.path().to_str().unwrap().to_string();
    let args = ["-d", "-i", "2", "127.127.13.0", "path", &path];
    let run = run_program(&args, 11.5);
    let truth = sim.truth();
    let m = Matching {
        kind: Some("TIME"),
        on_time: |t| t.eol,
        // The CR ends 15 ms after the second (ntpd's fudge1).
        ..Matching::first_byte(MAX_LAG, 0.015)
    };
    let sources = match_samples(&run, &truth, &m);
    assert!(
        sources.len() >= 2,
        "{} samples\n{}\n{}",
        sources.len(),
        story(&truth),
        run.stderr
    );
    assert!(
        run.stderr.is_empty() || !run.stderr.contains("bad"),
        "{}",
        run.stderr
    );
}
