//! The GPSD JSON driver under the fuzzer (feature `testkit`): its targets
//! `gpsd_decode` (the JSON reader on any line), `gpsd_roundtrip` (objects
//! built from the data, encoded as gpsd writes them, read back) and
//! `gpsd_driver` (the script runner).
//!
//! [`FuzzCodec::decode`] checks, beyond not panicking: a line the reader
//! takes is valid JSON (serde_json agrees it is an object with a string
//! `class`); a TPV time it reads is a valid date whose text comes back
//! when it names whole milliseconds; time pairs are in range.

use refclock_core::{DriverConfig, Timestamp};

use super::codec::{self, decode, encode, format_time, parse_time, Object};
use super::GpsdDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

fn check_decode(line: &[u8]) -> bool {
    let Ok(obj) = decode(line) else {
        return false;
    };
    let v: serde_json::Value = serde_json::from_slice(line).expect("taken lines are JSON");
    assert!(v.get("class").is_some_and(serde_json::Value::is_string));
    match obj {
        Object::Tpv(t) => {
            if let Some(time) = t.time {
                if let Ok(ts) = parse_time(&time) {
                    if ts.subsec_nanos() % 1_000_000 == 0 && time.len() == 24 {
                        assert_eq!(format_time(ts), time);
                    }
                }
            }
        }
        Object::Pps(p) | Object::Toff(p) => {
            for nsec in [true, false] {
                if let Some((real, clock)) = p.times(nsec) {
                    assert!(real.subsec_nanos() < 1_000_000_000);
                    assert!(clock.subsec_nanos() < 1_000_000_000);
                }
            }
        }
        Object::Version(v) => assert_eq!(v.proto() >> 16, u32::from(v.major)),
        Object::Watch(_) | Object::Other(_) => {}
    }
    true
}

impl FuzzCodec for GpsdDriver {
    fn decode(data: &[u8]) -> usize {
        data.split(|&b| b == b'\n')
            .filter(|l| check_decode(l))
            .count()
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 13 {
            return 0;
        }
        // Any instant from 1970 to about 2106, milliseconds for the TPV.
        let secs = i64::from(input.u32());
        let nanos = input.u32() % 1_000_000_000;
        let t = Timestamp::new(secs, nanos);
        let ms = Timestamp::new(secs, nanos / 1_000_000 * 1_000_000);
        let clock = Timestamp::new(
            secs.saturating_sub(i64::from(input.u8())),
            input.u32() % 1_000_000_000,
        );
        let line = encode::tpv("/dev/ttyS0", 3, Some(ms));
        let Ok(Object::Tpv(tpv)) = decode(&line) else {
            panic!("TPV {line:?}")
        };
        assert_eq!(parse_time(tpv.time.as_deref().unwrap()), Ok(ms));
        for class in ["PPS", "TOFF"] {
            let line = encode::time_pair(class, "/dev/ttyS0", t, clock);
            let (Ok(Object::Pps(p)) | Ok(Object::Toff(p))) = decode(&line) else {
                panic!("{class} {line:?}")
            };
            assert_eq!(p.times(true), Some((t, clock)));
        }
        let device: String = input
            .rest()
            .iter()
            .map(|&b| char::from(b))
            .take(40)
            .collect();
        let req = codec::watch_request(&device, true);
        let json = &req[b"?WATCH=".len()..req.len() - 3];
        let v: serde_json::Value = serde_json::from_slice(json).expect("the request is JSON");
        assert_eq!(v["device"].as_str(), Some(device.as_str()));
        1
    }

    fn examples() -> Vec<Vec<u8>> {
        let t = Timestamp::new(1_704_067_200, 0);
        let dev = "/dev/null";
        let mut v = vec![
            encode::version("3.22", 3, 14),
            encode::devices(dev),
            encode::watch(dev, true),
            encode::tpv(dev, 1, None),
        ];
        for k in 0..4 {
            let s = Timestamp::new(t.secs() + k, 0);
            v.push(encode::time_pair("PPS", dev, s, s.add_secs_f64(0.0001)));
            v.push(encode::tpv(dev, 3, Some(s)));
            v.push(encode::time_pair("TOFF", dev, s, s.add_secs_f64(0.05)));
        }
        v.push(encode::version("3.8", 3, 8));
        v.push(br#"{"class":"PPS","real_sec":1704067205,"real_musec":0,"clock_sec":1704067204,"clock_musec":999990}"#.to_vec());
        v.into_iter()
            .map(|l| {
                let n = l.len() - usize::from(l.ends_with(b"\r\n")) * 2;
                l[..n].to_vec()
            })
            .collect()
    }

    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = message.to_vec();
        v.extend_from_slice(b"\r\n");
        v
    }
}

impl FuzzDriver for GpsdDriver {
    /// Modes 0..3 and two bits it refuses.
    const MODE_BITS: [u32; 16] = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 4, 0x100];

    /// Samples at gpsd's times (TOFF, PPS) or our receive times less
    /// time2 (TPV before protocol 3.10), only in sync.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            samples_from_data: true,
            ..Rules::default()
        }
    }

    /// `/dev/null` as the watched device (a character device).
    fn script_config(config: DriverConfig) -> DriverConfig {
        DriverConfig {
            device: Some("/dev/null".into()),
            ..config
        }
    }
}
