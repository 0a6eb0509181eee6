//! Austron 2200A/2201A GPS receivers with the buffered RS-232 interface:
//! ntpd's type 10 (`GPS_AS2201`), as ntpd 4.2.8p18's
//! `refclock_as2201.c` behaves.
//!
//! * [`codec`]: the timecode as bytes ↔ fields, the statistics commands.
//! * [`As2201Driver`]: the driver logic on top of [`refclock_core`].
//! * `device` (feature `sim`): the simulated receiver.
//!
//! ## Device and line
//!
//! `/dev/gpsN` (or `path`), 9600 baud 8N1, canonical input (ntpd's
//! LDISC_CLK). The receiver must be in non-interactive mode (`off`), end
//! its answers with a single CR (`term cr`) and state UTC (`ts utc`).
//! (The original 2200/2201, without the buffered interface, cannot take
//! commands quickly enough.)
//!
//! ## The dialogue
//!
//! Each poll writes `\r*toc\r`. The receiver captures the time when the
//! `*` arrives and answers `yy:ddd:hh:mm:ss.mmm`:
//!
//! ```text
//! 91:216:15:36:43.640\r       1991, day 216, 15:36:43.640
//! ```
//!
//! The year is not used (the system clock's is: ntpd's `clocktime`).
//! Without flag2 the sample is stamped with the time of the poll's write,
//! as ntpd does: offset = named time − poll time + `time1` (the `*` is
//! the second character written, about 1 ms later at 9600 baud; `time1`
//! takes it off). With flag2 it is stamped with the receive time of the
//! answer's CR (for the ppsclock gadget box ntpd had in mind; without it
//! the offset then carries the answer's delay). Each poll filters what
//! came since the last one, or reports a timeout.
//!
//! With flag4, after each timecode the driver sends the next of 20
//! statistics commands (`ITF`, `ETF`, `LORAN ENSEMBLE`, `TRSTAT`, `UTC`,
//! ...; ntpd's `stat_command`, round again after the last). The answer
//! is a line with the number of lines that follow, then those lines;
//! they are collected after the timecode and the command into one
//! clockstats record (up to 198 characters), written when the next
//! timecode comes. Without flag4 that record is the timecode alone.
//!
//! ## Fudge
//!
//! * `time1`: added to every offset.
//! * `flag2`: stamp with the answer's receive time instead of the poll's.
//! * `flag4`: statistics commands, logged to clockstats.
//! * `flag3`: ntpd's page says it selects the ppsclock streams module
//!   (not in 4.2.8's code); no effect, as in ntpd.
//! * `time2`, `mode`, `flag1`: unused.
//!
//! ## Sync
//!
//! The timecode says nothing about sync. ntpd's driver marks "not in
//! sync" when the third character is not a colon, which its own scan
//! already required (a well-formed timecode always has it): it never
//! fires. Ours does not pretend: every good timecode means "no leap
//! warning". (So a receiver that lost its satellites goes on giving
//! samples of its flywheel, in ntpd as here.)
//!
//! ## Deliberate differences from ntpd
//!
//! * **One poll, one sample.** Without flag2 ntpd stamps every timecode
//!   with the time of the last poll, also a second timecode after one
//!   poll (another host polling a shared receiver, or a late answer),
//!   which then gives a sample off by the time between them. Ours pairs
//!   the poll time with the first timecode after it only; later ones are
//!   counted as bad times and give no sample.
//! * Statistics records are written only when something was collected
//!   (ntpd writes an empty record for the first timecode).
//! * The fields are checked strictly (two digits, colons; day 1..366,
//!   second up to 60); ntpd's `sscanf` would also take one-digit fields
//!   padded with spaces.

pub mod codec;
mod driver;

#[cfg(feature = "sim")]
pub mod device;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use driver::*;

#[cfg(test)]
mod tests;
