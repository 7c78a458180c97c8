//! More array functions: `array_iff`, `array_shift_left`/`_right`,
//! `array_rotate_left`/`_right`, `array_split`, `array_sum` and `zip`.
//! (`dynamic` holds the older ones: `array_length`, `array_slice`, ...)
//!
//! Given something other than an array where one is needed, they return
//! null, as Kusto does.

use serde_json::Value as Json;

use super::convert::{as_long, json_of};
use super::series::{array, number};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

macro_rules! f {
    ($name:literal, $min:literal, $max:literal, $eval:expr) => {
        ScalarFunction {
            name: $name,
            min_args: $min,
            max_args: $max,
            eval: $eval,
        }
    };
}

/// The array functions of this family, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    f!("array_iff", 3, 3, array_iff),
    f!("array_iif", 3, 3, array_iff),
    f!("array_shift_left", 2, 3, |c| shift(c, 1)),
    f!("array_shift_right", 2, 3, |c| shift(c, -1)),
    f!("array_rotate_left", 2, 2, |c| rotate(c, 1)),
    f!("array_rotate_right", 2, 2, |c| rotate(c, -1)),
    f!("array_split", 2, 2, array_split),
    f!("array_sum", 1, 1, array_sum),
    f!("zip", 2, 16, zip),
];

fn dynamic(j: Option<Json>) -> Scalar {
    match j {
        Some(j) if !j.is_null() => Scalar::Dynamic(j),
        _ => Scalar::Null(KqlType::Dynamic),
    }
}

/// Element `i` of an operand that is an array, or the operand itself when
/// it is a single value.
fn pick(operand: &Json, i: usize) -> Json {
    match operand {
        Json::Array(a) => a.get(i).cloned().unwrap_or(Json::Null),
        other => other.clone(),
    }
}

/// `array_iff(conditions, when_true, when_false)`: element by element; a
/// number condition is true when not 0; any other condition gives null.
/// The result is as long as the conditions.
fn array_iff(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(cond) = array(&a[0]) else {
            return Ok(dynamic(None));
        };
        let (yes, no) = (json_of(&a[1]), json_of(&a[2]));
        let out = cond
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let truth = match c {
                    Json::Bool(b) => Some(*b),
                    Json::Number(_) => number(c).map(|x| x != 0.0),
                    _ => None,
                };
                match truth {
                    Some(true) => pick(&yes, i),
                    Some(false) => pick(&no, i),
                    None => Json::Null,
                }
            })
            .collect();
        Ok(Scalar::Dynamic(Json::Array(out)))
    })
}

/// `array_shift_left(a, n[, fill])` (direction 1) and `_right` (-1):
/// elements move n places; the places left empty take `fill` (null by
/// default). A negative n shifts the other way.
fn shift(call: &Call, direction: i64) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let (Some(v), Some(n)) = (array(&a[0]), as_long(&a[1])) else {
            return Ok(dynamic(None));
        };
        let fill = a.get(2).map_or(Json::Null, Scalar::to_json);
        let len = v.len() as i64;
        let by = n.saturating_mul(direction);
        let out = (0..len)
            .map(|i| {
                let from = i.saturating_add(by);
                if (0..len).contains(&from) {
                    v[from as usize].clone()
                } else {
                    fill.clone()
                }
            })
            .collect();
        Ok(Scalar::Dynamic(Json::Array(out)))
    })
}

/// `array_rotate_left(a, n)` (direction 1) and `_right` (-1).
fn rotate(call: &Call, direction: i64) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let (Some(mut v), Some(n)) = (array(&a[0]), as_long(&a[1])) else {
            return Ok(dynamic(None));
        };
        if !v.is_empty() {
            let by = (n.saturating_mul(direction)).rem_euclid(v.len() as i64) as usize;
            v.rotate_left(by);
        }
        Ok(Scalar::Dynamic(Json::Array(v)))
    })
}

/// `array_split(a, index)`: the pieces of the array cut before each
/// index (one number or an array of them; negative ones count from the
/// end; each clamped to the array).
fn array_split(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(v) = array(&a[0]) else {
            return Ok(dynamic(None));
        };
        let cuts: Vec<i64> = match json_of(&a[1]) {
            Json::Array(items) => items.iter().filter_map(Json::as_i64).collect(),
            other => match other.as_i64() {
                Some(i) => vec![i],
                None => return Ok(dynamic(None)),
            },
        };
        let len = v.len() as i64;
        let mut pieces = Vec::with_capacity(cuts.len() + 1);
        let mut from = 0usize;
        for c in cuts {
            let at = if c < 0 { len + c } else { c }.clamp(0, len) as usize;
            let at = at.max(from);
            pieces.push(Json::Array(v[from..at].to_vec()));
            from = at;
        }
        pieces.push(Json::Array(v[from..].to_vec()));
        Ok(Scalar::Dynamic(Json::Array(pieces)))
    })
}

/// `array_sum(a)`: the sum of the numbers, a real; null when an element
/// is not a number.
fn array_sum(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        let Some(v) = array(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Real));
        };
        let nums: Option<Vec<f64>> = v.iter().map(number).collect();
        Ok(nums.map_or(Scalar::Null(KqlType::Real), |n| {
            Scalar::Real(n.iter().sum())
        }))
    })
}

/// `zip(a1, a2, ...)`: an array of arrays, the i-th holding the i-th
/// element of each (null past the end of a shorter one).
fn zip(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let arrays: Option<Vec<Vec<Json>>> = a.iter().map(array).collect();
        let Some(arrays) = arrays else {
            return Ok(dynamic(None));
        };
        let n = arrays.iter().map(Vec::len).max().unwrap_or(0);
        let out = (0..n)
            .map(|i| {
                Json::Array(
                    arrays
                        .iter()
                        .map(|v| v.get(i).cloned().unwrap_or(Json::Null))
                        .collect(),
                )
            })
            .collect();
        Ok(Scalar::Dynamic(Json::Array(out)))
    })
}
