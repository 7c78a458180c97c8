//! Log Analytics (and so Sentinel): `POST {workspace}/query` with
//! `{"query", "timespan"}`; the answer is `{"tables": [{"name", "columns":
//! [{"name", "type"}], "rows": [[...]]}]}`, with `"error"` beside the tables
//! when the result is partial (a 200 with a OneAPI error, as when the
//! 500,000-row limit cut it).

use serde_json::{Value, json};

use super::oneapi::{self, get, get_str};
use super::typed::{FrameBuilder, column};
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

/// The first table of an answer, typed, with a note for a partial result.
pub fn decode(answer: &Value) -> Result<RemoteResult, Problem> {
    let obj = answer
        .as_object()
        .ok_or_else(|| Problem::Bad("expected a JSON object with \"tables\"".into()))?;
    let partial = get(obj, "error").map(oneapi::error_lines);
    let Some(tables) = get(obj, "tables") else {
        return Err(match partial {
            Some(lines) if !lines.is_empty() => Problem::Failed(lines.join("\n  ")),
            _ => Problem::Bad("no \"tables\" in the answer".into()),
        });
    };
    let tables = tables
        .as_array()
        .ok_or_else(|| Problem::Bad("\"tables\" is not a list".into()))?;
    let Some(first) = tables.first() else {
        return Err(match partial {
            Some(lines) if !lines.is_empty() => Problem::Failed(lines.join("\n  ")),
            _ => Problem::Bad("the answer has no table".into()),
        });
    };
    let table = first
        .as_object()
        .ok_or_else(|| Problem::Bad("a table is not a JSON object".into()))?;
    let columns = get(table, "columns")
        .and_then(Value::as_array)
        .ok_or_else(|| Problem::Bad("the table has no \"columns\" list".into()))?
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.as_object();
            let name = c.and_then(|c| get_str(c, "name"));
            let ty = c.and_then(|c| get_str(c, "type"));
            match (name, ty) {
                (Some(n), Some(t)) => column(n, t),
                _ => Err(format!("column {} has no \"name\" and \"type\"", i + 1)),
            }
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(Problem::Bad)?;
    let rows = get(table, "rows")
        .and_then(Value::as_array)
        .ok_or_else(|| Problem::Bad("the table has no \"rows\" list".into()))?;
    let mut builder = FrameBuilder::new(columns).map_err(Problem::Bad)?;
    for (i, row) in rows.iter().enumerate() {
        let cells = row
            .as_array()
            .ok_or_else(|| Problem::Bad(format!("row {} is not a list of cells", i + 1)))?;
        builder.push_array(cells).map_err(Problem::Bad)?;
    }
    let height = builder.rows();
    let frame = builder.finish().map_err(|e| Problem::Bad(e.to_string()))?;
    let mut notes = Vec::new();
    if tables.len() > 1 {
        notes.push(format!(
            "the query gave {} tables; this is the first",
            tables.len()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_answer() {
        let answer = json!({"tables": [{"name": "PrimaryResult",
            "columns": [{"name": "Category", "type": "string"}, {"name": "count_", "type": "long"}],
            "rows": [["Administrative", 20839], ["Recommendation", 122]]}]});
        let r = decode(&answer).unwrap();
        assert_eq!(r.frame.height(), 2);
        assert!(r.notes.is_empty());
        assert_eq!(
            body("T | take 1", Some("PT12H")),
            json!({"query": "T | take 1", "timespan": "PT12H"})
        );
    }

    #[test]
    fn a_partial_error_is_a_note() {
        let answer = json!({"tables": [{"name": "PrimaryResult",
            "columns": [{"name": "n", "type": "long"}], "rows": [[1]]}],
            "error": {"code": "PartialError", "message": "There were some errors when processing your query.",
              "details": [{"code": "EngineError", "message": "Something went wrong processing your query on the server.",
                "innererror": {"code": "-2133196797", "message": "Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"}}]}});
        let r = decode(&answer).unwrap();
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
    fn shapes_that_are_not_the_documented_one() {
        let bad = |v: Value| match decode(&v) {
            Err(Problem::Bad(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(bad(json!([1])), "expected a JSON object with \"tables\"");
        assert_eq!(bad(json!({"value": 1})), "no \"tables\" in the answer");
        assert_eq!(
            bad(json!({"tables": [{"columns": [{"name": "a"}], "rows": []}]})),
            "column 1 has no \"name\" and \"type\""
        );
        assert_eq!(
            bad(json!({"tables": [{"columns": [{"name": "a", "type": "long"}], "rows": [5]}]})),
            "row 1 is not a list of cells"
        );
    }
}
