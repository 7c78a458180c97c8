//! Queries with several results. A query makes one table, except when it
//! is a batch of several tabular statements (each makes its own), or when
//! a statement's last operator makes several: `fork` (one per leg), `facet`
//! (the `with` rows, then one table of counts per column), `evaluate
//! preview` (the rows and their count) and `evaluate funnel_sequence`
//! (three tables).
//!
//! [`run_results`] answers with all of them (`quarry query` prints them,
//! the workbench switches between them); [`super::run`] (the rules and
//! most callers) with the first; [`several_results`] says, without
//! running anything, what makes them and what each is called.

use std::sync::Arc;

use polars::prelude::*;

use super::{Binding, RunOptions, Runner};
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

/// Parses and runs a query, answering with every table it makes: those
/// of each of its statements in turn (a batch, batches.md), each named by
/// its statement's final `as Name`, by its operator (`fork`'s legs,
/// `facet`'s columns), else, in a batch, `Table N` by its place, as the
/// documentation's tabs call them.
pub fn run_results(
    catalog: &Catalog,
    text: &str,
    options: &RunOptions,
) -> Result<Vec<NamedResult>, QueryError> {
    let query = parse(text)?;
    let mut runner = Runner::new(catalog, options);
    runner.bind_query_lets(&query)?;
    for statement in &query.named {
        runner.bind_statement(statement)?;
    }
    let last = query.more.len();
    let mut out: Vec<NamedResult> = Vec::new();
    for (i, statement) in std::iter::once(&query.body).chain(&query.more).enumerate() {
        if i != 0 && i != last && Query::binds_only(statement) {
            runner.bind_statement(statement)?;
            continue;
        }
        let tables = runner.pipeline_results(statement)?;
        let named_as = final_as(statement);
        // `T | as X;` names its table for the statements after it too.
        if let (Some(name), [table]) = (&named_as, tables.as_slice()) {
            let frame = Arc::new(table.frame.clone());
            runner.scope.insert(name.clone(), Binding::Table(frame));
        }
        for table in tables {
            let name = table
                .name
                .or_else(|| named_as.clone())
                .or_else(|| query.is_batch().then(|| format!("Table {}", out.len() + 1)));
            out.push(NamedResult {
                name,
                frame: runner.take_max_records(&query, table.frame)?,
            });
        }
    }
    Ok(out)
}

/// The name a statement's final `as Name` gives its table.
fn final_as(p: &Pipeline) -> Option<String> {
    match p.ops.last().map(|op| &op.kind) {
        Some(OperatorKind::As(name)) => Some(name.name.clone()),
        _ => None,
    }
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

/// The names [`run_results`] gives the tables of an operator with several
/// results, where the operator gives them one.
fn given_names(op: &Operator) -> Vec<Option<String>> {
    match &op.kind {
        OperatorKind::Fork(legs) => legs
            .iter()
            .map(crate::kql::operators::fork_leg_name)
            .collect(),
        OperatorKind::Evaluate { plugin, .. } if plugin.name == "preview" => vec![None, None],
        _ => result_labels(op).into_iter().map(Some).collect(),
    }
}

/// A heading for each table of a batch, as [`run_results`] names them.
fn batch_labels(query: &Query) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for statement in query.results() {
        let names = match statement.ops.last() {
            Some(op) if op.kind.several_results() => given_names(op),
            _ => vec![final_as(statement)],
        };
        for name in names {
            let label = name.unwrap_or_else(|| format!("Table {}", labels.len() + 1));
            labels.push(label);
        }
    }
    labels
}

/// For a query that makes several tables, what makes them (the batch of
/// statements, or the last operator: `fork`, `evaluate preview`) and a
/// heading for each table; `None` for any other query (or one that does
/// not parse: its error is reported elsewhere). Nothing is run.
pub fn several_results(text: &str) -> Option<(String, Vec<String>)> {
    let query: Query = parse(text).ok()?;
    if query.is_batch() {
        let statements = query.results().count();
        return Some((
            format!("the batch of {statements} statements"),
            batch_labels(&query),
        ));
    }
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
