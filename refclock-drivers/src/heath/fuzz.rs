//! The Heath driver under the fuzzer (feature `testkit`): its targets
//! `heath_decode`, `heath_roundtrip` (encode → decode gives the timecode
//! back) and `heath_driver` (polls, answers and modem line failures under
//! the script runner's generic properties; samples carry a poll's time).

use refclock_core::DriverConfig;

use super::codec::{self, HeathTime};
use super::HeathDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

const DAYS: [u8; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

impl FuzzCodec for HeathDriver {
    fn decode(data: &[u8]) -> usize {
        match codec::decode(data) {
            Ok(t) => {
                assert!((1..=366).contains(&t.day_of_year()));
                assert!(t.hour < 24 && t.minute < 60 && t.second <= 60);
                1
            }
            Err(e) => {
                let _ = (e.to_string(), e.event());
                0
            }
        }
    }

    fn roundtrip(data: &[u8]) -> usize {
        if data.len() < 8 {
            return 0;
        }
        let mut input = Input::new(data);
        let year = input.u8() % 100;
        let month = 1 + input.u8() % 12;
        let len = DAYS[usize::from(month - 1)] + u8::from(month == 2 && year.is_multiple_of(4));
        let tenths = input.u8();
        let t = HeathTime {
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 61,
            tenths: (tenths < 200).then_some(tenths % 10),
            meridian: if input.u8() & 1 == 0 {
                *b"     "
            } else {
                *b" AM  "
            },
            month,
            day: 1 + input.u8() % len,
            year,
        };
        assert_eq!(codec::decode(&codec::encode(&t)), Ok(t));
        1
    }

    /// Answers of 2024-01-01 (the generic driver seed starts then).
    fn examples() -> Vec<Vec<u8>> {
        [
            "00:00:00.0     01/01/24",
            "00:00:01.3     01/01/24",
            "00:00:02.?     01/01/24",
            "15:36:43.6     04/08/91",
        ]
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
    }

    /// The line and its CR.
    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = message.to_vec();
        v.push(b'\r');
        v
    }
}

impl FuzzDriver for HeathDriver {
    /// Samples at poll times, also while the clock is out of spec.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            samples_at_ticks: true,
            samples_when_not_in_sync: true,
            ..Rules::default()
        }
    }
}

/// A hand-made `heath_driver` seed (the generic one polls only at its
/// end, and this driver samples the answer to a poll): four polls, each
/// answered by a timecode of 2024-01-01.
pub fn poll_first_seed() -> Vec<u8> {
    use crate::testkit::script::encode;
    use crate::testkit::{Header, Op};
    let mut ops = vec![Op::Ticks(0)];
    for s in 1..5 {
        ops.push(Op::Poll);
        ops.push(Op::AdvanceMs(400));
        ops.push(Op::Data(HeathDriver::framed(
            format!("00:00:{s:02}.0     01/01/24").as_bytes(),
        )));
        ops.push(Op::Ticks(0));
    }
    encode(&Header::at(1_704_067_200, 18_262), &ops)
}

#[cfg(test)]
mod seed_tests {
    use super::*;

    /// The seed reaches samples; `REFCLOCK_WRITE_SEEDS=1` writes it to
    /// the corpus (`fuzz/corpus/heath_driver/handmade-poll-first`).
    #[test]
    fn poll_first_seed_gives_samples() {
        let seed = poll_first_seed();
        assert!(crate::testkit::run_script::<HeathDriver>(&seed) > 0);
        if std::env::var_os("REFCLOCK_WRITE_SEEDS").is_some() {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../fuzz/corpus/heath_driver/handmade-poll-first"
            );
            std::fs::write(path, seed).unwrap();
        }
    }
}
