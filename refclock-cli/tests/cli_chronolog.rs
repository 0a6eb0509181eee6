//! `ntp-refclock` with the Chronolog driver (type 32) against the
//! simulated Chrono-log K on a pseudo-terminal, both on a summer-time
//! zone: every sample must agree with the simulator's truth log (offset =
//! the UTC second the local time line names − the time its CR was read
//! + time1), spoilt lines give none.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, run_program, simulator, story, written_while_open, Matching};

/// A zone an hour or two east of UTC, whatever the season.
const ZONE: &str = "CET-1CEST,M3.5.0,M10.5.0/3";
/// A busy two-core host can delay a pty read by hundreds of ms.
const MAX_LAG: f64 = 0.5;

#[test]
fn local_time_lines_give_right_samples_and_spoilt_ones_none() {
    let sim = simulator(32, 0, &[("tz", ZONE)], "badsum:every=3");
    let path = sim.path().to_str().unwrap().to_string();
    let tz = format!("tz={ZONE}");
    let args = [
        "-d",
        "-i",
        "0",
        "127.127.32.0",
        "path",
        &path,
        "time1",
        "0.001",
        "option",
        &tz,
    ];
    let run = run_program(&args, 6.0);
    let truth = sim.truth();
    let m = Matching {
        kind: Some("YZ"),
        on_time: |t| t.eol,
        ..Matching::first_byte(MAX_LAG, 0.001)
    };
    let sources = match_samples(&run, &truth, &m);
    let lines = written_while_open(&run, &truth, "YZ", 1.5);
    let good = lines.iter().filter(|t| t.ok()).count();
    assert!(
        lines.len() >= 3 && sources.len() + 1 >= good,
        "{} samples of {good} good lines\n{}\n{}",
        sources.len(),
        story(&truth),
        run.stderr
    );
}
