//! The eight formats under the fuzzer (feature `testkit`): one
//! [`FuzzCodec`] per mode, [`AsciiCodec<MODE>`], with a name for each
//! (`Dcf7000Codec`, ...).
//!
//! `decode` feeds any bytes to the format as a stream: it must not
//! panic, every time it gives must have fields in range (its instant
//! computes or fails as a bad date or time, never anything else), and a
//! frame's receive time is one the stream was fed at. `roundtrip` takes
//! an instant between 2000 and 2199 and a status, encodes the frame the
//! clock would send, and checks that it decodes to that instant with that
//! status' sync state.

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::Timestamp;

use super::{computime, dcf7000, hopf6021, rcc8000, schmid, sel240x, varitext, wharton};
use super::{AsciiFormat, Kind};
use crate::parse::format::{Decoded, Format};
use crate::testkit::{FuzzCodec, Input};

/// The format of PARSE mode `MODE` (3, 4, 11, 12, 13, 15, 17 or 24).
#[derive(Debug)]
pub struct AsciiCodec<const MODE: u8>;

/// Mode 3.
pub type Dcf7000Codec = AsciiCodec<3>;
/// Mode 4.
pub type SchmidCodec = AsciiCodec<4>;
/// Mode 11.
pub type Rcc8000Codec = AsciiCodec<11>;
/// Mode 12.
pub type Hopf6021Codec = AsciiCodec<12>;
/// Mode 13.
pub type ComputimeCodec = AsciiCodec<13>;
/// Mode 15.
pub type WhartonCodec = AsciiCodec<15>;
/// Mode 17.
pub type VaritextCodec = AsciiCodec<17>;
/// Mode 24.
pub type Sel240xCodec = AsciiCodec<24>;

/// The frame for UTC instant `secs`, synchronised or not, and the
/// seconds its local time is ahead of UTC.
fn frame(kind: Kind, secs: i64, sync: bool, summer: bool) -> Vec<u8> {
    let at = |ahead: i64| CivilTime::from_timestamp(Timestamp::from_secs(secs + ahead));
    let cet = if summer { 7200 } else { 3600 };
    let gmt = if summer { 3600 } else { 0 };
    match kind {
        Kind::Dcf7000 => dcf7000::encode(
            &at(cet),
            1,
            u8::from(summer) * dcf7000::FLAG_CEST + u8::from(!sync) * dcf7000::FLAG_NOSYNC,
        ),
        Kind::Schmid => schmid::encode(
            &at(cet),
            if sync { 3 } else { 1 },
            if summer {
                schmid::TX_MEST
            } else {
                schmid::TX_MET
            },
        ),
        Kind::Rcc8000 => {
            let t = at(0);
            rcc8000::encode(&t, t.yday(), 0, if sync { rcc8000::VALID } else { 0 })
        }
        Kind::Hopf6021 => hopf6021::encode(
            &at(cet),
            (if sync {
                hopf6021::RADIO
            } else {
                hopf6021::INTERNAL
            }) | if summer { hopf6021::DST } else { 0 },
            1,
        ),
        Kind::Computime => computime::encode(&at(0), 1),
        Kind::Wharton => wharton::encode(
            &at(gmt),
            if sync { wharton::SYNC } else { 0 } | if summer { wharton::SUMMER } else { 0 },
        ),
        Kind::Varitext => varitext::encode(
            &at(gmt),
            1,
            varitext::INITIALISED
                | if sync { varitext::SYNCHRONISED } else { 0 }
                | if summer { varitext::BST } else { 0 },
        ),
        Kind::Sel240x => sel240x::encode(&at(0), if sync { b' ' } else { b'#' }),
    }
}

fn kind<const MODE: u8>() -> Kind {
    Kind::of_mode(MODE).expect("one of the eight modes")
}

impl<const MODE: u8> FuzzCodec for AsciiCodec<MODE> {
    fn decode(data: &[u8]) -> usize {
        let mut f = AsciiFormat::new(kind::<MODE>());
        let mut out = Vec::new();
        let half = data.len() / 2;
        let (t0, t1) = (
            Timestamp::from_secs(1_800_000_000),
            Timestamp::from_secs(1_800_000_001),
        );
        f.feed(&data[..half], t0, &mut out);
        f.feed(&data[half..], t1, &mut out);
        let mut n = 0;
        for d in out {
            if let Decoded::Time { time, rectime, .. } = d {
                assert!(rectime == t0 || rectime == t1);
                match time.to_timestamp(rectime, &Basedate::RELEASE) {
                    Ok(_) => n += 1,
                    Err(e) => assert_ne!(e.event(), refclock_core::ClockEvent::BadReply, "{e}"),
                }
            }
        }
        n
    }

    fn roundtrip(data: &[u8]) -> usize {
        let mut input = Input::new(data);
        if input.remaining() < 9 {
            return 0;
        }
        // 2000-01-01 .. 2199-12-31.
        let secs = 946_684_800 + (input.u64() % 6_311_433_600) as i64;
        let bits = input.u8();
        let (sync, summer) = (bits & 1 != 0, bits & 2 != 0);
        let k = kind::<MODE>();
        let bytes = frame(k, secs, sync, summer);
        let mut f = AsciiFormat::new(k);
        let rec = Timestamp::from_secs(secs);
        let frames: Vec<_> = bytes.iter().filter_map(|&b| f.input(b, rec)).collect();
        assert_eq!(frames.len(), 1, "{k:?} {bytes:?}");
        match f.decode(frames[0].clone()) {
            Decoded::Time { time, rectime, .. } => {
                assert_eq!(rectime, rec);
                assert_eq!(time.to_timestamp(rec, &Basedate::RELEASE), Ok(rec), "{k:?}");
                // Computime has no status: always synchronised.
                assert_eq!(time.status.in_sync(), sync || k == Kind::Computime, "{k:?}");
            }
            other => panic!("{k:?}: {other:?}"),
        }
        1
    }

    fn examples() -> Vec<Vec<u8>> {
        let k = kind::<MODE>();
        [1_795_000_000, 4_102_444_799, 4_102_444_800]
            .into_iter()
            .map(|s| frame(k, s, true, false))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[u8]) {
        let _ = Dcf7000Codec::decode(data);
        let _ = SchmidCodec::decode(data);
        let _ = Rcc8000Codec::decode(data);
        let _ = Hopf6021Codec::decode(data);
        let _ = ComputimeCodec::decode(data);
        let _ = WhartonCodec::decode(data);
        let _ = VaritextCodec::decode(data);
        let _ = Sel240xCodec::decode(data);
        let _ = Dcf7000Codec::roundtrip(data);
        let _ = SchmidCodec::roundtrip(data);
        let _ = Rcc8000Codec::roundtrip(data);
        let _ = Hopf6021Codec::roundtrip(data);
        let _ = ComputimeCodec::roundtrip(data);
        let _ = WhartonCodec::roundtrip(data);
        let _ = VaritextCodec::roundtrip(data);
        let _ = Sel240xCodec::roundtrip(data);
    }

    #[test]
    fn examples_decode_and_random_input_does_not_panic() {
        for e in Sel240xCodec::examples() {
            assert_eq!(Sel240xCodec::decode(&e), 1);
        }
        for e in VaritextCodec::examples() {
            assert_eq!(VaritextCodec::decode(&e), 1);
        }
        let mut rng = refclock_core::rng::Rng::new(5);
        for n in 0..2000 {
            let len = (n % 90) as usize;
            let data: Vec<u8> = (0..len).map(|_| rng.up_to(255) as u8).collect();
            all(&data);
        }
    }
}
