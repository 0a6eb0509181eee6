//! # Raw DCF77 modules (PARSE modes 5, 6, 8, 14, 16, 19, 20, 21)
//!
//! libparse's "RAW DCF77 Timecode" (clk_rawdcf.c) with the modes of
//! ntpd's refclock_parse.c that read it: a DCF77 receiver module that
//! passes the demodulated second marks to the serial port. Each second
//! the transmitter lowers its carrier for 100 ms (a 0) or 200 ms (a 1);
//! the module holds the receive line low as long, so the port sees one
//! character a second whose start bit is the falling edge, the on-time
//! mark. The longer the pulse, the more of the character's bits are
//! zero: at 50 baud a 100 ms pulse reads 0xF0 and a 200 ms pulse 0x00.
//! Second 59 has no pulse, so the first character after a gap of more
//! than 1.5 s is second 0 of a minute (the minute mark); in a minute with
//! a leap second, second 59 carries a 0 and second 60 is the gap. The 59
//! bits of a minute name the minute that begins at the next mark (layout
//! in [`codec`]): local time (CET or CEST, zone bits Z1/Z2), the
//! announcements of a zone change (A1) and of a leap second (A2), the
//! call bit (R), three even parity bits, the year within the century,
//! whose century the weekday tells.
//!
//! | mode | module | speed | base delay (`time1`) | modem lines at open |
//! |---|---|---|---|---|
//! | 5 | Conrad DCF77 receiver module | 50 baud 8E1 | 0.292 s | — |
//! | 6 | TimeBrick | 50 baud 8E1 | 0.210 s | — |
//! | 8 | IGEL:clock | 1200 baud 8N1 | 0.258 s | — |
//! | 14 | module powered by DTR | 50 baud 8E1 | 0.258 s | DTR set, RTS clear |
//! | 16 | module powered by RTS | 50 baud 8E1 | 0.258 s | DTR clear, RTS set |
//! | 19 | Gude Expert mouseCLOCK USB v2.0 | 4800 baud 8E1 | 0.425 s | — |
//! | 20 | as 14 | 75 baud 8E1 | 0.258 s | DTR set, RTS clear |
//! | 21 | as 16 | 75 baud 8E1 | 0.258 s | DTR clear, RTS set |
//!
//! Reference ID `DCFa`; the trust time is 0 (no signal, no time); parity
//! is generated but not checked (`iflag` 0, as ntpd on Linux). Modes 14,
//! 16, 20 and 21 set the modem lines when the port opens
//! (`rawdcf_init_1`/`_2`); where that fails (a pty) it is logged and
//! nothing else happens. The base delay is how late the character's end
//! reaches the program after the falling edge.
//!
//! ## What the driver does (as libparse)
//!
//! - Every character is stamped with the receive time of its read. A
//!   character more than 1.5 s after the one before is a minute mark: the
//!   characters before it are the telegram (but see the differences
//!   below for a gap of 2.5 s or more). A mark 60 s (± 0.5 s) after
//!   the one before sets the minute raster; any other clears it.
//! - A telegram's characters are cut into 0s and 1s by the length of
//!   their runs of zero bits: libparse's histogram of the run lengths,
//!   cut at its emptiest bin between the mean short and the mean long run
//!   ([`codec::classify`]). A character that is no such run (noise) spoils
//!   the telegram. Then the start bit, the three parities, the zone bits
//!   and the weekday (the century, [`codec::century_from_weekday`]) are
//!   checked, then the date and time ranges. Each failure is a bad reply
//!   (a bad date or time: `BADDATE`/`BADTIME`) and gives no sample.
//! - A telegram that decodes is taken only when the one before it decoded
//!   too, at most 600 s earlier; the first one only arms this check. The
//!   timecode names second 0 of its minute, stamped with the mark.
//! - Each following character whose read is within 0.5 s of where the
//!   raster puts its second, while the character before it gave a
//!   timecode, gives the next second's timecode (libparse's
//!   synthesised seconds): one sample a second. So the first sample comes
//!   at the third minute mark after the start (the first good telegram
//!   ends at the second; the third mark is the first 60 s after one that
//!   gave time), and after a leap second (a 61 s minute) the next minute
//!   has only its mark's sample.
//! - Status: DST from Z1; A1 is the DST-switch warning; A2 is a leap
//!   second without direction (an insertion, or a deletion with
//!   `flag4`); R is the call bit. The time is in sync whenever it
//!   decodes. The timecode describes the pulse, so a PPS edge (mode + 128)
//!   only replaces the receive time (no `PARSE_F_PPSONSECOND`).
//!
//! ## Deliberate differences from ntpd
//! - A telegram of 57 or 58 characters (a lost second) is refused as
//!   incomplete: libparse takes it and reads the missing seconds from what
//!   its buffer held before.
//! - Sixty-one characters without a minute mark (the mark lost) are a
//!   bad reply: libparse decodes them when the 62nd arrives and stamps
//!   the minute with that character, a sample one second wrong.
//! - A telegram is decoded only when the gap that ends it is the missing
//!   second (shorter than 2.5 s); a longer one is a loss of reception (or
//!   a lost pulse next to the gap) and the telegram before it a bad
//!   reply: libparse decodes it at the first character after the gap and
//!   stamps it with that character, a sample wrong by the length of the
//!   gap less the 2 s it should be.
//! - The very first character after the start ends no telegram:
//!   libparse decodes an empty buffer there and counts a bad reply.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
#[cfg(feature = "testkit")]
pub mod fuzz;
mod stream;

pub use stream::Stream;

use refclock_core::{Context, PortId, Timestamp};

use super::super::format::{Decoded, Format};

/// Which modem lines a mode sets at open (DTR, RTS).
pub fn modem_lines(mode: u8) -> Option<(bool, bool)> {
    match mode {
        14 | 20 => Some((true, false)),
        16 | 21 => Some((false, true)),
        _ => None,
    }
}

/// The raw DCF77 format with the hooks of `mode`.
#[derive(Debug)]
pub struct RawDcf {
    mode: u8,
    stream: Stream,
}

impl RawDcf {
    /// The format for mode 5, 6, 8, 14, 16, 19, 20 or 21.
    pub fn new(mode: u8) -> RawDcf {
        RawDcf {
            mode,
            stream: Stream::new(),
        }
    }
}

impl Format for RawDcf {
    fn name(&self) -> &'static str {
        codec::NAME
    }

    fn feed(&mut self, data: &[u8], rectime: Timestamp, out: &mut Vec<Decoded>) {
        self.stream.feed(data, rectime, out);
    }

    fn reset(&mut self) {
        self.stream = Stream::new();
    }

    fn on_open(&mut self, ctx: &mut Context<'_>) {
        if let Some((dtr, rts)) = modem_lines(self.mode) {
            ctx.modem_lines(PortId::MAIN, Some(dtr), Some(rts));
        }
    }
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod codec_tests;
#[cfg(test)]
#[path = "stream_tests.rs"]
mod stream_tests;
