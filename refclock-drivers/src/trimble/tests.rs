//! Tests of the Trimble driver on scripted packets: start-up writes and
//! lines per mode, event polls, the 1 Hz packets, the fixes over ntpd
//! (leap from 8F-AC, 8F-AB early in the week, GPS-time 8F-AB), bad input
//! counted and never a sample, PPS augmentation.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::port::{Parity, PpsEdge, PpsEdgeKind};
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Timestamp,
};

use super::capture_tests::clock;
use super::reports::{comprehensive, gps_time, primary_timing, primary_utc, v1_timing};
use super::*;
use crate::testkit::Outcome;
use crate::tsip::timing::{Supplemental, AC_MINOR_LEAP_PENDING, ID_SUPER_REPORT};
use crate::tsip::{self, v1};

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn base() -> Basedate {
    Basedate::from_ymd(2020, 1, 1).unwrap()
}

fn sup(data: Vec<u8>) -> Vec<u8> {
    tsip::encode(ID_SUPER_REPORT, &data)
}

fn ab(t: Timestamp) -> Vec<u8> {
    sup(primary_timing(t, 18, true).encode())
}

fn ac(leap: bool) -> Vec<u8> {
    sup(Supplemental {
        receiver_mode: 7,
        disciplining_mode: 0,
        holdover: 0,
        critical: 0,
        minor: if leap { AC_MINOR_LEAP_PENDING } else { 0 },
        decoding: 0,
    }
    .encode())
}

fn ad(t: Timestamp, event: u16, valid: bool, leap: bool) -> Vec<u8> {
    sup(primary_utc(&CivilTime::from_timestamp(t), event, valid, leap).encode())
}

fn ob(t: Timestamp, event: u16) -> Vec<u8> {
    sup(comprehensive(&CivilTime::from_timestamp(t), event, 18).encode())
}

fn feed(c: &mut Clock<TrimbleDriver>, bytes: &[u8], rec: Timestamp) -> Outcome {
    c.receive(PortId::MAIN, bytes, rec);
    Outcome::of(c.take_actions())
}

fn poll(c: &mut Clock<TrimbleDriver>, now: Timestamp) -> Outcome {
    c.poll(now);
    Outcome::of(c.take_actions())
}

fn reference(o: &Outcome) -> Vec<Timestamp> {
    o.samples
        .iter()
        .map(|s| s.time.add_secs_f64(s.offset))
        .collect()
}

#[test]
fn lines_and_start_writes_per_mode() {
    let expect: [(u32, u32, Parity, usize); 8] = [
        (0, 9600, Parity::Odd, 0),
        (1, 9600, Parity::Odd, 0),
        (2, 9600, Parity::None, 2),
        (3, 9600, Parity::Odd, 1),
        (4, 9600, Parity::Odd, 0),
        (5, 9600, Parity::Odd, 3),
        (6, 9600, Parity::Odd, 0),
        (7, 38_400, Parity::None, 0),
    ];
    for (mode, baud, parity, writes) in expect {
        let mut c = Clock::<TrimbleDriver>::start(DriverConfig {
            fudge: Fudge {
                mode,
                ..Fudge::default()
            },
            ..DriverConfig::default()
        })
        .unwrap();
        let line = c
            .ports()
            .get(PortId::MAIN)
            .unwrap()
            .kind
            .serial_config()
            .copied()
            .unwrap();
        assert_eq!(
            (line.baud, line.parity, line.crnl),
            (baud, parity, false),
            "mode {mode}"
        );
        c.port_event(PortId::MAIN, PortEvent::Opened);
        let o = Outcome::of(c.take_actions());
        assert_eq!(o.writes.len(), writes, "mode {mode}");
    }
    // Thunderbolt: UTC, then 8F-AB and 8F-AC on; Acutime: event polling.
    assert_eq!(
        Receiver::Thunderbolt.start_packets(),
        vec![
            vec![0x10, 0x8E, 0xA2, 0x03, 0x10, 0x03],
            vec![0x10, 0x8E, 0xA5, 0x00, 0x05, 0x10, 0x03]
        ]
    );
    assert_eq!(
        Receiver::Acutime.start_packets(),
        vec![vec![0x10, 0x8E, 0xA5, 0x02, 0x00, 0x00, 0x00, 0x10, 0x03]]
    );
    // Unknown modes run as 0; the speed option.
    let c = Clock::<TrimbleDriver>::start(DriverConfig {
        fudge: Fudge {
            mode: 9,
            ..Fudge::default()
        },
        options: vec![("speed".into(), Some("115200".into()))],
        ..DriverConfig::default()
    })
    .unwrap();
    assert_eq!(c.driver().receiver(), Receiver::Palisade);
    let line = c
        .ports()
        .get(PortId::MAIN)
        .unwrap()
        .kind
        .serial_config()
        .copied()
        .unwrap();
    assert_eq!(line.baud, 115_200);
    assert!(Clock::<TrimbleDriver>::start(DriverConfig {
        options: vec![("speed".into(), Some("1234".into()))],
        ..DriverConfig::default()
    })
    .is_err());
}

#[test]
fn thunderbolt_one_sample_per_poll_and_leap_from_8f_ac() {
    let mut c = clock(2, ClockFlags::empty(), base());
    let t = ts(2026, 6, 30, 23, 59, 0);
    // No poll yet: nothing.
    assert!(feed(&mut c, &ab(t), t.add_secs_f64(0.02))
        .samples
        .is_empty());
    let p = poll(&mut c, t.add_secs_f64(0.5));
    assert!(p.writes.is_empty() && p.port_actions.is_empty(), "{p:?}");
    // ntpd would ignore this 8F-AC (polled) and never announce: June.
    feed(&mut c, &ac(true), t.add_secs_f64(0.6));
    let t1 = t.add_secs_f64(1.0);
    let o = feed(&mut c, &ab(t1), t1.add_secs_f64(0.02));
    assert_eq!(reference(&o), vec![t1]);
    assert_eq!(o.samples[0].leap, Leap::AddSecond);
    assert_eq!(o.filtered.len(), 1);
    // One sample per poll.
    let t2 = t.add_secs_f64(2.0);
    assert!(feed(&mut c, &ab(t2), t2.add_secs_f64(0.02))
        .samples
        .is_empty());
    // A poll without a sample since: timeout at the next.
    poll(&mut c, t2.add_secs_f64(0.5));
    let o = poll(&mut c, t2.add_secs_f64(1.5));
    assert_eq!(o.events, vec![ClockEvent::Timeout]);
    // Not in June or December: no warning.
    let mut c = clock(5, ClockFlags::empty(), base());
    let t = ts(2026, 5, 31, 23, 59, 0);
    feed(&mut c, &ab(t), t);
    feed(&mut c, &ac(true), t);
    poll(&mut c, t);
    let o = feed(&mut c, &ab(t.add_secs_f64(1.0)), t.add_secs_f64(1.0));
    assert_eq!(o.samples[0].leap, Leap::NoWarning);
}

#[test]
fn early_in_the_week_and_gps_time_8f_ab_are_used() {
    // Sunday 01:00 UTC: time of week 3618 s < 65536, no flag2.
    let t = ts(2026, 11, 29, 1, 0, 0);
    let mut c = clock(2, ClockFlags::empty(), base());
    poll(&mut c, t);
    assert_eq!(reference(&feed(&mut c, &ab(t), t)), vec![t]);
    // Fields in GPS time (the receiver's default): converted.
    let mut a = primary_timing(t, 18, true);
    let g = CivilTime::from_timestamp(t.add_secs_f64(18.0));
    a.flags = 0;
    (a.hour, a.minute, a.second) = (g.hour, g.minute, g.second);
    poll(&mut c, t);
    assert_eq!(reference(&feed(&mut c, &sup(a.encode()), t)), vec![t]);
    // "Not set": refused, counted, not in sync.
    a.flags = tsip::timing::AB_NOT_SET;
    poll(&mut c, t);
    let o = feed(&mut c, &sup(a.encode()), t);
    assert!(o.samples.is_empty());
    assert_eq!(o.events, vec![ClockEvent::BadTime]);
    assert_eq!(c.state().leap, Leap::NotInSync);
}

#[test]
fn week_rollover_dates_unfold() {
    // A receiver with the roll-over bug says 1024 weeks ago.
    let t = ts(2026, 11, 30, 12, 0, 0);
    let old = Timestamp::from_nanos(t.as_nanos() - 1024 * 604_800 * 1_000_000_000);
    for (mode, bytes) in [
        (2, ab(old)),
        (0, ad(old, 0, true, false)),
        (7, tsip::encode(0x41, &gps_time(t, 18, true).encode())),
    ] {
        let flags = if mode == 0 {
            ClockFlags::FLAG2
        } else {
            ClockFlags::empty()
        };
        let mut c = clock(mode, flags, base());
        poll(&mut c, t);
        assert_eq!(reference(&feed(&mut c, &bytes, t)), vec![t], "mode {mode}");
    }
}

#[test]
fn palisade_event_poll_and_flag2() {
    let t = ts(2026, 12, 31, 10, 0, 0);
    let mut c = clock(0, ClockFlags::empty(), base());
    let p = poll(&mut c, t);
    assert_eq!(
        p.port_actions,
        vec![
            Action::ModemLines {
                port: PortId::MAIN,
                dtr: None,
                rts: Some(true)
            },
            Action::ModemLines {
                port: PortId::MAIN,
                dtr: None,
                rts: Some(false)
            },
        ]
    );
    // The 1 Hz packets (event 0) are ignored without flag2.
    assert!(feed(&mut c, &ad(t, 0, true, false), t).samples.is_empty());
    assert!(feed(&mut c, &ob(t, 0), t).samples.is_empty());
    // The event answer: the event time, at the poll's time.
    let ev = t.add_secs_f64(0.000_123);
    let o = feed(
        &mut c,
        &[ad(ev, 1, true, true), ob(ev, 1)].concat(),
        t.add_secs_f64(0.05),
    );
    assert_eq!(o.samples.len(), 1);
    assert_eq!(o.samples[0].time, t);
    assert!((o.samples[0].offset - 0.000_123).abs() < 1e-9);
    assert_eq!(o.samples[0].leap, Leap::AddSecond);
    // flag2: the 1 Hz 8F-AD at its own time; an 8F-0B without 8F-AD too.
    let mut c = clock(4, ClockFlags::FLAG2, base());
    assert!(poll(&mut c, t).port_actions.is_empty());
    let o = feed(&mut c, &ad(t, 0, true, false), t.add_secs_f64(0.01));
    assert_eq!(reference(&o), vec![t]);
    feed(&mut c, &ob(t, 0), t.add_secs_f64(0.02));
    poll(&mut c, t);
    let t1 = t.add_secs_f64(1.0);
    let o = feed(&mut c, &ob(t1, 0), t1);
    assert_eq!(reference(&o), vec![t1]);
    // An 8F-AD without UTC: no sample, and not from its 8F-0B either.
    poll(&mut c, t);
    let t2 = t.add_secs_f64(2.0);
    let o = feed(&mut c, &[ad(t2, 0, false, false), ob(t2, 0)].concat(), t2);
    assert!(o.samples.is_empty());
    assert_eq!(o.events, vec![ClockEvent::BadTime]);
}

#[test]
fn praecis_asks_spstat_first_and_ace_sends_0x21() {
    let t = ts(2026, 3, 1, 0, 0, 0);
    let mut c = clock(1, ClockFlags::empty(), base());
    let p = poll(&mut c, t);
    assert_eq!(p.writes, vec![(PortId::MAIN, SPSTAT.to_vec())]);
    assert!(p.port_actions.is_empty());
    let o = feed(&mut c, b"SPSTAT 1\rLOCKED\r\n", t.add_secs_f64(0.1));
    assert_eq!(o.clockstats, vec!["SPSTAT 1 LOCKED".to_string()]);
    assert_eq!(o.port_actions.len(), 2);
    // Event answer: the time of the RTS pulse (after the status line).
    let o = feed(
        &mut c,
        &ad(t.add_secs_f64(0.1), 1, true, false),
        t.add_secs_f64(0.2),
    );
    assert_eq!(o.samples[0].time, t.add_secs_f64(0.1));
    // ACE III: 0x21, answered by 0x41 with the fraction of its time.
    let mut c = clock(6, ClockFlags::empty(), base());
    let p = poll(&mut c, t);
    assert_eq!(p.writes, vec![(PortId::MAIN, vec![0x10, 0x21, 0x10, 0x03])]);
    let g = gps_time(t.add_secs_f64(0.25), 18, true);
    let o = feed(
        &mut c,
        &tsip::encode(0x41, &g.encode()),
        t.add_secs_f64(0.3),
    );
    assert_eq!(o.samples[0].time, t);
    assert!((o.samples[0].offset - 0.25).abs() < 0.04, "{o:?}");
    // Acutime: a NUL byte before the pulse; a healthy 0x46 is no error.
    let mut c = clock(3, ClockFlags::empty(), base());
    let p = poll(&mut c, t);
    assert_eq!(p.writes, vec![(PortId::MAIN, vec![0])]);
    let o = feed(&mut c, &tsip::encode(0x46, &[0, 0]), t);
    assert!(o.events.is_empty());
    let o = feed(&mut c, &tsip::encode(0x46, &[0, 0x04]), t);
    assert_eq!(o.events, vec![ClockEvent::BadTime]);
    // The poll is cancelled: no timeout at the next.
    assert!(poll(&mut c, t).events.is_empty());
}

#[test]
fn bad_input_is_counted_and_never_a_sample() {
    let t = ts(2026, 11, 30, 12, 0, 0);
    let good = ab(t);
    // Truncated (a byte less), DLE-damaged, bad TSIPv1 checksum.
    let mut short = good.clone();
    short.remove(5);
    let mut damaged = good.clone();
    damaged.splice(8..8, [0x10, 0x47]);
    let mut v1 = tsip::encode(v1::ID_TIMING, &v1_timing(t, 18, true).packet());
    let n = v1.len();
    v1[n - 3] ^= 0x01;
    for bad in [short, damaged, v1] {
        let mut c = clock(2, ClockFlags::empty(), base());
        poll(&mut c, t);
        let o = feed(&mut c, &bad, t);
        assert!(o.samples.is_empty(), "{bad:02X?}");
        assert!(
            o.events.contains(&ClockEvent::BadReply),
            "{bad:02X?}: {o:?}"
        );
        assert!(c.state().counters.badformat >= 1 || !o.events.is_empty());
        // The next good packet still gives the poll's sample.
        poll(&mut c, t);
        let o = feed(&mut c, &good, t);
        assert_eq!(reference(&o), vec![t]);
    }
}

#[test]
fn split_reads_give_the_same_samples() {
    let t0 = ts(2026, 11, 30, 12, 0, 0);
    let mut bytes = Vec::new();
    for s in 0..6 {
        let t = t0.add_secs_f64(f64::from(s));
        bytes.extend(ab(t));
        bytes.extend(ac(false));
        bytes.extend(tsip::encode(
            v1::ID_TIMING,
            &v1_timing(t, 18, true).packet(),
        ));
    }
    // One read, then reads of 1..7 bytes: the same samples.
    let run = |sizes: &dyn Fn(usize) -> usize| {
        let mut c = clock(5, ClockFlags::empty(), base());
        let mut out = Vec::new();
        let mut at = 0;
        let mut k = 0;
        while at < bytes.len() {
            let n = sizes(k).min(bytes.len() - at);
            c.poll(t0);
            c.receive(PortId::MAIN, &bytes[at..at + n], t0);
            out.extend(
                reference(&Outcome::of(c.take_actions()))
                    .iter()
                    .map(|t| t.secs()),
            );
            at += n;
            k += 1;
        }
        out
    };
    let whole: Vec<i64> = run(&|_| usize::MAX);
    assert_eq!(whole.len(), 1);
    let split = run(&|k| 1 + k % 7);
    assert_eq!(split.len(), 12, "{split:?}");
    assert!(split.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn pps_moves_the_receive_time_onto_the_pulse() {
    let t = ts(2026, 11, 30, 12, 0, 0);
    let mut c = Clock::<TrimbleDriver>::start(DriverConfig {
        fudge: Fudge {
            mode: 2,
            ..Fudge::default()
        },
        pps_device: Some("/dev/pps0".into()),
        basedate: base(),
        ..DriverConfig::default()
    })
    .unwrap();
    assert!(c.ports().pps.is_some());
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    let edge = t.add_secs_f64(0.000_002);
    c.pps(PpsEdge {
        time: edge,
        sequence: 1,
        kind: PpsEdgeKind::Assert,
    });
    poll(&mut c, t);
    let o = feed(&mut c, &ab(t), t.add_secs_f64(0.031));
    assert_eq!(o.samples[0].time, edge);
    assert!((o.samples[0].offset + 0.000_002).abs() < 1e-9);
}
