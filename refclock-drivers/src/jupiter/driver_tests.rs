//! The driver scripted through `Clock<JupiterDriver>`: start-up, the
//! configuration dialogue, pulses, serial-only samples, bad input, the
//! poll and the ticker.

use refclock_core::port::{PortKind, PpsEdge, PpsEdgeKind};
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Sample, StartError, Timestamp,
};

use super::codec::{self, Position, ReceiverId, TimeMark};
use super::tests::{base2000, capture_messages, hex, ts, M1108};
use super::JupiterDriver;
use crate::testkit::{check_chunking, Outcome};

fn config(flags: ClockFlags, serial_only: bool, time1: Option<f64>) -> DriverConfig {
    DriverConfig {
        unit: 2,
        fudge: Fudge {
            flags,
            time1,
            ..Fudge::default()
        },
        basedate: base2000(),
        options: if serial_only {
            vec![("serial-only".into(), None)]
        } else {
            vec![]
        },
        ..DriverConfig::default()
    }
}

fn clock(serial_only: bool) -> Clock<JupiterDriver> {
    let mut c = Clock::start(config(ClockFlags::empty(), serial_only, None)).unwrap();
    c.port_event(PortId::MAIN, PortEvent::Opened);
    let _ = c.take_actions();
    c
}

fn samples(actions: &[Action]) -> Vec<Sample> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Sample(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn writes(actions: &[Action]) -> Vec<Vec<u8>> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Write { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

fn stats(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ClockStats(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn edge(t: Timestamp, kind: PpsEdgeKind, sequence: u32) -> PpsEdge {
    PpsEdge {
        time: t,
        sequence,
        kind,
    }
}

/// The reference time of a sample.
fn reference(s: &Sample) -> f64 {
    s.time.as_secs_f64() + s.offset
}

/// A valid 1000 for UTC second `utc` (GPS − UTC 18).
fn position(utc: Timestamp) -> Vec<u8> {
    let g = refclock_core::gps::GpsTime::from_utc(utc, 18);
    codec::encode_position(&Position {
        week: g.week as u16,
        week_secs: g.tow_secs(),
        ..Position::default()
    })
}

/// A 1108 naming UTC second `utc`.
fn mark(utc: Timestamp, flags: u16) -> Vec<u8> {
    let g = refclock_core::gps::GpsTime::from_utc(utc, 0);
    codec::encode_time_mark(&TimeMark {
        week_secs: g.tow_secs(),
        gps_utc_secs: 18,
        flags,
        ..TimeMark::default()
    })
}

const VALID_UTC: u16 = codec::MARK_VALID | codec::MARK_UTC;

#[test]
fn start_asks_for_the_port_and_its_pps() {
    let c = Clock::<JupiterDriver>::start(config(ClockFlags::empty(), false, None)).unwrap();
    let ports = c.ports();
    let spec = &ports.list[0];
    assert_eq!(spec.kind.path().unwrap().to_str(), Some("/dev/gps2"));
    let serial = spec.kind.serial_config().unwrap();
    assert_eq!(serial.baud, 9600);
    assert!(matches!(spec.kind, PortKind::Serial { .. }));
    let pps = ports.pps.as_ref().unwrap();
    assert_eq!(
        (pps.path.clone(), pps.fallback_port),
        (None, Some(PortId::MAIN))
    );
    assert_eq!(pps.edge, PpsEdgeKind::Assert);
    let c3 = Clock::<JupiterDriver>::start(config(ClockFlags::FLAG3, false, None)).unwrap();
    assert_eq!(c3.ports().pps.as_ref().unwrap().edge, PpsEdgeKind::Clear);
    let so = Clock::<JupiterDriver>::start(config(ClockFlags::empty(), true, None)).unwrap();
    assert!(so.ports().pps.is_none());
    assert!(so.driver().serial_only());
    let mut bad = config(ClockFlags::empty(), false, None);
    bad.options = vec![("listen-only".into(), None)];
    assert!(matches!(
        Clock::<JupiterDriver>::start(bad),
        Err(StartError::BadOption { .. })
    ));
}

#[test]
fn the_open_port_gets_the_configuration() {
    for (flags, platform) in [(ClockFlags::empty(), 2), (ClockFlags::FLAG2, 5)] {
        let mut c = Clock::<JupiterDriver>::start(config(flags, false, None)).unwrap();
        let _ = c.take_actions();
        c.port_event(PortId::MAIN, PortEvent::Opened);
        let a = c.take_actions();
        let w = writes(&a);
        assert_eq!(w, codec::configuration(platform == 5));
        assert_eq!(w[4], codec::platform(platform));
        assert_eq!(stats(&a)[0], "init receiver");
        assert_eq!(stats(&a).len(), if platform == 5 { 2 } else { 1 });
        assert!(c.driver().wants_id());
    }
}

#[test]
fn the_id_asked_for_is_logged_an_unasked_one_reconfigures() {
    let mut c = clock(false);
    let id = codec::encode_receiver(&ReceiverId::with_texts(["12", "2.1", "06/01/04", "T", ""]));
    let t = ts(2024, 3, 1, 0, 0, 0);
    c.receive(PortId::MAIN, &id, t);
    let a = c.take_actions();
    assert!(writes(&a).is_empty());
    assert_eq!(stats(&a), ["12 chan ver 2.1, 06/01/04 (T)"]);
    // The receiver restarted: it sends its id unasked.
    c.receive(PortId::MAIN, &id, t + 5.0);
    let a = c.take_actions();
    assert_eq!(writes(&a), codec::configuration(false));
    assert!(stats(&a).contains(&"reset receiver".to_string()));
    // Its own query's answer does not reconfigure again.
    c.receive(PortId::MAIN, &id, t + 6.0);
    assert!(writes(&c.take_actions()).is_empty());
}

#[test]
fn a_poll_without_samples_times_out_and_reconfigures_on_the_answer() {
    let mut c = clock(false);
    let t = ts(2024, 3, 1, 0, 0, 0);
    c.poll(t);
    let a = c.take_actions();
    assert_eq!(writes(&a), [codec::query(codec::ID_RECEIVER)]);
    assert!(a.contains(&Action::Event(ClockEvent::Timeout)));
    assert_eq!(c.state().counters.noreply, 1);
    assert!(!c.driver().wants_id());
    let id = codec::encode_receiver(&ReceiverId::default());
    c.receive(PortId::MAIN, &id, t + 0.1);
    assert_eq!(writes(&c.take_actions()), codec::configuration(false));
}

/// The capture, each message in its own read: a 1108 at 0.6 s of the
/// second before the one it names, then the 1000 and 1002 at 0.7 s;
/// with `pulses`, the pulse of each named second 3 µs late.
fn replay(c: &mut Clock<JupiterDriver>, pulses: bool) -> Option<(Vec<Action>, Vec<Timestamp>)> {
    let (_, messages) = capture_messages()?;
    let mut all = Vec::new();
    let mut named = Vec::new();
    let mut second = ts(2005, 6, 13, 20, 42, 20);
    for m in &messages {
        let id = u16::from_le_bytes([m[2], m[3]]);
        if id == codec::ID_TIME_MARK {
            if pulses && !named.is_empty() {
                c.pps(edge(
                    second + 0.000_003,
                    PpsEdgeKind::Assert,
                    named.len() as u32,
                ));
                all.extend(c.take_actions());
            }
            c.timer(second + 0.5);
            c.receive(PortId::MAIN, m, second + 0.6);
            second = second + 1.0;
            named.push(second);
        } else {
            c.receive(PortId::MAIN, m, second + (-0.3));
        }
        all.extend(c.take_actions());
    }
    if pulses {
        c.pps(edge(second + 0.000_003, PpsEdgeKind::Assert, 99));
        all.extend(c.take_actions());
    }
    Some((all, named))
}

#[test]
fn the_capture_with_pulses_gives_a_sample_per_pulse() {
    let mut c = clock(false);
    let Some((a, named)) = replay(&mut c, true) else {
        return;
    };
    let s = samples(&a);
    // Every 1108 but the first is followed by its pulse once a 1000 has
    // given the pivot: all 21 (the first 1000 comes before the first
    // pulse).
    assert_eq!(s.len(), 21, "{:?}", stats(&a));
    for (s, n) in s.iter().zip(&named) {
        assert!((reference(s) - n.as_secs_f64()).abs() < 1e-6);
        assert!((s.offset + 0.000_003).abs() < 1e-9);
        assert_eq!((s.leap, s.pulse), (Leap::NoWarning, false));
    }
    assert_eq!(c.state().timecode(), "2005-06-13T20:42:41");
    assert_eq!(c.state().counters.badformat, 0);
}

#[test]
fn the_capture_without_pulses_gives_nothing_as_in_ntpd() {
    let mut c = clock(false);
    let Some((a, _)) = replay(&mut c, false) else {
        return;
    };
    assert!(samples(&a).is_empty());
    assert!(stats(&a)
        .iter()
        .any(|l| l == "GPS 2005-06-13T20:42:33 (gweek/sweek 1327/160953)"));
    assert!(stats(&a).iter().any(|l| l == "unknown message id 1002"));
}

#[test]
fn the_capture_serial_only() {
    let mut c = clock(true);
    let Some((a, named)) = replay(&mut c, false) else {
        return;
    };
    let s = samples(&a);
    // The first 1108 comes before any 1000: no pivot, no sample.
    assert_eq!(s.len(), 20);
    for (s, n) in s.iter().zip(&named[1..]) {
        assert!((reference(s) + 0.4 - n.as_secs_f64()).abs() < 1e-6);
        // Received at 0.6 s, stated for 0.6 s: offset 0.
        assert!(s.offset.abs() < 1e-6, "{}", s.offset);
    }
    c.poll(ts(2005, 6, 13, 20, 43, 0));
    let a = c.take_actions();
    assert!(a.iter().any(|x| matches!(x, Action::Filtered(_))));
    assert!(writes(&a).is_empty());
}

#[test]
fn reads_split_anywhere_give_the_same() {
    let Some((_, messages)) = capture_messages() else {
        return;
    };
    let data: Vec<u8> = messages.concat();
    let mut cfg = config(ClockFlags::empty(), true, Some(0.01));
    cfg.unit = 0;
    let (c, out) =
        check_chunking::<JupiterDriver, _>(&cfg, &data, ts(2005, 6, 13, 20, 42, 30), 1..20, |c| {
            c.driver().next_reference()
        })
        .unwrap();
    let _: &Outcome = &out;
    assert_eq!(c.state().counters.samples, 20);
}

#[test]
fn pulses_outside_the_window_or_without_a_pivot_give_nothing() {
    let t = ts(2024, 3, 1, 12, 0, 0);
    let mut c = clock(false);
    // No 1000 yet: a pulse after a 1108 gives nothing.
    c.receive(PortId::MAIN, &mark(t + 1.0, VALID_UTC), t + 0.6);
    c.pps(edge(t + 1.0, PpsEdgeKind::Assert, 1));
    assert!(samples(&c.take_actions()).is_empty());
    c.receive(PortId::MAIN, &position(t), t + 0.7);
    // 0.8 s after the 1108: too late.
    c.receive(PortId::MAIN, &mark(t + 2.0, VALID_UTC), t + 1.6);
    c.pps(edge(t + 2.4, PpsEdgeKind::Assert, 2));
    assert!(samples(&c.take_actions()).is_empty());
    // The wrong edge, the same pulse twice, a pulse before the 1108.
    c.receive(PortId::MAIN, &mark(t + 3.0, VALID_UTC), t + 2.6);
    c.pps(edge(t + 3.0, PpsEdgeKind::Clear, 3));
    c.pps(edge(t + 2.5, PpsEdgeKind::Assert, 4));
    assert!(samples(&c.take_actions()).is_empty());
    // The 1108 was used up by the early pulse; the next one works.
    c.receive(PortId::MAIN, &mark(t + 4.0, VALID_UTC), t + 3.6);
    c.pps(edge(t + 4.0, PpsEdgeKind::Assert, 5));
    c.pps(edge(t + 4.0, PpsEdgeKind::Assert, 6));
    let s = samples(&c.take_actions());
    assert_eq!(s.len(), 1);
    assert!((reference(&s[0]) - (t + 4.0).as_secs_f64()).abs() < 1e-9);
    // flag3: the clear edge.
    let mut c3 =
        Clock::<JupiterDriver>::start(config(ClockFlags::FLAG3, false, Some(0.002))).unwrap();
    c3.port_event(PortId::MAIN, PortEvent::Opened);
    c3.receive(PortId::MAIN, &position(t), t + 0.7);
    c3.receive(PortId::MAIN, &mark(t + 2.0, VALID_UTC), t + 1.6);
    c3.pps(edge(t + 2.0001, PpsEdgeKind::Assert, 1));
    c3.pps(edge(t + 2.1, PpsEdgeKind::Clear, 1));
    let s = samples(&c3.take_actions());
    assert_eq!(s.len(), 1);
    assert!((s[0].offset - (-0.1 + 0.002)).abs() < 1e-9);
}

#[test]
fn invalid_marks_and_solutions_give_nothing() {
    let t = ts(2024, 3, 1, 12, 0, 0);
    let mut c = clock(true);
    let bad = Position {
        nav_validity: 0x04,
        ..Position::default()
    };
    c.receive(PortId::MAIN, &codec::encode_position(&bad), t);
    c.receive(PortId::MAIN, &mark(t + 1.0, VALID_UTC), t + 0.6);
    let a = c.take_actions();
    assert!(samples(&a).is_empty(), "no pivot from an invalid solution");
    assert!(stats(&a).contains(&"gpos: Navigation solution not valid".into()));
    c.receive(PortId::MAIN, &position(t), t + 0.7);
    c.receive(PortId::MAIN, &mark(t + 2.0, codec::MARK_UTC), t + 1.6);
    let a = c.take_actions();
    assert!(samples(&a).is_empty());
    assert_eq!(c.state().counters.baddata, 1);
    c.receive(PortId::MAIN, &mark(t + 3.0, VALID_UTC), t + 2.6);
    assert_eq!(samples(&c.take_actions()).len(), 1);
}

#[test]
fn bad_checksums_and_cut_messages_are_counted_never_a_sample() {
    let t = ts(2005, 6, 13, 20, 42, 20);
    let good = hex(M1108);
    let mut c = clock(true);
    c.receive(PortId::MAIN, &position(t), t);
    let _ = c.take_actions();
    let mut data = good.clone();
    data[20] ^= 0x10; // data checksum
    let mut hdr = good.clone();
    hdr[6] ^= 0x01; // header checksum
    let cut = &good[..30];
    let short = codec::message(codec::ID_TIME_MARK, 0, &[0; 13]);
    let stream = [&data[..], &hdr, cut, &short].concat();
    c.receive(PortId::MAIN, &stream, t + 0.6);
    // Then a good message, after which the skipped bytes are told.
    c.receive(PortId::MAIN, &position(t), t + 0.7);
    let a = c.take_actions();
    assert!(samples(&a).is_empty(), "{:?}", stats(&a));
    // The data checksum; the message with the bad header, skipped; the
    // cut one, which runs into the next and fails its data checksum; the
    // wrong length of that next one, found again after it.
    assert_eq!(c.state().counters.badformat, 4, "{:?}", stats(&a));
    assert!(stats(&a)
        .iter()
        .any(|l| l == "message 1108: bad data checksum"));
    assert!(
        stats(&a).iter().any(|l| l.starts_with("syncing (")),
        "{:?}",
        stats(&a)
    );
}

#[test]
fn the_ticker_ages_samples_and_drops_the_pivot() {
    let t = ts(2024, 3, 1, 12, 0, 0);
    let mut c = clock(true);
    c.receive(PortId::MAIN, &position(t), t + 0.7);
    for k in 1..=3 {
        c.receive(
            PortId::MAIN,
            &mark(t + k as f64, VALID_UTC),
            t + (k as f64 - 0.4),
        );
    }
    assert_eq!(c.state().pending().len(), 3);
    c.timer(t + 3.0);
    c.timer(t + 4.0);
    assert_eq!(c.state().pending().len(), 3);
    c.timer(t + 5.0);
    assert_eq!(c.state().pending().len(), 2);
    for k in 0..56 {
        c.timer(t + 6.0 + k as f64);
    }
    assert!(c.driver().pivot().is_some());
    c.timer(t + 62.0);
    assert!(c.driver().pivot().is_none());
    // Without the pivot the 1108 still names its second (around the
    // receive time) but gives no serial sample.
    let _ = c.take_actions();
    c.receive(PortId::MAIN, &mark(t + 64.0, VALID_UTC), t + 63.6);
    assert!(samples(&c.take_actions()).is_empty());
    assert_eq!(c.driver().next_reference(), Some(t + 64.0));
}

#[test]
fn a_change_of_the_offset_is_logged() {
    let t = ts(2024, 3, 1, 12, 0, 0);
    let mut c = clock(true);
    c.receive(PortId::MAIN, &mark(t, VALID_UTC), t);
    let next = codec::encode_time_mark(&TimeMark {
        week_secs: refclock_core::gps::GpsTime::from_utc(t + 1.0, 0).tow_secs(),
        gps_utc_secs: 19,
        flags: VALID_UTC,
        ..TimeMark::default()
    });
    c.receive(PortId::MAIN, &next, t + 1.0);
    let a = c.take_actions();
    assert!(stats(&a).contains(&"GPS-UTC offset 19 s, was 18 s".into()));
    assert!(samples(&a).iter().all(|s| s.leap == Leap::NoWarning));
}
