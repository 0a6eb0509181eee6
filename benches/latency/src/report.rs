//! The output: a markdown table (one row per configuration), the machine
//! it ran on, and the `## Latency benchmark` section of
//! `benches/README.md` that `--write-readme` replaces.

use std::fmt::Write as _;
use std::fs;
use std::process::Command;

use refclock_core::calendar::CivilTime;
use refclock_core::os::now;

use crate::config::{BAUD, PRIORITY};
use crate::runner::{Outcome, Row};
use crate::stats::{MeanSd, Spread};

/// The heading of the README section this benchmark owns.
pub const SECTION_HEADING: &str = "## Latency benchmark";

/// Where and when the benchmark ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Machine {
    /// Number of CPUs available.
    pub nproc: usize,
    /// CPU model (`model name` of `/proc/cpuinfo`).
    pub cpu: String,
    /// Kernel release.
    pub kernel: String,
    /// Date and time (UTC) of the run.
    pub date: String,
    /// `rustc --version`.
    pub rustc: String,
    /// The 1-minute load average before and after the run (other work
    /// on the machine shares its CPUs).
    pub load: String,
}

impl Machine {
    /// Finds out about this machine; unknown items read `unknown`.
    /// `load_before` is [`load_average`] taken before the run.
    pub fn detect(load_before: &str) -> Machine {
        let unknown = || "unknown".to_string();
        let cpu = fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(unknown);
        let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| unknown());
        let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .arg("--version")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(unknown);
        let t = CivilTime::from_timestamp(now());
        Machine {
            nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu,
            kernel,
            date: format!(
                "{:04}-{:02}-{:02} {:02}:{:02} UTC",
                t.year, t.month, t.day, t.hour, t.minute
            ),
            rustc,
            load: format!("{load_before} before, {} after", load_average()),
        }
    }

    /// One line: `2 CPUs (AMD EPYC), Linux 6.18, rustc 1.95.0, 2026-05-01
    /// 12:00 UTC, load average 1.0 before, 1.2 after`.
    pub fn summary(&self) -> String {
        format!(
            "{} CPUs ({}), Linux {}, {}, {}, load average {}",
            self.nproc, self.cpu, self.kernel, self.rustc, self.date, self.load
        )
    }
}

/// The 1-minute load average (`/proc/loadavg`), `unknown` if unreadable.
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

fn f1(x: f64) -> String {
    format!("{x:.1}")
}

fn spread(s: &Spread) -> String {
    format!(
        "{} / {} / {} / {}",
        f1(s.median),
        f1(s.p90),
        f1(s.p99),
        f1(s.max)
    )
}

fn mean_sd(m: &MeanSd) -> String {
    format!("{} ± {}", f1(m.mean), f1(m.sd))
}

/// The markdown table, one row per configuration.
pub fn table(rows: &[Row]) -> String {
    let mut t = String::new();
    t.push_str(
        "| configuration | -P | time2, s | samples | latency vs line end, µs: median / p90 / p99 / max \
         | floor, µs: median / p90 / p99 / max | ratio to floor: median / p90 / p99 / max \
         | latency vs on-time byte, µs: median / p99 | offset error, µs: mean ± sd \
         | offset, µs: mean ± sd | CPU, ms per 1000 samples: whole run / window / floor | peak RSS, KiB |\n",
    );
    t.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        let p = r
            .config
            .priority
            .map_or_else(|| "no".to_string(), |p| p.to_string());
        let name = r.config.receiver.name;
        let m = match &r.outcome {
            Outcome::Measured(m) => m,
            Outcome::NotAvailable(why) => {
                let _ = writeln!(
                    t,
                    "| {name} | {p} | {:.6} | not available: {} | | | | | | | | |",
                    r.time2,
                    why.replace('|', "/").replace('\n', " ")
                );
                continue;
            }
        };
        let (floor, ratio) = match &m.floor {
            Some(f) => (
                spread(f),
                m.latency_eol
                    .ratio_to(f)
                    .map(|x| format!("{x:.2}"))
                    .join(" / "),
            ),
            None => ("no reads".to_string(), "-".to_string()),
        };
        let _ = writeln!(
            t,
            "| {name} | {p} | {:.6} | {}/{} | {} | {floor} | {ratio} | {} / {} | {} | {} | {} / {} / {} | {} |",
            r.time2,
            m.samples,
            m.seconds,
            spread(&m.latency_eol),
            f1(m.latency_first.median),
            f1(m.latency_first.p99),
            mean_sd(&m.offset_error),
            mean_sd(&m.offset),
            f1(m.cpu_stat_ms),
            m.cpu_window_ms.map_or_else(|| "-".to_string(), f1),
            m.floor_cpu_window_ms.map_or_else(|| "-".to_string(), f1),
            m.vm_hwm_kib,
        );
    }
    t
}

/// Remarks on rows that need one: samples that could not be paired,
/// samples from a later sentence, sentences the floor missed, a floor
/// without real-time priority.
pub fn remarks(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    for r in rows {
        let Outcome::Measured(m) = &r.outcome else {
            continue;
        };
        let label = format!(
            "{} ({})",
            r.config.receiver.name,
            r.config
                .priority
                .map_or_else(|| "no -P".to_string(), |p| format!("-P {p}"))
        );
        if m.unmatched > 0 {
            out.push(format!(
                "{label}: {} sample(s) could not be paired with a sentence",
                m.unmatched
            ));
        }
        if m.not_on_time > 0 {
            out.push(format!(
                "{label}: {} sample(s) came from a sentence after the on-time one",
                m.not_on_time
            ));
        }
        if m.floor_missing > 0 {
            out.push(format!(
                "{label}: the floor reader missed {} on-time sentence(s)",
                m.floor_missing
            ));
        }
        if let Some(why) = &m.floor_rt_failure {
            out.push(format!(
                "{label}: the floor reader ran without SCHED_FIFO: {why}"
            ));
        }
    }
    out
}

/// What each configuration's receiver does.
pub fn receiver_list(rows: &[Row]) -> String {
    let mut s = String::new();
    let mut seen = Vec::new();
    for r in rows {
        let rc = &r.config.receiver;
        if seen.contains(&rc.name) {
            continue;
        }
        seen.push(rc.name);
        let sentences = rc
            .nmea_style()
            .map(|st| {
                st.sentences
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let how = if rc.paced {
            format!("paced at {BAUD} baud (10 bits a byte)")
        } else {
            "each second's sentences in one `write()`".to_string()
        };
        let scen = if rc.scenarios.is_empty() {
            String::new()
        } else {
            format!(
                ", scenario `{}` (extra random delay of the on-time byte)",
                rc.scenarios
            )
        };
        let _ = writeln!(
            s,
            "- **{}**: `{}` style, sentences {sentences}, the on-time one {} bytes up to its CR; {how}{scen}; `time2 {:.6}`.",
            rc.name, rc.style, r.on_time_length, r.time2
        );
    }
    s
}

const METHOD: &str = "\
Measures how late `ntp-refclock` timestamps a sentence, against a minimal reader on the same kind \
of device in the same seconds, and what it costs in CPU and memory.

How to run it (about 1 min per configuration, 8 configurations; `--quick` takes 15 s each):

```sh
cargo bench -p refclock-latency                    # table on stdout
cargo bench -p refclock-latency -- --quick
cargo bench -p refclock-latency -- --seconds 30 --only burst
cargo bench -p refclock-latency -- --write-readme  # and replace this section
```

The benchmark builds `target/release/ntp-refclock` (`cargo build --release -p refclock-cli`) when \
it is missing or older than its sources, or runs the program named by `NTP_REFCLOCK_BIN`. As root it \
passes `-r / -u root`, so the device stays reachable after the privilege drop.

What happens, per configuration:

- Two simulated receivers (`refclock_sim::Simulator`) on two pseudo-terminals. The real \
  `ntp-refclock` (without `-s`: it prints its `SAMPLE:` lines) reads the first with \
  `127.127.20.0 path PTY time2 T`; the *floor* reader reads the second. The floor's on-time byte \
  comes 0.5 s after ours, so the two line ends measured never coincide (two readers woken at the \
  same instant would delay each other on a small machine), while both share what the machine does \
  in those seconds.
- The floor reader is this benchmark's own executable started again as a separate process (as \
  `ntp-refclock` is one): it opens the pty with the NMEA driver's own serial settings (canonical \
  mode, ICRNL, as ntpd), then loops on `poll()`, `clock_gettime(CLOCK_REALTIME)`, `read()` and \
  nothing else, keeping the reads in memory. In the `-P` rows it takes SCHED_FIFO 50 and locks its \
  memory through the same function `-P` uses.
- Two warm-up seconds, then the window of N seconds; only sentences written in the window count. \
  CPU time is read from `/proc` at 0.9 s into the last warm-up second and into the last window \
  second, when every sentence of the second has been read.

The figures (µs):

- **Latency vs line end** = receive timestamp − `eol`. The receive timestamp is `SAMPLE time + \
  time2` (the driver reports `time = rectime − time2`). `eol` is the simulator's `CLOCK_REALTIME` \
  read right before the `write()` of the sentence's CR. This is the meaningful latency: in \
  canonical mode the kernel hands the line over only when its end arrives, so no reader can \
  timestamp a sentence before its CR; what comes after `eol` is the pty, the wake-up and our \
  code.
- **Latency vs on-time byte** = receive timestamp − `first`, the read before the `write()` of the \
  `$` the receiver aligns to the second (what the issue names). It adds the sentence's \
  transmission time (length × 10 / 4800 s when paced), which is the receiver's and the line's, not \
  ours: that is what `time2` is for.
- **Floor**: the same latency vs line end for the minimal reader; the ratios are ours ÷ floor, \
  figure by figure.
- **Offset error** = reported offset − the offset an ideal driver would report. The simulator times \
  its writes by the system clock, so the true offset is 0; a driver that timestamped the line end \
  the instant it was written would report `named − eol + time2` (`TruthRecord::expected_offset`); \
  ours reports `named − rectime + time2`. The difference is `eol − rectime`: exactly minus the \
  latency vs line end (here from the printed offset, to the nanosecond, instead of the \
  microsecond-rounded time), so its mean ≈ −mean latency and its sd is the latency's jitter.
- **Offset** = the reported offset itself, i.e. its error against the true offset 0 with the \
  `time2` given: minus our latency, plus `time2 − (eol − named)`, the part of the receiver's \
  line-end delay a constant `time2` cannot remove (the jitter scenario). `time2` is set to the \
  receiver's nominal line-end delay: the mean scenario delay plus the on-time sentence's \
  transmission time.
- **CPU per 1000 samples**: *whole run* = `utime + stime` (`/proc/PID/stat`, 10 ms ticks) at the \
  end of the window over every sample printed so far, start-up included; *window* = the \
  `schedstat` run time (ns) spent during the window over the samples of the window; *floor* = the \
  floor reader's `schedstat` run time in the window per 1000 seconds (one on-time sentence a \
  second, like our one sample a second). Both read every sentence of the second (and the empty \
  line each LF makes), not only the on-time one.
- **Peak RSS**: `VmHWM` of `/proc/PID/status` at the end. With `-P` the process locks all its \
  memory (`mlockall`), so every mapped page is resident.
- Percentiles are nearest-rank (p99 of 60 samples is the maximum); sd is the sample standard \
  deviation.

Things to know when reading the figures:

- Absolute latencies move from run to run (and with whatever else the machine is doing); the ratio \
  to the floor measured in the same seconds is the figure to compare.
- The input reaches the reader through the tty layer's flip-buffer work (`flush_to_ldisc`), which \
  runs in an ordinary-priority kernel worker: `perf record -e sched:sched_wakeup` shows \
  `ntp-refclock` woken by `kworker/u*-events_unbound` (prio 120), for a pseudo-terminal and, by \
  the same code path, for a serial port. `-P` raises only the reader, so on a busy machine it \
  removes the waits of the reader for a CPU but not those of the kernel worker: millisecond \
  outliers remain possible with `-P`. On an idle machine `-P` changes nothing measurable.
- Every sentence costs two wake-ups and two `read()`s, for `ntp-refclock` and the floor alike: \
  with ntpd's termios (canonical mode, ICRNL) the CR ends the line and the LF that follows is an \
  empty line of its own. Per second `ntp-refclock` makes one `poll()` + `read()` per line, one \
  more `poll()` for its timer and one `write()` for the `SAMPLE:` line, and nothing else \
  (`strace -c`); that and decoding is its CPU time above the floor's.
- In burst mode both readers see more latency than when the line end comes alone. Part of it \
  grows with the size of the burst (the whole second's output goes through the line discipline \
  before the reader is woken: a burst of the 36-byte ZDA alone came about 20 µs sooner than the \
  three sentences); the rest was not investigated.
";

/// The whole README section: heading, method, machine, table, remarks.
pub fn readme_section(rows: &[Row], machine: &Machine, seconds: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{SECTION_HEADING}\n");
    s.push_str(METHOD);
    let _ = writeln!(
        s,
        "\n### Results\n\nMachine: {}. {} s per configuration; `-P {PRIORITY}` is SCHED_FIFO.\n",
        machine.summary(),
        seconds
    );
    s.push_str(&receiver_list(rows));
    s.push('\n');
    s.push_str(&table(rows));
    let rem = remarks(rows);
    if !rem.is_empty() {
        s.push('\n');
        for r in rem {
            let _ = writeln!(s, "- {r}");
        }
    }
    s
}

/// Replaces the section that starts with the line `heading` (up to the
/// next `## ` heading or the end) by `section`, or appends `section` when
/// there is none.
pub fn replace_section(readme: &str, heading: &str, section: &str) -> String {
    let section = section.trim_end();
    let lines: Vec<&str> = readme.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim_end() == heading) else {
        let mut out = readme.trim_end().to_string();
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(section);
        out.push('\n');
        return out;
    };
    let mut in_code = false;
    let mut end = lines.len();
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if l.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && l.starts_with("## ") {
            end = i;
            break;
        }
    }
    let mut out = String::new();
    for l in &lines[..start] {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(section);
    out.push('\n');
    if end < lines.len() {
        out.push('\n');
        for l in &lines[end..] {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Configuration};
    use crate::runner::Measurement;

    #[test]
    fn section_replaced_in_the_middle_at_the_end_or_appended() {
        let readme = "# Benches\n\nintro\n\n## Latency benchmark\n\nold\n```sh\n## not a heading\n```\n\n## Other\n\nkept\n";
        let out = replace_section(readme, SECTION_HEADING, "## Latency benchmark\n\nnew\n");
        assert_eq!(
            out,
            "# Benches\n\nintro\n\n## Latency benchmark\n\nnew\n\n## Other\n\nkept\n"
        );
        let readme = "# Benches\n\n## Latency benchmark\n\nold\n### Results\nx\n";
        let out = replace_section(readme, SECTION_HEADING, "## Latency benchmark\n\nnew");
        assert_eq!(out, "# Benches\n\n## Latency benchmark\n\nnew\n");
        let out = replace_section(
            "# Benches\n\ntext\n",
            SECTION_HEADING,
            "## Latency benchmark\n",
        );
        assert_eq!(out, "# Benches\n\ntext\n\n## Latency benchmark\n");
        // Idempotent.
        assert_eq!(
            replace_section(&out, SECTION_HEADING, "## Latency benchmark\n"),
            out
        );
    }

    fn measured() -> Measurement {
        let s = Spread {
            median: 40.0,
            p90: 50.0,
            p99: 80.0,
            max: 120.0,
        };
        Measurement {
            seconds: 60,
            samples: 60,
            unmatched: 0,
            not_on_time: 1,
            latency_eol: s,
            latency_first: Spread {
                median: 146_000.0,
                ..s
            },
            offset_error: MeanSd {
                mean: -41.0,
                sd: 5.0,
            },
            offset: MeanSd {
                mean: -40.0,
                sd: 6.0,
            },
            floor: Some(Spread {
                median: 20.0,
                p90: 25.0,
                p99: 40.0,
                max: 60.0,
            }),
            floor_samples: 60,
            floor_missing: 0,
            floor_rt_failure: None,
            cpu_stat_ms: 166.7,
            cpu_window_ms: Some(21.0),
            floor_cpu_window_ms: None,
            vm_hwm_kib: 2816,
        }
    }

    #[test]
    fn table_rows() {
        let cfgs = config::all();
        let rows = vec![
            Row {
                config: cfgs[0].clone(),
                time2: 0.0,
                on_time_length: 70,
                outcome: Outcome::Measured(Box::new(measured())),
            },
            Row {
                config: Configuration {
                    priority: Some(50),
                    ..cfgs[0].clone()
                },
                time2: 0.0,
                on_time_length: 70,
                outcome: Outcome::NotAvailable("-P refused: EPERM".into()),
            },
        ];
        let t = table(&rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        let cols = |l: &str| l.matches('|').count();
        assert!(lines.iter().all(|l| cols(l) == cols(lines[0])), "{t}");
        assert_eq!(
            lines[2],
            "| burst | no | 0.000000 | 60/60 | 40.0 / 50.0 / 80.0 / 120.0 | 20.0 / 25.0 / 40.0 / 60.0 \
             | 2.00 / 2.00 / 2.00 / 2.00 | 146000.0 / 80.0 | -41.0 ± 5.0 | -40.0 ± 6.0 | 166.7 / 21.0 / - | 2816 |"
        );
        assert!(lines[3].contains("not available: -P refused: EPERM"));
        assert_eq!(
            remarks(&rows),
            ["burst (no -P): 1 sample(s) came from a sentence after the on-time one"]
        );
        let m = Machine {
            nproc: 2,
            cpu: "AMD EPYC".into(),
            kernel: "6.18".into(),
            date: "2026-05-01 12:00 UTC".into(),
            rustc: "rustc 1.95.0".into(),
            load: "1.00 before, 1.20 after".into(),
        };
        let sec = readme_section(&rows, &m, 60);
        assert!(sec.starts_with("## Latency benchmark\n"));
        assert!(sec.contains(
            "Machine: 2 CPUs (AMD EPYC), Linux 6.18, rustc 1.95.0, 2026-05-01 12:00 UTC, \
             load average 1.00 before, 1.20 after."
        ));
        assert!(sec.contains(&t));
        // A README holding it has no second `## ` heading from it.
        assert_eq!(sec.lines().filter(|l| l.starts_with("## ")).count(), 1);
    }
}
