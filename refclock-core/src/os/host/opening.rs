//! Opening ports: at start, when the driver asks, and again when a lost
//! one returns (its back-off, or inotify seeing its path reappear); the
//! PPS source set up with the device it comes from.

use super::*;

impl Host {
    /// Opens port `id` of clock `idx`; announces it to the driver when
    /// open (a TCP connection is announced when it completes).
    pub(super) fn open(
        &mut self,
        idx: ClockIndex,
        id: PortId,
        handler: &mut dyn Handler,
    ) -> Result<(), OsError> {
        let slot = &mut self.clocks[idx].ports[id.index()];
        // The lock first (ntpd's ACTS locks, then opens); an open that
        // fails lets it go again.
        let lock = match &slot.spec.lock {
            Some(path) => Some(PortLock::acquire(path)?),
            None => None,
        };
        match open_port(&slot.spec.kind, &slot.addrs)? {
            Opening::Ready(dev) => {
                self.clocks[idx].ports[id.index()].lock = lock;
                self.opened(idx, id, dev, handler);
            }
            Opening::Connecting(c) => {
                slot.state = State::Connecting(c);
                slot.lock = lock;
            }
        }
        Ok(())
    }

    pub(super) fn opened(
        &mut self,
        idx: ClockIndex,
        id: PortId,
        dev: Device,
        handler: &mut dyn Handler,
    ) {
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

    pub(super) fn open_pps(&mut self, idx: ClockIndex, handler: &mut dyn Handler) {
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
                        // ntpd's refclock_params: bind the kernel's PLL to
                        // this edge. Without the capability or kernel
                        // support, the edges still serve in user space.
                        match s.kernel_bind_hardpps(req.edge) {
                            Ok(()) => handler.log("kernel hardpps bound to the PPS source"),
                            Err(e) => handler.log(&format!(
                                "time_pps_kcbind failed: {e}; PPS used in user space"
                            )),
                        }
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

    /// Schedules retries of a lost port and watches its path.
    pub(super) fn lose(&mut self, ci: ClockIndex, id: PortId) {
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

    pub(super) fn retry(
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
    pub(super) fn reopened(&mut self, ci: ClockIndex, handler: &mut dyn Handler) {
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
    pub(super) fn retry_lost_now(&mut self, handler: &mut dyn Handler) -> Result<(), HostError> {
        for ci in 0..self.clocks.len() {
            for p in 0..self.clocks[ci].ports.len() {
                if self.clocks[ci].ports[p].lost {
                    self.retry(ci, PortId(p as u8), handler)?;
                }
            }
        }
        Ok(())
    }
}
