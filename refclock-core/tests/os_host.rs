//! The host with real pseudo-terminals and a minimal driver that counts
//! what the host calls: the timer keeps its once-a-second beat even when
//! the device never pauses, polls follow 2^poll, bytes reach the driver
//! with a timestamp taken after they were written; a device that vanishes
//! is reopened with its PPS source (at once when it reappears, not at the
//! next back-off step), or, with reopening off, ends the loop with the
//! reason; and three clocks run side by side, one of them with a port that
//! takes no output, without the others' timestamps suffering.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use refclock_core::driver::downcast_driver;
use refclock_core::os::clock::now;
use refclock_core::os::host::{ClockOptions, Handler, Host, HostError};
use refclock_core::os::pty::Pty;
use refclock_core::port::{
    OpenPolicy, PortSpec, PpsEdgeKind, PpsRequest, SerialConfig, StatusFileSpec,
};
use refclock_core::{
    Action, Clock, ClockId, Context, Driver, DriverConfig, DriverInfo, PortEvent, PortId, Ports,
    StartError, Timestamp,
};

/// What the driver saw.
#[derive(Default, Debug)]
struct Counter {
    bytes: usize,
    reads: usize,
    timers: Vec<Timestamp>,
    polls: Vec<Timestamp>,
    /// Receive time of each read and the bytes it held.
    received: Vec<(Timestamp, Vec<u8>)>,
    opened: usize,
    lost: usize,
    write_failures: Vec<String>,
    /// mode 1: write 8 KiB at every read and every tick.
    chatty: bool,
    /// mode 2: a 32-byte status file beside the device (`.status`), each
    /// read's first bytes stored at its start, and a store that does not
    /// fit.
    status: bool,
    /// Open failures the host reported.
    open_failures: Vec<String>,
}

impl Driver for Counter {
    const INFO: DriverInfo = DriverInfo {
        kind: 255,
        ntpd_name: "COUNTER",
        name: "counter",
        description: "counts the host's calls",
        refid: *b"TEST",
    };

    fn start(config: &DriverConfig, _ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError> {
        let path = config.device.clone().expect("a device");
        let pps = config.pps_device.clone().map(|p| PpsRequest {
            path: Some(p),
            fallback_port: Some(PortId::MAIN),
            edge: PpsEdgeKind::Assert,
            hardpps: false,
        });
        let status = (config.fudge.mode == 2).then(|| StatusFileSpec {
            path: path.with_extension("status"),
            image: vec![b'.'; 32],
        });
        let me = Counter {
            chatty: config.fudge.mode == 1,
            status: status.is_some(),
            ..Counter::default()
        };
        // mode 3: opened on demand (at the first poll), locked with
        // `LCK..` beside the device.
        let port = if config.fudge.mode == 3 {
            let lock = path.with_file_name("LCK..dev");
            PortSpec::serial(path, SerialConfig::raw_8n1(115_200))
                .opened(OpenPolicy::OnDemand)
                .with_lock(Some(lock))
        } else {
            PortSpec::serial(path, SerialConfig::raw_8n1(115_200))
        };
        Ok((me, Ports::one(port).with_pps(pps).with_status_file(status)))
    }

    fn receive(&mut self, ctx: &mut Context<'_>, port: PortId, data: &[u8], rectime: Timestamp) {
        self.bytes += data.len();
        self.reads += 1;
        if self.received.len() < 10_000 {
            self.received.push((rectime, data.to_vec()));
        }
        if self.chatty {
            ctx.write(port, vec![b'w'; 8192]);
        }
        if self.status {
            ctx.status_write(0, &data[..data.len().min(8)]);
            ctx.status_write(30, b"xyz");
        }
    }

    fn timer(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        self.timers.push(now);
        if self.chatty {
            ctx.write(PortId::MAIN, vec![b'w'; 8192]);
        }
    }

    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        self.polls.push(now);
        if self.polls.len() == 1 {
            ctx.open(PortId::MAIN);
        }
    }

    fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
        match event {
            PortEvent::Opened => self.opened += 1,
            PortEvent::Closed(_) => self.lost += 1,
            PortEvent::WriteFailed(why) => self.write_failures.push(why),
            PortEvent::OpenFailed(why) => self.open_failures.push(why),
            _ => {}
        }
    }
}

/// Keeps the host's log lines.
#[derive(Default)]
struct Logger(Vec<String>);

impl Handler for Logger {
    fn action(&mut self, _id: ClockId, _now: Timestamp, _action: Action) -> Result<(), String> {
        Ok(())
    }
    fn log(&mut self, message: &str) {
        self.0.push(message.to_string());
    }
}

fn config(unit: u8, path: &Path, pps: Option<PathBuf>, mode: u32) -> DriverConfig {
    let mut c = DriverConfig {
        unit,
        device: Some(path.to_path_buf()),
        pps_device: pps,
        ..DriverConfig::default()
    };
    c.fudge.mode = mode;
    c
}

fn add(host: &mut Host, config: DriverConfig, poll_exponent: u8, log: &mut Logger) -> usize {
    let clock = Box::new(Clock::<Counter>::start(config).unwrap());
    let opts = ClockOptions {
        poll_exponent,
        ..ClockOptions::default()
    };
    host.add(clock, opts, log).unwrap()
}

fn counter(host: &Host, idx: usize) -> &Counter {
    downcast_driver::<Counter>(host.clock(idx)).unwrap()
}

fn run_for(host: &mut Host, log: &mut Logger, secs: f64) {
    let end = Instant::now() + Duration::from_secs_f64(secs);
    while Instant::now() < end {
        host.run_once(log).unwrap();
    }
}

fn run_until(host: &mut Host, log: &mut Logger, secs: f64, done: impl Fn(&Host) -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs_f64(secs);
    while !done(host) && Instant::now() < end {
        host.run_once(log).unwrap();
    }
    done(host)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("refclock-host-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn timer_keeps_its_beat_under_a_flood_and_polls_follow_the_exponent() {
    let pty = Pty::open().unwrap();
    // A full buffer must not block the writer once the loop stops reading.
    pty.set_nonblocking(true).unwrap();
    let mut log = Logger::default();
    let mut host = Host::new();
    let c = add(&mut host, config(0, pty.slave_path(), None, 0), 1, &mut log);
    let stop = Arc::new(AtomicBool::new(false));
    let first_write = now();
    let flood = {
        let stop = stop.clone();
        thread::spawn(move || {
            // Keep the pty's buffer as full as the writer can (hundreds
            // of MB/s): the loop must still tick once a second.
            let chunk = [b'x'; 4096];
            while !stop.load(Ordering::Relaxed) {
                if pty.write(&chunk).is_err() {
                    thread::sleep(Duration::from_micros(100));
                }
            }
            pty
        })
    };
    run_for(&mut host, &mut log, 4.6);
    stop.store(true, Ordering::Relaxed);
    let _pty = flood.join().unwrap();

    let c = counter(&host, c);
    assert!(
        c.reads > 100 && c.bytes > 1600,
        "{} reads, {} bytes",
        c.reads,
        c.bytes
    );
    assert!(c.received[0].0 >= first_write);
    // Ticks at about 0, 1, 2, 3, 4 s despite the flood.
    assert!(
        (4..=5).contains(&c.timers.len()),
        "timer ran {} times",
        c.timers.len()
    );
    for w in c.timers.windows(2) {
        let gap = w[1] - w[0];
        assert!((0.8..1.2).contains(&gap), "ticks {gap} s apart");
    }
    // poll_exponent 1: as in the C program, whose `nextdate` starts at 0
    // and grows by 2^poll at each poll, polls come at ticks 1, 2, 4, 6...
    assert_eq!(c.polls, vec![c.timers[0], c.timers[1], c.timers[3]]);
    assert_eq!(c.opened, 1);
}

/// A clock on a pty linked at `dir/gps0` that asks for PPS from a device
/// that is not there (this machine has no /dev/pps), then the serial port.
fn start_with_pps(dir: &Path, log: &mut Logger) -> (Host, Pty) {
    let link = dir.join("gps0");
    let mut pty = Pty::open().unwrap();
    pty.link_at(&link).unwrap();
    let mut host = Host::new();
    add(
        &mut host,
        config(0, &link, Some(dir.join("gpspps0")), 0),
        6,
        log,
    );
    (host, pty)
}

fn pps_attempts(log: &Logger) -> usize {
    log.0
        .iter()
        .filter(|l| l.starts_with("PPS requested but PPSAPI fails"))
        .count()
}

fn open(host: &Host) -> bool {
    host.port_open(0, PortId::MAIN)
}

#[test]
fn a_status_file_is_created_at_start_and_holds_what_the_driver_stores() {
    let dir = temp_dir("status");
    let link = dir.join("gps0");
    let path = dir.join("gps0.status");
    std::fs::write(&path, b"a longer file left by an earlier run").unwrap();
    let mut pty = Pty::open().unwrap();
    pty.link_at(&link).unwrap();
    let mut log = Logger::default();
    let mut host = Host::new();
    add(&mut host, config(0, &link, None, 2), 6, &mut log);
    // Created (truncated) with the image when the clock is added.
    assert_eq!(std::fs::read(&path).unwrap(), vec![b'.'; 32]);
    pty.write_all(b"hello").unwrap();
    assert!(
        run_until(&mut host, &mut log, 5.0, |h| counter(h, 0).bytes >= 5),
        "{:?}",
        log.0
    );
    // Another reader sees the store at once; the one that does not fit
    // is refused whole and logged.
    let seen = std::fs::read(&path).unwrap();
    assert_eq!(&seen[..5], b"hello");
    assert_eq!(&seen[5..], &[b'.'; 27][..]);
    assert_eq!(host.status_file(0).map(|f| f.bytes().to_vec()), Some(seen));
    assert!(
        log.0.iter().any(|l| l.contains("do not fit")),
        "{:?}",
        log.0
    );
    let _ = std::fs::remove_dir_all(&dir);
    drop(pty);
}

#[test]
fn a_status_file_that_cannot_be_created_is_logged_and_the_clock_runs() {
    let dir = temp_dir("status-denied");
    let link = dir.join("gps0");
    // A directory where the file would go.
    std::fs::create_dir(dir.join("gps0.status")).unwrap();
    let mut pty = Pty::open().unwrap();
    pty.link_at(&link).unwrap();
    let mut log = Logger::default();
    let mut host = Host::new();
    add(&mut host, config(0, &link, None, 2), 6, &mut log);
    assert!(host.status_file(0).is_none());
    assert!(log.0.iter().any(|l| l.contains("not kept")), "{:?}", log.0);
    pty.write_all(b"hello").unwrap();
    assert!(run_until(&mut host, &mut log, 5.0, |h| counter(h, 0).bytes >= 5));
    let _ = std::fs::remove_dir_all(&dir);
    drop(pty);
}

#[test]
fn a_locked_port_is_locked_while_open_and_left_alone_when_another_holds_it() {
    let dir = temp_dir("lock");
    let link = dir.join("modem0");
    let lock = dir.join("LCK..dev");
    let mut pty = Pty::open().unwrap();
    pty.link_at(&link).unwrap();
    // Another live process holds the port (PID 1 always runs).
    std::fs::write(&lock, "1\n").unwrap();
    let mut log = Logger::default();
    let mut host = Host::new();
    add(&mut host, config(0, &link, None, 3), 0, &mut log);
    assert!(!open(&host), "on demand: not opened at start");
    assert!(
        run_until(&mut host, &mut log, 5.0, |h| !counter(h, 0)
            .open_failures
            .is_empty()),
        "{:?}",
        log.0
    );
    let why = &counter(&host, 0).open_failures[0];
    assert!(why.contains("in use by process 1"), "{why}");
    assert!(!open(&host));
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "1\n", "left alone");

    // A stale lock (its process gone) is replaced: the port opens, and
    // the lock holds our PID while it is open.
    std::fs::write(&lock, "4194305\n").unwrap();
    let mut host = Host::new();
    add(&mut host, config(0, &link, None, 3), 0, &mut log);
    assert!(run_until(&mut host, &mut log, 5.0, open), "{:?}", log.0);
    assert_eq!(
        std::fs::read_to_string(&lock).unwrap().trim(),
        std::process::id().to_string()
    );
    // Closed by the host (the clock removed with it): the lock goes.
    drop(host);
    assert!(!lock.exists());
    let _ = std::fs::remove_dir_all(&dir);
    drop(pty);
}

#[test]
fn a_reopened_device_gets_its_pps_source_set_up_again() {
    let dir = temp_dir("pps-reopen");
    let mut log = Logger::default();
    let (mut host, pty) = start_with_pps(&dir, &mut log);
    assert_eq!(pps_attempts(&log), 1, "{:?}", log.0);

    // Unplugged: the loop notices the hang-up and plans a reopen.
    drop(pty);
    assert!(
        run_until(&mut host, &mut log, 5.0, |h| !open(h)),
        "{:?}",
        log.0
    );

    // Plugged back in at the same path: reopened.
    let mut pty = Pty::open().unwrap();
    pty.link_at(&dir.join("gps0")).unwrap();
    assert!(run_until(&mut host, &mut log, 5.0, open), "{:?}", log.0);
    let _ = std::fs::remove_dir_all(&dir);

    let c = counter(&host, 0);
    assert_eq!((c.lost, c.opened), (1, 2));
    // The PPS set-up was tried again for the new device.
    assert_eq!(pps_attempts(&log), 2, "{:?}", log.0);
    drop(pty);
}

#[test]
fn a_returning_device_is_reopened_at_once_not_at_the_next_back_off_step() {
    let dir = temp_dir("inotify");
    let mut log = Logger::default();
    let (mut host, pty) = start_with_pps(&dir, &mut log);
    drop(pty);
    assert!(run_until(&mut host, &mut log, 5.0, |h| !open(h)));
    // The back-off tries at 1 s and 3 s after the loss, then at 7 s. The
    // device comes back at 3.5 s: only the watch can find it before 7 s.
    run_for(&mut host, &mut log, 3.5);
    assert!(!open(&host));
    let mut pty = Pty::open().unwrap();
    pty.link_at(&dir.join("gps0")).unwrap();
    let back = Instant::now();
    assert!(run_until(&mut host, &mut log, 3.0, open), "{:?}", log.0);
    let took = back.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(took < Duration::from_millis(500), "reopened after {took:?}");
    drop(pty);
}

#[test]
fn with_reopening_disabled_a_lost_device_ends_the_loop_with_the_reason() {
    let dir = temp_dir("no-reopen");
    let mut log = Logger::default();
    let (mut host, pty) = start_with_pps(&dir, &mut log);
    host.disable_reopen(0, "not reachable after the chroot".into());
    drop(pty);
    let deadline = Instant::now() + Duration::from_secs(5);
    let err = loop {
        match host.run_once(&mut log) {
            Ok(()) => assert!(Instant::now() < deadline, "still running"),
            Err(e) => break e,
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(matches!(err, HostError::DeviceLost { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("gps0: "), "{text}");
    assert!(text.ends_with("(not reachable after the chroot)"), "{text}");
    assert_eq!(counter(&host, 0).lost, 1);
    assert!(!log.0.iter().any(|l| l.contains("will try to reopen")));
}

/// Writes a numbered line to `pty` every `every`, recording when each
/// write began.
fn feeder(pty: Pty, stop: Arc<AtomicBool>, every: Duration) -> thread::JoinHandle<Vec<Timestamp>> {
    thread::spawn(move || {
        let mut sent = Vec::new();
        let mut n = 0u32;
        while !stop.load(Ordering::Relaxed) {
            let before = now();
            pty.write_all(format!("{n:08}\n").as_bytes()).unwrap();
            sent.push(before);
            n += 1;
            thread::sleep(every);
        }
        sent
    })
}

/// Lag of each line: receive time − start of the write that carried it
/// (lines are numbered, so each is matched to its write).
fn lags(received: &[(Timestamp, Vec<u8>)], sent: &[Timestamp]) -> Vec<f64> {
    let mut out = Vec::new();
    for (t, data) in received {
        for line in data.split(|&b| b == b'\n').filter(|l| l.len() == 8) {
            let n: usize = std::str::from_utf8(line).unwrap().parse().unwrap();
            out.push(*t - sent[n]);
        }
    }
    out
}

#[test]
fn three_clocks_one_with_a_port_that_takes_no_output() {
    let mut log = Logger::default();
    let mut host = Host::new();
    let (a, b, stuck) = (
        Pty::open().unwrap(),
        Pty::open().unwrap(),
        Pty::open().unwrap(),
    );
    let ia = add(&mut host, config(0, a.slave_path(), None, 0), 6, &mut log);
    let ib = add(&mut host, config(1, b.slave_path(), None, 0), 6, &mut log);
    // Nobody reads the stuck pty's master: its driver's writes fill the
    // buffer and then are refused.
    let is = add(
        &mut host,
        config(2, stuck.slave_path(), None, 1),
        6,
        &mut log,
    );
    stuck.write_all(b"wake\n").unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let fa = feeder(a, stop.clone(), Duration::from_millis(37));
    let fb = feeder(b, stop.clone(), Duration::from_millis(53));
    run_for(&mut host, &mut log, 7.0);
    stop.store(true, Ordering::Relaxed);
    let (sa, sb) = (fa.join().unwrap(), fb.join().unwrap());

    let s = counter(&host, is);
    assert!(
        !s.write_failures.is_empty(),
        "the stuck port's driver was told: {:?}",
        s.write_failures
    );
    for (idx, sent) in [(ia, &sa), (ib, &sb)] {
        let c = counter(&host, idx);
        let mut l = lags(&c.received, sent);
        assert!(
            l.len() as f64 > 0.9 * sent.len() as f64,
            "{} of {}",
            l.len(),
            sent.len()
        );
        assert!(l.iter().all(|&x| x >= 0.0), "received before written");
        l.sort_by(f64::total_cmp);
        let median = l[l.len() / 2];
        let worst = l[l.len() - 1];
        // Loose bounds for a loaded CI machine (beside busy loops a pty
        // read now and then comes 100-300 ms late, whoever reads); the
        // latency benchmark measures the real figures. A host that waited
        // on the stuck port would hold every clock for its 5 s stall.
        assert!(median < 0.02, "clock {idx}: median lag {median}");
        assert!(worst < 0.5, "clock {idx}: worst lag {worst}");
        assert!((6..=8).contains(&c.timers.len()), "{}", c.timers.len());
    }
    drop(stuck);
}

/// CPU time (user + system) of this thread so far, in seconds, from
/// /proc/thread-self/stat (clock ticks of 10 ms).
fn thread_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

#[test]
fn a_missing_device_costs_almost_no_cpu() {
    let dir = temp_dir("idle");
    let mut log = Logger::default();
    let (mut host, pty) = start_with_pps(&dir, &mut log);
    drop(pty);
    assert!(run_until(&mut host, &mut log, 5.0, |h| !open(h)));
    // Gone for 6 s: the watch and the back-off (1, 2, 4 s) wait, the
    // timer ticks; nothing spins.
    let before = thread_cpu();
    run_for(&mut host, &mut log, 6.0);
    let used = thread_cpu() - before;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!open(&host));
    // 1 % of 6 s is 60 ms; allow a loaded machine's noise on top.
    assert!(used < 0.12, "{used} s of CPU in 6 s");
}
