//! The Spectracom driver under the fuzzer (feature `testkit`): its
//! targets `spectracom_decode` ([`super::codec::decode`]
//! never panics and keeps its fields in range), `spectracom_roundtrip`
//! (encode → decode gives the timecode back, all three formats) and
//! `spectracom_driver` (the script runner's generic properties).

use refclock_core::calendar::days_in_year;
use refclock_core::DriverConfig;

use super::codec::{self, Format, Timecode};
use super::SpectracomDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input, Rules};

fn pick(input: &mut Input<'_>, of: &[u8]) -> u8 {
    of[usize::from(input.u8()) % of.len()]
}

impl FuzzCodec for SpectracomDriver {
    fn decode(data: &[u8]) -> usize {
        match codec::decode(data) {
            Ok(t) => {
                assert!((1..=366).contains(&t.day) && t.hour < 24 && t.minute < 60);
                assert!(t.second <= 60 && t.millis < 1000 && t.zone == 0);
                1
            }
            Err(e) => {
                let _ = (e.to_string(), e.event());
                0
            }
        }
    }

    fn roundtrip(data: &[u8]) -> usize {
        if data.len() < 12 {
            return 0;
        }
        let mut input = Input::new(data);
        let format = [Format::F0, Format::F2, Format::F3][usize::from(input.u8()) % 3];
        let year = 1900 + input.u16() % 200;
        let day = 1 + input.u16() % days_in_year(i32::from(year));
        let mut t = Timecode {
            format,
            sync: pick(&mut input, b" ?"),
            quality: pick(&mut input, b" ABCD"),
            year: Some(year),
            day,
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 61,
            millis: input.u16() % 1000,
            leap: pick(&mut input, b" L"),
            dst: pick(&mut input, b" SIDO"),
            zone: 0,
        };
        match format {
            Format::F0 => {
                t.year = None;
                t.quality = b' ';
                t.millis = 0;
                t.leap = b' ';
            }
            Format::F2 => t.year = Some(year % 100),
            Format::F3 => {
                t.quality = b' ';
                t.millis = 0;
            }
        }
        let code = codec::encode(&t);
        let back = codec::decode(&code).unwrap_or_else(|e| panic!("{t:?}: {e}"));
        assert_eq!(back, t);
        1
    }

    /// 2024-01-01 00:00:00-00:00:04 (the generic driver seed starts
    /// then) in format 2, one not in sync; format 0 and 3.
    fn examples() -> Vec<Vec<u8>> {
        [
            "  24 001 00:00:00.000  S",
            "  24 001 00:00:01.000  S",
            "? 24 001 00:00:02.000  S",
            "  24 001 00:00:03.000 LS",
            "   001 00:00:04  TZ=00",
            "0003  20240101 000005+0000S #",
        ]
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
    }

    /// CR LF (the on-time CR) and the timecode; format 0 ends with CR LF
    /// too.
    fn framed(message: &[u8]) -> Vec<u8> {
        let mut v = b"\r\n".to_vec();
        v.extend_from_slice(message);
        if message.len() == codec::LEN0 {
            v.extend_from_slice(b"\r\n");
        }
        v
    }
}

impl FuzzDriver for SpectracomDriver {
    /// Samples at receive times (the CR before a timecode) and PPS edges;
    /// a clock out of sync still gives samples, as ntpd's.
    fn rules(_config: &DriverConfig) -> Rules {
        Rules {
            must_start: true,
            samples_when_not_in_sync: true,
            ..Rules::default()
        }
    }
}
