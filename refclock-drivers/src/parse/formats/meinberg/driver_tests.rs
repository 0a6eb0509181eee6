//! The PARSE driver in the Meinberg modes on scripted input: samples,
//! status and trust (POWERUP trust in 22/23), leap, the GPS queries,
//! bad input, chunking.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Timestamp,
};

use super::binary::{self, QUERY_SEQUENCE};
use super::codec::Telegram;
use crate::parse::ParseDriver;
use crate::testkit::{check_chunking, feed, Outcome};

fn config(mode: u32, flags: ClockFlags) -> DriverConfig {
    DriverConfig {
        fudge: Fudge {
            mode,
            flags,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    }
}

fn start(mode: u32, flags: ClockFlags) -> Clock<ParseDriver> {
    let mut c = Clock::<ParseDriver>::start(config(mode, flags)).expect("starts");
    c.port_event(PortId::MAIN, PortEvent::Opened);
    let _ = c.take_actions();
    c
}

const T0: i64 = 1_798_761_600; // 2027-01-01 00:00:00 UTC

/// The receive time of the STX naming second `t`: 3 ms late.
fn rec(t: i64) -> Timestamp {
    Timestamp::new(t, 3_000_000)
}

/// A UTC telegram for second `t`, changed by `f`.
fn tel(t: i64, f: impl Fn(&mut Telegram)) -> Telegram {
    let mut tg = Telegram::utc(CivilTime::from_timestamp(Timestamp::from_secs(t)));
    f(&mut tg);
    tg
}

/// Feeds the standard strings of `secs` (one per second, each `f`).
fn run(
    c: &mut Clock<ParseDriver>,
    secs: std::ops::Range<i64>,
    gps: bool,
    f: impl Fn(i64, &mut Telegram),
) -> Outcome {
    let mut out = Outcome::default();
    for t in secs {
        let g = tel(t, |g| f(t, g));
        let bytes = if gps {
            g.gps(super::codec::POSITION)
        } else {
            g.standard()
        };
        out.append(feed(c, PortId::MAIN, &bytes, rec(t)));
    }
    out
}

fn offsets_ok(out: &Outcome, fudge: f64) {
    for s in &out.samples {
        assert!(
            (s.offset - (-0.003 + fudge)).abs() < 1e-6,
            "offset {} at {:?}",
            s.offset,
            s.time
        );
    }
}

#[test]
fn mode_0_samples_from_the_stx() {
    let mut c = start(0, ClockFlags::empty());
    let out = run(&mut c, T0..T0 + 10, false, |_, _| {});
    assert_eq!(out.samples.len(), 10);
    offsets_ok(&out, 0.001968);
    assert_eq!(c.state().leap, Leap::NoWarning);
    // In CET and CEST too (the receiver's usual zones).
    let out = run(&mut c, T0 + 10..T0 + 12, false, |t, g| {
        g.local = CivilTime::from_timestamp(Timestamp::from_secs(t + 3600));
        g.utc = false;
    });
    offsets_ok(&out, 0.001968);
    assert_eq!(out.samples.len(), 2);
    // The STX is on time: a string split over two reads takes the first.
    let s = tel(T0 + 12, |_| {}).standard();
    let mut out = feed(&mut c, PortId::MAIN, &s[..5], rec(T0 + 12));
    out.append(feed(
        &mut c,
        PortId::MAIN,
        &s[5..],
        Timestamp::new(T0 + 12, 40_000_000),
    ));
    assert_eq!(out.samples.len(), 1);
    offsets_ok(&out, 0.001968);
}

#[test]
fn mode_0_trust_after_losing_sync() {
    let mut c = start(0, ClockFlags::empty());
    // Never synchronised: nothing, a fault.
    let out = run(&mut c, T0..T0 + 3, false, |_, g| g.powerup = true);
    assert!(out.samples.is_empty());
    assert!(out.events.contains(&ClockEvent::Fault));
    assert_eq!(c.state().leap, Leap::NotInSync);
    // Running on its quartz before ever being in sync: nothing either.
    let out = run(&mut c, T0 + 3..T0 + 5, false, |_, g| g.nosync = true);
    assert!(out.samples.is_empty());
    // In sync, then on its quartz: trusted for the trust time (12 h).
    let out = run(&mut c, T0 + 5..T0 + 7, false, |_, _| {});
    assert_eq!(out.samples.len(), 2);
    let out = run(&mut c, T0 + 7..T0 + 9, false, |_, g| g.nosync = true);
    assert_eq!(out.samples.len(), 2);
    assert!(out.events.contains(&ClockEvent::Prop));
    let late = T0 + 7 + 12 * 3600 + 1;
    let out = run(&mut c, late..late + 1, false, |_, g| g.nosync = true);
    assert!(out.samples.is_empty());
    assert_eq!(c.state().leap, Leap::NotInSync);
    // POWERUP after sync: never trusted in mode 0.
    let mut c = start(0, ClockFlags::empty());
    run(&mut c, T0..T0 + 2, false, |_, _| {});
    let out = run(&mut c, T0 + 2..T0 + 4, false, |_, g| g.powerup = true);
    assert!(out.samples.is_empty());
}

#[test]
fn powerup_trust_in_modes_22_and_23() {
    for (mode, gps) in [(22, false), (23, true)] {
        let mut c = start(mode, ClockFlags::empty());
        // POWERUP before any sync: nothing.
        let out = run(&mut c, T0..T0 + 2, gps, |_, g| g.powerup = true);
        assert!(out.samples.is_empty(), "mode {mode}");
        // Sync, then POWERUP: trusted within the trust time.
        run(&mut c, T0 + 2..T0 + 4, gps, |_, _| {});
        let out = run(&mut c, T0 + 4..T0 + 6, gps, |_, g| g.powerup = true);
        assert_eq!(out.samples.len(), 2, "mode {mode}");
        assert!(out.events.contains(&ClockEvent::Fault));
        let trust = c.driver().trust_time() as i64;
        let late = T0 + 3 + trust + 1;
        let out = run(&mut c, late..late + 1, gps, |_, g| g.powerup = true);
        assert!(out.samples.is_empty(), "mode {mode}");
    }
    // The same in mode 7: POWERUP is never trusted.
    let mut c = start(7, ClockFlags::empty());
    run(&mut c, T0..T0 + 2, true, |_, _| {});
    let out = run(&mut c, T0 + 2..T0 + 4, true, |_, g| g.powerup = true);
    assert!(out.samples.is_empty());
}

#[test]
fn leap_announcements() {
    for (mode, gps) in [(0, false), (7, true)] {
        // `A`: insert; with flag4: delete.
        let mut c = start(mode, ClockFlags::empty());
        run(&mut c, T0..T0 + 2, gps, |_, g| g.leap = true);
        assert_eq!(c.state().leap, Leap::AddSecond);
        let mut c = start(mode, ClockFlags::FLAG4);
        run(&mut c, T0..T0 + 2, gps, |_, g| g.leap = true);
        assert_eq!(c.state().leap, Leap::DelSecond);
        // `a`: delete.
        let mut c = start(mode, ClockFlags::empty());
        let out = run(&mut c, T0..T0 + 2, gps, |_, g| {
            g.leap = true;
            g.leap_delete = true;
        });
        assert_eq!(c.state().leap, Leap::DelSecond);
        assert_eq!(out.samples.last().unwrap().leap, Leap::DelSecond);
        // Over: no warning.
        run(&mut c, T0 + 2..T0 + 3, gps, |_, _| {});
        assert_eq!(c.state().leap, Leap::NoWarning);
    }
    // The extended string has no direction: `A` inserts.
    let mut c = start(2, ClockFlags::empty());
    let s = tel(T0, |g| g.leap = true).extended();
    feed(&mut c, PortId::MAIN, &s, rec(T0));
    assert_eq!(c.state().leap, Leap::AddSecond);
    // The leap second itself, 23:59:60: a sample naming the next second.
    let mut c = start(7, ClockFlags::empty());
    let t = 1_483_228_800; // 2017-01-01 00:00:00
    let mut g = tel(t - 1, |g| g.leap = true);
    g.local.second = 60;
    let out = feed(&mut c, PortId::MAIN, &g.gps(super::codec::POSITION), rec(t));
    assert_eq!(out.samples.len(), 1);
    assert!((out.samples[0].offset - (-0.003 + 0.001968)).abs() < 1e-6);
}

#[test]
fn gps_queries_every_6_s_in_modes_7_and_23_never_in_18() {
    for mode in [7, 23] {
        let mut c = Clock::<ParseDriver>::start(config(mode, ClockFlags::empty())).unwrap();
        let opened = Outcome::of({
            c.port_event(PortId::MAIN, PortEvent::Opened);
            c.take_actions()
        });
        assert_eq!(
            opened.writes,
            vec![(PortId::MAIN, binary::query(QUERY_SEQUENCE[0]))]
        );
        let mut writes = Vec::new();
        for s in 1..=60 {
            c.timer(Timestamp::from_secs(T0 + s));
            for a in c.take_actions() {
                if let Action::Write { data, .. } = a {
                    writes.push((s, data));
                }
            }
        }
        let want: Vec<(i64, Vec<u8>)> = (1..=10)
            .map(|k| (6 * k, binary::query(QUERY_SEQUENCE[k as usize % 8])))
            .collect();
        assert_eq!(writes, want, "mode {mode}");
    }
    let mut c = Clock::<ParseDriver>::start(config(18, ClockFlags::empty())).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    for s in 1..=20 {
        c.timer(Timestamp::from_secs(T0 + s));
    }
    assert!(Outcome::of(c.take_actions()).writes.is_empty());
}

#[test]
fn gps_answers_and_strings_on_one_port() {
    let mut c = start(7, ClockFlags::empty());
    let s = tel(T0, |_| {}).gps(super::codec::POSITION);
    let a = binary::answer(binary::GPS_SW_REV).unwrap();
    let data = [&a[..], &s, &binary::answer(binary::GPS_ANT_INFO).unwrap()].concat();
    let out = feed(&mut c, PortId::MAIN, &data, rec(T0));
    assert_eq!(out.samples.len(), 1);
    assert!(out
        .clockstats
        .iter()
        .any(|l| l == "meinberg_gps_version=\"1.23 refclock\""));
    assert!(out
        .clockstats
        .iter()
        .any(|l| l == "meinberg_antenna_status=\"<OK>\""));
    assert_eq!(c.state().counters.badformat, 0);
    // A wrong data checksum: counted, and the string after it still read.
    let mut bad = binary::answer(binary::GPS_BVAR_STAT).unwrap();
    *bad.last_mut().unwrap() ^= 1;
    let s = tel(T0 + 1, |_| {}).gps(super::codec::POSITION);
    let out = feed(&mut c, PortId::MAIN, &[&bad[..], &s].concat(), rec(T0 + 1));
    assert_eq!(out.samples.len(), 1);
    assert_eq!(c.state().counters.badformat, 1);
    // Mode 18 reads the same.
    let mut c = start(18, ClockFlags::empty());
    let out = feed(&mut c, PortId::MAIN, &data, rec(T0));
    assert_eq!(out.samples.len(), 1);
}

#[test]
fn bad_input_is_counted_and_never_a_sample() {
    for (mode, gps) in [(0u32, false), (2, false), (7, true), (18, true)] {
        let mut c = start(mode, ClockFlags::empty());
        let good = |t| {
            let g = tel(t, |_| {});
            if gps {
                g.gps(super::codec::POSITION)
            } else {
                g.standard()
            }
        };
        let mut truncated = good(T0);
        truncated.truncate(20);
        truncated.push(super::codec::ETX);
        let mut wrong = good(T0 + 1);
        wrong[9] = b',';
        let mut badday = good(T0 + 2);
        let at = if gps { 1 } else { 3 };
        badday[at..at + 2].copy_from_slice(b"32");
        let noise = vec![b'x'; 64];
        let mut badcount = 0;
        for (bytes, t) in [
            (truncated, T0),
            (wrong, T0 + 1),
            (badday, T0 + 2),
            (noise, T0 + 3),
        ] {
            let out = feed(&mut c, PortId::MAIN, &bytes, rec(t));
            assert!(out.samples.is_empty(), "mode {mode} {bytes:?}");
            badcount += 1;
        }
        let st = c.state().counters;
        assert!(
            st.badformat + st.baddata >= badcount - 1,
            "mode {mode}: {st:?}"
        );
        assert!(st.baddata >= 1, "mode {mode}: the bad day");
        // And good strings still give samples.
        let out = feed(&mut c, PortId::MAIN, &good(T0 + 4), rec(T0 + 4));
        assert_eq!(out.samples.len(), 1, "mode {mode}");
    }
}

#[test]
fn chunking_gives_the_same() {
    for (mode, gps) in [(0u32, false), (7, true)] {
        let mut data = Vec::new();
        for t in T0..T0 + 5 {
            let g = tel(t, |_| {});
            if gps {
                data.extend(binary::answer(binary::GPS_SW_REV).unwrap());
                data.extend(g.gps(super::codec::POSITION));
            } else {
                data.extend(g.standard());
                data.extend_from_slice(b"noise");
            }
        }
        let (_, out) = check_chunking::<ParseDriver, _>(
            &config(mode, ClockFlags::empty()),
            &data,
            rec(T0),
            1..40,
            |_| (),
        )
        .unwrap();
        assert_eq!(out.samples.len(), 5);
    }
}
