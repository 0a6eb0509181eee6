//! Real-time scheduling for the receive path (`-P PRIORITY`, as ntpd's
//! `-P`): SCHED_FIFO at a priority and all memory locked, so the process
//! wakes from `poll()` ahead of ordinary work and never waits for a page.

use nix::sys::mman::{mlockall, MlockAllFlags};

/// What failed.
#[derive(Debug, thiserror::Error)]
pub enum SchedError {
    /// The priority is outside SCHED_FIFO's range.
    #[error("priority {priority} outside SCHED_FIFO's range {min}..={max}")]
    BadPriority {
        /// Asked for.
        priority: i32,
        /// Lowest allowed.
        min: i32,
        /// Highest allowed.
        max: i32,
    },
    /// sched_setscheduler failed (usually: not permitted).
    #[error("sched_setscheduler(SCHED_FIFO, {priority}) failed: {source}")]
    Scheduler {
        /// Asked for.
        priority: i32,
        /// The OS error.
        source: std::io::Error,
    },
    /// mlockall failed.
    #[error("mlockall() failed: {0}")]
    Lock(std::io::Error),
}

// nix has no sched_get_priority_*, sched_setscheduler, sched_getscheduler
// or sched_getparam, hence libc for those.

/// The SCHED_FIFO priority range of this system.
pub fn fifo_range() -> (i32, i32) {
    // SAFETY: plain queries with an integer argument, no pointers.
    unsafe {
        (
            libc::sched_get_priority_min(libc::SCHED_FIFO),
            libc::sched_get_priority_max(libc::SCHED_FIFO),
        )
    }
}

/// Switches the whole process to SCHED_FIFO at `priority` and locks its
/// current and future memory.
pub fn set_realtime(priority: i32) -> Result<(), SchedError> {
    let (min, max) = fifo_range();
    if priority < min || priority > max {
        return Err(SchedError::BadPriority { priority, min, max });
    }
    let param = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: `param` is a valid sched_param that outlives the call; pid 0
    // is this process.
    if unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &param) } != 0 {
        return Err(SchedError::Scheduler {
            priority,
            source: std::io::Error::last_os_error(),
        });
    }
    mlockall(MlockAllFlags::MCL_CURRENT | MlockAllFlags::MCL_FUTURE)
        .map_err(|e| SchedError::Lock(e.into()))
}

/// The current scheduling policy and priority of this process.
pub fn current() -> (i32, i32) {
    let mut param = libc::sched_param { sched_priority: 0 };
    // SAFETY: no pointer; pid 0 is this process.
    let policy = unsafe { libc::sched_getscheduler(0) };
    // SAFETY: `param` is writable and outlives the call; pid 0 is this
    // process.
    unsafe { libc::sched_getparam(0, &mut param) };
    (policy, param.sched_priority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_priority_is_refused_before_any_change() {
        let (min, max) = fifo_range();
        assert!(min >= 1 && max >= min);
        assert!(matches!(
            set_realtime(max + 1),
            Err(SchedError::BadPriority { .. })
        ));
        assert!(matches!(
            set_realtime(0),
            Err(SchedError::BadPriority { .. })
        ));
        assert_eq!(current().0, libc::SCHED_OTHER);
    }
}
