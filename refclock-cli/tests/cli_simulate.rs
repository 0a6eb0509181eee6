//! `ntp-refclock --simulate`: the driver against its own simulated device,
//! found through the registry, set up from the driver's mode.

mod common;

use std::time::Duration;

use common::{lines_of, parse_sample, spawn, terminate};

/// Runs `args` for about `secs` seconds; returns the samples and stderr.
fn run(args: &[&str], secs: u64) -> (Vec<common::Sample>, String) {
    let mut child = spawn(args);
    let lines = lines_of(&mut child);
    std::thread::sleep(Duration::from_secs(secs));
    let (code, err) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{err}");
    std::thread::sleep(Duration::from_millis(100));
    let samples = lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
    (samples, err)
}

#[test]
fn the_nmea_driver_reads_its_simulated_receiver() {
    // Mode 0x18: ZDA only, 9600 baud; the driver sets the speed, the
    // simulator paces at it: the 36-byte ZDA's CR leaves 37.5 ms after
    // the second.
    let (samples, err) = run(&["--simulate", "127.127.20.0", "mode", "0x18"], 4);
    assert!(
        err.contains("Simulated receiver (clean) on /") && err.contains("/device\n"),
        "{err}"
    );
    assert!(samples.len() >= 2, "{samples:?}\n{err}");
    for s in &samples {
        assert!((-0.2..0.0).contains(&s.offset), "{s:?}");
        assert_eq!(s.leap, 0);
    }
}

#[test]
fn scenarios_apply_and_bad_ones_are_refused() {
    let (samples, err) = run(
        &["--simulate=jitter:max=5", "127.127.20.0", "time2", "0.142"],
        3,
    );
    assert!(err.contains("Simulated receiver (jitter:max=5)"), "{err}");
    assert!(!samples.is_empty(), "{err}");
    for s in &samples {
        assert!(s.offset.abs() < 0.1, "time2 covers the RMC's 142 ms: {s:?}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ntp-refclock"))
        .args(["--simulate=nosuch", "127.127.20.0"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nosuch"), "{err}");
}
