//! What `/proc` says about a running process: CPU time (`stat`'s utime and
//! stime, `schedstat`'s nanosecond run time) and peak resident memory
//! (`status`'s VmHWM).

use std::fs;
use std::io;
use std::process::Command;

/// CPU and memory figures of one process at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcSnapshot {
    /// `utime + stime` from `/proc/PID/stat`, in clock ticks (all threads).
    pub cpu_ticks: u64,
    /// Time on the CPU from `/proc/PID/schedstat`, nanoseconds (the main
    /// thread; `None` when the kernel has no schedstat).
    pub run_ns: Option<u64>,
    /// `VmHWM` from `/proc/PID/status`: peak resident set, KiB.
    pub vm_hwm_kib: u64,
}

/// Reads the snapshot of process `pid`.
pub fn snapshot(pid: u32) -> io::Result<ProcSnapshot> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let schedstat = fs::read_to_string(format!("/proc/{pid}/schedstat")).ok();
    let bad =
        |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("/proc/{pid}/{what}"));
    Ok(ProcSnapshot {
        cpu_ticks: parse_stat_cpu(&stat).ok_or_else(|| bad("stat"))?,
        run_ns: schedstat.as_deref().and_then(parse_schedstat),
        vm_hwm_kib: parse_vm_hwm(&status).ok_or_else(|| bad("status"))?,
    })
}

/// `utime + stime` (fields 14 and 15) of a `/proc/PID/stat` line. The
/// command name (field 2) is in parentheses and may hold spaces, so the
/// fields are counted after the last `)`.
pub fn parse_stat_cpu(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    // After the name come field 3 (state) onwards: utime is field 14, the
    // 12th here.
    let mut fields = after.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// The first field of `/proc/PID/schedstat`: nanoseconds on the CPU.
pub fn parse_schedstat(text: &str) -> Option<u64> {
    text.split_whitespace().next()?.parse().ok()
}

/// `VmHWM:  1234 kB` from `/proc/PID/status`, in KiB.
pub fn parse_vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`; the
/// Linux ABI fixes it at 100, taken when `getconf` is missing).
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_cpu_fields_after_a_name_with_spaces() {
        // Fields 14 and 15 are 7 and 5; the name holds ") (" to mislead.
        let line = "4242 (ntp ref) (x) S 1 4242 4242 0 -1 4194560 120 0 0 0 7 5 0 0 20 0 1 0 \
                    123 10000 200 18446744073709551615\n";
        assert_eq!(parse_stat_cpu(line), Some(12));
        assert_eq!(parse_stat_cpu("4242 (x) S 1 2"), None);
        assert_eq!(parse_stat_cpu("no parenthesis"), None);
    }

    #[test]
    fn schedstat_and_vm_hwm() {
        assert_eq!(parse_schedstat("1234567 890 12\n"), Some(1_234_567));
        assert_eq!(parse_schedstat(""), None);
        let status =
            "Name:\tntp-refclock\nVmPeak:\t  9000 kB\nVmHWM:\t    2816 kB\nVmRSS:\t 2000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(2816));
        assert_eq!(parse_vm_hwm("Name:\tx\n"), None);
    }

    #[test]
    fn reads_this_process() {
        let s = snapshot(std::process::id()).unwrap();
        assert!(s.vm_hwm_kib > 0);
        assert!(clock_ticks_per_second() > 0);
    }
}
