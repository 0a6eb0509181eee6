//! `ntp-refclock` with the hopf serial driver (type 38) against the
//! simulated 6021-compatible clock on a pseudo-terminal: every sample
//! must agree with the simulator's truth log (offset = the second the
//! telegram names − the time its LF was read + time1), in UTC and in
//! German civil time (which ntpd's driver would take as UTC), and
//! spoilt telegrams give none.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, run_program, simulator, story, Matching};

/// Loose: a busy two-core host delays a pty read now and then; the
/// telegrams are a second apart.
const MAX_LAG: f64 = 0.5;

fn check(zone: &str, scenarios: &str) {
    let sim = simulator(38, 0, &[("zone", zone)], scenarios);
    let path = sim.path().to_str().unwrap().to_string();
    let args = [
        "-d",
        "-i",
        "0",
        "127.127.38.0",
        "path",
        &path,
        "time1",
        "0.02",
    ];
    let run = run_program(&args, 4.5);
    let truth = sim.truth();
    let m = Matching {
        kind: Some("TIME"),
        on_time: |t| t.eol,
        early: 0.002,
        ..Matching::first_byte(MAX_LAG, 0.02)
    };
    let n = match_samples(&run, &truth, &m).len();
    assert!(
        n >= 2,
        "{zone}: {n} samples\n{}\n{}",
        story(&truth),
        run.stderr
    );
}

#[test]
fn utc_telegrams() {
    check("utc", "badsum:every=3");
}

#[test]
fn civil_time_telegrams() {
    check("local", "");
}
