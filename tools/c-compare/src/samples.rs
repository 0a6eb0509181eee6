//! `SAMPLE:` lines and their comparison: the two programs read at
//! different instants, so samples are paired by the reference time they
//! decoded (`time + offset`, rounded to the second), not by their offsets.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use refclock_core::calendar::CivilTime;
use refclock_core::Timestamp;

/// Largest difference of reference times counted as a match.
pub const TOLERANCE_NS: i128 = 2_000;

/// One `SAMPLE: time=SEC.USEC offset=+O.OOOOOOOOO leap=L` line.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleLine {
    /// The line as printed.
    pub text: String,
    /// `time`, nanoseconds since the epoch.
    pub time_ns: i128,
    /// `offset`, nanoseconds.
    pub offset_ns: i128,
    /// `leap`.
    pub leap: u8,
}

impl SampleLine {
    /// Parses a line; `None` when it is not a sample line.
    pub fn parse(line: &str) -> Option<SampleLine> {
        let rest = line.trim().strip_prefix("SAMPLE: ")?;
        let mut time = None;
        let mut offset = None;
        let mut leap = None;
        for field in rest.split_whitespace() {
            let (key, value) = field.split_once('=')?;
            match key {
                "time" => {
                    let (s, us) = value.split_once('.')?;
                    let s: i128 = s.parse().ok()?;
                    let us: i128 = us.parse().ok()?;
                    time = Some(s * 1_000_000_000 + us * 1000);
                }
                "offset" => offset = Some((value.parse::<f64>().ok()? * 1e9).round() as i128),
                "leap" => leap = Some(value.parse().ok()?),
                _ => return None,
            }
        }
        Some(SampleLine {
            text: line.trim().to_string(),
            time_ns: time?,
            offset_ns: offset?,
            leap: leap?,
        })
    }

    /// The reference time the driver decoded: `time + offset`, ns.
    pub fn reference_ns(&self) -> i128 {
        self.time_ns + self.offset_ns
    }

    /// The reference time rounded to the second: what pairs samples.
    pub fn second(&self) -> i64 {
        let ns = self.reference_ns();
        (ns + 500_000_000).div_euclid(1_000_000_000) as i64
    }
}

/// The sample lines among a program's output lines.
pub fn sample_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<SampleLine> {
    lines.into_iter().filter_map(SampleLine::parse).collect()
}

/// The time span both programs ran, for telling samples missing at the
/// edges of the run from real differences.
#[derive(Clone, Copy, Debug)]
pub struct Overlap {
    /// The later of the two starts.
    pub from: Timestamp,
    /// The earlier of the two stops.
    pub to: Timestamp,
}

impl Overlap {
    /// Whether a sample taken at `time_ns` is within 1.5 s of either end,
    /// where one program may not have been reading yet or any more.
    fn at_edge(&self, time_ns: i128) -> bool {
        time_ns < self.from.as_nanos() + 1_500_000_000
            || time_ns > self.to.as_nanos() - 1_500_000_000
    }
}

/// The outcome of pairing the C program's samples with ours.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Pairs with reference times within [`TOLERANCE_NS`] and the same leap.
    pub matched: usize,
    /// Pairs whose reference times differ by more than the tolerance.
    pub far: Vec<(SampleLine, SampleLine)>,
    /// Pairs whose leap indicators differ (reference times agreeing).
    pub leap: Vec<(SampleLine, SampleLine)>,
    /// Samples only the C program has, and whether at an edge of the run.
    pub only_c: Vec<(SampleLine, bool)>,
    /// Samples only ours has, and whether at an edge of the run.
    pub only_ours: Vec<(SampleLine, bool)>,
    /// Seconds with more than one sample on a side (not paired).
    pub repeated: Vec<SampleLine>,
    /// Sample counts.
    pub counts: (usize, usize),
}

fn by_second(samples: &[SampleLine], repeated: &mut Vec<SampleLine>) -> BTreeMap<i64, SampleLine> {
    let mut map = BTreeMap::new();
    for s in samples {
        if map.insert(s.second(), s.clone()).is_some() {
            repeated.push(s.clone());
        }
    }
    map
}

/// Pairs the samples by the second their reference time names.
pub fn compare(c: &[SampleLine], ours: &[SampleLine], overlap: Overlap) -> Comparison {
    let mut out = Comparison {
        counts: (c.len(), ours.len()),
        ..Comparison::default()
    };
    let cm = by_second(c, &mut out.repeated);
    let mut om = by_second(ours, &mut out.repeated);
    for (sec, cs) in cm {
        match om.remove(&sec) {
            None => {
                let edge = overlap.at_edge(cs.time_ns);
                out.only_c.push((cs, edge));
            }
            Some(os) => {
                if (cs.reference_ns() - os.reference_ns()).abs() > TOLERANCE_NS {
                    out.far.push((cs, os));
                } else if cs.leap != os.leap {
                    out.leap.push((cs, os));
                } else {
                    out.matched += 1;
                }
            }
        }
    }
    for (_, os) in om {
        let edge = overlap.at_edge(os.time_ns);
        out.only_ours.push((os, edge));
    }
    out
}

/// A second as `YYYY-MM-DDTHH:MM:SS`.
pub fn civil(second: i64) -> String {
    let t = CivilTime::from_timestamp(Timestamp::from_secs(second));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

fn ref_text(s: &SampleLine) -> String {
    let ns = s.reference_ns();
    format!(
        "{}.{:06}",
        ns.div_euclid(1_000_000_000),
        ns.rem_euclid(1_000_000_000) / 1000
    )
}

impl Comparison {
    /// The report's comparison section.
    pub fn report(&self) -> String {
        let mut r = String::new();
        let (nc, no) = self.counts;
        let _ = writeln!(r, "samples: C {nc}, ours {no}");
        let _ = writeln!(
            r,
            "paired by the second time+offset names: {} match (within 2 us, same leap)",
            self.matched
        );
        let edge = |e: bool| if e { " [edge of the run]" } else { "" };
        let _ = writeln!(
            r,
            "reference time differs by more than 2 us: {}",
            self.far.len()
        );
        for (c, o) in &self.far {
            let _ = writeln!(
                r,
                "  {}: C ref {} ({}), ours ref {} ({})",
                civil(c.second()),
                ref_text(c),
                c.text,
                ref_text(o),
                o.text
            );
        }
        let _ = writeln!(r, "leap differs: {}", self.leap.len());
        for (c, o) in &self.leap {
            let _ = writeln!(
                r,
                "  {}: C leap {}, ours leap {}",
                civil(c.second()),
                c.leap,
                o.leap
            );
        }
        let _ = writeln!(r, "only in C: {}", self.only_c.len());
        for (s, e) in &self.only_c {
            let _ = writeln!(
                r,
                "  {} ref {}: {}{}",
                civil(s.second()),
                ref_text(s),
                s.text,
                edge(*e)
            );
        }
        let _ = writeln!(r, "only in ours: {}", self.only_ours.len());
        for (s, e) in &self.only_ours {
            let _ = writeln!(
                r,
                "  {} ref {}: {}{}",
                civil(s.second()),
                ref_text(s),
                s.text,
                edge(*e)
            );
        }
        if !self.repeated.is_empty() {
            let _ = writeln!(
                r,
                "more than one sample naming the same second (not paired):"
            );
            for s in &self.repeated {
                let _ = writeln!(r, "  {}", s.text);
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(line: &str) -> SampleLine {
        SampleLine::parse(line).unwrap()
    }

    #[test]
    fn parses_the_c_programs_lines() {
        let a = s("SAMPLE: time=1795982689.039614 offset=-0.039613816 leap=0");
        assert_eq!(a.second(), 1_795_982_689);
        assert_eq!(a.reference_ns(), 1_795_982_689_000_000_184);
        assert_eq!(a.leap, 0);
        assert!(SampleLine::parse("refclock_transmit: at 1 127.127.20.0").is_none());
        assert!(SampleLine::parse("SAMPLE: time=1 offset=0 leap=0").is_none());
    }

    #[test]
    fn pairs_by_the_named_second() {
        let overlap = Overlap {
            from: Timestamp::from_secs(100),
            to: Timestamp::from_secs(200),
        };
        let c = [
            s("SAMPLE: time=150.100000 offset=-0.100000000 leap=0"),
            s("SAMPLE: time=151.100000 offset=-0.100000000 leap=3"),
            s("SAMPLE: time=152.100000 offset=-0.100000000 leap=0"),
            s("SAMPLE: time=100.500000 offset=-0.500000000 leap=0"),
        ];
        let ours = [
            s("SAMPLE: time=150.200000 offset=-0.200001000 leap=0"),
            s("SAMPLE: time=151.300000 offset=-0.300000000 leap=0"),
            s("SAMPLE: time=153.100000 offset=-0.100000000 leap=0"),
        ];
        let cmp = compare(&c, &ours, overlap);
        assert_eq!(cmp.matched, 1);
        assert_eq!(cmp.leap.len(), 1);
        assert_eq!(cmp.far.len(), 0);
        assert_eq!(cmp.only_c.len(), 2);
        assert!(cmp
            .only_c
            .iter()
            .any(|(s, edge)| s.second() == 100 && *edge));
        assert!(cmp
            .only_c
            .iter()
            .any(|(s, edge)| s.second() == 152 && !*edge));
        assert_eq!(cmp.only_ours.len(), 1);
        assert!(cmp.report().contains("only in ours: 1"));
    }
}
