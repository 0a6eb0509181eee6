//! The character stream of a raw DCF77 module: the minute mark from the
//! gap, the telegram of each minute, and one timecode a second in between
//! (clk_rawdcf.c's `inp_rawdcf`, `cvt_rawdcf` and `snt_rawdcf`).

use refclock_core::Timestamp;

use super::super::super::format::{frame_text, Decoded};
use super::super::super::time::{ParseError, ParseTime, Status, When};
use super::codec::{self, Pulse, BITS, BUFFER_MAX, NAME};

const NS: i128 = 1_000_000_000;
/// A gap longer than this before a character makes it second 0 of a
/// minute (the missing second 59: 2 s without a character).
const MARK_GAP_NS: i128 = 1_500_000_000;
/// A gap this long or longer is no minute mark but a loss of reception:
/// the telegram before it is stale.
const STALE_GAP_NS: i128 = 2_500_000_000;
/// How far a character or a mark may be from where the minute raster
/// puts it.
const RASTER_NS: i128 = 500_000_000;
/// A telegram is used only when the one before it, decoded within this
/// many seconds before, confirms it (libparse's "recent timestamp check").
const CONFIRM_SECS: i64 = 600;

/// What the previous character gave (libparse's `parse_status` of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Last {
    /// A timecode: the next second may be counted on from it.
    Time,
    /// Nothing, or a failure.
    Nothing,
}

/// The decoder's state (see the module documentation of `rawdcf`).
#[derive(Debug, Clone)]
pub struct Stream {
    /// The characters since the last minute mark (its own included).
    buffer: Vec<u8>,
    /// Receive time of the last character.
    last_char: Option<Timestamp>,
    /// Receive time of the last mark, and of the last one that came 60 s
    /// after the mark before it (the minute raster; `None` when the last
    /// mark broke it).
    last_mark: Option<Timestamp>,
    raster: Option<Timestamp>,
    /// The UTC minute of the last telegram that decoded (`tcode`).
    last_telegram: Option<i64>,
    /// What the last character gave, and the last timecode (time, status,
    /// text) counted on from.
    last: Last,
    time: Option<(Timestamp, Status, String)>,
}

impl Default for Stream {
    fn default() -> Self {
        Stream::new()
    }
}

impl Stream {
    /// A decoder that has seen nothing.
    pub fn new() -> Stream {
        Stream {
            buffer: Vec::with_capacity(BUFFER_MAX),
            last_char: None,
            last_mark: None,
            raster: None,
            last_telegram: None,
            last: Last::Nothing,
            time: None,
        }
    }

    /// Characters all received by the read at `rectime`.
    pub fn feed(&mut self, data: &[u8], rectime: Timestamp, out: &mut Vec<Decoded>) {
        for &c in data {
            self.char(c, rectime, out);
        }
    }

    fn char(&mut self, c: u8, t: Timestamp, out: &mut Vec<Decoded>) {
        let gap = self
            .last_char
            .map_or(i128::MAX, |l| t.as_nanos() - l.as_nanos());
        self.last_char = Some(t);
        let before = std::mem::replace(&mut self.last, Last::Nothing);
        if gap > MARK_GAP_NS {
            // A minute mark: the buffer is the telegram of the minute that
            // begins with this character.
            let telegram = std::mem::take(&mut self.buffer);
            self.raster = self
                .last_mark
                .filter(|m| (t.as_nanos() - m.as_nanos() - 60 * NS).abs() < RASTER_NS)
                .map(|_| t);
            self.last_mark = Some(t);
            self.buffer.push(c);
            if telegram.is_empty() {
                // The first character since the start.
            } else if gap >= STALE_GAP_NS {
                let pulses = codec::classify(&telegram);
                out.push(Decoded::Error {
                    error: ParseError::format(
                        NAME,
                        format!(
                            "no minute mark: {:.1} s without a character",
                            gap as f64 / NS as f64
                        ),
                    ),
                    text: codec::text(&pulses),
                });
            } else {
                self.telegram(&telegram, t, out);
            }
        } else if self.buffer.len() < BUFFER_MAX {
            self.buffer.push(c);
            if before == Last::Time {
                self.synthesize(t, out);
            }
        } else {
            // Seconds 0..=60 and still no gap: the minute mark was lost.
            let telegram = std::mem::replace(&mut self.buffer, vec![c]);
            let pulses = codec::classify(&telegram);
            out.push(Decoded::Error {
                error: ParseError::format(
                    NAME,
                    format!("{BUFFER_MAX} seconds without a minute mark"),
                ),
                text: codec::text(&pulses),
            });
        }
    }

    /// The timecode of the second this character starts, counted on from
    /// the previous character's (which gave one) when the character is
    /// where the minute raster puts it (`snt_rawdcf`).
    fn synthesize(&mut self, t: Timestamp, out: &mut Vec<Decoded>) {
        let (Some(raster), Some((time, status, text))) = (self.raster, &self.time) else {
            return;
        };
        let second = self.buffer.len() as i128 - 1;
        let off = t.as_nanos() - raster.as_nanos() - second * NS;
        if off.abs() >= RASTER_NS {
            return;
        }
        let next = Timestamp::from_nanos(time.as_nanos() + NS);
        let (status, text) = (*status, text.clone());
        out.push(Decoded::Time {
            time: ParseTime {
                when: When::Utc(next),
                status,
            },
            rectime: t,
            text: text.clone(),
        });
        self.time = Some((next, status, text));
        self.last = Last::Time;
    }

    /// The telegram ended by a mark received at `t` (`cvt_rawdcf`).
    fn telegram(&mut self, chars: &[u8], t: Timestamp, out: &mut Vec<Decoded>) {
        let pulses = codec::classify(chars);
        let text = codec::text(&pulses);
        let fail = |error: ParseError, out: &mut Vec<Decoded>| {
            out.push(Decoded::Error {
                error,
                text: text.clone(),
            })
        };
        if let Some((i, &Pulse::Noise(c))) = pulses
            .iter()
            .enumerate()
            .find(|(_, p)| matches!(p, Pulse::Noise(_)))
        {
            let what = format!("second {i}: {} is not a pulse character", frame_text(&[c]));
            return fail(ParseError::format(NAME, what), out);
        }
        if pulses.len() < BITS {
            let what = format!("incomplete: {} of {BITS} seconds", pulses.len());
            return fail(ParseError::format(NAME, what), out);
        }
        let bits: Vec<bool> = pulses.iter().map(|&p| p == Pulse::One).collect();
        let decoded = codec::decode(&bits).and_then(|tg| Ok((tg, tg.utc()?)));
        let (telegram, utc) = match decoded {
            Ok(x) => x,
            Err(e) => return fail(e, out),
        };
        let previous = self.last_telegram.replace(utc.secs());
        if previous.is_none_or(|p| utc.secs() - p > CONFIRM_SECS) {
            // The first telegram, or the first after a long time: wait
            // for the next to confirm it.
            return;
        }
        let status = telegram.status();
        out.push(Decoded::Time {
            time: ParseTime {
                when: When::Utc(utc),
                status,
            },
            rectime: t,
            text: text.clone(),
        });
        self.time = Some((utc, status, text));
        self.last = Last::Time;
    }
}
