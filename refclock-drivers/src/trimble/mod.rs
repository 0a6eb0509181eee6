//! Trimble TSIP receivers (ntpd type 29, `PALISADE`, refclock_palisade.c):
//! Palisade, Endrun Praecis, Thunderbolt, Acutime Gold, Resolution (SMT,
//! SMTx, SMT 360), ACE III, Copernicus II, and beyond ntpd the RES 720
//! (TSIP version 1).
//!
//! ## Modes, lines, packets
//!
//! `mode & 0x7F` selects the receiver (`/dev/palisade%d`, raw, no CR
//! mapping):
//!
//! | mode | receiver | line | time from | poll |
//! |---|---|---|---|---|
//! | 0 | Palisade | 9600 8O1 | 8F-AD (8F-0B while no 8F-AD comes) | RTS pulse |
//! | 1 | Endrun Praecis | 9600 8O1 | as 0 | `SPSTAT` CR LF, its answer to clockstats, then the RTS pulse |
//! | 2 | Thunderbolt | 9600 8N1 | 8F-AB, leap from 8F-AC | none: 1 Hz packets |
//! | 3 | Acutime Gold | 9600 8O1 | as 0 | a NUL byte, then the RTS pulse |
//! | 4 | Acutime Gold port B | 9600 8O1 | as 0 (ntpd has no start-up for it) | RTS pulse |
//! | 5 | Resolution / SMT / RES 720 | 9600 8O1 | 8F-AB, leap from 8F-AC; TSIPv1 A1-00 | none: 1 Hz packets |
//! | 6 | ACE III | 9600 8O1 | 0x41 | command 0x21 |
//! | 7 | Copernicus II | 38400 8N1 | 0x41 | none: 1 Hz packets |
//!
//! ntpd adds PARENB|PARODD to the raw line for every mode, then for the
//! Thunderbolt sets `c_cflag` to CS8|CLOCAL|CREAD (8N1), for Resolution
//! and ACE III to the same with PARENB|PARODD, and clears the parity for
//! the Copernicus, which it opens at 38400. Setting `c_cflag` outright
//! also clears the Linux speed bits; ntpd's own comment notes that the
//! line then stays at 9600: the table is what the receivers expect.
//! Parity errors are not checked (no INPCK), as in ntpd.
//!
//! At start (and here at every reopening) the driver writes: Thunderbolt
//! `8E-A2 03` (UTC time and PPS) and `8E-A5 00 05` (8F-AB and 8F-AC on);
//! Acutime `8E-A5 02 00 00 00` (outputs off, event polling on port A);
//! Resolution `8E-A2 03`, `8E-4E 03` (PPS only when locked) and
//! `8E-A5 00 05`.
//!
//! ## Polls, samples, flags
//!
//! Each poll (every 32 s: ntpd's driver forces minpoll 4 / maxpoll 5,
//! which the C program ignores, polling every 64 s by default; an
//! explicit `-i` is honoured, as by the C program) reports a timeout
//! if the last poll got no sample, then triggers an event (the table's
//! poll column). The first good time report after it gives the poll's
//! one sample and runs the filter. With an event, the receive time is the
//! poll's time and the report is the receiver's time of the event; with
//! the 1 Hz packets, it is the time of the read that held the packet's
//! first byte, and the report names the pulse just before it: a positive
//! `time1` takes up the transmission delay (about 20 ms advised; with
//! `ppspath`, only the pulse's own offset, usually 0).
//!
//! * `time1`: offset added to each sample.
//! * `flag2`: use the 1 Hz packets (8F-AD/8F-0B with event count 0, 0x41
//!   on the ACE III) instead of the event input. Modes 2, 5 and 7 always
//!   use them (see below).
//! * `option speed=BAUD` (ours): the line speed instead of the mode's,
//!   for receivers set to another one (the RES SMT 360 and the RES 720
//!   run at 115200).
//! * `ppspath DEVICE`: PPS augmentation (ours; ntpd's type 29 has no
//!   PPS): each 1 Hz sample's receive time is moved onto the phase of the
//!   last PPS assert edge (`refclock_core::pps::augment`, ntpd's
//!   `refclock_ppsaugment`), so that the sample has the pulse's precision
//!   and the report says which second it was. An edge two seconds old or
//!   more, or half a second away, leaves the serial time. Event-polled
//!   samples are not augmented (the event time is already exact).
//!
//! ## Leap seconds
//!
//! 8F-AD's status: leap pending (0x02) in June or December announces an
//! inserted second (ntp bug 2773: no early announcement). 8F-AC's minor
//! alarm bit 7 (0x0080, leap second pending, as ntpd and NTPsec read it)
//! announces one, again only in June or December, the month taken from
//! the last good 8F-AB or A1-00.
//!
//! ## TSIP version 1 (RES 720)
//!
//! TSIPv1 packets (ids 0x90..0xA3: sub-id, length, mode, data, XOR
//! checksum) are recognised in every mode; the timing report A1-00
//! (once a second after its PPS) is used like 8F-AB, in any mode, with its
//! own receive time, so the RES 720 gives samples in any mode; it runs at
//! 115200 8N1 (gpsd's capture): mode 2 with `option speed=115200`. Its date
//! fields are in the time base the receiver reports (GPS by default, less
//! the UTC offset it sends); another time base is refused (counted,
//! logged). A bad checksum or length is counted and never a sample.
//!
//! ## Deliberate differences from ntpd
//!
//! * Without `-i` the clock polls every 32 s, the longest of the range
//!   ntpd's driver forces (minpoll 4, maxpoll 5); the C program ignores
//!   that range and polls every 64 s. An explicit `-i` is honoured.
//! * The Thunderbolt/Resolution leap second is announced. ntpd's 8F-AC
//!   test needs a month that only 8F-AD sets, which those receivers never
//!   send, so it never announces one; here the month is that of the last
//!   8F-AB.
//! * 8F-AB is used whatever its time of week. ntpd reads 8F-AB's time of
//!   week as the event count of 8F-0B/8F-AD and, without `flag2`, ignores
//!   the packet while it is below 65536 s (Sunday to Monday 18:12 GPS).
//! * 8F-AB's date fields in GPS time (timing flags bit 0 clear: the
//!   receiver's default, lost at a power cycle) are converted to UTC with
//!   the packet's offset; ntpd refuses them (`flags & 0x1D == 0`) while
//!   it accepts a time flagged as not set (0x04) or without UTC (0x08);
//!   both are refused here.
//! * Modes 2, 5 and 7 use their 1 Hz packets without `flag2`: these
//!   receivers have no event input, and ntpd's RTS pulse would pair the
//!   poll's time with the last pulse's report, up to a second off.
//! * A healthy Acutime 0x46 is ignored; ntpd counts it as a bad reply
//!   and cancels the poll. Packets the driver has no use for (the
//!   Thunderbolt's satellite reports...) are ignored, not counted as bad
//!   replies that cancel the poll.
//! * The ACE III's and Copernicus' 0x41 keeps the fraction of its time of
//!   week; ntpd truncates it to the second.
//! * Dates and GPS weeks are unfolded with `EraWindow` (relative to the
//!   base date and the system clock), not relative to the build date.
//! * A sample's receive time is that of its own packet's first byte. In
//!   ntpd with `flag2` every packet's opening DLE stamps `lastrec` again,
//!   and the C program reports a sample with the `lastrec` it finds after
//!   the read: when the next packet began in a later read, its sample
//!   carries that later time with the offset of the earlier one.
//! * An 8F-0B right after an 8F-AD that refused its second (no UTC, not
//!   tracking) gives no sample either: ntpd's test (the 8F-AD's status
//!   byte, which is 0 then) lets that 8F-0B through. An 8F-0B that gives
//!   a sample says "no warning" (it has a UTC offset); ntpd leaves the
//!   leap indicator as it was.
//! * Framing damage (a DLE followed by neither DLE nor ETX inside a
//!   packet) and overlong packets are counted as bad replies.

mod decode;
#[cfg(feature = "sim")]
pub mod device;
mod driver;
#[cfg(feature = "testkit")]
mod fuzz;
mod receiver;
pub mod reports;

pub use decode::{decode, Decoded, TimeReport};
pub use driver::{TrimbleDriver, DEVICE, INFO, PRAECIS_MAX, PRECISION, SPEEDS, SPSTAT};
pub use receiver::Receiver;

#[cfg(test)]
mod capture_tests;
#[cfg(all(test, feature = "sim"))]
mod device_tests;
#[cfg(test)]
mod tests;
