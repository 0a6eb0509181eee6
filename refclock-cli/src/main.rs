//! `ntp-refclock`: run an NTP reference clock driver and send its samples to
//! chrony. See `ntp-refclock -h` and the README.

fn main() {
    let mut args = std::env::args();
    let prog = args.next().unwrap_or_else(|| "ntp-refclock".into());
    let rest: Vec<String> = args.collect();
    std::process::exit(refclock_cli::app::run(&prog, &rest));
}
