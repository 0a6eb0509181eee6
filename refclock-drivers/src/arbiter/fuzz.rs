//! The Arbiter driver under the fuzzer (feature `testkit`): its targets
//! `arbiter_decode`, `arbiter_roundtrip` (encode → decode gives the
//! timecode back) and `arbiter_driver` (the poll dialogue and the
//! broadcast under the script runner's generic properties).

use refclock_core::DriverConfig;

use super::codec::{self, Timecode};
use super::ArbiterDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

/// Bit 0 of the mode is the only one the driver knows (B or O
/// commands); modes above 1 are refused.
const MODE_BITS: [u32; 16] = [1, 2, 1, 0, 1, 0, 1, 0, 4, 0, 1, 0, 0, 0, 1, 0];

impl FuzzCodec for ArbiterDriver {
    fn decode(data: &[u8]) -> usize {
        match codec::decode(data) {
            Ok(t) => {
                assert!(
                    (1..=366).contains(&t.day) && t.hour < 24 && t.minute < 60 && t.second <= 60
                );
                1
            }
            Err(e) => {
                let _ = (e.to_string(), e.event());
                0
            }
        }
    }

    fn roundtrip(data: &[u8]) -> usize {
        if data.len() < 6 {
            return 0;
        }
        let mut input = Input::new(data);
        let t = Timecode {
            sync: if input.u8() & 1 == 0 { b' ' } else { b'?' },
            year: input.u8() % 100,
            day: 1 + input.u16() % 366,
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 61,
        };
        assert_eq!(codec::decode(&codec::encode(&t)), Ok(t));
        1
    }

    /// The dialogue's answers and timecodes of 2024-01-01 (the generic
    /// driver seed starts then).
    fn examples() -> Vec<Vec<u8>> {
        [
            "TQ0",
            "SRV=09 S=45 T=8 P=1.2 E=00",
            "  24 001 00:00:00.000   ",
            "  24 001 00:00:01.000   ",
            "? 24 001 00:00:02.000   ",
            "TQ6",
            "LAN 39:43:20.130",
            "DB +0.0 0.0",
            "  24 001 00:00:03.000   ",
        ]
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
    }

    /// CR LF (the on-time CR) and the line.
    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = b"\r\n".to_vec();
        v.extend_from_slice(message);
        v
    }
}

impl FuzzDriver for ArbiterDriver {
    const MODE_BITS: [u32; 16] = MODE_BITS;

    /// Samples at receive times, also while the clock is not locked.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            samples_when_not_in_sync: true,
            ..Rules::default()
        }
    }
}
