//! A port's device as the host sees it: a serial port, a TCP connection
//! (to a server, or, for drivers that allow it, to an NMEA server named by
//! a `host:port` symbolic link at the device path), or a file read when
//! the driver asks.
//!
//! ntpd 4.2.8p18's NMEA driver falls back to TCP when `/dev/gpsN` cannot be
//! opened as a tty and is a symlink whose target reads `host:port`
//! (`nmead_open()` in ntpd/refclock_nmea.c); a dangling link is the usual
//! case, since the target names no file.
//!
//! TCP connections are made without blocking: [`open_port`] returns a
//! [`Connecting`] that the host polls for POLLOUT and then
//! [`Connecting::finish`]es, so a server that does not answer never holds
//! up the other clocks.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::sys::socket::{self, sockopt, AddressFamily, SockFlag, SockType, SockaddrStorage};

use crate::os::error::OsError;
use crate::os::fd::{read_fd, write_fd};
use crate::os::serial::SerialPort;
use crate::port::{PortKind, SerialConfig};

/// An open device.
#[derive(Debug)]
pub enum Device {
    /// A serial port (or any file opened as one).
    Serial(SerialPort),
    /// A TCP connection.
    Tcp {
        /// The connection (non-blocking).
        stream: TcpStream,
        /// The device path holding the `host:port` link, if it came from one.
        path: Option<PathBuf>,
        /// `host:port`.
        target: String,
    },
    /// A file or character device read on request (non-blocking,
    /// read-only).
    File {
        /// The open file.
        file: std::fs::File,
        /// Its path.
        path: PathBuf,
    },
}

/// A TCP connection under way.
#[derive(Debug)]
pub struct Connecting {
    sock: OwnedFd,
    addr: SocketAddr,
    rest: Vec<SocketAddr>,
    target: String,
    path: Option<PathBuf>,
}

/// What opening a port gave.
#[derive(Debug)]
pub enum Opening {
    /// The device is open.
    Ready(Device),
    /// A TCP connection is under way: poll its descriptor for POLLOUT,
    /// then [`Connecting::finish`] it.
    Connecting(Connecting),
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

/// Resolves `host:port` (blocking: do it before a chroot takes
/// `/etc/hosts` away).
pub fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host} has no address"),
        ));
    }
    Ok(addrs)
}

/// Opens the device of a port. `resolved` holds the addresses of a
/// [`PortKind::Tcp`] port, resolved beforehand.
pub fn open_port(kind: &PortKind, resolved: &[SocketAddr]) -> Result<Opening, OsError> {
    match kind {
        PortKind::Serial { path, config } => {
            SerialPort::open(path, config.as_ref()).map(|p| Opening::Ready(Device::Serial(p)))
        }
        PortKind::SerialOrTcpLink { path, config } => open_serial_or_link(path, config.as_ref()),
        PortKind::Tcp { host, port } => {
            let target = format!("{host}:{port}");
            Connecting::start(resolved.to_vec(), target.clone(), None)
                .map(Opening::Connecting)
                .map_err(|source| OsError::Connect { target, source })
        }
        PortKind::ReadOnRequest { path } => {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
                .open(path)
                .map(|file| {
                    Opening::Ready(Device::File {
                        file,
                        path: path.clone(),
                    })
                })
                .map_err(|source| OsError::Open {
                    path: path.clone(),
                    source,
                })
        }
    }
}

/// Opens `path` as a serial port with `config`; when that fails and the
/// path is a `host:port` link, connects there instead. The error is the
/// serial one unless the TCP attempt was made.
fn open_serial_or_link(path: &Path, config: Option<&SerialConfig>) -> Result<Opening, OsError> {
    let serial_err = match SerialPort::open(path, config) {
        Ok(port) => return Ok(Opening::Ready(Device::Serial(port))),
        Err(e) => e,
    };
    let Some((host, port)) = tcp_target(path) else {
        return Err(serial_err);
    };
    let target = format!("{host}:{port}");
    let tty = serial_err
        .io_error()
        .map_or_else(|| serial_err.to_string(), ToString::to_string);
    let fail = |e: io::Error| OsError::Open {
        path: path.to_path_buf(),
        source: io::Error::new(e.kind(), format!("as a tty: {tty}; TCP to {target}: {e}")),
    };
    let port: u16 = port.parse().map_err(|_| {
        fail(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("link target {target:?} has no numeric port"),
        ))
    })?;
    let addrs = resolve(&host, port).map_err(fail)?;
    Connecting::start(addrs, target.clone(), Some(path.to_path_buf()))
        .map(Opening::Connecting)
        .map_err(fail)
}

impl Connecting {
    /// Starts a non-blocking connection to the first of `addrs`.
    fn start(
        mut addrs: Vec<SocketAddr>,
        target: String,
        path: Option<PathBuf>,
    ) -> io::Result<Connecting> {
        if addrs.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no address to connect to",
            ));
        }
        let addr = addrs.remove(0);
        let family = if addr.is_ipv4() {
            AddressFamily::Inet
        } else {
            AddressFamily::Inet6
        };
        let sock = socket::socket(
            family,
            SockType::Stream,
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
            None,
        )?;
        match socket::connect(sock.as_raw_fd(), &SockaddrStorage::from(addr)) {
            Ok(()) | Err(nix::errno::Errno::EINPROGRESS) => {}
            Err(e) if !addrs.is_empty() => {
                let _ = e;
                return Connecting::start(addrs, target, path);
            }
            Err(e) => return Err(e.into()),
        }
        Ok(Connecting {
            sock,
            addr,
            rest: addrs,
            target,
            path,
        })
    }

    /// The descriptor to poll for POLLOUT.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }

    /// `host:port`.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// After POLLOUT (or POLLERR/POLLHUP): the connection, or the next
    /// address's attempt, or the error of the last one.
    pub fn finish(self) -> Result<Opening, OsError> {
        let err = match socket::getsockopt(&self.sock, sockopt::SocketError) {
            Ok(0) => {
                let stream = TcpStream::from(self.sock);
                let _ = stream.set_nodelay(true);
                return Ok(Opening::Ready(Device::Tcp {
                    stream,
                    path: self.path,
                    target: self.target,
                }));
            }
            Ok(errno) => io::Error::from_raw_os_error(errno),
            Err(e) => e.into(),
        };
        let what = match &self.path {
            Some(p) => format!("{} (TCP to {} at {})", p.display(), self.target, self.addr),
            None => format!("{} ({})", self.target, self.addr),
        };
        if self.rest.is_empty() {
            return Err(OsError::Connect {
                target: what,
                source: err,
            });
        }
        Connecting::start(self.rest, self.target.clone(), self.path)
            .map(Opening::Connecting)
            .map_err(|source| OsError::Connect {
                target: self.target,
                source,
            })
    }
}

impl Device {
    /// The descriptor to poll.
    pub fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Device::Serial(p) => p.fd(),
            Device::Tcp { stream, .. } => stream.as_fd(),
            Device::File { file, .. } => file.as_fd(),
        }
    }

    /// The serial port, when it is one.
    pub fn serial(&self) -> Option<&SerialPort> {
        match self {
            Device::Serial(p) => Some(p),
            _ => None,
        }
    }

    /// The serial port, mutably, when it is one.
    pub fn serial_mut(&mut self) -> Option<&mut SerialPort> {
        match self {
            Device::Serial(p) => Some(p),
            _ => None,
        }
    }

    /// Notes from opening it (settings a device ignored).
    pub fn warnings(&self) -> &[String] {
        match self {
            Device::Serial(p) => p.warnings(),
            _ => &[],
        }
    }

    /// What it is, for messages.
    pub fn describe(&self) -> String {
        match self {
            Device::Serial(p) => p.path().display().to_string(),
            Device::Tcp {
                path: Some(path),
                target,
                ..
            } => format!("{} (TCP {target})", path.display()),
            Device::Tcp { target, .. } => format!("TCP {target}"),
            Device::File { path, .. } => path.display().to_string(),
        }
    }

    /// A non-blocking read (`WouldBlock` when nothing is there; 0 at EOF).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        read_fd(self.fd(), buf)
    }

    /// One non-blocking write; how many bytes went (`WouldBlock` when the
    /// output queue is full).
    pub fn write(&self, data: &[u8]) -> io::Result<usize> {
        write_fd(self.fd(), data)
    }

    /// Sets DTR/RTS; only a serial port has them.
    pub fn set_modem_lines(&self, dtr: Option<bool>, rts: Option<bool>) -> io::Result<()> {
        match self {
            Device::Serial(p) => p.set_modem_lines(dtr, rts),
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the device has no modem lines",
            )),
        }
    }

    /// The modem status bits (TIOCMGET); only a serial port has them.
    pub fn modem_lines(&self) -> io::Result<u32> {
        match self {
            Device::Serial(p) => p.modem_lines(),
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the device has no modem lines",
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

    /// Waits for a connection under way and finishes it.
    fn finish(o: Opening) -> Result<Device, OsError> {
        match o {
            Opening::Ready(d) => Ok(d),
            Opening::Connecting(c) => {
                crate::os::fd::poll_fd(c.fd(), libc::POLLOUT, std::time::Duration::from_secs(5))
                    .unwrap();
                finish(c.finish()?)
            }
        }
    }

    fn connect(o: Opening) -> Device {
        finish(o).expect("connected")
    }

    #[test]
    fn tcp_ports_connect_without_blocking() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let kind = PortKind::Tcp {
            host: "localhost".into(),
            port,
        };
        let addrs = resolve("127.0.0.1", port).unwrap();
        let dev = connect(open_port(&kind, &addrs).unwrap());
        assert_eq!(dev.describe(), format!("TCP localhost:{port}"));
        let (mut peer, _) = listener.accept().unwrap();
        peer.write_all(b"{}\n").unwrap();
        drop(listener);
        // Nobody listening any more: the attempt fails when finished.
        let refused = open_port(&kind, &addrs).and_then(finish);
        assert!(
            matches!(refused, Err(OsError::Connect { .. })),
            "{refused:?}"
        );
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
        let plain = PortKind::Serial {
            path: link.clone(),
            config: None,
        };
        let err = open_port(&plain, &[]).unwrap_err();
        assert!(matches!(err, OsError::Open { .. }));

        let kind = PortKind::SerialOrTcpLink {
            path: link.clone(),
            config: None,
        };
        let dev = connect(open_port(&kind, &[]).expect("TCP fallback"));
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
        let kind = PortKind::SerialOrTcpLink {
            path: link.clone(),
            config: None,
        };
        let err = match open_port(&kind, &[]) {
            Err(e) => e,
            Ok(o) => match finish(o) {
                Err(e) => e,
                Ok(_) => panic!("connected to nobody"),
            },
        }
        .to_string();
        assert!(
            err.contains("gps0") && err.contains("TCP to 127.0.0.1"),
            "{err}"
        );
        assert!(err.contains("refused"), "{err}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
