//! `ntp-refclock` with the PARSE driver's raw DCF77 modes (type 8, mode
//! 5 at 50 baud and mode 20 at 75 baud with DTR/RTS) against the
//! simulated module on a pseudo-terminal: one pulse character a second.
//!
//! A raw DCF77 clock gives its first sample at the third minute mark it
//! sees, so each run is kept to about 2 minutes 20 s by shifting the
//! simulator's timeline (`year:year=2100,before=65`): the minute mark
//! falls 5 s after the start, the next one arms the decoder and the
//! third gives the first sample 125 s after the start, then one a second
//! (across 2099 → 2100, whose century the weekday tells). The two
//! programs (a clean module and one with spoilt pulses) run side by side.
//! Every sample must name the second of the character it was read from
//! (truth log: offset = named − receive time + time1, exactly, and named −
//! write time + time1 within the read's lag); the spoilt module gives no
//! sample and its bad telegrams are counted.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use std::thread;

use refclock_core::os::clock::now;
use refclock_sim::TruthRecord;
use simrun::{run_program, simulator, Run};

use common::Sample;

const TIME1: f64 = 0.25;
const TIME1_ARG: &str = "0.25";
/// How late a read may come after the character was written (a loaded
/// two-core host delays pty reads by up to 250 ms now and then).
const MAX_LAG: f64 = 0.3;
/// How long each program runs: the first sample comes 125 s after the
/// simulator starts.
const RUN_SECS: f64 = 140.0;

fn program(path: &str, mode: u32) -> Run {
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
    run_program(&args, RUN_SECS)
}

/// The character a sample was read from: the one written at most
/// `MAX_LAG` before the sample's receive time.
fn source<'a>(s: &Sample, truth: &'a [TruthRecord]) -> Option<&'a TruthRecord> {
    truth.iter().find(|t| {
        t.first
            .is_some_and(|f| (-2e-6..MAX_LAG).contains(&(s.time - f.as_secs_f64())))
    })
}

#[test]
fn one_sample_a_second_from_the_third_mark_and_none_from_spoilt_pulses() {
    let started = now().as_secs_f64();
    let shift = "year:year=2100,before=65";
    let clean = simulator(8, 5, &[], shift);
    // Every 9th pulse swapped (where a check covers it): every telegram
    // fails its parity, zone or start bit.
    let spoilt = simulator(8, 20, &[], &format!("{shift}+badsum:every=9"));
    let clean_path = clean.path().to_str().unwrap().to_string();
    let spoilt_path = spoilt.path().to_str().unwrap().to_string();
    let other = thread::spawn(move || program(&spoilt_path, 20));
    let run = program(&clean_path, 5);
    let bad = other.join().unwrap();

    let truth = clean.truth();
    assert!(run.samples.len() >= 8, "{:?}\n{}", run.samples, run.stderr);
    for s in &run.samples {
        let t = source(s, &truth).unwrap_or_else(|| panic!("{s:?}: no character"));
        let named = t.named.unwrap().as_secs_f64();
        let exact = named - s.time + TIME1;
        assert!((s.offset - exact).abs() < 2e-6, "{s:?} vs {exact} ({t})");
        let lag = named - t.first.unwrap().as_secs_f64() + TIME1 - s.offset;
        assert!((0.0..MAX_LAG).contains(&lag), "{s:?}: lag {lag} ({t})");
        assert_eq!(s.leap, 0, "{s:?}");
    }
    // The first sample is the third mark's (second 0 of 2100-01-01
    // 00:01 UTC), about 125 s after the start; one a second after it.
    let first = source(&run.samples[0], &truth).unwrap();
    let t = first.time.unwrap();
    assert_eq!(
        (t.year, t.month, t.day, t.hour, t.minute, t.second),
        (2100, 1, 1, 0, 1, 0)
    );
    assert!(
        run.samples[0].time - started < 130.0,
        "{}",
        run.samples[0].time - started
    );
    for w in run.samples.windows(2) {
        assert!((w[1].time - w[0].time - 1.0).abs() < MAX_LAG, "{w:?}");
    }
    // The first mark ended a short telegram; nothing else was bad.
    let bad_lines = run.stderr.lines().filter(|l| l.contains("bad timecode"));
    assert!(bad_lines.count() <= 1, "{}", run.stderr);

    // The spoilt module: no sample, every telegram counted as bad; the
    // modem lines could not be set on a pty, which is only logged.
    assert!(bad.samples.is_empty(), "{:?}", bad.samples);
    let spoilt_truth = spoilt.truth();
    assert!(spoilt_truth.iter().any(|t| t.flags.badsum));
    let bad_lines: Vec<&str> = bad
        .stderr
        .lines()
        .filter(|l| l.contains("bad timecode"))
        .collect();
    assert!(bad_lines.len() >= 2, "{}", bad.stderr);
    assert!(
        bad_lines
            .iter()
            .skip(1)
            .all(|l| l.contains("parity") || l.contains("zone") || l.contains("start")),
        "{bad_lines:?}"
    );
    assert!(bad.stderr.contains("modem lines"), "{}", bad.stderr);
}
