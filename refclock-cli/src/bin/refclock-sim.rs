//! `refclock-sim`: a simulated reference-clock device on a pseudo-terminal
//! (see the `refclock-sim` crate): any driver's device model, chosen with
//! `--driver`, `--mode` and `--option`.
//!
//! Prints `PTY /dev/pts/N` (and `LINK PATH`) on stdout as soon as the
//! device exists, then plays the device until SIGINT/SIGTERM or the
//! `--duration`; when the device vanishes and comes back it prints
//! `VANISH /dev/pts/N` and a new `PTY` line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use refclock_core::os::signals;
use refclock_drivers::registry;
use refclock_sim::{
    device_model, parse_scenarios, simulated, DeviceSetup, Scenario, SimConfig, SimEventKind,
    SimHandle, Simulator, DEFAULT_DRIVER,
};

const USAGE: &str = "\
Usage: refclock-sim [OPTIONS]

Plays a reference-clock device on a pseudo-terminal: each second the
timecode's on-time character is written at the whole second (+ delay),
paced at the serial speed, and what the driver writes is answered.

Options:
  --driver NAME|TYPE        whose device to play (default nmea); with a device:
{DRIVERS}  --mode M                  the driver's mode (decimal or 0x hex), as the
                            device reads it (NMEA: the sentence bits choose the
                            sentences)
  --option KEY=VALUE        a device option (repeatable); NMEA: style=STYLE,
                            sentences=LIST, talker=XX
  --format nmea[:STYLE]     the NMEA device in a style: ublox (RMC GGA ZDA,
                            default), garmin (RMC GGA GLL PGRMF), mtk (GGA RMC
                            ZDA, 3 dec.), rmc (RMC only), legacy (GGA ZDA
                            without checksums)
  --sentences LIST          override the style's sentences, e.g. rmc,gga,zda
                            (rmc, gga, gll, zda, pgrmf, pubx04; the first is
                            on time)
  --talker XX               talker of the standard sentences (default GP)
  --scenario NAME[:PARAMS]  what goes wrong (repeatable, or joined with +):
{SCENARIOS}  --link PATH               make PATH a symbolic link to the pty slave
  --baud N                  pace bytes at N baud (default: the speed the driver
                            set on the slave)
  --burst                   write each second's output at once (no pacing)
  --delay MS                on-time character MS ms after the whole second
  --seed N                  seed of the random choices (default 1)
  --truth FILE              write the truth log (one line per message) to FILE
  --duration SECS           stop after SECS seconds (default: until a signal)
  -h, --help                show this help

Output on stdout: 'PTY /dev/pts/N' (and 'LINK PATH') once the device exists,
'VANISH /dev/pts/N' / 'PTY ...' when it goes and comes back.
";

const SYNOPSIS: &str = "\
Usage: refclock-sim [--driver NAME|TYPE] [--mode M] [--option KEY=VALUE]...
                    [--format nmea[:STYLE]] [--sentences LIST] [--talker XX]
                    [--scenario NAME[:PARAMS]]... [--link PATH] [--baud N | --burst]
                    [--delay MS] [--seed N] [--truth FILE] [--duration SECS]
Try 'refclock-sim --help' for more information.
";

fn usage() -> String {
    let scen: String = Scenario::help()
        .lines()
        .map(|l| format!("  {l}\n"))
        .collect();
    let drivers: String = simulated()
        .map(|d| {
            format!(
                "{:28}{} ({}, type {})\n",
                "", d.info.name, d.info.ntpd_name, d.info.kind
            )
        })
        .collect();
    USAGE
        .replace("{SCENARIOS}", &scen)
        .replace("{DRIVERS}", &drivers)
}

struct Opts {
    config: SimConfig,
}

/// The driver type of `--driver NAME|TYPE`.
fn driver_kind(v: &str) -> Result<u8, String> {
    let entry = match v.parse::<u8>() {
        Ok(kind) => registry::by_kind(kind),
        Err(_) => registry::by_name(v),
    };
    entry
        .map(|e| e.kind)
        .ok_or_else(|| format!("option --driver: unknown driver {v:?}"))
}

/// `--mode M`: decimal or `0x` hex.
fn mode(v: &str) -> Result<u32, String> {
    let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => v.parse(),
    };
    parsed.map_err(|_| format!("option --mode: {v:?} is not a valid mode"))
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
    let mut config = SimConfig {
        truth_capacity: 0,
        ..SimConfig::default()
    };
    let mut kind: Option<u8> = None;
    let mut format_given = false;
    let mut setup = DeviceSetup::default();
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
            "--driver" => kind = Some(driver_kind(value(name, inline, &mut it)?)?),
            "--mode" => setup.fudge.mode = mode(value(name, inline, &mut it)?)?,
            "--option" => {
                let v = value(name, inline, &mut it)?;
                let Some((key, val)) = v.split_once('=') else {
                    return Err(format!("option --option: {v:?} is not KEY=VALUE"));
                };
                setup.options.push((key.to_string(), val.to_string()));
            }
            "--format" => {
                // The NMEA device in a style, as before drivers had models.
                let v = value(name, inline, &mut it)?;
                let (format, style) = v.split_once(':').unwrap_or((v, "ublox"));
                if !format.eq_ignore_ascii_case("nmea") {
                    return Err(format!(
                        "unknown format {format:?} (expected nmea or nmea:STYLE)"
                    ));
                }
                setup.options.push(("style".into(), style.to_string()));
                format_given = true;
            }
            "--sentences" | "--talker" => {
                let v = value(name, inline, &mut it)?;
                let key = name.trim_start_matches('-');
                setup.options.push((key.to_string(), v.to_string()));
                format_given = true;
            }
            "--scenario" => {
                let v = value(name, inline, &mut it)?;
                scenarios.extend(parse_scenarios(v).map_err(|e| e.to_string())?);
            }
            "--link" => config.link = Some(PathBuf::from(value(name, inline, &mut it)?)),
            "--baud" => {
                let b: u32 = number(name, value(name, inline, &mut it)?)?;
                if b == 0 {
                    return Err("option --baud: the speed must be positive".into());
                }
                config.baud = Some(b);
                baud_given = true;
            }
            "--burst" => {
                if inline.is_some() {
                    return Err("option --burst takes no value".into());
                }
                config.paced = false;
            }
            "--delay" => {
                let ms: u64 = number(name, value(name, inline, &mut it)?)?;
                if ms >= 1000 {
                    return Err(format!("option --delay: {ms} ms is not below one second"));
                }
                config.delay = Duration::from_millis(ms);
            }
            "--seed" => config.seed = number(name, value(name, inline, &mut it)?)?,
            "--truth" => config.truth_log = Some(PathBuf::from(value(name, inline, &mut it)?)),
            "--duration" => {
                let secs: f64 = number(name, value(name, inline, &mut it)?)?;
                if !(secs.is_finite() && secs > 0.0) {
                    return Err(format!(
                        "option --duration: {secs} is not a positive duration"
                    ));
                }
                config.duration = Some(Duration::from_secs_f64(secs));
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    if baud_given && !config.paced {
        return Err("--baud and --burst exclude each other".into());
    }
    Scenario::check_combination(&scenarios).map_err(|e| e.to_string())?;
    config.scenarios = scenarios;
    let kind = kind.unwrap_or(DEFAULT_DRIVER);
    if format_given && kind != DEFAULT_DRIVER {
        return Err("--format, --sentences and --talker are NMEA options (--driver nmea)".into());
    }
    config.device = device_model(kind, &setup).map_err(|e| e.to_string())?;
    Ok(Some(Opts { config }))
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
