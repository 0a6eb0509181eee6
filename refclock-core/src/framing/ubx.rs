//! u-blox UBX binary messages (ANTARIS 4 to u-blox 10, the LEA/NEO-xT
//! timing receivers included).
//!
//! ```text
//!  0xB5 0x62  class  id  length (u16 LE)  payload …  CK_A CK_B
//!  └─ sync ─┘ └──── checksummed: class … payload ───┘
//!  0          2      3   4                6          6+length
//! ```
//!
//! The checksum is the 8-bit Fletcher sum (RFC 1145) of class, id, length
//! and payload (u-blox's protocol specifications, "UBX checksum"; gpsd's
//! `packet.c`, `UBX_*` states and the `UBX_RECOGNIZED` check; ntpd has no
//! UBX driver). [`UbxFramer`] hands out whole messages, sync to
//! checksum; [`UbxMessage`] reads one. A bad checksum gives
//! [`FrameStatus::BadChecksum`](super::FrameStatus::BadChecksum), a
//! length beyond [`MAX_UBX`] [`FrameStatus::Overflow`](super::FrameStatus::Overflow)
//! (see [`binary`](super::binary) for both, and for resynchronisation).
//!
//! u-blox receivers mix UBX with NMEA on one port: NMEA text never holds
//! the sync byte 0xB5, and is skipped.

use super::binary::{BinaryFramer, Check, MessageFormat};

/// The two bytes every UBX message opens with.
pub const UBX_SYNC: [u8; 2] = [0xb5, 0x62];
/// Longest message kept, header and checksum included: a NAV-SAT or
/// NAV-SVINFO with 80 satellites fits.
pub const MAX_UBX: usize = 1024;

/// The 8-bit Fletcher checksum (CK_A, CK_B) of `bytes` (a message's
/// class through payload), for checking or sending messages.
pub fn ubx_checksum(bytes: &[u8]) -> [u8; 2] {
    let (mut a, mut b) = (0u8, 0u8);
    for &x in bytes {
        a = a.wrapping_add(x);
        b = b.wrapping_add(a);
    }
    [a, b]
}

/// The UBX protocol, for [`BinaryFramer`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ubx;

impl MessageFormat for Ubx {
    fn sync(&self) -> &[u8] {
        &UBX_SYNC
    }

    fn header_len(&self) -> usize {
        6
    }

    fn message_len(&self, header: &[u8]) -> Option<usize> {
        let [_, _, _, _, lo, hi, ..] = *header else {
            return None;
        };
        Some(8 + usize::from(u16::from_le_bytes([lo, hi])))
    }

    fn check(&self, message: &[u8]) -> Check {
        match message.len().checked_sub(2) {
            Some(end) if end >= 2 => {
                if ubx_checksum(&message[2..end]) == message[end..] {
                    Check::Good
                } else {
                    Check::BadChecksum
                }
            }
            _ => Check::NotAMessage,
        }
    }
}

/// Frames UBX messages (see the module documentation).
pub type UbxFramer = BinaryFramer<Ubx, MAX_UBX>;

impl BinaryFramer<Ubx, MAX_UBX> {
    /// An empty framer.
    pub const fn new() -> Self {
        Self::with_format(Ubx)
    }
}

/// A whole UBX message (as a [`UbxFramer`] hands it out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UbxMessage<'a> {
    data: &'a [u8],
}

impl<'a> UbxMessage<'a> {
    /// Reads `data` as one message: the sync, a header, and as many bytes
    /// as its length says. The checksum is not checked (the frame's
    /// status tells).
    pub fn new(data: &'a [u8]) -> Option<Self> {
        (data.starts_with(&UBX_SYNC) && Ubx.message_len(data) == Some(data.len()))
            .then_some(UbxMessage { data })
    }

    /// The message class (0x01 NAV, 0x0D TIM, …).
    pub fn class(&self) -> u8 {
        self.data[2]
    }

    /// The message id within its class.
    pub fn id(&self) -> u8 {
        self.data[3]
    }

    /// The payload.
    pub fn payload(&self) -> &'a [u8] {
        &self.data[6..self.data.len() - 2]
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

    /// Real messages from `u-blox-m8t-time.log` (M8T in time mode) and
    /// `ublox-lea-m8f.log`: TIM-TP, NAV-STATUS, NAV-TIMEUTC, ACK-ACK.
    const TIM_TP: &str = "b5620d011000b09b2d0e0000000015efffff62080b0f2a63";
    const NAV_STATUS: &str = "b5620103100018de2d0e05dd0008fc3a0000cee201001674";
    const NAV_TIMEUTC: &str = "b5620121140018de2d0e07040000c4e80400e507021712041df75192";
    const ACK_ACK: &str = "b5620501020006010f38";

    #[test]
    fn checksum() {
        // The MON-VER poll, as u-blox's manuals print it.
        assert_eq!(ubx_checksum(&[0x0a, 0x04, 0x00, 0x00]), [0x0e, 0x34]);
        let m = hex(NAV_TIMEUTC);
        assert_eq!(ubx_checksum(&m[2..m.len() - 2]), [0x51, 0x92]);
    }

    #[test]
    fn real_messages_at_every_split() {
        let (a, b, c, d) = (hex(TIM_TP), hex(NAV_STATUS), hex(NAV_TIMEUTC), hex(ACK_ACK));
        let mut s = b"$GPZDA,,*48\r\n\xb5".to_vec();
        let mut exp = Vec::new();
        for (m, gap) in [(&a, &b""[..]), (&b, b"\xb5\xb5"), (&c, b""), (&d, b"\r\n")] {
            s.extend_from_slice(gap);
            exp.push(Expect::new(s.len()..s.len() + m.len(), m, Complete));
            s.extend_from_slice(m);
        }
        s.extend_from_slice(&a[..9]);
        check_splits(UbxFramer::new, &s, &exp);
        let mut f = UbxFramer::new();
        feed_cut(&mut f, &s, &[]);
        assert_eq!((f.skipped(), f.pending()), (14 + 2 + 2, 9));

        let m = UbxMessage::new(&c).unwrap();
        assert_eq!((m.class(), m.id(), m.payload().len()), (0x01, 0x21, 20));
        assert_eq!(m.bytes(), &c[..]);
        assert_eq!(UbxMessage::new(&c[..27]), None);
        assert_eq!(UbxMessage::new(&c[1..]), None);
    }

    #[test]
    fn captures() {
        // Message counts by an independent reading of each capture (the
        // last message of three is cut short by the end of the capture).
        for (name, messages, held) in [
            ("u-blox-m8t-time.log", 1511, 21),
            ("ublox-8-time.log", 284, 19),
            ("ublox-aek-4t.log", 51, 0),
            ("ublox-lea-4t.log", 31, 0),
            ("ublox-lea-m8f.log", 193, 174),
            ("ublox-neo-m9n-nmea.log", 0, 0),
        ] {
            let Some(data) = capture(name) else { return };
            let mut f = UbxFramer::new();
            let got = feed_cut(&mut f, &data, &[]);
            assert_eq!(got.len(), messages, "{name}");
            assert!(got.iter().all(|m| m.3 == Complete), "{name}");
            assert!(got.iter().all(|m| UbxMessage::new(&m.0).is_some()));
            assert_eq!(f.pending(), held, "{name}");
            let cuts: Vec<usize> = (1..data.len()).step_by(3).collect();
            let chunked = feed_cut(&mut UbxFramer::new(), &data, &cuts);
            assert_eq!(got.len(), chunked.len());
            assert!(got.iter().zip(&chunked).all(|(a, b)| a.0 == b.0));
        }
    }

    #[test]
    fn empty_payload() {
        let poll = hex("b5 62 0a 04 00 00 0e 34");
        let got = feed_cut(&mut UbxFramer::new(), &poll, &[7]);
        assert_eq!(got, vec![(poll.clone(), t(0), t(1), Complete)]);
        assert_eq!(UbxMessage::new(&poll).unwrap().payload(), b"");
    }

    #[test]
    fn bad_checksum_then_resync() {
        // A corrupted byte: handed out as such, the next message intact.
        let mut bad = hex(NAV_STATUS);
        bad[10] ^= 0x40;
        let good = hex(TIM_TP);
        let mut s = bad.clone();
        s.extend_from_slice(&good);
        let exp = vec![
            Expect::new(0..bad.len(), &bad, BadChecksum),
            Expect::new(bad.len()..s.len(), &good, Complete),
        ];
        check_splits(UbxFramer::new, &s, &exp);
    }

    #[test]
    fn truncated_message_does_not_hide_the_next() {
        // NAV-TIMEUTC lost 5 bytes: its length runs into TIM-TP, whose
        // checksum fails; TIM-TP and NAV-STATUS, searched again, are whole.
        let c = hex(NAV_TIMEUTC);
        let cut = [&c[..12], &c[17..]].concat();
        let (a, b) = (hex(TIM_TP), hex(NAV_STATUS));
        let s = [&cut[..], &a, &b].concat();
        let (x, y) = (cut.len(), cut.len() + a.len());
        let exp = vec![
            Expect::new(0..c.len(), &s[..c.len()], BadChecksum),
            Expect::new(x..y, &a, Complete),
            Expect::new(y..s.len(), &b, Complete),
        ];
        check_splits(UbxFramer::new, &s, &exp);
    }

    #[test]
    fn overflow() {
        // A header claiming 2000 bytes (a false sync, or a message too
        // long to keep): the header is handed out, the rest searched.
        let mut s = hex("b5 62 01 35 d0 07 01 02");
        let a = hex(TIM_TP);
        s.extend_from_slice(&a);
        let exp = vec![
            Expect::new(0..6, &s[..6], Overflow),
            Expect::new(8..s.len(), &a, Complete),
        ];
        check_splits(UbxFramer::new, &s, &exp);
        // Exactly the capacity is kept.
        let mut m = vec![0xb5, 0x62, 0x01, 0x99];
        m.extend_from_slice(&((MAX_UBX - 8) as u16).to_le_bytes());
        m.resize(MAX_UBX - 2, 0x5a);
        let ck = ubx_checksum(&m[2..]);
        m.extend_from_slice(&ck);
        let got = feed_cut(&mut UbxFramer::new(), &m, &[100]);
        assert_eq!(got, vec![(m, t(0), t(1), Complete)]);
    }

    #[test]
    fn reset_drops_the_partial_message() {
        let mut f = UbxFramer::default();
        let a = hex(NAV_TIMEUTC);
        assert!(feed_cut(&mut f, &a[..20], &[]).is_empty());
        assert_eq!(f.pending(), 20);
        f.reset();
        assert_eq!(f.pending(), 0);
        let s = [&a[20..], &hex(ACK_ACK)[..]].concat();
        let got = feed_cut(&mut f, &s, &[]);
        assert_eq!(got, vec![(hex(ACK_ACK), t(0), t(0), Complete)]);
        assert_eq!(f.skipped(), 8);
    }

    #[test]
    fn random_input() {
        let mut f = UbxFramer::new();
        let n = fuzz(&mut f, 3, &[&UBX_SYNC, b"\xb5\x62\x01\x21\x02\x00"], |fr| {
            assert!(fr.data.starts_with(&UBX_SYNC));
            let complete = UbxMessage::new(fr.data).is_some();
            match fr.status {
                Overflow => assert_eq!(fr.data.len(), 6),
                Complete => {
                    assert!(complete);
                    let end = fr.data.len() - 2;
                    assert_eq!(ubx_checksum(&fr.data[2..end]), fr.data[end..]);
                }
                BadChecksum => assert!(complete),
                Short => panic!("a binary framer never cuts a frame short"),
            }
        });
        assert!(n > 20, "{n}");
    }
}
