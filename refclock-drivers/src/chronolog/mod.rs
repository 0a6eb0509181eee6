//! Chrono-log K-series WWVB receivers: ntpd's type 32 (`CHRONOLOG`), as
//! ntpd 4.2.8p18's `refclock_chronolog.c` behaves, with its bugs fixed.
//!
//! * [`codec`]: the two lines ↔ fields, both ways.
//! * [`ChronologDriver`]: the driver logic on top of [`refclock_core`].
//! * `device` (feature `sim`): the simulated receiver.
//!
//! ## The clock
//!
//! Device `/dev/chronologN` (or `path`), 2400 baud 8N1, canonical input
//! (a line is read when its CR arrives). The receiver talks on its own;
//! ntpd's poll query (`T`) is compiled out, and so there is none here.
//!
//! ```text
//! Y yy/mm/dd<CR><LF>     local date, a few seconds before the time
//! Z hh:mm:ss<CR><LF>     local time; the <CR> is on time
//! ```
//!
//! A two-digit year is put in the century starting at the base date's
//! year (`-b`, [`unfold_two_digit_year`]); ntpd reads 69..99 as 19xx and
//! 00..68 as 20xx.
//!
//! ## Local time
//!
//! The clock sends local time. ntpd converts it with `mktime()` in the
//! process's zone; here the zone is the same — the `TZ` environment
//! variable as the C library reads it (unset: `/etc/localtime`; `:PATH`
//! or a zone name: that TZif file; else a POSIX TZ string), or the
//! driver option `tz=ZONE` in the same forms — but it is read into memory
//! when the driver starts, before the chroot (`-r`) and the privilege
//! drop, so it still works inside an empty root directory
//! ([`refclock_core::zone`]). An unreadable zone refuses the start.
//!
//! **The hour the clocks change.** In the hour skipped when summer time
//! begins no local time exists: such a line (a clock on the wrong rule)
//! gives no sample and is counted as a bad time. In the hour repeated
//! when summer time ends each local time stands for two UTC times an hour
//! apart; the one within half an hour of the system clock is taken (the
//! other is then more than half an hour away); when neither is, the line
//! gives no sample and is counted as a bad time. So the repeated hour
//! gives right samples as long as the system clock is within half an hour
//! of the truth; `mktime()` with `tm_isdst = -1` guesses instead, and
//! the C program's guess is an hour off in one half or the other: in the
//! golden case `dst-end` the repeated local times before the change come
//! out an hour late (in Dumbclock's, those after it an hour early).
//!
//! ## Fudge
//!
//! * `time1`: added to every offset (default 0).
//! * `time2`, `flag1`..`flag4`, `mode`: unused.
//!
//! ## Samples
//!
//! Each good `Z` line after a date gives a sample, reference time = the
//! date and time converted to UTC, receive time = the read that held its
//! CR, and the line is written to clockstats. A `Z` line before any date
//! gives nothing. Lines that are neither form, or whose fields are out of
//! range, are counted (bad format, bad date, bad time) and give no
//! sample. Each poll filters the samples since the last (a timeout when
//! there are none); ntpd's driver filters after each sample and its poll
//! does nothing. chrony gets every raw sample either way.
//!
//! Without a receiver: `ntp-refclock -i 0 --simulate 127.127.32.0` (the
//! simulated clock and the driver both keep the process's zone: try
//! `TZ=Europe/Berlin ntp-refclock ...`); `refclock-sim --driver chronolog
//! --option tz=ZONE` plays one on another zone.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **Each time line is stamped with its own CR.** ntpd (from its WWVB
//!   ancestor, whose on-time CR starts the line) gives each line the
//!   receive time of the line before it (`up->laststamp`): the date
//!   line's, a few seconds earlier, or the previous time line's. Its
//!   offsets are off by the time between the two lines.
//! * The repeated and skipped hours are handled as above; ntpd takes
//!   whatever `mktime()` makes of them.
//! * Malformed lines are counted (bad format) and fields are range
//!   checked; ntpd drops what `sscanf` rejects without a word and takes
//!   short numbers, signs and month 13 (which `mktime()` carries over).
//! * The zone is read at start, not at each line, so it survives the
//!   chroot; a change of `/etc/localtime` needs a restart.
//! * The two-digit year follows the base date (see above).
//! * A time more than half a day from the system clock is put on the day
//!   before or after its date line's: the date comes a few seconds before
//!   the time, so across midnight it names the day before. ntpd uses the
//!   date as it is, a day off.
//!
//! [`unfold_two_digit_year`]: refclock_core::calendar::unfold_two_digit_year

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, ChronologError, Line};
pub use driver::{ChronologDriver, BAUD, INFO, PRECISION, TZ_OPTION};

#[cfg(test)]
mod tests;
