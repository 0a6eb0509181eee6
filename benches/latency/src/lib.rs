//! # refclock-latency: how late does `ntp-refclock` timestamp a sentence?
//!
//! The benchmark (`cargo bench -p refclock-latency`, the `latency` bench
//! target) runs the real `ntp-refclock` binary against the receiver
//! simulator (`refclock-sim`) on a pseudo-terminal, pairs every `SAMPLE:`
//! line with the simulator's record of when it wrote the sentence, and
//! reports the receive latency (median, p90, p99, max), the offset error,
//! CPU time per 1000 samples and peak RSS, for several receiver behaviours
//! with and without `-P 50`. In the same seconds a minimal reader (the
//! *floor*: `poll()`, `clock_gettime()`, `read()`) reads a second
//! simulator, and our latencies are given as ratios to it.
//!
//! The parts:
//! * [`stats`]: median, nearest-rank percentiles, mean, standard deviation;
//! * [`config`]: the receivers and configurations measured;
//! * [`matching`]: parsing `SAMPLE:` lines and pairing samples and floor
//!   reads with truth records; the formulas;
//! * [`floor`]: the minimal reader (run as a process of its own);
//! * [`procfs`]: CPU and memory figures from `/proc`;
//! * [`program`]: finding or building `ntp-refclock`;
//! * [`runner`]: one configuration, start to end;
//! * [`report`]: the markdown table and the README section;
//! * [`Options`]: the benchmark's command line.
//!
//! Nothing here runs under `cargo test` except unit tests of these parts.

pub mod config;
pub mod floor;
pub mod matching;
pub mod procfs;
pub mod program;
pub mod report;
pub mod runner;
pub mod stats;

/// Seconds per configuration by default.
pub const DEFAULT_SECONDS: u64 = 60;
/// Seconds per configuration with `--quick`.
pub const QUICK_SECONDS: u64 = 15;

/// The benchmark's command line (what follows `--` of `cargo bench`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Seconds per configuration.
    pub seconds: u64,
    /// Replace the `## Latency benchmark` section of `benches/README.md`.
    pub write_readme: bool,
    /// Only configurations whose receiver name contains one of these.
    pub only: Vec<String>,
    /// `--bench` was given (cargo passes it under `cargo bench`; without
    /// it, as under `cargo test --benches`, nothing is measured).
    pub bench: bool,
    /// `--help`.
    pub help: bool,
}

/// The usage text.
pub const USAGE: &str = "\
usage: cargo bench -p refclock-latency -- [--seconds N | --quick] [--only NAME]... [--write-readme]
  --seconds N      measure N seconds per configuration (default 60)
  --quick          15 seconds per configuration
  --only NAME      only the receivers whose name contains NAME (burst, zda, ublox, garmin)
  --write-readme   replace the \"## Latency benchmark\" section of benches/README.md
environment: NTP_REFCLOCK_BIN=PATH runs that program instead of target/release/ntp-refclock
";

impl Options {
    /// Parses the arguments (without the program name).
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            seconds: DEFAULT_SECONDS,
            write_readme: false,
            only: Vec::new(),
            bench: false,
            help: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--seconds" => {
                    let v = it.next().ok_or("--seconds needs a number")?;
                    o.seconds = v.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                        format!("--seconds: expected a positive number, found {v:?}")
                    })?;
                }
                "--quick" => o.seconds = QUICK_SECONDS,
                "--only" => o.only.push(it.next().ok_or("--only needs a name")?.clone()),
                "--write-readme" => o.write_readme = true,
                "--bench" => o.bench = true,
                "--help" | "-h" => o.help = true,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(o)
    }

    /// Whether the receiver called `name` is to be measured.
    pub fn selects(&self, name: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|o| name.contains(o.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn command_line() {
        let o = Options::parse(&args(&["--quick", "--only", "zda", "--bench"])).unwrap();
        assert_eq!(o.seconds, QUICK_SECONDS);
        assert!(o.bench && !o.write_readme && !o.help);
        assert!(o.selects("paced zda") && !o.selects("burst"));
        let o = Options::parse(&args(&["--seconds", "30", "--write-readme"])).unwrap();
        assert_eq!(o.seconds, 30);
        assert!(o.write_readme && !o.bench && o.selects("burst"));
        assert!(Options::parse(&args(&["--seconds", "0"])).is_err());
        assert!(Options::parse(&args(&["--seconds"])).is_err());
        assert!(Options::parse(&args(&["--fast"])).is_err());
    }
}
