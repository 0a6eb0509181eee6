//! UUCP-style port lock files: before a shared port (a modem) is opened a
//! file is created exclusively with the owner's PID in it, and removed
//! when the port is closed; another program that honours the convention
//! (a dialler, getty, another `ntp-refclock`) then leaves the port alone
//! while it is in use. ntpd's ACTS driver does this with `flag2`.
//!
//! A lock whose PID no longer runs is stale (left by a process that died)
//! and is replaced; ntpd never removes one, so a crash there keeps the
//! modem locked until someone deletes the file.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;

use crate::os::error::OsError;

/// A held lock; dropping it removes the file.
#[derive(Debug)]
pub struct PortLock {
    path: PathBuf,
}

impl PortLock {
    /// Creates `path` exclusively (mode 0644) with this process's PID as
    /// ASCII and a newline. When it exists: a stale lock (its PID not a
    /// live process, or no PID in it at all) is removed and the creation
    /// tried once more; a live one is an `AlreadyExists` error naming the
    /// holder.
    pub fn acquire(path: &Path) -> Result<PortLock, OsError> {
        let err = |source| OsError::Lock {
            path: path.to_path_buf(),
            source,
        };
        for _ in 0..2 {
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .open(path)
            {
                Ok(mut f) => {
                    let lock = PortLock {
                        path: path.to_path_buf(),
                    };
                    f.write_all(format!("{}\n", std::process::id()).as_bytes())
                        .map_err(err)?;
                    return Ok(lock);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match holder(path) {
                    Some(pid) if alive(pid) => {
                        return Err(err(io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            format!("the port is in use by process {pid}"),
                        )))
                    }
                    _ => match std::fs::remove_file(path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(err(e)),
                    },
                },
                Err(e) => return Err(err(e)),
            }
        }
        Err(err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the lock came back at once (another process took it)",
        )))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PortLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The PID a lock file names: ASCII (UUCP's and ntpd's form, spaces
/// allowed) or the old binary 4-byte form.
fn holder(path: &Path) -> Option<i32> {
    let bytes = std::fs::read(path).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    match text.trim().parse::<i32>() {
        Ok(pid) if pid > 0 => Some(pid),
        _ if bytes.len() == 4 => {
            Some(i32::from_ne_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])).filter(|&p| p > 0)
        }
        _ => None,
    }
}

/// Whether process `pid` exists (EPERM: it does, owned by another user).
fn alive(pid: i32) -> bool {
    !matches!(kill(Pid::from_raw(pid), None), Err(Errno::ESRCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("refclock-lock-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p
    }

    #[test]
    fn a_lock_holds_the_pid_and_goes_with_its_holder() {
        let p = temp("held");
        let lock = PortLock::acquire(&p).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            format!("{}\n", std::process::id())
        );
        // Held by a live process (this one): refused, the file kept.
        let e = PortLock::acquire(&p).unwrap_err();
        assert!(e.to_string().contains("in use by process"), "{e}");
        assert!(p.exists());
        drop(lock);
        assert!(!p.exists());
        drop(PortLock::acquire(&p).unwrap());
    }

    #[test]
    fn a_stale_lock_is_replaced() {
        let p = temp("stale");
        // A PID that cannot be running (above the kernel's pid_max).
        std::fs::write(&p, "  4194305\n").unwrap();
        let lock = PortLock::acquire(&p).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap().trim(),
            std::process::id().to_string()
        );
        drop(lock);
        // No PID at all: stale too.
        std::fs::write(&p, "garbage").unwrap();
        drop(PortLock::acquire(&p).unwrap());
        assert!(!p.exists());
    }

    #[test]
    fn a_lock_in_a_missing_directory_is_an_error_naming_it() {
        let e = PortLock::acquire(Path::new("/nonexistent-dir/LCK..cua0")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent-dir/LCK..cua0"), "{e}");
        assert!(e.is_device_gone(), "ENOENT");
    }
}
