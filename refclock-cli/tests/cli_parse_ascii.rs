//! `ntp-refclock` with the PARSE driver's small clocks (type 8 modes 3,
//! 4, 11, 12, 13, 15, 17 and 24) against their simulated devices on a
//! pseudo-terminal: every sample must name the second of the frame whose
//! on-time byte the program read (offset = named − receive time, time1
//! 0), within the read's wake-up latency of that byte's write; the polled
//! clocks (Schmid every second, RCC8000 and SEL240x once per poll) must
//! answer; spoilt frames and garbage must be counted and give no sample.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_core::Timestamp;
use refclock_sim::TruthRecord;
use simrun::{match_samples, run_program, simulator, Matching};

/// How late after its write the program may read a frame's on-time byte
/// (a pty on a busy two-core host: see cli_zyfer.rs; 440 ms seen while
/// other programs were being built; frames are a second apart).
const MAX_LAG: f64 = 0.8;

/// How much earlier than the write of its on-time byte a read may be
/// stamped: a read is stamped when the program wakes for the bytes
/// before it, and a byte written meanwhile (DCF7000's CR, hopf's ETX,
/// the end of a frame) comes with them (seen: 0.9 ms).
const EARLY: f64 = 0.005;

/// What one run gave: the program's output and the device's truth log.
struct Run {
    run: simrun::Run,
    truth: Vec<TruthRecord>,
}

impl std::ops::Deref for Run {
    type Target = simrun::Run;
    fn deref(&self) -> &simrun::Run {
        &self.run
    }
}

/// Mode `mode`'s device with `scenarios`, the program on it for
/// `seconds` (`-d -i 1`, time1 0).
fn run(mode: u8, scenarios: &str, seconds: f64) -> Run {
    let sim = simulator(8, mode.into(), &[], scenarios);
    let path = sim.path().to_str().unwrap().to_string();
    let mode_arg = mode.to_string();
    let args = [
        "-d",
        "-i",
        "1",
        "127.127.8.0",
        "mode",
        &mode_arg,
        "path",
        &path,
        "time1",
        "0",
    ];
    let run = run_program(&args, seconds);
    Run {
        run,
        truth: sim.truth(),
    }
}

/// When a frame's on-time byte was written: the last byte for DCF7000
/// (its CR) and hopf (its ETX), else the first.
fn on_time(mode: u8, t: &TruthRecord) -> Option<f64> {
    on_time_fn(mode)(t).map(|a| a.as_secs_f64())
}

fn on_time_fn(mode: u8) -> fn(&TruthRecord) -> Option<Timestamp> {
    if matches!(mode, 3 | 12) {
        |t| t.last
    } else {
        |t| t.first
    }
}

/// Each sample's frame (checked: whole, not spoilt, offset exact, read
/// in time, one sample per frame); returns their sequence numbers.
fn check(mode: u8, r: &Run) -> Vec<u64> {
    let m = Matching {
        on_time: on_time_fn(mode),
        early: EARLY,
        accept: |t| !t.flags.badsum,
        ..Matching::first_byte(MAX_LAG, 0.0)
    };
    match_samples(&r.run, &r.truth, &m)
        .iter()
        .map(|t| t.seq)
        .collect()
}

fn story(r: &Run) -> String {
    format!("{}\n{}", simrun::story(&r.truth), r.stderr)
}

/// Frames written while the program surely had the device open.
fn window(mode: u8, r: &Run) -> Vec<&TruthRecord> {
    r.truth
        .iter()
        .filter(|t| {
            t.named.is_some()
                && on_time(mode, t).is_some_and(|w| w > r.started + 2.0 && w < r.stopped - 0.3)
        })
        .collect()
}

fn clean(mode: u8) {
    let r = run(mode, "", 7.0);
    let seqs = check(mode, &r);
    let window = window(mode, &r);
    // Polled once per poll interval (2 s): RCC8000, SEL240x.
    let least = if matches!(mode, 11 | 24) { 2 } else { 4 };
    assert!(window.len() >= least, "mode {mode}\n{}", story(&r));
    for t in window {
        assert!(
            seqs.contains(&t.seq),
            "mode {mode}: no sample of {t}\n{}",
            story(&r)
        );
    }
}

#[test]
fn dcf7000_clean() {
    clean(3);
}

#[test]
fn schmid_clean() {
    clean(4);
}

#[test]
fn rcc8000_clean() {
    clean(11);
}

#[test]
fn hopf6021_clean() {
    clean(12);
}

#[test]
fn computime_clean() {
    clean(13);
}

#[test]
fn wharton_clean() {
    clean(15);
}

#[test]
fn varitext_clean() {
    clean(17);
}

#[test]
fn sel240x_clean() {
    clean(24);
}

/// Every third frame spoilt, garbage after each: the spoilt ones give no
/// sample and are logged as bad timecodes; garbage costs at most the frame
/// it sticks to, and the clock goes on (libparse's DCF7000 would lose
/// every frame after the first stray byte).
fn spoilt(mode: u8) {
    let r = run(mode, "badsum:every=3+garbage:bytes=5", 9.0);
    let seqs = check(mode, &r);
    let window = window(mode, &r);
    let bad = window.iter().filter(|t| t.flags.badsum).count();
    assert!(bad >= 1, "mode {mode}\n{}", story(&r));
    assert!(
        seqs.len() >= 2
            && seqs
                .iter()
                .filter(|&&s| window.iter().any(|t| t.seq == s))
                .count()
                >= 2,
        "mode {mode}: {} samples\n{}",
        seqs.len(),
        story(&r)
    );
    assert!(
        r.stderr
            .lines()
            .filter(|l| l.contains("bad timecode"))
            .count()
            >= 1,
        "mode {mode}\n{}",
        r.stderr
    );
}

#[test]
fn dcf7000_spoilt_frames_and_garbage() {
    spoilt(3);
}

#[test]
fn wharton_spoilt_frames_and_garbage() {
    spoilt(15);
}
