//! Defender XDR advanced hunting through Microsoft Graph: `POST
//! {graph}/security/runHuntingQuery` with `{"Query", "Timespan"}`; the
//! answer is `{"schema": [{"name", "type"}], "results": [{column: value}]}`
//! with .NET type names (`DateTime`, `String`, `Int64`, `Double`,
//! `Boolean`, `Object`). Graph's casing of keys varies between versions
//! (`Schema`/`schema`, `Name`/`name`), so every key is read
//! case-insensitively.
//!
//! The answer is read as it streams in: each result object's cells go
//! straight into typed columns.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};

use super::oneapi::get_str;
use super::stream::{Json, Slot, fail, within};
use super::typed::{ColumnIndex, Declared, FrameBuilder, ObjectRow, column};
use super::{Problem, RemoteResult};

/// The most rows advanced hunting returns for one query.
pub const ROW_LIMIT: usize = 100_000;

/// The request body.
pub fn body(query: &str, timespan: Option<&str>) -> Value {
    let mut body = json!({ "Query": query });
    if let Some(t) = timespan {
        body["Timespan"] = Value::from(t);
    }
    body
}

fn bad(m: &str) -> Problem {
    Problem::Bad(m.to_string())
}

/// What the answer held, as it was read.
#[derive(Default)]
struct Read {
    columns: Option<(FrameBuilder, ColumnIndex)>,
    /// Results sent before the schema (not the documented order) wait as
    /// values until it comes.
    early: Option<Vec<Value>>,
    saw_results: bool,
}

/// The result, typed by its schema, with a note when it reached the cap.
pub fn decode(de: &mut Json<'_>, slot: &Slot) -> Result<RemoteResult, serde_json::Error> {
    let mut read = Read::default();
    de.deserialize_map(AnswerVisitor {
        read: &mut read,
        slot,
    })
    .map_err(|e| {
        within(slot, e, || {
            bad("expected a JSON object with \"schema\" and \"results\"")
        })
    })?;
    finish(read).map_err(|p| fail(slot, p))
}

fn finish(read: Read) -> Result<RemoteResult, Problem> {
    let Some((mut builder, _)) = read.columns else {
        return Err(bad("no \"schema\" list in the answer"));
    };
    if !read.saw_results {
        return Err(bad("no \"results\" list in the answer"));
    }
    if let Some(early) = read.early {
        let index = ColumnIndex::new(builder.columns());
        let width = builder.columns().len();
        for (i, row) in early.iter().enumerate() {
            let row = row
                .as_object()
                .ok_or_else(|| Problem::Bad(format!("result {} is not a JSON object", i + 1)))?;
            let mut cells: Vec<Option<&Value>> = vec![None; width];
            for (key, value) in row {
                if let Some(at) = index.find(key)
                    && cells[at].is_none()
                {
                    cells[at] = Some(value);
                }
            }
            builder
                .push_cells(cells.into_iter())
                .map_err(Problem::Bad)?;
        }
    }
    let height = builder.rows();
    let frame = builder.finish().map_err(|e| Problem::Bad(e.to_string()))?;
    let mut notes = Vec::new();
    if height >= ROW_LIMIT {
        notes.push(format!(
            "Defender advanced hunting returns at most {} rows: this result is probably cut; narrow the query",
            crate::text::thousands(ROW_LIMIT as u64)
        ));
    }
    Ok(RemoteResult { frame, notes })
}

fn schema(value: &Value) -> Result<Vec<Declared>, Problem> {
    value
        .as_array()
        .ok_or_else(|| bad("no \"schema\" list in the answer"))?
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.as_object();
            let name = c.and_then(|c| get_str(c, "name"));
            let ty = c.and_then(|c| get_str(c, "type"));
            match (name, ty) {
                (Some(n), Some(t)) => column(n, t),
                _ => Err(format!(
                    "schema entry {} has no \"name\" and \"type\"",
                    i + 1
                )),
            }
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(Problem::Bad)
}

struct AnswerVisitor<'r> {
    read: &'r mut Read,
    slot: &'r Slot,
}

impl<'de> Visitor<'de> for AnswerVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object with \"schema\" and \"results\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let slot = self.slot;
        while let Some(key) = map.next_key::<String>()? {
            if key.eq_ignore_ascii_case("schema") && self.read.columns.is_none() {
                let value: Value = map.next_value()?;
                let declared = schema(&value).map_err(|p| fail(slot, p))?;
                let index = ColumnIndex::new(&declared);
                let builder =
                    FrameBuilder::new(declared).map_err(|m| fail(slot, Problem::Bad(m)))?;
                self.read.columns = Some((builder, index));
            } else if key.eq_ignore_ascii_case("results") && !self.read.saw_results {
                self.read.saw_results = true;
                match self.read.columns.as_mut() {
                    Some((builder, index)) => {
                        map.next_value_seed(Results {
                            builder,
                            index,
                            slot,
                        })
                        .map_err(|e| within(slot, e, || bad("no \"results\" list in the answer")))?
                    }
                    None => match map.next_value()? {
                        Value::Array(rows) => self.read.early = Some(rows),
                        _ => return Err(fail(slot, bad("no \"results\" list in the answer"))),
                    },
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Results<'r> {
    builder: &'r mut FrameBuilder,
    index: &'r ColumnIndex,
    slot: &'r Slot,
}

impl<'de> DeserializeSeed<'de> for Results<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Results<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of results")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let slot = self.slot;
        loop {
            let n = self.builder.rows() + 1;
            let row = ObjectRow {
                builder: &mut *self.builder,
                index: self.index,
                slot,
            };
            let more = seq.next_element_seed(row).map_err(|e| {
                within(slot, e, || {
                    Problem::Bad(format!("result {n} is not a JSON object"))
                })
            })?;
            if more.is_none() {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(answer: &Value) -> Result<RemoteResult, Problem> {
        let text = answer.to_string();
        super::super::stream::read_answer(
            text.as_bytes(),
            "application/json",
            &|e| e.to_string(),
            decode,
        )
    }

    #[test]
    fn keys_in_any_case_and_dotnet_types() {
        let answer = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",
            "Schema": [{"Name": "Timestamp", "Type": "DateTime"}, {"Name": "FileName", "Type": "String"},
                       {"Name": "Size", "Type": "Int64"}, {"Name": "Extra", "Type": "Object"}],
            "Results": [{"timestamp": "2020-08-30T06:38:35.7664356Z", "FileName": "a.exe", "Size": 10,
                         "Extra": {"k": 1}, "@odata.type": "x", "FILENAME": "second.exe"},
                        {"Timestamp": null, "FileName": null}]
        });
        let r = decoded(&answer).unwrap();
        assert_eq!(r.frame.height(), 2);
        let row = crate::session::cells::row_json(&r.frame, 0);
        assert_eq!(
            Value::Object(row),
            json!({"Timestamp": "2020-08-30T06:38:35.7664356Z", "FileName": "a.exe", "Size": 10, "Extra": {"k": 1}})
        );
        let row = crate::session::cells::row_json(&r.frame, 1);
        assert_eq!(
            Value::Object(row),
            json!({"Timestamp": null, "FileName": "", "Size": null, "Extra": null})
        );
        assert_eq!(
            body("DeviceInfo", Some("P1D")),
            json!({"Query": "DeviceInfo", "Timespan": "P1D"})
        );
    }

    #[test]
    fn results_before_the_schema_are_read_too() {
        let answer = json!({
            "results": [{"n": 1}, {"N": 2}],
            "schema": [{"name": "n", "type": "Int32"}]
        });
        let r = decoded(&answer).unwrap();
        let n = r.frame.column("n").unwrap().i32().unwrap();
        assert_eq!((n.get(0), n.get(1)), (Some(1), Some(2)));
    }

    #[test]
    fn an_unknown_type_and_bad_shapes_are_named() {
        let answer = json!({"schema": [{"name": "Shape", "type": "Geography"}], "results": []});
        match decoded(&answer) {
            Err(Problem::Bad(m)) => assert!(
                m.starts_with("column Shape has type 'Geography', which Quarry does not know"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        let bad = |v: Value| match decoded(&v) {
            Err(Problem::Bad(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            bad(json!([])),
            "expected a JSON object with \"schema\" and \"results\""
        );
        assert_eq!(
            bad(json!({"results": []})),
            "no \"schema\" list in the answer"
        );
        assert_eq!(
            bad(json!({"schema": [{"name": "n", "type": "Int32"}]})),
            "no \"results\" list in the answer"
        );
        assert_eq!(
            bad(json!({"schema": [{"name": "n", "type": "Int32"}], "results": [{"n": 1}, 2]})),
            "result 2 is not a JSON object"
        );
        assert_eq!(
            bad(json!({"schema": [{"name": "n", "type": "Int32"}], "results": [{"n": "x"}]})),
            "row 1, column n: \"x\" is not of type int"
        );
    }
}
