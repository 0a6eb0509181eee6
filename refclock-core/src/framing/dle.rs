//! DLE-stuffed packets: Trimble's TSIP (the Palisade, Thunderbolt,
//! Acutime and Resolution receivers).
//!
//! ```text
//!  DLE  id   data …  (a DLE in id or data sent twice: DLE DLE)   DLE  ETX
//!  0x10 └────────── packet (unstuffed) ─────────────┘            0x10 0x03
//!   │                                                                 └ last
//!   └ first
//! ```
//!
//! [`DleFramer`] hands out the packet id and its data with the stuffing
//! undone and the delimiters dropped. The format is in Trimble's TSIP
//! reference (and in ntpd's `refclock_palisade.c`, `palisade_io`, and
//! libparse's `clk_trimtsip.c`, `inp_tsip`; gpsd's lexer, `packet.c`,
//! states `TSIP_*`). TSIP has no length and no checksum: which ids come
//! with how many bytes is the driver's to check.
//!
//! Since every DLE inside a packet is doubled, a lone DLE followed by
//! anything but ETX can only open a packet: in a stream read from its
//! start the framing is unambiguous. The rules, as ntpd applies them:
//!
//! * Outside a packet, bytes are skipped until a DLE; a DLE followed by
//!   DLE or ETX opens nothing (a stuffed DLE or the end of a packet
//!   whose start was missed) and both bytes are skipped.
//! * In a packet, DLE DLE is a data DLE, DLE ETX ends it, and DLE
//!   followed by anything else means bytes were lost: the packet is
//!   dropped (counted in [`DleFramer::skipped`]) and that DLE opens the
//!   next one.
//!
//! Joining a stream in the middle of a packet stays ambiguous: if the
//! first byte seen is the second DLE of a stuffed pair, the byte after it
//! looks like an id and a bogus packet runs to the real packet's end. Its
//! length (or the id) gives it away to the driver; the next packet is
//! framed right.
//!
//! A packet longer than [`MAX_DLE_PACKET`] (unstuffed) is cut there, read to
//! its DLE ETX (or to the DLE that opens the next packet) and handed out
//! with [`FrameStatus::Overflow`]. [`DleFramer::pending`](Framer::pending)
//! counts the bytes of the partial packet received, its opening DLE and
//! the stuffing included.

use super::buf::FrameBuf;
use super::{Frame, FrameStatus, Framer, ETX};
use crate::time::Timestamp;

/// Data link escape: opens and closes TSIP packets, and is doubled in
/// their data.
pub const DLE: u8 = 0x10;
/// Longest packet kept (id and data, unstuffed). TSIP reports run to
/// about 80 bytes (gpsd allows 255, ntpd's buffer is 128).
pub const MAX_DLE_PACKET: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Looking for a DLE.
    Hunt,
    /// A DLE seen outside a packet: the next byte is the id, or not.
    Open,
    /// In a packet.
    Body,
    /// A DLE seen in a packet.
    BodyDle,
}

/// Assembles DLE-stuffed packets (see the module documentation).
#[derive(Clone, Debug)]
pub struct DleFramer {
    /// The packet; its first time is that of the read holding the opening
    /// DLE, its last that of the read holding its latest data byte.
    buf: FrameBuf<MAX_DLE_PACKET>,
    state: State,
    /// Time of the read holding the DLE seen in state `BodyDle`.
    dle_time: Timestamp,
    /// Bytes of the partial packet received.
    raw: usize,
    /// The packet in `buf` was handed out; clear it on the next call.
    emitted: bool,
    /// After the packet handed out, resume in state `Open` (its DLE at
    /// `dle_time`): the cut packet's last DLE opens the next one.
    resume: bool,
    skipped: u64,
}

impl Default for DleFramer {
    fn default() -> Self {
        Self::new()
    }
}

impl DleFramer {
    /// An empty framer.
    pub const fn new() -> Self {
        DleFramer {
            buf: FrameBuf::new(),
            state: State::Hunt,
            dle_time: Timestamp::EPOCH,
            raw: 0,
            emitted: false,
            resume: false,
            skipped: 0,
        }
    }

    /// Bytes dropped so far: noise between packets, DLE pairs that opened
    /// nothing, and packets cut short by lost bytes.
    pub const fn skipped(&self) -> u64 {
        self.skipped
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.state = State::Hunt;
        self.raw = 0;
        self.emitted = false;
        self.resume = false;
    }

    /// A DLE received at `time` opens a packet.
    fn open(&mut self, time: Timestamp) {
        self.clear();
        self.state = State::Open;
        self.buf.start(time);
        self.raw = 1;
    }

    fn push(&mut self, b: u8, time: Timestamp) {
        self.buf.push(b, time);
    }

    fn emit(&mut self, last: Timestamp) -> Frame<'_> {
        self.emitted = true;
        self.buf.frame(last, FrameStatus::Complete)
    }
}

impl Framer for DleFramer {
    fn next_frame<'a>(&'a mut self, input: &mut &[u8], time: Timestamp) -> Option<Frame<'a>> {
        if self.emitted {
            let resume = self.resume;
            self.clear();
            if resume {
                self.open(self.dle_time);
            }
        }
        while let Some((&b, rest)) = input.split_first() {
            match self.state {
                State::Hunt => {
                    if b == DLE {
                        self.open(time);
                    } else {
                        self.skipped += 1;
                    }
                }
                State::Open => {
                    if b == DLE || b == ETX {
                        self.skipped += 2;
                        self.clear();
                    } else {
                        self.state = State::Body;
                        self.raw += 1;
                        self.push(b, time);
                    }
                }
                State::Body => {
                    self.raw += 1;
                    if b == DLE {
                        self.state = State::BodyDle;
                        self.dle_time = time;
                    } else {
                        self.push(b, time);
                    }
                }
                State::BodyDle => match b {
                    DLE => {
                        self.raw += 1;
                        self.state = State::Body;
                        self.push(DLE, time);
                    }
                    ETX => {
                        *input = rest;
                        return Some(self.emit(time));
                    }
                    _ => {
                        // Bytes were lost: the DLE opens a new packet, and
                        // `b`, left in `input`, is its id.
                        if self.buf.overflowed() {
                            self.resume = true;
                            let last = self.buf.last;
                            return Some(self.emit(last));
                        }
                        self.skipped += self.raw as u64 - 1;
                        self.open(self.dle_time);
                        continue;
                    }
                },
            }
            *input = rest;
        }
        None
    }

    fn reset(&mut self) {
        self.clear();
    }

    fn pending(&self) -> usize {
        match (self.emitted, self.resume) {
            (false, _) => self.raw,
            (true, true) => 1,
            (true, false) => 0,
        }
    }
}

#[cfg(test)]
#[path = "dle_tests.rs"]
mod tests;
