//! Clock status and event codes (ntpd's `CEVNT_*`).

use core::fmt;

/// A clock event, as `refclock_report()` records it (include/ntp_refclock.h).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum ClockEvent {
    /// Nominal operation (`CEVNT_NOMINAL`).
    #[default]
    Nominal = 0,
    /// No reply from the clock (`CEVNT_TIMEOUT`); counts `noreply`.
    Timeout = 1,
    /// Malformed reply (`CEVNT_BADREPLY`); counts `badformat`.
    BadReply = 2,
    /// Hardware or device fault (`CEVNT_FAULT`).
    Fault = 3,
    /// Propagation failure / not synchronised (`CEVNT_PROP`).
    Prop = 4,
    /// Bad date (`CEVNT_BADDATE`); counts `baddata`.
    BadDate = 5,
    /// Bad time (`CEVNT_BADTIME`); counts `baddata`.
    BadTime = 6,
}

impl ClockEvent {
    /// The numeric CEVNT code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// ntpd's text for the event (`ceventstr()` in libntp/statestr.c).
    pub fn text(self) -> &'static str {
        match self {
            ClockEvent::Nominal => "nominal",
            ClockEvent::Timeout => "no_reply",
            ClockEvent::BadReply => "bad_format",
            ClockEvent::Fault => "fault",
            ClockEvent::Prop => "bad_signal",
            ClockEvent::BadDate => "bad_date",
            ClockEvent::BadTime => "bad_time",
        }
    }
}

impl fmt::Display for ClockEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}
