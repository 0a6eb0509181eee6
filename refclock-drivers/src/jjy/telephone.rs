//! Telephone JJY (modes 100, 101–180): NICT's dial-up service through an
//! AT modem.

use refclock_core::port::{PortEvent, PortSpec};
use refclock_core::{Context, DriverConfig, PortId, Ports, StartError, Timestamp};

/// The telephone dialogue.
#[derive(Debug)]
pub struct Telephone {}

impl Telephone {
    /// Checks the configuration.
    pub fn new(_config: &DriverConfig) -> Result<Telephone, StartError> {
        Err(StartError::Other(
            "jjy: telephone JJY (modes 100-180) is not implemented yet".into(),
        ))
    }

    /// The ports to open.
    pub fn ports(&self, port: PortSpec) -> Ports {
        Ports::one(port)
    }

    /// Bytes from the modem.
    pub fn receive(&mut self, _ctx: &mut Context<'_>, _data: &[u8], _rectime: Timestamp) {}

    /// Once a second.
    pub fn timer(&mut self, _ctx: &mut Context<'_>, _now: Timestamp) {}

    /// A poll.
    pub fn poll(&mut self, _ctx: &mut Context<'_>, _now: Timestamp) {}

    /// A port event.
    pub fn port_event(&mut self, _ctx: &mut Context<'_>, _port: PortId, _event: PortEvent) {}

    /// Shutdown.
    pub fn shutdown(&mut self, _ctx: &mut Context<'_>) {}
}
