//! The interface between the PARSE driver and one libparse format
//! (`clockformat_t` plus the mode's `cl_poll`/`cl_init`/`cl_event`
//! hooks of ntpd's `parse_clockinfo[]`).
//!
//! A format frames the bytes of its clock, decodes each frame into a
//! [`ParseTime`] stamped with the receive time of its on-time byte, and,
//! where ntpd's mode talks to the clock, writes its queries through the
//! [`Context`]. The driver ([`super::ParseDriver`]) does everything
//! common to the modes: status, trust time, leap, PPS, samples, polls.

use refclock_core::{ClockEvent, Context, Timestamp};

use super::time::{ParseError, ParseTime};

/// What a format gives for one frame.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded {
    /// A timecode (libparse `CVT_OK`).
    Time {
        /// The time and status it names.
        time: ParseTime,
        /// The receive time of the read that held the format's on-time
        /// byte (libparse's `parse_stime`).
        rectime: Timestamp,
        /// The frame as received, for the clockstats line and `-d`
        /// (printable ASCII; others as `<XX>` hex).
        text: String,
    },
    /// A frame without a time (libparse `CVT_NONE`): a status packet, an
    /// acknowledgement, a position. `note` is a clockstats line if the
    /// format reports one (ntpd's `cl_message`).
    Other {
        /// A clockstats line, if any.
        note: Option<String>,
    },
    /// A frame that failed (libparse `CVT_FAIL`): counted as
    /// [`ParseError::event`], never a sample.
    Error {
        /// Why.
        error: ParseError,
        /// The frame as received (as in `Time::text`).
        text: String,
    },
}

/// One libparse format with the hooks of its ntpd mode.
///
/// `feed` must never panic, whatever the bytes; a partial frame waits
/// for the next `feed`.
pub trait Format: Send + std::fmt::Debug {
    /// libparse's format name (`cl_format`), e.g. `"Meinberg Standard"`.
    fn name(&self) -> &'static str;

    /// Bytes from the clock's port, all received by the read at
    /// `rectime`; complete frames are pushed onto `out` in order.
    fn feed(&mut self, data: &[u8], rectime: Timestamp, out: &mut Vec<Decoded>);

    /// Forgets a partial frame and any dialogue state (the port closed).
    fn reset(&mut self);

    /// The port has opened (ntpd's `cl_init`): start-up strings, modem
    /// lines (`ctx.modem_lines`; on a pty they fail and only warn). Sent
    /// again after each reopen.
    fn on_open(&mut self, ctx: &mut Context<'_>) {
        let _ = ctx;
    }

    /// Once a second (the timer-driven polls: Schmid's poll byte,
    /// the Meinberg GPS queries every 6 s).
    fn on_second(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let _ = (ctx, now);
    }

    /// Once per poll interval (ntpd's `cl_poll` called from
    /// `parse_poll`: modes 9, 10, 11 and 24).
    fn on_poll(&mut self, ctx: &mut Context<'_>, now: Timestamp) {
        let _ = (ctx, now);
    }

    /// An event the driver posted (ntpd's `cl_event`: TAIP and TSIP
    /// reset their receivers on a bad reply or a time-out).
    fn on_event(&mut self, ctx: &mut Context<'_>, event: ClockEvent, now: Timestamp) {
        let _ = (ctx, event, now);
    }
}

/// A frame as text for the logs: printable ASCII as is, other bytes as
/// `<XX>` (ntpd's `mkascii` writes them as `\xXX`-like escapes).
pub fn frame_text(frame: &[u8]) -> String {
    let mut s = String::with_capacity(frame.len());
    for &b in frame {
        if (0x20..0x7f).contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("<{b:02X}>"));
        }
    }
    s
}
