//! Property-bag functions: `bag_pack`/`pack`, `bag_pack_columns`,
//! `bag_keys`, `bag_merge`, `bag_has_key`, `bag_remove_keys`, `bag_set_key`
//! (keys may be JSONPaths into nested bags), `bag_zip` and `dynamic_to_json`.

use serde_json::{Map, Value as Json};

use super::json_paths::json_steps;
use super::null_dynamic;
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{expect, json_of};
use crate::kql::value::{Scalar, Val};

/// `bag_pack(key1, value1, ...)`, alias `pack`.
pub(super) fn bag_pack(call: &Call) -> Result<Val, QueryError> {
    if !call.args.len().is_multiple_of(2) {
        return Err(QueryError::type_error(
            format!(
                "{}() takes key/value pairs (an even number of arguments)",
                call.name
            ),
            call.span,
        ));
    }
    for i in (0..call.args.len()).step_by(2) {
        expect(call, i, |k| k == KqlType::String, "a string key")?;
    }
    if call.args.is_empty() {
        return Ok(Val::Scalar(Scalar::Dynamic(Json::Object(Map::new()))));
    }
    call.rowwise(KqlType::Dynamic, |a| {
        let mut bag = Map::new();
        for pair in a.chunks(2) {
            bag.insert(pair[0].to_text().into_owned(), pair[1].to_json());
        }
        Ok(Scalar::Dynamic(Json::Object(bag)))
    })
}
/// `bag_pack_columns(Id, Value)`: a bag of the listed columns, each under
/// its column's name.
pub(super) fn bag_pack_columns(call: &Call) -> Result<Val, QueryError> {
    let names = call
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.clone().ok_or_else(|| {
                QueryError::type_error(
                    format!(
                        "bag_pack_columns() packs columns by name; argument {} is not a column",
                        i + 1
                    ),
                    call.arg_span(i),
                )
            })
        })
        .collect::<Result<Vec<String>, QueryError>>()?;
    call.rowwise(KqlType::Dynamic, |a| {
        let bag: Map<String, Json> = names
            .iter()
            .zip(a)
            .map(|(name, v)| (name.clone(), v.to_json()))
            .collect();
        Ok(Scalar::Dynamic(Json::Object(bag)))
    })
}

/// `bag_keys(bag)`: null when not a bag.
pub(super) fn bag_keys(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(match json_of(&a[0]) {
            Json::Object(m) => Scalar::Dynamic(Json::Array(
                m.keys().map(|k| Json::String(k.clone())).collect(),
            )),
            _ => null_dynamic(),
        })
    })
}

/// `bag_merge(b1, b2, ...)`: when a key repeats, the first bag's value is
/// kept; arguments that are not bags are skipped.
pub(super) fn bag_merge(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let mut out = Map::new();
        for s in a {
            if let Json::Object(m) = json_of(s) {
                for (k, v) in m {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Ok(Scalar::Dynamic(Json::Object(out)))
    })
}

/// The keys of a JSONPath key (`$.a.b`, `$['a']['b']`); a plain key is one
/// step.
fn json_path(key: &str) -> Vec<String> {
    if !key.starts_with('$') {
        return vec![key.to_string()];
    }
    json_steps(key)
        .unwrap_or_default()
        .into_iter()
        .map(|step| match step {
            Json::String(name) => name,
            index => index.to_string(),
        })
        .collect()
}

/// `bag_has_key(bag, key)`: the key may be a JSONPath into nested bags.
pub(super) fn bag_has_key(call: &Call) -> Result<Val, QueryError> {
    expect(call, 1, |k| k == KqlType::String, "a string key")?;
    call.rowwise(KqlType::Bool, |a| {
        let mut node = json_of(&a[0]);
        if !node.is_object() {
            return Ok(Scalar::Null(KqlType::Bool));
        }
        for step in json_path(&a[1].to_text()) {
            match node {
                Json::Object(mut m) => match m.remove(&step) {
                    Some(v) => node = v,
                    None => return Ok(Scalar::Bool(false)),
                },
                _ => return Ok(Scalar::Bool(false)),
            }
        }
        Ok(Scalar::Bool(true))
    })
}

/// Removes the key at `path` (a list of nested keys) from `node`.
fn remove_path(node: &mut Json, path: &[String]) {
    let Json::Object(m) = node else {
        return;
    };
    match path {
        [] => {}
        [last] => {
            m.shift_remove(last);
        }
        [first, rest @ ..] => {
            if let Some(child) = m.get_mut(first) {
                remove_path(child, rest);
            }
        }
    }
}

/// `bag_remove_keys(bag, keys)`: keys are first-level names or JSONPaths
/// (`$.a.b`) into nested bags; null when `bag` is not a bag.
pub(super) fn bag_remove_keys(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let mut bag = json_of(&a[0]);
        if !bag.is_object() {
            return Ok(null_dynamic());
        }
        let keys = match json_of(&a[1]) {
            Json::Array(keys) => keys,
            Json::String(k) => vec![Json::String(k)],
            _ => Vec::new(),
        };
        for key in keys {
            if let Json::String(k) = key {
                remove_path(&mut bag, &json_path(&k));
            }
        }
        Ok(Scalar::Dynamic(bag))
    })
}

/// A copy of `j` whose bags have their keys sorted, at every depth.
fn sorted_keys(j: &Json) -> Json {
    match j {
        Json::Object(m) => {
            let mut pairs: Vec<(&String, &Json)> = m.iter().collect();
            pairs.sort_by(|x, y| x.0.cmp(y.0));
            Json::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted_keys(v)))
                    .collect(),
            )
        }
        Json::Array(v) => Json::Array(v.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

/// `dynamic_to_json(x)`: the canonical JSON text of a dynamic value (bag
/// keys sorted by name, at every depth); other values as `tostring()`.
pub(super) fn dynamic_to_json(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        Ok(Scalar::String(match &a[0] {
            Scalar::Dynamic(j) => sorted_keys(j).to_string(),
            other => other.to_text().into_owned(),
        }))
    })
}

/// The nested keys of `bag_set_key`'s key: a JSONPath of names (`$.a.b`,
/// `$['a']['b']`) or one root-level name. `None` for what Kusto does not
/// take there: the root `$` alone, an array index, an empty name.
fn key_path(key: &str) -> Option<Vec<String>> {
    if !key.starts_with('$') {
        return (!key.is_empty()).then(|| vec![key.to_string()]);
    }
    let steps = json_steps(key)?;
    if steps.is_empty() {
        return None;
    }
    steps
        .into_iter()
        .map(|step| match step {
            Json::String(name) if !name.is_empty() => Some(name),
            _ => None,
        })
        .collect()
}

fn bad_key(call: &Call, key: &str) -> QueryError {
    QueryError::type_error(
        format!(
            "bag_set_key() takes a key name or a JSONPath of names such as $.a.b, not '{key}' (no array index, not the root)"
        ),
        call.arg_span(1),
    )
}

/// Sets `value` at `path` in `bag`: missing bags on the way are made, and
/// a value on the way that is not a bag is replaced by one (the key is
/// set whatever was there).
fn set_path(bag: &mut Map<String, Json>, path: &[String], value: Json) {
    match path {
        [] => {}
        [last] => {
            bag.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let child = bag
                .entry(first.clone())
                .or_insert_with(|| Json::Object(Map::new()));
            if !child.is_object() {
                *child = Json::Object(Map::new());
            }
            if let Json::Object(m) = child {
                set_path(m, rest, value);
            }
        }
    }
}

/// `bag_set_key(bag, key, value)`: the bag with `key` (a name, or a
/// JSONPath into nested bags) set to `value`; null when `bag` is not a bag.
pub(super) fn bag_set_key(call: &Call) -> Result<Val, QueryError> {
    expect(call, 1, |k| k == KqlType::String, "a string key")?;
    if let Val::Scalar(k) = &call.args[1] {
        let key = k.to_text();
        if key_path(&key).is_none() {
            return Err(bad_key(call, &key));
        }
    }
    call.rowwise(KqlType::Dynamic, |a| {
        let Json::Object(mut bag) = json_of(&a[0]) else {
            return Ok(null_dynamic());
        };
        let key = a[1].to_text();
        let Some(path) = key_path(&key) else {
            return Err(bad_key(call, &key));
        };
        set_path(&mut bag, &path, a[2].to_json());
        Ok(Scalar::Dynamic(Json::Object(bag)))
    })
}

/// `bag_zip(keys, values)`: a bag of each string key with the value at
/// its position (null past the values' end; every value null when
/// `values` is not an array); keys that are not strings are skipped. Null
/// when `keys` is not an array.
pub(super) fn bag_zip(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Json::Array(keys) = json_of(&a[0]) else {
            return Ok(null_dynamic());
        };
        let values = match json_of(&a[1]) {
            Json::Array(v) => v,
            _ => Vec::new(),
        };
        let mut bag = Map::new();
        for (i, key) in keys.into_iter().enumerate() {
            if let Json::String(k) = key {
                bag.insert(k, values.get(i).cloned().unwrap_or(Json::Null));
            }
        }
        Ok(Scalar::Dynamic(Json::Object(bag)))
    })
}
