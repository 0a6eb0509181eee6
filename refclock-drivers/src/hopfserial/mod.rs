//! hopf serial clocks compatible with the 6021 telegram: ntpd's type 38
//! (`HOPF_SERIAL`), as ntpd 4.2.8p18's `refclock_hopfser.c` and
//! `html/drivers/driver38.html` describe it.
//!
//! hopf Elektronik's DCF77 and GPS clocks with a serial interface send a
//! 6021-compatible telegram once a second.
//!
//! * Device `/dev/hopfclockN` (N = unit), 9600 baud 8N1, canonical input
//!   (one read per line). Reference ID `hopf`, precision −10.
//! * Mode, time2, flag2–4: unused. time1: added to every offset (the page
//!   advises about 20 ms). flag1: also take the time of the internal
//!   (crystal) clock when the radio time is lost.
//!
//! ## The telegram
//!
//! `STX A B HHMMSS DDMMYY LF CR ETX` (layout and bits in [`codec`]), sent
//! so that the ETX goes out on the second the telegram names. The
//! driver reads lines as `refclock_gtlin` gives them, control characters
//! stripped: `AB HHMMSS DDMMYY`, 14 characters, stamped with the read
//! that ended at its LF, two characters before the second (in canonical
//! mode the ETX only arrives with the next line, a second later, so it
//! cannot be the mark).
//!
//! ## What the driver does
//!
//! At each poll a flag is set; only the first line after it is read
//! (ntpd's `rpt_next`), so a sample a poll:
//!
//! 1. Not 14 characters, a field not hex or digits, or out of range
//!    (the day against its month): `CEVNT_BADREPLY`, logged.
//! 2. Mode 0 (no time), or mode 4 (internal clock) without flag1: "not
//!    in sync" and `CEVNT_BADTIME`.
//! 3. Otherwise the leap indicator is "no warning" and one sample is
//!    taken: reference = the stated date and time in UTC, offset =
//!    reference − receive time + time1, filtered at once
//!    (`refclock_receive`); the line goes to clockstats.
//!
//! **Time zone (decided here):** the telegram says whether it is UTC
//! (bit 3 of the `B` digit) or German civil time, MEZ (UTC+1) or MESZ
//! (UTC+2, bit 1 of `A`). ntpd's driver ignores this and takes every
//! telegram as UTC, so a clock set to civil time (the 6021's usual
//! output) gives samples one or two hours off. This driver converts:
//! with the UTC bit the time is taken as it is (the same as ntpd), without
//! it one hour (two in summer time) is subtracted. The two-digit year is
//! the one nearest the receive time (ntpd's `clocktime`); the day of
//! year is counted in 19YY for 98 and 99 and in 20YY otherwise, as
//! ntpd's pivot has it (until the receive time is past 2048).
//!
//! ## Trying it without a clock
//!
//! `ntp-refclock --simulate 127.127.38.0` runs the driver against the
//! simulated clock (`device`, feature `sim`), which states UTC; device
//! option `zone=local` (`refclock-sim --driver hopfserial --option zone=local`)
//! makes it state MEZ/MESZ. Each sample is about +2 ms (the LF is read
//! two characters before the ETX's second).
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **The UTC bit** is honoured (see above): a telegram in MEZ/MESZ
//!   gives the right sample, where ntpd's is an hour or two off.
//! * The line must be exactly 14 characters of hex and digits (ntpd's
//!   `sscanf` takes blanks, signs and trailing text), and the day must
//!   exist in its month.
//! * An empty read (the CR after the LF) does not use up the poll's
//!   line; ntpd's takes the first read after the poll, empty or not (the
//!   CR follows the LF within a millisecond, so this is rare).

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, HopfError, HopfTime};
pub use driver::{HopfSerialDriver, INFO, PRECISION};

#[cfg(test)]
mod tests;
