//! Fields of ASCII timecodes: the fixed-width decimal number most clocks
//! send, read once here for every driver (each keeps its own error,
//! naming its field).

/// The value of `digits` when it is one or more ASCII digits and nothing
/// else (no sign, no blank), `None` otherwise or when it does not fit a
/// `u32`.
pub fn decimal(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |v, &d| {
        if d.is_ascii_digit() {
            v.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::decimal;

    #[test]
    fn digits_only() {
        assert_eq!(decimal(b"0"), Some(0));
        assert_eq!(decimal(b"0907"), Some(907));
        assert_eq!(decimal(b"4294967295"), Some(u32::MAX));
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"+1",
            b"-1",
            b"1a",
            b"\xb1",
            b"4294967296",
        ] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
    }
}
