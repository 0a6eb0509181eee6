//! Serial ports: opening a device and setting it up the way ntpd's
//! `refclock_open` and `refclock_setup` (ntpd/ntp_refclock.c, 4.2.8p18)
//! do, plus the small set of operations a host needs on it (non-blocking
//! read, write with partial-write handling, modem lines).
//!
//! Set-up, when a [`SerialConfig`] is given:
//! * `open(O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)`; a descriptor 0 is
//!   moved to 3 or above (ntpd avoids fd 0 the same way);
//! * termios: iflag IGNBRK + IGNPAR + ICRNL (ISTRIP on request; INPCK
//!   instead of IGNPAR when parity is checked), oflag 0, cflag CS8 or CS7,
//!   PARENB/PARODD, CSTOPB, CLOCAL + CREAD, the speed, every `c_cc` zero,
//!   lflag ICANON; raw input clears lflag and iflag (keeping only the
//!   parity/strip bits asked for) and sets VMIN 1;
//! * beyond ntpd's line disciplines, on request: IXON in iflag (kept in
//!   raw mode), OPOST in oflag, ECHO in lflag, and in canonical mode the
//!   extra line ends VEOL and VEOL2;
//! * `TIOCMGET`; with `remote` (ntpd's LDISC_REMOTE) CLOCAL is cleared
//!   when DSR is up. A failure (ENOTTY on a pseudo-terminal) is only a
//!   warning, as ntpd only logs it;
//! * `tcsetattr(TCSANOW)`, `tcflush(TCIOFLUSH)`, then whatever input is
//!   already pending is read and thrown away.
//!
//! The termios itself is built in [`crate::os::termios`]; descriptors are
//! opened, read and written by [`crate::os::fd`].
//!
//! Warnings are collected in [`SerialPort::warnings`] rather than printed.
//! Without a configuration the device may be anything that can be opened
//! (FIFO, regular file, socket, tty left as it is).

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;
use nix::sys::termios::{tcflush, tcgetattr, tcsetattr, FlushArg, SetArg};

use crate::os::error::OsError;
use crate::os::fd::{open_path, read_fd, write_all_fd};
use crate::os::termios::{
    build_termios, check_config, config_from_termios, describe_mismatch, summarize,
};
use crate::port::SerialConfig;

// The modem-control ioctls of tty_ioctl(4): each passes one int.
nix::ioctl_read_bad!(
    /// TIOCMGET: reads the modem status bits.
    tiocmget,
    libc::TIOCMGET,
    libc::c_int
);
nix::ioctl_write_ptr_bad!(
    /// TIOCMBIS: raises the modem lines whose bits are set.
    tiocmbis,
    libc::TIOCMBIS,
    libc::c_int
);
nix::ioctl_write_ptr_bad!(
    /// TIOCMBIC: lowers the modem lines whose bits are set.
    tiocmbic,
    libc::TIOCMBIC,
    libc::c_int
);

/// An open serial device (or other character source) and its path.
#[derive(Debug)]
pub struct SerialPort {
    fd: OwnedFd,
    path: PathBuf,
    warnings: Vec<String>,
}

impl SerialPort {
    /// Opens `path` and, when `config` is given, sets the line up as
    /// ntpd's `refclock_setup` does (see the module documentation).
    ///
    /// The configuration is checked before the device is opened, so an
    /// unsupported speed is reported as [`OsError::UnsupportedSpeed`]
    /// whether or not the device exists.
    pub fn open(path: &Path, config: Option<&SerialConfig>) -> Result<SerialPort, OsError> {
        if let Some(cfg) = config {
            check_config(cfg)?;
        }
        let fd = open_path(
            path,
            OFlag::O_RDWR | OFlag::O_NONBLOCK | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
        )
        .map_err(|source| OsError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut port = SerialPort {
            fd,
            path: path.to_path_buf(),
            warnings: Vec::new(),
        };
        if let Some(cfg) = config {
            port.configure(cfg)?;
            port.discard_pending_input();
        }
        Ok(port)
    }

    /// Applies `config` to the open device (what [`SerialPort::open`]
    /// does after opening; usable later to change speed or framing).
    /// Warnings are appended to [`SerialPort::warnings`].
    pub fn configure(&mut self, config: &SerialConfig) -> Result<(), OsError> {
        check_config(config)?;
        let path = self.path.clone();
        let termios_err = |what: &'static str| {
            let path = path.clone();
            move |source: io::Error| OsError::Termios { path, what, source }
        };
        let current = tcgetattr(&self.fd).map_err(|e| termios_err("tcgetattr")(e.into()))?;
        // ntpd queries the modem lines whatever the flags; a failure only
        // logs. Only LDISC_REMOTE acts on DSR.
        let lines = match self.modem_lines() {
            Ok(lines) => Some(lines),
            Err(e) => {
                self.warnings.push(format!(
                    "{}: TIOCMGET (modem status) failed: {e}",
                    self.path.display()
                ));
                None
            }
        };
        let t = build_termios(current, config, lines).map_err(termios_err("cfsetspeed"))?;
        tcsetattr(&self.fd, SetArg::TCSANOW, &t).map_err(|e| termios_err("tcsetattr")(e.into()))?;
        if let Err(e) = tcflush(&self.fd, FlushArg::TCIOFLUSH) {
            self.warnings.push(format!(
                "{}: tcflush failed: {}",
                self.path.display(),
                io::Error::from(e)
            ));
        }
        // tcsetattr succeeds when any part of the request took effect, and
        // drivers may adjust what they cannot do (Linux ptys force CS8 and
        // clear PARENB), so say what the device actually kept.
        if let Ok(now) = tcgetattr(&self.fd) {
            if let Some(w) = describe_mismatch(config, &now) {
                self.warnings.push(format!("{}: {w}", self.path.display()));
            }
        }
        Ok(())
    }

    /// Reads away input that arrived before set-up (as `refclock_open`
    /// does), bounded so a device that never stops talking cannot hold
    /// us here.
    fn discard_pending_input(&self) {
        let mut trash = [0u8; 128];
        // read() retries EINTR itself; anything but data ends the loop.
        for _ in 0..512 {
            if !matches!(self.read(&mut trash), Ok(n) if n > 0) {
                break;
            }
        }
    }

    /// Warnings collected while opening and configuring (e.g. the
    /// modem-status ioctl failing with ENOTTY on a pseudo-terminal).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The descriptor, for `poll()`.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The raw descriptor number.
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// The path the device was opened as.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the descriptor is a terminal.
    pub fn is_tty(&self) -> bool {
        nix::unistd::isatty(&self.fd).unwrap_or(false)
    }

    /// One non-blocking `read()`. No data yet is
    /// `Err(io::ErrorKind::WouldBlock)`; `Ok(0)` is end of file (or a
    /// hung-up terminal). EINTR is retried.
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        read_fd(self.fd.as_fd(), buf)
    }

    /// Writes all of `data`. On the non-blocking descriptor a full output
    /// queue makes `write()` return EAGAIN or a short count; then this
    /// waits for POLLOUT, giving up with `TimedOut` after
    /// [`WRITE_STALL_TIMEOUT`](crate::os::fd::WRITE_STALL_TIMEOUT) without
    /// progress.
    pub fn write_all(&self, data: &[u8]) -> io::Result<()> {
        write_all_fd(self.fd.as_fd(), data)
    }

    /// Raises (`Some(true)`) or lowers (`Some(false)`) DTR and RTS with
    /// TIOCMBIS / TIOCMBIC; `None` leaves a line alone. Fails with ENOTTY
    /// on a pseudo-terminal or a non-tty.
    pub fn set_modem_lines(&self, dtr: Option<bool>, rts: Option<bool>) -> io::Result<()> {
        let mut set: libc::c_int = 0;
        let mut clear: libc::c_int = 0;
        for (want, bit) in [(dtr, libc::TIOCM_DTR), (rts, libc::TIOCM_RTS)] {
            match want {
                Some(true) => set |= bit,
                Some(false) => clear |= bit,
                None => {}
            }
        }
        let fd = self.fd.as_raw_fd();
        if set != 0 {
            // SAFETY: TIOCMBIS reads one int through the pointer, which
            // points at a live local; `fd` is open for the call.
            unsafe { tiocmbis(fd, &set) }?;
        }
        if clear != 0 {
            // SAFETY: as above, for TIOCMBIC.
            unsafe { tiocmbic(fd, &clear) }?;
        }
        Ok(())
    }

    /// The modem status bits (TIOCMGET: `TIOCM_DSR`, `TIOCM_CD`, ...).
    pub fn modem_lines(&self) -> io::Result<u32> {
        let mut bits: libc::c_int = 0;
        // SAFETY: TIOCMGET writes one int through the pointer, which points
        // at a live local; the descriptor is open for the call.
        unsafe { tiocmget(self.fd.as_raw_fd(), &mut bits) }?;
        Ok(bits as u32)
    }

    /// The terminal settings as the kernel holds them now (tcgetattr), as
    /// the C structure.
    pub fn termios(&self) -> io::Result<libc::termios> {
        Ok(tcgetattr(&self.fd)?.into())
    }

    /// The current settings read back as a [`SerialConfig`] (`remote` is
    /// reported as `false`: it is a set-up action, not a state).
    /// `InvalidData` for settings a `SerialConfig` cannot express (5 or 6
    /// data bits, a non-standard speed).
    pub fn current_config(&self) -> io::Result<SerialConfig> {
        config_from_termios(&tcgetattr(&self.fd)?)
    }

    /// A one-line description of the current terminal settings, for
    /// debug output: speed, framing, input mode and the raw flag words.
    pub fn termios_summary(&self) -> io::Result<String> {
        Ok(summarize(&tcgetattr(&self.fd)?))
    }
}

impl AsFd for SerialPort {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_checked_before_open() {
        let cfg = SerialConfig::canonical_8n1(12_345);
        let e = SerialPort::open(Path::new("/nonexistent/device"), Some(&cfg)).unwrap_err();
        assert!(matches!(e, OsError::UnsupportedSpeed { baud: 12_345 }));
        let cfg = SerialConfig {
            stop_bits: 3,
            ..SerialConfig::canonical_8n1(9600)
        };
        let e = SerialPort::open(Path::new("/nonexistent/device"), Some(&cfg)).unwrap_err();
        assert!(matches!(e, OsError::UnsupportedStopBits { stop_bits: 3 }));
    }

    #[test]
    fn non_tty_allowed_without_config() {
        let port = SerialPort::open(Path::new("/dev/null"), None).unwrap();
        assert!(!port.is_tty());
        assert!(port.warnings().is_empty());
        let mut buf = [0u8; 8];
        assert_eq!(port.read(&mut buf).unwrap(), 0);
        port.write_all(b"xyz").unwrap();
        // ...but a configuration needs a terminal.
        let e = SerialPort::open(
            Path::new("/dev/null"),
            Some(&SerialConfig::canonical_8n1(9600)),
        )
        .unwrap_err();
        match e {
            OsError::Termios {
                what, ref source, ..
            } => {
                assert_eq!(what, "tcgetattr");
                assert_eq!(source.raw_os_error(), Some(libc::ENOTTY));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
