//! `ntp-refclock` with the PARSE driver (type 8) in its Meinberg modes
//! against the simulated receivers on a pseudo-terminal: every sample
//! must name the second of the string whose STX was read (offset = named
//! − receive time + time1 exactly, and the read not long after the STX
//! was written); spoilt strings give no sample and are counted; a GPS
//! receiver that lost sync (`#`, POWERUP) gives no sample in mode 7 and
//! is trusted in mode 23; modes 7 and 23 query the receiver, which
//! answers.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use std::thread;
use std::time::Duration;

use common::{lines_of, parse_sample, spawn, terminate, Sample};
use refclock_sim::TruthRecord;
use simrun::{match_samples, run_program, simulator, story, written_while_open, Matching, Run};

const TIME1: f64 = 0.0123;
const TIME1_ARG: &str = "0.0123";
/// A read may lag the write of the STX by this much on a busy host (a
/// pty's kernel worker; see cli_zyfer.rs).
const MAX_LAG: f64 = 0.3;

/// `ntp-refclock -d 127.127.8.0 mode M path PATH time1 TIME1` for
/// `seconds`.
fn program(mode: u32, path: &str, seconds: f64) -> Run {
    let mode = mode.to_string();
    let args = [
        "-d",
        "127.127.8.0",
        "mode",
        &mode,
        "path",
        path,
        "time1",
        TIME1_ARG,
    ];
    run_program(&args, seconds)
}

/// Every sample comes from a time string written whole and not spoilt
/// (a POWERUP one may: mode 23 trusts it), read within `MAX_LAG` of its
/// STX, with exactly named − receive time + time1; no string gives two.
/// Returns the sources in order.
fn check_against_truth<'a>(run: &Run, truth: &'a [TruthRecord]) -> Vec<&'a TruthRecord> {
    let m = Matching {
        kind: Some("TIME"),
        accept: |t| !t.flags.not_written() && !t.flags.badsum,
        ..Matching::first_byte(MAX_LAG, TIME1)
    };
    match_samples(run, truth, &m)
}

/// Time strings written while the program surely had the device open.
fn read_window<'a>(run: &Run, truth: &'a [TruthRecord]) -> Vec<&'a TruthRecord> {
    written_while_open(run, truth, "TIME", 2.0)
}

fn clean_run(mode: u32, seconds: f64) -> (Run, Vec<TruthRecord>) {
    let sim = simulator(8, mode, &[], "");
    let run = program(mode, sim.path().to_str().unwrap(), seconds);
    (run, sim.truth())
}

/// Modes 0 (standard string, CET) and 7 (GPS string, binary queries) at
/// once: a sample from every string, and in mode 7 the receiver answered
/// the queries (which only mode 7 sends).
#[test]
fn a_sample_from_every_string_and_answered_queries() {
    let m0 = thread::spawn(|| clean_run(0, 7.0));
    let m7 = thread::spawn(|| clean_run(7, 14.0));
    for (mode, (run, truth)) in [(0, m0.join().unwrap()), (7, m7.join().unwrap())] {
        let sources = check_against_truth(&run, &truth);
        let window = read_window(&run, &truth);
        assert!(window.len() >= 4, "mode {mode}\n{}", story(&truth));
        for t in &window {
            assert!(
                sources.iter().any(|s| s.seq == t.seq),
                "mode {mode}: no sample for {t}\n{}",
                run.stderr
            );
        }
        let answers = truth.iter().filter(|t| t.kind == "ANSWER").count();
        if mode == 7 {
            // The queries at the start and 6 s later: software revision
            // and buffered-variable status, both answered.
            assert!(answers >= 2, "{}", story(&truth));
            assert!(!run.stderr.contains("bad timecode"), "{}", run.stderr);
        } else {
            assert_eq!(answers, 0);
        }
    }
}

/// Mode 0 with spoilt strings (a separator replaced) and garbage: no
/// sample from a spoilt one, each logged as a bad timecode; the others
/// give their samples.
#[test]
fn spoilt_strings_give_no_sample_and_are_counted() {
    let sim = simulator(8, 0, &[], "badsum:every=3+garbage:bytes=20");
    let run = program(0, sim.path().to_str().unwrap(), 9.0);
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let window = read_window(&run, &truth);
    let spoilt = window.iter().filter(|t| t.flags.badsum).count();
    assert!(
        spoilt >= 1 && window.len() - spoilt >= 3,
        "{}",
        story(&truth)
    );
    let bad = run.stderr.matches("bad timecode").count();
    assert!(bad >= spoilt, "{bad} < {spoilt}\n{}", run.stderr);
    assert!(run.stderr.contains("bad_format"), "{}", run.stderr);
    let sampled = window
        .iter()
        .filter(|t| sources.iter().any(|s| s.seq == t.seq))
        .count();
    assert!(sampled >= 3, "{sampled}\n{}", run.stderr);
}

/// A GPS receiver losing sync for 3 s of every 10 (`#`, POWERUP): no
/// sample from those strings in mode 7; in mode 23 (POWERUP trusted
/// within the trust time after sync) samples from them too, each naming
/// the right second.
#[test]
fn powerup_is_trusted_in_mode_23_only() {
    let run_mode = |mode: u32| {
        thread::spawn(move || {
            let sim = simulator(8, mode, &[], "invalid:for=3,every=10,after=4");
            let run = program(mode, sim.path().to_str().unwrap(), 10.0);
            (run, sim.truth())
        })
    };
    let (m7, m23) = (run_mode(7), run_mode(23));
    for (mode, (run, truth)) in [(7, m7.join().unwrap()), (23, m23.join().unwrap())] {
        let sources = check_against_truth(&run, &truth);
        let window = read_window(&run, &truth);
        let invalid: Vec<_> = window.iter().filter(|t| t.flags.invalid).collect();
        assert!(!invalid.is_empty(), "mode {mode}\n{}", story(&truth));
        assert!(
            invalid.iter().all(|t| t.text.contains("; #")),
            "{}",
            story(&truth)
        );
        // Sync was seen before: the program reads from its start.
        let synced_before = window
            .iter()
            .any(|t| !t.flags.invalid && t.seq < invalid[0].seq);
        for t in &invalid {
            let sampled = sources.iter().any(|s| s.seq == t.seq);
            if mode == 7 || !synced_before {
                assert!(!sampled, "mode {mode}: sample from {t}");
            } else {
                assert!(sampled, "mode {mode}: no sample from {t}\n{}", run.stderr);
            }
        }
        assert!(run.stderr.contains("fault"), "{}", run.stderr);
    }
}

/// The other Meinberg modes run under `--simulate`.
#[test]
fn every_meinberg_mode_under_simulate() {
    let runs: Vec<_> = [1u32, 2, 18, 22, 23]
        .into_iter()
        .map(|mode| {
            thread::spawn(move || {
                let m = mode.to_string();
                let mut child = spawn(&["-d", "--simulate", "127.127.8.0", "mode", &m]);
                let lines = lines_of(&mut child);
                thread::sleep(Duration::from_secs(6));
                let (code, err) = terminate(&mut child, 15);
                thread::sleep(Duration::from_millis(100));
                let samples: Vec<Sample> =
                    lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
                (mode, code, err, samples)
            })
        })
        .collect();
    for r in runs {
        let (mode, code, err, samples) = r.join().unwrap();
        assert_eq!(code, Some(0), "mode {mode}: {err}");
        assert!(samples.len() >= 2, "mode {mode}: {samples:?}\n{err}");
        for s in &samples {
            // The default time1 (2 ms or 10 ms) less the read's lag.
            assert!(
                s.offset.abs() < MAX_LAG && s.leap == 0,
                "mode {mode}: {s:?}"
            );
        }
    }
}
