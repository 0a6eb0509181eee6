//! The simulator thread: owns the pty and the device model, plans each
//! second shortly before it begins, reads what the driver writes and
//! hands it to the model, writes the groups of messages when they are due
//! (see [`crate::line`]) and records them.
//!
//! One loop does it all: it finds the next thing due (planning a second,
//! the device vanishing or coming back at a whole second, the next
//! `write()`, the end of the run), and waits for it in `ppoll()` on the
//! master, so that bytes from the driver are read (and answered) as they
//! come, not once a second. It sleeps until shortly before an instant that
//! must be kept precisely (an on-time byte, a line end), then spins on
//! `clock_gettime(CLOCK_REALTIME)` for the last [`SPIN_NS`], so such bytes
//! are written within some microseconds of when they are due.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use nix::poll::{ppoll, PollFd, PollFlags};
use nix::sys::time::TimeSpec;
use refclock_core::os::clock::now;
use refclock_core::os::pty::Pty;
use refclock_core::sim::{Due, Message};
use refclock_core::Timestamp;

use crate::handle::Shared;
use crate::line::{on_time_offset, Group, Times, Writing};
use crate::plan::{Disposition, Planner};
use crate::simulator::open_pty;
use crate::truth::{escape, InputRecord, SimEvent, SimEventKind, TruthFlags, TruthRecord};
use crate::{SimConfig, SimError};

/// Spin (instead of sleeping) for this long before a precise instant.
const SPIN_NS: i128 = 300_000;
/// After the last write of a run with a duration, keep the pty open at
/// least this long (seconds).
const LINGER_S: f64 = 0.2;
/// A due instant further ahead than this (ns) means the clock was stepped
/// back: it counts as reached.
const STEP_BACK_NS: i128 = 3_000_000_000;
/// Longest single wait, so a stop request is noticed quickly.
const MAX_WAIT_NS: i128 = 20_000_000;
/// Waits while nobody has the slave open (the master reports a hang-up
/// at once, so `ppoll()` cannot wait for input).
const HUP_WAIT_NS: i128 = 5_000_000;
/// A second's messages are asked of the model this long before it begins.
const PLAN_AHEAD_NS: i128 = 100_000_000;
/// A second's output that could not start within this long of its due
/// instant (the line still busy) is not written.
const TOO_LATE_NS: i128 = 1_000_000_000;

/// Whether instant `at` has come at `t`: it is past, or so far ahead that
/// the clock must have been stepped back.
fn reached(t: Timestamp, at: Timestamp) -> bool {
    let left = at.as_nanos() - t.as_nanos();
    left <= 0 || left > STEP_BACK_NS
}

fn nanos_after(t: Timestamp, ns: i128) -> Timestamp {
    Timestamp::from_nanos(t.as_nanos() + ns)
}

/// The simulator thread's state (see the module documentation).
pub(crate) struct Runner {
    shared: Arc<Shared>,
    config: SimConfig,
    planner: Planner,
    pty: Option<Pty>,
    truth: Option<(PathBuf, BufWriter<File>)>,
    /// Sequence number of the next truth record.
    seq: u64,
    /// Groups waiting for the line, by start.
    queue: Vec<Group>,
    /// The group being written.
    writing: Option<Writing>,
    /// When the last group's last byte has left (paced).
    line_free: Timestamp,
    last_write: Timestamp,
    /// Answers planned so far.
    answers: u64,
    /// The run's end, if it has a duration.
    end: Option<Timestamp>,
    /// Seconds are still being planned (until the one after the end).
    planning: bool,
    /// The next wall second to plan.
    next_wall: i64,
    /// Whether the device is gone after the transitions planned so far.
    planned_gone: bool,
    /// The device goes (`true`) or comes back at these whole seconds.
    transitions: VecDeque<(Timestamp, bool)>,
    /// The master's last poll said nobody has the slave open.
    slave_closed: bool,
}

impl Runner {
    /// A runner for a run that starts now (`start`): its first second is
    /// the next one.
    pub(crate) fn new(
        shared: Arc<Shared>,
        config: SimConfig,
        pty: Pty,
        truth: Option<(PathBuf, BufWriter<File>)>,
        start: Timestamp,
    ) -> Runner {
        let planner = Planner::new(
            config.scenarios.clone(),
            config.seed,
            start.secs() + 1,
            config.delay.as_nanos() as u64,
        );
        Runner {
            shared,
            end: config.duration.map(|d| start + d.as_secs_f64()),
            next_wall: start.secs() + 1,
            planner,
            config,
            pty: Some(pty),
            truth,
            seq: 0,
            queue: Vec::new(),
            writing: None,
            line_free: start,
            last_write: start,
            answers: 0,
            planning: true,
            planned_gone: false,
            transitions: VecDeque::new(),
            slave_closed: false,
        }
    }

    /// Records that a pty appeared (the start-up's first one).
    pub(crate) fn appeared(&mut self, slave: PathBuf) -> Result<(), SimError> {
        self.event(SimEventKind::Appeared(slave))
    }

    /// Runs until the end or a stop; then marks the run as ended.
    pub(crate) fn run_to_end(&mut self) -> Result<(), SimError> {
        let result = self.run();
        self.finish();
        result
    }

    fn run(&mut self) -> Result<(), SimError> {
        loop {
            if self.shared.stopping() {
                return Ok(());
            }
            let t = now();
            if let Some(end) = self.end {
                if t >= end && self.writing.is_none() {
                    // Let a reader take the last bytes before the pty
                    // closes (a hang-up discards unread input).
                    let linger = end.max(self.last_write + LINGER_S);
                    while now() < linger {
                        if self.shared.stopping() {
                            return Ok(());
                        }
                        self.wait(linger, false)?;
                    }
                    return Ok(());
                }
            }
            if self.planning && reached(t, self.plan_at()) {
                self.plan_second()?;
                continue;
            }
            if self.writing.is_none() {
                if let Some(&(at, gone)) = self.transitions.front() {
                    if reached(t, at) {
                        self.transitions.pop_front();
                        if gone {
                            self.vanish()?;
                        } else {
                            self.reappear()?;
                        }
                        continue;
                    }
                }
            }
            if let Some(w) = &mut self.writing {
                if reached(t, w.next_due().0) {
                    match &self.pty {
                        Some(pty) => w.write_due(pty),
                        None => unreachable!("the device goes between groups"),
                    }
                    if w.done() {
                        self.finish_group()?;
                    }
                    continue;
                }
            } else if let Some(t0) = self.queue.first().map(|g| self.first_byte_at(g)) {
                if reached(t, t0) {
                    let g = self.queue.remove(0);
                    self.begin_group(g, t0, t)?;
                    continue;
                }
            }
            let (target, precise) = self.next_deadline();
            self.wait(target, precise)?;
        }
    }

    /// When the next second is planned.
    fn plan_at(&self) -> Timestamp {
        nanos_after(Timestamp::from_secs(self.next_wall), -PLAN_AHEAD_NS)
    }

    /// Nanoseconds a byte takes: the configured speed, else the one the
    /// driver set on the slave, else the model's.
    fn byte_ns(&self) -> i128 {
        let baud =
            self.config
                .baud
                .unwrap_or_else(|| match self.pty.as_ref().map(|p| p.slave_speed()) {
                    Some(Ok(b)) if b > 0 => b,
                    _ => self.config.device.baud().max(1),
                });
        10_000_000_000i128 / i128::from(baud)
    }

    /// When a waiting group's first byte is due: its on-time byte at its
    /// start, but not before the line is free.
    fn first_byte_at(&self, g: &Group) -> Timestamp {
        if !self.config.paced {
            return g.start;
        }
        let lead = if g.timed {
            on_time_offset(g) as i128 * self.byte_ns()
        } else {
            0
        };
        nanos_after(g.start, -lead).max(self.line_free)
    }

    /// The next instant something is due, and whether it must be kept
    /// precisely.
    fn next_deadline(&self) -> (Timestamp, bool) {
        let mut next: Vec<(Timestamp, bool)> = Vec::with_capacity(4);
        if self.planning {
            next.push((self.plan_at(), false));
        }
        if let Some(end) = self.end {
            next.push((end, false));
        }
        match &self.writing {
            Some(w) => next.push(w.next_due()),
            None => {
                if let Some(g) = self.queue.first() {
                    next.push((self.first_byte_at(g), true));
                }
                if let Some(&(at, _)) = self.transitions.front() {
                    next.push((at, false));
                }
            }
        }
        next.into_iter()
            .min_by_key(|(t, _)| t.as_nanos())
            .unwrap_or((nanos_after(now(), MAX_WAIT_NS), false))
    }

    /// Waits until `target` (spinning for the last [`SPIN_NS`] if
    /// `precise`), at most [`MAX_WAIT_NS`], returning early when the
    /// driver wrote something (which is read and answered).
    fn wait(&mut self, target: Timestamp, precise: bool) -> Result<(), SimError> {
        let left = target.as_nanos() - now().as_nanos();
        if left <= 0 || left > STEP_BACK_NS {
            return Ok(());
        }
        let sleep_ns = if precise { left - SPIN_NS } else { left }.min(MAX_WAIT_NS);
        if sleep_ns <= 0 {
            std::hint::spin_loop();
            return Ok(());
        }
        let Some(pty) = &self.pty else {
            std::thread::sleep(Duration::from_nanos(sleep_ns as u64));
            return Ok(());
        };
        let mut fds = [PollFd::new(pty.master_fd(), PollFlags::POLLIN)];
        let timeout = TimeSpec::from_duration(Duration::from_nanos(sleep_ns as u64));
        let ready = match ppoll(&mut fds, Some(timeout), None) {
            Ok(n) if n > 0 => fds[0].revents().unwrap_or(PollFlags::empty()),
            _ => PollFlags::empty(),
        };
        let at = now();
        let hup = ready.intersects(PollFlags::POLLHUP | PollFlags::POLLERR);
        if ready.contains(PollFlags::POLLIN) {
            self.read_input(at)?;
        } else if hup {
            // Nobody has the slave open (the driver closed it: a modem
            // sees DTR drop): nothing to read until someone does.
            if !std::mem::replace(&mut self.slave_closed, true) {
                self.config.device.line_closed(at);
            }
            let ns = sleep_ns.min(HUP_WAIT_NS);
            std::thread::sleep(Duration::from_nanos(ns as u64));
        } else {
            self.slave_closed = false;
        }
        Ok(())
    }

    /// Reads what the driver wrote (found readable at `at`), logs it and
    /// hands it to the model; its answers join the queue.
    fn read_input(&mut self, at: Timestamp) -> Result<(), SimError> {
        let Some(pty) = &self.pty else { return Ok(()) };
        let mut data = Vec::new();
        let mut buf = [0u8; 512];
        loop {
            match pty.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => data.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        if data.is_empty() {
            return Ok(());
        }
        self.shared.lock().received += data.len() as u64;
        if self.truth.is_some() {
            let line = format!(
                "{}\n",
                InputRecord {
                    at,
                    data: data.clone()
                }
            );
            self.write_truth(&line)?;
        }
        let mut out = Vec::new();
        self.config.device.input(&data, at, &self.planner, &mut out);
        self.schedule_answers(out, at);
        Ok(())
    }

    /// Splits messages into groups (see [`Due`]): one opens at each
    /// message due at an instant, late by the delay of its second;
    /// messages before the first of those open one at `first` (timed) or
    /// as soon as possible, i.e. at `made` (`first` is `None`). Returns
    /// (start, timed, items) for each group.
    fn groups<T>(
        &self,
        items: Vec<T>,
        due: impl Fn(&T) -> Due,
        first: Option<Timestamp>,
        made: Timestamp,
    ) -> Vec<(Timestamp, bool, Vec<T>)> {
        let mut out: Vec<(Timestamp, bool, Vec<T>)> = Vec::new();
        for item in items {
            match due(&item) {
                Due::At(t) => {
                    let start = nanos_after(t, self.planner.delay_ns(t.secs()) as i128);
                    out.push((start, true, vec![item]));
                }
                Due::Next => match out.last_mut() {
                    Some(g) => g.2.push(item),
                    None => out.push((first.unwrap_or(made), first.is_some(), vec![item])),
                },
            }
        }
        out
    }

    fn schedule_answers(&mut self, answers: Vec<Message>, at: Timestamp) {
        for (start, timed, batch) in self.groups(answers, |m| m.due, None, at) {
            let wall = start.secs();
            let n = batch.len() as u64;
            let items =
                self.planner
                    .answers(wall, self.answers, self.config.device.as_ref(), batch);
            self.answers += n;
            self.enqueue(Group {
                start,
                timed,
                from_second: false,
                wall,
                second: self.planner.index(wall),
                shift: self.planner.shift(wall),
                disposition: self.planner.disposition(wall),
                items,
            });
        }
    }

    /// Queues a group by its start (after those starting at the same
    /// instant); messages without bytes are left out.
    fn enqueue(&mut self, mut g: Group) {
        g.items.retain(|i| !i.message.bytes.is_empty());
        if g.items.is_empty() {
            return;
        }
        let i = self.queue.partition_point(|q| q.start <= g.start);
        self.queue.insert(i, g);
    }

    /// Plans the next wall second: its messages join the queue, and the
    /// device's coming and going at its start is noted.
    fn plan_second(&mut self) -> Result<(), SimError> {
        let t = now().secs();
        // Fell behind by more than a second, or the clock was stepped
        // back: carry on from the next second.
        if t > self.next_wall || self.next_wall - t > 2 {
            self.next_wall = t + 1;
        }
        let wall = self.next_wall;
        let second_start = Timestamp::from_secs(wall);
        let delay = self.planner.delay_ns(wall) as i128;
        if self
            .end
            .is_some_and(|end| nanos_after(second_start, delay) >= end)
        {
            self.planning = false;
            return Ok(());
        }
        self.next_wall += 1;
        let plan = self.planner.plan(wall, self.config.device.as_mut());
        let gone = plan.disposition == Disposition::Vanished;
        if gone != self.planned_gone {
            self.transitions.push_back((second_start, gone));
            self.planned_gone = gone;
        }
        let first = Some(nanos_after(second_start, delay));
        let groups = self.groups(plan.messages, |p| p.message.due, first, second_start);
        for (start, timed, items) in groups {
            self.enqueue(Group {
                start,
                timed,
                from_second: true,
                wall,
                second: plan.index,
                shift: plan.shift,
                disposition: plan.disposition,
                items,
            });
        }
        Ok(())
    }

    /// The group's first byte is due: write it, or record why not.
    fn begin_group(&mut self, g: Group, t0: Timestamp, t: Timestamp) -> Result<(), SimError> {
        let late = g.from_second && t.as_nanos() - g.start.as_nanos() > TOO_LATE_NS;
        if g.disposition != Disposition::Write || self.pty.is_none() || late {
            return self.record(&g, None, late);
        }
        let byte_ns = if self.config.paced { self.byte_ns() } else { 0 };
        self.writing = Some(Writing::new(g, t0, byte_ns));
        Ok(())
    }

    fn finish_group(&mut self) -> Result<(), SimError> {
        let Some(w) = self.writing.take() else {
            return Ok(());
        };
        self.last_write = now();
        self.line_free = if self.config.paced {
            w.line_free()
        } else {
            self.last_write
        };
        self.record(&w.group, Some(&w.times), false)
    }

    /// Makes the truth records of a group: written with `times`, or not
    /// written (`late`: its second's output could not start in time).
    fn record(&mut self, g: &Group, times: Option<&[Times]>, late: bool) -> Result<(), SimError> {
        let written = times.is_some();
        let mut lines = String::new();
        let mut records = Vec::with_capacity(g.items.len());
        for (j, item) in g.items.iter().enumerate() {
            let m = &item.message;
            let t = times.and_then(|t| t.get(j)).copied().unwrap_or_default();
            let not = |d: Disposition| !written && g.disposition == d;
            let flags = TruthFlags {
                badsum: m.corrupt,
                invalid: !m.valid,
                dropped: not(Disposition::Dropped),
                silent: not(Disposition::Silent),
                vanished: not(Disposition::Vanished) || (not(Disposition::Write) && !late),
                garbage: written && !item.garbage_after.is_empty(),
                overflow: t.overflow || late,
                no_checksum: !m.checksum,
                reply: !g.from_second,
            };
            let mut body = &m.bytes[..];
            while let Some((b'\r' | b'\n', rest)) = body.split_last() {
                body = rest;
            }
            let rec = TruthRecord {
                seq: self.seq,
                second: g.second,
                wall: g.wall,
                shift: g.shift,
                named: m.named,
                time: m.time,
                first: t.first.map(|x| x.0),
                first_end: t.first.map(|x| x.1),
                eol: t.eol.map(|x| x.0),
                eol_end: t.eol.map(|x| x.1),
                last: t.last.map(|x| x.0),
                last_end: t.last.map(|x| x.1),
                kind: m.kind.replace(char::is_whitespace, "_"),
                on_time: j == 0 && g.timed,
                flags,
                garbage: if written { item.garbage_after.len() } else { 0 },
                text: escape(body),
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

    /// The device goes: the pty closes, the model forgets its dialogue,
    /// answers not yet written go with it.
    fn vanish(&mut self) -> Result<(), SimError> {
        if let Some(pty) = self.pty.take() {
            let slave = pty.slave_path().to_path_buf();
            drop(pty);
            self.event(SimEventKind::Vanished(slave))?;
        }
        self.config.device.reset();
        let (lost, keep): (Vec<Group>, Vec<Group>) = std::mem::take(&mut self.queue)
            .into_iter()
            .partition(|g| !g.from_second);
        self.queue = keep;
        for mut g in lost {
            g.disposition = Disposition::Vanished;
            self.record(&g, None, false)?;
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
            Err(e) => {
                // Tried again at the next whole second.
                let next = Timestamp::from_secs(now().secs() + 1);
                self.transitions.push_front((next, false));
                self.event(SimEventKind::Error(format!("re-creating the pty: {e}")))
            }
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
