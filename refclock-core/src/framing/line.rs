//! CR/LF-terminated ASCII lines, as ntpd's `refclock_gtlin` delivers them.
//!
//! [`LineFramer`] collects bytes until CR or LF and hands out each line
//! with the times of the reads that delivered its first byte and its
//! terminator (in canonical mode that is one read per line). Bytes are
//! groomed as ntpd does: the parity bit is masked off and only printable
//! ASCII (0x20..=0x7e) is kept. Empty lines (the LF of CR LF) are skipped.
//! A line longer than [`MAX_LINE`] is cut and flagged
//! [`FrameStatus::Overflow`], never silently merged into the next.
//! `LineFramer<N>` keeps lines of up to `N` bytes instead (GPSD JSON
//! objects of up to 8 KB: [`LineFramer::long`]).

use super::buf::FrameBuf;
use super::{Frame, FrameStatus, Framer};
use crate::time::Timestamp;

/// Longest line kept (`BMAX − 1`).
pub const MAX_LINE: usize = 127;

/// Assembles lines of at most `N` bytes (see the module documentation).
#[derive(Clone, Debug)]
pub struct LineFramer<const N: usize = MAX_LINE> {
    buf: FrameBuf<N>,
    /// The line in `buf` was handed out; clear it on the next call.
    emitted: bool,
}

impl Default for LineFramer {
    fn default() -> Self {
        Self::new()
    }
}

impl LineFramer {
    /// An empty framer of ntpd's line length.
    pub const fn new() -> Self {
        Self::long()
    }
}

impl<const N: usize> LineFramer<N> {
    /// An empty framer keeping lines of up to `N` bytes.
    pub const fn long() -> Self {
        LineFramer {
            buf: FrameBuf::new(),
            emitted: false,
        }
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.emitted = false;
    }
}

impl<const N: usize> Framer for LineFramer<N> {
    fn next_frame<'a>(&'a mut self, input: &mut &[u8], time: Timestamp) -> Option<Frame<'a>> {
        if self.emitted {
            self.clear();
        }
        while let Some((&b, rest)) = input.split_first() {
            *input = rest;
            let b = b & 0x7f;
            if b == b'\n' || b == b'\r' {
                if self.buf.is_empty() {
                    continue;
                }
                self.emitted = true;
                return Some(self.buf.frame(time, FrameStatus::Complete));
            }
            if (0x20..0x7f).contains(&b) {
                if self.buf.is_empty() {
                    self.buf.start(time);
                }
                self.buf.push(b, time);
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
            self.buf.len()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_secs(s)
    }

    fn lines(
        f: &mut LineFramer,
        data: &[u8],
        time: Timestamp,
    ) -> Vec<(String, Timestamp, Timestamp, FrameStatus)> {
        let mut v = Vec::new();
        f.feed(data, time, |l| {
            v.push((l.text().to_string(), l.first, l.last, l.status))
        });
        v
    }

    #[test]
    fn one_line_per_read() {
        let mut f = LineFramer::new();
        assert_eq!(
            lines(&mut f, b"$GPZDA,1*00\r\n", t(1)),
            vec![("$GPZDA,1*00".to_string(), t(1), t(1), FrameStatus::Complete)]
        );
    }

    #[test]
    fn split_line_has_both_times() {
        let mut f = LineFramer::new();
        assert!(lines(&mut f, b"$GPR", t(1)).is_empty());
        assert_eq!(f.pending(), 4);
        let v = lines(&mut f, b"MC\r\n$GP", t(2));
        assert_eq!(
            v,
            vec![("$GPRMC".to_string(), t(1), t(2), FrameStatus::Complete)]
        );
        assert_eq!(f.pending(), 3);
    }

    #[test]
    fn grooming_masks_parity_and_control() {
        let mut f = LineFramer::new();
        let v = lines(&mut f, &[0x02, b'A' | 0x80, 0x01, b'B', b'\n'], t(0));
        assert_eq!(v[0].0, "AB");
    }

    #[test]
    fn overflow_is_flagged_and_cut() {
        let mut f = LineFramer::new();
        let mut data = vec![b'x'; 300];
        data.extend_from_slice(b"\nok\n");
        let v = lines(&mut f, &data, t(0));
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].3, FrameStatus::Overflow);
        assert_eq!(v[0].0.len(), MAX_LINE);
        assert_eq!(v[1], ("ok".to_string(), t(0), t(0), FrameStatus::Complete));
    }

    #[test]
    fn a_long_framer_keeps_long_lines() {
        let mut f = LineFramer::<1000>::long();
        let mut data = vec![b'x'; 900];
        data.extend_from_slice(b"\n");
        data.extend(vec![b'y'; 1200]);
        data.extend_from_slice(b"\n");
        let mut v = Vec::new();
        f.feed(&data, t(0), |l| v.push((l.data.len(), l.status)));
        assert_eq!(
            v,
            vec![(900, FrameStatus::Complete), (1000, FrameStatus::Overflow)]
        );
    }

    #[test]
    fn stopping_early_keeps_the_rest_of_the_input() {
        let mut f = LineFramer::new();
        let mut input = &b"a\nb\nc"[..];
        assert_eq!(
            f.next_frame(&mut input, t(0)).map(|l| l.data.to_vec()),
            Some(b"a".to_vec())
        );
        assert_eq!(input, b"b\nc");
        assert_eq!(f.pending(), 0);
        f.reset();
        let mut input = &b"xy"[..];
        assert!(f.next_frame(&mut input, t(0)).is_none());
        assert_eq!(f.pending(), 2);
        f.reset();
        assert_eq!(f.pending(), 0);
    }
}
