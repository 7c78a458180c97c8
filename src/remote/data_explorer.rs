//! Azure Data Explorer: queries go to `POST {cluster}/v2/rest/query` with
//! `{"db", "csl", "properties"}` and come back as the v2 list of frames:
//! `DataSetHeader`, a `DataTable` per table (the query's own is
//! `TableKind: PrimaryResult`; progressive answers send `TableHeader`,
//! `TableFragment`s and `TableCompletion` instead), and last
//! `DataSetCompletion`. A `200 OK` can still carry errors: in
//! `DataSetCompletion.OneApiErrors`, or as a row that is an object of
//! errors instead of a list of cells. Management commands (`.show tables`)
//! go to `/v1/rest/mgmt` and answer in the v1 shape (`{"Tables": [...]}`).
//!
//! A v2 answer is read as it streams in: the primary result's rows go
//! straight into typed columns, other tables' rows are skipped unread.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value, json};

use super::oneapi::{error_lines, get, get_str};
use super::stream::{Json, Slot, fail, within};
use super::typed::{self, FrameBuilder, read_cells};
use super::{Problem, RemoteResult};

/// The rows Data Explorer returns before it truncates a result.
pub const ROW_LIMIT: usize = 500_000;

/// True for a management command (it starts with a dot).
pub fn is_command(text: &str) -> bool {
    text.trim_start().starts_with('.')
}

/// The request body for `database`.
pub fn body(database: &str, text: &str, timeout_secs: u64) -> Value {
    let timeout = crate::data::time::format_timespan(
        timeout_secs.clamp(1, 3600) as i64 * crate::data::time::NANOS_PER_SEC,
    );
    json!({
        "db": database,
        "csl": text,
        "properties": {"Options": {"servertimeout": timeout}},
    })
}

fn bad(m: &str) -> Problem {
    Problem::Bad(m.to_string())
}

/// What the frames held, as they were read.
#[derive(Default)]
struct Read {
    frames: usize,
    primary: Option<Primary>,
    errors: Vec<String>,
    completed: bool,
    cancelled: bool,
}

struct Primary {
    id: Option<i64>,
    builder: FrameBuilder,
}

/// The first primary result of a v2 answer, typed, with notes for a
/// truncated result; a failed query is [`Problem::Failed`].
pub fn decode(de: &mut Json<'_>, slot: &Slot) -> Result<RemoteResult, serde_json::Error> {
    let mut read = Read::default();
    de.deserialize_seq(Frames {
        read: &mut read,
        slot,
    })
    .map_err(|e| within(slot, e, || bad("expected a JSON list of frames")))?;
    finish(read).map_err(|p| fail(slot, p))
}

fn finish(mut read: Read) -> Result<RemoteResult, Problem> {
    if read.frames == 0 {
        return Err(bad("the first frame is not a DataSetHeader"));
    }
    if !read.completed {
        return Err(bad(
            "the answer ends before its DataSetCompletion frame: it was cut short; run the query again",
        ));
    }
    let mut errors = read.errors;
    if read.cancelled {
        errors.insert(0, "the query was cancelled by the service".into());
    }
    let truncated = !read.cancelled && errors.iter().any(|e| is_truncation(e));
    let kept = truncated && read.primary.is_some();
    if !(errors.is_empty() || kept) {
        return Err(Problem::Failed(errors.join("\n  ")));
    }
    let Some(primary) = read.primary.take() else {
        return Err(bad("the answer has no PrimaryResult table"));
    };
    let mut notes = Vec::new();
    if truncated {
        notes.push(format!(
            "Data Explorer truncated the result at {} rows: {}",
            crate::text::thousands(primary.builder.rows() as u64),
            errors.join("; ")
        ));
    }
    let frame = primary
        .builder
        .finish()
        .map_err(|e| Problem::Bad(e.to_string()))?;
    Ok(RemoteResult { frame, notes })
}

struct Frames<'r> {
    read: &'r mut Read,
    slot: &'r Slot,
}

impl<'de> Visitor<'de> for Frames<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON list of frames")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let slot = self.slot;
        loop {
            let n = self.read.frames + 1;
            let frame = FrameSeed {
                read: &mut *self.read,
                slot,
            };
            let more = seq.next_element_seed(frame).map_err(|e| {
                within(slot, e, || {
                    if n == 1 {
                        bad("the first frame is not a DataSetHeader")
                    } else {
                        Problem::Bad(format!("frame {n} is not a JSON object"))
                    }
                })
            })?;
            if more.is_none() {
                return Ok(());
            }
        }
    }
}

struct FrameSeed<'r> {
    read: &'r mut Read,
    slot: &'r Slot,
}

impl<'de> DeserializeSeed<'de> for FrameSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// The fields of one frame read so far (the rows are not among them).
#[derive(Default)]
struct Fields {
    frame_type: Option<String>,
    table_id: Option<Option<i64>>,
    table_kind: Option<String>,
    fragment_type: Option<String>,
    columns: Option<Value>,
    /// Every other small field (HasErrors, Cancelled, OneApiErrors).
    rest: Map<String, Value>,
}

/// What to do with a frame's rows.
enum Rows {
    /// Into the primary result's builder (emptied first for `DataReplace`).
    Primary { replace: bool },
    /// Not the primary result.
    Skip,
    /// Not known yet: the fields that decide come after the rows.
    Later,
}

impl Fields {
    fn is(&self, key: &str, name: &str) -> bool {
        key.eq_ignore_ascii_case(name)
    }

    /// Where the rows go, from the fields read before them; `last` when
    /// every field has been read.
    fn rows_target(&self, read: &Read, last: bool) -> Rows {
        let unknown = if last { Rows::Skip } else { Rows::Later };
        match self.frame_type.as_deref() {
            None => unknown,
            Some("DataTable") => match self.table_kind.as_deref() {
                None => unknown,
                Some("PrimaryResult") if read.primary.is_none() => {
                    if self.columns.is_some() {
                        Rows::Primary { replace: false }
                    } else {
                        unknown
                    }
                }
                _ => Rows::Skip,
            },
            Some("TableFragment") => {
                let Some(p) = &read.primary else {
                    return Rows::Skip;
                };
                if !last && (self.table_id.is_none() || self.fragment_type.is_none()) {
                    return Rows::Later;
                }
                if p.id == self.table_id.flatten() {
                    Rows::Primary {
                        replace: self.fragment_type.as_deref() == Some("DataReplace"),
                    }
                } else {
                    Rows::Skip
                }
            }
            Some(_) => Rows::Skip,
        }
    }
}

impl<'de> Visitor<'de> for FrameSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a frame")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let slot = self.slot;
        let read = self.read;
        let index = read.frames;
        read.frames += 1;
        let mut f = Fields::default();
        let mut rows_seen = false;
        let mut later: Option<Value> = None;
        while let Some(key) = map.next_key::<String>()? {
            if f.is(&key, "FrameType") {
                f.frame_type = map.next_value::<Value>()?.as_str().map(str::to_string);
            } else if f.is(&key, "TableId") {
                f.table_id = Some(map.next_value::<Value>()?.as_i64());
            } else if f.is(&key, "TableKind") {
                f.table_kind = map.next_value::<Value>()?.as_str().map(str::to_string);
            } else if f.is(&key, "TableFragmentType") {
                f.fragment_type = map.next_value::<Value>()?.as_str().map(str::to_string);
            } else if f.is(&key, "Columns") {
                f.columns = Some(map.next_value()?);
            } else if f.is(&key, "Rows") && !rows_seen {
                rows_seen = true;
                match f.rows_target(read, false) {
                    Rows::Primary { replace } => {
                        start_primary(read, &f).map_err(|p| fail(slot, p))?;
                        let Some(p) = read.primary.as_mut() else {
                            return Err(fail(slot, bad("the answer has no PrimaryResult table")));
                        };
                        if replace {
                            p.builder.clear();
                        }
                        map.next_value_seed(RowsSeed {
                            builder: &mut p.builder,
                            errors: &mut read.errors,
                            slot,
                        })?;
                    }
                    Rows::Skip => {
                        map.next_value::<IgnoredAny>()?;
                    }
                    Rows::Later => later = Some(map.next_value()?),
                }
            } else {
                let value: Value = map.next_value()?;
                f.rest.insert(key, value);
            }
        }
        if index == 0 && f.frame_type.as_deref() != Some("DataSetHeader") {
            return Err(fail(slot, bad("the first frame is not a DataSetHeader")));
        }
        self::end_of_frame(read, &f, later).map_err(|p| fail(slot, p))
    }
}

/// Starts the primary result from a `DataTable` or `TableHeader` frame.
fn start_primary(read: &mut Read, f: &Fields) -> Result<(), Problem> {
    if read.primary.is_some() {
        return Ok(());
    }
    let columns = f
        .columns
        .as_ref()
        .ok_or_else(|| bad("a table has no \"Columns\" list"))?;
    read.primary = Some(Primary {
        id: f.table_id.flatten(),
        builder: FrameBuilder::new(declared(columns)?).map_err(Problem::Bad)?,
    });
    Ok(())
}

/// What a frame means once all of it is read: the primary result's header,
/// rows that came before the fields saying where they go, the completion.
fn end_of_frame(read: &mut Read, f: &Fields, later: Option<Value>) -> Result<(), Problem> {
    // Decided before this frame starts the primary result, as it would
    // have been had the rows come last.
    let target = later.as_ref().map(|_| f.rows_target(read, true));
    match f.frame_type.as_deref() {
        Some("DataTable" | "TableHeader")
            if f.table_kind.as_deref() == Some("PrimaryResult") && read.primary.is_none() =>
        {
            start_primary(read, f)?;
        }
        Some("DataSetCompletion") => {
            read.completed = true;
            read.cancelled = f.rest_bool("Cancelled") == Some(true);
            if f.rest_bool("HasErrors") == Some(true) {
                collect_errors(&f.rest, &mut read.errors);
                if read.errors.is_empty() {
                    read.errors
                        .push("the query ended with errors it did not describe".into());
                }
            }
        }
        _ => {}
    }
    if let (Some(rows), Some(Rows::Primary { replace })) = (later, target) {
        start_primary(read, f)?;
        let Some(p) = read.primary.as_mut() else {
            return Ok(());
        };
        if replace {
            p.builder.clear();
        }
        let Value::Array(rows) = rows else {
            return Err(bad("a table has no \"Rows\" list"));
        };
        for row in &rows {
            push_row_value(&mut p.builder, row, &mut read.errors)?;
        }
    }
    Ok(())
}

impl Fields {
    fn rest_bool(&self, key: &str) -> Option<bool> {
        get(&self.rest, key).and_then(Value::as_bool)
    }
}

/// The first table of a v1 answer (management commands).
pub fn decode_v1(answer: &Value) -> Result<RemoteResult, Problem> {
    let obj = answer
        .as_object()
        .ok_or_else(|| bad("expected a JSON object with \"Tables\""))?;
    if let Some(e) = get(obj, "Exceptions").and_then(Value::as_array)
        && !e.is_empty()
    {
        let lines: Vec<String> = e
            .iter()
            .filter_map(Value::as_str)
            .map(|s| crate::text::escape_for_terminal(s).into_owned())
            .collect();
        return Err(Problem::Failed(lines.join("\n  ")));
    }
    let table = get(obj, "Tables")
        .and_then(Value::as_array)
        .and_then(|t| t.first())
        .and_then(Value::as_object)
        .ok_or_else(|| bad("no table in \"Tables\""))?;
    let columns = get(table, "Columns").ok_or_else(|| bad("a table has no \"Columns\" list"))?;
    let mut builder = FrameBuilder::new(declared(columns)?).map_err(Problem::Bad)?;
    let mut errors = Vec::new();
    let rows = get(table, "Rows")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("a table has no \"Rows\" list"))?;
    for row in rows {
        push_row_value(&mut builder, row, &mut errors)?;
    }
    if !errors.is_empty() {
        return Err(Problem::Failed(errors.join("\n  ")));
    }
    let frame = builder.finish().map_err(|e| Problem::Bad(e.to_string()))?;
    Ok(RemoteResult {
        frame,
        notes: Vec::new(),
    })
}

fn declared(columns: &Value) -> Result<Vec<typed::Declared>, Problem> {
    columns
        .as_array()
        .ok_or_else(|| bad("a table has no \"Columns\" list"))?
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.as_object();
            let name = c.and_then(|c| get_str(c, "ColumnName"));
            // v1 answers carry both the KQL `ColumnType` and the .NET `DataType`.
            let ty = c.and_then(|c| get_str(c, "ColumnType").or_else(|| get_str(c, "DataType")));
            match (name, ty) {
                (Some(n), Some(t)) => typed::column(n, t),
                _ => Err(format!(
                    "column {} has no \"ColumnName\" and \"ColumnType\"",
                    i + 1
                )),
            }
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(Problem::Bad)
}

/// Adds a parsed row; a row that is an object holds errors raised while
/// the rows were being sent.
fn push_row_value(
    builder: &mut FrameBuilder,
    row: &Value,
    errors: &mut Vec<String>,
) -> Result<(), Problem> {
    match row {
        Value::Array(cells) => builder.push_array(cells).map_err(Problem::Bad),
        Value::Object(o) => {
            collect_errors(o, errors);
            Ok(())
        }
        _ => Err(Problem::Bad(format!(
            "row {} is neither a list of cells nor an error",
            builder.rows() + 1
        ))),
    }
}

/// The primary result's rows, as they stream in.
struct RowsSeed<'r> {
    builder: &'r mut FrameBuilder,
    errors: &'r mut Vec<String>,
    slot: &'r Slot,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let slot = self.slot;
        loop {
            let n = self.builder.rows() + 1;
            let row = RowSeed {
                builder: &mut *self.builder,
                errors: &mut *self.errors,
                slot,
            };
            let more = seq.next_element_seed(row).map_err(|e| {
                within(slot, e, || {
                    Problem::Bad(format!("row {n} is neither a list of cells nor an error"))
                })
            })?;
            if more.is_none() {
                return Ok(());
            }
        }
    }
}

/// One row: a list of cells, or an object of errors.
struct RowSeed<'r> {
    builder: &'r mut FrameBuilder,
    errors: &'r mut Vec<String>,
    slot: &'r Slot,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of cells or an error")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        read_cells(self.builder, self.slot, &mut seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let v: Map<String, Value> =
            serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        collect_errors(&v, self.errors);
        Ok(())
    }
}

fn collect_errors(obj: &Map<String, Value>, errors: &mut Vec<String>) {
    for key in ["OneApiErrors", "Exceptions"] {
        for e in get(obj, key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // Each is `{"error": {...}}` (OneApiErrors) or plain text (Exceptions).
            let inner = e.as_object().and_then(|o| get(o, "error")).unwrap_or(e);
            for line in error_lines(inner) {
                if !errors.contains(&line) {
                    errors.push(line);
                }
            }
        }
    }
}

/// Kusto's result-set truncation (80DA0003, E_QUERY_RESULT_SET_TOO_LARGE):
/// the rows sent are right, there are just more of them.
fn is_truncation(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("e_query_result_set_too_large")
        || m.contains("80da0003")
        || m.contains("truncationmaxrecords")
        || m.contains("exceeded the internal record count limit")
        || m.contains("query result set has exceeded")
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

    fn header() -> Value {
        json!({"FrameType": "DataSetHeader", "IsProgressive": false, "Version": "v2.0"})
    }

    fn completion(errors: Option<Value>) -> Value {
        match errors {
            None => {
                json!({"FrameType": "DataSetCompletion", "HasErrors": false, "Cancelled": false})
            }
            Some(e) => {
                json!({"FrameType": "DataSetCompletion", "HasErrors": true, "Cancelled": false, "OneApiErrors": e})
            }
        }
    }

    fn table(kind: &str, rows: Value) -> Value {
        json!({"FrameType": "DataTable", "TableId": 1, "TableKind": kind, "TableName": kind,
               "Columns": [{"ColumnName": "State", "ColumnType": "string"}, {"ColumnName": "n", "ColumnType": "long"}],
               "Rows": rows})
    }

    #[test]
    fn the_primary_result_among_the_frames() {
        let answer = json!([header(),
            {"FrameType": "DataTable", "TableId": 0, "TableKind": "QueryProperties", "TableName": "@ExtendedProperties",
             "Columns": [{"ColumnName": "TableId", "ColumnType": "int"}], "Rows": [[1]]},
            table("PrimaryResult", json!([["TEXAS", 4701], ["KANSAS", 3166]])),
            completion(None)]);
        let r = decoded(&answer).unwrap();
        assert_eq!(r.frame.height(), 2);
        assert!(r.notes.is_empty());
    }

    #[test]
    fn progressive_fragments_append_and_replace() {
        let answer = json!([header(),
            {"FrameType": "TableHeader", "TableId": 3, "TableKind": "PrimaryResult", "TableName": "PrimaryResult",
             "Columns": [{"ColumnName": "n", "ColumnType": "long"}]},
            {"FrameType": "TableFragment", "TableId": 3, "TableFragmentType": "DataAppend", "Rows": [[1], [2]]},
            {"FrameType": "TableProgress", "TableId": 3, "TableProgress": 50.0},
            {"FrameType": "TableFragment", "TableId": 3, "TableFragmentType": "DataReplace", "Rows": [[7]]},
            {"FrameType": "TableFragment", "TableId": 3, "TableFragmentType": "DataAppend", "Rows": [[8]]},
            {"FrameType": "TableCompletion", "TableId": 3, "RowCount": 2},
            completion(None)]);
        let r = decoded(&answer).unwrap();
        let n = r.frame.column("n").unwrap().i64().unwrap();
        let n: Vec<Option<i64>> = (0..n.len()).map(|i| n.get(i)).collect();
        assert_eq!(n, [Some(7), Some(8)]);
    }

    #[test]
    fn errors_inside_a_200() {
        let errors = json!([{"error": {"code": "LimitsExceeded", "message": "Request is invalid and cannot be executed.",
            "@message": "Query execution has exceeded the allowed limits (80DA0001): memory."}}]);
        let answer = json!([
            header(),
            table("PrimaryResult", json!([["TEXAS", 1]])),
            completion(Some(errors))
        ]);
        match decoded(&answer) {
            Err(Problem::Failed(m)) => assert_eq!(
                m,
                "Request is invalid and cannot be executed.\n  Query execution has exceeded the allowed limits (80DA0001): memory."
            ),
            other => panic!("{other:?}"),
        }
        // An error row in the middle of the rows.
        let answer = json!([
            header(),
            table(
                "PrimaryResult",
                json!([["TEXAS", 1],
                {"OneApiErrors": [{"error": {"code": "LimitsExceeded", "message": "Query execution lacks memory resources to complete (80DA0007)"}}]}])
            ),
            completion(None)
        ]);
        match decoded(&answer) {
            Err(Problem::Failed(m)) => assert_eq!(
                m,
                "Query execution lacks memory resources to complete (80DA0007)"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncation_keeps_the_rows_with_a_note() {
        let errors = json!([{"error": {"code": "LimitsExceeded", "message": "Request is invalid and cannot be executed.",
            "@message": "Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"}}]);
        let answer = json!([
            header(),
            table("PrimaryResult", json!([["TEXAS", 1], ["OHIO", 2]])),
            completion(Some(errors))
        ]);
        let r = decoded(&answer).unwrap();
        assert_eq!(r.frame.height(), 2);
        assert_eq!(
            r.notes,
            [
                "Data Explorer truncated the result at 2 rows: Request is invalid and cannot be executed.; \
              Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"
            ]
        );
    }

    #[test]
    fn an_answer_without_its_completion_is_cut() {
        let answer = json!([header(), table("PrimaryResult", json!([["TEXAS", 1]]))]);
        match decoded(&answer) {
            Err(Problem::Bad(m)) => assert_eq!(
                m,
                "the answer ends before its DataSetCompletion frame: it was cut short; run the query again"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn management_commands_answer_in_v1() {
        let answer = json!({"Tables": [{"TableName": "Table_0",
            "Columns": [{"ColumnName": "TableName", "DataType": "String", "ColumnType": "string"},
                        {"ColumnName": "DatabaseName", "DataType": "String", "ColumnType": "string"}],
            "Rows": [["StormEvents", "Samples"], ["PopulationData", "Samples"]]}]});
        let r = decode_v1(&answer).unwrap();
        assert_eq!(r.frame.height(), 2);
        assert!(is_command("  .show tables"));
        assert!(!is_command("StormEvents | take 1"));
    }
    #[test]
    fn rows_before_the_fields_that_place_them() {
        // Not the order Kusto writes, but JSON objects have none.
        let answer = json!([header(),
            {"Rows": [["TEXAS", 1]], "Columns": [{"ColumnName": "State", "ColumnType": "string"}, {"ColumnName": "n", "ColumnType": "long"}],
             "TableKind": "PrimaryResult", "FrameType": "DataTable", "TableId": 1},
            {"FrameType": "DataTable", "TableId": 2, "TableKind": "PrimaryResult", "Columns": [], "Rows": [[]]},
            completion(None)]);
        let r = decoded(&answer).unwrap();
        assert_eq!(r.frame.height(), 1);
        assert_eq!(r.frame.width(), 2);
    }

    #[test]
    fn frames_that_are_not_the_documented_shape() {
        let bad = |v: Value| match decoded(&v) {
            Err(Problem::Bad(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(bad(json!({"Tables": []})), "expected a JSON list of frames");
        assert_eq!(bad(json!([])), "the first frame is not a DataSetHeader");
        assert_eq!(bad(json!([1])), "the first frame is not a DataSetHeader");
        assert_eq!(
            bad(json!([{"FrameType": "DataTable"}])),
            "the first frame is not a DataSetHeader"
        );
        assert_eq!(bad(json!([header(), 2])), "frame 2 is not a JSON object");
        assert_eq!(
            bad(json!([
                header(),
                table("PrimaryResult", json!([["TEXAS", 1], 7])),
                completion(None)
            ])),
            "row 2 is neither a list of cells nor an error"
        );
        assert_eq!(
            bad(json!([
                header(),
                table("PrimaryResult", json!([["TEXAS", "many"]])),
                completion(None)
            ])),
            "row 1, column n: \"many\" is not of type long"
        );
        assert_eq!(
            bad(json!([header(), completion(None)])),
            "the answer has no PrimaryResult table"
        );
    }
}
