//! The Trimble driver under the fuzzer (feature `testkit`): its targets
//! `trimble_decode` (every packet of a byte stream through the decoder
//! in every mode), `trimble_roundtrip` (each timing report built from
//! the fuzz bytes, encoded, framed, decoded back) and `trimble_driver`
//! (the script runner).

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::framing::{DleFramer, FrameStatus, Framer};
use refclock_core::gps::EraWindow;
use refclock_core::{DriverConfig, Timestamp};

use super::decode::{decode, Decoded};
use super::reports as device;
use super::{Receiver, TrimbleDriver};
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};
use crate::tsip::timing::{
    Comprehensive, PrimaryTiming, PrimaryUtc, Supplemental, ID_SUPER_REPORT,
};
use crate::tsip::{self, v1, Packet};

/// The packets (id and data) of a byte stream.
fn packets(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut framer = DleFramer::new();
    let mut input = bytes;
    let mut out = Vec::new();
    while let Some(f) = framer.next_frame(&mut input, Timestamp::EPOCH) {
        if f.status == FrameStatus::Complete {
            out.push(f.data.to_vec());
        }
    }
    out
}

const MODES: [Receiver; 8] = [
    Receiver::Palisade,
    Receiver::Praecis,
    Receiver::Thunderbolt,
    Receiver::Acutime,
    Receiver::AcutimePortB,
    Receiver::Resolution,
    Receiver::Ace,
    Receiver::Copernicus,
];

/// Every packet of `data` in every mode, with and without the 1 Hz
/// packets; the count of times decoded. A time is within the window.
pub fn decode_stream(data: &[u8]) -> usize {
    let window = EraWindow::of_basedate(&Basedate::default());
    let mut n = 0;
    for frame in packets(data) {
        let Some(p) = Packet::from_frame(&frame) else {
            continue;
        };
        for r in MODES {
            for sync in [false, true] {
                if let Decoded::Time(t) = decode(r, &p, sync, &window) {
                    let start = window.start().secs();
                    let secs = t.utc.secs();
                    assert!(
                        secs >= start - 86_400 && secs < start + 1024 * 604_800 + 86_400,
                        "{t:?} outside the window"
                    );
                    n += 1;
                }
            }
        }
    }
    n
}

fn civil(input: &mut Input<'_>) -> CivilTime {
    // A second of 1980..2150.
    let secs = 315_964_800 + i64::from(input.u32()) % 5_364_662_400;
    let mut t = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    t.nanos = input.u32() % 1_000_000_000;
    t
}

/// One report built from the fuzz bytes, encoded, framed and decoded.
pub fn roundtrip(data: &[u8]) -> usize {
    let mut input = Input::new(data);
    let back = |bytes: Vec<u8>| -> Vec<u8> {
        let mut p = packets(&bytes);
        assert_eq!(p.len(), 1, "{bytes:02X?}");
        p.remove(0)
    };
    let sup = |d: Vec<u8>| back(tsip::encode(ID_SUPER_REPORT, &d));
    match input.u8() % 5 {
        0 => {
            let t = civil(&mut input);
            let a = device::primary_utc(&t, input.u16(), input.u8() & 1 == 0, input.u8() & 1 == 0);
            let f = sup(a.encode());
            let p = Packet::from_frame(&f).unwrap();
            assert_eq!(PrimaryUtc::decode(&p).unwrap(), a);
        }
        1 => {
            let t = civil(&mut input);
            let c = device::comprehensive(&t, input.u16(), i32::from(input.u8() % 40));
            let f = sup(c.encode());
            let p = Packet::from_frame(&f).unwrap();
            assert_eq!(Comprehensive::decode(&p).unwrap(), c);
        }
        2 => {
            let a = PrimaryTiming {
                tow: input.u32(),
                week: input.u16(),
                utc_offset: input.i16(),
                flags: input.u8(),
                second: input.u8(),
                minute: input.u8(),
                hour: input.u8(),
                day: input.u8(),
                month: input.u8(),
                year: input.u16(),
            };
            let f = sup(a.encode());
            let p = Packet::from_frame(&f).unwrap();
            assert_eq!(PrimaryTiming::decode(&p).unwrap(), a);
        }
        3 => {
            let s = Supplemental {
                receiver_mode: input.u8(),
                disciplining_mode: input.u8(),
                holdover: input.u32(),
                critical: input.u16(),
                minor: input.u16(),
                decoding: input.u8(),
            };
            let f = sup(s.encode());
            let p = Packet::from_frame(&f).unwrap();
            assert_eq!(Supplemental::decode(&p).unwrap(), s);
        }
        _ => {
            let named = Timestamp::from_secs(civil(&mut input).to_timestamp().unwrap().secs());
            let valid = input.u8() & 1 == 0;
            let timing = v1::Timing {
                qerr: f32::from(input.i16()) * 1e-9,
                ..device::v1_timing(named, 18, valid)
            };
            let f = back(tsip::encode(v1::ID_TIMING, &timing.packet()));
            let p = Packet::from_frame(&f).unwrap();
            let v = v1::V1Packet::decode(&p).unwrap();
            assert_eq!(v1::Timing::decode(&v).unwrap(), timing);
            // And the driver's decoder names the epoch's second.
            let window = EraWindow::new(&Basedate::from_ymd(1980, 1, 6).unwrap(), named);
            if let Decoded::Time(r) = decode(Receiver::Resolution, &p, true, &window) {
                assert!(valid);
                assert_eq!(r.utc, named);
            } else {
                assert!(!valid);
            }
        }
    }
    1
}

impl FuzzCodec for TrimbleDriver {
    fn decode(data: &[u8]) -> usize {
        decode_stream(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        roundtrip(data)
    }

    /// 2024-01-01 00:00:00-00:00:03 (the generic driver seed starts
    /// then) as 8F-AB + 8F-AC, 8F-AD + 8F-0B, 0x41 and A1-00.
    fn examples() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for s in 0..4 {
            let named = Timestamp::from_secs(1_704_067_200 + s);
            let time = CivilTime::from_timestamp(named);
            out.push(tsip::encode(
                ID_SUPER_REPORT,
                &device::primary_timing(named, 18, true).encode(),
            ));
            out.push(tsip::encode(
                ID_SUPER_REPORT,
                &Supplemental {
                    receiver_mode: 7,
                    disciplining_mode: 0,
                    holdover: 0,
                    critical: 0,
                    minor: 0,
                    decoding: 0,
                }
                .encode(),
            ));
            let ad = device::primary_utc(&time, 0, true, false);
            out.push(tsip::encode(ID_SUPER_REPORT, &ad.encode()));
            let ob = device::comprehensive(&time, 0, 18);
            out.push(tsip::encode(ID_SUPER_REPORT, &ob.encode()));
            let g = device::gps_time(named, 18, true);
            out.push(tsip::encode(tsip::ID_GPS_TIME, &g.encode()));
            out.push(tsip::encode(
                v1::ID_TIMING,
                &device::v1_timing(named, 18, true).packet(),
            ));
        }
        out
    }
}

impl FuzzDriver for TrimbleDriver {
    /// Modes 0-7 from bits 0-2; 8 and more are unknown (run as 0); 0x80
    /// is masked off as ntpd does.
    const MODE_BITS: [u32; 16] = [1, 2, 4, 8, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// Event-polled samples are taken at the poll's time; an 8F-0B sample
    /// keeps the leap indicator a refused report left; PPS moves the
    /// receive time onto the pulse's phase (the script runner gives no
    /// PPS path, so it never does here).
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            samples_at_ticks: true,
            samples_when_not_in_sync: true,
            must_start: true,
            ..Rules::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::FuzzCodec;

    /// The fuzzer's find: a 0x41 whose UTC offset (about 1.7e9 s) put
    /// the time outside the era window; such offsets are refused now.
    #[test]
    fn absurd_utc_offset_is_refused() {
        let crash = [
            0x10, 0x41, 0x47, 0x00, 0x00, 0x7a, 0xfd, 0x1d, 0xce, 0x02, 0x00, 0x00, 0x10, 0x03,
        ];
        assert_eq!(decode_stream(&crash), 0);
    }

    #[test]
    fn examples_decode_and_roundtrips_hold() {
        let stream: Vec<u8> = TrimbleDriver::examples().concat();
        assert!(decode_stream(&stream) >= 4 * 4);
        for seed in 0..300u32 {
            let bytes: Vec<u8> = (0..40)
                .map(|i| (seed.wrapping_mul(2_654_435_761) >> (i % 24)) as u8 ^ i as u8)
                .collect();
            assert_eq!(roundtrip(&bytes), 1);
        }
    }
}
