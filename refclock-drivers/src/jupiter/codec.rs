//! Zodiac binary messages as the Jupiter driver uses them, both ways, no
//! I/O: the three it reads (1000 geodetic position, 1011 receiver id,
//! 1108 UTC time mark) and the four kinds it writes (cancel all output,
//! query one message, log a message periodically, 1220 platform).
//!
//! Word numbers below count data words from 0 (the Zodiac manual and
//! gpsd count words from 1 including the five header words: its word
//! `n` is data word `n − 6` here). Layouts from ntpd's `jupiter.h`
//! (`struct jpulse`, `struct jgpos`, `struct jid`, `struct jrequest`,
//! `struct jplat`), checked against gpsd's `driver_zodiac.c` and the
//! Navman Jupiter designer's guide (MN002000A, table 3-14).

use refclock_core::framing::zodiac::{zodiac_checksum, ZodiacMessage, ZODIAC_SYNC};
use refclock_core::ClockEvent;

/// Geodetic position status output (`JUPITER_O_GPOS`).
pub const ID_POSITION: u16 = 1000;
/// Channel summary (`JUPITER_O_CHAN`): sent by some receivers, ignored.
pub const ID_CHANNELS: u16 = 1002;
/// Receiver id (`JUPITER_O_ID`).
pub const ID_RECEIVER: u16 = 1011;
/// UTC time mark pulse output (`JUPITER_O_PULSE`).
pub const ID_TIME_MARK: u16 = 1108;
/// Application platform control (`JUPITER_I_PLAT`).
pub const ID_PLATFORM: u16 = 1220;
/// The id that names every output message (`JUPITER_ALL`).
pub const ID_ALL: u16 = 0xffff;

/// Header flag bits (the high byte of header word 3; the low byte is a
/// request id, always 0 here).
pub mod flags {
    /// Negative acknowledgement wanted / given.
    pub const NAK: u8 = 0x01;
    /// Acknowledgement.
    pub const ACK: u8 = 0x02;
    /// Request an ACK or NAK.
    pub const REQUEST: u8 = 0x04;
    /// Output this message once.
    pub const QUERY: u8 = 0x08;
    /// Output this message periodically (with a log request's data).
    pub const LOG: u8 = 0x20;
    /// Enable the periodic output.
    pub const CONN: u8 = 0x40;
    /// Disable the periodic output.
    pub const DISC: u8 = 0x80;
}

/// 1108 flags word: the time mark is valid.
pub const MARK_VALID: u16 = 0x0001;
/// 1108 flags word: the pulse is on UTC (else on GPS time).
pub const MARK_UTC: u16 = 0x0002;

/// Platform dynamics of a 1220: pedestrian (ntpd's default).
pub const PLATFORM_LOW: u16 = 2;
/// Platform dynamics of a 1220: automobile (`flag2`).
pub const PLATFORM_MEDIUM: u16 = 5;

/// Data words of a 1108 (without the data checksum).
pub const TIME_MARK_WORDS: usize = 14;
/// Data words of a 1000.
pub const POSITION_WORDS: usize = 49;
/// Data words of a 1011.
pub const RECEIVER_WORDS: usize = 53;
/// Seconds in a GPS week.
pub const WEEK_SECS: u32 = 604_800;

/// Why a message does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZodiacError {
    /// Not a whole message with a good header checksum.
    #[error("not a Zodiac message")]
    NotAMessage,
    /// The data checksum is wrong.
    #[error("message {id}: bad data checksum")]
    Checksum {
        /// The message id.
        id: u16,
    },
    /// The message has the wrong number of data words for its id.
    #[error("message {id}: {found} data words, expected {expected}")]
    Length {
        /// The message id.
        id: u16,
        /// Data words its id has.
        expected: usize,
        /// Data words it has.
        found: usize,
    },
}

impl ZodiacError {
    /// The clock event ntpd reports for it (`CEVNT_BADREPLY`: ntpd counts
    /// a wrong length so, and says nothing on a checksum).
    pub fn event(&self) -> ClockEvent {
        ClockEvent::BadReply
    }
}

/// Message 1108, UTC time mark pulse output: the second the next pulse
/// marks. The receiver sends it about 400 ms before that pulse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TimeMark {
    /// Words 0-1: the receiver's 10 ms tick count when it made the message.
    pub set_time: u32,
    /// Word 2: sequence number.
    pub sequence: u16,
    /// Words 8-9: seconds into the week of the pulse (UTC when
    /// [`MARK_UTC`] is set, else GPS).
    pub week_secs: u32,
    /// Word 10: GPS − UTC, whole seconds.
    pub gps_utc_secs: i16,
    /// Words 11-12: GPS − UTC, nanoseconds.
    pub gps_utc_nanos: u32,
    /// Word 13: [`MARK_VALID`], [`MARK_UTC`] (the others reserved).
    pub flags: u16,
}

impl TimeMark {
    /// The time mark is valid.
    pub fn valid(&self) -> bool {
        self.flags & MARK_VALID != 0
    }

    /// The pulse is on UTC (the seconds of week are UTC seconds).
    pub fn utc(&self) -> bool {
        self.flags & MARK_UTC != 0
    }

    /// Nanoseconds into the UTC week of the pulse, as ntpd reckons it:
    /// the seconds of week modulo a week, less GPS − UTC unless the pulse
    /// is already on UTC. May fall outside `0..week`.
    pub fn utc_week_nanos(&self) -> i64 {
        let secs = i64::from(self.week_secs % WEEK_SECS) * 1_000_000_000;
        if self.utc() {
            secs
        } else {
            // ntpd reads the nanoseconds as a signed 32-bit value.
            secs - (i64::from(self.gps_utc_secs) * 1_000_000_000
                + i64::from(self.gps_utc_nanos as i32))
        }
    }
}

/// Message 1000, geodetic position status: the fields the driver and its
/// simulated receiver use, and the rest kept as words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Position {
    /// Words 0-1: 10 ms tick count.
    pub set_time: u32,
    /// Word 2: sequence number.
    pub sequence: u16,
    /// Word 3: satellite measurement sequence number.
    pub meas_sequence: u16,
    /// Word 4: navigation solution validity; 0 is valid, bits say why
    /// not (0x04 too few satellites, ...).
    pub nav_validity: u16,
    /// Word 5: solution type.
    pub nav_type: u16,
    /// Word 6: measurements used.
    pub measurements: u16,
    /// Word 7: polar navigation.
    pub polar: u16,
    /// Word 8: GPS week (16 bits, full in the receivers seen).
    pub week: u16,
    /// Words 9-10: GPS seconds into the week.
    pub week_secs: u32,
    /// Words 11-12: GPS nanoseconds into the second.
    pub nanos: u32,
    /// Words 13-18: UTC day, month, year, hour, minute, second.
    pub utc: [u16; 6],
    /// Words 19-20: UTC nanoseconds.
    pub utc_nanos: u32,
    /// Words 21-48: position, velocity, errors, clock (not used).
    pub rest: [u16; 28],
}

/// Message 1011, receiver id: five ASCII fields of 20 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ReceiverId {
    /// Words 0-1: 10 ms tick count.
    pub set_time: u32,
    /// Word 2: sequence number.
    pub sequence: u16,
    /// Number of channels, software version, software date, options,
    /// reserved (NUL padded).
    pub fields: [[u8; 20]; 5],
}

impl ReceiverId {
    /// Field `i` as text, up to its first NUL.
    pub fn field(&self, i: usize) -> String {
        let f = &self.fields[i];
        let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
        String::from_utf8_lossy(&f[..end]).trim().to_string()
    }

    /// An id whose fields are `texts` (each cut to 20 bytes).
    pub fn with_texts(texts: [&str; 5]) -> ReceiverId {
        let mut id = ReceiverId::default();
        for (f, t) in id.fields.iter_mut().zip(texts) {
            let n = t.len().min(20);
            f[..n].copy_from_slice(&t.as_bytes()[..n]);
        }
        id
    }

    /// ntpd's log line: `12 chan ver 1.02, 01/01/00 (TIMING)`.
    pub fn describe(&self) -> String {
        format!(
            "{} chan ver {}, {} ({})",
            self.field(0),
            self.field(1),
            self.field(2),
            self.field(3)
        )
    }
}

/// A message the driver reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// 1000.
    Position(Position),
    /// 1011.
    Receiver(ReceiverId),
    /// 1108.
    TimeMark(TimeMark),
    /// Any other id (its data words not looked at).
    Other(u16),
}

fn lo_hi(w: &[u16], i: usize) -> u32 {
    u32::from(w[i]) | u32::from(w[i + 1]) << 16
}

fn expect_len(id: u16, w: &[u16], expected: usize) -> Result<(), ZodiacError> {
    if w.len() == expected {
        Ok(())
    } else {
        Err(ZodiacError::Length {
            id,
            expected,
            found: w.len(),
        })
    }
}

/// Decodes one whole message (header to data checksum, as the framer
/// hands it out): checks both checksums and the length of the ids the
/// driver reads.
pub fn decode(bytes: &[u8]) -> Result<Decoded, ZodiacError> {
    let m = ZodiacMessage::new(bytes).ok_or(ZodiacError::NotAMessage)?;
    let id = m.id();
    if bytes.len() > 10 && zodiac_checksum(&bytes[10..]) != 0 {
        return Err(ZodiacError::Checksum { id });
    }
    let w: Vec<u16> = m
        .data()
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    match id {
        ID_TIME_MARK => {
            expect_len(id, &w, TIME_MARK_WORDS)?;
            Ok(Decoded::TimeMark(TimeMark {
                set_time: lo_hi(&w, 0),
                sequence: w[2],
                week_secs: lo_hi(&w, 8),
                gps_utc_secs: w[10] as i16,
                gps_utc_nanos: lo_hi(&w, 11),
                flags: w[13],
            }))
        }
        ID_POSITION => {
            expect_len(id, &w, POSITION_WORDS)?;
            let mut utc = [0u16; 6];
            utc.copy_from_slice(&w[13..19]);
            let mut rest = [0u16; 28];
            rest.copy_from_slice(&w[21..49]);
            Ok(Decoded::Position(Position {
                set_time: lo_hi(&w, 0),
                sequence: w[2],
                meas_sequence: w[3],
                nav_validity: w[4],
                nav_type: w[5],
                measurements: w[6],
                polar: w[7],
                week: w[8],
                week_secs: lo_hi(&w, 9),
                nanos: lo_hi(&w, 11),
                utc,
                utc_nanos: lo_hi(&w, 19),
                rest,
            }))
        }
        ID_RECEIVER => {
            expect_len(id, &w, RECEIVER_WORDS)?;
            let data = m.data();
            let mut fields = [[0u8; 20]; 5];
            for (k, f) in fields.iter_mut().enumerate() {
                f.copy_from_slice(&data[6 + 20 * k..26 + 20 * k]);
            }
            Ok(Decoded::Receiver(ReceiverId {
                set_time: lo_hi(&w, 0),
                sequence: w[2],
                fields,
            }))
        }
        other => Ok(Decoded::Other(other)),
    }
}

/// A whole message: header (with its checksum) and, when there are data
/// words, the data and their checksum (`jupiter_send`).
pub fn message(id: u16, flag_bits: u8, data: &[u16]) -> Vec<u8> {
    let mut m = Vec::with_capacity(12 + 2 * data.len());
    m.extend_from_slice(&ZODIAC_SYNC);
    m.extend_from_slice(&id.to_le_bytes());
    m.extend_from_slice(&(data.len() as u16).to_le_bytes());
    m.extend_from_slice(&[0, flag_bits]);
    let h = zodiac_checksum(&m);
    m.extend_from_slice(&h.to_le_bytes());
    if !data.is_empty() {
        for w in data {
            m.extend_from_slice(&w.to_le_bytes());
        }
        let d = zodiac_checksum(&m[10..]);
        m.extend_from_slice(&d.to_le_bytes());
    }
    m
}

/// Stop every periodic output (`jupiter_canmsg(JUPITER_ALL)`).
pub fn cancel_all() -> Vec<u8> {
    message(ID_ALL, flags::REQUEST | flags::NAK | flags::DISC, &[])
}

/// Output message `id` once (`jupiter_reqonemsg`).
pub fn query(id: u16) -> Vec<u8> {
    message(id, flags::REQUEST | flags::NAK | flags::QUERY, &[])
}

/// Output message `id` every `interval` seconds (`jupiter_reqmsg`): data
/// trigger (1 when the interval is 0), interval, offset 0.
pub fn log_request(id: u16, interval: u16) -> Vec<u8> {
    message(
        id,
        flags::REQUEST | flags::NAK | flags::CONN | flags::LOG,
        &[u16::from(interval == 0), interval, 0],
    )
}

/// Set the platform dynamics (`jupiter_platform`): sequence 0, platform.
pub fn platform(platform: u16) -> Vec<u8> {
    message(ID_PLATFORM, flags::REQUEST | flags::NAK, &[0, platform])
}

/// What the driver writes to (re)configure the receiver, in order
/// (`jupiter_config`): cancel all, query the id, log 1108 and 1000 every
/// second, the platform (medium for a moving one, else low).
pub fn configuration(moving: bool) -> Vec<Vec<u8>> {
    vec![
        cancel_all(),
        query(ID_RECEIVER),
        log_request(ID_TIME_MARK, 1),
        log_request(ID_POSITION, 1),
        platform(if moving {
            PLATFORM_MEDIUM
        } else {
            PLATFORM_LOW
        }),
    ]
}

fn push32(w: &mut Vec<u16>, v: u32) {
    w.push(v as u16);
    w.push((v >> 16) as u16);
}

/// The bytes of a 1108 (reserved words 0).
pub fn encode_time_mark(t: &TimeMark) -> Vec<u8> {
    let mut w = Vec::with_capacity(TIME_MARK_WORDS);
    push32(&mut w, t.set_time);
    w.push(t.sequence);
    w.extend_from_slice(&[0; 5]);
    push32(&mut w, t.week_secs);
    w.push(t.gps_utc_secs as u16);
    push32(&mut w, t.gps_utc_nanos);
    w.push(t.flags);
    message(ID_TIME_MARK, 0, &w)
}

/// The bytes of a 1000.
pub fn encode_position(p: &Position) -> Vec<u8> {
    let mut w = Vec::with_capacity(POSITION_WORDS);
    push32(&mut w, p.set_time);
    w.extend_from_slice(&[
        p.sequence,
        p.meas_sequence,
        p.nav_validity,
        p.nav_type,
        p.measurements,
        p.polar,
        p.week,
    ]);
    push32(&mut w, p.week_secs);
    push32(&mut w, p.nanos);
    w.extend_from_slice(&p.utc);
    push32(&mut w, p.utc_nanos);
    w.extend_from_slice(&p.rest);
    message(ID_POSITION, 0, &w)
}

/// The bytes of a 1011.
pub fn encode_receiver(r: &ReceiverId) -> Vec<u8> {
    let mut w = Vec::with_capacity(RECEIVER_WORDS);
    push32(&mut w, r.set_time);
    w.push(r.sequence);
    for f in &r.fields {
        for c in f.chunks_exact(2) {
            w.push(u16::from_le_bytes([c[0], c[1]]));
        }
    }
    message(ID_RECEIVER, 0, &w)
}
