//! The properties every driver keeps under the script runner, whatever it
//! is fed (see [`run_script`](super::run_script) for the list).

use std::collections::BTreeSet;
use std::ops::Bound;

use refclock_core::clock::Counters;
use refclock_core::filter::MAXSTAGE;
use refclock_core::{Action, ClockEvent, ClockState, Leap, PortId, Timestamp};

use super::fuzz::{Call, Rules};

/// What the generic checks know about the run so far.
#[derive(Debug)]
pub(crate) struct Invariants {
    rules: Rules,
    ports: usize,
    pps: bool,
    /// Size of the status file the driver asked for (0: none).
    status_file: usize,
    /// Receive times handed in, moved by the rules' shift.
    received: BTreeSet<Timestamp>,
    /// Timer and poll times handed in (when the rules allow samples there).
    ticks: BTreeSet<Timestamp>,
    /// PPS edge times handed in.
    edges: BTreeSet<Timestamp>,
    status: ClockEvent,
    counters: Counters,
    samples: u64,
    filtered_this_poll: usize,
    /// Smallest and largest offset since the last filtered result, and
    /// how many samples.
    since_filter: Option<(f64, f64)>,
    since_filter_count: usize,
}

const SECOND: i128 = 1_000_000_000;

impl Invariants {
    /// For a clock with `ports` ports, `pps` when it asked for a PPS source,
    /// and a status file of `status_file` bytes (0: none).
    pub(crate) fn new(rules: Rules, ports: usize, pps: bool, status_file: usize) -> Invariants {
        Invariants {
            rules,
            ports,
            pps,
            status_file,
            received: BTreeSet::new(),
            ticks: BTreeSet::new(),
            edges: BTreeSet::new(),
            // ClockState::new's status.
            status: ClockEvent::Nominal,
            counters: Counters::default(),
            samples: 0,
            filtered_this_poll: 0,
            since_filter: None,
            since_filter_count: 0,
        }
    }

    /// Notes what a call hands in, before it is made.
    pub(crate) fn before(&mut self, call: &Call<'_>) {
        match call {
            Call::Receive { rectime, .. } => {
                self.received
                    .insert(rectime.add_secs_f64(self.rules.sample_time_shift));
            }
            Call::Pps(edge) => {
                self.edges.insert(edge.time);
            }
            Call::Timer(t) if self.rules.samples_at_ticks => {
                self.ticks.insert(*t);
            }
            Call::Poll(t) => {
                self.filtered_this_poll = 0;
                if self.rules.samples_at_ticks {
                    self.ticks.insert(*t);
                }
            }
            _ => {}
        }
    }

    /// Checks the actions of a call and the clock's state after it.
    pub(crate) fn after(&mut self, state: &ClockState, call: &Call<'_>, actions: &[Action]) {
        for action in actions {
            self.action(call, action);
        }
        assert_eq!(
            state.status, self.status,
            "the clock's status is not the last event reported"
        );
        let (c, old) = (state.counters, self.counters);
        assert!(
            c.polls >= old.polls
                && c.noreply >= old.noreply
                && c.badformat >= old.badformat
                && c.baddata >= old.baddata
                && c.samples >= old.samples,
            "counters went back after {call:?}: {old:?} -> {c:?}"
        );
        assert_eq!(
            c.samples, self.samples,
            "samples counted vs. samples queued"
        );
        self.counters = c;
        let code = state.timecode();
        assert!(code.len() < 128 && code.bytes().all(|b| (0x20..0x7f).contains(&b)));
    }

    fn action(&mut self, call: &Call<'_>, action: &Action) {
        match action {
            Action::Sample(s) => {
                assert!(s.offset.is_finite(), "offset {} after {call:?}", s.offset);
                assert!(
                    self.rules.samples_when_not_in_sync || s.leap != Leap::NotInSync,
                    "a sample while not in sync: {s:?}"
                );
                assert!(
                    self.time_allowed(s.time),
                    "sample time {:?} is none of the receive times handed in",
                    s.time
                );
                self.samples += 1;
                self.since_filter_count += 1;
                self.since_filter = Some(match self.since_filter {
                    None => (s.offset, s.offset),
                    Some((lo, hi)) => (lo.min(s.offset), hi.max(s.offset)),
                });
            }
            Action::Filtered(f) => {
                assert!(
                    self.rules.filtered_per_call || self.filtered_this_poll == 0,
                    "a second filtered result in one poll interval"
                );
                self.filtered_this_poll += 1;
                assert!(f.offset.is_finite() && f.jitter.is_finite() && f.jitter >= 0.0);
                assert!(1 <= f.kept && f.kept <= f.n && f.n <= MAXSTAGE, "{f:?}");
                assert!(
                    f.n <= self.since_filter_count,
                    "{f:?}: more samples than were taken"
                );
                let (lo, hi) = self.since_filter.expect("samples before a filtered result");
                let tol = 1e-9 * (1.0 + lo.abs().max(hi.abs()));
                assert!(
                    lo - tol <= f.offset && f.offset <= hi + tol,
                    "filtered offset {} outside the samples' [{lo}, {hi}]",
                    f.offset
                );
                self.since_filter = None;
                self.since_filter_count = 0;
            }
            Action::Event(e) => {
                assert_ne!(*e, self.status, "an event that changes nothing");
                self.status = *e;
            }
            Action::ClockStats(line) | Action::Log(line) => {
                assert!(!line.contains(['\n', '\r']), "a line break in {line:?}");
            }
            Action::StatusWrite { offset, data } => assert!(
                !data.is_empty()
                    && offset
                        .checked_add(data.len())
                        .is_some_and(|end| end <= self.status_file),
                "{} bytes at {offset} of a status file of {} bytes",
                data.len(),
                self.status_file
            ),
            Action::Write { port, .. }
            | Action::ModemLines { port, .. }
            | Action::Reconfigure { port, .. }
            | Action::QueryModem(port)
            | Action::Open(port)
            | Action::Close(port)
            | Action::Read(port) => self.port_exists(*port, action),
        }
    }

    fn port_exists(&self, port: PortId, action: &Action) {
        assert!(
            port.index() < self.ports,
            "{action:?} addresses a port the driver did not ask for ({} ports)",
            self.ports
        );
    }

    /// A sample's time is a receive time handed in (moved by the rules'
    /// shift), a tick's time when the rules allow that, up to the rules'
    /// lead before a receive time, or, for a driver
    /// with PPS, less than a second from a receive time or an edge.
    fn time_allowed(&self, t: Timestamp) -> bool {
        if self.rules.samples_from_data || self.received.contains(&t) || self.ticks.contains(&t) {
            return true;
        }
        if self.rules.samples_before_reads > 0.0 {
            let hi = t.add_secs_f64(self.rules.samples_before_reads);
            if self.received.range(t..=hi).next().is_some() {
                return true;
            }
        }
        let near = |set: &BTreeSet<Timestamp>| {
            let lo = Timestamp::from_nanos(t.as_nanos() - SECOND);
            let hi = Timestamp::from_nanos(t.as_nanos() + SECOND);
            set.range((Bound::Excluded(lo), Bound::Excluded(hi)))
                .next()
                .is_some()
        };
        self.pps && (self.edges.contains(&t) || near(&self.received) || near(&self.edges))
    }
}
