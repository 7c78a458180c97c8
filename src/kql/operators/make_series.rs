//! `make-series`: aggregations per bin of an axis, as dynamic arrays.
//!
//! Rows are grouped by the `by` expressions and by
//! `bin_at(Axis, step, from)` (`bin(Axis, step)` without `from`, and with
//! `in range(...)`), aggregated as `summarize` would, then each group's
//! values become arrays over the bins from `from` (default: the group's
//! first bin with data) up to, not including, `to` (default: the end of the
//! group's last bin with data); with `in range(start, stop, step)` the bins
//! run from `bin(start, step)` up to and including `stop`. Bins without
//! rows hold the `default` (0 unless given). Output: the `by` columns, one
//! array per aggregation, then the axis array named after the axis column.
//! An empty input gives no rows, or with `kind=nonempty` (and no `by`) one
//! row of defaults. The axis is a datetime, timespan, long or int.

use std::collections::HashMap;

use polars::prelude::*;
use serde_json::Value as Json;

use super::{expr_name, polars_error};
use crate::data::types::KqlType;
use crate::kql::ast::{Assignment, Expr, ExprKind, Ident, OperatorKind, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::limits::{Growth, Unit};
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// Kusto's cap on the length of a series.
const MAX_BINS: i64 = 1 << 20;

/// Memory of one value of a series array (a JSON number in a vector).
const VALUE_BYTES: u64 = 32;

/// The working column holding each row's bin.
const BIN: &str = "$make_series_bin";

impl Runner<'_> {
    pub(super) fn op_make_series(
        &self,
        op: &OperatorKind,
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let OperatorKind::MakeSeries {
            nonempty,
            aggregates,
            axis,
            from,
            to,
            step,
            range_syntax,
            by,
        } = op
        else {
            return Err(QueryError::runtime(
                "make-series: internal error (not a make-series)",
                Some(span),
            ));
        };
        let rows = frame.height();
        let axis_val = self.eval_rows(axis, &frame)?;
        let axis_kind = axis_val.kind();
        if !matches!(
            axis_kind,
            KqlType::Datetime | KqlType::Timespan | KqlType::Long | KqlType::Int
        ) {
            return Err(QueryError::type_error(
                format!(
                    "make-series needs a datetime, timespan, long or int axis, not {axis_kind}"
                ),
                axis.span,
            ));
        }
        let empty = DataFrame::empty();
        let step_value = self.eval_scalar(step, &empty)?;
        let step_n = ticks(&step_value).filter(|s| *s > 0).ok_or_else(|| {
            QueryError::type_error(
                "the step of make-series must be a positive timespan or number",
                step.span,
            )
        })?;
        let bound = |e: &Option<Expr>| -> Result<Option<i64>, QueryError> {
            match e {
                None => Ok(None),
                Some(e) => match self.eval_scalar(e, &empty)? {
                    Scalar::Null(_) => Ok(None),
                    v => ticks(&v).map(Some).ok_or_else(|| {
                        QueryError::type_error(
                            format!("make-series bounds must be of the axis type ({axis_kind})"),
                            e.span,
                        )
                    }),
                },
            }
        };
        let from_n = bound(from)?;
        let to_n = bound(to)?;
        // The first bin and whether a row's value is in range.
        let origin = if *range_syntax {
            0
        } else {
            from_n.unwrap_or(0)
        };
        // In i128: extreme datetimes must not overflow.
        let first_bin = |v: i64| {
            let o = i128::from(origin);
            let s = i128::from(step_n);
            clamp64(o + (i128::from(v) - o).div_euclid(s) * s)
        };
        let lower = if *range_syntax {
            from_n.map(first_bin)
        } else {
            from_n
        };
        let in_range = |v: i64| {
            lower.is_none_or(|lo| v >= lo)
                && match to_n {
                    None => true,
                    Some(hi) if *range_syntax => first_bin(v) <= hi,
                    Some(hi) => v < hi,
                }
        };
        let axis_ticks: Vec<Option<i64>> = (0..rows).map(|i| ticks(&axis_val.get(i))).collect();
        let keep: BooleanChunked = axis_ticks
            .iter()
            .map(|v| Some(v.is_some_and(in_range)))
            .collect();
        let bins: Vec<Option<i64>> = axis_ticks.iter().map(|v| v.map(first_bin)).collect();
        let mut work = frame.clone();
        work.with_column(Column::new(BIN.into(), bins))
            .map_err(|e| polars_error(e, span))?;
        let work = work.filter(&keep).map_err(|e| polars_error(e, span))?;

        let mut keys: Vec<Assignment> = by.to_vec();
        keys.push(Assignment {
            names: Vec::new(),
            expr: Expr {
                kind: ExprKind::Name(BIN.into()),
                span: axis.span,
            },
            span: axis.span,
        });
        let aggs: Vec<Assignment> = aggregates
            .iter()
            .map(|a| constant_as_aggregate(a.assignment.clone()))
            .collect();
        let summed = self.op_summarize(&aggs, &keys, work, span)?;
        let names: Vec<String> = summed
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let nby = by.len();
        if names.len() <= nby {
            return Err(QueryError::runtime(
                "make-series: the aggregation gave no columns",
                Some(span),
            ));
        }
        let agg_names: Vec<String> = names.iter().skip(nby + 1).cloned().collect();
        let defaults: Vec<Json> = aggregates
            .iter()
            .zip(&agg_names)
            .map(|(a, name)| {
                let kind = summed
                    .column(name)
                    .ok()
                    .and_then(|c| KqlType::of(c.dtype()));
                let value = match &a.default {
                    Some(d) => self.eval_scalar(d, &empty)?,
                    None => Scalar::Long(0),
                };
                Ok(match (kind, value) {
                    (Some(KqlType::Real), Scalar::Long(v)) => Scalar::Real(v as f64).to_json(),
                    (Some(KqlType::Real), Scalar::Int(v)) => Scalar::Real(f64::from(v)).to_json(),
                    (_, v) => v.to_json(),
                })
            })
            .collect::<Result<_, QueryError>>()?;

        // Groups of `by` values, in order of first appearance.
        let by_text: Vec<Vec<String>> = names[..nby]
            .iter()
            .map(|n| {
                summed
                    .column(n)
                    .map(|c| {
                        crate::kql::value::series_to_text(c.as_materialized_series())
                            .iter()
                            .map(|v| v.unwrap_or("").to_string())
                            .collect()
                    })
                    .map_err(|e| polars_error(e, span))
            })
            .collect::<Result<_, _>>()?;
        let bin_col = summed.column(BIN).map_err(|e| polars_error(e, span))?;
        let bin_series = bin_col.as_materialized_series();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<Vec<String>, usize> = HashMap::new();
        for r in 0..summed.height() {
            let key: Vec<String> = by_text.iter().map(|c| c[r].clone()).collect();
            let next = groups.len();
            let g = *index.entry(key).or_insert(next);
            if g == next {
                groups.push(Vec::new());
            }
            groups[g].push(r);
        }
        let bin_of = |r: usize| match Scalar::from_series(bin_series, r) {
            Scalar::Long(v) => Some(v),
            _ => None,
        };
        let mut agg_arrays: Vec<Vec<Scalar>> =
            vec![Vec::with_capacity(groups.len()); agg_names.len()];
        let mut axis_arrays: Vec<Scalar> = Vec::with_capacity(groups.len());
        let mut representative: Vec<IdxSize> = Vec::with_capacity(groups.len());
        let mut total_values: u64 = 0;
        for members in &groups {
            self.check_cancel()?;
            let present: Vec<i64> = members.iter().filter_map(|&r| bin_of(r)).collect();
            let start = match (*range_syntax, lower) {
                (_, Some(lo)) => lo,
                _ => present.iter().copied().min().unwrap_or(0),
            };
            let count = match to_n {
                Some(hi) => bins_between(start, hi, step_n, *range_syntax),
                None => present
                    .iter()
                    .copied()
                    .max()
                    .map_or(0, |m| bins_between(start, m, step_n, true)),
            }
            .max(0);
            if count > MAX_BINS {
                return Err(QueryError::runtime(
                    format!(
                        "make-series would make {count} bins; the limit is {MAX_BINS}: use a larger step"
                    ),
                    Some(step.span),
                ));
            }
            // Every group's arrays, one per aggregate and the axis: refused
            // before they are built when they would not fit.
            total_values = total_values.saturating_add(count as u64 * (agg_names.len() as u64 + 1));
            self.admit(&Growth {
                operator: "make-series",
                count: total_values,
                unit: Unit::Values,
                item_bytes: VALUE_BYTES,
                advice: "use a larger step, a shorter range, or fewer groups",
                span,
            })?;
            let count = count as usize;
            for (a, name) in agg_names.iter().enumerate() {
                let values = summed.column(name).map_err(|e| polars_error(e, span))?;
                let values = values.as_materialized_series();
                let default = defaults.get(a).cloned().unwrap_or_else(|| Json::from(0));
                let mut array = vec![default; count];
                for &r in members {
                    if let Some(b) = bin_of(r) {
                        let k = (i128::from(b) - i128::from(start)).div_euclid(i128::from(step_n));
                        if let Some(slot) = usize::try_from(k).ok().and_then(|k| array.get_mut(k)) {
                            *slot = Scalar::from_series(values, r).to_json();
                        }
                    }
                }
                agg_arrays[a].push(Scalar::Dynamic(Json::Array(array)));
            }
            let axis_values: Vec<Json> = (0..count as i64)
                .map(|k| {
                    from_ticks(start.saturating_add(k.saturating_mul(step_n)), axis_kind).to_json()
                })
                .collect();
            axis_arrays.push(Scalar::Dynamic(Json::Array(axis_values)));
            representative.push(members.first().map_or(0, |&r| r as IdxSize));
        }
        let axis_name = expr_name(axis).unwrap_or_else(|| "Column1".into());
        let mut ngroups = groups.len();
        let mut columns: Vec<Column> = summed
            .select(names[..nby].to_vec())
            .and_then(|f| f.take(&IdxCa::from_vec("".into(), representative)))
            .map_err(|e| polars_error(e, span))?
            .columns()
            .to_vec();
        if ngroups == 0 && *nonempty && by.is_empty() {
            // `kind=nonempty`: one row of defaults over the given range.
            if let (Some(lo), Some(hi)) = (lower, to_n) {
                let count = bins_between(lo, hi, step_n, *range_syntax).clamp(0, MAX_BINS) as usize;
                for (a, default) in defaults.iter().enumerate() {
                    agg_arrays[a].push(Scalar::Dynamic(Json::Array(vec![default.clone(); count])));
                }
                let axis_values = (0..count as i64)
                    .map(|k| {
                        from_ticks(lo.saturating_add(k.saturating_mul(step_n)), axis_kind).to_json()
                    })
                    .collect();
                axis_arrays.push(Scalar::Dynamic(Json::Array(axis_values)));
                ngroups = 1;
            }
        }
        for (name, values) in agg_names.iter().zip(agg_arrays) {
            columns.push(scalars_to_series(name, KqlType::Dynamic, values).into_column());
        }
        columns.push(scalars_to_series(&axis_name, KqlType::Dynamic, axis_arrays).into_column());
        DataFrame::new(ngroups, columns).map_err(|e| polars_error(e, span))
    }
}

/// How many bins of `step` from `start` lie below `end` (or up to it,
/// when `inclusive`), without overflow.
fn bins_between(start: i64, end: i64, step: i64, inclusive: bool) -> i64 {
    let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
    let n = if inclusive {
        (end - start).div_euclid(step) + 1
    } else {
        (end - start + step - 1).div_euclid(step)
    };
    clamp64(n.max(0))
}

fn clamp64(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// An axis, bound or step value as an integer: nanoseconds for datetimes
/// and timespans, the number itself for longs and ints.
fn ticks(v: &Scalar) -> Option<i64> {
    match v {
        Scalar::Datetime(n) | Scalar::Timespan(n) | Scalar::Long(n) => Some(*n),
        Scalar::Int(n) => Some(i64::from(*n)),
        _ => None,
    }
}

fn from_ticks(n: i64, kind: KqlType) -> Scalar {
    match kind {
        KqlType::Datetime => Scalar::Datetime(n),
        KqlType::Timespan => Scalar::Timespan(n),
        _ => Scalar::Long(n),
    }
}

/// A constant in place of an aggregation (`other=-1`,
/// make-series-operator.md) is its value in every bin with rows, the
/// default in the others: `take_any` of it.
fn constant_as_aggregate(mut a: Assignment) -> Assignment {
    if matches!(a.expr.kind, ExprKind::Literal(_)) {
        let span = a.expr.span;
        let name = Ident {
            name: "take_any".into(),
            span,
        };
        a.expr = Expr {
            kind: ExprKind::Call {
                name,
                args: vec![a.expr],
            },
            span,
        };
    }
    a
}
