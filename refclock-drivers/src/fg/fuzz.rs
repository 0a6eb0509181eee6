//! The Forum Graphic driver under the fuzzer (feature `testkit`): its
//! targets `fg_decode` (decode never panics; what decodes re-encodes to
//! the same fields), `fg_roundtrip` (encode → decode gives the fields
//! back, doubled DLEs included) and `fg_driver` (the script runner).

use super::codec::{self, FgTime};
use super::FgDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input};

/// A reply with BCD-sized fields from `data` (never year 94, the
/// power-up reply, which does not decode).
pub fn arbitrary(data: &[u8]) -> FgTime {
    let mut i = Input::new(data);
    FgTime {
        year: match i.u8() % 100 {
            94 => 95,
            y => y,
        },
        day: i.u16() % 400,
        hour: i.u8() % 100,
        minute: i.u8() % 100,
        second: i.u8() % 100,
        millis: i.u8() % 100,
        micros: i.u8() % 10,
    }
}

impl FuzzCodec for FgDriver {
    fn decode(data: &[u8]) -> usize {
        match codec::decode(data) {
            Ok(t) => {
                let again = codec::encode(&t);
                assert_eq!(codec::decode(&again[..25]), Ok(t));
                1
            }
            Err(_) => 0,
        }
    }

    fn roundtrip(data: &[u8]) -> usize {
        let t = arbitrary(data);
        let bytes = codec::encode(&t);
        assert_eq!(bytes.len(), codec::LENFG);
        assert_eq!(codec::decode(&bytes[..25]), Ok(t));
        1
    }

    /// 2024-01-01 00:00:00-00:00:02 replies; 10:10:10 on day 110.
    fn examples() -> Vec<Vec<u8>> {
        let t = |day, hour, minute, second| FgTime {
            year: 24,
            day,
            hour,
            minute,
            second,
            millis: 0,
            micros: 0,
        };
        [
            t(1, 0, 0, 0),
            t(1, 0, 0, 1),
            t(1, 0, 0, 2),
            t(110, 10, 10, 10),
        ]
        .iter()
        .map(|x| codec::encode(x)[..25].to_vec())
        .collect()
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = message.to_vec();
        v.push(b'\r');
        v
    }
}

impl FuzzDriver for FgDriver {}
