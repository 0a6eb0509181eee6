//! End to end with the real chronyd (Debian's package, fetched privately by
//! the harness): a simulated receiver on a pseudo-terminal, `ntp-refclock
//! -s` reading it with the real NMEA driver, chronyd taking the samples.
//! Also the fault case beyond the C program: chronyd restarting under a
//! running ntp-refclock.

#[path = "../../refclock-sock/tests/support/chrony.rs"]
mod chrony;
mod common;

use std::io::Read;
use std::path::Path;
use std::process::Child;
use std::thread::sleep;
use std::time::{Duration, Instant};

use chrony::{sock_refclock, Chronyd};
use refclock_sim::{SimConfig, SimHandle, Simulator};

/// On-time delay of the simulated sentence after the second it names.
const DELAY: f64 = 0.200;
/// time2 given to the driver.
const TIME2: f64 = 0.050;
/// The offset (true − system) the driver must measure: the whole
/// sentence arrives in one write DELAY after the second; time2 is added.
const EXPECTED: f64 = TIME2 - DELAY;
/// How far a sample may be from [`EXPECTED`]: the wake-up latency of a
/// loaded 2-core CI machine running tests in parallel (the latency
/// benchmark measures the real figure); far below the 0.3 s a sign error
/// would make.
const TOLERANCE: f64 = 0.05;

fn simulator() -> SimHandle {
    Simulator::start(SimConfig {
        paced: false,
        delay: Duration::from_secs_f64(DELAY),
        ..SimConfig::default()
    })
    .expect("simulated receiver")
}

/// Starts ntp-refclock on `device`, sending to `sock`. With `chroot`, a root
/// run drops to `nobody` in an empty directory as in production; without,
/// it stays where the socket path still resolves after chronyd re-creates it
/// (`-u root -r /`), which reconnecting needs.
fn ntp_refclock(sock: &Path, device: &Path, chroot: bool) -> Child {
    let (sock, device, time2) = (
        sock.to_str().unwrap(),
        device.to_str().unwrap(),
        TIME2.to_string(),
    );
    let mut args = vec!["-s", sock, "127.127.20.0", "path", device, "time2", &time2];
    if !chroot {
        args.splice(0..0, ["-u", "root", "-r", "/"]);
    }
    common::spawn(&args)
}

/// SIGTERM, then the exit code, stdout and stderr.
fn stop(mut child: Child) -> (Option<i32>, String, String) {
    let mut out = String::new();
    let mut stdout = child.stdout.take().unwrap();
    let (code, err) = common::terminate(&mut child, 15);
    stdout.read_to_string(&mut out).unwrap();
    (code, out, err)
}

#[test]
fn chronyd_accepts_ntp_refclock_samples() {
    // noselect: chronyd measures the source but never steers its own idea
    // of the time with it, so it keeps reporting the offset we send.
    let chronyd = Chronyd::start(&[sock_refclock("refid GPS poll 0 filter 1 noselect")]);
    let sim = simulator();
    let child = ntp_refclock(&chronyd.sock_path(), sim.path(), true);

    let stats = chronyd.wait_until(
        "5 samples from ntp-refclock",
        Duration::from_secs(25),
        |c| c.source_stats("GPS").filter(|s| s.samples >= 5),
    );
    let source = chronyd.source("GPS").expect("GPS source");
    let raw = chronyd.raw_offsets("GPS");
    let (code, out, err) = stop(child);

    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("Exiting on signal 15"), "{err}");
    // With -s and no -d, samples go to chronyd only.
    assert!(out.is_empty(), "stdout: {out}");
    // chronyc shows system − true time: the opposite sign of ours.
    assert!(
        (stats.offset + EXPECTED).abs() < TOLERANCE,
        "sourcestats offset {} expected {}",
        stats.offset,
        -EXPECTED
    );
    assert!(
        (source.measured_offset + EXPECTED).abs() < TOLERANCE,
        "sources offset {}",
        source.measured_offset
    );
    assert_ne!(source.reach, 0);
    // refclocks.log keeps true − system, one line per sample we sent.
    assert!(raw.len() >= 5, "{raw:?}");
    for o in &raw {
        assert!(
            (o - EXPECTED).abs() < TOLERANCE,
            "logged offset {o}, expected {EXPECTED}"
        );
    }
    // The simulator's truth agrees: the sentence ended DELAY after the second.
    let truth = sim.truth();
    assert!(!truth.is_empty());
    for t in truth.iter().filter(|t| t.last.is_some()) {
        let lag = t.last.unwrap() - t.named.unwrap();
        assert!(
            (lag - DELAY).abs() < TOLERANCE,
            "simulator wrote {lag} s late"
        );
    }
}

#[test]
fn ntp_refclock_survives_chronyd_restart() {
    let mut chronyd = Chronyd::start(&[sock_refclock("refid GPS poll 0 filter 1 noselect")]);
    let sim = simulator();
    let child = ntp_refclock(&chronyd.sock_path(), sim.path(), false);
    chronyd.wait_until("first samples", Duration::from_secs(25), |c| {
        (c.raw_offsets("GPS").len() >= 2).then_some(())
    });

    chronyd.stop();
    let before = chronyd.raw_offsets("GPS").len();
    // A few samples fall into the gap: they must not end the program.
    sleep(Duration::from_secs(3));
    chronyd.restart();
    let back = Instant::now();
    let mut resumed = None;
    while back.elapsed() < Duration::from_secs(10) {
        if chronyd.raw_offsets("GPS").len() > before {
            resumed = Some(Instant::now());
            break;
        }
        sleep(Duration::from_millis(50));
    }
    let (code, _out, err) = stop(child);
    let Some(resumed) = resumed else {
        panic!(
            "no samples after the restart\nntp-refclock: {err}\nchronyd: {}",
            chronyd.diagnostics()
        );
    };

    // Within 2 s of the socket's return (samples come once a second, so
    // allow for the second that was running).
    let waited = resumed.duration_since(back);
    assert!(
        waited < Duration::from_secs(3),
        "resumed after {waited:?}: {err}"
    );
    assert_eq!(code, Some(0), "still running until SIGTERM: {err}");
    // The loss is logged once, not once per dropped sample.
    assert_eq!(err.matches("samples are dropped").count(), 1, "{err}");
    assert!(err.contains("Reconnected"), "{err}");
    for o in chronyd.raw_offsets("GPS") {
        assert!((o - EXPECTED).abs() < TOLERANCE, "offset after restart {o}");
    }
}
