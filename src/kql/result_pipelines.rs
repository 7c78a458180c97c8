//! The query behind each table of a query that makes several.
//!
//! KQL allows no operator after `fork`, `facet` or `evaluate preview`, nor
//! after a batch's statements, so a workbench step that shows one of their
//! tables cannot simply append the analyst's next filter. It continues
//! instead from the query that makes that table alone: for
//! `T | where A | fork (count) (take 5)`, the second table is
//! `T | where A | take 5`; for the batch `T | as X; X | count`, the second
//! is `let X = T;\nX | count`. Those queries are written here, from the
//! text's own spans, so they read as the analyst wrote them.

use super::ast::{Operator, OperatorKind, Pipeline, Query};
use super::parser::parse;
use super::quote::quote_ident;

/// For each table the query in `text` makes, the query that makes that
/// table alone (`None` for a table no single query gives, like
/// `funnel_sequence`'s). `None` when the query makes one table or does
/// not parse.
pub fn result_pipelines(text: &str) -> Option<Vec<Option<String>>> {
    let query: Query = parse(text).ok()?;
    if query.is_batch() {
        return Some(batch_pipelines(&query, text));
    }
    let last = query.body.ops.last()?;
    if !last.kind.several_results() {
        return None;
    }
    // Everything before the operator: the `let`s, the source, the stages.
    let before = text.get(..last.span.start)?.trim_end();
    let before = before.strip_suffix('|').unwrap_or(before).trim_end();
    let then = |ops: &[Operator]| -> Option<String> {
        match (ops.first(), ops.last()) {
            (Some(first), Some(last)) => {
                let stages = text.get(first.span.start..last.span.end)?;
                Some(format!("{before} | {}", stages.trim()))
            }
            _ => Some(before.to_string()),
        }
    };
    let pipelines = match &last.kind {
        OperatorKind::Fork(legs) => legs.iter().map(|leg| then(&leg.ops)).collect(),
        OperatorKind::Facet { columns, with } => with
            .iter()
            .map(|ops| then(ops))
            .chain(columns.iter().map(|c| {
                Some(format!(
                    "{before} | summarize {} = count() by {}",
                    quote_ident(&format!("count_{}", c.name)),
                    quote_ident(&c.name)
                ))
            }))
            .collect(),
        OperatorKind::Evaluate { plugin, args, .. } if plugin.name == "preview" => {
            let rows = args
                .first()
                .and_then(|n| text.get(n.span.start..n.span.end))
                .map(|n| format!("{before} | take {}", n.trim()));
            vec![rows, Some(format!("{before} | count"))]
        }
        // funnel_sequence's tables come from one pass over the rows; no
        // single KQL query makes one of them.
        _ => super::run::result_labels(last)
            .iter()
            .map(|_| None)
            .collect(),
    };
    Some(pipelines)
}

/// The query behind each table of a batch: the `let`s (and `restrict`)
/// in front, each earlier statement that names its table (`T | as X;`)
/// as a `let X = T;`, then the statement, or each of its tables' queries
/// when it makes several.
fn batch_pipelines(query: &Query, text: &str) -> Vec<Option<String>> {
    let first = query.statements().next().map_or(0, |s| s.span.start);
    let head = text.get(..first).unwrap_or("");
    // Tables a graph statement names (`... nodes as N, edges as E;`) have
    // no `let` form: what follows such a statement has no query alone.
    let mut opaque = !query.named.is_empty();
    let mut named = String::new();
    let mut out = Vec::new();
    let last = query.more.len();
    for (i, statement) in std::iter::once(&query.body).chain(&query.more).enumerate() {
        if i != 0 && i != last && Query::binds_only(statement) {
            opaque = true;
            continue;
        }
        let tables = match statement.ops.last() {
            Some(op) if op.kind.several_results() => super::run::result_labels(op).len(),
            _ => 1,
        };
        let own = text.get(statement.span.start..statement.span.end);
        let pipelines = match own {
            Some(own) if !opaque => {
                let alone = format!("{head}{named}{own}");
                result_pipelines(&alone).unwrap_or_else(|| vec![Some(alone)])
            }
            _ => Vec::new(),
        };
        out.extend(
            pipelines
                .into_iter()
                .chain(std::iter::repeat(None))
                .take(tables),
        );
        if let (1, Some((name, value))) = (tables, named_table(statement, text)) {
            named.push_str(&format!("let {} = {value};\n", quote_ident(name)));
        }
    }
    out
}

/// For a statement ending in `| as Name`, the name and the text before
/// the `as`.
fn named_table<'a>(statement: &'a Pipeline, text: &'a str) -> Option<(&'a str, &'a str)> {
    let last = statement.ops.last()?;
    let OperatorKind::As(name) = &last.kind else {
        return None;
    };
    let before = text.get(statement.span.start..last.span.start)?.trim_end();
    let before = before.strip_suffix('|').unwrap_or(before).trim_end();
    Some((name.name.as_str(), before))
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;
    use crate::data::catalog::Catalog;
    use crate::kql::{RunOptions, run, run_results};

    const EVENTS: &str = "datatable(Host:string, Port:long) \
        ['a', 80, 'b', 443, 'a', 443, 'c', 22]";

    /// Each table's own query gives exactly that table.
    fn assert_each_table_has_its_query(text: &str, expected: &[Option<&str>]) {
        let catalog = Catalog::default();
        let options = RunOptions::default();
        let pipelines = result_pipelines(text).expect("several results");
        assert_eq!(
            pipelines,
            expected
                .iter()
                .map(|p| p.map(str::to_string))
                .collect::<Vec<_>>()
        );
        let results = run_results(&catalog, text, &options).expect("runs");
        assert_eq!(results.len(), pipelines.len());
        for (result, pipeline) in results.iter().zip(&pipelines) {
            if let Some(p) = pipeline {
                let alone: DataFrame = run(&catalog, p, &options).expect("its query runs");
                assert!(alone.equals_missing(&result.frame), "{p}");
            }
        }
    }

    #[test]
    fn fork_legs_continue_from_the_stages_before_fork() {
        let text = format!(
            "let min = 50;\n{EVENTS}\n| where Port > min\n| fork (summarize n = count() by Host | sort by Host asc) Web = (where Port == 443 | as W)"
        );
        let before = format!("let min = 50;\n{EVENTS}\n| where Port > min");
        assert_each_table_has_its_query(
            &text,
            &[
                Some(&format!(
                    "{before} | summarize n = count() by Host | sort by Host asc"
                )),
                Some(&format!("{before} | where Port == 443 | as W")),
            ],
        );
    }

    #[test]
    fn facet_counts_are_summarize_by_their_column() {
        let text = format!("{EVENTS} | facet by Host, Port with (where Port == 22)");
        assert_each_table_has_its_query(
            &text,
            &[
                Some(&format!("{EVENTS} | where Port == 22")),
                Some(&format!(
                    "{EVENTS} | summarize count_Host = count() by Host"
                )),
                Some(&format!(
                    "{EVENTS} | summarize count_Port = count() by Port"
                )),
            ],
        );
    }

    #[test]
    fn preview_is_its_first_rows_and_their_count() {
        let text = format!("{EVENTS} | evaluate preview(2)");
        assert_each_table_has_its_query(
            &text,
            &[
                Some(&format!("{EVENTS} | take 2")),
                Some(&format!("{EVENTS} | count")),
            ],
        );
    }

    #[test]
    fn funnel_sequence_tables_have_no_query_of_their_own() {
        let text = "datatable(t:datetime, u:string, e:string) \
            [datetime(2024-01-01), 'x', 'a', datetime(2024-01-02), 'x', 'b'] \
            | evaluate funnel_sequence(u, t, datetime(2024-01-01), datetime(2024-01-03), 1d, 1d, e, dynamic(['a']))";
        assert_eq!(result_pipelines(text), Some(vec![None, None, None]));
    }

    #[test]
    fn batch_statements_are_queries_of_their_own() {
        let text = format!(
            "let big = 100;\n{EVENTS} | where Port > big | as Web;\nWeb | count;\n{EVENTS} | fork (take 1) (count)"
        );
        let web = format!("{EVENTS} | where Port > big");
        assert_each_table_has_its_query(
            &text,
            &[
                Some(&format!("let big = 100;\n{web} | as Web")),
                Some(&format!("let big = 100;\nlet Web = {web};\nWeb | count")),
                Some(&format!(
                    "let big = 100;\nlet Web = {web};\n{EVENTS} | take 1"
                )),
                Some(&format!(
                    "let big = 100;\nlet Web = {web};\n{EVENTS} | count"
                )),
            ],
        );
    }

    #[test]
    fn a_query_with_one_table_or_bad_text_has_none() {
        assert_eq!(result_pipelines(&format!("{EVENTS} | count")), None);
        assert_eq!(result_pipelines("T | fork ("), None);
    }
}
