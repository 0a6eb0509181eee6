//! Rockwell (Conexant, Navman) Zodiac / Jupiter binary messages: the
//! TU30, Jupiter and Jupiter-T boards of ntpd's `refclock_jupiter.c`.
//!
//! ```text
//!  word  0       1    2       3      4      5 …          5+n
//!        0x81FF  id   n       flags  hsum   data (n words) dsum
//!  bytes FF 81   (all words little-endian)
//!        └─────── header: 10 bytes ──────┘  └ present when n > 0 ┘
//! ```
//!
//! `hsum` makes the five header words sum to 0 (mod 2¹⁶), `dsum` the data
//! words with it; a message with no data (n = 0) has no `dsum`. From the
//! Zodiac GPS Receiver Family Designer's Guide as ntpd reads it
//! (`jupiter.h`, `struct jheader`; `jupiter_recv` and `jupiter_cksum` in
//! `refclock_jupiter.c`) and gpsd (`driver_zodiac.c`; `packet.c`, states
//! `ZODIAC_*`). ntpd's flags word is a request-id byte then a flags byte.
//!
//! [`ZodiacFramer`] hands out whole messages, header to data checksum;
//! [`ZodiacMessage`] reads one. The header checksum rejects false syncs
//! after 10 bytes; a bad data checksum gives
//! [`FrameStatus::BadChecksum`](super::FrameStatus::BadChecksum), a length
//! beyond [`MAX_ZODIAC`] [`FrameStatus::Overflow`](super::FrameStatus::Overflow)
//! (see [`binary`](super::binary)).

use super::binary::{BinaryFramer, Check, MessageFormat};

/// The sync word 0x81FF as sent.
pub const ZODIAC_SYNC: [u8; 2] = [0xff, 0x81];
/// Most data words kept (gpsd's lexer checks at most 253).
pub const MAX_ZODIAC_WORDS: usize = 256;
/// Longest message kept: header, data words, data checksum.
pub const MAX_ZODIAC: usize = 10 + 2 * (MAX_ZODIAC_WORDS + 1);

/// The checksum of `bytes` read as little-endian words (an odd last byte
/// ignored): the word that makes them sum to 0, for checking or sending.
pub fn zodiac_checksum(bytes: &[u8]) -> u16 {
    0u16.wrapping_sub(words_sum(bytes))
}

fn words_sum(bytes: &[u8]) -> u16 {
    bytes.chunks_exact(2).fold(0u16, |s, w| {
        s.wrapping_add(u16::from_le_bytes([w[0], w[1]]))
    })
}

/// The Zodiac protocol, for [`BinaryFramer`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Zodiac;

impl MessageFormat for Zodiac {
    fn sync(&self) -> &[u8] {
        &ZODIAC_SYNC
    }

    fn header_len(&self) -> usize {
        10
    }

    fn message_len(&self, header: &[u8]) -> Option<usize> {
        let header = header.get(..10)?;
        if words_sum(header) != 0 {
            return None;
        }
        let n = usize::from(u16::from_le_bytes([header[4], header[5]]));
        Some(if n == 0 { 10 } else { 10 + 2 * (n + 1) })
    }

    fn check(&self, message: &[u8]) -> Check {
        match message.len() {
            10 => Check::Good,
            len if len >= 14 && len % 2 == 0 => {
                if words_sum(&message[10..]) == 0 {
                    Check::Good
                } else {
                    Check::BadChecksum
                }
            }
            _ => Check::NotAMessage,
        }
    }
}

/// Frames Zodiac messages (see the module documentation).
pub type ZodiacFramer = BinaryFramer<Zodiac, MAX_ZODIAC>;

impl BinaryFramer<Zodiac, MAX_ZODIAC> {
    /// An empty framer.
    pub const fn new() -> Self {
        Self::with_format(Zodiac)
    }
}

/// A whole Zodiac message (as a [`ZodiacFramer`] hands it out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZodiacMessage<'a> {
    data: &'a [u8],
}

impl<'a> ZodiacMessage<'a> {
    /// Reads `data` as one message: the sync, a header with a good
    /// checksum, and as many bytes as its word count says. The data
    /// checksum is not checked (the frame's status tells).
    pub fn new(data: &'a [u8]) -> Option<Self> {
        (data.starts_with(&ZODIAC_SYNC) && Zodiac.message_len(data) == Some(data.len()))
            .then_some(ZodiacMessage { data })
    }

    fn word(&self, i: usize) -> u16 {
        u16::from_le_bytes([self.data[2 * i], self.data[2 * i + 1]])
    }

    /// The message id (1000 geodetic position, 1108 UTC time mark, …).
    pub fn id(&self) -> u16 {
        self.word(1)
    }

    /// How many data words the message has.
    pub fn data_words(&self) -> usize {
        usize::from(self.word(2))
    }

    /// The flags word (ntpd: request id in the low byte, flags in the
    /// high byte).
    pub fn flags(&self) -> u16 {
        self.word(3)
    }

    /// The data words as bytes, without their checksum.
    pub fn data(&self) -> &'a [u8] {
        &self.data[10..10 + 2 * self.data_words()]
    }

    /// Data word `i` (from 0), or `None` past the end.
    pub fn data_word(&self, i: usize) -> Option<u16> {
        (i < self.data_words()).then(|| self.word(5 + i))
    }

    /// The whole message.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::testkit::{capture, check_splits, feed_cut, fuzz, hex, t, Expect};
    use crate::framing::{FrameStatus, Framer};
    use FrameStatus::{BadChecksum, Complete, Overflow, Short};

    /// Real messages from `zodiac.log` (a TU30-D140): 1108 UTC time mark
    /// pulse, 1002 channel summary.
    const M1108: &str =
        "ff8154040e0000009f79045c4000c02400000000000000000000ad7402000d0001000000ffff400a";
    const M1002: &str =
        "ff81ea032d000000ea792c5c4000c324c3242f05b974020000000000020001000000070005003200
        070004002c0007000e002d0000000200000007000700280007001e002f00060012002300070018002500070009
        003200000000000000070016002a00d6dd";

    /// A message with no data (a log request's acknowledgement, say).
    fn empty(id: u16) -> Vec<u8> {
        let mut m = vec![0xff, 0x81];
        m.extend_from_slice(&id.to_le_bytes());
        m.extend_from_slice(&[0, 0, 0, 0x02]);
        let h = zodiac_checksum(&m);
        m.extend_from_slice(&h.to_le_bytes());
        m
    }

    #[test]
    fn checksums_of_a_real_message() {
        let m = hex(M1108);
        assert_eq!(zodiac_checksum(&m[..8]), 0x799f);
        assert_eq!(zodiac_checksum(&m[10..38]), 0x0a40);
        let z = ZodiacMessage::new(&m).unwrap();
        assert_eq!((z.id(), z.data_words(), z.flags()), (1108, 14, 0));
        assert_eq!(z.data().len(), 28);
        assert_eq!(z.data_word(0), Some(0x5c04));
        assert_eq!(z.data_word(13), Some(0xffff));
        assert_eq!(z.data_word(14), None);
        assert_eq!(z.bytes(), &m[..]);
        assert_eq!(ZodiacMessage::new(&m[..39]), None);
    }

    #[test]
    fn real_messages_at_every_split() {
        let (a, b, e) = (hex(M1108), hex(M1002), empty(1003));
        let mut s = hex("81 ff 81 00");
        let mut exp = Vec::new();
        for (m, gap) in [(&a, &b"\xff"[..]), (&e, b""), (&b, b"\x81\xff")] {
            s.extend_from_slice(gap);
            exp.push(Expect::new(s.len()..s.len() + m.len(), m, Complete));
            s.extend_from_slice(m);
        }
        s.extend_from_slice(&a[..7]);
        check_splits(ZodiacFramer::new, &s, &exp);
        let mut f = ZodiacFramer::new();
        feed_cut(&mut f, &s, &[]);
        assert_eq!((f.skipped(), f.pending()), (4 + 1 + 2, 7));
        let z = ZodiacMessage::new(&e).unwrap();
        assert_eq!(
            (z.id(), z.data_words(), z.flags(), z.data()),
            (1003, 0, 0x0200, &[][..])
        );
    }

    #[test]
    fn the_capture() {
        // 63 messages by an independent reading, and a stray last byte.
        let Some(data) = capture("zodiac.log") else {
            return;
        };
        let mut f = ZodiacFramer::new();
        let got = feed_cut(&mut f, &data, &[]);
        assert_eq!(got.len(), 63);
        assert!(got.iter().all(|m| m.3 == Complete));
        let ids: Vec<u16> = got
            .iter()
            .map(|m| ZodiacMessage::new(&m.0).unwrap().id())
            .collect();
        assert_eq!(ids[..4], [1108, 1000, 1002, 1108]);
        assert_eq!(f.pending() as u64 + f.skipped(), 1);
        let cuts: Vec<usize> = (1..data.len()).collect();
        let bytewise = feed_cut(&mut ZodiacFramer::new(), &data, &cuts);
        assert!(got.iter().map(|m| &m.0).eq(bytewise.iter().map(|m| &m.0)));
    }

    #[test]
    fn bad_header_checksum_is_a_false_sync() {
        // A corrupted header word: the message is skipped, the next kept.
        let mut a = hex(M1108);
        a[6] ^= 1;
        let b = hex(M1108);
        let s = [&a[..], &b].concat();
        let exp = vec![Expect::new(a.len()..s.len(), &b, Complete)];
        check_splits(ZodiacFramer::new, &s, &exp);
        let mut f = ZodiacFramer::new();
        feed_cut(&mut f, &s, &[]);
        assert_eq!(f.skipped(), a.len() as u64);
    }

    #[test]
    fn bad_data_checksum_and_truncation() {
        let (a, b) = (hex(M1108), hex(M1002));
        let mut bad = a.clone();
        bad[20] ^= 0x10;
        // The second 1108 lost its last 6 bytes: its length runs into the
        // 1002, which is searched again.
        let cut = &a[..34];
        let s = [&bad[..], cut, &b].concat();
        let x = bad.len() + cut.len();
        let exp = vec![
            Expect::new(0..a.len(), &bad, BadChecksum),
            Expect::new(
                a.len()..a.len() + 40,
                &s[a.len()..a.len() + 40],
                BadChecksum,
            ),
            Expect::new(x..s.len(), &b, Complete),
        ];
        check_splits(ZodiacFramer::new, &s, &exp);
    }

    #[test]
    fn overflow_and_reset() {
        // A good header announcing 1000 words.
        let mut h = vec![0xff, 0x81, 0xe8, 0x03, 0xe8, 0x03, 0, 0];
        let sum = zodiac_checksum(&h);
        h.extend_from_slice(&sum.to_le_bytes());
        let a = hex(M1108);
        let s = [&h[..], &[1, 2, 3], &a].concat();
        let exp = vec![
            Expect::new(0..10, &h, Overflow),
            Expect::new(13..s.len(), &a, Complete),
        ];
        check_splits(ZodiacFramer::new, &s, &exp);

        let mut f = ZodiacFramer::new();
        assert!(feed_cut(&mut f, &a[..25], &[]).is_empty());
        assert_eq!(f.pending(), 25);
        f.reset();
        assert_eq!(f.pending(), 0);
        let got = feed_cut(&mut f, &[&a[25..], &a[..]].concat(), &[]);
        assert_eq!(got, vec![(a.clone(), t(0), t(0), Complete)]);
    }

    #[test]
    fn random_input() {
        let mut f = ZodiacFramer::new();
        let e = empty(1108);
        let n = fuzz(&mut f, 9, &[&ZODIAC_SYNC, &e, &hex(M1108)], |fr| {
            assert!(fr.data.starts_with(&ZODIAC_SYNC));
            assert_eq!(words_sum(&fr.data[..10]), 0);
            let whole = ZodiacMessage::new(fr.data).is_some();
            match fr.status {
                Overflow => assert_eq!(fr.data.len(), 10),
                Complete => {
                    assert!(whole && (fr.data.len() == 10 || words_sum(&fr.data[10..]) == 0))
                }
                BadChecksum => assert!(whole && words_sum(&fr.data[10..]) != 0),
                Short => panic!("a binary framer never cuts a frame short"),
            }
        });
        assert!(n > 100, "{n}");
    }
}
