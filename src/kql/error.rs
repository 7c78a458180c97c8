//! Query errors: what went wrong and where, rendered with a caret under the
//! character, because errors are part of the product.

use super::ast::Span;
use std::fmt;

/// What kind of mistake a query error reports; the command line maps every
/// kind to exit status 2, the workbench shows them inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text is not KQL.
    Syntax,
    /// A table, column, function or parameter that does not exist.
    Unknown,
    /// Valid KQL that Quarry does not run yet.
    Unsupported,
    /// Operands of the wrong type (`"a" + 1`, `sum(Name)`).
    Type,
    /// The query was cancelled.
    Cancelled,
    /// The query would need more memory than its budget
    /// ([`Budget`](super::limits::Budget)): refused before it allocates.
    Limit,
    /// Anything that went wrong while running (a bad regex, a failed join).
    Runtime,
}

/// An error in a query, with the byte span it concerns when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Option<Span>,
}

impl QueryError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Option<Span>) -> QueryError {
        QueryError {
            kind,
            message: message.into(),
            span,
        }
    }
    pub fn syntax(message: impl Into<String>, span: Span) -> QueryError {
        QueryError::new(ErrorKind::Syntax, message, Some(span))
    }
    /// "mv-apply is not supported yet"
    pub fn unsupported(feature: &str, span: Span) -> QueryError {
        QueryError::new(
            ErrorKind::Unsupported,
            format!("{feature} is not supported yet"),
            Some(span),
        )
    }
    pub fn unknown(message: impl Into<String>, span: Span) -> QueryError {
        QueryError::new(ErrorKind::Unknown, message, Some(span))
    }
    pub fn type_error(message: impl Into<String>, span: Span) -> QueryError {
        QueryError::new(ErrorKind::Type, message, Some(span))
    }
    pub fn runtime(message: impl Into<String>, span: Option<Span>) -> QueryError {
        QueryError::new(ErrorKind::Runtime, message, span)
    }
    pub fn cancelled() -> QueryError {
        QueryError::new(ErrorKind::Cancelled, "query cancelled", None)
    }

    /// 1-based line and column (in characters) of the span's start.
    pub fn line_col(&self, source: &str) -> Option<(usize, usize)> {
        let span = self.span?;
        Some(line_col(source, span.start))
    }

    /// The message with its position and the offending line, a caret under
    /// the character (or a run of carets under the whole span on that line):
    ///
    /// ```text
    /// error: unknown table 'NetworkCommunciationEvents' (did you mean 'NetworkCommunicationEvents'?)
    ///  --> line 1, column 12
    ///   |
    /// 1 | search in (NetworkCommunciationEvents) "192.168.0"
    ///   |            ^^^^^^^^^^^^^^^^^^^^^^^^^^
    /// ```
    pub fn render(&self, source: &str) -> String {
        let Some(span) = self.span else {
            return format!("error: {}", self.message);
        };
        let start = floor_char_boundary(source, span.start.min(source.len()));
        let (line_no, col) = line_col(source, start);
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line = source[line_start..line_end].trim_end_matches('\r');
        let end = floor_char_boundary(source, span.end.clamp(start, line_start + line.len()));
        let width = source[start..end].chars().count().max(1);
        let gutter = line_no.to_string().len();
        let pad = " ".repeat(gutter);
        let shown: String = line.chars().map(visible_char).collect();
        format!(
            "error: {msg}\n{pad}--> line {line_no}, column {col}\n{pad} |\n{line_no} | {shown}\n{pad} | {sp}{carets}",
            msg = self.message,
            sp = " ".repeat(col - 1),
            carets = "^".repeat(width),
        )
    }
}

/// Tabs in a query line are shown as one space so the caret stays aligned.
fn visible_char(c: char) -> char {
    if c.is_control() { ' ' } else { c }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// 1-based (line, column) of a byte offset; the column counts characters.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..offset].chars().count() + 1;
    (line, col)
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

/// The closest of `candidates` to `name`, for "did you mean" hints; `None`
/// when nothing is close enough to be a plausible typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&lower, &c.to_lowercase());
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.filter(|(s, _)| *s >= 0.8).map(|(_, c)| c)
}

/// Columns one product names differently from the other: a query written
/// for Sentinel, pasted over a Defender export (or the reverse), asks for
/// the one the table lacks. Spelling cannot find these.
const OTHER_PRODUCTS_NAME: &[(&str, &str, &str)] = &[
    (
        "TimeGenerated",
        "Timestamp",
        "Defender's exports name the event time Timestamp; Sentinel's copies of its tables add \
         TimeGenerated, when the row was ingested",
    ),
    (
        "Timestamp",
        "TimeGenerated",
        "Sentinel's tables name the time TimeGenerated; Defender's name the event time Timestamp",
    ),
];

/// KQL functions that read the state of the Kusto cluster running the
/// query (who asks, its database cursors, its extents and stored
/// objects): nothing stands for them offline.
const CLUSTER_FUNCTIONS: &[&str] = &[
    "current_principal",
    "current_principal_details",
    "current_principal_is_member_of",
    "current_cluster_endpoint",
    "current_database",
    "cursor_after",
    "cursor_before_or_at",
    "cursor_current",
    "extent_id",
    "extent_tags",
    "cluster",
    "database",
    "external_table",
    "materialized_view",
    "stored_query_result",
];

/// What follows "unknown function 'name'": the closest of `candidates`,
/// else why no function of that name can be found here: one of Kusto's
/// that reads the cluster's own state, or none of KQL's at all (a
/// function the query's authors saved in their workspace, which Quarry
/// reads from a `functions/` folder once saved there).
pub fn unknown_function_hint<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    let close = did_you_mean(name, candidates);
    if !close.is_empty() {
        close
    } else if CLUSTER_FUNCTIONS.contains(&name.to_ascii_lowercase().as_str()) {
        ": it reads the state of the Kusto cluster running the query, and Quarry works offline"
            .to_string()
    } else {
        ": not a KQL function. If the query's authors saved it in their workspace, put its \
         .create function in a .kql file of the functions/ folder of the data folder or of \
         Quarry's config directory"
            .to_string()
    }
}

/// " (did you mean 'X'?)" or nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let renamed = OTHER_PRODUCTS_NAME.iter().find(|(asked, other, _)| {
        asked.eq_ignore_ascii_case(name) && candidates.iter().any(|c| c == other)
    });
    if let Some((_, other, why)) = renamed {
        return format!(" (did you mean '{other}'? {why})");
    }
    closest(name, candidates)
        .map(|c| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentinel_column_on_a_defender_table_is_named_by_its_defender_name() {
        let defender = ["Timestamp", "DeviceName", "TimeFrame"];
        assert_eq!(
            did_you_mean("TimeGenerated", defender),
            " (did you mean 'Timestamp'? Defender's exports name the event time Timestamp; \
             Sentinel's copies of its tables add TimeGenerated, when the row was ingested)"
        );
        assert_eq!(
            did_you_mean("Timestamp", ["TimeGenerated", "Computer"]),
            " (did you mean 'TimeGenerated'? Sentinel's tables name the time TimeGenerated; \
             Defender's name the event time Timestamp)"
        );
        // Without the other product's column, spelling decides as before.
        assert_eq!(
            did_you_mean("TimeGenerated", ["TimeGenerate"]),
            " (did you mean 'TimeGenerate'?)"
        );
        assert_eq!(
            did_you_mean("DeviceNme", defender),
            " (did you mean 'DeviceName'?)"
        );
    }

    #[test]
    fn an_unknown_function_says_why_none_is_found() {
        assert_eq!(
            unknown_function_hint("strlenn", ["strlen"]),
            " (did you mean 'strlen'?)"
        );
        assert_eq!(
            unknown_function_hint("current_principal", ["strlen"]),
            ": it reads the state of the Kusto cluster running the query, and Quarry works offline"
        );
        assert_eq!(
            unknown_function_hint("AWSIdentityRole", ["strlen"]),
            ": not a KQL function. If the query's authors saved it in their workspace, put its \
             .create function in a .kql file of the functions/ folder of the data folder or of \
             Quarry's config directory"
        );
    }
}
