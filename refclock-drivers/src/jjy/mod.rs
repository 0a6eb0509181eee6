//! JJY receivers and telephone JJY: ntpd's type 40 (`JJY`), as ntpd
//! 4.2.8p18's `refclock_jjy.c` behaves.
//!
//! * [`codec`]: each receiver's replies as bytes ↔ fields, both ways.
//! * [`JjyDriver`]: the driver logic on top of [`refclock_core`]; the
//!   receivers' dialogues in `receivers.rs`, telephone JJY in
//!   [`telephone`] and [`modem`].
//! * `device` (feature `sim`): the simulated receivers; `tel_device` the
//!   telephone service behind the shared simulated modem.
//! * `fuzz` (feature `testkit`): the fuzz targets `jjy_decode`,
//!   `jjy_roundtrip`, `jjy_driver`.
//!
//! ## Receivers and modes
//!
//! Device `/dev/jjyN` (or `path`), 8N1.
//!
//! | mode | receiver | speed, input | each poll |
//! |---|---|---|---|
//! | 1 (and 0) | Tristate TS-JJY01/02 | 9600, lines | `time`, `date`, `stim` (with flag1 `dcst` and `stus` first) |
//! | 2 | C-DEX JST2000 | 9600, raw | `ENQ 1 J ETX`; the answer STX … ETX |
//! | 3 | Echo Keisokuki LT-2000 | 9600, lines | `C` (continuous output); after the first line `#` (back to request mode) |
//! | 4 | Citizen T.I.C. JJY-200 | 4800, lines | nothing: the first line after the poll |
//! | 5 | Tristate TS-GPSclock-01 (command mode, JST) | 38400 (USB), lines | `time`, `date`, `time` (with flag1 `stus` first) |
//! | 6 | Seiko Time Systems TDC-300 (type 3 output) | 2400, raw | nothing: the next timestamp and the second signal after it |
//! | 100, 101–180 | NICT telephone JJY through an AT modem | 2400, raw | a call (see [`telephone`]) |
//!
//! The layouts are in [`codec`]. Every receiver states JST (UTC+9); the
//! sample's reference time is the UTC time it names, its receive time
//! that of the read holding the reply's line end (canonical input) or
//! ETX (raw): the TS-JJY01's `stim` reply, the TS-GPSclock-01's second
//! `time` reply (both with milliseconds 0), the JST2000's reply (with its
//! tenths), the LT-2000's line (which comes half a second before the
//! second it names: the reference is that second − 0.5 s), the JJY-200's
//! line, the TDC-300's second signal (the 0xE5 frame after a timestamp).
//! Replies that come outside a poll's dialogue are dropped; after each
//! sample the filter runs (ntpd calls `refclock_receive` there).
//!
//! For the two Tristate receivers, the two time replies must be no more
//! than two seconds apart and in order, so that the date asked between
//! them is of the same day: otherwise ("over midnight") no sample, or a
//! slow reply (counted). A JJY-200 line with `NG` or `ER` gives none (a
//! [`ClockEvent::Prop`](refclock_core::ClockEvent::Prop) event). Each
//! reply's length is checked exactly, as in ntpd.
//!
//! Without a receiver, `ntp-refclock -i 0 --simulate 127.127.40.0 mode M`
//! runs the driver against the simulated one of mode M (1–6; `-i 2` for
//! mode 5, whose dialogue takes two seconds); `ntp-refclock -i 0 -p
//! 042-234-5678 --simulate 127.127.40.0 mode 100 option call-interval=0`
//! calls the simulated telephone service (`--simulate=…` scenarios and the
//! modem's options, e.g. `refclock-sim --driver jjy --mode 100 --option
//! calls=busy,answer`, play failed calls).
//!
//! ## Fudge
//!
//! * `time1`: added to every offset (the receivers' and the serial line's
//!   delay; driver40.html suggests some tens to a hundred and some tens
//!   of ms).
//! * `flag1` (modes 1 and 5): ask the status commands (`dcst` and `stus`;
//!   `stus`) before the time, their answers going to clockstats.
//! * `flag2` (mode 1, with flag1): take a sample only when `stus` answers
//!   `adjusted`, or within `time2` hours after it last did (never before
//!   the first `adjusted`).
//! * `time2` (mode 1): that grace period in hours.
//! * Telephone JJY: `flag1` pulse dialling, `flag2` the modem's error
//!   correction, `flag3` its speaker on, `flag4` louder; `option
//!   call-interval=S` the least time between calls (default 256 s).
//!
//! ## Deliberate differences from ntpd
//!
//! * ntpd's driver prints `refclock_jjy.c : jjy_receive : Len=…` lines on
//!   stdout even without `-d`, breaking anything that parses `SAMPLE:`
//!   lines; ours prints nothing but samples there.
//! * The LT-2000's half second before a month's first midnight (JST):
//!   ntpd leaves the day at 0 when it steps back over it (1 March 00:00:00
//!   becomes "February 0", i.e. 31 January), so its date is a month off;
//!   ours steps back to the month's last day.
//! * TDC-300 types 1 and 2: ntpd reads them one character late (it skips a
//!   first character that the STX it already removed would have been),
//!   so hours lose their tens digit and type 2 reads every field shifted;
//!   and type 1's date is ntpd's `tm_year + 2000` (the year 4026 in 2026).
//!   Ours reads them as laid out, type 1 with the computer's date in JST.
//!   Type 3, the one driver40.html says to use, is read alike by both.
//! * A poll that hears nothing is reported as a timeout at the next poll.
//!   ntpd counts the replies it skips over as heard for modes 1 and 5
//!   without flag1, so it never reports one for them.
//! * A bad reply is counted ([`ClockEvent::BadReply`](refclock_core::ClockEvent::BadReply),
//!   badformat); ntpd only writes it to clockstats.
//! * The TS-JJY01's `stus` and `dcst` replies are taken in either case
//!   (driver40.html shows them in lower case, the source's comment in
//!   upper case; ntpd compares lower case only).
//! * A raw reply (modes 2 and 6) that began before the poll is taken whole;
//!   ntpd empties its buffer at the poll and finds the rest too short.
//! * Telephone JJY: ntpd forces minpoll 8 on the peer, which the one-clock
//!   C program ignores (it calls at every poll); ours starts a call at most
//!   every 256 s unless `option call-interval=S` says otherwise.
//! * Telephone JJY's number: with an outside-line `0,` ntpd checks the
//!   special-service prefixes one digit too far into the number (`0,12…`
//!   passes, `0,411…` does not); ours checks the number's own first digits.
//!   ntpd looks for the result code `NO DAILTONE`: a modem's `NO DIALTONE`
//!   is an unknown line to it, so it waits 90 s before hanging up; ours
//!   takes both.
//! * Telephone JJY: more than six `TIME` answers in a call overrun ntpd's
//!   array of six; ours ignores the extra ones. The loopback delay is the
//!   time between the read that led to writing `>` and the read of its
//!   echo (ntpd's: between its `write` and the processing of the echo).
//! * The leap indicator: ntpd's driver never sets it. The receivers say
//!   nothing about leap seconds that ntpd's source documents, so their
//!   samples carry no warning; telephone JJY's `LEAPSEC` answer sets it
//!   (ntpd only writes that answer to clockstats).

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;
pub mod modem;
mod receivers;
#[cfg(feature = "sim")]
pub mod tel_device;
pub mod telephone;

pub use driver::{printable, JjyDriver, Outcome, Receiver, State, DEVICE, INFO, PRECISION};
pub use receivers::{
    Command, GPS01_SEQUENCE, JJY01_SEQUENCE, JST2000_REQUEST, LT2000_CONTINUOUS,
    LT2000_REQUEST_SEND,
};
pub use telephone::{check_phone, TelState, Telephone};

#[cfg(test)]
mod codec_tests;
#[cfg(test)]
mod driver_tests;
#[cfg(test)]
mod telephone_tests;
