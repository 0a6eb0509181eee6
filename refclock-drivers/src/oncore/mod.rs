//! Motorola Oncore GPS receivers: ntpd's type 30 (`ONCORE`, NTPsec
//! `oncore`), as ntpd 4.2.8p18's `refclock_oncore.c` and
//! `html/drivers/driver30.html` describe it.
//!
//! The 6-channel Basic and PVT6 (`@@Ba`/`@@Bn`), the 8-channel VP, UT,
//! UT+, GT, GT+ and SL (`@@Ea`/`@@En`) and the 12-channel M12 and M12+T
//! (`@@Ha`/`@@Hn`), in the Motorola binary protocol.
//!
//! * Serial device `/dev/oncore.serial.U`, 9600 baud 8N1, raw; PPS device
//!   `/dev/oncore.pps.U` (`ppspath` overrides it). When both name the
//!   same file (ntpd compares device and inode) the serial port's own
//!   PPS source is used, with one descriptor; otherwise the PPS device is
//!   opened as a PPS source. As in ntpd, the driver does not start when
//!   the PPS device is missing, unless `option serial-only` is given.
//!   Reference ID `GPS`. ntpd fixes this driver's poll interval at 16 s
//!   (minpoll = maxpoll = 4): its poll (resending an unanswered `@@Cj`,
//!   giving up after four, reporting a timeout after two polls without a
//!   sample) runs from the once-a-second timer at the first tick and every
//!   16 s after, whatever `-i` says. The host's poll (`-i`; `-i 4` for
//!   ntpd's cadence) has the next sample filter the pending ones. Every
//!   sample is sent as it is taken.
//! * time1: added to every sample's offset. time2: serial-only samples
//!   only, the delay of the position message after the second it names
//!   (subtracted from its receive time). Mode and flags: unused (ntpd
//!   reads everything from its configuration file).
//!
//! ## The configuration file
//!
//! Read at start, before any chroot: [`config`] has the search (`/etc/ntp`
//! then `/etc`, `ntp.oncore.U`, `ntp.oncoreU`, `ntp.oncore`), the
//! keywords and what they mean; `option config=PATH` names the file
//! instead. No file is mode 4 (hard reset, site survey). A bad value
//! stops the start with the file, line and word at fault.
//!
//! `STATUS file` (or `SHMEM file`): the [`status`] file, ntpd's layout,
//! which monitoring tools map: the last message of each kind, the
//! almanac pages, the position messages of each fix. The file found at
//! start is merged in, and a receiver that reports no almanac gets the
//! kept almanac pages back, with the kept position (unless the file gives
//! one) and the time of day, once. `POSN2D`/`POSN3D`: every 15 s the
//! receiver leaves position hold for one 2D or 3D fix, so that the
//! file's 2D or 3D record stays fresh (not on the M12, which loses its
//! satellites doing so, as in ntpd); those seconds give no sample.
//! `HARDPPS`: the host binds the kernel's hardpps to the PPS edge
//! (RFC 2783 `time_pps_kcbind`); without the capability or kernel
//! support that is logged and the edges serve in user space.
//!
//! ## Start-up (ntpd's state machine)
//!
//! When the port opens: `@@Cg1` (position fix mode), `@@Cj` (receiver
//! id); the id's model number is logged (and its text written to
//! clockstats). Then `@@Ba1`, `@@Ea1`, `@@Ha1`: after six position
//! messages the largest channel count that answered is used (`CHAN`
//! overrides it); `@@Cj` again. Modes 3 and 4: `@@Cf` (factory defaults),
//! then `@@Cg1`, `@@Cj`. The self test (`@@Ca`, `@@Fa` or `@@Ia`): a
//! failure ends the driver (`CEVNT_FAULT`). `@@Cj` once more, then the
//! configuration: `@@Cg1 @@Bb1 @@Ek0 @@Aw1 @@AB4 @@Be1 @@Bd1`, the
//! position (`@@Gd0`/`@@At0 @@Av0`, `@@As`, `@@Au`, `@@Ga` or
//! `@@Ad @@Ae @@Af`, `@@Gd1`/`@@At1`) when the file gives one, else
//! `@@At` read back (6/8 channels); modes 1–4: cable delay `@@Az`, PPS
//! offset `@@Ay`, mask `@@Ag`; the model's own position message on and
//! the others off (M12: `@@Gc`, PPSCONTROL). Each `@@Cj` is resent at
//! each poll without an answer; after four the driver gives up, as
//! ntpd's does. Then it waits for the almanac (status bit), turns on the
//! TRAIM message (`@@Bn`/`@@En`, or `@@Gc @@Ge1 @@Hn1`), and runs; TRAIM
//! is on when that message answers within 6 s (`TRAIM` overrides it).
//! Modes 2 and 4 start the site survey (`@@Gd3`, `@@At2`); a receiver
//! that does not survey itself gets ours: 10000 3D fixes averaged, then
//! position hold. A receiver at `@@Sz` (power-on failure) ends the driver.
//!
//! ## Samples
//!
//! The time is that of the last position message (UTC after `@@Aw1`; the
//! fraction of a second is ignored, as in ntpd): with TRAIM one sample per
//! TRAIM message whose alarm is clear, without TRAIM one per position
//! message. None while the almanac is incomplete (the receiver does not
//! know GPS − UTC), for four messages after an M12 first says its UTC
//! parameters are decoded (ntpd's `count5`), nor, once the position is
//! known (survey done or given), outside position hold. The date is moved
//! by whole GPS eras of 1024 weeks into the window of
//! [`EraWindow`](refclock_core::gps::EraWindow) (receivers from the
//! 1990s state 2000-08-25 for 2020-04-10; see the captures).
//!
//! **With PPS** the receive time is the latest PPS edge (assert, or clear
//! with `CLEAR`), never one used before, and taken less than a second
//! before the position message's first byte. **The sawtooth**: each
//! TRAIM message gives the quantisation error of the *next* pulse (its
//! "negative sawtooth", signed ns); ntpd hands it to the kernel as the
//! PPS assert offset, which corrects that next edge (only when the kernel
//! supports PPS offsets). Ours subtracts it, with the PPS offset (ns), from
//! the next pulse's edge itself: `receive time = edge − (sawtooth +
//! offset)`. On the simulated receiver this takes the sawtooth's
//! ±48 ns (28 ns rms) out completely (`driver_tests.rs`).
//!
//! **Serial-only** (`option serial-only`): the receive time is that of
//! the read that held the position message's first `@`. The M12+T sends
//! it a few to tens of milliseconds after the pulse (the manual gives
//! 0–50 ms for the serial data); at 9600 baud `@@Ha` takes 160 ms to
//! send, so the first byte, not the end, is the one to time. Expect
//! offsets of some −10 ms with a few ms of jitter: a millisecond-class
//! clock, to be calibrated with time2. Without this option and without
//! PPS edges there are no samples.
//!
//! **Leap second**: once a day `@@Gj` (M12, later UT) is asked; when it
//! names a leap second in the current month the leap indicator is set.
//! A receiver without `@@Gj` (no answer in 6 s) is asked `@@Bj` in June
//! and December, as ntpd does (the Oncore sets that flag months early),
//! and `@@Bl` is turned on: from the VP's broadcast subframe 4 page 18
//! (the leap second's week and day, ΔtLS, ΔtLSF) and subframe 1 (today's
//! week and day) the leap second is announced when it is less than four
//! weeks away (`leap`).
//!
//! A message with a bad checksum is counted and reported
//! (`CEVNT_BADREPLY`); a truncated one loses its bytes, counted in
//! [`Tally::skipped`]; a position or TRAIM message that does not decode
//! is logged and reported (bad date, bad time or bad reply). None gives
//! a sample.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **The sawtooth is applied to the sample**, not through the kernel's
//!   PPS offset: the same result where the kernel supports offsets, and
//!   a result where it does not (ntpd then ignores the sawtooth).
//! * **A TRAIM message never pairs a stale position message.** ntpd keeps
//!   the last `@@Ha` and pairs it with any TRAIM message: when one `@@Ha`
//!   is lost (a bad checksum), the next pulse is dated a second early.
//!   Here each position message gives at most one sample.
//! * **An M12 that has not decoded the UTC parameters gives no sample**
//!   (it states GPS time as UTC then, 18 s off); ntpd only waits when
//!   it sees them decoded.
//! * **A pulse must precede its position message by less than a second**;
//!   ntpd takes any new edge, however old.
//! * **The first TRAIM message after the TRAIM test gives a sample.**
//!   ntpd sets its time fields only once that test is over, so the first
//!   TRAIM message finds them unset (year 0) and is reported as a bad
//!   date; here it pairs the position message of its second (the M12's
//!   four-message wait for its UTC parameters hides this there).
//! * Only the position and TRAIM messages of the channel count in use are
//!   used (ntpd takes another model's message into the same buffer).
//! * **The configuration file is checked**: a value ntpd would quietly
//!   replace or drop (`MODE 7` becomes 4, `LAT abc` is 0°, `CHAN 10` is
//!   ignored, a delay over 999999 ns is ignored) stops the start with the
//!   file, line and word. Unknown keywords are only logged, as ntpd
//!   ignores them. `LAT -0 30` keeps its sign. DELAY and OFFSET are
//!   rounded to the nanosecond (ntpd truncates).
//! * `@@Gj`'s date is taken as the leap second's, or when it is the first
//!   day of a month at 00:00:00 as the second after it (firmware differs;
//!   ntpd compares the month only).
//! * **The status file never sets position hold at 0°, 0°, 0 m**: when
//!   the almanac is sent back and neither the configuration nor the file
//!   has a position, ntpd still sends its (zero) position and turns
//!   position hold on; ours only sets the time of day then.
//! * **`HARDPPS` that the kernel refuses does not stop the driver**
//!   (ntpd's start fails): the refusal is logged and the edges are used
//!   in user space, as chrony, not the kernel, disciplines the clock.
//! * The PPS device is checked for existence at start (ntpd opens it);
//!   whether it is a PPS source shows when the host opens it.
//!
//! ## Trying it without a receiver
//!
//! `ntp-refclock --simulate 127.127.30.0` runs the driver against the
//! simulated M12+T (`device`, feature `sim`; `refclock-sim --driver oncore
//! --option model=ut|basic` for the others) on a pseudo-terminal, which
//! has no PPS line: `--simulate` gives the driver `option serial-only`.
//! Without a configuration file it is mode 4: hard reset, the receiver's
//! 20 s site survey, samples from about 15 s after the start.
//!
//! `fuzz` (feature `testkit`) has the fuzz target bodies;
//! `refclock-cli/tests/cli_oncore.rs` runs the program against the
//! simulated receiver; `refclock-drivers/tests/golden/oncore-*` are runs
//! of the C program (with its PPS API answered by a shim).

pub mod codec;
pub mod config;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;
mod handshake;
mod leap;
pub mod status;

pub use codec::{FixMode, LeapInfo, OncoreError, Position, Traim};
pub use config::{ConfigError, OncoreConfig};
pub use driver::{OncoreDriver, State, Survey, Tally, INFO, POLL_SECS};
pub use status::StatusImage;

#[cfg(all(test, feature = "sim"))]
mod driver_tests;
#[cfg(all(test, feature = "sim"))]
mod status_driver_tests;
#[cfg(test)]
mod tests;
