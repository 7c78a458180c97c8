//! Binary operators: operands brought to comparable types, comparison and
//! logic with KQL's null rules; arithmetic is in `arithmetic`, text
//! predicates in `text_predicates`.

use polars::prelude::*;
use serde_json::Value as Json;

use super::arithmetic::{arithmetic, cast};
use super::text_predicates::string_equals;
use super::{json_scalar, runtime};
use crate::data::time::parse_datetime;
use crate::data::types::KqlType;
use crate::kql::ast::{BinaryOp, Span, StringOp, StringOpKind};
use crate::kql::error::QueryError;
use crate::kql::functions::convert::{as_decimal, decimal_column};
use crate::kql::functions::{self};
use crate::kql::value::{Scalar, Val, parse_json_bytes};

/// The numeric rank for promotion: int < long < real < decimal, the order
/// of Kusto.Language's widest type (`decimal(1) + 0.5` is a decimal).
pub(super) fn numeric_rank(k: KqlType) -> u8 {
    match k {
        KqlType::Int => 1,
        KqlType::Long => 2,
        KqlType::Real => 3,
        KqlType::Decimal => 4,
        _ => 0,
    }
}

/// A dynamic value compared or combined with a typed one is read as that
/// type, as Kusto does for `AdditionalFields.x == "y"`.
pub(super) fn undynamic(v: Val, want: KqlType, rows: usize) -> Val {
    if v.kind() != KqlType::Dynamic || want == KqlType::Dynamic {
        return v;
    }
    let convert = |j: Json| -> Scalar {
        let s = json_scalar(&j);
        match (want, s) {
            (KqlType::String, s) => Scalar::String(s.to_text().into_owned()),
            (KqlType::Datetime, Scalar::String(t)) => {
                parse_datetime(&t).map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime)
            }
            (KqlType::Real, Scalar::Long(x)) => Scalar::Real(x as f64),
            // A JSON number by its own digits.
            (KqlType::Decimal, _) => {
                as_decimal(&Scalar::Dynamic(j)).map_or(Scalar::Null(want), Scalar::Decimal)
            }
            (KqlType::Long | KqlType::Int, Scalar::Real(x)) if x.fract() == 0.0 => {
                Scalar::Long(x as i64)
            }
            (_, s) if s.kind() == want || (want.is_numeric() && s.kind().is_numeric()) => s,
            (_, _) => Scalar::Null(want),
        }
    };
    let target = if want.is_numeric() {
        KqlType::Real.max(want)
    } else {
        want
    };
    let target = if want.is_numeric() {
        match want {
            KqlType::Real | KqlType::Decimal => want,
            _ => KqlType::Long,
        }
    } else {
        target
    };
    match v {
        Val::Scalar(Scalar::Dynamic(j)) => Val::Scalar(convert(j)),
        Val::Scalar(s) => Val::Scalar(s),
        Val::Column(c) => {
            let values: Vec<Scalar> = match c.binary() {
                Ok(b) => b
                    .iter()
                    .map(|x| x.map_or(Scalar::Null(target), |x| convert(parse_json_bytes(x))))
                    .collect(),
                Err(_) => vec![Scalar::Null(target); rows],
            };
            // Numbers in a dynamic may mix longs and reals.
            let kind = if target != KqlType::Decimal
                && target.is_numeric()
                && values.iter().any(|v| matches!(v, Scalar::Real(_)))
            {
                KqlType::Real
            } else {
                target
            };
            Val::Column(functions::scalars_to_series(c.name(), kind, values))
        }
    }
}

/// Brings two operands to comparable types: numbers promoted, dynamic read
/// as the other side's type, a datetime string literal parsed.
fn align(l: Val, r: Val, rows: usize, span: Span) -> Result<(Val, Val), QueryError> {
    let (lk, rk) = (l.kind(), r.kind());
    let (l, r) = match (lk, rk) {
        (KqlType::Dynamic, KqlType::Dynamic) => (
            undynamic(l, KqlType::String, rows),
            undynamic(r, KqlType::String, rows),
        ),
        (KqlType::Dynamic, k) => (undynamic(l, k, rows), r),
        (k, KqlType::Dynamic) => (l, undynamic(r, k, rows)),
        _ => (l, r),
    };
    let (lk, rk) = (l.kind(), r.kind());
    if lk == rk {
        return Ok((l, r));
    }
    if lk.is_numeric() && rk.is_numeric() {
        let target = if numeric_rank(lk) > numeric_rank(rk) {
            lk
        } else {
            rk
        };
        return Ok((cast(l, target, span)?, cast(r, target, span)?));
    }
    match (lk, rk, &l, &r) {
        (KqlType::Datetime, KqlType::String, _, Val::Scalar(Scalar::String(s))) => {
            if let Some(ns) = parse_datetime(s) {
                return Ok((l, Val::Scalar(Scalar::Datetime(ns))));
            }
        }
        (KqlType::String, KqlType::Datetime, Val::Scalar(Scalar::String(s)), _) => {
            if let Some(ns) = parse_datetime(s) {
                return Ok((Val::Scalar(Scalar::Datetime(ns)), r));
            }
        }
        _ => {}
    }
    // A typed null adopts the other side's type.
    if matches!(l, Val::Scalar(Scalar::Null(_))) {
        return Ok((Val::null(rk), r));
    }
    if matches!(r, Val::Scalar(Scalar::Null(_))) {
        return Ok((l, Val::null(lk)));
    }
    Err(QueryError::type_error(
        format!("cannot compare {lk} with {rk}"),
        span,
    ))
}

pub(super) fn bool_val(ca: BooleanChunked) -> Val {
    Val::Column(ca.into_series())
}

/// `not(x)`: null stays null.
pub fn not(v: Val, rows: usize) -> Result<Val, QueryError> {
    Ok(match v {
        Val::Scalar(Scalar::Bool(b)) => Val::Scalar(Scalar::Bool(!b)),
        Val::Scalar(_) => Val::null(KqlType::Bool),
        Val::Column(_) => bool_val(!&v.to_bools(rows)),
    })
}

/// Arithmetic, comparison and logic.
pub fn binary(op: BinaryOp, l: Val, r: Val, rows: usize, span: Span) -> Result<Val, QueryError> {
    use BinaryOp::*;
    match op {
        And | Or => {
            // Kusto: a null operand counts as false (`bool(null) and true`
            // is false, `bool(null) or true` is true).
            if let (Val::Scalar(a), Val::Scalar(b)) = (&l, &r) {
                let a = matches!(a, Scalar::Bool(true));
                let b = matches!(b, Scalar::Bool(true));
                return Ok(Val::Scalar(Scalar::Bool(if op == And {
                    a && b
                } else {
                    a || b
                })));
            }
            for (v, _) in [(&l, 0), (&r, 1)] {
                let k = v.kind();
                if k != KqlType::Bool && k != KqlType::Dynamic {
                    return Err(QueryError::type_error(
                        format!(
                            "'{}' needs bool operands, not {k}",
                            if op == And { "and" } else { "or" }
                        ),
                        span,
                    ));
                }
            }
            let a = l
                .to_bools(rows)
                .fill_null_with_values(false)
                .map_err(|e| runtime(e, span))?;
            let b = r
                .to_bools(rows)
                .fill_null_with_values(false)
                .map_err(|e| runtime(e, span))?;
            Ok(bool_val(if op == And { &a & &b } else { &a | &b }))
        }
        EqTilde | NotEqTilde => {
            let sop = StringOp {
                kind: StringOpKind::StartsWith,
                negated: op == NotEqTilde,
                case_sensitive: false,
            };
            string_equals(&l, &r, rows, sop.negated, false)
        }
        Eq | NotEq | Lt | LtEq | Gt | GtEq => {
            let (l, r) = align(l, r, rows, span)?;
            if l.kind() == KqlType::String && matches!(op, Eq | NotEq) {
                return string_equals(&l, &r, rows, op == NotEq, true);
            }
            if let (Val::Scalar(a), Val::Scalar(b)) = (&l, &r) {
                return Ok(Val::Scalar(compare_scalars(op, a, b)));
            }
            if l.kind() == KqlType::Decimal {
                return Ok(compare_decimals(op, &l, &r, rows));
            }
            let a = l.into_series("", rows);
            let b = r.into_series("", rows);
            let res = match op {
                Eq => a.equal_missing(&b),
                NotEq => a.not_equal_missing(&b),
                Lt => a.lt(&b),
                LtEq => a.lt_eq(&b),
                Gt => a.gt(&b),
                _ => a.gt_eq(&b),
            }
            .map_err(|e| runtime(e, span))?;
            if matches!(op, Eq | NotEq) {
                // Null vs null is null; null vs a value is false for ==, true for !=.
                let both_null = &a.is_null() & &b.is_null();
                if both_null.any() {
                    let masked: BooleanChunked = res
                        .iter()
                        .zip(both_null.iter())
                        .map(|(v, n)| if n == Some(true) { None } else { v })
                        .collect();
                    return Ok(bool_val(masked));
                }
            }
            Ok(bool_val(res))
        }
        Add | Sub | Mul | Div | Mod => arithmetic(op, l, r, rows, span),
    }
}

/// A comparison of decimal columns, exact across scales, with the null
/// rules of [`compare_scalars`].
fn compare_decimals(op: BinaryOp, l: &Val, r: &Val, rows: usize) -> Val {
    let (a, b) = (decimal_column(l, rows), decimal_column(r, rows));
    let out: BooleanChunked = a
        .into_iter()
        .zip(b)
        .map(|(x, y)| {
            let wrap = |v: Option<crate::data::decimal::Decimal>| {
                v.map_or(Scalar::Null(KqlType::Decimal), Scalar::Decimal)
            };
            match compare_scalars(op, &wrap(x), &wrap(y)) {
                Scalar::Bool(b) => Some(b),
                _ => None,
            }
        })
        .collect();
    bool_val(out)
}

pub(super) fn compare_scalars(op: BinaryOp, a: &Scalar, b: &Scalar) -> Scalar {
    use std::cmp::Ordering;
    if a.is_null() || b.is_null() {
        return match op {
            BinaryOp::Eq if a.is_null() != b.is_null() => Scalar::Bool(false),
            BinaryOp::NotEq if a.is_null() != b.is_null() => Scalar::Bool(true),
            _ => Scalar::Null(KqlType::Bool),
        };
    }
    let ord = match (a, b) {
        (Scalar::Bool(x), Scalar::Bool(y)) => x.partial_cmp(y),
        (Scalar::Int(x), Scalar::Int(y)) => x.partial_cmp(y),
        (Scalar::Long(x), Scalar::Long(y)) => x.partial_cmp(y),
        (Scalar::Real(x), Scalar::Real(y)) => x.partial_cmp(y),
        (Scalar::Decimal(x), Scalar::Decimal(y)) => x.partial_cmp(y),
        (Scalar::Datetime(x), Scalar::Datetime(y)) | (Scalar::Timespan(x), Scalar::Timespan(y)) => {
            x.partial_cmp(y)
        }
        (Scalar::String(x), Scalar::String(y)) => x.partial_cmp(y),
        _ => a.to_text().partial_cmp(&b.to_text()),
    };
    let Some(ord) = ord else {
        return Scalar::Null(KqlType::Bool);
    };
    Scalar::Bool(match op {
        BinaryOp::Eq => ord == Ordering::Equal,
        BinaryOp::NotEq => ord != Ordering::Equal,
        BinaryOp::Lt => ord == Ordering::Less,
        BinaryOp::LtEq => ord != Ordering::Greater,
        BinaryOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}
