//! File descriptors: opening a device off descriptor 0, duplicating
//! above the standard streams, and the read, write and poll helpers the
//! serial port, the PPS source, the pseudo-terminal and the host share
//! (EINTR retried, non-blocking descriptors expected).

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long [`SerialPort::write_all`](crate::os::serial::SerialPort::write_all) waits for the device to accept more
/// bytes before giving up with `TimedOut` (reset whenever bytes go out).
pub const WRITE_STALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens `path` with `flags` (O_CLOEXEC expected among them), keeping the
/// result off descriptor 0.
pub(crate) fn open_path(path: &Path, flags: libc::c_int) -> io::Result<OwnedFd> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    let fd = loop {
        // SAFETY: `c` is a valid NUL-terminated string for the call.
        let fd = unsafe { libc::open(c.as_ptr(), flags, 0o666 as libc::c_uint) };
        if fd >= 0 {
            break fd;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    };
    // SAFETY: `fd` was just returned by open() and is owned by nobody else.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    if fd == 0 {
        // A closed stdin made open() return 0; ntpd's refclock_open moves
        // such a descriptor (code that tests `fd > 0` would take it for a
        // failure). Dropping `owned` closes 0 again.
        return dup_above_stdio(owned.as_fd());
    }
    Ok(owned)
}

/// Duplicates `fd` to a new close-on-exec descriptor numbered 3 or more.
pub(crate) fn dup_above_stdio(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    // SAFETY: F_DUPFD_CLOEXEC takes an int argument and only creates a new
    // descriptor.
    let new = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if new < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `new` was just created by fcntl and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

pub(crate) fn read_fd(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes and the
        // descriptor is open.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

pub(crate) fn write_fd(fd: BorrowedFd<'_>, data: &[u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `data` is valid for reads of `data.len()` bytes and the
        // descriptor is open.
        let n = unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// `poll()` on one descriptor: waits until `fd` reports one of `events`
/// (POLLHUP, POLLERR and POLLNVAL are always reported) or `timeout`
/// passes; returns the reported events, 0 on timeout. EINTR comes back as
/// `Interrupted`.
pub fn poll_fd(
    fd: BorrowedFd<'_>,
    events: libc::c_short,
    timeout: Duration,
) -> io::Result<libc::c_short> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events,
        revents: 0,
    };
    let ms = timeout.as_millis().min(libc::c_int::MAX as u128) as libc::c_int;
    // SAFETY: `pfd` is one valid pollfd for the duration of the call.
    let r = unsafe { libc::poll(&mut pfd, 1, ms) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(if r == 0 { 0 } else { pfd.revents })
}

pub(crate) fn write_all_fd(fd: BorrowedFd<'_>, mut data: &[u8]) -> io::Result<()> {
    let mut deadline = Instant::now() + WRITE_STALL_TIMEOUT;
    while !data.is_empty() {
        match write_fd(fd, data) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
            Ok(n) => {
                data = &data[n..];
                deadline = Instant::now() + WRITE_STALL_TIMEOUT;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "device did not accept output",
                    ));
                }
                match poll_fd(fd, libc::POLLOUT, left) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
