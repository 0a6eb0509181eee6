//! Dropping root: chroot to a directory and become another user, in the C
//! ntp-refclock's order (look the user up, chroot, chdir /, setgroups,
//! setgid, setuid), after the devices are open.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::unistd::{self, User};

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
    unistd::geteuid().is_root()
}

fn check(call: &'static str, r: nix::Result<()>) -> Result<(), PrivError> {
    r.map_err(|e| PrivError::Call {
        call,
        source: e.into(),
    })
}

/// Chroots to `dir` and switches to `user` (uid, gid, no supplementary
/// groups). Call only as root.
///
/// The user is looked up with `getpwnam_r` (reentrant); a lookup that
/// fails for any reason is "no passwd entry", as `getpwnam` returning
/// NULL was.
pub fn drop_root(user: &str, dir: &Path) -> Result<(), PrivError> {
    if user.contains('\0') {
        return Err(PrivError::BadName(user.into()));
    }
    let dir_s = dir.to_string_lossy().into_owned();
    if dir.as_os_str().as_bytes().contains(&0) {
        return Err(PrivError::BadName(dir_s));
    }
    let Ok(Some(pw)) = User::from_name(user) else {
        return Err(PrivError::NoUser(user.into()));
    };
    unistd::chroot(dir).map_err(|e| PrivError::Chroot {
        dir: dir_s,
        source: e.into(),
    })?;
    check("chdir(/)", unistd::chdir("/"))?;
    check("setgroups()", unistd::setgroups(&[]))?;
    check("setgid()", unistd::setgid(pw.gid))?;
    check("setuid()", unistd::setuid(pw.uid))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_user_and_bad_names_fail_before_any_change() {
        let dir = Path::new("/nonexistent/refclock-root");
        let e = drop_root("refclock-no-such-user-x", dir).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Could not get passwd entry for user refclock-no-such-user-x"
        );
        assert!(matches!(drop_root("a\0b", dir), Err(PrivError::BadName(_))));
        assert!(matches!(
            drop_root("root", Path::new("/tmp/a\0b")),
            Err(PrivError::BadName(_))
        ));
    }
}
