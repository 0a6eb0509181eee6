//! The simulated modem against a scripted caller.

use super::*;
use refclock_core::sim::Due;

/// The timeline of a clean run: each wall second names itself.
pub(crate) struct Clean;
impl Timeline for Clean {
    fn epoch(&self, wall: i64) -> Epoch {
        Epoch::at(wall)
    }
}

/// A service that sends `TICK` each second, counts what it hears and
/// hangs up after hearing `BYE`.
#[derive(Default)]
struct Ticker {
    heard: Vec<u8>,
    answered: u32,
}

impl Service for Ticker {
    fn describe(&self) -> String {
        "ticker".into()
    }
    fn answered(&mut self, _at: Timestamp, _t: &dyn Timeline, out: &mut Vec<Message>) {
        self.answered += 1;
        self.heard.clear();
        out.push(Message::line("BANNER", b"HELLO\r\n".to_vec()));
    }
    fn second(&mut self, epoch: &Epoch, out: &mut Vec<Message>) {
        out.push(Message::line("TICK", format!("TICK {}\r\n", epoch.named.secs())).naming(epoch));
    }
    fn input(&mut self, data: &[u8], _n: Timestamp, _t: &dyn Timeline, _o: &mut Vec<Message>) {
        self.heard.extend_from_slice(data);
    }
    fn finished(&self) -> bool {
        self.heard.windows(3).any(|w| w == b"BYE")
    }
}

const T0: i64 = 1_700_000_000;

fn modem(options: &[(&str, &str)]) -> HayesModem<Ticker> {
    let mut o = ModemOptions::default();
    for (k, v) in options {
        assert!(o.apply(k, v).unwrap(), "{k}");
    }
    HayesModem::new(Ticker::default(), o)
}

fn send(m: &mut HayesModem<Ticker>, data: &[u8], at: f64) -> Vec<Message> {
    let mut out = Vec::new();
    m.input(data, Timestamp::from_secs(T0) + at, &Clean, &mut out);
    out
}

fn texts(out: &[Message]) -> Vec<String> {
    out.iter()
        .map(|m| String::from_utf8_lossy(&m.bytes).into_owned())
        .collect()
}

fn tick(m: &mut HayesModem<Ticker>, wall: i64) -> Vec<String> {
    let mut out = Vec::new();
    m.second(&Epoch::at(wall), &mut out);
    texts(&out)
}

#[test]
fn echo_ok_and_error() {
    let mut m = modem(&[]);
    let out = send(&mut m, b"ATB1&C0&D2E0L1M1Q0V1Y1\r", 0.0);
    assert_eq!(texts(&out), ["ATB1&C0&D2E0L1M1Q0V1Y1\r", "\r\nOK\r\n"]);
    assert_eq!(out[1].end, 4);
    // Echo now off; garbage before AT ignored; LF ignored.
    assert_eq!(texts(&send(&mut m, b"xyAT\r\n", 0.1)), ["\r\nOK\r\n"]);
    assert_eq!(texts(&send(&mut m, b"ATJ\r", 0.2)), ["\r\nERROR\r\n"]);
    assert_eq!(texts(&send(&mut m, b"hello\r", 0.3)), Vec::<String>::new());
    // Numeric and quiet results; JJY's set-up commands.
    assert_eq!(texts(&send(&mut m, b"ATV0\r", 0.4)), ["0\r"]);
    assert_eq!(texts(&send(&mut m, b"ATJ\r", 0.5)), ["4\r"]);
    assert_eq!(texts(&send(&mut m, b"ATQ1\r", 0.6)), Vec::<String>::new());
    assert_eq!(texts(&send(&mut m, b"ATZ\r", 0.7)), ["\r\nOK\r\n"]);
    assert_eq!(texts(&send(&mut m, b"AT\r", 0.8)), ["AT\r", "\r\nOK\r\n"]);
    for cmd in [
        "ATE0Q0V1",
        "ATM0L1",
        "AT&K4",
        "AT+MS=V22B",
        "AT%C0",
        "AT\\N3",
        "ATH1",
        "ATS0=0",
    ] {
        let out = send(&mut m, format!("{cmd}\r\n").as_bytes(), 1.0);
        assert_eq!(texts(&out).last().unwrap(), "\r\nOK\r\n", "{cmd}");
    }
    assert_eq!(texts(&send(&mut m, b"ATO\r", 1.1)), ["\r\nNO CARRIER\r\n"]);
}

#[test]
fn dial_connect_service_and_dtr_drop() {
    let mut m = modem(&[("echo", "0")]);
    let out = send(&mut m, b"ATDT 1-303-494-4774\r", 0.2);
    assert_eq!(m.dialled(), ["13034944774"]);
    assert_eq!(texts(&out), ["\r\nCONNECT\r\n", "HELLO\r\n"]);
    let connect_at = Timestamp::from_secs(T0) + 1.2;
    assert_eq!(out[0].due, Due::At(connect_at));
    assert_eq!(out[1].due, Due::Next);
    assert!(m.in_call());
    // Nothing before the CONNECT's second is over.
    assert!(tick(&mut m, T0 + 1).is_empty());
    assert_eq!(tick(&mut m, T0 + 2), [format!("TICK {}\r\n", T0 + 2)]);
    // Bytes go to the service, not the command interpreter.
    assert!(send(&mut m, b"*AT\r", 2.5).is_empty());
    assert_eq!(m.service().heard, b"*AT\r");
    m.line_closed(Timestamp::from_secs(T0 + 3));
    assert!(!m.in_call());
    assert!(tick(&mut m, T0 + 4).is_empty());
    assert_eq!(texts(&send(&mut m, b"AT\r", 4.5)), ["\r\nOK\r\n"]);
}

#[test]
fn escape_hang_up_and_back_on_line() {
    let mut m = modem(&[("echo", "0"), ("connect", "CONNECT 2400")]);
    assert_eq!(
        texts(&send(&mut m, b"ATDWT0312345678\r\n", 0.0))[0],
        "\r\nCONNECT 2400\r\n"
    );
    let out = send(&mut m, b"TIME\r+++", 2.0);
    assert_eq!(texts(&out), ["\r\nOK\r\n"]);
    assert_eq!(out[0].due, Due::At(Timestamp::from_secs(T0 + 3)));
    assert_eq!(m.service().heard, b"TIME\r+++");
    assert!(
        tick(&mut m, T0 + 3).is_empty(),
        "escaped: the far end is not heard"
    );
    assert_eq!(
        texts(&send(&mut m, b"ATO\r", 3.5)),
        ["\r\nCONNECT 2400\r\n"]
    );
    assert_eq!(tick(&mut m, T0 + 4).len(), 1);
    send(&mut m, b"+++", 4.2);
    assert_eq!(texts(&send(&mut m, b"ATH0\r\n", 5.5)), ["\r\nOK\r\n"]);
    assert!(!m.in_call());
}

#[test]
fn far_end_hangs_up() {
    let mut m = modem(&[("echo", "0")]);
    send(&mut m, b"ATDT5551234\r", 0.0);
    let out = send(&mut m, b"BYE\r", 3.0);
    assert_eq!(texts(&out), ["\r\nNO CARRIER\r\n"]);
    assert!(!m.in_call());
}

#[test]
fn failure_outcomes() {
    let mut m = modem(&[
        ("echo", "0"),
        (
            "calls",
            "busy,no-answer,no-carrier,no-dialtone,drop,garbage,silent,answer",
        ),
        ("drop-after", "2"),
        ("connect-delay", "500"),
    ]);
    for want in ["BUSY", "NO ANSWER", "NO CARRIER", "NO DIALTONE"] {
        let out = send(&mut m, b"ATDT5551234\r", 0.0);
        assert_eq!(texts(&out), [format!("\r\n{want}\r\n")]);
        assert!(!m.in_call());
    }
    // drop: two seconds of service, then NO CARRIER.
    send(&mut m, b"ATDT5551234\r", 0.0);
    assert_eq!(tick(&mut m, T0 + 1).len(), 1);
    assert_eq!(tick(&mut m, T0 + 2).len(), 1);
    assert_eq!(tick(&mut m, T0 + 3), ["\r\nNO CARRIER\r\n"]);
    // garbage: noise lines; silent: nothing.
    let out = send(&mut m, b"ATDT5551234\r", 0.0);
    assert_eq!(out.len(), 1, "no banner from a wrong number");
    let noise = tick(&mut m, T0 + 1);
    assert!(noise[0].ends_with("\r\n") && noise[0].len() == 42);
    m.line_closed(Timestamp::from_secs(T0 + 2));
    send(&mut m, b"ATDT5551234\r", 0.0);
    assert!(tick(&mut m, T0 + 1).is_empty());
    m.line_closed(Timestamp::from_secs(T0 + 2));
    // Cyclic: the eighth call answers, the ninth is busy again.
    assert_eq!(texts(&send(&mut m, b"ATDT5551234\r", 0.0)).len(), 2);
    m.line_closed(Timestamp::from_secs(T0 + 2));
    assert_eq!(
        texts(&send(&mut m, b"ATDT5551234\r", 0.0)),
        ["\r\nBUSY\r\n"]
    );
}

#[test]
fn numbers_that_are_busy_or_unreachable() {
    let mut m = modem(&[("echo", "0"), ("busy", "111"), ("unreachable", "2-2-2")]);
    assert_eq!(texts(&send(&mut m, b"ATDT111\r", 0.0)), ["\r\nBUSY\r\n"]);
    assert_eq!(
        texts(&send(&mut m, b"ATDP 222\r", 0.0)),
        ["\r\nNO ANSWER\r\n"]
    );
    assert_eq!(texts(&send(&mut m, b"ATD\r", 0.0)), ["\r\nNO CARRIER\r\n"]);
    assert_eq!(texts(&send(&mut m, b"ATDT333\r", 0.0)).len(), 2);
    assert_eq!(m.dialled(), ["111", "222", "", "333"]);
    assert_eq!(
        texts(&send(&mut m, b"ATDT444\r", 0.0)),
        Vec::<String>::new()
    );
}

#[test]
fn options_are_checked() {
    let mut o = ModemOptions::default();
    assert!(!o.apply("service", "nist").unwrap());
    assert!(o.apply("calls", "answer,bogus").is_err());
    assert!(o.apply("connect-delay", "x").is_err());
    assert!(o.apply("baud", "2400").unwrap());
    assert_eq!(o.baud, 2400);
}

#[test]
fn split_commands_and_backspace() {
    let mut m = modem(&[("echo", "0")]);
    assert!(send(&mut m, b"AT", 0.0).is_empty());
    assert!(send(&mut m, b"E0X\x08", 0.1).is_empty());
    assert_eq!(texts(&send(&mut m, b"\r", 0.2)), ["\r\nOK\r\n"]);
}
