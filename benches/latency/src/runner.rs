//! Measuring one configuration: two simulated receivers, the real
//! `ntp-refclock` on one and the floor reader on the other, in the same
//! seconds.
//!
//! The two simulators run side by side, the floor's with its on-time byte
//! half a second after ours, so that the two line ends that are measured
//! never come at the same instant (on a machine with few CPUs, two
//! readers woken together would delay each other), while both readers
//! share whatever else the machine is doing in those seconds.
//!
//! Timeline (wall seconds; `W` the first whole second after start):
//! * `W`, `W + 1`: warm-up (the driver syncs to the line, start-up costs);
//! * `[W + 2, W + 2 + N)`: the window; every figure comes from sentences
//!   written in it. At 0.9 s into the last warm-up second and into the last
//!   window second (both quiet: every sentence of the second has been read)
//!   `/proc` is read for the CPU time, so the difference is the CPU of
//!   exactly `N` seconds' input;
//! * then `ntp-refclock` gets SIGTERM, the simulators stop.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use refclock_core::os::{now, privs};
use refclock_core::Timestamp;
use refclock_sim::{SimError, SimHandle, Simulator};

use crate::config::Configuration;
use crate::floor::{FloorArgs, FloorReport};
use crate::matching::{floor_latencies, match_samples, SampleLine};
use crate::procfs::{self, ProcSnapshot};
use crate::stats::{MeanSd, Spread};

/// Seconds before the window.
pub const WARMUP_SECONDS: i64 = 2;
/// The floor simulator's on-time byte comes this long after ours.
pub const FLOOR_SHIFT: Duration = Duration::from_millis(500);
/// Tolerance when pairing a sample with a line end (the sample's time is
/// rounded to the microsecond).
pub const MATCH_SLACK: f64 = 2e-6;

/// Why a configuration could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A simulator did not start.
    #[error("simulator: {0}")]
    Sim(#[from] SimError),
    /// A process could not be started or waited for.
    #[error("{what}: {source}")]
    Process {
        /// Which process, doing what.
        what: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// `ntp-refclock` ended before the measurement was over.
    #[error("ntp-refclock ended early ({status}): {stderr}")]
    EndedEarly {
        /// Its exit status.
        status: String,
        /// What it wrote on stderr.
        stderr: String,
    },
    /// The floor reader failed.
    #[error("floor reader: {0}")]
    Floor(String),
    /// Building `ntp-refclock` failed.
    #[error("building ntp-refclock: {0}")]
    Build(String),
}

/// The figures of one configuration.
#[derive(Clone, Debug)]
pub struct Measurement {
    /// Seconds in the window.
    pub seconds: u64,
    /// Samples paired with a sentence written in the window.
    pub samples: usize,
    /// Samples that no sentence could be paired with.
    pub unmatched: usize,
    /// Samples taken from a sentence other than the on-time one.
    pub not_on_time: usize,
    /// Latency vs the line end (CR), µs.
    pub latency_eol: Spread,
    /// Latency vs the on-time byte (`$`), µs.
    pub latency_first: Spread,
    /// Reported offset − `named − eol + time2`, µs.
    pub offset_error: MeanSd,
    /// Reported offset (true offset 0), µs.
    pub offset: MeanSd,
    /// The floor's latency vs the line end, µs (`None`: no reads paired).
    pub floor: Option<Spread>,
    /// On-time sentences the floor reader read in the window.
    pub floor_samples: usize,
    /// On-time sentences in the window the floor reader never saw.
    pub floor_missing: usize,
    /// Why the floor reader could not take SCHED_FIFO, when asked to.
    pub floor_rt_failure: Option<String>,
    /// CPU time of `ntp-refclock` per 1000 samples, ms, from `utime +
    /// stime` at the end of the window over all samples it printed (start-up
    /// included; clock-tick resolution).
    pub cpu_stat_ms: f64,
    /// CPU time per 1000 samples within the window, ms, from `schedstat`
    /// (nanoseconds); `None` without schedstat.
    pub cpu_window_ms: Option<f64>,
    /// CPU time of the floor reader within the window per 1000 seconds
    /// (as many on-time sentences), ms, from `schedstat`.
    pub floor_cpu_window_ms: Option<f64>,
    /// Peak resident memory of `ntp-refclock` (VmHWM), KiB.
    pub vm_hwm_kib: u64,
}

/// The result of one configuration.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Measured.
    Measured(Box<Measurement>),
    /// Could not run in this environment (e.g. `-P` not permitted).
    NotAvailable(String),
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Row {
    /// What was measured.
    pub config: Configuration,
    /// The `time2` given to `ntp-refclock`, seconds.
    pub time2: f64,
    /// Length of the on-time sentence up to its line end, bytes.
    pub on_time_length: usize,
    /// The figures, or why there are none.
    pub outcome: Outcome,
}

/// Where the two programs are.
#[derive(Clone, Debug)]
pub struct Programs {
    /// `ntp-refclock`.
    pub ntp_refclock: PathBuf,
    /// This benchmark's executable (started again as the floor reader).
    pub bench: PathBuf,
}

fn sleep_until(t: Timestamp) {
    let d = t.diff(now());
    if d > 0.0 {
        thread::sleep(Duration::from_secs_f64(d));
    }
}

fn spawn_err(what: &str) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Process {
        what: what.to_string(),
        source,
    }
}

/// The `ntp-refclock` command line for `config` on device `path`.
pub fn ntp_refclock_args(
    config: &Configuration,
    path: &Path,
    time2: f64,
    root: bool,
) -> Vec<String> {
    let mut a = Vec::new();
    if let Some(p) = config.priority {
        a.extend(["-P".to_string(), p.to_string()]);
    }
    if root {
        // The device must stay reachable after the privilege drop.
        a.extend(["-r", "/", "-u", "root"].map(String::from));
    }
    a.extend([
        "127.127.20.0".to_string(),
        "path".to_string(),
        path.display().to_string(),
        "time2".to_string(),
        format!("{time2:.9}"),
    ]);
    a
}

/// Sends SIGTERM to the child (by its pid) and waits up to 5 s for it,
/// then kills it.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `ntp-refclock` running, its output collected by two threads.
struct Refclock {
    child: Child,
    samples: Arc<Mutex<Vec<SampleLine>>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<thread::JoinHandle<()>>,
}

impl Refclock {
    fn spawn(bin: &Path, args: &[String]) -> Result<Refclock, BenchError> {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(spawn_err("starting ntp-refclock"))?;
        let samples = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            let samples = Arc::clone(&samples);
            readers.push(thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if let Some(s) = SampleLine::parse(&line) {
                        samples.lock().unwrap_or_else(|e| e.into_inner()).push(s);
                    }
                }
            }));
        }
        if let Some(mut err) = child.stderr.take() {
            let stderr = Arc::clone(&stderr);
            readers.push(thread::spawn(move || {
                let mut s = String::new();
                let _ = err.read_to_string(&mut s);
                stderr
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_str(&s);
            }));
        }
        Ok(Refclock {
            child,
            samples,
            stderr,
            readers,
        })
    }

    fn count(&self) -> usize {
        self.samples.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// `Err` with its status and stderr when it has exited.
    fn check_running(&mut self) -> Result<(), BenchError> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => {
                let readers = std::mem::take(&mut self.readers);
                for r in readers {
                    let _ = r.join();
                }
                Err(BenchError::EndedEarly {
                    status: status.to_string(),
                    stderr: self
                        .stderr
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .trim()
                        .to_string(),
                })
            }
            Err(e) => Err(spawn_err("waiting for ntp-refclock")(e)),
        }
    }

    fn snapshot(&self) -> Result<ProcSnapshot, BenchError> {
        procfs::snapshot(self.child.id()).map_err(spawn_err("reading /proc of ntp-refclock"))
    }

    fn finish(mut self) -> Vec<SampleLine> {
        terminate(&mut self.child);
        for r in self.readers {
            let _ = r.join();
        }
        let v = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        v.clone()
    }
}

fn stop(sim: &mut SimHandle) -> Vec<refclock_sim::TruthRecord> {
    let _ = sim.stop();
    sim.truth()
}

/// Measures one configuration over `seconds` seconds.
pub fn run(programs: &Programs, config: &Configuration, seconds: u64) -> Result<Row, BenchError> {
    let receiver = &config.receiver;
    let time2 = receiver.nominal_time2()?;
    let on_time_length = receiver.on_time_length()?;
    let row = |outcome| Row {
        config: config.clone(),
        time2,
        on_time_length,
        outcome,
    };

    let mut ours = Simulator::start(receiver.sim_config(Duration::ZERO)?)?;
    let mut theirs = Simulator::start(receiver.sim_config(FLOOR_SHIFT)?)?;
    let first_wall = now().secs() + 1;
    let window = (
        first_wall + WARMUP_SECONDS,
        first_wall + WARMUP_SECONDS + seconds as i64,
    );

    let floor_args = FloorArgs {
        path: theirs.path().to_path_buf(),
        until: Timestamp::from_secs(window.1).add_secs_f64(0.05),
        priority: config.priority,
    };
    let mut floor = Command::new(&programs.bench)
        .args(floor_args.to_args())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_err("starting the floor reader"))?;

    let args = ntp_refclock_args(config, ours.path(), time2, privs::is_root());
    let mut refclock = Refclock::spawn(&programs.ntp_refclock, &args)?;

    let quiet = |wall: i64| Timestamp::from_secs(wall).add_secs_f64(-0.1);
    sleep_until(quiet(window.0));
    if let Err(e) = refclock.check_running() {
        let _ = refclock.finish();
        terminate(&mut floor);
        stop(&mut ours);
        stop(&mut theirs);
        return match (config.priority, e) {
            (Some(_), BenchError::EndedEarly { stderr, .. }) => {
                Ok(row(Outcome::NotAvailable(format!("-P refused: {stderr}"))))
            }
            (_, e) => Err(e),
        };
    }
    let start_snap = refclock.snapshot()?;
    let start_count = refclock.count();
    let floor_start = procfs::snapshot(floor.id()).ok();
    sleep_until(quiet(window.1));
    refclock.check_running()?;
    let end_snap = refclock.snapshot()?;
    let end_count = refclock.count();
    let floor_end = procfs::snapshot(floor.id()).ok();
    let samples = refclock.finish();

    let floor_out = floor
        .wait_with_output()
        .map_err(spawn_err("waiting for the floor reader"))?;
    let truth = stop(&mut ours);
    let floor_truth = stop(&mut theirs);
    if !floor_out.status.success() {
        return Err(BenchError::Floor(format!(
            "{}: {}",
            floor_out.status,
            String::from_utf8_lossy(&floor_out.stderr).trim()
        )));
    }
    let floor_report = FloorReport::parse(&String::from_utf8_lossy(&floor_out.stdout))
        .map_err(BenchError::Floor)?;

    let (matched, unmatched) = match_samples(&samples, &truth, time2, MATCH_SLACK);
    let in_window: Vec<_> = matched
        .iter()
        .filter(|m| m.wall >= window.0 && m.wall < window.1)
        .collect();
    let us = |f: fn(&crate::matching::Matched) -> f64| -> Vec<f64> {
        in_window.iter().map(|m| f(m) * 1e6).collect()
    };
    let latency_eol = us(|m| m.latency_eol);
    let (floor_lat, floor_missing) = floor_latencies(&floor_report.reads, &floor_truth, window);
    let floor_us: Vec<f64> = floor_lat.iter().map(|x| x * 1e6).collect();

    let Some(lat) = Spread::of(&latency_eol) else {
        return Err(BenchError::EndedEarly {
            status: "no sample in the window".into(),
            stderr: String::new(),
        });
    };
    let ticks = procfs::clock_ticks_per_second() as f64;
    let cpu_stat_ms = end_snap.cpu_ticks as f64 / ticks * 1e3 / end_count.max(1) as f64 * 1e3;
    let cpu_window_ms = match (start_snap.run_ns, end_snap.run_ns) {
        (Some(a), Some(b)) if end_count > start_count => {
            Some((b - a) as f64 / 1e6 / (end_count - start_count) as f64 * 1e3)
        }
        _ => None,
    };
    let floor_cpu_window_ms = match (
        floor_start.and_then(|s| s.run_ns),
        floor_end.and_then(|s| s.run_ns),
    ) {
        (Some(a), Some(b)) => Some((b - a) as f64 / 1e6 / seconds as f64 * 1e3),
        _ => None,
    };
    let m = Measurement {
        seconds,
        samples: in_window.len(),
        unmatched: unmatched.len(),
        not_on_time: in_window.iter().filter(|m| !m.on_time).count(),
        latency_eol: lat,
        latency_first: Spread::of(&us(|m| m.latency_first)).unwrap_or(lat),
        offset_error: MeanSd::of(&us(|m| m.offset_error)).unwrap_or(MeanSd {
            mean: f64::NAN,
            sd: f64::NAN,
        }),
        offset: MeanSd::of(&us(|m| m.offset)).unwrap_or(MeanSd {
            mean: f64::NAN,
            sd: f64::NAN,
        }),
        floor: Spread::of(&floor_us),
        floor_samples: floor_us.len(),
        floor_missing,
        floor_rt_failure: floor_report.rt_failure().map(str::to_string),
        cpu_stat_ms,
        cpu_window_ms,
        floor_cpu_window_ms,
        vm_hwm_kib: end_snap.vm_hwm_kib,
    };
    Ok(row(Outcome::Measured(Box::new(m))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    #[test]
    fn command_line() {
        let c = &config::all()[1];
        assert_eq!(c.priority, Some(config::PRIORITY));
        let a = ntp_refclock_args(c, Path::new("/dev/pts/3"), 0.0791666, true);
        assert_eq!(
            a,
            [
                "-P",
                "50",
                "-r",
                "/",
                "-u",
                "root",
                "127.127.20.0",
                "path",
                "/dev/pts/3",
                "time2",
                "0.079166600"
            ]
        );
        let a = ntp_refclock_args(&config::all()[0], Path::new("/x"), 0.0, false);
        assert_eq!(a, ["127.127.20.0", "path", "/x", "time2", "0.000000000"]);
    }
}
