//! Timecodes between a start and an end byte, STX … ETX by default, as
//! ntpd's PARSE driver (libparse) receives them.
//!
//! ```text
//!  STX  D:25.12.24;T:3;U:12.00.00;    ETX      Meinberg standard format
//!  0x02 └──────── frame data ───────┘ 0x03
//!   │                                  └ last: the read holding the end byte
//!   └ first: the read holding the start byte
//! ```
//!
//! [`StxEtxFramer`] hands out the bytes between the delimiters, without
//! them. Which delimiter marks the second is the clock's business: a
//! driver takes [`Frame::first`] (the start byte's read) or
//! [`Frame::last`] (the end byte's).
//!
//! The delimiters of libparse's clock formats (each `clk_*.c` input
//! routine, `libparse/` in ntpd's sources):
//!
//! | clock | start | end | constructor |
//! |---|---|---|---|
//! | Meinberg standard/extended/GPS (`clk_meinberg.c`) | STX | ETX | [`StxEtxFramer::new`] |
//! | Wharton 400A (`clk_wharton.c`) | STX | ETX | [`StxEtxFramer::new`] |
//! | hopf 6021 (`clk_hopf6021.c`: `STX … LF CR ETX`) | STX | ETX | [`StxEtxFramer::new`] |
//! | Trimble TAIP (`clk_trimtaip.c`) | `>` | `<` | [`StxEtxFramer::with_delimiters`] |
//! | Computime (`clk_computime.c`) | `T` | LF | [`StxEtxFramer::with_delimiters`] |
//! | SEL 240x (`clk_sel240x.c`) | SOH | LF | [`StxEtxFramer::with_delimiters`] |
//! | Schmid (`clk_schmid.c`) | — | 0xFD | [`StxEtxFramer::end_only`] |
//! | ELV DCF7000 (`clk_dcf7000.c`) | — | CR | [`StxEtxFramer::end_only`] |
//! | RCC 8000 (`clk_rcc8000.c`) | — | LF | [`StxEtxFramer::end_only`] |
//!
//! (Varitext, `T:` … CR LF and four more bytes, fits none of these.)
//!
//! As in libparse, a start byte inside a frame starts it afresh (the bytes
//! before it are dropped and counted in [`StxEtxFramer::skipped`]), and
//! bytes outside frames are skipped. Without a start byte a frame is every
//! byte since the previous end byte; an empty one is not handed out.
//!
//! The Meinberg standard format runs 7E2 (`MBG_CFLAG` in
//! `refclock_parse.c`), and libparse masks every byte to the character
//! size (`parse_ioread` in `parse.c`): [`StxEtxFramer::strip_parity`]
//! does the same before the delimiters are looked for.
//!
//! A frame longer than [`MAX_DELIMITED`] is cut there and handed out with
//! [`FrameStatus::Overflow`] at its end byte, or at the start byte of the
//! next frame, whichever comes first; the next frame is never merged into
//! it. [`StxEtxFramer::pending`](Framer::pending) counts the bytes of the
//! partial frame received, its start byte included.

use super::buf::FrameBuf;
use super::{Frame, FrameStatus, Framer};
use crate::time::Timestamp;

/// Start of text, the usual start byte.
pub const STX: u8 = 0x02;
/// End of text, the usual end byte.
pub const ETX: u8 = 0x03;
/// Longest frame kept (data between the delimiters). libparse's buffers
/// are smaller (32 bytes for Meinberg's standard string, 15 for Wharton);
/// Meinberg's GPS string with its position is about 70.
pub const MAX_DELIMITED: usize = 256;

/// Assembles start/end-delimited frames (see the module documentation).
#[derive(Clone, Debug)]
pub struct StxEtxFramer {
    buf: FrameBuf<MAX_DELIMITED>,
    start: Option<u8>,
    end: u8,
    mask: u8,
    /// A frame is open (its start byte, or without one its first byte, seen).
    open: bool,
    /// Bytes of the open frame received, start byte included.
    raw: usize,
    /// The frame in `buf` was handed out; clear it on the next call.
    emitted: bool,
    skipped: u64,
}

impl Default for StxEtxFramer {
    fn default() -> Self {
        Self::new()
    }
}

impl StxEtxFramer {
    /// Frames between STX and ETX, all 8 bits kept.
    pub const fn new() -> Self {
        Self::build(Some(STX), ETX)
    }

    /// Frames between `start` and `end` (which should differ: when they
    /// are equal, the byte closes an open frame and opens a new one only
    /// when none is open).
    pub const fn with_delimiters(start: u8, end: u8) -> Self {
        Self::build(Some(start), end)
    }

    /// Frames ended by `end` with no start byte: everything since the
    /// previous end byte (so the first frame after start-up or a
    /// [`reset`](Framer::reset) may be a fragment).
    pub const fn end_only(end: u8) -> Self {
        Self::build(None, end)
    }

    /// The same framer, masking every byte to 7 bits (the parity bit of a
    /// 7-bit line) before anything else.
    pub const fn strip_parity(mut self) -> Self {
        self.mask = 0x7f;
        self
    }

    /// The start byte (none for [`end_only`](Self::end_only) framers).
    pub const fn start_byte(&self) -> Option<u8> {
        self.start
    }

    /// The end byte.
    pub const fn end_byte(&self) -> u8 {
        self.end
    }

    /// Bytes dropped so far: those outside frames, and the partial frames
    /// a new start byte cut short.
    pub const fn skipped(&self) -> u64 {
        self.skipped
    }

    const fn build(start: Option<u8>, end: u8) -> Self {
        StxEtxFramer {
            buf: FrameBuf::new(),
            start,
            end,
            mask: 0xff,
            open: false,
            raw: 0,
            emitted: false,
            skipped: 0,
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.open = false;
        self.raw = 0;
        self.emitted = false;
    }

    fn open(&mut self, time: Timestamp) {
        self.clear();
        self.open = true;
        self.buf.start(time);
    }

    fn push(&mut self, b: u8, time: Timestamp) {
        self.raw += 1;
        self.buf.push(b, time);
    }

    fn emit(&mut self, last: Timestamp) -> Frame<'_> {
        self.emitted = true;
        self.buf.frame(last, FrameStatus::Complete)
    }
}

impl Framer for StxEtxFramer {
    fn next_frame<'a>(&'a mut self, input: &mut &[u8], time: Timestamp) -> Option<Frame<'a>> {
        if self.emitted {
            self.clear();
        }
        while let Some((&byte, rest)) = input.split_first() {
            let b = byte & self.mask;
            if self.open && b == self.end {
                *input = rest;
                return Some(self.emit(time));
            }
            if Some(b) == self.start {
                if self.open && self.buf.overflowed() {
                    // Hand out the cut frame; the start byte stays in
                    // `input` and opens the next frame on the next call.
                    let last = self.buf.last;
                    return Some(self.emit(last));
                }
                *input = rest;
                if self.open {
                    self.skipped += self.raw as u64;
                }
                self.open(time);
                self.raw = 1;
                continue;
            }
            *input = rest;
            if self.open {
                self.push(b, time);
            } else if self.start.is_none() && b != self.end {
                self.open(time);
                self.push(b, time);
            } else {
                self.skipped += 1;
            }
        }
        None
    }

    fn reset(&mut self) {
        self.clear();
    }

    fn pending(&self) -> usize {
        if self.emitted {
            0
        } else {
            self.raw
        }
    }
}

#[cfg(test)]
#[path = "stx_etx_tests.rs"]
mod tests;
