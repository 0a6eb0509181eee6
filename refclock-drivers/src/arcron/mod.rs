//! Arcron MSF/DCF77/WWVB clocks: ntpd's type 27 (`ARCRON_MSF`), as ntpd
//! 4.2.8p18's `refclock_arc.c` (V1.3, built with its defaults
//! `ARCRON_KEEN` and `ARCRON_MULTIPLE_SAMPLES`) behaves.
//!
//! * [`codec`]: the `o` timecode as bytes ↔ fields.
//! * [`ArcronDriver`]: the driver logic on top of [`refclock_core`].
//! * `device` (feature `sim`): the simulated clock.
//!
//! ## Device and line
//!
//! `/dev/arcN` (or `path`), 300 baud, 8 data bits, no parity, 2 stop bits
//! (11 bits a character), raw input with the parity bit stripped (ntpd's
//! `IGNBRK | ISTRIP`, `CS8 | CSTOPB`). The clock powers its transmitter
//! from the host's lines and echoes every character it is sent; the
//! driver sends one command character every 2 seconds (ntpd's
//! `QUEUETICK`), from a queue of 4.
//!
//! ## The dialogue
//!
//! Each poll queues `o\r`. At the start of the second after the CR the
//! clock answers `hhmmss` `w` `DDMMYY` and two status bytes and a CR:
//!
//! ```text
//! o            echo of the o, 2 s later the echo of the CR (dropped)
//! 153643704089143\r   on the next second
//! ```
//!
//! is 15:36:43, day of week 7 (Sunday; 1 = Monday), 04/08/91, BST/UTC
//! byte `4` (UTC), status `3` (in sync). The first character's start bit
//! is on time. Each read after the echoed `o` gives an estimate: the
//! read's time less the line time of the characters up to its last byte
//! (11 bits each, less half a bit: ntpd's `charoffsets`); the earliest
//! wins. The BST/UTC byte has bit 1 for BST and bit 2 for UTC (bit 0: a
//! change is announced); the status byte has bit 0 "valid time",
//! bit 1 "a reception since 02:30 succeeded", bit 2 "the last reception
//! failed", bit 3 "battery low" (logged).
//!
//! About every hour (57 min; first 500 s + (67 × unit) mod 1009 s after
//! the start) a poll first queues `h\r`, which starts a resync with the
//! MSF signal (its echo `h` is dropped). While resyncing, each read
//! queues `g\r` when the queue is empty; the answer `g` `r` `q` has `r` =
//! `3` while the resync runs and `q` the signal quality 0..5, averaged
//! per minute; the first answer with another `r` ends the resync, logs
//! the quality, and a quality below 3 makes every poll report a fault
//! instead of asking for the time, and brings the next resync 27 min
//! forward. The quality is `unknown` until the first resync ends (the
//! clock is trusted meanwhile); the clockstats line is the timecode
//! with the quality digit (`6` = unknown) appended.
//!
//! ## Mode and fudge
//!
//! * mode 0 (refid `MSFa`): the original driver. The BST and UTC bits
//!   must be each other's complement (else a bad reply), and BST is
//!   always taken off (one hour).
//! * mode 1 (`MSF`), 2 (`DCF`), 3 (`WWVB`): the clock states UTC, unless
//!   `flag1`: then it states local time: see the differences below.
//! * `time1`: added to every offset (ntpd's author used 0.020).
//! * `flag2`: never resync (the clock's battery lasts longer).
//! * `flag3`: ntpd's higher claimed precision (−5 instead of −4); no
//!   effect here (the precision is not part of a sample).
//! * `time2`, `flag4`: unused.
//!
//! ## Deliberate differences from ntpd
//!
//! * **A sample every poll.** ntpd's buffer length stays at 16 after a
//!   good timecode, and the next read is thrown away as leftover. At 300
//!   baud that is normally the timecode's CR, read on its own; but when
//!   the CR came in one read with the characters before it (a busy host,
//!   a device that writes whole lines), the leftover is the next poll's
//!   echoed `o`, the timecode that follows starts with a digit and is a
//!   bad reply: the C program then gives a sample every other poll. Ours
//!   empties the buffer after each timecode, good or bad. (The simulated
//!   clock times each character, so the C program samples every poll on
//!   it too: see the golden case `arcron-clean`.)
//! * **Not in sync means no sample.** ntpd refuses only the timecode at
//!   which the status changes away from "valid, received, last attempt
//!   good" (and reports a fault), then takes the following ones again
//!   with no leap warning, also a clock that never had a valid time
//!   (its status starts at 0, so no change is seen). Ours takes no
//!   sample while the status is not that, and says "not in sync"; the
//!   fault is reported at the change, as in ntpd. The poll interval does
//!   not shrink meanwhile (ntpd's `refclock_receive` brings the next poll
//!   forward while its clock is not in sync, so the C program then polls
//!   every second); our host polls at the configured interval.
//! * **Local time** (`flag1`, modes 1 and 2) is converted with a fixed
//!   zone: mode 1 takes an hour off in BST; mode 2 takes off one hour
//!   (CET) or two (CEST, the clock's summer-time bit). ntpd uses
//!   `mktime` with the process's zone and the clock's DST bit; for a
//!   process on British or Central European time the result is the same.
//!   Mode 3 with `flag1` (WWVB on US local time) is refused at start.
//! * **Dates**: the two-digit year is unfolded from 1998 on (ntpd's
//!   `YEAR_PIVOT`, then relative to the base date from 2048), and a day
//!   that does not exist in its month (31 April) is a bad time; ntpd
//!   adds month offsets and passes it on. BST on 1 January is taken back
//!   into 31 December, where ntpd would pass day 0 on.
//! * ntpd filters after every sample; here the first sample after each
//!   poll does (one filtered result a poll interval, also when another
//!   host's polls bring more timecodes).
//! * Not reproduced: the precision changes (above), and ntpd's quality
//!   average shared by all units (one per unit here).

pub mod codec;
mod driver;

#[cfg(feature = "sim")]
pub mod device;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use driver::*;

#[cfg(test)]
mod tests;
