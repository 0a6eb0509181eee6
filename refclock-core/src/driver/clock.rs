//! A driver in its clock: the object hosts drive.

use std::any::Any;
use std::collections::VecDeque;

use super::{Context, Driver, DriverConfig, DriverInfo, HostStatus, StartError};
use crate::action::Action;
use crate::clock::{ClockId, ClockState};
use crate::port::{PortEvent, PortId, Ports, PpsEdge};
use crate::time::Timestamp;

/// A driver with its clock state and queued actions: the object a host,
/// a test or an embedder holds.
pub struct Clock<D: Driver> {
    driver: D,
    state: ClockState,
    actions: VecDeque<Action>,
    ports: Ports,
    host: HostStatus,
}

impl<D: Driver> std::fmt::Debug for Clock<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("driver", &D::INFO.name)
            .field("id", &self.state.id)
            .field("ports", &self.ports)
            .field("queued", &self.actions.len())
            .finish()
    }
}

impl<D: Driver> Clock<D> {
    /// Starts a `D` for `config` (ntpd's `refclock_newpeer` +
    /// `clock_start`). The fudge refid defaults to the driver's.
    pub fn start(config: DriverConfig) -> Result<Clock<D>, StartError> {
        let id = ClockId {
            kind: D::INFO.kind,
            unit: config.unit,
        };
        super::check_options(D::OPTIONS, &config.options)?;
        let mut state = ClockState::new(id, config.fudge.clone());
        let mut actions = VecDeque::new();
        let host = HostStatus::default();
        let (driver, ports) = D::start(&config, &mut Context::new(&mut state, &mut actions, host))?;
        Ok(Clock {
            driver,
            state,
            actions,
            ports,
            host,
        })
    }

    /// The driver.
    pub fn driver(&self) -> &D {
        &self.driver
    }

    /// The driver, mutably.
    pub fn driver_mut(&mut self) -> &mut D {
        &mut self.driver
    }

    pub(super) fn with<R>(&mut self, f: impl FnOnce(&mut D, &mut Context<'_>) -> R) -> R {
        let mut ctx = Context::new(&mut self.state, &mut self.actions, self.host);
        f(&mut self.driver, &mut ctx)
    }

    /// Drains the queued actions into a vector (for tests and replays).
    pub fn take_actions(&mut self) -> Vec<Action> {
        self.actions.drain(..).collect()
    }
}

/// Any clock, as a host drives it (object-safe; implemented by
/// [`Clock<D>`] for every driver).
pub trait Refclock: Send {
    /// Static facts about the driver.
    fn info(&self) -> DriverInfo;
    /// The clock's address.
    fn id(&self) -> ClockId;
    /// The clock's state.
    fn state(&self) -> &ClockState;
    /// The clock's state, mutably (e.g. to change fudge values).
    fn state_mut(&mut self) -> &mut ClockState;
    /// What the driver asked to have opened.
    fn ports(&self) -> &Ports;
    /// Bytes from `port`, received at `rectime`.
    fn receive(&mut self, port: PortId, data: &[u8], rectime: Timestamp);
    /// A new PPS edge.
    fn pps(&mut self, edge: PpsEdge);
    /// A PPS fetch failed.
    fn pps_fault(&mut self, error: &str);
    /// The once-a-second timer.
    fn timer(&mut self, now: Timestamp);
    /// The once-per-poll-interval poll.
    fn poll(&mut self, now: Timestamp);
    /// A port event.
    fn port_event(&mut self, port: PortId, event: PortEvent);
    /// The host's status, as it changes (the system leap indicator).
    fn set_host_status(&mut self, status: HostStatus);
    /// Called once before the host closes everything.
    fn shutdown(&mut self);
    /// The oldest queued action.
    fn next_action(&mut self) -> Option<Action>;
    /// For downcasting to `Clock<D>` (see [`downcast_driver`]).
    fn as_any(&self) -> &dyn Any;
}

impl<D: Driver> Refclock for Clock<D> {
    fn info(&self) -> DriverInfo {
        D::INFO
    }
    fn id(&self) -> ClockId {
        self.state.id
    }
    fn state(&self) -> &ClockState {
        &self.state
    }
    fn state_mut(&mut self) -> &mut ClockState {
        &mut self.state
    }
    fn ports(&self) -> &Ports {
        &self.ports
    }
    fn receive(&mut self, port: PortId, data: &[u8], rectime: Timestamp) {
        self.with(|d, ctx| d.receive(ctx, port, data, rectime));
    }
    fn pps(&mut self, edge: PpsEdge) {
        self.with(|d, ctx| d.pps(ctx, edge));
    }
    fn pps_fault(&mut self, error: &str) {
        self.with(|d, ctx| d.pps_fault(ctx, error));
    }
    fn timer(&mut self, now: Timestamp) {
        self.with(|d, ctx| d.timer(ctx, now));
    }
    fn poll(&mut self, now: Timestamp) {
        self.state.transmit();
        self.with(|d, ctx| d.poll(ctx, now));
    }
    fn port_event(&mut self, port: PortId, event: PortEvent) {
        self.with(|d, ctx| d.port_event(ctx, port, event));
    }
    fn set_host_status(&mut self, status: HostStatus) {
        self.host = status;
    }
    fn shutdown(&mut self) {
        self.with(|d, ctx| d.shutdown(ctx));
    }
    fn next_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The driver inside a boxed clock, when it is a `D`.
pub fn downcast_driver<D: Driver>(clock: &dyn Refclock) -> Option<&D> {
    clock.as_any().downcast_ref::<Clock<D>>().map(Clock::driver)
}
