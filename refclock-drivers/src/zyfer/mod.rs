//! The Zyfer GPStarplus receiver's TOD port: ntpd's type 42 (`ZYFER`,
//! NTPsec `zyfer`), as ntpd 4.2.8p18's `refclock_zyfer.c` and
//! `html/drivers/driver42.html` describe it.
//!
//! The GPStarplus is a GPS time and frequency receiver with PPS and IRIG
//! outputs; its DB15 port has a separate transmit line that sends a
//! time-of-day message once a second. The driver reads that line.
//!
//! * Device `/dev/zyferN` (N = unit), 9600 baud 8N1, raw input. Reference
//!   ID `GPS`, precision −20 (about 1 µs).
//! * Mode: unused. time1: added to every sample's offset (the serial and
//!   cable delay, negated). time2 and the flags: unused.
//!
//! ## The timecode
//!
//! ```text
//! !TIME,2002,017,07,59,32,2,4,1
//!       YYYY DDD HH MM SS m T O
//! ```
//!
//! 29 bytes, no line end; the `!` goes out on time. `YYYY` year, `DDD` day
//! of year, `HH:MM:SS` time (UTC in time mode 2), `m` time mode (1 GPS,
//! 2 UTC, 3 local GPS, 4 local UTC, 5 manual), `T` time figure of merit
//! (4 ≤ 1 µs … 9 > 10 ms), `O` operation mode (0 warm-up, 1 time locked,
//! 2 coasting, 3 recovering, 4 manual). [`codec`] decodes and encodes it.
//!
//! The format has no leap second warning. An inserted leap second is taken
//! to be stated as second 60 (`!TIME,2016,366,23,59,60,2,4,1`), which the
//! driver reads, as ntpd's calendar arithmetic does, as the first second
//! of the next minute: 23:59:60 and the 00:00:00 after it name the same
//! instant, one second apart. Against a system clock that does not insert
//! the leap second both samples are right (the clock is a second ahead
//! from then on); one that does reads 23:59:59 again during 23:59:60, and
//! that one sample is a second off (chronyd drops samples this close to a
//! leap second it has scheduled). The leap indicator of every sample is
//! "no warning".
//!
//! ## What the driver does
//!
//! Each record from its `!` (see [`FixedFramer`]) is saved as the last
//! timecode and written to clockstats, then:
//!
//! 1. Not 29 bytes, or a field out of range: `CEVNT_BADTIME`. Not the
//!    layout above: `CEVNT_BADREPLY`.
//! 2. Time mode other than 2 (UTC): `CEVNT_BADTIME`.
//! 3. Operation mode other than 1 (time locked): the leap indicator is set
//!    to "not in sync" and no sample is taken (no event, as in ntpd).
//! 4. Otherwise the leap indicator is "no warning" and one raw sample is
//!    taken: receive time = the time of the read that held the `!`,
//!    offset = reference time − receive time + time1. The reference time
//!    is the stated date and time moved by whole GPS eras of 1024 weeks
//!    into the window of [`EraWindow`](refclock_core::gps::EraWindow)
//!    (ntpd's `gpsntp_from_calendar`).
//!
//! A record that does not decode is logged (`bad timecode '...': why`)
//! and counted (`badformat` or `baddata`, as the event says).
//!
//! At each poll a timeout is reported once two polls in a row passed
//! without a sample; the first sample after a poll filters the pending
//! samples (`refclock_receive`), as ntpd's `zyfer_poll` arms
//! `zyfer_receive` to do.
//!
//! ```
//! use refclock_core::calendar::Basedate;
//! use refclock_core::{Action, Clock, DriverConfig, Leap, PortId, Refclock, Timestamp};
//! use refclock_drivers::zyfer::ZyferDriver;
//!
//! let mut clock = Clock::<ZyferDriver>::start(DriverConfig {
//!     basedate: Basedate::from_ymd(2000, 1, 1).unwrap(),
//!     ..DriverConfig::default()
//! })
//! .unwrap();
//! // 2002-01-17 07:59:32 UTC; the '!' arrived 2 ms after the second.
//! let second = 1_011_254_372;
//! clock.receive(PortId::MAIN, b"!TIME,2002,017,07,59,32,2,4,1", Timestamp::new(second, 2_000_000));
//! let samples: Vec<_> = std::iter::from_fn(|| clock.next_action())
//!     .filter_map(|a| if let Action::Sample(s) = a { Some(s) } else { None })
//!     .collect();
//! assert_eq!(samples.len(), 1);
//! assert!((samples[0].offset + 0.002).abs() < 1e-9);
//! assert_eq!(samples[0].leap, Leap::NoWarning);
//! ```
//!
//! ## Trying it without a receiver
//!
//! `ntp-refclock --simulate 127.127.42.0` runs the driver against the
//! simulated GPStarplus (`device`, feature `sim`) on a pseudo-terminal
//! and prints a sample a second, its offset the few tens of µs the read
//! of the `!` took; `--simulate=invalid` (coasting for 3 s of every 10),
//! `badsum` (a record with a broken separator), `garbage`, `drop:3`,
//! `silence`, `vanish`, `jitter`, `leap:at=2027-06-30`, `rollover` and
//! `year:year=2100` show the rest (a date decades from the system clock
//! is moved by whole GPS eras into the window around it, as above; the
//! simulator's truth log, `refclock-sim --driver zyfer --truth FILE`,
//! has the second each record names and when its `!` was written).
//!
//! `fuzz` (feature `testkit`) has the bodies of the fuzz targets
//! `zyfer_decode`, `zyfer_roundtrip` and `zyfer_driver`, and the
//! properties they check; `refclock-cli/tests/cli_zyfer.rs` runs the
//! program against the simulated receiver.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * **The leap indicator recovers.** After one record that is not time
//!   locked ntpd sets "not in sync" and never sets it back, so from then
//!   on `refclock_receive` drops everything and the clock never delivers
//!   a sample again. Here a locked record sets "no warning" again.
//! * At start the leap indicator is "not in sync" (ntpd's zeroed
//!   `refclockproc` says "no warning"). Samples only come from locked
//!   records, which set "no warning" first, so no sample differs.
//! * A record may start anywhere in a read (ntpd drops every read that
//!   does not begin with `!` while it waits for one), and a read holding
//!   the end of one record and the start of the next gives both (ntpd
//!   gets a record longer than 29 bytes: `CEVNT_BADTIME`, and the next
//!   is lost). A `!` inside a record starts a new one: the fragment is
//!   reported (`CEVNT_BADTIME`, wrong length) and the new record kept,
//!   where ntpd glues them into one garbled record and loses both.
//! * Every field must be digits of its width, and the day (against the
//!   year), hour, minute and second must be in range (`CEVNT_BADTIME`);
//!   ntpd's `sscanf` takes signs, blanks and short numbers, and its
//!   calendar arithmetic carries day 367 or hour 24 into the next year or
//!   day without a word.
//! * The GPS era window follows the system clock once it is past the base
//!   date by half an era ([`EraWindow`](refclock_core::gps::EraWindow));
//!   ntpd's is the base date's alone.
//!
//! [`FixedFramer`]: refclock_core::framing::FixedFramer

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use codec::{decode, encode, ZyferError, ZyferTime};
pub use driver::{reference_time, ZyferDriver, INFO, PRECISION};

#[cfg(all(test, feature = "sim"))]
mod device_tests;
#[cfg(test)]
mod edge_tests;
#[cfg(test)]
mod tests;
