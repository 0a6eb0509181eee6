//! The Austron driver under the fuzzer (feature `testkit`):
//! `as2201_decode` (any bytes as a timecode line: no panic, fields in
//! range, the same line re-encoded), `as2201_roundtrip` (an in-range
//! timecode encodes and decodes to itself) and `as2201_driver` (the
//! script runner with its generic rules: samples at the poll's time, or
//! with flag2 at a read's).

use refclock_core::DriverConfig;

use super::codec::{self, Toc, LENTOC};
use super::As2201Driver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

impl FuzzCodec for As2201Driver {
    fn decode(data: &[u8]) -> usize {
        let Ok(t) = codec::decode(data) else {
            return 0;
        };
        assert!((1..=366).contains(&t.yday) && t.hour < 24 && t.minute < 60 && t.second <= 60);
        assert_eq!(codec::encode(&t)[..LENTOC], data[..LENTOC]);
        1
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 8 {
            return 0;
        }
        let t = Toc {
            year: input.u8() % 100,
            yday: 1 + input.u16() % 366,
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 61,
            millis: input.u16() % 1000,
        };
        let bytes = codec::encode(&t);
        assert_eq!(codec::decode(&bytes[..LENTOC]), Ok(t));
        1
    }

    fn examples() -> Vec<Vec<u8>> {
        [
            "91:216:15:36:43.640",
            "24:001:00:00:00.000",
            "24:001:00:00:01.001",
            "16:366:23:59:60.999",
        ]
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        [message, b"\r"].concat()
    }
}

impl FuzzDriver for As2201Driver {
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            samples_at_ticks: true,
            ..Rules::default()
        }
    }
}
