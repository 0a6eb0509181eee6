//! The host loop with a real pseudo-terminal and a minimal driver that
//! counts what the loop calls: the timer keeps its once-a-second beat even
//! when the device never pauses, polls follow 2^poll, and bytes reach the
//! driver with a timestamp taken after they were written; a device that
//! vanishes is reopened with its PPS source, or, with reopening off, ends
//! the loop with the reason.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use refclock_core::driver::{
    DeviceSpec, DriverInfo, PpsEdgeKind, PpsRequest, SerialConfig, StartError,
};
use refclock_core::os::clock::now;
use refclock_core::os::host::{Handler, Host, HostError, HostOptions};
use refclock_core::os::pty::Pty;
use refclock_core::{Action, ClockId, ClockState, Driver, Fudge, Timestamp};

static INFO: DriverInfo = DriverInfo {
    kind: 255,
    ntpd_name: "COUNTER",
    name: "counter",
    description: "counts the host loop's calls",
    refid: *b"TEST",
};

/// What the driver saw.
#[derive(Default, Debug)]
struct Counts {
    bytes: usize,
    reads: usize,
    timers: Vec<Timestamp>,
    polls: Vec<Timestamp>,
    first_rectime: Option<Timestamp>,
    lost: usize,
    reopened: usize,
}

struct Counter {
    clock: ClockState,
    path: String,
    pps: Option<PpsRequest>,
    counts: Arc<Mutex<Counts>>,
}

impl Driver for Counter {
    fn info(&self) -> &'static DriverInfo {
        &INFO
    }
    fn clock(&self) -> &ClockState {
        &self.clock
    }
    fn clock_mut(&mut self) -> &mut ClockState {
        &mut self.clock
    }
    fn startup(&mut self) -> Result<DeviceSpec, StartError> {
        Ok(DeviceSpec {
            path: self.path.clone().into(),
            serial: Some(SerialConfig::raw_8n1(115_200)),
            pps: self.pps.clone(),
            read_size: 0,
            tcp_fallback: false,
        })
    }
    fn receive(&mut self, data: &[u8], rectime: Timestamp) {
        let mut c = self.counts.lock().unwrap();
        c.bytes += data.len();
        c.reads += 1;
        c.first_rectime.get_or_insert(rectime);
    }
    fn timer(&mut self, now: Timestamp) {
        self.counts.lock().unwrap().timers.push(now);
    }
    fn poll(&mut self, now: Timestamp) {
        self.counts.lock().unwrap().polls.push(now);
    }
    fn device_lost(&mut self) {
        self.counts.lock().unwrap().lost += 1;
    }
    fn device_reopened(&mut self) {
        self.counts.lock().unwrap().reopened += 1;
    }
}

struct Quiet;

impl Handler for Quiet {
    fn action(&mut self, _id: ClockId, _now: Timestamp, _action: Action) -> Result<(), String> {
        Ok(())
    }
    fn log(&mut self, _message: &str) {}
}

fn start(path: &str, poll_exponent: u8) -> (Host, Arc<Mutex<Counts>>) {
    let counts = Arc::new(Mutex::new(Counts::default()));
    let driver = Box::new(Counter {
        clock: ClockState::new(ClockId { kind: 255, unit: 0 }, Fudge::default()),
        path: path.into(),
        pps: None,
        counts: counts.clone(),
    });
    let opts = HostOptions {
        poll_exponent,
        ..HostOptions::default()
    };
    (Host::start(driver, opts, &mut Quiet).unwrap(), counts)
}

fn run_for(host: &mut Host, secs: f64) {
    let end = Instant::now() + Duration::from_secs_f64(secs);
    while Instant::now() < end {
        host.run_once(&mut Quiet).unwrap();
    }
}

#[test]
fn timer_keeps_its_beat_under_a_flood_and_polls_follow_the_exponent() {
    let pty = Pty::open().unwrap();
    // A full buffer must not block the writer once the loop stops reading.
    pty.set_nonblocking(true).unwrap();
    let path = pty.slave_path().to_str().unwrap().to_string();
    let (mut host, counts) = start(&path, 1);
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
    run_for(&mut host, 4.6);
    stop.store(true, Ordering::Relaxed);
    let _pty = flood.join().unwrap();

    let c = counts.lock().unwrap();
    assert!(
        c.reads > 100 && c.bytes > 1600,
        "{} reads, {} bytes",
        c.reads,
        c.bytes
    );
    assert!(c.first_rectime.unwrap() >= first_write);
    // Ticks at about 1, 2, 3, 4 s despite the flood.
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
    assert_eq!(c.polls.len(), 3, "{:?}", c.polls);
    assert_eq!(c.polls, vec![c.timers[0], c.timers[1], c.timers[3]]);
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

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("refclock-host-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A driver on a pty linked at `dir/gps0` that asks for PPS from a device
/// that is not there (this machine has no /dev/pps), then the serial port.
fn start_with_pps(dir: &std::path::Path, log: &mut Logger) -> (Host, Pty, Arc<Mutex<Counts>>) {
    let link = dir.join("gps0");
    let mut pty = Pty::open().unwrap();
    pty.link_at(&link).unwrap();
    let counts = Arc::new(Mutex::new(Counts::default()));
    let driver = Box::new(Counter {
        clock: ClockState::new(ClockId { kind: 255, unit: 0 }, Fudge::default()),
        path: link.to_str().unwrap().into(),
        pps: Some(PpsRequest {
            path: Some(dir.join("gpspps0")),
            fallback_to_serial: true,
            edge: PpsEdgeKind::Assert,
            hardpps: false,
        }),
        counts: counts.clone(),
    });
    let host = Host::start(driver, HostOptions::default(), log).unwrap();
    (host, pty, counts)
}

fn pps_attempts(log: &Logger) -> usize {
    log.0
        .iter()
        .filter(|l| l.starts_with("PPS requested but PPSAPI fails"))
        .count()
}

#[test]
fn a_reopened_device_gets_its_pps_source_set_up_again() {
    let dir = temp_dir("pps-reopen");
    let mut log = Logger::default();
    let (mut host, pty, counts) = start_with_pps(&dir, &mut log);
    assert_eq!(pps_attempts(&log), 1, "{:?}", log.0);

    // Unplugged: the loop notices the hang-up and plans a reopen.
    drop(pty);
    let deadline = Instant::now() + Duration::from_secs(5);
    while host.device_open() && Instant::now() < deadline {
        host.run_once(&mut log).unwrap();
    }
    assert!(!host.device_open(), "the loss was noticed: {:?}", log.0);

    // Plugged back in at the same path: reopened within the 1 s back-off.
    let mut pty = Pty::open().unwrap();
    pty.link_at(&dir.join("gps0")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !host.device_open() && Instant::now() < deadline {
        host.run_once(&mut log).unwrap();
    }
    assert!(host.device_open(), "reopened: {:?}", log.0);
    let _ = std::fs::remove_dir_all(&dir);

    let c = counts.lock().unwrap();
    assert_eq!((c.lost, c.reopened), (1, 1));
    // The PPS set-up was tried again for the new device.
    assert_eq!(pps_attempts(&log), 2, "{:?}", log.0);
    drop(pty);
}

#[test]
fn with_reopening_disabled_a_lost_device_ends_the_loop_with_the_reason() {
    let dir = temp_dir("no-reopen");
    let mut log = Logger::default();
    let (mut host, pty, counts) = start_with_pps(&dir, &mut log);
    host.disable_reopen("not reachable after the chroot".into());
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
    assert_eq!(counts.lock().unwrap().lost, 1);
    assert!(!log.0.iter().any(|l| l.contains("will try to reopen")));
}
