//! Conditionals and null tests: `iff`/`iif`, `case`, `coalesce`,
//! `isempty`, `isnotempty`, `isnull`, `isnotnull`, `not`, `max_of`,
//! `min_of`.
//!
//! The branches of `iff`, `case` and `coalesce` must share one type, as in
//! Kusto; int, long and real widen to the widest, a typed null adopts the
//! other branches' type, and a dynamic branch makes the result dynamic.

use std::cmp::Ordering;

use polars::prelude::*;
use serde_json::Value as Json;

use super::convert::{coerce, column, expect};
use super::{Call, ScalarFunction, scalars_to_series};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::expr;
use crate::kql::value::{Scalar, Val, parse_json_bytes};

/// The conditional and null-test functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "iff",
        min_args: 3,
        max_args: 3,
        eval: iff,
    },
    ScalarFunction {
        name: "iif",
        min_args: 3,
        max_args: 3,
        eval: iff,
    },
    ScalarFunction {
        name: "case",
        min_args: 3,
        max_args: usize::MAX,
        eval: case,
    },
    ScalarFunction {
        name: "coalesce",
        min_args: 2,
        max_args: 64,
        eval: coalesce,
    },
    ScalarFunction {
        name: "isempty",
        min_args: 1,
        max_args: 1,
        eval: isempty,
    },
    ScalarFunction {
        name: "isnotempty",
        min_args: 1,
        max_args: 1,
        eval: isnotempty,
    },
    ScalarFunction {
        name: "notempty",
        min_args: 1,
        max_args: 1,
        eval: isnotempty,
    },
    ScalarFunction {
        name: "isnull",
        min_args: 1,
        max_args: 1,
        eval: isnull,
    },
    ScalarFunction {
        name: "isnotnull",
        min_args: 1,
        max_args: 1,
        eval: isnotnull,
    },
    ScalarFunction {
        name: "notnull",
        min_args: 1,
        max_args: 1,
        eval: isnotnull,
    },
    ScalarFunction {
        name: "not",
        min_args: 1,
        max_args: 1,
        eval: not,
    },
    ScalarFunction {
        name: "max_of",
        min_args: 2,
        max_args: 64,
        eval: max_of,
    },
    ScalarFunction {
        name: "min_of",
        min_args: 2,
        max_args: 64,
        eval: min_of,
    },
];

/// The common type of the arguments at `idx`, or a type error naming the
/// first argument that does not fit.
pub fn unify(call: &Call, idx: &[usize], what: &str) -> Result<KqlType, QueryError> {
    let typed_null = |i: usize| matches!(call.args[i], Val::Scalar(Scalar::Null(_)));
    let mut kind: Option<KqlType> = None;
    for &i in idx {
        let k = call.args[i].kind();
        if typed_null(i) {
            continue;
        }
        kind = Some(match kind {
            None => k,
            Some(prev) if prev == k => prev,
            Some(prev) if prev == KqlType::Dynamic || k == KqlType::Dynamic => KqlType::Dynamic,
            // Int < long < real: the wider wins.
            Some(prev) if prev.is_numeric() && k.is_numeric() => prev.max(k),
            Some(prev) => {
                return Err(QueryError::type_error(
                    format!(
                        "{what} of {}() must have one type, not {prev} and {k}",
                        call.name
                    ),
                    call.arg_span(i),
                ));
            }
        });
    }
    // Every value is a typed null: the first one's type.
    Ok(kind.unwrap_or_else(|| {
        idx.first()
            .map_or(KqlType::Dynamic, |&i| call.args[i].kind())
    }))
}

/// Argument `i` as a column of type `kind`, `rows` long.
pub fn series_of(call: &Call, i: usize, kind: KqlType) -> Result<Series, QueryError> {
    let v = &call.args[i];
    let rows = call.rows;
    if v.kind() == kind {
        return Ok(v.clone().into_series("", rows));
    }
    match v {
        Val::Scalar(s) => Ok(coerce(s, kind).to_series("", rows)),
        Val::Column(_) if kind.is_numeric() && v.kind().is_numeric() => {
            Ok(expr::cast(v.clone(), kind, call.arg_span(i))?.into_series("", rows))
        }
        Val::Column(c) => Ok(scalars_to_series(
            "",
            kind,
            (0..rows)
                .map(|r| coerce(&Scalar::from_series(c, r), kind))
                .collect(),
        )),
    }
}

/// The predicate of `iff`/`case`: a bool (or a dynamic bool); null is false.
fn condition(call: &Call, i: usize) -> Result<BooleanChunked, QueryError> {
    expect(call, i, |k| k == KqlType::Bool, "a bool")?;
    call.args[i]
        .to_bools(call.rows)
        .fill_null_with_values(false)
        .map_err(|e| QueryError::runtime(e.to_string(), Some(call.arg_span(i))))
}

fn scalar_condition(s: &Scalar) -> bool {
    match s {
        Scalar::Bool(b) => *b,
        Scalar::Dynamic(Json::Bool(b)) => *b,
        _ => false,
    }
}

/// Picks, row by row, the value of the first argument (of `choices`) whose
/// mask is true, else `fallback`: the shared body of `iff` and `case`.
fn choose(
    call: &Call,
    choices: &[(usize, usize)],
    fallback: usize,
    kind: KqlType,
) -> Result<Val, QueryError> {
    if call.all_scalar() {
        for &(p, v) in choices {
            if scalar_condition(&call.args[p].get(0)) {
                return Ok(Val::Scalar(coerce(&call.args[v].get(0), kind)));
            }
        }
        return Ok(Val::Scalar(coerce(&call.args[fallback].get(0), kind)));
    }
    let err = |e: PolarsError| QueryError::runtime(e.to_string(), Some(call.span));
    let mut out = series_of(call, fallback, kind)?;
    for &(p, v) in choices.iter().rev() {
        let mask = condition(call, p)?;
        out = zip(series_of(call, v, kind)?, &mask, out).map_err(err)?;
    }
    Ok(Val::Column(out))
}

/// `then` where `mask` holds, else `otherwise`; decimal columns of
/// different scales are brought to one first.
fn zip(then: Series, mask: &BooleanChunked, otherwise: Series) -> PolarsResult<Series> {
    let mut both = [then, otherwise];
    crate::data::decimal::harmonize(&mut both);
    let [then, otherwise] = both;
    then.zip_with(mask, &otherwise)
}

/// `iff(if, then, else)`.
fn iff(call: &Call) -> Result<Val, QueryError> {
    expect(call, 0, |k| k == KqlType::Bool, "a bool")?;
    let kind = unify(call, &[1, 2], "the then and else values")?;
    choose(call, &[(0, 1)], 2, kind)
}

/// `case(p1, v1, p2, v2, ..., else)`.
fn case(call: &Call) -> Result<Val, QueryError> {
    let n = call.args.len();
    if n.is_multiple_of(2) {
        return Err(QueryError::type_error(
            "case() takes predicate/value pairs and an else value (an odd number of arguments)",
            call.span,
        ));
    }
    let pairs: Vec<(usize, usize)> = (0..n / 2).map(|k| (2 * k, 2 * k + 1)).collect();
    for &(p, _) in &pairs {
        expect(call, p, |k| k == KqlType::Bool, "a bool")?;
    }
    let mut values: Vec<usize> = pairs.iter().map(|&(_, v)| v).collect();
    values.push(n - 1);
    let kind = unify(call, &values, "the values")?;
    choose(call, &pairs, n - 1, kind)
}

/// Whether a value counts as present for `coalesce` (not null, and for a
/// string not empty).
fn present(s: &Scalar) -> bool {
    match s {
        Scalar::String(t) => !t.is_empty(),
        Scalar::Dynamic(Json::String(t)) => !t.is_empty(),
        other => !other.is_null(),
    }
}

/// `coalesce(a, b, ...)`: the first non-null (non-empty for strings).
fn coalesce(call: &Call) -> Result<Val, QueryError> {
    let all: Vec<usize> = (0..call.args.len()).collect();
    let kind = unify(call, &all, "the arguments")?;
    if call.all_scalar() {
        let pick = call.args.iter().map(|a| a.get(0)).find(present);
        return Ok(Val::Scalar(
            pick.map_or(Scalar::Null(kind), |s| coerce(&s, kind)),
        ));
    }
    let err = |e: PolarsError| QueryError::runtime(e.to_string(), Some(call.span));
    let last = call.args.len() - 1;
    let mut out = series_of(call, last, kind)?;
    for i in (0..last).rev() {
        let s = series_of(call, i, kind)?;
        let mask = present_mask(&s);
        out = zip(s, &mask, out).map_err(err)?;
    }
    Ok(Val::Column(out))
}

/// `present()` of every value of a column.
fn present_mask(s: &Series) -> BooleanChunked {
    match s.dtype() {
        DataType::String => s
            .str()
            .map(|ca| {
                ca.iter()
                    .map(|v| Some(v.is_some_and(|t| !t.is_empty())))
                    .collect()
            })
            .unwrap_or_else(|_| s.is_not_null()),
        DataType::Binary => s
            .binary()
            .map(|ca| {
                ca.iter()
                    .map(|v| {
                        Some(v.is_some_and(|b| present(&Scalar::Dynamic(parse_json_bytes(b)))))
                    })
                    .collect()
            })
            .unwrap_or_else(|_| s.is_not_null()),
        _ => s.is_not_null(),
    }
}

/// Whether each value is empty: null, "" or a dynamic null or "".
fn empty_mask(call: &Call) -> Val {
    let empty = |s: &Scalar| match s {
        Scalar::String(t) => t.is_empty(),
        Scalar::Dynamic(Json::String(t)) => t.is_empty(),
        other => other.is_null(),
    };
    match &call.args[0] {
        Val::Scalar(s) => Val::Scalar(Scalar::Bool(empty(s))),
        Val::Column(c) => {
            let s = c.clone();
            column(!&present_mask(&s))
        }
    }
}

fn isempty(call: &Call) -> Result<Val, QueryError> {
    Ok(empty_mask(call))
}

fn isnotempty(call: &Call) -> Result<Val, QueryError> {
    expr::not(empty_mask(call), call.rows)
}

/// Whether each value is null: never for a string, and for a dynamic only a
/// JSON null (an empty array or bag is not null).
fn null_mask(call: &Call) -> Val {
    match &call.args[0] {
        Val::Scalar(s) => Val::Scalar(Scalar::Bool(s.kind() != KqlType::String && s.is_null())),
        Val::Column(c) => match c.dtype() {
            DataType::String => column(BooleanChunked::full("".into(), false, c.len())),
            DataType::Binary => column(
                c.binary()
                    .map(|b| {
                        b.iter()
                            .map(|v| Some(v.is_none_or(|v| parse_json_bytes(v).is_null())))
                            .collect()
                    })
                    .unwrap_or_else(|_| c.is_null()),
            ),
            _ => column(c.is_null()),
        },
    }
}

fn isnull(call: &Call) -> Result<Val, QueryError> {
    Ok(null_mask(call))
}

fn isnotnull(call: &Call) -> Result<Val, QueryError> {
    expr::not(null_mask(call), call.rows)
}

/// `not(x)`: null stays null.
fn not(call: &Call) -> Result<Val, QueryError> {
    expect(call, 0, |k| k == KqlType::Bool, "a bool")?;
    expr::not(call.args[0].clone(), call.rows)
}

/// Orders two values of one type; `None` when they do not compare.
pub fn compare(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Bool(x), Scalar::Bool(y)) => Some(x.cmp(y)),
        (Scalar::Int(x), Scalar::Int(y)) => Some(x.cmp(y)),
        (Scalar::Long(x), Scalar::Long(y)) => Some(x.cmp(y)),
        (Scalar::Real(x), Scalar::Real(y)) => x.partial_cmp(y),
        (Scalar::Decimal(x), Scalar::Decimal(y)) => Some(x.cmp(y)),
        (Scalar::Datetime(x), Scalar::Datetime(y)) | (Scalar::Timespan(x), Scalar::Timespan(y)) => {
            Some(x.cmp(y))
        }
        (Scalar::String(x), Scalar::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `max_of`/`min_of`: nulls are skipped; all null gives null.
fn extreme(call: &Call, want: Ordering) -> Result<Val, QueryError> {
    let all: Vec<usize> = (0..call.args.len()).collect();
    let mut kind = unify(call, &all, "the arguments")?;
    if kind == KqlType::Dynamic {
        // A dynamic value is read as the type of the others (`max_of(x.n, 0)`).
        kind = call
            .args
            .iter()
            .map(Val::kind)
            .find(|k| *k != KqlType::Dynamic)
            .unwrap_or(KqlType::Real);
        if kind == KqlType::Int || kind == KqlType::Long {
            kind = KqlType::Real;
        }
    }
    if !matches!(
        kind,
        KqlType::Int
            | KqlType::Long
            | KqlType::Real
            | KqlType::Decimal
            | KqlType::Datetime
            | KqlType::Timespan
            | KqlType::String
            | KqlType::Bool
    ) {
        return Err(call.type_error(0, "a number, datetime, timespan, string or bool"));
    }
    call.rowwise(kind, |args| {
        let mut best: Option<Scalar> = None;
        for a in args {
            let v = coerce(a, kind);
            if v.is_null() || (kind == KqlType::Real && matches!(v, Scalar::Real(x) if x.is_nan()))
            {
                continue;
            }
            best = match best {
                Some(b) if compare(&v, &b) != Some(want) => Some(b),
                _ => Some(v),
            };
        }
        Ok(best.unwrap_or(Scalar::Null(kind)))
    })
}

fn max_of(call: &Call) -> Result<Val, QueryError> {
    extreme(call, Ordering::Greater)
}

fn min_of(call: &Call) -> Result<Val, QueryError> {
    extreme(call, Ordering::Less)
}
