//! The buffer every delimited framer assembles a frame in: the bytes,
//! capped at `N` (the rest of an over-long frame is dropped and the frame
//! flagged), and the times of the reads that held its first and latest
//! bytes.

use super::{Frame, FrameStatus};
use crate::time::Timestamp;

/// A frame under assembly.
#[derive(Clone, Debug)]
pub(crate) struct FrameBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
    overflow: bool,
    /// Time of the read that held the frame's first byte.
    pub(crate) first: Timestamp,
    /// Time of the read that held its latest byte.
    pub(crate) last: Timestamp,
}

impl<const N: usize> FrameBuf<N> {
    /// An empty buffer.
    pub(crate) const fn new() -> Self {
        FrameBuf {
            buf: [0; N],
            len: 0,
            overflow: false,
            first: Timestamp::EPOCH,
            last: Timestamp::EPOCH,
        }
    }

    /// Empties it.
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.overflow = false;
    }

    /// Empties it for a frame whose first byte came in the read at `time`.
    pub(crate) fn start(&mut self, time: Timestamp) {
        self.clear();
        self.first = time;
        self.last = time;
    }

    /// Appends a byte that came in the read at `time`; past `N` bytes it
    /// is dropped and the frame marked as overflowed.
    pub(crate) fn push(&mut self, b: u8, time: Timestamp) {
        self.last = time;
        if self.len < N {
            self.buf[self.len] = b;
            self.len += 1;
        } else {
            self.overflow = true;
        }
    }

    /// Bytes kept.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether no byte is kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether bytes were dropped.
    pub(crate) fn overflowed(&self) -> bool {
        self.overflow
    }

    /// The frame, completed at `last`: [`FrameStatus::Overflow`] when
    /// bytes were dropped, `status` otherwise.
    pub(crate) fn frame(&self, last: Timestamp, status: FrameStatus) -> Frame<'_> {
        Frame {
            data: &self.buf[..self.len],
            first: self.first,
            last,
            status: if self.overflow {
                FrameStatus::Overflow
            } else {
                status
            },
        }
    }
}
