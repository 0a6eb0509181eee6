//! HP GPS receivers: ntpd's type 26 (`GPS_HP`, NTPsec `hpgps`), as ntpd
//! 4.2.8p18's `refclock_hpgps.c` behaves.
//!
//! * [`codec`]: the SCPI dialogue as bytes ↔ fields: the commands, the
//!   prompt, the time zone reply and the format-2 timecode, both ways.
//! * [`HpgpsDriver`]: the driver logic on top of [`refclock_core`].
//! * `device` (feature `sim`): the simulated receiver.
//! * `fuzz` (feature `testkit`): the fuzz targets `hpgps_decode`,
//!   `hpgps_roundtrip` and `hpgps_driver`, the last with a model of the
//!   dialogue that says what the driver must write and sample.
//!
//! ## Receivers and modes
//!
//! * mode 0: HP 58503A (also, probably, 58503B and 59551A), 9600 baud 8N1.
//! * mode 1: HP Z3801A, 19200 baud, 7 data bits, odd parity. (NTPsec's
//!   page says 7N2; ntpd's code and ours set 7O1: 10 bits a character
//!   either way.)
//! * any other mode: taken as 0, as ntpd does (and logged).
//!
//! Device `/dev/hpgpsN` (or `path`), canonical input (ntpd's LDISC_CLK): a
//! line is read when its CR arrives. The receiver must run with its
//! factory settings: timecode format 2, prompts on, no echo.
//!
//! Without a receiver, `ntp-refclock -i 0 --simulate 127.127.26.0 time1
//! -0.955` runs the driver against the simulated one (`device`), polling
//! every second (the program's options come before the clock); `mode 1`
//! is the Z3801A, with `time1 -0.9675`; `--simulate=badsum`, `invalid`,
//! `garbage`, `drop:3`, `silence`, `jitter` play its troubles. `refclock-sim
//! --driver hpgps --option tz=-5,0 --link /tmp/hp0` plays one on local
//! time for any program (`... 127.127.26.0 path /tmp/hp0 time1 -0.955`).
//!
//! ## Fudge
//!
//! * `time1`: added to every offset. There is **no default**, as in ntpd:
//!   see "What time1 to use" below.
//! * `flag4`: after each good timecode, ask for the receiver's status
//!   screen (`:SYSTEM:PRINT?`) and log its 22 lines to clockstats, one
//!   record a line, together once the last has come. With a poll every
//!   second (`-i 0`) the next timecode query may reach the receiver
//!   before the screen query: the timecode's line is then taken for
//!   screen text and a screen line for a reply (bad replies, no wrong
//!   sample), as in ntpd; use `-i 1` or more with flag4.
//! * `time2`, `flag1`..`flag3`: unused.
//!
//! ## The dialogue
//!
//! When the port opens the driver writes `*IDN?\r:PTIME:TZONE?\r`. The
//! receiver answers each command, then prints its prompt `scpi > ` (no
//! line end; `E-113> ` while its error queue holds an error):
//!
//! ```text
//! HEWLETT-PACKARD,58503A,3626A01234,3704-C\r\nscpi > +0,+0\r\nscpi >
//! ```
//!
//! The first line is logged to clockstats and otherwise ignored. The
//! next, `scpi > +0,+0`, is the time zone: `+H,M` or `-H,M`, hours
//! −12..13, minutes −59..59; local time = UTC + H h + M min. The last prompt stays in the line buffer until the
//! next CR. Each poll writes `:PTIME:TCODE?\r`; the receiver answers at its
//! next on-time point:
//!
//! ```text
//! T220060105075143300003B\r\nscpi >
//! ```
//!
//! and the driver reads the line `scpi > T220060105075143300003B` at its
//! CR: the prompt of the previous answer, then the timecode. Everything up
//! to the last `>` is the prompt; blanks after it are skipped. When the
//! prompt reports an error (an `E` after its last `s`, see
//! [`codec::prompt_reports_error`]) the driver writes `*CLS\r\r`. Each line
//! that is not part of a screen is logged to clockstats, counts as an
//! answer (two polls may pass without one; from the third on each poll
//! reports [`ClockEvent::Timeout`](refclock_core::ClockEvent::Timeout)),
//! and is decoded:
//!
//! * a time zone: kept, and from then on the zone is known; out of range
//!   or malformed: bad reply, the previous zone stays and is not known;
//! * a timecode (layout in [`codec`]): checksum, format and length errors
//!   are bad replies; a date or time out of range, an unknown leap
//!   character while `V` is `0`, or a time more than 4 h from the receive
//!   time are bad times; none gives a sample. As in ntpd (`clocktime()`),
//!   the year is not looked at: the day of the year and the time (UTC)
//!   are placed in the year that puts them nearest the receive time;
//! * anything else: bad reply.
//!
//! Until the receiver has answered the time zone query since its port
//! opened, a timecode gives no sample (it is logged), and from then on
//! each poll writes `:PTIME:TZONE?\r` before the timecode query until the
//! zone is known: a receiver on local
//! time whose zone answer was lost would otherwise read hours off. (A
//! poll before any timecode came asks only for the timecode, as ntpd's:
//! the zone query of the opening is still being answered.) A good
//! timecode is moved from local time to UTC with the zone (across
//! midnight, month and year ends). `V` other than `0` makes the leap
//! indicator "not in sync" (the sample is still taken, with leap 3, which
//! chrony ignores, as ntpd's driver does); otherwise `+`/`-` announce a
//! leap second only in June and December, `0` none. The sample: time = the
//! receive time of the line (its CR), offset = the named second (23:59:60
//! counts as the following midnight, as in POSIX time) − that time +
//! `time1`; then, after the first timecode of each poll interval, the
//! filter runs at once (ntpd calls `refclock_receive` after each
//! timecode, not at the poll). With flag4 the driver then writes
//! `:SYSTEM:PRINT?\r` and takes the next 22 non-empty lines as the screen
//! (its first line follows the pending prompt).
//!
//! ## What time1 to use
//!
//! The timecode names the **next** second: its `T` leaves the receiver
//! 980 ms before the second it names, and the driver's timestamp is taken
//! at the CR, 24 characters after the `T`. At 9600 baud 8N1 (58503A) that
//! is 25.0 ms, so the CR arrives 0.955 s before the named second and an
//! uncalibrated 58503A reads **+0.955 s** (offset = true − system time:
//! the reference looks 0.955 s ahead). Use `time1 -0.955` (ntpd's notes
//! found −0.955000 and −0.953175 on two HP 9000s). At 19200 baud 7O1
//! (Z3801A) the 24 characters take 12.5 ms: +0.9675 s, `time1 -0.9675`.
//! Add your serial port's own latency after measuring.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * The identification and time zone queries are written whenever the
//!   port opens, so a receiver that came back is asked again (ntpd writes
//!   them once at start; its port is never reopened).
//! * Timecodes give samples only once the receiver has answered the time
//!   zone query since the port opened, and once a timecode was refused for
//!   want of the zone each poll asks for the zone again. ntpd asks once and takes UTC until an answer comes:
//!   when that answer is lost (line noise, a receiver still starting),
//!   a receiver on local time gives samples off by its zone for good.
//! * A timecode must be exactly 23 characters of the right kinds (digits,
//!   hex checksum); ntpd's `sscanf` accepts trailing characters and blanks
//!   or signs inside numbers. A time zone reply must be two integers and
//!   nothing else.
//! * A time zone reply out of range or malformed leaves the previous zone
//!   in use; ntpd has already stored what it read and uses it from then on.
//! * The zone is applied with calendar arithmetic, and dates follow the
//!   Gregorian rule (ntpd's `isleap_4` takes 2100 for a leap year). Hour,
//!   minute and second are range-checked (second 60 allowed): ntpd checks
//!   none of them and carries what does not fit into the next minute, hour
//!   or day.
//! * Leap warnings are judged by the UTC month; ntpd uses the receiver's
//!   local month, which east of Greenwich is already July or January
//!   during the last hours before the leap.
//! * A poll is counted when its query is written to an open port; with the
//!   port closed the poll reports a fault and is not counted. A write that
//!   fails later reports a fault (ntpd tests the write's result at once).
//! * Clockstats get one record a line: the identification is the line
//!   itself and the status screen 22 records (ntpd writes the screen as
//!   one record with a newline before each line, and the identification
//!   with a newline before it, which breaks the file's one record a line).
//!   The screen is exactly the lines collected (those that fit in ntpd's
//!   buffer of [`SCREEN_MAX`] bytes); ntpd's buffer may keep the tail of a
//!   longer earlier screen.
//! * The filter runs after the first timecode of each poll interval only
//!   (ntpd: after every timecode); the same while the receiver answers
//!   only what is asked. Every timecode still gives its sample.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use driver::{
    HpgpsDriver, Receiver, DEVICE, INFO, POLLS_BEFORE_TIMEOUT, PRECISION, SCREEN_MAX,
};

#[cfg(test)]
mod codec_tests;
#[cfg(all(test, feature = "sim"))]
mod device_tests;
#[cfg(test)]
mod dialogue_tests;
#[cfg(test)]
mod driver_tests;
#[cfg(all(test, feature = "sim"))]
mod sim_tests;
#[cfg(test)]
mod test_kit;
