//! One port of a hosted clock: its device (open, connecting, or closed),
//! the bytes queued for it, and when output last moved.
//!
//! Writes never block the host: what the device does not take at once is
//! queued and written when `poll()` says it has room. A device that takes
//! nothing for [`WRITE_STALL`], or a queue that grows past
//! [`OUT_LIMIT`], drops the queue and the driver is told
//! ([`PortEvent::WriteFailed`](crate::port::PortEvent::WriteFailed)).

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;

use crate::os::device::{Connecting, Device};
use crate::os::lockfile::PortLock;
use crate::port::{PortKind, PortSpec};
use crate::time::Timestamp;

/// Longest a port may refuse output before its queue is dropped (seconds).
pub const WRITE_STALL: f64 = 5.0;
/// Most bytes queued for one port.
pub const OUT_LIMIT: usize = 64 * 1024;

/// Where a port's device stands.
#[derive(Debug, Default)]
pub(super) enum State {
    /// Not open (never opened, closed, or lost).
    #[default]
    Closed,
    /// A TCP connection under way.
    Connecting(Connecting),
    /// Open.
    Open(Device),
}

#[derive(Debug)]
pub(super) struct PortSlot {
    pub(super) spec: PortSpec,
    pub(super) state: State,
    /// Addresses of a TCP port, resolved when the clock was added.
    pub(super) addrs: Vec<SocketAddr>,
    out: VecDeque<u8>,
    /// Monotonic time output last moved (or was first queued).
    moved: Option<Timestamp>,
    /// The host was told to reopen this port when lost.
    pub(super) lost: bool,
    /// The port's lock file while it is open (`PortSpec::lock`).
    pub(super) lock: Option<PortLock>,
}

impl PortSlot {
    pub(super) fn new(spec: PortSpec, addrs: Vec<SocketAddr>) -> PortSlot {
        PortSlot {
            spec,
            state: State::Closed,
            addrs,
            out: VecDeque::new(),
            moved: None,
            lost: false,
            lock: None,
        }
    }

    pub(super) fn device(&self) -> Option<&Device> {
        match &self.state {
            State::Open(d) => Some(d),
            _ => None,
        }
    }

    pub(super) fn device_mut(&mut self) -> Option<&mut Device> {
        match &mut self.state {
            State::Open(d) => Some(d),
            _ => None,
        }
    }

    /// Whether the host waits on the device for input.
    pub(super) fn polled(&self) -> bool {
        !matches!(self.spec.kind, PortKind::ReadOnRequest { .. })
    }

    pub(super) fn wants_output(&self) -> bool {
        !self.out.is_empty()
    }

    pub(super) fn close(&mut self) {
        self.state = State::Closed;
        self.lock = None;
        self.out.clear();
        self.moved = None;
    }

    /// Queues `data` and writes what the device takes now. An error when
    /// the port is closed, the device fails, or the queue would overflow.
    pub(super) fn write(&mut self, data: &[u8], mono: Timestamp) -> io::Result<()> {
        let Some(dev) = self.device() else {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the port is not open",
            ));
        };
        let mut data = data;
        if self.out.is_empty() {
            match dev.write(data) {
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            self.moved = Some(mono);
        }
        if self.out.len() + data.len() > OUT_LIMIT {
            self.out.clear();
            self.moved = None;
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!("output queue over {OUT_LIMIT} bytes: the device takes no output"),
            ));
        }
        self.out.extend(data);
        Ok(())
    }

    /// Writes queued bytes after POLLOUT.
    pub(super) fn flush(&mut self, mono: Timestamp) -> io::Result<()> {
        while !self.out.is_empty() {
            let Some(dev) = self.device() else {
                return Ok(());
            };
            let (a, _) = self.out.as_slices();
            match dev.write(a) {
                Ok(0) => break,
                Ok(n) => {
                    self.out.drain(..n);
                    self.moved = Some(mono);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    self.out.clear();
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Drops the queue when output has not moved for [`WRITE_STALL`];
    /// returns how many bytes were dropped.
    pub(super) fn check_stall(&mut self, mono: Timestamp) -> Option<usize> {
        let moved = self.moved?;
        if self.out.is_empty() || mono.diff(moved) < WRITE_STALL {
            return None;
        }
        let n = self.out.len();
        self.out.clear();
        self.moved = None;
        Some(n)
    }
}
