//! The latency benchmark (see the `refclock_latency` crate docs): prints
//! the table of every configuration; `--write-readme` also puts it into
//! `benches/README.md`. Under `cargo test --benches` (no `--bench`
//! argument) it measures nothing. Started with `--floor-reader` it is the
//! floor reader process.

use std::fs;
use std::process::ExitCode;

use refclock_latency::floor::{floor_main, FloorArgs, FLOOR_FLAG};
use refclock_latency::report::{self, Machine, SECTION_HEADING};
use refclock_latency::runner::{self, Programs, Row};
use refclock_latency::{config, program, Options, USAGE};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(FLOOR_FLAG) {
        return match FloorArgs::parse(&args[1..]) {
            Some(a) => ExitCode::from(floor_main(&a) as u8),
            None => {
                eprintln!("usage: {FLOOR_FLAG} PATH UNTIL [PRIORITY]");
                ExitCode::from(2)
            }
        };
    }
    let opts = match Options::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("latency: {e}\n{USAGE}");
            return ExitCode::from(1);
        }
    };
    if opts.help {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if !opts.bench {
        eprintln!("latency: not run under `cargo bench` (no --bench argument): nothing measured");
        return ExitCode::SUCCESS;
    }
    match measure(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("latency: {e}");
            ExitCode::from(1)
        }
    }
}

fn measure(opts: &Options) -> Result<(), String> {
    let programs = Programs {
        ntp_refclock: program::ntp_refclock().map_err(|e| e.to_string())?,
        bench: std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?,
    };
    let configs: Vec<_> = config::all()
        .into_iter()
        .filter(|c| opts.selects(c.receiver.name))
        .collect();
    if configs.is_empty() {
        return Err("--only matches no configuration".into());
    }
    eprintln!(
        "measuring {} configuration(s), {} s each, with {}",
        configs.len(),
        opts.seconds,
        programs.ntp_refclock.display()
    );
    let load_before = report::load_average();
    let mut rows: Vec<Row> = Vec::new();
    for c in &configs {
        eprintln!(
            "  {} {}...",
            c.receiver.name,
            c.priority.map_or_else(String::new, |p| format!("-P {p}"))
        );
        let row = runner::run(&programs, c, opts.seconds)
            .map_err(|e| format!("{} ({:?}): {e}", c.receiver.name, c.priority))?;
        rows.push(row);
    }
    let machine = Machine::detect(&load_before);
    println!("Latency benchmark: {}\n", machine.summary());
    print!("{}", report::receiver_list(&rows));
    println!();
    print!("{}", report::table(&rows));
    for r in report::remarks(&rows) {
        println!("- {r}");
    }
    if opts.write_readme {
        let path = program::workspace_root().join("benches/README.md");
        let old = match fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let section = report::readme_section(&rows, &machine, opts.seconds);
        let new = report::replace_section(&old, SECTION_HEADING, &section);
        fs::write(&path, new).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!(
            "wrote the \"{SECTION_HEADING}\" section of {}",
            path.display()
        );
    }
    Ok(())
}
