//! Reading the system clock.

use nix::time::{clock_gettime, ClockId};

use crate::time::Timestamp;

/// `CLOCK_REALTIME` now.
pub fn now() -> Timestamp {
    read(ClockId::CLOCK_REALTIME)
}

/// `CLOCK_MONOTONIC` now (for scheduling, never for samples).
pub fn monotonic() -> Timestamp {
    read(ClockId::CLOCK_MONOTONIC)
}

fn read(id: ClockId) -> Timestamp {
    let ts = clock_gettime(id);
    debug_assert!(ts.is_ok(), "clock_gettime cannot fail for these clocks");
    ts.map_or(Timestamp::new(0, 0), |ts| {
        Timestamp::new(ts.tv_sec(), ts.tv_nsec() as u32)
    })
}

/// The kernel's view of the system clock as a leap indicator, as the C
/// ntp-refclock's `sys_leap_update` derives ntpd's `sys_leap` once a
/// second from `ntp_adjtime`: an error or a maximum error above 0.4 s is
/// "not in sync", a pending insertion or deletion is announced, anything
/// else is "no warning". Needs no privilege (it changes nothing).
pub fn system_leap() -> crate::sample::Leap {
    use crate::sample::Leap;
    // nix has no ntp_adjtime/adjtimex, hence libc.
    // SAFETY: timex is plain old data; a zeroed one (modes 0) only asks
    // for the current state.
    let mut tx: libc::timex = unsafe { std::mem::zeroed() };
    // SAFETY: `tx` is a valid, writable timex that outlives the call.
    let state = unsafe { libc::ntp_adjtime(&mut tx) };
    match state {
        s if s < 0 || s == libc::TIME_ERROR => Leap::NotInSync,
        _ if tx.maxerror > 400_000 => Leap::NotInSync,
        libc::TIME_INS => Leap::AddSecond,
        libc::TIME_DEL => Leap::DelSecond,
        _ => Leap::NoWarning,
    }
}
