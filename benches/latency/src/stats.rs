//! The statistics the table reports: median, nearest-rank percentiles,
//! maximum, mean and sample standard deviation.
//!
//! Definitions (so the figures can be checked by hand):
//! * median: the middle value of the sorted data, the mean of the two
//!   middle values when their number is even;
//! * p-th percentile: nearest rank, the smallest value that at least p % of
//!   the data are less than or equal to, i.e. `sorted[ceil(p/100 · n) − 1]`
//!   (p90 of ten values is the 9th smallest, p99 of fewer than 100 values
//!   is the maximum);
//! * standard deviation: the sample one, divided by `n − 1`.
//!
//! Every function returns `None` for data it cannot summarise (empty, or a
//! single value for the standard deviation) and ignores nothing: callers
//! keep NaN out.

/// Sorts a copy of `data` (ascending; NaN, which callers never pass, last).
fn sorted(data: &[f64]) -> Vec<f64> {
    let mut v = data.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// The median of `data`.
pub fn median(data: &[f64]) -> Option<f64> {
    let v = sorted(data);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The `p`-th percentile (0 < `p` ≤ 100) of `data` by nearest rank.
pub fn percentile(data: &[f64], p: f64) -> Option<f64> {
    if data.is_empty() || !(p > 0.0 && p <= 100.0) {
        return None;
    }
    let v = sorted(data);
    let n = v.len();
    // The rank computed in integer hundredths of a percent, so that e.g.
    // p90 of 10 values is rank 9 exactly (0.9 · 10 in floating point is
    // not).
    let p_hundredths = (p * 100.0).round() as u128;
    let rank = (p_hundredths * n as u128).div_ceil(10_000) as usize;
    Some(v[rank.clamp(1, n) - 1])
}

/// The largest value of `data`.
pub fn max(data: &[f64]) -> Option<f64> {
    data.iter().copied().reduce(f64::max)
}

/// The arithmetic mean of `data`.
pub fn mean(data: &[f64]) -> Option<f64> {
    if data.is_empty() {
        return None;
    }
    Some(data.iter().sum::<f64>() / data.len() as f64)
}

/// The sample standard deviation of `data` (divided by `n − 1`).
pub fn std_dev(data: &[f64]) -> Option<f64> {
    if data.len() < 2 {
        return None;
    }
    let m = mean(data)?;
    let ss: f64 = data.iter().map(|x| (x - m) * (x - m)).sum();
    Some((ss / (data.len() - 1) as f64).sqrt())
}

/// Median, p90, p99 and maximum of a set of latencies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The median.
    pub median: f64,
    /// The 90th percentile.
    pub p90: f64,
    /// The 99th percentile.
    pub p99: f64,
    /// The maximum.
    pub max: f64,
}

impl Spread {
    /// The spread of `data`; `None` when it is empty.
    pub fn of(data: &[f64]) -> Option<Spread> {
        Some(Spread {
            median: median(data)?,
            p90: percentile(data, 90.0)?,
            p99: percentile(data, 99.0)?,
            max: max(data)?,
        })
    }

    /// Each figure divided by the same figure of `floor`.
    pub fn ratio_to(&self, floor: &Spread) -> [f64; 4] {
        [
            self.median / floor.median,
            self.p90 / floor.p90,
            self.p99 / floor.p99,
            self.max / floor.max,
        ]
    }
}

/// Mean and sample standard deviation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanSd {
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (0 for a single value).
    pub sd: f64,
}

impl MeanSd {
    /// Mean and standard deviation of `data`; `None` when it is empty.
    pub fn of(data: &[f64]) -> Option<MeanSd> {
        Some(MeanSd {
            mean: mean(data)?,
            sd: std_dev(data).unwrap_or(0.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_even_and_unsorted() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        // Sorted: 1 2 4 10 → (2 + 4) / 2.
        assert_eq!(median(&[10.0, 2.0, 1.0, 4.0]), Some(3.0));
        assert_eq!(median(&[5.0, -1.0, 5.0, 5.0, 0.0]), Some(5.0));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        // ceil(0.9 · 10) = 9 → the 9th smallest.
        assert_eq!(percentile(&v, 90.0), Some(9.0));
        // ceil(0.99 · 10) = 10 → the maximum.
        assert_eq!(percentile(&v, 99.0), Some(10.0));
        // ceil(0.5 · 10) = 5 (nearest rank, not interpolated).
        assert_eq!(percentile(&v, 50.0), Some(5.0));
        assert_eq!(percentile(&v, 100.0), Some(10.0));
        // ceil(0.01 · 10) = 1.
        assert_eq!(percentile(&v, 1.0), Some(1.0));

        let h: Vec<f64> = (1..=200).map(f64::from).collect();
        // ceil(0.99 · 200) = 198; ceil(0.9 · 200) = 180.
        assert_eq!(percentile(&h, 99.0), Some(198.0));
        assert_eq!(percentile(&h, 90.0), Some(180.0));
        // ceil(0.99 · 101) = 100.
        let g: Vec<f64> = (1..=101).map(|i| f64::from(i) * 2.0).collect();
        assert_eq!(percentile(&g, 99.0), Some(200.0));

        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&v, 0.0), None);
        assert_eq!(percentile(&v, 100.5), None);
    }

    #[test]
    fn maximum() {
        assert_eq!(max(&[]), None);
        assert_eq!(max(&[-3.0, -1.5, -2.0]), Some(-1.5));
    }

    #[test]
    fn mean_and_sample_standard_deviation() {
        assert_eq!(mean(&[]), None);
        assert_eq!(std_dev(&[1.0]), None);
        // 2 4 4 4 5 5 7 9: mean 5, squared deviations sum to 32,
        // sample variance 32 / 7.
        let d = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&d), Some(5.0));
        let sd = std_dev(&d).unwrap();
        assert!((sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12, "{sd}");
        // 1 and 3: mean 2, deviations ±1, variance 2 / 1.
        let sd = std_dev(&[1.0, 3.0]).unwrap();
        assert!((sd - 2.0f64.sqrt()).abs() < 1e-12, "{sd}");
        // Negative values: −10 −20 −30: mean −20, variance 200 / 2.
        assert_eq!(mean(&[-10.0, -20.0, -30.0]), Some(-20.0));
        assert_eq!(std_dev(&[-10.0, -20.0, -30.0]), Some(10.0));
    }

    #[test]
    fn spread_and_ratios() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = Spread::of(&v).unwrap();
        assert_eq!(
            s,
            Spread {
                median: 5.5,
                p90: 9.0,
                p99: 10.0,
                max: 10.0
            }
        );
        let floor = Spread {
            median: 2.75,
            p90: 3.0,
            p99: 4.0,
            max: 8.0,
        };
        assert_eq!(s.ratio_to(&floor), [2.0, 3.0, 2.5, 1.25]);
        assert_eq!(Spread::of(&[]), None);
        assert_eq!(MeanSd::of(&[4.0]), Some(MeanSd { mean: 4.0, sd: 0.0 }));
    }
}
