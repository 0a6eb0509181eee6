//! The golden directory: what the C program did, kept so that CI can
//! replay it without the C program (`refclock-drivers/tests/c_golden.rs`).
//!
//! * `command`: how the case was recorded (the C command line, its `-v`,
//!   the simulator set-up, our command line, the date, the tool's own
//!   command line to record it again);
//! * `c.samples`: the C program's `SAMPLE:` lines;
//! * `c.timing`: when the C program was started and stopped (SIGTERM),
//!   and each of its polls: the tick (ntpd's `current_time`) and when its
//!   `refclock_transmit: at N` debug line was read;
//! * `truth.log`: the C side's simulator truth log (every message with its
//!   write times, every byte the driver wrote);
//! * `garbage`: the bytes the `garbage` scenario wrote after messages (the
//!   truth log has only their number), recomputed from the simulator's
//!   plan with the same seed; only when there are any;
//! * `ours.samples`: our program's `SAMPLE:` lines in the same run;
//! * `report`: the comparison.
//!
//! `expected-differences` is written by hand, after reading the report.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use refclock_core::sim::DeviceSetup;
use refclock_sim::truth::escape;
use refclock_sim::{device_model, Planner, Scenario, TruthRecord};

/// The files of one case, as text.
#[derive(Debug, Default)]
pub struct Golden {
    /// `command`.
    pub command: String,
    /// `c.samples`.
    pub c_samples: String,
    /// `c.timing`.
    pub c_timing: String,
    /// `truth.log`.
    pub truth: String,
    /// `garbage` (empty: not written).
    pub garbage: String,
    /// `ours.samples`.
    pub ours_samples: String,
    /// `report`.
    pub report: String,
}

impl Golden {
    /// Writes the files into `dir` (created if needed); a stale `garbage`
    /// file is removed, `expected-differences` is left alone.
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let files: [(&str, &str); 6] = [
            ("command", &self.command),
            ("c.samples", &self.c_samples),
            ("c.timing", &self.c_timing),
            ("truth.log", &self.truth),
            ("ours.samples", &self.ours_samples),
            ("report", &self.report),
        ];
        for (name, text) in files {
            let path: PathBuf = dir.join(name);
            fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let path = dir.join("garbage");
        if self.garbage.is_empty() {
            if path.exists() {
                fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        } else {
            fs::write(&path, &self.garbage).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// The `garbage` file for a truth log: for every message the simulator
/// wrote garbage after, `GARBAGE seq=N bytes=ESCAPED`, the bytes taken
/// from the simulator's plan of the run (same scenarios, seed and device
/// set-up), checked against the truth log's text and byte count. Empty
/// when no message has garbage.
pub fn garbage_file(
    truth: &str,
    kind: u8,
    setup: &DeviceSetup,
    scenarios: &[Scenario],
    seed: u64,
) -> Result<String, String> {
    let records: Vec<TruthRecord> = truth
        .lines()
        .filter(|l| l.starts_with("TRUTH "))
        .map(|l| TruthRecord::parse_line(l).map_err(|e| format!("truth log: {e}: {l}")))
        .collect::<Result<_, _>>()?;
    if records.iter().all(|r| r.garbage == 0) {
        return Ok(String::new());
    }
    if let Some(r) = records.iter().find(|r| r.garbage > 0 && r.flags.reply) {
        return Err(format!(
            "seq {}: garbage after an answer is not recovered (only after a second's own messages)",
            r.seq
        ));
    }
    let first = &records[0];
    let start_wall = first.wall - first.second as i64;
    let last_wall = records.iter().map(|r| r.wall).max().unwrap_or(start_wall);
    let planner = Planner::new(scenarios.to_vec(), seed, start_wall, 0);
    let mut model = device_model(kind, setup).map_err(|e| e.to_string())?;
    let mut out = String::from(
        "# The bytes the simulator wrote after these messages (the truth log gives only\n\
         # their number), from its plan of the run with the same seed and set-up.\n",
    );
    for wall in start_wall..=last_wall {
        let plan = planner.plan(wall, model.as_mut());
        let planned: Vec<_> = plan
            .messages
            .iter()
            .filter(|m| !m.message.bytes.is_empty())
            .collect();
        let recorded: Vec<&TruthRecord> = records
            .iter()
            .filter(|r| r.wall == wall && !r.flags.reply)
            .collect();
        if recorded.is_empty() {
            continue;
        }
        if recorded.len() != planned.len() {
            return Err(format!(
                "second {wall}: {} messages in the truth log, {} planned",
                recorded.len(),
                planned.len()
            ));
        }
        for (r, p) in recorded.iter().zip(planned) {
            let mut body = &p.message.bytes[..];
            while let Some((b'\r' | b'\n', rest)) = body.split_last() {
                body = rest;
            }
            if escape(body) != r.text || (r.garbage > 0 && p.garbage_after.len() != r.garbage) {
                return Err(format!(
                    "seq {}: the plan does not give the recorded message",
                    r.seq
                ));
            }
            if r.garbage > 0 {
                let _ = writeln!(
                    out,
                    "GARBAGE seq={} bytes={}",
                    r.seq,
                    escape(&p.garbage_after)
                );
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use refclock_core::sim::DeviceSetup;
    use refclock_sim::{parse_scenarios, TruthFlags};

    /// Truth-log lines for the first `n` seconds of a planned run, as the
    /// simulator would write them (times left out: not needed here).
    fn truth_of(scenarios: &[Scenario], n: i64, start: i64) -> String {
        let planner = Planner::new(scenarios.to_vec(), 7, start, 0);
        let mut model = device_model(20, &DeviceSetup::default()).unwrap();
        let mut out = String::new();
        let mut seq = 0;
        for wall in start..start + n {
            for m in planner.plan(wall, model.as_mut()).messages {
                let mut body = &m.message.bytes[..];
                while let Some((b'\r' | b'\n', rest)) = body.split_last() {
                    body = rest;
                }
                let rec = TruthRecord {
                    seq,
                    second: (wall - start) as u64,
                    wall,
                    shift: 0,
                    named: m.message.named,
                    time: m.message.time,
                    first: None,
                    first_end: None,
                    eol: None,
                    eol_end: None,
                    last: None,
                    last_end: None,
                    kind: m.message.kind.to_string(),
                    on_time: false,
                    flags: TruthFlags {
                        garbage: !m.garbage_after.is_empty(),
                        ..TruthFlags::default()
                    },
                    garbage: m.garbage_after.len(),
                    text: escape(body),
                };
                seq += 1;
                let _ = writeln!(out, "{rec}");
            }
        }
        out
    }

    #[test]
    fn garbage_comes_back_from_the_plan() {
        let scenarios = parse_scenarios("garbage").unwrap();
        let start = 1_795_000_000;
        let truth = truth_of(&scenarios, 4, start);
        let file = garbage_file(&truth, 20, &DeviceSetup::default(), &scenarios, 7).unwrap();
        let lines: Vec<&str> = file.lines().filter(|l| l.starts_with("GARBAGE")).collect();
        // Every message of a u-blox second (RMC, GGA, ZDA) gets garbage.
        assert_eq!(lines.len(), 12, "{file}");
        assert!(lines[0].starts_with("GARBAGE seq=0 bytes="), "{file}");
        // Another seed plans other bytes: the counts no longer fit.
        assert!(garbage_file(&truth, 20, &DeviceSetup::default(), &scenarios, 8).is_err());
        // Without garbage there is no file.
        let clean = truth_of(&[], 2, start);
        assert_eq!(
            garbage_file(&clean, 20, &DeviceSetup::default(), &[], 7).unwrap(),
            ""
        );
    }
}
