//! The floor: the least any program can do to timestamp a line on a
//! pseudo-terminal. `poll()`, `clock_gettime(CLOCK_REALTIME)`, `read()`,
//! nothing else, on a slave set up exactly as the NMEA driver sets its
//! device up (ntpd's termios: canonical mode, ICRNL, 4800 baud).
//!
//! It runs in a process of its own (the benchmark executable started again
//! with `--floor-reader`), as `ntp-refclock` does, so both readers are
//! woken across the same process boundary; it keeps every read in memory
//! and prints them when its time is up ([`FloorRead::to_line`]), so
//! nothing but the three calls happens while it waits for the next line.
//! With a priority it takes SCHED_FIFO and locks its memory through the
//! same function `ntp-refclock -P` calls
//! ([`refclock_core::os::sched::set_realtime`]).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use refclock_core::os::fd::poll_fd;
use refclock_core::os::host::READ_SIZE;
use refclock_core::os::serial::SerialPort;
use refclock_core::os::{now, sched};
use refclock_core::{Clock, DriverConfig, PortId, Refclock, Timestamp};
use refclock_drivers::nmea::NmeaDriver;

use crate::matching::FloorRead;

/// The option that makes the benchmark executable run as the floor reader.
pub const FLOOR_FLAG: &str = "--floor-reader";

/// What the floor reader is asked to do.
#[derive(Clone, Debug, PartialEq)]
pub struct FloorArgs {
    /// The pty slave to read.
    pub path: PathBuf,
    /// Stop at this system time.
    pub until: Timestamp,
    /// SCHED_FIFO priority (with memory locked), if any.
    pub priority: Option<i32>,
}

impl FloorArgs {
    /// The arguments that start the floor reader (after the executable).
    pub fn to_args(&self) -> Vec<String> {
        let mut a = vec![
            FLOOR_FLAG.to_string(),
            self.path.display().to_string(),
            self.until.to_string(),
        ];
        if let Some(p) = self.priority {
            a.push(p.to_string());
        }
        a
    }

    /// Parses what follows [`FLOOR_FLAG`]: `PATH UNTIL [PRIORITY]`.
    pub fn parse(args: &[String]) -> Option<FloorArgs> {
        let (path, rest) = args.split_first()?;
        let (until, rest) = rest.split_first()?;
        let priority = match rest {
            [] => None,
            [p] => Some(p.parse().ok()?),
            _ => return None,
        };
        Some(FloorArgs {
            path: PathBuf::from(path),
            until: refclock_sim::parse_timestamp(until)?,
            priority,
        })
    }
}

/// Opens `path` with the serial settings the NMEA driver (mode 0, unit 0)
/// asks its host for.
pub fn open_like_the_driver(path: &Path) -> Result<SerialPort, String> {
    let clock = Clock::<NmeaDriver>::start(DriverConfig {
        device: Some(path.to_path_buf()),
        ..DriverConfig::default()
    })
    .map_err(|e| format!("NMEA driver start-up: {e}"))?;
    let port = &clock.ports().get(PortId::MAIN).ok_or("no port")?.kind;
    SerialPort::open(path, port.serial_config()).map_err(|e| e.to_string())
}

/// The reader: until `until`, wait for input, read the clock, read the
/// line. Every read is kept in memory (appended to a buffer reserved
/// beforehand). Ends early when the device hangs up.
pub fn read_until(port: &SerialPort, until: Timestamp) -> io::Result<Vec<FloorRead>> {
    let mut buf = vec![0u8; READ_SIZE];
    let mut bytes: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut reads: Vec<(Timestamp, usize, usize)> = Vec::with_capacity(20_000);
    loop {
        let revents = match poll_fd(
            port.fd(),
            libc::POLLIN | libc::POLLPRI,
            // Input comes every second; the timeout only ends a wait
            // on a device gone quiet (ntp-refclock's loop, too, wakes
            // once a second for its timer).
            Duration::from_secs(1),
        ) {
            Ok(r) => r,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if revents == 0 {
            if now() >= until {
                break;
            }
            continue;
        }
        let at = now();
        if revents & (libc::POLLIN | libc::POLLPRI) == 0 {
            break;
        }
        match port.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                reads.push((at, bytes.len(), n));
                bytes.extend_from_slice(&buf[..n]);
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
        if at >= until {
            break;
        }
    }
    Ok(reads
        .into_iter()
        .map(|(at, start, n)| FloorRead {
            at,
            text: String::from_utf8_lossy(&bytes[start..start + n]).into_owned(),
        })
        .collect())
}

/// The first line the floor process prints: whether the real-time
/// priority was taken (`FLOOR rt=off`, `FLOOR rt=on`, `FLOOR rt=failed:
/// REASON`).
pub fn status_line(priority: Option<i32>, result: Result<(), String>) -> String {
    match (priority, result) {
        (None, _) => "FLOOR rt=off".to_string(),
        (Some(_), Ok(())) => "FLOOR rt=on".to_string(),
        (Some(_), Err(e)) => format!("FLOOR rt=failed: {e}"),
    }
}

/// The floor process's `main`: opens the device, takes the priority,
/// reads until the time is up, then prints the status line and every read
/// on stdout. Returns the exit code.
pub fn floor_main(args: &FloorArgs) -> i32 {
    let port = match open_like_the_driver(&args.path) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("floor reader: {}: {e}", args.path.display());
            return 2;
        }
    };
    let rt = match args.priority {
        None => Ok(()),
        Some(p) => sched::set_realtime(p).map_err(|e| e.to_string()),
    };
    let status = status_line(args.priority, rt);
    let reads = match read_until(&port, args.until) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("floor reader: {}: {e}", args.path.display());
            return 2;
        }
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let r = writeln!(out, "{status}")
        .and_then(|()| {
            reads
                .iter()
                .try_for_each(|r| writeln!(out, "{}", r.to_line()))
        })
        .and_then(|()| out.flush());
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("floor reader: writing the reads: {e}");
            2
        }
    }
}

/// What the floor process reported.
#[derive(Clone, Debug, PartialEq)]
pub struct FloorReport {
    /// The status line (see [`status_line`]).
    pub status: String,
    /// Every read.
    pub reads: Vec<FloorRead>,
}

impl FloorReport {
    /// Parses the floor process's stdout.
    pub fn parse(text: &str) -> Result<FloorReport, String> {
        let mut lines = text.lines();
        let status = lines
            .next()
            .filter(|l| l.starts_with("FLOOR "))
            .ok_or_else(|| "floor reader: no status line".to_string())?
            .to_string();
        let reads = lines
            .map(|l| {
                FloorRead::parse_line(l).ok_or_else(|| format!("floor reader: bad line {l:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FloorReport { status, reads })
    }

    /// Why the real-time priority was not taken, if it was asked for and
    /// failed.
    pub fn rt_failure(&self) -> Option<&str> {
        self.status.strip_prefix("FLOOR rt=failed: ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_round_trip() {
        let a = FloorArgs {
            path: PathBuf::from("/dev/pts/7"),
            until: Timestamp::new(1_700_000_061, 200_000_000),
            priority: Some(50),
        };
        let v = a.to_args();
        assert_eq!(v[0], FLOOR_FLAG);
        assert_eq!(FloorArgs::parse(&v[1..]), Some(a.clone()));
        let b = FloorArgs {
            priority: None,
            ..a
        };
        assert_eq!(FloorArgs::parse(&b.to_args()[1..]), Some(b));
        assert_eq!(FloorArgs::parse(&["/dev/pts/7".to_string()]), None);
        assert_eq!(
            FloorArgs::parse(&["/p".into(), "12.5".into()]),
            None,
            "the time must have nine decimals"
        );
    }

    #[test]
    fn report_parses_and_says_why_rt_failed() {
        let text = "FLOOR rt=failed: sched_setscheduler(SCHED_FIFO, 50) failed: EPERM\n\
                    READ 1000.140020000 $GPRMC,1000\n\
                    READ 1000.140030000 \n";
        let r = FloorReport::parse(text).unwrap();
        assert_eq!(
            r.rt_failure(),
            Some("sched_setscheduler(SCHED_FIFO, 50) failed: EPERM")
        );
        assert_eq!(r.reads.len(), 2);
        assert_eq!(r.reads[1].text, "");
        assert!(FloorReport::parse("READ 1.000000000 x\n").is_err());
        assert_eq!(status_line(None, Ok(())), "FLOOR rt=off");
        assert_eq!(status_line(Some(50), Ok(())), "FLOOR rt=on");
    }

    #[test]
    fn reads_lines_from_a_pty_in_canonical_mode() {
        use refclock_core::os::pty::Pty;
        let pty = Pty::open().unwrap();
        let port = open_like_the_driver(pty.slave_path()).unwrap();
        pty.write_all(b"$GPZDA,1*00\r\n$GPGGA,2\r\n").unwrap();
        let reads = read_until(&port, now().add_secs_f64(0.3)).unwrap();
        let texts: Vec<&str> = reads.iter().map(|r| r.text.as_str()).collect();
        // ICRNL turns each CR into the line end; each LF is a line of its
        // own.
        assert_eq!(texts, ["$GPZDA,1*00\n", "\n", "$GPGGA,2\n", "\n"]);
        assert!(reads.windows(2).all(|w| w[0].at <= w[1].at));
    }
}
