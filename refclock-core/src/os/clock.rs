//! Reading the system clock.

use crate::time::Timestamp;

/// `CLOCK_REALTIME` now.
pub fn now() -> Timestamp {
    read(libc::CLOCK_REALTIME)
}

/// `CLOCK_MONOTONIC` now (for scheduling, never for samples).
pub fn monotonic() -> Timestamp {
    read(libc::CLOCK_MONOTONIC)
}

fn read(id: libc::clockid_t) -> Timestamp {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime only writes it.
    let r = unsafe { libc::clock_gettime(id, &mut ts) };
    debug_assert_eq!(r, 0, "clock_gettime cannot fail for these clocks");
    Timestamp::new(ts.tv_sec, ts.tv_nsec as u32)
}
