//! `extract_json` (and the older `extractjson`): the element at a JSONPath
//! of JSON text; `treepath`: the paths into a dynamic value.

use std::collections::HashSet;

use serde_json::Value as Json;

use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::value::{Scalar, Val, json_to_text};

/// The steps of a JSONPath as `extract_json` takes it: `$`, then `.name`,
/// `['name']` or `[n]`, any number of times.
pub(crate) fn json_steps(path: &str) -> Option<Vec<Json>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            steps.push(Json::String(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            let quoted = inner
                .strip_prefix('\'')
                .and_then(|q| q.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|q| q.strip_suffix('"')));
            steps.push(match quoted {
                Some(name) => Json::String(name.to_string()),
                None => Json::from(inner.parse::<i64>().ok()?),
            });
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// `extract_json(path, text[, typeof(t)])` (and the older `extractjson`):
/// the element at a JSONPath of JSON text, as text unless a type is asked
/// for; "" (or null) when the text is not JSON or has nothing there.
pub(super) fn extract_json(call: &Call) -> Result<Val, QueryError> {
    let to = crate::kql::functions::strings::type_argument(call, 2)?;
    let kind = to.unwrap_or(KqlType::String);
    let steps = |p: &Scalar| -> Result<Vec<Json>, QueryError> {
        let text = p.to_text();
        json_steps(&text).ok_or_else(|| {
            QueryError::type_error(
                format!("'{text}' is not a JSON path such as $.a.b or $['a'][0]"),
                call.arg_span(0),
            )
        })
    };
    let constant = match &call.args[0] {
        Val::Scalar(p) => Some(steps(p)?),
        Val::Column(_) => None,
    };
    call.rowwise(kind, |a| {
        let path = match &constant {
            Some(s) => s.clone(),
            None => steps(&a[0])?,
        };
        let mut value = match &a[1] {
            Scalar::Dynamic(j) => j.clone(),
            other => serde_json::from_str(&other.to_text()).unwrap_or(Json::Null),
        };
        for step in &path {
            value = match (value, step) {
                (Json::Object(mut m), Json::String(k)) => m.remove(k).unwrap_or(Json::Null),
                (Json::Array(mut v), Json::Number(n)) => {
                    let i = n.as_i64().and_then(|i| usize::try_from(i).ok());
                    match i {
                        Some(i) if i < v.len() => v.swap_remove(i),
                        _ => Json::Null,
                    }
                }
                _ => Json::Null,
            };
        }
        Ok(match kind {
            KqlType::String if value.is_null() => Scalar::String(String::new()),
            KqlType::String => Scalar::String(json_to_text(&value)),
            KqlType::Dynamic => Scalar::Dynamic(value),
            k if value.is_null() => Scalar::Null(k),
            k => crate::kql::functions::convert::coerce(&crate::kql::expr::json_scalar(&value), k),
        })
    })
}

/// A bag key as a path step: `['name']`, with `\` and `'` escaped.
fn key_step(key: &str) -> String {
    let escaped = key.replace('\\', "\\\\").replace('\'', "\\'");
    format!("['{escaped}']")
}

/// Adds the paths under `node` (reached by `path`) to `out`, each once,
/// in the order first met: a bag's keys one by one, an array's elements
/// all as `[0]` (a path names a shape, not one element).
fn tree_paths(node: &Json, path: &str, out: &mut Vec<String>, seen: &mut HashSet<String>) {
    let mut add = |p: String, child: &Json, out: &mut Vec<String>| {
        if seen.insert(p.clone()) {
            out.push(p.clone());
        }
        tree_paths(child, &p, out, seen);
    };
    match node {
        Json::Object(m) => {
            for (k, v) in m {
                add(format!("{path}{}", key_step(k)), v, out);
            }
        }
        Json::Array(items) => {
            for v in items {
                add(format!("{path}[0]"), v, out);
            }
        }
        _ => {}
    }
}

/// `treepath(object)`: every path expression into a bag (`['a']`,
/// `['a'][0]`, `['a'][0]['x']`), as the documentation enumerates them;
/// null when the value is not a bag or an array.
pub(super) fn treepath(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let node = crate::kql::functions::convert::json_of(&a[0]);
        if !(node.is_object() || node.is_array()) {
            return Ok(Scalar::Null(KqlType::Dynamic));
        }
        let mut out = Vec::new();
        tree_paths(&node, "", &mut out, &mut HashSet::new());
        Ok(Scalar::Dynamic(Json::Array(
            out.into_iter().map(Json::String).collect(),
        )))
    })
}
