//! Percentiles as arrays and weighted percentiles: `percentiles_array`,
//! `percentilew`, `percentilesw` and `percentilesw_array`. As `percentile`
//! does, each takes the nearest rank: the smallest value whose cumulative
//! weight reaches the percentage of the total weight (each value counted
//! `weight` times).

use polars::prelude::*;
use serde_json::Value as Json;

use super::aggregates::{AggInput, AggOutput, AggregateFunction, Post};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::Scalar;

/// The aggregates of this family, as `aggregates::lookup` finds them.
pub const AGGREGATES: &[AggregateFunction] = &[
    AggregateFunction {
        name: "percentiles_array",
        min_args: 2,
        max_args: 64,
        plan: |a| array(a, false),
    },
    AggregateFunction {
        name: "percentilew",
        min_args: 3,
        max_args: 3,
        plan: |a| columns(a, true),
    },
    AggregateFunction {
        name: "percentilesw",
        min_args: 3,
        max_args: 64,
        plan: |a| columns(a, true),
    },
    AggregateFunction {
        name: "percentilesw_array",
        min_args: 3,
        max_args: 64,
        plan: |a| array(a, true),
    },
];

/// A percentage as written: a number from 0 to 100.
fn percentage(a: &AggInput, s: &Scalar) -> Result<f64, QueryError> {
    let p = match s {
        Scalar::Long(p) => *p as f64,
        Scalar::Int(p) => f64::from(*p),
        Scalar::Real(p) => *p,
        other => {
            return Err(QueryError::type_error(
                format!(
                    "{}() takes constant percentages, not {}",
                    a.name,
                    other.kind()
                ),
                a.span,
            ));
        }
    };
    if !(0.0..=100.0).contains(&p) {
        return Err(QueryError::type_error(
            format!("{}() takes percentages from 0 to 100, not {p}", a.name),
            a.span,
        ));
    }
    Ok(p)
}

/// The percentages from argument `first` on: several constants, or one
/// dynamic array of them.
fn percentages(a: &AggInput, first: usize) -> Result<Vec<f64>, QueryError> {
    let given: Vec<Scalar> = match a.constants.get(first) {
        Some(Some(Scalar::Dynamic(Json::Array(items)))) if a.constants.len() == first + 1 => items
            .iter()
            .map(|j| match j.as_f64() {
                Some(v) => Scalar::Real(v),
                None => Scalar::Dynamic(j.clone()),
            })
            .collect(),
        _ => (first..a.constants.len())
            .map(|i| {
                a.constants
                    .get(i)
                    .cloned()
                    .flatten()
                    .unwrap_or(Scalar::Null(KqlType::Real))
            })
            .collect(),
    };
    given.iter().map(|s| percentage(a, s)).collect()
}

/// The percentile `p` of argument 0, weighted by argument 1 when
/// `weighted`: nearest rank.
fn percentile_expr(a: &AggInput, weighted: bool, p: f64) -> Result<Expr, QueryError> {
    let x = a.col(0)?;
    if !weighted {
        // A nearest-rank percentile is one of the values: of their type.
        let q = super::statistics::nearest_rank(x, p);
        return Ok(match a.kinds.first().copied().flatten() {
            Some(k @ (KqlType::Int | KqlType::Long)) => q.cast(k.polars()),
            _ => q,
        });
    }
    let w = a.col(1)?.cast(DataType::Float64);
    let keep = x.clone().is_not_null().and(w.clone().is_not_null());
    let (x, w) = (x.filter(keep.clone()), w.filter(keep));
    let order = x.clone();
    let cumulative = w
        .clone()
        .sort_by([order.clone()], SortMultipleOptions::default())
        .cum_sum(false);
    let target = w.sum() * lit(p / 100.0);
    Ok(x.sort_by([order], SortMultipleOptions::default())
        .filter(cumulative.gt_eq(target))
        .first())
}

/// The column a percentile of argument 0 is named after.
fn column(a: &AggInput) -> String {
    match a.arg_names.first() {
        Some(Some(n)) => n.clone(),
        _ => String::new(),
    }
}

/// One column per percentage, named `percentile_x_p`.
fn columns(a: &AggInput, weighted: bool) -> Result<Vec<AggOutput>, QueryError> {
    let x = column(a);
    percentages(a, 2)?
        .into_iter()
        .map(|p| {
            Ok(AggOutput {
                name: format!("percentile_{x}_{}", p.to_string().replace('.', "_")),
                expr: percentile_expr(a, weighted, p)?,
                is_list: false,
                post: Post::None,
            })
        })
        .collect()
}

/// Every percentage in one dynamic array: `percentiles_x` for
/// `percentiles_array`, `percentile_x` for `percentilesw_array`, as the
/// documentation names them.
fn array(a: &AggInput, weighted: bool) -> Result<Vec<AggOutput>, QueryError> {
    let first = if weighted { 2 } else { 1 };
    let exprs: Vec<Expr> = percentages(a, first)?
        .into_iter()
        .map(|p| percentile_expr(a, weighted, p))
        .collect::<Result<_, _>>()?;
    let prefix = if weighted {
        "percentile"
    } else {
        "percentiles"
    };
    Ok(vec![AggOutput {
        name: format!("{prefix}_{}", column(a)),
        expr: concat_list(exprs).map_err(|e| QueryError::runtime(e.to_string(), Some(a.span)))?,
        is_list: false,
        post: Post::Array,
    }])
}
