//! Replay helpers: feeding bytes to a clock, in reads of chosen sizes and
//! receive times, and sorting what it asks for into an [`Outcome`].
//!
//! Every helper takes `&mut dyn Refclock`, so a `Clock<D>` (`&mut clock`)
//! and a `Box<dyn Refclock>` (`clock.as_mut()`) both do.

use std::fmt::Debug;

use refclock_core::filter::FilterOutput;
use refclock_core::rng::Rng;
use refclock_core::{
    Action, Clock, ClockEvent, Driver, DriverConfig, PortId, Refclock, Sample, Timestamp,
};

/// The actions of a replay, sorted by kind, each list in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// [`Action::Sample`]s.
    pub samples: Vec<Sample>,
    /// [`Action::Filtered`] results.
    pub filtered: Vec<FilterOutput>,
    /// [`Action::Event`]s.
    pub events: Vec<ClockEvent>,
    /// [`Action::ClockStats`] lines.
    pub clockstats: Vec<String>,
    /// [`Action::Log`] lines.
    pub logs: Vec<String>,
    /// [`Action::Write`]s, with their port.
    pub writes: Vec<(PortId, Vec<u8>)>,
    /// Everything else (opening and closing ports, modem lines, reads,
    /// reconfiguration), as queued.
    pub port_actions: Vec<Action>,
}

impl Outcome {
    /// Sorts `actions` into an outcome.
    pub fn of(actions: impl IntoIterator<Item = Action>) -> Outcome {
        let mut o = Outcome::default();
        for a in actions {
            o.add(a);
        }
        o
    }

    /// Adds one action.
    pub fn add(&mut self, action: Action) {
        match action {
            Action::Sample(s) => self.samples.push(s),
            Action::Filtered(f) => self.filtered.push(f),
            Action::Event(e) => self.events.push(e),
            Action::ClockStats(l) => self.clockstats.push(l),
            Action::Log(l) => self.logs.push(l),
            Action::Write { port, data } => self.writes.push((port, data)),
            other => self.port_actions.push(other),
        }
    }

    /// Appends another outcome's actions, kind by kind.
    pub fn append(&mut self, other: Outcome) {
        self.samples.extend(other.samples);
        self.filtered.extend(other.filtered);
        self.events.extend(other.events);
        self.clockstats.extend(other.clockstats);
        self.logs.extend(other.logs);
        self.writes.extend(other.writes);
        self.port_actions.extend(other.port_actions);
    }
}

/// Every action the clock has queued, in order.
pub fn drain(clock: &mut dyn Refclock) -> Vec<Action> {
    std::iter::from_fn(|| clock.next_action()).collect()
}

/// One read: `data` from `port` received at `rectime`; what it caused.
pub fn feed(clock: &mut dyn Refclock, port: PortId, data: &[u8], rectime: Timestamp) -> Outcome {
    clock.receive(port, data, rectime);
    Outcome::of(drain(clock))
}

/// Reads in turn, each with its own receive time; what they caused.
pub fn feed_reads<'a>(
    clock: &mut dyn Refclock,
    port: PortId,
    reads: impl IntoIterator<Item = (&'a [u8], Timestamp)>,
) -> Outcome {
    let mut out = Outcome::default();
    for (data, rectime) in reads {
        out.append(feed(clock, port, data, rectime));
    }
    out
}

/// Cuts byte streams into reads of random sizes, reproducibly from a seed.
#[derive(Clone, Debug)]
pub struct Chunker {
    rng: Rng,
    max: usize,
}

impl Chunker {
    /// Reads of 1 to `max` bytes (at least 1), sizes drawn from `seed`.
    pub fn new(seed: u64, max: usize) -> Chunker {
        Chunker {
            rng: Rng::new(seed),
            max: max.max(1),
        }
    }

    /// `data` cut into consecutive reads (none for empty data).
    pub fn split<'a>(&mut self, data: &'a [u8]) -> Vec<&'a [u8]> {
        let mut out = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            let n = (self.rng.up_to(self.max as u64 - 1) as usize + 1).min(rest.len());
            let (chunk, tail) = rest.split_at(n);
            out.push(chunk);
            rest = tail;
        }
        out
    }
}

/// `data` in the reads `chunker` cuts, all received at `rectime`.
pub fn feed_chunked(
    clock: &mut dyn Refclock,
    port: PortId,
    data: &[u8],
    rectime: Timestamp,
    chunker: &mut Chunker,
) -> Outcome {
    let reads = chunker.split(data);
    feed_reads(clock, port, reads.into_iter().map(|r| (r, rectime)))
}

/// Feeds `data` to a fresh `Clock<D>` on [`PortId::MAIN`] at `rectime` in
/// one read, and again to fresh clocks in the random reads of each seed
/// (1 to 300 bytes), and compares: the same actions (samples, events,
/// clockstats and log lines, writes...), the same counters, status and
/// last timecode, and the same `state(clock)` (a driver's own counters).
///
/// Returns the one-read clock and its outcome for further checks, or a
/// description of the first difference (the seed, what differs).
pub fn check_chunking<D: Driver, K: PartialEq + Debug>(
    config: &DriverConfig,
    data: &[u8],
    rectime: Timestamp,
    seeds: impl IntoIterator<Item = u64>,
    state: impl Fn(&Clock<D>) -> K,
) -> Result<(Clock<D>, Outcome), String> {
    let start = || Clock::<D>::start(config.clone()).map_err(|e| format!("start: {e}"));
    let mut whole = start()?;
    let _ = drain(&mut whole);
    let want = feed(&mut whole, PortId::MAIN, data, rectime);
    for seed in seeds {
        let mut clock = start()?;
        let _ = drain(&mut clock);
        let mut chunker = Chunker::new(seed, 300);
        let got = feed_chunked(&mut clock, PortId::MAIN, data, rectime, &mut chunker);
        let differs = |what: &str, a: &dyn Debug, b: &dyn Debug| {
            Err(format!(
                "seed {seed}: {what} differ: in chunks {a:?}, in one read {b:?}"
            ))
        };
        if got != want {
            return differs("actions", &got, &want);
        }
        let (g, w) = (clock.state(), whole.state());
        if g.counters != w.counters {
            return differs("counters", &g.counters, &w.counters);
        }
        if g.status != w.status {
            return differs("status", &g.status, &w.status);
        }
        if g.timecode() != w.timecode() {
            return differs("timecodes", &g.timecode(), &w.timecode());
        }
        let (gs, ws) = (state(&clock), state(&whole));
        if gs != ws {
            return differs("driver states", &gs, &ws);
        }
    }
    Ok((whole, want))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::tests::Toy;

    #[test]
    fn chunks_cover_the_data_in_order() {
        let data: Vec<u8> = (0..=255).collect();
        let mut c = Chunker::new(7, 10);
        let parts = c.split(&data);
        assert!(parts.iter().all(|p| (1..=10).contains(&p.len())));
        assert_eq!(parts.concat(), data);
        assert!(parts.len() >= 26);
        // Reproducible from the seed.
        assert_eq!(Chunker::new(7, 10).split(&data), parts);
        assert_ne!(Chunker::new(8, 10).split(&data), parts);
        assert!(c.split(&[]).is_empty());
    }

    #[test]
    fn outcomes_sort_actions_by_kind() {
        let mut clock = Clock::<Toy>::start(DriverConfig::default()).unwrap();
        let o = feed(
            &mut clock,
            PortId::MAIN,
            b"5\n7\n",
            Timestamp::from_secs(100),
        );
        assert_eq!(o.samples.len(), 2);
        assert_eq!(o.samples[1].offset, 7.0);
        assert_eq!(o.writes, vec![(PortId::MAIN, b"ok".to_vec()); 2]);
        let mut boxed: Box<dyn Refclock> = Box::new(clock);
        let o2 = feed_reads(
            boxed.as_mut(),
            PortId::MAIN,
            [
                (&b"1"[..], Timestamp::from_secs(1)),
                (b"\n", Timestamp::from_secs(2)),
            ],
        );
        assert_eq!(o2.samples[0].time, Timestamp::from_secs(2));
        let mut all = o.clone();
        all.append(o2);
        assert_eq!(all.samples.len(), 3);
    }

    #[test]
    fn chunking_is_checked() {
        let t = Timestamp::from_secs(50);
        let data = b"1\n22\n333\n".repeat(100);
        let config = DriverConfig::default();
        let (clock, out) =
            check_chunking::<Toy, _>(&config, &data, t, 1..4, |c| c.driver().lines).unwrap();
        assert_eq!(out.samples.len(), 300);
        assert_eq!(clock.driver().lines, 300);
        // Reads are counted: that differs as soon as the data is cut.
        let err =
            check_chunking::<Toy, _>(&config, &data, t, 1..4, |c| c.driver().reads).unwrap_err();
        assert!(err.contains("driver states"), "{err}");
    }
}
