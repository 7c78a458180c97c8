//! Dynamic (JSON) functions: `parse_json`/`todynamic`, arrays
//! (`array_length`, `array_concat` (sorting: see [`super::array_sort`]),
//! `array_slice`, `array_index_of`, `array_reverse`, `pack_array`,
//! `strcat_array`), bags (`bag_pack`/`pack`, `bag_keys`, `bag_merge`,
//! `bag_has_key`, `bag_remove_keys`, `bag_set_key`, `bag_zip`), `treepath`,
//! `dynamic_to_json`, `range`, `repeat` and sets (`set_has_element`, `set_union`,
//! `set_intersect`, `set_difference`).
//!
//! A function given something other than an array (or bag) where it needs
//! one returns null, as Kusto does. Text holding a JSON array or bag (a
//! column loaded as string) is read as that JSON.

mod arrays;
mod bags;
mod json_paths;
mod sets;
mod xml;

use polars::prelude::*;
use serde_json::Value as Json;

use super::convert::{column, json_of};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};
use arrays::{
    array_concat, array_index_of, array_length, array_reverse, array_slice, pack_array, range,
    repeat, strcat_array,
};
use bags::{
    bag_has_key, bag_keys, bag_merge, bag_pack, bag_pack_columns, bag_remove_keys, bag_set_key,
    bag_zip, dynamic_to_json,
};
/// JSONPath steps, as `extract_json` reads them (also ingestion mappings).
pub(crate) use json_paths::json_steps;
use json_paths::{extract_json, treepath};
use sets::{set_difference, set_has_element, set_intersect, set_union};
use xml::parse_xml;

/// The dynamic (array, bag and set) functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "parse_json",
        min_args: 1,
        max_args: 1,
        eval: parse_json,
    },
    ScalarFunction {
        name: "parsejson",
        min_args: 1,
        max_args: 1,
        eval: parse_json,
    },
    ScalarFunction {
        name: "parse_xml",
        min_args: 1,
        max_args: 1,
        eval: parse_xml,
    },
    ScalarFunction {
        name: "todynamic",
        min_args: 1,
        max_args: 1,
        eval: parse_json,
    },
    ScalarFunction {
        name: "toobject",
        min_args: 1,
        max_args: 1,
        eval: parse_json,
    },
    ScalarFunction {
        name: "extract_json",
        min_args: 2,
        max_args: 3,
        eval: extract_json,
    },
    ScalarFunction {
        name: "extractjson",
        min_args: 2,
        max_args: 3,
        eval: extract_json,
    },
    ScalarFunction {
        name: "array_length",
        min_args: 1,
        max_args: 1,
        eval: array_length,
    },
    ScalarFunction {
        name: "arraylength",
        min_args: 1,
        max_args: 1,
        eval: array_length,
    },
    ScalarFunction {
        name: "array_concat",
        min_args: 1,
        max_args: 64,
        eval: array_concat,
    },
    ScalarFunction {
        name: "array_slice",
        min_args: 3,
        max_args: 3,
        eval: array_slice,
    },
    ScalarFunction {
        name: "array_index_of",
        min_args: 2,
        max_args: 5,
        eval: array_index_of,
    },
    ScalarFunction {
        name: "array_reverse",
        min_args: 1,
        max_args: 1,
        eval: array_reverse,
    },
    ScalarFunction {
        name: "pack_array",
        min_args: 1,
        max_args: 64,
        eval: pack_array,
    },
    ScalarFunction {
        name: "strcat_array",
        min_args: 2,
        max_args: 2,
        eval: strcat_array,
    },
    ScalarFunction {
        name: "bag_pack_columns",
        min_args: 1,
        max_args: 128,
        eval: bag_pack_columns,
    },
    ScalarFunction {
        name: "bag_pack",
        min_args: 0,
        max_args: 128,
        eval: bag_pack,
    },
    ScalarFunction {
        name: "pack",
        min_args: 0,
        max_args: 128,
        eval: bag_pack,
    },
    ScalarFunction {
        name: "pack_dictionary",
        min_args: 0,
        max_args: 128,
        eval: bag_pack,
    },
    ScalarFunction {
        name: "bag_keys",
        min_args: 1,
        max_args: 1,
        eval: bag_keys,
    },
    ScalarFunction {
        name: "bag_merge",
        min_args: 2,
        max_args: 64,
        eval: bag_merge,
    },
    ScalarFunction {
        name: "bag_has_key",
        min_args: 2,
        max_args: 2,
        eval: bag_has_key,
    },
    ScalarFunction {
        name: "bag_remove_keys",
        min_args: 2,
        max_args: 2,
        eval: bag_remove_keys,
    },
    ScalarFunction {
        name: "bag_set_key",
        min_args: 3,
        max_args: 3,
        eval: bag_set_key,
    },
    ScalarFunction {
        name: "bag_zip",
        min_args: 2,
        max_args: 2,
        eval: bag_zip,
    },
    ScalarFunction {
        name: "treepath",
        min_args: 1,
        max_args: 1,
        eval: treepath,
    },
    ScalarFunction {
        name: "dynamic_to_json",
        min_args: 1,
        max_args: 1,
        eval: dynamic_to_json,
    },
    ScalarFunction {
        name: "range",
        min_args: 2,
        max_args: 3,
        eval: range,
    },
    ScalarFunction {
        name: "repeat",
        min_args: 2,
        max_args: 2,
        eval: repeat,
    },
    ScalarFunction {
        name: "set_has_element",
        min_args: 2,
        max_args: 2,
        eval: set_has_element,
    },
    ScalarFunction {
        name: "set_union",
        min_args: 2,
        max_args: 64,
        eval: set_union,
    },
    ScalarFunction {
        name: "set_intersect",
        min_args: 2,
        max_args: 64,
        eval: set_intersect,
    },
    ScalarFunction {
        name: "set_difference",
        min_args: 2,
        max_args: 64,
        eval: set_difference,
    },
];

fn dynamic(j: Json) -> Scalar {
    if j.is_null() {
        Scalar::Null(KqlType::Dynamic)
    } else {
        Scalar::Dynamic(j)
    }
}

fn null_dynamic() -> Scalar {
    Scalar::Null(KqlType::Dynamic)
}

/// The array in a value, if it holds one.
fn array_of(s: &Scalar) -> Option<Vec<Json>> {
    match json_of(s) {
        Json::Array(a) => Some(a),
        _ => None,
    }
}

/// A key under which equal JSON values collide: numbers by value (1 and
/// 1.0 are one number), everything else by its JSON text.
fn json_key(j: &Json) -> String {
    match j {
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => format!("n{i}"),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => format!("n{}", f as i64),
            (None, Some(f)) => format!("n{f:?}"),
            _ => format!("n{n}"),
        },
        other => other.to_string(),
    }
}

fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(_), Json::Number(_)) => json_key(a) == json_key(b),
        _ => a == b,
    }
}

/// `parse_json(x)`: text is parsed (text that is not JSON stays a string,
/// "" is null); a dynamic value is returned as-is; other values become
/// dynamic.
fn parse_json(call: &Call) -> Result<Val, QueryError> {
    let parse = |t: &str| -> Json {
        if t.trim().is_empty() {
            return Json::Null;
        }
        serde_json::from_str(t).unwrap_or_else(|_| Json::String(t.to_string()))
    };
    if let Val::Column(c) = &call.args[0] {
        match c.dtype() {
            DataType::Binary => return Ok(call.args[0].clone()),
            DataType::String => {
                let text = c
                    .str()
                    .map_err(|e| QueryError::runtime(e.to_string(), Some(call.arg_span(0))))?;
                let out: BinaryChunked = text
                    .iter()
                    .map(|t| {
                        let j = parse(t.unwrap_or(""));
                        (!j.is_null()).then(|| j.to_string().into_bytes())
                    })
                    .collect();
                return Ok(column(out));
            }
            _ => {}
        }
    }
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(match &a[0] {
            Scalar::String(t) => dynamic(parse(t)),
            Scalar::Dynamic(j) => dynamic(j.clone()),
            other => dynamic(other.to_json()),
        })
    })
}
