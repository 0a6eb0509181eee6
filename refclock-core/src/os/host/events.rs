//! What wakes the host: a ready port (read, timestamped before the read,
//! handed to its clock; output flushed; a hang-up), and what the schedule
//! says is due (the timer, the poll, a retry).

use super::*;

impl Host {
    pub(super) fn on_ready(
        &mut self,
        rectime: Timestamp,
        handler: &mut dyn Handler,
    ) -> Result<(), HostError> {
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

    pub(super) fn port_ready(
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

    pub(super) fn fetch_pps(&mut self, ci: ClockIndex) {
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

    pub(super) fn take_due(&mut self, handler: &mut dyn Handler) -> Result<(), HostError> {
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

    pub(super) fn tick(
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

    pub(super) fn port_lost(
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
}
