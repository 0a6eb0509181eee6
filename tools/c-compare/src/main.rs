//! `refclock-compare`: runs the C `ntp-refclock` (as `ntp-refclock-c`)
//! and ours side by side on two simulated devices of the same model and
//! seed, compares their `SAMPLE:` lines, and records the C program's run
//! as a golden directory for `refclock-drivers/tests/c_golden.rs`. See
//! `tools/c-compare/README.md`.

mod golden;
mod programs;
mod samples;

use std::path::{Path, PathBuf};
use std::time::Duration;

use refclock_core::calendar::CivilTime;
use refclock_core::fudge::ClockFlags;
use refclock_core::os::clock::now;
use refclock_core::sim::DeviceSetup;
use refclock_core::{DriverConfig, Fudge, PortId};
use refclock_drivers::registry;
use refclock_sim::{device_model, parse_scenarios, SimConfig, SimHandle, Simulator};

use programs::{Finished, Running};
use samples::{compare, sample_lines, Overlap};

const USAGE: &str = "\
Usage: refclock-compare [OPTIONS] DRIVER [mode M] [time1 S] [time2 S] [flagN 0|1]...

Runs the C ntp-refclock and ours side by side, each on its own simulated
device (same model, seed and scenarios), compares their SAMPLE lines and
writes the golden directory refclock-drivers/tests/golden/DRIVER-CASE/.
Run it as root (the C program opens /dev/gps0 and the like).

DRIVER is a type number (20) or a name (nmea).

Options:
  --case NAME        the case's name (default: the scenario)
  --scenario S       the simulator's scenarios joined with + (default clean)
  -i N               poll exponent of both programs (default 1)
  --duration SECS    how long both programs run (default 40)
  --seed N           the simulator's seed (default 1)
  --device-option K=V  an option of the simulated device model (repeatable)
  --ours PATH        our ntp-refclock (default: debug/ntp-refclock under
                     CARGO_TARGET_DIR or the workspace's target/)
  --c-program PATH   the C program (default ntp-refclock-c)
  --golden DIR       where case directories go (default
                     refclock-drivers/tests/golden in the workspace)
  --dry-run          compare and print the report, write nothing
  --phone N          give both programs `-p N` (repeatable; telephone JJY)
  --ours-option O    give ours `option O` (write it into the case's
                     driver-options file for c_golden)
  -h, --help         this help
";

/// The command line.
#[derive(Debug)]
struct Args {
    kind: u8,
    options: Vec<(String, String)>,
    /// Options of the simulated device (`--device-option key=value`).
    device_options: Vec<(String, String)>,
    case: Option<String>,
    scenario: String,
    poll: u8,
    duration: u64,
    seed: u64,
    ours: PathBuf,
    c_program: String,
    golden: PathBuf,
    dry_run: bool,
    words: Vec<String>,
    /// `-p` numbers given to both programs (`--phone N`).
    phones: Vec<String>,
    /// `option NAME=VALUE` for ours only (`--ours-option`).
    ours_options: Vec<String>,
}

fn workspace() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    dir.canonicalize().unwrap_or(dir)
}

fn default_ours() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    target.join("debug/ntp-refclock")
}

fn parse_args(words: Vec<String>) -> Result<Args, String> {
    let mut args = Args {
        kind: 0,
        options: Vec::new(),
        device_options: Vec::new(),
        case: None,
        scenario: "clean".into(),
        poll: 1,
        duration: 40,
        seed: 1,
        ours: default_ours(),
        c_program: "ntp-refclock-c".into(),
        golden: workspace().join("refclock-drivers/tests/golden"),
        dry_run: false,
        words: words.clone(),
        phones: Vec::new(),
        ours_options: Vec::new(),
    };
    let mut it = words.into_iter();
    let num = |v: Option<String>, what: &str| -> Result<u64, String> {
        v.ok_or(format!("{what} needs a value"))?
            .parse()
            .map_err(|_| format!("{what}: not a number"))
    };
    let driver = loop {
        let Some(w) = it.next() else {
            return Err("no driver given".into());
        };
        match w.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            "--case" => args.case = Some(it.next().ok_or("--case needs a value")?),
            "--scenario" => args.scenario = it.next().ok_or("--scenario needs a value")?,
            "-i" => {
                args.poll = num(it.next(), "-i")?
                    .try_into()
                    .map_err(|_| "-i: too big")?
            }
            "--duration" => args.duration = num(it.next(), "--duration")?,
            "--seed" => args.seed = num(it.next(), "--seed")?,
            "--ours" => args.ours = it.next().ok_or("--ours needs a value")?.into(),
            "--c-program" => args.c_program = it.next().ok_or("--c-program needs a value")?,
            "--golden" => args.golden = it.next().ok_or("--golden needs a value")?.into(),
            "--dry-run" => args.dry_run = true,
            "--phone" => args.phones.push(it.next().ok_or("--phone needs a number")?),
            "--ours-option" => args
                .ours_options
                .push(it.next().ok_or("--ours-option needs NAME[=VALUE]")?),
            "--device-option" => {
                let kv = it.next().ok_or("--device-option needs key=value")?;
                let (k, v) = kv
                    .split_once('=')
                    .ok_or("--device-option needs key=value")?;
                args.device_options.push((k.to_string(), v.to_string()));
            }
            w if w.starts_with('-') => return Err(format!("unknown option {w}")),
            _ => break w,
        }
    };
    let entry = match driver.parse::<u8>() {
        Ok(kind) => registry::by_kind(kind),
        Err(_) => registry::by_name(&driver),
    }
    .ok_or_else(|| format!("no driver {driver}"))?;
    args.kind = entry.kind;
    while let Some(key) = it.next() {
        let value = it.next().ok_or(format!("{key} needs a value"))?;
        let known = ["mode", "time1", "time2", "flag1", "flag2", "flag3", "flag4"];
        if !known.contains(&key.as_str()) {
            return Err(format!(
                "unknown driver option {key} (the C program takes {known:?})"
            ));
        }
        args.options.push((key, value));
    }
    Ok(args)
}

fn fudge_of(options: &[(String, String)]) -> Result<Fudge, String> {
    let mut fudge = Fudge::default();
    for (key, value) in options {
        let bad = || format!("{key} {value}: bad value");
        match key.as_str() {
            // The C program reads it with atoi(): decimal only.
            "mode" => fudge.mode = value.parse().map_err(|_| bad() + " (decimal)")?,
            "time1" => fudge.time1 = Some(value.parse().map_err(|_| bad())?),
            "time2" => fudge.time2 = Some(value.parse().map_err(|_| bad())?),
            flag => {
                let n: u8 = flag[4..].parse().map_err(|_| bad())?;
                let f = ClockFlags::numbered(n).ok_or_else(bad)?;
                fudge.flags.set(f, value != "0");
            }
        }
    }
    Ok(fudge)
}

fn date_now() -> String {
    let t = CivilTime::from_timestamp(now());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// Starts the two simulators in the same wall second (so that their
/// timelines, and with them every scenario's choices, are the same).
fn start_pair(
    make: &dyn Fn(PathBuf, PathBuf) -> Result<SimConfig, String>,
    links: [(PathBuf, PathBuf); 2],
) -> Result<(SimHandle, SimHandle), String> {
    for _ in 0..5 {
        // Early in a second, well before the simulator plans the next.
        loop {
            let frac = now().subsec_nanos();
            if (100_000_000..500_000_000).contains(&frac) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let before = now();
        let [(l1, t1), (l2, t2)] = &links;
        let a = Simulator::start(make(l1.clone(), t1.clone())?).map_err(|e| e.to_string())?;
        let b = Simulator::start(make(l2.clone(), t2.clone())?).map_err(|e| e.to_string())?;
        if now().secs() == before.secs() {
            return Ok((a, b));
        }
        drop((a, b));
    }
    Err("could not start both simulators within one second".into())
}

fn run(args: &Args) -> Result<(), String> {
    if !nix::unistd::geteuid().is_root() {
        return Err("run as root: the C program opens its fixed device path".into());
    }
    let implemented = registry::implemented(args.kind)
        .ok_or(format!("driver type {} is not in this build", args.kind))?;
    let info = implemented.info;
    let fudge = fudge_of(&args.options)?;
    let scenarios = parse_scenarios(&args.scenario).map_err(|e| e.to_string())?;
    let setup = DeviceSetup {
        unit: 0,
        fudge: fudge.clone(),
        options: args.device_options.clone(),
    };
    // The C program's device: our driver's default path is ntpd's.
    // With the case's mode: a driver of many modes (PARSE) may refuse
    // its default one.
    let config = DriverConfig {
        fudge: fudge.clone(),
        phones: args.phones.clone(),
        ..DriverConfig::default()
    };
    let clock = registry::start(args.kind, config)
        .ok_or("driver not in this build")?
        .map_err(|e| e.to_string())?;
    let c_device = clock
        .ports()
        .get(PortId::MAIN)
        .and_then(|p| p.kind.path())
        .ok_or("the driver has no device path")?
        .to_path_buf();
    drop(clock);
    if c_device.symlink_metadata().is_ok() {
        return Err(format!(
            "{} exists already; remove it first",
            c_device.display()
        ));
    }
    if !args.ours.exists() {
        return Err(format!(
            "{} not found: cargo build -p refclock-cli (or --ours PATH)",
            args.ours.display()
        ));
    }
    let case = args.case.clone().unwrap_or_else(|| {
        args.scenario
            .replace(['+', ':', ',', '='], "-")
            .trim_matches('-')
            .to_string()
    });
    // Golden directories are named after the driver's module: PARSE's
    // readable name is ntpd's "generic", its module `parse`.
    let module = if info.kind == 8 { "parse" } else { info.name };
    let name = format!("{module}-{case}");
    let tmp = TempDir::new()?;
    let tmp = &tmp.0;
    let (c_truth, ours_truth, ours_link) = (
        tmp.join("c-truth.log"),
        tmp.join("ours-truth.log"),
        tmp.join("ours-device"),
    );
    let sim_secs = args.duration + 3;
    let make = |link: PathBuf, truth: PathBuf| -> Result<SimConfig, String> {
        let device = device_model(args.kind, &setup).map_err(|e| e.to_string())?;
        Ok(SimConfig {
            scenarios: scenarios.clone(),
            link: Some(link),
            seed: args.seed,
            truth_log: Some(truth),
            duration: Some(Duration::from_secs(sim_secs)),
            ..SimConfig::new(device)
        })
    };
    let describe = device_model(args.kind, &setup)
        .map_err(|e| e.to_string())?
        .describe();
    let (mut c_sim, mut ours_sim) = start_pair(
        &make,
        [
            (c_device.clone(), c_truth.clone()),
            (ours_link.clone(), ours_truth.clone()),
        ],
    )?;
    let (c_argv, ours_argv) = command_lines(args, &ours_link);
    eprintln!(
        "running {name} for {} s: {}",
        args.duration,
        c_argv.join(" ")
    );
    // Line-buffered, so that each debug line (each poll) is timed as it
    // happens; a pipe would otherwise get the output at exit.
    let mut c_run = vec!["stdbuf".to_string(), "-oL".to_string()];
    c_run.extend(c_argv.iter().cloned());
    let (c, ours) = run_both(&c_run, &ours_argv, Duration::from_secs(args.duration))?;
    let _ = c_sim.stop();
    let _ = ours_sim.stop();
    drop((c_sim, ours_sim));

    let truth =
        std::fs::read_to_string(&c_truth).map_err(|e| format!("{}: {e}", c_truth.display()))?;
    // Needed to replay the run; a dry run only warns when it cannot be had.
    let garbage = golden::garbage_file(&truth, args.kind, &setup, &scenarios, args.seed);
    let c_samples = sample_lines(c.stdout.iter().map(|l| l.text.as_str()));
    let o_samples = sample_lines(ours.stdout.iter().map(|l| l.text.as_str()));
    let overlap = Overlap {
        from: c.started.max(ours.started),
        to: c.stopped.min(ours.stopped),
    };
    let cmp = compare(&c_samples, &o_samples, overlap);
    let version = programs::output_of(&[&args.c_program, "-v"])?;
    let command = format!(
        "# refclock-compare case {name}, recorded {date}\n\
         c-version: {version}\n\
         c-command: {c_cmd}\n\
         c-device: {c_dev}\n\
         c-exit: {c_exit}\n\
         ours-command: {o_cmd}\n\
         ours-exit: {o_exit}\n\
         simulator: driver={kind} ({ntpd}) device=\"{describe}\" mode={mode} scenarios={sc} seed={seed} delay_ms=0 paced\n\
         duration: {dur} s\n\
         record-again: refclock-compare {words}\n",
        date = date_now(),
        c_cmd = c_argv.join(" "),
        c_dev = c_device.display(),
        c_exit = c.status,
        o_cmd = ours_argv.join(" "),
        o_exit = ours.status,
        kind = args.kind,
        ntpd = info.ntpd_name,
        mode = fudge.mode,
        sc = args.scenario,
        seed = args.seed,
        dur = args.duration,
        words = args.words.join(" "),
    );
    let report = format!(
        "# {name}: the C program and ours, side by side on devices of the same model and seed\n{}\
         \nC program's stderr:\n{}\nour stderr (first lines):\n{}",
        cmp.report(),
        indent(&c, 20),
        indent(&ours, 20),
    );
    let files = golden::Golden {
        command,
        c_samples: lines_of(&c_samples),
        c_timing: timing(&c),
        truth,
        garbage: String::new(),
        ours_samples: lines_of(&o_samples),
        report: report.clone(),
    };
    print!("{report}");
    if args.dry_run {
        if let Err(e) = garbage {
            eprintln!("warning: such a run could not be recorded: {e}");
        }
        return Ok(());
    }
    let files = golden::Golden {
        garbage: garbage?,
        ..files
    };
    let dir = args.golden.join(&name);
    files.write(&dir)?;
    eprintln!("wrote {}", dir.display());
    Ok(())
}

/// A directory of our own under the system's, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir, String> {
        let dir = std::env::temp_dir().join(format!("refclock-compare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The C program's command line and ours: the same options, ours with
/// `path` to its device.
fn command_lines(args: &Args, ours_link: &Path) -> (Vec<String>, Vec<String>) {
    let address = format!("127.127.{}.0", args.kind);
    let poll = args.poll.to_string();
    let mut common: Vec<String> = ["-u", "root", "-r", "/", "-i", &poll, "-d"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for phone in &args.phones {
        common.extend(["-p".to_string(), phone.clone()]);
    }
    common.push(address);
    for (k, v) in &args.options {
        common.extend([k.clone(), v.clone()]);
    }
    let mut c_argv = vec![args.c_program.clone()];
    c_argv.extend(common.iter().cloned());
    let mut ours_argv = vec![args.ours.display().to_string()];
    ours_argv.extend(common);
    ours_argv.extend(["path".to_string(), ours_link.display().to_string()]);
    for o in &args.ours_options {
        ours_argv.extend(["option".to_string(), o.clone()]);
    }
    (c_argv, ours_argv)
}

/// Runs both programs for `duration`, then stops them with SIGTERM.
fn run_both(
    c_run: &[String],
    ours_argv: &[String],
    duration: Duration,
) -> Result<(Finished, Finished), String> {
    let mut c = Running::start("C program", c_run)?;
    let mut ours = match Running::start("ours", ours_argv) {
        Ok(o) => o,
        Err(e) => {
            c.stop();
            return Err(e);
        }
    };
    let end = std::time::Instant::now() + duration;
    let mut warned = [false; 2];
    while std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
        for (p, warned) in [&mut c, &mut ours].into_iter().zip(&mut warned) {
            if let (false, Some(status)) = (*warned, p.exited()) {
                eprintln!("warning: {} ended early: {status}", p.name);
                *warned = true;
            }
        }
    }
    Ok((c.stop(), ours.stop()))
}

fn lines_of(samples: &[samples::SampleLine]) -> String {
    samples.iter().map(|s| format!("{}\n", s.text)).collect()
}

fn indent(p: &Finished, max: usize) -> String {
    p.stderr
        .iter()
        .take(max)
        .map(|l| format!("  {}\n", l.text))
        .collect()
}

/// `c.timing`: the start, each poll's tick and when its debug line came,
/// the stop.
fn timing(c: &Finished) -> String {
    let mut out = String::from(
        "# The C program's run: START (spawned) and STOP (SIGTERM sent), system time;\n\
         # each POLL: its tick (ntpd's current_time, one a second from the first at\n\
         # start) and when its \"refclock_transmit: at N\" debug line was read.\n",
    );
    out.push_str(&format!("START at={}\n", c.started));
    for line in &c.stdout {
        let tick = line
            .text
            .strip_prefix("refclock_transmit: at ")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(tick) = tick {
            out.push_str(&format!("POLL tick={tick} at={}\n", line.at));
        }
    }
    out.push_str(&format!("STOP at={}\n", c.stopped));
    out
}

fn main() {
    let words: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(words) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("refclock-compare: {e}\n\n{USAGE}");
            std::process::exit(1);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("refclock-compare: {e}");
        std::process::exit(2);
    }
}
