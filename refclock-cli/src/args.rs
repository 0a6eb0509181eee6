//! The command line: `ntp-refclock [OPTION]... 127.127.TYPE.UNIT [DRIVER-OPTION]...`
//!
//! Options are parsed as the C program's `getopt("+c:dli:p:r:s:u:vh")`
//! does: clustered flags (`-dd`), attached or separate arguments (`-s/path`,
//! `-s /path`), and parsing stops at the first non-option (the address) or
//! `--`. `-l`, `-v` and `-h` act at once when they are met. Beyond the C
//! program: the address may be a driver name (`nmea`, `GPS_NMEA`), the
//! driver options `stratum`, `refid`, `unit`, `path` and `ppspath` exist,
//! `-P PRIORITY` gives real-time scheduling as ntpd's `-P` does, numbers
//! are checked strictly (the C program's `atoi` turns typos into 0), `mode`
//! takes hex (`0x50`) too, and `--simulate[=SCENARIO]` runs the
//! driver against a built-in simulated receiver.

use std::path::PathBuf;

use refclock_core::fudge::{refid_from_str, ClockFlags, Fudge};
use refclock_drivers::registry;

/// Default user to drop to when started as root (`-u`).
pub const DEFAULT_USER: &str = "nobody";
/// Default chroot directory (`-r`).
pub const DEFAULT_ROOTDIR: &str = "/var/empty";
/// Largest number of `-p` phone numbers: 10, as the C program's man page
/// promises. (Its table of 10 keeps a NULL terminator, so the C program
/// itself stops at 9; every command line it takes is taken here too.)
pub const MAX_PHONES: usize = 10;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run a driver.
    Run(Box<Options>),
    /// `-l`: list the drivers.
    List,
    /// `-v`: print the version.
    Version,
    /// `-h`: print the usage.
    Help,
}

/// Options for running one clock.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `-s`: chrony SOCK socket to send samples to.
    pub socket: Option<PathBuf>,
    /// `-u`: user to become when started as root.
    pub user: String,
    /// `-r`: directory to chroot to when started as root.
    pub root_dir: PathBuf,
    /// `-c`: clockstats file (`-` = stdout).
    pub clockstats: Option<String>,
    /// `-i`: poll exponent (default 6).
    pub poll: u8,
    /// Whether `-i` was given (else a driver's forced range applies).
    pub poll_explicit: bool,
    /// `-p`: phone numbers / AT commands.
    pub phones: Vec<String>,
    /// `-d` count.
    pub debug: u8,
    /// `-P`: run with SCHED_FIFO at this priority and memory locked.
    pub priority: Option<i32>,
    /// `--simulate[=SCENARIO]`: run against the built-in simulated receiver.
    pub simulate: Option<String>,
    /// The clock.
    pub clock: ClockSpec,
}

/// The clock address and driver options.
#[derive(Debug, Clone, PartialEq)]
pub struct ClockSpec {
    /// Driver type number.
    pub kind: u8,
    /// Unit number.
    pub unit: u8,
    /// Fudge values and mode.
    pub fudge: Fudge,
    /// `path DEVICE`: device path override.
    pub device: Option<PathBuf>,
    /// `ppspath DEVICE`: PPS device path override.
    pub pps_device: Option<PathBuf>,
    /// `option NAME[=VALUE]`: the driver's own options, in order.
    pub options: Vec<(String, Option<String>)>,
}

/// What is wrong with the command line. The program prints the message and
/// the usage, and exits 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    /// An option letter we do not know.
    #[error("invalid option -- '{0}'")]
    UnknownOption(char),
    /// An option without its argument.
    #[error("option requires an argument -- '{0}'")]
    MissingOptionArgument(char),
    /// A bad option value.
    #[error("invalid value {value:?} for -{option}: {reason}")]
    BadOptionValue {
        /// The option.
        option: char,
        /// What was given.
        value: String,
        /// Why it is wrong.
        reason: String,
    },
    /// No clock address.
    #[error("missing reference clock address")]
    MissingAddress,
    /// The address does not parse.
    #[error(
        "Could not parse refclock address {0:?} (expected 127.127.TYPE.UNIT or a driver name)"
    )]
    BadAddress(String),
    /// A type number that is no driver.
    #[error("Invalid refclock type {0}")]
    InvalidType(u32),
    /// A known type this build lacks.
    #[error(
        "Missing driver for refclock type {kind} ({name}); `-l` lists the drivers this build has"
    )]
    MissingDriver {
        /// Type number.
        kind: u8,
        /// ntpd name.
        name: &'static str,
    },
    /// A driver option without its value.
    #[error("Missing argument for {0}")]
    MissingValue(String),
    /// A driver option we do not know.
    #[error("Unknown refclock option {0}")]
    UnknownDriverOption(String),
    /// A bad driver option value.
    #[error("invalid value {value:?} for {option}: {reason}")]
    BadValue {
        /// The option.
        option: String,
        /// What was given.
        value: String,
        /// Why it is wrong.
        reason: String,
    },
    /// More than [`MAX_PHONES`] `-p`.
    #[error("Too many phone numbers")]
    TooManyPhones,
}

/// The usage text (`-h`), with the program name as invoked.
pub fn usage(prog: &str) -> String {
    let mut s = format!(
        "Usage: {prog} [OPTION]... 127.127.TYPE.UNIT [DRIVER-OPTION]...\n\
         \x20      {prog} [OPTION]... DRIVER-NAME [DRIVER-OPTION]...\n\
         \nDriver options:\n\
         \x20 mode MODE\n\
         \x20 time1 FUDGE\n\
         \x20 time2 FUDGE\n\
         \x20 stratum STRATUM\n\
         \x20 refid REFID\n\
         \x20 flag1 0|1\n\
         \x20 flag2 0|1\n\
         \x20 flag3 0|1\n\
         \x20 flag4 0|1\n\
         \x20 unit UNIT\t\tUnit number when the clock is given by name\n\
         \x20 path DEVICE\t\tUse DEVICE instead of the driver's default device\n\
         \x20 ppspath DEVICE\tUse DEVICE as the PPS device\n\
         \nOptions:\n\
         \x20 -s SOCKET\tSend samples to chrony refclock SOCKET\n\
         \x20 -u USER\tRun as USER (default: {DEFAULT_USER})\n\
         \x20 -r DIR\tChange root directory to DIR (default: {DEFAULT_ROOTDIR})\n\
         \x20 -c FILE\tWrite reference clock statistics to FILE\n\
         \x20 -i INTERVAL\tSet minpoll and maxpoll to INTERVAL (default: 6)\n\
         \x20 -p AT-COMMAND\tSpecify phone number as AT command for modem drivers\n\
         \x20 -P PRIORITY\tRun with SCHED_FIFO at PRIORITY and memory locked\n\
         \x20 -d\t\tIncrease debug level\n\
         \x20 -l\t\tPrint available drivers\n\
         \x20 -v\t\tPrint version\n\
         \x20 -h\t\tPrint usage\n\
         \x20 --simulate[=SCENARIO]\n\
         \x20\t\tRun the driver against a built-in simulated receiver\n"
    );
    s.push_str("\nDrivers in this build:");
    for e in registry::available() {
        s.push_str(&format!(" {} (127.127.{}.U)", e.info.name, e.info.kind));
    }
    s.push('\n');
    s
}

fn parse_u8(option: &str, value: &str, max: u8) -> Result<u8, ArgError> {
    match value.parse::<u8>() {
        Ok(v) if v <= max => Ok(v),
        _ => Err(ArgError::BadValue {
            option: option.into(),
            value: value.into(),
            reason: format!("expected a whole number from 0 to {max}"),
        }),
    }
}

fn parse_mode(value: &str) -> Result<u32, ArgError> {
    let r = if let Some(hex) = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        u32::from_str_radix(hex, 16)
    } else {
        value.parse::<u32>()
    };
    r.map_err(|_| ArgError::BadValue {
        option: "mode".into(),
        value: value.into(),
        reason: "expected a whole number (decimal, or hex with 0x)".into(),
    })
}

fn parse_seconds(option: &str, value: &str) -> Result<f64, ArgError> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() < 1e6 => Ok(v),
        _ => Err(ArgError::BadValue {
            option: option.into(),
            value: value.into(),
            reason: "expected a number of seconds".into(),
        }),
    }
}

fn parse_flag(option: &str, value: &str) -> Result<bool, ArgError> {
    match value {
        "0" => Ok(false),
        "1" => Ok(true),
        _ => Err(ArgError::BadValue {
            option: option.into(),
            value: value.into(),
            reason: "expected 0 or 1".into(),
        }),
    }
}

/// Parses `127.127.TYPE.UNIT` or a driver name into (type, unit, named).
fn parse_address(addr: &str) -> Result<(u8, u8, bool), ArgError> {
    if let Some(rest) = addr.strip_prefix("127.127.") {
        let mut it = rest.split('.');
        let (Some(t), Some(u), None) = (it.next(), it.next(), it.next()) else {
            return Err(ArgError::BadAddress(addr.into()));
        };
        let kind: u32 = t.parse().map_err(|_| ArgError::BadAddress(addr.into()))?;
        let unit: u8 = u.parse().map_err(|_| ArgError::BadAddress(addr.into()))?;
        if kind > 255 {
            return Err(ArgError::InvalidType(kind));
        }
        return Ok((kind as u8, unit, false));
    }
    match registry::by_name(addr) {
        Some(e) => Ok((e.kind, 0, true)),
        None => Err(ArgError::BadAddress(addr.into())),
    }
}

fn parse_clock(args: &[String]) -> Result<ClockSpec, ArgError> {
    let addr = args.first().ok_or(ArgError::MissingAddress)?;
    let (kind, mut unit, named) = parse_address(addr)?;
    let entry = registry::by_kind(kind).ok_or(ArgError::InvalidType(kind as u32))?;
    if entry.implemented().is_none() {
        return Err(ArgError::MissingDriver {
            kind,
            name: entry.ntpd_name,
        });
    }
    let mut fudge = Fudge::default();
    let mut device = None;
    let mut pps_device = None;
    let mut options = Vec::new();
    let mut rest = args[1..].iter();
    while let Some(name) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| ArgError::MissingValue(name.clone()))?;
        match name.as_str() {
            "mode" => fudge.mode = parse_mode(value)?,
            "time1" => fudge.time1 = Some(parse_seconds(name, value)?),
            "time2" => fudge.time2 = Some(parse_seconds(name, value)?),
            "stratum" => fudge.stratum = Some(parse_u8(name, value, 15)?),
            "refid" => {
                fudge.refid = Some(refid_from_str(value).ok_or_else(|| ArgError::BadValue {
                    option: name.clone(),
                    value: value.clone(),
                    reason: "expected 1 to 4 printable ASCII characters".into(),
                })?)
            }
            "flag1" | "flag2" | "flag3" | "flag4" => {
                let n = name.as_bytes()[4] - b'0';
                let flag = ClockFlags::numbered(n).expect("flag1..4");
                fudge.flags.set(flag, parse_flag(name, value)?);
            }
            "unit" if named => unit = parse_u8(name, value, 255)?,
            "path" => device = Some(PathBuf::from(value)),
            "ppspath" => pps_device = Some(PathBuf::from(value)),
            "option" => options.push(match value.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (value.clone(), None),
            }),
            _ => return Err(ArgError::UnknownDriverOption(name.clone())),
        }
    }
    if let Some(driver) = entry.implemented() {
        refclock_core::driver::check_options(driver.options, &options).map_err(|e| {
            ArgError::BadValue {
                option: "option".into(),
                value: options_text(&options),
                reason: e.to_string(),
            }
        })?;
    }
    Ok(ClockSpec {
        kind,
        unit,
        fudge,
        device,
        pps_device,
        options,
    })
}

fn options_text(options: &[(String, Option<String>)]) -> String {
    let words: Vec<String> = options
        .iter()
        .map(|(n, v)| match v {
            Some(v) => format!("{n}={v}"),
            None => n.clone(),
        })
        .collect();
    words.join(" ")
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Command, ArgError> {
    let mut o = Options {
        socket: None,
        user: DEFAULT_USER.into(),
        root_dir: DEFAULT_ROOTDIR.into(),
        clockstats: None,
        poll: 6,
        poll_explicit: false,
        phones: Vec::new(),
        debug: 0,
        priority: None,
        simulate: None,
        clock: ClockSpec {
            kind: 0,
            unit: 0,
            fudge: Fudge::default(),
            device: None,
            pps_device: None,
            options: Vec::new(),
        },
    };
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            i += 1;
            break;
        }
        if arg == "--simulate" {
            o.simulate = Some("clean".into());
            i += 1;
            continue;
        }
        if let Some(s) = arg.strip_prefix("--simulate=") {
            o.simulate = Some(s.into());
            i += 1;
            continue;
        }
        if arg.starts_with("--") {
            return Err(ArgError::UnknownOption('-'));
        }
        let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) else {
            break;
        };
        for (pos, c) in cluster.char_indices() {
            match c {
                'd' => o.debug = o.debug.saturating_add(1),
                'l' => return Ok(Command::List),
                'v' => return Ok(Command::Version),
                'h' => return Ok(Command::Help),
                'c' | 'i' | 'p' | 'P' | 'r' | 's' | 'u' => {
                    let attached = &cluster[pos + c.len_utf8()..];
                    let value = if !attached.is_empty() {
                        attached.to_string()
                    } else {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or(ArgError::MissingOptionArgument(c))?
                    };
                    match c {
                        'c' => o.clockstats = Some(value),
                        'i' => {
                            o.poll_explicit = true;
                            o.poll = match value.parse::<u8>() {
                                Ok(v) if v <= 17 => v,
                                _ => {
                                    return Err(ArgError::BadOptionValue {
                                        option: 'i',
                                        value,
                                        reason: "expected a poll exponent from 0 to 17".into(),
                                    })
                                }
                            }
                        }
                        'p' => {
                            if o.phones.len() >= MAX_PHONES {
                                return Err(ArgError::TooManyPhones);
                            }
                            o.phones.push(value)
                        }
                        'P' => {
                            o.priority = match value.parse::<i32>() {
                                Ok(v) if (1..=99).contains(&v) => Some(v),
                                _ => {
                                    return Err(ArgError::BadOptionValue {
                                        option: 'P',
                                        value,
                                        reason: "expected a SCHED_FIFO priority from 1 to 99"
                                            .into(),
                                    })
                                }
                            }
                        }
                        'r' => o.root_dir = value.into(),
                        's' => o.socket = Some(value.into()),
                        'u' => o.user = value,
                        _ => unreachable!("matched above"),
                    }
                    break;
                }
                other => return Err(ArgError::UnknownOption(other)),
            }
        }
        i += 1;
    }
    o.clock = parse_clock(&args[i..])?;
    Ok(Command::Run(Box::new(o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, ArgError> {
        let v: Vec<String> = s.split_whitespace().map(String::from).collect();
        parse(&v)
    }

    fn run(s: &str) -> Options {
        match p(s).unwrap() {
            Command::Run(o) => *o,
            c => panic!("expected run, got {c:?}"),
        }
    }

    #[test]
    fn man_page_example() {
        let o = run("-s /var/run/chrony-GPS.sock 127.127.20.0 mode 80 time2 0.5 flag1 1");
        assert_eq!(
            o.socket.as_deref(),
            Some(std::path::Path::new("/var/run/chrony-GPS.sock"))
        );
        assert_eq!((o.clock.kind, o.clock.unit), (20, 0));
        assert_eq!(o.clock.fudge.mode, 80);
        assert_eq!(o.clock.fudge.time2, Some(0.5));
        assert!(o.clock.fudge.flag(ClockFlags::FLAG1));
        assert_eq!(o.poll, 6);
        assert_eq!(o.user, "nobody");
    }

    #[test]
    fn getopt_clusters_and_attached_values() {
        let o = run("-dd -i4 -c- -p ATDT1 -pATDT2 -unobody2 -r /tmp -P 50 127.127.20.1");
        assert_eq!(o.priority, Some(50));
        assert_eq!(o.debug, 2);
        assert_eq!(o.poll, 4);
        assert_eq!(o.clockstats.as_deref(), Some("-"));
        assert_eq!(o.phones, vec!["ATDT1", "ATDT2"]);
        assert_eq!(o.user, "nobody2");
        assert_eq!(o.clock.unit, 1);
    }

    #[test]
    fn options_stop_at_the_address() {
        // "-d" after the address is a driver option, and an unknown one.
        assert_eq!(
            p("127.127.20.0 -d 1"),
            Err(ArgError::UnknownDriverOption("-d".into()))
        );
    }

    #[test]
    fn a_driver_option_the_driver_lacks_is_refused() {
        let p = |s: &str| parse(&s.split(' ').map(String::from).collect::<Vec<_>>());
        match p("127.127.20.0 option nosuch=1") {
            Err(ArgError::BadValue {
                option,
                value,
                reason,
            }) => {
                assert_eq!(option, "option");
                assert_eq!(value, "nosuch=1");
                assert!(reason.contains("\"nosuch\""), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            p("127.127.20.0 option"),
            Err(ArgError::MissingValue("option".into()))
        );
    }

    #[test]
    fn immediate_flags() {
        assert_eq!(p("-l"), Ok(Command::List));
        assert_eq!(p("-v 127.127.20.0"), Ok(Command::Version));
        assert_eq!(p("-dh"), Ok(Command::Help));
    }

    #[test]
    fn names_and_extensions() {
        let o = run("nmea unit 2 path /dev/ttyUSB0 refid NMEA stratum 1 mode 0x50");
        assert_eq!((o.clock.kind, o.clock.unit), (20, 2));
        assert_eq!(
            o.clock.device.as_deref(),
            Some(std::path::Path::new("/dev/ttyUSB0"))
        );
        assert_eq!(o.clock.fudge.refid, Some(*b"NMEA"));
        assert_eq!(o.clock.fudge.stratum, Some(1));
        assert_eq!(o.clock.fudge.mode, 0x50);
        let o = run("--simulate=jitter GPS_NMEA");
        assert_eq!(o.simulate.as_deref(), Some("jitter"));
        // `unit` only goes with a name: the address already has one.
        assert!(matches!(
            p("127.127.20.0 unit 1"),
            Err(ArgError::UnknownDriverOption(_))
        ));
    }

    #[test]
    fn bad_command_lines() {
        assert_eq!(p(""), Err(ArgError::MissingAddress));
        assert_eq!(p("-x 127.127.20.0"), Err(ArgError::UnknownOption('x')));
        assert_eq!(p("-s"), Err(ArgError::MissingOptionArgument('s')));
        assert!(matches!(p("127.0.0.1"), Err(ArgError::BadAddress(_))));
        assert!(matches!(p("127.127.20"), Err(ArgError::BadAddress(_))));
        assert_eq!(p("127.127.99.0"), Err(ArgError::InvalidType(99)));
        assert_eq!(p("127.127.300.0"), Err(ArgError::InvalidType(300)));
        assert!(matches!(
            p("127.127.41.0"),
            Err(ArgError::MissingDriver { kind: 41, .. })
        ));
        assert_eq!(
            p("127.127.20.0 mode"),
            Err(ArgError::MissingValue("mode".into()))
        );
        assert!(matches!(
            p("127.127.20.0 mode eighty"),
            Err(ArgError::BadValue { .. })
        ));
        assert!(matches!(
            p("127.127.20.0 time2 x"),
            Err(ArgError::BadValue { .. })
        ));
        assert!(matches!(
            p("127.127.20.0 flag1 2"),
            Err(ArgError::BadValue { .. })
        ));
        assert!(matches!(
            p("127.127.20.0 refid TOOLONG"),
            Err(ArgError::BadValue { .. })
        ));
        assert!(matches!(
            p("-i 99 127.127.20.0"),
            Err(ArgError::BadOptionValue { .. })
        ));
        assert!(matches!(
            p("-P 0 127.127.20.0"),
            Err(ArgError::BadOptionValue { .. })
        ));
        assert_eq!(
            p("127.127.20.0 speed 9600"),
            Err(ArgError::UnknownDriverOption("speed".into()))
        );
        let many = (0..11).map(|i| format!("-p {i} ")).collect::<String>() + "127.127.20.0";
        assert_eq!(p(&many), Err(ArgError::TooManyPhones));
        let ten = (0..10).map(|i| format!("-p {i} ")).collect::<String>() + "127.127.20.0";
        let phones = run(&ten).phones;
        assert_eq!(phones.len(), 10);
        assert_eq!(phones[9], "9", "in the order given");
        assert!(matches!(
            p("127.127.20.0 refid"),
            Err(ArgError::MissingValue(_))
        ));
        assert!(matches!(
            parse(&["127.127.20.0".into(), "refid".into(), String::new()]),
            Err(ArgError::BadValue { .. })
        ));
    }

    #[test]
    fn flags_can_be_cleared_again() {
        let o = run("127.127.20.0 flag1 1 flag1 0");
        assert!(!o.clock.fudge.flag(ClockFlags::FLAG1));
    }
}
