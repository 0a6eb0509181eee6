//! One frame per byte, with the receive time of the read that held it:
//! for receivers whose bytes are the timecode's bits, as the raw DCF77
//! receivers of ntpd's PARSE driver (`clk_rawdcf.c`).
//!
//! ```text
//!  read at t1: 0xF0        read at t2: 0x00        (no read for 1.8 s)
//!  └ frame [0xF0] t1/t1    └ frame [0x00] t2/t2    → the minute mark
//! ```
//!
//! A raw DCF77 receiver on a 50 Bd line turns each second's carrier
//! drop into one character: its falling edge is the start bit (the
//! second's on-time mark), its 100 ms or 200 ms length how many of the
//! low-order bits are zero (a 0 or a 1 of the timecode). The missing
//! 59th drop shows as a gap of more than 1.5 s between characters
//! (`inp_rawdcf`'s timeout). So each byte matters with its own time,
//! which [`ByteTimes`] gives it: `first` and `last` are both the time of
//! the read that held it. Bytes that arrive in one read (the line was
//! read late) share its time; a driver can tell from their count.
//!
//! Nothing is held between reads: [`pending`](Framer::pending) is always
//! 0, there is nothing to skip, no overflow and no checksum.

use super::{Frame, FrameStatus, Framer};
use crate::time::Timestamp;

/// Hands out every byte as a frame of its own (see the module
/// documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct ByteTimes {
    byte: [u8; 1],
}

impl ByteTimes {
    /// A framer.
    pub const fn new() -> Self {
        ByteTimes { byte: [0] }
    }
}

impl Framer for ByteTimes {
    fn next_frame<'a>(&'a mut self, input: &mut &[u8], time: Timestamp) -> Option<Frame<'a>> {
        let (&b, rest) = input.split_first()?;
        *input = rest;
        self.byte = [b];
        Some(Frame {
            data: &self.byte,
            first: time,
            last: time,
            status: FrameStatus::Complete,
        })
    }

    fn reset(&mut self) {}

    fn pending(&self) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::testkit::{check_splits, feed_cut, fuzz, t, Expect};

    #[test]
    fn every_byte_with_its_read_time() {
        // A minute's start of raw DCF77 characters: 0 bits (0xF0), 1 bits
        // (0x00), and one from a late read, with another byte.
        let s = [0xf0, 0x00, 0xf8, 0x00, 0xf0];
        let exp: Vec<Expect> = (0..s.len())
            .map(|i| Expect::new(i..i + 1, &s[i..=i], FrameStatus::Complete))
            .collect();
        check_splits(ByteTimes::new, &s, &exp);
        let got = feed_cut(&mut ByteTimes::new(), &s, &[1, 2, 3]);
        let times: Vec<_> = got.iter().map(|g| (g.0[0], g.1, g.2)).collect();
        assert_eq!(
            times,
            vec![
                (0xf0, t(0), t(0)),
                (0x00, t(1), t(1)),
                (0xf8, t(2), t(2)),
                (0x00, t(3), t(3)),
                (0xf0, t(3), t(3))
            ]
        );
    }

    #[test]
    fn nothing_is_held() {
        let mut f = ByteTimes::default();
        let mut input = &[1u8, 2][..];
        assert_eq!(f.next_frame(&mut input, t(0)).unwrap().data, [1]);
        assert_eq!((input, f.pending()), (&[2u8][..], 0));
        f.reset();
        assert_eq!(f.next_frame(&mut input, t(0)).unwrap().data, [2]);
        assert!(f.next_frame(&mut input, t(0)).is_none());
    }

    #[test]
    fn random_input() {
        let mut f = ByteTimes::new();
        let mut bytes = 0;
        let n = fuzz(&mut f, 17, &[], |fr| {
            assert_eq!(fr.data.len(), 1);
            assert_eq!(fr.first, fr.last);
            bytes += 1;
        });
        assert_eq!(n, bytes);
        assert!(n > 1000);
    }
}
