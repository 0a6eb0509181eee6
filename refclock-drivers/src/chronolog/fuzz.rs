//! The Chronolog driver under the fuzzer (feature `testkit`): its targets
//! `chronolog_decode`, `chronolog_roundtrip` and `chronolog_driver` (the
//! script runner with the generic properties, on a summer-time zone).

use refclock_core::DriverConfig;

use super::codec::{self, Line};
use super::ChronologDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

/// The zone the driver target runs on (no file needed).
pub const ZONE: &str = "CET-1CEST,M3.5.0,M10.5.0/3";

impl FuzzCodec for ChronologDriver {
    /// Each CR/LF-separated line; what decodes is in range.
    fn decode(data: &[u8]) -> usize {
        let mut n = 0;
        for line in data.split(|&b| b == b'\r' || b == b'\n') {
            match codec::decode(line) {
                Ok(Line::Date { month, day, .. }) => {
                    assert!((1..=12).contains(&month) && (1..=31).contains(&day));
                    n += 1;
                }
                Ok(Line::Time {
                    hour,
                    minute,
                    second,
                }) => {
                    assert!(hour < 24 && minute < 60 && second < 60);
                    n += 1;
                }
                Err(_) => {}
            }
        }
        n
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 4 {
            return 0;
        }
        let (kind, a, b, c) = (input.u8(), input.u8(), input.u8(), input.u8());
        let line = if kind & 1 == 0 {
            Line::Date {
                year: a % 100,
                month: b % 12 + 1,
                day: c % 28 + 1,
            }
        } else {
            Line::Time {
                hour: a % 24,
                minute: b % 60,
                second: c % 60,
            }
        };
        assert_eq!(codec::decode(&codec::encode(&line)), Ok(line));
        1
    }

    /// 2024-01-01 00:00:00-00:00:04 local, a summer day, a bad line.
    fn examples() -> Vec<Vec<u8>> {
        [
            "Y 24/01/01",
            "Z 00:00:00",
            "Z 00:00:01",
            "Z 00:00:02",
            "Y 24/07/15",
            "Z 13:05:59",
            "Z 1x:00:00",
        ]
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

impl FuzzDriver for ChronologDriver {
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
