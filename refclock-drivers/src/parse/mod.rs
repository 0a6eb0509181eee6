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
//! seconds; `flag2` PPS on the clear edge; `flag3` kernel hardpps (the
//! host binds it when the kernel allows, as ntpd's `refclock_params`);
//! `flag4` a leap second announced without direction is a deletion.
//!
//! ## Deliberate differences from ntpd
//! - Two-digit years unfold around the receive time (the kit's
//!   calendar), right through 2099 and after; libparse reads 98 and 99 as
//!   1998 and 1999 for ever.
//! - A poll that finds no timecode since the poll before is a time-out:
//!   it is counted (`noreply`), the format hears of it (TAIP and TSIP
//!   reset their receivers) and, as ntpd intends, a clock that lost sync
//!   is trusted again only once it was seen in sync after it. ntpd's
//!   `parse_poll` compares the time since the last poll with the poll
//!   interval by `>`, which a regular poll never exceeds, so the C
//!   program never reports a time-out.
//! - Each timecode's sample goes to the consumer; the filter runs at the
//!   first timecode after each poll (ntpd's `pollneeddata`), not also at
//!   every timecode while the peer's dispersion is large.
//! - `flag3` (kernel hardpps): a kernel that refuses the binding is
//!   logged and the edges serve in user space (chrony disciplines).

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
