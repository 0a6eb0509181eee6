//! A driver embedded in somebody else's event loop, here an async one
//! (tokio): the loop owns the serial port, takes the system time as soon as
//! the port is readable, reads, and hands bytes and time to the driver,
//! which gives samples back. A real pseudo-terminal carries real RMC
//! sentences written at known times.

use std::os::fd::{AsRawFd, RawFd};
use std::thread;
use std::time::Duration;

use refclock_core::calendar::CivilTime;
use refclock_core::os::clock::now;
use refclock_core::os::pty::Pty;
use refclock_core::os::serial::SerialPort;
use refclock_core::{Action, Clock, DriverConfig, Fudge, PortId, Refclock, Sample, Timestamp};
use refclock_drivers::nmea::NmeaDriver;
use tokio::io::unix::AsyncFd;

/// The port as the reactor sees it.
struct Port(SerialPort);

impl AsRawFd for Port {
    fn as_raw_fd(&self) -> RawFd {
        self.0.raw_fd()
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

#[test]
fn a_tokio_loop_feeds_the_nmea_driver() {
    const N: usize = 3;
    const LATE: f64 = 0.080;
    const TIME2: f64 = 0.020;
    let pty = Pty::open().unwrap();
    let mut driver = Clock::<NmeaDriver>::start(DriverConfig {
        device: Some(pty.slave_path().to_path_buf()),
        fudge: Fudge {
            time2: Some(TIME2),
            ..Fudge::default()
        },
        ..DriverConfig::default()
    })
    .unwrap();
    let spec = driver.ports().get(PortId::MAIN).unwrap().kind.clone();
    let port = SerialPort::open(spec.path().unwrap(), spec.serial_config()).unwrap();
    let writer = thread::spawn(move || receiver(pty, N as i64, LATE));

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let samples: Vec<Sample> = rt.block_on(async {
        // tokio 1.54 deprecates `new` for `unsafe fn register`, whose
        // contract (the descriptor outlives the registration) holds here:
        // the AsyncFd owns the port, which owns the descriptor. The safe
        // call keeps `unsafe` out of everything but refclock-core's os.
        #[expect(deprecated, reason = "the AsyncFd owns the descriptor")]
        let port = AsyncFd::new(Port(port)).unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(8);
        let mut buf = [0u8; 256];
        let mut samples = Vec::new();
        while samples.len() < N {
            let mut ready = tokio::time::timeout_at(deadline, port.readable())
                .await
                .expect("samples within the deadline")
                .unwrap();
            // The receive time: taken on wake-up, before the read.
            let received = now();
            match ready.try_io(|p| p.get_ref().0.read(&mut buf)) {
                Ok(Ok(0)) => panic!("the pseudo-terminal closed"),
                Ok(Ok(n)) => driver.receive(PortId::MAIN, &buf[..n], received),
                Ok(Err(e)) => panic!("read: {e}"),
                Err(_would_block) => continue,
            }
            while let Some(action) = driver.next_action() {
                if let Action::Sample(s) = action {
                    samples.push(s);
                }
            }
        }
        samples
    });
    let (_pty, writes) = writer.join().unwrap();

    assert_eq!(samples.len(), N);
    for (s, (named, before)) in samples.iter().zip(&writes) {
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
        // And about LATE - TIME2 behind the true time.
        assert!((s.offset + LATE - TIME2).abs() < 0.100, "{}", s.offset);
    }
    assert_eq!(driver.state().counters.badformat, 0);
}
