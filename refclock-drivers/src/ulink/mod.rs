//! The Ultralink WWVB receivers 320, 325, 330, 331 and 332: ntpd's type
//! 34 (`ULINK`), as ntpd 4.2.8p18's `refclock_ulink.c` describes them.
//!
//! * Device `/dev/wwvbN` (N = unit; the same name as type 4's), 9600
//!   baud 8N1, canonical input. Reference ID `WWVB`, precision −10.
//! * Mode, time2, flag2–4: unused. time1: added to every offset. flag1:
//!   write `T` at each poll (a 320 or 325, or a 33x with DIP switch 2
//!   off, answers only then); without it the driver listens (a 33x sends
//!   a timecode a second).
//!
//! ## The timecodes
//!
//! Each follows a CR LF whose CR is on time; the 24-character 320 and
//! the 32-character 33x and 325 layouts are in [`codec`] (a 32-character
//! one is a 325 when it starts with `R`, a 33x when it starts with `S` or
//! `N`). In canonical mode the CR (a NL through ICRNL) ends a read of its
//! own, or the read of the line before (a 33x's line only ends at the
//! next second's CR): the driver stamps each line with the older of the
//! two line ends before it, the CR of its CR LF, as ntpd's `tcswitch`
//! does.
//!
//! ## What the driver does
//!
//! 1. A line of another length, or one whose fields are not where the
//!    layout has them: `CEVNT_BADREPLY`, logged. A day or time out of
//!    range: `CEVNT_BADTIME`.
//! 2. Not in sync (`?` after the hour for the 33x and 325, as first
//!    character for the 320): the leap indicator says so and no sample
//!    is taken.
//! 3. Otherwise the leap indicator follows the leap second warning (33x
//!    `+`/`-`, 325 and 320 `I`/`D`) and one sample is taken: the day of
//!    year, time and hundredths (320) in UTC, the year the one nearest
//!    the receive time (ntpd's `clocktime`), offset = reference − time of
//!    the CR + time1.
//!
//! At each poll (`T` written first with flag1): a timeout if no timecode
//! came since the last poll, otherwise the pending samples are filtered
//! and the last timecode goes to clockstats. The quality characters
//! (hours since the last sync, correlating frames) only set ntpd's
//! dispersion, which ntp-refclock does not report; they are not read.
//!
//! ## Trying it without a receiver
//!
//! `ntp-refclock --simulate 127.127.34.0` runs the driver against the
//! simulated 33x (`device`, feature `sim`); `refclock-sim --driver
//! ulink --option model=320` (or `325`) simulates a polled one (give the
//! program `flag1 1`), `--option noisy=3` has every third 33x timecode start
//! with `N`.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **The 33x's `N` (noisy signal) timecodes.** ntpd's driver picks the
//!   33x layout only when the first character is `S` and the 325's when
//!   it is `R`; a 32-character line starting with `N` matches neither, so
//!   nothing is decoded and it processes the previous line's fields with
//!   this line's receive time: a sample one second old (offset −1 s),
//!   with the leap indicator "not in sync" (its sync character is still
//!   the blank it was set to). Here an `N` line is a 33x line (the data
//!   sheet's first character is `S` in sync or `N` noisy), decoded and
//!   judged by its `:` like any other. Any other first character is
//!   `CEVNT_BADREPLY`.
//! * **No samples while not in sync**: ntpd's driver still adds one for
//!   each timecode (its `refclock_receive` then keeps them queued); here
//!   none is taken, and such timecodes still count as heard (no timeout).
//! * The 325's quality digit is read the same in both branches of ntpd's
//!   test (`'0'` twice), so its dispersion is always the best or the
//!   worst; irrelevant here (see above).
//! * Fields must be digits where the layout has them (ntpd's `sscanf`
//!   takes blanks and signs, and skips blanks before the hour).
//! * A 320 answer after the first is stamped with its CR; ntpd's
//!   `tcswitch`, left set by the previous answer's closing CR, takes the
//!   LF's time, a character later.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, LeapWarning, Model, UlinkError, UlinkTime};
pub use driver::{UlinkDriver, INFO, POLL, PRECISION};

#[cfg(test)]
mod tests;
