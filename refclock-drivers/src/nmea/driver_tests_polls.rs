//! NMEA driver tests: flag4, polls and clockstats, lines split across
//! reads, sample expiry and PPS.

use super::*;

#[test]
fn flag4_obscures_the_position() {
    let mut d = Setup {
        flags: ClockFlags::FLAG4,
        ..Default::default()
    }
    .build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let s = feed(&mut d, &rmc("120007", 'A', "010324"), rec).samples;
    assert_eq!(s.len(), 1);
    let code = d.clock().timecode().to_string();
    assert_eq!(
        code,
        "$GPRMC,120007,A,____.____,_,_____.____,_,000.0,226.0,010324,004.2,E,D*__"
    );
    let a = drain_poll(&mut d, rec + 1.0);
    assert_eq!(a.clockstats, vec![code]);
    // Rejected sentences are saved obscured, too.
    feed(&mut d, &gga("120008", '0'), rec + 1.0);
    assert!(d
        .clock()
        .timecode()
        .starts_with("$GPGGA,120008,____.____,N,_____.____,E,0"));
}

fn drain_poll(d: &mut D, now: Timestamp) -> Outcome {
    d.poll(now);
    Outcome::of(testkit::drain(&mut d.0))
}

#[test]
fn poll_timeouts_and_clockstats() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    // Nothing received: one timeout, reported once.
    let a = drain_poll(&mut d, rec);
    assert_eq!(a.events, vec![ClockEvent::Timeout]);
    assert_eq!(a.clockstats, vec![String::new()]);
    let a = drain_poll(&mut d, rec);
    assert!(a.events.is_empty());
    assert_eq!(d.clock().counters.noreply, 1);
    assert_eq!(d.clock().counters.polls, 0);

    for i in 0..5 {
        feed(
            &mut d,
            &rmc(&format!("12000{}", 7 + i / 3), 'A', "010324"),
            rec,
        );
    }
    let a = drain_poll(&mut d, rec);
    assert_eq!(d.clock().counters.polls, 1);
    assert_eq!(a.filtered.len(), 1);
    assert_eq!(a.events, vec![ClockEvent::Nominal]);
    assert_eq!(
        a.clockstats,
        vec![rmc("120008", 'A', "010324").trim_end().to_string()]
    );
    assert_eq!(d.tally(), Tally::default());
    assert_eq!(d.totals().accepted, 2);
    assert_eq!(d.totals().filtered, 3);
}

#[test]
fn extended_clockstats() {
    let mut d = Setup {
        mode: MODE_EXTLOG,
        ..Default::default()
    }
    .build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    let a = drain_poll(&mut d, rec);
    assert_eq!(a.clockstats, vec!["(none)  0 0 0 0 0 0".to_string()]);
    feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    feed(&mut d, &gga("120007", '1'), rec);
    feed(&mut d, &sentence("GPGSV,3,1,12"), rec);
    feed(&mut d, &rmc("120008", 'V', "010324"), rec);
    feed(&mut d, &rmc("120009", 'A', "320399"), rec);
    let a = drain_poll(&mut d, rec);
    let code = rmc("120009", 'A', "320399");
    assert_eq!(
        a.clockstats,
        vec![format!("{}  5 1 1 1 1 0", code.trim_end())]
    );
}

#[test]
fn delay_measurement_lines() {
    let mut d = Setup {
        mode: MODE_DELAYMEAS | MODE_GGA,
        ..Default::default()
    }
    .build();
    let rec = Timestamp::new(ts(2024, 3, 1, 12, 0, 7).secs(), 250_000_000);
    let a = feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    assert_eq!(a.clockstats, vec!["delay 0.250000 $GPRMC".to_string()]);
    let a = feed(&mut d, &gga("120007", '1'), rec);
    assert_eq!(a.clockstats, vec!["delay 0.250000 $GPGGA".to_string()]);
    let a = feed(&mut d, &sentence("GPGSV,3,1,12"), rec);
    assert!(a.clockstats.is_empty());
}

#[test]
fn lines_split_across_reads() {
    let mut d = Setup::default().build();
    let line = rmc("120007", 'A', "010324");
    let (a, b) = line.split_at(30);
    let t1 = ts(2024, 3, 1, 12, 0, 7) + 0.05;
    let t2 = ts(2024, 3, 1, 12, 0, 7) + 0.2;
    assert_eq!(feed(&mut d, a, t1), Outcome::default());
    let s = feed(&mut d, b, t2).samples;
    assert_eq!(s[0].time, t2);
    // The timer drops a half line once samples go stale.
    feed(&mut d, "$GPGGA,1200", t2);
    for _ in 0..3 {
        d.timer(t2);
    }
    assert!(d.clock().pending().is_empty());
    let s = feed(&mut d, &gga("120009", '1')[6..], t2 + 2.0).samples;
    assert!(s.is_empty());
    assert_eq!(d.totals().dropped, 1);
}

#[test]
fn sample_expiry() {
    let mut d = Setup::default().build();
    let rec = ts(2024, 3, 1, 12, 0, 7) + 0.1;
    feed(&mut d, &rmc("120007", 'A', "010324"), rec);
    feed(&mut d, &rmc("120008", 'A', "010324"), rec + 1.0);
    assert_eq!(d.clock().pending().len(), 2);
    d.timer(rec);
    d.timer(rec);
    assert_eq!(d.clock().pending().len(), 2);
    d.timer(rec);
    assert_eq!(d.clock().pending().len(), 1);
    d.timer(rec);
    assert!(d.clock().pending().is_empty());
}

fn pps_setup(flags: ClockFlags, mode: u32) -> D {
    Setup {
        flags,
        mode,
        time1: Some(0.000_5),
        time2: Some(0.1),
        ..Default::default()
    }
    .build()
}

fn edge(t: Timestamp, kind: PpsEdgeKind) -> PpsEdge {
    PpsEdge {
        time: t,
        sequence: 1,
        kind,
    }
}

#[test]
fn pps_augments_the_receive_time() {
    let mut d = pps_setup(ClockFlags::FLAG1, 0);
    let second = ts(2024, 3, 1, 12, 0, 7);
    // Edge 2 µs late; sentence received 0.35 s later.
    d.pps(edge(second + 0.000_002, PpsEdgeKind::Assert));
    let s = feed(&mut d, &rmc("120007", 'A', "010324"), second + 0.35).samples;
    assert_eq!(s.len(), 1);
    // Receive time moved to the edge minus time1.
    assert_eq!(s[0].time, second + (0.000_002 - 0.000_5));
    assert!((s[0].offset - 0.000_498).abs() < 1e-9);
    assert_eq!(d.tally().pps_used, 1);
    assert!(d.pps_in_control());
    assert_eq!(d.precision(), PPS_PRECISION);
    drain_poll(&mut d, second);
    assert!(d.pps_in_control());
    // A poll interval without PPS samples turns it down again.
    drain_poll(&mut d, second);
    assert!(!d.pps_in_control());
    assert_eq!(d.precision(), PRECISION);

    // A stale edge (5 s old) is not used: time2 applies.
    let s = feed(&mut d, &rmc("120012", 'A', "010324"), second + 5.35).samples;
    assert_eq!(s[0].time, second + 5.25);
    // An edge near half a second off is ambiguous: not used.
    d.pps(edge(second + 5.75, PpsEdgeKind::Assert));
    let s = feed(&mut d, &rmc("120013", 'A', "010324"), second + 6.35).samples;
    assert_eq!(s[0].time, second + 6.25);
    // The other edge kind is ignored.
    let mut d = pps_setup(ClockFlags::FLAG1, 0);
    d.pps(edge(second, PpsEdgeKind::Clear));
    let s = feed(&mut d, &rmc("120007", 'A', "010324"), second + 0.35).samples;
    assert_eq!(s[0].time, second + 0.25);
    assert_eq!(d.tally().pps_used, 0);

    // Quiet PPS: used, but not claimed.
    let mut d = pps_setup(ClockFlags::FLAG1 | ClockFlags::FLAG2, MODE_QUIETPPS);
    d.pps(edge(second, PpsEdgeKind::Clear));
    let s = feed(&mut d, &rmc("120007", 'A', "010324"), second + 0.35).samples;
    assert_eq!(s[0].time, second + -0.000_5);
    assert_eq!(d.tally().pps_used, 1);
    assert!(!d.pps_in_control());

    // Without flag1, edges are ignored.
    let mut d = pps_setup(ClockFlags::empty(), 0);
    d.pps(edge(second, PpsEdgeKind::Assert));
    let s = feed(&mut d, &rmc("120007", 'A', "010324"), second + 0.35).samples;
    assert_eq!(s[0].time, second + 0.25);
}
