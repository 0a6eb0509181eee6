//! The simulator thread: owns the pty, sleeps to each second's on-time
//! instant on the system clock, writes the planned bytes paced at the
//! serial speed, and records when each sentence's first byte, line end
//! (CR) and final LF were written.
//!
//! Timing: the thread sleeps until shortly before a due instant, then
//! spins on `clock_gettime(CLOCK_REALTIME)` for the last
//! [`SPIN_NS`] so the on-time character (and each sentence's LF) is
//! written within some microseconds of when it is due; every write is
//! bracketed by clock reads that go into the [`TruthRecord`]. Bytes in
//! between are written in chunks of whatever is due when the thread wakes.
//! The master is non-blocking: when nobody reads the slave and its buffer
//! is full, bytes are lost (as on a serial line) and the records say so.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use refclock_core::os::clock::now;
use refclock_core::os::pty::Pty;
use refclock_core::Timestamp;

use super::handle::{Inner, Shared, SimHandle};
use super::plan::{Disposition, Planner, SecondPlan};
use super::scenario::Scenario;
use super::truth::{SimEvent, SimEventKind, TruthFlags, TruthRecord};
use super::{Format, SimConfig, SimError, FALLBACK_BAUD};

/// Spin (instead of sleeping) for this long before a precise instant.
const SPIN_NS: i128 = 300_000;
/// After the last write of a run with a duration, keep the pty open at
/// least this long (seconds).
const LINGER_S: f64 = 0.2;
/// A wait longer than this (ns) means the clock was stepped back.
const STEP_BACK_NS: i128 = 3_000_000_000;
/// Longest single sleep, so a stop request is noticed quickly.
const MAX_SLEEP: Duration = Duration::from_millis(20);

/// Starts simulations.
#[derive(Debug, Clone, Copy)]
pub struct Simulator;

impl Simulator {
    /// Creates the pty (and the link), opens the truth log, and starts the
    /// thread that writes the timecode. Set-up errors are returned here;
    /// the handle stops the thread on [`SimHandle::stop`] or drop.
    pub fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        Scenario::check_combination(&config.scenarios)?;
        if config.delay >= Duration::from_secs(1) {
            return Err(SimError::Config(format!(
                "delay {:?} is not below one second",
                config.delay
            )));
        }
        let Format::Nmea(style) = &config.format;
        if style.sentences.is_empty() {
            return Err(SimError::Config("the NMEA style has no sentences".into()));
        }
        if config.baud == Some(0) {
            return Err(SimError::Config("baud rate 0".into()));
        }
        let pty = open_pty(&config)?;
        let slave = pty.slave_path().to_path_buf();
        let truth = match &config.truth_log {
            None => None,
            Some(path) => {
                let f = File::create(path).map_err(|source| SimError::TruthLog {
                    path: path.clone(),
                    source,
                })?;
                let mut w = BufWriter::new(f);
                let header = format!(
                    "# refclock-sim truth log: format={} scenarios={} seed={} delay_ms={} paced={} baud={}\n",
                    config.format,
                    if config.scenarios.is_empty() {
                        "clean".to_string()
                    } else {
                        config
                            .scenarios
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join("+")
                    },
                    config.seed,
                    config.delay.as_millis(),
                    config.paced,
                    config.baud.map_or_else(|| "slave".to_string(), |b| b.to_string()),
                );
                w.write_all(header.as_bytes())
                    .and_then(|()| w.flush())
                    .map_err(|source| SimError::TruthLog {
                        path: path.clone(),
                        source,
                    })?;
                Some((path.clone(), w))
            }
        };
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                running: true,
                slave: Some(slave.clone()),
                ..Inner::default()
            }),
            cond: Condvar::new(),
            stop: AtomicBool::new(false),
            capacity: config.truth_capacity,
        });
        let path = config.link.clone().unwrap_or_else(|| slave.clone());
        let mut runner = Runner {
            shared: Arc::clone(&shared),
            config,
            pty: Some(pty),
            truth,
            seq: 0,
        };
        runner.event(SimEventKind::Appeared(slave))?;
        let thread = std::thread::Builder::new()
            .name("refclock-sim".into())
            .spawn(move || {
                let result = runner.run();
                runner.finish();
                result
            })
            .map_err(|e| SimError::Thread(e.to_string()))?;
        Ok(SimHandle {
            shared,
            path,
            thread: Some(thread),
        })
    }
}

fn open_pty(config: &SimConfig) -> Result<Pty, SimError> {
    let mut pty = Pty::open().map_err(SimError::Pty)?;
    if let Some(link) = &config.link {
        pty.link_at(link).map_err(SimError::Link)?;
    }
    if config.hold_slave {
        pty.hold_slave_open().map_err(|source| SimError::Setup {
            what: "opening the slave",
            source,
        })?;
    }
    pty.set_nonblocking(true)
        .map_err(|source| SimError::Setup {
            what: "O_NONBLOCK on the master",
            source,
        })?;
    Ok(pty)
}

struct Runner {
    shared: Arc<Shared>,
    config: SimConfig,
    pty: Option<Pty>,
    truth: Option<(PathBuf, BufWriter<File>)>,
    seq: u64,
}

/// Where a sentence is in one second's output.
#[derive(Clone, Copy)]
struct Mark {
    /// Its `$`.
    start: usize,
    /// Its first line-end byte (the CR; what ends the line for a reader
    /// in canonical mode with ICRNL, as ntpd sets the line up).
    eol: usize,
    /// Its final LF.
    lf: usize,
}

impl Mark {
    /// Whether a write must end right after byte `i`.
    fn ends_write_at(&self, i: usize) -> bool {
        i == self.eol || i == self.lf
    }
}

/// One second's bytes and where the sentences are in them.
struct Layout {
    bytes: Vec<u8>,
    marks: Vec<Mark>,
}

fn layout(plan: &SecondPlan) -> Layout {
    let mut bytes = Vec::with_capacity(256);
    let mut marks = Vec::with_capacity(plan.sentences.len());
    for s in &plan.sentences {
        let start = bytes.len();
        let text = s.text.as_bytes();
        bytes.extend_from_slice(text);
        let eol = text
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .map_or(bytes.len() - 1, |i| start + i);
        marks.push(Mark {
            start,
            eol,
            lf: bytes.len() - 1,
        });
        bytes.extend_from_slice(&s.garbage_after);
    }
    Layout { bytes, marks }
}

/// Write times (before, after) of one sentence's bytes.
#[derive(Clone, Copy, Default)]
struct Times {
    first: Option<(Timestamp, Timestamp)>,
    eol: Option<(Timestamp, Timestamp)>,
    last: Option<(Timestamp, Timestamp)>,
    overflow: bool,
}

impl Runner {
    fn run(&mut self) -> Result<(), SimError> {
        let start = now();
        let end = self.config.duration.map(|d| start + d.as_secs_f64());
        let delay_ns = self.config.delay.as_nanos() as u64;
        let first_wall = start.secs() + 1;
        let style = match &self.config.format {
            Format::Nmea(s) => s.clone(),
        };
        let planner = Planner::new(
            style,
            self.config.scenarios.clone(),
            self.config.seed,
            first_wall,
            delay_ns,
        );
        let mut wall = first_wall;
        let mut last_write = start;
        loop {
            if self.shared.stopping() {
                return Ok(());
            }
            let plan = planner.plan(wall);
            if let Some(end) = end {
                let second_start = Timestamp::from_secs(wall);
                if second_start + plan.delay_ns as f64 * 1e-9 >= end {
                    // Let a reader take the last bytes before the pty
                    // closes (a hang-up discards unread input).
                    wait_until(end.max(last_write + LINGER_S), false, &self.shared);
                    return Ok(());
                }
            }
            // The device comes and goes at the whole second.
            let second_start = Timestamp::from_secs(wall);
            let gone = plan.disposition == Disposition::Vanished;
            if gone != self.pty.is_none() {
                if !wait_until(second_start, false, &self.shared) {
                    return Ok(());
                }
                if gone {
                    self.vanish()?;
                } else {
                    self.reappear()?;
                }
            }
            let target = Timestamp::from_nanos(second_start.as_nanos() + plan.delay_ns as i128);
            let times = if plan.disposition == Disposition::Write && self.pty.is_some() {
                self.write_second(&plan, target)
            } else {
                if !wait_until(target, false, &self.shared) {
                    return Ok(());
                }
                None
            };
            if self.shared.stopping() {
                // Interrupted mid-second: what was written is not complete.
                return Ok(());
            }
            if times.is_some() {
                last_write = now();
            }
            self.record(&plan, times.as_deref())?;
            self.drain_input();

            // Next second; skip ahead if we fell behind or the clock
            // stepped backwards.
            wall += 1;
            let t = now().secs();
            if t > wall || wall - t > 2 {
                wall = t + 1;
            }
        }
    }

    /// Writes one second's output; `None` when stopped before the
    /// on-time instant.
    fn write_second(&mut self, plan: &SecondPlan, target: Timestamp) -> Option<Vec<Times>> {
        let lay = layout(plan);
        let mut times = vec![Times::default(); lay.marks.len()];
        let pty = self.pty.as_ref()?;
        if !self.config.paced {
            if !wait_until(target, true, &self.shared) {
                return None;
            }
            let (before, n, after) = timed_write(pty, &lay.bytes);
            for (t, m) in times.iter_mut().zip(&lay.marks) {
                t.first = Some((before, after));
                t.eol = Some((before, after));
                t.last = Some((before, after));
                t.overflow = n <= m.lf;
            }
            return Some(times);
        }
        let baud = self.config.baud.unwrap_or_else(|| match pty.slave_speed() {
            Ok(b) if b > 0 => b,
            _ => FALLBACK_BAUD,
        });
        let byte_ns = 10_000_000_000i128 / i128::from(baud);
        let due = |i: usize| Timestamp::from_nanos(target.as_nanos() + i as i128 * byte_ns);
        let mut pos = 0;
        while pos < lay.bytes.len() {
            // The on-time character and the line ends are written on
            // time to the microsecond, the rest when the thread wakes.
            let precise = lay
                .marks
                .iter()
                .any(|m| m.start == pos || m.ends_write_at(pos));
            if !wait_until(due(pos), precise, &self.shared) {
                return None;
            }
            // Everything due by now, but a sentence's `$` starts a write
            // and its CR and LF each end one.
            let elapsed = now().as_nanos() - target.as_nanos();
            let mut end = ((elapsed / byte_ns) as usize + 1).clamp(pos + 1, lay.bytes.len());
            for m in &lay.marks {
                if m.start > pos && m.start < end {
                    end = m.start;
                }
                for i in [m.eol, m.lf] {
                    if i >= pos && i < end {
                        end = i + 1;
                    }
                }
            }
            let (before, n, after) = timed_write(pty, &lay.bytes[pos..end]);
            for (t, m) in times.iter_mut().zip(&lay.marks) {
                if m.start == pos {
                    t.first = Some((before, after));
                }
                if m.eol == end - 1 {
                    t.eol = Some((before, after));
                }
                if m.lf == end - 1 {
                    t.last = Some((before, after));
                }
                // Bytes of this sentence that did not make it.
                if n < end - pos && pos + n <= m.lf && end > m.start {
                    t.overflow = true;
                }
            }
            pos = end;
        }
        Some(times)
    }

    fn record(&mut self, plan: &SecondPlan, times: Option<&[Times]>) -> Result<(), SimError> {
        let mut lines = String::new();
        let mut records = Vec::with_capacity(plan.sentences.len());
        for (j, s) in plan.sentences.iter().enumerate() {
            let t = times.and_then(|t| t.get(j)).copied().unwrap_or_default();
            let written = times.is_some();
            let flags = TruthFlags {
                badsum: s.badsum,
                invalid: s.invalid,
                dropped: !written && plan.disposition == Disposition::Dropped,
                silent: !written && plan.disposition == Disposition::Silent,
                vanished: !written
                    && (plan.disposition == Disposition::Vanished || self.pty.is_none()),
                garbage: written && !s.garbage_after.is_empty(),
                overflow: t.overflow,
                no_checksum: !s.checksum,
            };
            let rec = TruthRecord {
                seq: self.seq,
                second: plan.index,
                wall: plan.wall,
                shift: plan.shift,
                named: plan.named,
                time: plan.epoch.time,
                first: t.first.map(|x| x.0),
                first_end: t.first.map(|x| x.1),
                eol: t.eol.map(|x| x.0),
                eol_end: t.eol.map(|x| x.1),
                last: t.last.map(|x| x.0),
                last_end: t.last.map(|x| x.1),
                kind: s.kind,
                on_time: j == 0,
                flags,
                garbage: if written { s.garbage_after.len() } else { 0 },
                text: s.text.trim_end_matches(['\r', '\n']).to_string(),
            };
            self.seq += 1;
            if self.truth.is_some() {
                lines.push_str(&rec.to_string());
                lines.push('\n');
            }
            records.push(rec);
        }
        self.write_truth(&lines)?;
        let mut g = self.shared.lock();
        for rec in records {
            g.total += 1;
            if self.shared.capacity > 0 {
                if g.records.len() >= self.shared.capacity {
                    g.records.pop_front();
                }
                g.records.push_back(rec);
            }
        }
        drop(g);
        self.shared.cond.notify_all();
        Ok(())
    }

    fn write_truth(&mut self, text: &str) -> Result<(), SimError> {
        if let Some((path, w)) = &mut self.truth {
            if !text.is_empty() {
                w.write_all(text.as_bytes())
                    .and_then(|()| w.flush())
                    .map_err(|source| SimError::TruthLog {
                        path: path.clone(),
                        source,
                    })?;
            }
        }
        Ok(())
    }

    fn event(&mut self, kind: SimEventKind) -> Result<(), SimError> {
        let e = SimEvent { at: now(), kind };
        let line = format!("{e}\n");
        {
            let mut g = self.shared.lock();
            match &e.kind {
                SimEventKind::Appeared(p) => g.slave = Some(p.clone()),
                SimEventKind::Vanished(_) => g.slave = None,
                SimEventKind::Stopped => g.running = false,
                SimEventKind::Error(_) => {}
            }
            g.events.push(e);
        }
        self.shared.cond.notify_all();
        self.write_truth(&line)
    }

    fn vanish(&mut self) -> Result<(), SimError> {
        if let Some(pty) = self.pty.take() {
            let slave = pty.slave_path().to_path_buf();
            drop(pty);
            self.event(SimEventKind::Vanished(slave))?;
        }
        Ok(())
    }

    fn reappear(&mut self) -> Result<(), SimError> {
        match open_pty(&self.config) {
            Ok(pty) => {
                let slave = pty.slave_path().to_path_buf();
                self.pty = Some(pty);
                self.event(SimEventKind::Appeared(slave))
            }
            // Tried again next second.
            Err(e) => self.event(SimEventKind::Error(format!("re-creating the pty: {e}"))),
        }
    }

    /// Reads and discards what the driver wrote (so its writes never
    /// block).
    fn drain_input(&mut self) {
        let Some(pty) = &self.pty else { return };
        let mut buf = [0u8; 512];
        let mut got = 0u64;
        loop {
            match pty.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => got += n as u64,
                Err(_) => break,
            }
        }
        if got > 0 {
            self.shared.lock().received += got;
        }
    }

    /// Marks the run as ended (called on every exit path of the thread).
    fn finish(&mut self) {
        self.pty = None;
        let _ = self.event(SimEventKind::Stopped);
        if let Some((_, w)) = &mut self.truth {
            let _ = w.flush();
        }
    }
}

/// One `write()` bracketed by clock reads: (before, bytes written, after).
/// A full buffer or an error counts as 0 bytes written.
fn timed_write(pty: &Pty, data: &[u8]) -> (Timestamp, usize, Timestamp) {
    let before = now();
    let r = pty.write(data);
    let after = now();
    let n = match r {
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
        Err(_) => 0,
    };
    (before, n, after)
}

/// Sleeps until system time `target`; with `precise`, spins for the last
/// [`SPIN_NS`]. Returns false when a stop was requested meanwhile. Targets
/// are never more than about two seconds ahead, so a target further away
/// means the system clock was stepped back: it counts as reached, and the
/// caller re-synchronises.
fn wait_until(target: Timestamp, precise: bool, shared: &Shared) -> bool {
    loop {
        if shared.stopping() {
            return false;
        }
        let left = target.as_nanos() - now().as_nanos();
        if left <= 0 || left > STEP_BACK_NS {
            return true;
        }
        let sleep_ns = if precise { left - SPIN_NS } else { left };
        if sleep_ns > 0 {
            let d = Duration::from_nanos(sleep_ns.min(MAX_SLEEP.as_nanos() as i128) as u64);
            std::thread::sleep(d);
        } else {
            std::hint::spin_loop();
        }
    }
}
