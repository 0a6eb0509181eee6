//! The blocking host loop that runs one driver, as the C ntp-refclock's
//! `refclock_run()` does, plus what it never did: reopening a device that
//! vanished.
//!
//! Each iteration `poll()`s the device (POLLIN | POLLPRI) with a timeout
//! that ends at the next whole second of a `CLOCK_MONOTONIC` schedule.
//! * Input: `CLOCK_REALTIME` is read the moment `poll()` returns, before
//!   anything else, then the bytes are read and handed to the driver with
//!   that timestamp (a pending PPS edge is fetched and handed over first).
//! * Timeout: one tick: PPS fetch, [`Driver::timer`], and every
//!   2^poll ticks [`Driver::poll`] (the first poll comes at the first tick,
//!   as ntpd's zeroed `nextdate` makes it).
//! * After every call into the driver its actions are drained: writes and
//!   modem lines go to the device, everything else to the [`Handler`].
//! * EOF, EIO or a hang-up on the device: the device is closed, the driver
//!   told ([`Driver::device_lost`]), and reopening is tried with a back-off
//!   from 1 s doubling to 30 s; or, with [`HostOptions::reopen`] off, the
//!   loop ends with [`HostError::DeviceLost`] as the C program exits.
//!   A reopened device gets its PPS source set up again.

use std::io;
use std::os::fd::AsRawFd;
use std::path::PathBuf;

use crate::clock::ClockId;
use crate::driver::{Action, DeviceSpec, Driver, StartError};
use crate::os::clock::{monotonic, now};
use crate::os::device::Device;
use crate::os::error::OsError;
use crate::os::pps::PpsSource;
use crate::time::Timestamp;

/// Default size of one read (the C program's `RX_BUFF_SIZE`).
pub const READ_SIZE: usize = 1000;

/// How the loop behaves.
#[derive(Clone, Debug)]
pub struct HostOptions {
    /// Poll exponent: [`Driver::poll`] runs every 2^poll seconds (`-i`).
    pub poll_exponent: u8,
    /// Reopen a vanished device instead of ending the loop.
    pub reopen: bool,
    /// First reopen delay, seconds.
    pub backoff_initial: u32,
    /// Longest reopen delay, seconds.
    pub backoff_max: u32,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            poll_exponent: 6,
            reopen: true,
            backoff_initial: 1,
            backoff_max: 30,
        }
    }
}

/// Why the loop could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The driver refused its configuration.
    #[error("{0}")]
    Start(#[from] StartError),
    /// The device could not be opened.
    #[error("{0}")]
    Open(OsError),
    /// `poll()` failed.
    #[error("poll() failed: {0}")]
    Poll(io::Error),
    /// The device went away and reopening is off.
    #[error("{path}: {reason}{}", in_parens(why_no_reopen))]
    DeviceLost {
        /// The device.
        path: PathBuf,
        /// What happened (EOF, EIO, hang-up).
        reason: String,
        /// Why it is not reopened, when reopening was turned off after
        /// the start (see [`Host::disable_reopen`]).
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
    /// A driver action other than [`Action::Write`] and
    /// [`Action::ModemLines`], taken at system time `now`. An `Err` ends the
    /// loop with [`HostError::Handler`].
    fn action(&mut self, id: ClockId, now: Timestamp, action: Action) -> Result<(), String>;

    /// A diagnostic from the host (device lost/back, PPS trouble).
    fn log(&mut self, message: &str);

    /// A detail worth showing only when debugging (e.g. a serial setting a
    /// pseudo-terminal ignores).
    fn debug(&mut self, message: &str) {
        let _ = message;
    }
}

struct Lost {
    next_try: Timestamp,
    backoff: u32,
}

/// One driver with its device, PPS source and schedule.
pub struct Host {
    driver: Box<dyn Driver>,
    spec: DeviceSpec,
    opts: HostOptions,
    port: Option<Device>,
    pps: Option<PpsSource>,
    buf: Vec<u8>,
    next_tick: Timestamp,
    current_time: u64,
    next_poll: u64,
    lost: Option<Lost>,
    why_no_reopen: Option<String>,
}

impl Host {
    /// Starts the driver and opens what it asks for. A PPS source that
    /// cannot be set up is reported to `handler` and left out, as ntpd does.
    pub fn start(
        mut driver: Box<dyn Driver>,
        opts: HostOptions,
        handler: &mut dyn Handler,
    ) -> Result<Host, HostError> {
        let spec = driver.startup()?;
        let port = Device::open(&spec.path, spec.serial.as_ref(), spec.tcp_fallback)
            .map_err(HostError::Open)?;
        if port.serial().is_none() {
            handler.log(&format!(
                "{}: not a tty; reading {}",
                spec.path.display(),
                port.describe()
            ));
        }
        for w in port.warnings() {
            handler.debug(&format!("{}: {}", spec.path.display(), w));
        }
        let read_size = if spec.read_size == 0 || spec.read_size > READ_SIZE {
            READ_SIZE
        } else {
            spec.read_size
        };
        let mut host = Host {
            driver,
            spec,
            opts,
            port: Some(port),
            pps: None,
            buf: vec![0; read_size],
            next_tick: monotonic(),
            current_time: 0,
            next_poll: 0,
            lost: None,
            why_no_reopen: None,
        };
        host.open_pps(handler);
        host.drain(handler)?;
        Ok(host)
    }

    fn open_pps(&mut self, handler: &mut dyn Handler) {
        let Some(req) = self.spec.pps.clone() else {
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
        if src.is_none() && req.fallback_to_serial {
            if let Some(port) = self.port.as_ref().and_then(Device::serial) {
                match PpsSource::from_fd(port.fd(), &self.spec.path) {
                    Ok(s) => src = Some(s),
                    Err(e) => errors.push(e.to_string()),
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
                    self.pps = Some(s);
                }
                Err(e) => handler.log(&format!("PPS: set PPSAPI params fails: {e}")),
            },
            None => handler.log(&format!(
                "PPS requested but PPSAPI fails: {}",
                errors.join("; ")
            )),
        }
    }

    /// The driver.
    pub fn driver(&self) -> &dyn Driver {
        self.driver.as_ref()
    }

    /// The driver, mutably (e.g. to change fudge values).
    pub fn driver_mut(&mut self) -> &mut dyn Driver {
        self.driver.as_mut()
    }

    /// What was opened.
    pub fn device(&self) -> &DeviceSpec {
        &self.spec
    }

    /// Turns reopening off from now on, because it could not succeed (for
    /// example the device path does not resolve after a chroot): a vanished
    /// device then ends the loop with [`HostError::DeviceLost`] carrying
    /// `why`, as the C program would end, instead of retrying forever.
    pub fn disable_reopen(&mut self, why: String) {
        self.opts.reopen = false;
        self.why_no_reopen = Some(why);
    }

    /// Whether the device is currently open.
    pub fn device_open(&self) -> bool {
        self.port.is_some()
    }

    /// Whether a PPS source is in use.
    pub fn has_pps(&self) -> bool {
        self.pps.is_some()
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

    /// One iteration: wait for input or the next tick, and handle it.
    pub fn run_once(&mut self, handler: &mut dyn Handler) -> Result<(), HostError> {
        let mono = monotonic();
        if mono >= self.next_tick {
            self.next_tick = mono;
        }
        let wait_ns = self.next_tick.as_nanos() - mono.as_nanos();
        let timeout_ms = ((wait_ns + 999_999) / 1_000_000) as libc::c_int;

        let mut pfd = libc::pollfd {
            fd: self.port.as_ref().map_or(-1, |p| p.fd().as_raw_fd()),
            events: libc::POLLIN | libc::POLLPRI,
            revents: 0,
        };
        // SAFETY: one valid pollfd (a negative fd is ignored by poll()).
        let r = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        if r > 0 {
            // Take the timestamp before anything else.
            let rectime = now();
            self.on_ready(pfd.revents, rectime, handler)?;
            // The tick must not depend on poll() timing out: a device whose
            // input never runs dry would otherwise starve the timer, since a
            // zero timeout reports the data first.
            if monotonic() < self.next_tick {
                return Ok(());
            }
        } else if r < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(())
            } else {
                Err(HostError::Poll(e))
            };
        }
        self.tick(handler)
    }

    fn on_ready(
        &mut self,
        revents: libc::c_short,
        rectime: Timestamp,
        handler: &mut dyn Handler,
    ) -> Result<(), HostError> {
        let Some(port) = &self.port else {
            return Ok(());
        };
        if revents & (libc::POLLIN | libc::POLLPRI) == 0 {
            let reason = if revents & libc::POLLNVAL != 0 {
                "invalid descriptor"
            } else {
                "hang-up"
            };
            return self.device_lost(reason.to_string(), handler);
        }
        match port.read(&mut self.buf) {
            Ok(0) => self.device_lost("No more data to read (EOF)".into(), handler),
            Ok(n) => {
                self.fetch_pps();
                self.driver.receive(&self.buf[..n], rectime);
                self.drain(handler)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => self.device_lost(format!("read() failed: {e}"), handler),
        }
    }

    fn fetch_pps(&mut self) {
        if !self.driver.wants_pps() {
            return;
        }
        if let Some(pps) = &mut self.pps {
            if let Ok(Some(edge)) = pps.fetch() {
                self.driver.pps(edge);
            }
        }
    }

    fn tick(&mut self, handler: &mut dyn Handler) -> Result<(), HostError> {
        self.current_time += 1;
        self.next_tick = self.next_tick + 1.0;
        let wall = now();
        if let Some(lost) = &self.lost {
            if monotonic() >= lost.next_try {
                self.try_reopen(handler);
            }
        }
        self.fetch_pps();
        self.driver.timer(wall);
        self.drain(handler)?;
        if self.next_poll <= self.current_time {
            self.next_poll += 1u64 << self.opts.poll_exponent.min(30);
            self.driver.poll(wall);
            self.drain(handler)?;
        }
        Ok(())
    }

    fn device_lost(&mut self, reason: String, handler: &mut dyn Handler) -> Result<(), HostError> {
        self.port = None;
        self.driver.device_lost();
        self.drain(handler)?;
        if !self.opts.reopen {
            return Err(HostError::DeviceLost {
                path: self.spec.path.clone(),
                reason,
                why_no_reopen: self.why_no_reopen.clone(),
            });
        }
        handler.log(&format!(
            "{}: {reason}; will try to reopen it",
            self.spec.path.display()
        ));
        let backoff = self.opts.backoff_initial.max(1);
        self.lost = Some(Lost {
            next_try: monotonic() + backoff as f64,
            backoff,
        });
        Ok(())
    }

    fn try_reopen(&mut self, handler: &mut dyn Handler) {
        let Some(lost) = self.lost.take() else {
            return;
        };
        match Device::open(
            &self.spec.path,
            self.spec.serial.as_ref(),
            self.spec.tcp_fallback,
        ) {
            Ok(port) => {
                handler.log(&format!("{}: reopened", self.spec.path.display()));
                self.port = Some(port);
                // A PPS source went with the device it came from (the
                // serial port's own, or a /dev/ppsN the kernel made for a
                // USB receiver): set it up again, as at the start.
                self.pps = None;
                self.open_pps(handler);
                self.driver.device_reopened();
            }
            Err(_) => {
                let backoff = (lost.backoff * 2).min(self.opts.backoff_max.max(1));
                self.lost = Some(Lost {
                    next_try: monotonic() + backoff as f64,
                    backoff,
                });
            }
        }
    }

    fn drain(&mut self, handler: &mut dyn Handler) -> Result<(), HostError> {
        let id = self.driver.id();
        // One clock read per batch, and none when there is nothing to do.
        let mut stamp = None;
        while let Some(action) = self.driver.next_action() {
            match action {
                Action::Write(bytes) => {
                    if let Some(port) = &self.port {
                        if let Err(e) = port.write_all(&bytes) {
                            handler
                                .log(&format!("{}: write failed: {e}", self.spec.path.display()));
                        }
                    }
                }
                Action::ModemLines { dtr, rts } => {
                    if let Some(port) = &self.port {
                        if let Err(e) = port.set_modem_lines(dtr, rts) {
                            handler.log(&format!(
                                "{}: setting modem lines failed: {e}",
                                self.spec.path.display()
                            ));
                        }
                    }
                }
                other => {
                    let at = *stamp.get_or_insert_with(now);
                    handler.action(id, at, other).map_err(HostError::Handler)?
                }
            }
        }
        Ok(())
    }

    /// Calls [`Driver::shutdown`] and drains its last actions.
    pub fn shutdown(&mut self, handler: &mut dyn Handler) {
        self.driver.shutdown();
        let _ = self.drain(handler);
        self.port = None;
        self.pps = None;
    }
}
