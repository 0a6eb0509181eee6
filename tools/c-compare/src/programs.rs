//! Running the two programs side by side: each started with its output
//! read line by line and timed as it comes, stopped with SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use refclock_core::os::clock::now;
use refclock_core::Timestamp;

/// One line a program wrote, with the system time it was read.
#[derive(Clone, Debug)]
pub struct TimedLine {
    /// When the line was read from the pipe.
    pub at: Timestamp,
    /// The line without its end.
    pub text: String,
}

/// A program running with its output being collected.
pub struct Running {
    /// What it is (for messages).
    pub name: &'static str,
    child: Child,
    stdout: Option<JoinHandle<Vec<TimedLine>>>,
    stderr: Option<JoinHandle<Vec<TimedLine>>>,
    /// When it was started (right before the spawn).
    pub started: Timestamp,
}

/// What a program wrote, and when it ran.
#[derive(Debug)]
pub struct Finished {
    /// Standard output, line by line.
    pub stdout: Vec<TimedLine>,
    /// Standard error, line by line.
    pub stderr: Vec<TimedLine>,
    /// When it was started.
    pub started: Timestamp,
    /// When SIGTERM was sent.
    pub stopped: Timestamp,
    /// Its exit status, as text.
    pub status: String,
}

fn collect(stream: impl Read + Send + 'static) -> JoinHandle<Vec<TimedLine>> {
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let at = now();
                    let text = String::from_utf8_lossy(&buf);
                    lines.push(TimedLine {
                        at,
                        text: text.trim_end_matches(['\r', '\n']).to_string(),
                    });
                }
            }
        }
        lines
    })
}

impl Running {
    /// Starts `argv` (program first) with stdout and stderr collected.
    pub fn start(name: &'static str, argv: &[String]) -> Result<Running, String> {
        let (program, args) = argv
            .split_first()
            .ok_or_else(|| format!("{name}: empty command"))?;
        let started = now();
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{name}: cannot start {program}: {e}"))?;
        let stdout = child.stdout.take().map(collect);
        let stderr = child.stderr.take().map(collect);
        Ok(Running {
            name,
            child,
            stdout,
            stderr,
            started,
        })
    }

    /// Whether it already ended (it should not before it is stopped).
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            _ => None,
        }
    }

    /// Sends SIGTERM, waits up to 5 s for the exit (then kills it), and
    /// returns what it wrote.
    pub fn stop(mut self) -> Finished {
        let stopped = now();
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status.to_string(),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => {
                    let _ = self.child.kill();
                    break match self.child.wait() {
                        Ok(s) => format!("{s} (killed after SIGTERM did not end it)"),
                        Err(e) => format!("killed, wait failed: {e}"),
                    };
                }
            }
        };
        let join = |h: Option<JoinHandle<Vec<TimedLine>>>| {
            h.map(|h| h.join().unwrap_or_default()).unwrap_or_default()
        };
        Finished {
            stdout: join(self.stdout.take()),
            stderr: join(self.stderr.take()),
            started: self.started,
            stopped,
            status,
        }
    }
}

/// Runs `argv` to its end and returns its standard output (for `-v`).
pub fn output_of(argv: &[&str]) -> Result<String, String> {
    let (program, args) = argv.split_first().ok_or("empty command")?;
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
