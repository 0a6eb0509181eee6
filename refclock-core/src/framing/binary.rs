//! Binary messages that open with sync bytes and whose length the header
//! tells: the engine shared by u-blox UBX ([`ubx`](super::ubx)), Rockwell
//! Zodiac ([`zodiac`](super::zodiac)) and Motorola Oncore
//! ([`oncore`](super::oncore)).
//!
//! ```text
//!  sync …  header …  body …  checksum/trailer
//!  └── header_len ──┘
//!  └──────────── message_len(header) ────────┘
//! ```
//!
//! A protocol is described by a [`MessageFormat`]: its sync bytes, how
//! long a header must be to know the message's length, that length, and
//! the check of a whole message. [`BinaryFramer`] hands out whole messages
//! (sync to checksum), each with the receive times of its first and last
//! bytes.
//!
//! Resynchronisation. Sync bytes can turn up inside a message's data, and
//! a message can lose bytes on the line, so a candidate that turns out
//! wrong must not take good messages with it. The framer keeps every byte
//! of the candidate (and its receive time) until the candidate is
//! decided:
//!
//! * header rejected ([`MessageFormat::message_len`] says `None`: an
//!   unknown id, a bad header checksum) or message rejected
//!   ([`Check::NotAMessage`]: a missing trailer): the candidate's first
//!   byte is dropped and the bytes after it are searched again;
//! * [`Check::BadChecksum`]: the message is handed out with
//!   [`FrameStatus::BadChecksum`] (a driver counts it), then, since its
//!   length may have been wrong, the bytes after its first are searched
//!   again: a message cut short by lost bytes does not hide the next one;
//! * a length beyond the buffer (`N`): the header alone is handed out
//!   with [`FrameStatus::Overflow`] and the bytes after its first byte
//!   are searched again (such a message cannot be checked, and a false
//!   sync must not swallow thousands of bytes);
//! * [`Check::Good`]: handed out with [`FrameStatus::Complete`], and
//!   the search goes on after it.
//!
//! [`BinaryFramer::skipped`] counts the bytes dropped while searching.
//! [`pending`](Framer::pending) counts the bytes held (a partial message,
//! and after a rejected candidate the bytes still to be searched).

use super::{Frame, FrameStatus, Framer};
use crate::time::Timestamp;

/// The verdict on a whole message (see [`MessageFormat::check`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// A good message.
    Good,
    /// Framed right, by all appearances, but its checksum fails.
    BadChecksum,
    /// Not a message at all (its trailer is missing): a false sync.
    NotAMessage,
}

/// What [`BinaryFramer`] needs to know about a protocol. Each method
/// must accept any bytes without panicking (a slice shorter than
/// expected included).
pub trait MessageFormat {
    /// The bytes every message opens with.
    fn sync(&self) -> &[u8];

    /// How many bytes (the sync included) [`message_len`](Self::message_len)
    /// needs.
    fn header_len(&self) -> usize;

    /// The whole length of the message `header` opens (its first
    /// [`header_len`](Self::header_len) bytes, the sync checked), or
    /// `None` when `header` is no header (an unknown id, a bad header
    /// checksum). A length below `header_len` counts as `None`.
    fn message_len(&self, header: &[u8]) -> Option<usize>;

    /// The verdict on a whole message of
    /// [`message_len`](Self::message_len) bytes.
    fn check(&self, message: &[u8]) -> Check;
}

/// Frames the messages of a [`MessageFormat`], `N` bytes at most (see
/// the module documentation). The buffer and the receive time of each
/// byte are inline: about 17 bytes per byte of `N`.
#[derive(Clone, Debug)]
pub struct BinaryFramer<F, const N: usize> {
    format: F,
    buf: [u8; N],
    times: [Timestamp; N],
    /// Bytes held: `buf[0]` opens the candidate.
    len: usize,
    /// Bytes needed before the candidate can be looked at again.
    need: usize,
    /// Bytes to drop before anything else on the next call (the message
    /// handed out, or its first byte).
    drop: usize,
    skipped: u64,
}

impl<F: MessageFormat + Default, const N: usize> Default for BinaryFramer<F, N> {
    fn default() -> Self {
        Self::with_format(F::default())
    }
}

impl<F: MessageFormat, const N: usize> BinaryFramer<F, N> {
    /// An empty framer for `format`.
    pub const fn with_format(format: F) -> Self {
        BinaryFramer {
            format,
            buf: [0; N],
            times: [Timestamp::EPOCH; N],
            len: 0,
            need: 0,
            drop: 0,
            skipped: 0,
        }
    }

    /// The protocol's description.
    pub const fn format(&self) -> &F {
        &self.format
    }

    /// Longest message kept (`N`).
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Bytes dropped so far while searching for a message: noise, the
    /// first bytes of rejected candidates, and those of messages handed
    /// out with a bad checksum or as an overflow, once searched again.
    pub const fn skipped(&self) -> u64 {
        self.skipped
    }

    fn discard(&mut self, n: usize) {
        let n = n.min(self.len);
        self.buf.copy_within(n..self.len, 0);
        self.times.copy_within(n..self.len, 0);
        self.len -= n;
    }

    /// Drops the candidate's first byte, to search the rest again.
    fn reject(&mut self) {
        self.discard(1);
        self.skipped += 1;
    }

    /// Drops the bytes before the first place where the sync (or, at the
    /// end of the buffer, the start of it) is.
    fn align(&mut self) {
        let sync = self.format.sync();
        let at = (0..self.len)
            .find(|&p| {
                let m = (self.len - p).min(sync.len());
                self.buf[p..p + m] == sync[..m]
            })
            .unwrap_or(self.len);
        if at > 0 {
            self.skipped += at as u64;
            self.discard(at);
        }
    }

    /// Decides what the held bytes make: a message to hand out (its
    /// length, status, and the bytes to drop after it), or `None` with
    /// `need` set.
    fn examine(&mut self) -> Option<(usize, FrameStatus, usize)> {
        let header_len = self.format.header_len().clamp(1, N.max(1));
        loop {
            self.align();
            if self.len < header_len {
                self.need = header_len;
                return None;
            }
            let total = match self.format.message_len(&self.buf[..header_len]) {
                Some(total) if total >= header_len => total,
                _ => {
                    self.reject();
                    continue;
                }
            };
            if total > N {
                return Some((header_len, FrameStatus::Overflow, 1));
            }
            if self.len < total {
                self.need = total;
                return None;
            }
            match self.format.check(&self.buf[..total]) {
                Check::Good => return Some((total, FrameStatus::Complete, total)),
                Check::BadChecksum => return Some((total, FrameStatus::BadChecksum, 1)),
                Check::NotAMessage => self.reject(),
            }
        }
    }
}

impl<F: MessageFormat, const N: usize> Framer for BinaryFramer<F, N> {
    fn next_frame<'a>(&'a mut self, input: &mut &[u8], time: Timestamp) -> Option<Frame<'a>> {
        if self.drop > 0 {
            let drop = self.drop;
            self.drop = 0;
            self.discard(drop);
        }
        loop {
            if let Some((n, status, after)) = self.examine() {
                self.drop = after;
                return Some(Frame {
                    data: &self.buf[..n],
                    first: self.times[0],
                    last: self.times[n - 1],
                    status,
                });
            }
            if input.is_empty() {
                return None;
            }
            if self.len == 0 {
                // Nothing held: skip what cannot open a message.
                if let Some(&s0) = self.format.sync().first() {
                    let at = input.iter().position(|&b| b == s0).unwrap_or(input.len());
                    self.skipped += at as u64;
                    *input = &input[at..];
                    if input.is_empty() {
                        return None;
                    }
                }
            }
            // Take the bytes up to the next decision.
            let k = self
                .need
                .saturating_sub(self.len)
                .min(N - self.len)
                .min(input.len());
            if k == 0 {
                // Only when `N` is below the header length: no message
                // fits, drop the byte.
                self.skipped += 1;
                *input = &input[1..];
                continue;
            }
            self.buf[self.len..self.len + k].copy_from_slice(&input[..k]);
            self.times[self.len..self.len + k].fill(time);
            self.len += k;
            *input = &input[k..];
        }
    }

    fn reset(&mut self) {
        self.len = 0;
        self.need = 0;
        self.drop = 0;
    }

    fn pending(&self) -> usize {
        self.len - self.drop
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::testkit::{feed_cut, fuzz, t};

    /// A toy format: `AB len body… sum` (sum: the bytes after the sync,
    /// mod 256); a length byte of 0 is no header; `!` as the last body
    /// byte makes it no message.
    #[derive(Default)]
    struct Toy;

    impl MessageFormat for Toy {
        fn sync(&self) -> &[u8] {
            b"AB"
        }
        fn header_len(&self) -> usize {
            3
        }
        fn message_len(&self, header: &[u8]) -> Option<usize> {
            match header.get(2) {
                Some(0) | None => None,
                Some(&n) => Some(4 + n as usize),
            }
        }
        fn check(&self, m: &[u8]) -> Check {
            let sum = m[2..m.len() - 1]
                .iter()
                .fold(0u8, |a, &b| a.wrapping_add(b));
            if m[m.len() - 2] == b'!' {
                Check::NotAMessage
            } else if sum == m[m.len() - 1] {
                Check::Good
            } else {
                Check::BadChecksum
            }
        }
    }

    fn toy(body: &[u8]) -> Vec<u8> {
        let mut m = b"AB".to_vec();
        m.push(body.len() as u8);
        m.extend_from_slice(body);
        let sum = m[2..].iter().fold(0u8, |a, &b| a.wrapping_add(b));
        m.push(sum);
        m
    }

    #[test]
    fn rejected_candidates_are_searched_again() {
        let good = toy(b"xyz");
        // A false sync whose length byte covers the good message, and a
        // candidate with a zero length.
        let mut s = b"AB\x05AB\x00".to_vec();
        s.extend_from_slice(&good);
        let mut f = BinaryFramer::<Toy, 16>::default();
        let got = feed_cut(&mut f, &s, &[2, 7]);
        assert_eq!(
            got,
            vec![
                (
                    b"AB\x05AB\x00AB\x03".to_vec(),
                    t(0),
                    t(2),
                    FrameStatus::BadChecksum
                ),
                (good, t(1), t(2), FrameStatus::Complete),
            ]
        );
        // The bad one searched again: "B\x05", "AB\x00" dropped.
        assert_eq!(f.skipped(), 5);
        assert_eq!(f.pending(), 0);
    }

    #[test]
    fn not_a_message_is_dropped_silently() {
        let mut s = toy(b"ab!");
        s.extend_from_slice(&toy(b"ok"));
        let got = feed_cut(&mut BinaryFramer::<Toy, 16>::default(), &s, &[]);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, toy(b"ok"));
    }

    #[test]
    fn lengths_beyond_the_buffer() {
        let mut s = toy(&[7; 20]);
        s.extend_from_slice(&toy(b"ok"));
        let mut f = BinaryFramer::<Toy, 16>::default();
        assert_eq!(f.capacity(), 16);
        let got = feed_cut(&mut f, &s, &[]);
        assert_eq!(
            got,
            vec![
                (b"AB\x14".to_vec(), t(0), t(0), FrameStatus::Overflow),
                (toy(b"ok"), t(0), t(0), FrameStatus::Complete),
            ]
        );
    }

    #[test]
    fn buffers_too_small_for_a_header_frame_nothing() {
        let s = toy(b"abc").repeat(5);
        assert!(feed_cut(&mut BinaryFramer::<Toy, 2>::default(), &s, &[3]).is_empty());
        let mut f = BinaryFramer::<Toy, 0>::default();
        assert!(feed_cut(&mut f, &s, &[3]).is_empty());
        assert_eq!(f.skipped(), s.len() as u64);
    }

    #[test]
    fn reset_drops_everything_held() {
        let mut f = BinaryFramer::<Toy, 16>::default();
        assert!(feed_cut(&mut f, b"AB\x05ABc", &[]).is_empty());
        assert_eq!(f.pending(), 6);
        f.reset();
        assert_eq!(f.pending(), 0);
        let got = feed_cut(&mut f, &toy(b"k"), &[]);
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn random_input() {
        let mut f = BinaryFramer::<Toy, 16>::default();
        let n = fuzz(&mut f, 5, &[b"AB", b"AB\x02"], |fr| {
            assert!(fr.data.starts_with(b"AB"));
            match fr.status {
                FrameStatus::Overflow => assert_eq!(fr.data.len(), 3),
                _ => assert_eq!(fr.data.len(), 4 + fr.data[2] as usize),
            }
        });
        assert!(n > 50, "{n}");
    }
}
