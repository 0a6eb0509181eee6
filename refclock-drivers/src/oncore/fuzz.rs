//! The Oncore driver under the fuzzer (feature `testkit`): `oncore_decode`
//! (any bytes framed, each message decoded: no panic, every decoded field
//! in range), `oncore_roundtrip` (an arbitrary position, TRAIM or `@@Gj`
//! message encoded, framed and decoded back to itself) and `oncore_driver`
//! (the script runner, serial-only: a pseudo-random script has no pulses
//! to pair; the PPS path is tested in `driver_tests.rs`).

use refclock_core::calendar::{days_in_month, CivilTime};
use refclock_core::framing::{FrameStatus, Framer, OncoreFramer};
use refclock_core::{DriverConfig, Timestamp};

use super::codec::{self, LeapInfo, Position, Traim};
use super::OncoreDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

/// Frames `data` and decodes each message; returns how many decoded.
pub fn decode(data: &[u8]) -> usize {
    let mut framer = OncoreFramer::new();
    let mut n = 0;
    framer.feed(data, Timestamp::EPOCH, |f| {
        if f.status != FrameStatus::Complete {
            return;
        }
        let m = f.data;
        match &m[2..4] {
            b"Ba" | b"Ea" | b"Ha" => {
                if let Ok(p) = codec::decode_position(m) {
                    let t = p.time;
                    assert!((1980..=2079).contains(&t.year));
                    assert!((1..=12).contains(&t.month));
                    assert!(t.day >= 1 && t.day <= days_in_month(t.year, t.month));
                    assert!(t.hour < 24 && t.minute < 60 && t.second <= 60);
                    assert!(t.nanos < 1_000_000_000);
                    // What is decoded encodes to a message that decodes
                    // to it again (the bytes not decoded are zero then).
                    let again = codec::encode_position(&p);
                    assert_eq!(again.len(), m.len());
                    assert_eq!(codec::decode_position(&again), Ok(p));
                    let _ = (p.mode(), p.bad_almanac(), p.bad_fix(), p.timestamp());
                    n += 1;
                }
            }
            b"Bn" | b"En" | b"Hn" => {
                if let Ok(t) = codec::decode_traim(m) {
                    assert_eq!(codec::channels_of([m[2], m[3]]), Some(t.chan));
                    n += 1;
                }
            }
            b"Gj" if codec::decode_gj(m).is_ok() => n += 1,
            b"Cj" => {
                let _ = codec::model_of(m);
                n += 1;
            }
            _ => {}
        }
    });
    n
}

/// Builds a message from `data`, encodes, frames and decodes it.
pub fn roundtrip(data: &[u8]) -> usize {
    let mut input = Input::new(data);
    let chan = [6u8, 8, 12][usize::from(input.u8() % 3)];
    let framed_once = |m: &[u8]| {
        let mut f = OncoreFramer::new();
        let mut got = Vec::new();
        f.feed(m, Timestamp::EPOCH, |fr| {
            got.push((fr.status, fr.data.to_vec()))
        });
        assert_eq!(got, vec![(FrameStatus::Complete, m.to_vec())]);
    };
    match input.u8() % 3 {
        0 => {
            let year = 1980 + i32::from(input.u8() % 100);
            let month = 1 + input.u8() % 12;
            let day = 1 + input.u8() % days_in_month(year, month);
            let mut time = CivilTime::new(
                year,
                month,
                day,
                input.u8() % 24,
                input.u8() % 60,
                input.u8() % 61,
            );
            time.nanos = input.u32() % 1_000_000_000;
            let status = input.u16();
            let p = Position {
                chan,
                time,
                lat: input.i32(),
                lon: input.i32(),
                height: input.i32(),
                status: if chan == 12 { status } else { status & 0xff },
                dop_type: if chan == 8 { input.u8() } else { 0 },
                utc_flags: if chan == 12 { input.u8() } else { 0 },
            };
            let m = codec::encode_position(&p);
            framed_once(&m);
            assert_eq!(codec::decode_position(&m), Ok(p));
        }
        1 => {
            let t = Traim {
                chan,
                status: input.u8(),
                sawtooth: input.u8() as i8,
            };
            let m = codec::encode_traim(&t);
            framed_once(&m);
            assert_eq!(codec::decode_traim(&m), Ok(t));
        }
        _ => {
            let l = LeapInfo {
                current: input.u8(),
                future: input.u8(),
                year: input.u16(),
                month: input.u8(),
                day: input.u8(),
                hour: input.u8(),
                minute: input.u8(),
                second: input.u8(),
            };
            let m = codec::encode_gj(&l);
            framed_once(&m);
            assert_eq!(codec::decode_gj(&m), Ok(l));
        }
    }
    1
}

impl FuzzCodec for OncoreDriver {
    fn decode(data: &[u8]) -> usize {
        decode(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        roundtrip(data)
    }

    /// An M12+T's side of a whole start-up in mode 0 and then a running
    /// receiver (2024-01-01 00:00:00 on, one position message a second):
    /// `@@Cj`, six `@@Ha` (channel test), `@@Cj`, `@@Ia` (self test),
    /// `@@Cj`, five `@@Ha` (the pause before the almanac check), then
    /// `@@Ha` with `@@Hn` for 12 s, which give samples after the TRAIM
    /// test and the four-message UTC wait; a UT+ and a Basic second and a
    /// `@@Gj` after it.
    fn examples() -> Vec<Vec<u8>> {
        let ha = |s: u8| {
            codec::encode_position(&Position {
                chan: 12,
                time: CivilTime::new(2024, 1, 1, 0, 0, s),
                lat: 207_766_190,
                lon: 43_281_353,
                height: 8_511,
                status: 0x8001,
                dop_type: 0,
                utc_flags: 0xd2,
            })
        };
        let mut out = vec![codec::encode_cj("P273T12T12")];
        out.extend((0..6).map(ha));
        out.push(codec::encode_cj("P273T12T12"));
        out.push(codec::message(&[b'I', b'a', 0, 0, 0]));
        out.push(codec::encode_cj("P273T12T12"));
        out.extend((6..11).map(ha));
        for s in 11..23u8 {
            out.push(ha(s));
            out.push(codec::encode_traim(&Traim {
                chan: 12,
                status: 0,
                sawtooth: (i16::from(s) * 7 - 80) as i8,
            }));
        }
        for (chan, status) in [(8u8, 0x08u16), (6, 0x08)] {
            out.push(codec::encode_position(&Position {
                chan,
                time: CivilTime::new(2024, 1, 1, 0, 0, 23),
                lat: 207_766_190,
                lon: 43_281_353,
                height: 8_511,
                status,
                dop_type: 0,
                utc_flags: 0,
            }));
            out.push(codec::encode_traim(&Traim {
                chan,
                status: 0,
                sawtooth: -20,
            }));
        }
        out.push(codec::encode_gj(&LeapInfo {
            current: 18,
            future: 19,
            year: 2024,
            month: 1,
            day: 31,
            hour: 23,
            minute: 59,
            second: 60,
        }));
        out
    }
}

impl FuzzDriver for OncoreDriver {
    /// Samples at the receive time of a position message's first byte
    /// less time2.
    fn rules(config: &DriverConfig) -> Rules {
        Rules {
            sample_time_shift: -config.fudge.time2(),
            must_start: true,
            ..Rules::default()
        }
    }

    /// Serial-only, `/dev/null` as the (empty: mode 0) configuration file
    /// and as device: the driver starts without touching a real file.
    fn script_config(mut config: DriverConfig) -> DriverConfig {
        config.device = Some("/dev/null".into());
        config.pps_device = Some("/dev/null".into());
        config.options = vec![
            ("serial-only".into(), None),
            ("config".into(), Some("/dev/null".into())),
        ];
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::run_script;

    #[test]
    fn examples_decode_and_round_trip() {
        let all: Vec<u8> = OncoreDriver::examples().concat();
        assert_eq!(decode(&all), OncoreDriver::examples().len() - 1);
        for i in 0..200u32 {
            let data: Vec<u8> = (0..40u32).map(|k| (i * 31 + k * 7 + k * k) as u8).collect();
            assert_eq!(roundtrip(&data), 1);
        }
        // The start-up transcript as one read after a plain header: samples.
        let mut script = vec![0u8; 16];
        script.extend_from_slice(&all);
        assert!(run_script::<OncoreDriver>(&script) > 0);
    }
}
