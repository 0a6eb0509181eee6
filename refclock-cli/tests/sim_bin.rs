//! The `refclock-sim` binary: prints its pty, writes sentences into it,
//! writes the truth log, ends on a signal or after `--duration`, picks
//! the device by driver, mode and options, and rejects bad options with
//! usage and exit status 1.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use refclock_drivers::nmea::encode::verify;
use refclock_sim::TruthRecord;

const BIN: &str = env!("CARGO_BIN_EXE_refclock-sim");

fn temp(name: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("refclock-sim-bin-{}-{name}", std::process::id()))
}

#[test]
fn runs_for_its_duration_and_writes_the_truth() {
    let truth = temp("truth.log");
    let link = temp("gps0");
    let mut child = Command::new(BIN)
        .args([
            "--format",
            "nmea:garmin",
            "--burst",
            "--delay",
            "30",
            "--seed",
            "9",
        ])
        .args(["--scenario", "badsum:every=3", "--duration", "2.5"])
        .arg("--truth")
        .arg(&truth)
        .arg("--link")
        .arg(&link)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let slave = line
        .trim()
        .strip_prefix("PTY ")
        .expect("PTY line first")
        .to_string();
    assert!(slave.starts_with("/dev/pts/"), "{line}");
    line.clear();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), format!("LINK {}", link.display()));
    assert_eq!(std::fs::read_link(&link).unwrap(), PathBuf::from(&slave));

    let mut f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOCTTY)
        .open(&slave)
        .unwrap();
    let mut got = Vec::new();
    let _ = f.read_to_end(&mut got); // ends with EOF or EIO at exit
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(
        std::fs::symlink_metadata(&link).is_err(),
        "link removed at exit"
    );

    let text = std::fs::read_to_string(&truth).unwrap();
    let _ = std::fs::remove_file(&truth);
    let records: Vec<TruthRecord> = text
        .lines()
        .filter(|l| l.starts_with("TRUTH "))
        .map(|l| TruthRecord::parse_line(l).unwrap())
        .collect();
    assert!(records.len() >= 4, "{text}");
    let mut expected = Vec::new();
    for r in &records {
        expected.extend_from_slice(r.text.as_bytes());
        expected.extend_from_slice(b"\r\n");
        assert_eq!(r.flags.badsum, r.seq % 3 == 2);
        assert_eq!(verify(&r.text), Some(!r.flags.badsum));
        if r.on_time {
            let late = r.first.unwrap() - refclock_core::Timestamp::from_secs(r.wall);
            assert!((0.030..0.080).contains(&late), "on time + 30 ms: {late}");
        }
    }
    assert_eq!(got, expected);
    let header = text.lines().next().unwrap();
    assert!(header.contains(" scenarios=badsum:every=3 seed=9 delay_ms=30 "));
    assert!(header.contains(" device=NMEA receiver, garmin style (RMC GGA GLL PGRMF)"));
}

#[test]
fn sigterm_ends_it_cleanly() {
    let mut child = Command::new(BIN)
        .args(["--baud", "9600"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.starts_with("PTY /dev/pts/"), "{line}");
    std::thread::sleep(Duration::from_millis(300));
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let t0 = Instant::now();
    let status = child.wait().unwrap();
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert_eq!(status.code(), Some(0));
}

#[test]
fn help_and_bad_options() {
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for word in [
        "--scenario",
        "--format",
        "vanish",
        "leap",
        "--truth",
        "--burst",
        "--driver",
        "--option",
        "nmea (GPS_NMEA, type 20)",
    ] {
        assert!(text.contains(word), "help mentions {word}");
    }
    for args in [
        &["--bogus"][..],
        &["--scenario", "nosuch"],
        &["--scenario", "drop:every=0"],
        &["--scenario", "leap", "--scenario", "rollover"],
        &["--format", "tsip"],
        &["--format", "nmea:sirf"],
        &["--driver", "nosuch"],
        &["--driver", "41"],
        &["--driver", "usno"],
        &["--mode", "0xZZ"],
        &["--option", "style"],
        &["--option", "colour=red"],
        &["--driver", "1", "--talker", "GN"],
        &["--baud"],
        &["--baud", "fast"],
        &["--baud", "9600", "--burst"],
        &["--delay", "1500"],
        &["--duration", "-1"],
        &["--sentences", "rmc,xyz"],
        &["--talker", "gps"],
        &["stray"],
    ] {
        let o = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("refclock-sim: "), "{args:?}: {err}");
        assert!(err.contains("Usage: refclock-sim"), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    let o = Command::new(BIN)
        .args(["--link", "/nonexistent-dir/gps0", "--duration", "1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent-dir/gps0"));
}
