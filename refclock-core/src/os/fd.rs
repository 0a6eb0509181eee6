//! File descriptors: opening a device off descriptor 0, duplicating
//! above the standard streams, and the read, write and poll helpers the
//! serial port, the PPS source, the pseudo-terminal and the host share
//! (EINTR retried, non-blocking descriptors expected).

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{self, FcntlArg, OFlag};
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::stat::Mode;
use nix::unistd;

/// How long [`SerialPort::write_all`](crate::os::serial::SerialPort::write_all)
/// waits for the device to accept more bytes before giving up with
/// `TimedOut` (reset whenever bytes go out).
pub const WRITE_STALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Calls `f` again while it fails with EINTR.
fn retry_eintr<T>(mut f: impl FnMut() -> nix::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(Errno::EINTR) => {}
            other => return other.map_err(io::Error::from),
        }
    }
}

/// Opens `path` with `flags` (O_CLOEXEC expected among them), keeping the
/// result off descriptor 0. EINTR is retried.
pub(crate) fn open_path(path: &Path, flags: OFlag) -> io::Result<OwnedFd> {
    if path.as_os_str().as_bytes().contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "path contains a NUL byte",
        ));
    }
    let fd = retry_eintr(|| fcntl::open(path, flags, Mode::from_bits_truncate(0o666)))?;
    if fd.as_raw_fd() == 0 {
        // A closed stdin made open() return 0; ntpd's refclock_open moves
        // such a descriptor (code that tests `fd > 0` would take it for a
        // failure). Dropping `fd` closes 0 again.
        return dup_above_stdio(fd.as_fd());
    }
    Ok(fd)
}

/// Duplicates `fd` to a new close-on-exec descriptor numbered 3 or more.
pub(crate) fn dup_above_stdio(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let new = fcntl::fcntl(fd, FcntlArg::F_DUPFD_CLOEXEC(3))?;
    // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor, which nothing
    // else owns; the OwnedFd takes it over.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// One `read()`. EINTR is retried; on a non-blocking descriptor no data
/// yet is `Err(io::ErrorKind::WouldBlock)`.
pub(crate) fn read_fd(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    retry_eintr(|| unistd::read(fd, buf))
}

/// One `write()`; how many bytes went. EINTR is retried; on a
/// non-blocking descriptor a full output queue is
/// `Err(io::ErrorKind::WouldBlock)`.
pub(crate) fn write_fd(fd: BorrowedFd<'_>, data: &[u8]) -> io::Result<usize> {
    retry_eintr(|| unistd::write(fd, data))
}

/// `poll()` on one descriptor: waits until `fd` reports one of `events`
/// (POLLHUP, POLLERR and POLLNVAL are always reported) or `timeout`
/// passes; returns the reported events, 0 on timeout. EINTR comes back as
/// `Interrupted`. Event bits other than the standard ones (`POLLIN`,
/// `POLLPRI`, `POLLOUT`, the `POLLRD*`/`POLLWR*` bands) are not asked
/// for. A timeout beyond `i32::MAX` milliseconds is cut to that.
pub fn poll_fd(
    fd: BorrowedFd<'_>,
    events: libc::c_short,
    timeout: Duration,
) -> io::Result<libc::c_short> {
    let mut fds = [PollFd::new(fd, PollFlags::from_bits_truncate(events))];
    let timeout = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
    if nix::poll::poll(&mut fds, timeout)? == 0 {
        return Ok(0);
    }
    // The kernel reports only the events asked for plus POLLERR, POLLHUP
    // and POLLNVAL, all of which nix knows, so `revents` is always `Some`.
    Ok(fds[0].revents().map_or(0, |r| r.bits()))
}

/// Writes all of `data` to `fd`, waiting for POLLOUT when a non-blocking
/// descriptor takes no more, and giving up with `TimedOut` after
/// [`WRITE_STALL_TIMEOUT`] without progress.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_in_path_is_invalid_input() {
        let e = open_path(Path::new("/dev/nu\0ll"), OFlag::O_RDONLY).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn dup_lands_above_stdio_and_poll_times_out() {
        let null = open_path(Path::new("/dev/null"), OFlag::O_RDWR | OFlag::O_CLOEXEC).unwrap();
        let dup = dup_above_stdio(null.as_fd()).unwrap();
        assert!(dup.as_raw_fd() >= 3);
        let flags = fcntl::fcntl(&dup, FcntlArg::F_GETFD).unwrap();
        assert_ne!(flags & libc::FD_CLOEXEC, 0);
        let (r, w) = unistd::pipe().unwrap();
        assert_eq!(poll_fd(r.as_fd(), libc::POLLIN, Duration::ZERO).unwrap(), 0);
        write_all_fd(w.as_fd(), b"ab").unwrap();
        let ev = poll_fd(r.as_fd(), libc::POLLIN, Duration::from_secs(10)).unwrap();
        assert_eq!(ev, libc::POLLIN);
        let mut buf = [0u8; 4];
        assert_eq!(read_fd(r.as_fd(), &mut buf).unwrap(), 2);
        drop(w);
        let ev = poll_fd(r.as_fd(), libc::POLLIN, Duration::ZERO).unwrap();
        assert_ne!(ev & libc::POLLHUP, 0);
    }
}
