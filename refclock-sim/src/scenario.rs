//! Scenarios: what goes wrong (or right) in a simulation run, selected by
//! name with parameters, e.g. `delay:250`, `drop:5`, `drop:p=20`,
//! `vanish:after=5,for=3`, `leap:at=2016-12-31,before=10`.
//!
//! Syntax: `NAME[:PARAMS]`, PARAMS a comma-separated list of `key=value`;
//! a bare value sets the scenario's first key, a bare key name of a flag
//! (`delete`) sets it. Several scenarios combine (delays add up; at most
//! one of `leap`, `rollover`, `year` may shift the timecode).
//!
//! | scenario | parameters (defaults) | effect |
//! |---|---|---|
//! | `clean` | — | every second, on time, valid |
//! | `delay` | `ms` (250) | the on-time message starts `ms` later after the whole second (added to the base delay); timed answers are as late |
//! | `jitter` | `max` (20) | a further random delay, uniform in 0..=`max` ms, drawn per second from the seed |
//! | `drop` | `every` (5) or `p` (percent) | nothing is written in every `every`-th second (seconds 4, 9, 14… for 5), or in a random `p` % of the seconds; answers due in those seconds are not written either |
//! | `garbage` | `bytes` (16), `every` (1) | after each message of every `every`-th second, 1..=`bytes` random bytes that can neither start nor end a message ([`DeviceModel::garbage_allowed`](refclock_core::sim::DeviceModel::garbage_allowed): for NMEA printable or ≥ 0x80, never `$`, CR, LF or other control characters) |
//! | `badsum` | `every` (4) or `p` (percent) | every `every`-th message (counted over the run; answers counted apart), or a random `p` %, is spoilt by the model ([`DeviceModel::corrupt`](refclock_core::sim::DeviceModel::corrupt): a wrong checksum) |
//! | `invalid` | `for` (3), `every` (10), `after` (3) | the receiver says its time is bad (status V / no fix for NMEA) in `for` seconds out of every `every`, starting at second `after` |
//! | `leap` | `at` (2016-12-31), `before` (10), flag `delete` | the timecode starts `before` seconds before the midnight ending day `at` and inserts 23:59:60 (or, with `delete`, skips 23:59:59), with the leap warning set until then for formats that carry one (NMEA has none; PGRMF's leap-second count steps) |
//! | `rollover` | `weeks` (1024) | the receiver's GPS week roll-over bug: dates `weeks` weeks in the past, same time of day |
//! | `year` | `year` (2100), `before` (5) | the timecode starts `before` seconds before 1 January of `year` (e.g. `year:2000` for the 2-digit-year wrap) |
//! | `vanish` | `after` (5), `for` (3) | the device disappears after `after` seconds (pty closed, link removed, the model [reset](refclock_core::sim::DeviceModel::reset)) and comes back `for` seconds later as a new pty at the same link path |
//! | `silence` | `after` (5), `for` (3) | the receiver writes nothing, answers included, for `for` seconds from second `after` on; the device stays |

use std::fmt;
use std::str::FromStr;

use refclock_core::calendar::{days_from_civil, CivilTime, SECS_PER_DAY};
use thiserror::Error;

/// What was wrong with a scenario specification.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScenarioError {
    /// The name is not one of [`Scenario::NAMES`].
    #[error("unknown scenario {0:?} (expected one of: {names})", names = Scenario::NAMES.join(", "))]
    UnknownScenario(String),
    /// A parameter the scenario does not take.
    #[error("scenario {scenario}: unknown parameter {key:?} (expected: {expected})")]
    UnknownParam {
        /// The scenario.
        scenario: &'static str,
        /// The parameter found.
        key: String,
        /// The parameters it takes.
        expected: &'static str,
    },
    /// A parameter value that does not parse or is out of range.
    #[error("scenario {scenario}: {key}={value:?}: expected {expected}")]
    BadValue {
        /// The scenario.
        scenario: &'static str,
        /// The parameter.
        key: &'static str,
        /// The value found.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The same parameter twice, or two that exclude each other.
    #[error("scenario {scenario}: conflicting parameters: {what}")]
    Conflict {
        /// The scenario.
        scenario: &'static str,
        /// Which ones.
        what: String,
    },
    /// Two scenarios that both shift the timecode.
    #[error("scenarios {first} and {second} both shift the timecode; use one")]
    TwoShifts {
        /// The first one.
        first: &'static str,
        /// The second one.
        second: &'static str,
    },
}

/// When something happens: in every N-th item or at random.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Items `N−1, 2N−1, …` (the N-th, 2N-th, … counting from 1).
    Every(u32),
    /// Each item independently with this probability in percent (0..=100).
    Percent(u8),
}

impl Pattern {
    /// Whether item `index` (from 0) is hit; `draw` gives the random
    /// number for [`Pattern::Percent`] (it is only called then).
    pub fn hits(&self, index: u64, draw: impl FnOnce(u8) -> bool) -> bool {
        match *self {
            Pattern::Every(n) => n > 0 && index % u64::from(n) == u64::from(n) - 1,
            Pattern::Percent(p) => draw(p),
        }
    }
}

/// A date (the day whose end a leap second follows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date {
    /// Year.
    pub year: i32,
    /// Month 1..=12.
    pub month: u8,
    /// Day 1..=31.
    pub day: u8,
}

impl Date {
    /// Unix seconds of the midnight that ends this day.
    pub fn end_unix(&self) -> i64 {
        (days_from_civil(self.year, self.month, self.day) + 1) * SECS_PER_DAY
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let mut it = s.splitn(3, '-');
        let year = it.next().ok_or(())?.parse().map_err(|_| ())?;
        let month = it.next().ok_or(())?.parse().map_err(|_| ())?;
        let day = it.next().ok_or(())?.parse().map_err(|_| ())?;
        CivilTime {
            year,
            month,
            day,
            ..Default::default()
        }
        .validate()
        .map_err(|_| ())?;
        Ok(Date { year, month, day })
    }
}

/// One scenario with its parameters (see the module documentation for
/// what each does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// Every second on time and valid.
    Clean,
    /// A fixed extra delay of the on-time message, milliseconds.
    Delay {
        /// Delay after the whole second, ms.
        ms: u32,
    },
    /// A random extra delay per second, uniform in `0..=max_ms`.
    Jitter {
        /// Largest extra delay, ms.
        max_ms: u32,
    },
    /// Seconds in which nothing is written.
    Drop(Pattern),
    /// Random bytes after the messages.
    Garbage {
        /// At most this many bytes after each message (at least 1).
        max_bytes: u16,
        /// In every `every`-th second (1 = all).
        every: u32,
    },
    /// Messages with a wrong checksum.
    BadSum(Pattern),
    /// Periods in which the receiver says its time is bad.
    Invalid {
        /// First second (from 0) of the first period.
        after: u32,
        /// Period length, seconds.
        every: u32,
        /// Bad seconds in each period.
        duration: u32,
    },
    /// A leap second at the end of a day.
    Leap {
        /// The day whose end gets the leap second.
        at: Date,
        /// The timecode starts this many seconds before that midnight.
        before: u32,
        /// A negative leap second (23:59:59 skipped) instead of 23:59:60.
        delete: bool,
    },
    /// GPS week roll-over: dates `weeks` weeks in the past.
    Rollover {
        /// Weeks back.
        weeks: u32,
    },
    /// The timecode just before a New Year.
    Year {
        /// The year that begins.
        year: i32,
        /// The timecode starts this many seconds before it.
        before: u32,
    },
    /// The device disappears for a while.
    Vanish {
        /// Seconds after the start.
        after: u32,
        /// For how many seconds.
        duration: u32,
    },
    /// The receiver stops writing for a while.
    Silence {
        /// Seconds after the start.
        after: u32,
        /// For how many seconds.
        duration: u32,
    },
}

struct Params<'a> {
    scenario: &'static str,
    keys: &'static [&'static str],
    flags: &'static [&'static str],
    values: Vec<(&'static str, &'a str)>,
}

impl<'a> Params<'a> {
    fn parse(
        scenario: &'static str,
        keys: &'static [&'static str],
        flags: &'static [&'static str],
        text: &'a str,
    ) -> Result<Params<'a>, ScenarioError> {
        let expected = match scenario {
            "delay" => "ms",
            "jitter" => "max",
            "drop" | "badsum" => "every, p",
            "garbage" => "bytes, every",
            "invalid" => "for, every, after",
            "leap" => "at, before, delete",
            "rollover" => "weeks",
            "year" => "year, before",
            "vanish" | "silence" => "after, for",
            _ => "none",
        };
        let mut values: Vec<(&'static str, &'a str)> = Vec::new();
        for item in text.split(',').filter(|s| !s.is_empty()) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k, v),
                None if flags.contains(&item) => (item, "1"),
                None => match keys.first() {
                    Some(first) => (*first, item),
                    None => ("", item),
                },
            };
            let Some(&key) = keys.iter().chain(flags).find(|k| **k == key) else {
                return Err(ScenarioError::UnknownParam {
                    scenario,
                    key: key.to_string(),
                    expected,
                });
            };
            if values.iter().any(|(k, _)| *k == key) {
                return Err(ScenarioError::Conflict {
                    scenario,
                    what: format!("{key} given twice"),
                });
            }
            values.push((key, value));
        }
        Ok(Params {
            scenario,
            keys,
            flags,
            values,
        })
    }

    fn raw(&self, key: &'static str) -> Option<&'a str> {
        debug_assert!(self.keys.contains(&key) || self.flags.contains(&key));
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    fn num<T: FromStr + PartialOrd + Copy>(
        &self,
        key: &'static str,
        default: T,
        min: T,
        max: T,
        expected: &'static str,
    ) -> Result<T, ScenarioError> {
        match self.raw(key) {
            None => Ok(default),
            Some(v) => match v.parse::<T>() {
                Ok(n) if n >= min && n <= max => Ok(n),
                _ => Err(ScenarioError::BadValue {
                    scenario: self.scenario,
                    key,
                    value: v.to_string(),
                    expected,
                }),
            },
        }
    }

    fn flag(&self, key: &'static str) -> Result<bool, ScenarioError> {
        match self.raw(key) {
            None | Some("0") => Ok(false),
            Some("1") => Ok(true),
            Some(v) => Err(ScenarioError::BadValue {
                scenario: self.scenario,
                key,
                value: v.to_string(),
                expected: "0 or 1",
            }),
        }
    }

    fn pattern(&self, default_every: u32) -> Result<Pattern, ScenarioError> {
        match (self.raw("every"), self.raw("p")) {
            (Some(_), Some(_)) => Err(ScenarioError::Conflict {
                scenario: self.scenario,
                what: "every and p".into(),
            }),
            (_, Some(_)) => Ok(Pattern::Percent(self.num(
                "p",
                0,
                0,
                100,
                "a percentage 0..=100",
            )?)),
            _ => Ok(Pattern::Every(self.num(
                "every",
                default_every,
                1,
                u32::MAX,
                "a count ≥ 1",
            )?)),
        }
    }
}

impl Scenario {
    /// Every scenario name.
    pub const NAMES: [&'static str; 12] = [
        "clean", "delay", "jitter", "drop", "garbage", "badsum", "invalid", "leap", "rollover",
        "year", "vanish", "silence",
    ];

    /// The scenario's name.
    pub fn name(&self) -> &'static str {
        match self {
            Scenario::Clean => "clean",
            Scenario::Delay { .. } => "delay",
            Scenario::Jitter { .. } => "jitter",
            Scenario::Drop(_) => "drop",
            Scenario::Garbage { .. } => "garbage",
            Scenario::BadSum(_) => "badsum",
            Scenario::Invalid { .. } => "invalid",
            Scenario::Leap { .. } => "leap",
            Scenario::Rollover { .. } => "rollover",
            Scenario::Year { .. } => "year",
            Scenario::Vanish { .. } => "vanish",
            Scenario::Silence { .. } => "silence",
        }
    }

    /// Whether the scenario maps wall seconds to other timecode dates.
    pub fn shifts_timecode(&self) -> bool {
        matches!(
            self,
            Scenario::Leap { .. } | Scenario::Rollover { .. } | Scenario::Year { .. }
        )
    }

    /// Checks that a list of scenarios can run together (at most one that
    /// shifts the timecode).
    pub fn check_combination(list: &[Scenario]) -> Result<(), ScenarioError> {
        let mut shifts = list.iter().filter(|s| s.shifts_timecode());
        if let (Some(a), Some(b)) = (shifts.next(), shifts.next()) {
            return Err(ScenarioError::TwoShifts {
                first: a.name(),
                second: b.name(),
            });
        }
        Ok(())
    }

    /// A one-screen description of every scenario, for `--help`.
    pub fn help() -> &'static str {
        "  clean                          every second on time and valid (default)
  delay[:ms=250]                 on-time message MS ms after the whole second
  jitter[:max=20]                random extra delay 0..=MAX ms per second (seeded)
  drop[:every=5 | :p=PCT]        write nothing in every N-th second / PCT % of them
  garbage[:bytes=16,every=1]     random bytes after each message
  badsum[:every=4 | :p=PCT]      every N-th message / PCT % with a wrong checksum
  invalid[:for=3,every=10,after=3]  time bad (NMEA: status V) for FOR s out of
                                 every EVERY s
  leap[:at=2016-12-31,before=10,delete]  timecode from BEFORE s ahead of the
                                 midnight ending AT, with 23:59:60 (or 23:59:59
                                 skipped with delete)
  rollover[:weeks=1024]          GPS week roll-over: dates WEEKS weeks back
  year[:year=2100,before=5]      timecode from BEFORE s ahead of 1 January YEAR
  vanish[:after=5,for=3]         device gone after AFTER s for FOR s (new pty,
                                 same link)
  silence[:after=5,for=3]        nothing written (no answers either) after
                                 AFTER s for FOR s
"
    }
}

impl FromStr for Scenario {
    type Err = ScenarioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, params) = s.split_once(':').unwrap_or((s, ""));
        let name = name.trim().to_ascii_lowercase();
        let p = |scenario, keys, flags| Params::parse(scenario, keys, flags, params);
        Ok(match name.as_str() {
            "clean" => {
                p("clean", &[], &[])?;
                Scenario::Clean
            }
            "delay" => {
                let p = p("delay", &["ms"], &[])?;
                Scenario::Delay {
                    ms: p.num("ms", 250, 0, 10_000, "milliseconds 0..=10000")?,
                }
            }
            "jitter" => {
                let p = p("jitter", &["max"], &[])?;
                Scenario::Jitter {
                    max_ms: p.num("max", 20, 0, 900, "milliseconds 0..=900")?,
                }
            }
            "drop" => Scenario::Drop(p("drop", &["every", "p"], &[])?.pattern(5)?),
            "badsum" => Scenario::BadSum(p("badsum", &["every", "p"], &[])?.pattern(4)?),
            "garbage" => {
                let p = p("garbage", &["bytes", "every"], &[])?;
                Scenario::Garbage {
                    max_bytes: p.num("bytes", 16, 1, 1000, "a byte count 1..=1000")?,
                    every: p.num("every", 1, 1, u32::MAX, "a count ≥ 1")?,
                }
            }
            "invalid" => {
                let p = p("invalid", &["for", "every", "after"], &[])?;
                let every = p.num("every", 10, 1, u32::MAX, "seconds ≥ 1")?;
                let duration = p.num("for", 3, 1, u32::MAX, "seconds ≥ 1")?;
                if duration > every {
                    return Err(ScenarioError::Conflict {
                        scenario: "invalid",
                        what: format!("for={duration} is longer than every={every}"),
                    });
                }
                Scenario::Invalid {
                    after: p.num("after", 3, 0, u32::MAX, "seconds")?,
                    every,
                    duration,
                }
            }
            "leap" => {
                let p = p("leap", &["at", "before"], &["delete"])?;
                let at = match p.raw("at") {
                    None => Date {
                        year: 2016,
                        month: 12,
                        day: 31,
                    },
                    Some(v) => v.parse().map_err(|()| ScenarioError::BadValue {
                        scenario: "leap",
                        key: "at",
                        value: v.to_string(),
                        expected: "a date YYYY-MM-DD",
                    })?,
                };
                Scenario::Leap {
                    at,
                    before: p.num("before", 10, 1, 86_000, "seconds 1..=86000")?,
                    delete: p.flag("delete")?,
                }
            }
            "rollover" => {
                let p = p("rollover", &["weeks"], &[])?;
                Scenario::Rollover {
                    weeks: p.num("weeks", 1024, 1, 4096, "weeks 1..=4096")?,
                }
            }
            "year" => {
                let p = p("year", &["year", "before"], &[])?;
                Scenario::Year {
                    year: p.num("year", 2100, 1981, 9999, "a year 1981..=9999")?,
                    before: p.num("before", 5, 1, 86_000, "seconds 1..=86000")?,
                }
            }
            "vanish" | "silence" => {
                let scen = if name == "vanish" {
                    "vanish"
                } else {
                    "silence"
                };
                let p = p(scen, &["after", "for"], &[])?;
                let after = p.num("after", 5, 0, u32::MAX, "seconds")?;
                let duration = p.num("for", 3, 1, u32::MAX, "seconds ≥ 1")?;
                if scen == "vanish" {
                    Scenario::Vanish { after, duration }
                } else {
                    Scenario::Silence { after, duration }
                }
            }
            _ => return Err(ScenarioError::UnknownScenario(name)),
        })
    }
}

impl fmt::Display for Scenario {
    /// The canonical text form, which [`Scenario::from_str`] parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pattern = |f: &mut fmt::Formatter<'_>, p: &Pattern| match p {
            Pattern::Every(n) => write!(f, "every={n}"),
            Pattern::Percent(p) => write!(f, "p={p}"),
        };
        write!(f, "{}", self.name())?;
        match self {
            Scenario::Clean => Ok(()),
            Scenario::Delay { ms } => write!(f, ":ms={ms}"),
            Scenario::Jitter { max_ms } => write!(f, ":max={max_ms}"),
            Scenario::Drop(p) | Scenario::BadSum(p) => {
                f.write_str(":")?;
                pattern(f, p)
            }
            Scenario::Garbage { max_bytes, every } => {
                write!(f, ":bytes={max_bytes},every={every}")
            }
            Scenario::Invalid {
                after,
                every,
                duration,
            } => write!(f, ":for={duration},every={every},after={after}"),
            Scenario::Leap { at, before, delete } => {
                write!(f, ":at={at},before={before}")?;
                if *delete {
                    f.write_str(",delete")?;
                }
                Ok(())
            }
            Scenario::Rollover { weeks } => write!(f, ":weeks={weeks}"),
            Scenario::Year { year, before } => write!(f, ":year={year},before={before}"),
            Scenario::Vanish { after, duration } | Scenario::Silence { after, duration } => {
                write!(f, ":after={after},for={duration}")
            }
        }
    }
}

#[cfg(test)]
#[path = "scenario_tests.rs"]
mod tests;
