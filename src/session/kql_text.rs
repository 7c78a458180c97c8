//! Writing KQL: the stages that keys append (`where Col == value`,
//! `summarize ... by`, `sort by`, `project-away`, `search`), with names and
//! values quoted so that any column name and any cell, however hostile,
//! gives valid KQL that means exactly "this value".
//!
//! Also: splitting a pipeline into its stages, and deciding whether a new
//! stage can run on the cached result of the previous step ([`plan_append`]).

use crate::kql::QueryError;
use crate::kql::ast::{Source, Span};
use crate::kql::lexer::{TokenKind, tokenize};
use crate::kql::value::Scalar;

pub use crate::kql::quote::{quote_ident, string_literal};

/// The name under which a cached frame is registered when the pipeline does
/// not start from a plain table.
pub const STEP_TABLE: &str = "__quarry_step";

/// A literal of the value's own type, or `None` for null and dynamic values
/// (which have no literal that compares equal; see [`equality`]).
pub fn scalar_literal(v: &Scalar) -> Option<String> {
    use crate::data::time::{format_datetime, format_timespan};
    Some(match v {
        Scalar::Null(_) | Scalar::Dynamic(_) => return None,
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Long(i) => i.to_string(),
        Scalar::Real(r) if r.is_nan() => "real(nan)".to_string(),
        Scalar::Real(r) if r.is_infinite() => {
            if *r > 0.0 { "real(+inf)" } else { "real(-inf)" }.to_string()
        }
        // `{:?}` is the shortest text that reads back as the same f64.
        Scalar::Real(r) => format!("real({r:?})"),
        // Every digit, so the filter finds the same value.
        Scalar::Decimal(d) => format!("decimal({d})"),
        Scalar::Datetime(ns) => format!("datetime({})", format_datetime(*ns)),
        Scalar::Timespan(ns) => format!("timespan({})", format_timespan(*ns)),
        Scalar::String(s) => string_literal(s),
    })
}

/// `Col == value` (or `!=` when `keep` is false), for any value: null
/// becomes `isnull(Col)` / `isnotnull(Col)`, dynamic values compare as text
/// (`tostring(Col) == "..."`).
pub fn equality(column: &str, value: &Scalar, keep: bool) -> String {
    let col = quote_ident(column);
    let op = if keep { "==" } else { "!=" };
    if value.is_null() {
        return if keep {
            format!("isnull({col})")
        } else {
            format!("isnotnull({col})")
        };
    }
    match scalar_literal(value) {
        Some(lit) => format!("{col} {op} {lit}"),
        None => format!("tostring({col}) {op} {}", string_literal(&value.to_text())),
    }
}

/// `where Col == value` (`f`) or `where Col != value` (`x`).
pub fn filter_stage(column: &str, value: &Scalar, keep: bool) -> String {
    format!("where {}", equality(column, value, keep))
}

/// `where K1 == v1 and K2 == v2`: the rows of one frequency group.
pub fn group_stage(keys: &[(String, Scalar)]) -> String {
    let parts: Vec<String> = keys.iter().map(|(k, v)| equality(k, v, true)).collect();
    format!("where {}", parts.join(" and "))
}

/// The keys of a typed `summarize ... by K1, K2` whose groups a result
/// shows, and the stages before it: the result's last stages are that
/// summarize, perhaps followed by `sort`, `top`, `take` or `where` over its
/// groups. `None` when there is no such summarize or a key is an
/// expression (`bin(Timestamp, 1h)`), whose groups no equality selects.
pub fn summarized_keys(stages: &[String]) -> Option<(Vec<String>, &[String])> {
    use crate::kql::ast::{ExprKind, OperatorKind};
    for i in (1..stages.len()).rev() {
        let query = crate::kql::parser::parse(&format!("T | {}", stages[i])).ok()?;
        let [op] = query.body.ops.as_slice() else {
            return None;
        };
        match &op.kind {
            OperatorKind::Summarize { by, .. } if !by.is_empty() => {
                let keys = by
                    .iter()
                    .map(|b| match &b.expr.kind {
                        ExprKind::Name(n) if b.names.is_empty() => Some(n.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()?;
                return Some((keys, &stages[..i]));
            }
            OperatorKind::Sort(_)
            | OperatorKind::Top { .. }
            | OperatorKind::Take(_)
            | OperatorKind::Where(_) => {}
            _ => return None,
        }
    }
    None
}

/// Whether every stage only keeps, drops or reorders rows and columns
/// (`where`, `sort`, `top`, `take`, `project-away`, ...): the rows are
/// still rows of the input.
pub fn keeps_rows(stages: &[String]) -> bool {
    use crate::kql::ast::OperatorKind as K;
    stages.iter().all(|stage| {
        let Ok(query) = crate::kql::parser::parse(&format!("T | {stage}")) else {
            return false;
        };
        query.body.ops.iter().all(|op| {
            matches!(
                op.kind,
                K::Where(_)
                    | K::Sort(_)
                    | K::Top { .. }
                    | K::Take(_)
                    | K::ProjectAway(_)
                    | K::ProjectKeep(_)
                    | K::ProjectReorder(_)
            )
        })
    })
}

/// The name of the count column of a frequency stage: `Count`, unless a key
/// column already has that name.
pub fn count_column(keys: &[String]) -> String {
    let mut name = "Count".to_string();
    let mut n = 1;
    while keys.iter().any(|k| k.eq_ignore_ascii_case(&name)) {
        name = format!("Count{n}");
        n += 1;
    }
    name
}

/// `summarize Count = count() by K1, K2 | sort by Count desc`: largest
/// groups first. The engine's `summarize` keeps groups in order of first
/// appearance and its sort is stable, so ties come out the same on every run.
pub fn frequency_stage(keys: &[String]) -> String {
    let count = count_column(keys);
    let by: Vec<String> = keys.iter().map(|k| quote_ident(k)).collect();
    format!(
        "summarize {count} = count() by {} | sort by {count} desc",
        by.join(", ")
    )
}

/// `sort by Col asc` or `desc`.
pub fn sort_stage(column: &str, descending: bool) -> String {
    format!(
        "sort by {} {}",
        quote_ident(column),
        if descending { "desc" } else { "asc" }
    )
}

/// `project-away A, B`.
pub fn hide_stage(columns: &[String]) -> String {
    let cols: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
    format!("project-away {}", cols.join(", "))
}

/// `search "term"`: piped, it searches the rows in view; as the start of a
/// query, every table.
pub fn search_stage(term: &str) -> String {
    format!("search {}", string_literal(term))
}

/// The stages of the all-table search (`/` at home): the hits per table.
pub fn global_search_stages(term: &str) -> Vec<String> {
    vec![
        search_stage(term),
        "summarize Hits = count() by $table | sort by Hits desc".to_string(),
    ]
}

/// `search in (T) "term"`: one table's hits, opened from the search results.
pub fn search_in_stage(table: &str, term: &str) -> String {
    format!(
        "search in ({}) {}",
        quote_ident(table),
        string_literal(term)
    )
}

/// Recognises a stage this module wrote with [`sort_stage`], giving the
/// column and whether it sorts descending.
pub fn parse_sort_stage(stage: &str) -> Option<(String, bool)> {
    let rest = stage.strip_prefix("sort by ")?;
    let (col, dir) = rest.rsplit_once(' ')?;
    let desc = match dir {
        "asc" => false,
        "desc" => true,
        _ => return None,
    };
    let name = unquote_ident(col)?;
    (sort_stage(&name, desc) == stage).then_some((name, desc))
}

/// Recognises a stage this module wrote with [`hide_stage`], giving the
/// hidden columns.
pub fn parse_hide_stage(stage: &str) -> Option<Vec<String>> {
    let rest = stage.strip_prefix("project-away ")?;
    let tokens = tokenize(rest);
    let mut names = Vec::new();
    let mut expect_name = true;
    for t in &tokens {
        match (&t.kind, expect_name) {
            (TokenKind::Ident(n), true) => names.push(n.clone()),
            (TokenKind::LBracket, true) => continue,
            (TokenKind::Str(n), true) => names.push(n.clone()),
            (TokenKind::RBracket, false) => continue,
            (TokenKind::Comma, false) => {}
            (TokenKind::Eof, false) => break,
            _ => return None,
        }
        if !matches!(t.kind, TokenKind::LBracket | TokenKind::RBracket) {
            expect_name = !expect_name;
        }
    }
    (hide_stage(&names) == stage).then_some(names)
}

fn unquote_ident(text: &str) -> Option<String> {
    let tokens = tokenize(text);
    match tokens.as_slice() {
        [t, eof] if matches!(eof.kind, TokenKind::Eof) => match &t.kind {
            TokenKind::Ident(n) => Some(n.clone()),
            _ => None,
        },
        [l, s, r, eof]
            if matches!(l.kind, TokenKind::LBracket)
                && matches!(r.kind, TokenKind::RBracket)
                && matches!(eof.kind, TokenKind::Eof) =>
        {
            match &s.kind {
                TokenKind::Str(n) => Some(n.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The pipeline of `stages` on one line: `T | where x | take 10`.
pub fn join_stages(stages: &[String]) -> String {
    stages.join(" | ")
}

/// The pipeline with one stage per line, as analysts write it in Defender.
pub fn join_stages_multiline(stages: &[String]) -> String {
    stages.join("\n| ")
}

/// Splits a query at its top-level pipes: `T | where (a | b) | take 1`
/// gives `T`, `where (a | b)`, `take 1`. Pipes inside parentheses, strings
/// and `let` statements stay where they are. Text that does not lex is one
/// stage.
pub fn split_stages(text: &str) -> Vec<String> {
    let tokens = tokenize(text);
    if tokens.iter().any(|t| matches!(t.kind, TokenKind::Error(_))) {
        return vec![text.trim().to_string()];
    }
    // Only pipes after the last top-level `;` split: before it they belong
    // to `let` statements.
    let mut depth = 0i32;
    let mut body_start = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            TokenKind::Semi if depth == 0 => body_start = i + 1,
            _ => {}
        }
    }
    let mut cuts = Vec::new();
    depth = 0;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            TokenKind::Pipe if depth == 0 && i >= body_start => cuts.push(t.span),
            _ => {}
        }
    }
    let mut stages = Vec::new();
    let mut start = 0;
    for cut in cuts {
        stages.push(text[start..cut.start].trim().to_string());
        start = cut.end;
    }
    stages.push(text[start..].trim().to_string());
    stages.retain(|s| !s.is_empty());
    if stages.is_empty() {
        vec![text.trim().to_string()]
    } else {
        stages
    }
}

/// How to run a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Run this text against the catalog as it is.
    Full {
        /// The query.
        text: String,
    },
    /// Run `text` against the catalog with the previous step's cached frame
    /// registered as table `table`: only the new stage does any work.
    Cached {
        /// `T | stage`.
        text: String,
        /// The name the cached frame is registered under.
        table: String,
        /// Where the stage starts in `text`.
        stage_at: usize,
        /// Where the stage starts in the full pipeline.
        full_stage_at: usize,
    },
}

impl Plan {
    /// The text the engine runs.
    pub fn text(&self) -> &str {
        match self {
            Plan::Full { text } | Plan::Cached { text, .. } => text,
        }
    }

    /// Moves an error's span from the text that ran to the full pipeline,
    /// so the caret points at what the analyst sees.
    pub fn map_error(&self, mut err: QueryError) -> QueryError {
        if let (
            Plan::Cached {
                stage_at,
                full_stage_at,
                ..
            },
            Some(span),
        ) = (self, err.span)
        {
            let shift = |o: usize| o.saturating_sub(*stage_at) + full_stage_at;
            err.span = Some(if span.start >= *stage_at {
                Span::new(shift(span.start), shift(span.end.max(span.start)))
            } else {
                Span::new(*full_stage_at, *full_stage_at)
            });
        }
        err
    }
}

/// The plan for appending `stage` to a step whose pipeline is `parent`
/// (never empty). Also returns the full pipeline text.
///
/// The new stage runs on the parent's cached frame, registered under the
/// name of the pipeline's source table so that `$table` (from a piped
/// `search`, or `union withsource`) names the same table a full run would.
/// The whole pipeline runs instead when a cached run could differ: the
/// query has `let` statements the stage may use, or the stage names the
/// source table itself (a self-join would see the filtered rows).
///
/// A syntax error is returned against the full text.
pub fn plan_append(parent: &[String], stage: &str) -> Result<(String, Plan), QueryError> {
    let prev = join_stages(parent);
    let full = if prev.is_empty() {
        stage.to_string()
    } else {
        format!("{prev} | {stage}")
    };
    let query = crate::kql::parser::parse(&full)?;
    if prev.is_empty() || !query.lets.is_empty() {
        return Ok((full.clone(), Plan::Full { text: full }));
    }
    let (source, table) = match &query.body.source {
        Source::Table(id) => {
            let mentions = tokenize(stage).iter().any(|t| match &t.kind {
                TokenKind::Ident(n) | TokenKind::Str(n) => n == &id.name,
                _ => false,
            });
            if mentions {
                return Ok((full.clone(), Plan::Full { text: full }));
            }
            (quote_ident(&id.name), id.name.clone())
        }
        // `(T)` as the source: a pipeline over it has no origin table, as
        // the full run's `search ...`/`union ...` source has none.
        _ => (format!("({STEP_TABLE})"), STEP_TABLE.to_string()),
    };
    let text = format!("{source} | {stage}");
    let plan = Plan::Cached {
        stage_at: source.len() + 3,
        full_stage_at: prev.len() + 3,
        text,
        table,
    };
    Ok((full, plan))
}

/// When `edited` is the current pipeline `current` with stages added at
/// the end, those stages (as one stage text); else `None`.
pub fn appended_part(current: &[String], edited: &str) -> Option<String> {
    if current.is_empty() {
        return None;
    }
    let prev = join_stages(current);
    let edited = edited.trim();
    let after = edited.strip_prefix(prev.as_str())?;
    let pipe_at = prev.len() + (after.len() - after.trim_start().len());
    let rest = after.trim_start().strip_prefix('|')?.trim();
    if rest.is_empty() {
        return None;
    }
    // The pipe must be a real top-level pipe of the edited text, not one
    // inside a comment, a string or parentheses the old text left open.
    let mut depth = 0i32;
    for t in tokenize(edited) {
        match t.kind {
            TokenKind::Pipe if t.span.start == pipe_at => {
                return (depth == 0).then(|| rest.to_string());
            }
            TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
            TokenKind::Error(_) | TokenKind::Eof => return None,
            _ if t.span.start > pipe_at => return None,
            _ => {}
        }
    }
    None
}

/// The table a pipeline starts from, to name what is made of it (export
/// files, pulled tables): the first name of its first stage that is not a
/// keyword, `search TEXT` for a broad search, else `query`; empty for no
/// stages.
pub fn source_label(stages: &[String]) -> String {
    let Some(first) = stages.first() else {
        return String::new();
    };
    for t in tokenize(first) {
        match t.kind {
            TokenKind::Ident(name)
                if !matches!(
                    name.as_str(),
                    "search" | "in" | "union" | "kind" | "let" | "withsource"
                ) =>
            {
                return name;
            }
            TokenKind::Str(s) if first.starts_with("search \"") => {
                return format!("search {s}");
            }
            _ => {}
        }
    }
    "query".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_summarize_by_columns_names_its_groups() {
        let stages = split_stages(
            "let x = 1; NetworkCommunicationEvents | where RemoteIP has '192.168.0.' | summarize count() by RemoteIP, RemotePort | sort by count_ desc | take 10",
        );
        let (keys, base) = summarized_keys(&stages).expect("a summarize");
        assert_eq!(keys, ["RemoteIP", "RemotePort"]);
        assert_eq!(
            join_stages(base),
            "let x = 1; NetworkCommunicationEvents | where RemoteIP has '192.168.0.'"
        );
        // Keys that are expressions or renamed, a summarize without `by`, or
        // a later stage that reshapes the groups: no group to open.
        for text in [
            "T | summarize count() by bin(Timestamp, 1h)",
            "T | summarize count() by Host = DeviceName",
            "T | summarize count()",
            "T | summarize count() by A | project A",
            "T | where A == 1",
            "T",
        ] {
            assert!(summarized_keys(&split_stages(text)).is_none(), "{text}");
        }
    }

    #[test]
    fn idents() {
        assert_eq!(quote_ident("RemoteIP"), "RemoteIP");
        assert_eq!(quote_ident("$table"), "$table");
        assert_eq!(quote_ident("my col"), "['my col']");
        assert_eq!(quote_ident("by"), "['by']");
        assert_eq!(quote_ident("it's"), "['it\\'s']");
        assert_eq!(quote_ident(""), "['']");
        assert_eq!(quote_ident("9lives"), "['9lives']");
    }

    #[test]
    fn strings_are_escaped_and_printable() {
        assert_eq!(string_literal("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            string_literal("\u{1b}[31m\n\u{202e}"),
            r#""\u001b[31m\n\u202e""#
        );
        // The lexer reads them back to the same value.
        for s in ["a\"b\\c", "\u{1b}[31m\r\n\t\u{202e}x", "日本", "'"] {
            let lit = string_literal(s);
            let tokens = tokenize(&lit);
            assert_eq!(tokens[0].kind, TokenKind::Str(s.to_string()), "{lit}");
        }
    }

    #[test]
    fn equalities() {
        assert_eq!(
            equality("RemoteIP", &Scalar::String("192.168.0.255".into()), true),
            r#"RemoteIP == "192.168.0.255""#
        );
        assert_eq!(
            equality("RemotePort", &Scalar::Long(4444), false),
            "RemotePort != 4444"
        );
        assert_eq!(
            equality("T", &Scalar::Null(crate::data::KqlType::Long), true),
            "isnull(T)"
        );
        assert_eq!(
            equality("D", &Scalar::Dynamic(serde_json::json!({"a": 1})), true),
            r#"tostring(D) == "{\"a\":1}""#
        );
        assert_eq!(equality("R", &Scalar::Real(1.5), true), "R == real(1.5)");
        assert_eq!(equality("b", &Scalar::Bool(true), true), "b == true");
    }

    #[test]
    fn frequency_and_group() {
        assert_eq!(
            frequency_stage(&["RemoteIP".into(), "RemotePort".into()]),
            "summarize Count = count() by RemoteIP, RemotePort | sort by Count desc"
        );
        assert_eq!(count_column(&["count".into()]), "Count1");
        assert_eq!(
            group_stage(&[
                ("RemoteIP".into(), Scalar::String("192.168.0.255".into())),
                ("RemotePort".into(), Scalar::Long(4444)),
            ]),
            r#"where RemoteIP == "192.168.0.255" and RemotePort == 4444"#
        );
    }

    #[test]
    fn sort_and_hide_round_trip() {
        for (c, d) in [("A", false), ("my col", true), ("it's", false)] {
            assert_eq!(
                parse_sort_stage(&sort_stage(c, d)),
                Some((c.to_string(), d))
            );
        }
        assert_eq!(parse_sort_stage("sort by A asc, B desc"), None);
        let cols = vec!["A".to_string(), "my col".to_string(), "by".to_string()];
        assert_eq!(parse_hide_stage(&hide_stage(&cols)), Some(cols));
        assert_eq!(parse_hide_stage("project-away A*"), None);
    }

    #[test]
    fn splitting() {
        assert_eq!(
            split_stages("T | where (a | b) == 1 | take 1"),
            vec!["T", "where (a | b) == 1", "take 1"]
        );
        assert_eq!(
            split_stages(r#"T | where x == "a|b""#),
            vec!["T", r#"where x == "a|b""#]
        );
        assert_eq!(
            split_stages("let x = T | take 1; x | count"),
            vec!["let x = T | take 1; x", "count"]
        );
        assert_eq!(split_stages("  "), vec![""]);
        assert_eq!(split_stages("T | \"oops"), vec!["T | \"oops"]);
    }

    #[test]
    fn plans() {
        let parent = vec!["NetworkCommunicationEvents".to_string()];
        let (full, plan) = plan_append(&parent, "where RemotePort == 4444").unwrap();
        assert_eq!(
            full,
            "NetworkCommunicationEvents | where RemotePort == 4444"
        );
        assert_eq!(
            plan,
            Plan::Cached {
                text: "NetworkCommunicationEvents | where RemotePort == 4444".into(),
                table: "NetworkCommunicationEvents".into(),
                stage_at: 29,
                full_stage_at: 29,
            }
        );
        let parent = vec![
            r#"search in (NetworkCommunicationEvents) "192.168.0""#.to_string(),
            "take 5".to_string(),
        ];
        let (_, plan) = plan_append(&parent, "search \"x\"").unwrap();
        assert_eq!(plan.text(), "(__quarry_step) | search \"x\"");
        // Self-references and lets run in full.
        let parent = vec!["T".to_string()];
        let (_, plan) = plan_append(&parent, "join (T | take 1) on A").unwrap();
        assert!(matches!(plan, Plan::Full { .. }));
        let parent = vec!["let n = 3; T".to_string()];
        let (_, plan) = plan_append(&parent, "take n").unwrap();
        assert!(matches!(plan, Plan::Full { .. }));
        // Syntax errors point into the full text.
        let err = plan_append(&["T".to_string()], "where (").unwrap_err();
        assert!(err.span.is_some_and(|s| s.start >= 4));
    }

    #[test]
    fn error_spans_move_to_the_full_text() {
        let parent = vec!["search in (T) \"x\"".to_string(), "take 5".to_string()];
        let (full, plan) = plan_append(&parent, "where Nope == 1").unwrap();
        let at = plan.text().find("Nope").unwrap();
        let err = QueryError::unknown("unknown column", Span::new(at, at + 4));
        let mapped = plan.map_error(err);
        let s = mapped.span.unwrap();
        assert_eq!(&full[s.start..s.end], "Nope");
    }

    #[test]
    fn appends_are_recognised() {
        let cur = vec!["T".to_string(), "where a == 1".to_string()];
        assert_eq!(
            appended_part(&cur, "T | where a == 1 | take 5"),
            Some("take 5".to_string())
        );
        assert_eq!(
            appended_part(&cur, "T | where a == 1| take 5 | count"),
            Some("take 5 | count".to_string())
        );
        assert_eq!(appended_part(&cur, "T | where a == 12 | take 5"), None);
        assert_eq!(appended_part(&cur, "T | where a == 1"), None);
        assert_eq!(appended_part(&[], "T | take 1"), None);
        // A stage that is itself two operators still counts as one.
        let cur = vec![
            "T".to_string(),
            "summarize n = count() by A | sort by n desc".to_string(),
        ];
        assert_eq!(
            appended_part(
                &cur,
                "T | summarize n = count() by A | sort by n desc | take 1"
            ),
            Some("take 1".to_string())
        );
        // After a comment the pipe is not a pipe.
        let cur = vec!["T // note".to_string()];
        assert_eq!(appended_part(&cur, "T // note | take 1"), None);
    }

    #[test]
    fn labels_for_file_names() {
        assert_eq!(
            source_label(&["NetworkCommunicationEvents".into()]),
            "NetworkCommunicationEvents"
        );
        assert_eq!(
            source_label(&["search in (NetworkCommunicationEvents) \"x\"".into()]),
            "NetworkCommunicationEvents"
        );
        assert_eq!(
            source_label(&["search \"192.168.0\"".into()]),
            "search 192.168.0"
        );
        assert_eq!(source_label(&[]), "");
    }
}
