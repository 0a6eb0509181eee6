//! Telephone JJY on scripted input: the number's checks, the input's
//! pieces, a whole call in modes 100 and 150, time-outs and failures.

use refclock_core::calendar::CivilTime;
use refclock_core::{
    Action, Clock, ClockEvent, ClockFlags, DriverConfig, Fudge, Leap, PortEvent, PortId, Refclock,
    Sample, Timestamp,
};

use super::modem::{pieces, ModemState};
use super::*;

fn start(mode: u32, flags: ClockFlags, phones: &[&str]) -> Result<Clock<JjyDriver>, String> {
    let mut c = Clock::<JjyDriver>::start(DriverConfig {
        fudge: Fudge {
            mode,
            flags,
            ..Fudge::default()
        },
        phones: phones.iter().map(|s| s.to_string()).collect(),
        options: vec![("call-interval".into(), Some("0".into()))],
        ..DriverConfig::default()
    })
    .map_err(|e| e.to_string())?;
    c.port_event(PortId::MAIN, PortEvent::Opened);
    c.take_actions();
    Ok(c)
}

fn writes(acts: &[Action]) -> String {
    acts.iter()
        .filter_map(|a| match a {
            Action::Write { data, .. } => Some(String::from_utf8_lossy(data).into_owned()),
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

fn at(t: Timestamp, ms: u32) -> Timestamp {
    Timestamp::new(t.secs(), ms * 1_000_000)
}

#[test]
fn the_number_is_checked() {
    let ok = |p: &str| check_phone(&[p.to_string()]);
    assert_eq!(ok("042-234-5678").unwrap(), "042-234-5678");
    assert!(ok("0,0422345678").is_ok());
    assert!(ok("12345").is_err(), "5 digits");
    assert!(ok("12345678901").is_err(), "11 digits");
    for special in [
        "0012345678",
        "1101234567",
        "1712345678",
        "0900000000",
        "0,1101234567",
    ] {
        assert!(ok(special).is_err(), "{special}");
    }
    assert!(ok("1,0422345678").is_err());
    // ntpd checks one digit too far after "0,": these two it gets wrong.
    assert!(ok("0,1234567").is_err());
    assert!(ok("0,4112345678").is_ok());
    assert!(ok("ATDT0422345678").is_err());
    assert!(check_phone(&[]).is_err());
    assert!(check_phone(&["0422345678".into(), "0422345679".into()]).is_err());
    assert!(start(100, ClockFlags::empty(), &[]).is_err());
    assert!(start(181, ClockFlags::empty(), &["0422345678"]).is_err());
}

#[test]
fn input_is_cut_as_ntpd_cuts_it() {
    let p = |d: &[u8]| -> Vec<String> {
        pieces(d)
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect()
    };
    assert_eq!(p(b"\r\nOK\r\n"), ["OK"]);
    assert_eq!(p(b"\r\nWelcome\r\n\r\nName ? "), ["Welcome", "Name ? "]);
    assert_eq!(p(b"TIME\r\n123456\r\n>"), ["TIME", "123456", ">"]);
    assert_eq!(p(b"OK\rX\n"), ["OK", "X"]);
    assert_eq!(p(b"+++"), ["+++"]);
    // A run without a break is handed out at 98 bytes.
    let long = [&[b'a'; 120][..], b"\r"].concat();
    assert_eq!(
        pieces(&long).iter().map(Vec::len).collect::<Vec<_>>(),
        [98, 22]
    );
}

/// Plays a whole call; returns the actions and the time of the last
/// `TIME` answer.
fn call(
    c: &mut Clock<JjyDriver>,
    mode: u32,
    t0: Timestamp,
    loop_ms: u32,
) -> (Vec<Action>, Timestamp) {
    let mut acts = Vec::new();
    let mut feed = |c: &mut Clock<JjyDriver>, data: &[u8], t: Timestamp| {
        c.receive(PortId::MAIN, data, t);
        let a = c.take_actions();
        let w = writes(&a);
        acts.extend(a);
        w
    };
    Refclock::poll(c, t0);
    assert_eq!(writes(&c.take_actions()), "ATE0Q0V1\r\n");
    let mut w = String::new();
    for _ in 0..7 {
        w += &feed(c, b"\r\nOK\r\n", t0);
    }
    assert_eq!(
        w,
        "ATM0L1\r\nAT&K4\r\nAT+MS=V22B\r\nAT%C0\r\nAT\\N0\r\nATH1\r\nATDWT042-234-5678\r\n"
    );
    assert_eq!(feed(c, b"\r\nCONNECT 2400\r\n", t0), "");
    assert_eq!(feed(c, b"\r\nNICT\r\nName ? ", t0), "TJJY\r");
    let mut w = feed(c, b"TJJY\r\nWelcome\r\n>", t0);
    if mode != 100 {
        assert_eq!(w, "LOOP\r");
        w = feed(c, b"LOOP\r\n>", t0);
        for i in 0..5 {
            assert_eq!(w, ">", "loop {i}");
            w = feed(c, b">", at(t0, loop_ms * (i + 1)));
        }
        assert_eq!(w, "COM\r");
        w = feed(c, b"COM\r\n>", t0);
    }
    assert_eq!(w, "TIME\r");
    let s = t0.secs();
    // 2024-02-29 12:00:01..03 JST = 03:00:01..03 UTC, with t0 03:00:00.
    feed(c, b"TIME\r\n", t0);
    for k in 1..=3 {
        feed(
            c,
            format!("1200{k:02}\r\n").as_bytes(),
            at(Timestamp::from_secs(s + k), 30),
        );
    }
    assert_eq!(
        feed(c, b">", at(Timestamp::from_secs(s + 3), 31)),
        "4DATE\r"
    );
    assert_eq!(
        feed(
            c,
            b"4DATE\r\n20240229\r\n>",
            at(Timestamp::from_secs(s + 3), 40)
        ),
        "LEAPSEC\r"
    );
    assert_eq!(
        feed(
            c,
            b"LEAPSEC\r\n+1\r\n>",
            at(Timestamp::from_secs(s + 3), 50)
        ),
        "TIME\r"
    );
    feed(c, b"TIME\r\n", at(Timestamp::from_secs(s + 3), 60));
    for k in 4..=6 {
        feed(
            c,
            format!("1200{k:02}\r\n").as_bytes(),
            at(Timestamp::from_secs(s + k), 30),
        );
    }
    // BYE, and the modem's escape at once.
    assert_eq!(
        feed(c, b">", at(Timestamp::from_secs(s + 6), 31)),
        "BYE\r+++"
    );
    (acts, at(Timestamp::from_secs(s + 6), 30))
}

#[test]
fn a_whole_call_in_mode_100() {
    let mut c = start(100, ClockFlags::empty(), &["042-234-5678"]).unwrap();
    let t0 = CivilTime::new(2024, 2, 29, 3, 0, 0).to_timestamp().unwrap();
    let (acts, rec) = call(&mut c, 100, t0, 0);
    let s = samples(&acts);
    assert_eq!(s.len(), 1, "{acts:?}");
    let named = Timestamp::from_secs(t0.secs() + 6);
    assert!((s[0].offset - named.diff(rec)).abs() < 1e-6, "{:?}", s[0]);
    // LEAPSEC +1 is the leap indicator (ntpd only logs it).
    assert_eq!(s[0].leap, Leap::AddSecond);
    assert_eq!(c.driver().telephone().unwrap().state, TelState::Bye);
    // The hang-up: `+++` after 5 silent seconds (until 20 s), then ATH0.
    let mut w = String::new();
    for k in 1..=20 {
        Refclock::timer(&mut c, Timestamp::from_secs(t0.secs() + 6 + k));
        w += &writes(&c.take_actions());
    }
    assert_eq!(w, "+++".repeat(3) + "ATH0\r\n");
    let tel = c.driver().telephone().unwrap();
    assert_eq!(
        (tel.state, tel.modem_state()),
        (TelState::Idle, ModemState::Disconnect)
    );
    // Late bytes are dropped; the next poll calls again.
    c.receive(
        PortId::MAIN,
        b"\r\nOK\r\n",
        Timestamp::from_secs(t0.secs() + 30),
    );
    assert!(c
        .take_actions()
        .iter()
        .all(|a| !matches!(a, Action::Write { .. })));
    let (acts, _) = call(&mut c, 100, Timestamp::from_secs(t0.secs() + 40), 0);
    assert_eq!(samples(&acts).len(), 1);
}

#[test]
fn mode_150_adds_half_the_round_trip() {
    let mut c = start(150, ClockFlags::empty(), &["042-234-5678"]).unwrap();
    let t0 = CivilTime::new(2024, 2, 29, 3, 0, 0).to_timestamp().unwrap();
    // Round trips of 100 ms each: half of it is 50 ms.
    let (acts, rec) = call(&mut c, 150, t0, 100);
    let s = samples(&acts);
    assert_eq!(s.len(), 1);
    let named = Timestamp::new(t0.secs() + 6, 50_000_000);
    assert!((s[0].offset - named.diff(rec)).abs() < 1e-6, "{:?}", s[0]);
}

#[test]
fn failed_calls_hang_up_and_give_nothing() {
    let mut c = start(100, ClockFlags::FLAG1 | ClockFlags::FLAG2, &["0422345678"]).unwrap();
    let t0 = CivilTime::new(2024, 2, 29, 3, 0, 0).to_timestamp().unwrap();
    Refclock::poll(&mut c, t0);
    let mut w = writes(&c.take_actions());
    for _ in 0..7 {
        c.receive(PortId::MAIN, b"\r\nOK\r\n", t0);
        w += &writes(&c.take_actions());
    }
    // flag2: error correction; flag1: pulse dialling.
    assert!(
        w.contains("AT\\N3\r\n") && w.ends_with("ATDWP0422345678\r\n"),
        "{w}"
    );
    c.receive(PortId::MAIN, b"\r\nBUSY\r\n", t0);
    assert_eq!(writes(&c.take_actions()), "ATH0\r\n");
    assert_eq!(c.driver().telephone().unwrap().state, TelState::Idle);
    // A silent line after CONNECT: CR after 10 s, then the 60 s time-out
    // gives up and hangs up.
    Refclock::poll(&mut c, t0);
    for _ in 0..8 {
        c.receive(PortId::MAIN, b"\r\nOK\r\n", t0);
    }
    c.receive(PortId::MAIN, b"\r\nCONNECT\r\n", t0);
    c.take_actions();
    let mut w = String::new();
    for k in 1..=60 {
        Refclock::timer(&mut c, Timestamp::from_secs(t0.secs() + k));
        w += &writes(&c.take_actions());
    }
    assert!(w.starts_with("\r") && w.ends_with("+++"), "{w:?}");
    assert_eq!(c.driver().telephone().unwrap().state, TelState::Bye);
    // A damaged TIME answer: counted, no sample.
    let mut c = start(100, ClockFlags::empty(), &["0422345678"]).unwrap();
    Refclock::poll(&mut c, t0);
    for _ in 0..8 {
        c.receive(PortId::MAIN, b"\r\nOK\r\n", t0);
    }
    for d in [&b"CONNECT\r\n"[..], b"Name ? ", b">", b"TIME\r\n1x0001\r\n"] {
        c.receive(PortId::MAIN, d, t0);
    }
    let acts = c.take_actions();
    assert!(
        acts.contains(&Action::Event(ClockEvent::BadReply)),
        "{acts:?}"
    );
}
