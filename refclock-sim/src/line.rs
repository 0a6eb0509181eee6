//! The simulated serial line: messages in groups, laid out as bytes and
//! written into the pty's master paced at the serial speed, with the
//! system time around each `write()` kept for the truth records.
//!
//! A [`Group`] is what the device writes in one go: a second's output, or
//! the answers to what the driver wrote, the first message's on-time byte
//! timed or not. While a group is written, its bytes leave at their due
//! instants, `t0 + i × byte time` (10 bits a byte): each wake-up writes
//! whatever is due, but a message's first and on-time bytes always begin
//! a `write()` and its `end` and last bytes always end one, so that their
//! times are exact. In burst mode the whole group goes in one `write()`.
//! The master is non-blocking: when nobody reads the slave and its buffer
//! is full, bytes are lost (as on a serial line) and the records say so.

use std::io;

use refclock_core::os::clock::now;
use refclock_core::os::pty::Pty;
use refclock_core::Timestamp;

use crate::plan::{Disposition, PlannedMessage};

/// What the device writes in one go.
#[derive(Debug)]
pub(crate) struct Group {
    /// When the first message's on-time byte is due (a timed group), or
    /// when the group was made (an untimed one: as soon as the line is
    /// free).
    pub start: Timestamp,
    /// The first message's on-time byte is timed.
    pub timed: bool,
    /// A second's output (not answers).
    pub from_second: bool,
    /// The wall second the group belongs to, its index in the run and the
    /// timeline's shift there.
    pub wall: i64,
    /// See `wall`.
    pub second: u64,
    /// See `wall`.
    pub shift: i64,
    /// Whether the scenarios let it be written.
    pub disposition: Disposition,
    /// The messages.
    pub items: Vec<PlannedMessage>,
}

/// Where one message is in a group's bytes.
#[derive(Clone, Copy, Debug)]
struct Mark {
    start: usize,
    on_time: usize,
    end: usize,
    last: usize,
}

impl Mark {
    /// Bytes that must begin a `write()`.
    fn begins(&self) -> [usize; 2] {
        [self.start, self.on_time]
    }

    /// Bytes that must end a `write()`.
    fn ends(&self) -> [usize; 2] {
        [self.end, self.last]
    }

    fn is_edge(&self, i: usize) -> bool {
        self.begins().contains(&i) || self.ends().contains(&i)
    }
}

/// System times (before, after) of the `write()`s that carried one
/// message's first, `end` and last bytes, and whether bytes were lost.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Times {
    pub first: Option<(Timestamp, Timestamp)>,
    pub eol: Option<(Timestamp, Timestamp)>,
    pub last: Option<(Timestamp, Timestamp)>,
    pub overflow: bool,
}

/// The offset of the first message's on-time byte in a group.
pub(crate) fn on_time_offset(group: &Group) -> usize {
    group.items.first().map_or(0, |i| i.message.on_time)
}

/// A group being written.
pub(crate) struct Writing {
    /// The group.
    pub group: Group,
    bytes: Vec<u8>,
    marks: Vec<Mark>,
    /// When byte 0 is due.
    t0: Timestamp,
    /// Nanoseconds a byte; 0 in burst mode.
    byte_ns: i128,
    pos: usize,
    /// The write times of each message.
    pub times: Vec<Times>,
}

impl Writing {
    /// Starts writing `group`, byte 0 due at `t0`, `byte_ns` a byte (0:
    /// all at once). Messages without bytes are left out of the group.
    pub fn new(mut group: Group, t0: Timestamp, byte_ns: i128) -> Writing {
        group.items.retain(|i| !i.message.bytes.is_empty());
        let mut bytes = Vec::with_capacity(256);
        let mut marks = Vec::with_capacity(group.items.len());
        for item in &group.items {
            let m = &item.message;
            let start = bytes.len();
            let last = m.bytes.len() - 1;
            bytes.extend_from_slice(&m.bytes);
            marks.push(Mark {
                start,
                on_time: start + m.on_time.min(last),
                end: start + m.end.min(last),
                last: start + last,
            });
            bytes.extend_from_slice(&item.garbage_after);
        }
        Writing {
            times: vec![Times::default(); group.items.len()],
            group,
            bytes,
            marks,
            t0,
            byte_ns,
            pos: 0,
        }
    }

    /// Whether every byte went out.
    pub fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// When the line is free again: one byte time after the last byte's
    /// due instant.
    pub fn line_free(&self) -> Timestamp {
        self.due(self.bytes.len())
    }

    fn due(&self, i: usize) -> Timestamp {
        Timestamp::from_nanos(self.t0.as_nanos() + i as i128 * self.byte_ns)
    }

    /// When the next `write()` is due, and whether precisely (it carries
    /// a first, on-time, `end` or last byte).
    pub fn next_due(&self) -> (Timestamp, bool) {
        let precise = self.marks.iter().any(|m| m.is_edge(self.pos));
        (self.due(self.pos), precise)
    }

    /// Writes what is due now (call once [`Writing::next_due`] is
    /// reached).
    pub fn write_due(&mut self, pty: &Pty) {
        let len = self.bytes.len();
        if self.pos >= len {
            return;
        }
        let mut end = if self.byte_ns == 0 {
            len
        } else {
            let elapsed = now().as_nanos() - self.t0.as_nanos();
            ((elapsed / self.byte_ns).max(0) as usize + 1).clamp(self.pos + 1, len)
        };
        if self.byte_ns != 0 {
            let pos = self.pos;
            for m in &self.marks {
                for b in m.begins() {
                    if b > pos && b < end {
                        end = b;
                    }
                }
                for e in m.ends() {
                    if e >= pos && e < end {
                        end = e + 1;
                    }
                }
            }
        }
        let (before, n, after) = timed_write(pty, &self.bytes[self.pos..end]);
        let span = self.pos..end;
        let lost = self.pos + n..end;
        for (t, m) in self.times.iter_mut().zip(&self.marks) {
            if span.contains(&m.start) {
                t.first = Some((before, after));
            }
            if span.contains(&m.end) {
                t.eol = Some((before, after));
            }
            if span.contains(&m.last) {
                t.last = Some((before, after));
            }
            if lost.start < lost.end && lost.start <= m.last && lost.end > m.start {
                t.overflow = true;
            }
        }
        self.pos = end;
    }
}

/// One `write()` bracketed by clock reads: (before, bytes written, after).
/// A full buffer or an error counts as 0 bytes written.
fn timed_write(pty: &Pty, data: &[u8]) -> (Timestamp, usize, Timestamp) {
    let before = now();
    let r = pty.write(data);
    let after = now();
    let n = match r {
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
        Err(_) => 0,
    };
    (before, n, after)
}
