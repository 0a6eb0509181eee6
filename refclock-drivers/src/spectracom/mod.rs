//! Spectracom WWVB and GPS clocks (Model 8170, Netclock/2, Netclock/GPS):
//! ntpd's type 4 (`SPECTRACOM`, `refclock_wwvb.c`; NTPsec
//! `spectracom`), as ntpd 4.2.8p18's source and
//! `html/drivers/driver4.html` describe them.
//!
//! * Device `/dev/wwvbN`, 9600 baud 8N1, canonical lines. Reference ID
//!   `WWVB`, precision −13 (about 100 µs).
//! * Mode: unused. time1: added to PPS samples (the driver page suggests
//!   .003134 for format 0, .004034 for format 2). time2: added to the
//!   timecode samples (the serial delay). flag1: take the PPS signal (on
//!   the clock's port, or `ppsdevice`); flag2: its clear edge; flag3: the
//!   kernel's hardpps. flag4: log the clock's quality table (15 lines,
//!   read with `R`) after the first poll of each new day.
//!
//! ## The timecodes
//!
//! The format is chosen by the line's length, as in ntpd:
//!
//! ```text
//! format 0 (22): <CR><LF>I  ddd hh:mm:ss DTZ=nn<CR><LF>
//! format 2 (24): <CR><LF>IQyy ddd hh:mm:ss.mmm LD
//! format 3 (29): <CR><LF>0003I yyyymmdd hhmmss+0000DL#
//! ```
//!
//! `I` is `' '` in sync, `?` not; `Q` (format 2 only) the quality, `' '`
//! (locked, < 1 ms), `A`…`D` (< 10 ms, < 100 ms, < 500 ms, more); `L` is
//! `L` when a leap second is due at the end of the month — the only leap
//! character used; `D` the daylight saving state (ignored), `TZ=nn` the
//! zone of format 0. The CR before the timecode goes out on time: the
//! driver keeps the receive time of each CR (an empty line whose line
//! end followed a LF; CR and LF alternate) and stamps the next timecode
//! with it. In format 2 the timecode line only ends at the next second's
//! CR, which is also that second's on-time mark.
//!
//! ## What the driver does
//!
//! A `T` goes to the clock every second (the clock answers, or is left
//! sending on its own). Each timecode: sync `?` sets "not in sync", `L`
//! "leap second to insert", else "no warning"; a quality character
//! outside `' '`, `A`–`D` is counted as a bad reply (the sample is still
//! taken, as in ntpd); then a raw sample `named time − CR time + time2`,
//! unless the PPS is in control. A line of another length or layout is a
//! bad reply (`CEVNT_BADREPLY`), or a line of the quality table while one
//! is being read; a field out of range a bad time. At each poll: no
//! timecode since the last poll → timeout and the pending samples are
//! dropped; otherwise the filter runs and the last timecode goes to
//! clockstats.
//!
//! With flag1 each pulse is a sample (`time1`) and puts the PPS in
//! control, so timecodes give none, until a poll interval passes without
//! a pulse.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **Format 3 is accepted.** ntpd's `sscanf` for it has 9 conversions
//!   and the code tests for 8, so a 29-character timecode is always a bad
//!   reply there. Here it is decoded (month and day to day of year; the
//!   `L` leap character used) and stamped like the others with the CR
//!   before it: its trailing `#`, which ntpd's comment calls the on-time
//!   character it does not handle, is only checked.
//! * **Format 0 must say `TZ=00`.** ntpd reads the zone and ignores it, so
//!   a clock set to another zone gives samples hours off; here that
//!   timecode is a bad time.
//! * **Fixed columns.** Every field must have its digits in its columns
//!   (a day of year may be blank-padded); ntpd's `sscanf` takes signs,
//!   blanks and short numbers anywhere. In format 2 the leap character is
//!   the one in its column: ntpd takes the first non-blank after the
//!   milliseconds, and so refuses a line whose leap and daylight saving
//!   characters are both blank (the line ends before its `%c`); here it
//!   is a timecode.
//! * A line longer than 127 characters is a bad reply (ntpd's buffer
//!   cuts it).
//!
//! ## Trying it without a clock
//!
//! `ntp-refclock --simulate 127.127.4.0` runs the driver against the
//! simulated clock (`device`, feature `sim`) in format 2;
//! `refclock-sim --driver spectracom --option format=0` (or `3`) gives
//! the others.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, Format, SpectracomError, Timecode};
pub use driver::{SpectracomDriver, DEVICE, INFO, MONITOR_LINES, PRECISION};

#[cfg(test)]
mod tests;
