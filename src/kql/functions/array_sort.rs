//! `array_sort_asc(array1 [, array2, ...] [, nulls_last])` and
//! `array_sort_desc`: the first array sorted, and every other array put in
//! the same new order.
//!
//! Elements sort by kind (numbers, then strings, then bools, then the
//! rest), within a kind by value; nulls go last unless `nulls_last` is
//! false. The sort is stable. With one array the result is the sorted
//! array; with several it is an array of the sorted arrays, which
//! `extend`, `project` and `print` spread over one column per array (named
//! after it: `array1_sorted`), and `[i]` picks one of. An array whose
//! length differs from the first's gives null.

use std::cmp::Ordering;

use serde_json::Value as Json;

use super::convert::{as_bool, expect, expect_bool, json_of};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The sorting functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "array_sort_asc",
        min_args: 1,
        max_args: 64,
        eval: array_sort_asc,
    },
    ScalarFunction {
        name: "array_sort_desc",
        min_args: 1,
        max_args: 64,
        eval: array_sort_desc,
    },
];

/// How many of a call's arguments are arrays: all but a last bool.
pub fn array_count(kinds: &[KqlType]) -> usize {
    match kinds.last() {
        Some(KqlType::Bool) => kinds.len() - 1,
        _ => kinds.len(),
    }
}

/// Sort rank of a JSON value: numbers, then strings, then everything else;
/// nulls are placed separately.
fn rank(j: &Json) -> u8 {
    match j {
        Json::Number(_) => 0,
        Json::String(_) => 1,
        Json::Bool(_) => 2,
        _ => 3,
    }
}

fn json_order(a: &Json, b: &Json) -> Ordering {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x
            .as_f64()
            .unwrap_or(f64::NAN)
            .partial_cmp(&y.as_f64().unwrap_or(f64::NAN))
            .unwrap_or(Ordering::Equal),
        (Json::String(x), Json::String(y)) => x.cmp(y),
        (Json::Bool(x), Json::Bool(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// The positions of an array's elements in sorted order.
fn sorted_positions(arr: &[Json], descending: bool, nulls_last: bool) -> Vec<usize> {
    let (nulls, mut values): (Vec<usize>, Vec<usize>) =
        (0..arr.len()).partition(|&i| arr[i].is_null());
    values.sort_by(|&i, &j| {
        let (x, y) = (&arr[i], &arr[j]);
        let o = rank(x).cmp(&rank(y)).then_with(|| json_order(x, y));
        if descending && rank(x) == rank(y) {
            o.reverse()
        } else {
            o
        }
    });
    if nulls_last {
        values.into_iter().chain(nulls).collect()
    } else {
        nulls.into_iter().chain(values).collect()
    }
}

fn array_of(s: &Scalar) -> Option<Vec<Json>> {
    match json_of(s) {
        Json::Array(a) => Some(a),
        _ => None,
    }
}

fn sort_arrays(call: &Call, descending: bool) -> Result<Val, QueryError> {
    let kinds: Vec<KqlType> = call.args.iter().map(Val::kind).collect();
    let arrays = array_count(&kinds);
    if arrays == 0 {
        return Err(call.type_error(0, "a dynamic array"));
    }
    for i in 0..arrays {
        expect(call, i, |_| false, "a dynamic array")?;
    }
    if arrays < call.args.len() {
        expect_bool(call, arrays)?;
    }
    call.rowwise(KqlType::Dynamic, |a| {
        let nulls_last = a.get(arrays).and_then(as_bool).unwrap_or(true);
        let first = array_of(&a[0]);
        let order = first
            .as_ref()
            .map(|f| sorted_positions(f, descending, nulls_last));
        let sorted: Vec<Json> = a[..arrays]
            .iter()
            .map(|s| match (array_of(s), &order) {
                (Some(arr), Some(order)) if arr.len() == order.len() => {
                    Json::Array(order.iter().map(|&i| arr[i].clone()).collect())
                }
                _ => Json::Null,
            })
            .collect();
        Ok(match sorted.len() {
            1 => match sorted.into_iter().next() {
                Some(Json::Null) | None => Scalar::Null(KqlType::Dynamic),
                Some(one) => Scalar::Dynamic(one),
            },
            _ => Scalar::Dynamic(Json::Array(sorted)),
        })
    })
}

fn array_sort_asc(call: &Call) -> Result<Val, QueryError> {
    sort_arrays(call, false)
}

fn array_sort_desc(call: &Call) -> Result<Val, QueryError> {
    sort_arrays(call, true)
}
