//! Watching for devices that come back: inotify on the directories of
//! the lost ports' paths (and of a symbolic link's target), so a returning
//! device is reopened at once instead of at the next back-off step.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};

use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, WatchDescriptor};

/// Directories watched, and which names in them matter.
pub(super) struct Watcher {
    inotify: Inotify,
    dirs: HashMap<WatchDescriptor, (PathBuf, Vec<OsString>)>,
}

impl Watcher {
    /// A watcher; `None` when inotify is unavailable (the back-off alone
    /// then finds the device again).
    pub(super) fn new() -> Option<Watcher> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).ok()?;
        Some(Watcher {
            inotify,
            dirs: HashMap::new(),
        })
    }

    pub(super) fn fd(&self) -> BorrowedFd<'_> {
        self.inotify.as_fd()
    }

    /// Watches for `path` (and, when it is a symbolic link, its target)
    /// to appear or change.
    pub(super) fn watch(&mut self, path: &Path) {
        let mut names = vec![path.to_path_buf()];
        if let Ok(target) = std::fs::read_link(path) {
            let target = if target.is_relative() {
                path.parent().unwrap_or(Path::new("/")).join(target)
            } else {
                target
            };
            names.push(target);
        }
        for p in names {
            let (Some(dir), Some(name)) = (p.parent(), p.file_name()) else {
                continue;
            };
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            let flags = AddWatchFlags::IN_CREATE
                | AddWatchFlags::IN_MOVED_TO
                | AddWatchFlags::IN_ATTRIB
                | AddWatchFlags::IN_CLOSE_WRITE;
            if let Ok(wd) = self.inotify.add_watch(dir, flags) {
                let entry = self
                    .dirs
                    .entry(wd)
                    .or_insert_with(|| (dir.to_path_buf(), Vec::new()));
                if !entry.1.iter().any(|n| n == name) {
                    entry.1.push(name.to_os_string());
                }
            }
        }
    }

    /// Reads the pending events; true when one concerns a watched name.
    pub(super) fn something_appeared(&mut self) -> bool {
        let mut hit = false;
        while let Ok(events) = self.inotify.read_events() {
            if events.is_empty() {
                break;
            }
            for e in events {
                if let (Some((_, names)), Some(name)) = (self.dirs.get(&e.wd), &e.name) {
                    hit |= names.iter().any(|n| n == name);
                }
            }
        }
        hit
    }

    /// Stops watching everything (when no port is lost any more).
    pub(super) fn clear(&mut self) {
        for (wd, _) in self.dirs.drain() {
            let _ = self.inotify.rm_watch(wd);
        }
    }

    /// Whether anything is watched.
    pub(super) fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }
}
