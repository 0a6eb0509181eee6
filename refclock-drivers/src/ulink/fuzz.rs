//! The Ultralink driver under the fuzzer (feature `testkit`): its
//! targets `ulink_decode` (decode never panics; what decodes encodes to
//! a line that decodes the same), `ulink_roundtrip` (encode → decode
//! gives the fields back, all three layouts) and `ulink_driver` (the
//! script runner).

use super::codec::{self, LeapWarning, Model, UlinkTime};
use super::UlinkDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input};

/// An in-range timecode of any model from `data`.
pub fn arbitrary(data: &[u8]) -> UlinkTime {
    let mut i = Input::new(data);
    let model = [Model::M33x, Model::M325, Model::M320][usize::from(i.u8() % 3)];
    let sync = !i.u8().is_multiple_of(4);
    let signal = match model {
        Model::M33x => [b'S', b'N'][usize::from(i.u8() % 2)],
        Model::M325 => b'R',
        Model::M320 if sync => b'S',
        Model::M320 => b'?',
    };
    UlinkTime {
        model,
        signal,
        year: 1990 + i.u16() % 100,
        day: 1 + i.u16() % 366,
        hour: i.u8() % 24,
        minute: i.u8() % 60,
        second: i.u8() % 61,
        hundredths: if model == Model::M320 {
            i.u8() % 100
        } else {
            0
        },
        sync,
        leap: [LeapWarning::None, LeapWarning::Insert, LeapWarning::Delete]
            [usize::from(i.u8() % 3)],
    }
}

impl FuzzCodec for UlinkDriver {
    fn decode(data: &[u8]) -> usize {
        match codec::decode(data) {
            Ok(t) => {
                assert_eq!(codec::decode(&codec::encode(&t)), Ok(t));
                1
            }
            Err(_) => 0,
        }
    }

    fn roundtrip(data: &[u8]) -> usize {
        let t = arbitrary(data);
        let bytes = codec::encode(&t);
        assert_eq!(codec::decode(&bytes), Ok(t));
        1
    }

    /// 2024-01-01 00:00:00-00:00:02 from a 33x, then a 325 and a 320
    /// line, a noisy 33x one.
    fn examples() -> Vec<Vec<u8>> {
        vec![
            b"S9 1 Lk 2024+001UTCS 00:00:00 +0".to_vec(),
            b"S9 1 Lk 2024+001UTCS 00:00:01 +0".to_vec(),
            b"S9 1 Lk 2024+001UTCS 00:00:02 +0".to_vec(),
            b"R5 1C00%2024+001UTCS 00:00:03 +0".to_vec(),
            b"S5R2024001+00:00:04.00  ".to_vec(),
            b"N9 1 Lk 2024+001UTCS 00:00:05 +0".to_vec(),
        ]
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = b"\r\n".to_vec();
        v.extend_from_slice(message);
        v
    }
}

impl FuzzDriver for UlinkDriver {}
