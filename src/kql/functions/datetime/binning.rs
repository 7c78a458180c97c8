//! Rounding down to bins: `bin` (alias `floor`) and `bin_at`, over numbers,
//! datetimes and timespans; datetime bins count from Kusto's epoch
//! (0001-01-01), so `bin(t, 7d)` gives Mondays.

use polars::prelude::*;

use super::{TICK_EPOCH_NS, typed, typed_column};
use crate::data::decimal::Decimal;
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{
    as_datetime, as_decimal, as_long, as_real, as_timespan, column, expect, expect_number,
    i64_column,
};
use crate::kql::value::{Scalar, Val};

/// What `bin` rounds: the value's type decides the bin size's.
fn bin_kind(call: &Call) -> Result<KqlType, QueryError> {
    let kind = match call.args[0].kind() {
        KqlType::Dynamic => KqlType::Real,
        k => k,
    };
    match kind {
        KqlType::Datetime | KqlType::Timespan => {
            expect(
                call,
                1,
                |k| k == KqlType::Timespan,
                "a timespan (the bin size of a datetime or timespan)",
            )?;
            if call.args.len() > 2 {
                expect(
                    call,
                    2,
                    |k| k == kind,
                    &format!("a {kind} (the fixed point)"),
                )?;
            }
            Ok(kind)
        }
        k if k.is_numeric() => {
            expect_number(call, 1)?;
            if call.args.len() > 2 {
                expect_number(call, 2)?;
            }
            let kinds = call.args.iter().map(Val::kind);
            Ok(
                // The widest number, decimal above real (Kusto.Language).
                if kinds.clone().any(|k| k == KqlType::Decimal) {
                    KqlType::Decimal
                } else if kinds
                    .clone()
                    .any(|k| k == KqlType::Real || k == KqlType::Dynamic)
                {
                    KqlType::Real
                } else if kinds.clone().all(|k| k == KqlType::Int) {
                    KqlType::Int
                } else {
                    KqlType::Long
                },
            )
        }
        _ => Err(call.type_error(0, "a number, datetime or timespan")),
    }
}

/// Rounds an integer (nanoseconds for datetimes and timespans) down to a
/// multiple of `size` counted from `origin`; null for a size that is not
/// positive.
fn floor_i(v: i64, size: i64, origin: i128) -> Option<i64> {
    if size <= 0 {
        return None;
    }
    let d = i128::from(v) - origin;
    i64::try_from(origin + d.div_euclid(i128::from(size)) * i128::from(size)).ok()
}

fn floor_f(v: f64, size: f64, origin: f64) -> Option<f64> {
    // NaN is no size either.
    if size.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let r = origin + ((v - origin) / size).floor() * size;
    Some(r)
}

/// The shared body of `bin` and `bin_at` (`fixed` is the fixed point's
/// argument).
fn bin_core(call: &Call, fixed: Option<usize>) -> Result<Val, QueryError> {
    let kind = bin_kind(call)?;
    let default_origin = if kind == KqlType::Datetime {
        TICK_EPOCH_NS
    } else {
        0
    };
    let int_origin = |a: &[Scalar]| -> Option<i128> {
        match fixed {
            None => Some(default_origin),
            Some(i) => match kind {
                KqlType::Datetime => as_datetime(&a[i]).map(i128::from),
                KqlType::Timespan => as_timespan(&a[i]).map(i128::from),
                _ => as_long(&a[i]).map(i128::from),
            },
        }
    };
    let size_of = |s: &Scalar| -> Option<i64> {
        if matches!(kind, KqlType::Datetime | KqlType::Timespan) {
            as_timespan(s)
        } else {
            as_long(s)
        }
    };
    if kind == KqlType::Decimal {
        // Exact: bin(decimal(4.7), 0.5) is 4.5.
        return call.rowwise(kind, |a| {
            let origin = fixed.map_or(Some(Decimal::ZERO), |i| as_decimal(&a[i]));
            let binned = match (as_decimal(&a[0]), as_decimal(&a[1]), origin) {
                (Some(v), Some(size), Some(o)) => v
                    .checked_sub(o)
                    .and_then(|d| d.floor_to(size))
                    .and_then(|d| d.checked_add(o)),
                _ => None,
            };
            Ok(binned.map_or(Scalar::Null(kind), Scalar::Decimal))
        });
    }
    // Hot path: a column of values, constant size and fixed point.
    let rest_constant = call.args[1..].iter().all(|a| matches!(a, Val::Scalar(_)));
    if let (Val::Column(_), true) = (&call.args[0], rest_constant) {
        let args: Vec<Scalar> = call.args.iter().map(|a| a.get(0)).collect();
        if kind == KqlType::Real {
            let size = as_real(&args[1]);
            let origin = fixed.map_or(Some(0.0), |i| as_real(&args[i]));
            let values = crate::kql::functions::convert::f64_column(&call.args[0], call.rows);
            let out: Float64Chunked = match (size, origin) {
                (Some(s), Some(o)) => values
                    .iter()
                    .map(|v| v.and_then(|v| floor_f(v, s, o)))
                    .collect(),
                _ => Float64Chunked::full_null("".into(), call.rows),
            };
            return Ok(column(out));
        }
        let size = size_of(&args[1]);
        let origin = int_origin(&args);
        let values = i64_column(&call.args[0], call.rows);
        let out: Int64Chunked = match (size, origin) {
            (Some(s), Some(o)) => values
                .iter()
                .map(|v| v.and_then(|v| floor_i(v, s, o)))
                .collect(),
            _ => Int64Chunked::full_null("".into(), call.rows),
        };
        return Ok(typed_column(kind, out));
    }
    call.rowwise(kind, |a| {
        if kind == KqlType::Real {
            let origin = fixed.map_or(Some(0.0), |i| as_real(&a[i]));
            return Ok(match (as_real(&a[0]), as_real(&a[1]), origin) {
                (Some(v), Some(s), Some(o)) => {
                    floor_f(v, s, o).map_or(Scalar::Null(kind), Scalar::Real)
                }
                _ => Scalar::Null(kind),
            });
        }
        let value = match kind {
            KqlType::Datetime => as_datetime(&a[0]),
            KqlType::Timespan => as_timespan(&a[0]),
            _ => as_long(&a[0]),
        };
        Ok(match (value, size_of(&a[1]), int_origin(a)) {
            (Some(v), Some(s), Some(o)) => typed(kind, floor_i(v, s, o)),
            _ => Scalar::Null(kind),
        })
    })
}

/// `bin(value, size)`, alias `floor`.
pub(super) fn bin(call: &Call) -> Result<Val, QueryError> {
    bin_core(call, None)
}

/// `bin_at(value, size, fixed_point)`.
pub(super) fn bin_at(call: &Call) -> Result<Val, QueryError> {
    bin_core(call, Some(2))
}
