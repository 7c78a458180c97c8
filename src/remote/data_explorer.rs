//! Azure Data Explorer: queries go to `POST {cluster}/v2/rest/query` with
//! `{"db", "csl", "properties"}` and come back as the v2 list of frames:
//! `DataSetHeader`, a `DataTable` per table (the query's own is
//! `TableKind: PrimaryResult`; progressive answers send `TableHeader`,
//! `TableFragment`s and `TableCompletion` instead), and last
//! `DataSetCompletion`. A `200 OK` can still carry errors: in
//! `DataSetCompletion.OneApiErrors`, or as a row that is an object of
//! errors instead of a list of cells. Management commands (`.show tables`)
//! go to `/v1/rest/mgmt` and answer in the v1 shape (`{"Tables": [...]}`).

use serde_json::{Map, Value, json};

use super::oneapi::{error_lines, get, get_str};
use super::typed::{self, FrameBuilder};
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

/// The first primary result of a v2 answer, typed, with notes for a
/// truncated result; a failed query is [`Problem::Failed`].
pub fn decode(answer: &Value) -> Result<RemoteResult, Problem> {
    let frames = answer
        .as_array()
        .ok_or_else(|| Problem::Bad("expected a JSON list of frames".into()))?;
    let kind = |f: &Value| -> Option<String> {
        f.as_object()
            .and_then(|o| get_str(o, "FrameType"))
            .map(str::to_string)
    };
    match frames.first().and_then(kind).as_deref() {
        Some("DataSetHeader") => {}
        _ => {
            return Err(Problem::Bad(
                "the first frame is not a DataSetHeader".into(),
            ));
        }
    }
    let mut primary: Option<Primary> = None;
    let mut errors: Vec<String> = Vec::new();
    let mut completed = false;
    let mut cancelled = false;
    for (i, frame) in frames.iter().enumerate() {
        let obj = frame
            .as_object()
            .ok_or_else(|| Problem::Bad(format!("frame {} is not a JSON object", i + 1)))?;
        let frame_type = get_str(obj, "FrameType").unwrap_or_default();
        match frame_type {
            // Only the first primary result is the query's (later ones come
            // from `fork` and batches).
            "DataTable" | "TableHeader" if is_primary(obj) && primary.is_none() => {
                let mut p = Primary::new(obj)?;
                if frame_type == "DataTable" {
                    p.add_rows(obj, false, &mut errors)?;
                }
                primary = Some(p);
            }
            "TableFragment" => {
                if let Some(p) = primary.as_mut().filter(|p| p.id == table_id(obj)) {
                    let replace = get_str(obj, "TableFragmentType") == Some("DataReplace");
                    p.add_rows(obj, replace, &mut errors)?;
                }
            }
            "DataSetCompletion" => {
                completed = true;
                cancelled = get(obj, "Cancelled").and_then(Value::as_bool) == Some(true);
                if get(obj, "HasErrors").and_then(Value::as_bool) == Some(true) {
                    collect_errors(obj, &mut errors);
                    if errors.is_empty() {
                        errors.push("the query ended with errors it did not describe".into());
                    }
                }
            }
            _ => {}
        }
    }
    if !completed {
        return Err(Problem::Bad(
            "the answer ends before its DataSetCompletion frame: it was cut short; run the query again"
                .into(),
        ));
    }
    if cancelled {
        errors.insert(0, "the query was cancelled by the service".into());
    }
    let truncated = !cancelled && errors.iter().any(|e| is_truncation(e));
    let kept = truncated && primary.is_some();
    if !(errors.is_empty() || kept) {
        return Err(Problem::Failed(errors.join("\n  ")));
    }
    let Some(primary) = primary else {
        return Err(Problem::Bad("the answer has no PrimaryResult table".into()));
    };
    let mut notes = Vec::new();
    if truncated {
        notes.push(format!(
            "Data Explorer truncated the result at {} rows: {}",
            crate::text::thousands(primary.builder.rows() as u64),
            errors.join("; ")
        ));
    }
    let frame = primary.finish()?;
    Ok(RemoteResult { frame, notes })
}

/// The first table of a v1 answer (management commands).
pub fn decode_v1(answer: &Value) -> Result<RemoteResult, Problem> {
    let obj = answer
        .as_object()
        .ok_or_else(|| Problem::Bad("expected a JSON object with \"Tables\"".into()))?;
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
        .ok_or_else(|| Problem::Bad("no table in \"Tables\"".into()))?;
    let mut builder = FrameBuilder::new(columns_of(table)?).map_err(Problem::Bad)?;
    let mut errors = Vec::new();
    push_rows(&mut builder, table, &mut errors)?;
    if !errors.is_empty() {
        return Err(Problem::Failed(errors.join("\n  ")));
    }
    let frame = builder.finish().map_err(|e| Problem::Bad(e.to_string()))?;
    Ok(RemoteResult {
        frame,
        notes: Vec::new(),
    })
}

struct Primary {
    id: Option<i64>,
    builder: FrameBuilder,
}

impl Primary {
    fn new(obj: &Map<String, Value>) -> Result<Primary, Problem> {
        Ok(Primary {
            id: table_id(obj),
            builder: FrameBuilder::new(columns_of(obj)?).map_err(Problem::Bad)?,
        })
    }

    fn add_rows(
        &mut self,
        obj: &Map<String, Value>,
        replace: bool,
        errors: &mut Vec<String>,
    ) -> Result<(), Problem> {
        if replace {
            let columns = self.builder.columns().to_vec();
            self.builder = FrameBuilder::new(columns).map_err(Problem::Bad)?;
        }
        push_rows(&mut self.builder, obj, errors)
    }

    fn finish(self) -> Result<polars::prelude::DataFrame, Problem> {
        self.builder
            .finish()
            .map_err(|e| Problem::Bad(e.to_string()))
    }
}

fn is_primary(obj: &Map<String, Value>) -> bool {
    get_str(obj, "TableKind") == Some("PrimaryResult")
}

fn table_id(obj: &Map<String, Value>) -> Option<i64> {
    get(obj, "TableId").and_then(Value::as_i64)
}

fn columns_of(table: &Map<String, Value>) -> Result<Vec<typed::Declared>, Problem> {
    get(table, "Columns")
        .and_then(Value::as_array)
        .ok_or_else(|| Problem::Bad("a table has no \"Columns\" list".into()))?
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

/// Adds a table's rows; a row that is an object holds errors raised while
/// the rows were being sent.
fn push_rows(
    builder: &mut FrameBuilder,
    table: &Map<String, Value>,
    errors: &mut Vec<String>,
) -> Result<(), Problem> {
    let rows = get(table, "Rows")
        .and_then(Value::as_array)
        .ok_or_else(|| Problem::Bad("a table has no \"Rows\" list".into()))?;
    for row in rows {
        match row {
            Value::Array(cells) => builder.push_array(cells).map_err(Problem::Bad)?,
            Value::Object(o) => collect_errors(o, errors),
            _ => {
                return Err(Problem::Bad(format!(
                    "row {} is neither a list of cells nor an error",
                    builder.rows() + 1
                )));
            }
        }
    }
    Ok(())
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
        let r = decode(&answer).unwrap();
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
        let r = decode(&answer).unwrap();
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
        match decode(&answer) {
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
        match decode(&answer) {
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
        let r = decode(&answer).unwrap();
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
        match decode(&answer) {
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
}
