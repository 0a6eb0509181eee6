//! Kinemetrics/TrueTime receivers (468-DC GOES, GPS-TM/TMD, XL-DC,
//! GPS-800 TCU, TL-3 WWV, OM-DC Omega): ntpd's type 5 (`TRUETIME`,
//! `refclock_true.c`; NTPsec `truetime`), as ntpd 4.2.8p18's source and
//! `html/drivers/driver5.html` describe them.
//!
//! * Device `/dev/trueN`, 9600 baud 8N1, canonical lines. Reference ID
//!   `TRUE`, precision −10 (about 1 ms).
//! * Mode: unused. time1: added to every sample (a GOES receiver: while
//!   it sees the west satellite, the default); time2: added instead while
//!   a GOES receiver reports the east satellite (ntpd swaps the two
//!   values at each change of satellite, which comes to the same).
//!   flag1: listen only, never write to the clock. flag2 (ntpd's
//!   `/tmp/true%d.debug` file), flag3 (ppsclock) and flag4 (PCL-720
//!   counter board): not supported; the dialogue goes to the log.
//!
//! ## The timecode and the dialogue
//!
//! `^A ddd:hh:mm:ssQ CR LF`: day of year, time, and a quality character
//! (`>`, `#`, `?`, `X`: not in sync; `' '`, `.`, `*`, a station letter:
//! in sync). The `^A` is dropped by the line reader; the CR goes out on
//! time and stamps the line. [`codec`] also knows the other lines, which
//! move the identification: `?`/`ERROR 05 NO SUCH FUNCTION` (the clock
//! did not understand), a GOES satellite position `nnnnn+nnn-nnn`,
//! `Fnn`, a TL-3's `VER xx.xx`, a TM's ` TRUETIME Mk III ` or
//! ` TRUETIME XL`, a TCU's `N03726428W12209421+000033`.
//!
//! When the port opens the driver writes `^C CR` (stop a clock that is
//! sending) and identifies the model by asking each in turn: `P CR`
//! (GOES: a position), then `ST0` and `QV` (TL-3: a version), `C CR`
//! (Omega: timecodes), `F18 CR` (TM: its identification), `PO CR` (TCU:
//! its position); a `?` or a timeout moves to the next question, and
//! after the TCU the round starts again at the next timeout. Then the
//! model is set to send a timecode a second (GOES `C`; TL-3 `ST1`; TM
//! `F18`, `F50`, `F51`, `F08`; TCU `MD3`, `TSU`, `AU`). A timecode that
//! arrives before they were asked for is answered `^C CR`.
//!
//! ## Samples
//!
//! Every timecode sets the leap indicator from its quality character.
//! After each poll the next timecode gives one raw sample (named time −
//! receive time of its CR + time1 or time2), the filter runs and the
//! clock status goes back to nominal; with a GOES receiver (or one not
//! identified) a `P` asks for the satellite again. A poll after two
//! polls without any line restarts the model's set-up (or the
//! identification) and reports a timeout. An unknown line is a bad reply,
//! a timecode with a field out of range a bad time. Every line goes to
//! clockstats.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **No sleeping.** ntpd calls `sleep(1)` between `ST0` and `QV` and
//!   once more when the TCU question fails, stalling the whole daemon a
//!   second each time (seen on the C program). Here `QV` goes out at the
//!   next one-second tick, and the failed TCU question just waits for
//!   the next timeout.
//! * **flag1 is obeyed from the start.** In the C program the fudge
//!   flags are applied after `true_start`, so `^C CR` and `P CR` are
//!   written even with flag1; here nothing is ever written with flag1.
//! * **No abort.** ntpd calls `abort()` on an event its identification
//!   does not expect in some states (an `F50` while it asks a GOES, any
//!   line other than the start while it is at the beginning of a round);
//!   here such an event is logged and ignored.
//! * **No endless recursion.** A TM/TMD clock that identifies as
//!   ` TRUETIME XL` when it is already known makes ntpd's state machine
//!   call itself with the same line for ever (writing `F50` each time)
//!   until the stack overflows; here it sends `F50` once.
//! * **Bounds.** ntpd looks at fixed offsets of the line (the `+` of a
//!   position at 5 and 9, the colons at 3, 6 and 9, …) also past its end,
//!   where stale bytes of a longer earlier line may match; here a short
//!   line matches nothing it is too short for. A timecode must have the
//!   digits in its columns and its fields in range (ntpd's `sscanf` takes
//!   signs and blanks; its calendar carries day 367 or hour 24 over).
//! * The dialogue is restarted at every opening of the port (ntpd: once).
//! * `polls` counts the polls only (ntpd also counts every command
//!   written).
//!
//! ## Trying it without a clock
//!
//! `ntp-refclock --simulate 127.127.5.0` runs the driver against a
//! simulated GOES receiver (`device`, feature `sim`);
//! `refclock-sim --driver truetime --option model=tl3` (or `tm`, `tcu`)
//! plays the other models through their dialogues.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, Reply, Satellite, Timecode, TrueTimeError};
pub use driver::{Model, State, TrueTimeDriver, DEVICE, INFO, POLLCNT, PRECISION};

#[cfg(test)]
mod tests;
