//! The sending side: what ntp-refclock's `sock.c` does.

use std::io;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::SockError;
use crate::sample::SockSample;

/// Longest path a UNIX socket address holds: `sun_path` less its NUL.
/// `sockaddr_un` is `sun_family` followed by the `sun_path` array.
pub(crate) const MAX_PATH_LEN: usize =
    core::mem::size_of::<libc::sockaddr_un>() - core::mem::size_of::<libc::sa_family_t>() - 1;

/// Rejects a path that does not fit `sun_path` (the kernel would refuse it,
/// and a truncated path would name another socket).
pub(crate) fn check_path(path: &Path) -> Result<(), SockError> {
    let len = path.as_os_str().len();
    if len > MAX_PATH_LEN {
        return Err(SockError::PathTooLong {
            path: path.to_owned(),
            len,
            max: MAX_PATH_LEN,
        });
    }
    Ok(())
}

/// A connection to chronyd's SOCK refclock socket.
///
/// The socket is an unbound UNIX datagram socket connected to the path
/// chronyd bound (`refclock SOCK <path>`). When chronyd exits, sends fail
/// with [`SockError::ConnectionRefused`]; once it runs again,
/// [`reconnect`](Self::reconnect) reaches the new socket at the same path.
///
/// Sends time out after [`DEFAULT_SEND_TIMEOUT`](Self::DEFAULT_SEND_TIMEOUT)
/// by default, so a stopped (not exited) chronyd whose queue is full cannot
/// block the sender for ever.
#[derive(Debug)]
pub struct SockClient {
    path: PathBuf,
    socket: UnixDatagram,
    send_timeout: Option<Duration>,
    nonblocking: bool,
}

impl SockClient {
    /// The send timeout a new client starts with.
    pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(1);

    /// Connects to the socket at `path`.
    ///
    /// Errors: [`SockError::PathTooLong`], [`SockError::SocketMissing`]
    /// (no such file), [`SockError::ConnectionRefused`] (a socket file
    /// nobody is bound to), [`SockError::NotASocket`] (some other file),
    /// [`SockError::Connect`] otherwise.
    pub fn connect(path: impl AsRef<Path>) -> Result<SockClient, SockError> {
        let path = path.as_ref().to_owned();
        let send_timeout = Some(Self::DEFAULT_SEND_TIMEOUT);
        let socket = open(&path, send_timeout)?;
        Ok(SockClient {
            path,
            socket,
            send_timeout,
            nonblocking: false,
        })
    }

    /// The path this client sends to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens a new socket to the same path and, on success, replaces the
    /// old one (on failure the old one is kept). Use it after a
    /// [`SockError::is_receiver_gone`] error, once chronyd may be back.
    pub fn reconnect(&mut self) -> Result<(), SockError> {
        self.socket = open(&self.path, self.send_timeout)?;
        if self.nonblocking {
            self.set_nonblocking(true)?;
        }
        Ok(())
    }

    /// Makes sends non-blocking: a sample the receiver has no room for
    /// fails at once with [`SockError::Busy`] instead of waiting (a host
    /// that runs several clocks must never wait on chronyd). Survives
    /// [`SockClient::reconnect`].
    pub fn set_nonblocking(&mut self, on: bool) -> Result<(), SockError> {
        self.nonblocking = on;
        self.socket
            .set_nonblocking(on)
            .map_err(|source| SockError::Send {
                path: self.path.clone(),
                source,
            })
    }

    /// Sets how long a send may wait for room in chronyd's queue; `None`
    /// waits for ever. A zero duration is treated as one microsecond.
    pub fn set_send_timeout(&mut self, timeout: Option<Duration>) -> Result<(), SockError> {
        let timeout = timeout.map(|t| t.max(Duration::from_micros(1)));
        self.socket
            .set_write_timeout(timeout)
            .map_err(|source| SockError::Send {
                path: self.path.clone(),
                source,
            })?;
        self.send_timeout = timeout;
        Ok(())
    }

    /// Sends one sample after [`SockSample::validate`].
    ///
    /// Errors: the validation errors, [`SockError::ConnectionRefused`] when
    /// chronyd has gone (exited or restarted), [`SockError::ShortSend`],
    /// [`SockError::Send`] otherwise (e.g. timed out on a full queue).
    pub fn send(&self, sample: &SockSample) -> Result<(), SockError> {
        sample.validate()?;
        self.send_datagram(&sample.encode())
    }

    /// Sends arbitrary bytes as one datagram, e.g. a malformed one to test
    /// a receiver. Errors as for [`send`](Self::send).
    pub fn send_datagram(&self, datagram: &[u8]) -> Result<(), SockError> {
        loop {
            match self.socket.send(datagram) {
                Ok(n) if n == datagram.len() => return Ok(()),
                Ok(sent) => {
                    return Err(SockError::ShortSend {
                        path: self.path.clone(),
                        sent,
                        expected: datagram.len(),
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(send_error(&self.path, e)),
            }
        }
    }
}

/// A new unbound datagram socket connected to `path`.
fn open(path: &Path, send_timeout: Option<Duration>) -> Result<UnixDatagram, SockError> {
    check_path(path)?;
    let connect_error = |source: io::Error| SockError::Connect {
        path: path.to_owned(),
        source,
    };
    let socket = UnixDatagram::unbound().map_err(connect_error)?;
    socket
        .set_write_timeout(send_timeout)
        .map_err(connect_error)?;
    match socket.connect(path) {
        Ok(()) => Ok(socket),
        Err(e) => Err(match e.raw_os_error() {
            Some(libc::ENOENT) => SockError::SocketMissing {
                path: path.to_owned(),
            },
            // Linux refuses a connection to any file that is not a bound
            // socket, a plain file included: tell the two apart.
            Some(libc::ECONNREFUSED) if !is_socket_file(path) => SockError::NotASocket {
                path: path.to_owned(),
            },
            Some(libc::ECONNREFUSED) => SockError::ConnectionRefused {
                path: path.to_owned(),
            },
            _ => connect_error(e),
        }),
    }
}

/// Whether `path` (followed, as connect() does) is a socket file; a file
/// that vanished in the meantime counts as one (it was refused as one).
fn is_socket_file(path: &Path) -> bool {
    std::fs::metadata(path).map_or(true, |m| m.file_type().is_socket())
}

/// Classifies a send error. Linux answers the first send to a closed peer
/// with ECONNREFUSED and drops the association, so later sends get
/// ENOTCONN: both mean the receiver has gone.
fn send_error(path: &Path, e: io::Error) -> SockError {
    if e.kind() == io::ErrorKind::WouldBlock {
        return SockError::Busy {
            path: path.to_owned(),
        };
    }
    match e.raw_os_error() {
        Some(libc::ECONNREFUSED | libc::ENOTCONN) => SockError::ConnectionRefused {
            path: path.to_owned(),
        },
        _ => SockError::Send {
            path: path.to_owned(),
            source: e,
        },
    }
}
