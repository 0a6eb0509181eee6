//! `ntp-refclock` with the Dumbclock driver (type 33) against the
//! simulated clock on a pseudo-terminal, both on New York's time (the
//! program given the zone by name, `option tz=America/New_York`: the
//! TZif file is read at start, before the program chroots into an empty
//! directory, as it does when the tests run as root): every sample must
//! agree with the simulator's truth log (offset = the
//! UTC second the local `hh:mm:ss` names − the time its CR was read +
//! time1), spoilt lines (and those garbage sticks to) give none.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, run_program, simulator, story, written_while_open, Matching};

const ZONE: &str = "EST5EDT,M3.2.0,M11.1.0";
/// A busy two-core host can delay a pty read by hundreds of ms.
const MAX_LAG: f64 = 0.5;

#[test]
fn local_time_lines_give_right_samples_and_spoilt_ones_none() {
    let sim = simulator(33, 0, &[("tz", ZONE)], "badsum:every=3+garbage");
    let path = sim.path().to_str().unwrap().to_string();
    if !std::path::Path::new("/usr/share/zoneinfo/America/New_York").exists() {
        eprintln!("skipped: no zoneinfo");
        return;
    }
    let tz = "tz=America/New_York";
    let args = [
        "-d",
        "-i",
        "0",
        "127.127.33.0",
        "path",
        &path,
        "time1",
        "-0.002",
        "option",
        tz,
    ];
    let run = run_program(&args, 6.0);
    let truth = sim.truth();
    let m = Matching {
        kind: Some("TIME"),
        on_time: |t| t.eol,
        ..Matching::first_byte(MAX_LAG, -0.002)
    };
    let sources = match_samples(&run, &truth, &m);
    let lines = written_while_open(&run, &truth, "TIME", 1.5);
    assert!(
        lines.len() >= 3 && !sources.is_empty(),
        "{} samples of {} lines\n{}\n{}",
        sources.len(),
        lines.len(),
        story(&truth),
        run.stderr
    );
}
