//! The 60-stage sample ring and ntpd's trimmed-mean filter.
//!
//! Semantics follow ntp 4.2.8p18 (`refclock_sample()` in ntpd/ntp_refclock.c,
//! the release the C ntp-refclock links):
//!
//! 1. the pending samples are sorted;
//! 2. `m = n − (n·4)/10` of them are kept (60 % rounded up: 5 → 3, 60 → 36);
//! 3. while more than `m` remain, one end is dropped: with `k = (len − 1)/2`,
//!    the low end goes when the spread of the upper half (`hi − x[j−k−1]`) is
//!    smaller than that of the lower half (`x[i+k] − lo`), otherwise the high
//!    end goes (ntp bug 3672's "proper median" rule);
//! 4. offset = mean of the kept samples; jitter = √(Σ(successive
//!    differences)² / (m − 1)) (m when m = 1), never below a floor.
//!
//! The 4.3.91 development tree differs in step 3 (it compares both ends to
//! the middle element) and divides by `m` in step 4; we follow the release.

/// Ring size (`MAXSTAGE`).
pub const MAXSTAGE: usize = 60;

/// A circular buffer of the last [`MAXSTAGE`] raw offsets (`pp->filter`,
/// `coderecv`/`codeproc`). When it is full, the oldest sample is dropped
/// quietly, as ntpd's `SAMPLE()` macro does.
#[derive(Clone, Debug)]
pub struct SampleBuffer {
    buf: [f64; MAXSTAGE],
    /// Index of the oldest pending sample.
    head: usize,
    /// Number of pending samples.
    len: usize,
}

impl Default for SampleBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl SampleBuffer {
    /// An empty buffer.
    pub const fn new() -> Self {
        SampleBuffer {
            buf: [0.0; MAXSTAGE],
            head: 0,
            len: 0,
        }
    }

    /// Number of pending samples.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no sample is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds an offset; drops the oldest when the ring is full. Returns the
    /// dropped offset, if any.
    pub fn push(&mut self, offset: f64) -> Option<f64> {
        if self.len == MAXSTAGE {
            let old = self.buf[self.head];
            self.buf[self.head] = offset;
            self.head = (self.head + 1) % MAXSTAGE;
            Some(old)
        } else {
            self.buf[(self.head + self.len) % MAXSTAGE] = offset;
            self.len += 1;
            None
        }
    }

    /// Pending samples, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.len).map(move |i| self.buf[(self.head + i) % MAXSTAGE])
    }

    /// Drops up to `n` of the oldest samples (`refclock_samples_expire`).
    /// Returns how many were dropped.
    ///
    /// ntp 4.2.8p18's non-power-of-two branch clamps the wrong way and
    /// expires everything pending; we drop exactly `min(n, len)`.
    pub fn expire(&mut self, n: usize) -> usize {
        let n = n.min(self.len);
        self.head = (self.head + n) % MAXSTAGE;
        self.len -= n;
        n
    }

    /// Filters and empties the buffer; `None` when it was empty.
    pub fn take_filtered(&mut self, min_jitter: f64) -> Option<FilterOutput> {
        let mut v: [f64; MAXSTAGE] = [0.0; MAXSTAGE];
        let n = self.len;
        for (slot, x) in v.iter_mut().zip(self.iter()) {
            *slot = x;
        }
        self.head = 0;
        self.len = 0;
        trimmed_mean(&mut v[..n], min_jitter)
    }
}

/// Result of the trimmed-mean filter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FilterOutput {
    /// Mean of the surviving samples (true − system time, seconds).
    pub offset: f64,
    /// RMS of the successive differences of the survivors, seconds.
    pub jitter: f64,
    /// Samples that went in.
    pub n: usize,
    /// Samples that survived.
    pub kept: usize,
}

/// ntpd's trimmed mean over `samples` (sorted in place). `None` when empty.
/// NaN inputs sort last and are trimmed first when they are outliers; a
/// driver never feeds NaN.
pub fn trimmed_mean(samples: &mut [f64], min_jitter: f64) -> Option<FilterOutput> {
    let n = samples.len();
    if n == 0 {
        return None;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let m = n - (n * 4) / 10;
    let (mut i, mut j) = (0usize, n);
    while j - i > m {
        let k = (j - i - 1) >> 1;
        if samples[j - 1] - samples[j - k - 1] < samples[i + k] - samples[i] {
            i += 1;
        } else {
            j -= 1;
        }
    }
    let kept = &samples[i..j];
    let offset = kept.iter().sum::<f64>() / m as f64;
    let sq: f64 = kept.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let terms = if m > 1 { m - 1 } else { 1 };
    let jitter = (sq / terms as f64).sqrt().max(min_jitter);
    Some(FilterOutput {
        offset,
        jitter,
        n,
        kept: m,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tm(v: &[f64]) -> FilterOutput {
        trimmed_mean(&mut v.to_vec(), 0.0).unwrap()
    }

    #[test]
    fn empty_gives_none() {
        assert_eq!(trimmed_mean(&mut [], 0.0), None);
    }

    #[test]
    fn one_sample() {
        let r = tm(&[0.25]);
        assert_eq!((r.offset, r.jitter, r.kept), (0.25, 0.0, 1));
    }

    #[test]
    fn two_samples_keep_both() {
        // m = 2 - 0 = 2: mean 0.2, jitter sqrt(0.2^2 / 1) = 0.2
        let r = tm(&[0.3, 0.1]);
        assert_eq!(r.kept, 2);
        assert!((r.offset - 0.2).abs() < 1e-15);
        assert!((r.jitter - 0.2).abs() < 1e-15);
    }

    #[test]
    fn five_samples_drop_high_outlier() {
        // sorted: 1 2 3 4 100, m = 3.
        // len 5, k 2: hi spread 100-3=97 vs lo spread 3-1=2 -> drop high.
        // len 4, k 1: hi spread 4-3=1 vs lo 2-1=1 -> not less -> drop high.
        // kept 1 2 3: mean 2, jitter sqrt((1+1)/2) = 1.
        let r = tm(&[3.0, 100.0, 1.0, 4.0, 2.0]);
        assert_eq!(r.kept, 3);
        assert_eq!(r.offset, 2.0);
        assert_eq!(r.jitter, 1.0);
    }

    #[test]
    fn five_samples_drop_low_outlier() {
        // sorted: -50 10 11 12 13; len5 k2: hi 13-11=2 < lo 11+50=61 -> drop low.
        // len 4 (10..13), k1: hi 13-12=1 < lo 11-10=1? no -> drop high.
        // kept 10 11 12: mean 11, jitter 1.
        let r = tm(&[12.0, -50.0, 13.0, 10.0, 11.0]);
        assert_eq!(r.offset, 11.0);
        assert_eq!(r.jitter, 1.0);
    }

    #[test]
    fn sixty_samples_keep_36() {
        // 0..59 with outliers at both ends replaced; m = 60 - 24 = 36.
        let mut v: Vec<f64> = (0..60).map(|x| x as f64).collect();
        v[0] = -1000.0;
        v[59] = 1000.0;
        let r = tm(&v);
        assert_eq!(r.kept, 36);
        // Both outliers must be gone: the kept window is 36 consecutive
        // integers, so the mean is a half-integer between 17.5 and 40.5,
        // and jitter is exactly 1.
        assert_eq!(r.jitter, 1.0);
        assert!(r.offset > 10.0 && r.offset < 50.0, "{r:?}");
        assert_eq!(r.offset.fract(), 0.5);
    }

    #[test]
    fn jitter_floor_applies() {
        let r = trimmed_mean(&mut [1.0, 1.0, 1.0], 1e-6).unwrap();
        assert_eq!(r.jitter, 1e-6);
    }

    #[test]
    fn ring_wraps_at_60() {
        let mut b = SampleBuffer::new();
        for i in 0..60 {
            assert_eq!(b.push(i as f64), None);
        }
        assert_eq!(b.len(), 60);
        assert_eq!(b.push(60.0), Some(0.0));
        assert_eq!(b.push(61.0), Some(1.0));
        assert_eq!(b.len(), 60);
        let all: Vec<f64> = b.iter().collect();
        assert_eq!(all.first(), Some(&2.0));
        assert_eq!(all.last(), Some(&61.0));
    }

    #[test]
    fn expire_drops_oldest_only() {
        let mut b = SampleBuffer::new();
        for i in 0..5 {
            let _ = b.push(i as f64);
        }
        assert_eq!(b.expire(2), 2);
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![2.0, 3.0, 4.0]);
        assert_eq!(b.expire(10), 3);
        assert!(b.is_empty());
    }

    #[test]
    fn take_filtered_empties() {
        let mut b = SampleBuffer::new();
        for x in [1.0, 2.0, 3.0] {
            let _ = b.push(x);
        }
        let r = b.take_filtered(0.0).unwrap();
        assert_eq!(r.n, 3);
        assert!(b.is_empty());
        assert!(b.take_filtered(0.0).is_none());
    }
}
