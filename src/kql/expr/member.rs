//! Member access on dynamic values: `x.prop`, `x["prop"]`, `x[0]`.

use polars::prelude::*;
use serde_json::Value as Json;

use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val, parse_json_bytes};

/// `x.prop`, `x["prop"]`, `x[0]` on dynamic values (negative indexes count
/// from the end). Anything missing is null.
pub fn member(target: &Val, key: &Json, rows: usize) -> Result<Val, QueryError> {
    if let Val::Column(c) = target
        && let Some(text) = crate::data::encode::decode(c)
    {
        return member(&Val::Column(text.into_series()), key, rows);
    }
    fn pick(j: &Json, key: &Json) -> Json {
        match (j, key) {
            (Json::Object(m), Json::String(k)) => m.get(k).cloned().unwrap_or(Json::Null),
            (Json::Array(a), Json::Number(n)) => {
                let i = n.as_i64().unwrap_or(0);
                let i = if i < 0 { a.len() as i64 + i } else { i };
                usize::try_from(i)
                    .ok()
                    .and_then(|i| a.get(i))
                    .cloned()
                    .unwrap_or(Json::Null)
            }
            // A string holding JSON (Defender's AdditionalFields) is looked into.
            (Json::String(s), _) if s.starts_with('{') || s.starts_with('[') => {
                serde_json::from_str::<Json>(s)
                    .map(|j| pick(&j, key))
                    .unwrap_or(Json::Null)
            }
            _ => Json::Null,
        }
    }
    match target {
        Val::Scalar(s) => {
            let j = match s {
                Scalar::Dynamic(j) => j.clone(),
                Scalar::String(t) => Json::String(t.clone()),
                _ => Json::Null,
            };
            Ok(Val::Scalar(Scalar::Dynamic(pick(&j, key))))
        }
        Val::Column(c) => {
            let out: BinaryChunked = match c.dtype() {
                DataType::Binary => c
                    .binary()
                    .map_err(|e| QueryError::runtime(e.to_string(), None))?
                    .iter()
                    .map(|v| {
                        let j = pick(&parse_json_bytes(v?), key);
                        (!j.is_null()).then(|| j.to_string().into_bytes())
                    })
                    .collect(),
                DataType::String => c
                    .str()
                    .map_err(|e| QueryError::runtime(e.to_string(), None))?
                    .iter()
                    .map(|v| {
                        let j = pick(&Json::String(v?.to_string()), key);
                        (!j.is_null()).then(|| j.to_string().into_bytes())
                    })
                    .collect(),
                _ => BinaryChunked::full_null("".into(), rows),
            };
            Ok(Val::Column(out.into_series()))
        }
    }
}
