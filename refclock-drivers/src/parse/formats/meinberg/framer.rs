//! The two input routines of clk_meinberg.c as framers: `mbg_input`
//! (time strings only, a 32-byte buffer) and `gps_input` (time strings
//! and binary messages on one port).
//!
//! Both stamp a frame with the receive time of the read that held its
//! first byte (STX or SOH), libparse's `parse_stime`.

use refclock_core::Timestamp;

use super::binary::{Header, HEADER_LEN, MSG_MAX};
use super::codec::{ETX, SOH, STX};

/// What a framer hands on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Bytes for the time-string conversion (libparse
    /// `PARSE_INP_TIME`), with the receive time of their STX (`None`
    /// if no STX was ever seen: such a frame cannot convert).
    Text {
        /// The bytes.
        bytes: Vec<u8>,
        /// The receive time of the read with the STX.
        stime: Option<Timestamp>,
    },
    /// A binary message: SOH, header and data (`PARSE_INP_DATA`).
    Binary(Vec<u8>),
    /// A binary message with a wrong header checksum (libparse drops
    /// back to hunting after the 8 header bytes).
    BadHeader(Vec<u8>),
    /// A string too long for libparse's buffer, dropped.
    Overflow(usize),
}

/// libparse's buffer for the standard string (`clock_meinberg[0].length`).
pub const STANDARD_BUFFER: usize = 32;

/// `mbg_input`: STX restarts the buffer, ETX ends a frame; any other
/// byte is collected, also before an STX, and a full buffer is handed
/// on as it is (it then fails to convert), the byte starting a new one.
#[derive(Clone, Debug, Default)]
pub struct StandardFramer {
    buf: Vec<u8>,
    stime: Option<Timestamp>,
}

impl StandardFramer {
    /// One byte (already masked to 7 bits).
    pub fn push(&mut self, b: u8, rectime: Timestamp, out: &mut Vec<Frame>) {
        match b {
            STX => {
                self.buf.clear();
                self.buf.push(b);
                self.stime = Some(rectime);
            }
            _ if self.buf.len() >= STANDARD_BUFFER => {
                // parse_restart: the full buffer goes up; this byte
                // (an ETX too) starts the next one.
                let bytes = std::mem::replace(&mut self.buf, vec![b]);
                out.push(Frame::Text {
                    bytes,
                    stime: self.stime,
                });
            }
            ETX => {
                self.buf.push(b);
                let bytes = std::mem::take(&mut self.buf);
                out.push(Frame::Text {
                    bytes,
                    stime: self.stime,
                });
            }
            _ => self.buf.push(b),
        }
    }

    /// Forgets a partial frame.
    pub fn reset(&mut self) {
        *self = StandardFramer::default();
    }
}

/// Where `gps_input` is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    /// Hunting for SOH or STX.
    #[default]
    None,
    /// In the 8 header bytes.
    Header,
    /// In `n` more data bytes.
    Data(usize),
    /// In a time string.
    String,
}

/// libparse's string buffer for the GPS format
/// (`clock_meinberg[2].length`).
pub const GPS_BUFFER: usize = 512;

/// `gps_input`: outside a message only SOH and STX count; a SOH reads
/// an 8-byte header (a bad header checksum ends the message there; a
/// data length that would not fit drops it), then its data; an STX
/// reads a string up to ETX.
#[derive(Clone, Debug, Default)]
pub struct GpsFramer {
    phase: Phase,
    msg: Vec<u8>,
    stime: Option<Timestamp>,
}

impl GpsFramer {
    /// One byte.
    pub fn push(&mut self, b: u8, rectime: Timestamp, out: &mut Vec<Frame>) {
        if self.phase == Phase::None {
            self.phase = match b {
                SOH => Phase::Header,
                STX => Phase::String,
                _ => return,
            };
            self.msg.clear();
            self.msg.push(b);
            self.stime = Some(rectime);
            return;
        }
        self.msg.push(b);
        if self.msg.len() > MSG_MAX {
            // libparse's message buffer is full: the message is handed
            // on as data, which a string start cannot be.
            let n = self.msg.len();
            self.phase = Phase::None;
            if self.msg[0] == SOH {
                out.push(Frame::Binary(std::mem::take(&mut self.msg)));
            } else {
                self.msg.clear();
                out.push(Frame::Overflow(n));
            }
            return;
        }
        match self.phase {
            Phase::None => {}
            Phase::String => {
                if b == ETX || self.msg.len() > GPS_BUFFER {
                    self.phase = Phase::None;
                    out.push(Frame::Text {
                        bytes: std::mem::take(&mut self.msg),
                        stime: self.stime,
                    });
                }
            }
            Phase::Header => {
                if self.msg.len() < 1 + HEADER_LEN {
                    return;
                }
                let hdr: [u8; HEADER_LEN] = self.msg[1..].try_into().expect("8 bytes");
                self.phase = Phase::None;
                if !Header::hdr_ok(&hdr) {
                    out.push(Frame::BadHeader(std::mem::take(&mut self.msg)));
                    return;
                }
                let len = usize::from(Header::parse(&hdr).len);
                if len == 0 {
                    out.push(Frame::Binary(std::mem::take(&mut self.msg)));
                } else if len >= MSG_MAX - HEADER_LEN - 1 {
                    // Larger than anything the buffer holds: skipped.
                    self.msg.clear();
                } else {
                    self.phase = Phase::Data(len);
                }
            }
            Phase::Data(n) => {
                if n > 1 {
                    self.phase = Phase::Data(n - 1);
                } else {
                    self.phase = Phase::None;
                    out.push(Frame::Binary(std::mem::take(&mut self.msg)));
                }
            }
        }
    }

    /// Forgets a partial message.
    pub fn reset(&mut self) {
        *self = GpsFramer::default();
    }
}
