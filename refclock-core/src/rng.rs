//! The project's one seeded pseudo-random generator (xorshift64*, seeded
//! through splitmix64), for the simulator's scenarios, the fuzz and test
//! kits and the benchmarks' inputs: every random choice is reproducible
//! from a seed. Not for cryptography.
//!
//! [`Rng::stream`] derives an independent stream per index (a simulated
//! second) and tag (what the numbers are for), so what happens in second N
//! does not depend on how many numbers earlier seconds drew.

/// The splitmix64 finaliser: a good 64-bit mix of `x`.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// xorshift64* generator. Not for cryptography.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator from a seed (any value, 0 included).
    pub fn new(seed: u64) -> Rng {
        let s = splitmix64(seed);
        Rng {
            state: if s == 0 { 0x2545_F491_4F6C_DD1D } else { s },
        }
    }

    /// The stream for `index` (a simulated second) and `tag` (a purpose,
    /// below 8), independent of every other index and tag.
    pub fn stream(seed: u64, index: u64, tag: u64) -> Rng {
        Rng::new(seed ^ splitmix64(index.wrapping_mul(8).wrapping_add(tag)))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number uniform in `0..=max` (tiny modulo bias, irrelevant here).
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            self.next_u64()
        } else {
            self.next_u64() % (max + 1)
        }
    }

    /// A byte string of `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u8) -> bool {
        self.up_to(99) < u64::from(percent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_seed_dependent() {
        let a: Vec<u64> = (0..5).map(|_| Rng::new(42).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut r1 = Rng::new(42);
        let mut r2 = Rng::new(43);
        assert_ne!(r1.next_u64(), r2.next_u64());
        let mut z = Rng::new(0);
        assert_ne!(z.next_u64(), 0);
    }

    #[test]
    fn per_second_streams_differ() {
        let mut a = Rng::stream(1, 10, 1);
        let mut b = Rng::stream(1, 11, 1);
        let mut c = Rng::stream(1, 10, 2);
        let x = a.next_u64();
        assert_ne!(x, b.next_u64());
        assert_ne!(x, c.next_u64());
        assert_eq!(x, Rng::stream(1, 10, 1).next_u64());
    }

    #[test]
    fn bounds_and_rough_uniformity() {
        let mut r = Rng::new(7);
        let mut hist = [0u32; 10];
        for _ in 0..10_000 {
            let v = r.up_to(9);
            assert!(v <= 9);
            hist[v as usize] += 1;
        }
        assert!(hist.iter().all(|&n| (800..1200).contains(&n)), "{hist:?}");
        let hits = (0..10_000).filter(|_| r.percent(25)).count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
        assert!((0..100).all(|_| !r.percent(0)));
        assert!((0..100).all(|_| r.percent(100)));
    }
}
