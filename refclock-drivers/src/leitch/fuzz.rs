//! The Leitch driver under the fuzzer (feature `testkit`): its targets
//! `leitch_decode`, `leitch_roundtrip` and `leitch_driver` (the script
//! runner with the generic properties).

use refclock_core::DriverConfig;

use super::codec::{self, LeitchDate, LeitchTime};
use super::LeitchDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

impl FuzzCodec for LeitchDriver {
    /// Each CR/LF-separated line as a date and as a time; what decodes is
    /// in range.
    fn decode(data: &[u8]) -> usize {
        let mut n = 0;
        for line in data.split(|&b| b == b'\r' || b == b'\n') {
            if let Ok(d) = codec::decode_date(line) {
                assert!((1..=12).contains(&d.month) && (1..=31).contains(&d.day));
                n += 1;
            }
            if let Ok(t) = codec::decode_time(line) {
                assert!(t.hour < 24 && t.minute < 60 && t.second <= 60);
                n += 1;
            }
        }
        n
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 6 {
            return 0;
        }
        let d = LeitchDate {
            year: input.u8() % 100,
            month: input.u8() % 12 + 1,
            day: input.u8() % 31 + 1,
        };
        assert_eq!(codec::decode_date(&codec::encode_date(&d)), Ok(d));
        let t = LeitchTime {
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 61,
        };
        assert_eq!(codec::decode_time(&codec::encode_time(&t)), Ok(t));
        1
    }

    /// A date, three times (one with the `/`), a bad one.
    fn examples() -> Vec<Vec<u8>> {
        ["240101", "000000", "000001", "/000002", "24x101"]
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

impl FuzzDriver for LeitchDriver {
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            ..Rules::default()
        }
    }
}

/// A script of one whole exchange (poll, date, three time lines), for
/// the driver target's corpus and the test below.
pub fn exchange_script() -> Vec<u8> {
    use crate::testkit::script::encode;
    use crate::testkit::{Header, Op};
    // 2024-01-01 00:00:00, base date 2020-01-01.
    let mut ops = vec![
        Op::Poll,
        Op::AdvanceMs(300),
        Op::Data(b"240101\r\n".to_vec()),
    ];
    for s in 1..=3u8 {
        ops.push(Op::AdvanceMs(700));
        ops.push(Op::Data(format!("0000{s:02}\r\n").into_bytes()));
    }
    ops.push(Op::Ticks(0));
    encode(&Header::at(1_704_067_200, 18_262), &ops)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_exchange_script_gives_a_sample() {
        let n = crate::testkit::run_script::<super::LeitchDriver>(&super::exchange_script());
        assert_eq!(n, 1);
    }
}
