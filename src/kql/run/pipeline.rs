//! Running a pipeline: its source, then its operators one by one, with
//! the few that read ahead (`sort | take` as `top`, `join | count` from
//! the key counts, `as Name`, a run of graph operators) and the freeing of
//! a cancelled operator's input on another thread.

use std::sync::Arc;

use polars::prelude::*;

use super::{Binding, Runner};
use crate::kql::ast::{self, Pipeline, Source};
use crate::kql::error::{ErrorKind, QueryError};
use crate::kql::limits::Aside;

impl Runner<'_> {
    /// Runs a pipeline; `input` is the piped table for pipelines that are
    /// operator arguments with an implicit input (none here) or `None`.
    pub fn pipeline(
        &self,
        p: &Pipeline,
        input: Option<DataFrame>,
    ) -> Result<DataFrame, QueryError> {
        if input.is_none()
            && let Source::Table(id) = &p.source
            && let Some(graph) = self.scope.graph(&id.name)
        {
            // The graph's pipeline, then the operators that read it.
            let mut ops = graph.ops.clone();
            ops.extend(p.ops.iter().cloned());
            let whole = Pipeline {
                source: graph.source.clone(),
                ops,
                span: p.span,
            };
            return self.pipeline(&whole, None);
        }
        let frame = match (input, &p.source) {
            (Some(f), _) => f,
            // `search "x" | summarize count() by $table` (the workbench's
            // all-table search) needs no column of the hits but `$table`.
            (None, Source::Operator(op)) if counts_per_table(&p.ops) => match &op.kind {
                ast::OperatorKind::Search {
                    case_sensitive,
                    tables,
                    predicate,
                } => self.op_search(*case_sensitive, tables, predicate, op.span, true)?,
                _ => self.source(&p.source)?,
            },
            (None, source) => self.source(source)?,
        };
        // The table a piped `search` names in `$table`.
        let origin = match &p.source {
            Source::Table(id) => Some(id.name.as_str()),
            _ => None,
        };
        self.operators(&p.ops, frame, origin)
    }

    /// Runs `ops` over `frame`. `as Name` binds the frame so far to `Name`
    /// for the rest of the query: the remaining operators (and the
    /// subqueries inside them, `join (Name | ...)`) run in a scope that
    /// holds it, and `Name` is what `union withsource=` calls these rows.
    pub(crate) fn operators<'p>(
        &self,
        ops: &'p [ast::Operator],
        mut frame: DataFrame,
        origin: Option<&'p str>,
    ) -> Result<DataFrame, QueryError> {
        let mut counted = false;
        for (i, op) in ops.iter().enumerate() {
            self.check_cancel()?;
            if counted {
                // The `count` after a join, already answered.
                counted = false;
                continue;
            }
            // A graph flows only between graph operators; the run of them
            // ends in a table, which the rest of the pipeline reads.
            if let ast::OperatorKind::Graph(_) = &op.kind {
                let (frame, used) = self.graph_operators(&ops[i..], frame)?;
                return self.operators(&ops[i + used..], frame, None);
            }
            if let ast::OperatorKind::As(name) = &op.kind {
                let mut scope = self.scope.clone();
                scope.insert(name.name.clone(), Binding::Table(Arc::new(frame.clone())));
                let rest = Runner {
                    catalog: self.catalog,
                    options: self.options,
                    scope,
                    depth: self.depth,
                };
                return rest.operators(&ops[i + 1..], frame, Some(name.name.as_str()));
            }
            // `sort by k | take n` is `top n by k`: only n rows are gathered
            // (the `take` that follows then keeps them all).
            if let ast::OperatorKind::Sort(keys) = &op.kind
                && let Some(ast::Operator {
                    kind: ast::OperatorKind::Take(n),
                    ..
                }) = ops.get(i + 1)
            {
                frame = self.op_top(n, keys, frame)?;
                continue;
            }
            // `join ... | count` is answered from the key counts, without
            // building the joined rows (which may not fit in memory).
            if let Some(ast::Operator {
                kind: ast::OperatorKind::Count,
                ..
            }) = ops.get(i + 1)
            {
                match &op.kind {
                    ast::OperatorKind::Join {
                        kind, right, on, ..
                    } => {
                        frame = self.op_join(*kind, right, on, frame, true, op.span)?;
                        counted = true;
                        continue;
                    }
                    ast::OperatorKind::Lookup { kind, right, on } => {
                        frame = self.op_lookup(*kind, right, on, frame, true, op.span)?;
                        counted = true;
                        continue;
                    }
                    _ => {}
                }
            }
            frame = self.operator_freeing_aside(op, frame, origin)?;
        }
        Ok(frame)
    }

    /// Runs one operator. Should it be cancelled, what it read is freed on
    /// another thread: the input of the last stages can be gigabytes (the
    /// ten million rows an mv-expand made), and unmapping them took up to
    /// 190 ms after the cancel was noticed, time the analyst waits for.
    fn operator_freeing_aside(
        &self,
        op: &ast::Operator,
        frame: DataFrame,
        origin: Option<&str>,
    ) -> Result<DataFrame, QueryError> {
        // mv-expand frees its input as soon as it has gathered the rows it
        // repeats (its peak memory would otherwise hold both), and sets its
        // own output aside on a cancel.
        if matches!(op.kind, ast::OperatorKind::MvExpand { .. }) {
            return self.operator(op, frame, origin);
        }
        // Shares every column: on a cancel, the columns' last reference.
        let input = frame.clone();
        let out = self.operator(op, frame, origin);
        if out.as_ref().is_err_and(|e| e.kind == ErrorKind::Cancelled) {
            drop(Aside::new(input));
        }
        out
    }
}

/// Whether `ops` begin by counting rows, per `$table` at most (`count`, or
/// `summarize [N =] count() [by $table]`), so no other column is read.
fn counts_per_table(ops: &[ast::Operator]) -> bool {
    use ast::{ExprKind, OperatorKind};
    match ops.first().map(|op| &op.kind) {
        Some(OperatorKind::Count) => true,
        Some(OperatorKind::Summarize {
            options,
            aggregates,
            by,
        }) => {
            options.is_empty()
                && !aggregates.is_empty()
                && aggregates.iter().all(|a| {
                    matches!(&a.expr.kind, ExprKind::Call { name, args }
                        if name.name == "count" && args.is_empty())
                })
                && by
                    .iter()
                    .all(|b| matches!(&b.expr.kind, ExprKind::Name(n) if n == "$table"))
        }
        _ => false,
    }
}
