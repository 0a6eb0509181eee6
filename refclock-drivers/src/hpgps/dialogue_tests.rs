//! The HP driver's dialogue on scripted input: the status screen, the
//! error prompt, timeouts, bad input, a lost port.

use refclock_core::calendar::CivilTime;
use refclock_core::port::CloseReason;
use refclock_core::{Action, ClockEvent, ClockFlags, PortEvent, Timestamp};

use super::codec::{TimeZone, Timecode, CLEAR_STATUS, STATUS_SCREEN_QUERY, TIMECODE_QUERY};
use super::test_kit::*;
use super::*;

#[test]
fn flag4_collects_the_status_screen() {
    let mut d = D::ready(ClockFlags::FLAG4, None, "+0,+0");
    let named = ts(2024, 3, 1, 12, 0, 0);
    let a = d.feed(&line(CivilTime::new(2024, 3, 1, 12, 0, 0)), cr_time(named));
    assert_eq!(samples(&a).len(), 1);
    assert_eq!(writes(&a), vec![STATUS_SCREEN_QUERY.to_vec()]);
    assert_eq!(d.driver().screen_lines_expected(), 22);
    // 22 lines; the first after the pending prompt. A timecode among them
    // is screen text, not a sample. Nothing is logged until the last.
    let mut screen = String::from("scpi > ");
    let mut expect = Vec::new();
    for i in 0..22 {
        let text = if i == 5 {
            String::from_utf8(Timecode::new(CivilTime::new(2024, 3, 1, 12, 0, 1)).encode()).unwrap()
        } else {
            format!("status line {i:02} {}", "-".repeat(40))
        };
        screen += &format!("{text}\r\n");
        expect.push(if i == 0 {
            format!("scpi > {text}")
        } else {
            text
        });
    }
    let (head, tail) = screen.split_at(screen.len() / 2);
    let a = d.feed(head.as_bytes(), named + 0.5);
    assert!(a.is_empty(), "{a:?}");
    let a = d.feed([tail, "scpi > "].concat().as_bytes(), named + 1.0);
    // One record a line, in order, none with a line break.
    assert_eq!(stats(&a), expect);
    assert!(samples(&a).is_empty() && events(&a).is_empty());
    assert_eq!(d.driver().screen_lines_expected(), 0);
    // Then timecodes again, and the screen is asked for after each.
    let named = named + 16.0;
    let a = d.feed(
        &[
            &b"scpi > "[..],
            &line(CivilTime::new(2024, 3, 1, 12, 0, 16)),
        ]
        .concat(),
        cr_time(named),
    );
    assert_eq!(samples(&a).len(), 1);
    assert_eq!(writes(&a), vec![STATUS_SCREEN_QUERY.to_vec()]);
    // Lines that would overflow ntpd's buffer are left out.
    let long = "x".repeat(100);
    let mut screen = String::new();
    for _ in 0..22 {
        screen += &format!("{long}\r\n");
    }
    let a = d.feed(screen.as_bytes(), named + 1.0);
    let records = stats(&a);
    assert_eq!(records.len(), 18);
    assert!(records.iter().all(|r| r == &long));
    assert!(records.len() * (long.len() + 1) < SCREEN_MAX);
}

#[test]
fn an_error_prompt_clears_the_status() {
    let mut d = D::ready(ClockFlags::empty(), None, "+0,+0");
    let t = CivilTime::new(2024, 3, 1, 12, 0, 0);
    let named = ts(2024, 3, 1, 12, 0, 0);
    let code = String::from_utf8(Timecode::new(t).encode()).unwrap();
    let a = d.feed(format!("E-113> {code}\r\n").as_bytes(), cr_time(named));
    assert_eq!(writes(&a), vec![CLEAR_STATUS.to_vec()]);
    assert_eq!(samples(&a).len(), 1, "the timecode still counts");
    // After the *CLS: the old error prompt, then two good ones.
    let a = d.feed(
        format!("E-113> scpi > scpi > {code}\r\n").as_bytes(),
        cr_time(named + 1.0),
    );
    assert!(writes(&a).is_empty());
    // An error prompt before a bad reply: cleared and reported.
    let a = d.feed(b"E-102> nonsense\r\n", named + 2.0);
    assert_eq!(writes(&a), vec![CLEAR_STATUS.to_vec()]);
    assert_eq!(events(&a), vec![ClockEvent::BadReply]);
}

#[test]
fn two_silent_polls_then_timeouts() {
    let mut d = D::ready(ClockFlags::empty(), None, "+0,+0");
    let now = Timestamp::from_secs(1000);
    assert_eq!(d.driver().polls_left(), POLLS_BEFORE_TIMEOUT);
    assert!(events(&d.poll(now)).is_empty());
    assert!(events(&d.poll(now + 16.0)).is_empty());
    assert_eq!(d.driver().polls_left(), 0);
    let a = d.poll(now + 32.0);
    assert_eq!(events(&a), vec![ClockEvent::Timeout]);
    assert_eq!(writes(&a), vec![TIMECODE_QUERY.to_vec()], "still asks");
    // Again: counted, not announced twice.
    assert!(events(&d.poll(now + 48.0)).is_empty());
    assert_eq!(d.clock().counters.noreply, 2);
    assert_eq!(d.clock().counters.polls, 4);
    // Any line heard, even a bad one, resets the count.
    d.feed(b"scpi > ???\r\n", now + 50.0);
    assert_eq!(d.driver().polls_left(), 2);
    assert!(events(&d.poll(now + 64.0)).is_empty());
    assert!(events(&d.poll(now + 80.0)).is_empty());
    assert_eq!(d.clock().counters.noreply, 2);
}

#[test]
fn a_poll_and_answer_each_time_never_times_out() {
    let mut d = D::ready(ClockFlags::empty(), None, "+0,+0");
    let mut named = ts(2024, 3, 1, 12, 0, 0);
    for _ in 0..10 {
        assert!(events(&d.poll(named + (-2.0))).is_empty());
        let t = CivilTime::from_timestamp(named);
        assert_eq!(samples(&d.feed(&line(t), cr_time(named))).len(), 1);
        named = named + 16.0;
    }
    assert_eq!(d.clock().counters.noreply, 0);
    assert_eq!(d.clock().counters.samples, 10);
}

#[test]
fn the_filter_runs_after_the_first_timecode_of_each_poll() {
    let mut d = D::ready(ClockFlags::empty(), Some(-0.955), "+0,+0");
    let named = ts(2024, 3, 1, 12, 0, 0);
    d.poll(named + (-2.0));
    // Three timecodes in one poll interval (a receiver that repeats
    // itself): three samples, the filter once, at the first.
    for k in 0..3 {
        let t = named + f64::from(k);
        let got = d.feed(&line(CivilTime::from_timestamp(t)), cr_time(t));
        assert_eq!(samples(&got).len(), 1);
        assert_eq!(filtered(&got), usize::from(k == 0), "timecode {k}");
    }
    // The next poll interval: the filter runs again, over the two kept.
    d.poll(named + 14.0);
    let t = named + 16.0;
    let got = d.feed(&line(CivilTime::from_timestamp(t)), cr_time(t));
    assert_eq!(filtered(&got), 1);
    let f = got
        .iter()
        .find_map(|a| match a {
            Action::Filtered(f) => Some(*f),
            _ => None,
        })
        .unwrap();
    assert_eq!(f.n, 3);
}

#[test]
fn bad_input_is_counted_and_gives_no_sample() {
    let mut d = D::ready(ClockFlags::empty(), None, "+0,+0");
    let named = ts(2024, 3, 1, 12, 0, 0);
    let rec = cr_time(named);
    let good = Timecode::new(CivilTime::new(2024, 3, 1, 12, 0, 0)).encode();
    let mut bad_sum = good.clone();
    bad_sum[22] = if bad_sum[22] == b'0' { b'1' } else { b'0' };
    let cases: Vec<(Vec<u8>, ClockEvent)> = vec![
        (bad_sum, ClockEvent::BadReply),
        (good[..22].to_vec(), ClockEvent::BadReply),
        ([&good[..], b"00"].concat(), ClockEvent::BadReply),
        (b"T3200601050751433000".to_vec(), ClockEvent::BadReply),
        (b"HELLO".to_vec(), ClockEvent::BadReply),
        (b"T".to_vec(), ClockEvent::BadReply),
        (
            Timecode::new(CivilTime::new(2024, 2, 30, 12, 0, 0)).encode(),
            ClockEvent::BadTime,
        ),
        (
            Timecode::new(CivilTime::new(2024, 3, 1, 25, 0, 0)).encode(),
            ClockEvent::BadTime,
        ),
        // Five hours from the receive time: clocktime refuses it.
        (
            Timecode::new(CivilTime::new(2024, 3, 1, 17, 0, 0)).encode(),
            ClockEvent::BadTime,
        ),
        (b"+14,0".to_vec(), ClockEvent::BadReply),
        (b"-8;0".to_vec(), ClockEvent::BadReply),
    ];
    let mut expect_format = 0;
    let mut expect_data = 0;
    for (reply, event) in cases {
        // The status is the last event (the driver never reports
        // "nominal", as ntpd's does not); the counters count each one.
        let text = [&b"scpi > "[..], &reply, b"\r\n"].concat();
        let a = d.feed(&text, rec);
        assert!(
            samples(&a).is_empty(),
            "{}",
            String::from_utf8_lossy(&reply)
        );
        assert_eq!(
            d.clock().status,
            event,
            "{}",
            String::from_utf8_lossy(&reply)
        );
        assert_eq!(stats(&a).len(), 1, "every line goes to clockstats");
        match event {
            ClockEvent::BadReply => expect_format += 1,
            _ => expect_data += 1,
        }
        assert_eq!(d.clock().counters.badformat, expect_format);
        assert_eq!(d.clock().counters.baddata, expect_data);
    }
    assert_eq!(
        d.driver().time_zone(),
        TimeZone::UTC,
        "a bad zone is not used"
    );
    assert_eq!(d.clock().counters.samples, 0);
    // Noise of every kind: no panic, no sample.
    let mut rng = refclock_core::rng::Rng::new(7);
    for i in 0..200 {
        let len = 1 + rng.up_to(300) as usize;
        let junk = rng.bytes(len);
        let a = d.feed(&junk, rec + f64::from(i));
        assert!(samples(&a).is_empty());
    }
    assert_eq!(d.clock().counters.samples, 0);
}

#[test]
fn a_closed_port_is_a_fault() {
    let mut d = D::ready(ClockFlags::empty(), None, "+0,+0");
    d.event(PortEvent::Closed(CloseReason::Lost("unplugged".into())));
    let a = d.poll(Timestamp::from_secs(100));
    assert!(writes(&a).is_empty());
    assert_eq!(events(&a), vec![ClockEvent::Fault]);
    assert_eq!(d.clock().counters.polls, 0);
    d.event(PortEvent::Opened);
    let a = d.event(PortEvent::WriteFailed("EIO".into()));
    assert!(
        events(&a).is_empty(),
        "already at fault: counted, not re-announced"
    );
    assert_eq!(d.clock().status, ClockEvent::Fault);
    // Reopened and not answered yet: the zone was asked for at the
    // opening; the poll asks for the timecode.
    assert_eq!(
        writes(&d.poll(Timestamp::from_secs(116))),
        vec![TIMECODE_QUERY.to_vec()]
    );
    assert!(!d.driver().time_zone_known());
}
