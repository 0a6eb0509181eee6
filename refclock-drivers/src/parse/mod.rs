//! # PARSE (ntpd type 8, `generic`): 25 clock modes through libparse's formats
//!
//! ntpd's refclock_parse.c with libparse: one driver for the Meinberg
//! DCF77 and GPS receivers, raw DCF77 receiver modules, Trimble TAIP and
//! TSIP, Schmid, ELV DCF7000, hopf 6021, RCC8000, Computime, Wharton,
//! Varitext and SEL240x clocks. `mode & 0x7F` chooses the clock
//! ([`clockinfo::TABLE`]: serial settings, base delay = `time1`'s
//! default, refid, trust time), `mode & 0x80` adds RFC 2783 PPS on
//! `/dev/refclockpps-U` (else the serial device). The device is
//! `/dev/refclock-U`.
//!
//! Layout: [`time`] (what a format decodes), [`format`](mod@format) (the interface
//! of a format and its mode's hooks), [`formats`] (one module per
//! family), [`clockinfo`] (the table), the driver (status, trust,
//! leap, PPS, samples, polls; [`ParseDriver`]).
//!
//! Fudge: `time1` the serial delay (default the mode's base delay);
//! `time2` the PPS phase adjustment, or with `flag1` the trust time in
//! seconds; `flag2` PPS on the clear edge; `flag3` kernel hardpps (not
//! done by a separate process: chrony disciplines); `flag4` a leap
//! second announced without direction is a deletion.
//!
//! ## Deliberate differences from ntpd
//! - Two-digit years unfold around the receive time (the kit's
//!   calendar), right through 2099 and after; libparse reads 98 and 99 as
//!   1998 and 1999 for ever.

pub mod clockinfo;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
pub mod format;
pub mod formats;
#[cfg(feature = "testkit")]
pub mod fuzz;
pub mod time;

pub use clockinfo::{clock_info, ClockInfo};
pub use driver::{ParseDriver, INFO};
pub use format::{Decoded, Format};
pub use time::{ParseError, ParseTime, Status, When, Year};

#[cfg(test)]
mod driver_tests;
