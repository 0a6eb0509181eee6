//! Test support: a private, real `chronyd` that tests send SOCK samples to.
//!
//! Include it from any test in the workspace with
//!
//! ```ignore
//! #[path = "../../refclock-sock/tests/support/chrony.rs"]
//! mod chrony;
//! ```
//!
//! It uses Debian's chrony package unpacked into `<workspace>/target/chrony`
//! (or `$REFCLOCK_CHRONY_DIR`); when that is missing it runs
//! `.ci/fetch-chrony.sh`, so a test works on a fresh machine. Each
//! [`Chronyd`] gets its own short temporary directory holding the config,
//! the SOCK socket, the command socket, logs, the drift file and chronyd's
//! own output (`chronyd.log`). chronyd runs with `-x`, so it never touches
//! the system clock, and `port 0` / `cmdport 0`, so it opens no network
//! port and several can run at once.
//!
//! Sign conventions differ between chrony's outputs, and the harness keeps
//! them as chrony prints them:
//! * SOCK samples and the `refclocks.log` offsets: **true − system** time.
//! * `chronyc sources` / `sourcestats` offsets: **system − true** time
//!   (positive: the local clock is ahead of the source).
//!
//! Failures panic with chronyd's output attached; a failing test keeps the
//! directory (its path is printed), as does `REFCLOCK_KEEP_CHRONYD=1`.

#![allow(dead_code, reason = "each test uses a different part of the harness")]

use std::fs::{self, File};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[path = "chrony_records.rs"]
mod records;
use records::{parse_refclock_log, parse_source, parse_sourcestats};
pub use records::{RefclockLogEntry, Source, SourceStats};

/// Stands for the SOCK socket path in the lines given to [`Chronyd::start`].
pub const SOCK_PLACEHOLDER: &str = "{sock}";

/// How long chronyd may take to start or stop.
const START_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A `refclock SOCK` directive for the harness's socket with `options`,
/// e.g. `sock_refclock("refid GPS poll 0 filter 1")`.
pub fn sock_refclock(options: &str) -> String {
    format!("refclock SOCK {SOCK_PLACEHOLDER} {options}")
}

/// The chrony binaries and what the harness learnt about them.
#[derive(Debug)]
struct Binaries {
    chronyd: PathBuf,
    chronyc: PathBuf,
    /// chronyd knows `-U` (do not insist on root).
    has_no_root_check: bool,
    /// The user chronyd runs as (`user` directive): ourselves.
    user: String,
}

fn workspace_root() -> PathBuf {
    // Any crate of the workspace including this file sits one level down.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_owned()
}

/// Finds (fetching once per process if needed) chronyd and chronyc.
fn binaries() -> &'static Binaries {
    static BINARIES: OnceLock<Result<Binaries, String>> = OnceLock::new();
    match BINARIES.get_or_init(find_binaries) {
        Ok(b) => b,
        Err(e) => panic!("no chronyd for the tests: {e}"),
    }
}

fn find_binaries() -> Result<Binaries, String> {
    let root = workspace_root();
    let dir = std::env::var_os("REFCLOCK_CHRONY_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/chrony"));
    let chronyd = dir.join("usr/sbin/chronyd");
    let chronyc = dir.join("usr/bin/chronyc");
    if !chronyd.exists() || !chronyc.exists() {
        let script = root.join(".ci/fetch-chrony.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} {} failed ({}):\n{}{}",
                script.display(),
                dir.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let help = Command::new(&chronyd)
        .arg("-h")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", chronyd.display()))?;
    let help = format!(
        "{}{}",
        String::from_utf8_lossy(&help.stdout),
        String::from_utf8_lossy(&help.stderr)
    );
    let has_no_root_check = help.lines().any(|l| l.trim_start().starts_with("-U"));
    let id = Command::new("id")
        .arg("-un")
        .output()
        .map_err(|e| format!("cannot run id -un: {e}"))?;
    let user = String::from_utf8_lossy(&id.stdout).trim().to_owned();
    if user.is_empty() {
        return Err("id -un printed no user name".into());
    }
    Ok(Binaries {
        chronyd,
        chronyc,
        has_no_root_check,
        user,
    })
}

/// A fresh private directory, short enough for chronyc's socket paths
/// (chronyc binds `<dir>/chronyc.<pid>/<16 chars>/sock`, < 108 bytes).
fn make_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let tmp = std::env::temp_dir();
    let base = if tmp.as_os_str().len() <= 40 {
        tmp
    } else {
        PathBuf::from("/tmp")
    };
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("rcchrony-{}-{n}", std::process::id()));
        // chronyd refuses a command socket in a directory others can enter.
        match fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return dir,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_dir_all(&dir);
            }
            Err(e) => panic!("cannot create {}: {e}", dir.display()),
        }
    }
}

/// A running private chronyd; killed on drop.
#[derive(Debug)]
pub struct Chronyd {
    dir: PathBuf,
    conf: PathBuf,
    child: Option<Child>,
    expects_sock: bool,
    starts: u32,
}

impl Chronyd {
    /// Starts chronyd with `lines` (full directives, typically `refclock`
    /// lines; [`SOCK_PLACEHOLDER`] is replaced by [`sock_path`](Self::sock_path))
    /// plus the harness's private settings, and waits until its sockets
    /// exist.
    pub fn start(lines: &[String]) -> Chronyd {
        let bins = binaries();
        let dir = make_dir();
        let sock = dir.join("refclock.sock");
        let sock = sock.to_str().expect("UTF-8 temp path");
        let mut conf = String::from("# private chronyd for refclock's tests\n");
        let mut expects_sock = false;
        for line in lines {
            expects_sock |= line.contains(SOCK_PLACEHOLDER);
            conf.push_str(&line.replace(SOCK_PLACEHOLDER, sock));
            conf.push('\n');
        }
        let d = dir.display();
        conf.push_str(&format!(
            "port 0\n\
             cmdport 0\n\
             bindcmdaddress {d}/chronyd.sock\n\
             pidfile {d}/chronyd.pid\n\
             driftfile {d}/drift\n\
             logdir {d}/log\n\
             log refclocks\n\
             dumpdir {d}/dump\n\
             user {}\n",
            bins.user
        ));
        let conf_path = dir.join("chrony.conf");
        fs::write(&conf_path, conf).expect("write chrony.conf");
        let mut chronyd = Chronyd {
            dir,
            conf: conf_path,
            child: None,
            expects_sock,
            starts: 0,
        };
        chronyd.spawn();
        chronyd
    }

    /// The private directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The SOCK refclock socket chronyd binds ([`SOCK_PLACEHOLDER`]).
    pub fn sock_path(&self) -> PathBuf {
        self.dir.join("refclock.sock")
    }

    /// chronyd's command socket.
    pub fn command_socket(&self) -> PathBuf {
        self.dir.join("chronyd.sock")
    }

    /// Process id of the running chronyd.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether chronyd is running.
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => false,
        }
    }

    /// What chronyd printed (its `-d` log), all runs.
    pub fn output(&self) -> String {
        fs::read_to_string(self.dir.join("chronyd.log")).unwrap_or_default()
    }

    fn spawn(&mut self) {
        let bins = binaries();
        // After a kill the old sockets remain; the readiness check below
        // must see the new ones (chronyd would replace them anyway).
        let _ = fs::remove_file(self.sock_path());
        let _ = fs::remove_file(self.command_socket());
        self.starts += 1;
        let log_path = self.dir.join("chronyd.log");
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("open chronyd.log");
        let log2 = log.try_clone().expect("clone log");
        let mut cmd = Command::new(&bins.chronyd);
        cmd.arg("-x").arg("-d");
        if bins.has_no_root_check {
            cmd.arg("-U");
        }
        cmd.arg("-f")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bins.chronyd.display()));
        self.child = Some(child);

        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                panic!(
                    "chronyd exited during start-up ({status}):\n{}",
                    self.diagnostics()
                );
            }
            let ready =
                self.command_socket().exists() && (!self.expects_sock || self.sock_path().exists());
            if ready {
                return;
            }
            if Instant::now() >= deadline {
                panic!(
                    "chronyd not ready after {START_TIMEOUT:?}:\n{}",
                    self.diagnostics()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops chronyd (`chronyc shutdown`, then SIGKILL if it does not exit
    /// in time). Stopped gracefully it removes its sockets.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if matches!(child.try_wait(), Ok(None)) {
            let _ = self.try_chronyc(&["shutdown"]);
            let deadline = Instant::now() + STOP_TIMEOUT;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        if matches!(child.try_wait(), Ok(None)) {
            let _ = child.kill();
        }
        let _ = child.wait();
    }

    /// Stops and starts chronyd again with the same config (same socket
    /// paths, logs appended).
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Runs `chronyc -h <command socket> -n -c ARGS`; its output, or what
    /// went wrong.
    pub fn try_chronyc(&self, args: &[&str]) -> Result<String, String> {
        let bins = binaries();
        let out = Command::new(&bins.chronyc)
            .arg("-h")
            .arg(self.command_socket())
            .arg("-n")
            .arg("-c")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run chronyc: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            Ok(stdout)
        } else {
            Err(format!(
                "chronyc {args:?} failed ({}): {stdout}{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Like [`try_chronyc`](Self::try_chronyc), panicking on failure.
    pub fn chronyc(&self, args: &[&str]) -> String {
        self.try_chronyc(args)
            .unwrap_or_else(|e| panic!("{e}\n{}", self.diagnostics()))
    }

    /// `chronyc sources`, parsed.
    pub fn sources(&self) -> Vec<Source> {
        let out = self.chronyc(&["sources"]);
        out.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| parse_source(l).unwrap_or_else(|| panic!("bad sources line {l:?}")))
            .collect()
    }

    /// `chronyc sourcestats`, parsed.
    pub fn sourcestats(&self) -> Vec<SourceStats> {
        let out = self.chronyc(&["sourcestats"]);
        out.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| parse_sourcestats(l).unwrap_or_else(|| panic!("bad sourcestats line {l:?}")))
            .collect()
    }

    /// The source named `name` in [`sources`](Self::sources).
    pub fn source(&self, name: &str) -> Option<Source> {
        self.sources().into_iter().find(|s| s.name == name)
    }

    /// The stats of `name` in [`sourcestats`](Self::sourcestats).
    pub fn source_stats(&self, name: &str) -> Option<SourceStats> {
        self.sourcestats().into_iter().find(|s| s.name == name)
    }

    /// The data lines of `refclocks.log` (headers left out), all runs.
    pub fn refclock_log_lines(&self) -> Vec<String> {
        let text = fs::read_to_string(self.dir.join("log/refclocks.log")).unwrap_or_default();
        text.lines()
            .filter(|l| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('=') && !t.starts_with("Date")
            })
            .map(str::to_owned)
            .collect()
    }

    /// `refclocks.log`, parsed.
    pub fn refclock_log(&self) -> Vec<RefclockLogEntry> {
        self.refclock_log_lines()
            .iter()
            .map(|l| {
                parse_refclock_log(l).unwrap_or_else(|| panic!("bad refclocks.log line {l:?}"))
            })
            .collect()
    }

    /// The raw (unfiltered) offsets chronyd logged for the refclock `refid`,
    /// in the order it received them.
    pub fn raw_offsets(&self, refid: &str) -> Vec<f64> {
        self.refclock_log()
            .iter()
            .filter(|e| e.refid == refid)
            .filter_map(|e| e.raw_offset)
            .collect()
    }

    /// Polls `probe` every 100 ms until it returns `Some`, for at most
    /// `timeout`; panics with `what` and chronyd's state otherwise.
    pub fn wait_until<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&Chronyd) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = probe(self) {
                return v;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}\n{}",
                    self.diagnostics()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// chronyd's output, sources and refclock log, for a failure message.
    pub fn diagnostics(&self) -> String {
        let chronyc = |args: &[&str]| self.try_chronyc(args).unwrap_or_else(|e| e);
        format!(
            "--- chronyd output ({}):\n{}--- sources:\n{}--- sourcestats:\n{}--- refclocks.log:\n{}\n",
            self.dir.display(),
            self.output(),
            chronyc(&["sources"]),
            chronyc(&["sourcestats"]),
            self.refclock_log_lines().join("\n")
        )
    }
}

impl Drop for Chronyd {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let keep = std::env::var_os("REFCLOCK_KEEP_CHRONYD").is_some();
        if std::thread::panicking() || keep {
            eprintln!("chronyd directory kept: {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}
