//! The host: runs any number of clocks in one thread, as the C
//! ntp-refclock's `refclock_run()` runs one, plus what it never did
//! (reopening a device that vanished, queued writes, several clocks).
//!
//! Each iteration `poll()`s every open port of every clock (POLLIN |
//! POLLPRI; POLLOUT too while output is queued) and the inotify watcher,
//! with a timeout that ends at the [`Scheduler`]'s next deadline.
//! * Input: `CLOCK_REALTIME` is read the moment `poll()` returns, before
//!   anything else; then each ready port is read and its bytes handed to
//!   its clock with that timestamp (a pending PPS edge of that clock is
//!   fetched and handed over first).
//! * Due ticks: the system leap indicator is read (once a second), PPS
//!   fetched, [`Refclock::timer`] called, and every 2^poll ticks
//!   [`Refclock::poll`].
//! * After every call into a clock its actions are drained: writes are
//!   queued on their port and never block (a port that takes no output
//!   for 5 s loses its queue and its driver is told), ports opened, closed
//!   and reconfigured, and everything else goes to the [`Handler`].
//! * EOF, EIO or a hang-up: the port is closed and its driver told; a
//!   port opened at start is tried again after its back-off, and at once
//!   when inotify sees its path reappear. With reopening off
//!   ([`Host::disable_reopen`]) the loop ends with
//!   [`HostError::DeviceLost`], as the C program exits. A reopened
//!   device gets its PPS source set up again.
//!
//! One clock's slow or vanished device never delays another's timestamp:
//! nothing in the loop waits on a device.

mod port;
mod watch;

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::path::PathBuf;

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use crate::action::Action;
use crate::clock::ClockId;
use crate::driver::{HostStatus, Refclock};
use crate::os::clock::{monotonic, now, system_leap};
use crate::os::device::{open_port, resolve, Device, Opening};
use crate::os::error::OsError;
use crate::os::pps::PpsSource;
use crate::port::{CloseReason, ModemStatus, OpenPolicy, PortEvent, PortId, PortKind, PortSpec};
use crate::sample::Leap;
use crate::schedule::{ClockIndex, Due, Scheduler};
use crate::time::Timestamp;

use port::{PortSlot, State};
pub use port::{OUT_LIMIT, WRITE_STALL};
use watch::Watcher;

/// Default size of one read (the C program's `RX_BUFF_SIZE`).
pub const READ_SIZE: usize = 1000;

/// How one clock is run.
#[derive(Clone, Debug)]
pub struct ClockOptions {
    /// Poll exponent: [`Refclock::poll`] runs every 2^poll seconds (`-i`).
    pub poll_exponent: u8,
    /// Reopen a vanished device instead of ending the loop.
    pub reopen: bool,
}

impl Default for ClockOptions {
    fn default() -> Self {
        ClockOptions {
            poll_exponent: 6,
            reopen: true,
        }
    }
}

/// Why the host could not add a clock or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// A device could not be opened at start.
    #[error("{0}")]
    Open(OsError),
    /// A TCP port's host name could not be resolved.
    #[error("cannot resolve {target}: {source}")]
    Resolve {
        /// `host:port`.
        target: String,
        /// The error.
        source: io::Error,
    },
    /// `poll()` failed.
    #[error("poll() failed: {0}")]
    Poll(io::Error),
    /// A device went away and reopening is off.
    #[error("{path}: {reason}{}", in_parens(why_no_reopen))]
    DeviceLost {
        /// The device.
        path: String,
        /// What happened (EOF, EIO, hang-up).
        reason: String,
        /// Why it is not reopened, when reopening was turned off after the
        /// start (see [`Host::disable_reopen`]).
        why_no_reopen: Option<String>,
    },
    /// The handler asked to stop with an error.
    #[error("{0}")]
    Handler(String),
}

/// ` (text)` for a reason that is there, nothing otherwise.
fn in_parens(text: &Option<String>) -> String {
    text.as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default()
}

/// Receives what the host does not carry out itself.
pub trait Handler {
    /// A driver action other than the port actions, taken at system time
    /// `now`. An `Err` ends the loop with [`HostError::Handler`].
    fn action(&mut self, id: ClockId, now: Timestamp, action: Action) -> Result<(), String>;

    /// A diagnostic from the host (device lost or back, PPS trouble).
    fn log(&mut self, message: &str);

    /// A detail worth showing only when debugging (e.g. a serial setting a
    /// pseudo-terminal ignores).
    fn debug(&mut self, message: &str) {
        let _ = message;
    }
}

struct Hosted {
    clock: Box<dyn Refclock>,
    opts: ClockOptions,
    ports: Vec<PortSlot>,
    pps: Option<PpsSource>,
    pps_error: Option<String>,
    why_no_reopen: Option<String>,
}

/// Where a `pollfd` came from.
#[derive(Clone, Copy)]
enum Source {
    Port(ClockIndex, PortId),
    Watcher,
}

/// The descriptors to wait on: every open port of every clock (input,
/// and output while some is queued), connections under way, the watcher.
/// `sources` says where each came from.
fn poll_set<'a>(
    clocks: &'a [Hosted],
    watcher: Option<&'a Watcher>,
    sources: &mut Vec<Source>,
) -> Vec<PollFd<'a>> {
    sources.clear();
    let mut fds = Vec::new();
    for (ci, h) in clocks.iter().enumerate() {
        for (pi, slot) in h.ports.iter().enumerate() {
            let input = PollFlags::POLLIN | PollFlags::POLLPRI;
            let output = if slot.wants_output() {
                PollFlags::POLLOUT
            } else {
                PollFlags::empty()
            };
            let (fd, events) = match &slot.state {
                State::Open(dev) if slot.polled() => (dev.fd(), input | output),
                State::Open(dev) if slot.wants_output() => (dev.fd(), output),
                State::Connecting(c) => (c.fd(), PollFlags::POLLOUT),
                _ => continue,
            };
            fds.push(PollFd::new(fd, events));
            sources.push(Source::Port(ci, PortId(pi as u8)));
        }
    }
    if let Some(w) = watcher.filter(|w| !w.is_empty()) {
        fds.push(PollFd::new(w.fd(), PollFlags::POLLIN));
        sources.push(Source::Watcher);
    }
    fds
}

/// The clocks a host runs, with their devices and schedule.
pub struct Host {
    clocks: Vec<Hosted>,
    sched: Scheduler,
    watcher: Option<Watcher>,
    buf: Vec<u8>,
    due: Vec<Due>,
    sources: Vec<Source>,
    /// Index into `sources` and the events reported, for each ready one.
    ready: Vec<(usize, PollFlags)>,
    sys_leap: Leap,
}

impl Default for Host {
    fn default() -> Self {
        Host::new()
    }
}

impl Host {
    /// A host with no clocks.
    pub fn new() -> Host {
        Host {
            clocks: Vec::new(),
            sched: Scheduler::new(),
            watcher: None,
            buf: vec![0; READ_SIZE],
            due: Vec::new(),
            sources: Vec::new(),
            ready: Vec::new(),
            sys_leap: Leap::NoWarning,
        }
    }

    /// Adds a started clock and opens its ports that open at start (a
    /// failure there fails the add, as it fails the C program's start);
    /// TCP host names are resolved now. A PPS source that cannot be set
    /// up is reported to `handler` and left out, as ntpd does.
    pub fn add(
        &mut self,
        clock: Box<dyn Refclock>,
        opts: ClockOptions,
        handler: &mut dyn Handler,
    ) -> Result<ClockIndex, HostError> {
        let mut ports = Vec::new();
        for (_, spec) in clock.ports().iter() {
            let addrs = match &spec.kind {
                PortKind::Tcp { host, port } => {
                    resolve(host, *port).map_err(|source| HostError::Resolve {
                        target: format!("{host}:{port}"),
                        source,
                    })?
                }
                _ => Vec::new(),
            };
            ports.push(PortSlot::new(spec.clone(), addrs));
        }
        let idx = self.sched.add_clock(monotonic(), opts.poll_exponent);
        self.clocks.push(Hosted {
            clock,
            opts,
            ports,
            pps: None,
            pps_error: None,
            why_no_reopen: None,
        });
        let n = self.clocks[idx].ports.len();
        for p in 0..n {
            let id = PortId(p as u8);
            match self.clocks[idx].ports[p].spec.open {
                OpenPolicy::AtStart => {
                    if let Err(e) = self.open(idx, id, handler) {
                        self.clocks.pop();
                        return Err(HostError::Open(e));
                    }
                }
                OpenPolicy::Keep => {
                    if let Err(e) = self.open(idx, id, handler) {
                        handler.log(&format!("{e}; will try again"));
                        self.lose(idx, id);
                    }
                }
                OpenPolicy::OnDemand => {}
            }
        }
        self.open_pps(idx, handler);
        self.drain(idx, handler)?;
        Ok(idx)
    }

    /// Opens port `id` of clock `idx`; announces it to the driver when
    /// open (a TCP connection is announced when it completes).
    fn open(
        &mut self,
        idx: ClockIndex,
        id: PortId,
        handler: &mut dyn Handler,
    ) -> Result<(), OsError> {
        let slot = &mut self.clocks[idx].ports[id.index()];
        match open_port(&slot.spec.kind, &slot.addrs)? {
            Opening::Ready(dev) => {
                self.opened(idx, id, dev, handler);
            }
            Opening::Connecting(c) => slot.state = State::Connecting(c),
        }
        Ok(())
    }

    fn opened(&mut self, idx: ClockIndex, id: PortId, dev: Device, handler: &mut dyn Handler) {
        let h = &mut self.clocks[idx];
        let spec = &h.ports[id.index()].spec;
        if matches!(spec.kind, PortKind::SerialOrTcpLink { .. }) && dev.serial().is_none() {
            handler.log(&format!(
                "{}: not a tty; reading {}",
                spec.kind.describe(),
                dev.describe()
            ));
        }
        for w in dev.warnings() {
            handler.debug(w);
        }
        let slot = &mut h.ports[id.index()];
        slot.state = State::Open(dev);
        let was_lost = std::mem::replace(&mut slot.lost, false);
        self.sched.port_back(idx, id);
        h.clock.port_event(id, PortEvent::Opened);
        if was_lost {
            handler.log(&format!(
                "{}: reopened",
                h.ports[id.index()].spec.kind.describe()
            ));
            self.reopened(idx, handler);
        }
    }

    fn open_pps(&mut self, idx: ClockIndex, handler: &mut dyn Handler) {
        let h = &mut self.clocks[idx];
        h.pps = None;
        let Some(req) = h.clock.ports().pps.clone() else {
            return;
        };
        let mut errors = Vec::new();
        let mut src = None;
        if let Some(path) = &req.path {
            match PpsSource::open(path) {
                Ok(s) => src = Some(s),
                Err(e) => errors.push(e.to_string()),
            }
        }
        if src.is_none() {
            if let Some(port) = req.fallback_port {
                let slot = h.ports.get(port.index());
                if let Some(serial) = slot.and_then(PortSlot::device).and_then(Device::serial) {
                    match PpsSource::from_fd(serial.fd(), serial.path()) {
                        Ok(s) => src = Some(s),
                        Err(e) => errors.push(e.to_string()),
                    }
                }
            }
        }
        match src {
            Some(mut s) => match s.configure(req.edge) {
                Ok(()) => {
                    if req.hardpps {
                        handler
                            .log("flag3 (kernel hardpps) is not supported; PPS used in user space");
                    }
                    h.pps = Some(s);
                }
                Err(e) => handler.log(&format!("PPS: set PPSAPI params fails: {e}")),
            },
            None => handler.log(&format!(
                "PPS requested but PPSAPI fails: {}",
                errors.join("; ")
            )),
        }
    }

    /// The number of clocks.
    pub fn len(&self) -> usize {
        self.clocks.len()
    }

    /// Whether the host has no clocks.
    pub fn is_empty(&self) -> bool {
        self.clocks.is_empty()
    }

    /// Clock `idx`.
    pub fn clock(&self, idx: ClockIndex) -> &dyn Refclock {
        self.clocks[idx].clock.as_ref()
    }

    /// Clock `idx`, mutably (e.g. to change fudge values).
    pub fn clock_mut(&mut self, idx: ClockIndex) -> &mut dyn Refclock {
        self.clocks[idx].clock.as_mut()
    }

    /// The ports of clock `idx` as its driver asked for them.
    pub fn port_specs(&self, idx: ClockIndex) -> impl Iterator<Item = (PortId, &PortSpec)> {
        self.clocks[idx]
            .ports
            .iter()
            .enumerate()
            .map(|(i, s)| (PortId(i as u8), &s.spec))
    }

    /// Whether port `id` of clock `idx` is open.
    pub fn port_open(&self, idx: ClockIndex, id: PortId) -> bool {
        self.clocks[idx]
            .ports
            .get(id.index())
            .is_some_and(|s| s.device().is_some())
    }

    /// Whether clock `idx` has a PPS source in use.
    pub fn has_pps(&self, idx: ClockIndex) -> bool {
        self.clocks[idx].pps.is_some()
    }

    /// Turns reopening off for clock `idx` from now on, because it could
    /// not succeed (for example the device path does not resolve after a
    /// chroot): a vanished device then ends the loop with
    /// [`HostError::DeviceLost`] carrying `why`, as the C program would
    /// end, instead of retrying forever.
    pub fn disable_reopen(&mut self, idx: ClockIndex, why: String) {
        let h = &mut self.clocks[idx];
        h.opts.reopen = false;
        h.why_no_reopen = Some(why);
    }

    /// Runs until `stop()` says so (checked after every iteration; signals
    /// interrupt `poll()`), or an error ends it.
    pub fn run(
        &mut self,
        handler: &mut dyn Handler,
        mut stop: impl FnMut() -> bool,
    ) -> Result<(), HostError> {
        while !stop() {
            self.run_once(handler)?;
        }
        Ok(())
    }

    /// One iteration: wait for input or the next deadline, and handle
    /// what came.
    pub fn run_once(&mut self, handler: &mut dyn Handler) -> Result<(), HostError> {
        let mono = monotonic();
        let timeout = match self.sched.next_deadline() {
            None => PollTimeout::NONE,
            Some(d) => {
                let ns = (d.as_nanos() - mono.as_nanos()).max(0);
                let ms = ((ns + 999_999) / 1_000_000).min(i32::MAX as i128) as i32;
                PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
            }
        };
        let Host {
            clocks,
            sources,
            ready,
            watcher,
            ..
        } = self;
        let mut fds = poll_set(clocks, watcher.as_ref(), sources);
        let r = poll(&mut fds, timeout);
        // Take the timestamp before anything else.
        let rectime = now();
        match r {
            Ok(0) => {}
            Ok(_) => {
                ready.clear();
                ready.extend(
                    fds.iter().enumerate().filter_map(|(k, fd)| {
                        fd.revents().filter(|r| !r.is_empty()).map(|r| (k, r))
                    }),
                );
                drop(fds);
                self.on_ready(rectime, handler)?;
            }
            Err(Errno::EINTR) => return Ok(()),
            Err(e) => return Err(HostError::Poll(e.into())),
        }
        // Due ticks and retries are taken whether or not poll() timed out:
        // a device whose input never runs dry must not starve the timer.
        self.take_due(handler)
    }

    fn on_ready(&mut self, rectime: Timestamp, handler: &mut dyn Handler) -> Result<(), HostError> {
        for r in 0..self.ready.len() {
            let (k, revents) = self.ready[r];
            match self.sources[k] {
                Source::Watcher => {
                    let appeared = self
                        .watcher
                        .as_mut()
                        .is_some_and(Watcher::something_appeared);
                    if appeared {
                        self.retry_lost_now(handler)?;
                    }
                }
                Source::Port(ci, id) => self.port_ready(ci, id, revents, rectime, handler)?,
            }
        }
        Ok(())
    }

    fn port_ready(
        &mut self,
        ci: ClockIndex,
        id: PortId,
        revents: PollFlags,
        rectime: Timestamp,
        handler: &mut dyn Handler,
    ) -> Result<(), HostError> {
        let slot = &mut self.clocks[ci].ports[id.index()];
        if let State::Connecting(_) = slot.state {
            let State::Connecting(c) = std::mem::take(&mut slot.state) else {
                unreachable!("checked above")
            };
            return match c.finish() {
                Ok(Opening::Ready(dev)) => {
                    self.opened(ci, id, dev, handler);
                    self.drain(ci, handler)
                }
                Ok(Opening::Connecting(c)) => {
                    self.clocks[ci].ports[id.index()].state = State::Connecting(c);
                    Ok(())
                }
                Err(e) => {
                    handler.debug(&e.to_string());
                    self.sched.retry_failed(
                        ci,
                        id,
                        monotonic(),
                        self.clocks[ci].ports[id.index()].spec.backoff,
                    );
                    Ok(())
                }
            };
        }
        if revents.contains(PollFlags::POLLOUT) {
            if let Err(e) = slot.flush(monotonic()) {
                self.clocks[ci]
                    .clock
                    .port_event(id, PortEvent::WriteFailed(e.to_string()));
                self.drain(ci, handler)?;
            }
        }
        let slot = &mut self.clocks[ci].ports[id.index()];
        if !revents.intersects(PollFlags::POLLIN | PollFlags::POLLPRI) {
            if revents.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL) {
                let reason = if revents.contains(PollFlags::POLLNVAL) {
                    "invalid descriptor"
                } else {
                    "hang-up"
                };
                return self.port_lost(ci, id, reason.to_string(), handler);
            }
            return Ok(());
        }
        let Some(dev) = slot.device() else {
            return Ok(());
        };
        let want = match slot.spec.read_size {
            0 => READ_SIZE,
            n => n.min(READ_SIZE),
        };
        match dev.read(&mut self.buf[..want]) {
            Ok(0) => self.port_lost(ci, id, "No more data to read (EOF)".into(), handler),
            Ok(n) => {
                self.fetch_pps(ci);
                let h = &mut self.clocks[ci];
                h.clock.receive(id, &self.buf[..n], rectime);
                self.drain(ci, handler)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => self.port_lost(ci, id, format!("read() failed: {e}"), handler),
        }
    }

    fn fetch_pps(&mut self, ci: ClockIndex) {
        let h = &mut self.clocks[ci];
        let Some(pps) = &mut h.pps else {
            return;
        };
        match pps.fetch() {
            Ok(Some(edge)) => {
                h.pps_error = None;
                h.clock.pps(edge);
            }
            Ok(None) => {}
            Err(e) => {
                let msg = e.to_string();
                if h.pps_error.as_ref() != Some(&msg) {
                    h.clock.pps_fault(&msg);
                    h.pps_error = Some(msg);
                }
            }
        }
    }

    fn take_due(&mut self, handler: &mut dyn Handler) -> Result<(), HostError> {
        let mono = monotonic();
        let mut due = std::mem::take(&mut self.due);
        due.clear();
        self.sched.due(mono, &mut due);
        if due.iter().any(|d| matches!(d, Due::Tick { .. })) {
            self.sys_leap = system_leap();
        }
        let mut result = Ok(());
        for d in &due {
            result = match *d {
                Due::Tick { clock, poll, .. } => self.tick(clock, poll, mono, handler),
                Due::Retry { clock, port } => self.retry(clock, port, handler),
            };
            if result.is_err() {
                break;
            }
        }
        self.due = due;
        result
    }

    fn tick(
        &mut self,
        ci: ClockIndex,
        poll: bool,
        mono: Timestamp,
        handler: &mut dyn Handler,
    ) -> Result<(), HostError> {
        let wall = now();
        let status = HostStatus {
            sys_leap: self.sys_leap,
        };
        self.clocks[ci].clock.set_host_status(status);
        for p in 0..self.clocks[ci].ports.len() {
            if let Some(n) = self.clocks[ci].ports[p].check_stall(mono) {
                let msg = format!(
                    "the device took no output for {WRITE_STALL} s; {n} queued bytes dropped"
                );
                self.clocks[ci]
                    .clock
                    .port_event(PortId(p as u8), PortEvent::WriteFailed(msg));
            }
        }
        self.fetch_pps(ci);
        self.clocks[ci].clock.timer(wall);
        self.drain(ci, handler)?;
        if poll {
            self.clocks[ci].clock.poll(wall);
            self.drain(ci, handler)?;
        }
        Ok(())
    }

    fn port_lost(
        &mut self,
        ci: ClockIndex,
        id: PortId,
        reason: String,
        handler: &mut dyn Handler,
    ) -> Result<(), HostError> {
        let h = &mut self.clocks[ci];
        let slot = &mut h.ports[id.index()];
        slot.close();
        let what = slot.spec.kind.describe();
        let policy = slot.spec.open;
        h.clock
            .port_event(id, PortEvent::Closed(CloseReason::Lost(reason.clone())));
        self.drain(ci, handler)?;
        if policy == OpenPolicy::OnDemand {
            handler.log(&format!("{what}: {reason}"));
            return Ok(());
        }
        let h = &self.clocks[ci];
        if !h.opts.reopen {
            return Err(HostError::DeviceLost {
                path: what,
                reason,
                why_no_reopen: h.why_no_reopen.clone(),
            });
        }
        handler.log(&format!("{what}: {reason}; will try to reopen it"));
        self.lose(ci, id);
        Ok(())
    }

    /// Schedules retries of a lost port and watches its path.
    fn lose(&mut self, ci: ClockIndex, id: PortId) {
        let slot = &mut self.clocks[ci].ports[id.index()];
        slot.lost = true;
        self.sched.port_lost(ci, id, monotonic(), slot.spec.backoff);
        if let Some(path) = slot.spec.kind.path() {
            if self.watcher.is_none() {
                self.watcher = Watcher::new();
            }
            if let Some(w) = &mut self.watcher {
                w.watch(path);
            }
        }
    }

    fn retry(
        &mut self,
        ci: ClockIndex,
        id: PortId,
        handler: &mut dyn Handler,
    ) -> Result<(), HostError> {
        let slot = &self.clocks[ci].ports[id.index()];
        if !slot.lost || !matches!(slot.state, State::Closed) {
            self.sched.port_back(ci, id);
            return Ok(());
        }
        match self.open(ci, id, handler) {
            Ok(()) => self.drain(ci, handler),
            Err(e) => {
                handler.debug(&e.to_string());
                let backoff = self.clocks[ci].ports[id.index()].spec.backoff;
                self.sched.retry_failed(ci, id, monotonic(), backoff);
                Ok(())
            }
        }
    }

    /// After a lost port is open again: a PPS source went with the device
    /// it came from (the serial port's own, or a /dev/ppsN the kernel made
    /// for a USB receiver), so it is set up again, as at the start.
    fn reopened(&mut self, ci: ClockIndex, handler: &mut dyn Handler) {
        if self.clocks[ci].clock.ports().pps.is_some() {
            self.open_pps(ci, handler);
        }
        if !self.clocks.iter().any(|h| h.ports.iter().any(|s| s.lost)) {
            if let Some(w) = &mut self.watcher {
                w.clear();
            }
        }
    }

    /// inotify saw a watched path appear: try every lost port now.
    fn retry_lost_now(&mut self, handler: &mut dyn Handler) -> Result<(), HostError> {
        for ci in 0..self.clocks.len() {
            for p in 0..self.clocks[ci].ports.len() {
                if self.clocks[ci].ports[p].lost {
                    self.retry(ci, PortId(p as u8), handler)?;
                }
            }
        }
        Ok(())
    }

    fn drain(&mut self, ci: ClockIndex, handler: &mut dyn Handler) -> Result<(), HostError> {
        // One clock read per batch, and none when there is nothing to do.
        let mut stamp = None;
        loop {
            let h = &mut self.clocks[ci];
            let Some(action) = h.clock.next_action() else {
                return Ok(());
            };
            let id = h.clock.id();
            let event = match action {
                Action::Write { port, data } => {
                    let mono = monotonic();
                    match h.ports.get_mut(port.index()) {
                        Some(slot) => slot
                            .write(&data, mono)
                            .err()
                            .map(|e| (port, PortEvent::WriteFailed(e.to_string()))),
                        None => Some((port, PortEvent::WriteFailed("no such port".into()))),
                    }
                }
                Action::ModemLines { port, dtr, rts } => {
                    let r = match h.ports.get(port.index()).and_then(PortSlot::device) {
                        Some(dev) => dev.set_modem_lines(dtr, rts),
                        None => Err(io::Error::new(io::ErrorKind::NotConnected, "not open")),
                    };
                    r.err()
                        .map(|e| (port, PortEvent::ModemLinesFailed(e.to_string())))
                }
                Action::QueryModem(port) => {
                    let r = match h.ports.get(port.index()).and_then(PortSlot::device) {
                        Some(dev) => dev.modem_lines(),
                        None => Err(io::Error::new(io::ErrorKind::NotConnected, "not open")),
                    };
                    Some(match r {
                        Ok(bits) => (
                            port,
                            PortEvent::ModemStatus(ModemStatus {
                                dsr: bits & libc::TIOCM_DSR as u32 != 0,
                                dcd: bits & libc::TIOCM_CD as u32 != 0,
                                cts: bits & libc::TIOCM_CTS as u32 != 0,
                                ri: bits & libc::TIOCM_RI as u32 != 0,
                            }),
                        ),
                        Err(e) => (port, PortEvent::ModemLinesFailed(e.to_string())),
                    })
                }
                Action::Open(port) => {
                    let open_already = h
                        .ports
                        .get(port.index())
                        .is_some_and(|s| !matches!(s.state, State::Closed));
                    if open_already || port.index() >= h.ports.len() {
                        (!open_already)
                            .then(|| (port, PortEvent::OpenFailed("no such port".into())))
                    } else {
                        match self.open(ci, port, handler) {
                            Ok(()) => None,
                            Err(e) => Some((port, PortEvent::OpenFailed(e.to_string()))),
                        }
                    }
                }
                Action::Close(port) => {
                    let h = &mut self.clocks[ci];
                    match h.ports.get_mut(port.index()) {
                        Some(slot) if !matches!(slot.state, State::Closed) => {
                            slot.close();
                            slot.lost = false;
                            self.sched.port_back(ci, port);
                            Some((port, PortEvent::Closed(CloseReason::Requested)))
                        }
                        _ => None,
                    }
                }
                Action::Reconfigure { port, config } => {
                    let r = match h
                        .ports
                        .get_mut(port.index())
                        .and_then(PortSlot::device_mut)
                        .and_then(Device::serial_mut)
                    {
                        Some(serial) => serial.configure(&config).map_err(|e| e.to_string()),
                        None => Err("not an open serial port".into()),
                    };
                    if let Err(e) = r {
                        handler.log(&format!("{id} {port}: reconfiguring failed: {e}"));
                    }
                    None
                }
                Action::Read(port) => {
                    let rectime = now();
                    let r = match h.ports.get(port.index()).and_then(PortSlot::device) {
                        Some(dev) => dev.read(&mut self.buf),
                        None => Err(io::Error::new(io::ErrorKind::NotConnected, "not open")),
                    };
                    match r {
                        Ok(n) if n > 0 => h.clock.receive(port, &self.buf[..n], rectime),
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(e) => handler.log(&format!("{id} {port}: read failed: {e}")),
                    }
                    None
                }
                other => {
                    let at = *stamp.get_or_insert_with(now);
                    handler.action(id, at, other).map_err(HostError::Handler)?;
                    None
                }
            };
            if let Some((port, event)) = event {
                self.clocks[ci].clock.port_event(port, event);
            }
        }
    }

    /// Calls every clock's shutdown and drains its last actions, then
    /// closes everything.
    pub fn shutdown(&mut self, handler: &mut dyn Handler) {
        for ci in 0..self.clocks.len() {
            self.clocks[ci].clock.shutdown();
            let _ = self.drain(ci, handler);
            for slot in &mut self.clocks[ci].ports {
                slot.close();
            }
            self.clocks[ci].pps = None;
        }
    }

    /// The device path of every port of clock `idx` that has one, with
    /// whether a `host:port` link is allowed there (for checking what can
    /// still be reached after a chroot).
    pub fn device_paths(&self, idx: ClockIndex) -> Vec<(PathBuf, bool)> {
        self.clocks[idx]
            .ports
            .iter()
            .filter_map(|s| match &s.spec.kind {
                PortKind::Serial { path, .. } | PortKind::ReadOnRequest { path } => {
                    Some((path.clone(), false))
                }
                PortKind::SerialOrTcpLink { path, .. } => Some((path.clone(), true)),
                _ => None,
            })
            .collect()
    }

    /// The descriptors of the open ports of clock `idx` (for tests).
    pub fn port_fd(&self, idx: ClockIndex, id: PortId) -> Option<std::os::fd::RawFd> {
        self.clocks[idx]
            .ports
            .get(id.index())
            .and_then(PortSlot::device)
            .map(|d| d.fd().as_fd().as_raw_fd())
    }
}
