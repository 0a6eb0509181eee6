//! Running one clock: the C ntp-refclock's `main()` in order.
//!
//! 1. Parse the command line (bad: message + usage, exit 1).
//! 2. Open the clockstats file and connect to chronyd's socket (failure:
//!    message, exit 1, as the C program does while parsing options).
//! 3. Install the signal handlers, start the driver and open its devices
//!    (failure: message, exit 1).
//! 4. When root: chroot to `-r` and become `-u` (failure: exit 1).
//! 5. Loop: every raw sample is printed as a `SAMPLE:` line (without `-s`,
//!    or with `-d`) and sent to chronyd. A fatal error prints the reason and
//!    `Exiting on error` and exits 2; SIGINT/TERM/QUIT/HUP print
//!    `Exiting on signal N` and exit 0.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;

use refclock_core::calendar::Basedate;
use refclock_core::clockstats::clockstats_line;
use refclock_core::os::host::{ClockOptions, Handler, Host};
use refclock_core::os::{device, privs, sched, signals};
use refclock_core::{Action, ClockId, DriverConfig, Sample, Timestamp};
use refclock_drivers::registry;
use refclock_sock::{SockClient, SockSample};

use crate::args::{self, Command, Options};

/// The version line printed by `-v`.
pub fn version_line() -> String {
    format!(
        "ntp-refclock {} (refclock, a Rust reimplementation)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Where clockstats records go.
enum Clockstats {
    Stdout,
    File(File),
}

/// Carries out the driver's actions for the `ntp-refclock` program.
pub struct Output {
    print_samples: bool,
    debug: u8,
    sock: Option<SockClient>,
    /// chronyd's socket went away: samples are dropped (never sent anywhere
    /// else) and each new one first tries to reconnect.
    sock_gone: bool,
    /// Samples dropped because chronyd's queue was full (sends never wait:
    /// the host runs every clock in one thread).
    sock_busy: u64,
    /// Why the socket could not be reconnected if chronyd went away (its
    /// path does not resolve after the privilege drop). Then a lost
    /// receiver ends the program, as it ends the C program, rather than
    /// dropping samples for good.
    no_reconnect: Option<String>,
    clockstats: Option<Clockstats>,
}

impl Output {
    fn sample(&mut self, sample: &Sample) -> Result<(), String> {
        if self.print_samples {
            let mut out = io::stdout().lock();
            // Line-buffered: each SAMPLE line is flushed as it is written.
            writeln!(out, "{}", sample.to_line())
                .and_then(|_| out.flush())
                .map_err(|e| format!("Could not write sample: {e}"))?;
        }
        let Some(sock) = &mut self.sock else {
            return Ok(());
        };
        let (sec, usec) = sample.time.to_timeval();
        let s = SockSample {
            time_sec: sec,
            time_usec: usec as i64,
            offset: sample.offset,
            pulse: sample.pulse,
            leap: sample.leap.code() as i32,
        };
        if self.sock_gone {
            // One connect() per sample (once a second at most for most
            // drivers): no busy loop while chronyd is away.
            if sock.reconnect().is_err() {
                return Ok(());
            }
            self.sock_gone = false;
            eprintln!("Reconnected to {}", sock.path().display());
        }
        match sock.send(&s) {
            Ok(()) => Ok(()),
            Err(e) if e.is_receiver_gone() => {
                if let Some(why) = &self.no_reconnect {
                    return Err(format!("Could not send sample: {e} ({why})"));
                }
                // chronyd stopped or is restarting: unlike the C program,
                // keep running and reconnect when it is back.
                eprintln!("{e}; samples are dropped until chronyd is back");
                self.sock_gone = true;
                Ok(())
            }
            Err(e) if e.is_busy() => {
                // Said once, then every 64th time: chronyd is alive but
                // slow; the next sample may well go through.
                if self.sock_busy.is_multiple_of(64) {
                    eprintln!("{e} ({} so far)", self.sock_busy + 1);
                }
                self.sock_busy += 1;
                Ok(())
            }
            Err(e) if e.is_malformed() => {
                // A sample the protocol cannot carry is never sent.
                eprintln!("Sample not sent: {e}");
                Ok(())
            }
            Err(e) => Err(format!("Could not send sample: {e}")),
        }
    }

    fn clockstats(&mut self, now: Timestamp, id: ClockId, text: &str) {
        let line = clockstats_line(now, id, text);
        let r = match &mut self.clockstats {
            None => return,
            Some(Clockstats::Stdout) => {
                let mut out = io::stdout().lock();
                writeln!(out, "{line}").and_then(|_| out.flush())
            }
            Some(Clockstats::File(f)) => writeln!(f, "{line}").and_then(|_| f.flush()),
        };
        if let Err(e) = r {
            eprintln!("Could not write clockstats: {e}");
        }
    }
}

impl Handler for Output {
    fn action(&mut self, id: ClockId, now: Timestamp, action: Action) -> Result<(), String> {
        match action {
            Action::Sample(s) => self.sample(&s)?,
            Action::ClockStats(text) => self.clockstats(now, id, &text),
            Action::Filtered(f) if self.debug > 0 => eprintln!(
                "{id} filter: n {} kept {} offset {:+.9} jitter {:.9}",
                f.n, f.kept, f.offset, f.jitter
            ),
            Action::Event(e) if self.debug > 0 => eprintln!("{id} event: {e} ({})", e.code()),
            Action::Log(msg) if self.debug > 0 => eprintln!("{id} {msg}"),
            _ => {}
        }
        Ok(())
    }

    fn log(&mut self, message: &str) {
        eprintln!("{message}");
    }

    fn debug(&mut self, message: &str) {
        if self.debug > 0 {
            eprintln!("{message}");
        }
    }
}

/// Runs the program with `args` (without the program name) and returns the
/// exit code.
pub fn run(prog: &str, args: &[String]) -> i32 {
    let opts = match args::parse(args) {
        Ok(Command::Run(o)) => o,
        Ok(Command::List) => {
            print!("{}", registry::listing());
            return 0;
        }
        Ok(Command::Version) => {
            println!("{}", version_line());
            return 0;
        }
        Ok(Command::Help) => {
            eprint!("{}", args::usage(prog));
            return 0;
        }
        Err(e) => {
            eprintln!("{prog}: {e}");
            eprint!("{}", args::usage(prog));
            return 1;
        }
    };
    match start_and_loop(*opts) {
        Ok(code) => code,
        Err(Fatal::Startup(msg)) => {
            eprintln!("{msg}");
            1
        }
        Err(Fatal::Runtime(msg)) => {
            eprintln!("{msg}");
            eprintln!("Exiting on error");
            2
        }
    }
}

enum Fatal {
    Startup(String),
    Runtime(String),
}

/// After the chroot and the change of user, checks that the devices and
/// chronyd's socket can still be reached by their paths. What cannot be is
/// never retried: a vanished device or a restarted chronyd then ends the
/// program with the reason (as the C program ends), instead of leaving it
/// running without samples. With `-d` the finding is shown at once.
fn check_reach_after_drop(opts: &Options, host: &mut Host, output: &mut Output) {
    let after = format!(
        "cannot be reached after the chroot to {} as {}",
        opts.root_dir.display(),
        opts.user
    );
    // A device opened only when the driver asks (a modem, for each call)
    // would fail every time: that is said even without -d.
    let on_demand: Vec<PathBuf> = host
        .port_specs(0)
        .filter(|(_, s)| s.open == refclock_core::port::OpenPolicy::OnDemand)
        .filter_map(|(_, s)| s.kind.path().map(PathBuf::from))
        .collect();
    for (path, tcp_link) in host.device_paths(0) {
        if let Err(e) = device::probe(&path, tcp_link) {
            if on_demand.contains(&path) {
                eprintln!(
                    "Warning: {} {after} ({e}); it is opened only when needed, so every \
                     attempt will fail (run as a user that can open it: -u, -r)",
                    path.display()
                );
                continue;
            }
            let why = format!("{} {after} ({e}), so it is not reopened", path.display());
            if opts.debug > 0 {
                eprintln!("Note: {why}");
            }
            host.disable_reopen(0, why);
        }
    }
    if let Some(path) = &opts.socket {
        if let Err(e) = SockClient::connect(path) {
            let why = format!("{} {after} ({e}), so it is not reconnected", path.display());
            if opts.debug > 0 {
                eprintln!("Note: {why}");
            }
            output.no_reconnect = Some(why);
        }
    }
}

fn start_and_loop(opts: Options) -> Result<i32, Fatal> {
    let clockstats = match opts.clockstats.as_deref() {
        None => None,
        Some("-") => Some(Clockstats::Stdout),
        Some(path) => Some(Clockstats::File(
            OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .map_err(|e| Fatal::Startup(format!("Could not open {path}: {e}")))?,
        )),
    };
    let sock = match &opts.socket {
        None => None,
        Some(path) => {
            let mut c = SockClient::connect(path).map_err(|e| Fatal::Startup(e.to_string()))?;
            c.set_nonblocking(true)
                .map_err(|e| Fatal::Startup(e.to_string()))?;
            Some(c)
        }
    };
    let mut output = Output {
        print_samples: opts.socket.is_none() || opts.debug > 0,
        debug: opts.debug,
        sock,
        sock_gone: false,
        sock_busy: 0,
        no_reconnect: None,
        clockstats,
    };
    signals::install().map_err(|e| Fatal::Startup(format!("sigaction() failed: {e}")))?;

    let mut simulator = None;
    let mut device = opts.clock.device.clone();
    if let Some(scenario) = &opts.simulate {
        let setup = refclock_sim::DeviceSetup {
            unit: opts.clock.unit,
            fudge: opts.clock.fudge.clone(),
            options: Vec::new(),
        };
        let sim = refclock_sim::start_builtin(opts.clock.kind, scenario, &setup)
            .map_err(|e| Fatal::Startup(format!("Could not start the simulated receiver: {e}")))?;
        device = Some(PathBuf::from(sim.path()));
        eprintln!(
            "Simulated receiver ({scenario}) on {}",
            sim.path().display()
        );
        simulator = Some(sim);
    }

    let id = ClockId {
        kind: opts.clock.kind,
        unit: opts.clock.unit,
    };
    let driver = registry::implemented(opts.clock.kind).ok_or_else(|| {
        Fatal::Startup(format!(
            "Missing driver for refclock type {}",
            opts.clock.kind
        ))
    })?;
    let mut options = opts.clock.options.clone();
    // A simulated receiver has no PPS line: a driver that can time from
    // its serial messages alone (Oncore, Jupiter) is told so.
    if simulator.is_some()
        && driver.options.iter().any(|o| o.name == "serial-only")
        && !options.iter().any(|(n, _)| n == "serial-only")
    {
        eprintln!("The simulated receiver has no PPS line: option serial-only");
        options.push(("serial-only".into(), None));
    }
    // Nor modem lines a driver could set (a pty refuses the ioctls): a
    // driver that can go on without them (Heath, NeoClock4X) is told so.
    if simulator.is_some()
        && driver
            .options
            .iter()
            .any(|o| o.name == "ignore-modem-lines")
        && !options.iter().any(|(n, _)| n == "ignore-modem-lines")
    {
        eprintln!("The simulated receiver has no modem lines: option ignore-modem-lines");
        options.push(("ignore-modem-lines".into(), None));
    }
    // A driver that talks to a server (GPSD JSON) finds the simulated one
    // on the simulator's terminal.
    if let Some(sim) = &simulator {
        if driver.options.iter().any(|o| o.name == "server")
            && !options.iter().any(|(n, _)| n == "server")
        {
            eprintln!(
                "The simulated server is on {}: option server={0}",
                sim.path().display()
            );
            options.push(("server".into(), Some(sim.path().display().to_string())));
        }
    }
    let config = DriverConfig {
        unit: opts.clock.unit,
        fudge: opts.clock.fudge.clone(),
        device,
        pps_device: opts.clock.pps_device.clone(),
        options,
        basedate: Basedate::default(),
        phones: opts.phones.clone(),
    };
    let name = driver.info.ntpd_name;
    let fail = |e: String| Fatal::Startup(format!("{name} ({id}): {e}"));
    let clock = (driver.start)(config).map_err(|e| fail(e.to_string()))?;
    let mut host = Host::new();
    let poll = effective_poll(opts.poll, opts.poll_explicit, driver.poll_range);
    if opts.debug > 0 && poll != opts.poll {
        eprintln!(
            "{id} {name} polls every {} s, as ntpd's driver forces (-i overrides)",
            1u64 << poll
        );
    }
    let clock_opts = ClockOptions {
        poll_exponent: poll,
        ..ClockOptions::default()
    };
    host.add(clock, clock_opts, &mut output)
        .map_err(|e| fail(e.to_string()))?;
    if opts.debug > 0 {
        let on = host
            .port_specs(0)
            .next()
            .map_or_else(|| "no device".to_string(), |(_, s)| s.kind.describe());
        eprintln!("{id} {name} started on {on}");
    }

    if let Some(priority) = opts.priority {
        sched::set_realtime(priority).map_err(|e| Fatal::Startup(e.to_string()))?;
    }

    // The built-in simulator runs in this process and keeps creating
    // pseudo-terminals, which a chroot would cut it off from.
    if privs::is_root() && simulator.is_none() {
        privs::drop_root(&opts.user, &opts.root_dir).map_err(|e| Fatal::Startup(e.to_string()))?;
        check_reach_after_drop(&opts, &mut host, &mut output);
    }

    let result = host.run(&mut output, || signals::quit_signal().is_some());
    host.shutdown(&mut output);
    drop(simulator);
    match result {
        Ok(()) => {
            let sig = signals::quit_signal().unwrap_or(0);
            eprintln!("Exiting on signal {sig}");
            Ok(0)
        }
        Err(e) => Err(Fatal::Runtime(e.to_string())),
    }
}

/// The poll exponent a clock runs with: `-i` when it was given, else the
/// default clamped into the range the driver's ntpd original forces (ntpd
/// overrides the peer's poll limits in the driver's start routine; the C
/// program ignores them and polls at `-i`'s default).
fn effective_poll(poll: u8, explicit: bool, range: Option<(u8, u8)>) -> u8 {
    match range {
        Some((lo, hi)) if !explicit => poll.clamp(lo, hi),
        _ => poll,
    }
}

#[cfg(test)]
mod poll_tests {
    use super::effective_poll;

    #[test]
    fn the_default_poll_follows_the_drivers_range_and_an_explicit_one_wins() {
        assert_eq!(effective_poll(6, false, Some((4, 5))), 5);
        assert_eq!(effective_poll(3, false, Some((4, 5))), 4);
        assert_eq!(effective_poll(6, true, Some((4, 5))), 6);
        assert_eq!(effective_poll(1, true, Some((4, 5))), 1);
        assert_eq!(effective_poll(6, false, None), 6);
    }

    #[test]
    fn trimble_forces_ntpds_minpoll_4_and_maxpoll_5() {
        let trimble = refclock_drivers::registry::implemented(29).expect("trimble built");
        assert_eq!(trimble.poll_range, Some((4, 5)));
        assert_eq!(effective_poll(6, false, trimble.poll_range), 5);
    }
}
