//! The JJY driver on scripted input, one dialogue per receiver.

use std::path::PathBuf;

use refclock_core::calendar::CivilTime;
use refclock_core::port::{InputMode, PortKind};
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Sample, Timestamp,
};

use super::*;

struct D(Clock<JjyDriver>);

impl D {
    fn new(mode: u32, flags: ClockFlags) -> D {
        D::with(mode, flags, None)
    }
    fn with(mode: u32, flags: ClockFlags, time2: Option<f64>) -> D {
        let mut d = D(Clock::start(DriverConfig {
            unit: 2,
            fudge: Fudge {
                mode,
                flags,
                time2,
                ..Fudge::default()
            },
            ..DriverConfig::default()
        })
        .expect("starts"));
        d.0.take_actions();
        d.0.port_event(PortId::MAIN, PortEvent::Opened);
        d.0.take_actions();
        d
    }
    fn feed(&mut self, data: &[u8], rec: Timestamp) -> Vec<Action> {
        self.0.receive(PortId::MAIN, data, rec);
        self.0.take_actions()
    }
    fn poll(&mut self, now: Timestamp) -> Vec<Action> {
        Refclock::poll(&mut self.0, now);
        self.0.take_actions()
    }
}

fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

fn at(t: Timestamp, ms: u32) -> Timestamp {
    Timestamp::new(t.secs(), ms * 1_000_000)
}

fn writes(acts: &[Action]) -> Vec<Vec<u8>> {
    acts.iter()
        .filter_map(|a| match a {
            Action::Write { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

fn samples(acts: &[Action]) -> Vec<Sample> {
    acts.iter()
        .filter_map(|a| match a {
            Action::Sample(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn events(acts: &[Action]) -> Vec<ClockEvent> {
    acts.iter()
        .filter_map(|a| match a {
            Action::Event(e) => Some(*e),
            _ => None,
        })
        .collect()
}

/// The single sample of `acts`, its offset checked against a reference
/// time `reference` received at `rec`.
fn one_sample(acts: &[Action], reference: Timestamp, rec: Timestamp) -> Sample {
    let s = samples(acts);
    assert_eq!(s.len(), 1, "{acts:?}");
    assert!(
        (s[0].offset - reference.diff(rec)).abs() < 1e-6,
        "{:?} vs {}",
        s[0],
        reference.diff(rec)
    );
    assert_eq!(s[0].leap, Leap::NoWarning);
    s[0]
}

#[test]
fn modes_ports_and_info() {
    assert_eq!((INFO.kind, INFO.ntpd_name, INFO.name), (40, "JJY", "jjy"));
    assert_eq!(INFO.refid, *b"JJY\0");
    assert_eq!(PRECISION, -3);
    let expect = [
        (0, 9600, InputMode::Canonical),
        (1, 9600, InputMode::Canonical),
        (2, 9600, InputMode::Raw),
        (3, 9600, InputMode::Canonical),
        (4, 4800, InputMode::Canonical),
        (5, 38_400, InputMode::Canonical),
        (6, 2400, InputMode::Raw),
    ];
    for (mode, baud, input) in expect {
        let d = D::new(mode, ClockFlags::empty());
        match &d.0.ports().get(PortId::MAIN).unwrap().kind {
            PortKind::Serial { path, config } => {
                assert_eq!(path, &PathBuf::from("/dev/jjy2"));
                let c = config.unwrap();
                assert_eq!((c.baud, c.input), (baud, input), "mode {mode}");
            }
            other => panic!("{other:?}"),
        }
    }
    for mode in [7, 99, 181, 1000] {
        let r = Clock::<JjyDriver>::start(DriverConfig {
            fudge: Fudge {
                mode,
                ..Fudge::default()
            },
            ..DriverConfig::default()
        });
        assert!(r.is_err(), "mode {mode}");
    }
}

#[test]
fn tristate_jjy01_time_date_stim() {
    let mut d = D::new(1, ClockFlags::empty());
    let t0 = ts(2024, 2, 29, 3, 34, 55); // 12:34:55 JST
    assert_eq!(writes(&d.poll(t0)), vec![b"time\r\n".to_vec()]);
    assert_eq!(
        writes(&d.feed(b"12:34:55\r\n", at(t0, 5))),
        vec![b"date\r\n".to_vec()]
    );
    assert_eq!(
        writes(&d.feed(b"2024/02/29 THU\r\n", at(t0, 10))),
        vec![b"stim\r\n".to_vec()]
    );
    // stim answers at the next second.
    let rec = at(ts(2024, 2, 29, 3, 34, 56), 11);
    let acts = d.feed(b"12:34:56\r\n", rec);
    one_sample(&acts, ts(2024, 2, 29, 3, 34, 56), rec);
    assert!(acts.iter().any(|a| matches!(a, Action::Filtered(_))));
    assert_eq!(d.0.driver().state(), State::Done);
    // What comes after the dialogue is dropped.
    assert!(samples(&d.feed(b"12:34:57\r\n", rec)).is_empty());
    // Mode 0 is mode 1.
    assert_eq!(
        D::new(0, ClockFlags::empty()).0.driver().receiver(),
        Receiver::TristateJjy01
    );
}

#[test]
fn tristate_jjy01_checks() {
    let t0 = ts(2024, 2, 29, 3, 34, 55);
    let run = |replies: &[&[u8]]| {
        let mut d = D::new(1, ClockFlags::empty());
        d.poll(t0);
        let mut all = Vec::new();
        for r in replies {
            all.extend(d.feed(r, at(t0, 900)));
        }
        all
    };
    // Midnight between time and stim: no sample, nothing counted.
    let acts = run(&[b"23:59:59\r\n", b"2024/02/29 THU\r\n", b"00:00:00\r\n"]);
    assert!(
        samples(&acts).is_empty() && events(&acts).is_empty(),
        "{acts:?}"
    );
    // Slow: more than two seconds between them.
    let acts = run(&[b"12:34:50\r\n", b"2024/02/29 THU\r\n", b"12:34:56\r\n"]);
    assert_eq!(events(&acts), vec![ClockEvent::BadReply]);
    // Wrong lengths and fields: counted, the dialogue ends.
    for bad in [&b"12:34\r\n"[..], b"12:34:5x\r\n", b"25:00:00\r\n"] {
        let acts = run(&[bad, b"2024/02/29 THU\r\n"]);
        assert_eq!(events(&acts), vec![ClockEvent::BadReply], "{bad:?}");
        assert!(writes(&acts).is_empty());
    }
    let acts = run(&[b"12:34:55\r\n", b"1999/02/28 SUN\r\n"]);
    assert_eq!(events(&acts), vec![ClockEvent::BadReply]);
    // No reply: a timeout at the next poll.
    let mut d = D::new(1, ClockFlags::empty());
    assert!(events(&d.poll(t0)).is_empty());
    assert_eq!(events(&d.poll(t0)), vec![ClockEvent::Timeout]);
}

#[test]
fn tristate_jjy01_flag1_and_flag2() {
    let flags = ClockFlags::FLAG1 | ClockFlags::FLAG2;
    let t0 = ts(2024, 2, 29, 3, 34, 55);
    let dialogue = |d: &mut D, stus: &[u8], t: Timestamp| {
        let mut w = writes(&d.poll(t));
        let mut all = Vec::new();
        for r in [
            &b"valid\r\n"[..],
            stus,
            b"12:34:55\r\n",
            b"2024/02/29 THU\r\n",
            b"12:34:56\r\n",
        ] {
            let acts = d.feed(r, at(t, 500));
            w.extend(writes(&acts));
            all.extend(acts);
        }
        (w, all)
    };
    let mut d = D::with(1, flags, Some(1.0));
    let (w, acts) = dialogue(&mut d, b"unadjusted\r\n", t0);
    assert_eq!(
        w,
        ["dcst\r\n", "stus\r\n", "time\r\n", "date\r\n", "stim\r\n"].map(|s| s.as_bytes().to_vec())
    );
    // Never adjusted: no sample.
    assert!(samples(&acts).is_empty());
    let (_, acts) = dialogue(&mut d, b"adjusted\r\n", t0);
    assert_eq!(samples(&acts).len(), 1);
    // Unadjusted within the grace period (time2 = 1 h): a sample.
    let (_, acts) = dialogue(&mut d, b"unadjusted\r\n", t0.add_secs_f64(1800.0));
    assert_eq!(samples(&acts).len(), 1);
    // After it: none.
    let (_, acts) = dialogue(&mut d, b"unadjusted\r\n", t0.add_secs_f64(3601.0));
    assert!(samples(&acts).is_empty());
    // A bad status reply.
    let (_, acts) = dialogue(&mut d, b"adjust\r\n", t0);
    assert_eq!(events(&acts), vec![ClockEvent::BadReply]);
}

#[test]
fn cdex_jst2000() {
    let mut d = D::new(2, ClockFlags::empty());
    let t0 = ts(2024, 12, 31, 15, 0, 0); // 2025-01-01 00:00:00 JST
    assert_eq!(writes(&d.poll(t0)), vec![b"\x051J\x03".to_vec()]);
    let frame = b"\x02J25010130000003\x03";
    // Split anywhere: the sample is stamped at the ETX.
    for cut in 0..frame.len() {
        let mut d = D::new(2, ClockFlags::empty());
        d.poll(t0);
        let mut acts = d.feed(&frame[..cut], at(t0, 300));
        let rec = at(t0, 320);
        acts.extend(d.feed(&frame[cut..], rec));
        one_sample(&acts, at(t0, 300), rec);
    }
    // A reply before a poll is dropped; a bad one is counted.
    let mut d = D::new(2, ClockFlags::empty());
    assert!(samples(&d.feed(frame, t0)).is_empty());
    d.poll(t0);
    let acts = d.feed(b"\x02J2501013000000\x03", t0);
    assert_eq!(events(&acts), vec![ClockEvent::BadReply]);
}

#[test]
fn echo_lt2000_half_second_early() {
    let mut d = D::new(3, ClockFlags::empty());
    let t0 = ts(2024, 2, 29, 15, 0, 0); // 2024-03-01 00:00:00 JST
    assert_eq!(
        writes(&d.poll(ts(2024, 2, 29, 14, 59, 58))),
        vec![b"C".to_vec()]
    );
    let rec = at(ts(2024, 2, 29, 14, 59, 59), 520);
    // The SUB of the previous second comes before the line.
    let acts = d.feed(b"\x1a24030150000000000\r", rec);
    one_sample(&acts, at(ts(2024, 2, 29, 14, 59, 59), 500), rec);
    assert_eq!(writes(&acts), vec![b"#".to_vec()]);
    // A wrong length: counted, no `#`.
    d.poll(t0);
    let acts = d.feed(b"2403015000000000\r", rec);
    assert_eq!(events(&acts), vec![ClockEvent::BadReply]);
    assert!(writes(&acts).is_empty());
}

#[test]
fn citizen_jjy200_first_line_after_poll() {
    let mut d = D::new(4, ClockFlags::empty());
    let t = ts(2024, 2, 29, 3, 34, 56);
    assert!(samples(&d.feed(b"'OK 24/02/29 3 12:34:55\r", at(t, 0))).is_empty());
    assert!(writes(&d.poll(t)).is_empty());
    let rec = at(t, 50);
    let acts = d.feed(b"'OK 24/02/29 3 12:34:56\r", rec);
    one_sample(&acts, t, rec);
    assert!(samples(&d.feed(b"'OK 24/02/29 3 12:34:57\r", rec)).is_empty());
    // NG: no sample, not a bad reply.
    d.poll(t);
    let acts = d.feed(b"'NG 24/02/29 3 12:34:58\r", rec);
    assert!(samples(&acts).is_empty());
    assert!(!events(&acts).contains(&ClockEvent::BadReply));
    d.poll(t);
    let acts = d.feed(b"'OK 24/02/29 3 12:34:5\r", rec);
    assert_eq!(events(&acts), vec![ClockEvent::BadReply]);
}

#[test]
fn tristate_gps01() {
    let mut d = D::new(5, ClockFlags::FLAG1);
    let t = ts(2024, 2, 29, 3, 34, 56);
    assert_eq!(writes(&d.poll(t)), vec![b"stus\r\n".to_vec()]);
    let mut w = Vec::new();
    for r in [
        &b"$GPRMC,whatever\r\n"[..],
        b"$Cmd>*G\r\n",
        b"12:34:56\r\n",
        b"$Cmd>\r\n",
        b"2024/02/29\r\n",
    ] {
        w.extend(writes(&d.feed(r, at(t, 5))));
    }
    assert_eq!(
        w,
        vec![
            b"time\r\n".to_vec(),
            b"date\r\n".to_vec(),
            b"time\r\n".to_vec()
        ]
    );
    let rec = at(ts(2024, 2, 29, 3, 34, 57), 3);
    let acts = d.feed(b"12:34:57\r\n", rec);
    one_sample(&acts, ts(2024, 2, 29, 3, 34, 57), rec);
    // Without flag1 the poll starts at time; a bad status is counted.
    let mut d = D::new(5, ClockFlags::empty());
    assert_eq!(writes(&d.poll(t)), vec![b"time\r\n".to_vec()]);
    let mut d = D::new(5, ClockFlags::FLAG1);
    d.poll(t);
    assert_eq!(events(&d.feed(b"*X\r\n", t)), vec![ClockEvent::BadReply]);
}

#[test]
fn seiko_tdc300_type3() {
    let mut d = D::new(6, ClockFlags::empty());
    let t = ts(2024, 2, 29, 3, 34, 56);
    let pair = b"\x022402294123456\x03\x02\xE5\x03";
    assert!(samples(&d.feed(pair, at(t, 0))).is_empty());
    d.poll(t);
    // A second signal first: waited over.
    assert!(samples(&d.feed(b"\x02\xE5\x03", at(t, 0))).is_empty());
    for cut in 0..pair.len() {
        let mut d = D::new(6, ClockFlags::empty());
        d.poll(t);
        let mut acts = d.feed(&pair[..cut], at(t, 0));
        let rec = at(t, 2);
        acts.extend(d.feed(&pair[cut..], rec));
        // Stamped at the second signal's ETX.
        let s = samples(&acts);
        assert_eq!(s.len(), 1, "cut {cut}: {acts:?}");
        assert!((s[0].offset - t.diff(rec)).abs() < 1e-6);
    }
    // Types 1 and 2 (ntpd reads them one character off).
    let mut d = D::new(6, ClockFlags::empty());
    d.poll(t);
    one_sample(&d.feed(b"\x0212:34:56\x03", at(t, 4)), t, at(t, 4));
    d.poll(t);
    one_sample(&d.feed(b"\x0224022912345640000\x03", at(t, 4)), t, at(t, 4));
    // Type 1 just before midnight JST waits for the next.
    d.poll(t);
    assert!(samples(&d.feed(b"\x0223:59:58\x03", at(t, 4))).is_empty());
    assert_eq!(d.0.driver().state(), State::Receive);
    d.poll(t);
    assert_eq!(
        events(&d.feed(b"\x02\xE6\x03", t)),
        vec![ClockEvent::BadReply]
    );
}
