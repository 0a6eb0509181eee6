//! The driver on scripted input: the modem dialogue, the call's end,
//! redials, and samples from each service's lines.

use crate::acts::driver::lock_path;
use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, PortEvent, PortId, Refclock,
    Timestamp,
};

use super::codec::{Nist, Usno};
use super::{ActsDriver, CallMode, CallState, MODEM_SETUP};
use crate::testkit::Outcome;

struct D(Clock<ActsDriver>);

const T0: i64 = 1_704_825_000; // 2024-01-09 18:30:00

fn at(s: f64) -> Timestamp {
    Timestamp::from_secs(T0) + s
}

impl D {
    fn new(mode: u32, phones: &[&str], flags: ClockFlags) -> D {
        D(Clock::start(DriverConfig {
            unit: 0,
            fudge: Fudge {
                mode,
                flags,
                ..Fudge::default()
            },
            phones: phones.iter().map(|p| p.to_string()).collect(),
            ..DriverConfig::default()
        })
        .expect("starts"))
    }
    fn feed(&mut self, data: &[u8], t: f64) -> Outcome {
        self.0.receive(PortId::MAIN, data, at(t));
        Outcome::of(self.0.take_actions())
    }
    fn poll(&mut self) -> Outcome {
        Refclock::poll(&mut self.0, at(0.0));
        Outcome::of(self.0.take_actions())
    }
    fn tick(&mut self, n: u32) -> Outcome {
        let mut all = Vec::new();
        for _ in 0..n {
            self.0.timer(at(0.0));
            all.extend(self.0.take_actions());
        }
        Outcome::of(all)
    }
    fn event(&mut self, e: PortEvent) -> Outcome {
        self.0.port_event(PortId::MAIN, e);
        Outcome::of(self.0.take_actions())
    }
    fn driver(&self) -> &ActsDriver {
        self.0.driver()
    }
    /// Poll, open, OK, CONNECT: a call up, as the modem would have it.
    fn connected(&mut self) {
        let o = self.poll();
        assert!(opens(&o));
        let o = self.event(PortEvent::Opened);
        assert_eq!(written(&o), [format!("{MODEM_SETUP}\r")]);
        let o = self.feed(b"\r\nOK\r\n", 0.1);
        assert_eq!(written(&o), ["ATDT5551234\r"]);
        self.feed(b"\r\nCONNECT 9600\r\n", 1.0);
        assert_eq!(self.driver().state(), CallState::Message);
    }
}

fn opens(o: &Outcome) -> bool {
    o.port_actions
        .iter()
        .any(|a| matches!(a, Action::Open(PortId::MAIN)))
}

fn closes(o: &Outcome) -> bool {
    o.port_actions
        .iter()
        .any(|a| matches!(a, Action::Close(PortId::MAIN)))
}

fn written(o: &Outcome) -> Vec<String> {
    o.writes
        .iter()
        .map(|(_, d)| String::from_utf8_lossy(d).into_owned())
        .collect()
}

fn nist_line(s: i64, otm: u8) -> Vec<u8> {
    let t = CivilTime::from_timestamp(Timestamp::from_secs(s));
    let n = Nist {
        mjd: super::codec::mjd_of(Timestamp::from_secs(s)),
        time: t,
        dst: 0,
        leap: 0,
        dut1: 1,
        advance: 450,
        otm,
    };
    [n.encode(), b"\r\n".to_vec()].concat()
}

#[test]
fn modes() {
    assert_eq!(CallMode::from_mode(0), CallMode::Backup);
    assert_eq!(CallMode::from_mode(1), CallMode::Auto);
    assert_eq!(CallMode::from_mode(2), CallMode::Manual);
    assert_eq!(CallMode::from_mode(7), CallMode::Auto);
    // Backup and auto call at a poll; manual does not, but flag1 calls.
    assert!(opens(&D::new(0, &["ATDT1"], ClockFlags::empty()).poll()));
    let mut manual = D::new(2, &["ATDT1"], ClockFlags::FLAG1);
    assert!(!opens(&manual.poll()));
    assert!(opens(&manual.tick(1)));
    assert!(
        !manual.0.state().fudge.flag(ClockFlags::FLAG1),
        "flag1 cleared"
    );
}

#[test]
#[cfg(feature = "sim")]
fn a_nist_call() {
    let mut d = D::new(1, &["ATDT5551234"], ClockFlags::empty());
    d.connected();
    // The banner in one piece, longer than ntpd's buffer.
    let o = d.feed(super::device::NIST_BANNER.as_bytes(), 1.1);
    assert!(o.samples.is_empty() && o.events.is_empty());
    let mut samples = Vec::new();
    for i in 0..20i64 {
        let s = T0 + 2 + i;
        let otm = if i >= 3 { b'#' } else { b'*' };
        let line = nist_line(s, otm);
        // The marker arrives 2 ms after the second; the line end apart.
        let o = d.feed(&line[..50], (2 + i) as f64 + 0.002);
        assert_eq!(o.writes, vec![(PortId::MAIN, vec![otm])], "echoed");
        let o = d.feed(&line[50..], (2 + i) as f64 + 0.003);
        samples.extend(o.samples.clone());
        if i == 19 {
            assert!(closes(&o), "20 timecodes end the call");
            assert_eq!(o.filtered.len(), 1);
            assert!(o.port_actions.contains(&Action::ModemLines {
                port: PortId::MAIN,
                dtr: Some(false),
                rts: None
            }));
        }
    }
    // Lines 1-3 had `*`: counted only; 4-20 (`#`) each a sample.
    assert_eq!(samples.len(), 17);
    for s in &samples {
        assert!((s.offset + 0.002).abs() < 1e-9, "{}", s.offset);
        assert_eq!(s.leap, refclock_core::Leap::NoWarning);
    }
    assert_eq!(d.driver().state(), CallState::Idle);
    assert_eq!(d.driver().service(), Some(super::Service::Nist));
}

#[test]
fn nist_without_loopback_from_the_tenth_line() {
    let mut d = D::new(1, &["ATDT5551234"], ClockFlags::empty());
    d.connected();
    let mut n = 0;
    for i in 0..12i64 {
        n += d
            .feed(&nist_line(T0 + 2 + i, b'*'), (2 + i) as f64)
            .samples
            .len();
    }
    assert_eq!(n, 3, "lines 10, 11, 12");
}

#[test]
fn no_carrier_ends_the_call_at_once() {
    let mut d = D::new(1, &["ATDT5551234"], ClockFlags::empty());
    d.connected();
    for i in 0..4i64 {
        d.feed(&nist_line(T0 + 2 + i, b'#'), (2 + i) as f64);
    }
    let o = d.feed(b"\r\nNO CARRIER\r\n", 7.0);
    assert!(closes(&o));
    assert_eq!(o.filtered.len(), 1);
    assert_eq!(d.driver().state(), CallState::Idle);
    assert_eq!(d.driver().timer(), 0, "it gave timecodes: no redial");
}

#[test]
fn busy_then_the_second_number() {
    let mut d = D::new(1, &["ATDT111", "ATDT222"], ClockFlags::empty());
    d.poll();
    d.event(PortEvent::Opened);
    d.feed(b"\r\nOK\r\n", 0.1);
    let o = d.feed(b"\r\nBUSY\r\n", 2.0);
    assert!(closes(&o));
    d.event(PortEvent::Closed(
        refclock_core::port::CloseReason::Requested,
    ));
    assert_eq!(d.driver().timer(), super::REDIAL);
    // A poll while the redial waits leaves it alone.
    assert!(!opens(&d.poll()));
    assert!(opens(&d.tick(super::REDIAL)));
    d.event(PortEvent::Opened);
    let o = d.feed(b"\r\nOK\r\n", 0.1);
    assert_eq!(written(&o), ["ATDT222\r"]);
    // The last number fails too: back to the first at the next poll.
    d.feed(b"\r\nNO ANSWER\r\n", 2.0);
    assert_eq!((d.driver().timer(), d.driver().next_number()), (0, 0));
    assert!(opens(&d.poll()));
}

#[test]
fn time_outs() {
    let mut d = D::new(1, &["ATDT111"], ClockFlags::empty());
    d.poll();
    d.event(PortEvent::Opened);
    let o = d.tick(super::SETUP_TIMEOUT);
    assert!(closes(&o) && o.clockstats.iter().any(|c| c == "no modem"));
    d.poll();
    d.event(PortEvent::Opened);
    // The echo of the set-up command is skipped.
    d.feed(format!("{MODEM_SETUP}\r\r\nOK\r\n").as_bytes(), 0.1);
    let o = d.tick(super::ANSWER_TIMEOUT);
    assert!(closes(&o) && o.clockstats.iter().any(|c| c == "no answer"));
    d.connected_from_poll();
    let o = d.tick(super::TIMECODE_TIMEOUT);
    assert!(closes(&o));
    assert!(o.events.contains(&ClockEvent::Timeout), "no timecodes");
}

impl D {
    fn connected_from_poll(&mut self) {
        self.poll();
        self.event(PortEvent::Opened);
        self.feed(b"\r\nOK\r\n", 0.1);
        self.feed(b"\r\nCONNECT\r\n", 1.0);
    }
}

#[test]
fn usno_samples_come_from_the_star() {
    let mut d = D::new(1, &["ATDT5551234"], ClockFlags::empty());
    d.connected();
    let mut samples = Vec::new();
    for i in 0..3i64 {
        let s = T0 + 2 + i;
        let t = CivilTime::from_timestamp(Timestamp::from_secs(s));
        let u = Usno {
            mjd: super::codec::mjd_of(Timestamp::from_secs(s)),
            yday: t.yday(),
            hour: t.hour,
            minute: t.minute,
            second: t.second,
        };
        let o = d.feed(
            &[u.encode(), b"\r\n".to_vec()].concat(),
            (1 + i) as f64 + 0.98,
        );
        assert!(o.samples.is_empty(), "not from the timecode line");
        samples.extend(d.feed(b"*\r\n", (2 + i) as f64 + 0.001).samples);
    }
    assert_eq!(samples.len(), 3);
    assert!(samples.iter().all(|s| (s.offset + 0.001).abs() < 1e-9));
    // A `*` without a timecode before it gives nothing.
    assert!(d.feed(b"*\r\n", 6.0).samples.is_empty());
}

#[test]
#[cfg(feature = "sim")]
fn ptb_stamped_at_the_cr() {
    let mut d = D::new(1, &["ATDT5551234"], ClockFlags::empty());
    d.connected();
    let epoch = refclock_core::sim::Epoch::at(T0 + 5);
    let p: super::codec::Ptb = super::device::ptb_code(&epoch, b'*');
    let line = p.encode();
    let o = d.feed(&line, 4.999);
    assert_eq!(o.writes, vec![(PortId::MAIN, b"*".to_vec())]);
    let o = d.feed(b"\r", 5.0005);
    assert_eq!(o.samples.len(), 1);
    assert!((o.samples[0].offset + 0.0005).abs() < 1e-9);
}

#[test]
#[cfg(feature = "sim")]
fn spectracom_on_a_direct_cable() {
    let mut d = D::new(1, &[], ClockFlags::empty());
    assert!(opens(&d.poll()));
    let o = d.event(PortEvent::Opened);
    assert_eq!(written(&o), ["T"]);
    assert_eq!(d.driver().state(), CallState::Message);
    let mut n = 0;
    for i in 0..3i64 {
        let s = T0 + 2 + i;
        let t = CivilTime::from_timestamp(Timestamp::from_secs(s));
        let epoch = refclock_core::sim::Epoch::new(t);
        let m = super::device::spectracom(&epoch, 2);
        // CR LF on time, the text 12 ms later.
        d.feed(&m.bytes[..2], (2 + i) as f64 + 0.001);
        let o = d.feed(&m.bytes[2..], (2 + i) as f64 + 0.013);
        n += o.samples.len();
        if i > 0 {
            assert_eq!(o.samples.len(), 0, "format 2 ends at the next CR");
        }
        let _ = o;
    }
    // Format 2 lines end at the next second's CR: two complete so far.
    assert_eq!(n, 0);
    let o = d.feed(b"\r\n", 5.001);
    assert_eq!(o.samples.len(), 1);
    let s = o.samples[0];
    assert!((s.offset + 0.001).abs() < 1e-9, "{}", s.offset);
}

#[test]
fn garbled_timecodes_are_counted() {
    let mut d = D::new(1, &["ATDT5551234"], ClockFlags::empty());
    d.connected();
    let mut bad = nist_line(T0 + 2, b'#');
    bad[21] = b'9';
    let o = d.feed(&bad, 2.0);
    assert!(o.samples.is_empty());
    assert!(o.events.contains(&ClockEvent::BadReply));
    assert_eq!(d.0.state().counters.badformat, 1);
    // Lines of no timecode's length are skipped without a count.
    d.feed(b"Enter question mark \"?\" for HELP\r\n", 3.0);
    assert_eq!(d.0.state().counters.badformat, 1);
}

#[test]
fn reads_split_anywhere_give_the_same_samples() {
    let lines: Vec<u8> = (0..3).flat_map(|i| nist_line(T0 + 2 + i, b'#')).collect();
    let mut whole = D::new(1, &["ATDT5551234"], ClockFlags::empty());
    whole.connected();
    let want = whole.feed(&lines, 3.0).samples;
    assert_eq!(want.len(), 3);
    for cut in 1..lines.len() {
        let mut d = D::new(1, &["ATDT5551234"], ClockFlags::empty());
        d.connected();
        let mut got = d.feed(&lines[..cut], 3.0).samples;
        got.extend(d.feed(&lines[cut..], 3.0).samples);
        assert_eq!(got.len(), 3, "cut at {cut}");
        for (g, w) in got.iter().zip(&want) {
            assert!((g.offset - w.offset).abs() < 1e-9);
        }
    }
}

#[test]
fn a_lost_device_ends_the_call() {
    let mut d = D::new(1, &["ATDT5551234"], ClockFlags::empty());
    d.connected();
    d.feed(&nist_line(T0 + 2, b'#'), 2.0);
    let o = d.event(PortEvent::Closed(refclock_core::port::CloseReason::Lost(
        "gone".into(),
    )));
    assert_eq!(o.filtered.len(), 1);
    assert_eq!(d.driver().state(), CallState::Idle);
    let o = d.event(PortEvent::OpenFailed("EACCES".into()));
    assert!(o.events.contains(&ClockEvent::Fault));
}

#[test]
fn start_warns_about_odd_entries_and_flag2_locks_the_port() {
    let mut c = Clock::<ActsDriver>::start(DriverConfig {
        phones: vec!["5551234".into()],
        device: Some("/nonexistent/acts0".into()),
        fudge: Fudge {
            flags: ClockFlags::FLAG2,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap();
    let o = Outcome::of(c.take_actions());
    assert_eq!(o.logs.len(), 2, "{:?}", o.logs);
    assert!(o.logs[1].contains("/var/lock/LCK..acts0"), "{:?}", o.logs);
    let lock = c.ports().get(PortId::MAIN).unwrap().lock.clone();
    assert_eq!(lock, Some("/var/lock/LCK..acts0".into()));
    // A link is followed to the device it names (what others lock).
    let dir = std::env::temp_dir().join(format!("acts-lock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ttyUSB7"), b"").unwrap();
    std::os::unix::fs::symlink(dir.join("ttyUSB7"), dir.join("acts0")).unwrap();
    assert_eq!(
        lock_path(&dir.join("acts0")),
        std::path::PathBuf::from("/var/lock/LCK..ttyUSB7")
    );
    std::fs::remove_dir_all(&dir).unwrap();
    // Without flag2 no lock; `option lock=PATH` names one.
    let c = Clock::<ActsDriver>::start(DriverConfig::default()).unwrap();
    assert_eq!(c.ports().get(PortId::MAIN).unwrap().lock, None);
    let c = Clock::<ActsDriver>::start(DriverConfig {
        options: vec![("lock".into(), Some("/run/lock/LCK..modem".into()))],
        ..DriverConfig::default()
    })
    .unwrap();
    assert_eq!(
        c.ports().get(PortId::MAIN).unwrap().lock,
        Some("/run/lock/LCK..modem".into())
    );
}
