//! Array functions: `array_length`, `array_concat`, `array_slice`,
//! `array_index_of`, `array_reverse`, `pack_array`, `strcat_array`,
//! `range` and `repeat`.

use serde_json::Value as Json;

use super::{array_of, json_eq, null_dynamic};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_long, as_real, expect_integer};
use crate::kql::value::{Scalar, Val, json_to_text};

/// `array_length(a)`: null when not an array.
pub(super) fn array_length(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Long, |a| {
        Ok(array_of(&a[0]).map_or(
            Scalar::Null(KqlType::Long),
            |v| Scalar::Long(v.len() as i64),
        ))
    })
}

/// `array_concat(a, b, ...)`: null if any argument is not an array.
pub(super) fn array_concat(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let mut out = Vec::new();
        for s in a {
            match array_of(s) {
                Some(v) => out.extend(v),
                None => return Ok(null_dynamic()),
            }
        }
        Ok(Scalar::Dynamic(Json::Array(out)))
    })
}

/// `array_slice(a, start, end)`: both ends inclusive, negatives count from
/// the end, out-of-range ends are clamped.
pub(super) fn array_slice(call: &Call) -> Result<Val, QueryError> {
    expect_integer(call, 1)?;
    expect_integer(call, 2)?;
    call.rowwise(KqlType::Dynamic, |a| {
        let (Some(arr), Some(start), Some(end)) = (array_of(&a[0]), as_long(&a[1]), as_long(&a[2]))
        else {
            return Ok(null_dynamic());
        };
        let n = arr.len() as i64;
        let fix = |i: i64| if i < 0 { n + i } else { i };
        let (start, end) = (fix(start).max(0), fix(end).min(n - 1));
        let out = if start > end || start >= n {
            Vec::new()
        } else {
            arr[start as usize..=end as usize].to_vec()
        };
        Ok(Scalar::Dynamic(Json::Array(out)))
    })
}

/// `array_index_of(a, value[, start[, length[, occurrence]]])`: -1 when
/// absent; null for a length below -1 or an occurrence below 1.
pub(super) fn array_index_of(call: &Call) -> Result<Val, QueryError> {
    for i in 2..call.args.len() {
        expect_integer(call, i)?;
    }
    call.rowwise(KqlType::Long, |a| {
        let Some(arr) = array_of(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        let needle = a[1].to_json();
        let Some(wanted) = crate::kql::functions::Occurrence::of(a) else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        let at = wanted.position(arr.len() as i64, false, |from, end| {
            (from..end).find(|&i| arr.get(i as usize).is_some_and(|v| json_eq(v, &needle)))
        });
        Ok(Scalar::Long(at))
    })
}

pub(super) fn array_reverse(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(array_of(&a[0]).map_or(null_dynamic(), |mut v| {
            v.reverse();
            Scalar::Dynamic(Json::Array(v))
        }))
    })
}

/// `pack_array(v1, v2, ...)`.
pub(super) fn pack_array(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(Scalar::Dynamic(Json::Array(
            a.iter().map(Scalar::to_json).collect(),
        )))
    })
}

/// `strcat_array(a, delimiter)`: each element's text, joined; "" when not
/// an array.
pub(super) fn strcat_array(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let delim = a[1].to_text();
        Ok(Scalar::String(
            array_of(&a[0])
                .map(|v| {
                    v.iter()
                        .map(json_to_text)
                        .collect::<Vec<_>>()
                        .join(delim.as_ref())
                })
                .unwrap_or_default(),
        ))
    })
}
/// The most elements `range()` produces (documented: 2^20).
const RANGE_MAX: usize = 1 << 20;

/// `range(start, stop[, step])`: `start, start + step, ...` up to and
/// including `stop`, as a dynamic array; the step defaults to 1 for numbers
/// and 1h for datetimes and timespans; a negative step counts down. A zero
/// step, or arguments of mismatched types, give null.
pub(super) fn range(call: &Call) -> Result<Val, QueryError> {
    const HOUR: i64 = 3_600_000_000_000;
    call.rowwise(KqlType::Dynamic, |a| {
        let step = a.get(2);
        let mut out = Vec::new();
        match (&a[0], &a[1]) {
            (Scalar::Datetime(s), Scalar::Datetime(e))
            | (Scalar::Timespan(s), Scalar::Timespan(e)) => {
                let datetime = matches!(a[0], Scalar::Datetime(_));
                let step = match step {
                    None => HOUR,
                    Some(Scalar::Timespan(t)) => *t,
                    Some(other) => match as_long(other) {
                        Some(n) => n,
                        None => return Ok(null_dynamic()),
                    },
                };
                if step == 0 {
                    return Ok(null_dynamic());
                }
                let mut v = *s;
                while out.len() < RANGE_MAX && if step > 0 { v <= *e } else { v >= *e } {
                    out.push(if datetime {
                        Scalar::Datetime(v).to_json()
                    } else {
                        Scalar::Timespan(v).to_json()
                    });
                    match v.checked_add(step) {
                        Some(n) => v = n,
                        None => break,
                    }
                }
            }
            (s, e) => {
                let integral = |x: &Scalar| matches!(x, Scalar::Int(_) | Scalar::Long(_));
                let all_integral = integral(s) && integral(e) && step.is_none_or(integral);
                if all_integral {
                    let (Some(s), Some(e)) = (as_long(s), as_long(e)) else {
                        return Ok(null_dynamic());
                    };
                    let step = step.and_then(as_long).unwrap_or(1);
                    if step == 0 {
                        return Ok(null_dynamic());
                    }
                    let mut v = s;
                    while out.len() < RANGE_MAX && if step > 0 { v <= e } else { v >= e } {
                        out.push(Json::from(v));
                        match v.checked_add(step) {
                            Some(n) => v = n,
                            None => break,
                        }
                    }
                } else {
                    let (Some(s), Some(e)) = (as_real(s), as_real(e)) else {
                        return Ok(null_dynamic());
                    };
                    let step = step.map_or(Some(1.0), as_real).unwrap_or(f64::NAN);
                    if step == 0.0 || !step.is_finite() || !s.is_finite() || !e.is_finite() {
                        return Ok(null_dynamic());
                    }
                    let mut i = 0.0;
                    loop {
                        let v = s + i * step;
                        if out.len() >= RANGE_MAX || if step > 0.0 { v > e } else { v < e } {
                            break;
                        }
                        out.push(Scalar::Real(v).to_json());
                        i += 1.0;
                    }
                }
            }
        }
        Ok(Scalar::Dynamic(Json::Array(out)))
    })
}

/// The most elements `repeat()` makes: `range()`'s limit. A count beyond
/// it is refused with this limit named, rather than filling the memory.
const REPEAT_MAX: i64 = RANGE_MAX as i64;

/// `repeat(value, count)`: an array of `count` copies of `value`; empty for
/// 0, null for a negative or null count.
pub(super) fn repeat(call: &Call) -> Result<Val, QueryError> {
    expect_integer(call, 1)?;
    let too_many = |n: i64| {
        QueryError::type_error(
            format!("repeat() makes at most {REPEAT_MAX} elements, not {n}"),
            call.arg_span(1),
        )
    };
    if let Val::Scalar(s) = &call.args[1]
        && let Some(n) = as_long(s)
        && n > REPEAT_MAX
    {
        return Err(too_many(n));
    }
    call.rowwise(KqlType::Dynamic, |a| {
        let count = match as_long(&a[1]) {
            Some(n) if n < 0 => return Ok(null_dynamic()),
            Some(n) if n > REPEAT_MAX => return Err(too_many(n)),
            Some(n) => n as usize,
            None => return Ok(null_dynamic()),
        };
        let element = a[0].to_json();
        Ok(Scalar::Dynamic(Json::Array(vec![element; count])))
    })
}
