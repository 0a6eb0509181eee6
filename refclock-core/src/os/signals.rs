//! Termination signals: SIGINT, SIGTERM, SIGQUIT and SIGHUP set a flag the
//! host loop checks; `poll()` returns EINTR so the loop notices at once.

use std::sync::atomic::{AtomicI32, Ordering};

static QUIT_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    QUIT_SIGNAL.store(sig, Ordering::SeqCst);
}

/// Installs the handler for SIGINT, SIGTERM, SIGQUIT and SIGHUP (without
/// SA_RESTART, so a blocked `poll()` returns EINTR).
pub fn install() -> std::io::Result<()> {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGQUIT, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction is a valid "no flags, empty mask"
        // value; the handler only stores into an atomic, which is
        // async-signal-safe.
        let r = unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut())
        };
        if r != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// The signal that asked us to quit, if one did.
pub fn quit_signal() -> Option<i32> {
    match QUIT_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Asks the loop to stop as if `sig` had arrived (for embedders and tests).
pub fn request_quit(sig: i32) {
    QUIT_SIGNAL.store(sig, Ordering::SeqCst);
}
