//! The NMEA checksum (`*HH`): computed eight bytes at a time, and its
//! upper-case hex digits read back.

/// The NMEA checksum of a sentence body (the bytes between `$` and `*`):
/// the XOR of every byte, as `*HH` states it in upper-case hex.
///
/// ```
/// use refclock_drivers::nmea::parse::checksum;
/// assert_eq!(checksum(b"GPGLL,5213.1439,N,02100.6511,E,093802,A,D"), 0x48);
/// ```
pub fn checksum(body: &[u8]) -> u8 {
    xor_all(body)
}

/// XOR of all bytes, eight at a time.
pub(super) fn xor_all(bytes: &[u8]) -> u8 {
    let mut chunks = bytes.chunks_exact(8);
    let mut acc = 0u64;
    for c in &mut chunks {
        acc ^= u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
    }
    let mut x = acc.to_le_bytes().iter().fold(0u8, |a, &b| a ^ b);
    for &b in chunks.remainder() {
        x ^= b;
    }
    x
}

pub(super) fn hex_upper(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}
