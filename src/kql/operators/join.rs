//! `join` (every Kusto flavour) and `lookup`.
//!
//! Kusto keeps the right side's key columns (suffixed `1` when the names
//! clash); `lookup` drops them. The rows are paired by [`Matches`], which
//! knows the size of the result first: a join past the memory budget is
//! refused before it allocates.

use polars::prelude::*;

use super::join_match::Matches;
use super::{fill_strings, gather, polars_error, unique_name};
use crate::kql::ast::{JoinKey, JoinKind, Pipeline, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::limits::{Growth, Unit, row_bytes};
use crate::kql::run::Runner;

impl Runner<'_> {
    pub(crate) fn op_join(
        &self,
        kind: JoinKind,
        right: &Pipeline,
        on: &[JoinKey],
        left: DataFrame,
        only_count: bool,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let right = self.pipeline(right, None)?;
        join_frames(kind, left, right, on, false, only_count, self, span)
    }

    /// `lookup [kind=leftouter|inner] (T) on ...`: like a join, but the right
    /// side's key columns are not repeated.
    pub(crate) fn op_lookup(
        &self,
        kind: JoinKind,
        right: &Pipeline,
        on: &[JoinKey],
        left: DataFrame,
        only_count: bool,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let right = self.pipeline(right, None)?;
        join_frames(kind, left, right, on, true, only_count, self, span)
    }
}

/// The (left, right) column names of each key.
fn key_pairs(
    on: &[JoinKey],
    left: &DataFrame,
    right: &DataFrame,
) -> Result<Vec<(String, String)>, QueryError> {
    let check = |frame: &DataFrame, name: &str, span: Span, side: &str| -> Result<(), QueryError> {
        if frame.column(name).is_ok() {
            return Ok(());
        }
        let names: Vec<&str> = frame
            .get_column_names()
            .into_iter()
            .map(|s| s.as_str())
            .collect();
        Err(QueryError::unknown(
            format!(
                "the {side} side has no column '{name}'{}",
                did_you_mean(name, names)
            ),
            span,
        ))
    };
    let mut out = Vec::new();
    for k in on {
        match k {
            JoinKey::Same(id) => {
                check(left, &id.name, id.span, "left")?;
                check(right, &id.name, id.span, "right")?;
                out.push((id.name.clone(), id.name.clone()));
            }
            JoinKey::Pair { left: l, right: r } => {
                check(left, &l.name, l.span, "left")?;
                check(right, &r.name, r.span, "right")?;
                out.push((l.name.clone(), r.name.clone()));
            }
        }
    }
    Ok(out)
}

/// The join of `left` and `right` on `on`, or, with `only_count`, the
/// number of rows it would have (`join ... | count`), computed from the
/// key counts without building a row.
#[allow(clippy::too_many_arguments)]
pub(super) fn join_frames(
    kind: JoinKind,
    left: DataFrame,
    right: DataFrame,
    on: &[JoinKey],
    lookup: bool,
    only_count: bool,
    runner: &Runner,
    span: Span,
) -> Result<DataFrame, QueryError> {
    if on.is_empty() {
        return Err(QueryError::syntax("join needs 'on' keys", span));
    }
    let pairs = key_pairs(on, &left, &right)?;
    // Semi and anti joins of the right side are the left ones, swapped.
    let (kind, left, right, pairs) = match kind {
        JoinKind::RightSemi => (
            JoinKind::LeftSemi,
            right,
            left,
            pairs.into_iter().map(|(l, r)| (r, l)).collect(),
        ),
        JoinKind::RightAnti => (
            JoinKind::LeftAnti,
            right,
            left,
            pairs.into_iter().map(|(l, r)| (r, l)).collect(),
        ),
        k => (k, left, right, pairs),
    };
    let key = |frame: &DataFrame, name: &str| -> Result<Series, QueryError> {
        frame
            .column(name)
            .map(|c| c.as_materialized_series().clone())
            .map_err(|e| polars_error(e, span))
    };
    let left_keys: Vec<Series> = pairs
        .iter()
        .map(|(l, _)| key(&left, l))
        .collect::<Result<_, _>>()?;
    let right_keys: Vec<Series> = pairs
        .iter()
        .map(|(_, r)| key(&right, r))
        .collect::<Result<_, _>>()?;
    let cancel = runner.cancel();
    let matches = Matches::new(&left_keys, &right_keys, cancel, span)?;
    let rows = matches.output_rows(kind);
    let operator = if lookup { "lookup" } else { "join" };
    if only_count {
        return DataFrame::new(1, vec![Column::new("Count".into(), [rows as i64])])
            .map_err(|e| polars_error(e, span));
    }
    let semi = matches!(kind, JoinKind::LeftSemi | JoinKind::LeftAnti);
    if !semi {
        runner.admit(&Growth {
            operator,
            count: rows,
            unit: Unit::Rows,
            item_bytes: row_bytes(&left) + row_bytes(&right) + 2 * IDX_BYTES,
            advice: "filter both sides first, or join on more keys",
            span,
        })?;
    }
    let paired = matches.pairs(kind, cancel)?;
    drop(matches);
    let mut out = gather(&left, &paired.left, cancel, span)?;
    if let Some(right_rows) = &paired.right {
        // Right columns: for lookup, its keys go; clashing names get a suffix.
        let mut taken: Vec<String> = left
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut r = right;
        for name in r.get_column_names_owned() {
            let name = name.to_string();
            if lookup && pairs.iter().any(|(_, rk)| *rk == name) {
                r = r.drop(&name).map_err(|e| polars_error(e, span))?;
                continue;
            }
            let new = unique_name(&name, &taken);
            taken.push(new.clone());
            if new != name {
                r.rename(&name, new.as_str().into())
                    .map_err(|e| polars_error(e, span))?;
            }
        }
        let r = gather(&r, right_rows, cancel, span)?;
        out.hstack_mut(r.columns())
            .map_err(|e| polars_error(e, span))?;
    }
    fill_strings(out, span)
}

/// Bytes of one row index.
const IDX_BYTES: u64 = std::mem::size_of::<IdxSize>() as u64;
