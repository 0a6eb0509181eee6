//! The NMEA driver under the fuzzer (feature `testkit`): its three
//! targets `nmea_decode` ([`decode`]), `nmea_roundtrip` ([`roundtrip`])
//! and `nmea_driver` (the script runner with [`checks`]).

pub mod checks;
pub mod decode;
pub mod roundtrip;

use refclock_core::DriverConfig;

use super::{
    NmeaDriver, MODE_DATETRUST, MODE_DELAYMEAS, MODE_EXTLOG, MODE_GGA, MODE_GLL, MODE_IGNSTATUS,
    MODE_PGRMF, MODE_PUBX04, MODE_QUIETPPS, MODE_RMC, MODE_ZDA,
};
use crate::testkit::{Checker, FuzzCodec, FuzzDriver, Rules};

pub use decode::with_checksum;

impl FuzzCodec for NmeaDriver {
    fn decode(data: &[u8]) -> usize {
        decode::check(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        roundtrip::check(data)
    }

    fn examples() -> Vec<Vec<u8>> {
        [
            "$GPRMC,093802,A,5213.1439,N,02100.6511,E,000.0,226.0,160305,004.2,E,D*15",
            "$GPGGA,202640.000,4404.1306,N,12118.8515,W,2,10,0.98,1127.7,M,-19.6,M,0000,0000*6C",
            "$GPZDA,202640.000,13,04,2015,,*54",
            "$GNGLL,4916.45,N,12311.12,W,225444.5,A,A",
            "$GPZDG,120001.0,01,03,2024,03.50,2",
            "$PGRMF,290,293895,160305,093802,13,5213.1439,N,02100.6511,E,A,2,0,62,2,1",
            "$PUBX,04,073731.00,091202,113851.00,1196,15D,1930035,-2660.664,43,",
        ]
        .iter()
        .map(|l| l.as_bytes().to_vec())
        .collect()
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        [message, b"\r\n"].concat()
    }
}

impl FuzzDriver for NmeaDriver {
    /// Every documented bit, the three speed bits, a selection bit no
    /// sentence uses (0x400: everything is filtered), and an unused bit.
    const MODE_BITS: [u32; 16] = [
        MODE_RMC,
        MODE_GGA,
        MODE_GLL,
        MODE_ZDA,
        MODE_PGRMF,
        MODE_PUBX04,
        MODE_DELAYMEAS,
        MODE_EXTLOG,
        MODE_QUIETPPS,
        MODE_DATETRUST,
        MODE_IGNSTATUS,
        0x10,
        0x20,
        0x40,
        0x400,
        0x0010_0000,
    ];

    fn rules(config: &DriverConfig) -> Rules {
        Rules {
            sample_time_shift: -config.fudge.time2(),
            must_start: true,
            ..Rules::default()
        }
    }

    fn checker(config: &DriverConfig) -> Box<dyn Checker<Self>> {
        Box::new(checks::NmeaChecks::new(config))
    }
}

#[cfg(test)]
mod tests {
    use refclock_core::calendar::Basedate;
    use refclock_core::rng::Rng;

    use super::*;
    use crate::testkit::script::{encode, Header};
    use crate::testkit::{busy_host, run_script, Op};

    fn header() -> Header {
        // 2024-01-01 as the start, a 2020 base date.
        Header::at(1_704_067_200, 18_262)
    }

    #[test]
    fn zda_gives_samples_at_the_receive_time() {
        let mut ops = vec![];
        for s in 1..=5u8 {
            ops.push(Op::Data(
                format!("$GPZDA,0000{s:02}.00,01,01,2024,00,00\r\n").into_bytes(),
            ));
            ops.push(Op::Ticks(0));
        }
        ops.push(Op::Poll);
        let h = Header {
            time2_ms: 100,
            ..header()
        };
        assert_eq!(run_script::<NmeaDriver>(&encode(&h, &ops)), 5);
    }

    #[test]
    fn not_in_sync_gives_nothing() {
        let ops = [Op::Data(
            b"$GPRMC,000001,V,4916.45,N,12311.12,W,000.5,054.7,010124,020.3,E*71\r\n".to_vec(),
        )];
        assert_eq!(run_script::<NmeaDriver>(&encode(&header(), &ops)), 0);
    }

    /// Valid sentences of every kind (the round trip's), a few bytes of
    /// them damaged, under random configurations and a busy host: the
    /// generic properties and the NMEA driver's hold.
    #[test]
    fn random_sentences_under_random_scripts() {
        let mut rng = Rng::new(11);
        let mut samples = 0;
        for _ in 0..150 {
            let mut stream = Vec::new();
            for _ in 0..40 {
                let (line, _) = roundtrip::build(&rng.bytes(40));
                stream.extend_from_slice(&NmeaDriver::framed(&line));
                if rng.percent(5) {
                    let at = rng.up_to(stream.len() as u64 - 1) as usize;
                    stream[at] = rng.next_u64() as u8;
                }
            }
            let header = Header {
                mode_bits: rng.next_u64() as u16 & !(1 << 14),
                flags: rng.next_u64() as u8,
                time1_ms: rng.up_to(400) as i16 - 200,
                time2_ms: rng.up_to(1000) as i16 - 500,
                ..Header::at(1_700_000_000, 18_000 + rng.up_to(3000) as i64)
            };
            let ops = busy_host(&mut rng, &stream, 90);
            samples += run_script::<NmeaDriver>(&encode(&header, &ops));
        }
        assert!(samples > 100, "{samples}");
    }

    #[test]
    fn examples_decode() {
        for line in NmeaDriver::examples() {
            // Those without a checksum decode with one appended, too.
            assert_eq!(
                NmeaDriver::decode(&line),
                1 + usize::from(!line.contains(&b'*'))
            );
            assert_eq!(NmeaDriver::framed(&line), [&line[..], b"\r\n"].concat());
        }
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            assert_eq!(NmeaDriver::roundtrip(&rng.bytes(32)), 1);
        }
        assert_eq!(Basedate::from_ymd(2020, 1, 1).unwrap(), header().basedate());
    }
}
