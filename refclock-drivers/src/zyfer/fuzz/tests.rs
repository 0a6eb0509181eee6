//! The fuzz bodies on known inputs, and the driver's checker under
//! random scripts.

use refclock_core::rng::Rng;

use super::codec::arbitrary;
use super::*;
use crate::testkit::script::{encode, Header};
use crate::testkit::{busy_host, run_script, Op, PortOp};
use crate::zyfer::codec::{self as zcodec, LEN};

/// 2024-01-01 as the start, a 2020 base date (the generic seed's).
fn header() -> Header {
    Header::at(1_704_067_200, 18_262)
}

fn record(text: &str) -> Op {
    Op::Data(text.as_bytes().to_vec())
}

#[test]
fn examples_decode_and_round_trip() {
    for e in ZyferDriver::examples() {
        assert_eq!(
            ZyferDriver::decode(&e),
            1,
            "{}",
            String::from_utf8_lossy(&e)
        );
        assert_eq!(ZyferDriver::framed(&e), e, "no framing beyond the record");
    }
    let mut rng = Rng::new(7);
    let mut leap_seconds = 0;
    for _ in 0..5000 {
        let data = rng.bytes(12);
        assert_eq!(ZyferDriver::roundtrip(&data), 1);
        leap_seconds += usize::from(arbitrary(&data).second == 60);
    }
    assert!(leap_seconds > 20, "{leap_seconds}");
    assert_eq!(ZyferDriver::roundtrip(&[]), 1, "zeros: year 0, day 1");
}

/// Every byte of every example replaced by a handful of values: the
/// decoder and the naive reading agree on each (the body panics if not),
/// and only digits for digits keep a record decodable.
#[test]
fn damaged_examples_agree_with_the_naive_reading() {
    let mut decoded = 0;
    let mut total = 0;
    for e in ZyferDriver::examples() {
        for i in 0..LEN {
            for b in [b'0', b'9', b',', b'!', b' ', b'-', 0x00, 0xB1] {
                let mut d = e.clone();
                d[i] = b;
                decoded += ZyferDriver::decode(&d);
                total += 1;
            }
        }
        for n in [0, 1, 6, 28, 30] {
            let mut d = e.clone();
            d.resize(n, b'0');
            assert_eq!(ZyferDriver::decode(&d), 0, "{n} bytes");
        }
    }
    assert!(decoded > 0 && decoded < total / 2, "{decoded} of {total}");
}

/// The examples one a second from 2024-01-01: a sample from each locked
/// UTC record (ntpd's 2002 and the 2016 leap second moved by whole eras
/// into the window), none from the coasting, GPS-time and warm-up ones.
#[test]
fn the_examples_one_a_second() {
    let mut ops = Vec::new();
    for e in ZyferDriver::examples() {
        ops.push(Op::Data(e));
        ops.push(Op::Ticks(0));
    }
    ops.push(Op::Poll);
    assert_eq!(run_script::<ZyferDriver>(&encode(&header(), &ops)), 6);
}

/// ntpd's bug: unlocked once, "not in sync" for good. Here the samples
/// come back, and the checker follows the leap indicator and the
/// filtering armed by the polls.
#[test]
fn locked_unlocked_locked() {
    let ops = [
        Op::Poll,
        record("!TIME,2024,001,00,00,00,2,4,1"),
        Op::AdvanceSecs(1),
        Op::Poll,
        record("!TIME,2024,001,00,00,01,2,6,2"),
        Op::AdvanceSecs(1),
        Op::Poll,
        Op::Poll,
        Op::Poll,
        record("!TIME,2024,001,00,00,02,2,4,1"),
    ];
    let h = Header {
        time1_ms: -25,
        ..header()
    };
    assert_eq!(run_script::<ZyferDriver>(&encode(&h, &ops)), 2);
}

/// A record split over reads around a lost port, a `!` inside a record,
/// garbage between records, and a unit and mode from the header.
#[test]
fn cut_records_and_a_lost_port() {
    let r = b"!TIME,2024,001,00,00,00,2,4,1";
    let ops = [
        Op::Data(r[..10].to_vec()),
        Op::Port {
            port: 0,
            op: PortOp::Bounce,
        },
        Op::Data(r[10..].to_vec()),
        Op::AdvanceMs(1000),
        Op::Data(b"\x00\xa1garbage!TIME,2024,0".to_vec()),
        Op::AdvanceMs(3),
        Op::Data(b"!TIME,2024,001,00,00,01,2,4,1xyz\r\n".to_vec()),
        Op::Port {
            port: 0,
            op: PortOp::Lost,
        },
        Op::Data(r.to_vec()),
        Op::Port {
            port: 0,
            op: PortOp::Reopened,
        },
        Op::AdvanceMs(997),
        Op::Data(b"!TIME,2024,001,00,00,02,2,4,1".to_vec()),
    ];
    let h = Header {
        flags: 0x5f,
        mode_bits: 0xffff,
        ..header()
    };
    assert_eq!(run_script::<ZyferDriver>(&encode(&h, &ops)), 2);
}

/// Random records of every kind (the round trip's), one a second with a
/// few bytes damaged, under random configurations and a busy host: the
/// generic properties and the Zyfer driver's hold.
#[test]
fn random_records_under_random_scripts() {
    let mut rng = Rng::new(42);
    let mut samples = 0;
    for _ in 0..200 {
        let start = 1_700_000_000 + rng.up_to(400_000_000) as i64;
        let mut stream = Vec::new();
        for k in 0..30 {
            let mut t = arbitrary(&rng.bytes(12));
            if rng.percent(70) {
                // Mostly what a locked receiver says around the start.
                let civil = refclock_core::calendar::CivilTime::from_timestamp(
                    refclock_core::Timestamp::from_secs(start + k),
                );
                t = zcodec::ZyferTime::from_civil(&civil, 2, 4, 1);
            }
            stream.extend_from_slice(&zcodec::encode(&t));
            if rng.percent(10) {
                let at = rng.up_to(stream.len() as u64 - 1) as usize;
                stream[at] = rng.next_u64() as u8;
            }
        }
        let header = Header {
            mode_bits: rng.next_u64() as u16,
            flags: rng.next_u64() as u8,
            time1_ms: rng.up_to(400) as i16 - 200,
            ..Header::at(start, 11_000 + rng.up_to(10_000) as i64)
        };
        let ops = busy_host(&mut rng, &stream, 40);
        samples += run_script::<ZyferDriver>(&encode(&header, &ops));
    }
    assert!(samples > 1000, "{samples}");
}
