//! Sets of rows as bits, one per row, and the weight of such a set.
//!
//! The miners ask one question millions of times: how much weight do the
//! rows that match these values carry? A set of rows as a bit per row
//! answers it with a few word operations per 64 rows.

use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;

/// Rows handled between two looks at the cancel flag (in whole words).
const CHECK_ROWS: usize = 1 << 16;

/// A set of rows: bit `r % 64` of word `r / 64` is row `r`. Bits past the
/// last row are always clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rows {
    words: Vec<u64>,
}

impl Rows {
    /// No rows of `len`.
    pub fn none(len: usize) -> Rows {
        Rows {
            words: vec![0; len.div_ceil(64)],
        }
    }

    /// The rows of `len` where `keep` is true.
    pub fn from_fn(len: usize, mut keep: impl FnMut(usize) -> bool) -> Rows {
        let mut rows = Rows::none(len);
        for r in 0..len {
            if keep(r) {
                rows.insert(r);
            }
        }
        rows
    }

    /// The rows whose code is `code`, looking at the cancel flag as it
    /// goes (a column of ten million rows takes a while).
    pub fn with_code(codes: &[u32], code: u32, cancel: Cancel) -> Result<Rows, QueryError> {
        let mut rows = Rows::none(codes.len());
        for (block, chunk) in codes.chunks(CHECK_ROWS).enumerate() {
            cancel.check()?;
            let base = block * CHECK_ROWS;
            for (i, &c) in chunk.iter().enumerate() {
                if c == code {
                    rows.insert(base + i);
                }
            }
        }
        Ok(rows)
    }

    pub fn insert(&mut self, row: usize) {
        self.words[row / 64] |= 1 << (row % 64);
    }

    pub fn contains(&self, row: usize) -> bool {
        self.words[row / 64] & (1 << (row % 64)) != 0
    }

    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Keeps only the rows also in `other`.
    pub fn and(&mut self, other: &Rows) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// Adds the rows of `other`.
    pub fn or(&mut self, other: &Rows) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Whether every row of `self` is in `other`.
    pub fn within(&self, other: &Rows) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .all(|(a, b)| a & !b == 0)
    }

    /// The first row in the set.
    pub fn first(&self) -> Option<usize> {
        self.words
            .iter()
            .position(|&w| w != 0)
            .map(|i| i * 64 + self.words[i].trailing_zeros() as usize)
    }

    /// The rows in the set, in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .flat_map(|(i, &w)| Ones(w).map(move |b| i * 64 + b))
    }
}

/// The set bits of one word, lowest first.
struct Ones(u64);

impl Iterator for Ones {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let b = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(b)
    }
}

/// What each row counts for: 1 each, or the weight column's values.
pub enum Weights {
    Unit,
    /// One weight per row, 0 or more (a null weight is 0).
    Column(Vec<f64>),
}

impl Weights {
    /// The weight of row `r`.
    pub fn of_row(&self, r: usize) -> f64 {
        match self {
            Weights::Unit => 1.0,
            Weights::Column(w) => w[r],
        }
    }

    /// The weight of the rows in `words` (a [`Rows`] or a word-by-word
    /// combination of some).
    pub fn of_words(&self, words: &[u64]) -> f64 {
        match self {
            Weights::Unit => words.iter().map(|w| w.count_ones() as u64).sum::<u64>() as f64,
            Weights::Column(weights) => {
                let mut sum = 0.0;
                for (i, &w) in words.iter().enumerate() {
                    for b in Ones(w) {
                        sum += weights[i * 64 + b];
                    }
                }
                sum
            }
        }
    }

    /// The weight of a set of rows.
    pub fn of(&self, rows: &Rows) -> f64 {
        self.of_words(rows.words())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_of_rows() {
        let a = Rows::from_fn(130, |r| r.is_multiple_of(3));
        assert_eq!(a.iter().count(), 44);
        assert_eq!(a.first(), Some(0));
        assert!(a.contains(129) && !a.contains(128));
        let mut b = Rows::from_fn(130, |r| r.is_multiple_of(2));
        b.and(&a);
        assert_eq!(b.iter().collect::<Vec<_>>()[..3], [0, 6, 12]);
        assert!(b.within(&a) && !a.within(&b));
        let mut c = Rows::none(130);
        assert_eq!(c.first(), None);
        c.insert(100);
        c.or(&b);
        assert_eq!(c.iter().filter(|&r| r == 100).count(), 1);
        let codes = [1, 2, 1, 1];
        let ones = Rows::with_code(&codes, 1, Cancel::default()).unwrap();
        assert_eq!(ones.iter().collect::<Vec<_>>(), vec![0, 2, 3]);
    }

    #[test]
    fn weights_of_sets() {
        let rows = Rows::from_fn(70, |r| r == 1 || r == 65);
        assert_eq!(Weights::Unit.of(&rows), 2.0);
        let w = Weights::Column((0..70).map(|r| r as f64).collect());
        assert_eq!(w.of(&rows), 66.0);
        assert_eq!(w.of_row(5), 5.0);
    }
}
