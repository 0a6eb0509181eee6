//! The driver interface: what a driver implements, the context it is
//! handed, and the clock object a host drives.
//!
//! * A driver implements [`Driver`]: a constructor, [`Driver::start`],
//!   that returns the driver and the [`Ports`] it wants (so nothing can be
//!   fed to a driver that has not started), and entry points for bytes
//!   ([`Driver::receive`]), PPS edges, the once-a-second
//!   [`Driver::timer`], the once-per-poll [`Driver::poll`] and
//!   [`PortEvent`]s. Each entry point gets a [`Context`]: the clock's
//!   shared state ([`ClockState`], ntpd's `refclockproc`), the host's
//!   status (the system leap indicator), and the sink its [`Action`]s go
//!   to (samples, writes, opening and closing ports, log lines).
//! * [`Clock<D>`] wraps a driver with its state and action queue. It is
//!   what a host, a test or an embedder holds; hosts drive any clock
//!   through the object-safe [`Refclock`] trait. After each call, drain
//!   [`Refclock::next_action`] and carry out every action.
//!
//! A driver never touches a file descriptor or reads a clock, so the same
//! code runs under the bundled host loop, an async runtime, a replay of a
//! capture, or a fuzzer.

use std::any::Any;
use std::collections::VecDeque;
use std::path::PathBuf;

use crate::action::Action;
use crate::calendar::{Basedate, CalendarError};
use crate::clock::{ClockId, ClockState};
use crate::event::ClockEvent;
use crate::filter::FilterOutput;
use crate::fudge::Fudge;
use crate::port::{PortEvent, PortId, Ports, PpsEdge, SerialConfig};
use crate::sample::{Leap, Sample};
use crate::time::Timestamp;

/// Static facts about a driver type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DriverInfo {
    /// ntpd's type number.
    pub kind: u8,
    /// ntpd's short name (`GPS_NMEA`), printed by `-l`.
    pub ntpd_name: &'static str,
    /// The readable name (`nmea`), accepted in place of the address.
    pub name: &'static str,
    /// One line saying what it serves.
    pub description: &'static str,
    /// Default refid.
    pub refid: [u8; 4],
}

/// Why a driver cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    /// A mode value the driver does not support.
    #[error("unsupported mode {mode}: {reason}")]
    BadMode {
        /// The mode given.
        mode: u32,
        /// What is wrong with it.
        reason: String,
    },
    /// A unit number the driver does not support.
    #[error("unsupported unit {unit}: {reason}")]
    BadUnit {
        /// The unit given.
        unit: u8,
        /// What is wrong with it.
        reason: String,
    },
    /// Anything else the driver cannot work with.
    #[error("{0}")]
    Other(String),
}

/// Everything a driver is constructed from.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DriverConfig {
    /// Unit number (last part of 127.127.T.U).
    pub unit: u8,
    /// Fudge values and mode.
    pub fudge: Fudge,
    /// Device path override (`path DEVICE`); `None` = the driver's default.
    pub device: Option<PathBuf>,
    /// PPS device override (`ppspath DEVICE`).
    pub pps_device: Option<PathBuf>,
    /// The date before which no timecode date is believed (GPS weeks,
    /// two-digit years); see [`Basedate`].
    pub basedate: Basedate,
    /// Phone numbers / AT commands (`-p`), for modem drivers.
    pub phones: Vec<String>,
}

impl DriverConfig {
    /// The device path: the `path` override, else `default` with `%d`
    /// replaced by the unit number (ntpd's `DEVICE` patterns).
    pub fn device_or(&self, default: &str) -> PathBuf {
        self.device
            .clone()
            .unwrap_or_else(|| PathBuf::from(default.replace("%d", &self.unit.to_string())))
    }

    /// The PPS device path: the `ppspath` override, else `default` with
    /// `%d` replaced by the unit number.
    pub fn pps_device_or(&self, default: &str) -> PathBuf {
        self.pps_device
            .clone()
            .unwrap_or_else(|| PathBuf::from(default.replace("%d", &self.unit.to_string())))
    }
}

/// What the host knows that a driver may gate on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct HostStatus {
    /// The system clock's leap indicator (ntpd's `sys_leap`), as the
    /// kernel's `ntp_adjtime` reports it: not in sync while the kernel
    /// says its time is unsynchronised.
    pub sys_leap: Leap,
}

/// A reference clock driver. See the module documentation.
pub trait Driver: Sized + Send + 'static {
    /// Static facts about this driver type.
    const INFO: DriverInfo;

    /// Starts a driver for `config`: checks the configuration, sets up the
    /// clock state (`ctx.clock`) and says which ports to open. Nothing is
    /// open yet; each port that opens is announced by
    /// [`PortEvent::Opened`].
    fn start(config: &DriverConfig, ctx: &mut Context<'_>) -> Result<(Self, Ports), StartError>;

    /// Bytes read from `port`, with the system time taken right after
    /// `poll()` woke and before `read()`.
    fn receive(&mut self, ctx: &mut Context<'_>, port: PortId, data: &[u8], rectime: Timestamp);

    /// A new PPS edge from the source the driver asked for.
    fn pps(&mut self, ctx: &mut Context<'_>, edge: PpsEdge) {
        let _ = (ctx, edge);
    }

    /// Fetching the PPS edge failed (ntpd's `refclock_pps` returns 0).
    fn pps_fault(&mut self, ctx: &mut Context<'_>, error: &str) {
        ctx.log(format!("PPS fetch failed: {error}"));
    }

    /// Once per second.
    fn timer(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let _ = (ctx, now);
    }

    /// Once per poll interval. The default is ntpd's usual one: count the
    /// poll and filter what arrived, reporting a timeout when nothing did
    /// ([`Context::poll_default`]).
    fn poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let _ = now;
        ctx.poll_default();
    }

    /// Something happened to a port: opened, closed, a failed write.
    fn port_event(&mut self, ctx: &mut Context<'_>, port: PortId, event: PortEvent) {
        let _ = (ctx, port, event);
    }

    /// Called once before the host closes everything.
    fn shutdown(&mut self, ctx: &mut Context<'_>) {
        let _ = ctx;
    }
}

/// What a driver's entry point is handed: the clock's state, the host's
/// status, and the sink for its actions.
pub struct Context<'a> {
    /// The clock's shared state (ntpd's `refclockproc`).
    pub clock: &'a mut ClockState,
    actions: &'a mut VecDeque<Action>,
    host: HostStatus,
}

impl<'a> Context<'a> {
    /// A context over `clock` that queues into `actions`.
    pub fn new(
        clock: &'a mut ClockState,
        actions: &'a mut VecDeque<Action>,
        host: HostStatus,
    ) -> Context<'a> {
        Context {
            clock,
            actions,
            host,
        }
    }

    /// The system clock's leap indicator (ntpd's `sys_leap`).
    pub fn sys_leap(&self) -> Leap {
        self.host.sys_leap
    }

    /// The clock's fudge values.
    pub fn fudge(&self) -> &Fudge {
        &self.clock.fudge
    }

    /// The clock's address.
    pub fn id(&self) -> ClockId {
        self.clock.id
    }

    /// Queues an action.
    pub fn push(&mut self, action: Action) {
        self.actions.push_back(action);
    }

    /// Writes `data` to `port`.
    pub fn write(&mut self, port: PortId, data: impl Into<Vec<u8>>) {
        self.push(Action::Write {
            port,
            data: data.into(),
        });
    }

    /// Sets modem lines on `port` (`None` leaves a line as it is).
    pub fn modem_lines(&mut self, port: PortId, dtr: Option<bool>, rts: Option<bool>) {
        self.push(Action::ModemLines { port, dtr, rts });
    }

    /// Asks for the modem status lines of `port`.
    pub fn query_modem(&mut self, port: PortId) {
        self.push(Action::QueryModem(port));
    }

    /// Opens an on-demand port.
    pub fn open(&mut self, port: PortId) {
        self.push(Action::Open(port));
    }

    /// Closes a port.
    pub fn close(&mut self, port: PortId) {
        self.push(Action::Close(port));
    }

    /// Changes a serial port's settings.
    pub fn reconfigure(&mut self, port: PortId, config: SerialConfig) {
        self.push(Action::Reconfigure { port, config });
    }

    /// Reads a read-on-request port now.
    pub fn read(&mut self, port: PortId) {
        self.push(Action::Read(port));
    }

    /// A diagnostic for the log.
    pub fn log(&mut self, message: impl Into<String>) {
        self.push(Action::Log(message.into()));
    }

    /// A clockstats line (without address or time).
    pub fn clockstats(&mut self, text: impl Into<String>) {
        self.push(Action::ClockStats(text.into()));
    }

    /// Records an event (`refclock_report`): counts it, and on a change of
    /// status queues [`Action::Event`].
    pub fn report(&mut self, event: ClockEvent) {
        if self.clock.record_event(event) {
            self.push(Action::Event(event));
        }
    }

    /// Adds a raw sample with a precomputed offset (true − system) taken at
    /// `rectime` and queues it; the building block of every other
    /// `process_*`.
    pub fn push_sample(&mut self, rectime: Timestamp, offset: f64) -> Sample {
        let s = self.clock.record_sample(rectime, offset, false);
        self.push(Action::Sample(s));
        s
    }

    /// Adds a raw sample `reftime − rectime + fudge` taken at `rectime`
    /// (`refclock_process_offset`).
    pub fn process_offset(&mut self, reftime: Timestamp, rectime: Timestamp, fudge: f64) -> Sample {
        self.clock.lastref = Some(reftime);
        self.push_sample(rectime, reftime.diff(rectime) + fudge)
    }

    /// `refclock_process_f`: the reference time from the decoded
    /// day-of-year and time fields (the year is ignored, as ntpd does)
    /// around `rectime`, and a sample with `fudge`. On failure reports
    /// [`ClockEvent::BadTime`] and returns the error.
    pub fn process_fields(
        &mut self,
        rectime: Timestamp,
        fudge: f64,
    ) -> Result<Sample, CalendarError> {
        match self.clock.fields_reftime(rectime) {
            Ok(reftime) => Ok(self.process_offset(reftime, rectime, fudge)),
            Err(e) => {
                self.report(ClockEvent::BadTime);
                Err(e)
            }
        }
    }

    /// `refclock_process`: [`Context::process_fields`] with `time1`.
    pub fn process(&mut self, rectime: Timestamp) -> Result<Sample, CalendarError> {
        let t1 = self.clock.fudge.time1();
        self.process_fields(rectime, t1)
    }

    /// `refclock_pps`'s sample: a PPS edge at `edge` marks a whole second;
    /// the offset is minus the edge's fraction (folded to ±0.5 s) plus
    /// `fudge`. The sample carries the pulse flag: it says nothing about
    /// which second it is.
    pub fn process_pps(&mut self, edge: Timestamp, fudge: f64) -> Sample {
        let mut frac = edge.subsec_nanos() as f64 * 1e-9;
        if frac > 0.5 {
            frac -= 1.0;
        }
        let s = self.clock.record_sample(edge, -frac + fudge, true);
        self.push(Action::Sample(s));
        s
    }

    /// `refclock_receive`: once per poll. When the clock is not in sync
    /// the samples stay queued and `None` is returned; otherwise the
    /// pending samples are filtered, the buffer emptied, and the result
    /// queued as [`Action::Filtered`].
    pub fn receive(&mut self) -> Option<FilterOutput> {
        let out = self.clock.filter()?;
        self.push(Action::Filtered(out));
        Some(out)
    }

    /// ntpd's usual poll: count it, and filter the pending samples, or
    /// report a timeout when there are none.
    pub fn poll_default(&mut self) {
        self.clock.counters.polls += 1;
        if self.clock.pending().is_empty() {
            self.report(ClockEvent::Timeout);
        } else {
            let _ = self.receive();
        }
    }
}

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

    fn with<R>(&mut self, f: impl FnOnce(&mut D, &mut Context<'_>) -> R) -> R {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::port::{PortSpec, PpsEdgeKind};

    /// A driver that answers every line with `ok` and takes a sample from
    /// each byte count.
    struct Echo {
        opened: usize,
    }

    impl Driver for Echo {
        const INFO: DriverInfo = DriverInfo {
            kind: 250,
            ntpd_name: "ECHO",
            name: "echo",
            description: "test driver",
            refid: *b"ECHO",
        };

        fn start(
            config: &DriverConfig,
            ctx: &mut Context<'_>,
        ) -> Result<(Self, Ports), StartError> {
            if config.fudge.mode > 1 {
                return Err(StartError::BadMode {
                    mode: config.fudge.mode,
                    reason: "0 or 1".into(),
                });
            }
            ctx.clock.leap = Leap::NoWarning;
            let path = config.device_or("/dev/echo%d");
            Ok((
                Echo { opened: 0 },
                Ports::one(PortSpec::serial(path, SerialConfig::raw_8n1(9600))),
            ))
        }

        fn receive(&mut self, ctx: &mut Context<'_>, port: PortId, data: &[u8], t: Timestamp) {
            ctx.write(port, b"ok".to_vec());
            ctx.push_sample(t, data.len() as f64);
        }

        fn port_event(&mut self, ctx: &mut Context<'_>, _port: PortId, event: PortEvent) {
            if event == PortEvent::Opened {
                self.opened += 1;
                ctx.report(ClockEvent::Nominal);
            }
        }
    }

    #[test]
    fn start_checks_and_names_the_ports() {
        let mut cfg = DriverConfig {
            unit: 3,
            ..DriverConfig::default()
        };
        let clock = Clock::<Echo>::start(cfg.clone()).unwrap();
        assert_eq!(clock.id(), ClockId { kind: 250, unit: 3 });
        assert_eq!(
            clock.ports().get(PortId::MAIN).unwrap().kind.path(),
            Some(std::path::Path::new("/dev/echo3"))
        );
        assert_eq!(clock.state().leap, Leap::NoWarning);
        cfg.fudge.mode = 2;
        assert!(matches!(
            Clock::<Echo>::start(cfg),
            Err(StartError::BadMode { mode: 2, .. })
        ));
    }

    #[test]
    fn entry_points_queue_actions_in_order() {
        let mut clock: Box<dyn Refclock> =
            Box::new(Clock::<Echo>::start(DriverConfig::default()).unwrap());
        clock.port_event(PortId::MAIN, PortEvent::Opened);
        clock.receive(PortId::MAIN, b"abc", Timestamp::from_secs(5));
        let mut got = Vec::new();
        while let Some(a) = clock.next_action() {
            got.push(a);
        }
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            Action::Write {
                port: PortId::MAIN,
                data: b"ok".to_vec()
            }
        );
        let Action::Sample(s) = got[1] else {
            panic!("{got:?}")
        };
        assert_eq!((s.offset, s.pulse, s.leap), (3.0, false, Leap::NoWarning));
        assert_eq!(downcast_driver::<Echo>(clock.as_ref()).unwrap().opened, 1);
        assert_eq!(clock.state().counters.samples, 1);
    }

    #[test]
    fn pps_samples_carry_the_pulse_flag() {
        let mut clock = Clock::<Echo>::start(DriverConfig::default()).unwrap();
        let s = clock.with(|_, ctx| ctx.process_pps(Timestamp::new(50, 999_000_000), 0.0));
        assert!(s.pulse);
        assert!((s.offset - 0.001).abs() < 1e-12);
        let s = clock.with(|_, ctx| ctx.process_pps(Timestamp::new(51, 2_000_000), 0.0));
        assert!((s.offset + 0.002).abs() < 1e-12);
        let _ = PpsEdgeKind::Assert;
    }

    #[test]
    fn default_poll_reports_a_timeout_or_filters() {
        let mut clock = Clock::<Echo>::start(DriverConfig::default()).unwrap();
        clock.poll(Timestamp::from_secs(1));
        assert_eq!(
            clock.take_actions(),
            vec![Action::Event(ClockEvent::Timeout)]
        );
        assert_eq!(clock.state().counters.noreply, 1);
        clock.receive(PortId::MAIN, b"x", Timestamp::from_secs(2));
        let _ = clock.take_actions();
        clock.poll(Timestamp::from_secs(3));
        let acts = clock.take_actions();
        assert!(
            matches!(acts[..], [Action::Filtered(f)] if f.n == 1),
            "{acts:?}"
        );
    }
}
