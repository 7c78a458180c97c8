//! Defender XDR advanced hunting through Microsoft Graph: `POST
//! {graph}/security/runHuntingQuery` with `{"Query", "Timespan"}`; the
//! answer is `{"schema": [{"name", "type"}], "results": [{column: value}]}`
//! with .NET type names (`DateTime`, `String`, `Int64`, `Double`,
//! `Boolean`, `Object`). Graph's casing of keys varies between versions
//! (`Schema`/`schema`, `Name`/`name`), so every key is read
//! case-insensitively.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::oneapi::{get, get_str};
use super::typed::{FrameBuilder, column};
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

/// The result, typed by its schema, with a note when it reached the cap.
pub fn decode(answer: &Value) -> Result<RemoteResult, Problem> {
    let obj = answer.as_object().ok_or_else(|| {
        Problem::Bad("expected a JSON object with \"schema\" and \"results\"".into())
    })?;
    let schema = get(obj, "schema")
        .and_then(Value::as_array)
        .ok_or_else(|| Problem::Bad("no \"schema\" list in the answer".into()))?;
    let columns = schema
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
        .map_err(Problem::Bad)?;
    let results = get(obj, "results")
        .and_then(Value::as_array)
        .ok_or_else(|| Problem::Bad("no \"results\" list in the answer".into()))?;
    // Cells are found by name: exactly, else ignoring case.
    let exact: HashMap<String, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.clone(), i))
        .collect();
    let folded: HashMap<String, usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.to_ascii_lowercase(), i))
        .collect();
    let width = columns.len();
    let mut builder = FrameBuilder::new(columns).map_err(Problem::Bad)?;
    let mut cells: Vec<Option<&Value>> = Vec::with_capacity(width);
    for (i, row) in results.iter().enumerate() {
        let row = row
            .as_object()
            .ok_or_else(|| Problem::Bad(format!("result {} is not a JSON object", i + 1)))?;
        cells.clear();
        cells.resize(width, None);
        for (key, value) in row {
            let at = exact
                .get(key)
                .copied()
                .or_else(|| folded.get(&key.to_ascii_lowercase()).copied());
            // Keys outside the schema (OData annotations) are not cells.
            if let Some(at) = at
                && cells[at].is_none()
            {
                cells[at] = Some(value);
            }
        }
        builder
            .push_cells(cells.iter().copied())
            .map_err(Problem::Bad)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_any_case_and_dotnet_types() {
        let answer = json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",
            "Schema": [{"Name": "Timestamp", "Type": "DateTime"}, {"Name": "FileName", "Type": "String"},
                       {"Name": "Size", "Type": "Int64"}, {"Name": "Extra", "Type": "Object"}],
            "Results": [{"timestamp": "2020-08-30T06:38:35.7664356Z", "FileName": "a.exe", "Size": 10,
                         "Extra": {"k": 1}, "@odata.type": "x"},
                        {"Timestamp": null, "FileName": null}]
        });
        let r = decode(&answer).unwrap();
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
    fn an_unknown_type_is_named() {
        let answer = json!({"schema": [{"name": "Shape", "type": "Geography"}], "results": []});
        match decode(&answer) {
            Err(Problem::Bad(m)) => assert!(
                m.starts_with("column Shape has type 'Geography', which Quarry does not know"),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
    }
}
