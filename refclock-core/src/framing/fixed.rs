//! Fixed-length records that open with a start byte and have no line end
//! (the Zyfer GPStarplus's 29-byte `!TIME,...`, whose `!` is the on-time
//! character). ntpd's `refclock_zyfer.c` assembles them by hand: a read
//! whose first byte is the start byte begins a record, later reads are
//! appended until the length is reached.
//!
//! [`FixedFramer`] does the same with these rules:
//!
//! * Bytes outside a record that are not the start byte are skipped (ntpd
//!   drops a whole read that does not open with it; here a record may
//!   start anywhere in a read).
//! * A record is complete after `len` bytes, counting the start byte. Its
//!   [`Frame::first`] is the time of the read that held the start byte
//!   (the on-time mark), [`Frame::last`] that of the read that completed
//!   it. Bytes are kept as they came (no parity masking, no grooming).
//! * **A start byte inside a record starts a new record.** ntpd only counts
//!   bytes, so a receiver that sends part of a record after a glitch gets
//!   its fragment glued to the start of the next record: that record is
//!   lost and the glued one is garbage. Here the fragment is handed out on
//!   its own, shorter than `len` and flagged [`FrameStatus::Short`], so a
//!   driver can count it as malformed; the new record is then assembled
//!   from its start byte and arrives intact. This needs a format whose
//!   start byte never occurs inside a record, as in ASCII formats with a
//!   reserved lead character (Zyfer's `!`); a binary format whose body may
//!   hold the start byte would need a counting variant.

use super::buf::FrameBuf;
use super::{Frame, FrameStatus, Framer};
use crate::time::Timestamp;

/// Longest record a [`FixedFramer`] takes.
pub const MAX_FIXED: usize = 256;

/// Assembles fixed-length records (see the module documentation).
#[derive(Clone, Debug)]
pub struct FixedFramer {
    start: u8,
    len: usize,
    buf: FrameBuf<MAX_FIXED>,
    /// The record in `buf` was handed out; clear it on the next call.
    emitted: bool,
}

impl FixedFramer {
    /// A framer for records of `len` bytes (the start byte included; 1
    /// to [`MAX_FIXED`]) that begin with `start`.
    pub const fn new(start: u8, len: usize) -> Self {
        let len = if len < 1 {
            1
        } else if len > MAX_FIXED {
            MAX_FIXED
        } else {
            len
        };
        FixedFramer {
            start,
            len,
            buf: FrameBuf::new(),
            emitted: false,
        }
    }

    /// The record length.
    pub fn record_len(&self) -> usize {
        self.len
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.emitted = false;
    }

    fn emit(&mut self, last: Timestamp, status: FrameStatus) -> Frame<'_> {
        self.emitted = true;
        self.buf.frame(last, status)
    }
}

impl Framer for FixedFramer {
    fn next_frame<'a>(&'a mut self, input: &mut &[u8], time: Timestamp) -> Option<Frame<'a>> {
        if self.emitted {
            self.clear();
        }
        while let Some((&b, rest)) = input.split_first() {
            if self.buf.is_empty() {
                *input = rest;
                if b == self.start {
                    self.buf.start(time);
                    self.buf.push(b, time);
                }
            } else if b == self.start {
                // A new record begins: hand out the fragment, and leave the
                // start byte in `input` for the next call.
                return Some(self.emit(time, FrameStatus::Short));
            } else {
                *input = rest;
                self.buf.push(b, time);
            }
            if self.buf.len() == self.len {
                return Some(self.emit(time, FrameStatus::Complete));
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

    const CODE: &[u8] = b"!TIME,2002,017,07,59,32,2,4,1";

    fn t(s: i64) -> Timestamp {
        Timestamp::from_secs(s)
    }

    type Got = (Vec<u8>, Timestamp, Timestamp, FrameStatus);

    fn frames(f: &mut FixedFramer, data: &[u8], time: Timestamp) -> Vec<Got> {
        let mut v = Vec::new();
        f.feed(data, time, |r| {
            v.push((r.data.to_vec(), r.first, r.last, r.status))
        });
        v
    }

    #[test]
    fn one_record_per_read_and_back_to_back() {
        let mut f = FixedFramer::new(b'!', 29);
        assert_eq!(f.record_len(), 29);
        let mut two = CODE.to_vec();
        two.extend_from_slice(CODE);
        let got = frames(&mut f, &two, t(1));
        let one = (CODE.to_vec(), t(1), t(1), FrameStatus::Complete);
        assert_eq!(got, vec![one.clone(), one]);
        assert_eq!(f.pending(), 0);
    }

    #[test]
    fn noise_before_the_start_byte_is_skipped() {
        let mut f = FixedFramer::new(b'!', 29);
        let mut data = b"\r\nxyz\x00".to_vec();
        data.extend_from_slice(CODE);
        data.extend_from_slice(b"junk");
        let got = frames(&mut f, &data, t(5));
        assert_eq!(
            got,
            vec![(CODE.to_vec(), t(5), t(5), FrameStatus::Complete)]
        );
        assert_eq!(f.pending(), 0, "junk after a record is not kept");
    }

    /// Split anywhere, a record keeps the time of the read that held the
    /// start byte as `first` and of the completing read as `last`.
    #[test]
    fn split_reads_keep_the_start_bytes_time() {
        for i in 0..=CODE.len() {
            for j in i..=CODE.len() {
                let mut f = FixedFramer::new(b'!', 29);
                let mut got = frames(&mut f, &CODE[..i], t(1));
                got.extend(frames(&mut f, &CODE[i..j], t(2)));
                got.extend(frames(&mut f, &CODE[j..], t(3)));
                let first = if i > 0 {
                    t(1)
                } else if j > 0 {
                    t(2)
                } else {
                    t(3)
                };
                let last = if j == CODE.len() && i == CODE.len() {
                    t(1)
                } else if j == CODE.len() {
                    t(2)
                } else {
                    t(3)
                };
                assert_eq!(
                    got,
                    vec![(CODE.to_vec(), first, last, FrameStatus::Complete)],
                    "{i} {j}"
                );
            }
        }
    }

    /// A fragment is handed out on its own, cut, and the record after it
    /// arrives intact (ntpd would glue them into one garbled record).
    #[test]
    fn a_start_byte_inside_a_record_starts_a_new_one() {
        let mut f = FixedFramer::new(b'!', 29);
        assert!(frames(&mut f, b"!TIME,2002,01", t(1)).is_empty());
        assert_eq!(f.pending(), 13);
        let got = frames(&mut f, CODE, t(2));
        assert_eq!(
            got,
            vec![
                (b"!TIME,2002,01".to_vec(), t(1), t(2), FrameStatus::Short),
                (CODE.to_vec(), t(2), t(2), FrameStatus::Complete),
            ]
        );
        // Stopping after the fragment leaves the start byte to be read.
        let mut f = FixedFramer::new(b'!', 29);
        let mut input = &b"!TI!TIME"[..];
        let frag = f.next_frame(&mut input, t(0)).map(|r| r.data.to_vec());
        assert_eq!(frag, Some(b"!TI".to_vec()));
        assert_eq!(input, b"!TIME");
        assert!(f.next_frame(&mut input, t(0)).is_none());
        assert_eq!(f.pending(), 5);
    }

    #[test]
    fn reset_drops_a_partial_record() {
        let mut f = FixedFramer::new(b'!', 29);
        assert!(frames(&mut f, &CODE[..10], t(1)).is_empty());
        f.reset();
        assert_eq!(f.pending(), 0);
        // The tail alone holds no start byte and makes no record.
        assert!(frames(&mut f, &CODE[10..], t(2)).is_empty());
        assert_eq!(f.pending(), 0);
        let got = frames(&mut f, CODE, t(3));
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn bytes_are_kept_as_they_came() {
        let mut f = FixedFramer::new(0x10, 4);
        let got = frames(&mut f, &[0xff, 0x10, 0x00, 0x80, 0x7f], t(0));
        assert_eq!(got[0].0, vec![0x10, 0x00, 0x80, 0x7f]);
        // A one-byte record is its start byte.
        let mut f = FixedFramer::new(b'#', 0);
        assert_eq!(frames(&mut f, b"a##", t(0)).len(), 2);
    }
}
