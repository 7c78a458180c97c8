//! `mv-apply`: expands dynamic arrays of each row into a subtable, runs a
//! subquery on every subtable, and unions the results, each result row
//! carrying the other (not expanded) columns of its input row.
//!
//! As in Kusto: the subtable is the input row repeated once per element,
//! with the expanded columns (a plain column expanded without a new name
//! replaces itself; `Name = expr` adds `Name`), then the `with_itemindex`
//! column. The subquery sees all of them. A row whose arrays are all empty
//! has an empty subtable, so it yields only what the subquery makes of no
//! rows (nothing, except `summarize` without `by`, which gives one row). The
//! output is the input's columns that the subquery did not produce (minus
//! the expanded ones), then the subquery's columns.
//!
//! Running the subquery once per row is slow on big inputs, so the common
//! shapes run once over all subtables stacked, with a hidden column telling
//! the rows apart: row-wise operators (where, extend, project*, parse,
//! mv-expand) need nothing more, and one `summarize` among them is grouped
//! by the hidden column too. Anything else runs per row.

use polars::prelude::*;
use serde_json::Value as Json;

use super::mv_expand::{Elements, Expanded, expansion_counts, expansion_rows};
use super::union::concat_outer;
use super::{polars_error, wildcard_match};
use crate::data::types::KqlType;
use crate::kql::ast::{Assignment, Expr, ExprKind, Ident, Operator, OperatorKind, Span};
use crate::kql::error::QueryError;
use crate::kql::expr::json_scalar;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// The hidden column holding each subtable row's input row; `$` keeps it
/// out of the names a query can write without quoting.
const ROW: &str = "$mv_apply_row";

/// Functions whose value depends on the rows around a row or on every
/// column, so they cannot see the stacked subtables.
const NOT_ROW_WISE: &[&str] = &[
    "row_number",
    "prev",
    "next",
    "row_cumsum",
    "row_rank_dense",
    "row_rank_min",
    "row_window_session",
    "pack_all",
    "bag_pack_columns",
];

/// How the subquery runs.
enum Plan {
    /// Once over the stacked subtables (the operators, rewritten to keep
    /// the hidden column).
    Once(Vec<Operator>),
    /// Once, with its `summarize` grouped by the hidden column too;
    /// `no_by` when that `summarize` has no `by` of its own.
    Grouped { ops: Vec<Operator>, no_by: bool },
    /// Once per input row.
    PerRow,
}

impl Runner<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn op_mv_apply(
        &self,
        columns: &[Assignment],
        to_types: &[Option<String>],
        item_index: Option<&Ident>,
        limit: Option<&Expr>,
        subquery: &[Operator],
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let rows = frame.height();
        let limit = match limit {
            Some(e) => match self.eval_scalar(e, &frame)? {
                Scalar::Long(n) => Some(n.max(0) as usize),
                Scalar::Int(n) => Some(n.max(0) as usize),
                _ => {
                    return Err(QueryError::type_error(
                        "the limit of mv-apply must be a number",
                        e.span,
                    ));
                }
            },
            None => None,
        };
        let how = Elements {
            bag_as_array: false,
            null_row: false,
        };
        let expanded = self.expand_columns(columns, to_types, limit, how, &frame)?;
        let counts = expansion_counts(&expanded, rows);
        self.admit_expansion("mv-apply", &counts, &frame, expanded.len(), span)?;
        let (index, position) = expansion_rows(&counts);
        let mut sub = frame
            .take(&IdxCa::from_vec("".into(), index.clone()))
            .map_err(|e| polars_error(e, span))?;
        let mut produced: Vec<String> = Vec::new();
        for Expanded { name, to, lists } in &expanded {
            let values: Vec<Scalar> = index
                .iter()
                .zip(&position)
                .map(|(&i, &k)| match lists[i as usize].get(k) {
                    Some(j) => typed_element(j, *to),
                    None => Scalar::Null(to.unwrap_or(KqlType::Dynamic)),
                })
                .collect();
            let kind = match to.unwrap_or(KqlType::Dynamic) {
                KqlType::Int => KqlType::Long,
                k => k,
            };
            sub.with_column(scalars_to_series(name, kind, values).into_column())
                .map_err(|e| polars_error(e, span))?;
            produced.push(name.clone());
        }
        if let Some(ix) = item_index {
            let positions: Vec<i64> = position.iter().map(|&k| k as i64).collect();
            sub.with_column(Column::new(ix.name.as_str().into(), positions))
                .map_err(|e| polars_error(e, span))?;
            produced.push(ix.name.clone());
        }
        // The input columns carried into the output: all but the expanded.
        let source: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .filter(|n| !produced.contains(n))
            .collect();
        let source_frame = frame.select(source).map_err(|e| polars_error(e, span))?;

        match plan(subquery) {
            Plan::Once(ops) => {
                let rows_col: Vec<i64> = index.iter().map(|&i| i64::from(i)).collect();
                sub.with_column(Column::new(ROW.into(), rows_col))
                    .map_err(|e| polars_error(e, span))?;
                let out = self.run_ops(&ops, sub)?;
                attach_source(&source_frame, out, span)
            }
            Plan::Grouped { ops, no_by } => {
                let empty_sub = sub.head(Some(0));
                let rows_col: Vec<i64> = index.iter().map(|&i| i64::from(i)).collect();
                sub.with_column(Column::new(ROW.into(), rows_col))
                    .map_err(|e| polars_error(e, span))?;
                let mut out = self.run_ops(&ops, sub)?;
                let empty_rows: Vec<usize> = (0..rows).filter(|&i| counts[i] == 0).collect();
                if no_by && !empty_rows.is_empty() {
                    // `summarize` without `by` gives a row even for no input
                    // rows; the hidden grouping has no group for them.
                    let none = self.run_ops(subquery, empty_sub)?;
                    let k = none.height();
                    if k > 0 {
                        let picks: Vec<IdxSize> =
                            empty_rows.iter().flat_map(|_| 0..k as IdxSize).collect();
                        let mut extra = none
                            .take(&IdxCa::from_vec("".into(), picks))
                            .map_err(|e| polars_error(e, span))?;
                        let ids: Vec<i64> = empty_rows
                            .iter()
                            .flat_map(|&i| std::iter::repeat_n(i as i64, k))
                            .collect();
                        extra
                            .with_column(Column::new(ROW.into(), ids))
                            .map_err(|e| polars_error(e, span))?;
                        out = concat_outer(vec![out, extra], span)?;
                    }
                }
                // Results in input order, as the union of per-row results is.
                let out = out
                    .sort(
                        [ROW],
                        SortMultipleOptions::default().with_maintain_order(true),
                    )
                    .map_err(|e| polars_error(e, span))?;
                attach_source(&source_frame, out, span)
            }
            Plan::PerRow => {
                let mut parts: Vec<DataFrame> = Vec::new();
                let mut offset = 0usize;
                for (i, &n) in counts.iter().enumerate() {
                    if i % 256 == 0 {
                        self.check_cancel()?;
                    }
                    let subtable = sub.slice(offset as i64, n);
                    offset += n;
                    let out = self.run_ops(subquery, subtable)?;
                    if out.height() == 0 {
                        continue;
                    }
                    let ids = vec![i as i64; out.height()];
                    let mut out = out;
                    out.with_column(Column::new(ROW.into(), ids))
                        .map_err(|e| polars_error(e, span))?;
                    parts.push(attach_source(&source_frame, out, span)?);
                }
                if parts.is_empty() {
                    // No rows; the columns still follow the subquery.
                    let mut shape = self.run_ops(subquery, sub.head(Some(0)))?.head(Some(0));
                    shape
                        .with_column(Column::new(ROW.into(), Vec::<i64>::new()))
                        .map_err(|e| polars_error(e, span))?;
                    return attach_source(&source_frame, shape, span);
                }
                stack(parts, span)
            }
        }
    }

    fn run_ops(&self, ops: &[Operator], mut frame: DataFrame) -> Result<DataFrame, QueryError> {
        for op in ops {
            frame = self.operator(op, frame, None)?;
        }
        Ok(frame)
    }
}

/// An element as a value of the `to typeof(t)` type (dynamic if none).
fn typed_element(j: &Json, to: Option<KqlType>) -> Scalar {
    match to {
        None | Some(KqlType::Dynamic) => Scalar::Dynamic(j.clone()),
        Some(KqlType::Datetime) => match json_scalar(j) {
            Scalar::String(s) => crate::data::time::parse_datetime(&s)
                .map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime),
            other => other,
        },
        Some(KqlType::String) => match j {
            Json::Null => Scalar::Null(KqlType::String),
            Json::String(s) => Scalar::String(s.clone()),
            other => Scalar::String(other.to_string()),
        },
        Some(_) => json_scalar(j),
    }
}

/// The output: the carried input columns the subquery did not produce, at
/// the rows the hidden column names, then the subquery's columns.
fn attach_source(source: &DataFrame, out: DataFrame, span: Span) -> Result<DataFrame, QueryError> {
    let ids: Vec<IdxSize> = out
        .column(ROW)
        .and_then(|c| {
            c.i64()
                .map(|ca| ca.into_no_null_iter().map(|v| v as IdxSize).collect())
        })
        .map_err(|e| polars_error(e, span))?;
    let keep: Vec<String> = source
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .filter(|n| out.column(n).is_err())
        .collect();
    let carried = source
        .select(keep)
        .and_then(|f| f.take(&IdxCa::from_vec("".into(), ids)))
        .map_err(|e| polars_error(e, span))?;
    let mut columns: Vec<Column> = carried.columns().to_vec();
    columns.extend(
        out.columns()
            .iter()
            .filter(|c| c.name().as_str() != ROW)
            .cloned(),
    );
    DataFrame::new(out.height(), columns).map_err(|e| polars_error(e, span))
}

/// Stacks the per-row results. They nearly always share one schema, and
/// stacking those directly is linear; otherwise the outer union's rules
/// (missing columns null, clashing types split) apply.
fn stack(parts: Vec<DataFrame>, span: Span) -> Result<DataFrame, QueryError> {
    let same = parts.windows(2).all(|w| w[0].schema() == w[1].schema());
    if !same {
        return concat_outer(parts, span);
    }
    let mut parts = parts.into_iter();
    let Some(mut out) = parts.next() else {
        return Ok(DataFrame::empty());
    };
    for p in parts {
        out.vstack_mut_owned(p).map_err(|e| polars_error(e, span))?;
    }
    out.rechunk_mut();
    Ok(out)
}

/// Decides how the subquery can run; see the module comment.
fn plan(subquery: &[Operator]) -> Plan {
    let mut ops = Vec::with_capacity(subquery.len());
    let mut grouped: Option<bool> = None;
    for op in subquery {
        let kind = match &op.kind {
            OperatorKind::Where(e) if row_wise(e) => op.kind.clone(),
            OperatorKind::Extend(a) if a.iter().all(|a| row_wise(&a.expr)) => op.kind.clone(),
            OperatorKind::Project(a) if a.iter().all(|a| row_wise(&a.expr)) => {
                let mut a = a.clone();
                a.push(hidden_assignment(op.span));
                OperatorKind::Project(a)
            }
            OperatorKind::ProjectKeep(names)
                if !names.iter().any(|n| wildcard_match(&n.name, ROW)) =>
            {
                let mut names = names.clone();
                names.push(Ident {
                    name: ROW.into(),
                    span: op.span,
                });
                OperatorKind::ProjectKeep(names)
            }
            OperatorKind::ProjectAway(names)
                if !names.iter().any(|n| wildcard_match(&n.name, ROW)) =>
            {
                op.kind.clone()
            }
            OperatorKind::ProjectRename(pairs)
                if pairs
                    .iter()
                    .all(|(new, old)| new.name != ROW && old.name != ROW) =>
            {
                op.kind.clone()
            }
            OperatorKind::ProjectReorder(_) => op.kind.clone(),
            OperatorKind::Parse { source, .. } if row_wise(source) => op.kind.clone(),
            OperatorKind::MvExpand { columns, limit, .. }
                if columns.iter().all(|a| row_wise(&a.expr))
                    && limit.as_ref().is_none_or(row_wise) =>
            {
                op.kind.clone()
            }
            OperatorKind::Summarize {
                options,
                aggregates,
                by,
            } if grouped.is_none()
                && aggregates.iter().all(|a| row_wise(&a.expr))
                && by.iter().all(|a| row_wise(&a.expr)) =>
            {
                grouped = Some(by.is_empty());
                let mut keys = vec![hidden_assignment(op.span)];
                keys.extend(by.iter().cloned());
                OperatorKind::Summarize {
                    options: options.clone(),
                    aggregates: aggregates.clone(),
                    by: keys,
                }
            }
            _ => return Plan::PerRow,
        };
        ops.push(Operator {
            kind,
            span: op.span,
        });
    }
    match grouped {
        Some(no_by) => Plan::Grouped { ops, no_by },
        None => Plan::Once(ops),
    }
}

fn hidden_assignment(span: Span) -> Assignment {
    Assignment {
        names: Vec::new(),
        expr: Expr {
            kind: ExprKind::Name(ROW.into()),
            span,
        },
        span,
    }
}

/// Whether an expression's value for a row depends only on that row's
/// named columns (so it is the same on stacked subtables).
fn row_wise(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::Tabular(_) => true,
        // `*` and search terms read every column, the hidden one too.
        ExprKind::Star | ExprKind::SearchTerm { .. } => false,
        ExprKind::Negate(x) => row_wise(x),
        ExprKind::Binary { left, right, .. } | ExprKind::StringOp { left, right, .. } => {
            row_wise(left) && row_wise(right)
        }
        ExprKind::List { left, items, .. } => row_wise(left) && items.iter().all(row_wise),
        ExprKind::Between {
            value, low, high, ..
        } => row_wise(value) && row_wise(low) && row_wise(high),
        ExprKind::Call { name, args } => {
            !NOT_ROW_WISE.contains(&name.name.to_ascii_lowercase().as_str())
                && args.iter().all(row_wise)
        }
        ExprKind::Member { target, .. } => row_wise(target),
        ExprKind::Index { target, index } => row_wise(target) && row_wise(index),
        ExprKind::Tuple(items) => items.iter().all(row_wise),
        ExprKind::NamedArg { value, .. } => row_wise(value),
    }
}
