//! NIST ACTS and the other dial-up time services: ntpd's type 18 (`ACTS`,
//! NTPsec `modem`), as ntpd 4.2.8p18's `refclock_acts.c` has it (where
//! `html/drivers/driver18.html` disagrees, the source decides).
//!
//! The driver calls a time service through a Hayes modem now and then,
//! takes up to 20 timecodes from the call, and hangs up; or, without
//! phone numbers, reads a clock on a direct cable.
//!
//! * Device `/dev/actsN` (N = unit), 19200 baud 8N1, raw input, CLOCAL
//!   cleared when DSR is up (ntpd's LDISC_REMOTE). The device is opened
//!   only for a call and closed after it ([`OpenPolicy::OnDemand`]): when
//!   the program drops privileges it must still be able to open it.
//!   Reference ID `NONE` (ntpd then sets `NIST`, `USNO`, `PTB` or `WWVB`
//!   from what it hears; see [`ActsDriver::service`]). Precision −10.
//! * `-p` (up to 10): each entry is the whole Hayes dial command
//!   (`-p ATDT13034944774`), written as it is, followed by CR. An entry
//!   that does not begin with `AT` is still sent, with a warning at start.
//! * Mode (`CallMode`, as the source has it; driver18.html swaps 0 and
//!   1): 0 backup, 1 auto (and anything above 2), 2 manual. Backup calls
//!   at each poll while ntpd has no other system peer; ntp-refclock has
//!   none, so, as the C program, at each poll. Auto calls at each poll;
//!   manual only for flag1.
//! * flag1: call now (at the next second) if no call is up, in any mode;
//!   cleared once the call starts. flag2: the port is locked during each
//!   call with a UUCP lock file holding our PID (the kit's
//!   `PortSpec::lock`): `/var/lock/LCK..NAME`, NAME the device the path
//!   leads to, resolved at start (`option lock=PATH` names another); a
//!   port another live process has locked is not opened ("port busy",
//!   tried again at the next poll). time1: added to every
//!   sample (USNO does not correct for the line delay: about 0.06 s is
//!   advised).
//!
//! ## A call
//!
//! At a poll (mode 0/1) or for flag1, the device is opened and
//! [`MODEM_SETUP`] is written with CR; within 3 s the modem must say `OK`
//! (other lines, such as its echo of the set-up line, are skipped; `ERROR`
//! ends the attempt), else "no modem". Then DTR is
//! raised (on a pseudo-terminal the ioctl fails and is only logged) and
//! the next `-p` entry is dialled; within 60 s `CONNECT` must come, else
//! "no answer"; `BUSY`, `NO CARRIER`, `NO ANSWER`, `NO DIALTONE` or
//! `ERROR` end the attempt at once (other lines are skipped). Once connected, lines are read for at
//! most 60 s and at most 20 timecodes; then the samples are filtered
//! (`refclock_receive`), DTR dropped and the device closed (the modem
//! hangs up on DTR: `&D2`). After a call that gave no timecode, the next
//! number is dialled 30 s later; when all failed, the next poll starts
//! again from the first. Without `-p` a lone `T` is written instead of the
//! modem dialogue and the lines read the same way. Each step goes to
//! clockstats (`SETUP …`, `DIAL #n …`, the modem's answers, `close`),
//! and the last timecode of a call.
//!
//! ## The timecodes, by length ([`codec`])
//!
//! * NIST ACTS (50): `47999 90-04-18 21:39:15 50 0 +.1 045.0 UTC(NIST) *`.
//!   The date is taken from the MJD (checked against `YY-MM-DD`); `L` 1
//!   or 2 is a leap second to insert or delete at the end of the month.
//!   NIST sends the on-time marker `*` early by the line delay it
//!   assumes (`msADV`, 45 ms); the driver echoes it, and once NIST has
//!   measured the round trip from the echoes it advances the marker by
//!   half of it and sends `#`, which arrives on time. A line gives a
//!   sample when its marker is `#`, or from the 10th line of the call on
//!   (a service that does not measure); stamped at the read that held the
//!   marker.
//! * USNO (20): `jjjjj nnn hhmmss UTC`, then `*` on a line of its own at
//!   the second the line names: the `*` gives the sample.
//! * PTB, NPL and the other ITU-R TF.583 services (78): local date and
//!   time, zone, UTC date, hour and minute, MJD, DUT1, leap second
//!   direction and month, the delay, a text, the marker (`*`, `#` after
//!   the loopback, which the driver echoes). The UTC fields and the
//!   second give the time; the second changes between the CR and the LF
//!   after the line, so the sample is stamped at the read that held the
//!   CR.
//! * Spectracom format 0 (22) `I  ddd hh:mm:ss DTZ=nn` and format 2 (24)
//!   `IQyy ddd hh:mm:ss.mmm LD`, through a modem or on a direct cable:
//!   on time is the CR before the line; `I` not blank means not in sync;
//!   format 2's `L` is a leap second pending. Day-of-year fields, the
//!   year from the receive time (ntpd's `clocktime`).
//!
//! A longer line that ends in a PTB, NIST or USNO timecode is that
//! timecode with noise before it ([`codec::decode_tail`]). Lines of other
//! lengths (banners, help texts) are skipped; a line of a
//! timecode's length that fails its checks, or one of another length
//! that ends in an on-time marker, is counted as a bad reply and gives no
//! sample.
//!
//! ## Deliberate differences from ntpd
//!
//! * Lines are assembled whole. ntpd reads at most the free space of its
//!   128-byte line buffer at once, so a banner longer than that sent in
//!   one write spills into the next line and the first timecode after it
//!   is lost; here every line is read whole (up to 127 characters).
//! * A NO CARRIER ends the call at once. ntpd reports it and waits for the
//!   60 s time-out with the line dead; here the timecodes received are
//!   used and the modem hung up at once.
//! * Failed numbers are tried in turn. In ntpd a poll during the 30 s wait
//!   before the redial starts again from the first number, so after a
//!   BUSY a second `-p` entry may never be tried; here a poll leaves a
//!   pending redial alone.
//! * USNO samples come from the star line alone. ntpd also takes a sample
//!   from the timecode line itself, stamped at the receive time of an
//!   earlier on-time mark, so one second or more off; here only the `*`
//!   line after the timecode gives one, stamped at its own `*`.
//! * Spectracom lines are stamped at their own on-time CR. ntpd takes the
//!   time of a line feed that arrives while its line buffer is empty; a
//!   format 2 line ends at the next second's CR LF, which therefore never
//!   stamps anything, so ntpd gives every line of a call the first line's
//!   receive time, one more second off with each line.
//! * Only a failure ends a dialogue. ntpd ends the attempt on any line
//!   other than `OK` (or the set-up echo) after the set-up command and
//!   other than `CONNECT` after dialling, so one line of noise costs a
//!   call; here only `ERROR`, `BUSY`, `NO CARRIER`, `NO ANSWER`,
//!   `NO DIALTONE` and the like do, other lines are skipped.
//! * Noise before a timecode on its line is skipped, where ntpd drops the
//!   line by its length.
//! * The call ends after the 20th timecode, not at the line after it:
//!   ntpd reads one more line, echoing its on-time marker, before it hangs
//!   up.
//! * A NIST date is the MJD's, checked against the two-digit year, month
//!   and day, instead of a two-digit year taken as it is; PTB's MJD is
//!   checked against its UTC date.
//! * PTB samples are stamped at the CR after the marker (where TF.583 puts
//!   the second change), not at the marker itself two characters earlier
//!   (about 1 ms at 19200 baud when they arrive in different reads).
//! * A spoilt timecode is counted (bad reply): a line of a timecode's
//!   length that fails its checks, or a line of another length that ends
//!   in an on-time marker; ntpd counts only some of the former.
//! * **The lock file is Linux's**: `/var/lock/LCK..NAME` for the device
//!   the path leads to, holding the PID as ASCII, as diallers and terminal
//!   programs lock it; ntpd writes `/var/spool/lock/LCK..cuaU` (a BSD
//!   name that nothing on Linux shares, in a directory Linux systems
//!   seldom have) and never removes a stale one. Here a lock whose
//!   process is gone is replaced.
//! * Echoes of `*` and `#` are written only while connected (ntpd also
//!   echoes one in a modem answer), and not on a direct cable.
//!
//! [`OpenPolicy::OnDemand`]: refclock_core::port::OpenPolicy::OnDemand
//! [`MODEM_SETUP`]: driver::MODEM_SETUP

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;
mod spectracom;

pub use codec::{decode, ActsError, Service, Timecode};
pub use driver::{
    ActsDriver, CallMode, CallState, ANSWER_TIMEOUT, DEVICE, INFO, MAX_CODES, MODEM_SETUP,
    NIST_TRUSTED_FROM, REDIAL, SETUP_TIMEOUT, SPEED, TIMECODE_TIMEOUT,
};

#[cfg(test)]
mod codec_tests;
#[cfg(all(test, feature = "sim"))]
mod device_tests;
#[cfg(test)]
mod driver_tests;
