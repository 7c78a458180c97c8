//! Spread aggregates beyond `stdev` and `variance`: the population forms
//! (`stdevp`, `variancep`), the `-if` forms, `covariance` and
//! `covariancep` (and their `-if` forms), `make_bag_if` and `percentiles`. Nulls are
//! skipped; covariance uses the rows where both values are present.

use polars::prelude::*;

use super::aggregates::{
    AggInput, AggOutput, AggregateFunction, Post, list, one, pred, zero_when_none,
};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::Scalar;

macro_rules! agg {
    ($name:literal, $min:literal, $max:literal, $plan:expr) => {
        AggregateFunction {
            name: $name,
            min_args: $min,
            max_args: $max,
            plan: $plan,
        }
    };
}

/// The aggregates of this family, as `aggregates::lookup` finds them.
pub const AGGREGATES: &[AggregateFunction] = &[
    agg!("stdevp", 1, 1, |a| spread(a, "stdevp", false, 0, true)),
    agg!("variancep", 1, 1, |a| spread(
        a,
        "variancep",
        false,
        0,
        false
    )),
    agg!("stdevif", 2, 2, |a| spread(a, "stdevif", true, 1, true)),
    agg!("varianceif", 2, 2, |a| spread(
        a,
        "varianceif",
        true,
        1,
        false
    )),
    agg!("stdevpif", 2, 2, |a| spread(a, "stdevpif", true, 0, true)),
    agg!("variancepif", 2, 2, |a| spread(
        a,
        "variancepif",
        true,
        0,
        false
    )),
    agg!("covariance", 2, 2, |a| covariance(
        a,
        "covariance",
        false,
        1
    )),
    agg!("covariancep", 2, 2, |a| covariance(
        a,
        "covariancep",
        false,
        0
    )),
    agg!("covarianceif", 3, 3, |a| covariance(
        a,
        "covarianceif",
        true,
        1
    )),
    agg!("covariancepif", 3, 3, |a| {
        covariance(a, "covariancepif", true, 0)
    }),
    agg!("make_bag_if", 2, 3, make_bag_if),
    agg!("percentiles", 2, 64, percentiles),
];

/// Standard deviation or variance with `ddof` (1: sample, 0: population),
/// over the rows where argument 2 holds when `conditional`.
fn spread(
    a: &AggInput,
    prefix: &str,
    conditional: bool,
    ddof: u8,
    root: bool,
) -> Result<Vec<AggOutput>, QueryError> {
    let mut x = a.col(0)?.cast(DataType::Float64);
    if conditional {
        x = x.filter(pred(a, 1)?);
    }
    let expr = if root {
        x.clone().std(ddof)
    } else {
        x.clone().var(ddof)
    };
    // stdevif and varianceif default to 0 (stdevp and variancep are not in
    // the documented list, so they stay null).
    let expr = if conditional && ddof == 1 {
        zero_when_none(x, expr)
    } else {
        expr
    };
    one(a.default_name(prefix), expr)
}

/// `covariance(x, y)`: sum((x - mean x)(y - mean y)) / (n - ddof), named
/// `covariance_x_y`.
fn covariance(
    a: &AggInput,
    prefix: &str,
    conditional: bool,
    ddof: u8,
) -> Result<Vec<AggOutput>, QueryError> {
    let (x, y) = (
        a.col(0)?.cast(DataType::Float64),
        a.col(1)?.cast(DataType::Float64),
    );
    let mut keep = x.clone().is_not_null().and(y.clone().is_not_null());
    if conditional {
        keep = keep.and(pred(a, 2)?);
    }
    let (x, y) = (x.filter(keep.clone()), y.filter(keep));
    let n = x.clone().count().cast(DataType::Float64);
    let expr = ((x.clone() - x.mean()) * (y.clone() - y.mean())).sum() / (n - lit(f64::from(ddof)));
    let name = match (a.arg_names.first(), a.arg_names.get(1)) {
        (Some(Some(p)), Some(Some(q))) => format!("{prefix}_{p}_{q}"),
        _ => format!("{prefix}_"),
    };
    one(name, expr)
}

/// `make_bag_if(bag, predicate[, max])`: the bags of the rows where the
/// predicate holds, merged.
fn make_bag_if(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let n = a.limit(2, 1_048_576)?;
    list(
        a.default_name("bag"),
        a.col(0)?.filter(pred(a, 1)?).drop_nulls().head(Some(n)),
        Post::MergeBags,
    )
}

/// `percentiles(x, p1, p2, ...)`: one column per percentage, named
/// `percentile_x_p` as `percentile(x, p)` names its one (nearest rank).
fn percentiles(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let column = match a.arg_names.first() {
        Some(Some(n)) => n.clone(),
        _ => String::new(),
    };
    (1..a.constants.len())
        .map(|i| {
            let p = match a.constants.get(i) {
                Some(Some(Scalar::Long(p))) => *p as f64,
                Some(Some(Scalar::Int(p))) => f64::from(*p),
                Some(Some(Scalar::Real(p))) => *p,
                _ => {
                    return Err(QueryError::type_error(
                        format!(
                            "argument {} of percentiles() must be a constant percentage",
                            i + 1
                        ),
                        a.span,
                    ));
                }
            };
            if !(0.0..=100.0).contains(&p) {
                return Err(QueryError::type_error(
                    format!("percentiles() takes percentages from 0 to 100, not {p}"),
                    a.span,
                ));
            }
            Ok(AggOutput {
                name: format!("percentile_{column}_{}", p.to_string().replace('.', "_")),
                expr: percentile_of(a, p)?,
                is_list: false,
                post: Post::None,
            })
        })
        .collect()
}

/// The nearest-rank percentile `p` of the first argument: a real for
/// decimals, as Kusto.Language types a decimal's percentiles.
pub(super) fn percentile_of(a: &AggInput, p: f64) -> Result<Expr, QueryError> {
    let value = nearest_rank(a.col(0)?, p);
    Ok(match a.kinds.first() {
        Some(Some(KqlType::Decimal)) => value.cast(DataType::Float64),
        _ => value,
    })
}

/// The nearest-rank percentile `p` (0 to 100) of `x`, as Kusto defines it:
/// the smallest value with at least `p` percent of the values at or below
/// it, so the `k`-th of the `n` sorted values with `k = ceil(p n / 100)`
/// (the first for `p = 0`). Polars' `Nearest` quantile rounds `(n - 1) q`
/// instead, which gives 51 for the median of 1..100 where Kusto gives 50.
pub(super) fn nearest_rank(x: Expr, p: f64) -> Expr {
    let sorted = x.drop_nulls().sort(SortOptions::default());
    // `n p / 100` rather than `n (p / 100)`: 100 * 0.07 is not 7.
    let rank = (sorted.clone().len().cast(DataType::Float64) * lit(p) / lit(100.0)).ceil();
    let index = when(rank.clone().lt(lit(1.0)))
        .then(lit(0.0))
        .otherwise(rank - lit(1.0))
        .cast(DataType::Int64);
    sorted.slice(index, lit(1)).first()
}
