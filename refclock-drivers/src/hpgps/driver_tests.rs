//! The HP driver on scripted input: start, the ports, the opening
//! dialogue, samples, time zones, leap and sync.

use std::path::PathBuf;

use refclock_core::calendar::CivilTime;
use refclock_core::port::{CloseReason, DataBits, InputMode, Parity, PortKind};
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Leap, PortEvent, PortId, Refclock,
    Timestamp,
};

use super::codec::{LeapFlag, TimeZone, START_QUERY, TIMECODE_QUERY, ZONE_QUERY};
use super::test_kit::*;
use super::*;

#[test]
fn info_ports_and_modes() {
    assert_eq!(INFO.kind, 26);
    assert_eq!((INFO.ntpd_name, INFO.name), ("GPS_HP", "hpgps"));
    assert_eq!(INFO.refid, *b"GPS\0");
    assert_eq!(PRECISION, -10);
    let port = |d: &D| match &d.0.ports().get(PortId::MAIN).unwrap().kind {
        PortKind::Serial { path, config } => (path.clone(), config.unwrap()),
        other => panic!("{other:?}"),
    };
    let mut d = D::new(0, ClockFlags::empty(), None);
    let (path, c) = port(&d);
    assert_eq!(path, PathBuf::from("/dev/hpgps3"));
    assert_eq!(
        (c.baud, c.data_bits, c.parity, c.stop_bits, c.input),
        (9600, DataBits::Eight, Parity::None, 1, InputMode::Canonical)
    );
    assert_eq!(d.driver().receiver(), Receiver::Hp58503A);
    // Nothing is written before the port is open.
    assert!(d.0.take_actions().is_empty());

    let d = D::new(1, ClockFlags::empty(), None);
    let (_, c) = port(&d);
    assert_eq!(
        (c.baud, c.data_bits, c.parity, c.stop_bits, c.input),
        (
            19_200,
            DataBits::Seven,
            Parity::Odd,
            1,
            InputMode::Canonical
        )
    );
    assert_eq!(d.driver().receiver(), Receiver::Z3801A);

    // Any other mode is the 58503A, as in ntpd; said in the log.
    let mut d = D::new(7, ClockFlags::empty(), None);
    assert_eq!(port(&d).1.baud, 9600);
    let acts = d.0.take_actions();
    assert!(
        matches!(&acts[..], [Action::Log(m)] if m.contains("mode 7")),
        "{acts:?}"
    );

    let d = D(Clock::start(DriverConfig {
        device: Some("/dev/ttyS1".into()),
        ..DriverConfig::default()
    })
    .unwrap());
    assert_eq!(port(&d).0, PathBuf::from("/dev/ttyS1"));
}

#[test]
fn opening_asks_for_identification_and_zone_every_time() {
    let mut d = D::new(0, ClockFlags::empty(), None);
    assert_eq!(
        d.event(PortEvent::Opened),
        vec![Action::Write {
            port: PortId::MAIN,
            data: START_QUERY.to_vec()
        }]
    );
    assert_eq!(d.driver().screen_lines_expected(), 1);
    // Half a line, then the device goes: the half line is dropped.
    assert!(d.feed(b"HEWLETT-PACK", Timestamp::from_secs(1)).is_empty());
    assert!(d
        .event(PortEvent::Closed(CloseReason::Lost("gone".into())))
        .is_empty());
    // It comes back: asked again, and its first line is the identification.
    assert_eq!(
        writes(&d.event(PortEvent::Opened)),
        vec![START_QUERY.to_vec()]
    );
    let a = d.feed(b"HEWLETT-PACKARD,58503A,1,2\r\n", Timestamp::from_secs(2));
    assert_eq!(stats(&a), vec!["HEWLETT-PACKARD,58503A,1,2".to_string()]);
    assert!(events(&a).is_empty());
}

#[test]
fn the_start_dialogue_sets_the_zone() {
    let mut d = D::new(0, ClockFlags::empty(), None);
    d.event(PortEvent::Opened);
    let a = d.feed(
        b"HEWLETT-PACKARD,58503A,3626A01234,3704-C\r\nscpi > -8,+0\r\nscpi > ",
        Timestamp::from_secs(5),
    );
    assert_eq!(
        stats(&a),
        vec![
            "HEWLETT-PACKARD,58503A,3626A01234,3704-C".to_string(),
            "scpi > -8,+0".to_string()
        ]
    );
    assert!(events(&a).is_empty() && samples(&a).is_empty() && writes(&a).is_empty());
    assert_eq!(d.driver().time_zone(), TimeZone::new(-8, 0).unwrap());
    assert_eq!(d.driver().screen_lines_expected(), 0);
    assert_eq!(d.clock().timecode(), "scpi > -8,+0");
}

#[test]
fn a_poll_and_its_timecode_give_a_sample_at_the_cr() {
    for (time1, expect) in [(None, 0.955), (Some(-0.955), 0.0)] {
        let mut d = D::ready(ClockFlags::empty(), time1, "+0,+0");
        let named = ts(2006, 1, 5, 7, 51, 43);
        let a = d.poll(named + (-3.0));
        assert_eq!(writes(&a), vec![TIMECODE_QUERY.to_vec()]);
        assert_eq!(d.clock().counters.polls, 1);
        let rec = cr_time(named);
        // The prompt of the TZONE answer is pending: the line reads
        // `scpi > T2...`, and this answer's prompt is pending in turn.
        let a = d.feed(b"T220060105075143300003B\r\nscpi > ", rec);
        let s = samples(&a);
        assert_eq!(s.len(), 1, "{a:?}");
        assert_eq!(s[0].time, rec);
        assert!((s[0].offset - expect).abs() < 1e-9, "{}", s[0].offset);
        assert_eq!(s[0].leap, Leap::NoWarning);
        // refclock_receive runs at once; the reference time is the
        // receive time, as ntpd sets it.
        assert_eq!(filtered(&a), 1);
        assert_eq!(d.clock().lastref, Some(rec));
        assert_eq!(
            stats(&a),
            vec!["scpi > T220060105075143300003B".to_string()]
        );
        assert_eq!(d.clock().timecode(), "scpi > T220060105075143300003B");
        assert_eq!((d.clock().fields.day, d.clock().fields.hour), (5, 7));
        assert!(events(&a).is_empty());
    }
}

#[test]
fn split_reads_take_the_time_of_the_cr() {
    let mut d = D::ready(ClockFlags::empty(), None, "+0,+0");
    let named = ts(2024, 7, 1, 0, 0, 0);
    let bytes = line(CivilTime::new(2024, 7, 1, 0, 0, 0));
    let mut got = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        let t = Timestamp::new(named.secs() - 1, 20_000_000 + i as u32 * 1_041_667);
        got.extend(d.feed(&[*b], t));
    }
    let s = samples(&got);
    assert_eq!(s.len(), 1);
    // The CR is byte 30 (7 of prompt + 23): its read's time.
    let cr = Timestamp::new(named.secs() - 1, 20_000_000 + 30 * 1_041_667);
    assert_eq!(s[0].time, cr);
    assert!((s[0].offset - named.diff(cr)).abs() < 1e-9);
}

#[test]
fn the_zone_is_subtracted_across_new_year() {
    let mut d = D::ready(ClockFlags::empty(), Some(-0.955), "-8,+0");
    // Local 2023-12-31 20:00:05 in Pacific time is 2024-01-01 04:00:05 UTC.
    let named = ts(2024, 1, 1, 4, 0, 5);
    let a = d.feed(
        &line(CivilTime::new(2023, 12, 31, 20, 0, 5)),
        cr_time(named),
    );
    let s = samples(&a);
    assert_eq!(s.len(), 1, "{a:?}");
    assert!(s[0].offset.abs() < 1e-9, "{}", s[0].offset);
    let f = d.clock().fields;
    assert_eq!(
        (f.year, f.day, f.hour, f.minute, f.second),
        (2024, 1, 4, 0, 5)
    );

    // East of Greenwich, back over the year end.
    let mut d = D::ready(ClockFlags::empty(), Some(-0.955), "+5,30");
    let named = ts(2023, 12, 31, 20, 30, 0);
    let a = d.feed(&line(CivilTime::new(2024, 1, 1, 2, 0, 0)), cr_time(named));
    assert!(samples(&a)[0].offset.abs() < 1e-9);
    assert_eq!(d.clock().fields.day, 365);
}

#[test]
fn leap_warnings_only_in_june_and_december() {
    let cases = [
        ((2016, 12, 31), LeapFlag::Insert, Leap::AddSecond),
        ((2015, 6, 30), LeapFlag::Insert, Leap::AddSecond),
        ((2015, 6, 1), LeapFlag::Delete, Leap::DelSecond),
        ((2016, 11, 30), LeapFlag::Insert, Leap::NoWarning),
        ((2015, 5, 31), LeapFlag::Delete, Leap::NoWarning),
        ((2016, 12, 31), LeapFlag::None, Leap::NoWarning),
    ];
    for ((y, m, day), flag, want) in cases {
        let mut d = D::ready(ClockFlags::empty(), None, "+0,+0");
        let t = CivilTime::new(y, m, day, 12, 0, 0);
        let a = d.feed(
            &line_with(t, |c| c.leap = flag),
            cr_time(ts(y, m, day, 12, 0, 0)),
        );
        let s = samples(&a);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].leap, want, "{y}-{m} {flag:?}");
        assert_eq!(d.clock().leap, want);
    }
    // The UTC month decides: 02:00 on 1 July in India is still June UTC.
    let mut d = D::ready(ClockFlags::empty(), None, "+5,30");
    let t = CivilTime::new(2015, 7, 1, 2, 0, 0);
    let a = d.feed(
        &line_with(t, |c| c.leap = LeapFlag::Insert),
        cr_time(ts(2015, 6, 30, 20, 30, 0)),
    );
    assert_eq!(samples(&a)[0].leap, Leap::AddSecond);
}

#[test]
fn not_in_sync_and_unknown_leap_characters() {
    let mut d = D::ready(ClockFlags::empty(), None, "+0,+0");
    let t = CivilTime::new(2024, 3, 1, 12, 0, 0);
    let named = ts(2024, 3, 1, 12, 0, 0);
    // V = 1: a sample marked not in sync (chrony ignores it), no filter.
    let a = d.feed(&line_with(t, |c| c.sync = b'1'), cr_time(named));
    let s = samples(&a);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].leap, Leap::NotInSync);
    assert_eq!(filtered(&a), 0);
    assert!(events(&a).is_empty());
    // While not in sync the leap character is not looked at.
    let a = d.feed(
        &line_with(t, |c| {
            c.sync = b'1';
            c.leap = LeapFlag::Other(b'x');
        }),
        cr_time(named + 1.0),
    );
    assert_eq!(samples(&a)[0].leap, Leap::NotInSync);
    // In sync with an unknown leap character: a bad time, no sample.
    let a = d.feed(
        &line_with(t, |c| c.leap = LeapFlag::Other(b'x')),
        cr_time(named + 2.0),
    );
    assert!(samples(&a).is_empty());
    assert_eq!(events(&a), vec![ClockEvent::BadTime]);
    assert_eq!(d.clock().counters.baddata, 1);
    // In sync again: the samples kept while out of sync are filtered too.
    let a = d.feed(&line(t), cr_time(named + 3.0));
    assert_eq!(samples(&a)[0].leap, Leap::NoWarning);
    assert_eq!(filtered(&a), 1);
    assert!(d.clock().pending().is_empty());
}

#[test]
fn the_z3801a_reads_seven_bit_characters() {
    let mut d = D::new(1, ClockFlags::empty(), Some(-0.9675));
    d.event(PortEvent::Opened);
    // Odd parity sets the 8th bit of some characters; the framer masks it.
    let with_parity = |s: &[u8]| -> Vec<u8> {
        s.iter()
            .map(|&b| {
                if (b & 0x7f).count_ones() % 2 == 0 {
                    b | 0x80
                } else {
                    b
                }
            })
            .collect()
    };
    d.feed(
        &with_parity(b"HEWLETT-PACKARD,Z3801A,1,2\r\nscpi > +1,+0\r\n"),
        Timestamp::from_secs(1),
    );
    assert_eq!(d.driver().time_zone(), TimeZone::new(1, 0).unwrap());
    let named = ts(2024, 3, 1, 12, 0, 0);
    let rec = Timestamp::new(named.secs() - 1, 32_500_000);
    let a = d.feed(
        &with_parity(&line(CivilTime::new(2024, 3, 1, 13, 0, 0))),
        rec,
    );
    let s = samples(&a);
    assert_eq!(s.len(), 1);
    assert!(s[0].offset.abs() < 1e-9, "{}", s[0].offset);
}

#[test]
fn the_first_line_after_opening_is_only_logged() {
    // As in ntpd: whatever comes first is taken for the identification.
    let mut d = D::new(0, ClockFlags::empty(), None);
    d.event(PortEvent::Opened);
    let named = ts(2024, 3, 1, 12, 0, 0);
    let a = d.feed(&line(CivilTime::new(2024, 3, 1, 12, 0, 0)), cr_time(named));
    assert!(samples(&a).is_empty());
    assert_eq!(stats(&a).len(), 1);
    assert!(stats(&a)[0].starts_with("scpi > T2"));
    assert_eq!(d.driver().screen_lines_expected(), 0);
}

#[test]
fn no_sample_until_the_zone_is_known_and_a_poll_asks_for_it_again() {
    // The receiver runs on UTC+3; its answers to the opening queries are
    // lost (ntpd would take UTC and read 3 hours off).
    let mut d = D::new(0, ClockFlags::empty(), Some(-0.955));
    d.event(PortEvent::Opened);
    assert!(!d.driver().time_zone_known());
    let named = ts(2024, 3, 1, 12, 0, 0);
    let local = |s: u8| CivilTime::new(2024, 3, 1, 15, 0, s);
    // The first poll comes before any answer could: the zone query of
    // the opening is still on its way, only the timecode is asked for (as
    // the C program does).
    assert_eq!(writes(&d.poll(named + -2.0)), vec![TIMECODE_QUERY.to_vec()]);
    // A timecode before any zone answer (the first line is the
    // identification): logged, counted as nothing, no sample.
    d.feed(b"HEWLETT-PACKARD,58503A,1,2\r\n", named + -1.5);
    let a = d.feed(&line(local(0)), cr_time(named));
    assert!(samples(&a).is_empty() && events(&a).is_empty(), "{a:?}");
    assert!(logs(&a).iter().any(|l| l.contains("no time zone")), "{a:?}");
    // A spoilt zone answer: a bad reply, still unknown; after a refused
    // timecode each poll asks for the zone again until it is known.
    let a = d.feed(b"scpi > x+3,+0\r\n", named + 0.5);
    assert_eq!(events(&a), vec![ClockEvent::BadReply]);
    assert!(!d.driver().time_zone_known());
    assert_eq!(
        writes(&d.poll(named + 14.0)),
        vec![ZONE_QUERY.to_vec(), TIMECODE_QUERY.to_vec()]
    );
    assert_eq!(
        writes(&d.poll(named + 14.0)),
        vec![ZONE_QUERY.to_vec(), TIMECODE_QUERY.to_vec()]
    );
    // The answer comes: known; the next timecode is a right sample, and
    // the polls ask for the timecode only.
    d.feed(b"scpi > +3,+0\r\n", named + 14.1);
    assert!(d.driver().time_zone_known());
    let a = d.feed(&line(local(16)), cr_time(named + 16.0));
    let s = samples(&a);
    assert_eq!(s.len(), 1);
    assert!(s[0].offset.abs() < 1e-9, "{}", s[0].offset);
    assert_eq!(writes(&d.poll(named + 30.0)), vec![TIMECODE_QUERY.to_vec()]);
    // Reopened: unknown again until answered.
    d.event(PortEvent::Closed(CloseReason::Lost("gone".into())));
    d.event(PortEvent::Opened);
    assert!(!d.driver().time_zone_known());
    assert_eq!(d.driver().time_zone(), TimeZone::new(3, 0).unwrap());
}
