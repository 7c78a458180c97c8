//! Aggregates computed straight from the group ids, without handing Polars
//! the rows reordered by group: `count()`, `countif`, `sum`, `avg`, `min`,
//! `max`, `dcount`, `arg_min`/`arg_max`, `take_any`, `make_set`,
//! `make_list` and their `if` forms, for the argument types where this is
//! exact.
//!
//! Each gives exactly what its Polars plan in `kql::functions::aggregates`
//! gives (the same columns, types, nulls and order; tests compare the two
//! on the same data); an aggregate or argument type not handled here
//! returns `None` and goes through Polars.

use polars::prelude::*;

use super::super::groups::Groups;
use super::fold::{self, Best};
use super::lists;
use crate::data::encode;
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;
use crate::kql::value::Scalar;

/// One argument of an aggregate call, as `summarize` evaluated it.
pub struct Arg {
    /// One value per row; `None` for `*` and for a constant after the
    /// first argument.
    pub values: Option<Series>,
    /// The value of a constant argument.
    pub constant: Option<Scalar>,
}

/// Whether `name` is an aggregate this module may compute, so that
/// `summarize` keeps its arguments as they are (encoded text encoded).
pub fn handles(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "countif"
            | "sum"
            | "sumif"
            | "avg"
            | "avgif"
            | "min"
            | "max"
            | "minif"
            | "maxif"
            | "dcount"
            | "dcountif"
            | "count_distinct"
            | "arg_min"
            | "arg_max"
            | "argmin"
            | "argmax"
            | "take_any"
            | "any"
            | "take_anyif"
            | "anyif"
            | "make_set"
            | "makeset"
            | "make_set_if"
            | "make_list"
            | "makelist"
            | "make_list_if"
            | "make_list_with_nulls"
    )
}

/// The output columns of aggregate `name` over `groups`, as its Polars
/// plan would give them before `summarize` finishes them (a row index
/// for a gathered column, a dynamic array as JSON); `None` when this
/// aggregate or these arguments are left to Polars.
pub fn aggregate(
    name: &str,
    args: &[Arg],
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Vec<Series>>, QueryError> {
    let values = |i: usize| args.get(i).and_then(|a| a.values.as_ref());
    let mask = |i: usize| values(i).and_then(predicate);
    let one = |s: Option<Series>| s.map(|s| vec![s]);
    Ok(match name {
        "count" => Some(vec![fold::count(groups, None, cancel)?.into_series()]),
        "countif" => match mask(0) {
            Some(p) => Some(vec![fold::count(groups, Some(&p), cancel)?.into_series()]),
            None => None,
        },
        "sum" => one(sum(values(0), None, groups, cancel)?),
        "sumif" => match mask(1) {
            Some(p) => one(sum(values(0), Some(&p), groups, cancel)?),
            None => None,
        },
        "avg" => one(avg(values(0), None, groups, cancel)?),
        "avgif" => match mask(1) {
            Some(p) => one(avg(values(0), Some(&p), groups, cancel)?),
            None => None,
        },
        "min" | "max" => one(extreme(values(0), None, name == "max", groups, cancel)?),
        "minif" | "maxif" => match mask(1) {
            Some(p) => one(extreme(
                values(0),
                Some(&p),
                name == "maxif",
                groups,
                cancel,
            )?),
            None => None,
        },
        "dcount" | "count_distinct" => match values(0) {
            Some(x) => one(lists::dcount(x, None, groups, cancel)?),
            None => None,
        },
        "dcountif" => match (values(0), mask(1)) {
            (Some(x), Some(p)) => one(lists::dcount(x, Some(&p), groups, cancel)?),
            _ => None,
        },
        "arg_min" | "arg_max" | "argmin" | "argmax" => arg_extreme(
            values(0),
            matches!(name, "arg_max" | "argmax"),
            groups,
            cancel,
        )?,
        "take_any" | "any" => take_any(args, groups, cancel)?,
        "take_anyif" | "anyif" => match (values(0), mask(1)) {
            (Some(x), Some(p)) => one(any_value(x, Some(&p), groups, cancel)?),
            _ => None,
        },
        "make_set" | "makeset" => match values(0) {
            Some(x) => one(lists::make_set(x, None, limit(args, 1), groups, cancel)?),
            None => None,
        },
        "make_set_if" => match (values(0), mask(1)) {
            (Some(x), Some(p)) => one(lists::make_set(
                x,
                Some(&p),
                limit(args, 2),
                groups,
                cancel,
            )?),
            _ => None,
        },
        "make_list" | "makelist" => match values(0) {
            Some(x) => one(lists::make_list(
                x,
                None,
                false,
                limit(args, 1),
                groups,
                cancel,
            )?),
            None => None,
        },
        "make_list_if" => match (values(0), mask(1)) {
            (Some(x), Some(p)) => one(lists::make_list(
                x,
                Some(&p),
                false,
                limit(args, 2),
                groups,
                cancel,
            )?),
            _ => None,
        },
        "make_list_with_nulls" => match values(0) {
            Some(x) => one(lists::make_list(
                x,
                None,
                true,
                limit(args, 1),
                groups,
                cancel,
            )?),
            None => None,
        },
        _ => None,
    })
}

/// The `...if` predicate, null counting as false, as one chunk; `None`
/// when it is not a boolean column (Polars reports that).
fn predicate(s: &Series) -> Option<BooleanChunked> {
    let b = s.bool().ok()?;
    Some(b.fill_null_with_values(false).ok()?.rechunk().into_owned())
}

/// The size limit of `make_set(x, n)`: the plan has checked that a given
/// one is a positive constant.
fn limit(args: &[Arg], i: usize) -> usize {
    match args.get(i).and_then(|a| a.constant.as_ref()) {
        Some(Scalar::Long(n)) if *n > 0 => *n as usize,
        Some(Scalar::Int(n)) if *n > 0 => *n as usize,
        _ => 1_048_576,
    }
}

/// Integer-like values (int, long, datetime, timespan) as one chunk of
/// longs; `None` for other types.
pub(super) fn longs(s: &Series) -> Option<Int64Chunked> {
    match s.dtype() {
        DataType::Int32 | DataType::Int64 | DataType::Datetime(_, _) | DataType::Duration(_) => {
            let phys = s.to_physical_repr().cast(&DataType::Int64).ok()?;
            Some(phys.i64().ok()?.rechunk().into_owned())
        }
        _ => None,
    }
}

/// `sum(x)`: ints are summed as longs (as the plan casts them), timespans
/// as timespans; a group with no values sums to 0, as Polars sums.
fn sum(
    x: Option<&Series>,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Series>, QueryError> {
    let Some(x) = x else { return Ok(None) };
    let out_type = match x.dtype() {
        DataType::Int32 | DataType::Int64 => DataType::Int64,
        DataType::Duration(_) => x.dtype().clone(),
        _ => return Ok(None),
    };
    let Some(v) = longs(x) else { return Ok(None) };
    let sums = fold::sum(&v, mask, groups, cancel)?;
    let s = Int64Chunked::from_vec("".into(), sums).into_series();
    Ok(Some(
        s.cast(&out_type)
            .map_err(|e| QueryError::runtime(e.to_string(), None))?,
    ))
}

/// `avg(x)` of ints and longs: the exact sum over the count, which is the
/// plan's result whenever every group's sum is exact in a double (below
/// 2^53); otherwise, and for reals and datetimes (whose sums round in an
/// order of Polars' own), `None`.
fn avg(
    x: Option<&Series>,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Series>, QueryError> {
    let Some(x) = x else { return Ok(None) };
    if !matches!(x.dtype(), DataType::Int32 | DataType::Int64) {
        return Ok(None);
    }
    let Some(v) = longs(x) else { return Ok(None) };
    Ok(fold::mean(&v, mask, groups, cancel)?.map(IntoSeries::into_series))
}

/// `min(x)` / `max(x)` of int, long, datetime and timespan: the value of
/// the row `arg_min` would pick.
fn extreme(
    x: Option<&Series>,
    mask: Option<&BooleanChunked>,
    is_max: bool,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Series>, QueryError> {
    let Some(x) = x else { return Ok(None) };
    let Some(v) = longs(x) else { return Ok(None) };
    let best = fold::best(&v, mask, is_max, groups, cancel)?;
    let rows = rows_of(&best, None);
    Ok(Some(values_at(x, &rows, cancel)?))
}

/// `arg_min(x, ...)`: the extreme value, and the row it is first found on
/// (the group's first row when x is null throughout).
fn arg_extreme(
    x: Option<&Series>,
    is_max: bool,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Vec<Series>>, QueryError> {
    let Some(x) = x else { return Ok(None) };
    let Some(v) = longs(x) else { return Ok(None) };
    let best = fold::best(&v, None, is_max, groups, cancel)?;
    let value = values_at(x, &rows_of(&best, None), cancel)?;
    let rows = rows_of(&best, Some(&groups.first_rows));
    Ok(Some(vec![value, rows.into_series()]))
}

/// Each group's chosen row: null where none was (or, with `fallback`, the
/// fallback row).
fn rows_of(best: &[Best], fallback: Option<&[IdxSize]>) -> IdxCa {
    match fallback {
        Some(first) => IdxCa::from_vec(
            "".into(),
            best.iter()
                .zip(first)
                .map(|(b, &f)| {
                    if b.row == fold::NONE {
                        f
                    } else {
                        b.row as IdxSize
                    }
                })
                .collect(),
        ),
        None => best
            .iter()
            .map(|b| (b.row != fold::NONE).then_some(b.row as IdxSize))
            .collect(),
    }
}

/// The values of `x` at `rows` (null where a row is null), encoded text
/// decoded, as the plans read their arguments.
pub(super) fn values_at(x: &Series, rows: &IdxCa, cancel: Cancel) -> Result<Series, QueryError> {
    let taken = take_rows(x, rows, cancel)?;
    Ok(match encode::decode(&taken) {
        Some(text) => text.into_series(),
        None => taken,
    })
}

/// The values of `x` at `rows` (ascending), encoded text decoded: each
/// chunk's rows are taken from that chunk alone (loaded columns come in
/// tens of chunks, and a row need not be searched for among them).
pub(super) fn values_at_sorted(
    x: &Series,
    rows: &[IdxSize],
    cancel: Cancel,
) -> Result<Series, QueryError> {
    let taken = take_sorted(x, rows, cancel)?;
    Ok(match encode::decode(&taken) {
        Some(text) => text.into_series(),
        None => taken,
    })
}

/// Rows taken between two looks at the cancel flag.
const TAKE_SLICE: usize = 1 << 18;

/// The rows `rows` (ascending) of `s`, taken chunk by chunk (a slice of
/// rows at a time, checking `cancel` between slices).
pub(super) fn take_sorted(
    s: &Series,
    rows: &[IdxSize],
    cancel: Cancel,
) -> Result<Series, QueryError> {
    let error = |e: PolarsError| QueryError::runtime(e.to_string(), None);
    let mut out: Option<Series> = None;
    let mut add = |part: Series| -> Result<(), QueryError> {
        match &mut out {
            None => out = Some(part),
            Some(o) => {
                o.append(&part).map_err(error)?;
            }
        }
        Ok(())
    };
    let (mut offset, mut i) = (0usize, 0usize);
    for len in s.chunk_lengths() {
        let end = offset + len;
        let j = i + rows[i..].partition_point(|&r| (r as usize) < end);
        let chunk = s.slice(offset as i64, len);
        for piece in rows[i..j].chunks(TAKE_SLICE) {
            cancel.check()?;
            let local: Vec<IdxSize> = piece.iter().map(|&r| r - offset as IdxSize).collect();
            add(chunk.take_slice(&local).map_err(error)?)?;
        }
        (offset, i) = (end, j);
    }
    Ok(out.unwrap_or_else(|| s.clear()))
}

/// The rows `idx` of `s` (null where `idx` is null), a slice of rows at a
/// time, checking `cancel` between slices; ascending rows chunk by chunk.
pub(super) fn take_rows(s: &Series, idx: &IdxCa, cancel: Cancel) -> Result<Series, QueryError> {
    let ascending = idx.null_count() == 0 && {
        let mut last = 0;
        idx.into_no_null_iter().all(|r| {
            let up = r >= last;
            last = r;
            up
        })
    };
    if ascending {
        let rows: Vec<IdxSize> = idx.into_no_null_iter().collect();
        return take_sorted(s, &rows, cancel);
    }
    let mut out: Option<Series> = None;
    for start in (0..idx.len()).step_by(TAKE_SLICE) {
        cancel.check()?;
        let part = s
            .take(&idx.slice(start as i64, TAKE_SLICE))
            .map_err(|e| QueryError::runtime(e.to_string(), None))?;
        match &mut out {
            None => out = Some(part),
            Some(o) => {
                o.append(&part)
                    .map_err(|e| QueryError::runtime(e.to_string(), None))?;
            }
        }
    }
    Ok(out.unwrap_or_else(|| s.clear()))
}

/// `take_any(x)`, `take_any(x, y, ...)` and `take_any(*)`.
fn take_any(
    args: &[Arg],
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Vec<Series>>, QueryError> {
    let star = args
        .iter()
        .any(|a| a.values.is_none() && a.constant.is_none());
    if star {
        let first = IdxCa::from_vec("".into(), groups.first_rows.clone());
        return Ok(Some(vec![first.into_series()]));
    }
    if let [only] = args {
        let Some(x) = &only.values else {
            return Ok(None);
        };
        return Ok(any_value(x, None, groups, cancel)?.map(|s| vec![s]));
    }
    // Several columns: all from the group's first row.
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        let Some(x) = &a.values else {
            return Ok(None);
        };
        out.push(values_at_sorted(x, &groups.first_rows, cancel)?);
    }
    Ok(Some(out))
}

/// A value of `x` from a row of the group where `mask` holds, a present
/// one (not null; for text, not empty) when there is one; null when the
/// mask holds nowhere in the group.
fn any_value(
    x: &Series,
    mask: Option<&BooleanChunked>,
    groups: &Groups,
    cancel: Cancel,
) -> Result<Option<Series>, QueryError> {
    let present: BooleanChunked = match x.dtype() {
        DataType::String => {
            let s = x
                .str()
                .map_err(|e| QueryError::runtime(e.to_string(), None))?;
            s.iter().map(|v| v.is_some_and(|v| !v.is_empty())).collect()
        }
        DataType::Categorical(_, _) | DataType::Enum(_, _) => {
            let Some(text) = encode::decode(x) else {
                return Ok(None);
            };
            text.iter()
                .map(|v| v.is_some_and(|v| !v.is_empty()))
                .collect()
        }
        _ => x.is_not_null(),
    };
    let present = present.rechunk().into_owned();
    let chosen = fold::first_present(&present, mask, groups, cancel)?;
    let rows: IdxCa = chosen
        .iter()
        .map(|&r| (r != fold::NONE).then_some(r as IdxSize))
        .collect();
    Ok(Some(values_at(x, &rows, cancel)?))
}
