//! `dcount`, `make_set` and `make_list` from the group ids.
//!
//! Distinct values per group are the distinct (group, value) pairs, in
//! order of first appearance, so a group's set comes out in the order its
//! values first appear, as Polars' `unique_stable` gives it. Values that
//! are few small integers or codes (ports of one service, action types,
//! device names) are tracked as a bitmap per group; others are grouped
//! with their group id, as `summarize ... by` groups. Arrays are written as
//! JSON text directly, element by element as the plan's `Post::Array`
//! writes them.

use polars::prelude::*;
use rayon::prelude::*;

use super::super::groups::{Groups, distinct_rows, small_codes};
use super::direct::values_at_sorted;
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;
use crate::kql::value::Scalar;

/// Groups whose arrays one task writes.
const GROUP_BLOCK: usize = 4096;
/// Rows handled between two looks at the cancel flag.
const BLOCK: usize = 1 << 16;
/// Rows a thread's share must have for threads to pay.
const SHARE_ROWS: usize = 1 << 17;
/// Values that are small numbers up to this are tracked as a bitmap per
/// group (four words).
const SMALL_SET: u64 = 255;

/// Which rows count (the value is not null, unless `with_nulls`, and
/// `mask` holds), as one chunk; `None` when every row does.
fn counted(x: &Series, mask: Option<&BooleanChunked>, with_nulls: bool) -> Option<BooleanChunked> {
    let mut keep: Option<BooleanChunked> = mask.cloned();
    if !with_nulls && x.null_count() > 0 {
        let valid = x.is_not_null();
        keep = Some(match keep {
            Some(m) => &m & &valid,
            None => valid,
        });
    }
    keep.map(|k| k.rechunk().into_owned())
}

/// Each row's group where the row counts, `groups.len()` (no group)
/// elsewhere.
fn counted_ids(keep: Option<&BooleanChunked>, groups: &Groups) -> Vec<u32> {
    let none = groups.len() as u32;
    match keep {
        Some(k) => {
            let bits = k.downcast_as_array().values();
            groups
                .ids
                .iter()
                .zip(bits.iter())
                .map(|(&g, ok)| if ok { g } else { none })
                .collect()
        }
        None => groups.ids.clone(),
    }
}

/// The distinct (group, value) pairs of the rows that count, in order of
/// first appearance: each pair's group and first row; `None` when the
/// values cannot be grouped here.
fn pairs(
    x: &Series,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Vec<(u32, IdxSize)>>, QueryError> {
    let keep = counted(x, mask, false);
    let words = (SMALL_SET as usize + 1) / 64;
    // A bitmap per group costs as much as a few words per row at most.
    if groups.len().saturating_mul(words) <= groups.ids.len().saturating_mul(2)
        && let Some((codes, n)) = small_codes(x, SMALL_SET, cancel)?
    {
        return small_pairs(&codes, n, keep.as_ref(), groups, cancel).map(Some);
    }
    let ids = counted_ids(keep.as_ref(), groups);
    let column = UInt32Chunked::from_slice("".into(), &ids).into_series();
    let Some(rows) = distinct_rows(&[column, x.clone()], cancel)? else {
        return Ok(None);
    };
    let none = groups.len() as u32;
    Ok(Some(
        rows.iter()
            .map(|&row| (ids[row as usize], row))
            .filter(|&(g, _)| g != none)
            .collect(),
    ))
}

/// [`pairs`] of values numbered `1..=n` (`codes`, 0 for null): each group's
/// values seen so far are a bitmap. Threads take shares of the rows; a
/// later share's pairs are kept where the earlier shares did not have
/// them.
fn small_pairs(
    codes: &[u16],
    n: u64,
    keep: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Vec<(u32, IdxSize)>, QueryError> {
    let words = (n as usize + 1).div_ceil(64);
    let rows = codes.len();
    let keep = keep.map(|k| k.downcast_as_array().values());
    let bitmaps = groups.len() * words;
    let threads = if bitmaps.saturating_mul(4) <= rows {
        rayon::current_num_threads().min(rows / SHARE_ROWS).max(1)
    } else {
        1
    };
    // Each share: the bitmaps, and the pairs it found first.
    type Share = (Vec<u64>, Vec<(u32, IdxSize)>);
    let shares: Vec<Share> = (0..threads)
        .into_par_iter()
        .map(|t| {
            let (start, end) = (rows * t / threads, rows * (t + 1) / threads);
            let mut seen = vec![0u64; bitmaps];
            let mut found = Vec::new();
            for block in (start..end).step_by(BLOCK) {
                cancel.check()?;
                let stop = (block + BLOCK).min(end);
                for (row, &c) in (block..stop).zip(&codes[block..stop]) {
                    let c = c as usize;
                    if c == 0 || keep.is_some_and(|k| !k.get_bit(row)) {
                        continue;
                    }
                    let g = groups.ids[row] as usize;
                    let (w, bit) = (g * words + c / 64, 1u64 << (c % 64));
                    if seen[w] & bit == 0 {
                        seen[w] |= bit;
                        found.push((g as u32, row as IdxSize));
                    }
                }
            }
            Ok((seen, found))
        })
        .collect::<Result<_, QueryError>>()?;
    let mut shares = shares.into_iter();
    let Some((mut seen, mut found)) = shares.next() else {
        return Ok(Vec::new());
    };
    for (_, later) in shares {
        for (i, (g, row)) in later.into_iter().enumerate() {
            if i % BLOCK == 0 {
                cancel.check()?;
            }
            let c = codes[row as usize] as usize;
            let (w, bit) = (g as usize * words + c / 64, 1u64 << (c % 64));
            if seen[w] & bit == 0 {
                seen[w] |= bit;
                found.push((g, row));
            }
        }
    }
    Ok(found)
}

/// `dcount(x)`: the distinct non-null values of each group (where `mask`
/// holds), as longs.
pub fn dcount(
    x: &Series,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Series>, QueryError> {
    let Some(pairs) = pairs(x, mask, groups, cancel)? else {
        return Ok(None);
    };
    let mut counts = vec![0i64; groups.len()];
    for &(g, _) in &pairs {
        counts[g as usize] += 1;
    }
    Ok(Some(
        Int64Chunked::from_vec("".into(), counts).into_series(),
    ))
}

/// `make_set(x, limit)`: each group's distinct non-null values (where
/// `mask` holds) in order of first appearance, at most `limit`, as a JSON
/// array. Dynamic values (whose arrays are flattened into the set) are
/// left to the plan.
pub fn make_set(
    x: &Series,
    mask: Option<&BooleanChunked>,
    limit: usize,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Series>, QueryError> {
    if x.dtype() == &DataType::Binary {
        return Ok(None);
    }
    let Some(pairs) = pairs(x, mask, groups, cancel)? else {
        return Ok(None);
    };
    arrays(x, &pairs, groups.len(), limit, cancel).map(Some)
}

/// `make_list(x, limit)`: each group's values (where `mask` holds; nulls
/// left out unless `with_nulls`) in row order, at most `limit`, as a JSON
/// array. Dynamic values (whose arrays are concatenated into the list) are
/// left to the plan.
pub fn make_list(
    x: &Series,
    mask: Option<&BooleanChunked>,
    with_nulls: bool,
    limit: usize,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Series>, QueryError> {
    if x.dtype() == &DataType::Binary {
        return Ok(None);
    }
    let keep = counted(x, mask, with_nulls);
    cancel.check()?;
    let counted: Vec<(u32, IdxSize)> = match &keep {
        None => groups
            .ids
            .iter()
            .enumerate()
            .map(|(row, &g)| (g, row as IdxSize))
            .collect(),
        Some(k) => k
            .downcast_as_array()
            .values()
            .true_idx_iter()
            .map(|row| (groups.ids[row], row as IdxSize))
            .collect(),
    };
    arrays(x, &counted, groups.len(), limit, cancel).map(Some)
}

/// Where each of `items` (group, row) goes when they are ordered by group
/// (stably), at most `limit` a group: where each group's items start (and
/// the end), and the index in `items` of each item kept, in that order.
fn by_group(
    items: &[(u32, IdxSize)],
    groups: usize,
    limit: usize,
    cancel: Cancel,
) -> Result<(Vec<usize>, Vec<usize>), QueryError> {
    let mut sizes = vec![0usize; groups];
    for block in items.chunks(BLOCK) {
        cancel.check()?;
        for &(g, _) in block {
            let n = &mut sizes[g as usize];
            *n = (*n + 1).min(limit);
        }
    }
    let mut offsets = Vec::with_capacity(groups + 1);
    let mut at = 0;
    offsets.push(0);
    for n in &sizes {
        at += n;
        offsets.push(at);
    }
    let mut next: Vec<usize> = offsets[..groups].to_vec();
    let mut out = vec![0usize; at];
    for (i, &(g, _)) in items.iter().enumerate() {
        if i % BLOCK == 0 {
            cancel.check()?;
        }
        let g = g as usize;
        if next[g] < offsets[g + 1] {
            out[next[g]] = i;
            next[g] += 1;
        }
    }
    Ok((offsets, out))
}

/// One JSON array per group of the values of `x` at the rows of `items`
/// (group, row), in row order: each group's in that order, at most
/// `limit`.
fn arrays(
    x: &Series,
    items: &[(u32, IdxSize)],
    groups: usize,
    limit: usize,
    cancel: Cancel,
) -> Result<Series, QueryError> {
    let (offsets, order) = by_group(items, groups, limit, cancel)?;
    // The values are read in row order, once each: only the items kept.
    let mut kept = vec![false; items.len()];
    for &i in &order {
        kept[i] = true;
    }
    let mut at = vec![0 as IdxSize; items.len()];
    let mut rows = Vec::with_capacity(order.len());
    for (i, &(_, row)) in items.iter().enumerate() {
        if kept[i] {
            at[i] = rows.len() as IdxSize;
            rows.push(row);
        }
    }
    cancel.check()?;
    let in_rows = values_at_sorted(x, &rows, cancel)?.rechunk();
    let positions: Vec<IdxSize> = order.iter().map(|&i| at[i]).collect();
    let values = in_rows
        .take_slice(&positions)
        .map_err(|e| QueryError::runtime(e.to_string(), None))?;
    let writer = Elements::new(&values);
    let blocks: Vec<(Vec<u8>, Vec<usize>)> = (0..groups)
        .into_par_iter()
        .step_by(GROUP_BLOCK)
        .map(|first| {
            cancel.check()?;
            let last = (first + GROUP_BLOCK).min(groups);
            let mut bytes = Vec::new();
            let mut ends = Vec::with_capacity(last - first);
            for g in first..last {
                bytes.push(b'[');
                for i in offsets[g]..offsets[g + 1] {
                    if i > offsets[g] {
                        bytes.push(b',');
                    }
                    writer.write(i, &mut bytes);
                }
                bytes.push(b']');
                ends.push(bytes.len());
            }
            Ok((bytes, ends))
        })
        .collect::<Result<_, QueryError>>()?;
    let arrays = blocks.iter().flat_map(|(bytes, ends)| {
        let starts = std::iter::once(0).chain(ends.iter().copied());
        starts.zip(ends.iter()).map(|(s, &e)| &bytes[s..e])
    });
    Ok(BinaryChunked::from_iter_values("".into(), arrays).into_series())
}

/// Writes values as elements of a JSON array.
enum Elements<'a> {
    Ints(&'a Int32Chunked),
    Longs(&'a Int64Chunked),
    Text(&'a StringChunked),
    /// Anything else, or with nulls: as a KQL scalar, as `Post::Array`.
    Scalars(&'a Series),
}

impl<'a> Elements<'a> {
    fn new(values: &'a Series) -> Elements<'a> {
        if values.null_count() > 0 {
            return Elements::Scalars(values);
        }
        match values.dtype() {
            DataType::Int32 => values
                .i32()
                .map_or(Elements::Scalars(values), Elements::Ints),
            DataType::Int64 => values
                .i64()
                .map_or(Elements::Scalars(values), Elements::Longs),
            DataType::String => values
                .str()
                .map_or(Elements::Scalars(values), Elements::Text),
            _ => Elements::Scalars(values),
        }
    }

    fn write(&self, i: usize, out: &mut Vec<u8>) {
        // Writing JSON into a Vec cannot fail.
        let _ = match self {
            Elements::Ints(ca) => serde_json::to_writer(out, &ca.get(i)),
            Elements::Longs(ca) => serde_json::to_writer(out, &ca.get(i)),
            Elements::Text(ca) => serde_json::to_writer(out, &ca.get(i)),
            Elements::Scalars(s) => {
                serde_json::to_writer(out, &Scalar::from_series(s, i).to_json())
            }
        };
    }
}
