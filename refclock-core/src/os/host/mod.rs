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

mod actions;
mod events;
mod opening;
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
use crate::os::lockfile::PortLock;
use crate::os::pps::PpsSource;
use crate::os::status_file::StatusFile;
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
    status: Option<StatusFile>,
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
        // Before any chroot (the caller adds its clocks first); a failure
        // is only logged, as ntpd's Oncore driver goes on without its file.
        let status = clock.ports().status_file.as_ref().and_then(|spec| {
            match StatusFile::create(&spec.path, &spec.image) {
                Ok(f) => Some(f),
                Err(e) => {
                    handler.log(&format!(
                        "{}: status file {}: {e}; not kept",
                        clock.id(),
                        spec.path.display()
                    ));
                    None
                }
            }
        });
        let idx = self.sched.add_clock(monotonic(), opts.poll_exponent);
        self.clocks.push(Hosted {
            clock,
            opts,
            ports,
            pps: None,
            pps_error: None,
            why_no_reopen: None,
            status,
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

    /// The status file of clock `idx`, when its driver asked for one and
    /// it could be created.
    pub fn status_file(&self, idx: ClockIndex) -> Option<&StatusFile> {
        self.clocks[idx].status.as_ref()
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
