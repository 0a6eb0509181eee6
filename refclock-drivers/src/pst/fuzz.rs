//! The PST driver under the fuzzer (feature `testkit`): `pst_decode` (the
//! three answers, split from any bytes at CRs: no panic, fields in
//! range), `pst_roundtrip` (in-range answers encode and decode to
//! themselves) and `pst_driver` (the script runner with its generic
//! rules).

use super::codec::{self, DateLine, StatusLine, TimeLine};
use super::PstDriver;
use crate::testkit::{FuzzCodec, FuzzDriver, Input};

impl FuzzCodec for PstDriver {
    fn decode(data: &[u8]) -> usize {
        let lines: Vec<&[u8]> = data.split(|&b| b == b'\r').collect();
        if lines.len() < 3 {
            return 0;
        }
        let Ok((t, d, s)) = codec::decode(lines[0], lines[1], lines[2]) else {
            return 0;
        };
        assert!(t.hour < 24 && t.minute < 60 && t.second <= 60 && t.millis < 1000);
        assert!((1..=366).contains(&d.yday));
        assert!(!s.info.contains(&b' ') && s.minutes < 10_000);
        1
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 12 {
            return 0;
        }
        let t = TimeLine {
            ampm: b' ',
            hour: input.u8() % 24,
            minute: input.u8() % 60,
            second: input.u8() % 61,
            millis: input.u16() % 1000,
            dst: b' ',
        };
        let d = DateLine {
            year: input.u8() % 100,
            month: 1 + input.u8() % 12,
            day: 1 + input.u8() % 31,
            yday: 1 + input.u16() % 366,
        };
        let mut info = *b"O3@055281824C";
        info[9] = b'0' + input.u8() % 10;
        let s = StatusLine {
            info,
            minutes: input.u16() % 10_000,
            tail: b"0394".to_vec(),
        };
        let (te, de, se) = (
            codec::encode_time(&t),
            codec::encode_date(&d),
            codec::encode_status(&s),
        );
        let strip = |v: &[u8]| v[..v.len() - 1].to_vec();
        let back = codec::decode(&strip(&te), &strip(&de), &strip(&se)).unwrap();
        assert_eq!(back, (t, d, s));
        1
    }

    /// README.timecodes' answer; an alarm; WWVH; a leap second.
    fn examples() -> Vec<Vec<u8>> {
        [
            " 15:36:43.640 \r91/08/04/216\rO3@055281824C00000394\r",
            " 00:00:00.000 \r24/01/01/001\rO3@055281824C00000394\r",
            " 00:00:01.000 \r24/01/01/001\rO3@055281024C00100394\r",
            " 00:00:02.000 \r24/01/01/001\rO3@055281824H00000394\r",
            " 23:59:60.500 \r16/12/31/366\rO3@055281824C00000394\r",
        ]
        .iter()
        .map(|r| r.as_bytes().to_vec())
        .collect()
    }
}

impl FuzzDriver for PstDriver {}
