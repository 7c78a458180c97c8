//! The services' own error messages, from Microsoft's "OneAPI" error
//! objects: `{"error": {"code", "message", "innererror": {...}, "details":
//! [...]}}`, as Log Analytics, Graph and Data Explorer all send them (Graph
//! spells `innerError`, so keys are read case-insensitively; Kusto adds
//! `@message`, its fuller text).

use serde_json::{Map, Value};

/// A key of a JSON object, read case-insensitively (exact spelling first).
pub fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A string field of a JSON object, case-insensitively.
pub fn get_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    get(obj, key).and_then(Value::as_str)
}

/// The lines of a OneAPI error object (the value of `error`): its message,
/// then each deeper message (inner errors, details) that says something new,
/// as `code: message`. Control characters are escaped.
pub fn error_lines(error: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    collect(error, &mut lines, true);
    lines
}

/// The lines of an answer body holding `{"error": {...}}`, if it does.
pub fn body_error_lines(body: &Value) -> Option<Vec<String>> {
    let error = get(body.as_object()?, "error")?;
    let lines = error_lines(error);
    (!lines.is_empty()).then_some(lines)
}

fn collect(error: &Value, lines: &mut Vec<String>, top: bool) {
    let Some(obj) = error.as_object() else {
        if let Some(s) = error.as_str() {
            push(lines, None, s);
        }
        return;
    };
    let code = get_str(obj, "code");
    match get_str(obj, "message") {
        Some(m) if top => push(lines, None, m),
        Some(m) => push(lines, code, m),
        None => {}
    }
    // Kusto's fuller text of the same error.
    if let Some(m) = get_str(obj, "@message") {
        push(lines, None, m);
    }
    if let Some(details) = get(obj, "details").and_then(Value::as_array) {
        for d in details {
            collect(d, lines, false);
        }
    }
    if let Some(inner) = get(obj, "innererror") {
        collect(inner, lines, false);
    }
}

fn push(lines: &mut Vec<String>, code: Option<&str>, message: &str) {
    let message = message.trim();
    if message.is_empty() || lines.iter().any(|l| l.contains(message)) {
        return;
    }
    let line = match code {
        Some(c) if !c.is_empty() && !message.starts_with(c) => format!("{c}: {message}"),
        _ => message.to_string(),
    };
    lines.push(crate::text::escape_for_terminal(&line).into_owned());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn log_analytics_syntax_error() {
        let body = json!({"error": {
            "message": "The request had some invalid properties",
            "code": "BadArgumentError",
            "innererror": {
                "code": "SyntaxError",
                "message": "A recognition error occurred in the query.",
                "innererror": {
                    "code": "SYN0002",
                    "message": "Query could not be parsed at 'foo' on line [2,245]",
                    "line": 2, "pos": 245, "token": "foo"
                }
            }
        }});
        assert_eq!(
            body_error_lines(&body).unwrap(),
            [
                "The request had some invalid properties",
                "SyntaxError: A recognition error occurred in the query.",
                "SYN0002: Query could not be parsed at 'foo' on line [2,245]",
            ]
        );
    }

    #[test]
    fn kusto_error_with_its_fuller_message() {
        let body = json!({"error": {
            "code": "General_BadRequest",
            "message": "Request is invalid and cannot be executed.",
            "@type": "Kusto.Data.Exceptions.KustoBadRequestException",
            "@message": "Request is invalid and cannot be processed: Semantic error: SEM0100: 'table' operator: Failed to resolve table expression named 'aaa'",
            "innererror": {
                "code": "SEM0100",
                "message": "'table' operator: Failed to resolve table expression named 'aaa'",
                "@message": "Semantic error: SEM0100: 'table' operator: Failed to resolve table expression named 'aaa'"
            }
        }});
        assert_eq!(
            body_error_lines(&body).unwrap(),
            [
                "Request is invalid and cannot be executed.",
                "Request is invalid and cannot be processed: Semantic error: SEM0100: 'table' operator: Failed to resolve table expression named 'aaa'",
            ]
        );
    }

    #[test]
    fn graph_error_keys_in_any_case() {
        let body = json!({"Error": {
            "Code": "BadRequest",
            "Message": "Query could not be parsed\u{1b}[31m",
            "innerError": {"date": "2024-01-01T00:00:00", "request-id": "r1"}
        }});
        assert_eq!(
            body_error_lines(&body).unwrap(),
            ["Query could not be parsed\\e[31m"]
        );
        assert_eq!(body_error_lines(&json!({"tables": []})), None);
    }
}
