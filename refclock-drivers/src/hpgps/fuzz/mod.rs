//! The HP driver under the fuzzer (feature `testkit`): its three targets
//! `hpgps_decode` and `hpgps_roundtrip` ([`codec`]) and `hpgps_driver`
//! (the script runner with [`checks`]).

pub mod checks;
pub mod codec;

use refclock_core::calendar::CivilTime;
use refclock_core::DriverConfig;

use super::codec::Timecode;
use super::HpgpsDriver;
use crate::testkit::{Checker, FuzzCodec, FuzzDriver, Rules};

impl FuzzCodec for HpgpsDriver {
    fn decode(data: &[u8]) -> usize {
        codec::decode(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        codec::roundtrip(data)
    }

    /// Lines as the driver reads them: the identification, the zone, an
    /// error prompt before a zone, NTPsec's real timecode, and timecodes
    /// for the first seconds of 2024 (the generic seeds play these one a
    /// second from 2024-01-01), one of them not in sync.
    fn examples() -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = [
            "HEWLETT-PACKARD,58503A,3626A01234,3704-C",
            "scpi > +0,+0",
            "E-113> +0,+0",
            "scpi > T220060105075143300003B",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect();
        for s in 4..7 {
            let mut code = Timecode::new(CivilTime::new(2024, 1, 1, 0, 0, s));
            if s == 6 {
                code.sync = b'1';
            }
            out.push([&b"scpi > "[..], &code.encode()].concat());
        }
        out
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        [message, b"\r\n"].concat()
    }
}

impl FuzzDriver for HpgpsDriver {
    /// Mode 1 (the Z3801A) when bit 0 alone is set, else values the
    /// driver takes as 0 (the 58503A): 2, 4, and the top bit.
    const MODE_BITS: [u32; 16] = [1, 2, 4, 0x8000_0000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// Samples are taken while the receiver is not in sync (leap 3, as
    /// ntpd does), at the receive time of the timecode's line.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            samples_when_not_in_sync: true,
            must_start: true,
            ..Rules::default()
        }
    }

    fn checker(config: &DriverConfig) -> Box<dyn Checker<Self>> {
        Box::new(checks::HpgpsChecks::new(config))
    }
}

#[cfg(test)]
mod tests {
    use refclock_core::rng::Rng;
    use refclock_core::Timestamp;

    use super::*;
    use crate::hpgps::codec::{LeapFlag, TimeZone};
    use crate::testkit::script::{encode, Header};
    use crate::testkit::{busy_host, run_script, Op, PortOp};

    /// 2024-01-01, a 2020 base date.
    fn header() -> Header {
        Header::at(1_704_067_200, 18_262)
    }

    fn line(t: CivilTime, zone: TimeZone, change: impl FnOnce(&mut Timecode)) -> Vec<u8> {
        let mut code = Timecode::new(zone.to_local(t));
        change(&mut code);
        HpgpsDriver::framed(&[&b"scpi > "[..], &code.encode()].concat())
    }

    #[test]
    fn a_dialogue_gives_its_samples() {
        let zone = TimeZone::new(-5, 0).unwrap();
        let mut ops = vec![Op::Data(
            b"HEWLETT-PACKARD,58503A,1,2\r\nscpi > -5,+0\r\n".to_vec(),
        )];
        for s in 1..=5u8 {
            ops.push(Op::Poll);
            ops.push(Op::AdvanceMs(955));
            ops.push(Op::Data(line(
                CivilTime::new(2024, 1, 1, 0, 0, s),
                zone,
                |_| {},
            )));
            ops.push(Op::AdvanceMs(45));
        }
        let h = Header {
            time1_ms: -955,
            ..header()
        };
        assert_eq!(run_script::<HpgpsDriver>(&encode(&h, &ops)), 5);
        // Lost and back: no sample until the zone is answered again.
        ops.push(Op::Port {
            port: 0,
            op: PortOp::Bounce,
        });
        ops.push(Op::Data(b"HEWLETT-PACKARD,58503A,1,2\r\n".to_vec()));
        ops.push(Op::Data(line(
            CivilTime::new(2024, 1, 1, 0, 0, 7),
            zone,
            |_| {},
        )));
        assert_eq!(run_script::<HpgpsDriver>(&encode(&h, &ops)), 5);
    }

    #[test]
    fn the_examples_give_samples_under_the_generic_seed() {
        let mut ops = Vec::new();
        for e in HpgpsDriver::examples() {
            ops.push(Op::Data(HpgpsDriver::framed(&e)));
            ops.push(Op::Ticks(0));
        }
        ops.push(Op::Poll);
        // Three timecodes of 2024 (one not in sync); the 2006 one is far.
        assert_eq!(run_script::<HpgpsDriver>(&encode(&header(), &ops)), 3);
        for mode_bits in [0b1, 0b1010] {
            let h = Header {
                mode_bits,
                flags: 0x8,
                ..header()
            };
            assert_eq!(run_script::<HpgpsDriver>(&encode(&h, &ops)), 1);
        }
    }

    /// Valid timecodes, zones and noise under random configurations and a
    /// busy host: the generic properties and the HP model's hold.
    #[test]
    fn random_dialogues_under_random_scripts() {
        let mut rng = Rng::new(26);
        let mut samples = 0;
        for _ in 0..150 {
            let start = 1_700_000_000 + rng.up_to(100_000_000) as i64;
            let mut stream = b"HEWLETT-PACKARD,Z3801A,1,2\r\n".to_vec();
            let zone = codec::arbitrary_zone(&mut crate::testkit::Input::new(&rng.bytes(2)));
            stream.extend(HpgpsDriver::framed(
                [&b"scpi > "[..], zone.encode().as_bytes()]
                    .concat()
                    .as_slice(),
            ));
            for k in 0..30 {
                let t = Timestamp::from_secs(start + 2 * k + rng.up_to(3) as i64);
                let mut l = line(CivilTime::from_timestamp(t), zone, |c| {
                    c.sync = if rng.percent(10) { b'1' } else { b'0' };
                    c.leap = match rng.up_to(9) {
                        0 => LeapFlag::Insert,
                        1 => LeapFlag::Delete,
                        2 => LeapFlag::Other(b'x'),
                        _ => LeapFlag::None,
                    };
                });
                if rng.percent(5) {
                    let at = rng.up_to(l.len() as u64 - 1) as usize;
                    l[at] = rng.next_u64() as u8;
                }
                stream.extend(l);
                if rng.percent(10) {
                    stream.extend(b"E-113> \r\n");
                }
            }
            let header = Header {
                mode_bits: rng.next_u64() as u16,
                flags: rng.next_u64() as u8,
                time1_ms: rng.up_to(2000) as i16 - 1000,
                ..Header::at(start, 18_000)
            };
            let ops = busy_host(&mut rng, &stream, 40);
            samples += run_script::<HpgpsDriver>(&encode(&header, &ops));
        }
        assert!(samples > 300, "{samples}");
    }

    #[test]
    fn examples_decode_and_values_round_trip() {
        let decoded: usize = HpgpsDriver::examples()
            .iter()
            .map(|l| HpgpsDriver::decode(l))
            .sum();
        // All but the identification.
        assert_eq!(decoded, HpgpsDriver::examples().len() - 1);
        let mut rng = Rng::new(5);
        for _ in 0..500 {
            assert_eq!(HpgpsDriver::roundtrip(&rng.bytes(24)), 1);
            let len = 1 + rng.up_to(40) as usize;
            let mut junk = rng.bytes(len);
            HpgpsDriver::decode(&junk);
            junk.insert(0, b'T');
            HpgpsDriver::decode(&junk);
        }
    }
}
