//! `ntp-refclock` with the JJY driver (type 40) against the simulated
//! receivers on a pseudo-terminal, one per mode: every sample agrees with
//! the simulator's truth log (offset = the second the reply names − the
//! time its end byte was read + time1; the LT-2000's line comes half a
//! second before its second), damaged replies give none and are counted.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::TruthRecord;
use simrun::{match_samples, priority_args, simulator, story, Matching, Run};

/// A reply's end byte was written at most this long before the sample's
/// receive time (a pty on a busy two-core host).
const MAX_LAG: f64 = 0.4;

/// `ntp-refclock -d -i POLL 127.127.40.0 mode M path PATH` for `seconds`.
fn run_program(path: &str, mode: &str, poll: &str, extra: &[&str], seconds: f64) -> Run {
    let mut args = priority_args().to_vec();
    args.extend(["-d", "-i", poll, "127.127.40.0", "mode", mode, "path", path]);
    args.extend_from_slice(extra);
    simrun::run_program(&args, seconds)
}

/// Each sample from one reply of `kind`, read at its end byte, with
/// `named − read + shift`; at least `min` of them.
fn check<'a>(
    run: &Run,
    truth: &'a [TruthRecord],
    kind: &str,
    shift: f64,
    min: usize,
) -> Vec<&'a TruthRecord> {
    let m = Matching {
        kind: Some(kind),
        on_time: |t| t.eol,
        ..Matching::first_byte(MAX_LAG, shift)
    };
    let sources = match_samples(run, truth, &m);
    assert!(
        sources.len() >= min,
        "{} samples\n{}\n{}",
        sources.len(),
        story(truth),
        run.stderr
    );
    sources
}

fn clean(mode: u32, kind: &str, poll: &str, shift: f64, min: usize) {
    let sim = simulator(40, mode, &[], "");
    let m = mode.to_string();
    let seconds = if mode == 5 { 7.0 } else { 4.5 };
    let run = run_program(sim.path().to_str().unwrap(), &m, poll, &[], seconds);
    check(&run, &sim.truth(), kind, shift, min);
    // A receiver that answers at the next second races a poll every
    // second: on a busy host an answer late past the next poll is taken
    // for the next dialogue's and refused (the TS-GPSclock-01's dialogue
    // takes two seconds, and the host's first two polls are a second
    // apart). Those that only listen never see a bad reply.
    if matches!(mode, 4 | 6) {
        assert!(!run.stderr.contains("bad_format"), "{}", run.stderr);
    }
}

#[test]
fn tristate_jjy01_stim() {
    clean(1, "STIM", "0", 0.0, 2);
}

#[test]
fn cdex_jst2000() {
    clean(2, "JST2000", "0", 0.0, 2);
}

#[test]
fn echo_lt2000_half_a_second_before() {
    clean(3, "LT2000", "0", -0.5, 1);
}

#[test]
fn citizen_jjy200() {
    clean(4, "JJY200", "0", 0.0, 2);
}

#[test]
fn tristate_gps01() {
    clean(5, "TIME", "2", 0.0, 1);
}

#[test]
fn seiko_tdc300() {
    clean(6, "TYPE3", "0", 0.0, 2);
}

/// Damaged replies (a digit replaced) give no sample and are counted;
/// the status commands of flag1 are asked and answered.
#[test]
fn damaged_replies_are_counted() {
    let sim = simulator(40, 1, &[], "badsum:every=2");
    let path = sim.path().to_str().unwrap().to_string();
    let run = run_program(&path, "1", "0", &["flag1", "1"], 5.0);
    let truth = sim.truth();
    let m = Matching {
        kind: Some("STIM"),
        on_time: |t| t.eol,
        ..Matching::first_byte(MAX_LAG, 0.0)
    };
    match_samples(&run, &truth, &m);
    if truth.iter().any(|t| t.flags.badsum) {
        assert!(run.stderr.contains("bad_format"), "{}", run.stderr);
    }
    assert!(truth.iter().any(|t| t.kind == "STUS"), "{}", story(&truth));
}

/// Telephone JJY (mode 100) through the simulated modem: one call, its
/// sample from the last `TIME` answer, exact against the truth log.
#[test]
fn telephone_mode_100_one_call() {
    let sim = simulator(40, 100, &[("connect-delay", "200")], "");
    let path = sim.path().to_str().unwrap().to_string();
    let mut args = priority_args().to_vec();
    args.extend([
        "-d",
        "-i",
        "0",
        "-p",
        "042-234-5678",
        "127.127.40.0",
        "mode",
        "100",
        "path",
        &path,
        "option",
        "call-interval=0",
    ]);
    let run = simrun::run_program(&args, 11.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "TIME", 0.0, 1);
    assert_eq!(sources.len(), 1, "{}", run.stderr);
}

/// Mode 150 measures the round trip with `LOOP` first and adds half of
/// it: the sample comes from the last `TIME` answer, later than the
/// exact offset by at most half a round trip on a pty (a few ms).
#[test]
fn telephone_mode_150_adds_half_the_loopback_delay() {
    let sim = simulator(40, 150, &[("connect-delay", "200")], "");
    let path = sim.path().to_str().unwrap().to_string();
    let mut args = priority_args().to_vec();
    args.extend([
        "-d",
        "-i",
        "0",
        "-p",
        "0422345678",
        "127.127.40.0",
        "mode",
        "150",
        "path",
        &path,
        "option",
        "call-interval=0",
    ]);
    let run = simrun::run_program(&args, 11.0);
    let truth = sim.truth();
    assert_eq!(run.samples.len(), 1, "{}\n{}", story(&truth), run.stderr);
    let s = &run.samples[0];
    let t = truth
        .iter()
        .filter(|t| t.kind == "TIME")
        .filter_map(|t| Some((t, t.eol?.as_secs_f64())))
        .find(|(_, eol)| (0.0..MAX_LAG).contains(&(s.time - eol)))
        .unwrap_or_else(|| panic!("{s:?}\n{}", story(&truth)))
        .0;
    let exact = t.named.unwrap().as_secs_f64() - s.time;
    let extra = s.offset - exact;
    assert!((0.0..0.05).contains(&extra), "{s:?}: {extra} over {exact}");
}
