//! A driver's status file: a regular file, created with its whole initial
//! content and mapped shared, which the driver updates in place
//! ([`Action::StatusWrite`](crate::Action::StatusWrite)) and other
//! programs map and read at any time (ntpd's Oncore `STATUS` file, which
//! monitoring tools read this way).
//!
//! It is created when the clock is added to the host, before the chroot
//! and the change of user, so it may live outside the chroot and stay
//! owned by root; the mapping outlives both. A store is a `memcpy` into
//! the mapping: no system call on the receive path.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::num::NonZeroUsize;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};

/// A created and mapped status file.
#[derive(Debug)]
pub struct StatusFile {
    path: PathBuf,
    map: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is owned by this value alone (nothing else in the
// process holds its address), so moving it to another thread is moving
// the ownership of plain memory.
unsafe impl Send for StatusFile {}

/// Why a store was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("status file {path}: {len} bytes at offset {offset} do not fit in its {size} bytes")]
pub struct OutOfRange {
    /// The file.
    pub path: PathBuf,
    /// Where the store was to go.
    pub offset: usize,
    /// How many bytes.
    pub len: usize,
    /// The file's size.
    pub size: usize,
}

impl StatusFile {
    /// Creates (or truncates) `path` with mode 0644, writes `image` and
    /// maps it shared. An empty image is refused (nothing to map).
    pub fn create(path: &Path, image: &[u8]) -> io::Result<StatusFile> {
        let len = NonZeroUsize::new(image.len()).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "empty status file image")
        })?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(path)?;
        file.write_all(image)?;
        // SAFETY: a fresh shared mapping of a file we just wrote `len`
        // bytes to, at an address the kernel chooses; nothing aliases it.
        let map = unsafe {
            mmap(
                None,
                len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
                &file,
                0,
            )
        }
        .map_err(io::Error::from)?;
        Ok(StatusFile {
            path: path.to_path_buf(),
            map: map.cast(),
            len: len.get(),
        })
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: an empty file is never created.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Stores `data` at `offset`; refused whole when it does not fit.
    pub fn store(&mut self, offset: usize, data: &[u8]) -> Result<(), OutOfRange> {
        match offset.checked_add(data.len()) {
            Some(end) if end <= self.len => {
                self.bytes_mut()[offset..end].copy_from_slice(data);
                Ok(())
            }
            _ => Err(OutOfRange {
                path: self.path.clone(),
                offset,
                len: data.len(),
                size: self.len,
            }),
        }
    }

    /// The mapped bytes as they are now.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `map` is a live mapping of `len` bytes owned by self.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr(), self.len) }
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `bytes`, and `&mut self` makes the borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.map.as_ptr(), self.len) }
    }
}

impl Drop for StatusFile {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `create`, unmapped once, here.
        let _ = unsafe { munmap(self.map.cast(), self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("refclock-status-{}-{name}", std::process::id()))
    }

    #[test]
    fn stores_reach_the_file_and_other_readers() {
        let path = temp("store");
        std::fs::write(&path, b"old content that is longer than the new one").unwrap();
        let mut f = StatusFile::create(&path, &[0u8; 16]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), vec![0u8; 16], "truncated");
        f.store(4, b"@@Ha").unwrap();
        f.store(15, b"x").unwrap();
        // Another reader of the file sees the stores at once (shared map).
        let seen = std::fs::read(&path).unwrap();
        assert_eq!(&seen[4..8], b"@@Ha");
        assert_eq!(seen[15], b'x');
        assert_eq!(&f.bytes()[4..8], b"@@Ha");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & !0o022, 0o644 & !0o022, "0644 less the umask");
        drop(f);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_store_that_does_not_fit_is_refused_whole() {
        let path = temp("range");
        let mut f = StatusFile::create(&path, &[1u8; 8]).unwrap();
        let e = f.store(6, b"abc").unwrap_err();
        assert_eq!((e.offset, e.len, e.size), (6, 3, 8));
        assert!(f.store(usize::MAX, b"a").is_err());
        assert_eq!(f.bytes(), &[1u8; 8], "nothing stored");
        assert!(e.to_string().contains("do not fit"));
        drop(f);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn an_empty_image_or_an_unwritable_place_is_an_error() {
        assert!(StatusFile::create(&temp("empty"), &[]).is_err());
        assert!(StatusFile::create(Path::new("/nonexistent-dir/status"), b"x").is_err());
    }
}
