//! Arithmetic: `-x`, numeric casts, and `+ - * / %` over numbers,
//! datetimes and timespans, with integer division truncated as Kusto (C#)
//! truncates.

use polars::prelude::*;

use super::compare::{numeric_rank, undynamic};
use super::runtime;
use crate::data::decimal::{self, Decimal};
use crate::data::types::KqlType;
use crate::kql::ast::{BinaryOp, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::{
    self,
    convert::{as_decimal, coerce, decimal_column, f64_column},
};
use crate::kql::value::{Scalar, Val};

/// `-x`
pub(super) fn negate(v: Val, span: Span) -> Result<Val, QueryError> {
    Ok(match v {
        Val::Scalar(s) => Val::Scalar(match s {
            Scalar::Int(x) => Scalar::Int(x.wrapping_neg()),
            Scalar::Long(x) => Scalar::Long(x.wrapping_neg()),
            Scalar::Real(x) => Scalar::Real(-x),
            Scalar::Decimal(x) => Scalar::Decimal(-x),
            Scalar::Timespan(x) => Scalar::Timespan(-x),
            Scalar::Null(k) => Scalar::Null(k),
            other => {
                return Err(QueryError::type_error(
                    format!("cannot negate a {}", other.kind()),
                    span,
                ));
            }
        }),
        Val::Column(c) if KqlType::of(c.dtype()) == Some(KqlType::Decimal) => {
            let values: Vec<Option<Decimal>> = decimal::values(&c)
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.map(|d| -d))
                .collect();
            Val::Column(decimal::column(c.name().clone(), &values))
        }
        Val::Column(c) => {
            let kind = KqlType::of(c.dtype());
            match kind {
                Some(KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Timespan) => {
                    let neg = &c * -1;
                    Val::Column(neg)
                }
                _ => {
                    return Err(QueryError::type_error(
                        format!("cannot negate a {}", kind.map_or("value", |k| k.name())),
                        span,
                    ));
                }
            }
        }
    })
}

/// Casts a numeric value to another numeric type.
pub fn cast(v: Val, to: KqlType, span: Span) -> Result<Val, QueryError> {
    if v.kind() == to {
        return Ok(v);
    }
    Ok(match v {
        Val::Scalar(s) => Val::Scalar(match (s, to) {
            (Scalar::Int(x), KqlType::Long) => Scalar::Long(i64::from(x)),
            (Scalar::Int(x), KqlType::Real) => Scalar::Real(f64::from(x)),
            (Scalar::Long(x), KqlType::Real) => Scalar::Real(x as f64),
            (Scalar::Long(x), KqlType::Int) => Scalar::Int(x as i32),
            (Scalar::Real(x), KqlType::Long) => Scalar::Long(x as i64),
            (s, KqlType::Decimal) if s.kind().is_numeric() => {
                as_decimal(&s).map_or(Scalar::Null(KqlType::Decimal), Scalar::Decimal)
            }
            (Scalar::Decimal(x), KqlType::Real) => Scalar::Real(x.to_f64()),
            (Scalar::Decimal(x), KqlType::Long) => x
                .trunc_i64()
                .map_or(Scalar::Null(KqlType::Long), Scalar::Long),
            (Scalar::Null(_), k) => Scalar::Null(k),
            (s, k) => {
                return Err(QueryError::type_error(
                    format!("cannot convert {} to {k}", s.kind()),
                    span,
                ));
            }
        }),
        // Decimals convert exactly (a real by its shortest digits), never
        // through Polars' scale-0 or lossy casts.
        Val::Column(c) if to == KqlType::Decimal => {
            let rows = c.len();
            Val::Column(decimal::column(
                c.name().clone(),
                &decimal_column(&Val::Column(c), rows),
            ))
        }
        Val::Column(c) if KqlType::of(c.dtype()) == Some(KqlType::Decimal) => {
            let rows = c.len();
            let name = c.name().clone();
            let v = Val::Column(c);
            Val::Column(match to {
                KqlType::Real => f64_column(&v, rows).with_name(name).into_series(),
                _ => functions::scalars_to_series(
                    &name,
                    to,
                    (0..rows).map(|i| coerce(&v.get(i), to)).collect(),
                ),
            })
        }
        Val::Column(c) => Val::Column(c.cast(&to.polars()).map_err(|e| runtime(e, span))?),
    })
}

/// `+ - * / %` over numbers, datetimes and timespans.
pub(super) fn arithmetic(
    op: BinaryOp,
    l: Val,
    r: Val,
    rows: usize,
    span: Span,
) -> Result<Val, QueryError> {
    use KqlType as K;
    let (l, r) = match (l.kind(), r.kind()) {
        (K::Dynamic, K::Dynamic) => (undynamic(l, K::Real, rows), undynamic(r, K::Real, rows)),
        (K::Dynamic, k) => (undynamic(l, k, rows), r),
        (k, K::Dynamic) => (l, undynamic(r, k, rows)),
        _ => (l, r),
    };
    let (lk, rk) = (l.kind(), r.kind());
    let sym = match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        _ => "%",
    };
    let mismatch =
        || QueryError::type_error(format!("cannot apply '{sym}' to {lk} and {rk}"), span);
    // Datetime and timespan arithmetic works on the nanosecond counts.
    let result_kind = match (lk, rk, op) {
        (K::Datetime, K::Datetime, BinaryOp::Sub) => K::Timespan,
        (K::Datetime, K::Timespan, BinaryOp::Add | BinaryOp::Sub) => K::Datetime,
        (K::Timespan, K::Datetime, BinaryOp::Add) => K::Datetime,
        (K::Timespan, K::Timespan, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mod) => K::Timespan,
        (K::Timespan, K::Timespan, BinaryOp::Div) => K::Real,
        (K::Timespan, k, BinaryOp::Mul | BinaryOp::Div) if k.is_numeric() => K::Timespan,
        (k, K::Timespan, BinaryOp::Mul) if k.is_numeric() => K::Timespan,
        (a, b, _) if a.is_numeric() && b.is_numeric() => {
            if numeric_rank(a) >= numeric_rank(b) {
                a
            } else {
                b
            }
        }
        (K::String, K::String, _) => {
            return Err(QueryError::type_error(
                format!("cannot apply '{sym}' to strings (use strcat() to join text)"),
                span,
            ));
        }
        _ => return Err(mismatch()),
    };
    let temporal = |k: K| matches!(k, K::Datetime | K::Timespan);
    let to_physical = |v: Val, k: K| -> Result<Val, QueryError> {
        Ok(match v {
            Val::Scalar(Scalar::Datetime(x) | Scalar::Timespan(x)) => Val::Scalar(Scalar::Long(x)),
            Val::Scalar(Scalar::Null(t)) if temporal(t) => Val::null(K::Long),
            Val::Column(c) if temporal(k) => Val::Column(c.to_physical_repr().into_owned()),
            other => other,
        })
    };
    let mut l = to_physical(l, lk)?;
    let mut r = to_physical(r, rk)?;
    // Timespan divided by timespan is a real ratio; scaling a timespan by a
    // real keeps nanoseconds integral.
    let numeric_kind = match result_kind {
        K::Datetime | K::Timespan => {
            let fractional = |k: K| matches!(k, K::Real | K::Decimal);
            if fractional(lk) || fractional(rk) {
                K::Real
            } else {
                K::Long
            }
        }
        K::Real if temporal(lk) => K::Real,
        k => k,
    };
    l = cast(l, numeric_kind, span)?;
    r = cast(r, numeric_kind, span)?;
    if numeric_kind == K::Decimal {
        return Ok(decimal_arith(op, &l, &r, rows));
    }
    let out = match (&l, &r) {
        (Val::Scalar(a), Val::Scalar(b)) => Val::Scalar(scalar_arith(op, a, b)),
        _ => {
            let a = l.into_series("", rows);
            let b = r.into_series("", rows);
            let s = match op {
                BinaryOp::Add => &a + &b,
                BinaryOp::Sub => &a - &b,
                BinaryOp::Mul => &a * &b,
                BinaryOp::Div if numeric_kind == K::Real => &a / &b,
                _ => div_rem(op, &a, &b),
            }
            .map_err(|e| runtime(e, span))?;
            Val::Column(s)
        }
    };
    match out {
        Val::Scalar(s) => Ok(Val::Scalar(match (s, result_kind) {
            (Scalar::Long(x), K::Datetime) => Scalar::Datetime(x),
            (Scalar::Long(x), K::Timespan) => Scalar::Timespan(x),
            (Scalar::Real(x), K::Datetime) => Scalar::Datetime(x as i64),
            (Scalar::Real(x), K::Timespan) => Scalar::Timespan(x as i64),
            (Scalar::Null(_), k) => Scalar::Null(k),
            (s, _) => s,
        })),
        Val::Column(c) => finish_arith(c, result_kind, numeric_kind, span),
    }
}

/// `+ - * / %` of decimals, exact (see `data::decimal`); a result past 38
/// digits, or a division by zero, is null.
fn decimal_arith(op: BinaryOp, l: &Val, r: &Val, rows: usize) -> Val {
    let apply = |a: Option<Decimal>, b: Option<Decimal>| -> Option<Decimal> {
        let (a, b) = (a?, b?);
        match op {
            BinaryOp::Add => a.checked_add(b),
            BinaryOp::Sub => a.checked_sub(b),
            BinaryOp::Mul => a.checked_mul(b),
            BinaryOp::Div => a.checked_div(b),
            _ => a.checked_rem(b),
        }
    };
    if let (Val::Scalar(a), Val::Scalar(b)) = (l, r) {
        let v = apply(as_decimal(a), as_decimal(b));
        return Val::Scalar(v.map_or(Scalar::Null(KqlType::Decimal), Scalar::Decimal));
    }
    let (a, b) = (decimal_column(l, rows), decimal_column(r, rows));
    let out: Vec<Option<Decimal>> = a.into_iter().zip(b).map(|(a, b)| apply(a, b)).collect();
    Val::Column(decimal::column("".into(), &out))
}

/// Column `/` (integers) and `%`, as Kusto (C#) computes them: truncated
/// toward zero, so `-7 / 2` is -3 and `-7 % 2` is -1 (Polars floors).
/// Integer division or remainder by zero is null, not a crash.
fn div_rem(op: BinaryOp, a: &Series, b: &Series) -> PolarsResult<Series> {
    let dtype = a.dtype().clone();
    if dtype == DataType::Float64 {
        let (x, y) = (a.f64()?, b.f64()?);
        let out: Float64Chunked = x
            .iter()
            .zip(y.iter())
            .map(|(x, y)| {
                let (x, y) = (x?, y?);
                // Kusto's modulo is never negative: 0 <= n % d < abs(d).
                Some(if op == BinaryOp::Div {
                    x / y
                } else {
                    x.rem_euclid(y)
                })
            })
            .collect();
        return Ok(out.into_series());
    }
    let (x, y) = (a.cast(&DataType::Int64)?, b.cast(&DataType::Int64)?);
    let out: Int64Chunked = x
        .i64()?
        .iter()
        .zip(y.i64()?.iter())
        .map(|(x, y)| {
            let (x, y) = (x?, y?);
            if op == BinaryOp::Div {
                x.checked_div(y)
            } else {
                x.checked_rem_euclid(y)
            }
        })
        .collect();
    out.into_series().cast(&dtype)
}

fn finish_arith(
    c: Series,
    result_kind: KqlType,
    numeric_kind: KqlType,
    span: Span,
) -> Result<Val, QueryError> {
    let c = if matches!(result_kind, KqlType::Datetime | KqlType::Timespan) {
        let c = if numeric_kind == KqlType::Real {
            c.cast(&DataType::Int64).map_err(|e| runtime(e, span))?
        } else {
            c
        };
        c.cast(&result_kind.polars())
            .map_err(|e| runtime(e, span))?
    } else if KqlType::of(c.dtype()) != Some(result_kind) {
        c.cast(&result_kind.polars())
            .map_err(|e| runtime(e, span))?
    } else {
        c
    };
    Ok(Val::Column(c))
}

fn scalar_arith(op: BinaryOp, a: &Scalar, b: &Scalar) -> Scalar {
    match (a, b) {
        (Scalar::Long(x), Scalar::Long(y)) => match op {
            BinaryOp::Add => Scalar::Long(x.wrapping_add(*y)),
            BinaryOp::Sub => Scalar::Long(x.wrapping_sub(*y)),
            BinaryOp::Mul => Scalar::Long(x.wrapping_mul(*y)),
            BinaryOp::Div => x
                .checked_div(*y)
                .map_or(Scalar::Null(KqlType::Long), Scalar::Long),
            _ => x
                .checked_rem_euclid(*y)
                .map_or(Scalar::Null(KqlType::Long), Scalar::Long),
        },
        (Scalar::Int(x), Scalar::Int(y)) => match op {
            BinaryOp::Add => Scalar::Int(x.wrapping_add(*y)),
            BinaryOp::Sub => Scalar::Int(x.wrapping_sub(*y)),
            BinaryOp::Mul => Scalar::Int(x.wrapping_mul(*y)),
            BinaryOp::Div => x
                .checked_div(*y)
                .map_or(Scalar::Null(KqlType::Int), Scalar::Int),
            _ => x
                .checked_rem_euclid(*y)
                .map_or(Scalar::Null(KqlType::Int), Scalar::Int),
        },
        (Scalar::Real(x), Scalar::Real(y)) => Scalar::Real(match op {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::Div => x / y,
            _ => x.rem_euclid(*y),
        }),
        (a, _) => Scalar::Null(a.kind()),
    }
}
