//! Log Analytics (and so Sentinel): `POST {workspace}/query` with
//! `{"query", "timespan"}`; the answer is `{"tables": [{"name", "columns":
//! [{"name", "type"}], "rows": [[...]]}]}`, with `"error"` beside the tables
//! when the result is partial (a 200 with a OneAPI error, as when the
//! 500,000-row limit cut it).
//!
//! The answer is read as it streams in: the first table's rows go straight
//! into typed columns; later tables are skipped.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};

use super::oneapi;
use super::stream::{Json, Slot, fail, within};
use super::typed::{ArrayRow, FrameBuilder, column};
use super::{Problem, RemoteResult};

/// The most rows Log Analytics returns for one query.
pub const ROW_LIMIT: usize = 500_000;

/// The request body.
pub fn body(query: &str, timespan: Option<&str>) -> Value {
    let mut body = json!({ "query": query });
    if let Some(t) = timespan {
        body["timespan"] = Value::from(t);
    }
    body
}

/// The headers: ask for the longest server-side wait the service allows
/// (the default is 3 minutes), up to the client's own limit.
pub fn headers(timeout_secs: u64) -> Vec<(&'static str, String)> {
    vec![("Prefer", format!("wait={}", timeout_secs.clamp(1, 600)))]
}

/// What the answer held, as it was read.
#[derive(Default)]
struct Read {
    /// The first table, once its columns are known.
    first: Option<FrameBuilder>,
    tables: usize,
    /// `"error"` beside the tables: a partial result, or why none came.
    error: Option<Value>,
    saw_tables: bool,
}

/// The first table of an answer, typed, with a note for a partial result.
pub fn decode(de: &mut Json<'_>, slot: &Slot) -> Result<RemoteResult, serde_json::Error> {
    let mut read = Read::default();
    de.deserialize_map(AnswerVisitor {
        read: &mut read,
        slot,
    })
    .map_err(|e| within(slot, e, || bad("expected a JSON object with \"tables\"")))?;
    finish(read).map_err(|p| fail(slot, p))
}

fn bad(m: &str) -> Problem {
    Problem::Bad(m.to_string())
}

fn finish(read: Read) -> Result<RemoteResult, Problem> {
    let partial = read.error.as_ref().map(oneapi::error_lines);
    let failed = |otherwise: &str| match &partial {
        Some(lines) if !lines.is_empty() => Problem::Failed(lines.join("\n  ")),
        _ => bad(otherwise),
    };
    if !read.saw_tables {
        return Err(failed("no \"tables\" in the answer"));
    }
    let Some(builder) = read.first else {
        return Err(failed("the answer has no table"));
    };
    let height = builder.rows();
    let frame = builder.finish().map_err(|e| Problem::Bad(e.to_string()))?;
    let mut notes = Vec::new();
    if read.tables > 1 {
        notes.push(format!(
            "the query gave {} tables; this is the first",
            read.tables
        ));
    }
    match partial {
        Some(lines) if !lines.is_empty() => notes.push(format!(
            "partial result: Log Analytics reported an error: {}",
            lines.join("; ")
        )),
        _ if height >= ROW_LIMIT => notes.push(format!(
            "Log Analytics returns at most {} rows: this result is probably cut; narrow the query",
            crate::text::thousands(ROW_LIMIT as u64)
        )),
        _ => {}
    }
    Ok(RemoteResult { frame, notes })
}

struct AnswerVisitor<'r> {
    read: &'r mut Read,
    slot: &'r Slot,
}

impl<'de> Visitor<'de> for AnswerVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object with \"tables\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key.eq_ignore_ascii_case("tables") && !self.read.saw_tables {
                self.read.saw_tables = true;
                map.next_value_seed(Tables {
                    read: &mut *self.read,
                    slot: self.slot,
                })
                .map_err(|e| within(self.slot, e, || bad("\"tables\" is not a list")))?;
            } else if key.eq_ignore_ascii_case("error") && self.read.error.is_none() {
                self.read.error = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Tables<'r> {
    read: &'r mut Read,
    slot: &'r Slot,
}

impl<'de> DeserializeSeed<'de> for Tables<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Tables<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of tables")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let slot = self.slot;
        let mut first = None;
        if seq
            .next_element_seed(Table {
                builder: &mut first,
                slot,
            })
            .map_err(|e| within(slot, e, || bad("a table is not a JSON object")))?
            .is_some()
        {
            self.read.tables = 1;
            self.read.first = first;
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {
            self.read.tables += 1;
        }
        Ok(())
    }
}

/// The first table: its columns, then its rows into the builder.
struct Table<'r> {
    builder: &'r mut Option<FrameBuilder>,
    slot: &'r Slot,
}

impl<'de> DeserializeSeed<'de> for Table<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Table<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a table")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let slot = self.slot;
        // Rows sent before their columns (not the documented order) wait
        // as values until the columns come.
        let mut early_rows: Option<Vec<Value>> = None;
        let mut saw_rows = false;
        while let Some(key) = map.next_key::<String>()? {
            if key.eq_ignore_ascii_case("columns") && self.builder.is_none() {
                let columns: Value = map.next_value()?;
                let declared = declared(&columns).map_err(|p| fail(slot, p))?;
                *self.builder =
                    Some(FrameBuilder::new(declared).map_err(|m| fail(slot, Problem::Bad(m)))?);
            } else if key.eq_ignore_ascii_case("rows") && !saw_rows {
                saw_rows = true;
                match self.builder.as_mut() {
                    Some(builder) => map.next_value_seed(Rows { builder, slot })?,
                    None => {
                        let rows: Value = map.next_value()?;
                        early_rows = Some(match rows {
                            Value::Array(rows) => rows,
                            _ => return Err(fail(slot, bad("the table has no \"rows\" list"))),
                        });
                    }
                }
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        let Some(builder) = self.builder.as_mut() else {
            return Err(fail(slot, bad("the table has no \"columns\" list")));
        };
        if !saw_rows {
            return Err(fail(slot, bad("the table has no \"rows\" list")));
        }
        for (i, row) in early_rows.unwrap_or_default().iter().enumerate() {
            let cells = row.as_array().ok_or_else(|| {
                fail(
                    slot,
                    Problem::Bad(format!("row {} is not a list of cells", i + 1)),
                )
            })?;
            builder
                .push_array(cells)
                .map_err(|m| fail(slot, Problem::Bad(m)))?;
        }
        Ok(())
    }
}

fn declared(columns: &Value) -> Result<Vec<super::typed::Declared>, Problem> {
    columns
        .as_array()
        .ok_or_else(|| bad("the table has no \"columns\" list"))?
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.as_object();
            let name = c.and_then(|c| oneapi::get_str(c, "name"));
            let ty = c.and_then(|c| oneapi::get_str(c, "type"));
            match (name, ty) {
                (Some(n), Some(t)) => column(n, t),
                _ => Err(format!("column {} has no \"name\" and \"type\"", i + 1)),
            }
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(Problem::Bad)
}

struct Rows<'r> {
    builder: &'r mut FrameBuilder,
    slot: &'r Slot,
}

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let slot = self.slot;
        loop {
            let n = self.builder.rows() + 1;
            let row = ArrayRow {
                builder: &mut *self.builder,
                slot,
            };
            let more = seq.next_element_seed(row).map_err(|e| {
                within(slot, e, || {
                    Problem::Bad(format!("row {n} is not a list of cells"))
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
    fn the_documented_answer() {
        let answer = json!({"tables": [{"name": "PrimaryResult",
            "columns": [{"name": "Category", "type": "string"}, {"name": "count_", "type": "long"}],
            "rows": [["Administrative", 20839], ["Recommendation", 122]]}]});
        let r = decoded(&answer).unwrap();
        assert_eq!(r.frame.height(), 2);
        assert!(r.notes.is_empty());
        assert_eq!(
            body("T | take 1", Some("PT12H")),
            json!({"query": "T | take 1", "timespan": "PT12H"})
        );
    }

    #[test]
    fn later_tables_are_counted_and_rows_before_columns_wait() {
        let answer = json!({"tables": [
            {"name": "PrimaryResult", "rows": [[1], [2]], "columns": [{"name": "n", "type": "long"}]},
            {"name": "Other", "columns": [], "rows": [[{"deep": [1, 2]}]]}]});
        let r = decoded(&answer).unwrap();
        assert_eq!(r.frame.height(), 2);
        assert_eq!(r.notes, ["the query gave 2 tables; this is the first"]);
    }

    #[test]
    fn a_partial_error_is_a_note() {
        let answer = json!({"tables": [{"name": "PrimaryResult",
            "columns": [{"name": "n", "type": "long"}], "rows": [[1]]}],
            "error": {"code": "PartialError", "message": "There were some errors when processing your query.",
              "details": [{"code": "EngineError", "message": "Something went wrong processing your query on the server.",
                "innererror": {"code": "-2133196797", "message": "Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"}}]}});
        let r = decoded(&answer).unwrap();
        assert_eq!(
            r.notes,
            [
                "partial result: Log Analytics reported an error: There were some errors when processing your query.; \
              EngineError: Something went wrong processing your query on the server.; \
              -2133196797: Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"
            ]
        );
    }

    #[test]
    fn an_error_without_tables_fails_the_query() {
        let answer = json!({"error": {"code": "BadArgumentError", "message": "The request had some invalid properties"}});
        assert_eq!(
            decoded(&answer).err(),
            Some(Problem::Failed(
                "The request had some invalid properties".into()
            ))
        );
    }

    #[test]
    fn shapes_that_are_not_the_documented_one() {
        let bad = |v: Value| match decoded(&v) {
            Err(Problem::Bad(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(bad(json!([1])), "expected a JSON object with \"tables\"");
        assert_eq!(bad(json!({"value": 1})), "no \"tables\" in the answer");
        assert_eq!(bad(json!({"tables": 3})), "\"tables\" is not a list");
        assert_eq!(bad(json!({"tables": [7]})), "a table is not a JSON object");
        assert_eq!(
            bad(json!({"tables": [{"columns": [{"name": "a"}], "rows": []}]})),
            "column 1 has no \"name\" and \"type\""
        );
        assert_eq!(
            bad(json!({"tables": [{"columns": [{"name": "a", "type": "long"}], "rows": [5]}]})),
            "row 1 is not a list of cells"
        );
        assert_eq!(
            bad(
                json!({"tables": [{"columns": [{"name": "a", "type": "long"}], "rows": [[1], [2, 3]]}]})
            ),
            "row 2 has 2 cells for 1 columns"
        );
        assert_eq!(
            bad(
                json!({"tables": [{"columns": [{"name": "a", "type": "long"}, {"name": "b", "type": "long"}], "rows": [[1]]}]})
            ),
            "row 1 has 1 cells for 2 columns"
        );
        assert_eq!(
            bad(json!({"tables": [{"columns": [{"name": "a", "type": "long"}]}]})),
            "the table has no \"rows\" list"
        );
        assert_eq!(
            bad(json!({"tables": [{"rows": []}]})),
            "the table has no \"columns\" list"
        );
    }
}
