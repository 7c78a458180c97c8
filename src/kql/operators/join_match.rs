//! Which rows of two tables a join pairs, and how many pairs there will
//! be before any is made.
//!
//! Both sides' keys are grouped together ([`groups::group_ids`] over the
//! keys stacked left above right), so a key's group number is the same on
//! both sides. Counting each group's rows per side then gives the exact
//! size of every kind of join (an inner join makes `left × right` rows per
//! key), which is what lets a runaway join be refused before it allocates,
//! and `join ... | count` be answered without building a row.

use polars::prelude::*;

use super::groups;
use crate::kql::ast::{JoinKind, Span};
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;
use crate::kql::value::series_to_text;

/// The group of a row whose key holds a null: it matches nothing, as in
/// Kusto (and Polars) joins.
const NO_GROUP: u32 = u32::MAX;

/// Row index meaning "no row": the other side's columns are null.
const NONE: IdxSize = IdxSize::MAX;

/// Rows checked between two looks at the cancel flag.
const STRIDE: usize = 1 << 16;

/// The key groups of both sides of a join.
pub(super) struct Matches {
    left: Vec<u32>,
    right: Vec<u32>,
    left_count: Vec<u32>,
    right_count: Vec<u32>,
}

/// The row pairs of a join: the left row and the right row of each output
/// row, `None` for the side an outer join leaves empty.
pub(super) struct Pairs {
    pub(super) left: IdxCa,
    pub(super) right: Option<IdxCa>,
}

impl Matches {
    /// Groups the keys: `left_keys[i]` is matched with `right_keys[i]`.
    /// Keys of different types are compared as text.
    pub(super) fn new(
        left_keys: &[Series],
        right_keys: &[Series],
        cancel: Cancel,
        span: Span,
    ) -> Result<Matches, QueryError> {
        let left_rows = left_keys.first().map_or(0, |k| k.len());
        let right_rows = right_keys.first().map_or(0, |k| k.len());
        let stacked = |as_text: bool| -> Result<Vec<Series>, QueryError> {
            left_keys
                .iter()
                .zip(right_keys)
                .map(|(l, r)| stack(l, r, as_text, span))
                .collect()
        };
        let keys = stacked(false)?;
        cancel.check()?;
        let groups = match groups::group_ids(&keys, cancel)? {
            Some(g) => g,
            None => groups::group_ids(&stacked(true)?, cancel)?.ok_or_else(|| {
                QueryError::runtime(
                    "join: these keys cannot be matched (more than 4 billion rows)",
                    Some(span),
                )
            })?,
        };
        let mut ids = groups.ids;
        // Null keys match nothing.
        for k in &keys {
            if k.null_count() == 0 {
                continue;
            }
            for (g, null) in ids.iter_mut().zip(k.is_null().iter()) {
                if null == Some(true) {
                    *g = NO_GROUP;
                }
            }
        }
        cancel.check()?;
        let right = ids.split_off(left_rows);
        let left = ids;
        debug_assert_eq!(right.len(), right_rows);
        let count = |ids: &[u32]| {
            let mut n = vec![0u32; groups.first_rows.len()];
            for &g in ids {
                if g != NO_GROUP {
                    n[g as usize] += 1;
                }
            }
            n
        };
        Ok(Matches {
            left_count: count(&left),
            right_count: count(&right),
            left,
            right,
        })
    }

    /// How many rows the join of `kind` produces. Right semi and anti
    /// joins are their left forms with the sides swapped by the caller.
    pub(super) fn output_rows(&self, kind: JoinKind) -> u64 {
        let pairs = self.left_count.iter().zip(&self.right_count);
        let unmatched = |ids: &[u32], other: &[u32]| {
            ids.iter()
                .filter(|&&g| g == NO_GROUP || other[g as usize] == 0)
                .count() as u64
        };
        match kind {
            JoinKind::Inner => pairs.map(|(&l, &r)| u64::from(l) * u64::from(r)).sum(),
            JoinKind::InnerUnique => pairs
                .filter(|&(&l, _)| l > 0)
                .map(|(_, &r)| u64::from(r))
                .sum(),
            JoinKind::LeftOuter => {
                self.output_rows(JoinKind::Inner) + unmatched(&self.left, &self.right_count)
            }
            JoinKind::RightOuter => {
                self.output_rows(JoinKind::Inner) + unmatched(&self.right, &self.left_count)
            }
            JoinKind::FullOuter => {
                self.output_rows(JoinKind::Inner)
                    + unmatched(&self.left, &self.right_count)
                    + unmatched(&self.right, &self.left_count)
            }
            JoinKind::LeftSemi | JoinKind::RightSemi => {
                self.left.len() as u64 - unmatched(&self.left, &self.right_count)
            }
            JoinKind::LeftAnti | JoinKind::RightAnti => unmatched(&self.left, &self.right_count),
        }
    }

    /// The row pairs of the join of `kind`, in the order of the left rows
    /// (a left row's matches in the order of the right rows); right rows
    /// without a match (right and full outer joins) come last, in order.
    pub(super) fn pairs(&self, kind: JoinKind, cancel: Cancel) -> Result<Pairs, QueryError> {
        let groups = self.left_count.len();
        // The right rows of each group, in order (offsets into `rows`).
        let mut start = vec![0usize; groups + 1];
        for (r, &g) in self.right.iter().enumerate() {
            if r.is_multiple_of(STRIDE) {
                cancel.check()?;
            }
            if g != NO_GROUP {
                start[g as usize + 1] += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut rows = vec![0 as IdxSize; start[groups]];
        let mut next = start.clone();
        for (r, &g) in self.right.iter().enumerate() {
            if r.is_multiple_of(STRIDE) {
                cancel.check()?;
            }
            if g != NO_GROUP {
                rows[next[g as usize]] = r as IdxSize;
                next[g as usize] += 1;
            }
        }
        drop(next);
        let matched = |g: u32| g != NO_GROUP && self.right_count[g as usize] > 0;
        let wanted = usize::try_from(self.output_rows(kind)).unwrap_or(usize::MAX);
        let mut left_idx: Vec<IdxSize> = Vec::with_capacity(wanted);
        let semi = matches!(
            kind,
            JoinKind::LeftSemi | JoinKind::LeftAnti | JoinKind::RightSemi | JoinKind::RightAnti
        );
        let mut right_idx: Vec<IdxSize> = Vec::with_capacity(if semi { 0 } else { wanted });
        let mut first_seen = vec![
            false;
            if kind == JoinKind::InnerUnique {
                groups
            } else {
                0
            }
        ];
        for (l, &g) in self.left.iter().enumerate() {
            if l.is_multiple_of(STRIDE) {
                cancel.check()?;
            }
            let l = l as IdxSize;
            match kind {
                JoinKind::LeftSemi | JoinKind::RightSemi => {
                    if matched(g) {
                        left_idx.push(l);
                    }
                }
                JoinKind::LeftAnti | JoinKind::RightAnti => {
                    if !matched(g) {
                        left_idx.push(l);
                    }
                }
                _ => {
                    if matched(g) {
                        if kind == JoinKind::InnerUnique {
                            if first_seen[g as usize] {
                                continue;
                            }
                            first_seen[g as usize] = true;
                        }
                        let group = &rows[start[g as usize]..start[g as usize + 1]];
                        left_idx.extend(std::iter::repeat_n(l, group.len()));
                        right_idx.extend_from_slice(group);
                    } else if matches!(kind, JoinKind::LeftOuter | JoinKind::FullOuter) {
                        left_idx.push(l);
                        right_idx.push(NONE);
                    }
                }
            }
        }
        if matches!(kind, JoinKind::RightOuter | JoinKind::FullOuter) {
            for (r, &g) in self.right.iter().enumerate() {
                if r.is_multiple_of(STRIDE) {
                    cancel.check()?;
                }
                if g == NO_GROUP || self.left_count[g as usize] == 0 {
                    left_idx.push(NONE);
                    right_idx.push(r as IdxSize);
                }
            }
        }
        Ok(Pairs {
            left: index(left_idx),
            right: (!semi).then(|| index(right_idx)),
        })
    }
}

/// Row indices, with [`NONE`] as null.
fn index(idx: Vec<IdxSize>) -> IdxCa {
    if idx.contains(&NONE) {
        idx.into_iter().map(|i| (i != NONE).then_some(i)).collect()
    } else {
        IdxCa::from_vec("".into(), idx)
    }
}

/// One key of both sides, the left rows above the right ones.
fn stack(left: &Series, right: &Series, as_text: bool, span: Span) -> Result<Series, QueryError> {
    let text = |s: &Series| series_to_text(s).into_series();
    if !as_text && left.dtype() == right.dtype() {
        let mut both = left.clone();
        // Encoded text of two different dictionaries does not stack: then
        // compare the text.
        if both.append(right).is_ok() {
            return Ok(both);
        }
    }
    let mut both = text(left);
    both.append(&text(right))
        .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?;
    Ok(both)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(left: &[i64], right: &[i64]) -> Matches {
        Matches::new(
            &[Series::new("k".into(), left)],
            &[Series::new("k".into(), right)],
            Cancel::default(),
            Span::default(),
        )
        .expect("matched")
    }

    fn pairs(m: &Matches, kind: JoinKind) -> (Vec<Option<IdxSize>>, Vec<Option<IdxSize>>) {
        let p = m.pairs(kind, Cancel::default()).expect("paired");
        assert_eq!(p.left.len() as u64, m.output_rows(kind), "{kind:?}");
        (
            p.left.iter().collect(),
            p.right.map_or_else(Vec::new, |r| r.iter().collect()),
        )
    }

    #[test]
    fn every_kind_pairs_the_rows_it_counts() {
        // Keys: left 1 1 2 3, right 1 2 2 4.
        let m = matches(&[1, 1, 2, 3], &[1, 2, 2, 4]);
        let s = |v: &[i64]| -> Vec<Option<IdxSize>> {
            v.iter()
                .map(|&i| (i >= 0).then_some(i as IdxSize))
                .collect()
        };
        assert_eq!(
            pairs(&m, JoinKind::Inner),
            (s(&[0, 1, 2, 2]), s(&[0, 0, 1, 2]))
        );
        assert_eq!(
            pairs(&m, JoinKind::InnerUnique),
            (s(&[0, 2, 2]), s(&[0, 1, 2]))
        );
        assert_eq!(
            pairs(&m, JoinKind::LeftOuter),
            (s(&[0, 1, 2, 2, 3]), s(&[0, 0, 1, 2, -1]))
        );
        assert_eq!(
            pairs(&m, JoinKind::RightOuter),
            (s(&[0, 1, 2, 2, -1]), s(&[0, 0, 1, 2, 3]))
        );
        assert_eq!(
            pairs(&m, JoinKind::FullOuter),
            (s(&[0, 1, 2, 2, 3, -1]), s(&[0, 0, 1, 2, -1, 3]))
        );
        assert_eq!(pairs(&m, JoinKind::LeftSemi), (s(&[0, 1, 2]), vec![]));
        assert_eq!(pairs(&m, JoinKind::LeftAnti), (s(&[3]), vec![]));
    }

    #[test]
    fn a_cross_product_is_counted_without_being_made() {
        let m = matches(&vec![1; 50_000], &vec![1; 50_000]);
        assert_eq!(m.output_rows(JoinKind::Inner), 2_500_000_000);
        assert_eq!(m.output_rows(JoinKind::InnerUnique), 50_000);
    }

    #[test]
    fn null_keys_match_nothing() {
        let m = Matches::new(
            &[Series::new("k".into(), &[Some(1i64), None])],
            &[Series::new("k".into(), &[None, Some(1i64)])],
            Cancel::default(),
            Span::default(),
        )
        .expect("matched");
        assert_eq!(m.output_rows(JoinKind::Inner), 1);
        assert_eq!(m.output_rows(JoinKind::FullOuter), 3);
    }

    #[test]
    fn keys_of_different_types_compare_as_text() {
        let m = Matches::new(
            &[Series::new("k".into(), &["1", "2"])],
            &[Series::new("k".into(), &[2i64, 3])],
            Cancel::default(),
            Span::default(),
        )
        .expect("matched");
        assert_eq!(m.output_rows(JoinKind::Inner), 1);
    }

    #[test]
    fn a_cancelled_join_stops() {
        let flag = std::sync::atomic::AtomicBool::new(true);
        let r = Matches::new(
            &[Series::new("k".into(), &[1i64])],
            &[Series::new("k".into(), &[1i64])],
            Cancel::new(Some(&flag)),
            Span::default(),
        );
        assert_eq!(r.err().map(|e| e.message), Some("query cancelled".into()));
    }
}
