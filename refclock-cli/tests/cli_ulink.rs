//! `ntp-refclock` with the Ultralink driver (type 34) against the
//! simulated receivers on a pseudo-terminal: a 33x sending on its own
//! (every other timecode with the `N`, noisy, first character that
//! ntpd's driver mistakes for a sample a second old), and a 320 and a
//! 325 polled with `T` (flag1). Every sample must agree with the
//! simulator's truth log: offset = the instant the timecode names − the
//! time its leading CR was read + time1; spoilt timecodes give none.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::{match_samples, run_program, simulator, story, Matching};

/// Loose: a busy two-core host delays a pty read now and then; the
/// timecodes are a second apart.
const MAX_LAG: f64 = 0.5;

fn check(options: &[(&str, &str)], scenarios: &str, extra: &[&str]) {
    let sim = simulator(34, 0, options, scenarios);
    let path = sim.path().to_str().unwrap().to_string();
    let mut args = vec![
        "-d",
        "-i",
        "0",
        "127.127.34.0",
        "path",
        &path,
        "time1",
        "0.01",
    ];
    args.extend_from_slice(extra);
    let run = run_program(&args, 4.5);
    let truth = sim.truth();
    let m = Matching {
        kind: Some("TIME"),
        early: 0.002,
        ..Matching::first_byte(MAX_LAG, 0.01)
    };
    let n = match_samples(&run, &truth, &m).len();
    assert!(
        n >= 2,
        "{options:?}: {n} samples\n{}\n{}",
        story(&truth),
        run.stderr
    );
}

#[test]
fn model_33x_with_noisy_timecodes() {
    check(&[("noisy", "2")], "badsum:every=3", &[]);
}

#[test]
fn model_320_polled() {
    check(&[("model", "320")], "", &["flag1", "1"]);
}

#[test]
fn model_325_polled() {
    check(&[("model", "325")], "", &["flag1", "1"]);
}
