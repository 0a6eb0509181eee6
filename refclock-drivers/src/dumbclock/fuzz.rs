//! The Dumbclock driver under the fuzzer (feature `testkit`): its targets
//! `dumbclock_decode`, `dumbclock_roundtrip` and `dumbclock_driver` (the
//! script runner with the generic properties, on a summer-time zone).

use refclock_core::DriverConfig;

use super::codec::{self, DumbTime};
use super::DumbclockDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

/// The zone the driver target runs on (no file needed).
pub const ZONE: &str = "EST5EDT,M3.2.0,M11.1.0";

impl FuzzCodec for DumbclockDriver {
    /// Each CR/LF-separated line; what decodes is in range.
    fn decode(data: &[u8]) -> usize {
        data.split(|&b| b == b'\r' || b == b'\n')
            .filter_map(|l| codec::decode(l).ok())
            .inspect(|t| assert!(t.hour < 24 && t.minute < 60 && t.second < 60))
            .count()
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 3 {
            return 0;
        }
        let t = DumbTime {
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 60,
        };
        assert_eq!(codec::decode(&codec::encode(&t)), Ok(t));
        1
    }

    fn examples() -> Vec<Vec<u8>> {
        ["00:00:00", "00:00:01", "00:00:02   ", "23:59:59", "1:00:00"]
            .iter()
            .map(|l| l.as_bytes().to_vec())
            .collect()
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = message.to_vec();
        v.extend_from_slice(b"\r\n");
        v
    }
}

impl FuzzDriver for DumbclockDriver {
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            ..Rules::default()
        }
    }

    fn script_config(mut config: DriverConfig) -> DriverConfig {
        config.options = vec![("tz".into(), Some(ZONE.into()))];
        config
    }
}
