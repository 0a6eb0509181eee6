//! Pseudo-terminals, for the receiver simulator and for tests: the
//! simulator holds the master side and a driver opens the slave path as
//! if it were the receiver's serial port.
//!
//! [`Pty::open`] sets the terminal raw through the master (on Linux the
//! termios calls on a master act on its slave), so bytes written to the
//! master reach a reader of the slave unchanged until the driver side
//! applies its own settings (as [`crate::os::serial::SerialPort::open`]
//! does). [`Pty::slave_speed`] reads back what the driver chose, so a
//! simulator can pace its output at that speed.
//!
//! How Linux pseudo-terminals behave at the edges (observed on Linux 6.18,
//! checked by `tests/os_pty.rs`):
//! * Before the slave was ever opened, the master acts connected: writes
//!   succeed and are queued for the slave, a non-blocking read says
//!   EAGAIN, `poll()` reports nothing. A driver's set-up flushes what was
//!   queued; a plain open of the slave reads it.
//! * Once the last slave descriptor has been closed (the driver closed or
//!   reopens the device), `read()` on the master fails with EIO and
//!   `poll()` reports POLLHUP at once, until a slave is open again;
//!   writes still succeed and are queued. A simulator that polls the
//!   master would spin; [`Pty::hold_slave_open`] keeps a slave descriptor
//!   of our own open so this state never arises.
//! * When the master is closed, the slave is hung up: `poll()` on a slave
//!   descriptor reports POLLHUP (with POLLIN and POLLERR), `read()` returns
//!   0 (end of file) and `write()` fails with EIO.
//! * Modem-control ioctls (TIOCMGET, TIOCMBIS...) fail with ENOTTY on
//!   either side, while every standard speed, 50 and 75 baud included, is
//!   accepted (and has no effect on how fast bytes pass).

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};

use crate::os::error::OsError;
use crate::os::fd::{open_path, read_fd, write_all_fd, write_fd};
use crate::os::termios::{baud_from_code, config_from_termios, speed_code};
use crate::port::SerialConfig;

/// A pseudo-terminal pair: the master descriptor and the slave's path.
#[derive(Debug)]
pub struct Pty {
    master: OwnedFd,
    slave_path: PathBuf,
    link: Option<PathBuf>,
    slave_hold: Option<OwnedFd>,
}

impl Pty {
    /// Creates a pair (posix_openpt, grantpt, unlockpt, ptsname_r; the
    /// master with `O_RDWR | O_NOCTTY | O_CLOEXEC`, blocking) and makes the
    /// line raw (cfmakeraw through the master).
    pub fn open() -> Result<Pty, OsError> {
        let fail = |what: &'static str| {
            move |e: nix::errno::Errno| OsError::PtyCreate {
                what,
                source: e.into(),
            }
        };
        let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)
            .map_err(fail("posix_openpt"))?;
        grantpt(&master).map_err(fail("grantpt"))?;
        unlockpt(&master).map_err(fail("unlockpt"))?;
        let slave_path = PathBuf::from(ptsname_r(&master).map_err(fail("ptsname_r"))?);
        let master = OwnedFd::from(master);

        let mut t = tcgetattr(&master).map_err(fail("tcgetattr"))?;
        cfmakeraw(&mut t);
        tcsetattr(&master, SetArg::TCSANOW, &t).map_err(fail("tcsetattr"))?;
        Ok(Pty {
            master,
            slave_path,
            link: None,
            slave_hold: None,
        })
    }

    /// The slave device (`/dev/pts/N`).
    pub fn slave_path(&self) -> &Path {
        &self.slave_path
    }

    /// The symbolic link made by [`Pty::link_at`], if any.
    pub fn link(&self) -> Option<&Path> {
        self.link.as_deref()
    }

    /// Makes `path` a symbolic link to the slave (e.g. `/dev/gps0` or a
    /// file in a test directory). An existing symbolic link there is
    /// replaced (atomically, by renaming a new link over it); anything
    /// else is refused with [`OsError::NotASymlink`]. A previous link of
    /// this pty elsewhere is removed. The link is removed on drop.
    pub fn link_at(&mut self, path: &Path) -> Result<(), OsError> {
        let link_err = |source: io::Error| OsError::Link {
            path: path.to_path_buf(),
            source,
        };
        match std::fs::symlink_metadata(path) {
            Ok(m) if !m.file_type().is_symlink() => {
                return Err(OsError::NotASymlink {
                    path: path.to_path_buf(),
                })
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(link_err(e)),
        }
        let name = path.file_name().ok_or_else(|| {
            link_err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "link path has no file name",
            ))
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&self.slave_path, &tmp).map_err(link_err)?;
        if let Err(e) = std::fs::rename(&tmp, path) {
            let _ = std::fs::remove_file(&tmp);
            return Err(link_err(e));
        }
        if let Some(old) = self.link.replace(path.to_path_buf()) {
            if old != path {
                self.remove_link_at(&old);
            }
        }
        Ok(())
    }

    /// Removes `path` if it is still our symbolic link.
    fn remove_link_at(&self, path: &Path) {
        if std::fs::read_link(path).is_ok_and(|target| target == self.slave_path) {
            let _ = std::fs::remove_file(path);
        }
    }

    /// The master descriptor.
    pub fn master_fd(&self) -> BorrowedFd<'_> {
        self.master.as_fd()
    }

    /// One `write()` to the master (what the "receiver" sends). EINTR is
    /// retried.
    pub fn write(&self, data: &[u8]) -> io::Result<usize> {
        write_fd(self.master.as_fd(), data)
    }

    /// Writes all of `data` to the master, waiting for room when the
    /// master is non-blocking (see
    /// [`crate::os::serial::SerialPort::write_all`]).
    pub fn write_all(&self, data: &[u8]) -> io::Result<()> {
        write_all_fd(self.master.as_fd(), data)
    }

    /// One `read()` from the master (what the driver wrote to the
    /// "receiver"). EIO once the slave has been closed and is not open
    /// again (see the module documentation).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        read_fd(self.master.as_fd(), buf)
    }

    /// Switches the master between blocking and non-blocking I/O.
    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        let flags = OFlag::from_bits_retain(fcntl(&self.master, FcntlArg::F_GETFL)?);
        let mut new = flags;
        new.set(OFlag::O_NONBLOCK, on);
        if new != flags {
            fcntl(&self.master, FcntlArg::F_SETFL(new))?;
        }
        Ok(())
    }

    /// Keeps a descriptor of the slave open (non-blocking, never read), so
    /// the master stays connected while the driver closes and reopens the
    /// slave: no EIO on master reads, no POLLHUP. Bytes the driver does not
    /// read stay queued on the slave (its set-up flushes them). Idempotent.
    pub fn hold_slave_open(&mut self) -> io::Result<()> {
        if self.slave_hold.is_none() {
            self.slave_hold = Some(open_path(
                &self.slave_path,
                OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
            )?);
        }
        Ok(())
    }

    /// Closes the descriptor [`Pty::hold_slave_open`] kept.
    pub fn release_slave(&mut self) {
        self.slave_hold = None;
    }

    /// The speed in baud the line is set to now, i.e. what the driver
    /// asked for on the slave (tcgetattr through the master, which Linux
    /// answers with the slave's settings).
    pub fn slave_speed(&self) -> io::Result<u32> {
        let code = speed_code(&tcgetattr(&self.master)?);
        baud_from_code(code).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("speed code {code:#o} is not a standard speed"),
            )
        })
    }

    /// All the line settings the slave has now, as a [`SerialConfig`]
    /// (speed, framing, canonical or raw); see
    /// [`crate::os::serial::SerialPort::current_config`].
    pub fn slave_config(&self) -> io::Result<SerialConfig> {
        config_from_termios(&tcgetattr(&self.master)?)
    }
}

impl AsFd for Pty {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.master.as_fd()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Some(link) = self.link.take() {
            self.remove_link_at(&link);
        }
    }
}
