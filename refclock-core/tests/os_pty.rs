//! Pseudo-terminals: raw pass-through, the Linux master/slave edge cases
//! the module documents, speed read-back and the symbolic link.
#![cfg(feature = "os")]

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use refclock_core::os::error::OsError;
use refclock_core::os::fd::poll_fd;
use refclock_core::os::pty::Pty;
use refclock_core::os::serial::SerialPort;
use refclock_core::port::{InputMode, SerialConfig};

const WAIT: Duration = Duration::from_secs(10);

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("refclock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read_n(port: &SerialPort, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 512];
    while out.len() < n {
        assert_ne!(poll_fd(port.fd(), libc::POLLIN, WAIT).unwrap(), 0);
        match port.read(&mut buf) {
            Ok(0) => panic!("EOF"),
            Ok(k) => out.extend_from_slice(&buf[..k]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("{e}"),
        }
    }
    out
}

#[test]
fn fresh_pty_is_raw_and_passes_every_byte() {
    let pty = Pty::open().unwrap();
    assert!(pty.slave_path().starts_with("/dev/pts"));
    let cfg = pty.slave_config().unwrap();
    assert_eq!(cfg.input, InputMode::Raw);
    // The kernel's default speed; cfmakeraw leaves it.
    assert_eq!(pty.slave_speed().unwrap(), 38400);
    let port = SerialPort::open(pty.slave_path(), None).unwrap();
    let all: Vec<u8> = (0..=255u8).collect();
    pty.write_all(&all).unwrap();
    assert_eq!(read_n(&port, all.len()), all);
    // Nothing echoed back to the master.
    pty.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(
        pty.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
}

#[test]
fn driver_output_reaches_the_master_and_speed_is_visible() {
    let pty = Pty::open().unwrap();
    let port = SerialPort::open(pty.slave_path(), Some(&SerialConfig::raw_8n1(75))).unwrap();
    assert_eq!(pty.slave_speed().unwrap(), 75);
    port.write_all(b"T\r").unwrap();
    let mut buf = [0u8; 8];
    assert_ne!(poll_fd(pty.master_fd(), libc::POLLIN, WAIT).unwrap(), 0);
    let n = pty.read(&mut buf).unwrap();
    // oflag 0: no CR/NL translation on output.
    assert_eq!(&buf[..n], b"T\r");
}

#[test]
fn master_before_the_slave_was_ever_opened() {
    let pty = Pty::open().unwrap();
    pty.set_nonblocking(true).unwrap();
    assert_eq!(
        poll_fd(pty.master_fd(), libc::POLLIN, Duration::ZERO).unwrap(),
        0
    );
    assert_eq!(pty.write(b"early\n").unwrap(), 6);
    let mut buf = [0u8; 16];
    assert_eq!(
        pty.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    // The queued bytes reach a plain open of the slave...
    let port = SerialPort::open(pty.slave_path(), None).unwrap();
    assert_eq!(read_n(&port, 6), b"early\n");
    drop(port);
    // ...while a driver's set-up throws them away.
    pty.write_all(b"stale\n").unwrap();
    let port = SerialPort::open(pty.slave_path(), Some(&SerialConfig::raw_8n1(4800))).unwrap();
    assert_eq!(
        port.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
}

#[test]
fn master_after_the_slave_closed_and_hold_slave_open() {
    let mut pty = Pty::open().unwrap();
    pty.set_nonblocking(true).unwrap();
    let port = SerialPort::open(pty.slave_path(), Some(&SerialConfig::raw_8n1(9600))).unwrap();
    drop(port);
    let mut buf = [0u8; 16];
    assert_eq!(
        pty.read(&mut buf).unwrap_err().raw_os_error(),
        Some(libc::EIO)
    );
    let ev = poll_fd(pty.master_fd(), libc::POLLIN, Duration::ZERO).unwrap();
    assert_ne!(ev & libc::POLLHUP, 0, "revents {ev:#x}");
    // Writes are still queued for the next opener.
    pty.write_all(b"queued").unwrap();
    let port = SerialPort::open(pty.slave_path(), None).unwrap();
    assert_eq!(read_n(&port, 6), b"queued");
    drop(port);

    // With our own slave descriptor the master stays connected.
    pty.hold_slave_open().unwrap();
    pty.hold_slave_open().unwrap();
    assert_eq!(
        pty.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    let port = SerialPort::open(pty.slave_path(), Some(&SerialConfig::raw_8n1(9600))).unwrap();
    drop(port);
    assert_eq!(
        pty.read(&mut buf).unwrap_err().kind(),
        io::ErrorKind::WouldBlock
    );
    assert_eq!(
        poll_fd(pty.master_fd(), libc::POLLIN, Duration::ZERO).unwrap(),
        0
    );
    pty.release_slave();
    assert_eq!(
        pty.read(&mut buf).unwrap_err().raw_os_error(),
        Some(libc::EIO)
    );
}

#[test]
fn master_close_hangs_up_the_slave() {
    let pty = Pty::open().unwrap();
    let port = SerialPort::open(pty.slave_path(), None).unwrap();
    drop(pty);
    let ev = poll_fd(port.fd(), libc::POLLIN, WAIT).unwrap();
    assert_ne!(ev & libc::POLLHUP, 0, "revents {ev:#x}");
    let mut buf = [0u8; 4];
    // Linux 6.18: end of file. EIO would also mean "gone".
    match port.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.raw_os_error() == Some(libc::EIO) => {}
        other => panic!("{other:?}"),
    }
    let e = port.write_all(b"x").unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EIO));
}

#[test]
fn nonblocking_master_write_all_waits_for_room() {
    let pty = Pty::open().unwrap();
    pty.set_nonblocking(true).unwrap();
    let port = SerialPort::open(pty.slave_path(), Some(&SerialConfig::raw_8n1(115200))).unwrap();
    // Much more than the pty's input buffer holds at once.
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::thread::scope(|s| {
        let reader = s.spawn(|| read_n(&port, data.len()));
        pty.write_all(&data).unwrap();
        assert_eq!(reader.join().unwrap(), data);
    });
    pty.set_nonblocking(false).unwrap();
}

#[test]
fn link_at_creates_replaces_and_removes() {
    let dir = scratch_dir("pty-link");
    let link = dir.join("gps0");
    let mut pty = Pty::open().unwrap();
    pty.link_at(&link).unwrap();
    assert_eq!(std::fs::read_link(&link).unwrap(), pty.slave_path());
    assert_eq!(pty.link(), Some(link.as_path()));
    // The driver opens the link like a device.
    let port = SerialPort::open(&link, Some(&SerialConfig::canonical_8n1(4800))).unwrap();
    pty.write_all(b"$GPRMC\r\n").unwrap();
    assert_eq!(read_n(&port, 7), b"$GPRMC\n");
    drop(port);

    // A stale symlink (here: to a missing target) is replaced.
    let other = dir.join("gps1");
    std::os::unix::fs::symlink("/nonexistent/tty", &other).unwrap();
    pty.link_at(&other).unwrap();
    assert_eq!(std::fs::read_link(&other).unwrap(), pty.slave_path());
    // The first link went away when the pty moved.
    assert!(std::fs::symlink_metadata(&link).is_err());

    // A regular file is never replaced.
    let file = dir.join("gps2");
    std::fs::write(&file, b"keep me").unwrap();
    match pty.link_at(&file) {
        Err(OsError::NotASymlink { path }) => assert_eq!(path, file),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    assert_eq!(pty.link(), Some(other.as_path()));
    // No temporary links left behind.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    drop(pty);
    assert!(std::fs::symlink_metadata(&other).is_err());
    assert!(file.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn drop_leaves_a_link_someone_else_replaced() {
    let dir = scratch_dir("pty-link-replaced");
    let link = dir.join("gps0");
    let mut pty = Pty::open().unwrap();
    pty.link_at(&link).unwrap();
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    drop(pty);
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("/dev/null")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
