//! Checks on values: `around` (is a value within a distance of a center),
//! `assert` (stop the query when a condition fails) and
//! `estimate_data_size` (the bytes a row's values take).

use super::convert::{as_real, expect};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions of this family, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "around",
        min_args: 3,
        max_args: 3,
        eval: around,
    },
    ScalarFunction {
        name: "assert",
        min_args: 2,
        max_args: 2,
        eval: assert,
    },
    ScalarFunction {
        name: "estimate_data_size",
        min_args: 1,
        max_args: usize::MAX,
        eval: estimate_data_size,
    },
];

fn is_time(k: KqlType) -> bool {
    matches!(k, KqlType::Datetime | KqlType::Timespan)
}

/// `around(value, center, delta)`: whether value lies in
/// [center - delta, center + delta], bounds included; null if any is
/// null. Numbers go with numbers, datetimes and timespans with each other
/// (a datetime around a datetime within a timespan).
fn around(call: &Call) -> Result<Val, QueryError> {
    let accepted = |k: KqlType| k.is_numeric() || is_time(k);
    for i in 0..3 {
        expect(call, i, accepted, "a number, datetime or timespan")?;
    }
    let timed = is_time(call.args[0].kind());
    for i in 1..3 {
        let k = call.args[i].kind();
        if k != KqlType::Dynamic && is_time(k) != timed {
            let expected = if timed {
                "a datetime or timespan, as the value is"
            } else {
                "a number, as the value is"
            };
            return Err(call.type_error(i, expected));
        }
    }
    call.rowwise(KqlType::Bool, |a| {
        if a.iter().any(Scalar::is_null) {
            return Ok(Scalar::Null(KqlType::Bool));
        }
        let inside = if timed {
            // Nanoseconds; i128 so center ± delta cannot overflow.
            let nanos = |s: &Scalar| match s {
                Scalar::Datetime(t) | Scalar::Timespan(t) => Some(i128::from(*t)),
                _ => None,
            };
            match (nanos(&a[0]), nanos(&a[1]), nanos(&a[2])) {
                (Some(v), Some(c), Some(d)) => (c - d..=c + d).contains(&v),
                _ => return Ok(Scalar::Null(KqlType::Bool)),
            }
        } else {
            match (as_real(&a[0]), as_real(&a[1]), as_real(&a[2])) {
                (Some(v), Some(c), Some(d)) => v >= c - d && v <= c + d,
                _ => return Ok(Scalar::Null(KqlType::Bool)),
            }
        };
        Ok(Scalar::Bool(inside))
    })
}

/// `assert(condition, message)`: true, or the query stops with the
/// message. Both must be constants (Kusto checks them before it reads any
/// row).
fn assert(call: &Call) -> Result<Val, QueryError> {
    let message = call.constant(1)?;
    let Scalar::String(message) = message else {
        return Err(call.type_error(1, "a string"));
    };
    match call.constant(0)? {
        Scalar::Bool(true) => Ok(Val::Scalar(Scalar::Bool(true))),
        Scalar::Bool(false) => Err(QueryError::type_error(
            format!("assert() has failed with message: '{message}'"),
            call.span,
        )),
        Scalar::Null(KqlType::Bool) => Err(QueryError::type_error(
            "assert() needs a condition that is true or false, not null",
            call.arg_span(0),
        )),
        _ => Err(call.type_error(0, "a bool")),
    }
}

/// `estimate_data_size(columns)` (`*` for all): per row, the bytes of the
/// values: 1 for a bool, 4 for an int, 8 for a long, real, datetime or
/// timespan, 16 for a decimal, the UTF-8 length of a string, the length of a dynamic's JSON
/// text (Kusto's own layout of dynamic values is larger and not
/// documented). A null takes no bytes.
fn estimate_data_size(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Long, |a| {
        let size: usize = a
            .iter()
            .map(|v| match v {
                Scalar::Null(_) => 0,
                Scalar::Bool(_) => 1,
                Scalar::Int(_) => 4,
                Scalar::Long(_) | Scalar::Real(_) | Scalar::Datetime(_) | Scalar::Timespan(_) => 8,
                Scalar::Decimal(_) => 16,
                Scalar::String(s) => s.len(),
                Scalar::Dynamic(j) => j.to_string().len(),
            })
            .sum();
        Ok(Scalar::Long(size as i64))
    })
}
