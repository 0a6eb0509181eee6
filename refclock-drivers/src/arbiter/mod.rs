//! The Arbiter 1088A/B satellite controlled clock: ntpd's type 11
//! (`GPS_ARBITER`, `refclock_arbiter.c`; NTPsec `arbiter`), as ntpd
//! 4.2.8p18's source and `html/drivers/driver11.html` describe it.
//!
//! * Device `/dev/gpsN`, 9600 baud 8N1, canonical lines. Reference ID
//!   `GPS `, precision −20 (about 1 µs).
//! * Mode 0: the `B0`/`B5` commands; mode 1: `O0`/`O5` (the same
//!   timecode on the other port); any other mode refuses to start, as in
//!   ntpd. time1: added to every sample (the driver page suggests .001240
//!   with the PPS calibration). flag4: also ask the position (`LA`, `LO`,
//!   `LH`, `DB`) at each poll and log it to clockstats.
//!
//! ## The dialogue and the timecode
//!
//! At start `B0` stops a broadcast. Each poll writes `TQ`; the answer
//! `TQq` gives the IEEE P1344 time quality `q` (`0` locked; `4`…`B`
//! unlocked, < 1 µs … < 10 s; `F` failure) and the driver asks `SR` (the
//! status string `V=vv S=ss T=t P=pdop E=ee`, kept for clockstats), then
//! with flag4 the position, then `B5`. The clock then sends, once a
//! second,
//!
//! ```text
//! <CR><LF>i yy ddd hh:mm:ss.000
//! ```
//!
//! (24 characters with three trailing blanks; `i` `' '` locked, `?` not;
//! the CR goes out on time). The line of a timecode only ends at the CR
//! of the next second, so it is stamped with the end of the line before
//! it, when that line was a whole timecode: the first timecode after the
//! dialogue (which follows an answer) is skipped, and every one after it
//! gives a sample and writes `B0`: one or two samples per poll, depending
//! on whether the clock stops before its next second. Shorter lines (a
//! broadcast cut by `B0`) are dropped quietly.
//!
//! Each timecode: a layout error is a bad reply (and `B0`); quality `F`
//! a fault, an unknown quality a bad reply (each with `B0`, no sample);
//! sync `?` sets "not in sync"; then a raw sample, named time − stamp +
//! time1. Each poll filters the samples of the last one (or reports a
//! timeout) and logs the last timecode, the quality character in its
//! column 22 and the status after it.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **No quality, no sample, no complaint.** ntpd's quality character
//!   starts as NUL, so every timecode before the first `TQ` answer (a
//!   clock another host polls, one still broadcasting at start) is a bad
//!   reply, with a `B0`. Here such a timecode gives no sample and is not
//!   counted, and nothing is written (our dialogue did not start that
//!   broadcast).
//! * **A timecode is used only after a whole timecode.** ntpd skips the
//!   first timecode after each poll's dialogue (its stamp would be the
//!   end of the `SR` answer) and takes the rest, each stamped with the
//!   end of the line before it. When a poll comes while the broadcast is
//!   still on (a poll interval of 2 s: the dialogue's broadcast lasts two
//!   seconds), the `TQ` answer runs into the open timecode line and the
//!   next timecode is stamped with the answer's end, up to a second off
//!   (seen against the simulated clock); here that timecode is skipped
//!   too. With ntpd's usual polls both give the same samples. `B0` goes
//!   out after each sample, as in ntpd.
//! * ntpd also runs the filter from the receive path while its peer's
//!   dispersion is above `MAXDISTANCE` (in the first minutes); here the
//!   filter runs at the polls only: a poll filters what the previous
//!   poll's dialogue gave, where ntpd in its first minutes has filtered
//!   them already and reports a timeout.
//! * Every field must have its digits in its columns and be in range;
//!   ntpd's `sscanf` takes signs and blanks and its calendar carries
//!   day 367 or hour 24 over.
//! * The first line ever read has no line before it to stamp it; ntpd
//!   stamps it with zero (a bad time), here it gives nothing.
//!
//! ## Trying it without a clock
//!
//! `ntp-refclock --simulate 127.127.11.0` runs the driver against the
//! simulated clock (`device`, feature `sim`).

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, ArbiterError, Commands, Timecode};
pub use driver::{ArbiterDriver, DEVICE, INFO, PRECISION};

#[cfg(test)]
mod tests;
