//! The real `ntp-refclock` with the HP GPS driver (type 26) against the
//! simulated HP 58503A / Z3801A on a pseudo-terminal, polling every 1 or
//! 2 s: every sample must agree with the simulator's truth (the second
//! the timecode names − when its CR was written + time1), spoilt answers
//! must give none, and the real chronyd must accept the samples.

#[path = "../../refclock-sock/tests/support/chrony.rs"]
mod chrony;
mod common;
#[path = "common/hpgps.rs"]
mod hpgps;

use std::time::Duration;

use chrony::{sock_refclock, Chronyd};
use common::{lines_of, parse_sample, spawn, temp_dir, terminate};
use hpgps::{
    check_against_truth, median, run, simulator, simulator_at, time1, timecode_text, LAG, MAX_LAG,
};

#[test]
fn both_receivers_give_samples_that_match_the_truth() {
    // 58503A at 9600 8N1, Z3801A at 19200 7O1: the driver sets the speed,
    // the simulator paces at it.
    for mode in [0, 1] {
        let sim = simulator(mode, &[], "");
        let r = run(&sim, mode, &["-i", "0"], &[], 5.5);
        assert_eq!(r.code, Some(0), "{}", r.err);
        assert!(
            r.samples.len() >= 3,
            "mode {mode}: {:?}\n{}",
            r.samples,
            r.err
        );
        let sources = check_against_truth(&r, mode);
        for (s, t) in r.samples.iter().zip(&sources) {
            assert_eq!(s.leap, 0);
            // The named second is the one after the CR, |time1| later.
            let named = t.named.unwrap().as_secs_f64();
            let early = named - s.time - time1(mode).abs();
            assert!(-MAX_LAG < early && early < 0.002, "{s:?} {t:?}");
        }
        // Calibrated: within a few ms of the truth's zero.
        let offsets: Vec<f64> = r.samples.iter().map(|s| s.offset.abs()).collect();
        assert!(median(&offsets) < LAG, "mode {mode}: {offsets:?}");
        // The dialogue as the real receiver has it: identification and zone
        // asked once, then a timecode query per poll.
        assert!(r.truth.iter().any(|t| t.kind == "IDN"), "{:?}", r.truth);
        assert!(r.truth.iter().any(|t| t.kind == "TZONE"));
        let model = if mode == 1 { "Z3801A" } else { "58503A" };
        let idn = r.truth.iter().find(|t| t.kind == "IDN").unwrap();
        assert!(idn.text.contains(model), "{idn:?}");
    }
}

#[test]
fn corrupted_answers_give_no_sample_and_are_counted() {
    // Every second answer spoilt: every other timecode has a bad checksum.
    let sim = simulator(0, &[], "badsum:every=2");
    let r = run(&sim, 0, &["-d", "-i", "0"], &[], 7.5);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let sources = check_against_truth(&r, 0);
    assert!(sources.iter().all(|t| !t.flags.badsum));
    let bad: Vec<_> = r
        .truth
        .iter()
        .filter(|t| t.kind == "TCODE" && t.flags.badsum && t.last.is_some())
        .collect();
    assert!(bad.len() >= 2, "{:?}", r.truth);
    // -d shows each refusal, and the status change once.
    let logged = r.err.matches("hpgps: checksum: expected").count();
    assert!(
        logged + 1 >= bad.len() && logged <= bad.len(),
        "{logged} refusals for {} spoilt timecodes:\n{}",
        bad.len(),
        r.err
    );
    assert_eq!(r.err.matches("event: bad_format").count(), 1, "{}", r.err);
    // The good ones all gave their sample.
    let good = r
        .truth
        .iter()
        .filter(|t| t.kind == "TCODE" && t.ok() && t.last.is_some())
        .count();
    assert!(r.samples.len() + 1 >= good, "{} of {good}", r.samples.len());
}

#[test]
fn an_invalid_receiver_gives_leap_3_samples() {
    let sim = simulator(0, &[], "invalid:for=3,every=6,after=1");
    let r = run(&sim, 0, &["-i", "0"], &[], 7.5);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let sources = check_against_truth(&r, 0);
    let mut seen = [false, false];
    for (s, t) in r.samples.iter().zip(&sources) {
        // V = 1 in the timecode: "not in sync", as ntpd's driver has it.
        let expect = if t.flags.invalid { 3 } else { 0 };
        assert_eq!(s.leap, expect, "{s:?} {t:?}");
        assert_eq!(
            timecode_text(t).as_bytes()[20],
            b"01"[usize::from(t.flags.invalid)]
        );
        seen[usize::from(t.flags.invalid)] = true;
    }
    assert_eq!(seen, [true, true], "{:?}", r.samples);
}

#[test]
fn the_receivers_time_zone_is_taken_off() {
    for (tz, reply, minutes) in [
        ("-5,0", "-5,+0", -300),
        ("+13,0", "+13,+0", 780),
        ("+5,30", "+5,+30", 330),
    ] {
        let sim = simulator(0, &[("tz", tz)], "");
        let r = run(&sim, 0, &["-i", "0"], &[], 4.5);
        assert_eq!(r.code, Some(0), "{}", r.err);
        let zone = r.truth.iter().find(|t| t.kind == "TZONE").unwrap();
        assert!(zone.text.starts_with(reply), "{zone:?}");
        let sources = check_against_truth(&r, 0);
        assert!(sources.len() >= 2, "tz {tz}: {:?}\n{}", r.samples, r.err);
        for t in sources {
            // The receiver spoke local time: hour and minute of the text
            // are UTC's plus the zone.
            let text = timecode_text(t);
            let local =
                text[10..12].parse::<i64>().unwrap() * 60 + text[12..14].parse::<i64>().unwrap();
            let utc = t.time.unwrap();
            let utc = i64::from(utc.hour) * 60 + i64::from(utc.minute);
            assert_eq!((utc + minutes).rem_euclid(1440), local, "tz {tz}: {t:?}");
        }
    }
}

#[test]
fn flag4_puts_the_status_screen_in_clockstats() {
    let dir = temp_dir("hpgps-clockstats");
    let file = dir.join("clockstats");
    let sim = simulator(0, &[], "");
    // Polls every 2 s: the screen (1.8 s) is out before the next query.
    let r = run(
        &sim,
        0,
        &["-i", "1", "-c", file.to_str().unwrap()],
        &["flag4", "1"],
        7.5,
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    check_against_truth(&r, 0);
    let text = std::fs::read_to_string(&file).expect("clockstats");
    let records: Vec<&str> = text.lines().collect();
    // Every line a record: MJD, seconds, the clock, the text.
    for r in &records {
        let f: Vec<&str> = r.splitn(4, ' ').collect();
        assert!(
            f.len() == 4 && f[0].parse::<u32>().is_ok() && f[2] == "127.127.26.0",
            "{r}"
        );
    }
    let body = |r: &&str| r.splitn(4, ' ').nth(3).unwrap_or("").to_string();
    assert!(
        body(&records[0]).starts_with("HEWLETT-PACKARD,58503A"),
        "{text}"
    );
    assert!(records.iter().any(|r| body(r) == "scpi > +0,+0"), "{text}");
    let head = records
        .iter()
        .position(|r| body(r).contains("Receiver Status"))
        .unwrap_or_else(|| panic!("no screen:\n{text}"));
    // The 22 lines in a row, the first after the timecode's prompt.
    assert!(body(&records[head]).starts_with("scpi > ---"), "{text}");
    assert!(records.len() >= head + 22, "{text}");
    let screen: Vec<String> = records[head..head + 22].iter().map(body).collect();
    assert!(screen[1].starts_with("SYNCHRONIZATION") && screen[1].contains("Outputs Valid"));
    assert_eq!(screen[21].trim(), "(simulated)", "{screen:?}");
    assert!(records[..head]
        .iter()
        .any(|r| body(r).starts_with("scpi > T2")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn garbage_drops_jitter_and_silence_give_no_wrong_sample() {
    // All at once, each against its truth: garbage after a prompt spoils
    // the next answer, dropped and silent seconds lose answers.
    let cases = [
        ("garbage:every=2", "hpgps: reply: expected"),
        ("drop:3+jitter:max=30", "filter:"),
        ("silence:after=2,for=4", "event: no_reply"),
    ];
    let runs: Vec<_> = std::thread::scope(|scope| {
        let running: Vec<_> = cases
            .iter()
            .map(|(scenario, _)| {
                scope.spawn(move || {
                    let sim = simulator(0, &[], scenario);
                    // Long enough for the time zone to get through the
                    // garbage (asked again at each poll after the first
                    // timecode it spoiled) and two samples after it.
                    run(&sim, 0, &["-d", "-i", "0"], &[], 12.0)
                })
            })
            .collect();
        running.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((scenario, want), r) in cases.iter().zip(&runs) {
        assert_eq!(r.code, Some(0), "{scenario}: {}", r.err);
        assert!(r.err.contains(want), "{scenario}: {}", r.err);
        assert!(
            r.samples.len() >= 2,
            "{scenario}: {:?}\n{}",
            r.samples,
            r.err
        );
        check_against_truth(r, 0);
        assert!(r.samples.iter().all(|s| s.leap == 0));
        // The scenario did its part: answers lost or garbage written.
        assert!(
            r.truth
                .iter()
                .any(|t| t.flags.not_written() || t.garbage > 0),
            "{scenario}: {:?}",
            r.truth
        );
    }
}

#[test]
fn simulate_plays_the_hp_and_its_troubles() {
    // ntp-refclock --simulate as a user runs it, scenarios at once. No
    // truth here: a sample is the simulated second less the time its
    // timecode took to be written and read (a wrong second would be 1 s
    // off), a few ms at the median.
    let cases = [
        ("clean", "GPS_HP started"),
        ("badsum", "hpgps: checksum: expected"),
        ("invalid", ""),
        ("drop:3", ""),
    ];
    let mut running: Vec<_> = cases
        .iter()
        .map(|(scenario, _)| {
            let mut child = spawn(&[
                "-d",
                "-i",
                "0",
                &format!("--simulate={scenario}"),
                "127.127.26.0",
                "time1",
                "-0.955",
            ]);
            let lines = lines_of(&mut child);
            (child, lines)
        })
        .collect();
    std::thread::sleep(Duration::from_secs(8));
    for ((scenario, want), (child, lines)) in cases.iter().zip(&mut running) {
        let (code, err) = terminate(child, 15);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(code, Some(0), "{scenario}: {err}");
        assert!(
            err.contains(&format!("Simulated receiver ({scenario})")),
            "{err}"
        );
        assert!(err.contains(want), "{scenario}: {err}");
        let samples: Vec<_> = lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
        assert!(samples.len() >= 3, "{scenario}: {samples:?}\n{err}");
        for s in &samples {
            assert!(
                -0.95 < s.offset && s.offset < 0.01,
                "{scenario}: {s:?}\n{err}"
            );
        }
        let offsets: Vec<f64> = samples.iter().map(|s| s.offset.abs()).collect();
        assert!(median(&offsets) < LAG, "{scenario}: {offsets:?}");
        // invalid: 3 s out of every 10 from the third, "not in sync".
        let leap3 = samples.iter().filter(|s| s.leap == 3).count();
        assert_eq!(leap3 > 0, *scenario == "invalid", "{scenario}: {samples:?}");
    }
}

#[test]
fn a_vanished_receiver_is_reopened_and_asked_again() {
    // At a link, as a USB receiver plugged in again comes back (with
    // --simulate the new pty's number may differ).
    let dir = temp_dir("hpgps-vanish");
    let sim = simulator_at(
        0,
        &[("tz", "+2,0")],
        "vanish:after=2,for=2",
        Some(dir.join("hp0")),
    );
    let r = run(
        &sim,
        0,
        &["-d", "-i", "0", "-u", "root", "-r", "/"],
        &[],
        8.5,
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(r.err.contains("reopened"), "{}", r.err);
    let sources = check_against_truth(&r, 0);
    // Identification and zone asked at each opening; samples from both
    // sides of the gap, the zone taken off on both.
    let gone = sim
        .events()
        .iter()
        .find(|e| matches!(e.kind, refclock_sim::SimEventKind::Vanished(_)))
        .map(|e| e.at)
        .expect("the device vanished");
    let idn = r
        .truth
        .iter()
        .filter(|t| t.kind == "IDN" && t.last.is_some())
        .count();
    let zone = r
        .truth
        .iter()
        .filter(|t| t.kind == "TZONE" && t.last.is_some())
        .count();
    assert!(idn >= 2 && zone >= 2, "{:?}", r.truth);
    assert!(sources.iter().any(|t| t.eol.unwrap() < gone), "{sources:?}");
    assert!(
        sources.iter().any(|t| t.eol.unwrap() > gone + 2.0),
        "{sources:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_timecode_far_from_the_system_clock_is_refused() {
    // The leap scenario names 2027-06-30 23:59:50 onward: more than 4 h
    // from the system clock, so every timecode is a bad time (no sample,
    // as ntpd's clocktime() refuses it), the leap second included.
    let sim = simulator(0, &[], "leap:at=2027-06-30,before=3");
    let r = run(&sim, 0, &["-d", "-i", "0"], &[], 5.5);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let leap = r
        .truth
        .iter()
        .any(|t| t.time.is_some_and(|c| c.second == 60));
    let far =
        r.truth.iter().filter_map(|t| t.named).all(|n| {
            (n.as_secs_f64() - r.truth[0].first.unwrap().as_secs_f64()).abs() > 4.0 * 3600.0
        });
    if !far {
        // The test runs within 4 h of that midnight: nothing to check.
        return;
    }
    assert!(leap, "the simulator sent 23:59:60: {:?}", r.truth);
    assert!(r.samples.is_empty(), "{:?}", r.samples);
    assert!(r.err.contains("event: bad_time"), "{}", r.err);
}

#[test]
fn chronyd_accepts_the_hp_samples() {
    // noselect: chronyd measures the source without steering by it, so it
    // keeps reporting the offset we send.
    let chronyd = Chronyd::start(&[sock_refclock("refid HP poll 0 filter 1 noselect")]);
    let sim = simulator(0, &[], "");
    let sock = chronyd.sock_path();
    let path = sim.path().to_str().unwrap().to_string();
    let mut child = spawn(&[
        "-s",
        sock.to_str().unwrap(),
        "-i",
        "0",
        "127.127.26.0",
        "path",
        &path,
        "time1",
        "-0.955",
    ]);
    let stats = chronyd.wait_until("5 HP samples", Duration::from_secs(25), |c| {
        c.source_stats("HP").filter(|s| s.samples >= 5)
    });
    let source = chronyd.source("HP").expect("the HP source");
    let raw = chronyd.raw_offsets("HP");
    let (code, err) = terminate(&mut child, 15);
    assert_eq!(code, Some(0), "{err}");
    // chronyc shows system − true time; the log and SOCK true − system.
    // Its offsets are a few ms (a read that lags beside busy loops can
    // move them by tens of ms; a wrong second would be 1 s).
    assert!(
        stats.offset.abs() < 2.0 * LAG,
        "sourcestats offset {}",
        stats.offset
    );
    assert!(source.measured_offset.abs() < MAX_LAG, "{source:?}");
    assert_ne!(source.reach, 0, "{source:?}");
    assert!(raw.len() >= 5, "{raw:?}");
    // Each logged offset is one the truth gives: named − CR + time1, less
    // the read's lag.
    let truth = sim.truth();
    for o in &raw {
        let near = truth
            .iter()
            .filter_map(|t| t.expected_offset(time1(0)))
            .any(|e| (-0.001..MAX_LAG).contains(&(e - o)));
        assert!(near, "offset {o} matches no timecode");
    }
    let offsets: Vec<f64> = raw.iter().map(|o| o.abs()).collect();
    assert!(median(&offsets) < LAG, "{offsets:?}");
}
