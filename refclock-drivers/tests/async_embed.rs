//! A clock embedded in somebody else's event loop, here an async one
//! (tokio). The loop plays the whole host: it opens the ports the driver
//! asks for, takes the system time as soon as a port is readable and
//! hands the bytes over, runs the once-a-second timer and the poll every
//! 2^poll seconds, carries out the driver's writes, fetches PPS edges when
//! the driver asks for a source and the machine has one, and takes the
//! samples, clockstats and events back. A real pseudo-terminal carries
//! real timecodes written at known times.

use std::os::fd::{AsRawFd, RawFd};
use std::thread;
use std::time::Duration;

use refclock_core::calendar::CivilTime;
use refclock_core::os::clock::now;
use refclock_core::os::pps::PpsSource;
use refclock_core::os::pty::Pty;
use refclock_core::os::serial::SerialPort;
use refclock_core::{
    Action, Clock, ClockEvent, Driver, DriverConfig, Fudge, PortId, Refclock, Sample, Timestamp,
};
use refclock_drivers::nmea::NmeaDriver;
use tokio::io::unix::AsyncFd;

/// The port as the reactor sees it.
struct Port(SerialPort);

impl AsRawFd for Port {
    fn as_raw_fd(&self) -> RawFd {
        self.0.raw_fd()
    }
}

/// What the loop saw.
#[derive(Default, Debug)]
struct Seen {
    samples: Vec<Sample>,
    ticks: usize,
    polls: usize,
    filtered: usize,
    clockstats: Vec<String>,
    events: Vec<ClockEvent>,
    written: Vec<u8>,
}

/// A minimal async host for one clock with one serial port.
struct AsyncHost {
    clock: Box<dyn Refclock>,
    port: AsyncFd<Port>,
    pps: Option<PpsSource>,
    poll_exponent: u8,
    seen: Seen,
}

impl AsyncHost {
    fn new(clock: Box<dyn Refclock>, poll_exponent: u8) -> AsyncHost {
        let spec = &clock.ports().get(PortId::MAIN).expect("a port").kind;
        let serial = SerialPort::open(spec.path().unwrap(), spec.serial_config()).unwrap();
        // tokio 1.54 deprecates `new` for `unsafe fn register`, whose
        // contract (the descriptor outlives the registration) holds here:
        // the AsyncFd owns the port, which owns the descriptor.
        #[expect(deprecated, reason = "the AsyncFd owns the descriptor")]
        let port = AsyncFd::new(Port(serial)).unwrap();
        // PPS where the driver asks and the machine has it (this one has
        // no /dev/pps: the request is answered by nothing, as ntpd does).
        let pps = clock.ports().pps.as_ref().and_then(|req| {
            let mut src = PpsSource::open(req.path.as_ref()?).ok()?;
            src.configure(req.edge).ok()?;
            Some(src)
        });
        let mut host = AsyncHost {
            clock,
            port,
            pps,
            poll_exponent,
            seen: Seen::default(),
        };
        host.clock
            .port_event(PortId::MAIN, refclock_core::PortEvent::Opened);
        host
    }

    fn fetch_pps(&mut self) {
        if let Some(edge) = self.pps.as_mut().and_then(|p| p.fetch().ok().flatten()) {
            self.clock.pps(edge);
        }
    }

    /// Carries out the queued actions: writes to the port, the rest kept.
    async fn drain(&mut self) {
        while let Some(action) = self.clock.next_action() {
            match action {
                Action::Sample(s) => self.seen.samples.push(s),
                Action::Filtered(_) => self.seen.filtered += 1,
                Action::ClockStats(text) => self.seen.clockstats.push(text),
                Action::Event(e) => self.seen.events.push(e),
                Action::Write { data, .. } => {
                    let mut rest = &data[..];
                    while !rest.is_empty() {
                        let mut ready = self.port.writable().await.unwrap();
                        if let Ok(r) = ready.try_io(|p| p.get_ref().0.write_all(rest)) {
                            r.unwrap();
                            rest = &[];
                        }
                    }
                    self.seen.written.extend_from_slice(&data);
                }
                _ => {}
            }
        }
    }

    /// Runs until `enough` samples came or `secs` passed.
    async fn run(mut self, enough: usize, secs: u64) -> Seen {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut buf = [0u8; 256];
        while self.seen.samples.len() < enough {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break,
                _ = tick.tick() => {
                    self.fetch_pps();
                    self.clock.timer(now());
                    // The C program's schedule: the first poll at the
                    // first tick, then every 2^poll ticks.
                    if self.seen.ticks.is_multiple_of(1 << self.poll_exponent) {
                        self.clock.poll(now());
                        self.seen.polls += 1;
                    }
                    self.seen.ticks += 1;
                }
                ready = self.port.readable() => {
                    let mut ready = ready.unwrap();
                    // The receive time: taken on wake-up, before the read.
                    let received = now();
                    match ready.try_io(|p| p.get_ref().0.read(&mut buf)) {
                        Ok(Ok(0)) => panic!("the pseudo-terminal closed"),
                        Ok(Ok(n)) => {
                            self.fetch_pps();
                            self.clock.receive(PortId::MAIN, &buf[..n], received);
                        }
                        Ok(Err(e)) => panic!("read: {e}"),
                        Err(_would_block) => continue,
                    }
                }
            }
            self.drain().await;
        }
        self.seen
    }
}

fn rmc(t: Timestamp) -> String {
    let c = CivilTime::from_timestamp(t);
    let body = format!(
        "GPRMC,{:02}{:02}{:02}.00,A,4807.038,N,01131.000,E,0.0,0.0,{:02}{:02}{:02},,,A",
        c.hour,
        c.minute,
        c.second,
        c.day,
        c.month,
        c.year % 100
    );
    let cs = refclock_drivers::nmea::parse::checksum(body.as_bytes());
    format!("${body}*{cs:02X}\r\n")
}

/// Writes an RMC naming each of the next `n` seconds, `late` seconds after
/// it; returns (named second, time just before the write).
fn receiver(pty: Pty, n: i64, late: f64) -> (Pty, Vec<(Timestamp, Timestamp)>) {
    let start = now().secs() + 1;
    let mut writes = Vec::new();
    for k in 0..n {
        let named = Timestamp::from_secs(start + k);
        let d = (named + late) - now();
        if d > 0.0 {
            thread::sleep(Duration::from_secs_f64(d));
        }
        let before = now();
        pty.write_all(rmc(named).as_bytes()).unwrap();
        writes.push((named, before));
    }
    (pty, writes)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_tokio_loop_runs_the_nmea_clock() {
    const N: usize = 4;
    const LATE: f64 = 0.080;
    const TIME2: f64 = 0.020;
    let pty = Pty::open().unwrap();
    let clock = Clock::<NmeaDriver>::start(DriverConfig {
        device: Some(pty.slave_path().to_path_buf()),
        // PPS asked for (flag1): this machine has none, the clock runs on.
        pps_device: Some("/dev/pps-nonexistent".into()),
        fudge: Fudge {
            time2: Some(TIME2),
            flags: refclock_core::ClockFlags::FLAG1,
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap();
    assert_eq!(NmeaDriver::INFO.kind, clock.info().kind);
    let writer = thread::spawn(move || receiver(pty, N as i64, LATE));
    let seen = runtime().block_on(async { AsyncHost::new(Box::new(clock), 1).run(N, 10).await });
    let (_pty, writes) = writer.join().unwrap();

    assert_eq!(seen.samples.len(), N, "{seen:?}");
    for (s, (named, before)) in seen.samples.iter().zip(&writes) {
        // The sample time is the receive time moved back by time2; the
        // receive time follows the write.
        let received = s.time + TIME2;
        assert!(received - *before >= 0.0, "received before the write");
        assert!(received - *before < 0.100, "{}", received - *before);
        // Offset = named second + time2 - receive time, exactly.
        let expected = (*named - received) + TIME2;
        assert!(
            (s.offset - expected).abs() < 1e-6,
            "{} vs {expected}",
            s.offset
        );
        assert!((s.offset + LATE - TIME2).abs() < 0.100, "{}", s.offset);
    }
    // The timer and the poll ran: every 2 s a poll, each with its
    // clockstats line; polls after the first sample filtered them.
    assert!(seen.ticks >= 3, "{} ticks", seen.ticks);
    assert!(seen.polls >= 2, "{} polls", seen.polls);
    assert_eq!(seen.clockstats.len(), seen.polls);
    assert!(seen.filtered >= 1 || seen.events.contains(&ClockEvent::Timeout));
    assert!(seen.written.is_empty(), "NMEA writes nothing");
}
