//! `ntp-refclock` with the ACTS / modem driver (type 18) against the
//! simulated Hayes modem and the services behind it on a
//! pseudo-terminal: the modem dialogue (set-up, dial, CONNECT), samples
//! from NIST (after its loopback `#`), USNO (its `*` line), PTB (its CR)
//! and a Spectracom receiver through the modem or on a direct cable that
//! agree with the simulator's truth log (offset = the second the line
//! names − the time its on-time byte was read, within the read's
//! wake-up latency); a busy number and a line that drops are survived;
//! garbage never gives a wrong sample.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::{SimHandle, TruthRecord};
use simrun::{match_samples, priority_args, story, Matching, Run};

/// A sample's line is the one whose on-time byte was written at most this
/// long before the sample's receive time (lines are a second apart).
const MAX_LAG: f64 = 0.5;

fn simulator(options: &[(&str, &str)], scenarios: &str) -> SimHandle {
    let mut all = vec![("connect-delay", "300")];
    all.extend_from_slice(options);
    simrun::simulator(18, 1, &all, scenarios)
}

/// `ntp-refclock -d -i 0 127.127.18.0 mode 1 path PATH [-p ...]`.
fn run_program(sim: &SimHandle, phones: &[&str], seconds: f64) -> Run {
    // The device is opened for each call, after the privilege drop: it
    // must stay reachable (as root, the default chroot to an empty
    // directory and user nobody would cut it off).
    let mut args = priority_args().to_vec();
    args.extend(["-r", "/", "-u", "root"]);
    for p in phones {
        args.extend(["-p", p]);
    }
    let path = sim.path().to_str().unwrap().to_string();
    args.extend(["-d", "-i", "0", "127.127.18.0", "mode", "1", "path"]);
    args.push(&path);
    simrun::run_program(&args, seconds)
}

/// Every sample comes from one line of `kind`, on time at its end (the
/// marker or CR just before it: the simulator may write the end some
/// milliseconds after the marker on a busy host, so a read may precede
/// it by up to `early`) or, for a Spectracom, at its first byte.
fn check<'a>(run: &Run, truth: &'a [TruthRecord], kind: &str) -> Vec<&'a TruthRecord> {
    let m = Matching {
        kind: Some(kind),
        on_time: if kind == "SPECTRACOM" {
            |t| t.first
        } else {
            |t| t.eol
        },
        early: 0.1,
        ..Matching::first_byte(MAX_LAG, 0.0)
    };
    match_samples(run, truth, &m)
}

#[test]
fn nist_call_with_loopback() {
    let sim = simulator(&[], "clean");
    let run = run_program(&sim, &["ATDT13034944774"], 8.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "NIST");
    assert!(
        sources.len() >= 3,
        "{} samples\n{}\n{}",
        sources.len(),
        story(&truth),
        run.stderr
    );
    // Only `#` lines (the 10th line is not reached).
    assert!(
        sources.iter().all(|t| t.text.ends_with('#')),
        "{}",
        story(&truth)
    );
    for step in [
        "SETUP ATB1&C0&D2E0L1M1Q0V1Y1",
        "DIAL #0 ATDT13034944774",
        "CONNECT",
    ] {
        assert!(run.stderr.contains(step), "{step}: {}", run.stderr);
    }
}

#[test]
fn usno_ptb_and_spectracom_through_the_modem() {
    for (service, kind) in [
        ("usno", "USNO"),
        ("ptb", "PTB"),
        ("spectracom2", "SPECTRACOM"),
    ] {
        let sim = simulator(&[("service", service)], "clean");
        let run = run_program(&sim, &["ATDT5551234"], 5.5);
        let truth = sim.truth();
        let sources = check(&run, &truth, kind);
        assert!(
            sources.len() >= 2,
            "{service}: {} samples\n{}\n{}",
            sources.len(),
            story(&truth),
            run.stderr
        );
    }
}

#[test]
fn direct_cable_spectracom() {
    let sim = simulator(&[("direct-format", "0")], "clean");
    let run = run_program(&sim, &[], 5.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "SPECTRACOM");
    assert!(sources.len() >= 2, "{}\n{}", story(&truth), run.stderr);
    assert!(!run.stderr.contains("SETUP"), "no modem dialogue");
}

#[test]
fn busy_then_answered_and_a_dropped_line() {
    let sim = simulator(
        &[("calls", "busy,drop,answer"), ("drop-after", "3")],
        "clean",
    );
    let run = run_program(&sim, &["ATDT5551234"], 11.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "NIST");
    for step in ["BUSY", "NO CARRIER", "close"] {
        assert!(run.stderr.contains(step), "{step}: {}", run.stderr);
    }
    assert!(
        run.stderr.matches("CONNECT").count() >= 2,
        "called again after the drop: {}",
        run.stderr
    );
    assert!(!sources.is_empty(), "{}\n{}", story(&truth), run.stderr);
}

#[test]
fn garbage_and_spoilt_lines_give_no_wrong_sample() {
    let sim = simulator(&[], "garbage:every=2+badsum:every=3");
    let run = run_program(&sim, &["ATDT5551234"], 8.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "NIST");
    assert!(!sources.is_empty(), "{}\n{}", story(&truth), run.stderr);
    assert!(run.stderr.contains("bad_format"), "counted: {}", run.stderr);
}

#[test]
fn an_unreachable_device_is_said_at_start() {
    if !refclock_core::os::privs::is_root() {
        return; // only root drops privileges
    }
    let sim = simulator(&[], "clean");
    let path = sim.path().to_str().unwrap().to_string();
    // The default chroot (an empty directory) and user: no /dev/pts there.
    let run = simrun::run_program(&["-p", "ATDT1", "127.127.18.0", "path", &path], 1.5);
    assert!(
        run.stderr.contains("cannot be reached after the chroot")
            && run.stderr.contains("every attempt will fail"),
        "{}",
        run.stderr
    );
}
