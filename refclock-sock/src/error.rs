//! The one error type of the crate: malformed datagrams and socket errors.

use std::io;
use std::path::PathBuf;

/// What went wrong decoding a datagram or talking over a SOCK socket.
///
/// Socket errors carry the path of the socket they concern.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SockError {
    /// The datagram is shorter than `struct sock_sample`.
    #[error("SOCK datagram too short: {found} bytes, expected {expected}")]
    TooShort {
        /// Bytes received.
        found: usize,
        /// `sizeof(struct sock_sample)` on this platform.
        expected: usize,
    },
    /// The datagram is longer than `struct sock_sample`.
    #[error("SOCK datagram too long: {found} bytes or more, expected {expected}")]
    TooLong {
        /// Bytes received (a receiver sees at most its buffer size).
        found: usize,
        /// `sizeof(struct sock_sample)` on this platform.
        expected: usize,
    },
    /// The `magic` field is not 0x534f434b.
    #[error("SOCK datagram has magic {found:#010x}, expected {expected:#010x}")]
    BadMagic {
        /// The magic found.
        found: u32,
        /// [`SOCK_MAGIC`](crate::SOCK_MAGIC).
        expected: u32,
    },
    /// `tv_usec` is outside 0..=999999.
    #[error("SOCK sample tv_usec is {found}, expected 0..=999999")]
    UsecOutOfRange {
        /// The microseconds found.
        found: i64,
    },
    /// The offset is NaN or infinite.
    #[error("SOCK sample offset is {found}, expected a finite number of seconds")]
    NonFiniteOffset {
        /// The offset found.
        found: f64,
    },
    /// The seconds do not fit this platform's `time_t` (32-bit targets).
    #[error("SOCK sample time {found} s does not fit a {bits}-bit time_t")]
    TimeOutOfRange {
        /// The seconds of the sample.
        found: i64,
        /// Width of `time_t` in bits.
        bits: usize,
    },
    /// A non-blocking send found the receiver's queue full.
    #[error("{}: the receiver's queue is full; sample dropped", .path.display())]
    Busy {
        /// The socket path.
        path: PathBuf,
    },
    /// The socket path does not fit `sun_path`.
    #[error("socket path {} is {len} bytes long, at most {max} fit in sun_path", .path.display())]
    PathTooLong {
        /// The path.
        path: PathBuf,
        /// Its length in bytes.
        len: usize,
        /// The longest path a UNIX socket address holds.
        max: usize,
    },
    /// Nothing exists at the socket path (ENOENT): chronyd is not running,
    /// or was not configured with `refclock SOCK <path>`.
    #[error("no socket at {}: is chronyd running with `refclock SOCK {}`?", .path.display(), .path.display())]
    SocketMissing {
        /// The path.
        path: PathBuf,
    },
    /// Nobody is bound to the socket (ECONNREFUSED, or ENOTCONN after the
    /// kernel dropped a connection to a closed socket): chronyd has exited
    /// or restarted. A restarted chronyd is reached again with
    /// [`SockClient::reconnect`](crate::SockClient::reconnect).
    #[error("connection refused on {}: chronyd is gone or has restarted", .path.display())]
    ConnectionRefused {
        /// The path.
        path: PathBuf,
    },
    /// Any other error connecting.
    #[error("could not connect to {}: {source}", .path.display())]
    Connect {
        /// The path.
        path: PathBuf,
        /// The system error.
        source: io::Error,
    },
    /// Any other error sending (a full queue past the send timeout, ...).
    #[error("could not send a sample to {}: {source}", .path.display())]
    Send {
        /// The path.
        path: PathBuf,
        /// The system error.
        source: io::Error,
    },
    /// The kernel took only part of the datagram.
    #[error("short send to {}: {sent} of {expected} bytes", .path.display())]
    ShortSend {
        /// The path.
        path: PathBuf,
        /// Bytes sent.
        sent: usize,
        /// Bytes in the datagram.
        expected: usize,
    },
    /// The path exists and is not a socket: a client cannot connect to it,
    /// and a receiver leaves it alone rather than replace it.
    #[error("{} exists and is not a socket", .path.display())]
    NotASocket {
        /// The path.
        path: PathBuf,
    },
    /// A receiver's path is a socket somebody else is bound to.
    #[error("socket {} is in use by another receiver", .path.display())]
    InUse {
        /// The path.
        path: PathBuf,
    },
    /// Any other error creating a receiver's socket.
    #[error("could not bind {}: {source}", .path.display())]
    Bind {
        /// The path.
        path: PathBuf,
        /// The system error.
        source: io::Error,
    },
    /// An error receiving.
    #[error("could not receive on {}: {source}", .path.display())]
    Recv {
        /// The path.
        path: PathBuf,
        /// The system error.
        source: io::Error,
    },
}

impl SockError {
    /// True when a non-blocking send found the receiver's queue full
    /// ([`SockError::Busy`]): the sample is lost, the socket is fine.
    pub fn is_busy(&self) -> bool {
        matches!(self, SockError::Busy { .. })
    }

    /// True for the errors that mean "chronyd is not there" (socket file
    /// missing, or nobody bound to it): retry later with
    /// [`SockClient::reconnect`](crate::SockClient::reconnect).
    pub fn is_receiver_gone(&self) -> bool {
        matches!(
            self,
            SockError::SocketMissing { .. } | SockError::ConnectionRefused { .. }
        )
    }

    /// True for the errors that describe a malformed datagram or sample
    /// (as opposed to a socket error).
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            SockError::TooShort { .. }
                | SockError::TooLong { .. }
                | SockError::BadMagic { .. }
                | SockError::UsecOutOfRange { .. }
                | SockError::NonFiniteOffset { .. }
                | SockError::TimeOutOfRange { .. }
        )
    }
}
