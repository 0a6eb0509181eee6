//! The TrueTime driver under the fuzzer (feature `testkit`): its targets
//! `truetime_decode` (every line classifies without a panic, a timecode's
//! fields in range), `truetime_roundtrip` (encode → decode gives the
//! timecode back) and `truetime_driver` (the identification dialogue and
//! the samples under the script runner's generic properties).

use refclock_core::DriverConfig;

use super::codec::{self, Reply, Timecode};
use super::TrueTimeDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

impl FuzzCodec for TrueTimeDriver {
    fn decode(data: &[u8]) -> usize {
        match codec::decode(data) {
            Ok(Reply::Time(t)) => {
                assert!(
                    (1..=366).contains(&t.day) && t.hour < 24 && t.minute < 60 && t.second <= 60
                );
                1
            }
            Ok(_) => 1,
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
            day: 1 + input.u16() % 366,
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 61,
            quality: b" .*#?X>"[usize::from(input.u8()) % 7],
        };
        let sent = codec::encode(&t);
        // The line reader drops the ^A and the CR LF.
        let line = &sent[1..sent.len() - 2];
        assert_eq!(codec::decode(line), Ok(Reply::Time(t)));
        1
    }

    /// The GOES dialogue's answers and timecodes of 2024-01-01 (the
    /// generic driver seed starts then).
    fn examples() -> Vec<Vec<u8>> {
        [
            "13500+039-000",
            "001:00:00:00 ",
            "001:00:00:01 ",
            "001:00:00:02?",
            "?",
            "VER 01.02",
            " TRUETIME Mk III ",
            "N03726428W12209421+000033",
            "F50",
            "001:00:00:03 ",
        ]
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
    }

    /// `^A`, the line, CR LF.
    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = vec![0x01];
        v.extend_from_slice(message);
        v.extend_from_slice(b"\r\n");
        v
    }
}

impl FuzzDriver for TrueTimeDriver {
    /// Samples at receive times, also while the clock says it is not in
    /// sync (ntpd's refclock_receive then keeps them).
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            samples_when_not_in_sync: true,
            ..Rules::default()
        }
    }
}

/// A hand-made `truetime_driver` seed (the generic one polls only at its
/// end, and this driver samples the timecode after a poll): the GOES
/// answer, then a poll before each of four timecodes of 2024-01-01.
pub fn poll_first_seed() -> Vec<u8> {
    use crate::testkit::script::encode;
    use crate::testkit::{Header, Op};
    let mut ops = vec![
        Op::Data(TrueTimeDriver::framed(b"13500+039-000")),
        Op::Ticks(0),
    ];
    for s in 1..5 {
        ops.push(Op::Poll);
        ops.push(Op::Data(TrueTimeDriver::framed(
            format!("001:00:00:{s:02} ").as_bytes(),
        )));
        ops.push(Op::Ticks(0));
    }
    encode(&Header::at(1_704_067_200, 18_262), &ops)
}

#[cfg(test)]
mod seed_tests {
    use super::*;

    /// The seed reaches samples; `REFCLOCK_WRITE_SEEDS=1` writes it to
    /// the corpus (`fuzz/corpus/truetime_driver/handmade-poll-first`).
    #[test]
    fn poll_first_seed_gives_samples() {
        let seed = poll_first_seed();
        assert!(crate::testkit::run_script::<TrueTimeDriver>(&seed) > 0);
        if std::env::var_os("REFCLOCK_WRITE_SEEDS").is_some() {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../fuzz/corpus/truetime_driver/handmade-poll-first"
            );
            std::fs::write(path, seed).unwrap();
        }
    }
}
