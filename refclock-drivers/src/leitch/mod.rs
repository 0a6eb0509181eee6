//! The Leitch CSD-5300 master clock: ntpd's type 13 (`ATOM_LEITCH`), as
//! ntpd 4.2.8p18's `refclock_leitch.c` means to work — it does not.
//!
//! * [`codec`]: the queries and answers ↔ fields, both ways.
//! * [`LeitchDriver`]: the driver logic on top of [`refclock_core`].
//! * `device` (feature `sim`): the simulated clock.
//!
//! ## The clock
//!
//! Device `/dev/leitchN` (or `path`), 300 baud 8N1, canonical input with
//! CR read as NL (ntpd sets the same termios by hand). Any unit number
//! (ntpd: unit 0 only, `MAXUNITS` 1).
//!
//! Each poll when no exchange is under way:
//!
//! ```text
//! -> D<CR><NUL>          (ntpd writes sizeof("D\r"): the NUL too)
//! <- YYMMDD<CR>          the date (UTC)
//! -> T<CR><NUL>
//! <- HHMMSS<CR>          three lines, one a second; the second is
//! <- HHMMSS<CR>          marked by the CR ("second boundaried on the
//! <- HHMMSS<CR>          stop bit of the <CR>")
//! ```
//!
//! A `/` before the six time digits is allowed (the header of ntpd's
//! source draws the time as `<CR>/HHMMSS`; its code takes six digits).
//! The reference time of each time line is its second plus 15 ms (ntpd's
//! `fudge1`, 15 ms, put in the fraction of the reference time), its
//! receive time the read that held its CR; of the three the largest
//! offset, that of the line read soonest after its CR, becomes the
//! sample, filtered at once and written to clockstats. The two-digit year
//! is put in the century starting at the base date's year (`-b`); a time
//! more than half a day before its receive time is on the day after the
//! date (midnight passed between `D` and `T`).
//!
//! An answer that is not six digits (bad format) or out of range (bad
//! date, bad time) is counted and ends the exchange; one that does not
//! come within 5 s ends it with a timeout. Nothing is read outside an
//! exchange.
//!
//! ## Fudge
//!
//! * `time1`: added to the offset (default 0).
//! * `time2`, `flag1`..`flag4`, `mode`: unused. (ntpd's `leitch_control`
//!   takes `stratum` and `refid`, which ntp-refclock does not pass.)
//!
//! Without a clock: `ntp-refclock -i 3 --simulate 127.127.13.0` (an
//! exchange takes about 4 s; with a shorter poll the polls during one are
//! only counted).
//!
//! ## ntpd's bugs (why its driver gives no sample), fixed here
//!
//! * **State read through a pointer never set.** `leitch_start` keeps the
//!   unit in a static array (`leitchunits[unit]`) and never sets
//!   `pp->unitptr`, but `leitch_receive` reads its state through
//!   `rbufp->recv_peer->procptr->unitptr`: a null pointer, so ntpd's
//!   driver should crash at the first 7-byte answer.
//! * **Its descriptor is never read.** It registers its own
//!   `refclockio` (`leitch->leitchio`, not `pp->io`); in the C program
//!   (ntp-refclock) `leitch_receive` is never called: it only writes
//!   `D\r\0` at every other poll (a poll during an exchange resets it and
//!   sends nothing), never `T`, and gives no sample. Its golden case
//!   (`no-c-samples`) compares these writes.
//! * **The offset is dropped.** `leitch_process` computes the offset and
//!   then calls `refclock_receive` without it (`/*LFPTOD(&off, doffset);*/`).
//! * **Two of the three times an hour off.** The first two time lines go
//!   through `clocktime` with a time zone of 1 hour, the third with 0
//!   (`GMT`).
//! * **The worst line kept.** Of the three offsets ntpd keeps the
//!   smallest, that of the line read latest after its second; here the
//!   largest, that of the line read soonest.
//! * The time line must be exactly 7 bytes in ntpd (six digits and the
//!   line end), a 90s year pivot is hard-wired (`year>90`), and the
//!   February of every year has 29 days in its date check.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! Besides giving samples (above): a poll during an exchange leaves it
//! running (ntpd's resets it, so that at a poll of 4 s or less ntpd's
//! exchange could never finish), an exchange the clock stopped answering
//! is given up after 5 s with a timeout, and bad answers are counted.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{LeitchDate, LeitchError, LeitchTime, DATE_QUERY, TIME_QUERY};
pub use driver::{LeitchDriver, State, ANSWER_TIMEOUT, BAUD, CR_DELAY_NS, INFO, PRECISION};

#[cfg(test)]
mod tests;
