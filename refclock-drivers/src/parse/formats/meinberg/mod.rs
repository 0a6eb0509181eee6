//! # Meinberg receivers (PARSE modes 0, 1, 2, 22 and 7, 18, 23)
//!
//! libparse's clk_meinberg.c with the Meinberg hooks of ntpd 4.2.8p18's
//! refclock_parse.c.
//!
//! ## The DCF77 receivers: modes 0, 1, 2, 22 ("Meinberg Standard")
//!
//! PZF 535/509 with TCXO (mode 0, trust 12 h) or OCXO (mode 1, 4 days),
//! DCF C51 and compatibles (mode 2, 30 min), and mode 22, a mode 2 that
//! also trusts the POWERUP state within its trust time after sync was
//! seen (`PARSE_F_POWERUPTRUST`). 9600 baud 7E2, the eighth bit
//! stripped. The receiver sends a string once a second, its STX on the
//! second:
//!
//! ```text
//! <STX>D:dd.mm.yy;T:w;U:hh.mm.ss;SFDA<ETX>        standard
//! <STX>dd.mm.yy; w; hh:mm:ss; USFDALR<ETX>        Uni-Erlangen extended
//! ```
//!
//! `S` `#` not synchronised since power-up (POWERUP), `F` `*` running on
//! its quartz (NOSYNC), `D` `S` CEST / `U` UTC / blank CET, `A` `!` a DST
//! change within the hour (ANNOUNCE), `A` a leap second (LEAPADD), `a` a
//! deleted one (standard string only); in the extended string `U` UTC,
//! `L` `A` a leap second, `R` the call bit. Both are read in any of these
//! modes (libparse picks the layout). The weekday is not read; the year
//! has two digits.
//!
//! ## The GPS receivers: modes 7, 18, 23 ("Meinberg GPS Extended")
//!
//! GPS16x/GPS17x and later: 19200 8N1, the Uni-Erlangen GPS string once a
//! second (its STX on the second),
//!
//! ```text
//! <STX>dd.mm.yy; w; hh:mm:ss; +hh:mm; uvxyzab; 49.5736N  11.0280E  373m<ETX>
//! ```
//!
//! the local time with its offset from UTC, `u` `#` not synchronised
//! (POWERUP), `v` `*` position not verified (NOSYNC, as libparse has
//! it), `x` `S` DST, `y` `!` DST change announced, `z` `A` (`a`) a leap
//! second insertion (deletion) announced, `a` `R` call bit, `b` `L` the
//! leap second itself. The two DCF77 strings are read too. On the same
//! port come the receiver's binary messages (`SOH`, an 8-byte header
//! with two checksums, data: [`binary`]); one framer ([`framer::GpsFramer`],
//! libparse's `gps_input`) separates them. Modes 7 and 23 send a binary
//! query when the port opens and every 6 s after, cycling through
//! ntpd's eight commands (software revision, buffered-variable status,
//! UTC parameters, ASCII message, antenna, satellite health, position
//! XYZ and LLA); mode 18 sends nothing. Mode 23 trusts POWERUP like 22.
//! Trust time 4 days.
//!
//! ## What ntpd does with it
//!
//! The on-time byte is the STX: a frame's receive time is that of the
//! read holding it. A string that does not have the layout is a bad
//! reply (`CEVNT_BADREPLY`); a bad date or time a bad date or time.
//! Samples only while the receiver is in sync, or within the trust
//! time after sync was last seen (POWERUP never, except in modes 22 and
//! 23); `A` sets the leap indicator to insert (delete with `flag4`), `a`
//! to delete. The binary answers fill ntpd's peer variables; here they
//! become clockstats lines (`meinberg_gps_version="1.23 refclock"`).
//!
//! ## Deliberate differences from ntpd
//!
//! - The DST bit of the GPS string is read from its `x` character:
//!   libparse's table reads it one place later, from the `y` (DST
//!   announcement) character, so ntpd never reports DST for a GPS
//!   receiver (status only; the offset from UTC comes from the string's
//!   `+hh:mm` either way).
//! - A binary message with a wrong checksum, or a string too long for
//!   libparse's buffer, is counted as a bad reply; ntpd only writes a
//!   debug line.
//! - Binary messages are read from the first one; ntpd reads them only
//!   after a good time string, and only ntpq shows what they say.
//! - Two-digit years unfold with the kit's calendar (see the PARSE
//!   module).

pub mod binary;
pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
pub mod framer;
#[cfg(feature = "testkit")]
pub mod fuzz;

#[cfg(test)]
#[path = "codec_tests.rs"]
mod codec_tests;
#[cfg(test)]
#[path = "driver_tests.rs"]
mod driver_tests;

use refclock_core::{Context, PortId, Timestamp};

use super::super::format::{frame_text, Decoded, Format};
use super::super::time::ParseError;
use binary::{Message, QUERY_INTERVAL, QUERY_SEQUENCE};
use framer::{Frame, GpsFramer, StandardFramer};

/// Which of clk_meinberg.c's two formats a mode uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// "Meinberg Standard" (`mbg_input`, `cvt_meinberg`): modes 0, 1,
    /// 2, 22; 7-bit.
    Standard,
    /// "Meinberg GPS Extended" (`gps_input`, `cvt_mgps`): modes 7, 18,
    /// 23.
    Gps,
}

/// The Meinberg format of one mode, with its hooks.
#[derive(Debug)]
pub struct Meinberg {
    kind: Kind,
    /// Sends the binary queries (modes 7 and 23).
    queries: bool,
    standard: StandardFramer,
    gps: GpsFramer,
    /// The next command of [`QUERY_SEQUENCE`] (ntpd's `localstate`).
    next_query: usize,
    /// Seconds until the next query.
    countdown: u32,
    frames: Vec<Frame>,
}

impl Meinberg {
    /// The format of `mode`, or `None` if the mode is not a Meinberg one.
    pub fn new(mode: u8) -> Option<Meinberg> {
        let (kind, queries) = match mode {
            0 | 1 | 2 | 22 => (Kind::Standard, false),
            7 | 23 => (Kind::Gps, true),
            18 => (Kind::Gps, false),
            _ => return None,
        };
        Some(Meinberg {
            kind,
            queries,
            standard: StandardFramer::default(),
            gps: GpsFramer::default(),
            next_query: 0,
            countdown: 0,
            frames: Vec::new(),
        })
    }

    /// The format's kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Sends the next query of the cycle (`gps16x_poll`).
    fn query(&mut self, ctx: &mut Context<'_>) {
        let cmd = QUERY_SEQUENCE[self.next_query];
        self.next_query = (self.next_query + 1) % QUERY_SEQUENCE.len();
        self.countdown = QUERY_INTERVAL;
        ctx.write(PortId::MAIN, binary::query(cmd));
    }

    fn decode(&self, frame: Frame, rectime: Timestamp) -> Decoded {
        let name = self.name();
        match frame {
            Frame::Text { bytes, stime } => {
                let text = frame_text(&bytes);
                let decoded = match self.kind {
                    Kind::Standard => codec::decode_standard(&bytes),
                    Kind::Gps => codec::decode_gps(&bytes),
                };
                match decoded {
                    Ok(time) => Decoded::Time {
                        time,
                        rectime: stime.unwrap_or(rectime),
                        text,
                    },
                    Err(error) => Decoded::Error { error, text },
                }
            }
            Frame::Binary(bytes) => match binary::decode(&bytes) {
                Message::Good { text, .. } => Decoded::Other { note: text },
                Message::BadChecksum(what) => Decoded::Error {
                    error: ParseError::check(name, format!("binary message: {what}")),
                    text: frame_text(&bytes),
                },
            },
            Frame::BadHeader(bytes) => Decoded::Error {
                error: ParseError::check(name, "binary message: header checksum"),
                text: frame_text(&bytes),
            },
            Frame::Overflow(n) => Decoded::Error {
                error: ParseError::format(name, format!("string of {n} bytes without ETX")),
                text: String::new(),
            },
        }
    }
}

impl Format for Meinberg {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Standard => codec::STANDARD_NAME,
            Kind::Gps => codec::GPS_NAME,
        }
    }

    fn feed(&mut self, data: &[u8], rectime: Timestamp, out: &mut Vec<Decoded>) {
        let mut frames = std::mem::take(&mut self.frames);
        for &b in data {
            match self.kind {
                // 7 data bits (libparse's PARSE_IO_CS7).
                Kind::Standard => self.standard.push(b & 0x7f, rectime, &mut frames),
                Kind::Gps => self.gps.push(b, rectime, &mut frames),
            }
        }
        for frame in frames.drain(..) {
            out.push(self.decode(frame, rectime));
        }
        self.frames = frames;
    }

    fn reset(&mut self) {
        self.standard.reset();
        self.gps.reset();
        self.frames.clear();
    }

    /// Modes 7 and 23: the first query (`gps16x_poll_init`).
    fn on_open(&mut self, ctx: &mut Context<'_>) {
        if self.queries {
            self.query(ctx);
        }
    }

    /// Modes 7 and 23: a query every 6 s.
    fn on_second(&mut self, ctx: &mut Context<'_>, _now: Timestamp) {
        if !self.queries || self.countdown == 0 {
            return;
        }
        self.countdown -= 1;
        if self.countdown == 0 {
            self.query(ctx);
        }
    }
}
