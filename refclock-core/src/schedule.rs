//! When each clock's timer, poll and port retries are due: the host's
//! schedule as a pure state machine, fed monotonic time.
//!
//! Each clock has a one-second timer on the monotonic clock (ntpd's
//! `current_time` tick; its first tick is due at once), a poll every
//! 2^poll ticks (the first at the first tick, the next at tick 2^poll, as
//! the C program's zeroed `nextdate` makes it), and per port an optional retry: a lost port is
//! tried again after its [`Backoff`], the delay doubling after each
//! failure. A host asks for [`Scheduler::next_deadline`], sleeps until
//! then (or until input), and takes what is [`Scheduler::due`].
//!
//! A tick that comes late (the host was stopped or the machine
//! suspended) is taken once and the beat restarts from then, as the C
//! program does; one that comes a little late keeps the beat.

use std::time::Duration;

use crate::port::{Backoff, PortId};
use crate::time::Timestamp;

/// A clock in the scheduler (its index, in the order added).
pub type ClockIndex = usize;

/// Something due now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// The clock's one-second timer; `poll`: its poll is due too.
    Tick {
        /// Which clock.
        clock: ClockIndex,
        /// The tick count of this tick (1 for the first).
        tick: u64,
        /// The poll interval elapsed as well.
        poll: bool,
    },
    /// Time to try reopening a lost port.
    Retry {
        /// Which clock.
        clock: ClockIndex,
        /// Which port.
        port: PortId,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Retry {
    at: Timestamp,
    delay: Duration,
}

#[derive(Clone, Debug)]
struct ClockSchedule {
    next_tick: Timestamp,
    ticks: u64,
    next_poll: u64,
    poll_exponent: u8,
    retries: Vec<Option<Retry>>,
}

/// The schedule of every clock a host runs.
#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    clocks: Vec<ClockSchedule>,
}

/// A tick this late or later restarts the beat instead of keeping it.
const RESYNC_AFTER: f64 = 1.0;

impl Scheduler {
    /// An empty schedule.
    pub fn new() -> Scheduler {
        Scheduler::default()
    }

    /// Adds a clock at monotonic time `now`, polled every 2^`poll_exponent`
    /// seconds (at most 2^30); its first tick is due at once.
    pub fn add_clock(&mut self, now: Timestamp, poll_exponent: u8) -> ClockIndex {
        self.clocks.push(ClockSchedule {
            next_tick: now,
            ticks: 0,
            next_poll: 0,
            poll_exponent: poll_exponent.min(30),
            retries: Vec::new(),
        });
        self.clocks.len() - 1
    }

    /// The earliest instant something is due (`None` with no clocks).
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.clocks
            .iter()
            .flat_map(|c| {
                std::iter::once(c.next_tick).chain(c.retries.iter().flatten().map(|r| r.at))
            })
            .min()
    }

    /// Appends to `out` what is due at `now`, and moves each schedule on.
    pub fn due(&mut self, now: Timestamp, out: &mut Vec<Due>) {
        for (i, c) in self.clocks.iter_mut().enumerate() {
            if now >= c.next_tick {
                c.ticks += 1;
                let poll = c.next_poll <= c.ticks;
                if poll {
                    // From 0, as the C program's `nextdate`: the first poll
                    // at tick 1, the next at tick 2^poll.
                    c.next_poll += 1u64 << c.poll_exponent;
                }
                c.next_tick = if now.diff(c.next_tick) >= RESYNC_AFTER {
                    now + 1.0
                } else {
                    c.next_tick + 1.0
                };
                out.push(Due::Tick {
                    clock: i,
                    tick: c.ticks,
                    poll,
                });
            }
            for (p, r) in c.retries.iter_mut().enumerate() {
                if let Some(retry) = r {
                    if now >= retry.at {
                        // Stays scheduled (at the same delay) until the
                        // host reports how the attempt went.
                        retry.at = now + retry.delay.as_secs_f64();
                        out.push(Due::Retry {
                            clock: i,
                            port: PortId(p as u8),
                        });
                    }
                }
            }
        }
    }

    fn retry_slot(&mut self, clock: ClockIndex, port: PortId) -> &mut Option<Retry> {
        let r = &mut self.clocks[clock].retries;
        if r.len() <= port.index() {
            r.resize(port.index() + 1, None);
        }
        &mut r[port.index()]
    }

    /// A port was lost (or could not be opened) at `now`: the first retry
    /// is due after the back-off's first delay.
    pub fn port_lost(&mut self, clock: ClockIndex, port: PortId, now: Timestamp, backoff: Backoff) {
        let delay = backoff.next(None);
        *self.retry_slot(clock, port) = Some(Retry {
            at: now + delay.as_secs_f64(),
            delay,
        });
    }

    /// A retry failed at `now`: the next one waits twice as long, up to
    /// the back-off's limit.
    pub fn retry_failed(
        &mut self,
        clock: ClockIndex,
        port: PortId,
        now: Timestamp,
        backoff: Backoff,
    ) {
        let slot = self.retry_slot(clock, port);
        let delay = backoff.next(slot.map(|r| r.delay));
        *slot = Some(Retry {
            at: now + delay.as_secs_f64(),
            delay,
        });
    }

    /// The port is open again (or no longer wanted): no more retries.
    pub fn port_back(&mut self, clock: ClockIndex, port: PortId) {
        *self.retry_slot(clock, port) = None;
    }

    /// Whether the port is waiting to be retried.
    pub fn retrying(&self, clock: ClockIndex, port: PortId) -> bool {
        self.clocks[clock]
            .retries
            .get(port.index())
            .is_some_and(Option::is_some)
    }

    /// A clock asked for its next poll at the next tick (ntpd's
    /// `refclock_checkburst`): brought forward unless it is due by then.
    pub fn poll_soon(&mut self, clock: ClockIndex) {
        let c = &mut self.clocks[clock];
        let limit = c.ticks + 1;
        if c.next_poll > limit {
            c.next_poll = limit;
        }
    }

    /// The clock's tick count so far.
    pub fn ticks(&self, clock: ClockIndex) -> u64 {
        self.clocks[clock].ticks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_nanos(ms as i128 * 1_000_000)
    }

    /// Runs the schedule from `start` to `end` (ms), jumping from deadline
    /// to deadline as a host sleeping exactly would, `lag` ms late each time.
    fn drive(s: &mut Scheduler, end: i64, lag: i64) -> Vec<(i64, Due)> {
        let mut log = Vec::new();
        let mut out = Vec::new();
        while let Some(d) = s.next_deadline() {
            let now = t(d.as_nanos() as i64 / 1_000_000 + lag);
            if now > t(end) {
                break;
            }
            s.due(now, &mut out);
            assert!(!out.is_empty(), "woke at {now:?} for nothing");
            log.extend(
                out.drain(..)
                    .map(|d| ((now.as_nanos() / 1_000_000) as i64, d)),
            );
        }
        log
    }

    #[test]
    fn ticks_every_second_and_polls_every_2_to_the_poll() {
        let mut s = Scheduler::new();
        let c = s.add_clock(t(500), 2);
        let log = drive(&mut s, 10_499, 0);
        let ticks: Vec<i64> = log.iter().map(|(at, _)| *at).collect();
        assert_eq!(ticks, (0..10).map(|k| 500 + 1000 * k).collect::<Vec<_>>());
        let polls: Vec<u64> = log
            .iter()
            .filter_map(|(_, d)| match d {
                Due::Tick {
                    poll: true, tick, ..
                } => Some(*tick),
                _ => None,
            })
            .collect();
        assert_eq!(polls, vec![1, 4, 8]);
        assert_eq!(s.ticks(c), 10);
    }

    #[test]
    fn a_little_lateness_keeps_the_beat_a_stall_restarts_it() {
        let mut s = Scheduler::new();
        s.add_clock(t(0), 6);
        let log = drive(&mut s, 5_000, 3);
        let at: Vec<i64> = log.iter().map(|(a, _)| *a).collect();
        assert_eq!(at, vec![3, 1003, 2003, 3003, 4003]);
        // A stall of 10 s: one tick, then a beat from there.
        let mut out = Vec::new();
        s.due(t(15_000), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(s.next_deadline(), Some(t(16_000)));
    }

    #[test]
    fn clocks_keep_their_own_beat() {
        let mut s = Scheduler::new();
        let a = s.add_clock(t(0), 0);
        let b = s.add_clock(t(300), 1);
        let log = drive(&mut s, 2_999, 0);
        let of = |c| {
            log.iter()
                .filter(|(_, d)| matches!(d, Due::Tick { clock, .. } if *clock == c))
                .map(|(at, _)| *at)
                .collect::<Vec<_>>()
        };
        assert_eq!(of(a), vec![0, 1000, 2000]);
        assert_eq!(of(b), vec![300, 1300, 2300]);
    }

    #[test]
    fn retries_back_off_until_the_port_is_back() {
        let mut s = Scheduler::new();
        let c = s.add_clock(t(0), 6);
        let mut out = Vec::new();
        s.due(t(0), &mut out);
        let b = Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(4),
        };
        s.port_lost(c, PortId::MAIN, t(200), b);
        assert!(s.retrying(c, PortId::MAIN));
        let mut tries = Vec::new();
        let mut now = 200;
        while tries.len() < 5 {
            now += 50;
            out.clear();
            s.due(t(now), &mut out);
            if out.iter().any(|d| matches!(d, Due::Retry { .. })) {
                tries.push(now);
                s.retry_failed(c, PortId::MAIN, t(now), b);
            }
        }
        assert_eq!(tries, vec![1200, 3200, 7200, 11200, 15200]);
        s.port_back(c, PortId::MAIN);
        assert!(!s.retrying(c, PortId::MAIN));
        // Only the tick is left to wait for.
        let d = s.next_deadline().unwrap();
        out.clear();
        s.due(d, &mut out);
        assert!(matches!(out[..], [Due::Tick { .. }]));
    }
}
