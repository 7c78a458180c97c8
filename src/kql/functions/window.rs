//! Window functions over the rows in their order (Kusto's "serialized"
//! row set): `row_number`, `prev`, `next`, `row_cumsum`, `row_rank_dense`,
//! `row_rank_min` and `row_window_session`. Each sees its arguments as
//! whole columns, so a row's value can depend on the rows before it;
//! `operators::slices` knows not to cut their input into slices.
//!
//! A `restart` argument that is true starts the numbering, sum or session
//! again at that row; null counts as false.

use polars::prelude::*;

use super::convert::{as_long, expect_integer, expect_timespan, f64_column, i64_column};
use super::{Call, ScalarFunction, scalars_to_series};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The window functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "row_number",
        min_args: 0,
        max_args: 2,
        eval: row_number,
    },
    ScalarFunction {
        name: "prev",
        min_args: 1,
        max_args: 3,
        eval: |c| shifted(c, true),
    },
    ScalarFunction {
        name: "next",
        min_args: 1,
        max_args: 3,
        eval: |c| shifted(c, false),
    },
    ScalarFunction {
        name: "row_cumsum",
        min_args: 1,
        max_args: 2,
        eval: row_cumsum,
    },
    ScalarFunction {
        name: "row_rank_dense",
        min_args: 1,
        max_args: 2,
        eval: |c| rank(c, true),
    },
    ScalarFunction {
        name: "row_rank_min",
        min_args: 1,
        max_args: 2,
        eval: |c| rank(c, false),
    },
    ScalarFunction {
        name: "row_window_session",
        min_args: 3,
        max_args: 4,
        eval: window_session,
    },
];

/// The `restart` argument at `i`, one flag per row (all false if absent).
fn restarts(call: &Call, i: usize) -> Vec<bool> {
    match call.args.get(i) {
        None => vec![false; call.rows],
        Some(v) => v
            .to_bools(call.rows)
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect(),
    }
}

fn long_column(values: Vec<i64>) -> Val {
    Val::Column(Int64Chunked::from_vec("".into(), values).into_series())
}

/// `row_number([start[, restart]])`: 1, 2, 3, ... (from `start`).
fn row_number(call: &Call) -> Result<Val, QueryError> {
    let start = match call.args.first() {
        Some(_) => {
            expect_integer(call, 0)?;
            call.constant_long(0)?
        }
        None => 1,
    };
    let restart = restarts(call, 1);
    let mut n = start;
    let values = (0..call.rows)
        .map(|i| {
            if i > 0 {
                n = if restart[i] { start } else { n + 1 };
            }
            n
        })
        .collect();
    Ok(long_column(values))
}

/// `prev(x[, offset[, default]])` and `next(...)`: the value `offset` rows
/// before (after); `default` (or null) where there is none.
fn shifted(call: &Call, back: bool) -> Result<Val, QueryError> {
    let rows = call.rows;
    let offset = match call.args.get(1) {
        Some(_) => {
            expect_integer(call, 1)?;
            call.constant_long(1)?
        }
        None => 1,
    };
    if offset < 0 {
        return Err(QueryError::type_error(
            format!("the offset of {}() cannot be negative", call.name),
            call.arg_span(1),
        ));
    }
    let column = call.args[0].clone().decoded().into_series("", rows);
    let default = match call.args.get(2) {
        Some(_) => call.constant(2)?,
        None => Scalar::Null(KqlType::of(column.dtype()).unwrap_or(KqlType::Dynamic)),
    };
    let k = (offset as usize).min(rows);
    let fill = default
        .to_series("", k)
        .cast(column.dtype())
        .map_err(|e| QueryError::type_error(e.to_string(), call.arg_span(2)))?;
    let kept = if back {
        column.slice(0, rows - k)
    } else {
        column.slice(k as i64, rows - k)
    };
    let (mut joined, rest) = if back { (fill, kept) } else { (kept, fill) };
    joined
        .append(&rest)
        .map_err(|e| QueryError::runtime(e.to_string(), Some(call.span)))?;
    Ok(Val::Column(joined))
}

/// `row_cumsum(x[, restart])`: the running sum (nulls add nothing), of
/// the argument's type.
fn row_cumsum(call: &Call) -> Result<Val, QueryError> {
    let restart = restarts(call, 1);
    match call.args[0].kind() {
        KqlType::Int | KqlType::Long | KqlType::Bool => {
            let x = i64_column(&call.args[0], call.rows);
            let mut sum = 0i64;
            let values = x
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if restart[i] {
                        sum = 0;
                    }
                    sum = sum.wrapping_add(v.unwrap_or(0));
                    sum
                })
                .collect();
            Ok(long_column(values))
        }
        KqlType::Real => {
            let x = f64_column(&call.args[0], call.rows);
            let mut sum = 0.0;
            let values: Vec<f64> = x
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if restart[i] {
                        sum = 0.0;
                    }
                    sum += v.unwrap_or(0.0);
                    sum
                })
                .collect();
            Ok(Val::Column(
                Float64Chunked::from_vec("".into(), values).into_series(),
            ))
        }
        KqlType::Decimal => {
            // Exact; a running sum past 38 digits is null from there on.
            let x = super::convert::decimal_column(&call.args[0], call.rows);
            let mut sum = Some(crate::data::decimal::Decimal::ZERO);
            let values: Vec<_> = x
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    if restart[i] {
                        sum = Some(crate::data::decimal::Decimal::ZERO);
                    }
                    sum = match (sum, v) {
                        (Some(s), Some(v)) => s.checked_add(*v),
                        (s, None) => s,
                        (None, _) => None,
                    };
                    sum
                })
                .collect();
            Ok(Val::Column(crate::data::decimal::column(
                "".into(),
                &values,
            )))
        }
        _ => Err(call.type_error(0, "a number")),
    }
}

/// `row_rank_dense(x[, restart])` rises by one whenever `x` differs from
/// the row before; `row_rank_min(x[, restart])` is the position (from 1)
/// of the first row of the current run of equal values.
fn rank(call: &Call, dense: bool) -> Result<Val, QueryError> {
    let restart = restarts(call, 1);
    let x = &call.args[0];
    let mut previous: Option<Scalar> = None;
    let (mut rank, mut position) = (0i64, 0i64);
    let mut values = Vec::with_capacity(call.rows);
    for (i, &again) in restart.iter().enumerate().take(call.rows) {
        let v = x.get(i);
        if i == 0 || again {
            rank = 1;
            position = 1;
        } else {
            position += 1;
            if previous.as_ref() != Some(&v) {
                rank = if dense { rank + 1 } else { position };
            }
        }
        values.push(rank);
        previous = Some(v);
    }
    Ok(long_column(values))
}

/// `row_window_session(t, max_from_first, max_between[, restart])`: the
/// time the row's session began. A row starts a session when it is the
/// first, follows a null, is `max_from_first` or more after the session's
/// start, is `max_between` or more after the row before, or `restart`.
fn window_session(call: &Call) -> Result<Val, QueryError> {
    if !matches!(call.args[0].kind(), KqlType::Datetime | KqlType::Dynamic) {
        return Err(call.type_error(0, "a datetime"));
    }
    expect_timespan(call, 1)?;
    expect_timespan(call, 2)?;
    let span_of = |i: usize| match call.constant(i)? {
        Scalar::Timespan(t) => Ok(t),
        other => as_long(&other).ok_or_else(|| call.type_error(i, "a timespan")),
    };
    let (from_first, between) = (span_of(1)?, span_of(2)?);
    let restart = restarts(call, 3);
    let t = i64_column(&call.args[0], call.rows);
    let mut start: Option<i64> = None;
    let mut before: Option<i64> = None;
    let mut values = Vec::with_capacity(call.rows);
    for (i, v) in t.iter().enumerate() {
        let Some(v) = v else {
            start = None;
            before = None;
            values.push(Scalar::Null(KqlType::Datetime));
            continue;
        };
        let new = match (start, before) {
            (Some(s), Some(b)) => {
                restart[i] || v >= s.saturating_add(from_first) || v >= b.saturating_add(between)
            }
            _ => true,
        };
        if new {
            start = Some(v);
        }
        before = Some(v);
        values.push(start.map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime));
    }
    Ok(Val::Column(scalars_to_series(
        "",
        KqlType::Datetime,
        values,
    )))
}
