//! The runner answers what the driver writes: a tiny responder model,
//! defined here, answers `ping\r` with `pong\r\n` at once and `time?\r`
//! with a timecode due 100 ms after the next second. The answers arrive at
//! their due instants (within a loose bound: loaded CI machines), the
//! truth records say when they were written, and the scenarios apply to
//! answers too.

use std::path::Path;
use std::time::{Duration, Instant};

use refclock_core::os::clock::now;
use refclock_core::os::serial::SerialPort;
use refclock_core::port::SerialConfig;
use refclock_core::sim::{DeviceModel, Epoch, Message, Timeline};
use refclock_core::Timestamp;
use refclock_sim::{parse_scenarios, SimConfig, SimHandle, Simulator, TruthRecord};

/// Loose bound on lateness: a byte due at t is written in [t, t + SLACK).
const SLACK: f64 = 0.080;

/// Answers `ping` and `time?` (each ended by CR); says nothing on its own.
#[derive(Default)]
struct Responder {
    line: Vec<u8>,
}

impl DeviceModel for Responder {
    fn describe(&self) -> String {
        "ping-pong responder".into()
    }

    fn baud(&self) -> u32 {
        9600
    }

    fn second(&mut self, _: &Epoch, _: &mut Vec<Message>) {}

    fn input(&mut self, data: &[u8], now: Timestamp, tl: &dyn Timeline, out: &mut Vec<Message>) {
        for &b in data {
            if b != b'\r' {
                self.line.push(b);
                continue;
            }
            match std::mem::take(&mut self.line).as_slice() {
                b"ping" => out.push(Message::line("PONG", "pong\r\n")),
                b"time?" => {
                    let next = now.secs() + 1;
                    let epoch = tl.epoch(next);
                    let text = format!("T {}\r\n", epoch.named.secs());
                    out.push(
                        Message::line("TIME", text)
                            .naming(&epoch)
                            .due_at(Timestamp::new(next, 100_000_000)),
                    );
                }
                _ => {}
            }
        }
    }

    fn reset(&mut self) {
        self.line.clear();
    }
}

fn start(scenarios: &str) -> SimHandle {
    Simulator::start(SimConfig {
        scenarios: parse_scenarios(scenarios).unwrap(),
        ..SimConfig::new(Box::<Responder>::default())
    })
    .expect("simulator starts")
}

/// The driver's side: the slave in raw mode at 9600 baud.
fn open(path: &Path) -> SerialPort {
    SerialPort::open(path, Some(&SerialConfig::raw_8n1(9600))).unwrap()
}

/// Reads until `want` has arrived (or `timeout`); returns the time the
/// read that completed it returned.
fn read_until(port: &SerialPort, want: &[u8], timeout: Duration) -> Option<Timestamp> {
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while Instant::now() < deadline {
        match port.read(&mut buf) {
            Ok(n) if n > 0 => {
                got.extend_from_slice(&buf[..n]);
                if got.windows(want.len()).any(|w| w == want) {
                    return Some(now());
                }
            }
            _ => std::thread::sleep(Duration::from_millis(1)),
        }
    }
    None
}

fn answers(h: &SimHandle, kind: &str) -> Vec<TruthRecord> {
    h.truth().into_iter().filter(|r| r.kind == kind).collect()
}

#[test]
fn answers_arrive_when_due_and_the_truth_says_when() {
    let mut h = start("clean");
    let port = open(h.path());
    let mut pings = Vec::new();
    for _ in 0..3 {
        let sent = now();
        port.write_all(b"ping\r").unwrap();
        let got = read_until(&port, b"pong\r\n", Duration::from_secs(2)).expect("pong");
        // 6 bytes at 9600 baud take 6 ms; the rest is wake-up latency.
        assert!(got - sent < 0.1, "pong {} s after ping", got - sent);
        pings.push((sent, got));
        std::thread::sleep(Duration::from_millis(150));
    }
    let mut times = Vec::new();
    for _ in 0..2 {
        let sent = now();
        port.write_all(b"time?\r").unwrap();
        let due = Timestamp::new(sent.secs() + 1, 100_000_000);
        let name = format!("T {}\r\n", sent.secs() + 1);
        let got = read_until(&port, name.as_bytes(), Duration::from_secs(3)).expect("timecode");
        assert!(got >= due, "read {} s before it was due", due - got);
        assert!(got - due < 0.1, "read {} s after it was due", got - due);
        times.push((sent, due));
    }
    h.stop().unwrap();
    assert!(h.bytes_received() >= 3 * 5 + 2 * 6);

    let pongs = answers(&h, "PONG");
    assert_eq!(pongs.len(), 3);
    for (r, (sent, got)) in pongs.iter().zip(&pings) {
        assert!(r.flags.reply && r.ok() && !r.on_time, "{r}");
        assert_eq!((r.named, r.time), (None, None));
        assert_eq!(r.text, "pong");
        let first = r.first.unwrap();
        assert!(first >= *sent && first - *sent < SLACK, "sent {sent}: {r}");
        // Paced at 9600 baud: the CR due 4 byte times after the first
        // byte (which may have left a little late), the LF one more; all
        // before the reader had the line.
        let (eol, last) = (r.eol.unwrap(), r.last.unwrap());
        assert!(first < eol && eol < last && last <= *got, "{r}");
        assert!(eol - first >= 3.0 * 10.0 / 9600.0, "{r}");
        assert_eq!(r.expected_offset(0.0), None, "names no second");
    }
    let codes = answers(&h, "TIME");
    assert_eq!(codes.len(), 2);
    for (r, (sent, due)) in codes.iter().zip(&times) {
        assert!(r.flags.reply && r.ok() && r.on_time, "{r}");
        assert_eq!(r.named, Some(Timestamp::from_secs(sent.secs() + 1)));
        assert_eq!(r.wall, due.secs());
        assert_eq!(r.shift, 0);
        let late = r.first.unwrap() - *due;
        assert!((0.0..SLACK).contains(&late), "on-time byte {late} s late");
        // What a driver timestamping the line end would measure: the CR
        // left ~1 byte time per character after 100 ms past the second.
        let off = r.expected_offset(0.0).unwrap();
        assert!((-0.2..-0.1).contains(&off), "{off}");
    }
    assert!(h.truth().iter().all(|r| r.flags.reply));
}

#[test]
fn silence_and_drop_suppress_answers() {
    let mut h = start("silence:after=0,for=100");
    let port = open(h.path());
    port.write_all(b"ping\r").unwrap();
    assert_eq!(read_until(&port, b"pong", Duration::from_millis(400)), None);
    let truth = h.wait_for_records(1, Duration::from_secs(2));
    h.stop().unwrap();
    let r = &truth[0];
    assert!(
        r.flags.reply && r.flags.silent && r.flags.not_written(),
        "{r}"
    );
    assert_eq!(r.first, None);

    // Every second dropped: the timecode due next second is not written.
    let mut h = start("drop:every=1");
    let port = open(h.path());
    port.write_all(b"time?\r").unwrap();
    assert_eq!(read_until(&port, b"T ", Duration::from_millis(1500)), None);
    let truth = h.wait_for_records(1, Duration::from_secs(2));
    h.stop().unwrap();
    assert!(truth[0].flags.dropped && truth[0].on_time, "{}", truth[0]);
}

#[test]
fn the_truth_log_has_the_input_and_the_answers() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("refclock-sim-responder-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let log = dir.join("truth.log");
    let mut h = Simulator::start(SimConfig {
        truth_log: Some(log.clone()),
        paced: false,
        ..SimConfig::new(Box::<Responder>::default())
    })
    .unwrap();
    let port = open(h.path());
    port.write_all(b"ping\r").unwrap();
    read_until(&port, b"pong\r\n", Duration::from_secs(2)).expect("pong");
    h.stop().unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(text
        .lines()
        .next()
        .unwrap()
        .ends_with("device=ping-pong responder"));
    let input = text.lines().position(|l| l.starts_with("INPUT "));
    let pong = text
        .lines()
        .position(|l| l.starts_with("TRUTH ") && l.contains(" kind=PONG "));
    assert!(input.unwrap() < pong.unwrap(), "{text}");
    assert!(text.contains(" len=5 text=ping\\x0D"), "{text}");
    let r: TruthRecord = text.lines().nth(pong.unwrap()).unwrap().parse().unwrap();
    // Burst: the whole answer in one write.
    assert_eq!((r.first, r.first), (r.eol, r.last));
    assert!(r.flags.reply);
}
