//! Raw offsets for the trimmed-mean filter: what a serial NMEA receiver
//! without PPS gives in one 64 s poll, made up deterministically.

/// The constant part of the offsets, seconds (the sentence arrives about
/// 0.1 s after the second it names).
pub const DELAY: f64 = -0.1;
/// Half-width of the uniform jitter around [`DELAY`], seconds.
pub const JITTER: f64 = 0.002;
/// How much later than the rest an outlier is, seconds (a sentence
/// delayed by a busy receiver).
pub const OUTLIER: f64 = -0.05;
/// Every this many samples one is an outlier.
pub const OUTLIER_EVERY: usize = 10;

/// `n` offsets (true − system time, seconds): [`DELAY`] plus uniform
/// jitter within ±[`JITTER`], and every [`OUTLIER_EVERY`]th sample
/// (counting from the 4th) [`OUTLIER`] further off. The same sequence
/// on every call (xorshift64* from a fixed seed).
pub fn nmea_like(n: usize) -> Vec<f64> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|i| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            let r = state.wrapping_mul(0x2545_f491_4f6c_dd1d);
            // 53 random bits as a fraction in [0, 1).
            let u = (r >> 11) as f64 / (1u64 << 53) as f64;
            let outlier = if i % OUTLIER_EVERY == 3 { OUTLIER } else { 0.0 };
            DELAY + (2.0 * u - 1.0) * JITTER + outlier
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use refclock_core::filter::{trimmed_mean, MAXSTAGE};

    #[test]
    fn deterministic_and_in_range() {
        let a = nmea_like(MAXSTAGE);
        assert_eq!(a, nmea_like(MAXSTAGE));
        assert_eq!(a.len(), MAXSTAGE);
        for (i, &x) in a.iter().enumerate() {
            let centre = if i % OUTLIER_EVERY == 3 {
                DELAY + OUTLIER
            } else {
                DELAY
            };
            assert!((x - centre).abs() <= JITTER, "{i}: {x}");
        }
        // Not all the same: the jitter is there.
        let spread =
            a.iter().cloned().fold(f64::MIN, f64::max) - a.iter().cloned().fold(f64::MAX, f64::min);
        assert!(spread > JITTER, "{spread}");
    }

    #[test]
    fn filter_drops_the_outliers() {
        let mut v = nmea_like(MAXSTAGE);
        let out = trimmed_mean(&mut v, 0.0).unwrap();
        assert_eq!((out.n, out.kept), (60, 36));
        // Six outliers among 60; trimming 24 removes them all, so the
        // mean lies within the jitter band around DELAY.
        assert!((out.offset - DELAY).abs() < JITTER, "{out:?}");
        assert!(out.jitter > 0.0 && out.jitter < JITTER, "{out:?}");
    }
}
