//! One pass over the rows that updates a state per group: counts, sums,
//! means, extremes and chosen rows. With few groups the rows are split
//! between the threads, each with its own states, merged in row order.

use polars::prelude::*;
use rayon::prelude::*;

use super::super::groups::Groups;
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;

/// No row (a group without a value).
pub const NONE: u32 = u32::MAX;
/// Rows handled between two looks at the cancel flag.
const BLOCK: usize = 1 << 16;
/// Rows a thread's share must have for threads to pay.
const SHARE_ROWS: usize = 1 << 17;

/// Folds rows `start..end` into per-group states.
trait Visit<S>: Fn(&mut [S], &[u32], usize) + Sync {}
impl<S, F: Fn(&mut [S], &[u32], usize) + Sync> Visit<S> for F {}

/// The per-group states after visiting every row: `visit(states, ids,
/// start)` folds the block of rows starting at `start` (`ids` are theirs);
/// `merge(earlier, later)` combines two shares' states of one group.
fn fold<S: Copy + Send + Sync>(
    groups: &Groups,
    empty: S,
    cancel: Cancel,
    visit: impl Visit<S>,
    merge: impl Fn(S, S) -> S + Sync,
) -> Result<Vec<S>, QueryError> {
    let rows = groups.ids.len();
    let n = groups.len();
    // Each thread's states cost a pass over all groups to merge: worth it
    // only when the groups are few beside the rows.
    let threads = if n.saturating_mul(4) <= rows {
        rayon::current_num_threads().min(rows / SHARE_ROWS).max(1)
    } else {
        1
    };
    let shares: Vec<Vec<S>> = (0..threads)
        .into_par_iter()
        .map(|t| {
            let (start, end) = (rows * t / threads, rows * (t + 1) / threads);
            let mut states = vec![empty; n];
            for block in (start..end).step_by(BLOCK) {
                cancel.check()?;
                let stop = (block + BLOCK).min(end);
                visit(&mut states, &groups.ids[block..stop], block);
            }
            Ok(states)
        })
        .collect::<Result<_, QueryError>>()?;
    let mut shares = shares.into_iter();
    let mut out = shares.next().unwrap_or_default();
    for later in shares {
        cancel.check()?;
        for (a, b) in out.iter_mut().zip(later) {
            *a = merge(*a, b);
        }
    }
    Ok(out)
}

/// Rows per group (where `mask` holds), as longs.
pub fn count(
    groups: &Groups,
    mask: Option<&BooleanChunked>,
    cancel: Cancel,
) -> Result<Int64Chunked, QueryError> {
    let counts = match mask.map(|m| m.downcast_as_array().values()) {
        None => fold(
            groups,
            0u32,
            cancel,
            |states, ids, _| {
                for &g in ids {
                    states[g as usize] += 1;
                }
            },
            |a, b| a + b,
        )?,
        Some(bits) => fold(
            groups,
            0u32,
            cancel,
            |states, ids, start| {
                for (i, &g) in ids.iter().enumerate() {
                    states[g as usize] += u32::from(bits.get_bit(start + i));
                }
            },
            |a, b| a + b,
        )?,
    };
    Ok(counts.into_iter().map(i64::from).collect_ca("".into()))
}

/// Whether row `$row` counts: its value is not null (`$valid`, a
/// validity bitmap) and the mask holds.
macro_rules! counts_row {
    ($valid:expr, $mask:expr, $row:expr) => {
        $valid.is_none_or(|v| v.get_bit($row)) && $mask.is_none_or(|m| m.get_bit($row))
    };
}

/// The (wrapping) sum of each group's values where `mask` holds, 0 for a
/// group without any.
pub fn sum(
    x: &Int64Chunked,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Vec<i64>, QueryError> {
    let arr = x.downcast_as_array();
    let (values, valid) = (arr.values().as_slice(), arr.validity());
    let mask = mask.map(|m| m.downcast_as_array().values());
    fold(
        groups,
        0i64,
        cancel,
        |states, ids, start| {
            for (i, &g) in ids.iter().enumerate() {
                let row = start + i;
                if counts_row!(valid, mask, row) {
                    let s = &mut states[g as usize];
                    *s = s.wrapping_add(values[row]);
                }
            }
        },
        i64::wrapping_add,
    )
}

/// The mean of each group's values where `mask` holds (null for a group
/// without any), `None` when some group's sum is not exact in a double,
/// where Polars' rounding would decide the last bits.
pub fn mean(
    x: &Int64Chunked,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Float64Chunked>, QueryError> {
    let arr = x.downcast_as_array();
    let (values, valid) = (arr.values().as_slice(), arr.validity());
    let mask = mask.map(|m| m.downcast_as_array().values());
    // (sum, count, sum of magnitudes).
    let sums = fold(
        groups,
        (0i128, 0u64, 0u128),
        cancel,
        |states, ids, start| {
            for (i, &g) in ids.iter().enumerate() {
                let row = start + i;
                if counts_row!(valid, mask, row) {
                    let (s, n, magnitude) = &mut states[g as usize];
                    let v = values[row];
                    *s += i128::from(v);
                    *n += 1;
                    *magnitude += u128::from(v.unsigned_abs());
                }
            }
        },
        |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2),
    )?;
    // Below 2^53 in magnitude, every partial sum in any order is exact in
    // a double, so Polars' sum is the exact one.
    if sums.iter().any(|&(_, _, magnitude)| magnitude >= 1 << 53) {
        return Ok(None);
    }
    Ok(Some(
        sums.iter()
            .map(|&(s, n, _)| (n > 0).then(|| s as f64 / n as f64))
            .collect_ca("".into()),
    ))
}

/// The row holding a group's extreme value, and that value.
#[derive(Clone, Copy)]
pub struct Best {
    pub value: i64,
    /// [`NONE`] when the group has no value.
    pub row: u32,
}

/// Each group's smallest (or largest) value where `mask` holds, on its
/// first row among equals.
pub fn best(
    x: &Int64Chunked,
    mask: Option<&BooleanChunked>,
    is_max: bool,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Vec<Best>, QueryError> {
    let arr = x.downcast_as_array();
    let (values, valid) = (arr.values().as_slice(), arr.validity());
    let mask = mask.map(|m| m.downcast_as_array().values());
    let better = move |v: i64, than: i64| if is_max { v > than } else { v < than };
    let empty = Best {
        value: 0,
        row: NONE,
    };
    fold(
        groups,
        empty,
        cancel,
        |states, ids, start| {
            for (i, &g) in ids.iter().enumerate() {
                let row = start + i;
                if counts_row!(valid, mask, row) {
                    let v = values[row];
                    let b = &mut states[g as usize];
                    if b.row == NONE || better(v, b.value) {
                        *b = Best {
                            value: v,
                            row: row as u32,
                        };
                    }
                }
            }
        },
        move |a, b| {
            if a.row == NONE || (b.row != NONE && better(b.value, a.value)) {
                b
            } else {
                a
            }
        },
    )
}

/// Each group's first row where `mask` holds and `present` is true; else
/// its first row where `mask` holds; else [`NONE`].
pub fn first_present(
    present: &BooleanChunked,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Vec<u32>, QueryError> {
    let present = present.downcast_as_array().values();
    let mask = mask.map(|m| m.downcast_as_array().values());
    // (first present row, first row).
    let firsts = fold(
        groups,
        (NONE, NONE),
        cancel,
        |states, ids, start| {
            for (i, &g) in ids.iter().enumerate() {
                let row = start + i;
                if mask.is_some_and(|m| !m.get_bit(row)) {
                    continue;
                }
                let (p, f) = &mut states[g as usize];
                if *f == NONE {
                    *f = row as u32;
                }
                if *p == NONE && present.get_bit(row) {
                    *p = row as u32;
                }
            }
        },
        |a, b| (a.0.min(b.0), a.1.min(b.1)),
    )?;
    Ok(firsts
        .into_iter()
        .map(|(p, f)| if p != NONE { p } else { f })
        .collect())
}
