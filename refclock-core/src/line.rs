//! Line assembly with receive timestamps.
//!
//! Serial timecodes are lines; a read may deliver part of one, one, or
//! several. [`LineFramer`] collects bytes until CR or LF and hands out each
//! line with the timestamp of the read that delivered its terminator (in
//! canonical mode that is one read per line, exactly ntpd's
//! `refclock_gtlin`). Bytes are groomed as ntpd does: the parity bit is
//! masked off and only printable ASCII (0x20..=0x7e) is kept. Empty lines
//! (the LF of CR LF) are skipped. A line longer than [`MAX_LINE`] is cut
//! and flagged, never silently merged into the next.

use crate::time::Timestamp;

/// Longest line kept (`BMAX − 1`).
pub const MAX_LINE: usize = 127;

/// One assembled line.
#[derive(Clone, Copy)]
pub struct Line {
    buf: [u8; MAX_LINE],
    len: usize,
    /// Timestamp of the read that delivered the terminator.
    pub time: Timestamp,
    /// The line was longer than [`MAX_LINE`] and was cut.
    pub overflow: bool,
}

impl Line {
    /// The printable bytes of the line.
    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The line as text (it is always ASCII).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes()).unwrap_or("")
    }
}

impl std::fmt::Debug for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Line")
            .field("text", &self.as_str())
            .field("time", &self.time)
            .field("overflow", &self.overflow)
            .finish()
    }
}

/// Assembles lines from chunks of bytes. Feed with [`LineFramer::feed`] and
/// iterate the lines it returns.
#[derive(Clone, Debug)]
pub struct LineFramer {
    buf: [u8; MAX_LINE],
    len: usize,
    overflow: bool,
}

impl Default for LineFramer {
    fn default() -> Self {
        Self::new()
    }
}

impl LineFramer {
    /// An empty framer.
    pub const fn new() -> Self {
        LineFramer {
            buf: [0; MAX_LINE],
            len: 0,
            overflow: false,
        }
    }

    /// Drops a partial line (after a device loss or a timeout).
    pub fn reset(&mut self) {
        self.len = 0;
        self.overflow = false;
    }

    /// Bytes of the partial line held.
    pub fn pending(&self) -> usize {
        self.len
    }

    /// Feeds one read's bytes, received at `time`; returns the completed lines.
    pub fn feed<'a>(&'a mut self, data: &'a [u8], time: Timestamp) -> Lines<'a> {
        Lines {
            framer: self,
            data,
            time,
        }
    }

    fn step(&mut self, data: &mut &[u8], time: Timestamp) -> Option<Line> {
        while let Some((&b, rest)) = data.split_first() {
            *data = rest;
            let b = b & 0x7f;
            if b == b'\n' || b == b'\r' {
                if self.len == 0 && !self.overflow {
                    continue;
                }
                let line = Line {
                    buf: self.buf,
                    len: self.len,
                    time,
                    overflow: self.overflow,
                };
                self.reset();
                return Some(line);
            }
            if (0x20..0x7f).contains(&b) {
                if self.len < MAX_LINE {
                    self.buf[self.len] = b;
                    self.len += 1;
                } else {
                    self.overflow = true;
                }
            }
        }
        None
    }
}

/// Iterator over the lines completed by one [`LineFramer::feed`]. Bytes not
/// consumed when it is dropped are still consumed (the partial line is kept).
pub struct Lines<'a> {
    framer: &'a mut LineFramer,
    data: &'a [u8],
    time: Timestamp,
}

impl Iterator for Lines<'_> {
    type Item = Line;
    fn next(&mut self) -> Option<Line> {
        self.framer.step(&mut self.data, self.time)
    }
}

impl Drop for Lines<'_> {
    fn drop(&mut self) {
        while self.framer.step(&mut self.data, self.time).is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_secs(s)
    }

    #[test]
    fn one_line_per_read() {
        let mut f = LineFramer::new();
        let v: Vec<_> = f
            .feed(b"$GPZDA,1*00\r\n", t(1))
            .map(|l| (l.as_str().to_string(), l.time))
            .collect();
        assert_eq!(v, vec![("$GPZDA,1*00".to_string(), t(1))]);
    }

    #[test]
    fn split_line_gets_time_of_terminator() {
        let mut f = LineFramer::new();
        assert_eq!(f.feed(b"$GPR", t(1)).count(), 0);
        assert_eq!(f.pending(), 4);
        let v: Vec<_> = f.feed(b"MC\r\n$GP", t(2)).collect();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].as_str(), "$GPRMC");
        assert_eq!(v[0].time, t(2));
        assert_eq!(f.pending(), 3);
    }

    #[test]
    fn grooming_masks_parity_and_control() {
        let mut f = LineFramer::new();
        let v: Vec<_> = f.feed(&[b'A' | 0x80, 0x01, b'B', b'\n'], t(0)).collect();
        assert_eq!(v[0].as_str(), "AB");
    }

    #[test]
    fn overflow_is_flagged_and_cut() {
        let mut f = LineFramer::new();
        let mut data = vec![b'x'; 300];
        data.extend_from_slice(b"\nok\n");
        let v: Vec<_> = f.feed(&data, t(0)).collect();
        assert_eq!(v.len(), 2);
        assert!(v[0].overflow);
        assert_eq!(v[0].bytes().len(), MAX_LINE);
        assert!(!v[1].overflow);
        assert_eq!(v[1].as_str(), "ok");
    }

    #[test]
    fn dropped_iterator_still_consumes() {
        let mut f = LineFramer::new();
        drop(f.feed(b"a\nb\nc", t(0)));
        assert_eq!(f.pending(), 1);
    }
}
