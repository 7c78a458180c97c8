//! The graph operators that make a table: `graph-match`,
//! `graph-shortest-paths` and `graph-to-table`.

use std::collections::HashMap;

use polars::prelude::*;

use super::ast::{Cycles, Element, GraphMatch, TableExport};
use super::eval::{Context, Lower};
use super::model::Graph;
use super::pattern::Plan;
use super::pushdown;
use super::search::{self, Limits, Matches};
use super::shortest;
use crate::kql::ast::Span;
use crate::kql::error::QueryError;
use crate::kql::operators::{expr_name, fill_strings, unique_name};
use crate::kql::run::Runner;

impl Runner<'_> {
    /// `graph-match` and `graph-shortest-paths`: a row per match that
    /// meets the condition, with the `project` columns.
    pub(super) fn graph_match(
        &self,
        graph: &Graph,
        m: &GraphMatch,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let plan = Plan::new(m)?;
        let cx = Context {
            runner: self,
            graph,
            plan: &plan,
        };
        let filters = pushdown::filters(&cx, m.condition.as_ref())?;
        let operator = if m.shortest.is_some() {
            "graph-shortest-paths"
        } else {
            "graph-match"
        };
        if m.shortest.is_some() {
            check_shortest_pattern(&plan, m)?;
        }
        // A shortest path never passes a node twice.
        let cycles = if m.shortest.is_some() {
            Cycles::None
        } else {
            m.cycles
        };
        let limits = Limits {
            budget: &self.options.budget,
            cancel: self.cancel(),
            operator,
            span,
        };
        // Whether the search already kept only the matches that meet the
        // condition.
        let mut sieved = false;
        let matches = match m.shortest {
            Some(all) if shortest::applies(&plan, &filters) => {
                shortest::find(graph, &plan, &filters, all, &limits)?
            }
            _ => {
                let sieve: Option<search::Sieve> = m.condition.as_ref().map(|condition| {
                    let cx = &cx;
                    Box::new(move |found: &Matches, from: usize| {
                        let rows: Vec<u32> = (from as u32..found.count as u32).collect();
                        let value = Lower::new(cx, found, rows).eval(condition)?;
                        let keep = value.to_bools(found.count - from);
                        Ok((0..found.count - from)
                            .map(|i| keep.get(i) == Some(true))
                            .collect())
                    }) as search::Sieve
                });
                sieved = sieve.is_some();
                search::find(graph, &plan, &filters, cycles, &limits, sieve)?
            }
        };
        let mut rows: Vec<u32> = (0..matches.count as u32).collect();
        if let Some(condition) = m.condition.as_ref().filter(|_| !sieved) {
            let value = Lower::new(&cx, &matches, rows.clone()).eval(condition)?;
            let keep = value.to_bools(rows.len());
            rows = rows
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep.get(*i) == Some(true))
                .map(|(_, r)| r)
                .collect();
        }
        if let Some(all) = m.shortest {
            rows = shortest(&plan, &matches, rows, all);
        }
        self.check_cancel()?;
        let mut columns: Vec<Column> = Vec::with_capacity(m.project.len());
        let mut names: Vec<String> = Vec::new();
        for (i, a) in m.project.iter().enumerate() {
            let name = match a.names.first() {
                Some(n) => n.name.clone(),
                None => graph_function_name(&a.expr)
                    .or_else(|| expr_name(&a.expr))
                    .unwrap_or_else(|| format!("Column{}", i + 1)),
            };
            let name = unique_name(&name, &names);
            let value = Lower::new(&cx, &matches, rows.clone()).eval(&a.expr)?;
            columns.push(value.into_series(&name, rows.len()).into_column());
            names.push(name);
        }
        let frame = DataFrame::new(rows.len(), columns)
            .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?;
        fill_strings(frame, span)
    }

    /// `graph-to-table nodes|edges ...`
    pub(super) fn graph_to_table(
        &self,
        graph: &Graph,
        exports: &[TableExport],
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let [export] = exports else {
            return Err(QueryError::syntax(
                "graph-to-table of both nodes and edges makes two tables, and Quarry shows one result: end this statement with ';' and follow it with the name of the table to see (or ask for nodes or edges alone)",
                span,
            ));
        };
        let runtime = |e: PolarsError| QueryError::runtime(e.to_string(), Some(export.span));
        let mut columns: Vec<Column> = Vec::new();
        let (base, height) = match export.element {
            Element::Nodes => {
                if let Some(id) = &export.node_id {
                    let hashes: Vec<i64> = (0..graph.node_count() as u32)
                        .map(|n| graph.node_hash(n))
                        .collect();
                    columns.push(Column::new(id.name.as_str().into(), hashes));
                }
                (&graph.nodes, graph.node_count())
            }
            Element::Edges => {
                for (id, ends) in [
                    (&export.source_id, &graph.source),
                    (&export.target_id, &graph.target),
                ] {
                    if let Some(id) = id {
                        let hashes: Vec<i64> = ends.iter().map(|&n| graph.node_hash(n)).collect();
                        columns.push(Column::new(id.name.as_str().into(), hashes));
                    }
                }
                (&graph.edges, graph.edge_count())
            }
        };
        for c in base.columns() {
            if columns.iter().any(|k| k.name() == c.name()) {
                continue;
            }
            columns.push(c.clone());
        }
        DataFrame::new(height, columns).map_err(runtime)
    }
}

/// An unnamed `node_degree_out(n)` is named after the function, as
/// node-degree-out.md prints it.
fn graph_function_name(e: &crate::kql::ast::Expr) -> Option<String> {
    match &e.kind {
        crate::kql::ast::ExprKind::Call { name, .. } => {
            let lname = name.name.to_ascii_lowercase();
            ["node_degree_in", "node_degree_out", "node_id", "labels"]
                .contains(&lname.as_str())
                .then_some(lname)
        }
        _ => None,
    }
}

/// graph-shortest-paths takes one sequence with a variable-length edge.
fn check_shortest_pattern(plan: &Plan, m: &GraphMatch) -> Result<(), QueryError> {
    if plan.sequences.len() > 1 {
        return Err(QueryError::syntax(
            "graph-shortest-paths takes one sequence, not several separated by ','",
            m.pattern_span,
        ));
    }
    if !plan.edges.iter().any(|e| e.variable) {
        return Err(QueryError::syntax(
            "graph-shortest-paths needs a variable-length edge in its pattern (as in -[e*1..5]->)",
            m.pattern_span,
        ));
    }
    Ok(())
}

/// Keeps, for each pair of first and last node, the matches of fewest
/// edges: all of them, or the first found.
fn shortest(plan: &Plan, matches: &Matches, rows: Vec<u32>, all: bool) -> Vec<u32> {
    let Some((first, edges)) = plan.sequences.first() else {
        return rows;
    };
    let last = edges.last().map_or(*first, |&e| plan.edges[e].right);
    let length = |m: u32| -> usize {
        matches
            .walks
            .iter()
            .map(|w| {
                if w.is_empty() {
                    0
                } else {
                    w.edges_of(m as usize).len()
                }
            })
            .sum()
    };
    let mut best: HashMap<(u32, u32), usize> = HashMap::new();
    for &m in &rows {
        let pair = (
            matches.nodes[*first][m as usize],
            matches.nodes[last][m as usize],
        );
        let len = length(m);
        best.entry(pair)
            .and_modify(|b| *b = (*b).min(len))
            .or_insert(len);
    }
    let mut taken: HashMap<(u32, u32), bool> = HashMap::new();
    rows.into_iter()
        .filter(|&m| {
            let pair = (
                matches.nodes[*first][m as usize],
                matches.nodes[last][m as usize],
            );
            if best.get(&pair) != Some(&length(m)) {
                return false;
            }
            let seen = taken.entry(pair).or_insert(false);
            let keep = all || !*seen;
            *seen = true;
            keep
        })
        .collect()
}
