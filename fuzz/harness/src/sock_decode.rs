//! Target `sock_decode`: chrony's SOCK datagram
//! (`refclock_sock::SockSample`) decoded from arbitrary bytes, and built
//! from them.
//!
//! ## Properties
//!
//! * `decode` never panics, and its verdict follows the documented rules:
//!   exactly `SOCK_SAMPLE_LEN` bytes, the magic, `tv_usec` in 0..=999999, a
//!   finite offset; length errors report the length found.
//! * A decoded sample encodes back to the datagram, except the ignored
//!   `_pad` field (sent as 0) and `pulse`, normalised to 0 or 1.
//! * A sample built from the input's first bytes (seconds, microseconds,
//!   offset bits, pulse, leap) is accepted by `validate` exactly when its
//!   encoding decodes, and then decodes to the same sample, bit for bit
//!   (the offset compared by its bits, so −0.0 stays −0.0).

use refclock_sock::layout;
use refclock_sock::{SockError, SockSample, SOCK_MAGIC, SOCK_SAMPLE_LEN};

use refclock_drivers::testkit::Input;

/// Runs the checks; returns 1 when `data` itself decoded, 0 otherwise.
pub fn sock_decode(data: &[u8]) -> usize {
    let decoded = check_decode(data);
    check_built(data);
    usize::from(decoded)
}

fn int_at(b: &[u8], at: usize) -> i32 {
    i32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn check_decode(data: &[u8]) -> bool {
    let r = SockSample::decode(data);
    if let Err(e) = &r {
        let _ = e.to_string();
        assert!(
            e.is_malformed(),
            "decode error {e:?} is not a malformed datagram"
        );
    }
    if data.len() != SOCK_SAMPLE_LEN {
        match r {
            Err(SockError::TooShort { found, expected }) => {
                assert!(data.len() < SOCK_SAMPLE_LEN);
                assert_eq!((found, expected), (data.len(), SOCK_SAMPLE_LEN));
            }
            Err(SockError::TooLong { found, expected }) => {
                assert!(data.len() > SOCK_SAMPLE_LEN);
                assert_eq!((found, expected), (data.len(), SOCK_SAMPLE_LEN));
            }
            other => panic!("{} bytes decoded as {other:?}", data.len()),
        }
        return false;
    }
    let magic = int_at(data, layout::MAGIC) as u32;
    let mut off = [0u8; 8];
    off.copy_from_slice(&data[layout::OFFSET..layout::OFFSET + 8]);
    let offset = f64::from_ne_bytes(off);
    let s = match r {
        Ok(s) => s,
        Err(SockError::BadMagic { found, expected }) => {
            assert_eq!((found, expected), (magic, SOCK_MAGIC));
            assert_ne!(magic, SOCK_MAGIC);
            return false;
        }
        Err(SockError::UsecOutOfRange { found }) => {
            assert_eq!(magic, SOCK_MAGIC);
            assert!(!(0..1_000_000).contains(&found));
            return false;
        }
        Err(SockError::NonFiniteOffset { found }) => {
            assert_eq!(magic, SOCK_MAGIC);
            assert!(!offset.is_finite() && found.to_bits() == offset.to_bits());
            return false;
        }
        Err(e) => panic!("unexpected decode error {e:?}"),
    };
    assert_eq!(magic, SOCK_MAGIC);
    assert!((0..1_000_000).contains(&s.time_usec));
    assert!(s.offset.is_finite());
    assert_eq!(s.offset.to_bits(), offset.to_bits());
    assert_eq!(s.pulse, int_at(data, layout::PULSE) != 0);
    assert_eq!(s.leap, int_at(data, layout::LEAP));
    assert!(s.validate().is_ok(), "a decoded sample fails validate()");

    let mut want = [0u8; SOCK_SAMPLE_LEN];
    want.copy_from_slice(data);
    want[layout::PAD..layout::PAD + 4].copy_from_slice(&0i32.to_ne_bytes());
    want[layout::PULSE..layout::PULSE + 4].copy_from_slice(&i32::from(s.pulse).to_ne_bytes());
    // Bytes the C struct leaves as padding are sent as 0.
    for (i, b) in want.iter_mut().enumerate() {
        if !covered(i) {
            *b = 0;
        }
    }
    assert_eq!(s.encode(), want, "decode → encode");
    true
}

/// Whether byte `i` belongs to a field of the struct (not padding).
fn covered(i: usize) -> bool {
    let fields = [
        (layout::TV_SEC, layout::TV_SEC_LEN),
        (layout::TV_USEC, layout::TV_USEC_LEN),
        (layout::OFFSET, 8),
        (layout::PULSE, layout::INT_LEN),
        (layout::LEAP, layout::INT_LEN),
        (layout::PAD, layout::INT_LEN),
        (layout::MAGIC, layout::INT_LEN),
    ];
    fields.iter().any(|&(at, len)| (at..at + len).contains(&i))
}

/// A sample from the input's first 29 bytes: seconds (`i64`),
/// microseconds (`i64`, folded into −1..=1 000 000 half of the time so
/// both edges are hit), offset bits (`u64`), pulse (bit 0), leap (`i32`).
pub fn build(data: &[u8]) -> SockSample {
    let mut i = Input::new(data);
    let time_sec = i.i64();
    let raw_usec = i.i64();
    let time_usec = if raw_usec & 1 == 0 {
        (raw_usec >> 1).rem_euclid(1_000_002) - 1
    } else {
        raw_usec
    };
    let offset = f64::from_bits(i.u64());
    let pulse = i.u8() & 1 != 0;
    let leap = i.i32();
    SockSample {
        time_sec,
        time_usec,
        offset,
        pulse,
        leap,
    }
}

fn check_built(data: &[u8]) {
    let s = build(data);
    let valid = s.validate();
    let bytes = s.encode();
    assert_eq!(bytes.len(), SOCK_SAMPLE_LEN);
    assert_eq!(int_at(&bytes, layout::MAGIC) as u32, SOCK_MAGIC);
    assert_eq!(int_at(&bytes, layout::PAD), 0);
    let back = SockSample::decode(&bytes);
    assert_eq!(
        valid.is_ok(),
        back.is_ok(),
        "validate() {valid:?} vs. decode(encode()) {back:?} for {s:?}"
    );
    if let Ok(b) = back {
        assert_eq!(b, s);
        assert_eq!(b.offset.to_bits(), s.offset.to_bits(), "offset bits");
        assert_eq!(b.encode(), bytes);
        assert_eq!(b.leap_accepted_by_chrony(), (0..=2).contains(&s.leap));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_sample_decodes() {
        let s = SockSample::new(1_700_000_000, 123_456, -0.25, 1);
        assert_eq!(sock_decode(&s.encode()), 1);
    }

    #[test]
    fn bad_datagrams_decode_to_nothing() {
        let mut b = SockSample::new(1, 2, 3.0, 0).encode();
        assert_eq!(sock_decode(&b[..SOCK_SAMPLE_LEN - 1]), 0);
        b[layout::MAGIC] ^= 1;
        assert_eq!(sock_decode(&b), 0);
        assert_eq!(sock_decode(&[]), 0);
    }

    #[test]
    fn build_reaches_both_usec_edges() {
        let mut d = [0u8; 29];
        d[8..16].copy_from_slice(&0i64.to_le_bytes());
        assert_eq!(build(&d).time_usec, -1);
        d[8..16].copy_from_slice(&(1_000_001i64 << 1).to_le_bytes());
        assert_eq!(build(&d).time_usec, 1_000_000);
    }
}
