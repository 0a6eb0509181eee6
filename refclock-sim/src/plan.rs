//! What the simulated device writes in each wall-clock second: the pure
//! part of the simulator, which knows no format.
//!
//! A [`Planner`] is the run's timeline ([`Timeline`]): it maps each wall
//! second to the [`Epoch`] the device states (`named = wall + shift`, the
//! shift constant except across a leap second; the validity the `invalid`
//! scenario takes away; the leap warning before a leap second). For a
//! second it asks the model for its messages and applies the scenarios
//! that spoil or suppress output ([`Planner::plan`]); answers to the
//! driver get the same treatment ([`Planner::answers`]). It reads no
//! clock and does no I/O, so a test can check every scenario's effect
//! second by second.
//!
//! Random choices come from [`Rng::stream`] with one of the tags below,
//! so they depend on the seed and the second (or answer) only.

use refclock_core::calendar::{CivilTime, SECS_PER_WEEK};
use refclock_core::rng::Rng;
use refclock_core::sim::{gps_utc_offset, DeviceModel, Epoch, LeapWarning, Message, Timeline};
use refclock_core::Timestamp;

use crate::scenario::Scenario;

/// Random stream tag: the extra delay of a second (`jitter`).
pub const TAG_JITTER: u64 = 1;
/// Random stream tag: whether a second is dropped (`drop:p=`).
pub const TAG_DROP: u64 = 2;
/// Random stream tag: the garbage after a second's messages.
pub const TAG_GARBAGE: u64 = 3;
/// Random stream tag: which of a second's messages are spoilt (`badsum:p=`).
pub const TAG_BADSUM: u64 = 4;
/// Random stream tag: the garbage after an answer (indexed by answer).
pub const TAG_ANSWER_GARBAGE: u64 = 5;
/// Random stream tag: which answers are spoilt (indexed by answer).
pub const TAG_ANSWER_BADSUM: u64 = 6;

/// Whether and why a second's messages are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// Written.
    Write,
    /// Not written: the `drop` scenario.
    Dropped,
    /// Not written: the `silence` scenario.
    Silent,
    /// Not written: the device is gone (`vanish`).
    Vanished,
}

/// One message as planned: the model's message, spoilt (`corrupt` set)
/// when `badsum` hit it, and the garbage to write after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedMessage {
    /// The message.
    pub message: Message,
    /// Random bytes written right after it.
    pub garbage_after: Vec<u8>,
}

/// Everything about one wall second.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecondPlan {
    /// Seconds since the start of the run (`wall − start`).
    pub index: u64,
    /// The wall-clock (system clock) whole second, Unix seconds.
    pub wall: i64,
    /// What the device states in it.
    pub epoch: Epoch,
    /// `epoch.named − wall` in seconds: the timecode mapping of this
    /// second.
    pub shift: i64,
    /// Nanoseconds after the whole second at which the on-time byte of
    /// the first message is due (and by which timed answers are late).
    pub delay_ns: u64,
    /// Whether the messages are written.
    pub disposition: Disposition,
    /// The messages, in order; the first is the on-time message.
    pub messages: Vec<PlannedMessage>,
}

#[derive(Clone, Copy, Debug)]
enum Mapping {
    /// `timecode = wall + shift`, GPS − UTC from the table at the
    /// timecode (or at the wall time when `offset_at_wall`).
    Fixed { shift: i64, offset_at_wall: bool },
    /// A continuous count from `start` with a leap second at `midnight`.
    Leap {
        start: i64,
        midnight: i64,
        delete: bool,
        old_offset: i32,
    },
}

/// Plans the seconds of one run (see the module documentation).
#[derive(Clone, Debug)]
pub struct Planner {
    scenarios: Vec<Scenario>,
    seed: u64,
    start_wall: i64,
    base_delay_ns: u64,
    mapping: Mapping,
}

impl Planner {
    /// A planner for a run whose first second is `start_wall` (Unix
    /// seconds); `base_delay_ns` is the on-time delay before scenarios add
    /// theirs.
    pub fn new(
        scenarios: Vec<Scenario>,
        seed: u64,
        start_wall: i64,
        base_delay_ns: u64,
    ) -> Planner {
        let mut mapping = Mapping::Fixed {
            shift: 0,
            offset_at_wall: false,
        };
        for s in &scenarios {
            match *s {
                Scenario::Leap { at, before, delete } => {
                    let midnight = at.end_unix();
                    mapping = Mapping::Leap {
                        start: midnight - i64::from(before),
                        midnight,
                        delete,
                        old_offset: gps_utc_offset(midnight - 1),
                    };
                }
                Scenario::Rollover { weeks } => {
                    mapping = Mapping::Fixed {
                        shift: -i64::from(weeks) * SECS_PER_WEEK,
                        offset_at_wall: true,
                    };
                }
                Scenario::Year { year, before } => {
                    let jan1 = refclock_core::calendar::days_from_civil(year, 1, 1)
                        * refclock_core::calendar::SECS_PER_DAY;
                    mapping = Mapping::Fixed {
                        shift: jan1 - i64::from(before) - start_wall,
                        offset_at_wall: false,
                    };
                }
                _ => {}
            }
        }
        Planner {
            scenarios,
            seed,
            start_wall,
            base_delay_ns,
            mapping,
        }
    }

    /// The first wall second of the run.
    pub fn start_wall(&self) -> i64 {
        self.start_wall
    }

    /// Seconds since the start of the run (0 before it).
    pub fn index(&self, wall: i64) -> u64 {
        (wall - self.start_wall).max(0) as u64
    }

    /// The timecode of wall second `wall`: the civil time the device
    /// states, GPS − UTC and the leap warning.
    fn timecode(&self, wall: i64) -> (CivilTime, i32, LeapWarning) {
        let civil = |s: i64| CivilTime::from_timestamp(Timestamp::from_secs(s));
        match self.mapping {
            Mapping::Fixed {
                shift,
                offset_at_wall,
            } => {
                let t = wall + shift;
                let off = gps_utc_offset(if offset_at_wall { wall } else { t });
                (civil(t), off, LeapWarning::None)
            }
            Mapping::Leap {
                start,
                midnight,
                delete,
                old_offset,
            } => {
                let t = start + (wall - self.start_wall);
                if delete {
                    if t < midnight - 1 {
                        (civil(t), old_offset, LeapWarning::Delete)
                    } else {
                        (civil(t + 1), old_offset - 1, LeapWarning::None)
                    }
                } else if t < midnight {
                    (civil(t), old_offset, LeapWarning::Insert)
                } else if t == midnight {
                    let mut c = civil(midnight - 1);
                    c.second = 60;
                    (c, old_offset, LeapWarning::Insert)
                } else {
                    (civil(t - 1), old_offset + 1, LeapWarning::None)
                }
            }
        }
    }

    /// Whether the receiver says its time is good in second `index`.
    fn valid(&self, index: u64) -> bool {
        !self.scenarios.iter().any(|s| {
            matches!(*s, Scenario::Invalid { after, every, duration }
                if index >= u64::from(after)
                    && (index - u64::from(after)) % u64::from(every) < u64::from(duration))
        })
    }

    /// The epoch of wall second `wall` (also [`Timeline::epoch`]).
    pub fn epoch_of(&self, wall: i64) -> Epoch {
        let (time, gps_utc, leap) = self.timecode(wall);
        Epoch {
            named: time.to_timestamp().unwrap_or(Timestamp::EPOCH),
            time,
            valid: self.valid(self.index(wall)),
            gps_utc,
            leap,
        }
    }

    /// The mapping of wall second `wall`: the second it names − `wall`.
    pub fn shift(&self, wall: i64) -> i64 {
        self.epoch_of(wall).named.secs() - wall
    }

    /// Nanoseconds the on-time byte of wall second `wall` is late: the
    /// base delay, `delay` and `jitter`.
    pub fn delay_ns(&self, wall: i64) -> u64 {
        let index = self.index(wall);
        let mut delay_ns = self.base_delay_ns;
        for s in &self.scenarios {
            match *s {
                Scenario::Delay { ms } => delay_ns += u64::from(ms) * 1_000_000,
                Scenario::Jitter { max_ms } => {
                    let mut rng = Rng::stream(self.seed, index, TAG_JITTER);
                    delay_ns += rng.up_to(u64::from(max_ms) * 1_000_000);
                }
                _ => {}
            }
        }
        delay_ns
    }

    /// Whether what is due in wall second `wall` is written: `vanish`
    /// beats `silence` beats `drop`.
    pub fn disposition(&self, wall: i64) -> Disposition {
        let index = self.index(wall);
        let within = |after: u32, duration: u32| {
            index >= u64::from(after) && index < u64::from(after) + u64::from(duration)
        };
        let mut d = Disposition::Write;
        for s in &self.scenarios {
            match *s {
                Scenario::Vanish { after, duration } if within(after, duration) => {
                    return Disposition::Vanished;
                }
                Scenario::Silence { after, duration } if within(after, duration) => {
                    d = Disposition::Silent;
                }
                Scenario::Drop(p) if d == Disposition::Write => {
                    let mut rng = Rng::stream(self.seed, index, TAG_DROP);
                    if p.hits(index, |pct| rng.percent(pct)) {
                        d = Disposition::Dropped;
                    }
                }
                _ => {}
            }
        }
        d
    }

    /// The plan of wall second `wall` (≥ the start second): asks `model`
    /// for the second's messages and applies the scenarios. `badsum`
    /// counts messages over the run as `index × n + j` for the `j`-th of
    /// `n` messages, which is exact while a device writes as many
    /// messages every second.
    pub fn plan(&self, wall: i64, model: &mut dyn DeviceModel) -> SecondPlan {
        let index = self.index(wall);
        let epoch = self.epoch_of(wall);
        let mut out = Vec::new();
        model.second(&epoch, &mut out);
        let n = out.len() as u64;
        let mut bad_rng = Rng::stream(self.seed, index, TAG_BADSUM);
        let mut garbage_rng = Rng::stream(self.seed, index, TAG_GARBAGE);
        let messages = out
            .into_iter()
            .enumerate()
            .map(|(j, m)| {
                self.spoil(
                    index,
                    index * n + j as u64,
                    model,
                    m,
                    &mut bad_rng,
                    &mut garbage_rng,
                )
            })
            .collect();
        SecondPlan {
            index,
            wall,
            epoch,
            shift: epoch.named.secs() - wall,
            delay_ns: self.delay_ns(wall),
            disposition: self.disposition(wall),
            messages,
        }
    }

    /// The scenarios applied to answers the model gave, due in wall
    /// second `wall`; `first` is the number of answers planned before
    /// these in the run (what `badsum:every=` counts, and what the random
    /// streams of answers are drawn by).
    pub fn answers(
        &self,
        wall: i64,
        first: u64,
        model: &dyn DeviceModel,
        answers: Vec<Message>,
    ) -> Vec<PlannedMessage> {
        let index = self.index(wall);
        answers
            .into_iter()
            .enumerate()
            .map(|(j, m)| {
                let k = first + j as u64;
                let mut bad_rng = Rng::stream(self.seed, k, TAG_ANSWER_BADSUM);
                let mut garbage_rng = Rng::stream(self.seed, k, TAG_ANSWER_GARBAGE);
                self.spoil(index, k, model, m, &mut bad_rng, &mut garbage_rng)
            })
            .collect()
    }

    /// `badsum` and `garbage` on one message: message number `count` of
    /// its kind (seconds' or answers'), in second `index`.
    fn spoil(
        &self,
        index: u64,
        count: u64,
        model: &dyn DeviceModel,
        mut message: Message,
        bad_rng: &mut Rng,
        garbage_rng: &mut Rng,
    ) -> PlannedMessage {
        let mut garbage_after = Vec::new();
        for s in &self.scenarios {
            match *s {
                Scenario::BadSum(p) if p.hits(count, |pct| bad_rng.percent(pct)) => {
                    message.corrupt |= model.corrupt(&mut message);
                }
                Scenario::Garbage { max_bytes, every }
                    if index.is_multiple_of(u64::from(every)) =>
                {
                    let len = 1 + garbage_rng.up_to(u64::from(max_bytes) - 1) as usize;
                    // A model that allows no byte gets none.
                    let mut tries = 0;
                    while garbage_after.len() < len && tries < 64 * len {
                        let b = garbage_rng.next_u64() as u8;
                        if model.garbage_allowed(b) {
                            garbage_after.push(b);
                        }
                        tries += 1;
                    }
                }
                _ => {}
            }
        }
        PlannedMessage {
            message,
            garbage_after,
        }
    }
}

impl Timeline for Planner {
    fn epoch(&self, wall: i64) -> Epoch {
        self.epoch_of(wall)
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
