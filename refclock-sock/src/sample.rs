//! `struct sock_sample`: the value, its encoder and its decoder.

use crate::error::SockError;
use crate::layout;

/// The protocol identifier in the `magic` field (0x534f434b, "SOCK").
pub const SOCK_MAGIC: u32 = 0x534f_434b;

/// Length of a SOCK datagram on this platform: `sizeof(struct sock_sample)`
/// (40 on 64-bit Linux, 32 on 32-bit targets with a 32-bit `time_t`).
pub const SOCK_SAMPLE_LEN: usize = layout::SIZE;

/// One sample as chrony's SOCK refclock receives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SockSample {
    /// System time of the measurement, seconds since 1970 (`tv.tv_sec`).
    pub time_sec: i64,
    /// Microseconds of the system time, 0..=999999 (`tv.tv_usec`).
    pub time_usec: i64,
    /// Offset = true (reference) time − system time, in seconds.
    pub offset: f64,
    /// The sample is a PPS edge: only the offset within the second is
    /// meaningful and chronyd needs another source for the seconds.
    /// ntp-refclock always sends `false`.
    pub pulse: bool,
    /// Leap indicator: 0 none, 1 insert, 2 delete a second at the end of
    /// the day. chronyd drops samples with any other value (3 is ntpd's
    /// "not in sync").
    pub leap: i32,
}

impl SockSample {
    /// A (non-pulse) sample taken at system time `time_sec.time_usec`.
    /// `offset` is true time − system time in seconds.
    pub fn new(time_sec: i64, time_usec: i64, offset: f64, leap: i32) -> SockSample {
        SockSample {
            time_sec,
            time_usec,
            offset,
            pulse: false,
            leap,
        }
    }

    /// Whether chronyd passes this sample's leap value on (0, 1 or 2);
    /// chronyd silently drops the others.
    pub fn leap_accepted_by_chrony(&self) -> bool {
        (0..=2).contains(&self.leap)
    }

    /// Checks that the sample encodes faithfully: microseconds in
    /// 0..=999999, a finite offset, seconds that fit `time_t`.
    /// [`SockClient::send`](crate::SockClient::send) calls it.
    pub fn validate(&self) -> Result<(), SockError> {
        if !(0..1_000_000).contains(&self.time_usec) {
            return Err(SockError::UsecOutOfRange {
                found: self.time_usec,
            });
        }
        if !self.offset.is_finite() {
            return Err(SockError::NonFiniteOffset { found: self.offset });
        }
        if layout::TV_SEC_LEN == 4 && i32::try_from(self.time_sec).is_err() {
            return Err(SockError::TimeOutOfRange {
                found: self.time_sec,
                bits: 8 * layout::TV_SEC_LEN,
            });
        }
        Ok(())
    }

    /// The datagram: `struct sock_sample` in native byte order, `_pad` 0,
    /// `magic` [`SOCK_MAGIC`]. Where `time_t` is 32 bits wide the seconds
    /// are truncated as a C conversion would ([`validate`](Self::validate)
    /// reports that case); padding bytes the C compiler would leave
    /// undefined are 0.
    pub fn encode(&self) -> [u8; SOCK_SAMPLE_LEN] {
        let mut buf = [0u8; SOCK_SAMPLE_LEN];
        put_int(&mut buf, layout::TV_SEC, layout::TV_SEC_LEN, self.time_sec);
        put_int(
            &mut buf,
            layout::TV_USEC,
            layout::TV_USEC_LEN,
            self.time_usec,
        );
        buf[layout::OFFSET..layout::OFFSET + 8].copy_from_slice(&self.offset.to_ne_bytes());
        put_int(
            &mut buf,
            layout::PULSE,
            layout::INT_LEN,
            i64::from(self.pulse),
        );
        put_int(
            &mut buf,
            layout::LEAP,
            layout::INT_LEN,
            i64::from(self.leap),
        );
        put_int(&mut buf, layout::PAD, layout::INT_LEN, 0);
        put_int(
            &mut buf,
            layout::MAGIC,
            layout::INT_LEN,
            i64::from(SOCK_MAGIC),
        );
        buf
    }

    /// Decodes one datagram. It must be exactly [`SOCK_SAMPLE_LEN`] bytes
    /// with the right magic, microseconds in 0..=999999 and a finite
    /// offset. A non-zero `pulse` is `true`; `leap` is returned as found
    /// (see [`leap_accepted_by_chrony`](Self::leap_accepted_by_chrony)).
    pub fn decode(datagram: &[u8]) -> Result<SockSample, SockError> {
        let buf: &[u8; SOCK_SAMPLE_LEN] = match datagram.try_into() {
            Ok(buf) => buf,
            Err(_) if datagram.len() < SOCK_SAMPLE_LEN => {
                return Err(SockError::TooShort {
                    found: datagram.len(),
                    expected: SOCK_SAMPLE_LEN,
                })
            }
            Err(_) => {
                return Err(SockError::TooLong {
                    found: datagram.len(),
                    expected: SOCK_SAMPLE_LEN,
                })
            }
        };
        // The magic is an int; read it as the same bits unsigned.
        let magic = get_int(buf, layout::MAGIC, layout::INT_LEN) as u32;
        if magic != SOCK_MAGIC {
            return Err(SockError::BadMagic {
                found: magic,
                expected: SOCK_MAGIC,
            });
        }
        let mut offset = [0u8; 8];
        offset.copy_from_slice(&buf[layout::OFFSET..layout::OFFSET + 8]);
        let sample = SockSample {
            time_sec: get_int(buf, layout::TV_SEC, layout::TV_SEC_LEN),
            time_usec: get_int(buf, layout::TV_USEC, layout::TV_USEC_LEN),
            offset: f64::from_ne_bytes(offset),
            pulse: get_int(buf, layout::PULSE, layout::INT_LEN) != 0,
            leap: get_int(buf, layout::LEAP, layout::INT_LEN) as i32,
        };
        if !(0..1_000_000).contains(&sample.time_usec) {
            return Err(SockError::UsecOutOfRange {
                found: sample.time_usec,
            });
        }
        if !sample.offset.is_finite() {
            return Err(SockError::NonFiniteOffset {
                found: sample.offset,
            });
        }
        Ok(sample)
    }
}

/// Writes `value` as a native-endian signed integer of `width` bytes (4 or
/// 8, as `layout` asserts at compile time); a 4-byte field keeps the low 32
/// bits, as a C conversion does.
fn put_int(buf: &mut [u8; SOCK_SAMPLE_LEN], at: usize, width: usize, value: i64) {
    if width == 8 {
        buf[at..at + 8].copy_from_slice(&value.to_ne_bytes());
    } else {
        buf[at..at + 4].copy_from_slice(&(value as i32).to_ne_bytes());
    }
}

/// Reads a native-endian signed integer of `width` bytes (4 or 8).
fn get_int(buf: &[u8; SOCK_SAMPLE_LEN], at: usize, width: usize) -> i64 {
    if width == 8 {
        let mut b = [0u8; 8];
        b.copy_from_slice(&buf[at..at + 8]);
        i64::from_ne_bytes(b)
    } else {
        let mut b = [0u8; 4];
        b.copy_from_slice(&buf[at..at + 4]);
        i64::from(i32::from_ne_bytes(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    /// The C struct again, written independently of `layout`, with the
    /// platform's own types.
    #[repr(C)]
    struct CSample {
        tv: libc::timeval,
        offset: f64,
        pulse: libc::c_int,
        leap: libc::c_int,
        _pad: libc::c_int,
        magic: libc::c_int,
    }

    fn sample() -> SockSample {
        SockSample {
            time_sec: 1_700_000_123,
            time_usec: 456_789,
            offset: 0.0123,
            pulse: false,
            leap: 1,
        }
    }

    #[test]
    fn length_is_sizeof_c_struct() {
        assert_eq!(SOCK_SAMPLE_LEN, size_of::<CSample>());
        assert_eq!(sample().encode().len(), size_of::<CSample>());
    }

    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    #[test]
    fn offsets_on_64_bit_linux() {
        assert_eq!(SOCK_SAMPLE_LEN, 40);
        assert_eq!(
            [
                layout::TV_SEC,
                layout::TV_USEC,
                layout::OFFSET,
                layout::PULSE,
                layout::LEAP,
                layout::PAD,
                layout::MAGIC
            ],
            [0, 8, 16, 24, 28, 32, 36]
        );
        assert_eq!((layout::TV_SEC_LEN, layout::TV_USEC_LEN), (8, 8));
    }

    #[test]
    fn offsets_match_c_struct() {
        let tv = offset_of!(CSample, tv);
        assert_eq!(layout::TV_SEC, tv + offset_of!(libc::timeval, tv_sec));
        assert_eq!(layout::TV_USEC, tv + offset_of!(libc::timeval, tv_usec));
        assert_eq!(layout::OFFSET, offset_of!(CSample, offset));
        assert_eq!(layout::PULSE, offset_of!(CSample, pulse));
        assert_eq!(layout::LEAP, offset_of!(CSample, leap));
        assert_eq!(layout::PAD, offset_of!(CSample, _pad));
        assert_eq!(layout::MAGIC, offset_of!(CSample, magic));
    }

    /// Every field of the encoding, read back at the C struct's offsets
    /// with the C field types.
    #[test]
    fn encode_field_by_field() {
        let s = SockSample {
            time_sec: 1_700_000_123,
            time_usec: 456_789,
            offset: -0.25,
            pulse: true,
            leap: 2,
        };
        let b = s.encode();
        let tv = offset_of!(CSample, tv);

        let at = tv + offset_of!(libc::timeval, tv_sec);
        let mut sec = libc::time_t::default().to_ne_bytes();
        let n = sec.len();
        sec.copy_from_slice(&b[at..at + n]);
        assert_eq!(libc::time_t::from_ne_bytes(sec), 1_700_000_123);

        let at = tv + offset_of!(libc::timeval, tv_usec);
        let mut usec = libc::suseconds_t::default().to_ne_bytes();
        let n = usec.len();
        usec.copy_from_slice(&b[at..at + n]);
        assert_eq!(libc::suseconds_t::from_ne_bytes(usec), 456_789);

        let at = offset_of!(CSample, offset);
        let mut off = [0u8; 8];
        off.copy_from_slice(&b[at..at + 8]);
        assert_eq!(f64::from_ne_bytes(off), -0.25);

        let int_at = |at: usize| {
            let mut v = [0u8; 4];
            v.copy_from_slice(&b[at..at + 4]);
            libc::c_int::from_ne_bytes(v)
        };
        assert_eq!(int_at(offset_of!(CSample, pulse)), 1);
        assert_eq!(int_at(offset_of!(CSample, leap)), 2);
        assert_eq!(int_at(offset_of!(CSample, _pad)), 0);
        assert_eq!(int_at(offset_of!(CSample, magic)), 0x534f_434b);
    }

    /// The exact bytes a C program on x86-64/aarch64 Linux sends for this
    /// sample (little endian, written out by hand).
    #[cfg(all(
        target_os = "linux",
        target_pointer_width = "64",
        target_endian = "little"
    ))]
    #[test]
    fn encode_known_bytes_le64() {
        let s = SockSample {
            time_sec: 0x0102_0304_0506_0708,
            time_usec: 999_999, // 0x0f423f
            offset: 1.0,        // 0x3ff0000000000000
            pulse: false,
            leap: 1,
        };
        let expected: [u8; 40] = [
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // tv_sec
            0x3f, 0x42, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, // tv_usec
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, // offset
            0x00, 0x00, 0x00, 0x00, // pulse
            0x01, 0x00, 0x00, 0x00, // leap
            0x00, 0x00, 0x00, 0x00, // _pad
            0x4b, 0x43, 0x4f, 0x53, // magic "KCOS" in memory
        ];
        assert_eq!(s.encode(), expected);
        assert_eq!(SockSample::decode(&expected).ok(), Some(s));
    }

    #[test]
    fn round_trip() {
        for s in [
            sample(),
            SockSample::new(0, 0, 0.0, 0),
            SockSample::new(-1, 999_999, -1e-9, 3),
            SockSample {
                time_sec: i64::from(i32::MAX),
                time_usec: 1,
                offset: 123.456,
                pulse: true,
                leap: -7,
            },
        ] {
            let decoded = SockSample::decode(&s.encode()).expect("decodes");
            assert_eq!(decoded, s);
        }
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn round_trip_beyond_2038() {
        let s = SockSample::new(4_102_444_800, 500_000, 0.5, 0); // year 2100
        assert!(s.validate().is_ok());
        assert_eq!(SockSample::decode(&s.encode()).ok(), Some(s));
    }

    #[test]
    fn nonzero_pulse_decodes_as_true() {
        let mut b = sample().encode();
        b[layout::PULSE..layout::PULSE + 4].copy_from_slice(&(-5i32).to_ne_bytes());
        assert!(SockSample::decode(&b).expect("decodes").pulse);
    }

    #[test]
    fn decode_too_short() {
        let b = sample().encode();
        for len in [0, 1, SOCK_SAMPLE_LEN - 1] {
            match SockSample::decode(&b[..len]) {
                Err(SockError::TooShort { found, expected }) => {
                    assert_eq!((found, expected), (len, SOCK_SAMPLE_LEN))
                }
                other => panic!("{len} bytes: {other:?}"),
            }
        }
    }

    #[test]
    fn decode_too_long() {
        let mut v = sample().encode().to_vec();
        v.push(0);
        match SockSample::decode(&v) {
            Err(SockError::TooLong { found, expected }) => {
                assert_eq!((found, expected), (SOCK_SAMPLE_LEN + 1, SOCK_SAMPLE_LEN))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_bad_magic() {
        let mut b = sample().encode();
        b[layout::MAGIC..layout::MAGIC + 4].copy_from_slice(&0x4b434f53u32.to_ne_bytes());
        match SockSample::decode(&b) {
            Err(e @ SockError::BadMagic { .. }) => {
                assert!(matches!(
                    e,
                    SockError::BadMagic {
                        found: 0x4b43_4f53,
                        expected: SOCK_MAGIC
                    }
                ));
                assert!(e.is_malformed());
                assert_eq!(
                    e.to_string(),
                    "SOCK datagram has magic 0x4b434f53, expected 0x534f434b"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_usec_out_of_range() {
        for usec in [-1i64, 1_000_000, 5_000_000] {
            let b = SockSample::new(1_700_000_000, usec, 0.0, 0).encode();
            match SockSample::decode(&b) {
                Err(SockError::UsecOutOfRange { found }) => assert_eq!(found, usec),
                other => panic!("usec {usec}: {other:?}"),
            }
        }
    }

    #[test]
    fn decode_non_finite_offset() {
        for offset in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let b = SockSample::new(1_700_000_000, 0, offset, 0).encode();
            assert!(
                matches!(
                    SockSample::decode(&b),
                    Err(SockError::NonFiniteOffset { .. })
                ),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn validate_rejects_what_decode_rejects() {
        assert!(sample().validate().is_ok());
        assert!(matches!(
            SockSample::new(1, 1_000_000, 0.0, 0).validate(),
            Err(SockError::UsecOutOfRange { found: 1_000_000 })
        ));
        assert!(matches!(
            SockSample::new(1, 0, f64::NAN, 0).validate(),
            Err(SockError::NonFiniteOffset { .. })
        ));
    }

    #[test]
    fn leap_values_chrony_accepts() {
        let accepted: Vec<i32> = (-1..=4)
            .filter(|&l| SockSample::new(0, 0, 0.0, l).leap_accepted_by_chrony())
            .collect();
        assert_eq!(accepted, [0, 1, 2]);
    }
}
