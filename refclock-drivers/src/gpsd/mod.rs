//! GPSD JSON client (ntpd type 46, `GPSDJSON`, readable name `gpsd`):
//! time from a running gpsd over its TCP socket, as ntpd 4.2.8p18's
//! `refclock_gpsdjson.c` (NTPsec's `refclock_gpsd.c` read for later
//! fixes; gpsd's `gpsd_json(5)` for the objects).
//!
//! # The conversation
//!
//! The driver connects to gpsd at `localhost:2947` (ntpd tries
//! `localhost:gpsd`, `localhost:2947` and `127.0.0.1:2947`; here the host
//! resolves `localhost` before any chroot and tries each of its addresses;
//! `option server=HOST:PORT` chooses another server, `option
//! server=/PATH` a character device that carries gpsd's JSON, as the
//! simulated gpsd's pseudo-terminal does). gpsd greets with a `VERSION`;
//! the driver answers
//! `?WATCH={"device":"/dev/ttyX","enable":true,"json":true,"pps":true};`
//! where the device is the real path of `/dev/gpsU` (`path` overrides;
//! it must be a character device, checked at start; `option watch=NAME`
//! gives gpsd's name of it instead, unchecked, for a gpsd on another
//! host), and `"pps":true` is
//! asked only from protocol 3.10 on. Then gpsd sends per second a `TPV`
//! (the fix and its time), and with `"pps":true` a `TOFF` (the time of
//! the fix with gpsd's own receive time of the serial data) and a `PPS`
//! object per pulse (the second and gpsd's system time of the pulse).
//! `DEVICES`, `SKY` and every other class are ignored. Lines are up to
//! 8191 bytes (`MAX_PDU_LEN`).
//!
//! # Modes, fudge, flags
//!
//! * mode 0 (serial time only): one sample per TPV — stamped with our
//!   receive time of the line — or, once gpsd speaks protocol 3.10 or a
//!   TOFF came, per TOFF: `real_*` against gpsd's `clock_*`, the TPV time
//!   ignored (TPVs still say whether there is a fix: a TPV of fix mode
//!   below 2 or without a time gives no sample, and drops what is
//!   pending); `time2` is subtracted from the receive time;
//! * mode 1 (strict): a sample only from a serial time paired with a pulse
//!   that came before it within a second: the serial time's second against
//!   the pulse's `clock_*` − `time1`;
//! * mode 2 (automatic): paired samples while pulses come; each serial
//!   time without a pulse costs 1 point, with one earns 3 (account 0..60,
//!   starting at 30); at 0 serial time alone is used until it is full
//!   again (ntpd's PPS availability dance);
//! * mode 3 is mode 0 (`mode & 3`, as ntpd); other modes are refused.
//! * `time1`: the PPS fudge; `time2`: the serial time fudge;
//! * `flag2`: ignore PPS objects in the primary unit;
//! * `flag3`: log every trouble (normally once an hour);
//! * `flag4`: at each poll a clockstats line of the interval's tallies:
//!   known objects, bad lines, TPVs without fix, serial time objects
//!   received and used, PPS objects received and used.
//!
//! # The PPS-only unit (unit ≥ 128)
//!
//! ntpd pairs unit `u` + 128 with the primary unit `u`: it gets the PPS
//! objects of the primary's connection, one sample each (`real_*`
//! against `clock_*` − its own `time1`), no serial time. The CLI runs one
//! clock per process, so here a unit ≥ 128 runs on its own: it makes its
//! own connection and watch of `/dev/gps(u−128)` and uses its PPS objects
//! only (its TPVs still gate them: no fix, no sample). ntpd's `flag1`
//! of that unit (prefer it as a PPS peer after 10 good pulses) has no
//! counterpart: chrony decides how to use the source. Samples pending
//! when no pulse came for the account's run-down (10 s after a run of
//! pulses, 2 points a pulse, 1 a second) are dropped with a time-out, as
//! ntpd's `timer_secondary`. Sharing the primary's connection needs
//! several clocks in one process (issue 12).
//!
//! # Connection and time-outs
//!
//! Every line resets a 10 s count-down; at 4 s left (6 s of silence) the
//! driver writes `?VERSION;` as a live check, at 0 it closes the
//! connection. After a failed or given-up connection it waits 10 s, 5 s
//! more after each further failure, at most 120 s (`TICKOVER_LOW`,
//! `TICKOVER_HIGH`; driver46.html's "about 10 minutes" is stale). The
//! first connection is made at the first timer second. At a poll without a
//! sample the event is a fault (no connection), a bad reply (bad lines in
//! the interval) or a time-out.
//!
//! # Deliberate differences from ntpd
//!
//! * Malformed JSON, a field of the wrong type, a fraction outside
//!   0..1e9 or a line longer than 8191 bytes is refused and counted as a
//!   bad reply at once (ntpd counts it in its tallies and reports a bad
//!   reply only at a poll without samples). ntpd reads a number it cannot
//!   parse whole as 0 (`"clock_sec":1.5` or `"clock_nsec":1e3` gave a
//!   pulse at 1970 in its PPS and TOFF records); here such a record is
//!   refused, never a wrong sample. An over-long line is dropped whole
//!   (ntpd parses its first 8191 bytes, which fails too).
//! * The device path in `?WATCH` is written as a JSON string, escaped
//!   (ntpd pastes it between quotes, so a name with `"` or `\` gave a
//!   request gpsd refuses).
//! * A closed connection (gpsd restarted) is noticed at once and a new
//!   one is tried at the next second; ntpd's I/O loop only stops reading
//!   at end of file, so its driver noticed after the 10 s silence
//!   time-out and then waited the back-off, about 20 s in all.
//! * The back-off goes back to 10 s once a server answered with a
//!   `VERSION`; ntpd's only grows, so after a few restarts of gpsd it
//!   stayed at 120 s for good.
//! * A connection made at once is given the 10 s count-down (ntpd left
//!   it at 0 when `connect` succeeded without waiting, and closed it at
//!   the next second unless gpsd had spoken).
//! * The unit ≥ 128 runs alone with its own connection (above).
//! * Lines are assembled by the kit's line framer (8191 bytes kept): it
//!   ends a line at CR as well as LF, skips empty lines (ntpd counted a
//!   bare LF as a bad reply) and keeps 7-bit printable characters, as
//!   ntpd's line discipline does for other drivers; gpsd's JSON is ASCII,
//!   so only a non-ASCII character in a string it sends could change (and
//!   at worst spoil that line).
//! * Options ntpd's driver does not have: `server=HOST:PORT|/PATH` and
//!   `watch=NAME` (above).
//! * The leap indicator is "no warning" once a sample came (gpsd's JSON
//!   carries no leap warning; ntpd's driver never sets it either) and
//!   "not in sync" before. The precision ntpd derives from `ept` and PPS
//!   `precision` is not kept (chrony measures the source's dispersion).

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;
mod setup;

pub use driver::{GpsdDriver, INFO};
pub use setup::{
    real_device, OpMode, Tallies, DEFAULT_HOST, DEFAULT_PORT, DEVICE, LIVE_CHECK_AT, LOG_THROTTLE,
    PPS2_MAXCOUNT, PPS_DECCOUNT, PPS_INCCOUNT, PPS_MAXCOUNT, TICKOVER_HIGH, TICKOVER_LOW,
    TICKOVER_STEP,
};

#[cfg(test)]
mod codec_tests;
#[cfg(all(test, feature = "sim"))]
mod device_tests;
#[cfg(test)]
mod driver_tests;
