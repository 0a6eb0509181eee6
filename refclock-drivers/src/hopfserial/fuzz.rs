//! The hopf serial driver under the fuzzer (feature `testkit`): its
//! targets `hopfserial_decode` (decode never panics; what decodes
//! encodes back to the same line), `hopfserial_roundtrip` (encode →
//! decode gives the fields back) and `hopfserial_driver` (the script
//! runner).

use super::codec::{self, HopfTime};
use super::HopfSerialDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input};

/// An in-range telegram from `data`.
pub fn arbitrary(data: &[u8]) -> HopfTime {
    let mut i = Input::new(data);
    let month = 1 + i.u8() % 12;
    let year = i.u8() % 100;
    let days = refclock_core::calendar::days_in_month(2000 + i32::from(year), month);
    HopfTime {
        status: i.u8() % 16,
        weekday: i.u8() % 16,
        hour: i.u8() % 24,
        minute: i.u8() % 60,
        second: i.u8() % 61,
        day: 1 + i.u8() % days,
        month,
        year,
    }
}

impl FuzzCodec for HopfSerialDriver {
    fn decode(data: &[u8]) -> usize {
        match codec::decode(data) {
            Ok(t) => {
                assert!(codec::encode_line(&t).eq_ignore_ascii_case(data));
                1
            }
            Err(_) => 0,
        }
    }

    fn roundtrip(data: &[u8]) -> usize {
        let t = arbitrary(data);
        assert_eq!(codec::decode(&codec::encode_line(&t)), Ok(t));
        1
    }

    /// 2024-01-01 00:00:00-00:00:02 UTC, radio; libparse's example.
    fn examples() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = (0..3)
            .map(|s| format!("8900000{s}010124").into_bytes())
            .collect();
        v.push(b"C4110046231195".to_vec());
        v
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = vec![0x02];
        v.extend_from_slice(message);
        v.extend_from_slice(b"\n\r\x03");
        v
    }
}

impl FuzzDriver for HopfSerialDriver {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::script::{encode, Header};
    use crate::testkit::{run_script, Op};

    /// The examples, each after a poll: the seed `seed-polled` of
    /// `hopfserial_driver` (written to the file `HOPF_SEED` names, when
    /// set). The libparse one (1995) is too far from 2024 for
    /// `clocktime`: no sample.
    #[test]
    fn polled_examples() {
        let mut ops = Vec::new();
        for e in HopfSerialDriver::examples() {
            ops.push(Op::Poll);
            ops.push(Op::AdvanceMs(998));
            ops.push(Op::Data(HopfSerialDriver::framed(&e)));
            ops.push(Op::Ticks(0));
        }
        let script = encode(&Header::at(1_704_067_199, 19_000), &ops);
        assert_eq!(run_script::<HopfSerialDriver>(&script), 3);
        if let Some(path) = std::env::var_os("HOPF_SEED") {
            std::fs::write(path, &script).unwrap();
        }
    }
}
