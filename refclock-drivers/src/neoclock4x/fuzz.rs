//! The NeoClock4X driver under the fuzzer (feature `testkit`): its
//! targets `neoclock4x_decode` (decode never panics; what decodes
//! encodes back to the same fields), `neoclock4x_roundtrip` (encode →
//! decode gives the fields back) and `neoclock4x_driver` (the script
//! runner with the generic properties).

use refclock_core::DriverConfig;

use super::codec::{self, NeoTime};
use super::Neoclock4xDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

/// A timecode with in-range fields built from `data`.
pub fn arbitrary(data: &[u8]) -> NeoTime {
    let mut i = Input::new(data);
    let month = 1 + i.u8() % 12;
    let year = i.u8() % 100;
    let days = refclock_core::calendar::days_in_month(2000 + i32::from(year), month);
    let printable = |b: u8| 0x20 + b % 0x5f;
    NeoTime {
        head: [printable(i.u8()), printable(i.u8()), printable(i.u8())],
        serial: *b"004711",
        radio: [printable(i.u8()), printable(i.u8()), printable(i.u8())],
        day: 1 + i.u8() % days,
        month,
        year,
        hour: i.u8() % 24,
        minute: i.u8() % 60,
        second: i.u8() % 61,
        hundredths: i.u8() % 100,
        weekday: 1 + i.u8() % 7,
        source: [b'A', b'C'][usize::from(i.u8() % 2)],
        dst: [b'S', b'W'][usize::from(i.u8() % 2)],
        quartz: [b'I', b'X'][usize::from(i.u8() % 2)],
        antenna1: i.u8(),
        antenna2: i.u8(),
    }
}

impl FuzzCodec for Neoclock4xDriver {
    fn decode(data: &[u8]) -> usize {
        match codec::decode(data) {
            Ok(t) => {
                assert_eq!(data.len(), codec::LEN);
                let again = codec::encode(&t);
                assert_eq!(codec::decode(&again), Ok(t));
                // Only the case of the hex digits may differ.
                assert!(again.eq_ignore_ascii_case(data));
                1
            }
            Err(e) => {
                assert!(!e.to_string().contains(['\n', '\r']) || data.contains(&b'\n'));
                0
            }
        }
    }

    fn roundtrip(data: &[u8]) -> usize {
        let t = arbitrary(data);
        let bytes = codec::encode(&t);
        assert_eq!(bytes.len(), codec::LEN);
        assert_eq!(codec::decode(&bytes), Ok(t));
        assert!(t.utc(2000 + i32::from(t.year)).is_some());
        1
    }

    /// 2024-01-01 01:00:00-01:00:02 CET (00:00:0x UTC), radio time; a
    /// quartz second; summer time.
    fn examples() -> Vec<Vec<u8>> {
        let mut t = arbitrary(&[]);
        t.head = *b"NC4";
        t.radio = *b"100";
        (t.day, t.month, t.year, t.hour, t.weekday) = (1, 1, 24, 1, 1);
        (t.source, t.dst, t.quartz) = (b'A', b'W', b'I');
        let mut v = Vec::new();
        for s in 0..3 {
            t.second = s;
            v.push(codec::encode(&t));
        }
        t.source = b'C';
        v.push(codec::encode(&t));
        (t.month, t.dst, t.hour, t.source) = (7, b'S', 14, b'A');
        v.push(codec::encode(&t));
        v
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = message.to_vec();
        v.extend_from_slice(b"\r\n");
        v
    }
}

impl FuzzDriver for Neoclock4xDriver {
    /// On a script's pseudo-device the modem lines "work": no option is
    /// needed, but the runner may give it.
    fn script_config(config: DriverConfig) -> DriverConfig {
        config
    }

    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            ..Rules::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::script::{encode, Header};
    use crate::testkit::{run_script, Op};

    /// The dialogue (the answer to `V` after the start's 4 s), then each
    /// example after a poll: the seed `seed-dialogue` of
    /// `neoclock4x_driver` (written to the file `NEO_SEED` names, when
    /// set).
    #[test]
    fn dialogue_and_polled_examples() {
        let mut ops = vec![
            Op::Ticks(4),
            Op::Data(b"\xa9 2002 NEOL S.A. FRANCE\r\nL0.01 NDF:A:*\r\nS/N: 004711\r\n".to_vec()),
        ];
        for e in Neoclock4xDriver::examples() {
            ops.push(Op::Poll);
            ops.push(Op::AdvanceMs(170));
            ops.push(Op::Data(Neoclock4xDriver::framed(&e)));
            ops.push(Op::Ticks(0));
        }
        // 2024-01-01 00:00:00 UTC less the dialogue's seconds.
        let script = encode(&Header::at(1_704_067_200 - 5, 19_000), &ops);
        assert!(run_script::<Neoclock4xDriver>(&script) >= 3);
        if let Some(path) = std::env::var_os("NEO_SEED") {
            std::fs::write(path, &script).unwrap();
        }
    }
}
