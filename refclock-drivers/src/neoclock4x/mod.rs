//! The NeoClock4X DCF77/TDF receiver: ntpd's type 44 (`NEOCLOCK4X`), as
//! ntpd 4.2.8p18's `refclock_neoclock4x.c` (driver version 1.16) and
//! `html/drivers/driver44.html` describe it.
//!
//! The NeoClock4X (Linum Software) is a DCF77 or TDF receiver powered
//! from the serial port's DTR and RTS lines. It sends a timecode line a
//! second and answers `V` with its firmware version.
//!
//! * Device `/dev/neoclock4x-N` (N = unit), 2400 baud 8N2, canonical
//!   input (one read per line). Reference ID `neol`, precision −10.
//! * Mode: unused. time1: added to every offset; when not given it is
//!   0.16958333 s, the 37 characters of a timecode at 2400 baud
//!   ([`DEFAULT_TIME1`]): the receive time is that of the line's end.
//!   time2: unused. flag1: take quartz time after the radio signal was
//!   lost. flag2: take time from a quartz never set from the radio.
//!   flag4: log every timecode. flag3: unused.
//! * Option `ignore-modem-lines`: go on when DTR and RTS cannot be set
//!   (see below).
//!
//! ## The timecode
//!
//! 37 characters and a line end (layout in [`codec`]): serial number,
//! radio signal, `DDMMYYhhmmsscc` German local time to the hundredth,
//! day of week, time source (`A` radio, `C` quartz), summer time (`S`)
//! or winter time, quartz state (`I` set from the radio, `X` never), two
//! antenna levels and a checksum: the sum of the first 35 bytes modulo
//! 256 as two hex digits. The driver takes UTC as the local time less two
//! hours in summer time and one otherwise (a fixed offset: the clock says
//! which), the year as 20YY (unfolded after the base date once that is
//! past 2050). What the first three characters hold is not documented;
//! the driver does not read them (the simulated device sends `NC4`).
//!
//! ## What the driver does
//!
//! 1. When the port opens it raises DTR and RTS to power the receiver.
//!    If that fails (as it does on a pseudo-terminal, where the ioctls
//!    give ENOTTY: the kit reports `PortEvent::ModemLinesFailed`) it
//!    gives up, as ntpd refuses to start: it logs why, reports a fault,
//!    closes the port and does nothing more. With `option
//!    ignore-modem-lines` it logs the failure and goes on;
//!    `ntp-refclock --simulate` adds that option.
//! 2. The firmware dialogue: 4 s after the port opened it writes `V` and
//!    reads the answer: everything up to a `©` (0xA9) skipped, then
//!    lines joined with ` / ` up to the line end after a line holding
//!    `S/N`; the text must contain `NDF:A:*` (firmware A, the only one
//!    the driver knows), or it gives up as above. No answer within 6 s
//!    (or more than 500 bytes without one) is a failed try; after five
//!    it gives up. Lines before the answer are not read.
//! 3. At each poll a flag is set; only the first line after it is read
//!    (`recvnow`). A line that is not 37 characters or whose checksum is
//!    wrong: `CEVNT_BADREPLY`. A quartz not set from the radio
//!    (without flag2): "not in sync" and `CEVNT_BADDATE`. Quartz time
//!    (without flag1 or flag2): "not in sync" and `CEVNT_BADTIME`. A
//!    field not digits or out of range: `CEVNT_BADDATE`. Otherwise one
//!    sample (offset = UTC − time of the read that ended the line +
//!    time1), leap indicator "no warning", filtered at once
//!    (`refclock_receive`), and the line to clockstats.
//! 4. At exit DTR and RTS go down, switching the receiver off.
//!
//! ## Trying it without a receiver
//!
//! `ntp-refclock --simulate 127.127.44.0` runs the driver against the
//! simulated receiver (`device`, feature `sim`) with `option
//! ignore-modem-lines`. The simulated device's first byte goes out on
//! the second and the simulator paces 10 bits a character, so the CR
//! that ends the read comes 37 × 10 / 2400 s later, and with the default
//! time1 (37 × 11 bits, the 8N2 of a real line) each sample is about
//! +15 ms. Device option `firmware=B` announces a firmware the driver
//! refuses.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **The power lines on a pseudo-terminal.** ntpd cannot start the
//!   driver where TIOCMGET/TIOCMSET fail; here it is the same unless
//!   `option ignore-modem-lines` is given (the C program never gives a
//!   sample on a pseudo-terminal: nothing could be compared with it).
//! * **Giving up does not end the program.** ntpd's start routine fails
//!   and the C program exits with status 1 at once; here the driver has
//!   started before its port opens, so it logs why, reports a fault,
//!   closes the port and the program runs on without samples until it is
//!   stopped (a driver cannot end the program).
//! * The firmware dialogue does not stall the process: ntpd sleeps in its
//!   start routine (3 s and 1 s per try, and 1 s per empty read, for as
//!   long as nothing comes); here the waits are timers, and a try that
//!   hears nothing ends after 6 s, where ntpd's waits for ever on a
//!   silent clock.
//! * Every field must be digits (ntpd's `neol_atoi_len` stops at the
//!   first non-digit and keeps what it has), the checksum two hex digits,
//!   the day within its month (ntpd carries 31 February into March).
//! * The year is 20YY only until the base date is past 2050 (ntpd's is
//!   always 20YY).
//! * A leap second: the clock's second 60, if it says one, is read as the
//!   first second of the next minute, as ntpd's arithmetic does.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, NeoError, NeoTime};
pub use driver::{
    Neoclock4xDriver, Phase, ANSWER_WAIT, DEFAULT_TIME1, FIRST_QUERY_DELAY, IGNORE_MODEM_LINES,
    INFO, PRECISION, TRIES,
};

#[cfg(test)]
mod tests;
