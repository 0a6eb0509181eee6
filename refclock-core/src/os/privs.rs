//! Dropping root: chroot to a directory and become another user, in the C
//! ntp-refclock's order (getpwnam, chroot, chdir /, setgroups, setgid,
//! setuid), after the devices are open.

use std::ffi::CString;
use std::path::Path;

/// What failed while dropping privileges.
#[derive(Debug, thiserror::Error)]
pub enum PrivError {
    /// No passwd entry for the user.
    #[error("Could not get passwd entry for user {0}")]
    NoUser(String),
    /// A name or path with a NUL byte.
    #[error("invalid name {0:?}")]
    BadName(String),
    /// chroot failed.
    #[error("Could not change root directory to {dir}: {source}")]
    Chroot {
        /// The directory.
        dir: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// One of chdir, setgroups, setgid, setuid failed.
    #[error("{call} failed: {source}")]
    Call {
        /// Which call.
        call: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Whether the effective user is root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn check(call: &'static str, r: libc::c_int) -> Result<(), PrivError> {
    if r == 0 {
        Ok(())
    } else {
        Err(PrivError::Call {
            call,
            source: std::io::Error::last_os_error(),
        })
    }
}

/// Chroots to `dir` and switches to `user` (uid, gid, no supplementary
/// groups). Call only as root.
pub fn drop_root(user: &str, dir: &Path) -> Result<(), PrivError> {
    let cuser = CString::new(user).map_err(|_| PrivError::BadName(user.into()))?;
    let dir_s = dir.to_string_lossy().into_owned();
    let cdir = CString::new(dir_s.clone()).map_err(|_| PrivError::BadName(dir_s.clone()))?;
    // SAFETY: `cuser` is a valid C string; getpwnam returns NULL or a
    // pointer to static storage that we read before any other passwd call.
    let (uid, gid) = unsafe {
        let pw = libc::getpwnam(cuser.as_ptr());
        if pw.is_null() {
            return Err(PrivError::NoUser(user.into()));
        }
        ((*pw).pw_uid, (*pw).pw_gid)
    };
    // SAFETY: `cdir` is a valid C string.
    if unsafe { libc::chroot(cdir.as_ptr()) } != 0 {
        return Err(PrivError::Chroot {
            dir: dir_s,
            source: std::io::Error::last_os_error(),
        });
    }
    // SAFETY: a static NUL-terminated path.
    check("chdir(/)", unsafe { libc::chdir(c"/".as_ptr()) })?;
    // SAFETY: a zero-length group list with a null pointer is allowed.
    check("setgroups()", unsafe {
        libc::setgroups(0, std::ptr::null())
    })?;
    // SAFETY: plain integer arguments.
    check("setgid()", unsafe { libc::setgid(gid) })?;
    // SAFETY: plain integer arguments.
    check("setuid()", unsafe { libc::setuid(uid) })?;
    Ok(())
}
