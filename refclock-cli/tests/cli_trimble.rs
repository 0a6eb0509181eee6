//! `ntp-refclock` with the Trimble driver (type 29) against the simulated
//! receivers on a pseudo-terminal: the 1 Hz packets (Thunderbolt's
//! 8F-AB, the RES 720's TSIPv1 A1-00, the Palisade's 8F-AD with `flag2`,
//! the Copernicus' 0x41) give samples that agree with the simulator's
//! truth log (offset = the second the packet names − the time its first
//! byte was read + time1, within the read's wake-up latency), damaged
//! packets give none and are counted, the leap warning of 8F-AC reaches
//! the samples, and the polled receivers (ACE III's 0x21, the Acutime's
//! event byte) give samples whose reference is the poll's time.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use refclock_sim::{DeviceSetup, SimConfig, SimHandle, Simulator, TruthRecord};
use simrun::{match_samples, priority_args, story, Matching, Run};

/// A sample's packet is the one whose first byte was written at most this
/// long before the sample's receive time. A pty hands written bytes to the
/// reader through a kernel worker that a busy host (two cores, both busy)
/// delays by hundreds of ms now and then; packets are a second apart, so
/// the match stays unambiguous.
const MAX_LAG: f64 = 0.5;

fn simulator(mode: u32, flag2: bool, options: &[(&str, &str)], scenarios: &str) -> SimHandle {
    let mut setup = DeviceSetup::new(mode, options);
    if flag2 {
        setup.fudge.flags |= refclock_core::ClockFlags::FLAG2;
    }
    Simulator::start(SimConfig {
        scenarios: refclock_sim::parse_scenarios(scenarios).unwrap(),
        ..SimConfig::new(refclock_sim::device_model(29, &setup).unwrap())
    })
    .unwrap()
}

/// `ntp-refclock -d -i 0 127.127.29.0 mode M path PATH time1 T [extra]`
/// for `seconds`, stopped with SIGTERM.
fn run_program(path: &str, mode: &str, time1: &str, extra: &[&str], seconds: f64) -> Run {
    let mut args = priority_args().to_vec();
    args.extend([
        "-d",
        "-i",
        "0",
        "127.127.29.0",
        "mode",
        mode,
        "path",
        path,
        "time1",
        time1,
    ]);
    args.extend_from_slice(extra);
    simrun::run_program(&args, seconds)
}

/// Every sample comes from one packet of `kind` written whole, from a
/// good second, with `named − time + time1` exactly and its first byte
/// read within [`MAX_LAG`]; no packet gives two. Returns them.
fn check<'a>(run: &Run, truth: &'a [TruthRecord], kind: &str, time1: f64) -> Vec<&'a TruthRecord> {
    let m = Matching {
        kind: Some(kind),
        leap: None,
        ..Matching::first_byte(MAX_LAG, time1)
    };
    match_samples(run, truth, &m)
}

/// The packets of `kind` written while the program surely had the device
/// open and was polling.
fn window<'a>(run: &Run, truth: &'a [TruthRecord], kind: &str) -> Vec<&'a TruthRecord> {
    truth
        .iter()
        .filter(|t| {
            t.kind == kind
                && t.first.is_some_and(|f| {
                    let f = f.as_secs_f64();
                    f > run.started + 3.0 && f < run.stopped - 0.3
                })
        })
        .collect()
}

/// One poll a second, one sample a poll from a good packet: most good
/// packets in the window give one.
fn most(sources: &[&TruthRecord], packets: &[&TruthRecord], slack: usize, truth: &[TruthRecord]) {
    let good = packets.iter().filter(|t| t.ok()).count();
    assert!(
        packets.len() >= 4 && sources.len() + slack >= good && sources.len() >= 2,
        "{} samples of {good} good packets\n{}",
        sources.len(),
        story(truth)
    );
}

#[test]
fn thunderbolt_damaged_packets_give_nothing_and_are_counted() {
    let sim = simulator(2, false, &[], "badsum:every=3");
    let run = run_program(sim.path().to_str().unwrap(), "2", "0.0", &[], 9.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "8F-AB", 0.0);
    let packets = window(&run, &truth, "8F-AB");
    most(&sources, &packets, 3, &truth);
    assert!(run.samples.iter().all(|s| s.leap == 0), "{:?}", run.samples);
    if truth.iter().any(|t| t.flags.badsum) {
        assert!(run.stderr.contains("bad_format"), "{}", run.stderr);
    }
}

#[test]
fn res720_tsipv1_gives_samples_and_bad_checksums_nothing() {
    let sim = simulator(2, false, &[("tsipv1", "1")], "badsum:every=4");
    let run = run_program(sim.path().to_str().unwrap(), "2", "0.01", &[], 9.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "A1-00", 0.01);
    let packets = window(&run, &truth, "A1-00");
    most(&sources, &packets, 3, &truth);
    if packets.iter().any(|t| t.flags.badsum) {
        assert!(run.stderr.contains("checksum"), "{}", run.stderr);
    }
}

#[test]
fn resolution_leap_warning_from_8f_ac() {
    let sim = simulator(5, false, &[], "leap:at=2026-12-31,before=30");
    let run = run_program(sim.path().to_str().unwrap(), "5", "0.0", &[], 8.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "8F-AB", 0.0);
    assert!(sources.len() >= 3, "{}\n{}", story(&truth), run.stderr);
    // All before the leap second, after the first 8F-AC: announced.
    assert!(
        run.samples[1..].iter().all(|s| s.leap == 1),
        "{:?}",
        run.samples
    );
}

#[test]
fn palisade_with_flag2_and_copernicus_use_the_1hz_packets() {
    let sim = simulator(0, true, &[], "invalid:for=2,every=6,after=3");
    let run = run_program(
        sim.path().to_str().unwrap(),
        "0",
        "0.0",
        &["flag2", "1"],
        9.0,
    );
    let truth = sim.truth();
    let sources = check(&run, &truth, "8F-AD", 0.0);
    let packets = window(&run, &truth, "8F-AD");
    most(&sources, &packets, 3, &truth);

    let sim = simulator(7, false, &[], "");
    let run = run_program(sim.path().to_str().unwrap(), "7", "0.0", &[], 8.0);
    let truth = sim.truth();
    let sources = check(&run, &truth, "41", 0.0);
    let packets = window(&run, &truth, "41");
    most(&sources, &packets, 2, &truth);
}

#[test]
fn ace_and_acutime_are_polled() {
    for (mode, kind) in [(6, "41"), (3, "8F-AD")] {
        let sim = simulator(mode, false, &[], "");
        let m = mode.to_string();
        let run = run_program(sim.path().to_str().unwrap(), &m, "0.0", &[], 8.0);
        let truth = sim.truth();
        let answers = truth.iter().filter(|t| t.kind == kind).count();
        assert!(
            run.samples.len() >= 3 && answers >= run.samples.len(),
            "mode {mode}: {:?}\n{}\n{}",
            run.samples,
            story(&truth),
            run.stderr
        );
        // The answer states the time the device read the poll: the offset
        // is the answer's own precision (0x41's single float: 1/32 s at
        // the end of the week) and the pty's lag to the device, which a
        // busy host makes a few hundred ms; never a second.
        for s in &run.samples {
            assert!(s.offset.abs() < 0.6, "mode {mode}: {s:?}");
        }
    }
}

#[test]
fn week_rollover_bug_is_unfolded() {
    // Dates 1024 weeks in the past, as a receiver with the roll-over bug
    // sends them: each sample names the wall-clock second of its packet.
    for (mode, kind) in [(2, "8F-AB"), (7, "41")] {
        let sim = simulator(mode, false, &[], "rollover");
        let m = mode.to_string();
        let run = run_program(sim.path().to_str().unwrap(), &m, "0.0", &[], 7.0);
        let truth = sim.truth();
        assert!(run.samples.len() >= 3, "mode {mode}: {}", run.stderr);
        for s in &run.samples {
            let t = truth
                .iter()
                .filter(|t| t.kind == kind)
                .find(|t| {
                    t.first
                        .is_some_and(|f| (-2e-6..MAX_LAG).contains(&(s.time - f.as_secs_f64())))
                })
                .unwrap_or_else(|| panic!("mode {mode}: {s:?} has no packet\n{}", story(&truth)));
            let reference = s.time + s.offset;
            assert!(
                (reference - t.wall as f64).abs() < 2e-6,
                "mode {mode}: {s:?} names {reference}, not {t}"
            );
        }
    }
}
