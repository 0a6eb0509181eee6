//! The Datum Programmable Time System (PTS): ntpd's type 17
//! (`GPS_DATUM`), as ntpd 4.2.8p18's `refclock_datum.c` means to work —
//! it gives no sample.
//!
//! * [`codec`]: the request and the BCD reply ↔ fields, both ways.
//! * [`DatumDriver`]: the driver logic on top of [`refclock_core`].
//! * `device` (feature `sim`): the simulated PTS.
//!
//! ## The clock
//!
//! Device `/dev/datum` whatever the unit (or `path`), 9600 baud, 8 data
//! bits, even parity, raw, no CR mapping. Each poll writes `//k/mn`; the
//! PTS answers with seven bytes of packed BCD: day of year, hour, minute,
//! second and millisecond, UTC (layout in [`codec`]). The sample's
//! reference time is the reply's time (the year chosen near the receive
//! time, ntpd's `clocktime`), its receive time the read that held the
//! reply's first byte; it is filtered at once, as ntpd calls
//! `refclock_receive` after each reply.
//!
//! Bytes that come when no request is out, or after the seventh of a
//! reply, are dropped. A reply with a nibble that is no digit (bad
//! format) or a field out of range (bad date, bad time) is counted and
//! gives no sample; a poll finding the last request unanswered reports a
//! timeout.
//!
//! ## Fudge
//!
//! * `time1`: added to every offset (default 0).
//! * `time2`, `flag1`..`flag4`, `mode`: unused.
//!
//! Without a clock: `ntp-refclock -i 0 --simulate 127.127.17.0`.
//!
//! ## ntpd's bugs (why its driver gives no sample), fixed here
//!
//! * **The offset is dropped.** `datum_pts_receive` computes the offset
//!   (`tstmp`) and then neither hands it on (`/*LFPTOD(&tstmp,
//!   doffset);*/`) nor fills `pp->lastrec`/`pp->lastref` or calls
//!   `refclock_process`; it bumps its own `coderecv` instead of
//!   `pp->coderecv`, and calls `refclock_receive` with nothing queued.
//!   The C program writes `//k/mn` at each poll and never gives a sample;
//!   its golden case (`no-c-samples`) compares these writes.
//! * An eighth byte decodes the seven-byte buffer again (its buffer holds
//!   8 and it decodes whenever it has 7 or more); bytes before any request
//!   start a reply; no digit or range is checked.
//! * Its error bookkeeping (`sigma2`) is kept and never used.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! Besides giving samples (above): the checks above, timeouts reported,
//! bad replies counted.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{DatumError, DatumTime, LEN, REQUEST};
pub use driver::{DatumDriver, BAUD, INFO, PRECISION, SERIAL};

#[cfg(test)]
mod tests;
