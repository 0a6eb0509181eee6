//! The Heath GC-1000 "Most Accurate Clock" WWV/WWVH receiver with its
//! RS-232 accessory: ntpd's type 19 (`WWV_HEATH`, `refclock_heath.c`), as
//! ntpd 4.2.8p18's source and `html/drivers/driver19.html` describe it.
//! (The GC-1001 II, whose support ntpd disabled as never working, ntp bug
//! 689, is not supported either.)
//!
//! * Device `/dev/heathN`; speed from `mode` 0–3 (ntpd takes `mode & 3`):
//!   1200, 2400, 4800, 9600 baud, 8N1, canonical lines, `LDISC_REMOTE`.
//!   Reference ID `WWV`, precision −4 (about 100 ms).
//! * time1: added to every sample (the driver page suggests .04 s to
//!   centre the offsets). time2 and the flags: unused.
//! * Option `ignore-modem-lines`: do not report a failed RTS pulse (a
//!   pseudo-terminal, the simulated clock) as a fault; the driver goes on
//!   either way, as ntpd does.
//!
//! ## Polling and the timecode
//!
//! The clock, in MANUAL mode, answers a rising edge of RTS with the time
//! of that edge. At each poll the driver takes the time, lowers RTS,
//! writes `T` (kept by ntpd "for timing purposes") and raises RTS: the
//! timestamp is taken at the poll, before the pulse and the `T`. The
//! answer, about a second later, is
//!
//! ```text
//! hh:mm:ss.f AM  mm/dd/yy<CR>
//! ```
//!
//! 23 characters: time, tenths (`?` when out of spec: "not in sync"),
//! five characters of AM/PM or blanks (24-hour mode), then **month before
//! day** and the year of century. ntpd's comment and driver page say
//! `dd/mm/yr`, and ntp's README.timecodes example `15:36:43.6     04/08/91`
//! is for 4 August 1991; the source reads month first (that example
//! names 8 April), and the source decides, for compatibility: a clock
//! that sends day first needs its DIP switches to match what the driver
//! reads. The day of year follows from month and day, leap years every
//! fourth year of century (right from 1901 to 2099). The sample is the
//! named time against the poll's timestamp, + time1; the receive time is
//! not used. Each poll then filters what the last poll's answer gave (or
//! reports a timeout) and logs the last timecode.
//!
//! A line of another length or layout is a bad reply; a month, day or
//! time out of range a bad time.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **One answer per poll.** ntpd stamps every timecode with the last
//!   poll's time, so a second answer to one pulse (or a timecode before
//!   the first poll, stamped zero) gives a wrong sample; here the poll's
//!   time is used once.
//! * A `?` for the tenths leaves the tenths 0 (ntpd keeps those of the
//!   last good timecode).
//! * Every field must be two digits with its separators in place; ntpd's
//!   `sscanf` takes signs and blanks.
//! * The failed RTS pulse on a pseudo-terminal can be kept out of the
//!   fault count (`ignore-modem-lines`); ntpd reports it at every poll.
//! * `polls` counts every poll (ntpd only those that find a sample).
//!
//! ## Trying it without a clock
//!
//! `ntp-refclock --simulate 127.127.19.0` runs the driver against the
//! simulated clock (`device`, feature `sim`), which takes the `T` for
//! the RTS edge a pseudo-terminal cannot carry; `--simulate` gives the
//! driver `option ignore-modem-lines`.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, HeathError, HeathTime};
pub use driver::{HeathDriver, DEVICE, IGNORE_MODEM_LINES, INFO, PRECISION, SPEEDS};

#[cfg(test)]
mod tests;
