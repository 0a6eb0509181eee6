//! The Meinberg codecs under the fuzzer (feature `testkit`):
//! [`MeinbergStandardCodec`] (modes 0, 1, 2, 22: `mbg_input` and
//! `cvt_meinberg`) and [`MeinbergGpsCodec`] (modes 7, 18, 23:
//! `gps_input` with the binary messages, and `cvt_mgps`).

use refclock_core::calendar::CivilTime;
use refclock_core::Timestamp;

use super::codec::{self, Telegram};
use super::framer::{Frame, GpsFramer, StandardFramer};
use super::{binary, Kind, Meinberg};
use crate::parse::format::{Decoded, Format};
use crate::parse::time::{ParseTime, Status, When, Year};
use crate::testkit::{FuzzCodec, Input};

/// The standard and extended strings (modes 0, 1, 2, 22).
#[derive(Debug)]
pub struct MeinbergStandardCodec;

/// The GPS string and the binary messages (modes 7, 18, 23).
#[derive(Debug)]
pub struct MeinbergGpsCodec;

/// Feeds `data` to the format of `mode`; checks what decodes is in
/// range; returns how many timecodes decoded.
fn decode_stream(mode: u8, data: &[u8]) -> usize {
    let mut f = Meinberg::new(mode).expect("a Meinberg mode");
    let mut out = Vec::new();
    f.feed(data, Timestamp::from_secs(1_800_000_000), &mut out);
    out.iter()
        .filter(|d| match d {
            Decoded::Time { time, .. } => {
                if let When::Civil {
                    month,
                    day,
                    hour,
                    minute,
                    second,
                    ..
                } = time.when
                {
                    // Two digits each, or 255 for what Stoi read as
                    // negative.
                    for v in [month, day, hour, minute, second] {
                        assert!(v < 100 || v == u8::MAX, "{v}");
                    }
                }
                true
            }
            _ => false,
        })
        .count()
}

/// A telegram built from fuzz bytes.
fn telegram(input: &mut Input<'_>) -> Telegram {
    let secs = i64::from(input.u32()) + 946_684_800; // 2000..2136
    let mut local = CivilTime::from_timestamp(Timestamp::from_secs(secs));
    let bits = input.u16();
    if bits & 0x400 != 0 {
        local.second = 60;
    }
    let mut t = Telegram::utc(local);
    t.utc = bits & 1 != 0;
    t.dst = !t.utc && bits & 2 != 0;
    t.powerup = bits & 4 != 0;
    t.nosync = bits & 8 != 0;
    t.announce = bits & 0x10 != 0;
    t.leap = bits & 0x20 != 0;
    t.leap_delete = bits & 0x40 != 0;
    t.callbit = bits & 0x80 != 0;
    t.zone_minutes = i32::from(input.u8() % 25) * 60 - 720;
    t
}

/// The status bits a telegram's string should decode to (the bits
/// every layout carries).
fn check(t: &Telegram, p: &ParseTime, layout: &str) {
    let s = p.status;
    assert_eq!(s.has(Status::POWERUP), t.powerup, "{layout} {t:?}");
    assert_eq!(s.has(Status::NOSYNC), t.nosync, "{layout} {t:?}");
    assert_eq!(s.has(Status::LEAPSECOND), t.local.second == 60, "{layout}");
    let When::Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        ..
    } = p.when
    else {
        panic!("civil time expected");
    };
    let l = &t.local;
    assert_eq!(year, Year::TwoDigit(l.year.rem_euclid(100) as u8));
    assert_eq!(
        (month, day, hour, minute, second),
        (l.month, l.day, l.hour, l.minute, l.second),
        "{layout}"
    );
}

impl FuzzCodec for MeinbergStandardCodec {
    fn decode(data: &[u8]) -> usize {
        decode_stream(0, data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        let t = telegram(&mut input);
        for (layout, bytes) in [("standard", t.standard()), ("extended", t.extended())] {
            let p = codec::decode_standard(&bytes).expect("own string decodes");
            check(&t, &p, layout);
            assert_eq!(p.status.has(Status::UTC), t.utc, "{layout}");
            // And framed: one frame, the whole string.
            let mut framer = StandardFramer::default();
            let mut frames = Vec::new();
            for &b in &bytes {
                framer.push(b, Timestamp::EPOCH, &mut frames);
            }
            assert!(matches!(&frames[..], [Frame::Text { bytes: b, .. }] if *b == bytes));
        }
        1
    }

    fn examples() -> Vec<Vec<u8>> {
        let t = Telegram::utc(CivilTime::new(2024, 1, 1, 0, 0, 0));
        vec![
            b"\x02D:09.07.93;T:5;U:08.48.26;    \x03".to_vec(),
            b"\x02D:31.12.16;T:6;U:23.59.60;  UA\x03".to_vec(),
            b"\x02D:24.12.26;T:4;U:12.00.00;#*S!\x03".to_vec(),
            t.standard(),
            t.extended(),
        ]
    }
}

impl FuzzCodec for MeinbergGpsCodec {
    fn decode(data: &[u8]) -> usize {
        decode_stream(7, data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        let t = telegram(&mut input);
        let bytes = t.gps(codec::POSITION);
        let p = codec::decode_gps(&bytes).expect("own string decodes");
        check(&t, &p, "gps");
        let want_offset = -t.zone_minutes * 60;
        assert!(matches!(p.when, When::Civil { utc_offset, .. } if utc_offset == want_offset));
        // A binary message round trip through the framer.
        let cmd = input.u16();
        let n = usize::from(input.u8());
        let payload = input.bytes(n).to_vec();
        let msg = binary::encode(cmd, &payload);
        let mut framer = GpsFramer::default();
        let mut frames = Vec::new();
        for &b in msg.iter().chain(&bytes) {
            framer.push(b, Timestamp::EPOCH, &mut frames);
        }
        assert_eq!(frames.len(), 2, "{frames:?}");
        assert_eq!(frames[0], Frame::Binary(msg.clone()));
        assert!(matches!(binary::decode(&msg), binary::Message::Good { cmd: c, .. } if c == cmd));
        let _ = Kind::Gps;
        1
    }

    fn examples() -> Vec<Vec<u8>> {
        let mut v = vec![
            b"\x0209.07.93; 5; 08:48:26; +00:00; #*S!A L; 49.5736N  11.0280E  373m\x03".to_vec(),
            b"\x0208.11.06; 3; 14:39:39; +00:00;        ; 51.9828N   9.2258E  176m\x03".to_vec(),
        ];
        v.push(binary::query(binary::GPS_SW_REV));
        v.extend(binary::answer(binary::GPS_SW_REV));
        v
    }
}

#[cfg(test)]
mod tests {
    use refclock_core::rng::Rng;

    use super::*;

    #[test]
    fn examples_decode_and_round_trips_hold() {
        for e in MeinbergStandardCodec::examples() {
            assert_eq!(MeinbergStandardCodec::decode(&e), 1, "{e:?}");
        }
        let gps: Vec<Vec<u8>> = MeinbergGpsCodec::examples();
        assert_eq!(MeinbergGpsCodec::decode(&gps.concat()), 2);
        let mut rng = Rng::new(11);
        for _ in 0..3000 {
            let data = rng.bytes(300);
            assert_eq!(MeinbergStandardCodec::roundtrip(&data), 1);
            assert_eq!(MeinbergGpsCodec::roundtrip(&data), 1);
            // Noise never panics.
            MeinbergStandardCodec::decode(&data);
            MeinbergGpsCodec::decode(&data);
        }
        assert_eq!(MeinbergGpsCodec::roundtrip(&[]), 1);
    }
}
