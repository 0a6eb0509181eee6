//! The RFC 2783 PPS API on Linux, spoken directly to the kernel's
//! `/dev/ppsN` devices through the ioctls of `linux/pps.h` (what the
//! `timepps.h` of pps-tools wraps, and what ntpd's `refclock_ppsapi`,
//! `refclock_params` and `refclock_pps` call).
//!
//! Linux specifics:
//! * PPS sources are separate character devices. A serial line gets one
//!   when the PPS line discipline is attached to it (`ldattach PPS`); the
//!   tty descriptor itself never answers the PPS ioctls (ENOTTY).
//!   [`PpsSource::from_fd`] therefore tries the descriptor first (other
//!   systems put the API on the tty) and then, like ntpd's
//!   `ppsdev_reopen` (ntpd/ntp_ppsdev.c), looks in `/sys/class/pps/*/path`
//!   for the PPS device the kernel created for that tty.
//! * Setting parameters and binding the kernel's hardpps need
//!   CAP_SYS_TIME; fetching does not.
//! * The device cannot be polled for edges: the host asks
//!   [`PpsSource::fetch`] (zero timeout) each time it wants the latest.

use std::io;
use std::mem::size_of;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::OFlag;

use crate::os::error::OsError;
use crate::os::fd::{dup_above_stdio, open_path};
use crate::port::{PpsEdge, PpsEdgeKind};
use crate::time::Timestamp;

/// RFC 2783 API version 1 (`PPS_API_VERS_1`).
pub const PPS_API_VERS_1: libc::c_int = 1;
/// `pps_ktime.flags`: the timeout is absent (wait forever).
pub const PPS_TIME_INVALID: u32 = 1 << 0;
/// Kernel consumer `PPS_KC_HARDPPS`: the kernel's hardpps().
pub const PPS_KC_HARDPPS: libc::c_int = 0;

bitflags::bitflags! {
    /// RFC 2783 mode and capability bits (section 3.3, `linux/pps.h`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct PpsMode: libc::c_int {
        /// Capture assert events.
        const CAPTUREASSERT = 0x01;
        /// Capture clear events.
        const CAPTURECLEAR = 0x02;
        /// Apply the offset compensation to assert events.
        const OFFSETASSERT = 0x10;
        /// Apply the offset compensation to clear events.
        const OFFSETCLEAR = 0x20;
        /// Feed assert events back to an output.
        const ECHOASSERT = 0x40;
        /// Feed clear events back to an output.
        const ECHOCLEAR = 0x80;
        /// PPS_FETCH can wait for an event.
        const CANWAIT = 0x100;
        /// Reserved by RFC 2783.
        const CANPOLL = 0x200;
        /// Time stamps as `struct timespec`.
        const TSFMT_TSPEC = 0x1000;
        /// Time stamps in NTP format.
        const TSFMT_NTPFP = 0x2000;
    }
}

impl PpsMode {
    /// The capture bit for an edge.
    pub fn capture(edge: PpsEdgeKind) -> PpsMode {
        match edge {
            PpsEdgeKind::Assert => PpsMode::CAPTUREASSERT,
            PpsEdgeKind::Clear => PpsMode::CAPTURECLEAR,
        }
    }
}

/// `struct pps_ktime` of `linux/pps.h`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct pps_ktime {
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds.
    pub nsec: i32,
    /// `PPS_TIME_INVALID` or 0.
    pub flags: u32,
}

/// `struct pps_kinfo` of `linux/pps.h`: what PPS_FETCH returns.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct pps_kinfo {
    /// Sequence number of the last assert event.
    pub assert_sequence: u32,
    /// Sequence number of the last clear event.
    pub clear_sequence: u32,
    /// Time of the last assert event.
    pub assert_tu: pps_ktime,
    /// Time of the last clear event.
    pub clear_tu: pps_ktime,
    /// Current mode bits.
    pub current_mode: libc::c_int,
}

/// `struct pps_fdata` of `linux/pps.h`: PPS_FETCH's argument.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct pps_fdata {
    /// Filled in by the kernel.
    pub info: pps_kinfo,
    /// How long to wait for an event (zero: not at all).
    pub timeout: pps_ktime,
}

/// `struct pps_kparams` of `linux/pps.h`: PPS_GETPARAMS/SETPARAMS.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct pps_kparams {
    /// API version (`PPS_API_VERS_1`).
    pub api_version: libc::c_int,
    /// Mode bits.
    pub mode: libc::c_int,
    /// Offset compensation for assert events.
    pub assert_off_tu: pps_ktime,
    /// Offset compensation for clear events.
    pub clear_off_tu: pps_ktime,
}

/// `struct pps_bind_args` of `linux/pps.h`: PPS_KC_BIND's argument.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct pps_bind_args {
    /// Time stamp format (`PPS_TSFMT_TSPEC`).
    pub tsformat: libc::c_int,
    /// The edge(s) to bind (capture bits).
    pub edge: libc::c_int,
    /// The kernel consumer (`PPS_KC_HARDPPS`).
    pub consumer: libc::c_int,
}

// linux/pps.h declares the ioctls with pointer types
// (`_IOR('p', 0xa1, struct pps_kparams *)`), so the size field of their
// numbers holds the size of a pointer, not of the structure (8 on 64-bit
// systems, 4 on 32-bit ones), while the argument passed is a pointer to
// the structure itself. nix's `ioctl_read!` family would encode the size
// of the argument type, so the numbers are built here with nix's
// `request_code_*!` (the `_IOR`/`_IOW`/`_IOWR` of the architecture,
// powerpc, mips and sparc64 included) and the calls are made with the
// `_bad` variants, which take a ready number and the real argument type.

/// `PPS_GETPARAMS`: `_IOR('p', 0xa1, struct pps_kparams *)`.
pub const PPS_GETPARAMS: libc::Ioctl =
    nix::request_code_read!(b'p', 0xa1, size_of::<*mut pps_kparams>());
/// `PPS_SETPARAMS`: `_IOW('p', 0xa2, struct pps_kparams *)`.
pub const PPS_SETPARAMS: libc::Ioctl =
    nix::request_code_write!(b'p', 0xa2, size_of::<*mut pps_kparams>());
/// `PPS_GETCAP`: `_IOR('p', 0xa3, int *)`.
pub const PPS_GETCAP: libc::Ioctl =
    nix::request_code_read!(b'p', 0xa3, size_of::<*mut libc::c_int>());
/// `PPS_FETCH`: `_IOWR('p', 0xa4, struct pps_fdata *)`.
pub const PPS_FETCH: libc::Ioctl =
    nix::request_code_readwrite!(b'p', 0xa4, size_of::<*mut pps_fdata>());
/// `PPS_KC_BIND`: `_IOW('p', 0xa5, struct pps_bind_args *)`.
pub const PPS_KC_BIND: libc::Ioctl =
    nix::request_code_write!(b'p', 0xa5, size_of::<*mut pps_bind_args>());

/// The ioctl calls themselves, one function each (`unsafe`: the
/// descriptor must be open and the pointer valid for the structure).
mod ioctl {
    use super::{pps_bind_args, pps_fdata, pps_kparams};
    use super::{PPS_FETCH, PPS_GETCAP, PPS_GETPARAMS, PPS_KC_BIND, PPS_SETPARAMS};

    nix::ioctl_read_bad!(
        /// PPS_GETPARAMS: the kernel writes the current parameters.
        getparams,
        PPS_GETPARAMS,
        pps_kparams
    );
    nix::ioctl_write_ptr_bad!(
        /// PPS_SETPARAMS: the kernel reads new parameters.
        setparams,
        PPS_SETPARAMS,
        pps_kparams
    );
    nix::ioctl_read_bad!(
        /// PPS_GETCAP: the kernel writes the capability bits.
        getcap,
        PPS_GETCAP,
        libc::c_int
    );
    nix::ioctl_readwrite_bad!(
        /// PPS_FETCH: the kernel reads the timeout and writes the latest
        /// time stamps.
        fetch,
        PPS_FETCH,
        pps_fdata
    );
    nix::ioctl_write_ptr_bad!(
        /// PPS_KC_BIND: the kernel reads the binding.
        kc_bind,
        PPS_KC_BIND,
        pps_bind_args
    );
}

/// An open RFC 2783 PPS source.
#[derive(Debug)]
pub struct PpsSource {
    fd: OwnedFd,
    path: PathBuf,
    caps: PpsMode,
    edge: Option<PpsEdgeKind>,
    last_sequence: Option<u32>,
}

impl PpsSource {
    /// Opens a PPS device (`/dev/ppsN`, `/dev/gpsppsN`...) with
    /// `O_RDWR | O_NOCTTY | O_NONBLOCK` as ntpd's NMEA driver does, and
    /// checks that it answers PPS_GETCAP.
    pub fn open(path: &Path) -> Result<PpsSource, OsError> {
        let fd = open_path(
            path,
            OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
        )
        .map_err(|source| OsError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_owned(fd, path)
    }

    /// A PPS source on an already open descriptor (the serial device, for
    /// drivers that fall back to "PPS on the tty"). The descriptor is
    /// duplicated; the caller keeps its own.
    ///
    /// On Linux a tty never answers the PPS ioctls, so when PPS_GETCAP
    /// fails this looks for the PPS device the kernel created for that tty
    /// (PPS line discipline attached) and opens that, as ntpd's
    /// `ppsdev_reopen` does. Without one the first error (ENOTTY) is
    /// returned.
    pub fn from_fd(fd: BorrowedFd<'_>, path: &Path) -> Result<PpsSource, OsError> {
        let dup = dup_above_stdio(fd).map_err(|source| OsError::Pps {
            path: path.to_path_buf(),
            what: "dup",
            source,
        })?;
        match Self::from_owned(dup, path) {
            Ok(s) => Ok(s),
            Err(first) => match find_device_for_tty(fd) {
                Some(dev) => Self::open(&dev).map_err(|_| first),
                None => Err(first),
            },
        }
    }

    fn from_owned(fd: OwnedFd, path: &Path) -> Result<PpsSource, OsError> {
        let mut caps: libc::c_int = 0;
        // SAFETY: PPS_GETCAP writes one int through the pointer, which
        // points at a live local; on other devices the ioctl fails.
        if let Err(e) = unsafe { ioctl::getcap(fd.as_raw_fd(), &mut caps) } {
            return Err(OsError::Pps {
                path: path.to_path_buf(),
                what: "PPS_GETCAP",
                source: e.into(),
            });
        }
        Ok(PpsSource {
            fd,
            path: path.to_path_buf(),
            caps: PpsMode::from_bits_retain(caps),
            edge: None,
            last_sequence: None,
        })
    }

    /// The path given when opening (for the fallback: the serial device,
    /// or the matching PPS device found for it).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The capabilities PPS_GETCAP reported at open.
    pub fn capabilities(&self) -> PpsMode {
        self.caps
    }

    /// The edge [`PpsSource::fetch`] reports, once chosen.
    pub fn edge(&self) -> Option<PpsEdgeKind> {
        self.edge
    }

    /// The current kernel parameters (PPS_GETPARAMS).
    pub fn params(&self) -> Result<pps_kparams, OsError> {
        let mut p = pps_kparams::default();
        // SAFETY: PPS_GETPARAMS writes one pps_kparams through the pointer,
        // which points at a live, correctly laid out local.
        unsafe { ioctl::getparams(self.fd.as_raw_fd(), &mut p) }
            .map_err(|e| self.err("PPS_GETPARAMS", e.into()))?;
        Ok(p)
    }

    /// Captures `edge` with timespec time stamps (PPS_SETPARAMS with
    /// `PPS_CAPTUREASSERT` or `PPS_CAPTURECLEAR` + `PPS_TSFMT_TSPEC`, as
    /// ntpd's `refclock_params`), then watches that edge as
    /// [`PpsSource::watch`] does. Needs CAP_SYS_TIME (EPERM otherwise).
    pub fn configure(&mut self, edge: PpsEdgeKind) -> Result<(), OsError> {
        let capture = PpsMode::capture(edge);
        if !self.caps.contains(capture) {
            return Err(self.err(
                "PPS_SETPARAMS (edge not among the capabilities)",
                io::Error::from_raw_os_error(libc::EOPNOTSUPP),
            ));
        }
        let p = pps_kparams {
            api_version: PPS_API_VERS_1,
            mode: (capture | PpsMode::TSFMT_TSPEC).bits(),
            ..pps_kparams::default()
        };
        // SAFETY: PPS_SETPARAMS reads one pps_kparams through the pointer,
        // which points at a live, correctly laid out local.
        unsafe { ioctl::setparams(self.fd.as_raw_fd(), &p) }
            .map_err(|e| self.err("PPS_SETPARAMS", e.into()))?;
        self.watch(edge);
        Ok(())
    }

    /// Chooses the edge [`PpsSource::fetch`] reports without changing the
    /// kernel's parameters (for a source already capturing it, when
    /// setting parameters is not permitted). The next fetch starts afresh.
    pub fn watch(&mut self, edge: PpsEdgeKind) {
        self.edge = Some(edge);
        self.last_sequence = None;
    }

    /// The kernel's latest time stamps, without waiting (PPS_FETCH with a
    /// zero timeout).
    pub fn fetch_info(&self) -> Result<pps_kinfo, OsError> {
        let mut data = pps_fdata::default();
        loop {
            // SAFETY: PPS_FETCH reads and writes one pps_fdata through the
            // pointer, which points at a live, correctly laid out local.
            match unsafe { ioctl::fetch(self.fd.as_raw_fd(), &mut data) } {
                Ok(_) => return Ok(data.info),
                Err(Errno::EINTR) => {}
                Err(e) => return Err(self.err("PPS_FETCH", e.into())),
            }
        }
    }

    /// The newest edge of the watched kind, if it is new.
    ///
    /// `Some` only when the edge's sequence number changed since the
    /// previous fetch. The first fetch after [`PpsSource::configure`] (or
    /// [`PpsSource::watch`]) only records where the kernel stands: its
    /// time stamp may be arbitrarily old (ntpd drops that first value for
    /// the same reason, Bug 2689). `Ok(None)` also when no edge is chosen
    /// yet, as ntpd's `refclock_pps` without capture mode.
    pub fn fetch(&mut self) -> Result<Option<PpsEdge>, OsError> {
        let Some(kind) = self.edge else {
            return Ok(None);
        };
        let info = self.fetch_info()?;
        new_edge(kind, &info, &mut self.last_sequence).map_err(|e| self.err("PPS_FETCH", e))
    }

    /// Binds the kernel's hardpps() to `edge` of this source
    /// (PPS_KC_BIND, as `time_pps_kcbind(PPS_KC_HARDPPS, ...)` in ntpd's
    /// `refclock_params` with flag3). Needs CAP_SYS_TIME and a kernel
    /// built with NTP_PPS; failures come back as [`OsError::Pps`]
    /// ([`OsError::is_unsupported`] tells "not available" apart).
    pub fn kernel_bind_hardpps(&mut self, edge: PpsEdgeKind) -> Result<(), OsError> {
        let args = pps_bind_args {
            tsformat: PpsMode::TSFMT_TSPEC.bits(),
            edge: PpsMode::capture(edge).bits(),
            consumer: PPS_KC_HARDPPS,
        };
        // SAFETY: PPS_KC_BIND reads one pps_bind_args through the pointer,
        // which points at a live, correctly laid out local.
        unsafe { ioctl::kc_bind(self.fd.as_raw_fd(), &args) }
            .map_err(|e| self.err("PPS_KC_BIND", e.into()))?;
        Ok(())
    }

    fn err(&self, what: &'static str, source: io::Error) -> OsError {
        OsError::Pps {
            path: self.path.clone(),
            what,
            source,
        }
    }
}

impl AsFd for PpsSource {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// The edge of kind `kind` in `info` when its sequence number differs
/// from `*last` (which is updated); `None` on the first call (`*last` is
/// `None`) and while the sequence number stays the same.
fn new_edge(
    kind: PpsEdgeKind,
    info: &pps_kinfo,
    last: &mut Option<u32>,
) -> io::Result<Option<PpsEdge>> {
    let (sequence, tu) = match kind {
        PpsEdgeKind::Assert => (info.assert_sequence, info.assert_tu),
        PpsEdgeKind::Clear => (info.clear_sequence, info.clear_tu),
    };
    let previous = last.replace(sequence);
    if previous.is_none_or(|p| p == sequence) {
        return Ok(None);
    }
    Ok(Some(PpsEdge {
        time: ktime_to_timestamp(tu)?,
        sequence,
        kind,
    }))
}

/// A kernel time stamp as a [`Timestamp`]; `InvalidData` when the
/// nanoseconds are out of range.
pub fn ktime_to_timestamp(t: pps_ktime) -> io::Result<Timestamp> {
    match u32::try_from(t.nsec) {
        Ok(ns) if ns < 1_000_000_000 => Ok(Timestamp::new(t.sec, ns)),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("PPS time stamp with nanoseconds {}", t.nsec),
        )),
    }
}

/// The PPS device the kernel created for the tty open on `fd` (PPS line
/// discipline attached), found as ntpd's `findMatchingPpsDev` does: the
/// entry of `/sys/class/pps` whose `path` names a device with the tty's
/// device number; its `dev` (`major:minor`) is then looked up as
/// `/dev/<entry>` or, failing that, among the character devices in `/dev`.
pub fn find_device_for_tty(fd: BorrowedFd<'_>) -> Option<PathBuf> {
    let tty = std::fs::File::from(fd.try_clone_to_owned().ok()?)
        .metadata()
        .ok()?;
    if !is_char_device(&tty) {
        return None;
    }
    for entry in std::fs::read_dir("/sys/class/pps").ok()?.flatten() {
        let name = entry.file_name();
        if !name.as_encoded_bytes().starts_with(b"pps") {
            continue;
        }
        let dir = entry.path();
        let Ok(tty_path) = std::fs::read_to_string(dir.join("path")) else {
            continue;
        };
        match std::fs::metadata(tty_path.trim_end()) {
            Ok(m) if is_char_device(&m) && m.rdev() == tty.rdev() => {}
            _ => continue,
        }
        let Some((major, minor)) = std::fs::read_to_string(dir.join("dev"))
            .ok()
            .and_then(|s| parse_major_minor(&s))
        else {
            continue;
        };
        let matches = |p: &Path| {
            std::fs::symlink_metadata(p).is_ok_and(|m| {
                is_char_device(&m)
                    && libc::major(m.rdev()) == major
                    && libc::minor(m.rdev()) == minor
            })
        };
        let direct = Path::new("/dev").join(&name);
        if matches(&direct) {
            return Some(direct);
        }
        return std::fs::read_dir("/dev")
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| matches(p));
    }
    None
}

fn is_char_device(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    m.file_type().is_char_device()
}

fn parse_major_minor(s: &str) -> Option<(libc::c_uint, libc::c_uint)> {
    let (a, b) = s.trim_end().split_once(':')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

#[cfg(test)]
#[path = "pps_tests.rs"]
mod tests;
