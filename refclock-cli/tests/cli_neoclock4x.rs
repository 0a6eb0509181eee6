//! `ntp-refclock` with the NeoClock4X driver (type 44) against the
//! simulated receiver on a pseudo-terminal. The pty refuses DTR and RTS:
//! without `option ignore-modem-lines` the driver gives up as ntpd's
//! does; with it (and under `--simulate`, which adds it) it asks for the
//! firmware, and every sample agrees with the simulator's truth log:
//! offset = the second the line names − the time its CR was read +
//! time1 (the first line after each poll; spoilt ones give none).

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, run_program, simulator, story, Matching};

/// Loose: a busy two-core host delays a pty read now and then; the
/// lines are a second apart.
const MAX_LAG: f64 = 0.5;

#[test]
fn samples_agree_with_the_truth_log() {
    let sim = simulator(44, 0, &[], "badsum:every=3");
    let path = sim.path().to_str().unwrap().to_string();
    let args = [
        "-d",
        "-i",
        "0",
        "127.127.44.0",
        "path",
        &path,
        "time1",
        "0.1",
        "option",
        "ignore-modem-lines",
    ];
    let run = run_program(&args, 8.5);
    let truth = sim.truth();
    let m = Matching {
        kind: Some("TIME"),
        on_time: |t| t.eol,
        early: 0.002,
        accept: |t| !t.flags.badsum,
        ..Matching::first_byte(MAX_LAG, 0.1)
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
        run.stderr.contains("firmware version: (c) 2002 NEOL"),
        "{}",
        run.stderr
    );
    assert!(
        truth.iter().filter(|t| t.kind == "FIRMWARE").count() >= 1,
        "{}",
        story(&truth)
    );
}

#[test]
fn without_the_option_it_gives_up_on_a_pty() {
    let sim = simulator(44, 0, &[], "");
    let path = sim.path().to_str().unwrap().to_string();
    let run = run_program(&["-d", "-i", "0", "127.127.44.0", "path", &path], 2.5);
    assert!(run.samples.is_empty(), "{}", run.stderr);
    assert!(
        run.stderr.contains("can't set RTS/DTR")
            && run.stderr.contains("option ignore-modem-lines"),
        "{}",
        run.stderr
    );
    assert!(!sim.truth().iter().any(|t| t.kind == "FIRMWARE"));
}

#[test]
fn simulate_adds_the_option() {
    let run = run_program(&["-d", "-i", "0", "--simulate", "127.127.44.0"], 7.0);
    assert!(
        run.stderr.contains("option ignore-modem-lines"),
        "{}",
        run.stderr
    );
    assert!(!run.samples.is_empty(), "{}", run.stderr);
}
