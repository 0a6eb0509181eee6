//! A driver's device as the host loop sees it: a serial port, or, for
//! drivers that allow it, a TCP connection to an NMEA server ("nmead") named
//! by a `host:port` symbolic link at the device path.
//!
//! ntpd 4.2.8p18's NMEA driver falls back to TCP when `/dev/gpsN` cannot be
//! opened as a tty and is a symlink whose target reads `host:port`
//! (`nmead_open()` in ntpd/refclock_nmea.c); a dangling link is the usual
//! case, since the target names no file.

use std::io;
use std::net::TcpStream;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};

use crate::driver::SerialConfig;
use crate::os::error::OsError;
use crate::os::serial::{read_fd, write_all_fd, SerialPort};

/// An open device.
#[derive(Debug)]
pub enum Device {
    /// A serial port (or any file opened as one).
    Serial(SerialPort),
    /// A TCP connection made from a `host:port` link.
    Tcp {
        /// The connection (non-blocking).
        stream: TcpStream,
        /// The device path holding the link.
        path: PathBuf,
        /// The link's `host:port`.
        target: String,
    },
}

/// The `host:port` a device path links to, when it is such a link.
pub fn tcp_target(path: &Path) -> Option<(String, String)> {
    let target = std::fs::read_link(path).ok()?;
    let target = target.to_str()?;
    let (host, port) = target.rsplit_once(':')?;
    if host.is_empty() || port.is_empty() || host.contains('/') {
        return None;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host.to_string(), port.to_string()))
}

/// Whether `path` could be opened again as the process now stands (after a
/// chroot or a change of user), without disturbing the device: a
/// `host:port` link (when `tcp_fallback`) only needs to be readable; any
/// other path is opened for reading and writing, non-blocking and without
/// becoming the controlling terminal, and closed at once. No termios change
/// and no flush, so a port that is open elsewhere in the process keeps its
/// settings and its pending input.
pub fn probe(path: &Path, tcp_fallback: bool) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if tcp_fallback && tcp_target(path).is_some() {
        return Ok(());
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(path)
        .map(drop)
}

impl Device {
    /// Opens `path` as a serial port with `config`; when that fails and
    /// `tcp_fallback` is set and the path is a `host:port` link, connects
    /// there instead. The error is the serial one unless the TCP attempt
    /// was made.
    pub fn open(
        path: &Path,
        config: Option<&SerialConfig>,
        tcp_fallback: bool,
    ) -> Result<Device, OsError> {
        let serial_err = match SerialPort::open(path, config) {
            Ok(port) => return Ok(Device::Serial(port)),
            Err(e) => e,
        };
        if !tcp_fallback {
            return Err(serial_err);
        }
        let Some((host, port)) = tcp_target(path) else {
            return Err(serial_err);
        };
        let target = format!("{host}:{port}");
        let stream = match port.parse::<u16>() {
            Ok(p) => TcpStream::connect((host.as_str(), p)),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("link target {target:?} has no numeric port"),
            )),
        }
        .and_then(|s| s.set_nonblocking(true).map(|()| s))
        .map_err(|e| {
            let tty = serial_err
                .io_error()
                .map_or_else(|| serial_err.to_string(), ToString::to_string);
            OsError::Open {
                path: path.to_path_buf(),
                source: io::Error::new(e.kind(), format!("as a tty: {tty}; TCP to {target}: {e}")),
            }
        })?;
        let _ = stream.set_nodelay(true);
        Ok(Device::Tcp {
            stream,
            path: path.to_path_buf(),
            target,
        })
    }

    /// The descriptor to poll.
    pub fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Device::Serial(p) => p.fd(),
            Device::Tcp { stream, .. } => stream.as_fd(),
        }
    }

    /// The serial port, when it is one.
    pub fn serial(&self) -> Option<&SerialPort> {
        match self {
            Device::Serial(p) => Some(p),
            Device::Tcp { .. } => None,
        }
    }

    /// Notes from opening it (settings a device ignored).
    pub fn warnings(&self) -> &[String] {
        match self {
            Device::Serial(p) => p.warnings(),
            Device::Tcp { .. } => &[],
        }
    }

    /// What it is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Device::Serial(p) => p.path().display().to_string(),
            Device::Tcp { path, target, .. } => format!("{} (TCP {target})", path.display()),
        }
    }

    /// A non-blocking read (`WouldBlock` when nothing is there; 0 at EOF).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        read_fd(self.fd(), buf)
    }

    /// Writes everything, waiting for room when the output queue is full.
    pub fn write_all(&self, data: &[u8]) -> io::Result<()> {
        write_all_fd(self.fd(), data)
    }

    /// Sets DTR/RTS; a TCP connection has none.
    pub fn set_modem_lines(&self, dtr: Option<bool>, rts: Option<bool>) -> io::Result<()> {
        match self {
            Device::Serial(p) => p.set_modem_lines(dtr, rts),
            Device::Tcp { .. } => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "a TCP connection has no modem lines",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("refclock-device-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn link_targets() {
        let d = scratch("targets");
        for (target, expected) in [
            ("localhost:2947", Some(("localhost", "2947"))),
            ("[::1]:10110", Some(("::1", "10110"))),
            ("/dev/ttyS0", None),
            ("ttyUSB0", None),
            (":2947", None),
        ] {
            let link = d.join("gps0");
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(target, &link).unwrap();
            let got = tcp_target(&link);
            let want = expected.map(|(h, p)| (h.to_string(), p.to_string()));
            assert_eq!(got, want, "{target}");
        }
        assert_eq!(tcp_target(&d.join("missing")), None);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn tcp_fallback_connects_and_reads() {
        let d = scratch("tcp");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let link = d.join("gps0");
        std::os::unix::fs::symlink(format!("127.0.0.1:{port}"), &link).unwrap();

        // Without the fallback the serial error stands.
        let err = Device::open(&link, None, false).unwrap_err();
        assert!(matches!(err, OsError::Open { .. }));

        let dev = Device::open(&link, None, true).expect("TCP fallback");
        assert!(dev.serial().is_none());
        assert!(dev.describe().contains(&format!("TCP 127.0.0.1:{port}")));
        let (mut peer, _) = listener.accept().unwrap();
        peer.write_all(b"$GPZDA,120000.00,01,01,2030,,*6C\r\n")
            .unwrap();
        let mut buf = [0u8; 64];
        let mut got = Vec::new();
        for _ in 0..100 {
            match dev.read(&mut buf) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                Err(e) => panic!("{e}"),
            }
            if got.ends_with(b"\n") {
                break;
            }
        }
        assert!(got.starts_with(b"$GPZDA"));
        assert!(dev.set_modem_lines(Some(true), None).is_err());
        drop(peer);
        // EOF once the server closes.
        let mut eof = false;
        for _ in 0..100 {
            match dev.read(&mut buf) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                _ => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        }
        assert!(eof);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn unreachable_server_is_an_open_error_naming_both_attempts() {
        let d = scratch("refused");
        // Bind and drop to find a port with nobody listening.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let link = d.join("gps0");
        std::os::unix::fs::symlink(format!("127.0.0.1:{port}"), &link).unwrap();
        let err = Device::open(&link, None, true).unwrap_err().to_string();
        assert!(
            err.contains("gps0") && err.contains("TCP to 127.0.0.1"),
            "{err}"
        );
        assert!(err.contains("refused"), "{err}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
