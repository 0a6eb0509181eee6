//! Tests of the Zodiac codec on real messages and round trips, and the
//! replay of gpsd's `zodiac.log` against its decoded `.chk`.

use std::collections::BTreeSet;

use refclock_core::calendar::{Basedate, CivilTime};
use refclock_core::framing::{FrameStatus, Framer, ZodiacFramer};
use refclock_core::rng::Rng;
use refclock_core::Timestamp;

use super::codec::{self, Decoded, Position, ReceiverId, TimeMark, ZodiacError};
use super::driver::{mark_time, position_time};
use crate::testkit::{Capture, Testdata};

/// A real 1108 from `zodiac.log` (a TU30-D140, 2005-06-13): UTC second
/// of week 160941 (Monday 20:42:21), GPS − UTC 13 s, flags 0xFFFF.
pub(super) const M1108: &str =
    "ff8154040e0000009f79045c4000c02400000000000000000000ad7402000d0001000000ffff400a";

pub(super) fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub(super) fn ts(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    CivilTime::new(y, mo, d, h, mi, s).to_timestamp().unwrap()
}

pub(super) fn base2000() -> Basedate {
    Basedate::from_ymd(2000, 1, 1).unwrap()
}

/// The messages of gpsd's capture, as the framer hands them out.
pub(super) fn capture_messages() -> Option<(Capture, Vec<Vec<u8>>)> {
    let data = Testdata::locate(env!("CARGO_MANIFEST_DIR"))?;
    let cap = data.capture("zodiac.log").expect("zodiac.log");
    let mut f = ZodiacFramer::new();
    let mut out = Vec::new();
    f.feed(cap.body(), Timestamp::EPOCH, |fr| {
        assert_eq!(fr.status, FrameStatus::Complete);
        out.push(fr.data.to_vec());
    });
    Some((cap, out))
}

#[test]
fn the_real_time_mark() {
    let Decoded::TimeMark(t) = codec::decode(&hex(M1108)).unwrap() else {
        panic!("not a 1108")
    };
    assert_eq!(t.week_secs, 160_941);
    assert_eq!((t.gps_utc_secs, t.gps_utc_nanos, t.flags), (13, 1, 0xffff));
    assert_eq!((t.set_time, t.sequence), (4_217_860, 9408));
    assert!(t.valid() && t.utc());
    let named = mark_time(&t, ts(2005, 6, 13, 20, 0, 0));
    assert_eq!(named, ts(2005, 6, 13, 20, 42, 21));
    // Placed within half a week of the pivot either side.
    assert_eq!(mark_time(&t, ts(2005, 6, 16, 20, 0, 0)), named);
    assert_eq!(mark_time(&t, ts(2005, 6, 10, 21, 0, 0)), named);
    assert_eq!(
        mark_time(&t, ts(2005, 6, 17, 9, 0, 0)),
        ts(2005, 6, 20, 20, 42, 21)
    );
    // Re-encoded: the same bytes (its reserved words are zero).
    assert_eq!(codec::encode_time_mark(&t), hex(M1108));
}

#[test]
fn a_time_mark_on_gps_time_has_the_offset_taken_off() {
    let t = TimeMark {
        week_secs: 160_954,
        gps_utc_secs: 13,
        gps_utc_nanos: 0,
        flags: codec::MARK_VALID,
        ..TimeMark::default()
    };
    assert_eq!(
        mark_time(&t, ts(2005, 6, 13, 20, 0, 0)),
        ts(2005, 6, 13, 20, 42, 21)
    );
    // Seconds of week beyond the week are taken modulo (ntpd).
    let u = TimeMark {
        week_secs: 160_954 + codec::WEEK_SECS,
        ..t
    };
    assert_eq!(u.utc_week_nanos(), t.utc_week_nanos());
}

#[test]
fn the_capture_agrees_with_gpsd() {
    let Some((cap, messages)) = capture_messages() else {
        return;
    };
    let tpv = cap.tpv_times();
    assert_eq!(tpv.len(), 21);
    let rec = ts(2005, 6, 13, 21, 0, 0);
    let (mut gps_utc, mut positions, mut marks) = (None, BTreeSet::new(), BTreeSet::new());
    let (mut n1000, mut n1108, mut other) = (0, 0, 0);
    for m in &messages {
        match codec::decode(m).unwrap() {
            Decoded::TimeMark(t) => {
                n1108 += 1;
                assert!(t.valid() && t.utc());
                gps_utc = Some(t.gps_utc_secs);
                // It names the pulse that follows: one second after the
                // solution of the 1000 that comes next in the stream.
                marks.insert(mark_time(&t, rec).secs() - 1);
            }
            Decoded::Position(p) => {
                n1000 += 1;
                assert_eq!(p.nav_validity, 0);
                let gps = position_time(&p, &base2000(), rec);
                let utc = gps.secs() - i64::from(gps_utc.expect("a 1108 first"));
                // The UTC fields say 19.999999999 s of the same second
                // (gpsd rounds them to .000).
                let [d, mo, y, h, mi, s] = p.utc;
                let fields = ts(y as i32, mo as u8, d as u8, h as u8, mi as u8, s as u8);
                assert_eq!(fields.secs() + 1, utc);
                assert_eq!(p.utc_nanos, 999_999_999);
                positions.insert(utc);
            }
            Decoded::Other(id) => {
                assert_eq!(id, codec::ID_CHANNELS);
                other += 1;
            }
            Decoded::Receiver(_) => panic!("no 1011 in the capture"),
        }
    }
    assert_eq!((n1108, n1000, other), (21, 21, 21));
    assert_eq!(positions, tpv, "1000: GPS time − GPS−UTC = gpsd's TPV time");
    assert_eq!(marks, tpv, "1108: named second − 1 = gpsd's TPV time");
}

#[test]
fn errors_name_what_is_wrong() {
    let m = hex(M1108);
    let mut bad = m.clone();
    bad[20] ^= 0x10;
    assert_eq!(codec::decode(&bad), Err(ZodiacError::Checksum { id: 1108 }));
    let mut hdr = m.clone();
    hdr[6] ^= 1;
    assert_eq!(codec::decode(&hdr), Err(ZodiacError::NotAMessage));
    assert_eq!(codec::decode(&m[..30]), Err(ZodiacError::NotAMessage));
    // A 1108 of 13 data words: well framed, the wrong length.
    let short = codec::message(1108, 0, &[0; 13]);
    assert_eq!(
        codec::decode(&short),
        Err(ZodiacError::Length {
            id: 1108,
            expected: 14,
            found: 13
        })
    );
    let e = codec::decode(&codec::message(1000, 0, &[0; 50])).unwrap_err();
    assert_eq!(e.to_string(), "message 1000: 50 data words, expected 49");
    assert_eq!(
        codec::decode(&codec::message(1011, 0, &[])),
        Err(ZodiacError::Length {
            id: 1011,
            expected: 53,
            found: 0
        })
    );
    assert_eq!(
        codec::decode(&codec::message(1003, 2, &[])),
        Ok(Decoded::Other(1003))
    );
}

#[test]
fn what_the_driver_writes_byte_for_byte() {
    // Worked out apart from the codec (a few lines of Python over
    // jupiter.h's layouts): header words, then data and its checksum.
    assert_eq!(codec::cancel_all(), hex("ff81 ffff 0000 0085 02f9"));
    assert_eq!(codec::query(1011), hex("ff81 f303 0000 000d 0e6d"));
    assert_eq!(
        codec::log_request(1108, 1),
        hex("ff81 5404 0300 0065 aa14 0000 0100 0000 ffff")
    );
    assert_eq!(
        codec::log_request(1000, 1),
        hex("ff81 e803 0300 0065 1615 0000 0100 0000 ffff")
    );
    assert_eq!(
        codec::platform(2),
        hex("ff81 c404 0200 0005 3b74 0000 0200 feff")
    );
    assert_eq!(codec::configuration(true)[4], codec::platform(5));
    assert_eq!(codec::configuration(false).len(), 5);
    for m in codec::configuration(false) {
        // Each one is a whole message with good checksums.
        let z = refclock_core::framing::ZodiacMessage::new(&m).expect("frames");
        assert!(m.len() == 10 || refclock_core::framing::zodiac::zodiac_checksum(&m[10..]) == 0);
        assert_eq!(z.flags() & 0xff, 0, "request id 0");
    }
}

fn random_position(r: &mut Rng) -> Position {
    let mut rest = [0u16; 28];
    for w in &mut rest {
        *w = r.next_u64() as u16;
    }
    let mut utc = [0u16; 6];
    for w in &mut utc {
        *w = r.next_u64() as u16;
    }
    Position {
        set_time: r.next_u64() as u32,
        sequence: r.next_u64() as u16,
        meas_sequence: r.next_u64() as u16,
        nav_validity: r.next_u64() as u16,
        nav_type: r.next_u64() as u16,
        measurements: r.next_u64() as u16,
        polar: r.next_u64() as u16,
        week: r.next_u64() as u16,
        week_secs: r.next_u64() as u32,
        nanos: r.next_u64() as u32,
        utc,
        utc_nanos: r.next_u64() as u32,
        rest,
    }
}

#[test]
fn round_trips() {
    let mut r = Rng::new(31);
    for _ in 0..500 {
        let t = TimeMark {
            set_time: r.next_u64() as u32,
            sequence: r.next_u64() as u16,
            week_secs: r.next_u64() as u32,
            gps_utc_secs: r.next_u64() as i16,
            gps_utc_nanos: r.next_u64() as u32,
            flags: r.next_u64() as u16,
        };
        assert_eq!(
            codec::decode(&codec::encode_time_mark(&t)),
            Ok(Decoded::TimeMark(t))
        );
        let p = random_position(&mut r);
        assert_eq!(
            codec::decode(&codec::encode_position(&p)),
            Ok(Decoded::Position(p))
        );
        let mut id = ReceiverId::default();
        for f in &mut id.fields {
            for b in f.iter_mut() {
                *b = r.next_u64() as u8;
            }
        }
        assert_eq!(
            codec::decode(&codec::encode_receiver(&id)),
            Ok(Decoded::Receiver(id))
        );
    }
    let id = ReceiverId::with_texts(["12", "1.02", "01/01/00", "TIMING", ""]);
    assert_eq!(id.describe(), "12 chan ver 1.02, 01/01/00 (TIMING)");
}

#[test]
fn weeks_unfold_around_the_base_date_and_the_receive_time() {
    let p = Position {
        week: 1327,
        week_secs: 160_953,
        ..Position::default()
    };
    let gps = ts(2005, 6, 13, 20, 42, 33);
    assert_eq!(
        position_time(&p, &base2000(), ts(2005, 6, 13, 0, 0, 0)),
        gps
    );
    // A 10-bit week (1327 − 1024), or a receiver one era behind: the same.
    let folded = Position { week: 303, ..p };
    assert_eq!(
        position_time(&folded, &base2000(), ts(2005, 6, 13, 0, 0, 0)),
        gps
    );
    // Decades on, the window follows the receive time.
    let later = Position {
        week: 1327 + 2048,
        ..p
    };
    let t = position_time(&later, &base2000(), ts(2044, 6, 1, 0, 0, 0));
    assert_eq!(t.secs() - gps.secs(), 2048 * 604_800);
}
