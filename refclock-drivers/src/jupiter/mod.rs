//! The Rockwell Jupiter / Zodiac GPS receivers (Conexant, Navman, SiRF:
//! Jupiter, Jupiter-T, TU30, Jupiter 11/12): ntpd's type 31
//! (`GPS_JUPITER`), as ntpd 4.2.8p18's `refclock_jupiter.c` and
//! `jupiter.h` and `html/drivers/driver31.html` describe it.
//!
//! * Device `/dev/gpsN` (N = unit), 9600 baud 8N1, raw. Reference ID
//!   `GPS`, precision −18 (about 4 µs).
//! * PPS: as ntpd, from the serial port itself (RFC 2783 on the device's
//!   descriptor: the PPS line discipline on its DCD); `ppspath DEVICE`
//!   names another PPS device (tried first). The assert edge marks the
//!   second, the clear edge with `flag3`.
//! * time1: added to every sample's offset. time2: unused.
//! * flag2: a moving platform (1220 platform 5, automobile, instead of 2,
//!   pedestrian). flag3: the PPS clear edge. flag1, flag4, mode: unused.
//!   driver31.html's "Configuration" paragraph says the edge is set with
//!   flag2; its fudge table and the source say flag3, and the source
//!   decides.
//! * Driver option `serial-only` (`option serial-only`): time from the
//!   1108 messages alone, no PPS (see below).
//!
//! ## The protocol
//!
//! Zodiac binary messages ([`refclock_core::framing::zodiac`]): a header
//! of five little-endian words (sync 0x81FF, id, data word count, flags,
//! header checksum), then the data words and their checksum. [`codec`]
//! reads and writes the ones used:
//!
//! * **1108 UTC time mark**, once a second, about 400 ms *before* the
//!   pulse it names (Navman designer's guide, MN002000A §3.5.1.10):
//!   seconds into the week of that pulse, GPS − UTC (seconds and
//!   nanoseconds), and flags "time mark valid" and "on UTC". When the
//!   second flag is clear the seconds are GPS seconds and the offset is
//!   subtracted (as ntpd does). The message has no week number.
//! * **1000 geodetic position**, once a second: its navigation validity
//!   (0 = valid) and GPS week, seconds and nanoseconds of its solution.
//!   A valid one gives the *pivot*, the full GPS time near which the
//!   1108's seconds of week are placed (within half a week). Its week
//!   is 16 bits in the receivers seen; it is unfolded anyway into the
//!   1024-week window of [`EraWindow`](refclock_core::gps::EraWindow)
//!   around the base date and the receive time. Without a pivot the
//!   1108's time of week is placed around the receive time. A pivot is
//!   dropped 60 s after the last valid 1000 (ntpd's `piv_hold`).
//! * **1011 receiver id**: logged (`12 chan ver …, date (options)`). The
//!   receiver sends it unasked when it restarts; then the driver
//!   configures it again.
//!
//! When the port opens (and after such a restart) the driver writes, as
//! `jupiter_config` does: "cancel all output" (id 0xFFFF, flags
//! REQUEST|NAK|DISC), a one-shot query of 1011 (REQUEST|NAK|QUERY; its
//! answer is expected and does not reconfigure), log requests for 1108
//! and 1000 every second (REQUEST|NAK|CONN|LOG, data: trigger 0,
//! interval 1, offset 0), and 1220 platform (REQUEST|NAK, data: sequence
//! 0, platform 2, or 5 with flag2). At a poll with no sample since the
//! last it reports a timeout and queries 1011 again, *not* expecting the
//! answer: the answer reconfigures the receiver.
//!
//! ## Samples
//!
//! Default, as ntpd: one sample per pulse. A new pulse (the configured
//! edge) that comes 0 to 0.75 s after the receive time of the last valid
//! 1108, while a pivot is held, gives a sample: reference time = the
//! second that 1108 named, receive time = the pulse, + time1. Each 1108
//! is used once. An 1108 that is not valid is reported
//! (`CEVNT_BADTIME`) and gives nothing. At each poll the pending samples
//! are filtered (`refclock_receive`); none: `CEVNT_TIMEOUT`. Samples not
//! filtered are aged out one a second from 2 s after the last.
//!
//! ntpd starts without a PPS source (it logs that `time_pps_create`
//! failed) and then never gives a sample; so does this driver (the host
//! logs that PPSAPI fails), every poll a timeout and a reconfiguration.
//!
//! **`option serial-only`** asks for no PPS and takes one sample per
//! valid 1108 while a pivot is held: reference time = the named second −
//! 0.4 s ([`SERIAL_LEAD`](driver::SERIAL_LEAD)), receive time = the read
//! that held the 1108's first byte. Its accuracy is what the receiver's
//! output scheduling gives: the guide says only "approximately 400
//! milliseconds", so expect errors of some tens of ms, constant for a
//! receiver and firmware, which time1 can take out once measured against
//! a PPS; plus the wake-up latency of the read. Use it only where a
//! PPS line cannot be had.
//!
//! ```
//! use refclock_core::gps::GpsTime;
//! use refclock_core::{Action, Clock, DriverConfig, PortEvent, PortId, Refclock, Timestamp};
//! use refclock_drivers::jupiter::codec::{self, Position, TimeMark};
//! use refclock_drivers::jupiter::JupiterDriver;
//!
//! let mut clock = Clock::<JupiterDriver>::start(DriverConfig {
//!     options: vec![("serial-only".into(), None)],
//!     ..DriverConfig::default()
//! })
//! .unwrap();
//! clock.port_event(PortId::MAIN, PortEvent::Opened); // writes the configuration
//! let second = 1_900_000_000; // 2030-03-17T17:46:40Z
//! let gps = GpsTime::from_utc(Timestamp::from_secs(second), 18);
//! let position = Position { week: gps.week as u16, week_secs: gps.tow_secs(), ..Position::default() };
//! clock.receive(PortId::MAIN, &codec::encode_position(&position), Timestamp::new(second, 50_000_000));
//! // The 1108 naming the next second, read 2 ms after it left at 0.6 s.
//! let next = GpsTime::from_utc(Timestamp::from_secs(second + 1), 0);
//! let mark = TimeMark { week_secs: next.tow_secs(), gps_utc_secs: 18, flags: 3, ..TimeMark::default() };
//! clock.receive(PortId::MAIN, &codec::encode_time_mark(&mark), Timestamp::new(second, 602_000_000));
//! let samples: Vec<_> = std::iter::from_fn(|| clock.next_action())
//!     .filter_map(|a| if let Action::Sample(s) = a { Some(s) } else { None })
//!     .collect();
//! assert_eq!(samples.len(), 1);
//! assert!((samples[0].offset + 0.002).abs() < 1e-9);
//! ```
//!
//! ## Leap seconds
//!
//! ntpd does nothing about leap seconds here (the page says so). The
//! Zodiac protocol has no leap-second announcement: 1108 carries only
//! the current GPS − UTC offset, and no message that ntpd, gpsd or the
//! designer's guide names (1000, 1002, 1012, 1108 …) carries the UTC
//! parameters of the almanac (ΔtLSF, WNLSF, DN). So the leap indicator
//! is always "no warning"; a change of the offset in 1108 is logged to
//! clockstats after the fact (`GPS-UTC offset 18 s, was 17 s`). An
//! inserted second cannot be stated in seconds of week: what the
//! receiver sends during it is unknown here (the simulated device
//! states the seconds of the following midnight).
//!
//! ## gpsd's capture
//!
//! `zodiac.log` (a TU30-D140, 2005-06-13) holds 21 each of 1108, 1000
//! and 1002, in that order each second. gpsd's 21 TPV times come from
//! the 1000s' UTC fields, which say hh:mm:19.999999999 where the GPS
//! time of the same 1000 (week 1327, seconds 160953, GPS − UTC 13 from
//! the 1108) is exactly hh:mm:20; gpsd prints that as 20.000. Each 1000
//! decodes to its TPV time exactly (21 of 21), and each 1108 names the
//! second after the 1000 that follows it (21 of 21): it announces the
//! pulse at the end of that solution's second, as the guide says (sent
//! about 400 ms before the pulse). The test replays the capture with a
//! pulse at each named second (21 samples, one per pulse) and
//! serial-only (20: the first 1108 comes before any 1000).
//!
//! ## Bad input
//!
//! A wrong data checksum, a message longer than the framer holds, or a
//! 1000/1011/1108 with the wrong number of data words are logged and
//! reported (`CEVNT_BADREPLY`, counted as `badformat`); bytes skipped to
//! find the next sync (a bad header checksum, a cut message, noise) are
//! logged (`syncing`) and reported the same way. None gives a sample.
//! Other ids are logged (`unknown message id N`) and ignored.
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * The receiver's acknowledgements (a message with no data and the
//!   ACK or NAK flag, answering the REQUEST flag ntpd's own messages
//!   carry) are logged (`ack 1011`) and not counted. ntpd takes the
//!   acknowledgement of its 1011, 1108 and 1000 requests for a message of
//!   that id of the wrong length (`id: len 0 != 108`) and reports
//!   `CEVNT_BADREPLY` each time it configures the receiver.
//! * A bad header or data checksum loses that message only; ntpd empties
//!   its whole input buffer (all messages after it in the same reads).
//!   Such errors, and bytes skipped to resynchronise, are reported
//!   (`CEVNT_BADREPLY`); ntpd only writes a debug line.
//! * The pulse is looked at when it arrives rather than at the next
//!   1-second tick or 1108: the same sample, sooner. Except when the
//!   receiver restarts between the pulse and ntpd's tick: its unasked
//!   1011 makes ntpd configure it again, which forgets the 1108 (and the
//!   pivot), so ntpd has no sample for that pulse, and this driver,
//!   having taken it already, has one.
//! * After a sample the 1108 is marked used with an absent value; ntpd
//!   sets its week to 0 and relies on the 0.75 s window to never use it
//!   again. No sample differs.
//! * The leap indicator is "not in sync" until the first sample, then
//!   "no warning" (ntpd's zeroed state says "no warning" from the
//!   start; no sample differs).
//! * `option serial-only` and `ppspath` are ours.
//! * The weeks of 1000 are unfolded in a window that follows the system
//!   clock as well as the base date (see [`EraWindow`](refclock_core::gps::EraWindow)).
//! * ntpd applies fudge flags after its start routine, so with flag2 it
//!   configures the receiver twice at start (pedestrian, then at once
//!   "mode switch: reset receiver" with automobile); the configuration
//!   here is written once, with the platform flag2 asks for.
//!
//! ## Trying it without a receiver
//!
//! `ntp-refclock --simulate 127.127.31.0 option serial-only` runs the
//! driver against the simulated receiver (`device`, feature `sim`) on
//! a pseudo-terminal and prints a sample a second. A pty has no PPS, so
//! without `option serial-only` the driver, like ntpd without PPS, gives
//! no sample (it configures the receiver and reports timeouts).
//! The simulator's scenarios (`invalid`, `badsum`, `garbage`, `drop`,
//! `leap`, `rollover`, `vanish`, ...) and the model option `restart=N`
//! (`refclock-sim --driver jupiter --option restart=30`) exercise the rest.
//!
//! `fuzz` (feature `testkit`) has the fuzz targets' bodies;
//! `refclock-cli/tests/cli_jupiter.rs` runs the program against the
//! simulated receiver.

pub mod codec;
#[cfg(feature = "sim")]
pub mod device;
pub mod driver;
#[cfg(feature = "testkit")]
pub mod fuzz;

pub use driver::{JupiterDriver, INFO, PRECISION};

#[cfg(all(test, feature = "sim"))]
mod device_tests;
#[cfg(test)]
#[path = "driver_tests.rs"]
mod driver_tests;
#[cfg(test)]
mod tests;
