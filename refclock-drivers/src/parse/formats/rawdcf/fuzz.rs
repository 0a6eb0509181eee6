//! The raw DCF77 format under the fuzzer (feature `testkit`):
//! [`RawDcfFuzz`] decodes any character stream with any timing, and
//! round-trips telegrams through the pulse characters of every speed.

use refclock_core::calendar::{days_in_month, CivilTime};
use refclock_core::Timestamp;

use super::codec::{self, Pulse, Telegram, Zone};
use super::Stream;
use crate::parse::format::Decoded;
use crate::parse::time::When;
use crate::testkit::{FuzzCodec, Input};

/// The fuzz target type of the raw DCF77 modes (PARSE 5, 6, 8, 14, 16,
/// 19, 20, 21).
#[derive(Debug)]
pub struct RawDcfFuzz;

/// Feeds `data` as (timing, character) pairs: the timing byte's low two
/// bits are whole seconds to wait (0..=3), the rest a fraction; returns
/// the timecodes, checked to be whole seconds in libparse's range.
fn feed(data: &[u8]) -> usize {
    let mut stream = Stream::new();
    let mut t: i128 = 1_700_000_000 * 1_000_000_000;
    let mut out = Vec::new();
    let mut times = 0;
    for pair in data.chunks(2) {
        let gap = i128::from(pair[0] & 3) * 1_000_000_000 + i128::from(pair[0] >> 2) * 15_000_000;
        t += gap;
        let chars = pair.get(1..).unwrap_or(&[]);
        stream.feed(chars, Timestamp::from_nanos(t), &mut out);
        for d in out.drain(..) {
            if let Decoded::Time { time, .. } = d {
                let When::Utc(u) = time.when else {
                    panic!("a civil time from the raw DCF77 format")
                };
                assert_eq!(u.subsec_nanos(), 0);
                let year = CivilTime::from_timestamp(u).year;
                assert!((1970..=2370).contains(&year), "{u:?}");
                times += 1;
            }
        }
    }
    times
}

impl FuzzCodec for RawDcfFuzz {
    fn decode(data: &[u8]) -> usize {
        // The bits too, whatever their number.
        let bits: Vec<bool> = data.iter().map(|&b| b & 1 == 1).collect();
        if let Ok(t) = codec::decode(&bits) {
            let _ = t.utc();
        }
        let _ = codec::classify(data);
        feed(data)
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut inp = Input::new(data);
        if inp.remaining() < 10 {
            return 0;
        }
        let year = 1970 + i32::from(inp.u16() % 400);
        let month = 1 + inp.u8() % 12;
        let day = 1 + inp.u8() % days_in_month(year, month);
        let hour = inp.u8() % 24;
        let minute = inp.u8() % 60;
        let zone = if inp.u8() & 1 == 0 {
            Zone::Cet
        } else {
            Zone::Cest
        };
        let flags = inp.u8();
        let free = inp.u16() & 0x7fff;
        let baud = [50, 75, 1200, 4800][usize::from(inp.u8() % 4)];
        let local = CivilTime::new(year, month, day, hour, minute, 0);
        let mut t = Telegram::for_local(&local, zone);
        t.call = flags & 1 != 0;
        t.zone_change = flags & 2 != 0;
        t.leap = flags & 4 != 0;
        t.free = free;
        let (short, long) = codec::pulse_chars(baud);
        let chars: Vec<u8> = codec::encode(&t)
            .iter()
            .map(|&b| if b { long } else { short })
            .collect();
        let bits: Vec<bool> = codec::classify(&chars)
            .iter()
            .map(|&p| p == Pulse::One)
            .collect();
        let back = codec::decode(&bits).expect("an encoded telegram decodes");
        assert_eq!(back, t);
        let utc = back.utc().expect("a valid date");
        let want = local.to_timestamp().unwrap().secs() + i64::from(zone.utc_offset());
        assert_eq!(utc.secs(), want);
        1
    }

    /// Three minutes of a module from a minute mark on (2024-01-01
    /// 00:00 UTC named at the third mark), as (timing, character) pairs:
    /// a second apart, two at the gap.
    fn examples() -> Vec<Vec<u8>> {
        let start = 1_704_067_200 - 180;
        let mut out = Vec::new();
        for m in 0..3 {
            let minute = start + 60 * m;
            let named = minute + 60;
            let local = CivilTime::from_timestamp(Timestamp::from_secs(named + 3600));
            let t = Telegram::for_local(&local, Zone::Cet);
            for (i, &b) in codec::encode(&t).iter().enumerate() {
                out.push(if i == 0 && m > 0 { 2 } else { 1 });
                out.push(if b { 0x00 } else { 0xF0 });
            }
        }
        vec![out]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_decode_and_round_trips_hold() {
        let ex = RawDcfFuzz::examples();
        assert_eq!(RawDcfFuzz::decode(&ex[0]), 1 + 58);
        for seed in 0..200u32 {
            let data: Vec<u8> = (0..12u32)
                .map(|i| (seed.wrapping_mul(2_654_435_761).rotate_left(i * 5) & 0xff) as u8)
                .collect();
            assert_eq!(RawDcfFuzz::roundtrip(&data), 1);
            let _ = RawDcfFuzz::decode(&data);
        }
    }
}
