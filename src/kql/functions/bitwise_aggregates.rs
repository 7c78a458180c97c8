//! `binary_all_and`, `binary_all_or` and `binary_all_xor`: the bitwise
//! combination of a group's longs (nulls skipped; null for a group with
//! none).

use polars::prelude::*;

use super::aggregates::{AggInput, AggOutput, AggregateFunction, Post};
use super::group_udf::per_group_long;
use crate::kql::error::QueryError;

/// The aggregates of this family, as `aggregates::lookup` finds them.
pub const AGGREGATES: &[AggregateFunction] = &[
    AggregateFunction {
        name: "binary_all_and",
        min_args: 1,
        max_args: 1,
        plan: |a| fold(a, "binary_all_and", |x, y| x & y),
    },
    AggregateFunction {
        name: "binary_all_or",
        min_args: 1,
        max_args: 1,
        plan: |a| fold(a, "binary_all_or", |x, y| x | y),
    },
    AggregateFunction {
        name: "binary_all_xor",
        min_args: 1,
        max_args: 1,
        plan: |a| fold(a, "binary_all_xor", |x, y| x ^ y),
    },
];

fn fold(a: &AggInput, name: &str, op: fn(i64, i64) -> i64) -> Result<Vec<AggOutput>, QueryError> {
    let x = a.col(0)?.cast(DataType::Int64);
    let expr = per_group_long(vec![x], move |cols: &mut [Column]| {
        let values = cols[0].as_materialized_series().i64()?;
        let folded = values.iter().flatten().reduce(op);
        Ok(Column::new("".into(), [folded]))
    });
    Ok(vec![AggOutput {
        name: a.default_name(name),
        expr,
        is_list: false,
        post: Post::None,
    }])
}
