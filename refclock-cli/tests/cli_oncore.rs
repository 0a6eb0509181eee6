//! `ntp-refclock` with the Oncore driver (type 30) against the simulated
//! receiver on a pseudo-terminal, serial-only (a pty has no PPS line):
//! the start-up handshake runs through the receiver's answers, then every
//! sample must agree with the simulator's truth log (offset = the second
//! the `@@Ha`/`@@Ea`/`@@Ba` names − the receive time of its first byte +
//! time1), spoilt or invalid messages give none, the leap second comes
//! from `@@Gj`, without a PPS device the program does not start, and the
//! `STATUS` file the M12 run keeps holds what the receiver sent.

mod common;

use std::thread;
use std::time::Duration;

use common::{lines_of, parse_sample, spawn, temp_dir, terminate, Sample};
use refclock_core::os::clock::now;
use refclock_drivers::oncore::StatusImage;
use refclock_sim::{
    device_model, parse_scenarios, DeviceSetup, SimConfig, SimHandle, Simulator, TruthRecord,
};

const TIME1: f64 = 0.0123;
/// A read may lag its write this much on a busy host (see cli_zyfer.rs;
/// 300 ms were seen with two busy loops and a build beside the test).
const MAX_LAG: f64 = 0.450;

fn simulator(model: &str, scenarios: &str) -> SimHandle {
    Simulator::start(SimConfig {
        scenarios: parse_scenarios(scenarios).unwrap(),
        ..SimConfig::new(device_model(30, &DeviceSetup::new(0, &[("model", model)])).unwrap())
    })
    .unwrap()
}

struct Run {
    samples: Vec<Sample>,
    stderr: String,
    code: Option<i32>,
}

/// Runs the program on `path` with the configuration `config` (a file
/// written for it) and `extra` arguments for `seconds`.
fn run_program(path: &str, config: &str, extra: &[&str], seconds: f64, tag: &str) -> Run {
    let dir = temp_dir(&format!("oncore-{tag}"));
    let file = dir.join("ntp.oncore.0");
    std::fs::write(&file, config).unwrap();
    let cfg = format!("config={}", file.display());
    let mut args = vec!["-d", "127.127.30.0", "path", path, "time1", "0.0123"];
    args.extend(["option", &cfg]);
    args.extend_from_slice(extra);
    let mut child = spawn(&args);
    let lines = lines_of(&mut child);
    let deadline = now().as_secs_f64() + seconds;
    while now().as_secs_f64() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    let (code, stderr) = match child.try_wait().unwrap() {
        Some(_) => common::wait_exit(&mut child, Duration::from_secs(5)).unwrap(),
        None => terminate(&mut child, 15),
    };
    thread::sleep(Duration::from_millis(100));
    let samples = lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
    let _ = std::fs::remove_dir_all(&dir);
    Run {
        samples,
        stderr,
        code,
    }
}

/// Every sample comes from a position message written whole and valid,
/// at most `MAX_LAG` before its receive time, and carries exactly
/// `named − receive time + time1`; no message gives two.
fn check(run: &Run, truth: &[TruthRecord]) -> Vec<u64> {
    let mut seqs = Vec::new();
    for s in &run.samples {
        let t = truth
            .iter()
            .filter(|t| t.kind == "POSITION")
            .find(|t| {
                t.first
                    .is_some_and(|f| (-2e-6..MAX_LAG).contains(&(s.time - f.as_secs_f64())))
            })
            .unwrap_or_else(|| panic!("sample {s:?} has no position message\n{}", run.stderr));
        assert!(t.ok(), "sample {s:?} from {t}");
        let exact = t.named.unwrap().as_secs_f64() - s.time + TIME1;
        assert!((s.offset - exact).abs() < 2e-6, "{s:?} vs {exact} ({t})");
        assert!(!seqs.contains(&t.seq), "two samples of {t}");
        seqs.push(t.seq);
    }
    seqs
}

#[test]
fn every_model_gives_a_sample_a_second_after_the_handshake() {
    // The M12 run also keeps a status file (created by the program at
    // start, updated in place while it runs).
    let status = temp_dir("oncore-status").join("oncore.status");
    let m12_config = format!("MODE 0\nSTATUS {}\n", status.display());
    let runs: Vec<_> = [("m12", "M12"), ("ut", "UT+"), ("basic", "Basic")]
        .into_iter()
        .map(|(model, test)| {
            let config = if model == "m12" {
                m12_config.clone()
            } else {
                "MODE 0\n".to_string()
            };
            thread::spawn(move || {
                let sim = simulator(model, "");
                let run = run_program(
                    sim.path().to_str().unwrap(),
                    &config,
                    &["option", "serial-only"],
                    24.0,
                    model,
                );
                (model, test, run, sim.truth())
            })
        })
        .collect();
    for r in runs {
        let (model, test, run, truth) = r.join().unwrap();
        assert_eq!(run.code, Some(0), "{model}: {}", run.stderr);
        assert!(
            run.stderr.contains("state = ONCORE_RUN"),
            "{model}: {}",
            run.stderr
        );
        let seqs = check(&run, &truth);
        assert!(
            seqs.len() >= 4,
            "{model}: {:?}\n{}",
            run.samples,
            run.stderr
        );
        let id = format!("This looks like an Oncore {test} ");
        assert!(run.stderr.contains(&id), "{model}: {}", run.stderr);
        for s in &run.samples {
            assert_eq!(s.leap, 0);
            assert!(
                s.offset <= TIME1 && s.offset > TIME1 - MAX_LAG,
                "{model}: {s:?}"
            );
        }
        if model == "m12" {
            check_status_file(&status, run.samples.len());
        }
    }
    let _ = std::fs::remove_dir_all(status.parent().unwrap());
}

/// The status file the M12 run kept: ntpd's layout, the receiver id and
/// at least one `@@Ha` per sample stored in it.
fn check_status_file(path: &std::path::Path, samples: usize) {
    let file = std::fs::read(path).unwrap();
    let layout = StatusImage::new(None);
    assert_eq!(file.len(), layout.bytes().len());
    let record = |id: &[u8; 2]| {
        let (at, len) = layout.slot(*id).unwrap();
        (file[at + 2], &file[at + 3..at + 3 + len])
    };
    let (count, ha) = record(b"Ha");
    assert!(
        usize::from(count) >= samples,
        "{count} @@Ha, {samples} samples"
    );
    assert!(ha.starts_with(b"@@Ha") && ha.ends_with(b"\r\n"));
    let (count, cj) = record(b"Cj");
    assert!(count >= 1 && cj.starts_with(b"@@Cj"), "{count}");
}

#[test]
fn spoilt_and_invalid_messages_give_no_sample() {
    let sim = simulator(
        "m12",
        "badsum:every=5+invalid:for=3,every=10,after=20+garbage:bytes=20",
    );
    let run = run_program(
        sim.path().to_str().unwrap(),
        "MODE 0\n",
        &["option", "serial-only"],
        40.0,
        "badsum",
    );
    let truth = sim.truth();
    let seqs = check(&run, &truth);
    assert!(seqs.len() >= 3, "{:?}\n{}", run.samples, run.stderr);
    assert!(truth.iter().any(|t| t.kind == "POSITION" && t.flags.badsum));
    assert!(truth
        .iter()
        .any(|t| t.kind == "POSITION" && t.flags.invalid));
    assert!(run.stderr.contains("bad_format"), "{}", run.stderr);
}

#[test]
fn simulate_scenarios() {
    let runs: Vec<_> = ["clean", "rollover", "leap:at=2027-06-30,before=40"]
        .into_iter()
        .map(|s| {
            thread::spawn(move || {
                let arg = format!("--simulate={s}");
                let mut child = spawn(&["-d", &arg, "127.127.30.0"]);
                let lines = lines_of(&mut child);
                thread::sleep(Duration::from_secs(30));
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
        assert!(err.contains("option serial-only"), "{s}: {err}");
        assert!(samples.len() >= 3, "{s}: {samples:?}\n{err}");
        let mut offsets: Vec<f64> = samples.iter().map(|x| x.offset).collect();
        offsets.sort_by(f64::total_cmp);
        let median = offsets[offsets.len() / 2];
        for x in &samples {
            // The leap scenario's timecode is in 2027: the same offset
            // throughout, a second less after the leap second.
            let d = x.offset - if s.starts_with("leap") { median } else { 0.0 };
            assert!(
                [-1.0, 0.0, 1.0].iter().any(|k| (d + k).abs() < MAX_LAG),
                "{s}: {x:?}"
            );
        }
        if s.starts_with("leap") {
            assert!(
                samples.iter().any(|x| x.leap == 1),
                "{s}: {samples:?}\n{err}"
            );
        } else {
            assert!(samples.iter().all(|x| x.leap == 0), "{s}: {samples:?}");
        }
    }
}

#[test]
fn no_pps_device_no_start_and_bad_configuration_named() {
    let sim = simulator("m12", "");
    let path = sim.path().to_str().unwrap().to_string();
    let run = run_program(
        &path,
        "MODE 0\n",
        &["ppspath", "/nonexistent/pps0"],
        5.0,
        "nopps",
    );
    assert_ne!(run.code, Some(0));
    assert!(run.stderr.contains("serial-only"), "{}", run.stderr);
    let run = run_program(
        &path,
        "MODE 0\nCHAN 7\n",
        &["option", "serial-only"],
        5.0,
        "badcfg",
    );
    assert_ne!(run.code, Some(0));
    assert!(
        run.stderr.contains("ntp.oncore.0:2: \"7\""),
        "{}",
        run.stderr
    );
}
