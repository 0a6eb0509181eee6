//! Pairing what the readers saw with what the simulator wrote: the
//! `SAMPLE:` lines of `ntp-refclock` and the floor reader's reads, each
//! with the [`TruthRecord`] of the sentence it came from.
//!
//! The figures, in seconds here (the table shows microseconds):
//!
//! * `ntp-refclock` prints `SAMPLE: time=T offset=O` with `T = rectime −
//!   time2` (rounded to the microsecond) and `O = named − (rectime −
//!   time2)`, where `rectime` is its `CLOCK_REALTIME` read right after
//!   `poll()` woke and `named` the second the sentence names. So
//!   `rectime = T + time2`, and `T + O = named` to the microsecond, which
//!   finds the second and so the truth record.
//! * Receive latency = `rectime − eol`, where `eol` is the simulator's
//!   clock read right before the `write()` of the sentence's line end (the
//!   CR, which is what ends the line for a reader in canonical mode); also
//!   reported against `first`, the read before the `write()` of the `$`
//!   that is the on-time byte.
//! * The system clock is the reference (the simulator times its writes by
//!   it), so the true offset is 0. An ideal driver, timestamping the line
//!   end the instant it is written, would report `named − eol + time2`
//!   ([`TruthRecord::expected_offset`]). Offset error = reported −
//!   that = `eol − rectime`: minus the latency vs the line end (the two
//!   agree to the microsecond rounding of `T`). What the sample is off from
//!   the true offset 0 is the reported offset itself: minus the latency
//!   plus `time2 − (eol − named)`, the part of the receiver's line-end
//!   delay a constant `time2` does not remove (sentence length, jitter).

use std::collections::HashMap;

use refclock_core::Timestamp;
use refclock_sim::TruthRecord;

/// One `SAMPLE:` line of `ntp-refclock`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleLine {
    /// `time=`: the receive time minus time2, to the microsecond.
    pub time: Timestamp,
    /// `offset=`: true time − system time, seconds.
    pub offset: f64,
    /// `leap=`.
    pub leap: u8,
}

impl SampleLine {
    /// Parses `SAMPLE: time=SEC.USEC offset=±O leap=L`; `None` for any
    /// other line.
    pub fn parse(line: &str) -> Option<SampleLine> {
        let rest = line.trim_end().strip_prefix("SAMPLE: time=")?;
        let (time, rest) = rest.split_once(" offset=")?;
        let (offset, leap) = rest.split_once(" leap=")?;
        let (secs, usecs) = time.split_once('.')?;
        if usecs.len() != 6 || !usecs.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let secs: i64 = secs.parse().ok()?;
        let usecs: u32 = usecs.parse().ok()?;
        Some(SampleLine {
            time: Timestamp::new(secs, usecs * 1000),
            offset: offset.parse().ok()?,
            leap: leap.parse().ok()?,
        })
    }

    /// The receive time: `time + time2`.
    pub fn rectime(&self, time2: f64) -> Timestamp {
        self.time.add_secs_f64(time2)
    }

    /// The second the sample's sentence named: `time + offset`, rounded
    /// to the whole second.
    pub fn named(&self) -> i64 {
        let ns = self.time.add_secs_f64(self.offset).as_nanos();
        (ns + 500_000_000).div_euclid(1_000_000_000) as i64
    }
}

/// One sample paired with its sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Matched {
    /// The wall second the sentence was written in.
    pub wall: i64,
    /// Whether it was the on-time (first) sentence of its second.
    pub on_time: bool,
    /// Receive time − line end, seconds.
    pub latency_eol: f64,
    /// Receive time − on-time byte (`first`), seconds.
    pub latency_first: f64,
    /// Reported offset − `named − eol + time2`, seconds.
    pub offset_error: f64,
    /// The reported offset (its error against the true offset 0), seconds.
    pub offset: f64,
}

/// Pairs every sample with the sentence it was taken from: among the
/// written sentences naming the sample's second, the one whose line end
/// came last before the receive time (`slack` seconds of tolerance for
/// the microsecond rounding of `time`; of several written by the same
/// `write()`, the first, which is the one a reader gets first). Samples without one come back in
/// the second list.
pub fn match_samples(
    samples: &[SampleLine],
    truth: &[TruthRecord],
    time2: f64,
    slack: f64,
) -> (Vec<Matched>, Vec<SampleLine>) {
    let mut by_named: HashMap<i64, Vec<&TruthRecord>> = HashMap::new();
    for r in truth
        .iter()
        .filter(|r| r.eol.is_some() && r.first.is_some())
    {
        if let Some(named) = r.named {
            by_named.entry(named.secs()).or_default().push(r);
        }
    }
    let mut matched = Vec::with_capacity(samples.len());
    let mut unmatched = Vec::new();
    for s in samples {
        let rectime = s.rectime(time2);
        let limit = rectime.add_secs_f64(slack);
        let best = by_named
            .get(&s.named())
            .into_iter()
            .flatten()
            .filter(|r| r.eol.is_some_and(|eol| eol <= limit))
            // The latest line end; of sentences written in the same
            // `write()` (burst), the first.
            .max_by_key(|r| (r.eol, std::cmp::Reverse(r.seq)));
        let (Some(r), Some(eol), Some(first)) =
            (best, best.and_then(|r| r.eol), best.and_then(|r| r.first))
        else {
            unmatched.push(*s);
            continue;
        };
        let expected = r.expected_offset(time2).unwrap_or(f64::NAN);
        matched.push(Matched {
            wall: r.wall,
            on_time: r.on_time,
            latency_eol: rectime.diff(eol),
            latency_first: rectime.diff(first),
            offset_error: s.offset - expected,
            offset: s.offset,
        });
    }
    (matched, unmatched)
}

/// One read of the floor reader: when `poll()` woke and what `read()`
/// returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FloorRead {
    /// `CLOCK_REALTIME` right after `poll()` returned.
    pub at: Timestamp,
    /// The bytes (one line in canonical mode; CR already turned into LF).
    pub text: String,
}

impl FloorRead {
    /// Formats the read as one line of the floor process's report:
    /// `READ SECS.NANOS TEXT` (TEXT with line ends removed).
    pub fn to_line(&self) -> String {
        format!(
            "READ {} {}",
            self.at,
            self.text.trim_end_matches(['\r', '\n'])
        )
    }

    /// Parses a line written by [`FloorRead::to_line`].
    pub fn parse_line(line: &str) -> Option<FloorRead> {
        let rest = line.strip_prefix("READ ")?;
        let (at, text) = rest.split_once(' ').unwrap_or((rest, ""));
        Some(FloorRead {
            at: refclock_sim::parse_timestamp(at)?,
            text: text.to_string(),
        })
    }
}

/// The floor reader's latency vs the line end for every written on-time
/// sentence of `truth` in the wall seconds `window` (start inclusive, end
/// exclusive): the first read whose text is the sentence's, minus its
/// `eol`. Also returns how many such sentences no read matched.
pub fn floor_latencies(
    reads: &[FloorRead],
    truth: &[TruthRecord],
    window: (i64, i64),
) -> (Vec<f64>, usize) {
    let mut first_read: HashMap<&str, Timestamp> = HashMap::new();
    for r in reads {
        let text = r.text.trim_end_matches(['\r', '\n']);
        first_read.entry(text).or_insert(r.at);
    }
    let mut out = Vec::new();
    let mut missing = 0;
    for rec in truth
        .iter()
        .filter(|r| r.on_time && r.ok() && r.wall >= window.0 && r.wall < window.1)
    {
        match (first_read.get(rec.text.as_str()), rec.eol) {
            (Some(at), Some(eol)) if *at >= eol => out.push(at.diff(eol)),
            _ => missing += 1,
        }
    }
    (out, missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use refclock_core::calendar::CivilTime;
    use refclock_sim::TruthFlags;

    fn rec(seq: u64, wall: i64, first_ns: u32, eol_ns: u32, on_time: bool) -> TruthRecord {
        TruthRecord {
            seq,
            second: 0,
            wall,
            shift: 0,
            named: Some(Timestamp::from_secs(wall)),
            time: Some(CivilTime::from_timestamp(Timestamp::from_secs(wall))),
            first: Some(Timestamp::new(wall, first_ns)),
            first_end: Some(Timestamp::new(wall, first_ns + 1000)),
            eol: Some(Timestamp::new(wall, eol_ns)),
            eol_end: Some(Timestamp::new(wall, eol_ns + 1000)),
            last: Some(Timestamp::new(wall, eol_ns + 2_083_333)),
            last_end: Some(Timestamp::new(wall, eol_ns + 2_084_333)),
            kind: if on_time { "RMC" } else { "GGA" }.into(),
            on_time,
            flags: TruthFlags::default(),
            garbage: 0,
            text: format!("$GPRMC,{wall}"),
        }
    }

    #[test]
    fn parses_sample_lines() {
        let s = SampleLine::parse("SAMPLE: time=1700000000.100302 offset=-0.000251000 leap=0\n")
            .unwrap();
        assert_eq!(s.time, Timestamp::new(1_700_000_000, 100_302_000));
        assert_eq!(s.offset, -0.000251);
        assert_eq!(s.leap, 0);
        assert_eq!(SampleLine::parse("Exiting on signal 15"), None);
        assert_eq!(
            SampleLine::parse("SAMPLE: time=1700000000.1003 offset=0 leap=0"),
            None
        );
    }

    #[test]
    fn named_second_and_receive_time() {
        // Received at 1000.140123456 with time2 0.14: time = 1000.000123,
        // offset = 1000 − 1000.000123456 = −0.000123456.
        let s = SampleLine {
            time: Timestamp::new(1000, 123_000),
            offset: -0.000_123_456,
            leap: 0,
        };
        assert_eq!(s.named(), 1000);
        assert_eq!(s.rectime(0.14), Timestamp::new(1000, 140_123_000));
        // A sample that came 0.6 s late still names its own second when
        // time2 says so.
        let late = SampleLine {
            time: Timestamp::new(1000, 0),
            offset: 0.0,
            leap: 0,
        };
        assert_eq!(late.named(), 1000);
    }

    #[test]
    fn matches_the_sentence_whose_line_end_came_last_before_receipt() {
        // Second 1000: RMC line end at .140000000, GGA at .300000000.
        let truth = vec![
            rec(0, 1000, 0, 140_000_000, true),
            rec(1, 1000, 145_000_000, 300_000_000, false),
            rec(2, 1001, 0, 140_000_000, true),
        ];
        let time2 = 0.14;
        // Received 25 µs after the RMC's line end: time = rectime − time2.
        let s = SampleLine {
            time: Timestamp::new(1000, 25_000),
            offset: -0.000_025,
            leap: 0,
        };
        let (m, un) = match_samples(&[s], &truth, time2, 2e-6);
        assert!(un.is_empty());
        assert_eq!(m.len(), 1);
        let m = &m[0];
        assert_eq!(m.wall, 1000);
        assert!(m.on_time);
        assert!((m.latency_eol - 25e-6).abs() < 1e-9, "{}", m.latency_eol);
        assert!((m.latency_first - 0.140_025).abs() < 1e-9);
        // Expected offset 1000 − 1000.14 + 0.14 = 0; reported −25 µs.
        assert!((m.offset_error + 25e-6).abs() < 1e-9);
        assert_eq!(m.offset, -0.000_025);

        // Received after the GGA's line end: paired with the GGA.
        let s2 = SampleLine {
            time: Timestamp::new(1000, 160_010_000),
            offset: -0.160_010,
            leap: 0,
        };
        let (m, _) = match_samples(&[s2], &truth, time2, 2e-6);
        assert!(!m[0].on_time);
        assert!((m[0].latency_eol - 10e-6).abs() < 1e-9);

        // A sample naming a second nothing was written for.
        let s3 = SampleLine {
            time: Timestamp::new(1005, 0),
            offset: 0.0,
            leap: 0,
        };
        let (m, un) = match_samples(&[s3], &truth, time2, 2e-6);
        assert!(m.is_empty());
        assert_eq!(un, vec![s3]);
    }

    #[test]
    fn of_sentences_written_together_the_first_is_taken() {
        // Burst: three sentences, one write() at .000100000.
        let truth = vec![
            rec(0, 1000, 100_000, 100_000, true),
            rec(1, 1000, 100_000, 100_000, false),
            rec(2, 1000, 100_000, 100_000, false),
        ];
        let s = SampleLine {
            time: Timestamp::new(1000, 160_000),
            offset: -0.000_160,
            leap: 0,
        };
        let (m, _) = match_samples(&[s], &truth, 0.0, 2e-6);
        assert!(m[0].on_time);
        assert!((m[0].latency_eol - 60e-6).abs() < 1e-9);
        assert_eq!(m[0].latency_eol, m[0].latency_first);
    }

    #[test]
    fn floor_reads_round_trip_and_pair_by_text() {
        let r = FloorRead {
            at: Timestamp::new(1000, 140_020_000),
            text: "$GPRMC,1000\n".into(),
        };
        let line = r.to_line();
        assert_eq!(line, "READ 1000.140020000 $GPRMC,1000");
        let back = FloorRead::parse_line(&line).unwrap();
        assert_eq!(back.at, r.at);
        assert_eq!(back.text, "$GPRMC,1000");
        let empty = FloorRead::parse_line("READ 1000.140020000 ").unwrap();
        assert_eq!(empty.text, "");

        let truth = vec![
            rec(0, 1000, 0, 140_000_000, true),
            rec(1, 1000, 145_000_000, 300_000_000, false),
            rec(2, 1001, 0, 140_000_000, true),
            rec(3, 1002, 0, 140_000_000, true),
        ];
        let reads = vec![
            r,
            FloorRead {
                at: Timestamp::new(1000, 140_030_000),
                text: "\n".into(),
            },
            FloorRead {
                at: Timestamp::new(1001, 140_050_000),
                text: "$GPRMC,1001\n".into(),
            },
        ];
        // Window 1000..1003: 1000 and 1001 read, 1002 never.
        let (lat, missing) = floor_latencies(&reads, &truth, (1000, 1003));
        assert_eq!(missing, 1);
        assert_eq!(lat.len(), 2);
        assert!((lat[0] - 20e-6).abs() < 1e-9);
        assert!((lat[1] - 50e-6).abs() < 1e-9);
        // The window leaves 1000 out.
        let (lat, missing) = floor_latencies(&reads, &truth, (1001, 1002));
        assert_eq!((lat.len(), missing), (1, 0));
    }
}
