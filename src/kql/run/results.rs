//! Queries with several results. A query makes one table, except when its
//! last operator makes several: `fork` (one per leg), `facet` (the `with`
//! rows, then one table of counts per column), `evaluate preview` (the
//! rows and their count) and `evaluate funnel_sequence` (three tables).
//!
//! [`run_results`] answers with all of them; [`super::run`] (what the
//! workbench, the rules and most callers use) with the first, and
//! [`several_results_note`] says, without running anything, what the
//! first leaves out.

use polars::prelude::*;

use super::{RunOptions, Runner};
use crate::data::catalog::Catalog;
use crate::kql::ast::{Operator, OperatorKind, Pipeline, Query};
use crate::kql::error::QueryError;
use crate::kql::parser::parse;

/// One table of a query's result, with the name it was given (`fork`'s
/// `Name=(...)` or `as Name`, the column a `facet` table counts).
#[derive(Debug, Clone)]
pub struct NamedResult {
    pub name: Option<String>,
    pub frame: DataFrame,
}

/// Parses and runs a query, answering with every table it makes.
pub fn run_results(
    catalog: &Catalog,
    text: &str,
    options: &RunOptions,
) -> Result<Vec<NamedResult>, QueryError> {
    let query = parse(text)?;
    let mut runner = Runner::new(catalog, options);
    runner.bind_lets(&query.lets)?;
    for statement in &query.named {
        runner.bind_statement(statement)?;
    }
    runner
        .pipeline_results(&query.body)?
        .into_iter()
        .map(|r| {
            Ok(NamedResult {
                name: r.name,
                frame: runner.take_max_records(&query, r.frame)?,
            })
        })
        .collect()
}

impl Runner<'_> {
    /// A result cut to the query's `set query_take_max_records = N;`.
    pub(crate) fn take_max_records(
        &self,
        query: &Query,
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        match &query.take_max_records {
            Some(n) => {
                let n = self.count_arg(n, &DataFrame::empty())?;
                Ok(frame.head(Some(n)))
            }
            None => Ok(frame),
        }
    }

    /// Runs a pipeline whose last operator may make several tables.
    pub(crate) fn pipeline_results(&self, p: &Pipeline) -> Result<Vec<NamedResult>, QueryError> {
        match p.ops.split_last() {
            Some((last, rest)) if last.kind.several_results() => {
                let before = Pipeline {
                    source: p.source.clone(),
                    ops: rest.to_vec(),
                    span: p.span,
                };
                let frame = self.pipeline(&before, None)?;
                self.op_several(last, frame)
            }
            _ => Ok(vec![NamedResult {
                name: None,
                frame: self.pipeline(p, None)?,
            }]),
        }
    }
}

/// The tables an operator with several results makes, as a heading
/// for each: its name, else what the documentation calls it.
pub fn result_labels(op: &Operator) -> Vec<String> {
    match &op.kind {
        OperatorKind::Fork(legs) => legs
            .iter()
            .enumerate()
            .map(|(i, leg)| {
                crate::kql::operators::fork_leg_name(leg)
                    .unwrap_or_else(|| format!("leg {}", i + 1))
            })
            .collect(),
        OperatorKind::Facet { columns, with } => with
            .iter()
            .map(|_| "with".to_string())
            .chain(columns.iter().map(|c| c.name.clone()))
            .collect(),
        OperatorKind::Evaluate { plugin, .. } if plugin.name == "preview" => {
            vec!["rows".into(), "count".into()]
        }
        OperatorKind::Evaluate { .. } => vec![
            "prev-sequence-next".into(),
            "prev-sequence".into(),
            "sequence-next".into(),
        ],
        _ => Vec::new(),
    }
}

/// For a query whose last operator makes several tables, that operator
/// (`fork`, `evaluate preview`) and a heading for each table; `None` for
/// any other query (or one that does not parse: its error is reported
/// elsewhere). Nothing is run.
pub fn several_results(text: &str) -> Option<(String, Vec<String>)> {
    let query: Query = parse(text).ok()?;
    let last = query.body.ops.last()?;
    if !last.kind.several_results() {
        return None;
    }
    let what = match &last.kind {
        OperatorKind::Evaluate { plugin, .. } => format!("evaluate {}", plugin.name),
        OperatorKind::Fork(_) => "fork".into(),
        _ => "facet".into(),
    };
    Some((what, result_labels(last)))
}

/// What a caller that shows only the first table of a query should tell
/// the analyst about the others; `None` when there are none.
pub fn several_results_note(text: &str) -> Option<String> {
    let (what, labels) = several_results(text)?;
    Some(format!(
        "{what} makes {} results ({}): shown is the first; `quarry query` prints them all",
        labels.len(),
        labels.join(", ")
    ))
}
