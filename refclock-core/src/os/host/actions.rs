//! Carrying out a clock's actions: writes queued on their port, ports
//! opened, closed and reconfigured, reads on request, modem lines; the
//! rest goes to the handler.

use super::*;

impl Host {
    pub(super) fn drain(
        &mut self,
        ci: ClockIndex,
        handler: &mut dyn Handler,
    ) -> Result<(), HostError> {
        // One clock read per batch, and none when there is nothing to do.
        let mut stamp = None;
        loop {
            let h = &mut self.clocks[ci];
            let Some(action) = h.clock.next_action() else {
                if h.clock.state_mut().take_poll_request() {
                    self.sched.poll_soon(ci);
                }
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
                Action::StatusWrite { offset, data } => {
                    if let Some(f) = h.status.as_mut() {
                        if let Err(e) = f.store(offset, &data) {
                            handler.log(&format!("{id}: {e}"));
                        }
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
}
