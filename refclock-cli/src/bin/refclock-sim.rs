//! `refclock-sim`: a simulated reference-clock receiver on a
//! pseudo-terminal (see `refclock_cli::sim`).
//!
//! Prints `PTY /dev/pts/N` (and `LINK PATH`) on stdout as soon as the
//! device exists, then writes the timecode until SIGINT/SIGTERM or the
//! `--duration`; when the device vanishes and comes back it prints
//! `VANISH /dev/pts/N` and a new `PTY` line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use refclock_cli::sim::{parse_scenarios, Format, SimConfig, SimEventKind, SimHandle, Simulator};
use refclock_core::os::signals;

const USAGE: &str = "\
Usage: refclock-sim [OPTIONS]

Plays a reference-clock receiver on a pseudo-terminal: each second the
timecode's on-time character is written at the whole second (+ delay),
paced at the serial speed.

Options:
  --format nmea[:STYLE]     timecode format; STYLE: ublox (RMC GGA ZDA, default),
                            garmin (RMC GGA GLL PGRMF), mtk (GGA RMC ZDA, 3 dec.),
                            rmc (RMC only), legacy (GGA ZDA without checksums)
  --sentences LIST          override the style's sentences, e.g. rmc,gga,zda
                            (rmc, gga, gll, zda, pgrmf; the first is on time)
  --talker XX               talker of the standard sentences (default GP)
  --scenario NAME[:PARAMS]  what goes wrong (repeatable, or joined with +):
{SCENARIOS}  --link PATH               make PATH a symbolic link to the pty slave
  --baud N                  pace bytes at N baud (default: the speed the driver
                            set on the slave)
  --burst                   write each second's output at once (no pacing)
  --delay MS                on-time character MS ms after the whole second
  --seed N                  seed of the random choices (default 1)
  --truth FILE              write the truth log (one line per sentence) to FILE
  --duration SECS           stop after SECS seconds (default: until a signal)
  -h, --help                show this help

Output on stdout: 'PTY /dev/pts/N' (and 'LINK PATH') once the device exists,
'VANISH /dev/pts/N' / 'PTY ...' when it goes and comes back.
";

const SYNOPSIS: &str = "\
Usage: refclock-sim [--format nmea[:STYLE]] [--sentences LIST] [--talker XX]
                    [--scenario NAME[:PARAMS]]... [--link PATH] [--baud N | --burst]
                    [--delay MS] [--seed N] [--truth FILE] [--duration SECS]
Try 'refclock-sim --help' for more information.
";

fn usage() -> String {
    let scen: String = refclock_cli::sim::Scenario::help()
        .lines()
        .map(|l| format!("  {l}\n"))
        .collect();
    USAGE.replace("{SCENARIOS}", &scen)
}

struct Opts {
    config: SimConfig,
    sentences: Option<String>,
    talker: Option<String>,
}

fn value<'a>(
    name: &str,
    inline: Option<&'a str>,
    it: &mut impl Iterator<Item = &'a String>,
) -> Result<&'a str, String> {
    match inline {
        Some(v) => Ok(v),
        None => it
            .next()
            .map(|s| s.as_str())
            .ok_or_else(|| format!("option {name} needs a value")),
    }
}

fn number<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("option {name}: {v:?} is not a valid number"))
}

/// Parses the command line; `Ok(None)` means `--help`.
fn parse(args: &[String]) -> Result<Option<Opts>, String> {
    let mut o = Opts {
        config: SimConfig {
            truth_capacity: 0,
            ..SimConfig::default()
        },
        sentences: None,
        talker: None,
    };
    let mut scenarios = Vec::new();
    let mut baud_given = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (arg.as_str(), None),
        };
        match name {
            "-h" | "--help" => return Ok(None),
            "--format" => {
                o.config.format = value(name, inline, &mut it)?
                    .parse::<Format>()
                    .map_err(|e| e.to_string())?
            }
            "--sentences" => o.sentences = Some(value(name, inline, &mut it)?.to_string()),
            "--talker" => o.talker = Some(value(name, inline, &mut it)?.to_string()),
            "--scenario" => {
                let v = value(name, inline, &mut it)?;
                scenarios.extend(parse_scenarios(v).map_err(|e| e.to_string())?);
            }
            "--link" => o.config.link = Some(PathBuf::from(value(name, inline, &mut it)?)),
            "--baud" => {
                let b: u32 = number(name, value(name, inline, &mut it)?)?;
                if b == 0 {
                    return Err("option --baud: the speed must be positive".into());
                }
                o.config.baud = Some(b);
                baud_given = true;
            }
            "--burst" => {
                if inline.is_some() {
                    return Err("option --burst takes no value".into());
                }
                o.config.paced = false;
            }
            "--delay" => {
                let ms: u64 = number(name, value(name, inline, &mut it)?)?;
                if ms >= 1000 {
                    return Err(format!("option --delay: {ms} ms is not below one second"));
                }
                o.config.delay = Duration::from_millis(ms);
            }
            "--seed" => o.config.seed = number(name, value(name, inline, &mut it)?)?,
            "--truth" => o.config.truth_log = Some(PathBuf::from(value(name, inline, &mut it)?)),
            "--duration" => {
                let secs: f64 = number(name, value(name, inline, &mut it)?)?;
                if !(secs.is_finite() && secs > 0.0) {
                    return Err(format!(
                        "option --duration: {secs} is not a positive duration"
                    ));
                }
                o.config.duration = Some(Duration::from_secs_f64(secs));
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    if baud_given && !o.config.paced {
        return Err("--baud and --burst exclude each other".into());
    }
    refclock_cli::sim::Scenario::check_combination(&scenarios).map_err(|e| e.to_string())?;
    o.config.scenarios = scenarios;
    let Format::Nmea(style) = &mut o.config.format;
    if let Some(list) = &o.sentences {
        *style = style
            .clone()
            .with_sentences(list)
            .map_err(|e| e.to_string())?;
    }
    if let Some(t) = &o.talker {
        *style = style.clone().with_talker(t).map_err(|e| e.to_string())?;
    }
    Ok(Some(o))
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout must not stop the receiver.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn run(handle: &mut SimHandle, link: Option<&std::path::Path>) -> Result<(), String> {
    let mut seen = 0;
    let mut first = true;
    while handle.is_running() && signals::quit_signal().is_none() {
        let events = handle.events();
        for e in &events[seen..] {
            match &e.kind {
                SimEventKind::Appeared(p) => {
                    say(&format!("PTY {}", p.display()));
                    if first {
                        if let Some(l) = link {
                            say(&format!("LINK {}", l.display()));
                        }
                        first = false;
                    }
                }
                SimEventKind::Vanished(p) => say(&format!("VANISH {}", p.display())),
                SimEventKind::Error(m) => eprintln!("refclock-sim: {m}"),
                SimEventKind::Stopped => {}
            }
        }
        seen = events.len();
        std::thread::sleep(Duration::from_millis(50));
    }
    handle.stop().map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse(&args) {
        Ok(Some(o)) => o,
        Ok(None) => {
            print!("{}", usage());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("refclock-sim: {e}");
            eprint!("{SYNOPSIS}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = signals::install() {
        eprintln!("refclock-sim: cannot install signal handlers: {e}");
        return ExitCode::from(1);
    }
    let link = opts.config.link.clone();
    let mut handle = match Simulator::start(opts.config) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("refclock-sim: {e}");
            return ExitCode::from(1);
        }
    };
    match run(&mut handle, link.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("refclock-sim: {e}");
            ExitCode::from(1)
        }
    }
}
