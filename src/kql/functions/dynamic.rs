//! Dynamic (JSON) functions: `parse_json`/`todynamic`, arrays
//! (`array_length`, `array_concat` (sorting: see [`super::array_sort`]),
//! `array_slice`, `array_index_of`, `array_reverse`, `pack_array`,
//! `strcat_array`), bags (`bag_pack`/`pack`, `bag_keys`, `bag_merge`,
//! `bag_has_key`, `bag_remove_keys`), `dynamic_to_json`, `range` and sets (`set_has_element`, `set_union`,
//! `set_intersect`, `set_difference`).
//!
//! A function given something other than an array (or bag) where it needs
//! one returns null, as Kusto does. Text holding a JSON array or bag (a
//! column loaded as string) is read as that JSON.

use std::collections::HashSet;

use polars::prelude::*;
use serde_json::{Map, Value as Json};

use super::convert::{as_long, as_real, column, expect, expect_integer, json_of};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val, json_to_text};

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

/// `array_length(a)`: null when not an array.
fn array_length(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Long, |a| {
        Ok(array_of(&a[0]).map_or(
            Scalar::Null(KqlType::Long),
            |v| Scalar::Long(v.len() as i64),
        ))
    })
}

/// `array_concat(a, b, ...)`: null if any argument is not an array.
fn array_concat(call: &Call) -> Result<Val, QueryError> {
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
fn array_slice(call: &Call) -> Result<Val, QueryError> {
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
fn array_index_of(call: &Call) -> Result<Val, QueryError> {
    for i in 2..call.args.len() {
        expect_integer(call, i)?;
    }
    call.rowwise(KqlType::Long, |a| {
        let Some(arr) = array_of(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        let needle = a[1].to_json();
        let Some(wanted) = super::Occurrence::of(a) else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        let at = wanted.position(arr.len() as i64, false, |from, end| {
            (from..end).find(|&i| arr.get(i as usize).is_some_and(|v| json_eq(v, &needle)))
        });
        Ok(Scalar::Long(at))
    })
}

fn array_reverse(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(array_of(&a[0]).map_or(null_dynamic(), |mut v| {
            v.reverse();
            Scalar::Dynamic(Json::Array(v))
        }))
    })
}

/// `pack_array(v1, v2, ...)`.
fn pack_array(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(Scalar::Dynamic(Json::Array(
            a.iter().map(Scalar::to_json).collect(),
        )))
    })
}

/// `strcat_array(a, delimiter)`: each element's text, joined; "" when not
/// an array.
fn strcat_array(call: &Call) -> Result<Val, QueryError> {
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

/// `bag_pack(key1, value1, ...)`, alias `pack`.
fn bag_pack(call: &Call) -> Result<Val, QueryError> {
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

/// `parse_xml(xml)`: XML as dynamic, Kusto's way: `<e>text</e>` is
/// `{"e":"text"}`, attributes are `@name`, text beside attributes or
/// elements is `#text`, repeated elements are an array, `<e/>` is null.
/// Invalid XML, or more than 1 MB of it, is null.
fn parse_xml(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let text = a[0].to_text();
        Ok(match xml_to_json(&text) {
            Some(j) => Scalar::Dynamic(j),
            None => Scalar::Null(KqlType::Dynamic),
        })
    })
}

/// An element being read: its attributes, child elements and text.
struct XmlElement {
    name: String,
    attributes: Map<String, Json>,
    children: Map<String, Json>,
    /// Children that occurred more than once (their value is the array).
    repeated: HashSet<String>,
    text: String,
}

impl XmlElement {
    fn new(e: &quick_xml::events::BytesStart<'_>) -> Option<XmlElement> {
        let mut attributes = Map::new();
        for a in e.attributes() {
            let a = a.ok()?;
            let key: &str = a.key.as_ref();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()?;
            attributes.insert(format!("@{key}"), Json::String(value.into_owned()));
        }
        Some(XmlElement {
            name: e.name().as_ref().to_string(),
            attributes,
            children: Map::new(),
            repeated: HashSet::new(),
            text: String::new(),
        })
    }

    fn add_child(&mut self, name: String, value: Json) {
        if self.repeated.contains(&name) {
            if let Some(Json::Array(items)) = self.children.get_mut(&name) {
                items.push(value);
            }
            return;
        }
        match self.children.get_mut(&name) {
            Some(first) => {
                let first = first.take();
                self.children
                    .insert(name.clone(), Json::Array(vec![first, value]));
                self.repeated.insert(name);
            }
            None => {
                self.children.insert(name, value);
            }
        }
    }

    fn finish(self) -> (String, Json) {
        let text = self.text.trim().to_string();
        let children = self.children;
        if self.attributes.is_empty() && children.is_empty() {
            let value = if text.is_empty() {
                Json::Null
            } else {
                Json::String(text)
            };
            return (self.name, value);
        }
        let mut out = self.attributes;
        if !text.is_empty() {
            out.insert("#text".into(), Json::String(text));
        }
        out.extend(children);
        (self.name, Json::Object(out))
    }
}

/// The JSON of an XML document, `None` when it is not well-formed XML.
fn xml_to_json(text: &str) -> Option<Json> {
    use quick_xml::events::Event;
    if text.len() > 1 << 20 {
        return None;
    }
    let mut reader = quick_xml::Reader::from_str(text);
    let mut open: Vec<XmlElement> = Vec::new();
    let mut root: Option<Json> = None;
    let mut close = |element: XmlElement, open: &mut Vec<XmlElement>| -> Option<()> {
        let (name, value) = element.finish();
        match open.last_mut() {
            Some(parent) => parent.add_child(name, value),
            None if root.is_none() => {
                let mut doc = Map::new();
                doc.insert(name, value);
                root = Some(Json::Object(doc));
            }
            // A second root element: not a document.
            None => return None,
        }
        Some(())
    };
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => open.push(XmlElement::new(&e)?),
            Event::Empty(e) => close(XmlElement::new(&e)?, &mut open)?,
            Event::End(_) => {
                let element = open.pop()?;
                close(element, &mut open)?;
            }
            Event::Text(t) => {
                if let Some(e) = open.last_mut() {
                    e.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return None;
                }
            }
            Event::CData(c) => {
                open.last_mut()?.text.push_str(&c);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().ok()? {
                    Some(c) => c,
                    None => match r.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        _ => return None,
                    },
                };
                open.last_mut()?.text.push(resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !open.is_empty() {
        return None;
    }
    root
}

/// `bag_pack_columns(Id, Value)`: a bag of the listed columns, each under
/// its column's name.
fn bag_pack_columns(call: &Call) -> Result<Val, QueryError> {
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
fn bag_keys(call: &Call) -> Result<Val, QueryError> {
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
fn bag_merge(call: &Call) -> Result<Val, QueryError> {
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
fn bag_has_key(call: &Call) -> Result<Val, QueryError> {
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

/// `set_has_element(a, value)`.
fn set_has_element(call: &Call) -> Result<Val, QueryError> {
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
fn set_union(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(arrays(a).map_or(null_dynamic(), |all| {
            Scalar::Dynamic(distinct(all.into_iter().flatten(), |_| true))
        }))
    })
}

/// `set_intersect(a, b, ...)`: distinct values in every array.
fn set_intersect(call: &Call) -> Result<Val, QueryError> {
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
fn set_difference(call: &Call) -> Result<Val, QueryError> {
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
fn bag_remove_keys(call: &Call) -> Result<Val, QueryError> {
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
fn dynamic_to_json(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        Ok(Scalar::String(match &a[0] {
            Scalar::Dynamic(j) => sorted_keys(j).to_string(),
            other => other.to_text().into_owned(),
        }))
    })
}

/// The most elements `range()` produces (documented: 2^20).
const RANGE_MAX: usize = 1 << 20;

/// `range(start, stop[, step])`: `start, start + step, ...` up to and
/// including `stop`, as a dynamic array; the step defaults to 1 for numbers
/// and 1h for datetimes and timespans; a negative step counts down. A zero
/// step, or arguments of mismatched types, give null.
fn range(call: &Call) -> Result<Val, QueryError> {
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

/// The steps of a JSONPath as `extract_json` takes it: `$`, then `.name`,
/// `['name']` or `[n]`, any number of times.
fn json_steps(path: &str) -> Option<Vec<Json>> {
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
fn extract_json(call: &Call) -> Result<Val, QueryError> {
    let to = super::strings::type_argument(call, 2)?;
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
            k => super::convert::coerce(&crate::kql::expr::json_scalar(&value), k),
        })
    })
}
