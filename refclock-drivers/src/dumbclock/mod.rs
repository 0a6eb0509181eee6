//! Clocks that send only `hh:mm:ss` local time: ntpd's type 33
//! (`DUMBCLOCK`), as ntpd 4.2.8p18's `refclock_dumbclock.c` behaves, with
//! its bugs fixed.
//!
//! * [`codec`]: the line ↔ fields, both ways.
//! * [`DumbclockDriver`]: the driver logic on top of [`refclock_core`].
//! * `device` (feature `sim`): the simulated clock.
//!
//! ## The clock
//!
//! Device `/dev/dumbclockN` (or `path`), 9600 baud 8N1, canonical input
//! (a line is read when its CR arrives). The clock talks on its own, once
//! a second or at any other "reliable interval":
//!
//! ```text
//! hh:mm:ss<CR><LF>       local time, 24-hour; the <CR> is on time
//! ```
//!
//! Blanks after the time are allowed (ntpd's source writes `hh:mm:ss
//! <cr>`), the LF is optional.
//!
//! ## Local time and the date
//!
//! The zone is the process's — the `TZ` environment variable as the C
//! library reads it (unset: `/etc/localtime`; `:PATH` or a zone name: that
//! TZif file; else a POSIX TZ string) — or the driver option `tz=ZONE` in
//! the same forms, read into memory when the driver starts, before the
//! chroot (`-r`) and the privilege drop, so it still works inside an
//! empty root directory ([`refclock_core::zone`]). An unreadable zone
//! refuses the start.
//!
//! The line has no date: the time is put on yesterday, today or tomorrow
//! (local), whichever is nearest the system clock ([`nearest_utc`]), so
//! the system clock must be within 12 hours of the truth.
//!
//! **The hour the clocks change.** In the hour skipped when summer time
//! begins no local time exists: such a line gives no sample and is
//! counted as a bad time. In the hour repeated when summer time ends each
//! local time stands for two UTC times an hour apart; the one within half
//! an hour of the system clock is taken; when neither is, no sample and a
//! bad time is counted. So the repeated hour gives right samples while
//! the system clock is within half an hour of the truth.
//!
//! ## Fudge
//!
//! * `time1`: added to every offset (default 0).
//! * `time2`, `flag1`..`flag4`, `mode`: unused.
//!
//! ## Samples
//!
//! Each good line gives a sample, reference time = the time converted to
//! UTC on the date as above, receive time = the read that held its CR,
//! and the line is written to clockstats. Lines not of the form
//! `hh:mm:ss` are counted as bad format, fields out of range as bad time;
//! neither gives a sample. Each poll filters the samples since the last
//! (a timeout when there are none); ntpd's driver filters after each
//! sample and has no poll. chrony gets every raw sample either way.
//!
//! Without a clock: `ntp-refclock -i 0 --simulate 127.127.33.0` (the
//! simulated clock and the driver both keep the process's zone: try
//! `TZ=America/New_York ntp-refclock ...`); `refclock-sim --driver
//! dumbclock --option tz=ZONE` plays one on another zone.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **Each line is stamped with its own CR.** ntpd (from its WWVB
//!   ancestor, whose on-time CR starts the line) gives each line the
//!   receive time of the line before it (`up->laststamp`), so a clock that
//!   ends its line with the on-time CR comes out one second off (the
//!   C program's offsets are all 1 s too large, as its golden case
//!   shows), and the first line gives no sample (it is stamped at time
//!   zero, which `clocktime` refuses).
//! * **The date is the one nearest the system clock.** ntpd keeps the
//!   local date of the last line (at start, of the system clock) and,
//!   when the result is more than an hour from the system clock, moves it
//!   one day: a clock an hour or more ahead or behind is put a day off.
//! * The repeated and skipped hours are handled as above; ntpd takes
//!   whatever `mktime()` makes of them: in the golden case `dst-end`,
//!   where summer time ends during the run, the C program takes each
//!   local time of the repeated hour as summer time, an hour early, from
//!   the change on (Chronolog's, the same call, gets those before the
//!   change an hour late instead).
//! * Fields are range checked; ntpd's `sscanf` takes one-digit fields,
//!   signs and hour 25 (which `mktime()` carries over).
//! * The zone is read at start, not at each line, so it survives the
//!   chroot; a change of `/etc/localtime` needs a restart.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, DumbTime, DumbclockError};
pub use driver::{
    nearest_utc, DateError, DumbclockDriver, BAUD, HALF_DAY, INFO, PRECISION, TZ_OPTION,
};

#[cfg(test)]
mod tests;
