//! Errors of the OS layer: every variant names the device it concerns and
//! carries the operating system's error, so a caller can print a useful
//! message and tell a vanished device from a misconfiguration.

use std::io;
use std::path::PathBuf;

/// What went wrong opening or driving a serial port, a PPS source or a
/// pseudo-terminal.
#[derive(Debug, thiserror::Error)]
pub enum OsError {
    /// `open()` of a device failed.
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The device path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// A terminal call (tcgetattr, cfsetspeed, tcsetattr...) failed.
    #[error("{}: {what} failed: {source}", path.display())]
    Termios {
        /// The device path.
        path: PathBuf,
        /// The call that failed.
        what: &'static str,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// A speed that is not one of the standard `Bxxx` values.
    #[error("unsupported serial speed {baud} baud")]
    UnsupportedSpeed {
        /// The speed asked for.
        baud: u32,
    },
    /// A number of stop bits other than 1 or 2.
    #[error("unsupported number of stop bits {stop_bits} (1 or 2)")]
    UnsupportedStopBits {
        /// The number asked for.
        stop_bits: u8,
    },
    /// An RFC 2783 PPS call failed.
    #[error("{}: PPS {what} failed: {source}", path.display())]
    Pps {
        /// The PPS device path (or the serial device for the fallback).
        path: PathBuf,
        /// The ioctl or step that failed.
        what: &'static str,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// A TCP connection failed.
    #[error("cannot connect to {target}: {source}")]
    Connect {
        /// `host:port` (and the address tried).
        target: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Creating a pseudo-terminal pair failed.
    #[error("cannot create a pseudo-terminal: {what} failed: {source}")]
    PtyCreate {
        /// The step that failed (posix_openpt, grantpt, ...).
        what: &'static str,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Creating or replacing a symbolic link failed.
    #[error("cannot create symbolic link {}: {source}", path.display())]
    Link {
        /// The link path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// A port's lock file could not be made: another process holds the
    /// port (the file names its PID), or the file cannot be written.
    #[error("port lock {}: {source}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why (`AlreadyExists` when another live process holds it).
        #[source]
        source: io::Error,
    },
    /// A link was asked for at a path that holds something other than a
    /// symbolic link, which is never replaced.
    #[error("refusing to replace {}: it exists and is not a symbolic link", path.display())]
    NotASymlink {
        /// The path.
        path: PathBuf,
    },
}

impl OsError {
    /// The OS error behind this one, if any.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            OsError::Open { source, .. }
            | OsError::Termios { source, .. }
            | OsError::Pps { source, .. }
            | OsError::PtyCreate { source, .. }
            | OsError::Connect { source, .. }
            | OsError::Link { source, .. }
            | OsError::Lock { source, .. } => Some(source),
            OsError::UnsupportedSpeed { .. }
            | OsError::UnsupportedStopBits { .. }
            | OsError::NotASymlink { .. } => None,
        }
    }

    /// The `errno` value behind this error, if any.
    pub fn errno(&self) -> Option<i32> {
        self.io_error().and_then(io::Error::raw_os_error)
    }

    /// Whether the device is missing or has gone away (ENOENT, ENODEV,
    /// ENXIO, EIO): worth retrying later, unlike a configuration error.
    pub fn is_device_gone(&self) -> bool {
        matches!(
            self.errno(),
            Some(libc::ENOENT | libc::ENODEV | libc::ENXIO | libc::EIO)
        )
    }

    /// Whether the OS reported the operation as not supported by this
    /// device (ENOTTY, EOPNOTSUPP, EINVAL from an ioctl): for example the
    /// PPS ioctls on a tty, or kernel hardpps binding on a kernel without
    /// it (ntpd's `refclock_params` tolerates EOPNOTSUPP there).
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self.errno(),
            Some(libc::ENOTTY | libc::EOPNOTSUPP | libc::EINVAL)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_gone_classification() {
        for (errno, gone) in [
            (libc::ENOENT, true),
            (libc::ENODEV, true),
            (libc::ENXIO, true),
            (libc::EIO, true),
            (libc::EACCES, false),
            (libc::ENOTTY, false),
        ] {
            let e = OsError::Open {
                path: "/dev/x".into(),
                source: io::Error::from_raw_os_error(errno),
            };
            assert_eq!(e.is_device_gone(), gone, "errno {errno}");
        }
        assert!(!OsError::UnsupportedSpeed { baud: 12 }.is_device_gone());
    }

    #[test]
    fn messages_name_the_device_and_the_call() {
        let e = OsError::Termios {
            path: "/dev/gps0".into(),
            what: "tcsetattr",
            source: io::Error::from_raw_os_error(libc::EINVAL),
        };
        let s = e.to_string();
        assert!(s.starts_with("/dev/gps0: tcsetattr failed: "), "{s}");
        assert_eq!(e.errno(), Some(libc::EINVAL));
        assert!(e.is_unsupported());
        assert_eq!(
            OsError::UnsupportedSpeed { baud: 12345 }.to_string(),
            "unsupported serial speed 12345 baud"
        );
    }
}
