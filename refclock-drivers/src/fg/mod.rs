//! The Forum Graphic GPS dating station: ntpd's type 37 (`FG`), as ntpd
//! 4.2.8p18's `refclock_fg.c` and `html/drivers/driver37.html` describe
//! it.
//!
//! A GPS "dating station" sold by EMR that states the date and time when
//! asked.
//!
//! * Device `/dev/fgclockN` (N = unit), 9600 baud 8N1, canonical input
//!   (ntpd's LDISC_CLK: one read per reply, up to its CR). Reference ID
//!   `GPS`, precision −10 (about 1 ms).
//! * Mode, time2 and the flags: unused. time1: added to every offset.
//!
//! ## The dialogue
//!
//! When the port opens the driver writes the initialisation `DLE H DLE
//! CR` padded with NULs to 26 bytes; the first reply after it is
//! discarded. At each poll it writes the date query `DLE D DLE CR`, padded
//! the same way, and the last timecode goes to clockstats (ntpd writes it
//! at the poll, so each line is the previous poll's answer). The reply
//! (layout in [`codec`]) is packed BCD at fixed offsets after its first
//! DLE: year, day of year, hour, minute, second, and a fraction.
//!
//! ## What the driver does with a reply
//!
//! 1. Fewer than 24 bytes with the line end, no DLE, a reply ending
//!    before its fields, or a field that is not BCD: `CEVNT_BADREPLY`,
//!    logged.
//! 2. Year 94 (the station was just powered up, its date is not valid):
//!    `CEVNT_BADREPLY`, and the initialisation is written again (its
//!    reply is discarded).
//! 3. Otherwise the day of year and time (the year is not used: ntpd's
//!    `clocktime` takes the year nearest the receive time) give one
//!    sample, offset = reference − time of the read that ended the
//!    reply, plus time1; leap indicator "no warning"; filtered at once
//!    (`refclock_receive`) when it is the first since a poll (a reply
//!    the station sent unasked waits for the next poll's filtering;
//!    ntpd filters after every reply). A day or time out of range:
//!    `CEVNT_BADTIME`. The timecode saved (and written to clockstats at
//!    the next poll) is `YYYY DDD HH MM SS` as ntpd prints it (`%d %d %d
//!    %d %d`).
//!
//! The fraction is read as ntpd reads it: the two BCD digits at offset 8
//! as milliseconds and the high nibble of offset 9 as microseconds. No
//! manual of the station is known; if the station stated hundredths
//! there, ntpd's (and so this driver's) samples would be off by the rest
//! of the second. The simulated device answers at the whole second,
//! fraction 0.
//!
//! ## Trying it without a station
//!
//! `ntp-refclock --simulate 127.127.37.0` runs the driver against the
//! simulated station (`device`, feature `sim`), which answers each
//! query at the next whole second; a sample per poll, each about −27 ms
//! (the 26 bytes of the reply before the read ends; time1 corrects it).
//! `--simulate=invalid` makes it answer with year 94 for a while.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **A data byte equal to DLE** (BCD 10: hour 10, minute 10, second
//!   10, day 10, 110..., year 10) comes doubled, as DLE-framed protocols
//!   do, and moves the fields after it one byte on. ntpd's driver does
//!   not know this: its "Y2K" work-around counts replies at 10:10 and,
//!   after ten of them, reads the hour one byte later whenever it finds
//!   10 there, which is right during hour 10 only, wrong at HH:10 in any
//!   other hour, and it never handles a doubled day, second or fraction
//!   (those samples are wrong by minutes or hours). Here a doubled DLE is
//!   read as one byte, every time.
//! * Each field must be BCD, and the reply must hold its fields (ntpd
//!   reads what is there, beyond the reply if it is short after its DLE,
//!   and scans past the buffer for a DLE that is missing). A nibble above
//!   9 is no digit: ntpd takes it at its value, so a second of 0xAA is
//!   110, and a spoilt reply gives a sample more than a minute off.
//! * The first reply after each initialisation is discarded: after a
//!   reopen of the port, and after a year-94 reply (ntpd discards only
//!   the first after start, and reads the answer to a later
//!   initialisation as a date: `CEVNT_BADTIME` with the simulated
//!   station, whose answer holds zeros).

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, FgError, FgTime, INIT, QUERY};
pub use driver::{FgDriver, INFO, PRECISION};

#[cfg(test)]
mod tests;
