//! Timestamps on the system clock's (CLOCK_REALTIME) scale.
//!
//! The framework never reads a clock itself: every timestamp comes from the
//! caller (the host loop takes it right after `poll()` wakes, a test or a
//! replay chooses it).

use core::fmt;
use core::ops::{Add, Sub};

/// A point in time as seconds and nanoseconds since the Unix epoch (UTC,
/// leap seconds not counted, like `CLOCK_REALTIME`).
///
/// Invariant: `nanos < 1_000_000_000`; negative times have negative `secs`
/// and a positive `nanos` (floor division), as `struct timespec` does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

const NANOS_PER_SEC: i64 = 1_000_000_000;

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp { secs: 0, nanos: 0 };

    /// Builds a timestamp; `nanos` may exceed one second and is carried.
    pub const fn new(secs: i64, nanos: u32) -> Self {
        let carry = (nanos / 1_000_000_000) as i64;
        Timestamp {
            secs: secs + carry,
            nanos: nanos % 1_000_000_000,
        }
    }

    /// Whole seconds since the epoch.
    pub const fn from_secs(secs: i64) -> Self {
        Timestamp { secs, nanos: 0 }
    }

    /// From a total count of nanoseconds since the epoch.
    pub const fn from_nanos(total: i128) -> Self {
        let secs = total.div_euclid(NANOS_PER_SEC as i128) as i64;
        let nanos = total.rem_euclid(NANOS_PER_SEC as i128) as u32;
        Timestamp { secs, nanos }
    }

    /// From floating-point seconds since the epoch (rounded to the nanosecond).
    pub fn from_secs_f64(secs: f64) -> Self {
        Self::from_nanos((secs * 1e9).round() as i128)
    }

    /// Seconds part (floor).
    pub const fn secs(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Total nanoseconds since the epoch.
    pub const fn as_nanos(&self) -> i128 {
        self.secs as i128 * NANOS_PER_SEC as i128 + self.nanos as i128
    }

    /// Seconds since the epoch as a float (loses sub-microsecond precision
    /// for present-day dates; use [`Timestamp::diff`] for differences).
    pub fn as_secs_f64(&self) -> f64 {
        self.secs as f64 + self.nanos as f64 * 1e-9
    }

    /// `self − other` in seconds: whole seconds and nanoseconds are
    /// subtracted in integers first, so present-day times lose nothing.
    pub fn diff(&self, other: Timestamp) -> f64 {
        let s = self.secs - other.secs;
        let n = self.nanos as i64 - other.nanos as i64;
        s as f64 + n as f64 * 1e-9
    }

    /// This time shifted by `secs` seconds (rounded to the nanosecond).
    /// Integer arithmetic on the whole and fractional parts (no 128-bit
    /// division on this hot path).
    pub fn add_secs_f64(&self, secs: f64) -> Timestamp {
        let whole = secs.floor();
        let frac = ((secs - whole) * 1e9).round() as i64;
        let mut s = self.secs + whole as i64;
        let mut n = self.nanos as i64 + frac;
        if n >= NANOS_PER_SEC {
            s += n / NANOS_PER_SEC;
            n %= NANOS_PER_SEC;
        }
        Timestamp {
            secs: s,
            nanos: n as u32,
        }
    }

    /// As a `struct timeval` (seconds, microseconds), rounded to the nearest
    /// microsecond, as ntp-refclock converts `lastrec` for its output.
    pub fn to_timeval(&self) -> (i64, u32) {
        let t = Self::from_nanos(self.as_nanos() + 500);
        (t.secs, t.nanos / 1000)
    }
}

impl Add<f64> for Timestamp {
    type Output = Timestamp;
    fn add(self, rhs: f64) -> Timestamp {
        self.add_secs_f64(rhs)
    }
}

impl Sub for Timestamp {
    type Output = f64;
    fn sub(self, rhs: Timestamp) -> f64 {
        self.diff(rhs)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.secs, self.nanos)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.secs, self.nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_times_floor() {
        let t = Timestamp::from_nanos(-1);
        assert_eq!(t.secs(), -1);
        assert_eq!(t.subsec_nanos(), 999_999_999);
    }

    #[test]
    fn diff_is_exact_for_large_times() {
        let a = Timestamp::new(1_700_000_000, 123_456_789);
        let b = Timestamp::new(1_700_000_000, 123_456_788);
        assert_eq!(a - b, 1e-9);
        assert_eq!(b - a, -1e-9);
    }

    #[test]
    fn timeval_rounds_and_carries() {
        assert_eq!(Timestamp::new(5, 999_999_600).to_timeval(), (6, 0));
        assert_eq!(Timestamp::new(5, 1_499).to_timeval(), (5, 1));
        assert_eq!(Timestamp::new(5, 1_500).to_timeval(), (5, 2));
    }

    #[test]
    fn add_f64_matches_nanosecond_arithmetic() {
        let base = Timestamp::new(1_700_000_000, 999_999_999);
        for secs in [
            0.0,
            1e-9,
            -1e-9,
            0.5,
            -0.5,
            1.25,
            -1.25,
            86_400.000_000_001,
            -3.999_999_999,
        ] {
            let exact = Timestamp::from_nanos(base.as_nanos() + (secs * 1e9_f64).round() as i128);
            assert_eq!(base.add_secs_f64(secs), exact, "{secs}");
            assert!((base.add_secs_f64(secs) - base - secs).abs() < 1e-9);
        }
    }

    #[test]
    fn add_f64() {
        let t = Timestamp::new(10, 900_000_000) + 0.2;
        assert_eq!(t, Timestamp::new(11, 100_000_000));
        let t = Timestamp::new(10, 100_000_000) + -0.2;
        assert_eq!(t, Timestamp::new(9, 900_000_000));
    }
}
