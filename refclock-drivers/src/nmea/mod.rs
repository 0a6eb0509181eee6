//! NMEA-0183 GPS receivers: ntpd's type 20 (`GPS_NMEA`, NTPsec `nmea`),
//! as ntpd 4.2.8p18's `refclock_nmea.c` behaves.
//!
//! * [`parse`]: the sentence decoder (RMC, GGA, GLL, ZDA, ZDG with any
//!   talker, Garmin PGRMF, u-blox PUBX,04): pure, allocation-free.
//! * [`calgps`]: turning a decoded time, date or GPS week into a full time
//!   stamp: two-digit years, time-only sentences unfolded around the last
//!   date or the receive time, GPS era mapping around the base date.
//! * [`NmeaDriver`]: the driver logic on top of [`refclock_core`].
//! * `encode` and `device` (feature `sim`): the encoder, the decoder's
//!   counterpart, writing the sentences of a second in a receiver's style,
//!   and the simulated receiver built on it.
//!
//! ## What the driver does with each line
//!
//! Lines are assembled from the device bytes; each is taken from its first
//! `$` (a line without one, or longer than 127 bytes, is dropped). Then, in
//! ntpd's order:
//!
//! 1. Not valid NMEA (start, name, length, checksum): bad format event.
//! 2. Not a time sentence: counted, ignored. With mode bit 0x80 a
//!    `delay <fraction of the receive time> <name>` clockstats line is
//!    queued for every time sentence.
//! 3. Not selected by the mode bits (0x1 RMC, 0x2 GGA, 0x4 GLL, 0x8
//!    ZDA/ZDG, 0x100 PGRMF, 0x200 PUBX,04; none = all): filtered.
//! 4. A sentence type seen with a checksum must always carry one (RMC
//!    always must): otherwise bad format.
//! 5. After the first ZDG (GPS time), every other sentence is filtered.
//! 6. The receiver status sets the leap indicator (not in sync, or no
//!    warning: NMEA never announces a leap second); ZDA and PUBX,04 have no
//!    status and leave it as it was (it starts as "no warning", ntpd's
//!    zeroed `pp->leap`). Mode 0x80000 forces "no warning".
//!    Not in sync: `CEVNT_PROP`, no sample; bad time: `CEVNT_BADTIME`; bad
//!    date: `CEVNT_BADDATE` (the timecode is saved in each case).
//! 7. The receive time is moved back by `time2`, or onto the phase of a
//!    recent PPS edge (flag1; `time1` corrects the edge).
//! 8. A date (RMC, ZDA, ZDG, PGRMF, PUBX,04) is held for 16 s as the pivot
//!    for time-only sentences; while held, only a date of the same or a
//!    better type replaces it (two-digit year < 10-bit week < four-digit
//!    year < full week) until 4 s are left. Without a held date, the time
//!    of day is placed within ±12 h of the receive time.
//! 9. The same reference time as the last accepted sentence: filtered.
//!    Otherwise the timecode is saved (flag4: position obscured) and one
//!    raw sample is added: time = receive time − time2, offset = reference
//!    time − receive time + time2.
//!
//! Once a second ([`Driver::timer`](refclock_core::Driver::timer)): when no
//! sample has come for two seconds, the oldest pending sample is expired
//! and any half-assembled line dropped; the date hold counts down. Once a
//! poll: a timeout is reported if nothing is pending (and the held date
//! forgotten), otherwise the samples are filtered; the last timecode (mode
//! 0x10000: followed by the tally counters) goes to clockstats.
//!
//! ## Feeding it from your own loop
//!
//! The driver does no I/O: hand it the bytes as they are read, each batch
//! with the system time taken when the read became possible, and drain its
//! actions. Here an RMC naming 12:00:00 arrives 150 ms after that second:
//!
//! ```
//! use refclock_core::calendar::Basedate;
//! use refclock_core::{Action, Clock, DriverConfig, PortId, Refclock, Timestamp};
//! use refclock_drivers::nmea::NmeaDriver;
//!
//! let mut clock = Clock::<NmeaDriver>::start(DriverConfig {
//!     // Fixed here so that the example means the same in any year.
//!     basedate: Basedate::from_ymd(2026, 1, 1).unwrap(),
//!     ..DriverConfig::default()
//! })
//! .unwrap();
//! // What to open: /dev/gps0 at 4800 8N1 (or the host:port it links to).
//! let port = clock.ports().get(PortId::MAIN).unwrap();
//! assert_eq!(port.kind.path().and_then(|p| p.to_str()), Some("/dev/gps0"));
//!
//! let noon = 1_795_348_800; // 2026-11-22 12:00:00 UTC
//! let line = b"$GPRMC,120000.00,A,4807.038,N,01131.000,E,0.0,0.0,221126,,,A*5B\r\n";
//! clock.receive(PortId::MAIN, line, Timestamp::new(noon, 150_000_000));
//!
//! let mut samples = Vec::new();
//! while let Some(action) = clock.next_action() {
//!     if let Action::Sample(s) = action {
//!         samples.push(s);
//!     }
//! }
//! assert_eq!(samples.len(), 1);
//! // Offset = true time - system time: the system clock reads 150 ms
//! // late for the second the receiver named (time2 = 0 here).
//! assert!((samples[0].offset + 0.150).abs() < 1e-9);
//! assert_eq!(samples[0].time, Timestamp::new(noon, 150_000_000));
//! ```
//!
//! ## Deliberate differences from 4.2.8p18
//!
//! * ZDG's status is read from its status field (6); ntpd reads field 4
//!   (the year), so it takes a ZDG that says its time is invalid.
//! * An empty GGA quality or PGRMF fix field means "not in sync"; ntpd reads
//!   the following separator and calls it good.
//! * Dates are checked against the month (no 31 February).
//! * After a poll without samples ntpd zeroes the held date but may still
//!   use it as a pivot (dating time-only sentences to 1900 or a random
//!   day); here the receive time is the pivot then. The C program was seen
//!   doing this to an RMC whose own date was not taken because a ZDA date
//!   was held: it dated a 2026 sentence 2042-12-25, and then took the ZDA
//!   of the same second as a second sample (`tests/golden/nmea-invalid-*`).
//! * A line longer than 127 bytes is dropped whole; ntpd's assembler would
//!   start again at a `$` after the first 127 bytes.

pub mod calgps;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "sim")]
pub mod encode;
#[cfg(feature = "testkit")]
pub mod fuzz;
pub mod parse;
mod sentence;

pub use driver::{
    baud_rate, sentence_mode, NmeaDriver, Tally, INFO, MODE_BAUDRATE_MASK, MODE_DATETRUST,
    MODE_DELAYMEAS, MODE_EXTLOG, MODE_GGA, MODE_GLL, MODE_IGNSTATUS, MODE_MESSAGE_MASK, MODE_PGRMF,
    MODE_PUBX04, MODE_QUIETPPS, MODE_RMC, MODE_ZDA, PPS_PRECISION, PRECISION,
};
