//! The HP GPS process tests' pieces (included by `cli_hpgps.rs` beside
//! `common`): the simulated HP with its truth,
//! `ntp-refclock` reading it, and each sample matched to the timecode it
//! came from.

#![allow(dead_code, reason = "each test file uses its own subset")]

use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use refclock_sim::{
    device_model, parse_scenarios, DeviceSetup, SimConfig, SimHandle, Simulator, TruthRecord,
};

use crate::common::{lines_of, parse_sample, spawn, terminate, Sample};

/// The driver type.
pub const HPGPS: u8 = 26;

/// How long after a timecode's CR was written the driver reads it, as a
/// median over a run: the wake-up latency of a loaded 2-core machine
/// running tests in parallel, far below the 1 s a wrong second would
/// make.
pub const LAG: f64 = 0.05;

/// The longest a single read may lag: beside busy loops a read now and
/// then comes 100-300 ms late; still half the time between timecodes, so
/// a sample is never taken for the next or the previous one.
pub const MAX_LAG: f64 = 0.5;

/// The median of `values`.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `time1` for a mode: the CR arrives 0.955 s (9600 baud, mode 0) or
/// 0.9675 s (19200 baud, mode 1) before the second the timecode names.
pub fn time1(mode: u32) -> f64 {
    if mode == 1 {
        -0.9675
    } else {
        -0.955
    }
}

/// The simulated HP of `mode` with device `options` (`tz=-5,0`) and
/// `scenarios`, paced at the speed the driver sets.
pub fn simulator(mode: u32, options: &[(&str, &str)], scenarios: &str) -> SimHandle {
    simulator_at(mode, options, scenarios, None)
}

/// [`simulator`], its slave linked at `link` (a device that vanishes
/// comes back as a new pty at the same link).
pub fn simulator_at(
    mode: u32,
    options: &[(&str, &str)],
    scenarios: &str,
    link: Option<PathBuf>,
) -> SimHandle {
    let device = device_model(HPGPS, &DeviceSetup::new(mode, options)).expect("the simulated HP");
    Simulator::start(SimConfig {
        scenarios: parse_scenarios(scenarios).expect("scenarios"),
        link,
        ..SimConfig::new(device)
    })
    .expect("simulator")
}

/// What one run gave.
#[derive(Debug)]
pub struct Run {
    /// The samples printed.
    pub samples: Vec<Sample>,
    /// The simulator's records, the answers written.
    pub truth: Vec<TruthRecord>,
    /// ntp-refclock's stderr.
    pub err: String,
    /// Its exit code.
    pub code: Option<i32>,
}

/// Runs `ntp-refclock OPTIONS 127.127.26.0 path SIM time1 T1 DRIVER_OPTIONS`
/// for `secs` seconds against `sim`, then stops it with SIGTERM.
pub fn run(sim: &SimHandle, mode: u32, options: &[&str], driver: &[&str], secs: f64) -> Run {
    let path = sim.path().to_str().unwrap().to_string();
    let t1 = time1(mode).to_string();
    let mode_s = mode.to_string();
    let mut args: Vec<&str> = options.to_vec();
    args.extend(["127.127.26.0", "path", &path, "time1", &t1, "mode", &mode_s]);
    args.extend(driver);
    let mut child = spawn(&args);
    let lines = lines_of(&mut child);
    thread::sleep(Duration::from_secs_f64(secs));
    let (code, err) = terminate(&mut child, 15);
    // The reader thread has seen everything once the pipe closed.
    thread::sleep(Duration::from_millis(100));
    let samples = lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
    Run {
        samples,
        truth: sim.truth(),
        err,
        code,
    }
}

/// The timecode a sample came from: the last one whose CR was written
/// before the sample's time (the receive time of the CR) and within
/// [`MAX_LAG`] of it.
pub fn source_of<'a>(s: &Sample, truth: &'a [TruthRecord]) -> Option<&'a TruthRecord> {
    truth
        .iter()
        .rev()
        .filter(|t| t.kind == "TCODE" && t.named.is_some())
        .find(|t| {
            t.eol.is_some_and(|eol| {
                let lag = s.time - eol.as_secs_f64();
                (-0.001..MAX_LAG).contains(&lag)
            })
        })
}

/// Every sample came from a timecode that was written whole and carries
/// exactly its offset: named − CR written + time1, less the time from the
/// write to the read (the sample's time); the reads lag [`LAG`] at the
/// median. Returns the sources in order.
pub fn check_against_truth(run: &Run, mode: u32) -> Vec<&TruthRecord> {
    assert!(!run.samples.is_empty(), "no sample: {}", run.err);
    let mut sources = Vec::new();
    let mut lags = Vec::new();
    for s in &run.samples {
        let Some(t) = source_of(s, &run.truth) else {
            panic!(
                "sample {s:?} follows no timecode; truth: {:#?}\n{}",
                run.truth, run.err
            )
        };
        assert!(
            !t.flags.badsum && !t.flags.not_written() && !t.flags.overflow,
            "a sample from a spoilt timecode: {s:?} {t:?}"
        );
        let expected = t.expected_offset(time1(mode)).unwrap();
        let lag = s.time - t.eol.unwrap().as_secs_f64();
        // The sample's time is printed to the microsecond.
        assert!(
            (expected - s.offset - lag).abs() < 2e-6,
            "offset {} expected {expected} − lag {lag}: {t:?}",
            s.offset
        );
        lags.push(lag);
        sources.push(t);
    }
    assert!(median(&lags) < LAG, "read lags {lags:?}");
    // One sample per timecode: the sources differ.
    for w in sources.windows(2) {
        assert!(w[0].seq < w[1].seq, "{w:?}");
    }
    sources
}

/// The 23 characters of a timecode record (its text goes on with the
/// line end and the prompt).
pub fn timecode_text(t: &TruthRecord) -> &str {
    &t.text[..23.min(t.text.len())]
}
