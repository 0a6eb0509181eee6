//! `ntp-refclock` reading a real pseudo-terminal that the test writes NMEA
//! sentences into at known times: the samples it prints must carry the
//! right offsets and receive times, and it must end cleanly on a signal.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{lines_of, parse_sample, rmc, sleep_until, spawn, terminate};
use refclock_core::os::clock::now;
use refclock_core::os::pty::Pty;
use refclock_core::Timestamp;

#[test]
fn samples_match_what_was_written_and_when() {
    let pty = Pty::open().expect("pty");
    let slave = pty.slave_path().to_str().unwrap().to_string();
    let time2 = 0.1;
    let mut child = spawn(&["127.127.20.0", "path", &slave, "time2", "0.1"]);
    let lines = lines_of(&mut child);
    // Give it a moment to open the device (writes before that are flushed).
    thread::sleep(Duration::from_millis(500));

    let mut writes = Vec::new();
    let start = now().secs() + 1;
    for k in 0..6 {
        let named = Timestamp::from_secs(start + k);
        // Write 30 ms after the second it names, as a receiver would.
        sleep_until(named + 0.030);
        let before = now();
        pty.write_all(rmc(named).as_bytes()).unwrap();
        writes.push((named, before, now()));
    }

    let mut samples = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while samples.len() < writes.len() && Instant::now() < deadline {
        if let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
            if let Some(s) = parse_sample(&line) {
                samples.push(s);
            } else {
                panic!("unexpected stdout line {line:?}");
            }
        }
    }
    let (code, err) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("Exiting on signal 15"), "{err}");
    assert_eq!(samples.len(), writes.len(), "samples: {err}");

    let mut lags = Vec::new();
    for (s, (named, before, after)) in samples.iter().zip(&writes) {
        assert_eq!(s.leap, 0);
        // The sample time is the receive time shifted back by time2: taken
        // after the write began, and soon after it ended (the bound leaves
        // room for a loaded machine; the median below is the real check).
        let received = s.time + time2;
        let lag = received - before.as_secs_f64();
        assert!(
            lag >= 0.0 && received - after.as_secs_f64() < 0.050,
            "receive time {lag:+.6} s from the write"
        );
        lags.push(lag);
        // offset = named second + time2 - receive time
        let expected = named.as_secs_f64() + time2 - received;
        assert!(
            (s.offset - expected).abs() < 2e-6,
            "offset {} expected {expected}",
            s.offset
        );
        // And against the truth: about 30 ms late, minus time2.
        assert!(
            (s.offset - (time2 - 0.030)).abs() < 0.060,
            "offset {}",
            s.offset
        );
    }
    lags.sort_by(f64::total_cmp);
    let median = lags[lags.len() / 2];
    assert!(median < 0.005, "median receive lag {median:.6} s: {lags:?}");
}

#[test]
fn garbage_and_bad_checksums_give_no_samples() {
    let pty = Pty::open().expect("pty");
    let slave = pty.slave_path().to_str().unwrap().to_string();
    let mut child = spawn(&["-d", "127.127.20.0", "path", &slave]);
    let lines = lines_of(&mut child);
    thread::sleep(Duration::from_millis(500));
    let t = Timestamp::from_secs(now().secs());
    let good = rmc(t);
    let mut bad_sum = good.clone();
    // Flip one digit of the time: the checksum no longer matches.
    bad_sum.replace_range(8..9, if &good[8..9] == "1" { "2" } else { "1" });
    for chunk in [
        "\x00\x7f\u{1}garbage without end of line".to_string(),
        "\r\n$GPRMC,not,a,sentence*00\r\n".to_string(),
        bad_sum,
        "$GPRMC,120000.00,V,,,,,,,010124,,,N*".to_string() + "00\r\n",
        "$GPRM".to_string(),
        "\r\n".to_string(),
    ] {
        pty.write_all(chunk.as_bytes()).unwrap();
        thread::sleep(Duration::from_millis(50));
    }
    thread::sleep(Duration::from_millis(500));
    let (code, err) = terminate(&mut child, 2);
    assert_eq!(code, Some(0));
    assert!(err.contains("Exiting on signal 2"), "{err}");
    let out: Vec<String> = lines.try_iter().collect();
    assert!(
        out.iter().all(|l| !l.starts_with("SAMPLE")),
        "no sample from bad input: {out:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn clockstats_records_in_ntpd_format_with_flag4_privacy() {
    let pty = Pty::open().expect("pty");
    let slave = pty.slave_path().to_str().unwrap().to_string();
    let stats = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("refclock-clockstats-{}", std::process::id()));
    let _ = std::fs::remove_file(&stats);
    let mut child = spawn(&[
        "-i",
        "0",
        "-c",
        stats.to_str().unwrap(),
        "127.127.20.0",
        "path",
        &slave,
        "flag4",
        "1",
    ]);
    let _lines = lines_of(&mut child);
    thread::sleep(Duration::from_millis(500));
    let start = now().secs() + 1;
    for k in 0..4 {
        let named = Timestamp::from_secs(start + k);
        sleep_until(named + 0.050);
        pty.write_all(rmc(named).as_bytes()).unwrap();
    }
    thread::sleep(Duration::from_millis(1500));
    let (code, err) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{err}");
    let text = std::fs::read_to_string(&stats).expect("clockstats written");
    let _ = std::fs::remove_file(&stats);
    let records: Vec<&str> = text.lines().filter(|l| l.contains("$GPRMC")).collect();
    assert!(records.len() >= 2, "clockstats:\n{text}");
    let today_mjd = now().secs() / 86_400 + 40_587;
    for r in &records {
        let mut f = r.splitn(4, ' ');
        let mjd: i64 = f.next().unwrap().parse().expect("MJD");
        let sod = f.next().unwrap();
        let addr = f.next().unwrap();
        let code = f.next().unwrap();
        assert!((mjd - today_mjd).abs() <= 1, "{r}");
        let (secs, frac) = sod.split_once('.').expect("seconds with decimals");
        assert!(
            secs.parse::<u32>().unwrap() < 86_401 && frac.len() == 3,
            "{r}"
        );
        assert_eq!(addr, "127.127.20.0");
        // flag4: latitude and longitude are not in the record.
        assert!(
            !code.contains("4807.038") && !code.contains("01131.000"),
            "{r}"
        );
        assert!(code.starts_with("$GPRMC,"), "{r}");
    }
}

#[test]
fn quit_and_hangup_signals_end_it_cleanly_too() {
    for sig in [1, 3] {
        let pty = Pty::open().expect("pty");
        let slave = pty.slave_path().to_str().unwrap().to_string();
        let mut child = spawn(&["127.127.20.0", "path", &slave]);
        thread::sleep(Duration::from_millis(300));
        let (code, err) = terminate(&mut child, sig);
        assert_eq!(code, Some(0), "signal {sig}: {err}");
        assert!(err.contains(&format!("Exiting on signal {sig}")), "{err}");
    }
}

#[test]
fn root_is_dropped_after_the_device_is_open() {
    let pty = Pty::open().expect("pty");
    let slave = pty.slave_path().to_str().unwrap().to_string();
    let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("refclock-chroot-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let mut child = spawn(&[
        "-u",
        "nobody",
        "-r",
        root.to_str().unwrap(),
        "127.127.20.0",
        "path",
        &slave,
    ]);
    thread::sleep(Duration::from_millis(500));
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let uid_line = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .unwrap()
        .to_string();
    let our_status = std::fs::read_to_string("/proc/self/status").unwrap();
    let we_are_root = our_status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .is_some_and(|l| l.split_whitespace().nth(2) == Some("0"));
    let chroot = std::fs::read_link(format!("/proc/{}/root", child.id())).unwrap();
    // The device was opened before the drop: samples still flow.
    let lines = lines_of(&mut child);
    let named = Timestamp::from_secs(now().secs() + 1);
    sleep_until(named + 0.02);
    pty.write_all(rmc(named).as_bytes()).unwrap();
    let sample = lines.recv_timeout(Duration::from_secs(3));
    let (code, err) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{err}");
    assert!(sample.is_ok_and(|l| l.starts_with("SAMPLE: ")), "{err}");
    if we_are_root {
        // nobody is 65534 on Debian: real, effective, saved and fs uid.
        let ids: Vec<&str> = uid_line.split_whitespace().skip(1).collect();
        assert!(ids.iter().all(|&u| u != "0"), "still root: {uid_line}");
        assert_eq!(chroot, root.canonicalize().unwrap());
    } else {
        // Not root: -u and -r are ignored, as in the C program.
        assert_eq!(chroot, std::path::Path::new("/"));
    }
}
