//! # Trimble GPS receivers: TAIP (mode 9) and TSIP (mode 10)
//!
//! ## Mode 9, Trimble TAIP (libparse clk_trimtaip.c)
//!
//! 4800 8N1, raw input, ISTRIP, IXON, OPOST|ONLCR. ntpd polls: once per
//! poll interval it writes `>SRM;FR_FLAG=F;EC_FLAG=F<>QTM<` and the
//! receiver answers with its time report, 37 characters:
//!
//! ```text
//! >RTMhhmmssdddDDMMYYYYoodnnvrrrrr;*xx<
//!     │     │  │   │   │ ││ │     └ XOR of '>' … '*', two hex digits
//!     │     │  │   │   │ ││ └ '1': GPS − UTC known (else ignored)
//!     │     │  │   │   │ │└ satellites
//!     │     │  │   │   │ └ fix mode, 9 = none
//!     │     │  │   │   └ GPS − UTC (not read)
//!     time  ms day month year (UTC)
//! ```
//!
//! The `>` is on time (libparse stamps the frame with it). A frame that
//! is not an RTM report is ignored; an unreadable field is a bad reply
//! (`CEVNT_BADREPLY`), a wrong checksum a bad time (`CEVNT_BADTIME`).
//! On a bad reply or a time-out ntpd re-initialises the receiver with
//! `>FPV00000000<`, `>SRM;ID_FLAG=F;CS_FLAG=T;EC_FLAG=F;FR_FLAG=T;CR_FLAG=F<`
//! and `>FTM00020001<` (only when the clock's status changes to that
//! event). Base delay 0, trust time 0 (no sample once the receiver says
//! it has no fix).
//!
//! ## Mode 10, Trimble TSIP (libparse clk_trimtsip.c, ntpd's trimbletsip_*)
//!
//! 9600 8O1, canonical input with VEOL = ETX and VEOL2 = DLE, so that
//! each read ends at a DLE or an ETX and the opening DLE of a packet is
//! stamped when it arrives. Packets are DLE-stuffed (the codec is
//! [`crate::tsip`]). At start (and again on a bad reply, a time-out,
//! 300 s without any report, or a 0x55 with other I/O options than it
//! set, never twice within 300 s) ntpd sends the set-up packets 0x1F,
//! 0x2C, 0x22, 0x28, 0x8E, 0x35 and 0x2F; every second, and again at
//! each poll, it sends the query 0x21 + 0x2F (ntpd's `trimble_check`
//! runs every second because its timer is never re-armed).
//!
//! The time is that of report 0x41 (GPS time of week, week, GPS − UTC;
//! the week unfolded into the base date's 1024 weeks), stamped with its
//! opening DLE; base delay 20 ms, trust time 0. It is used only after a
//! report 0x4F with known UTC parameters: until then, and while the
//! time of week is below 1 s, libparse gives a time without fields that
//! its date conversion refuses (`CEVNT_BADDATE`), so a receiver that is
//! never asked for 0x4F (as in gpsd's captures) gives no sample. The
//! state comes from report 0x46 (0x00 doing fixes: in sync; 0x09–0x0B
//! one to three satellites: not confirmed; anything else or none yet:
//! power-up), the leap warning from 0x4F (a different ΔtLSF within 5
//! weeks: insertion if larger, deletion if smaller).
//!
//! With PPS (mode 138, `/dev/refclockpps-U`) both modes take the second
//! from the pulse (`PARSE_F_PPSONSECOND`).
//!
//! ## Deliberate differences from ntpd
//! - TAIP fix mode 9 ("no fix") is power-up: libparse's comment says it
//!   refuses fix 9 but its test is `gpsfix > 9`, which one digit never
//!   is, so ntpd takes the time of a receiver without a fix.
//! - A poll interval without a timecode is a time-out here (the PARSE
//!   driver's rule), so TAIP's reset strings, and TSIP's set-up outside
//!   its hold-off, also follow a silent receiver; ntpd's test (more than
//!   one poll interval since the previous poll, refclock_parse.c
//!   `parse_poll`) never holds with regular polls, so ntpd resets only
//!   on a bad reply.
//! - TSIP packets are framed as the kit's DLE framer does: a DLE followed
//!   by anything but DLE or ETX inside a packet means bytes were lost,
//!   and the packet is dropped; libparse drops the DLE and carries on, so
//!   that the next packet's bytes land in this one (a 0x41 whose end was
//!   lost takes its week from the next packet).
//! - A TSIP packet whose id is ETX (0x03) is not framed (no report has
//!   that id); libparse takes it. An id 0x00 is framed by both and read
//!   by neither.
//! - A TSIP report shorter than its layout (0x41: 10 data bytes, 0x46:
//!   1, 0x4F: 26) is a bad reply; libparse reads whatever its buffer
//!   held before.
//! - A 0x55 with other I/O options asks for the set-up at the next
//!   second or poll, not while the report is read (a report cannot write
//!   here).
//! - The satellite tracking queries (0x3C) ntpd sends after a 0x6D only
//!   fill its variables; they are not sent. ntpd's variables (the
//!   decoded reports, `set_var`) are not kept.
//! - The GPS week unfolds around the receive time and after the base
//!   date (the kit's era window), not from the base date alone. The
//!   base date is the release's (the format is built without the
//!   clock's configuration).
//!
//! [`for_mode`] builds the format of each mode; `device.rs` the
//! simulated receivers.

use refclock_core::calendar::Basedate;

use super::super::format::Format;

#[cfg(feature = "sim")]
pub mod device;
#[cfg(feature = "testkit")]
pub mod fuzz;
pub mod taip;
pub mod tsip;

#[cfg(test)]
#[path = "taip_tests.rs"]
mod taip_tests;
#[cfg(test)]
#[path = "tsip_tests.rs"]
mod tsip_tests;

pub use taip::TaipFormat;
pub use tsip::TsipFormat;

/// The format of mode 9 (TAIP) or 10 (TSIP); TSIP unfolds GPS weeks
/// with `basedate`.
pub fn for_mode(mode: u8, basedate: &Basedate) -> Option<Box<dyn Format>> {
    match mode {
        9 => Some(Box::new(TaipFormat::new())),
        10 => Some(Box::new(TsipFormat::new(*basedate))),
        _ => None,
    }
}
