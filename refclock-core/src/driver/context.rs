//! The context a driver's entry points are handed.

use std::collections::VecDeque;

use super::HostStatus;
use crate::action::Action;
use crate::calendar::CalendarError;
use crate::clock::{ClockId, ClockState};
use crate::event::ClockEvent;
use crate::filter::FilterOutput;
use crate::fudge::Fudge;
use crate::port::{PortId, SerialConfig};
use crate::sample::{Leap, Sample};
use crate::time::Timestamp;

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

    /// Stores `data` at `offset` of the status file the driver asked for
    /// ([`Ports::with_status_file`](crate::Ports::with_status_file)).
    pub fn status_write(&mut self, offset: usize, data: impl Into<Vec<u8>>) {
        self.push(Action::StatusWrite {
            offset,
            data: data.into(),
        });
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
