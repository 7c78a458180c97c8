//! Selected rows of one view.
//!
//! "Select all" on a five-million-row view must not build a five-million
//! entry set, so the selection is either a set of rows, or every row except
//! a set.

use std::collections::BTreeSet;

/// A set of row indices of one view's frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// When true, every row is selected except those in `rows`.
    inverted: bool,
    rows: BTreeSet<usize>,
}

impl Selection {
    /// Nothing selected.
    pub fn new() -> Selection {
        Selection::default()
    }

    /// Whether `row` is selected.
    pub fn contains(&self, row: usize) -> bool {
        self.rows.contains(&row) != self.inverted
    }

    /// Selects `row` if it was not, unselects it if it was.
    pub fn toggle(&mut self, row: usize) {
        if !self.rows.remove(&row) {
            self.rows.insert(row);
        }
    }

    /// Selects every row (of however many there are).
    pub fn select_all(&mut self) {
        self.inverted = true;
        self.rows.clear();
    }

    /// Unselects everything.
    pub fn clear(&mut self) {
        self.inverted = false;
        self.rows.clear();
    }

    /// How many of a view's `len` rows are selected.
    pub fn count(&self, len: usize) -> usize {
        if self.inverted {
            len - self.rows.range(..len).count()
        } else {
            self.rows.range(..len).count()
        }
    }

    /// Whether no row of a `len`-row view is selected.
    pub fn is_empty(&self, len: usize) -> bool {
        self.count(len) == 0
    }

    /// The selected rows of a `len`-row view, in view order.
    pub fn rows(&self, len: usize) -> Vec<usize> {
        if self.inverted {
            (0..len).filter(|r| !self.rows.contains(r)).collect()
        } else {
            self.rows.range(..len).copied().collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggles_and_counts() {
        let mut s = Selection::new();
        assert!(s.is_empty(10));
        s.toggle(3);
        s.toggle(1);
        s.toggle(12);
        assert_eq!(s.count(10), 2);
        assert_eq!(s.rows(10), vec![1, 3]);
        s.toggle(3);
        assert_eq!(s.rows(10), vec![1]);
        assert!(s.contains(1) && !s.contains(3));
    }

    #[test]
    fn select_all_then_unselect_some() {
        let mut s = Selection::new();
        s.toggle(2);
        s.select_all();
        assert_eq!(s.count(5_000_000), 5_000_000);
        s.toggle(0);
        s.toggle(4);
        assert_eq!(s.rows(6), vec![1, 2, 3, 5]);
        assert!(!s.contains(0) && s.contains(1));
        s.toggle(0);
        assert_eq!(s.count(6), 5);
        s.clear();
        assert!(s.is_empty(6));
    }
}
