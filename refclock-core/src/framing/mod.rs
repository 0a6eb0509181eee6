//! Framers: turning the bytes of successive reads into the timecodes or
//! messages a driver decodes, each with the receive times it needs.
//!
//! A read may deliver part of a message, one, or several. A [`Framer`]
//! keeps the partial message between reads and hands out each complete
//! one as a [`Frame`] carrying two times: that of the read that held its
//! first byte ([`Frame::first`]) and that of the read that held its last
//! ([`Frame::last`]). A driver whose on-time mark opens the message
//! (Zyfer's `!`, Meinberg's STX) takes the first; one whose mark ends it
//! (the line end of NMEA in canonical mode, Meinberg's ETX) the last.
//!
//! * [`LineFramer`]: CR/LF-terminated ASCII lines (ntpd's
//!   `refclock_gtlin`).
//! * [`StxEtxFramer`]: timecodes between a start and an end byte, STX …
//!   ETX by default (libparse's Meinberg, hopf, Wharton, TAIP, Computime,
//!   SEL, Schmid, …), parity optionally stripped.
//! * [`DleFramer`]: DLE-stuffed packets, Trimble TSIP.
//! * [`BinaryFramer`]: binary messages opened by sync bytes, their length
//!   known from the header, resynchronising after false syncs and lost
//!   bytes; a [`MessageFormat`] describes each protocol:
//!   * [`UbxFramer`]: u-blox UBX;
//!   * [`ZodiacFramer`]: Rockwell Zodiac/Jupiter;
//!   * [`OncoreFramer`]: Motorola Oncore `@@` messages, their lengths by
//!     id.
//! * [`FixedFramer`]: fixed-length records opened by a start byte, with
//!   no line end (Zyfer's `!TIME,...`).
//! * [`ByteTimes`]: every byte a frame with its own time (raw DCF77).
//!
//! Frames borrow the framer's fixed buffer until the next call: nothing
//! is allocated. Each framer skips what lies between frames, hands out a
//! frame too long for its buffer as [`FrameStatus::Overflow`] (never
//! merged with the next), and takes any bytes without panicking.
//!
//! Every framer is used the same way:
//!
//! ```
//! use refclock_core::framing::{Framer, LineFramer};
//! use refclock_core::Timestamp;
//!
//! let mut f = LineFramer::new();
//! let mut lines = Vec::new();
//! for (chunk, t) in [(&b"$GPZ"[..], 1), (&b"DA*00\r\n$GP"[..], 2)] {
//!     let mut input = chunk;
//!     while let Some(frame) = f.next_frame(&mut input, Timestamp::from_secs(t)) {
//!         lines.push((frame.text().to_string(), frame.first.secs(), frame.last.secs()));
//!     }
//! }
//! assert_eq!(lines, vec![("$GPZDA*00".to_string(), 1, 2)]);
//! assert_eq!(f.pending(), 3);
//! ```

pub mod binary;
mod buf;
pub mod bytes;
pub mod dle;
pub mod fixed;
pub mod line;
pub mod oncore;
pub mod stx_etx;
pub mod ubx;
pub mod zodiac;

pub use binary::{BinaryFramer, Check, MessageFormat};
pub use bytes::ByteTimes;
pub use dle::{DleFramer, DLE, MAX_DLE_PACKET};
pub use fixed::{FixedFramer, MAX_FIXED};
pub use line::{LineFramer, MAX_LINE};
pub use oncore::{
    oncore_checksum, Oncore, OncoreFramer, OncoreMessage, MAX_ONCORE, ONCORE_LENGTHS, ONCORE_SYNC,
};
pub use stx_etx::{StxEtxFramer, ETX, MAX_DELIMITED, STX};
pub use ubx::{ubx_checksum, Ubx, UbxFramer, UbxMessage, MAX_UBX, UBX_SYNC};
pub use zodiac::{
    zodiac_checksum, Zodiac, ZodiacFramer, ZodiacMessage, MAX_ZODIAC, MAX_ZODIAC_WORDS, ZODIAC_SYNC,
};

#[cfg(test)]
mod testkit;

use crate::time::Timestamp;

/// What is special about a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FrameStatus {
    /// A complete frame.
    #[default]
    Complete,
    /// Longer than the framer's buffer: cut, the rest dropped up to the
    /// frame's end. Never merged into the next frame.
    Overflow,
    /// Its checksum (for framers that know one) did not match.
    BadChecksum,
    /// Cut short: the next frame began before this one was complete
    /// (fixed-length records). Never merged into the next frame.
    Short,
}

/// One frame, borrowed from the framer until the next call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The frame's bytes (what each framer keeps is in its documentation).
    pub data: &'a [u8],
    /// Receive time of the read that held the frame's first byte.
    pub first: Timestamp,
    /// Receive time of the read that held its last byte.
    pub last: Timestamp,
    /// Complete, cut, or with a bad checksum.
    pub status: FrameStatus,
}

impl Frame<'_> {
    /// The bytes as text; `""` when they are not UTF-8 (an ASCII framer's
    /// frames always are).
    pub fn text(&self) -> &str {
        std::str::from_utf8(self.data).unwrap_or("")
    }

    /// Whether the frame is complete and intact.
    pub fn is_complete(&self) -> bool {
        self.status == FrameStatus::Complete
    }
}

/// Assembles frames from the bytes of successive reads.
pub trait Framer {
    /// Consumes bytes of `input` (one read's, received at `time`) until a
    /// frame completes and returns it, advancing `input` past what was
    /// used; `None` when `input` is used up without completing one (the
    /// partial frame is kept for the next read). Call again with the rest
    /// of `input` until it returns `None`.
    fn next_frame<'a>(&'a mut self, input: &mut &[u8], time: Timestamp) -> Option<Frame<'a>>;

    /// Drops a partial frame (after a device loss or a timeout).
    fn reset(&mut self);

    /// Bytes of the partial frame held.
    fn pending(&self) -> usize;

    /// Calls `f` with every frame the bytes of one read complete.
    fn feed(&mut self, mut input: &[u8], time: Timestamp, mut f: impl FnMut(Frame<'_>))
    where
        Self: Sized,
    {
        while let Some(frame) = self.next_frame(&mut input, time) {
            f(frame);
        }
    }
}
