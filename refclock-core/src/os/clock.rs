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

/// The kernel's view of the system clock as a leap indicator, as the C
/// ntp-refclock's `sys_leap_update` derives ntpd's `sys_leap` once a
/// second from `ntp_adjtime`: an error or a maximum error above 0.4 s is
/// "not in sync", a pending insertion or deletion is announced, anything
/// else is "no warning". Needs no privilege (it changes nothing).
pub fn system_leap() -> crate::sample::Leap {
    use crate::sample::Leap;
    // SAFETY: a zeroed timex (modes 0) only asks for the current state.
    let mut tx: libc::timex = unsafe { std::mem::zeroed() };
    // SAFETY: `tx` is a valid, writable timex.
    let state = unsafe { libc::ntp_adjtime(&mut tx) };
    match state {
        s if s < 0 || s == libc::TIME_ERROR => Leap::NotInSync,
        _ if tx.maxerror > 400_000 => Leap::NotInSync,
        libc::TIME_INS => Leap::AddSecond,
        libc::TIME_DEL => Leap::DelSecond,
        _ => Leap::NoWarning,
    }
}
