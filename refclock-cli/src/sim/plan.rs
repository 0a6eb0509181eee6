//! What the simulated receiver writes in each wall-clock second: the pure
//! part of the simulator.
//!
//! A [`Planner`] turns a wall second into a [`SecondPlan`]: the timecode
//! time it names (`timecode = wall second + shift`, the shift constant
//! except across a leap second), the sentences with their flaws, the delay
//! of the on-time sentence, and whether anything is written at all. It
//! reads no clock and does no I/O, so a test can check every scenario's
//! effect second by second.

use refclock_core::calendar::{CivilTime, SECS_PER_WEEK};
use refclock_core::Timestamp;

use super::nmea::{self, gps_utc_offset, Epoch, NmeaStyle, SentenceKind};
use super::rng::{Purpose, Rng};
use super::scenario::Scenario;

/// Whether and why a second's sentences are written.
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

/// One sentence as planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedSentence {
    /// Which sentence.
    pub kind: SentenceKind,
    /// The framed text, `$` to LF.
    pub text: String,
    /// Written with a wrong checksum.
    pub badsum: bool,
    /// Says status V / no fix.
    pub invalid: bool,
    /// Written with a checksum (right or wrong).
    pub checksum: bool,
    /// Random bytes written right after the sentence's LF.
    pub garbage_after: Vec<u8>,
}

/// Everything about one wall second.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecondPlan {
    /// Seconds since the start of the run (`wall − start`).
    pub index: u64,
    /// The wall-clock (system clock) whole second, Unix seconds.
    pub wall: i64,
    /// What the sentences state.
    pub epoch: Epoch,
    /// The named second as a Unix timestamp (23:59:60 → the following
    /// midnight).
    pub named: Timestamp,
    /// `named − wall` in seconds: the timecode mapping of this second.
    pub shift: i64,
    /// Nanoseconds after the whole second at which the first byte of the
    /// on-time (first) sentence is due.
    pub delay_ns: u64,
    /// Whether the sentences are written.
    pub disposition: Disposition,
    /// The sentences, in order; the first is the on-time sentence.
    pub sentences: Vec<PlannedSentence>,
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

/// Plans the seconds of one run.
#[derive(Clone, Debug)]
pub struct Planner {
    style: NmeaStyle,
    scenarios: Vec<Scenario>,
    seed: u64,
    start_wall: i64,
    base_delay_ns: u64,
    mapping: Mapping,
}

/// Whether garbage may contain byte `b`: after ntpd's parity strip
/// (`& 0x7f`) it must be printable and not `$`, so it can neither start a
/// sentence nor end a line.
pub fn garbage_byte_allowed(b: u8) -> bool {
    let c = b & 0x7f;
    (0x20..0x7f).contains(&c) && c != b'$'
}

impl Planner {
    /// A planner for a run whose first second is `start_wall` (Unix
    /// seconds); `base_delay_ns` is the on-time delay before scenarios add
    /// theirs.
    pub fn new(
        style: NmeaStyle,
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
            style,
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

    /// The style sentences are written in.
    pub fn style(&self) -> &NmeaStyle {
        &self.style
    }

    /// The timecode of wall second `wall`: the civil time the sentences
    /// state and the GPS − UTC offset for PGRMF.
    fn timecode(&self, wall: i64) -> (CivilTime, i32) {
        match self.mapping {
            Mapping::Fixed {
                shift,
                offset_at_wall,
            } => {
                let t = wall + shift;
                let off = gps_utc_offset(if offset_at_wall { wall } else { t });
                (CivilTime::from_timestamp(Timestamp::from_secs(t)), off)
            }
            Mapping::Leap {
                start,
                midnight,
                delete,
                old_offset,
            } => {
                let t = start + (wall - self.start_wall);
                let civil = |s: i64| CivilTime::from_timestamp(Timestamp::from_secs(s));
                if delete {
                    if t < midnight - 1 {
                        (civil(t), old_offset)
                    } else {
                        (civil(t + 1), old_offset - 1)
                    }
                } else if t < midnight {
                    (civil(t), old_offset)
                } else if t == midnight {
                    let mut c = civil(midnight - 1);
                    c.second = 60;
                    (c, old_offset)
                } else {
                    (civil(t - 1), old_offset + 1)
                }
            }
        }
    }

    /// The plan of wall second `wall` (≥ the start second).
    pub fn plan(&self, wall: i64) -> SecondPlan {
        let index = (wall - self.start_wall).max(0) as u64;
        let (time, gps_utc) = self.timecode(wall);
        let mut valid = true;
        let mut delay_ns = self.base_delay_ns;
        let mut disposition = Disposition::Write;
        let set = |d: Disposition, disp: &mut Disposition| {
            // Vanished beats Silent beats Dropped.
            let rank = |d: Disposition| match d {
                Disposition::Write => 0,
                Disposition::Dropped => 1,
                Disposition::Silent => 2,
                Disposition::Vanished => 3,
            };
            if rank(d) > rank(*disp) {
                *disp = d;
            }
        };
        let within = |after: u32, duration: u32| {
            index >= u64::from(after) && index < u64::from(after) + u64::from(duration)
        };
        for s in &self.scenarios {
            match *s {
                Scenario::Delay { ms } => delay_ns += u64::from(ms) * 1_000_000,
                Scenario::Jitter { max_ms } => {
                    let mut rng = Rng::for_second(self.seed, index, Purpose::Jitter);
                    delay_ns += rng.up_to(u64::from(max_ms) * 1_000_000);
                }
                Scenario::Drop(p) => {
                    let mut rng = Rng::for_second(self.seed, index, Purpose::Drop);
                    if p.hits(index, |pct| rng.percent(pct)) {
                        set(Disposition::Dropped, &mut disposition);
                    }
                }
                Scenario::Invalid {
                    after,
                    every,
                    duration,
                } if index >= u64::from(after)
                    && (index - u64::from(after)) % u64::from(every) < u64::from(duration) =>
                {
                    valid = false;
                }
                Scenario::Vanish { after, duration } if within(after, duration) => {
                    set(Disposition::Vanished, &mut disposition)
                }
                Scenario::Silence { after, duration } if within(after, duration) => {
                    set(Disposition::Silent, &mut disposition)
                }
                _ => {}
            }
        }
        let epoch = Epoch {
            time,
            valid,
            gps_utc,
        };
        let named = epoch.named();
        let sentences = self.sentences(index, &epoch);
        SecondPlan {
            index,
            wall,
            epoch,
            named,
            shift: named.secs() - wall,
            delay_ns,
            disposition,
            sentences,
        }
    }

    fn sentences(&self, index: u64, epoch: &Epoch) -> Vec<PlannedSentence> {
        let n = self.style.sentences.len() as u64;
        let mut bad_rng = Rng::for_second(self.seed, index, Purpose::BadSum);
        let mut garbage_rng = Rng::for_second(self.seed, index, Purpose::Garbage);
        let mut out = Vec::with_capacity(n as usize);
        for (j, &kind) in self.style.sentences.iter().enumerate() {
            let body = nmea::body(kind, &self.style, epoch);
            let global = index * n + j as u64;
            let mut badsum = false;
            let mut garbage_after = Vec::new();
            for s in &self.scenarios {
                match *s {
                    Scenario::BadSum(p) => {
                        badsum |= p.hits(global, |pct| bad_rng.percent(pct));
                    }
                    Scenario::Garbage { max_bytes, every }
                        if index.is_multiple_of(u64::from(every)) =>
                    {
                        let len = 1 + garbage_rng.up_to(u64::from(max_bytes) - 1) as usize;
                        while garbage_after.len() < len {
                            let b = garbage_rng.next_u64() as u8;
                            if garbage_byte_allowed(b) {
                                garbage_after.push(b);
                            }
                        }
                    }
                    _ => {}
                }
            }
            let checksum = self.style.has_checksum(kind) || badsum;
            let text = if badsum {
                nmea::frame_with_checksum(&body, nmea::checksum(body.as_bytes()) ^ 0x5A)
            } else {
                nmea::frame(&body, checksum)
            };
            out.push(PlannedSentence {
                kind,
                text,
                badsum,
                invalid: !epoch.valid && kind.has_status(),
                checksum,
                garbage_after,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::nmea::verify;
    use refclock_core::calendar::days_from_civil;

    const START: i64 = 1_700_000_000; // 2023-11-14T22:13:20Z

    fn planner(style: &str, scenarios: &[&str]) -> Planner {
        Planner::new(
            NmeaStyle::by_name(style).unwrap(),
            scenarios.iter().map(|s| s.parse().unwrap()).collect(),
            7,
            START,
            0,
        )
    }

    fn hms(p: &SecondPlan) -> (u8, u8, u8) {
        (p.epoch.time.hour, p.epoch.time.minute, p.epoch.time.second)
    }

    #[test]
    fn clean_names_the_wall_second() {
        let pl = planner("ublox", &["clean"]);
        for i in 0..5 {
            let p = pl.plan(START + i);
            assert_eq!(p.index, i as u64);
            assert_eq!(p.named, Timestamp::from_secs(START + i));
            assert_eq!(p.shift, 0);
            assert_eq!(p.delay_ns, 0);
            assert_eq!(p.disposition, Disposition::Write);
            assert_eq!(p.sentences.len(), 3);
            assert!(p.sentences.iter().all(|s| verify(&s.text) == Some(true)));
            assert!(p.sentences.iter().all(|s| s.garbage_after.is_empty()));
        }
        assert_eq!(hms(&pl.plan(START)), (22, 13, 20));
        assert!(pl.plan(START).sentences[0]
            .text
            .starts_with("$GPRMC,221320.00,A,"));
    }

    #[test]
    fn delays_add_and_jitter_is_bounded_and_seeded() {
        let pl = Planner::new(
            NmeaStyle::default(),
            vec![
                "delay:100".parse().unwrap(),
                "jitter:max=10".parse().unwrap(),
            ],
            99,
            START,
            5_000_000,
        );
        let delays: Vec<u64> = (0..50).map(|i| pl.plan(START + i).delay_ns).collect();
        assert!(delays
            .iter()
            .all(|&d| (105_000_000..=115_000_000).contains(&d)));
        assert!(delays.windows(2).any(|w| w[0] != w[1]), "jitter varies");
        // Same seed, same jitter, whatever the order of planning.
        assert_eq!(pl.plan(START + 17).delay_ns, delays[17]);
    }

    #[test]
    fn drop_every_and_random() {
        let pl = planner("ublox", &["drop:3"]);
        let dropped: Vec<u64> = (0..10)
            .map(|i| pl.plan(START + i))
            .filter(|p| p.disposition == Disposition::Dropped)
            .map(|p| p.index)
            .collect();
        assert_eq!(dropped, vec![2, 5, 8]);
        let pl = planner("ublox", &["drop:p=30"]);
        let n = (0..1000)
            .filter(|&i| pl.plan(START + i).disposition == Disposition::Dropped)
            .count();
        assert!((220..380).contains(&n), "{n}");
    }

    #[test]
    fn garbage_is_safe_and_present() {
        let pl = planner("ublox", &["garbage:bytes=8,every=2"]);
        let p0 = pl.plan(START);
        assert!(p0
            .sentences
            .iter()
            .all(|s| (1..=8).contains(&s.garbage_after.len())));
        for s in &p0.sentences {
            assert!(s.garbage_after.iter().all(|&b| garbage_byte_allowed(b)));
            assert!(!s.garbage_after.contains(&b'$'));
            assert!(!s.garbage_after.contains(&b'\n'));
        }
        assert!(pl
            .plan(START + 1)
            .sentences
            .iter()
            .all(|s| s.garbage_after.is_empty()));
        assert!(!garbage_byte_allowed(0xA4), "0xA4 & 0x7f is '$'");
        assert!(!garbage_byte_allowed(0x8A), "0x8A & 0x7f is LF");
    }

    #[test]
    fn badsum_every_fourth_sentence() {
        let pl = planner("ublox", &["badsum:4"]);
        let all: Vec<PlannedSentence> = (0..4).flat_map(|i| pl.plan(START + i).sentences).collect();
        for (g, s) in all.iter().enumerate() {
            let bad = g % 4 == 3;
            assert_eq!(s.badsum, bad, "sentence {g}");
            assert_eq!(verify(&s.text), Some(!bad), "{}", s.text);
        }
        // A legacy sentence without checksum gets a wrong one.
        let pl = planner("legacy", &["badsum:every=1"]);
        let s = &pl.plan(START).sentences[0];
        assert!(s.checksum && s.badsum);
        assert_eq!(verify(&s.text), Some(false));
    }

    #[test]
    fn invalid_periods() {
        let pl = planner("garmin", &["invalid:for=2,every=5,after=1"]);
        let v: Vec<bool> = (0..12).map(|i| !pl.plan(START + i).epoch.valid).collect();
        let expect = [
            false, true, true, false, false, false, true, true, false, false, false, true,
        ];
        assert_eq!(v, expect);
        let p = pl.plan(START + 1);
        assert!(p.sentences[0].text.contains(",V,"));
        assert!(p.sentences.iter().all(|s| s.invalid));
        let pl = planner("ublox", &["invalid:for=1,every=1,after=0"]);
        let zda = &pl.plan(START).sentences[2];
        assert_eq!(zda.kind, SentenceKind::Zda);
        assert!(!zda.invalid, "ZDA has no status");
    }

    #[test]
    fn leap_second_inserted() {
        let pl = planner("garmin", &["leap:before=3"]);
        let midnight = days_from_civil(2017, 1, 1) * 86_400;
        let plans: Vec<SecondPlan> = (0..6).map(|i| pl.plan(START + i)).collect();
        let times: Vec<(u8, u8, u8)> = plans.iter().map(hms).collect();
        assert_eq!(
            times,
            vec![
                (23, 59, 57),
                (23, 59, 58),
                (23, 59, 59),
                (23, 59, 60),
                (0, 0, 0),
                (0, 0, 1)
            ]
        );
        assert_eq!(plans[3].epoch.time.day, 31);
        assert_eq!(plans[3].named.secs(), midnight);
        assert_eq!(plans[4].named.secs(), midnight);
        assert_eq!(plans[2].shift, plans[3].shift);
        assert_eq!(plans[4].shift, plans[3].shift - 1);
        assert_eq!(plans[0].shift, midnight - 3 - START);
        let offsets: Vec<i32> = plans.iter().map(|p| p.epoch.gps_utc).collect();
        assert_eq!(offsets, vec![17, 17, 17, 17, 18, 18]);
        assert!(plans[3].sentences[0].text.starts_with("$GPRMC,235960,A,"));
        // PGRMF's GPS time of week runs on through the leap second.
        let tow = |p: &SecondPlan| -> i64 {
            p.sentences[3]
                .text
                .split(',')
                .nth(2)
                .unwrap()
                .parse()
                .unwrap()
        };
        for w in plans.windows(2) {
            assert_eq!(tow(&w[1]) - tow(&w[0]), 1);
        }
    }

    #[test]
    fn leap_second_deleted() {
        let pl = planner("ublox", &["leap:at=2015-06-30,before=2,delete"]);
        let times: Vec<(u8, u8, u8)> = (0..4).map(|i| hms(&pl.plan(START + i))).collect();
        assert_eq!(times, vec![(23, 59, 58), (0, 0, 0), (0, 0, 1), (0, 0, 2)]);
        assert_eq!(pl.plan(START + 1).epoch.time.month, 7);
    }

    #[test]
    fn rollover_is_1024_weeks_back() {
        let pl = planner("ublox", &["rollover"]);
        let p = pl.plan(START + 3);
        assert_eq!(p.shift, -1024 * SECS_PER_WEEK);
        assert_eq!(p.named.secs(), START + 3 - 1024 * 7 * 86_400);
        // Same time of day, 1024 weeks back: 2023-11-14 → 2004-03-30.
        assert_eq!(
            (p.epoch.time.year, p.epoch.time.month, p.epoch.time.day),
            (2004, 3, 30)
        );
        assert_eq!(hms(&p), (22, 13, 23));
        // The receiver still knows today's GPS − UTC.
        assert_eq!(p.epoch.gps_utc, 18);
    }

    #[test]
    fn year_boundary_two_digit() {
        let pl = planner("ublox", &["year:2000,before=2"]);
        let p: Vec<SecondPlan> = (0..3).map(|i| pl.plan(START + i)).collect();
        assert!(p[0].sentences[0].text.contains(",311299,"));
        assert!(p[1].sentences[0].text.contains(",311299,"));
        assert!(p[2].sentences[0].text.contains(",010100,"));
        assert!(p[2].sentences[2].text.contains(",01,01,2000,"));
        assert_eq!(p[2].epoch.gps_utc, 13);
        let pl = planner("ublox", &["year"]);
        let p = pl.plan(START + 5);
        assert_eq!(p.epoch.time.year, 2100);
        assert_eq!(hms(&p), (0, 0, 0));
    }

    #[test]
    fn vanish_and_silence_windows() {
        let pl = planner(
            "ublox",
            &["vanish:after=2,for=2", "silence:after=3,for=3", "drop:7"],
        );
        let d: Vec<Disposition> = (0..8).map(|i| pl.plan(START + i).disposition).collect();
        use Disposition::*;
        assert_eq!(
            d,
            vec![Write, Write, Vanished, Vanished, Silent, Silent, Dropped, Write]
        );
    }
}
