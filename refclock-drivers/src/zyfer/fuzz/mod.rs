//! The Zyfer driver under the fuzzer (feature `testkit`): its three
//! targets `zyfer_decode` ([`codec::decode`]), `zyfer_roundtrip`
//! ([`codec::roundtrip`]) and `zyfer_driver` (the script runner with
//! [`checks`]).

pub mod checks;
pub mod codec;

use refclock_core::DriverConfig;

use super::ZyferDriver;
use crate::testkit::{Checker, FuzzCodec, FuzzDriver, Rules};

impl FuzzCodec for ZyferDriver {
    fn decode(data: &[u8]) -> usize {
        codec::decode(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        codec::roundtrip(data)
    }

    /// 2024-01-01 00:00:00-00:00:04 (the generic driver seed starts then),
    /// coasting in the fourth second; GPS time mode; ntpd's example; a
    /// leap second; a warm-up record.
    fn examples() -> Vec<Vec<u8>> {
        [
            "!TIME,2024,001,00,00,00,2,4,1",
            "!TIME,2024,001,00,00,01,2,4,1",
            "!TIME,2024,001,00,00,02,2,4,1",
            "!TIME,2024,001,00,00,03,2,6,2",
            "!TIME,2024,001,00,00,04,2,4,1",
            "!TIME,2024,001,00,00,23,1,4,1",
            "!TIME,2002,017,07,59,32,2,4,1",
            "!TIME,2016,366,23,59,60,2,4,1",
            "!TIME,2024,001,00,00,06,2,9,0",
        ]
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
    }
}

impl FuzzDriver for ZyferDriver {
    /// The driver has no mode: any bits, low and high, change nothing.
    const MODE_BITS: [u32; 16] = [
        0x1,
        0x2,
        0x4,
        0x8,
        0x10,
        0x20,
        0x40,
        0x80,
        0x100,
        0x1000,
        0x1_0000,
        0x10_0000,
        0x100_0000,
        0x1000_0000,
        0x4000_0000,
        0x8000_0000,
    ];

    /// Samples at the receive time itself, never while not in sync; the
    /// driver starts with any configuration.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            ..Rules::default()
        }
    }

    fn checker(config: &DriverConfig) -> Box<dyn Checker<Self>> {
        Box::new(checks::ZyferChecks::new(config))
    }
}

#[cfg(test)]
mod tests;
