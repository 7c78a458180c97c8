//! `dcount`, `make_set` and `make_list` from the group ids.
//!
//! Distinct values per group are the groups of (group, value) pairs: the
//! same grouping as `summarize ... by`, over the group id and the value,
//! numbered by first appearance, so a group's set comes out in the order
//! its values first appear, as Polars' `unique_stable` gives it. Arrays are
//! written as JSON text directly, element by element as the plan's
//! `Post::Array` writes them.

use polars::prelude::*;
use rayon::prelude::*;

use super::super::groups::{Groups, group_ids};
use super::direct::values_at;
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;
use crate::kql::value::Scalar;

/// Groups whose arrays one task writes.
const GROUP_BLOCK: usize = 4096;

/// Each row's group where the row counts (its value is not null, unless
/// `with_nulls`, and `mask` holds), null elsewhere.
fn counted_ids(
    x: &Series,
    mask: Option<&BooleanChunked>,
    with_nulls: bool,
    groups: &Groups,
) -> UInt32Chunked {
    let mut keep: Option<BooleanChunked> = mask.cloned();
    if !with_nulls && x.null_count() > 0 {
        let valid = x.is_not_null();
        keep = Some(match keep {
            Some(m) => &m & &valid,
            None => valid,
        });
    }
    let ids = UInt32Chunked::from_vec("".into(), groups.ids.clone());
    match keep {
        Some(k) => {
            let none = UInt32Chunked::full_null("".into(), ids.len());
            ids.zip_with(&k, &none).unwrap_or(ids)
        }
        None => ids,
    }
}

/// The (group, value) pairs of the rows that count, numbered by first
/// appearance: each pair's first row, and that row's group; `None` when
/// the values cannot be grouped here.
fn pairs(
    x: &Series,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Vec<(u32, IdxSize)>>, QueryError> {
    let ids = counted_ids(x, mask, false, groups);
    let Some(pairs) = group_ids(&[ids.clone().into_series(), x.clone()], cancel)? else {
        return Ok(None);
    };
    let ids = ids.rechunk();
    let ids = ids.downcast_as_array();
    Ok(Some(
        pairs
            .first_rows
            .iter()
            .filter_map(|&row| ids.get(row as usize).map(|g| (g, row)))
            .collect(),
    ))
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
    let (offsets, rows) = by_group(pairs.into_iter(), groups.len(), limit);
    arrays(x, &offsets, rows, cancel).map(Some)
}

/// `make_list(x, limit)`: each group's values (where `mask` holds; nulls
/// left out unless `with_nulls`) in row order, at most `limit`, as a JSON
/// array.
pub fn make_list(
    x: &Series,
    mask: Option<&BooleanChunked>,
    with_nulls: bool,
    limit: usize,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Series>, QueryError> {
    let ids = counted_ids(x, mask, with_nulls, groups)
        .rechunk()
        .into_owned();
    let ids = ids.downcast_as_array();
    cancel.check()?;
    let counted = ids
        .iter()
        .enumerate()
        .filter_map(|(row, g)| g.map(|g| (*g, row as IdxSize)));
    let (offsets, rows) = by_group(counted, groups.len(), limit);
    arrays(x, &offsets, rows, cancel).map(Some)
}

/// The rows of each group, in the order given, at most `limit` a group:
/// where each group's rows start (and the end), and the rows.
fn by_group(
    rows: impl Iterator<Item = (u32, IdxSize)> + Clone,
    groups: usize,
    limit: usize,
) -> (Vec<usize>, Vec<IdxSize>) {
    let mut sizes = vec![0usize; groups];
    for (g, _) in rows.clone() {
        let n = &mut sizes[g as usize];
        *n = (*n + 1).min(limit);
    }
    let mut offsets = Vec::with_capacity(groups + 1);
    let mut at = 0;
    offsets.push(0);
    for n in &sizes {
        at += n;
        offsets.push(at);
    }
    let mut next: Vec<usize> = offsets[..groups].to_vec();
    let mut out = vec![0 as IdxSize; at];
    for (g, row) in rows {
        let g = g as usize;
        if next[g] < offsets[g + 1] {
            out[next[g]] = row;
            next[g] += 1;
        }
    }
    (offsets, out)
}

/// One JSON array per group: the values of `x` at `rows`, group `g`'s
/// being `rows[offsets[g]..offsets[g + 1]]`.
fn arrays(
    x: &Series,
    offsets: &[usize],
    rows: Vec<IdxSize>,
    cancel: Cancel,
) -> Result<Series, QueryError> {
    let values = values_at(x, &IdxCa::from_vec("".into(), rows))?;
    let values = values.rechunk();
    let writer = Elements::new(&values);
    let groups = offsets.len().saturating_sub(1);
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
