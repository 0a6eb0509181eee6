//! Motorola Oncore binary messages (VP, UT+, GT+, M12, M12+T, M12M).
//!
//! ```text
//!  @    @    id id  payload …  C    CR   LF
//!  0x40 0x40 └──── XOR to 0 ───┘    0x0D 0x0A
//!  └────────── length, fixed per id ─────────┘
//! ```
//!
//! The checksum byte `C` makes the XOR of everything from the id to it
//! zero. Nothing in a message tells its length: each id has its own,
//! which [`ONCORE_LENGTHS`] lists (whole message, `@@` to LF) from ntpd's
//! `oncore_messages[]` (`refclock_oncore.c`) and the extra ids gpsd's
//! lexer knows (`oncore_payload_cksum_length` in `packet.c`, which counts
//! 6 bytes fewer); where both list an id they agree.
//!
//! [`OncoreFramer`] hands out whole messages, `@@` to LF; [`OncoreMessage`]
//! reads one. As ntpd does (`oncore_consume`), an id not in the table is
//! no message: the search for `@@` goes on after its first `@`. So does
//! a candidate without CR LF where its length puts them (a false `@@` in
//! data, or a message that lost bytes). A bad checksum gives
//! [`FrameStatus::BadChecksum`](super::FrameStatus::BadChecksum) (see
//! [`binary`](super::binary)). A table with other lengths can be given
//! ([`Oncore::with_lengths`]); a length beyond [`MAX_ONCORE`] gives
//! [`FrameStatus::Overflow`](super::FrameStatus::Overflow).

use super::binary::{BinaryFramer, Check, MessageFormat};

/// The two bytes every Oncore message opens with.
pub const ONCORE_SYNC: [u8; 2] = *b"@@";
/// Longest message kept: `@@Cj`, the receiver id, is the longest known.
pub const MAX_ONCORE: usize = 294;

/// Length of each output message (`@@` to LF) by id: ntpd's table, and
/// gpsd's additions (marked).
pub const ONCORE_LENGTHS: &[([u8; 2], u16)] = &[
    (*b"Aa", 10), // gpsd
    (*b"Ab", 10),
    (*b"Ac", 11),
    (*b"Ad", 11),
    (*b"Ae", 11),
    (*b"Af", 15),
    (*b"Ag", 8),
    (*b"Ap", 25), // gpsd
    (*b"Aq", 8),  // gpsd
    (*b"As", 20),
    (*b"At", 8),
    (*b"Au", 12),
    (*b"Av", 8),
    (*b"Aw", 8),
    (*b"Ay", 11),
    (*b"Az", 11),
    (*b"AB", 8),
    (*b"AN", 8), // gpsd
    (*b"AO", 8), // gpsd
    (*b"AP", 8), // gpsd
    (*b"Ba", 68),
    (*b"Bb", 92),
    (*b"Bd", 23),
    (*b"Bj", 8),
    (*b"Bl", 41),
    (*b"Bn", 59),
    (*b"Bo", 8), // gpsd
    (*b"Ca", 9),
    (*b"Cb", 33),
    (*b"Cc", 80), // gpsd
    (*b"Cf", 7),
    (*b"Cg", 8),
    (*b"Ch", 9),
    (*b"Cj", 294),
    (*b"Ck", 7), // gpsd
    (*b"Ea", 76),
    (*b"Ek", 71),
    (*b"En", 69),
    (*b"Eq", 96), // gpsd
    (*b"Fa", 9),
    (*b"Ga", 20),
    (*b"Gb", 17),
    (*b"Gc", 8),
    (*b"Gd", 8),
    (*b"Ge", 8),
    (*b"Gj", 21),
    (*b"Ha", 154),
    (*b"Hn", 78),
    (*b"Ia", 10),
    (*b"Sz", 8),
];

/// The XOR of `bytes`: a message's checksum byte is that of its id and
/// payload.
pub fn oncore_checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |x, &b| x ^ b)
}

/// The Oncore protocol with its table of lengths, for [`BinaryFramer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Oncore {
    lengths: &'static [([u8; 2], u16)],
}

impl Default for Oncore {
    fn default() -> Self {
        Self::new()
    }
}

impl Oncore {
    /// With [`ONCORE_LENGTHS`].
    pub const fn new() -> Self {
        Oncore {
            lengths: ONCORE_LENGTHS,
        }
    }

    /// With another table of (id, whole length); lengths below 7 are
    /// ignored.
    pub const fn with_lengths(lengths: &'static [([u8; 2], u16)]) -> Self {
        Oncore { lengths }
    }

    /// The whole length of messages `id`, if the table has it.
    pub fn length_of(&self, id: [u8; 2]) -> Option<usize> {
        self.lengths
            .iter()
            .find(|(i, _)| *i == id)
            .map(|&(_, len)| usize::from(len))
            .filter(|&len| len >= 7)
    }
}

impl MessageFormat for Oncore {
    fn sync(&self) -> &[u8] {
        &ONCORE_SYNC
    }

    fn header_len(&self) -> usize {
        4
    }

    fn message_len(&self, header: &[u8]) -> Option<usize> {
        let [_, _, a, b, ..] = *header else {
            return None;
        };
        self.length_of([a, b])
    }

    fn check(&self, message: &[u8]) -> Check {
        match message.len().checked_sub(2) {
            Some(end) if end >= 3 && message[end..] == *b"\r\n" => {
                if oncore_checksum(&message[2..end]) == 0 {
                    Check::Good
                } else {
                    Check::BadChecksum
                }
            }
            _ => Check::NotAMessage,
        }
    }
}

/// Frames Oncore messages (see the module documentation).
pub type OncoreFramer = BinaryFramer<Oncore, MAX_ONCORE>;

impl BinaryFramer<Oncore, MAX_ONCORE> {
    /// An empty framer, with [`ONCORE_LENGTHS`].
    pub const fn new() -> Self {
        Self::with_format(Oncore::new())
    }
}

/// A whole Oncore message (as an [`OncoreFramer`] hands it out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OncoreMessage<'a> {
    data: &'a [u8],
}

impl<'a> OncoreMessage<'a> {
    /// Reads `data` as one message: `@@`, an id, a payload, a checksum
    /// byte, CR LF. Neither the length nor the checksum is checked (the
    /// framer did the one, the frame's status tells the other).
    pub fn new(data: &'a [u8]) -> Option<Self> {
        (data.len() >= 7 && data.starts_with(&ONCORE_SYNC) && data.ends_with(b"\r\n"))
            .then_some(OncoreMessage { data })
    }

    /// The two-letter id (`*b"Ea"`, `*b"Hn"`, …).
    pub fn id(&self) -> [u8; 2] {
        [self.data[2], self.data[3]]
    }

    /// The payload, between the id and the checksum.
    pub fn payload(&self) -> &'a [u8] {
        &self.data[4..self.data.len() - 3]
    }

    /// The checksum byte.
    pub fn checksum(&self) -> u8 {
        self.data[self.data.len() - 3]
    }

    /// The whole message.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }
}

#[cfg(test)]
#[path = "oncore_tests.rs"]
mod tests;
