//! PSTI 1010 and Traconex 1020 WWV/WWVH receivers: ntpd's type 3
//! (`WWV_PST`), as ntpd 4.2.8p18's `refclock_pst.c` behaves.
//!
//! * [`codec`]: the three answers as bytes ↔ fields.
//! * [`PstDriver`]: the driver logic on top of [`refclock_core`].
//! * `device` (feature `sim`): the simulated receiver.
//!
//! ## Device and line
//!
//! `/dev/wwvN` (or `path`), 9600 baud 8N1, canonical input (ntpd's
//! LDISC_CLK): a line is read when its CR arrives. The receiver's DIP
//! switches must select 9600 baud, the 24-hour day-of-year format, UTC,
//! no automatic DST, and the right year; its propagation delay switches
//! are set for the distance to WWV and WWVH (to 11 ms; `time1` for the
//! rest).
//!
//! ## The dialogue
//!
//! Each poll writes `QTQDQM` (ntpd writes 6 bytes of `"QTQDQMT"`). The
//! receiver answers the time, the date and its status, each line ended
//! by a CR; the CR of the time line is on time. The real answer in ntp's
//! `scripts/stats/README.timecodes` (1991-08-04 15:36:43, day 216),
//! listed there status first, reaches the driver as
//!
//! ```text
//!  15:36:43.640 \r            (AM/PM ' ', time, DST ' ')
//! 91/08/04/216\r              (year, month, day, day of year)
//! O3@055281824C00000394\r     (frdzycchhSSFTttttuuxx)
//! ```
//!
//! which ntpd joins, in that order, into
//! ` 15:36:43.640  91/08/04/216 O3@055281824C00000394 ` (at least 46
//! characters) and scans for the time, milliseconds, day of year, the
//! 13 characters `O3@055281824C` and the 4 digits `0000`. Only the day
//! of year is used of the date: the year comes from the system clock
//! (ntpd's `clocktime`). In the status, `SS` = `82` (`8x`: working
//! correctly; anything else an alarm: not in sync), `T` = `C` (WWV; `H`
//! WWVH, which becomes the refid unless one was given), `tttt` = `0000`
//! minutes since the last update (ntpd turns it into a dispersion, which
//! a sample here does not carry). Each whole answer gives one raw
//! sample, offset = named time − receive time of the time line's CR +
//! `time1`; each poll filters what came since the last one, reports a
//! timeout when no answer came, and writes the last answer, joined, to
//! clockstats.
//!
//! ## Fudge
//!
//! * `time1`: added to every offset (vernier for the delay switches).
//! * `time2`, `mode`, `flag1`..`flag4`: unused.
//!
//! ## Deliberate differences from ntpd
//!
//! * **Answers before the first poll.** ntpd's driver sets its buffer
//!   pointer only in the poll, so a line arriving before the first poll
//!   (another host polling a shared receiver, or a chatty one) is
//!   written through a null pointer: ntpd crashes. Here a time line
//!   always opens a group of three, whoever polled, and lines outside a
//!   group are bad replies. After three lines ntpd goes on appending
//!   further lines to the same answer and decodes it again (the same
//!   sample twice); here the fourth line opens nothing and is a bad
//!   reply unless it is a time line.
//! * **"Not in sync" ends.** ntpd sets "not in sync" at the first answer
//!   with an alarm and never sets "no warning" again, so after one alarm
//!   its clock is unusable until restarted (seen on the C program). Ours
//!   follows each answer: not in sync while the status says so, no leap
//!   warning otherwise.
//! * **No sample while not in sync.** ntpd still takes the raw sample,
//!   and its `refclock_receive` refuses to filter it and brings the next
//!   poll forward (the C program then polls every second). Ours takes
//!   no sample and keeps the configured poll interval; a poll that
//!   heard an answer reports no timeout (in ntpd the raw sample keeps
//!   the timeout away).
//! * The AM/PM and DST characters are ignored, as by ntpd: the receiver
//!   must be in 24-hour mode on UTC.

pub mod codec;
mod driver;

#[cfg(feature = "sim")]
pub mod device;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use driver::*;

#[cfg(test)]
mod tests;
