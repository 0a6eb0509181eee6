//! # The small PARSE clocks: ELV DCF7000, Schmid, RCC8000, hopf 6021, Computime, Wharton, Varitext, SEL240x
//!
//! Eight libparse formats, each a short ASCII (or, for Schmid, binary)
//! timecode that libparse cuts from the byte stream with a buffer of
//! fixed size (a byte that does not fit ends the buffer as a frame and
//! starts the next; [`libparse::Buffer`]; the four formats without a
//! start byte are cut differently, see below), checks against a fixed mask
//! (`Strok`) and scans with `Stoi`. A frame that does not fit the mask is
//! not the format's (`CVT_NONE`): no event, no sample, as in ntpd. A
//! frame that fits but does not scan is a bad reply, a field out of range
//! a bad date or time (counted, never a sample).
//!
//! | mode | clock, file | serial | timecode | on time | polls |
//! |---|---|---|---|---|---|
//! | 3 | ELV DCF7000, clk_dcf7000.c | 9600 8O1 | `YY-MM-DD-WW-HH-MM-SS-FF<CR>`, CET/CEST | the CR | none |
//! | 4 | Schmid WS/DCF, clk_schmid.c | 1200 8N1 | 10 binary bytes + 0xFD, MEZ/MESZ, tenths | first byte | `s` every second |
//! | 11 | Radiocode RCC8000, clk_rcc8000.c | 2400 8N1 | `HH:MM:SS.mmm DD/MM/YY DDD W P<CR><LF>`, GMT | first byte | CR per poll interval |
//! | 12 | hopf 6021, clk_hopf6021.c | 9600 8N1 ISTRIP | `<STX>ABHHMMSSDDMMYY<LF><CR><ETX>`, MEZ/MESZ or UTC | the ETX | none |
//! | 13 | Diem's Computime, clk_computime.c | 9600 7N2 ISTRIP | `T:YY:MM:DD:WD:HH:MM:SS<CR><LF>`, UTC | the `T` | none |
//! | 15 | WHARTON 400A format 1, clk_wharton.c | 9600 8E1 | `<STX>ssmmhhDDMMYYS<ETX>`, digits units first | the STX | none |
//! | 17 | Varitext, clk_varitext.c | 9600 7O1 INPCK | `T:YY:MM:DD:WD:HH:MM:SS<CR><LF>` + status + 3 checksum bytes, GMT/BST | the `T` | none |
//! | 24 | SEL-240x, clk_sel240x.c | 9600 8N1 | `<SOH>YYYY:DDD:HH:MM:SSq<CR><LF>`, UTC | the SOH | `BUB8` per poll interval |
//!
//! The status each gives (libparse's bits, which the driver turns into
//! trust and leap): DCF7000 `FF` bit 1 CEST, 2 announcement, 4 not
//! synchronised; Schmid clock status (time valid, from DCF77) and
//! transmitter status (call bit, announcement, zone, leap second);
//! RCC8000 the hex digit `P` (8 valid: else not synchronised since
//! power-up); hopf `A` (announcement, summer time, mode: invalid,
//! internal clock, radio) and `B` bit 8 (UTC); Computime nothing (always
//! synchronised); Wharton `S` (DCF or MSF source, summer time,
//! synchronised, warning); Varitext the status character (see below);
//! SEL the quality `q` (` ` locked, `?` not synchronised since power-up,
//! others not confirmed). Two-digit years unfold with the kit's calendar.
//! No weekday is checked (libparse reads none).
//!
//! The timer and polls are ntpd's: Schmid's `s` goes out when the port
//! opens, then every second (`poll_init`, `poll_poll` at rate 1) and
//! once more at each poll interval (its `cl_poll`, `poll_dpoll`, from
//! `parse_poll`); RCC8000's CR and SEL's `BUB8` once per poll
//! interval. The other clocks talk on their own, once a second
//! (Computime and Varitext once a minute in their documentation; the
//! simulated ones send every second).
//!
//! The simulated devices (`device`, feature `sim`) send these frames
//! with their status from the simulator's timeline, in the local time
//! the format carries (EU summer time rules for CET/CEST and GMT/BST),
//! and answer the polls: Schmid, RCC8000 and SEL240x at the next whole
//! second.
//!
//! ## Deliberate differences from ntpd
//! - DCF7000, Schmid, RCC8000 and hopf frames have an end byte but no
//!   start byte: a frame is the bytes before its end byte, as many as the
//!   format has, whatever came before them. libparse collects everything
//!   since the last end byte, so a stray byte spoils the next frame; in
//!   DCF7000's and RCC8000's buffers, exactly a frame long, it even
//!   stays: the end byte that no longer fits begins the next frame, which
//!   overflows in turn, and ntpd never reads the clock again.
//! - Schmid: the reply is stamped with the receive time of its first
//!   byte. libparse's Schmid input never stamps it, so ntpd takes a
//!   zeroed timestamp (NTP time 0, which the C program prints as Unix
//!   time 2085978496) as the receive time and its offsets are about
//!   −2.9·10⁸ s (its reference times are right).
//! - RCC8000: a status that is not a hex digit is a bad reply; libparse
//!   skips the status and takes the time as synchronised.
//! - Varitext: the status character is read as documented: not
//!   initialised is "not synchronised since power-up", not synchronised
//!   is "not confirmed", a season change within the hour is an
//!   announcement; libparse has these checks commented out and takes
//!   every timecode as synchronised.
//! - SEL240x: a field that `strptime` would refuse is a bad reply;
//!   ntpd dereferences the NULL it returns.
//! - A field scanned negative (`-5`) is a bad date or time; libparse
//!   reads a year `-5` as 1995.
//!
//! Where ntpd is merely the format, this is the same: the RCC8000's
//! summer-time bit is ignored and its time taken as GMT (the receiver is
//! to be set to emit GMT all year, as libparse's comment says); the
//! Varitext checksum is not checked (its Fletcher variant is not
//! documented); DCF7000 and hopf times are local German time, converted
//! with the offset the status gives; Computime has no status at all.

pub mod computime;
pub mod dcf7000;
#[cfg(feature = "sim")]
pub mod device;
mod format;
#[cfg(feature = "testkit")]
pub mod fuzz;
pub mod hopf6021;
pub mod libparse;
pub mod rcc8000;
pub mod schmid;
pub mod sel240x;
pub mod varitext;
pub mod wharton;

#[cfg(test)]
#[path = "codec_tests.rs"]
mod codec_tests;
#[cfg(all(test, feature = "sim"))]
#[path = "driver_tests.rs"]
mod driver_tests;

pub use format::{AsciiFormat, Kind};

use crate::parse::time::ParseError;

/// A format error of `format`.
fn bad(format: &'static str, what: impl Into<String>) -> ParseError {
    ParseError::format(format, what)
}

/// The format of PARSE `mode`, if it is one of these eight.
pub fn for_mode(mode: u8) -> Option<AsciiFormat> {
    Kind::of_mode(mode).map(AsciiFormat::new)
}
