//! Shared pieces of the `ntp-refclock` process tests: starting and stopping
//! the program, NMEA sentences to write, and parsing its `SAMPLE:` lines.

#![allow(dead_code, reason = "each test file uses its own subset")]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use refclock_core::calendar::CivilTime;
use refclock_core::os::clock::now;
use refclock_core::Timestamp;
use refclock_drivers::nmea::encode::frame;

/// `ntp-refclock` with `args`, stdout and stderr piped. When the tests run
/// as root it drops to `nobody` in an empty temporary directory, as in
/// production (the default /var/empty may not exist here), unless `args`
/// choose `-u`/`-r` themselves.
pub fn spawn(args: &[&str]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ntp-refclock"));
    if !args.contains(&"-r") {
        let root = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("refclock-empty-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        cmd.arg("-r").arg(root);
    }
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ntp-refclock")
}

/// The child's stdout lines, as they come.
pub fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Sends `sig` and waits (at most 10 s) for the exit; returns the exit
/// code and what was left on stderr.
pub fn terminate(child: &mut Child, sig: i32) -> (Option<i32>, String) {
    Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .expect("kill");
    wait_exit(child, Duration::from_secs(10)).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("ntp-refclock did not exit on signal {sig}");
    })
}

/// Waits (at most `timeout`) for the child to exit; returns its exit code
/// and what was left on stderr, or `None` when it is still running.
pub fn wait_exit(child: &mut Child, timeout: Duration) -> Option<(Option<i32>, String)> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return Some((status.code(), err));
        }
        if Instant::now() > deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A pseudo-terminal whose slave is linked at `dir/gps0`, as a receiver
/// plugged in at a device path; returns it with the link.
pub fn pty_at(dir: &std::path::Path) -> (refclock_core::os::pty::Pty, std::path::PathBuf) {
    let link = dir.join("gps0");
    let mut pty = refclock_core::os::pty::Pty::open().unwrap();
    pty.link_at(&link).unwrap();
    (pty, link)
}

/// An RMC sentence (with checksum and CR LF) naming `t`, status A.
pub fn rmc(t: Timestamp) -> String {
    let c = CivilTime::from_timestamp(t);
    frame(
        &format!(
            "GPRMC,{:02}{:02}{:02}.00,A,4807.038,N,01131.000,E,0.0,0.0,{:02}{:02}{:02},,,A",
            c.hour,
            c.minute,
            c.second,
            c.day,
            c.month,
            c.year % 100
        ),
        true,
    )
}

/// A fresh directory `refclock-NAME-PID` under the target's temporary
/// directory (emptied if a previous run left it).
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("refclock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes one RMC per second on `pty` for `n` seconds, 50 ms after each
/// second it names.
pub fn feed(pty: &refclock_core::os::pty::Pty, n: i64) {
    let start = now().secs() + 1;
    for k in 0..n {
        let named = Timestamp::from_secs(start + k);
        sleep_until(named + 0.05);
        let _ = pty.write_all(rmc(named).as_bytes());
    }
}

/// Sleeps until system time `t`.
pub fn sleep_until(t: Timestamp) {
    let d = t - now();
    if d > 0.0 {
        thread::sleep(Duration::from_secs_f64(d));
    }
}

/// One `SAMPLE:` line.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// `time=`: the sample's system time.
    pub time: f64,
    /// `offset=`: true − system time.
    pub offset: f64,
    /// `leap=`.
    pub leap: u8,
}

/// Parses `SAMPLE: time=S.U offset=O leap=L`.
pub fn parse_sample(line: &str) -> Option<Sample> {
    let rest = line.strip_prefix("SAMPLE: time=")?;
    let (time, rest) = rest.split_once(" offset=")?;
    let (offset, leap) = rest.split_once(" leap=")?;
    Some(Sample {
        time: time.parse().ok()?,
        offset: offset.parse().ok()?,
        leap: leap.parse().ok()?,
    })
}
