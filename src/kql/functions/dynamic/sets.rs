//! Set functions over arrays: `set_has_element`, `set_union`,
//! `set_intersect`, `set_difference` (distinct values, in order of first
//! appearance).

use std::collections::HashSet;

use serde_json::Value as Json;

use super::{array_of, json_eq, json_key, null_dynamic};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::value::{Scalar, Val};

/// `set_has_element(a, value)`.
pub(super) fn set_has_element(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| {
        let needle = a[1].to_json();
        Ok(array_of(&a[0]).map_or(Scalar::Null(KqlType::Bool), |v| {
            Scalar::Bool(v.iter().any(|x| json_eq(x, &needle)))
        }))
    })
}

/// The arrays of a set function's arguments; `None` if one is not an array.
fn arrays(a: &[Scalar]) -> Option<Vec<Vec<Json>>> {
    a.iter().map(array_of).collect()
}

/// Distinct values of `values`, in order of first appearance, kept when
/// `keep(key)` holds.
fn distinct(values: impl IntoIterator<Item = Json>, keep: impl Fn(&str) -> bool) -> Json {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for v in values {
        let k = json_key(&v);
        if keep(&k) && seen.insert(k) {
            out.push(v);
        }
    }
    Json::Array(out)
}

fn key_set(values: &[Json]) -> HashSet<String> {
    values.iter().map(json_key).collect()
}

/// `set_union(a, b, ...)`: distinct values of all.
pub(super) fn set_union(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(arrays(a).map_or(null_dynamic(), |all| {
            Scalar::Dynamic(distinct(all.into_iter().flatten(), |_| true))
        }))
    })
}

/// `set_intersect(a, b, ...)`: distinct values in every array.
pub(super) fn set_intersect(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(mut all) = arrays(a) else {
            return Ok(null_dynamic());
        };
        let others: Vec<HashSet<String>> = all[1..].iter().map(|v| key_set(v)).collect();
        let first = std::mem::take(&mut all[0]);
        Ok(Scalar::Dynamic(distinct(first, |k| {
            others.iter().all(|o| o.contains(k))
        })))
    })
}

/// `set_difference(a, b, ...)`: distinct values of the first array that are
/// in none of the others.
pub(super) fn set_difference(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(mut all) = arrays(a) else {
            return Ok(null_dynamic());
        };
        let others: Vec<HashSet<String>> = all[1..].iter().map(|v| key_set(v)).collect();
        let first = std::mem::take(&mut all[0]);
        Ok(Scalar::Dynamic(distinct(first, |k| {
            others.iter().all(|o| !o.contains(k))
        })))
    })
}
