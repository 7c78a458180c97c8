//! `ingestionMapping`: which part of each record fills which declared
//! column, as Kusto's ingestion mappings say it.
//!
//! - A JSON mapping element has a `Path` (`$`, `$.a.b`, `$['a b']`,
//!   `$.a[0]`; a value not starting with `$` is a constant), or a
//!   `ConstValue`, and optionally a `Transform`. JSON and Parquet records
//!   are read with it.
//! - A CSV mapping element has an `Ordinal` (the 0-based field number) or a
//!   `ConstValue`. Delimited, `txt` and `raw` records are read with it.
//! - `Transform` may be `DateTimeFromUnixSeconds`, `...Milliseconds`,
//!   `...Microseconds`, `...Nanoseconds`, `PropertyBagArrayToDictionary`,
//!   `SourceLocation` (the storage URI) or `SourceLineNumber` (the line the
//!   record starts on).
//!
//! A declared column no element maps is null, as ingestion leaves it.
//! `ingestionMappingReference` names a mapping stored on a cluster, which
//! Quarry does not have.

use serde_json::Value as Json;

use crate::data::types::KqlType;
use crate::kql::ast::Span;
use crate::kql::error::QueryError;
use crate::kql::functions::dynamic::json_steps;
use crate::kql::value::Scalar;

use super::read::{from_json, from_text};

/// Where a mapped column's value comes from.
#[derive(Debug, Clone, PartialEq)]
enum Origin {
    /// JSONPath steps (`$` alone is no step: the whole record).
    Path(Vec<Json>),
    /// A delimited record's field.
    Ordinal(usize),
    Const(String),
    SourceLocation,
    SourceLineNumber,
}

/// A change made to the value found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transform {
    /// Units of a Unix time per second.
    UnixTime(i64),
    BagArrayToDictionary,
}

#[derive(Debug, Clone, PartialEq)]
struct ColumnMapping {
    from: Origin,
    transform: Option<Transform>,
}

/// A parsed `ingestionMapping`, one entry per declared column.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Mapping {
    columns: Vec<Option<ColumnMapping>>,
}

/// What one record offers a mapping.
pub(super) enum Record<'a> {
    Fields(&'a [String]),
    Json(&'a Json),
}

/// The transformations Quarry applies, for the error that lists them.
const TRANSFORMS: &str = "DateTimeFromUnixSeconds, DateTimeFromUnixMilliseconds, \
     DateTimeFromUnixMicroseconds, DateTimeFromUnixNanoseconds, PropertyBagArrayToDictionary, \
     SourceLocation, SourceLineNumber";

/// A property of a mapping element, found whatever its case, inside
/// `Properties` or (the older form) on the element itself.
fn property<'a>(element: &'a serde_json::Map<String, Json>, name: &str) -> Option<&'a Json> {
    fn find<'m>(m: &'m serde_json::Map<String, Json>, name: &str) -> Option<&'m Json> {
        m.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
    let nested = match find(element, "Properties") {
        Some(Json::Object(p)) => find(p, name),
        _ => None,
    };
    nested
        .or_else(|| find(element, name))
        .filter(|v| !v.is_null())
}

/// A property's value as text: mappings write numbers as `"0"` or `0`.
fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Mapping {
    /// Parses the mapping text against the declared columns; `span` is the
    /// property value's place in the query.
    pub(super) fn parse(text_: &str, names: &[&str], span: Span) -> Result<Mapping, QueryError> {
        let fail = |m: String| QueryError::syntax(format!("ingestionMapping: {m}"), span);
        let parsed: Json = serde_json::from_str(text_)
            .map_err(|e| fail(format!("not a JSON array of column mappings ({e})")))?;
        let Json::Array(elements) = parsed else {
            return Err(fail(
                "not a JSON array of column mappings such as [{\"Column\":\"x\",\"Properties\":{\"Path\":\"$.x\"}}]"
                    .into(),
            ));
        };
        let mut columns = vec![None; names.len()];
        for (i, element) in elements.iter().enumerate() {
            let n = i + 1;
            let Json::Object(element) = element else {
                return Err(fail(format!("element {n} is not an object")));
            };
            let column = match property(element, "Column") {
                Some(Json::String(c)) => c.as_str(),
                _ => return Err(fail(format!("element {n} has no \"Column\""))),
            };
            let Some(index) = names.iter().position(|c| *c == column) else {
                return Err(fail(format!(
                    "element {n} maps column '{column}', which is not declared (the columns: {})",
                    names.join(", ")
                )));
            };
            let transform = match property(element, "Transform").map(text) {
                None => None,
                Some(t) => Some(transform(&t).ok_or_else(|| {
                    fail(format!(
                        "element {n} (column '{column}'): transform '{t}' is not one Quarry applies ({TRANSFORMS})"
                    ))
                })?),
            };
            let (from, transform) = match transform {
                Some(Err(constant)) => (constant, None),
                other => {
                    let from = source(element)
                        .map_err(|m| fail(format!("element {n} (column '{column}'): {m}")))?;
                    (from, other.and_then(Result::ok))
                }
            };
            columns[index] = Some(ColumnMapping { from, transform });
        }
        Ok(Mapping { columns })
    }

    /// Whether any column reads a delimited record's field (a CSV mapping)
    /// or a JSON path (a JSON mapping), for the check against the format.
    pub(super) fn reads_fields(&self) -> bool {
        self.sources().any(|f| matches!(f, Origin::Ordinal(_)))
    }

    pub(super) fn reads_paths(&self) -> bool {
        self.sources().any(|f| matches!(f, Origin::Path(_)))
    }

    fn sources(&self) -> impl Iterator<Item = &Origin> {
        self.columns.iter().flatten().map(|c| &c.from)
    }

    /// One record's values, one per declared column.
    pub(super) fn row(
        &self,
        record: &Record,
        kinds: &[KqlType],
        source: &str,
        line: usize,
    ) -> Vec<Scalar> {
        self.columns
            .iter()
            .zip(kinds)
            .map(|(mapping, kind)| match mapping {
                None => Scalar::Null(*kind),
                Some(m) => m.value(record, *kind, source, line),
            })
            .collect()
    }
}

/// A transform by name: `Ok` for one that changes a found value, `Err`
/// for one that is itself the value.
fn transform(name: &str) -> Option<Result<Transform, Origin>> {
    let lower = name.to_ascii_lowercase();
    Some(match lower.as_str() {
        "datetimefromunixseconds" => Ok(Transform::UnixTime(1)),
        "datetimefromunixmilliseconds" => Ok(Transform::UnixTime(1_000)),
        "datetimefromunixmicroseconds" => Ok(Transform::UnixTime(1_000_000)),
        "datetimefromunixnanoseconds" => Ok(Transform::UnixTime(1_000_000_000)),
        "propertybagarraytodictionary" => Ok(Transform::BagArrayToDictionary),
        "sourcelocation" => Err(Origin::SourceLocation),
        "sourcelinenumber" => Err(Origin::SourceLineNumber),
        _ => return None,
    })
}

/// Where an element takes its value: `Path`, `Ordinal` or `ConstValue`.
fn source(element: &serde_json::Map<String, Json>) -> Result<Origin, String> {
    if let Some(v) = property(element, "ConstValue") {
        return Ok(Origin::Const(text(v)));
    }
    if let Some(v) = property(element, "Path") {
        let path = text(v);
        if !path.trim_start().starts_with('$') {
            return Ok(Origin::Const(path));
        }
        return json_steps(&path)
            .map(Origin::Path)
            .ok_or_else(|| format!("'{path}' is not a JSON path such as $.a.b, $['a'] or $.a[0]"));
    }
    if let Some(v) = property(element, "Ordinal") {
        let t = text(v);
        return t
            .trim()
            .parse::<usize>()
            .map(Origin::Ordinal)
            .map_err(|_| format!("Ordinal '{t}' is not a field number (0, 1, ...)"));
    }
    Err("it needs a Path (JSON), an Ordinal (CSV), a ConstValue or a Transform".into())
}

impl ColumnMapping {
    fn value(&self, record: &Record, kind: KqlType, source: &str, line: usize) -> Scalar {
        let found = match (&self.from, record) {
            (Origin::Const(c), _) => return from_text(c, kind),
            (Origin::SourceLocation, _) => return from_text(source, kind),
            (Origin::SourceLineNumber, _) => {
                let n = i64::try_from(line).unwrap_or(i64::MAX);
                return crate::kql::functions::convert::coerce(&Scalar::Long(n), kind);
            }
            (Origin::Ordinal(i), Record::Fields(fields)) => match fields.get(*i) {
                Some(f) => Json::String(f.clone()),
                None => Json::Null,
            },
            (Origin::Path(steps), Record::Json(j)) => at_path(j, steps),
            // Mixed kinds are refused before reading (see `reads_fields`).
            _ => Json::Null,
        };
        match self.transform {
            None => match (&found, record) {
                (Json::String(s), Record::Fields(_)) => from_text(s, kind),
                _ => from_json(&found, kind),
            },
            Some(Transform::UnixTime(per_second)) => {
                let ns = unix_time(&found, per_second);
                let v = ns.map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime);
                crate::kql::functions::convert::coerce(&v, kind)
            }
            Some(Transform::BagArrayToDictionary) => from_json(&dictionary(found), kind),
        }
    }
}

fn at_path(record: &Json, steps: &[Json]) -> Json {
    let mut node = record;
    for step in steps {
        let next = match (node, step) {
            (Json::Object(m), Json::String(k)) => m.get(k),
            (Json::Array(items), Json::Number(n)) => n
                .as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return Json::Null,
        }
    }
    node.clone()
}

/// A Unix time (a number, or text of one) in `per_second` units as
/// nanoseconds since the epoch.
fn unix_time(v: &Json, per_second: i64) -> Option<i64> {
    let scale = 1_000_000_000 / per_second;
    let as_number = match v {
        Json::Number(n) => Some(n.clone()),
        Json::String(s) => serde_json::from_str::<serde_json::Number>(s.trim()).ok(),
        _ => None,
    }?;
    if let Some(i) = as_number.as_i64() {
        return i.checked_mul(scale);
    }
    let ns = as_number.as_f64()? * scale as f64;
    (ns.is_finite() && ns.abs() < 9.2e18).then_some(ns.round() as i64)
}

/// `[{"a":1},{"b":2}]` as `{"a":1,"b":2}` (a later key wins); anything but
/// an array of bags is null.
fn dictionary(v: Json) -> Json {
    let Json::Array(items) = v else {
        return Json::Null;
    };
    let mut out = serde_json::Map::new();
    for item in items {
        match item {
            Json::Object(m) => out.extend(m),
            _ => return Json::Null,
        }
    }
    Json::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span() -> Span {
        Span { start: 0, end: 1 }
    }

    #[test]
    fn json_mapping_reads_paths_constants_and_transforms() {
        let names = ["t", "who", "first", "bag", "k", "src", "line"];
        let kinds = [
            KqlType::Datetime,
            KqlType::String,
            KqlType::Long,
            KqlType::Dynamic,
            KqlType::String,
            KqlType::String,
            KqlType::Long,
        ];
        let m = Mapping::parse(
            r#"[{"Column":"t","Properties":{"Path":"$.ts","Transform":"DateTimeFromUnixMilliseconds"}},
                {"column":"who","properties":{"path":"$['user name'].id"}},
                {"Column":"first","Properties":{"Path":"$.n[1]"}},
                {"Column":"bag","Properties":{"Path":"$.kv","Transform":"PropertyBagArrayToDictionary"}},
                {"Column":"k","Properties":{"ConstValue":"feed"}},
                {"Column":"src","Properties":{"Transform":"SourceLocation"}},
                {"Column":"line","Properties":{"Transform":"SourceLineNumber"}}]"#,
            &names,
            span(),
        )
        .unwrap();
        assert!(m.reads_paths() && !m.reads_fields());
        let record: Json = serde_json::from_str(
            r#"{"ts":1700000000123,"user name":{"id":"u1"},"n":[5,6],"kv":[{"a":1},{"b":"x"}]}"#,
        )
        .unwrap();
        let row = m.row(&Record::Json(&record), &kinds, "https://h/f.json", 3);
        assert_eq!(
            row,
            vec![
                Scalar::Datetime(1_700_000_000_123_000_000),
                Scalar::String("u1".into()),
                Scalar::Long(6),
                Scalar::Dynamic(serde_json::json!({"a":1,"b":"x"})),
                Scalar::String("feed".into()),
                Scalar::String("https://h/f.json".into()),
                Scalar::Long(3),
            ]
        );
    }

    #[test]
    fn csv_mapping_reads_ordinals() {
        let names = ["a", "b", "c"];
        let kinds = [KqlType::Long, KqlType::String, KqlType::String];
        let m = Mapping::parse(
            r#"[{"Column":"a","Properties":{"Ordinal":"2"}},{"Column":"b","Properties":{"Ordinal":0}}]"#,
            &names,
            span(),
        )
        .unwrap();
        assert!(m.reads_fields());
        let fields = ["x".to_string(), "y".to_string(), "7".to_string()];
        assert_eq!(
            m.row(&Record::Fields(&fields), &kinds, "", 1),
            vec![
                Scalar::Long(7),
                Scalar::String("x".into()),
                Scalar::Null(KqlType::String)
            ]
        );
    }

    #[test]
    fn bad_mappings_say_why() {
        let err = |t: &str| Mapping::parse(t, &["a"], span()).unwrap_err().message;
        assert_eq!(
            err(r#"[{"Column":"b","Properties":{"Path":"$.b"}}]"#),
            "ingestionMapping: element 1 maps column 'b', which is not declared (the columns: a)"
        );
        assert_eq!(
            err(r#"[{"Column":"a","Properties":{"Path":"$.a","Transform":"GetPathElement(1)"}}]"#),
            format!(
                "ingestionMapping: element 1 (column 'a'): transform 'GetPathElement(1)' is not one Quarry applies ({TRANSFORMS})"
            )
        );
        assert_eq!(
            err(r#"[{"Column":"a","Properties":{"Path":"$.a["}}]"#),
            "ingestionMapping: element 1 (column 'a'): '$.a[' is not a JSON path such as $.a.b, $['a'] or $.a[0]"
        );
        assert_eq!(
            err(r#"[{"Column":"a","Properties":{}}]"#),
            "ingestionMapping: element 1 (column 'a'): it needs a Path (JSON), an Ordinal (CSV), a ConstValue or a Transform"
        );
        assert!(err("{").starts_with("ingestionMapping: not a JSON array of column mappings ("));
    }
}
