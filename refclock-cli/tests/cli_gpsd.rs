//! The GPSD JSON driver (type 46) in the real program:
//!
//! * against a real gpsd (Debian's package, fetched privately by
//!   `.ci/fetch-gpsd.sh` into `target/gpsd`) reading a pseudo-terminal fed
//!   by the simulated NMEA receiver: each sample's decoded time is a TPV
//!   time gpsd reports to another client, and the driver reconnects when
//!   gpsd is restarted;
//! * against scripted servers for what a real gpsd cannot be made to do:
//!   PPS and TOFF objects, malformed JSON, over-long lines, a server that
//!   stops talking;
//! * `--simulate` (the simulated gpsd on the simulator's terminal).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{lines_of, parse_sample, sleep_until, spawn, temp_dir, terminate, Sample};
use refclock_core::os::clock::now;
use refclock_core::Timestamp;
use refclock_drivers::gpsd::codec::{decode, encode, parse_time, Object};
use refclock_sim::{SimConfig, Simulator};

/// The sample's decoded (reference) time in microseconds.
fn reftime_us(s: &Sample) -> i64 {
    ((s.time + s.offset) * 1e6).round() as i64
}

/// Samples arriving on `lines` until `n` came or `timeout` passed.
fn collect(lines: &mpsc::Receiver<String>, n: usize, timeout: Duration) -> Vec<Sample> {
    let end = Instant::now() + timeout;
    let mut v = Vec::new();
    while v.len() < n {
        let left = end.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(l) => v.extend(parse_sample(&l)),
            Err(_) => break,
        }
    }
    v
}

// ---------------------------------------------------------------------
// The real gpsd.

/// `target/gpsd/gpsd` (or `$REFCLOCK_GPSD_DIR/gpsd`), the wrapper
/// `.ci/fetch-gpsd.sh` writes. `None` when the script has not been run:
/// the test then says so and passes, except under `.ci/test`, which
/// fetches gpsd first and sets `REFCLOCK_NEED_GPSD` so that a missing
/// gpsd fails.
fn gpsd_binary() -> Option<PathBuf> {
    let dir = std::env::var_os("REFCLOCK_GPSD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/gpsd"));
    let bin = dir.join("gpsd");
    if bin.exists() {
        return Some(bin);
    }
    if std::env::var_os("REFCLOCK_NEED_GPSD").is_some() {
        panic!(
            "REFCLOCK_NEED_GPSD is set but {} is missing: bash .ci/fetch-gpsd.sh failed?",
            bin.display()
        );
    }
    eprintln!(
        "SKIPPED: no gpsd at {}; run `bash .ci/fetch-gpsd.sh` (as .ci/test does) for the \
         test against a real gpsd",
        bin.display()
    );
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A gpsd in the foreground on 127.0.0.1:`port`, its control socket and
/// pid file in `dir`, reading `device` without configuring it.
struct Gpsd {
    child: Child,
}

impl Gpsd {
    fn start(bin: &Path, port: u16, dir: &Path, device: &Path) -> Gpsd {
        let child = Command::new(bin)
            .args(["-N", "-n", "-b", "-S", &port.to_string(), "-F"])
            .arg(dir.join("gpsd.sock"))
            .arg("-P")
            .arg(dir.join("gpsd.pid"))
            .arg(device)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gpsd");
        let end = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < end, "gpsd does not listen on {port}");
            thread::sleep(Duration::from_millis(20));
        }
        Gpsd { child }
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Gpsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Another client of gpsd: the TPV times (µs) it reports for `device`,
/// reconnecting while `run` is set.
fn watch_tpvs(port: u16, device: String, run: Arc<AtomicBool>) -> Arc<Mutex<Vec<i64>>> {
    let times = Arc::new(Mutex::new(Vec::new()));
    let out = times.clone();
    thread::spawn(move || {
        while run.load(Ordering::Relaxed) {
            let Ok(mut conn) = TcpStream::connect(("127.0.0.1", port)) else {
                thread::sleep(Duration::from_millis(50));
                continue;
            };
            let req =
                format!("?WATCH={{\"device\":\"{device}\",\"enable\":true,\"json\":true}};\r\n");
            if conn.write_all(req.as_bytes()).is_err() {
                continue;
            }
            conn.set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let mut reader = BufReader::new(conn);
            let mut line = String::new();
            while run.load(Ordering::Relaxed) {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) => break,
                    Ok(_) => {
                        if let Ok(Object::Tpv(t)) = decode(line.trim().as_bytes()) {
                            if let Some(time) = t.time.filter(|_| t.mode >= 2) {
                                let ts = parse_time(&time).unwrap();
                                out.lock().unwrap().push(ts.as_nanos() as i64 / 1000);
                            }
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => break,
                }
            }
        }
    });
    times
}

#[test]
fn samples_from_a_real_gpsd_are_its_tpv_times_across_a_restart() {
    let Some(bin) = gpsd_binary() else { return };
    let dir = temp_dir("gpsd-real");
    let sim = Simulator::start(SimConfig {
        link: Some(dir.join("gps0")),
        paced: false,
        delay: Duration::from_millis(30),
        ..SimConfig::default()
    })
    .expect("simulated NMEA receiver");
    let pts = std::fs::canonicalize(sim.path()).unwrap();
    let port = free_port();
    let mut gpsd = Gpsd::start(&bin, port, &dir, &pts);
    let run = Arc::new(AtomicBool::new(true));
    let tpvs = watch_tpvs(port, pts.display().to_string(), run.clone());

    let server = format!("server=127.0.0.1:{port}");
    let link = sim.path().to_str().unwrap().to_string();
    let mut child = spawn(&["-d", "127.127.46.0", "path", &link, "option", &server]);
    let lines = lines_of(&mut child);
    let before = collect(&lines, 3, Duration::from_secs(10));
    assert!(before.len() >= 3, "samples before the restart: {before:?}");

    gpsd.stop();
    let restarted_at = now().as_secs_f64();
    let mut gpsd = Gpsd::start(&bin, port, &dir, &pts);
    let after: Vec<Sample> = collect(&lines, 6, Duration::from_secs(20))
        .into_iter()
        .filter(|s| s.time > restarted_at)
        .collect();
    thread::sleep(Duration::from_millis(300));
    run.store(false, Ordering::Relaxed);
    let (code, err) = terminate(&mut child, 15);
    gpsd.stop();
    drop(sim);
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(code, Some(0), "{err}");
    assert!(
        after.len() >= 2,
        "samples after the restart: {after:?}\n{err}"
    );
    assert!(err.contains("lost"), "{err}");
    let tpvs = tpvs.lock().unwrap().clone();
    for s in before.iter().chain(&after) {
        let t = reftime_us(s);
        assert!(
            tpvs.iter().any(|&g| (g - t).abs() <= 2),
            "sample {s:?} (decoded {t} us) is no TPV time of gpsd: {tpvs:?}"
        );
        // gpsd read the sentence a little after the second it names.
        assert!(s.offset < 0.0 && s.offset > -0.5, "{s:?}");
    }
}

// ---------------------------------------------------------------------
// Scripted servers.

/// Accepts one connection, greets it as gpsd 3.22 and reads the watch
/// request; returns the connection, a reader of its lines and the
/// request.
fn greet(listener: &TcpListener) -> (TcpStream, BufReader<TcpStream>, String) {
    let (mut conn, _) = listener.accept().expect("the driver connects");
    conn.write_all(&encode::version("3.22", 3, 14)).unwrap();
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut req = String::new();
    reader.read_line(&mut req).unwrap();
    (conn, reader, req)
}

#[test]
fn pps_and_toff_from_a_scripted_server_with_malformed_and_long_lines() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = format!("server=127.0.0.1:{port}");
    // Mode 1: the TOFF names the second, the PPS object times it.
    let mut child = spawn(&[
        "-d",
        "127.127.46.0",
        "path",
        "/dev/null",
        "mode",
        "1",
        "time1",
        "0.002",
        "option",
        &server,
    ]);
    let lines = lines_of(&mut child);
    let (mut conn, _reader, req) = greet(&listener);
    assert_eq!(
        req,
        "?WATCH={\"device\":\"/dev/null\",\"enable\":true,\"json\":true,\"pps\":true};\r\n"
    );
    conn.write_all(&encode::watch("/dev/null", true)).unwrap();
    let mut pulses = Vec::new();
    let start = now().secs() + 1;
    for k in 0..4 {
        let second = Timestamp::from_secs(start + k);
        sleep_until(second + 0.001);
        let clock = now();
        conn.write_all(&encode::time_pair("PPS", "/dev/null", second, clock))
            .unwrap();
        pulses.push((second, clock));
        sleep_until(second + 0.1);
        conn.write_all(b"{\"class\":\"TPV\",\"mode\":3,\"time\":\"bad\"\r\n")
            .unwrap();
        conn.write_all(&encode::tpv("/dev/null", 3, Some(second)))
            .unwrap();
        let mut long = b"{\"class\":\"SKY\",\"x\":\"".to_vec();
        long.extend(vec![b'a'; 10_000]);
        long.extend_from_slice(b"\"}\r\n");
        conn.write_all(&long).unwrap();
        conn.write_all(b"{\"class\":\"TOFF\",\"real_sec\":1.5,\"real_nsec\":0,\"clock_sec\":1,\"clock_nsec\":0}\r\n")
            .unwrap();
        let gpsd_rx = clock.add_secs_f64(0.08);
        conn.write_all(&encode::time_pair("TOFF", "/dev/null", second, gpsd_rx))
            .unwrap();
    }
    thread::sleep(Duration::from_millis(300));
    let (code, err) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{err}");
    let samples: Vec<Sample> = lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
    assert_eq!(samples.len(), 4, "{samples:?}\n{err}");
    for (s, (second, clock)) in samples.iter().zip(&pulses) {
        // The program prints µs: within 2 µs of the second named.
        let named = second.as_nanos() as i64 / 1000;
        assert!((reftime_us(s) - named).abs() <= 2, "{s:?}");
        let pulse = clock.as_secs_f64() - 0.002;
        assert!((s.time - pulse).abs() < 2e-6, "{s:?} {clock:?}");
    }
    assert!(err.contains("event: bad_format"), "{err}");
}

#[test]
fn a_silent_server_is_checked_given_up_and_called_again() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = format!("server=127.0.0.1:{port}");
    let mut child = spawn(&["-d", "127.127.46.0", "path", "/dev/null", "option", &server]);
    let lines = lines_of(&mut child);
    let (mut conn, mut reader, _) = greet(&listener);
    conn.write_all(&encode::watch("/dev/null", true)).unwrap();
    let t = now();
    conn.write_all(&encode::tpv("/dev/null", 3, Some(t)))
        .unwrap();
    conn.write_all(&encode::time_pair("TOFF", "/dev/null", t, t))
        .unwrap();
    let last = Instant::now();
    // The live check 6 s after the last line, the close at 10 s.
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let check = last.elapsed().as_secs_f64();
    assert_eq!(line, "?VERSION;\r\n");
    assert!((5.0..8.0).contains(&check), "live check after {check} s");
    line.clear();
    assert_eq!(reader.read_line(&mut line).unwrap(), 0, "closed: {line}");
    let closed = last.elapsed().as_secs_f64();
    assert!((9.0..12.0).contains(&closed), "closed after {closed} s");
    // The next call 10 s later (the back-off from 10 s: the server had
    // answered with a VERSION).
    listener.set_nonblocking(false).unwrap();
    let (_again, _) = listener.accept().expect("called again");
    let again = last.elapsed().as_secs_f64() - closed;
    assert!((8.0..13.0).contains(&again), "called again after {again} s");
    let (code, err) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{err}");
    let samples: Vec<Sample> = lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
    assert_eq!(samples.len(), 1, "{samples:?}");
}

// ---------------------------------------------------------------------
// The simulated gpsd.

#[test]
fn simulate_gives_samples_in_each_mode_and_for_the_pps_only_unit() {
    let runs: [&[&str]; 3] = [
        &["--simulate", "127.127.46.0"],
        &["--simulate", "127.127.46.0", "mode", "1"],
        &["--simulate", "127.127.46.128"],
    ];
    let mut children: Vec<_> = runs
        .iter()
        .map(|args| {
            let mut c = spawn(args);
            let l = lines_of(&mut c);
            (c, l)
        })
        .collect();
    for ((child, lines), args) in children.iter_mut().zip(runs) {
        let samples = collect(lines, 2, Duration::from_secs(8));
        let (code, err) = terminate(child, 15);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(samples.len() >= 2, "{args:?}: {samples:?}\n{err}");
        for s in &samples {
            // The simulated gpsd's clock is the system's: whole seconds.
            let frac = reftime_us(s).rem_euclid(1_000_000);
            assert!(!(3..=999_997).contains(&frac), "{args:?}: {s:?}");
            assert!(s.offset.abs() < 0.01, "{args:?}: {s:?}");
        }
    }
}
