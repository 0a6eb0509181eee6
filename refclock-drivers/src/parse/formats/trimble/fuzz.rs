//! Fuzz codecs of the Trimble formats (feature `testkit`):
//! [`TaipCodec`] (the RTM answer) and [`TsipCodec`] (TSIP packets and
//! the reports PARSE reads).

use refclock_core::calendar::{days_from_civil, Basedate, CivilTime};
use refclock_core::framing::{DleFramer, Framer};
use refclock_core::gps::EraWindow;
use refclock_core::Timestamp;

use super::taip::{self, Rtm};
use super::tsip::TsipFormat;
use crate::parse::format::{Decoded, Format};
use crate::parse::time::When;
use crate::testkit::{FuzzCodec, Input};
use crate::tsip::{self, GpsTime, Packet, UtcParams};

/// The TAIP `>RTM…<` codec.
pub struct TaipCodec;

impl FuzzCodec for TaipCodec {
    fn decode(data: &[u8]) -> usize {
        let mut n = 0;
        if let Ok(Some(t)) = taip::decode(data) {
            assert_eq!(data.len(), taip::LEN);
            assert_eq!(data[0], b'>');
            if let When::Civil {
                month, nanos, hour, ..
            } = t.when
            {
                assert!(nanos < 1_000_000_000);
                let _ = (month, hour);
            }
            n += 1;
        }
        let mut f = super::TaipFormat::new();
        let mut out = Vec::new();
        f.feed(data, Timestamp::from_secs(1_800_000_000), &mut out);
        n + out
            .iter()
            .filter(|d| matches!(d, Decoded::Time { .. }))
            .count()
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut i = Input::new(data);
        if i.remaining() < 12 {
            return 0;
        }
        let year = 1970 + (i.u16() % 8000) as i32;
        let month = 1 + i.u8() % 12;
        let dim = (days_from_civil(year + i32::from(month / 12), month % 12 + 1, 1)
            - days_from_civil(year, month, 1)) as u8;
        let rtm = Rtm {
            hour: i.u8() % 24,
            minute: i.u8() % 60,
            second: i.u8() % 61,
            millis: i.u16() % 1000,
            day: 1 + i.u8() % dim,
            month,
            year: year as u16,
            gps_utc: i.u8() % 100,
            fix: i.u8() % 10,
            sats: i.u8() % 100,
        };
        let bytes = taip::encode(&rtm);
        let t = taip::decode(&bytes).expect("decodes").expect("a time");
        let When::Civil {
            year: y,
            month: mo,
            day,
            hour,
            minute,
            second,
            nanos,
            ..
        } = t.when
        else {
            panic!("civil time expected")
        };
        let y = match y {
            crate::parse::time::Year::Full(y) => y,
            crate::parse::time::Year::TwoDigit(_) => panic!("four digits"),
        };
        assert_eq!(
            (y, mo, day, hour, minute, second, nanos),
            (
                year,
                rtm.month,
                rtm.day,
                rtm.hour,
                rtm.minute,
                rtm.second,
                u32::from(rtm.millis) * 1_000_000
            )
        );
        assert_eq!(t.status.powerup(), rtm.fix == taip::FIX_NONE);
        1
    }

    fn examples() -> Vec<Vec<u8>> {
        let t = CivilTime::new(2026, 11, 29, 23, 59, 58);
        let rtm = Rtm {
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            millis: 0,
            day: t.day,
            month: t.month,
            year: t.year as u16,
            gps_utc: 18,
            fix: 1,
            sats: 7,
        };
        vec![taip::encode(&rtm)]
    }
}

/// The TSIP packet layer and the reports 0x41, 0x46, 0x4F through the
/// PARSE format.
pub struct TsipCodec;

impl FuzzCodec for TsipCodec {
    fn decode(data: &[u8]) -> usize {
        let mut f = TsipFormat::new(Basedate::default());
        let mut out = Vec::new();
        f.feed(data, Timestamp::from_secs(1_800_000_000), &mut out);
        if let Some(p) = Packet::from_frame(data) {
            let _ =
                GpsTime::decode(&p).map(|g| g.utc(&EraWindow::of_basedate(&Basedate::default())));
            let _ = UtcParams::decode(&p).map(|u| u.known());
        }
        out.iter()
            .filter(|d| matches!(d, Decoded::Time { .. }))
            .count()
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut i = Input::new(data);
        if i.remaining() < 10 {
            return 0;
        }
        let id = i.u8();
        if id == tsip::DLE || id == tsip::ETX {
            // Not an id a framer can open with.
            return 0;
        }
        let rest = i.rest();
        // The framer keeps packets up to its limit.
        let body = rest[..rest.len().min(200)].to_vec();
        let bytes = tsip::encode(id, &body);
        let mut f = DleFramer::new();
        let mut input = bytes.as_slice();
        let frame = f
            .next_frame(&mut input, Timestamp::EPOCH)
            .expect("one packet");
        assert_eq!(frame.data[0], id);
        assert_eq!(&frame.data[1..], body.as_slice());
        if body.len() >= GpsTime::LEN {
            let p = Packet {
                id: tsip::ID_GPS_TIME,
                data: &body,
            };
            let g = GpsTime::decode(&p).expect("long enough");
            let again = GpsTime::decode(&Packet {
                id: tsip::ID_GPS_TIME,
                data: &g.encode(),
            })
            .expect("decodes");
            assert_eq!(g.encode(), again.encode());
        }
        1
    }

    fn examples() -> Vec<Vec<u8>> {
        let g = GpsTime {
            tow: 345_618.0,
            week: 2446 % 1024,
            utc_offset: 18.0,
        };
        vec![
            tsip::encode(tsip::ID_GPS_TIME, &g.encode()),
            tsip::encode(tsip::ID_HEALTH, &[0, 0]),
        ]
    }
}
