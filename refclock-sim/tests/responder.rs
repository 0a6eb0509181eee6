//! The runner answers what the driver writes: a tiny responder model,
//! defined here, answers `ping\r` with `pong\r\n` at once and `time?\r`
//! with a timecode due 100 ms after the next second. The answers arrive at
//! their due instants (within a loose bound: loaded CI machines), the
//! truth records say when they were written, and the scenarios apply to
//! answers too.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use refclock_core::os::clock::now;
use refclock_core::os::serial::SerialPort;
use refclock_core::port::SerialConfig;
use refclock_core::sim::{DeviceModel, Epoch, Message, Timeline};
use refclock_core::Timestamp;
use refclock_sim::{parse_scenarios, SimConfig, SimEventKind, SimHandle, Simulator, TruthRecord};

/// Loose bound on lateness: an answer due at t is written in
/// [t, t + SLACK) (by the truth records).
const SLACK: f64 = 0.1;
/// Loose bound on its arrival at the reader, after it was due.
const ARRIVAL: f64 = 0.5;

/// Answers `ping` and `time?` (each ended by CR); says nothing on its own.
#[derive(Default)]
struct Responder {
    line: Vec<u8>,
    /// How often the device was switched off.
    resets: Arc<AtomicUsize>,
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
                // A model may well answer nothing this way.
                b"nothing" => out.push(Message::new("EMPTY", Vec::new())),
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
        self.resets.fetch_add(1, Ordering::SeqCst);
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

/// Reads until `want` has arrived (or `timeout`), waiting in `poll()`;
/// returns the time the read that completed it returned.
fn read_until(port: &SerialPort, want: &[u8], timeout: Duration) -> Option<Timestamp> {
    let deadline = Instant::now() + timeout;
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let mut fds = [PollFd::new(port.fd(), PollFlags::POLLIN)];
        let ms = PollTimeout::try_from(left.as_millis().min(1000) as i32 + 1).unwrap();
        let _ = poll(&mut fds, ms);
        if let Ok(n) = port.read(&mut buf) {
            got.extend_from_slice(&buf[..n]);
            if got.windows(want.len()).any(|w| w == want) {
                return Some(now());
            }
        }
    }
}

/// One answer as the test saw it and as the truth records it, in words.
fn story(
    sent: Timestamp,
    due: Option<Timestamp>,
    got: Option<Timestamp>,
    r: &TruthRecord,
) -> String {
    let since = |t: Option<Timestamp>| t.map_or("-".into(), |t| format!("{:+.6}", t - sent));
    format!(
        "sent {sent}, due {}, first {}, eol {}, last {}, read {} (s after sending): {r}",
        since(due),
        since(r.first),
        since(r.eol),
        since(r.last),
        since(got)
    )
}

#[test]
fn answers_arrive_when_due_and_the_truth_says_when() {
    let mut h = start("clean");
    let port = open(h.path());
    // Three pings, each answered at once; two timecode queries, each
    // answered 100 ms after the next second.
    let mut asked = Vec::new();
    for _ in 0..3 {
        let sent = now();
        port.write_all(b"ping\r").unwrap();
        let got = read_until(&port, b"pong\r\n", Duration::from_secs(2));
        asked.push(("PONG", sent, None, got));
        std::thread::sleep(Duration::from_millis(150));
    }
    for _ in 0..2 {
        let sent = now();
        port.write_all(b"time?\r").unwrap();
        let due = Timestamp::new(sent.secs() + 1, 100_000_000);
        let name = format!("T {}\r\n", sent.secs() + 1);
        let got = read_until(&port, name.as_bytes(), Duration::from_secs(3));
        asked.push(("TIME", sent, Some(due), got));
    }
    h.stop().unwrap();
    assert!(h.bytes_received() >= 3 * 5 + 2 * 6);
    let truth = h.truth();
    assert!(truth.iter().all(|r| r.flags.reply));
    assert_eq!(truth.len(), asked.len(), "{truth:#?}");

    for ((kind, sent, due, got), r) in asked.into_iter().zip(&truth) {
        let story = story(sent, due, got, r);
        assert_eq!(r.kind, kind, "{story}");
        assert!(r.ok(), "{story}");
        let (first, eol, last) = (r.first.unwrap(), r.eol.unwrap(), r.last.unwrap());
        // Paced at 9600 baud: the CR due 4 (pong) or 12 (timecode) byte
        // times after the first byte, the LF one more.
        assert!(first < eol && eol < last, "{story}");
        assert!(eol - first >= 3.0 * 10.0 / 9600.0, "{story}");
        // Written when due (answers at once: when asked), never before.
        let due = due.unwrap_or(sent);
        let late = first - due;
        assert!((0.0..SLACK).contains(&late), "{late} s late: {story}");
        // The reader had it once the LF was written.
        let got = got.unwrap_or_else(|| panic!("never read: {story}"));
        assert!(got > last && got - due < ARRIVAL, "{story}");
        match kind {
            "PONG" => {
                assert!(!r.on_time, "{story}");
                assert_eq!((r.named, r.time), (None, None));
                assert_eq!(r.text, "pong");
                assert_eq!(r.expected_offset(0.0), None, "names no second");
            }
            _ => {
                assert!(r.on_time, "{story}");
                assert_eq!(r.named, Some(Timestamp::from_secs(sent.secs() + 1)));
                assert_eq!((r.wall, r.shift), (due.secs(), 0));
                // What a driver timestamping the line end would measure:
                // the CR left 12 byte times after 100 ms past the second.
                let off = r.expected_offset(0.0).unwrap();
                assert!((-0.1 - SLACK..-0.1).contains(&off), "{off}: {story}");
            }
        }
    }
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
    port.write_all(b"nothing\r").unwrap();
    port.write_all(b"ping\r").unwrap();
    read_until(&port, b"pong\r\n", Duration::from_secs(2)).expect("pong");
    h.stop().unwrap();
    assert!(
        h.truth().iter().all(|r| r.kind == "PONG"),
        "an empty answer is no message"
    );
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
    assert!(
        text.lines()
            .any(|l| l.starts_with("INPUT ") && l.ends_with("ping\\x0D")),
        "{text}"
    );
    let r: TruthRecord = text.lines().nth(pong.unwrap()).unwrap().parse().unwrap();
    // Burst: the whole answer in one write.
    assert_eq!((r.first, r.first), (r.eol, r.last));
    assert!(r.flags.reply);
}

#[test]
fn a_vanishing_device_forgets_its_pending_answers() {
    let resets = Arc::new(AtomicUsize::new(0));
    let device = Responder {
        resets: Arc::clone(&resets),
        ..Responder::default()
    };
    let mut h = Simulator::start(SimConfig {
        scenarios: parse_scenarios("vanish:after=1,for=1").unwrap(),
        ..SimConfig::new(Box::new(device))
    })
    .unwrap();
    // The run's first second is the one after the start; the device goes
    // at the next.
    let started = h.events()[0].at;
    let gone_at = Timestamp::from_secs(started.secs() + 2);
    let port = open(h.path());
    let ask = Timestamp::new(started.secs() + 1, 300_000_000);
    std::thread::sleep(Duration::from_secs_f64((ask - now()).max(0.0)));
    // Due 100 ms after the device has gone.
    port.write_all(b"time?\r").unwrap();
    let truth = h.wait_for_records(1, Duration::from_secs(3));
    let gone = h.wait_for_event(Duration::from_secs(1), |e| {
        matches!(e.kind, SimEventKind::Vanished(_))
    });
    h.stop().unwrap();
    let r = truth.first().expect("a record of the answer");
    assert!(
        r.flags.reply && r.flags.vanished && r.first.is_none(),
        "{r}"
    );
    assert_eq!(r.named, Some(gone_at));
    let gone = gone.expect("the device vanished");
    assert!(
        gone.at >= gone_at && gone.at - gone_at < SLACK,
        "{}",
        gone.at
    );
    assert_eq!(resets.load(Ordering::SeqCst), 1);
}
