//! The simulator on a real pseudo-terminal with the NMEA driver's
//! simulated receiver: a reader on the slave side gets exactly the bytes
//! the truth records describe, the on-time character leaves at the whole
//! second, bytes are paced at the serial speed, and each scenario does
//! what it says. Timing bounds are generous (loaded CI machines); the
//! tests run in parallel, a few seconds each.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

use refclock_core::calendar::{CivilTime, SECS_PER_WEEK};
use refclock_core::os::clock::now;
use refclock_core::os::fd::poll_fd;
use refclock_core::os::serial::SerialPort;
use refclock_core::port::SerialConfig;
use refclock_core::sim::DeviceSetup;
use refclock_core::Timestamp;
use refclock_drivers::nmea::device::NmeaDevice;
use refclock_drivers::nmea::encode::{verify, NmeaStyle};
use refclock_sim::{SimConfig, SimEventKind, SimHandle, Simulator, TruthRecord};

const MS: f64 = 1e-3;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let p = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("refclock-sim-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn open_slave(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOCTTY)
        .open(path)
        .unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// Reads the slave until the master goes away.
fn spawn_reader(path: &Path) -> JoinHandle<Vec<u8>> {
    let mut f = open_slave(path);
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        out
    })
}

fn config(scenarios: &str, secs: f64) -> SimConfig {
    SimConfig {
        scenarios: refclock_sim::parse_scenarios(scenarios).unwrap(),
        duration: Some(Duration::from_secs_f64(secs)),
        ..SimConfig::default()
    }
}

/// Runs a simulation for its duration with a reader on the slave; returns
/// the records and the bytes received.
fn run(cfg: SimConfig) -> (Vec<TruthRecord>, Vec<u8>) {
    let mut h = Simulator::start(cfg).expect("simulator starts");
    let reader = spawn_reader(h.path());
    h.wait().expect("simulator ran");
    let got = reader.join().unwrap();
    (h.truth(), got)
}

/// The bytes the records say were written, in order.
fn expected_bytes(records: &[TruthRecord]) -> Vec<u8> {
    let mut v = Vec::new();
    for r in records.iter().filter(|r| r.first.is_some()) {
        v.extend_from_slice(r.text.as_bytes());
        v.extend_from_slice(b"\r\n");
    }
    v
}

/// Lines received, with anything before `$` (garbage) removed.
/// The complete (newline-terminated) sentences in `bytes`; a trailing
/// fragment, cut off when a simulation is stopped mid-sentence, is left out.
fn sentences(bytes: &[u8]) -> Vec<String> {
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(end) => &bytes[..end],
        None => &[][..],
    };
    complete
        .split(|&b| b == b'\n')
        .filter_map(|l| {
            let start = l.iter().position(|&b| b == b'$')?;
            Some(
                String::from_utf8_lossy(&l[start..])
                    .trim_end_matches('\r')
                    .to_string(),
            )
        })
        .collect()
}

fn named(r: &TruthRecord) -> Timestamp {
    r.named.expect("an NMEA sentence names its second")
}

fn on_time_error(r: &TruthRecord, delay: f64) -> f64 {
    r.first.unwrap() - Timestamp::from_secs(r.wall) - delay
}

#[test]
fn clean_paced_at_4800_with_link_and_truth_log() {
    let dir = TempDir::new("clean");
    let link = dir.0.join("gps0");
    let log = dir.0.join("truth.log");
    let cfg = SimConfig {
        link: Some(link.clone()),
        baud: Some(4800),
        truth_log: Some(log.clone()),
        ..config("clean", 3.2)
    };
    let mut h = Simulator::start(cfg).unwrap();
    assert_eq!(h.path(), link.as_path());
    let slave = h.slave_path().unwrap();
    assert_eq!(std::fs::read_link(&link).unwrap(), slave);
    assert!(slave.starts_with("/dev/pts"));
    let reader = spawn_reader(&link);
    h.wait().unwrap();
    let got = reader.join().unwrap();
    let truth = h.truth();

    assert!(truth.len() >= 6, "at least two seconds: {}", truth.len());
    assert_eq!(truth.len() % 3, 0);
    assert_eq!(
        got,
        expected_bytes(&truth),
        "the reader got what the truth says"
    );
    for (i, r) in truth.iter().enumerate() {
        assert_eq!(r.seq, i as u64);
        assert!(r.ok(), "{r}");
        assert_eq!(r.shift, 0);
        assert_eq!(named(r), Timestamp::from_secs(r.wall));
        assert_eq!(verify(&r.text), Some(true));
        let (first, last) = (r.first.unwrap(), r.last.unwrap());
        assert!(r.first_end.unwrap() >= first && r.last_end.unwrap() >= last);
        let eol = r.eol.unwrap();
        // CR and LF in separate writes, one byte time (2.08 ms) apart
        // unless the thread was held up.
        assert!(first < eol && eol < last && last - eol < 50.0 * MS);
        // Never before its time: the LF is byte 68 after the on-time `$`
        // of its second (bytes are paced from the on-time instant).
        let lf_index = truth[i - i % 3..=i]
            .iter()
            .map(|x| x.text.len() + 2)
            .sum::<usize>()
            - 1;
        let due = Timestamp::from_secs(r.wall) + lf_index as f64 * 10.0 / 4800.0;
        assert!(last >= due, "LF written before it was due");
        if r.on_time {
            assert_eq!(r.kind, "RMC");
            let err = on_time_error(r, 0.0);
            assert!((0.0..50.0 * MS).contains(&err), "on-time error {err}");
            // 69 bytes at 4800 baud: 68 byte times of 2.083 ms = 142 ms.
            assert_eq!(r.text.len() + 2, 69, "{}", r.text);
            let span = last - first;
            assert!((100.0 * MS..400.0 * MS).contains(&span), "RMC took {span}");
        } else {
            // Paced: the next sentence starts after the previous one.
            assert!(first > truth[i - 1].last.unwrap());
        }
    }
    // Consecutive seconds.
    for w in truth.chunks(3).collect::<Vec<_>>().windows(2) {
        assert_eq!(w[1][0].wall, w[0][0].wall + 1);
    }
    // The truth log holds the same records, and the device events.
    let text = std::fs::read_to_string(&log).unwrap();
    let parsed: Vec<TruthRecord> = text
        .lines()
        .filter(|l| l.starts_with("TRUTH "))
        .map(|l| TruthRecord::parse_line(l).unwrap())
        .collect();
    assert_eq!(parsed, truth);
    assert!(text.starts_with("# refclock-sim truth log: scenarios=clean seed=1 delay_ms=0"));
    assert!(text
        .lines()
        .next()
        .unwrap()
        .contains(" device=NMEA receiver, ublox style"));
    assert!(text.contains(&format!("appear path={}", slave.display())));
    assert!(text.trim_end().ends_with(" stop"));
    // The link goes with the simulator.
    drop(h);
    assert!(std::fs::symlink_metadata(&link).is_err());
}

#[test]
fn burst_with_delay() {
    let cfg = SimConfig {
        paced: false,
        delay: Duration::from_millis(100),
        device: Box::new(NmeaDevice::new(NmeaStyle::by_name("garmin").unwrap())),
        ..config("delay:50", 2.5)
    };
    let (truth, got) = run(cfg);
    assert!(truth.len() >= 4);
    assert_eq!(got, expected_bytes(&truth));
    for sec in truth.chunks(4) {
        let err = on_time_error(&sec[0], 0.150);
        assert!((0.0..50.0 * MS).contains(&err), "on-time error {err}");
        // One write for the whole second.
        assert!(sec
            .iter()
            .all(|r| r.first == sec[0].first && r.last == sec[0].first));
        let kinds: Vec<&str> = sec.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["RMC", "GGA", "GLL", "PGRMF"]);
    }
}

#[test]
fn pacing_follows_the_speed_the_driver_sets() {
    let mut h = Simulator::start(config("clean", 2.5)).unwrap();
    // The "driver" sets 115200 baud on the slave, as SerialPort::open does.
    let port = SerialPort::open(h.path(), Some(&SerialConfig::raw_8n1(115_200))).unwrap();
    let reader = spawn_reader(h.path());
    h.wait().unwrap();
    drop(port);
    let got = reader.join().unwrap();
    let truth = h.truth();
    // Opening the port flushes what was queued, so compare the tail.
    assert!(!got.is_empty() && expected_bytes(&truth).ends_with(&got));
    let rmc: Vec<&TruthRecord> = truth.iter().filter(|r| r.on_time).collect();
    assert!(rmc.len() >= 2);
    for r in rmc {
        // The LF is due 68 byte times after the whole second: 5.9 ms at
        // 115200 baud (142 ms at 4800); bytes are never early.
        let lf_after = r.last.unwrap() - Timestamp::from_secs(r.wall);
        assert!(lf_after >= 68.0 * 10.0 / 115_200.0, "LF after {lf_after}");
        let span = r.last.unwrap() - r.first.unwrap();
        assert!(span < 60.0 * MS, "RMC took {span}");
    }
}

#[test]
fn garbage_badsum_and_invalid() {
    let cfg = SimConfig {
        paced: false,
        ..config(
            "garbage:bytes=8+badsum:every=2+invalid:for=1,every=2,after=0",
            2.5,
        )
    };
    let (truth, got) = run(cfg);
    assert!(truth.len() >= 6);
    // Everything arrived: sentences, line ends and the garbage after them.
    let total: usize = truth.iter().map(|r| r.text.len() + 2 + r.garbage).sum();
    assert_eq!(got.len(), total);
    assert!(truth
        .iter()
        .all(|r| r.flags.garbage && (1..=8).contains(&r.garbage)));
    let lines = sentences(&got);
    assert_eq!(lines.len(), truth.len());
    let raw_lines: Vec<&[u8]> = got
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        raw_lines.iter().skip(1).all(|l| l[0] != b'$'),
        "garbage precedes every sentence after the first"
    );
    for (r, line) in truth.iter().zip(&lines) {
        assert_eq!(&r.text, line);
        assert_eq!(r.flags.badsum, r.seq % 2 == 1, "{r}");
        assert_eq!(verify(line), Some(!r.flags.badsum), "{line}");
        let v_second = r.second % 2 == 0;
        assert_eq!(r.flags.invalid, v_second && r.kind != "ZDA");
        if r.kind == "RMC" {
            assert_eq!(
                line.split(',').nth(2),
                Some(if v_second { "V" } else { "A" })
            );
        }
        assert!(!r.ok() || (!r.flags.badsum && !r.flags.invalid));
    }
}

#[test]
fn leap_second_is_emitted() {
    let cfg = SimConfig {
        paced: false,
        ..config("leap:before=1", 3.3)
    };
    let (truth, got) = run(cfg);
    let lines = sentences(&got);
    let on_time: Vec<&TruthRecord> = truth.iter().filter(|r| r.on_time).collect();
    assert!(on_time.len() >= 3);
    let hms: Vec<String> = lines
        .iter()
        .filter(|l| l.starts_with("$GPRMC"))
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(hms[..3], ["235959.00", "235960.00", "000000.00"]);
    assert!(lines[3].starts_with("$GPRMC,235960.00,A,") && lines[3].contains(",311216,"));
    let midnight = 1_483_228_800; // 2017-01-01T00:00:00Z
    assert_eq!(named(on_time[0]).secs(), midnight - 1);
    assert_eq!(named(on_time[1]).secs(), midnight);
    assert_eq!(on_time[1].time.unwrap().second, 60);
    assert_eq!(named(on_time[2]).secs(), midnight);
    // The mapping stated in the truth: constant, one second less after
    // the leap.
    assert_eq!(on_time[1].shift, on_time[0].shift);
    assert_eq!(on_time[2].shift, on_time[1].shift - 1);
    for r in &on_time {
        assert_eq!(named(r).secs(), r.wall + r.shift);
    }
}

#[test]
fn rollover_and_year_boundaries() {
    let cfg = SimConfig {
        paced: false,
        ..config("rollover", 1.5)
    };
    let (truth, got) = run(cfg);
    let lines = sentences(&got);
    let r = &truth[0];
    assert_eq!(named(r).secs(), r.wall - 1024 * SECS_PER_WEEK);
    let back = CivilTime::from_timestamp(Timestamp::from_secs(r.wall - 1024 * SECS_PER_WEEK));
    let ddmmyy = format!("{:02}{:02}{:02}", back.day, back.month, back.year % 100);
    assert_eq!(lines[0].split(',').nth(9), Some(ddmmyy.as_str()));
    let zda_year = format!(",{:04},", back.year);
    assert!(lines[2].contains(&zda_year), "{}", lines[2]);

    let cfg = SimConfig {
        paced: false,
        ..config("year:2000,before=1", 2.3)
    };
    let (_, got) = run(cfg);
    let rmc: Vec<String> = sentences(&got)
        .into_iter()
        .filter(|l| l.starts_with("$GPRMC"))
        .collect();
    assert!(rmc[0].starts_with("$GPRMC,235959.00,A,") && rmc[0].contains(",311299,"));
    assert!(rmc[1].starts_with("$GPRMC,000000.00,A,") && rmc[1].contains(",010100,"));
}

#[test]
fn drop_and_silence_write_nothing() {
    let cfg = SimConfig {
        paced: false,
        ..config("drop:2+silence:after=2,for=1", 4.3)
    };
    let (truth, got) = run(cfg);
    assert_eq!(got, expected_bytes(&truth));
    let seconds: Vec<(u64, bool, bool)> = truth
        .chunks(3)
        .map(|s| (s[0].second, s[0].flags.dropped, s[0].flags.silent))
        .collect();
    assert!(seconds.len() >= 4);
    for &(sec, dropped, silent) in &seconds {
        assert_eq!(dropped, sec % 2 == 1 && sec != 2);
        assert_eq!(silent, sec == 2);
    }
    for r in &truth {
        assert_eq!(r.first.is_none(), r.flags.not_written());
        assert_eq!(r.expected_offset(0.0).is_none(), r.flags.not_written());
    }
}

#[test]
fn vanish_removes_the_device_and_brings_a_new_one() {
    let dir = TempDir::new("vanish");
    let link = dir.0.join("gps0");
    let cfg = SimConfig {
        link: Some(link.clone()),
        paced: false,
        ..config("vanish:after=1,for=2", 5.0)
    };
    let mut h: SimHandle = Simulator::start(cfg).unwrap();
    let first_slave = h.slave_path().unwrap();
    let reader = spawn_reader(&link);
    let gone = h
        .wait_for_event(Duration::from_secs(5), |e| {
            matches!(e.kind, SimEventKind::Vanished(_))
        })
        .expect("the device vanishes");
    assert_eq!(gone.kind, SimEventKind::Vanished(first_slave.clone()));
    assert!(std::fs::symlink_metadata(&link).is_err(), "link removed");
    assert_eq!(h.slave_path(), None);
    // The old descriptor sees the hang-up: the reader ends.
    let before = reader.join().unwrap();
    assert!(sentences(&before).iter().all(|l| verify(l) == Some(true)));
    assert!(!before.is_empty());

    let back = h
        .wait_for_event(Duration::from_secs(5), |e| {
            matches!(e.kind, SimEventKind::Appeared(_)) && e.at > gone.at
        })
        .expect("the device comes back");
    let SimEventKind::Appeared(new_slave) = back.kind else {
        unreachable!()
    };
    assert!(back.at - gone.at > 1.5, "gone for about two seconds");
    assert_eq!(std::fs::read_link(&link).unwrap(), new_slave);
    let reader = spawn_reader(&link);
    h.wait().unwrap();
    let after = reader.join().unwrap();
    let truth = h.truth();
    assert!(!sentences(&after).is_empty(), "data from the new pty");
    let written_after: Vec<&TruthRecord> = truth
        .iter()
        .filter(|r| r.first.is_some_and(|t| t > back.at))
        .collect();
    assert_eq!(sentences(&after).len(), written_after.len());
    let vanished: Vec<u64> = truth
        .iter()
        .filter(|r| r.flags.vanished)
        .map(|r| r.second)
        .collect();
    assert_eq!(vanished, [1, 1, 1, 2, 2, 2]);
    let appeared = h
        .events()
        .iter()
        .filter(|e| matches!(e.kind, SimEventKind::Appeared(_)))
        .count();
    assert_eq!(appeared, 2);
}

#[test]
fn builtin_receiver_for_the_nmea_driver() {
    let setup = DeviceSetup {
        fudge: refclock_core::Fudge {
            mode: 0x1 | 0x8 | 0x10, // RMC, ZDA, 9600 baud (the driver sets it)
            ..Default::default()
        },
        ..DeviceSetup::default()
    };
    let mut h = refclock_sim::start_builtin(20, "drop:every=9+jitter:max=5", &setup).unwrap();
    // A link in a directory of its own, to the pseudo-terminal.
    assert!(h.path().ends_with("device"), "{:?}", h.path());
    let target = std::fs::read_link(h.path()).unwrap();
    assert!(target.starts_with("/dev/pts"), "{target:?}");
    let reader = spawn_reader(h.path());
    let truth = h.wait_for_records(2, Duration::from_secs(4));
    // Stopping hangs the pty up, which discards what the reader has not
    // read yet: give it time to (a loaded machine may not run it at once).
    std::thread::sleep(Duration::from_millis(300));
    h.stop().unwrap();
    let got = reader.join().unwrap();
    let kinds: Vec<&str> = truth.iter().take(2).map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["RMC", "ZDA"]);
    assert!(!sentences(&got).is_empty());
    assert!(sentences(&got).iter().all(|l| verify(l) == Some(true)));
    assert!(!h.is_running());
    let dir = h.path().parent().unwrap().to_path_buf();
    drop(h);
    assert!(!dir.exists(), "the link's directory is removed");
    let err = refclock_sim::start_builtin(41, "clean", &setup).unwrap_err();
    assert!(err.to_string().contains("type 41"), "{err}");
    assert!(refclock_sim::start_builtin(20, "nosuch", &setup).is_err());
}

#[test]
fn a_canonical_reader_sees_each_line_at_its_line_end() {
    // Read like the host loop: canonical 4800 8N1 (ICRNL), the system time
    // taken when poll() wakes, one line per read().
    let mut h = Simulator::start(config("jitter:max=50", 3.2)).unwrap();
    let port = SerialPort::open(h.path(), Some(&SerialConfig::canonical_8n1(4800))).unwrap();
    let mut lines: Vec<(Timestamp, String)> = Vec::new();
    let mut buf = [0u8; 256];
    while h.is_running() {
        let ev = poll_fd(port.fd(), libc::POLLIN, Duration::from_millis(100)).unwrap();
        if ev == 0 {
            continue;
        }
        let t = now();
        if ev & libc::POLLIN == 0 {
            break;
        }
        match port.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let line = String::from_utf8_lossy(&buf[..n]).trim().to_string();
                if !line.is_empty() {
                    lines.push((t, line));
                }
            }
        }
    }
    h.wait().unwrap();
    let truth = h.truth();
    let mut lateness = Vec::new();
    for (t, line) in &lines {
        // Opening the port may have cut the first line.
        let Some(r) = truth.iter().find(|r| &r.text == line) else {
            continue;
        };
        // Woken by the CR, never before its write began (how late depends
        // on this test thread's scheduling).
        let late = *t - r.eol.unwrap();
        assert!(late >= 0.0, "{line}: read {late} s after the CR");
        assert!(*t < r.last_end.unwrap() + 0.5);
        // The offset this reader measures is the one the truth predicts,
        // less its wake-up latency.
        let expected = r.expected_offset(0.0).unwrap();
        // The sentence is late by its transmission time and the jitter.
        assert!(expected < 0.0 && expected > -0.5, "{expected}");
        lateness.push(late);
    }
    assert!(
        lateness.len() >= 5,
        "{} of {} lines matched",
        lateness.len(),
        lines.len()
    );
    lateness.sort_by(f64::total_cmp);
    let median = lateness[lateness.len() / 2];
    assert!(median < 20.0 * MS, "median wake-up {median} s after the CR");
}
