//! The Arcron driver under the fuzzer (feature `testkit`): `arcron_decode`
//! (the codec on any bytes: no panic, fields in range, the digits it
//! read the ones it re-encodes), `arcron_roundtrip` (an in-range
//! timecode encodes and decodes to itself) and `arcron_driver` (the
//! script runner with its generic rules: a sample's time may be up to
//! the line time of 16 characters before a read).

use refclock_core::DriverConfig;

use super::codec::{self, ArcTime, LEN};
use super::ArcronDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

impl FuzzCodec for ArcronDriver {
    fn decode(data: &[u8]) -> usize {
        let Ok(t) = codec::decode(data) else {
            return 0;
        };
        assert!(t.hour < 24 && t.minute < 60 && t.second <= 60, "{t:?}");
        assert!(
            (1..=7).contains(&t.weekday) && (1..=31).contains(&t.day),
            "{t:?}"
        );
        assert!((1..=12).contains(&t.month) && t.year < 100, "{t:?}");
        assert_eq!(codec::encode(&t)[..13], data[..13], "{t:?}");
        assert_eq!(t.flags, data[13] & 0x7f);
        assert_eq!(t.status, data[14] & 0x7f);
        1
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 9 {
            return 0;
        }
        let mut pick = |n: u8| input.u8() % n;
        let t = ArcTime {
            hour: pick(24),
            minute: pick(60),
            second: pick(61),
            weekday: 1 + pick(7),
            day: 1 + pick(31),
            month: 1 + pick(12),
            year: pick(100),
            flags: 0x30 | pick(16),
            status: 0x30 | pick(16),
        };
        let bytes = codec::encode(&t);
        assert_eq!(bytes.len(), LEN + 1);
        assert_eq!(codec::decode(&bytes[..LEN]), Ok(t));
        1
    }

    /// 2024-01-01 00:00:00..04 UTC in sync; BST; not in sync; a leap
    /// second.
    fn examples() -> Vec<Vec<u8>> {
        [
            "000000101012443",
            "000001101012443",
            "000002101012443",
            "000003101012423",
            "000004101012445",
            "235960731122443",
        ]
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
    }

    /// The echoed `o`, the timecode and its CR.
    fn framed(message: &[u8]) -> Vec<u8> {
        [b"o".as_slice(), message, b"\r"].concat()
    }
}

impl FuzzDriver for ArcronDriver {
    /// Modes 0..3 and flag-like bits the driver refuses.
    const MODE_BITS: [u32; 16] = [1, 2, 4, 0x100, 0x8000_0000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            samples_before_reads: 0.6,
            ..Rules::default()
        }
    }
}
