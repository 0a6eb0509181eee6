//! The receiving side: what chronyd's SOCK driver does, for tests and for
//! daemons that consume samples.

use std::fs;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::client::check_path;
use crate::error::SockError;
use crate::sample::{SockSample, SOCK_SAMPLE_LEN};

/// A UNIX datagram socket bound at a path, decoding SOCK samples.
///
/// Like chronyd it reads into a buffer a little larger than a sample, so a
/// datagram that is too long is reported as such rather than cut to size.
/// The socket file is removed when the receiver is dropped (if it is still
/// the one this receiver created).
#[derive(Debug)]
pub struct SockReceiver {
    path: PathBuf,
    socket: UnixDatagram,
    /// Device and inode of the socket file we created.
    file_id: Option<(u64, u64)>,
}

/// Receive buffer: a sample plus slack, as chrony's `read_sample` uses.
const RECV_BUF_LEN: usize = SOCK_SAMPLE_LEN + 16;

impl SockReceiver {
    /// Binds a datagram socket at `path`. A stale socket file (one nobody
    /// is bound to) is removed first.
    ///
    /// Errors: [`SockError::PathTooLong`], [`SockError::NotASocket`] (the
    /// path is some other file, left alone), [`SockError::InUse`] (a live
    /// socket), [`SockError::Bind`] otherwise.
    pub fn bind(path: impl AsRef<Path>) -> Result<SockReceiver, SockError> {
        let path = path.as_ref().to_owned();
        check_path(&path)?;
        remove_stale(&path)?;
        let socket = UnixDatagram::bind(&path).map_err(|source| SockError::Bind {
            path: path.clone(),
            source,
        })?;
        let file_id = fs::symlink_metadata(&path).ok().map(|m| (m.dev(), m.ino()));
        Ok(SockReceiver {
            path,
            socket,
            file_id,
        })
    }

    /// The path the socket is bound at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the next datagram and decodes it. A malformed datagram is
    /// consumed and reported as its decode error (see
    /// [`SockError::is_malformed`]); the next call reads the next one.
    pub fn recv(&self) -> Result<SockSample, SockError> {
        self.socket
            .set_read_timeout(None)
            .map_err(|e| self.recv_error(e))?;
        let mut buf = [0u8; RECV_BUF_LEN];
        loop {
            match self.socket.recv(&mut buf) {
                Ok(n) => return SockSample::decode(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.recv_error(e)),
            }
        }
    }

    /// Like [`recv`](Self::recv) but gives up after `timeout`, returning
    /// `Ok(None)`. The kernel rounds the timeout up to its tick.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<SockSample>, SockError> {
        let Some(deadline) = Instant::now().checked_add(timeout) else {
            // Longer than the clock can count: no timeout at all.
            return self.recv().map(Some);
        };
        let mut buf = [0u8; RECV_BUF_LEN];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            // A zero timeout means "block" to the socket API.
            self.socket
                .set_read_timeout(Some(left.max(Duration::from_micros(1))))
                .map_err(|e| self.recv_error(e))?;
            match self.socket.recv(&mut buf) {
                Ok(n) => return SockSample::decode(&buf[..n]).map(Some),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if left.is_zero() || Instant::now() >= deadline {
                        return Ok(None);
                    }
                }
                Err(e) => return Err(self.recv_error(e)),
            }
        }
    }

    fn recv_error(&self, source: io::Error) -> SockError {
        SockError::Recv {
            path: self.path.clone(),
            source,
        }
    }
}

impl Drop for SockReceiver {
    fn drop(&mut self) {
        let ours = fs::symlink_metadata(&self.path)
            .ok()
            .map(|m| (m.dev(), m.ino()));
        if ours.is_some() && ours == self.file_id {
            // Nothing useful to do if it fails: the next bind removes it.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Removes `path` if it is a socket file nobody is bound to.
fn remove_stale(path: &Path) -> Result<(), SockError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(SockError::Bind {
                path: path.to_owned(),
                source,
            })
        }
    };
    if !meta.file_type().is_socket() {
        return Err(SockError::NotASocket {
            path: path.to_owned(),
        });
    }
    let probe = UnixDatagram::unbound().map_err(|source| SockError::Bind {
        path: path.to_owned(),
        source,
    })?;
    match probe.connect(path) {
        Ok(()) => Err(SockError::InUse {
            path: path.to_owned(),
        }),
        Err(e) if e.raw_os_error() == Some(libc::ECONNREFUSED) => match fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SockError::Bind {
                path: path.to_owned(),
                source,
            }),
        },
        // Gone in the meantime, or a stream socket (EPROTOTYPE) whose owner
        // we cannot tell: let bind() report what it finds.
        Err(_) => Ok(()),
    }
}
