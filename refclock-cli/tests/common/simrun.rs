//! `ntp-refclock` against a simulated device on a pseudo-terminal: start
//! the device, run the program for a while, and match each sample to the
//! message of the simulator's truth log it came from.
//!
//! Include it beside `common` with
//! `#[path = "common/simrun.rs"] mod simrun;`.

#![allow(dead_code, reason = "each test file uses its own subset")]

use std::thread;
use std::time::Duration;

use refclock_core::os::clock::now;
use refclock_core::Timestamp;
use refclock_sim::{
    device_model, parse_scenarios, DeviceSetup, SimConfig, SimHandle, Simulator, TruthRecord,
};

use super::common::{lines_of, parse_sample, spawn, terminate, Sample};

/// The simulated device of driver type `kind` in `mode`, with device
/// `options` and `scenarios` (the simulator's `kind:key=value+...`).
pub fn simulator(kind: u8, mode: u32, options: &[(&str, &str)], scenarios: &str) -> SimHandle {
    Simulator::start(SimConfig {
        scenarios: parse_scenarios(scenarios).unwrap(),
        ..SimConfig::new(device_model(kind, &DeviceSetup::new(mode, options)).unwrap())
    })
    .unwrap()
}

/// `-P 50` (SCHED_FIFO, memory locked) when this process may grant it
/// (CAP_SYS_NICE and CAP_IPC_LOCK, as root): most reads are then prompt
/// even on a busy host.
pub fn priority_args() -> &'static [&'static str] {
    let caps = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
        })
        .unwrap_or(0);
    const SYS_NICE: u64 = 1 << 23;
    const IPC_LOCK: u64 = 1 << 14;
    if caps & SYS_NICE != 0 && caps & IPC_LOCK != 0 {
        &["-P", "50"]
    } else {
        &[]
    }
}

/// What one run of the program gave.
pub struct Run {
    /// Its `SAMPLE:` lines.
    pub samples: Vec<Sample>,
    /// Everything it wrote to stderr.
    pub stderr: String,
    /// When it was started (seconds since the epoch).
    pub started: f64,
    /// When it was told to stop.
    pub stopped: f64,
}

/// `ntp-refclock ARGS` for `seconds`, stopped with SIGTERM; it must exit
/// 0 without a panic. Lines on stdout other than samples are ignored.
pub fn run_program(args: &[&str], seconds: f64) -> Run {
    let started = now().as_secs_f64();
    let mut child = spawn(args);
    let lines = lines_of(&mut child);
    thread::sleep(Duration::from_secs_f64(seconds));
    let stopped = now().as_secs_f64();
    let (code, stderr) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    thread::sleep(Duration::from_millis(100));
    let samples = lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
    Run {
        samples,
        stderr,
        started,
        stopped,
    }
}

/// The truth log, one record a line, for failure messages.
pub fn story(truth: &[TruthRecord]) -> String {
    let lines: Vec<String> = truth.iter().map(|t| t.to_string()).collect();
    lines.join("\n")
}

/// How samples are matched to the messages they came from.
pub struct Matching<'a> {
    /// Only records of this kind (`TIME`, `RTM`...); `None` = any that
    /// names a second.
    pub kind: Option<&'a str>,
    /// When a record's on-time byte was written.
    pub on_time: fn(&TruthRecord) -> Option<Timestamp>,
    /// How much earlier than that write a read may be stamped (a read
    /// stamped when the program woke for the bytes before it).
    pub early: f64,
    /// How much later than that write a read may come (a pty on a busy
    /// two-core host).
    pub max_lag: f64,
    /// The program's `time1`, in the sample's offset.
    pub time1: f64,
    /// Whether a sample may come from the record (whole, good checksum,
    /// in sync...).
    pub accept: fn(&TruthRecord) -> bool,
    /// The leap indicator every sample must carry, if one is required.
    pub leap: Option<u8>,
}

impl Matching<'_> {
    /// Records of any kind, on time at their first byte, read within
    /// `max_lag`, that must be written whole and in sync.
    pub fn first_byte(max_lag: f64, time1: f64) -> Matching<'static> {
        Matching {
            kind: None,
            on_time: |t| t.first,
            early: 2e-6,
            max_lag,
            time1,
            accept: TruthRecord::ok,
            leap: Some(0),
        }
    }
}

/// Each sample's record, checked: one was written in time, `accept`s it,
/// the offset is exactly named − receive time + time1 (within 2 µs), the
/// leap indicator is `m.leap` (when given), and no record gives two samples. Returns
/// the records in sample order.
pub fn match_samples<'a>(
    run: &Run,
    truth: &'a [TruthRecord],
    m: &Matching,
) -> Vec<&'a TruthRecord> {
    let mut sources: Vec<&TruthRecord> = Vec::new();
    for s in &run.samples {
        let t = truth
            .iter()
            .filter(|t| t.named.is_some() && m.kind.is_none_or(|k| t.kind == k))
            .find(|t| {
                (m.on_time)(t)
                    .is_some_and(|w| (-m.early..m.max_lag).contains(&(s.time - w.as_secs_f64())))
            })
            .unwrap_or_else(|| {
                panic!(
                    "sample {s:?} has no message\n{}\n{}",
                    story(truth),
                    run.stderr
                )
            });
        assert!((m.accept)(t), "sample {s:?} from {t}");
        if let Some(leap) = m.leap {
            assert_eq!(s.leap, leap, "{s:?}");
        }
        let exact = t.named.unwrap().as_secs_f64() - s.time + m.time1;
        assert!((s.offset - exact).abs() < 2e-6, "{s:?} vs {exact} ({t})");
        assert!(
            !sources.iter().any(|u| u.seq == t.seq),
            "two samples of {t}"
        );
        sources.push(t);
    }
    sources
}

/// The records of `kind` whose first byte was written while the program
/// surely had the device open: from `settle` seconds after its start to
/// 0.3 s before it was told to stop.
pub fn written_while_open<'a>(
    run: &Run,
    truth: &'a [TruthRecord],
    kind: &str,
    settle: f64,
) -> Vec<&'a TruthRecord> {
    truth
        .iter()
        .filter(|t| {
            t.kind == kind
                && t.first.is_some_and(|f| {
                    let f = f.as_secs_f64();
                    f > run.started + settle && f < run.stopped - 0.3
                })
        })
        .collect()
}
