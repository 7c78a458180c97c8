//! A small deterministic random source over `ChaCha8Rng`.
//!
//! Every random choice in the generator goes through [`Rand`], seeded either
//! from the user's seed or from fixed labels (the "world": devices, users,
//! binaries, hashes, which must not change with the seed so documented facts
//! stay true). A seed is derived from a label and a list of numbers, so any
//! entity (process instance `k`, device `d`, ...) can be regenerated on demand
//! instead of stored: that is what keeps the generator streaming.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// SplitMix64's finaliser: a cheap bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a of a label, so labels can key seeds.
pub(crate) fn label_hash(label: &str) -> u64 {
    label.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The deterministic random source used everywhere in the generator.
pub(crate) struct Rand(ChaCha8Rng);

impl Rand {
    /// A generator keyed by `label` and `parts`; equal keys give equal streams.
    pub fn keyed(label: &str, parts: &[u64]) -> Rand {
        let mut state = label_hash(label);
        for &p in parts {
            state = mix(state ^ mix(p));
        }
        let mut seed = [0u8; 32];
        for chunk in seed.chunks_mut(8) {
            state = mix(state);
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        Rand(ChaCha8Rng::from_seed(seed))
    }

    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias (Lemire's method).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Uniform in `lo..hi` (`lo < hi`).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo < hi);
        lo + self.below((hi - lo) as u64) as i64
    }

    /// Uniform in `[0, 1)`, 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given relative weights (not all zero).
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        unreachable!("x < total")
    }

    /// `n` lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(n);
        let mut bits = 0u64;
        for i in 0..n {
            if i % 16 == 0 {
                bits = self.u64();
            }
            s.push(DIGITS[(bits & 15) as usize] as char);
            bits >>= 4;
        }
        s
    }

    /// A random (version 4 shaped) GUID, lowercase, hyphenated.
    pub fn guid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-{}{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            ["8", "9", "a", "b"][self.below(4) as usize],
            &h[17..20],
            &h[20..32]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_streams_repeat_and_differ() {
        let a: Vec<u64> = (0..4).map(|_| Rand::keyed("x", &[1, 2]).u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rand::keyed("x", &[1, 2]).u64(),
            Rand::keyed("x", &[2, 1]).u64()
        );
        assert_ne!(Rand::keyed("x", &[1]).u64(), Rand::keyed("y", &[1]).u64());
    }

    #[test]
    fn ranges_stay_in_bounds() {
        let mut r = Rand::keyed("t", &[]);
        for _ in 0..10_000 {
            let v = r.range(-3, 4);
            assert!((-3..4).contains(&v));
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        let w = [0, 5, 0, 1];
        for _ in 0..1000 {
            let i = r.weighted(&w);
            assert!(i == 1 || i == 3);
        }
        let g = r.guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
    }
}
