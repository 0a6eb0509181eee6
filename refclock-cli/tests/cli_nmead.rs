//! ntpd's NMEA "nmead" mode: `/dev/gpsN` is a symbolic link to `host:port`
//! and the driver reads the sentences from a TCP server. The connection is
//! made again when the server drops it, as a vanished device is reopened.

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use common::{lines_of, parse_sample, rmc, sleep_until, spawn, temp_dir, terminate};
use refclock_core::os::clock::now;
use refclock_core::Timestamp;

/// Sends one RMC per second, 40 ms after the second it names.
fn serve(conn: &mut TcpStream, seconds: i64) {
    let start = now().secs() + 1;
    for k in 0..seconds {
        let named = Timestamp::from_secs(start + k);
        sleep_until(named + 0.040);
        conn.write_all(rmc(named).as_bytes()).unwrap();
    }
}

#[test]
fn sentences_over_tcp_from_a_host_port_link() {
    let dir = temp_dir("nmead");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let link = dir.join("gps0");
    std::os::unix::fs::symlink(format!("127.0.0.1:{port}"), &link).unwrap();

    // -u root -r /: the link must still resolve when reconnecting.
    let mut child = spawn(&[
        "-u",
        "root",
        "-r",
        "/",
        "127.127.20.0",
        "path",
        link.to_str().unwrap(),
        "time2",
        "0.01",
    ]);
    let lines = lines_of(&mut child);
    let (mut conn, _) = listener.accept().expect("ntp-refclock connects");
    serve(&mut conn, 3);
    // The server goes away; the driver connects again (back-off 1 s).
    drop(conn);
    let (mut conn, _) = listener.accept().expect("ntp-refclock reconnects");
    serve(&mut conn, 3);
    thread::sleep(Duration::from_millis(300));
    let (code, err) = terminate(&mut child, 15);
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(&format!("TCP 127.0.0.1:{port}")), "{err}");
    let samples: Vec<_> = lines.try_iter().filter_map(|l| parse_sample(&l)).collect();
    assert!(samples.len() >= 5, "{samples:?}\n{err}");
    for s in &samples {
        // 40 ms late, 10 ms of it compensated by time2.
        assert!((s.offset - (0.01 - 0.040)).abs() < 0.050, "{s:?}");
    }
    assert!(err.contains("reopened"), "{err}");
}
