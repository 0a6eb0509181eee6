//! `ntp-refclock` with the Heath driver (type 19) against the simulated
//! GC-1000 on a pseudo-terminal (which takes the `T` for the RTS edge a
//! pty cannot carry): each poll's sample is against the poll's own
//! timestamp and names the tenth of a second the pulse came in.

mod common;
#[path = "common/simrun.rs"]
mod simrun;

use simrun::story;

const TIME1: f64 = 0.0123;

#[test]
fn each_poll_gives_a_sample_of_its_pulse() {
    let sim = simrun::simulator(19, 0, &[], "clean");
    let mut args = vec!["-d", "-i", "1"];
    args.extend_from_slice(simrun::priority_args());
    args.extend([
        "127.127.19.0",
        "path",
        sim.path().to_str().unwrap(),
        "time1",
        "0.0123",
        "option",
        "ignore-modem-lines",
    ]);
    let run = simrun::run_program(&args, 6.0);
    let truth = sim.truth();
    assert!(run.samples.len() >= 2, "{}\n{}", story(&truth), run.stderr);
    for s in &run.samples {
        // The clock states the pulse's time to the tenth, truncated: the
        // reference time is the sample's time, less under 0.1 s, plus the
        // pulse's delay after the poll (a few ms, more on a busy host).
        let reference = s.time + s.offset - TIME1;
        let lag = s.time - reference;
        assert!((-0.3..0.1 + 1e-6).contains(&lag), "{s:?}: {lag}");
        assert!(
            (reference * 10.0 - (reference * 10.0).round()).abs() < 1e-5,
            "{s:?}: not a tenth"
        );
        let named = (reference + 1e-6).floor() as i64;
        assert!(
            truth
                .iter()
                .any(|t| t.named.is_some_and(|n| n.secs() == named)),
            "{s:?}\n{}",
            story(&truth)
        );
        assert_eq!(s.leap, 0);
    }
    assert!(!run.stderr.contains("RTS pulse failed"), "{}", run.stderr);
}

/// `--simulate` gives the driver `option ignore-modem-lines` (a pty has
/// no modem lines): no fault at each poll, and samples.
#[test]
fn simulate_ignores_the_modem_lines() {
    let run = simrun::run_program(&["-d", "-i", "1", "--simulate", "127.127.19.0"], 4.0);
    assert!(
        run.stderr.contains("option ignore-modem-lines"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("RTS pulse failed"), "{}", run.stderr);
    assert!(!run.samples.is_empty(), "{}", run.stderr);
}
