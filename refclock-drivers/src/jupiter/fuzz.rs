//! The Jupiter driver under the fuzzer (feature `testkit`): the targets
//! `jupiter_decode` ([`decode`]), `jupiter_roundtrip` ([`roundtrip`]) and
//! `jupiter_driver` (the script runner with [`JupiterChecks`]).

use refclock_core::framing::{FrameStatus, Framer, ZodiacFramer, ZodiacMessage};
use refclock_core::{Action, Clock, DriverConfig, Timestamp};

use super::codec::{self, Decoded, Position, ReceiverId, TimeMark};
use super::driver::mark_time;
use super::JupiterDriver;
use crate::testkit::{Call, Checker, FuzzCodec, FuzzDriver, Input, Rules};

fn word(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([b[10 + 2 * i], b[11 + 2 * i]])
}

fn long(b: &[u8], i: usize) -> u32 {
    u32::from(word(b, i)) | u32::from(word(b, i + 1)) << 16
}

/// Frames `data` as a stream and decodes each whole message: a decoded
/// message's fields are its words read plainly, and its encoding is its
/// bytes where the layout keeps every word (1000, 1011; a 1108 with zero
/// reserved words). Returns the messages decoded.
pub fn decode(data: &[u8]) -> usize {
    let mut framer = ZodiacFramer::new();
    let mut n = 0;
    let mut input = data;
    while let Some(f) = framer.next_frame(&mut input, Timestamp::EPOCH) {
        let bytes = f.data.to_vec();
        let status = f.status;
        let result = codec::decode(&bytes);
        if status != FrameStatus::Complete {
            assert!(result.is_err(), "a bad frame decoded: {bytes:02x?}");
            continue;
        }
        let m = ZodiacMessage::new(&bytes).expect("a complete frame is a message");
        match result {
            Ok(Decoded::TimeMark(t)) => {
                assert_eq!(m.data_words(), codec::TIME_MARK_WORDS);
                assert_eq!(t.week_secs, long(&bytes, 8));
                assert_eq!(t.gps_utc_secs as u16, word(&bytes, 10));
                assert_eq!(t.flags, word(&bytes, 13));
                if (3..8).all(|i| word(&bytes, i) == 0) && m.flags() == 0 {
                    assert_eq!(codec::encode_time_mark(&t), bytes);
                }
                n += 1;
            }
            Ok(Decoded::Position(p)) => {
                assert_eq!(p.week, word(&bytes, 8));
                if m.flags() == 0 {
                    assert_eq!(codec::encode_position(&p), bytes);
                }
                n += 1;
            }
            Ok(Decoded::Receiver(r)) => {
                if m.flags() == 0 {
                    assert_eq!(codec::encode_receiver(&r), bytes);
                }
                let _ = r.describe();
                n += 1;
            }
            Ok(Decoded::Other(id)) => {
                assert!(![1000, 1011, 1108].contains(&id));
            }
            Err(e) => {
                assert!(matches!(e, codec::ZodiacError::Length { .. }), "{e}");
            }
        }
    }
    n
}

/// Builds a 1108, 1000 or 1011 from `data`, encodes it and decodes it
/// back; and for a 1108 and a pivot, the second it names is within half a
/// week of the pivot and at its time of week.
pub fn roundtrip(data: &[u8]) -> usize {
    let mut r = Input::new(data);
    match r.u8() % 3 {
        0 => {
            let t = TimeMark {
                set_time: r.u32(),
                sequence: r.u16(),
                week_secs: r.u32(),
                gps_utc_secs: r.i16(),
                gps_utc_nanos: r.u32(),
                flags: r.u16(),
            };
            assert_eq!(
                codec::decode(&codec::encode_time_mark(&t)),
                Ok(Decoded::TimeMark(t))
            );
            // Pivots from 1970 to about 2100.
            let pivot =
                Timestamp::from_nanos(i128::from(r.u64() % (4_102_444_800 * 1_000_000_000)));
            let named = mark_time(&t, pivot);
            let d = named.as_nanos() - pivot.as_nanos();
            let half = 302_400 * 1_000_000_000i128;
            assert!((-half..half).contains(&d), "{t:?} {pivot:?} {named:?}");
            let week = 604_800 * 1_000_000_000i128;
            let tow = (named.as_nanos() - 315_964_800 * 1_000_000_000).rem_euclid(week);
            assert_eq!(tow, i128::from(t.utc_week_nanos()).rem_euclid(week));
        }
        1 => {
            let mut p = Position {
                set_time: r.u32(),
                sequence: r.u16(),
                nav_validity: r.u16(),
                week: r.u16(),
                week_secs: r.u32(),
                nanos: r.u32(),
                ..Position::default()
            };
            for w in p.utc.iter_mut().chain(p.rest.iter_mut()) {
                *w = r.u16();
            }
            assert_eq!(
                codec::decode(&codec::encode_position(&p)),
                Ok(Decoded::Position(p))
            );
        }
        _ => {
            let mut id = ReceiverId {
                set_time: r.u32(),
                sequence: r.u16(),
                ..ReceiverId::default()
            };
            for f in &mut id.fields {
                *f = r.array();
            }
            assert_eq!(
                codec::decode(&codec::encode_receiver(&id)),
                Ok(Decoded::Receiver(id))
            );
        }
    }
    1
}

impl FuzzCodec for JupiterDriver {
    fn decode(data: &[u8]) -> usize {
        decode(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        roundtrip(data)
    }

    /// Around 2024-01-01 00:00:00 (where the generic driver seed starts):
    /// a 1000 and the 1108 naming each of the next seconds; gpsd's real
    /// 1108; a receiver id; an acknowledgement; an invalid time mark.
    fn examples() -> Vec<Vec<u8>> {
        let t0 = 1_704_067_200i64;
        let mut out = Vec::new();
        for k in 0..5 {
            let g = refclock_core::gps::GpsTime::from_utc(Timestamp::from_secs(t0 + k), 18);
            out.push(codec::encode_position(&Position {
                week: g.week as u16,
                week_secs: g.tow_secs(),
                ..Position::default()
            }));
            let u = refclock_core::gps::GpsTime::from_utc(Timestamp::from_secs(t0 + k + 1), 0);
            out.push(codec::encode_time_mark(&TimeMark {
                week_secs: u.tow_secs(),
                gps_utc_secs: 18,
                flags: codec::MARK_VALID | codec::MARK_UTC,
                ..TimeMark::default()
            }));
        }
        out.push(
            (0..40)
                .map(|i| {
                    u8::from_str_radix(
                        &"ff8154040e0000009f79045c4000c02400000000000000000000ad7402000d0001000000ffff400a"
                            [2 * i..2 * i + 2],
                        16,
                    )
                    .unwrap()
                })
                .collect(),
        );
        out.push(codec::encode_receiver(&ReceiverId::with_texts([
            "12", "1.02", "01/01/00", "TIMING", "",
        ])));
        out.push(codec::message(codec::ID_RECEIVER, codec::flags::ACK, &[]));
        out.push(codec::encode_time_mark(&TimeMark::default()));
        out
    }
}

impl FuzzDriver for JupiterDriver {
    /// Samples come at pulses (within 1 s of an edge, the generic rule),
    /// never while not in sync; it starts with any configuration.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            ..Rules::default()
        }
    }

    fn checker(config: &DriverConfig) -> Box<dyn Checker<Self>> {
        Box::new(JupiterChecks {
            clear: config
                .fudge
                .flags
                .contains(refclock_core::ClockFlags::FLAG3),
            edges: Vec::new(),
        })
    }
}

/// The driver's own properties: a sample comes only from a call that
/// hands in a PPS edge, a tick or device bytes, and is taken at a PPS
/// edge of the configured kind handed in before (the reference time is
/// the second an 1108 named, less GPS − UTC when that is not on UTC: not
/// checked here); its leap indicator is "no warning".
pub struct JupiterChecks {
    clear: bool,
    edges: Vec<Timestamp>,
}

impl Checker<JupiterDriver> for JupiterChecks {
    fn check(&mut self, _clock: &Clock<JupiterDriver>, call: &Call<'_>, actions: &[Action]) {
        if let Call::Pps(e) = call {
            if (e.kind == refclock_core::port::PpsEdgeKind::Clear) == self.clear {
                self.edges.push(e.time);
            }
        }
        for a in actions {
            if let Action::Sample(s) = a {
                assert!(
                    matches!(call, Call::Pps(_) | Call::Timer(_) | Call::Receive { .. }),
                    "a sample from {call:?}"
                );
                assert!(self.edges.contains(&s.time), "{s:?} at no edge");
                assert_eq!(s.leap, refclock_core::Leap::NoWarning);
                assert!(!s.pulse);
            }
        }
    }
}

/// A script for `jupiter_driver` that reaches the samples: from
/// 2024-01-01 00:00:00, each second a 1000 at the second, the 1108 naming
/// the next at 0.6 s and that second's pulse 100 µs late; a poll at the
/// end. (The generic seeds have no pulse after a 1108 and give none.)
pub fn pulse_script() -> Vec<u8> {
    use crate::testkit::script::encode;
    use crate::testkit::{Header, Op};
    let t0 = 1_704_067_200i64;
    let ex = <JupiterDriver as FuzzCodec>::examples();
    let mut ops = Vec::new();
    for k in 0..5 {
        ops.push(Op::Data(ex[2 * k].clone()));
        ops.push(Op::AdvanceMs(600));
        ops.push(Op::Data(ex[2 * k + 1].clone()));
        ops.push(Op::AdvanceMs(400));
        ops.push(Op::Pps {
            offset: 1,
            clear: false,
        });
    }
    ops.push(Op::Poll);
    encode(&Header::at(t0, 18_262), &ops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::run_script;

    /// The committed `fuzz/corpus/jupiter_driver/pulses-2024` is
    /// [`pulse_script`] (`JUPITER_WRITE_CORPUS=1` writes it) and gives a
    /// sample per pulse.
    #[test]
    fn the_pulse_script_gives_samples() {
        let script = pulse_script();
        assert_eq!(run_script::<JupiterDriver>(&script), 5);
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/corpus/jupiter_driver/pulses-2024");
        if std::env::var_os("JUPITER_WRITE_CORPUS").is_some() {
            std::fs::write(&path, &script).unwrap();
        }
        if let Ok(committed) = std::fs::read(&path) {
            assert_eq!(committed, script, "{}: stale", path.display());
        }
    }

    #[test]
    fn the_examples_decode_and_round_trip() {
        let ex = <JupiterDriver as FuzzCodec>::examples();
        let all: Vec<u8> = ex.concat();
        assert_eq!(decode(&all), 13);
        for e in &ex {
            let _ = decode(e);
        }
        for seed in 0..300u32 {
            let bytes: Vec<u8> = (0..120)
                .map(|i| (seed.wrapping_mul(2_654_435_761).wrapping_add(i * 40_503) >> 7) as u8)
                .collect();
            assert_eq!(roundtrip(&bytes), 1);
            let _ = decode(&bytes);
            let _ = run_script::<JupiterDriver>(&bytes);
        }
    }
}
