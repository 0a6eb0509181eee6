//! The driver on scripted conversations: the watch dialogue, the three
//! modes, TOFF against TPV, the PPS-only unit, bad lines, the silence
//! time-out and the reconnect back-off.

use refclock_core::port::{CloseReason, PortKind};
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, PortEvent, PortId, Refclock,
    Sample, Timestamp,
};

use super::codec::{encode, format_time};
use super::*;

const DEV: &str = "/dev/null";
const T0: i64 = 1_700_000_000;

struct D(Clock<GpsdDriver>);

fn t(s: f64) -> Timestamp {
    Timestamp::from_secs(T0).add_secs_f64(s)
}

impl D {
    fn with(unit: u8, fudge: Fudge, options: Vec<(String, Option<String>)>) -> D {
        D(Clock::start(DriverConfig {
            unit,
            fudge,
            device: Some(DEV.into()),
            options,
            ..DriverConfig::default()
        })
        .expect("starts"))
    }
    fn new(mode: u32, flags: ClockFlags) -> D {
        D::with(
            0,
            Fudge {
                mode,
                flags,
                ..Fudge::default()
            },
            Vec::new(),
        )
    }
    /// Connected, greeted with `VERSION` `major.minor`, watch confirmed.
    fn ready(mode: u32, flags: ClockFlags, major: u16, minor: u16) -> D {
        let mut d = D::new(mode, flags);
        assert!(d.timer(0.0).contains(&Action::Open(PortId::MAIN)));
        d.event(PortEvent::Opened);
        let a = d.feed(&encode::version("3.22", major, minor), 0.1);
        let want = super::codec::watch_request(DEV, (major, minor) >= (3, 10));
        assert_eq!(writes(&a), vec![want]);
        d.feed(&encode::watch(DEV, true), 0.2);
        assert!(d.0.driver().watching());
        d
    }
    fn feed(&mut self, data: &[u8], at: f64) -> Vec<Action> {
        self.0.receive(PortId::MAIN, data, t(at));
        self.0.take_actions()
    }
    fn timer(&mut self, at: f64) -> Vec<Action> {
        Refclock::timer(&mut self.0, t(at));
        self.0.take_actions()
    }
    fn poll(&mut self, at: f64) -> Vec<Action> {
        Refclock::poll(&mut self.0, t(at));
        self.0.take_actions()
    }
    fn event(&mut self, e: PortEvent) -> Vec<Action> {
        self.0.port_event(PortId::MAIN, e);
        self.0.take_actions()
    }
}

fn samples(a: &[Action]) -> Vec<Sample> {
    a.iter()
        .filter_map(|x| match x {
            Action::Sample(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn writes(a: &[Action]) -> Vec<Vec<u8>> {
    a.iter()
        .filter_map(|x| match x {
            Action::Write { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

fn tpv(sec: i64) -> Vec<u8> {
    encode::tpv(DEV, 3, Some(Timestamp::from_secs(T0 + sec)))
}

fn pps(sec: i64, clock: f64) -> Vec<u8> {
    encode::time_pair("PPS", DEV, Timestamp::from_secs(T0 + sec), t(clock))
}

fn toff(sec: i64, clock: f64) -> Vec<u8> {
    encode::time_pair("TOFF", DEV, Timestamp::from_secs(T0 + sec), t(clock))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn start_checks_mode_device_and_server() {
    let d = D::new(3, ClockFlags::empty());
    assert_eq!(d.0.driver().op_mode(), OpMode::Serial);
    assert_eq!(d.0.driver().device(), "/dev/null");
    assert_eq!(
        d.0.ports().list[0].kind,
        PortKind::Tcp {
            host: "localhost".into(),
            port: 2947
        }
    );
    let cfg = |mode, device: &str, server: Option<&str>| DriverConfig {
        fudge: Fudge {
            mode,
            ..Fudge::default()
        },
        device: Some(device.into()),
        options: server
            .map(|s| vec![("server".to_string(), Some(s.to_string()))])
            .unwrap_or_default(),
        ..DriverConfig::default()
    };
    assert!(Clock::<GpsdDriver>::start(cfg(4, DEV, None)).is_err());
    assert!(
        Clock::<GpsdDriver>::start(cfg(0, "/", None)).is_err(),
        "a directory"
    );
    assert!(Clock::<GpsdDriver>::start(cfg(0, "/nonexistent/gps0", None)).is_err());
    for bad in ["nohost", "h:0", "h:x", ":2947", "h:70000"] {
        assert!(
            Clock::<GpsdDriver>::start(cfg(0, DEV, Some(bad))).is_err(),
            "{bad}"
        );
    }
    let c = Clock::<GpsdDriver>::start(cfg(0, DEV, Some("[::1]:3000"))).unwrap();
    assert_eq!(
        c.ports().list[0].kind,
        PortKind::Tcp {
            host: "::1".into(),
            port: 3000
        }
    );
    // watch=NAME: asked for as given, nothing checked here.
    let mut c = Clock::<GpsdDriver>::start(DriverConfig {
        options: vec![("watch".into(), Some("/dev/ttyACM7".into()))],
        device: Some("/nonexistent".into()),
        ..DriverConfig::default()
    })
    .unwrap();
    assert_eq!(c.driver().device(), "/dev/ttyACM7");
    c.timer(t(0.0));
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.receive(PortId::MAIN, &encode::version("x", 3, 14), t(0.1));
    assert_eq!(
        writes(&c.take_actions()),
        vec![super::codec::watch_request("/dev/ttyACM7", true)]
    );
    let c = Clock::<GpsdDriver>::start(cfg(0, DEV, Some("/dev/pts/9"))).unwrap();
    assert!(matches!(c.ports().list[0].kind, PortKind::Serial { .. }));
    // Unit 128 watches /dev/gps0 as the secondary.
    let c = Clock::<GpsdDriver>::start(DriverConfig {
        unit: 130,
        device: Some(DEV.into()),
        ..DriverConfig::default()
    })
    .unwrap();
    assert!(c.driver().is_secondary());
}

#[test]
fn mode_0_old_protocol_stamps_each_tpv_with_its_receive_time() {
    let mut d = D::ready(0, ClockFlags::empty(), 3, 9);
    let s = samples(&d.feed(&tpv(1), 1.25));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].time, t(1.25));
    assert!(close(s[0].offset, -0.25));
    assert_eq!(
        d.0.state().timecode(),
        format_time(Timestamp::from_secs(T0 + 1))
    );
    // Split at every position: the same sample, stamped at the line end.
    let line = tpv(2);
    for cut in 1..line.len() - 2 {
        let mut d2 = D::ready(0, ClockFlags::empty(), 3, 9);
        assert!(samples(&d2.feed(&line[..cut], 2.1)).is_empty());
        let s = samples(&d2.feed(&line[cut..], 2.2));
        assert_eq!(s.len(), 1, "cut {cut}");
        assert_eq!(s[0].time, t(2.2));
    }
    // A TPV without a fix, or mode 1, gives nothing.
    assert!(samples(&d.feed(&encode::tpv(DEV, 1, None), 3.2)).is_empty());
    assert!(samples(&d.feed(br#"{"class":"TPV","mode":3}"#, 3.3)).is_empty());
    assert!(samples(&d.feed(b"\r\n", 3.3)).is_empty());
    let a = d.poll(4.0);
    assert!(a.iter().any(|x| matches!(x, Action::Filtered(_))));
}

#[test]
fn time2_moves_the_receive_time() {
    let mut d = D::new(0, ClockFlags::empty());
    d.0.state_mut().fudge.time2 = Some(0.2);
    d.timer(0.0);
    d.event(PortEvent::Opened);
    d.feed(&encode::version("x", 3, 1), 0.1);
    let s = samples(&d.feed(&tpv(1), 1.25));
    assert!(close(s[0].offset, -0.05), "{s:?}");
}

#[test]
fn mode_0_with_toff_uses_gpsd_receive_time_and_ignores_the_tpv_time() {
    let mut d = D::ready(0, ClockFlags::empty(), 3, 14);
    assert!(samples(&d.feed(&tpv(1), 1.3)).is_empty(), "TPV only gates");
    let s = samples(&d.feed(&toff(1, 1.05), 1.31));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].time, t(1.05));
    assert!(close(s[0].offset, -0.05));
    // No fix: the TOFF that follows gives nothing.
    d.feed(&encode::tpv(DEV, 1, None), 2.3);
    assert!(samples(&d.feed(&toff(2, 2.05), 2.31)).is_empty());
    // An old server that sends a TOFF all the same switches to TOFF.
    let mut d = D::ready(0, ClockFlags::empty(), 3, 9);
    assert_eq!(samples(&d.feed(&tpv(1), 1.3)).len(), 1);
    assert_eq!(samples(&d.feed(&toff(1, 1.05), 1.31)).len(), 1);
    assert!(samples(&d.feed(&tpv(2), 2.3)).is_empty());
}

#[test]
fn mode_1_pairs_the_serial_time_with_the_pulse() {
    let mut d = D::ready(1, ClockFlags::empty(), 3, 14);
    d.0.state_mut().fudge.time1 = Some(0.001);
    assert!(samples(&d.feed(&pps(1, 1.0002), 1.001)).is_empty());
    d.feed(&tpv(1), 1.3);
    let s = samples(&d.feed(&toff(1, 1.2), 1.31));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].time, t(1.0002 - 0.001));
    assert!(close(s[0].offset, -0.0002 + 0.001), "{s:?}");
    // Serial time without a pulse: nothing.
    d.feed(&tpv(2), 2.3);
    assert!(samples(&d.feed(&toff(2, 2.2), 2.31)).is_empty());
    // A pulse more than a second before the serial time is stale.
    d.feed(&pps(3, 3.0), 3.0);
    assert!(samples(&d.feed(&toff(4, 4.2), 4.31)).is_empty());
    // flag2: pulses ignored, so strict mode gives nothing.
    let mut d = D::ready(1, ClockFlags::FLAG2, 3, 14);
    d.feed(&pps(1, 1.0), 1.001);
    assert!(samples(&d.feed(&toff(1, 1.2), 1.31)).is_empty());
}

#[test]
fn mode_2_falls_back_to_serial_time_and_back() {
    let mut d = D::ready(2, ClockFlags::empty(), 3, 14);
    let mut serial_only = 0;
    // 30 seconds without pulses: the account (30) runs down, then serial
    // time alone gives samples.
    for k in 1..=40 {
        let s = samples(&d.feed(&toff(k, k as f64 + 0.2), k as f64 + 0.3));
        serial_only += s.len();
    }
    assert!(d.0.driver().raw_serial());
    assert_eq!(serial_only, 11, "from the 30th serial time on");
    // Pulses again: paired samples once the account is full (20 pulses).
    let mut paired = 0;
    for k in 41..=70 {
        d.feed(&pps(k, k as f64 + 0.0001), k as f64 + 0.001);
        let s = samples(&d.feed(&toff(k, k as f64 + 0.2), k as f64 + 0.3));
        assert_eq!(s.len(), 1);
        if close(s[0].offset, -0.0001) {
            paired += 1;
        }
    }
    assert!(!d.0.driver().raw_serial());
    assert_eq!(paired, 11);
}

#[test]
fn the_pps_only_unit_takes_pulses_only() {
    let mut d = D::with(
        128,
        Fudge {
            time1: Some(0.002),
            ..Fudge::default()
        },
        Vec::new(),
    );
    d.timer(0.0);
    d.event(PortEvent::Opened);
    d.feed(&encode::version("x", 3, 14), 0.1);
    d.feed(&encode::watch(DEV, true), 0.2);
    d.feed(&tpv(1), 1.3);
    assert!(samples(&d.feed(&toff(1, 1.2), 1.31)).is_empty());
    let s = samples(&d.feed(&pps(2, 2.0001), 2.001));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].time, t(2.0001 - 0.002));
    assert!(close(s[0].offset, -0.0001 + 0.002));
    assert_eq!(
        d.0.state().timecode(),
        format_time(Timestamp::from_secs(T0 + 2))
    );
    // No fix: pulses give nothing.
    d.feed(&encode::tpv(DEV, 1, None), 3.3);
    assert!(samples(&d.feed(&pps(4, 4.0), 4.001)).is_empty());
    // The pulses stop: the pending sample is dropped with a time-out.
    let mut events = Vec::new();
    for k in 5..10 {
        events.extend(d.timer(k as f64));
    }
    assert!(events.contains(&Action::Event(ClockEvent::Timeout)));
    assert!(d.0.state().pending().is_empty());
}

#[test]
fn bad_lines_are_counted_and_give_no_sample() {
    let mut d = D::ready(0, ClockFlags::FLAG4, 3, 14);
    let bad: [&[u8]; 7] = [
        b"{\"class\":\"TOFF\",\"real_sec\":\n",
        b"not json at all\n",
        b"[1,2,3]\n",
        b"{\"mode\":3}\n",
        b"{\"class\":\"TOFF\",\"real_sec\":1.5,\"real_nsec\":0,\"clock_sec\":1,\"clock_nsec\":0}\n",
        b"{\"class\":\"TOFF\",\"real_sec\":1,\"real_nsec\":0,\"clock_sec\":1}\n",
        b"{\"class\":\"TPV\",\"mode\":3,\"time\":\"2024-02-30T00:00:00Z\"}\n",
    ];
    for (k, line) in bad.iter().enumerate() {
        let a = d.feed(line, 1.0 + k as f64 * 0.01);
        assert!(samples(&a).is_empty(), "{}", String::from_utf8_lossy(line));
    }
    // An over-long line is dropped whole, and the next one is read.
    let mut long = b"{\"class\":\"TOFF\",\"x\":\"".to_vec();
    long.extend(vec![b'a'; 9000]);
    long.extend_from_slice(b"\"}\n");
    assert!(samples(&d.feed(&long, 1.5)).is_empty());
    assert_eq!(samples(&d.feed(&toff(2, 2.05), 2.1)).len(), 1);
    let tallies = d.0.driver().tallies();
    // The TPV's bad date is not read: with protocol 3.14 the time comes
    // with the TOFF.
    assert_eq!(tallies.breply, 7, "{tallies:?}");
    let a = d.poll(3.0);
    let stats: Vec<_> = a
        .iter()
        .filter_map(|x| match x {
            Action::ClockStats(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    // known objects, bad, no fix, sti recv/used, pps recv/used
    assert_eq!(stats, vec!["5 7 0 2 1 0 0".to_string()]);
    assert!(d.0.state().counters.badformat >= 7);
    // A poll without samples after bad lines reports a bad reply.
    let a = d.feed(b"}}}\n", 3.5);
    assert!(a.contains(&Action::Event(ClockEvent::BadReply)), "{a:?}");
    d.poll(4.0);
    assert_eq!(d.0.state().status, ClockEvent::BadReply);
}

#[test]
fn silence_live_check_then_close_and_back_off() {
    let mut d = D::ready(0, ClockFlags::empty(), 3, 14);
    let mut wrote_at = Vec::new();
    let mut closed_at = None;
    for k in 1..=12 {
        let a = d.timer(k as f64);
        if !writes(&a).is_empty() {
            assert_eq!(writes(&a), vec![b"?VERSION;\r\n".to_vec()]);
            wrote_at.push(k);
        }
        if a.contains(&Action::Close(PortId::MAIN)) {
            closed_at.get_or_insert(k);
        }
    }
    assert_eq!(wrote_at, vec![6]);
    assert_eq!(closed_at, Some(10));
    assert!(!d.0.driver().connected());
    // Reconnect after 10 s (the version reset the back-off, the close
    // added 5 s), then after each failure 15 s, 20 s... at most 120 s.
    let mut opens = Vec::new();
    for k in 13..2000 {
        if d.timer(k as f64).contains(&Action::Open(PortId::MAIN)) {
            opens.push(k);
            d.event(PortEvent::OpenFailed("refused".into()));
        }
    }
    let gaps: Vec<i64> = opens.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(opens[0], 20);
    assert_eq!(&gaps[..4], &[15, 20, 25, 30]);
    assert!(gaps.iter().all(|&g| g <= 120));
    assert_eq!(*gaps.last().unwrap(), 120);
    let a = d.poll(2000.0);
    assert!(a.contains(&Action::Event(ClockEvent::Fault)), "{a:?}");
}

#[test]
fn a_lost_connection_is_retried_at_the_next_second_and_rewatched() {
    let mut d = D::ready(0, ClockFlags::empty(), 3, 14);
    d.event(PortEvent::Closed(CloseReason::Lost("end of file".into())));
    assert!(!d.0.driver().connected());
    assert!(d.timer(1.0).contains(&Action::Open(PortId::MAIN)));
    d.event(PortEvent::Opened);
    let a = d.feed(&encode::version("3.22", 3, 14), 1.2);
    assert_eq!(writes(&a).len(), 1, "the watch again");
    // Half a line before the loss is not glued to the next connection.
    d.feed(b"{\"class\":\"TOFF\",", 1.3);
    d.event(PortEvent::Closed(CloseReason::Lost("reset".into())));
    d.timer(2.0);
    d.event(PortEvent::Opened);
    d.feed(&encode::version("3.22", 3, 14), 2.1);
    d.feed(&encode::watch(DEV, true), 2.2);
    assert_eq!(samples(&d.feed(&toff(3, 3.05), 3.1)).len(), 1);
}

#[test]
fn watch_replies_for_other_devices_are_ignored() {
    let mut d = D::new(0, ClockFlags::empty());
    d.timer(0.0);
    d.event(PortEvent::Opened);
    d.feed(&encode::version("x", 3, 14), 0.1);
    d.feed(&encode::watch("/dev/other", true), 0.2);
    assert!(!d.0.driver().watching());
    // Not watching yet: each VERSION asks again.
    assert_eq!(writes(&d.feed(&encode::version("x", 3, 14), 0.3)).len(), 1);
    d.feed(&encode::watch(DEV, true), 0.4);
    assert!(writes(&d.feed(&encode::version("x", 3, 14), 0.5)).is_empty());
}
