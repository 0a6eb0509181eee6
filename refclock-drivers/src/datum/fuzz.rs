//! The Datum driver under the fuzzer (feature `testkit`): its targets
//! `datum_decode`, `datum_roundtrip` and `datum_driver` (the script
//! runner with the generic properties).

use refclock_core::DriverConfig;

use super::codec::{self, DatumTime, LEN};
use super::DatumDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

impl FuzzCodec for DatumDriver {
    /// Each 7-byte chunk; what decodes is in range.
    fn decode(data: &[u8]) -> usize {
        data.chunks(LEN)
            .filter_map(|c| codec::decode(c).ok())
            .inspect(|t| {
                assert!((1..=366).contains(&t.day) && t.hour < 24 && t.minute < 60);
                assert!(t.second <= 60 && t.msec < 1000);
            })
            .count()
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 10 {
            return 0;
        }
        let t = DatumTime {
            day: input.u16() % 366 + 1,
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 61,
            msec: input.u16() % 1000,
        };
        assert_eq!(codec::decode(&codec::encode(&t)), Ok(t));
        1
    }

    /// 2024-01-01 00:00:00.000-00:00:02.500, a reply with a bad digit.
    fn examples() -> Vec<Vec<u8>> {
        let t = |second, msec| {
            codec::encode(&DatumTime {
                day: 1,
                hour: 0,
                minute: 0,
                second,
                msec,
            })
        };
        let mut bad = t(3, 0);
        bad[4] |= 0x0f;
        vec![
            t(0, 0).to_vec(),
            t(1, 250).to_vec(),
            t(2, 500).to_vec(),
            bad.to_vec(),
        ]
    }
}

impl FuzzDriver for DatumDriver {
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            ..Rules::default()
        }
    }
}

/// A script of three polls and their replies, for the driver target's
/// corpus and the test below.
pub fn exchange_script() -> Vec<u8> {
    use crate::testkit::script::encode;
    use crate::testkit::{Header, Op};
    // 2024-01-01 00:00:00, base date 2020-01-01.
    let mut ops = Vec::new();
    for s in 0..3u8 {
        ops.push(Op::Poll);
        ops.push(Op::AdvanceMs(2));
        let reply = codec::encode(&DatumTime {
            day: 1,
            hour: 0,
            minute: 0,
            second: s,
            msec: 1,
        });
        ops.push(Op::Data(reply.to_vec()));
        ops.push(Op::Ticks(0));
    }
    encode(&Header::at(1_704_067_200, 18_262), &ops)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_exchange_script_gives_samples() {
        let n = crate::testkit::run_script::<super::DatumDriver>(&super::exchange_script());
        assert_eq!(n, 3);
    }
}
