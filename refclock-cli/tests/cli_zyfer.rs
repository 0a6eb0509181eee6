//! `ntp-refclock` with the Zyfer driver (type 42) against the simulated
//! GPStarplus on a pseudo-terminal: every sample it prints must agree
//! with the simulator's truth log (offset = the second the record names −
//! the time its `!` was written + time1, within the read's wake-up
//! latency), spoilt records must give no sample and be counted, unlocked
//! seconds must give none and the samples after them must say "no
//! warning" again (ntpd's driver would stay "not in sync" for good), and a
//! device that vanishes must be read again when it comes back.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use common::{lines_of, parse_sample, spawn, temp_dir, terminate, Sample};
use refclock_core::os::clock::now;
use refclock_sim::{
    device_model, parse_scenarios, DeviceSetup, SimConfig, SimHandle, Simulator, TruthRecord,
};

const TIME1: f64 = 0.0123;
const TIME1_ARG: &str = "0.0123";
/// A sample's record is the one whose `!` was written at most this long
/// before the sample's receive time (records are a second apart).
const MATCH_WINDOW: f64 = 0.25;

/// How the program is run and how late it may read the `!`.
///
/// A pty hands written bytes to the reader through a kernel worker, which
/// a busy host (here: two cores, both busy) delays by 100 ms and more now
/// and then, whatever the reader's priority: a read may lag its write by
/// 250 ms. Most reads are prompt: with `-P 50` (SCHED_FIFO, memory
/// locked), when this process can grant it (CAP_SYS_NICE and
/// CAP_IPC_LOCK, as root), the median lag stays below 20 ms even beside
/// busy loops (the record takes 29 ms to send: a driver that timed its
/// end would fail); without, below 100 ms.
struct Timing {
    args: &'static [&'static str],
    max_lag: f64,
    median_lag: f64,
}

fn timing() -> Timing {
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
        Timing {
            args: &["-P", "50"],
            max_lag: 0.250,
            median_lag: 0.020,
        }
    } else {
        Timing {
            args: &[],
            max_lag: 0.250,
            median_lag: 0.100,
        }
    }
}

/// The simulated GPStarplus with `scenarios`, paced at the driver's 9600
/// baud, linked at `link` when given.
fn simulator(scenarios: &str, link: Option<std::path::PathBuf>) -> SimHandle {
    Simulator::start(SimConfig {
        scenarios: parse_scenarios(scenarios).unwrap(),
        link,
        ..SimConfig::new(device_model(42, &DeviceSetup::default()).unwrap())
    })
    .unwrap()
}

/// What one run of the program gave.
struct Run {
    samples: Vec<Sample>,
    stderr: String,
    /// System time when the program was started and when it was stopped.
    started: f64,
    stopped: f64,
}

/// Runs `ntp-refclock -d [options] 127.127.42.0 path PATH time1 TIME1`
/// for `seconds` and stops it with SIGTERM.
fn run_program(path: &str, seconds: f64, options: &[&str]) -> Run {
    let mut args = vec!["-d"];
    args.extend_from_slice(timing().args);
    args.extend_from_slice(options);
    args.extend(["127.127.42.0", "path", path, "time1", TIME1_ARG]);
    let started = now().as_secs_f64();
    let mut child = spawn(&args);
    let lines = lines_of(&mut child);
    thread::sleep(Duration::from_secs_f64(seconds));
    let stopped = now().as_secs_f64();
    let (code, stderr) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The reader thread has seen everything once the pipe closed.
    thread::sleep(Duration::from_millis(100));
    let samples = lines
        .try_iter()
        .map(|l| parse_sample(&l).unwrap_or_else(|| panic!("not a sample line: {l:?}")))
        .collect();
    Run {
        samples,
        stderr,
        started,
        stopped,
    }
}

/// The record a sample was taken from: the one whose `!` was written at
/// most `MATCH_WINDOW` before the sample's receive time (records are a
/// second apart, so there is at most one).
fn source<'a>(s: &Sample, truth: &'a [TruthRecord]) -> Option<&'a TruthRecord> {
    truth.iter().find(|t| {
        t.first
            .is_some_and(|f| (-2e-6..MATCH_WINDOW).contains(&(s.time - f.as_secs_f64())))
    })
}

/// Every sample comes from a record that was written whole and says the
/// receiver is locked, carries `named − receive time + time1` exactly and
/// `named − first + time1` within the wake-up latency, and says "no
/// warning"; no record gives two. Returns the sources, in order.
fn check_against_truth<'a>(run: &Run, truth: &'a [TruthRecord]) -> Vec<&'a TruthRecord> {
    let mut sources: Vec<&TruthRecord> = Vec::new();
    let mut lags = Vec::new();
    for s in &run.samples {
        let t = source(s, truth)
            .unwrap_or_else(|| panic!("sample {s:?} has no record\n{}", story(truth)));
        assert!(t.ok(), "sample {s:?} from a spoilt or unlocked record {t}");
        assert_eq!(s.leap, 0, "{s:?}");
        let named = t.named.unwrap().as_secs_f64();
        let exact = named - s.time + TIME1;
        assert!((s.offset - exact).abs() < 2e-6, "{s:?} vs {exact} ({t})");
        let truth_offset = named - t.first.unwrap().as_secs_f64() + TIME1;
        let lag = truth_offset - s.offset;
        assert!(
            lag < timing().max_lag,
            "read {lag:.6} s after the '!': {s:?} {t}"
        );
        lags.push(lag);
        assert!(
            !sources.iter().any(|u| u.seq == t.seq),
            "two samples of {t}"
        );
        sources.push(t);
    }
    lags.sort_by(f64::total_cmp);
    if let Some(median) = lags.get(lags.len() / 2) {
        let bound = timing().median_lag;
        assert!(*median < bound, "median read lag {median:.6} s: {lags:?}");
    }
    sources
}

/// The truth as text, for failure messages.
fn story(truth: &[TruthRecord]) -> String {
    truth
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Records whose `!` was written while the program surely had the device
/// open (from 2 s after its start, a slow start on a busy host included,
/// until 0.1 s before its end).
fn read_window<'a>(run: &Run, truth: &'a [TruthRecord]) -> Vec<&'a TruthRecord> {
    truth
        .iter()
        .filter(|t| {
            t.first.is_some_and(|f| {
                let f = f.as_secs_f64();
                f > run.started + 2.0 && f < run.stopped - 0.1
            })
        })
        .collect()
}

#[test]
fn one_sample_a_second_as_the_truth_says() {
    let sim = simulator("", None);
    let run = run_program(sim.path().to_str().unwrap(), 7.0, &[]);
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let window = read_window(&run, &truth);
    assert!(window.len() >= 4, "{}", story(&truth));
    for t in window {
        assert!(
            sources.iter().any(|s| s.seq == t.seq),
            "no sample for {t}\n{:?}\n{}",
            run.samples,
            run.stderr
        );
    }
    // Offsets: time1 less the few µs to ms the read took.
    for s in &run.samples {
        assert!(
            s.offset <= TIME1 && s.offset > TIME1 - timing().max_lag,
            "{s:?}"
        );
    }
}

/// The `refclock-sim` binary plays the device with spoilt records and
/// garbage between them; the program reads its link. A spoilt record
/// gives no sample, one log line (`-d`) and a clockstats line; garbage
/// (never a `!`) spoils nothing.
#[test]
fn spoilt_records_give_no_sample_and_are_counted() {
    let dir = temp_dir("zyfer-badsum");
    let (link, truth_log, stats) = (dir.join("zyfer0"), dir.join("truth"), dir.join("stats"));
    let mut sim = Command::new(env!("CARGO_BIN_EXE_refclock-sim"))
        .args([
            "--driver",
            "zyfer",
            "--scenario",
            "badsum:every=3+garbage:bytes=40",
        ])
        .args(["--duration", "10"])
        .arg("--truth")
        .arg(&truth_log)
        .arg("--link")
        .arg(&link)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(sim.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with("PTY /dev/pts/"), "{line}");
    line.clear();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), format!("LINK {}", link.display()));
    let run = run_program(
        link.to_str().unwrap(),
        8.0,
        &["-c", stats.to_str().unwrap()][..],
    );
    assert!(sim.wait().unwrap().success());
    let truth: Vec<TruthRecord> = std::fs::read_to_string(&truth_log)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("TRUTH "))
        .map(|l| TruthRecord::parse_line(l).unwrap())
        .collect();
    let sources = check_against_truth(&run, &truth);
    let stats = std::fs::read_to_string(&stats).unwrap();
    let bad_lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("bad timecode"))
        .collect();
    let window = read_window(&run, &truth);
    let spoilt = window.iter().filter(|t| t.flags.badsum).count();
    assert!(
        spoilt >= 1 && window.len() - spoilt >= 3,
        "{}",
        story(&truth)
    );
    for t in &window {
        let sampled = sources.iter().any(|s| s.seq == t.seq);
        assert!(t.flags.garbage, "{t}");
        assert_eq!(sampled, !t.flags.badsum, "{t}\n{}", run.stderr);
        let logged = format!("127.127.42.0 bad timecode '{}': field day is", t.text);
        assert_eq!(
            bad_lines.iter().filter(|l| l.starts_with(&logged)).count(),
            usize::from(t.flags.badsum),
            "{t}\n{}",
            run.stderr
        );
        let in_stats = stats.lines().filter(|l| l.ends_with(&t.text)).count();
        assert_eq!(in_stats, 1, "{t}\n{stats}");
    }
    // Nothing else was logged as bad: garbage never made a record.
    let all_spoilt = truth.iter().filter(|t| t.flags.badsum).count();
    assert!(bad_lines.len() <= all_spoilt, "{bad_lines:?}");
    assert!(
        run.stderr.contains("event: bad_format (2)"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Coasting for 3 s of every 10 from the fourth second: no sample in
/// those seconds, samples with leap 0 after them (ntpd's C program would
/// print leap=3 from the fourth second on).
#[test]
fn unlocked_seconds_give_no_sample_and_samples_recover() {
    let sim = simulator("invalid:for=3,every=10,after=3", None);
    let run = run_program(sim.path().to_str().unwrap(), 9.0, &[]);
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let unlocked: Vec<&TruthRecord> = truth.iter().filter(|t| t.flags.invalid).collect();
    assert!(unlocked.len() >= 3, "{}", story(&truth));
    assert!(
        unlocked.iter().all(|t| t.text.ends_with(",2,6,2")),
        "coasting"
    );
    let last_unlocked = unlocked.iter().map(|t| t.seq).max().unwrap();
    let window = read_window(&run, &truth);
    for t in &window {
        let sampled = sources.iter().any(|s| s.seq == t.seq);
        assert_eq!(sampled, !t.flags.invalid, "{t}\n{}", run.stderr);
    }
    let after = sources.iter().filter(|t| t.seq > last_unlocked).count();
    assert!(after >= 2, "samples after the unlocked seconds: {after}");
}

/// The device vanishes for 2 s (its link with it) and comes back as a
/// new pty at the same link: the program reopens it and samples again.
#[test]
fn a_vanished_device_is_read_again_when_it_comes_back() {
    let dir = temp_dir("zyfer-vanish");
    let link = dir.join("zyfer0");
    let sim = simulator("vanish:after=4,for=2", Some(link.clone()));
    // `-u root -r /`: the link must still resolve after the privilege
    // drop for a reopen to find it.
    let run = run_program(link.to_str().unwrap(), 11.0, &["-u", "root", "-r", "/"]);
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let gone: Vec<&TruthRecord> = truth.iter().filter(|t| t.flags.vanished).collect();
    assert_eq!(gone.len(), 2, "{}", story(&truth));
    let back = gone.iter().map(|t| t.seq).max().unwrap();
    assert!(sources.iter().any(|t| t.seq < back), "samples before");
    let after = sources.iter().filter(|t| t.seq > back).count();
    assert!(after >= 2, "{after} samples after\n{}", run.stderr);
    assert!(run.stderr.contains("reopened"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// 23:59:60 and the 00:00:00 after it name the same instant (the format
/// has no leap warning); the simulator's system clock does not insert the
/// leap second, so both samples are right as the truth has them.
#[test]
fn a_leap_second_gives_two_samples_as_the_truth_says() {
    let sim = simulator("leap:at=2027-06-30,before=6", None);
    let run = run_program(sim.path().to_str().unwrap(), 10.0, &[]);
    let truth = sim.truth();
    let sources = check_against_truth(&run, &truth);
    let leap = truth
        .iter()
        .find(|t| t.time.is_some_and(|c| c.second == 60))
        .expect("23:59:60 was sent");
    assert!(
        leap.text.starts_with("!TIME,2027,181,23,59,60,2,4,1"),
        "{leap}"
    );
    let window = read_window(&run, &truth);
    assert!(
        window.iter().any(|t| t.seq == leap.seq + 1),
        "the program was not reading yet at the leap second\n{}",
        run.stderr
    );
    let midnight = leap.named.unwrap();
    let both: Vec<_> = sources
        .iter()
        .filter(|t| t.named == Some(midnight))
        .collect();
    assert_eq!(
        both.len(),
        2,
        "{:?}\n{}\n{}",
        run.samples,
        run.stderr,
        story(&truth)
    );
    assert_eq!(both[1].shift, both[0].shift - 1);
}

/// `--simulate` with every scenario the simulator has, at once: the
/// program ends cleanly, every sample says "no warning", and the offsets
/// are what the scenario makes them.
///
/// Not `vanish`: `--simulate` has no link, so the program reopens the
/// slave path of the pty that vanished (`/dev/pts/N`), which is whatever
/// pty got that number since, another test's perhaps (it steals that
/// one's bytes). The vanishing device is tested above, with a link.
#[test]
fn every_scenario_under_simulate() {
    let scenarios = [
        "clean",
        "invalid",
        "badsum",
        "garbage",
        "drop:3",
        "silence",
        "jitter",
        "leap:at=2027-06-30",
        "year:year=2100",
        "rollover",
    ];
    let runs: Vec<_> = scenarios
        .iter()
        .map(|&s| {
            thread::spawn(move || {
                let arg = format!("--simulate={s}");
                let mut args = vec!["-d", &arg, "127.127.42.0"];
                args.splice(1..1, timing().args.iter().copied());
                let mut child = spawn(&args);
                let lines = lines_of(&mut child);
                thread::sleep(Duration::from_secs(7));
                let (code, err) = terminate(&mut child, 15);
                thread::sleep(Duration::from_millis(100));
                let samples: Vec<Sample> =
                    lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
                (s, code, err, samples)
            })
        })
        .collect();
    for r in runs {
        let (s, code, err, samples) = r.join().unwrap();
        assert_eq!(code, Some(0), "{s}: {err}");
        assert!(
            err.contains(&format!("Simulated receiver ({s}")),
            "{s}: {err}"
        );
        assert!(!err.contains("panicked"), "{s}: {err}");
        assert!(samples.len() >= 2, "{s}: {samples:?}\n{err}");
        assert!(samples.iter().all(|x| x.leap == 0), "{s}: {samples:?}");
        let mut offsets: Vec<f64> = samples.iter().map(|x| x.offset).collect();
        offsets.sort_by(f64::total_cmp);
        let median = offsets[offsets.len() / 2];
        let bound = timing().max_lag;
        for x in &samples {
            let d = x.offset - median;
            let ok = match s {
                // The timecode a year or decades away: the same offset
                // throughout, a second less after a leap second.
                "leap:at=2027-06-30" => [-1.0, 0.0, 1.0].iter().any(|k| (d + k).abs() < bound),
                "year:year=2100" => d.abs() < bound && median.abs() > 1e8,
                _ => x.offset.abs() < bound,
            };
            assert!(ok, "{s}: {x:?} (median {median})");
        }
        if !s.starts_with("leap") && !s.starts_with("year") {
            // The simulator thread inside the program starts before `-P`
            // applies: its writes are as late as an ordinary thread's
            // wake-ups (100 ms at the median on a busy host). Jitter adds
            // up to 20 ms.
            assert!(median.abs() < 0.120, "{s}: median offset {median}");
        }
        if s == "badsum" {
            assert!(err.contains("bad timecode '!TIME,"), "{s}: {err}");
        }
    }
}
