//! `join` (every Kusto flavour) and `lookup`.
//!
//! Kusto keeps the right side's key columns (suffixed `1` when the names
//! clash), so the frames are joined on copies of the keys, which are then
//! dropped.

use polars::prelude::*;

use super::{fill_strings, polars_error, unique_name};
use crate::kql::ast::{JoinKey, JoinKind, Pipeline, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::run::Runner;
use crate::kql::value::series_to_text;

impl Runner<'_> {
    pub(super) fn op_join(
        &self,
        kind: JoinKind,
        right: &Pipeline,
        on: &[JoinKey],
        left: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let right = self.pipeline(right, None)?;
        join_frames(kind, left, right, on, false, span)
    }

    /// `lookup [kind=leftouter|inner] (T) on ...`: like a join, but the right
    /// side's key columns are not repeated.
    pub(super) fn op_lookup(
        &self,
        kind: JoinKind,
        right: &Pipeline,
        on: &[JoinKey],
        left: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let right = self.pipeline(right, None)?;
        join_frames(kind, left, right, on, true, span)
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

/// A join key: the same type on both sides (text when they differ).
fn key_column(
    frame: &DataFrame,
    name: &str,
    as_text: bool,
    alias: &str,
    span: Span,
) -> Result<Column, QueryError> {
    let s = frame
        .column(name)
        .map_err(|e| polars_error(e, span))?
        .as_materialized_series();
    let s = if as_text {
        series_to_text(s).into_series()
    } else {
        s.clone()
    };
    Ok(s.with_name(alias.into()).into_column())
}

pub(super) fn join_frames(
    kind: JoinKind,
    left: DataFrame,
    right: DataFrame,
    on: &[JoinKey],
    lookup: bool,
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
    let mut l = left.clone();
    let mut r = right.clone();
    let mut keys = Vec::new();
    for (i, (lk, rk)) in pairs.iter().enumerate() {
        let ldt = left
            .column(lk)
            .map_err(|e| polars_error(e, span))?
            .dtype()
            .clone();
        let rdt = right
            .column(rk)
            .map_err(|e| polars_error(e, span))?
            .dtype()
            .clone();
        let as_text = ldt != rdt;
        let alias = format!("__quarry_k{i}");
        l.with_column(key_column(&left, lk, as_text, &alias, span)?)
            .map_err(|e| polars_error(e, span))?;
        r.with_column(key_column(&right, rk, as_text, &alias, span)?)
            .map_err(|e| polars_error(e, span))?;
        keys.push(alias);
    }
    if kind == JoinKind::InnerUnique {
        // One left row per key: the first.
        l = l
            .unique_stable(Some(&keys), UniqueKeepStrategy::First, None)
            .map_err(|e| polars_error(e, span))?;
    }
    // Right columns: for lookup, its keys go; clashing names get a suffix.
    let left_names: Vec<String> = left
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut taken = left_names.clone();
    let mut renames = Vec::new();
    for name in right.get_column_names() {
        let name = name.to_string();
        if lookup && pairs.iter().any(|(_, rk)| *rk == name) {
            r = r.drop(&name).map_err(|e| polars_error(e, span))?;
            continue;
        }
        let new = unique_name(&name, &taken);
        taken.push(new.clone());
        if new != name {
            renames.push((name, new));
        }
    }
    for (old, new) in &renames {
        r.rename(old, new.as_str().into())
            .map_err(|e| polars_error(e, span))?;
    }
    let how = match kind {
        JoinKind::InnerUnique | JoinKind::Inner => JoinType::Inner,
        JoinKind::LeftOuter => JoinType::Left,
        JoinKind::RightOuter => JoinType::Right,
        JoinKind::FullOuter => JoinType::Full,
        JoinKind::LeftSemi => JoinType::Semi,
        JoinKind::LeftAnti => JoinType::Anti,
        JoinKind::RightSemi | JoinKind::RightAnti => JoinType::Semi,
    };
    let key_exprs: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
    let mut args = JoinArgs::new(how).with_coalesce(JoinCoalesce::KeepColumns);
    args.maintain_order = MaintainOrderJoin::Left;
    let joined = l
        .lazy()
        .join(r.lazy(), key_exprs.clone(), key_exprs, args)
        .collect()
        .map_err(|e| polars_error(e, span))?;
    let drop: Vec<String> = joined
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .filter(|n| n.starts_with("__quarry_k"))
        .collect();
    let out = joined.drop_many(drop);
    fill_strings(out, span)
}
