//! Termination signals: SIGINT, SIGTERM, SIGQUIT and SIGHUP set a flag the
//! host loop checks; `poll()` returns EINTR so the loop notices at once.

use std::sync::atomic::{AtomicI32, Ordering};

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

static QUIT_SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    QUIT_SIGNAL.store(sig, Ordering::SeqCst);
}

/// Installs the handler for SIGINT, SIGTERM, SIGQUIT and SIGHUP (without
/// SA_RESTART, so a blocked `poll()` returns EINTR).
pub fn install() -> std::io::Result<()> {
    // No flags (in particular no SA_RESTART), nothing else blocked.
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for sig in [
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGQUIT,
        Signal::SIGHUP,
    ] {
        // SAFETY: the handler only stores into an atomic, which is
        // async-signal-safe.
        unsafe { sigaction(sig, &action) }?;
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
