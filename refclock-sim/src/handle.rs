//! The handle of a running simulation and the state it shares with the
//! simulator thread: truth records, device events, the current slave
//! path, the stop flag.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::truth::{SimEvent, TruthRecord};
use crate::SimError;

/// State shared between the thread and its handle.
#[derive(Default)]
pub(crate) struct Inner {
    pub(crate) records: VecDeque<TruthRecord>,
    pub(crate) total: u64,
    pub(crate) events: Vec<SimEvent>,
    pub(crate) slave: Option<PathBuf>,
    pub(crate) running: bool,
    pub(crate) received: u64,
}

/// What the handle and the thread share: the state behind a lock, a
/// condition variable signalled on every new record or event, the stop flag.
pub(crate) struct Shared {
    pub(crate) inner: Mutex<Inner>,
    pub(crate) cond: Condvar,
    pub(crate) stop: AtomicBool,
    pub(crate) capacity: usize,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves plain data; go on.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// A running simulation. Dropping it stops the thread (and removes the
/// link and the pty).
pub struct SimHandle {
    pub(crate) shared: Arc<Shared>,
    pub(crate) path: PathBuf,
    pub(crate) thread: Option<JoinHandle<Result<(), SimError>>>,
    /// A directory of ours holding the link, removed when the handle goes.
    pub(crate) private_dir: Option<PathBuf>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("path", &self.path)
            .field("running", &self.is_running())
            .finish()
    }
}

impl SimHandle {
    /// The path a driver should open: the link when one was configured,
    /// else the first pty's slave (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The current pty's slave path; `None` while the device is gone.
    pub fn slave_path(&self) -> Option<PathBuf> {
        self.shared.lock().slave.clone()
    }

    /// The truth records kept so far (at most `truth_capacity`, oldest
    /// first).
    pub fn truth(&self) -> Vec<TruthRecord> {
        self.shared.lock().records.iter().cloned().collect()
    }

    /// How many truth records were made in total.
    pub fn records_made(&self) -> u64 {
        self.shared.lock().total
    }

    /// Waits until at least `n` records were made, the thread ended, or
    /// `timeout` passed; returns the records kept.
    pub fn wait_for_records(&self, n: u64, timeout: Duration) -> Vec<TruthRecord> {
        let deadline = Instant::now() + timeout;
        let mut g = self.shared.lock();
        while g.total < n && g.running {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            g = self
                .shared
                .cond
                .wait_timeout(g, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        g.records.iter().cloned().collect()
    }

    /// The device events so far (appear, vanish, stop, errors).
    pub fn events(&self) -> Vec<SimEvent> {
        self.shared.lock().events.clone()
    }

    /// Waits until an event satisfying `pred` exists (returns the first
    /// such) or `timeout` passes.
    pub fn wait_for_event(
        &self,
        timeout: Duration,
        pred: impl Fn(&SimEvent) -> bool,
    ) -> Option<SimEvent> {
        let deadline = Instant::now() + timeout;
        let mut g = self.shared.lock();
        loop {
            if let Some(e) = g.events.iter().find(|e| pred(e)) {
                return Some(e.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !g.running {
                return None;
            }
            g = self
                .shared
                .cond
                .wait_timeout(g, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Bytes the driver side wrote to the simulated device (read from the
    /// master and handed to the model).
    pub fn bytes_received(&self) -> u64 {
        self.shared.lock().received
    }

    /// Whether the thread is still running (it ends by itself after
    /// `duration`).
    pub fn is_running(&self) -> bool {
        self.shared.lock().running
    }

    /// Waits for the thread to end by itself (after `duration`) and
    /// returns how it ended. Without a duration this waits for ever.
    pub fn wait(&mut self) -> Result<(), SimError> {
        match self.thread.take() {
            None => Ok(()),
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(SimError::Thread("panicked".into()))),
        }
    }

    /// Stops the thread, closes the pty, removes the link; returns how the
    /// thread ended. Records and events stay readable.
    pub fn stop(&mut self) -> Result<(), SimError> {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.wait()
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.stop();
        if let Some(dir) = self.private_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
