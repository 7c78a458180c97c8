//! Kusto's graph semantics: `make-graph` turns a table of edges (and
//! tables of nodes) into a graph, a value only graph operators accept;
//! `graph-mark-components` marks it; `graph-match`,
//! `graph-shortest-paths` and `graph-to-table` turn it back into a table
//! the rest of the pipeline reads.

/// The graph operators' syntax.
pub mod ast;
mod components;
/// `where` and `project` over matches, and the graph functions.
pub mod eval;
mod matching;
mod model;
mod pattern;
mod pushdown;
mod search;
mod shortest;

use polars::prelude::*;

use self::ast::{GraphOp, MakeGraph};
use self::model::{Graph, GraphSource};
use crate::kql::ast::{Operator, OperatorKind, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;

pub use eval::FUNCTIONS;

/// The operators a graph may be piped into.
const GRAPH_OPERATORS: &str =
    "graph-match, graph-shortest-paths, graph-to-table or graph-mark-components";

impl Runner<'_> {
    /// Runs `ops`, which start with a graph operator: `make-graph` and the
    /// graph operators after it, up to the one that makes a table. Returns
    /// that table and how many operators it took.
    pub(crate) fn graph_operators(
        &self,
        ops: &[Operator],
        frame: DataFrame,
    ) -> Result<(DataFrame, usize), QueryError> {
        let Some(first) = ops.first() else {
            return Ok((frame, 0));
        };
        let OperatorKind::Graph(op) = &first.kind else {
            return Ok((frame, 0));
        };
        let GraphOp::MakeGraph(spec) = op.as_ref() else {
            return Err(self.graph_out_of_place(op, first.span));
        };
        if let Some((column, body)) = &spec.partition {
            let table = self.partitioned(spec, column, body, frame, first.span)?;
            return Ok((table, 1));
        }
        let graph = self.make_graph(spec, frame, None, first.span)?;
        let (table, used) = self.on_graph(graph, &ops[1..], first.span)?;
        Ok((table, used + 1))
    }

    /// The error for a graph operator with no graph before it.
    pub(crate) fn graph_out_of_place(&self, op: &GraphOp, span: Span) -> QueryError {
        match op {
            GraphOp::MakeGraph(_) => QueryError::syntax(
                "make-graph cannot be used here: its graph must be piped into graph-match, graph-shortest-paths, graph-to-table or graph-mark-components",
                span,
            ),
            _ => QueryError::syntax(
                format!(
                    "{} needs a graph: put it after make-graph (it cannot read a table)",
                    op.name()
                ),
                span,
            ),
        }
    }

    /// Runs graph operators over `graph` until one makes a table.
    fn on_graph(
        &self,
        mut graph: Graph,
        ops: &[Operator],
        made_at: Span,
    ) -> Result<(DataFrame, usize), QueryError> {
        let mut last = made_at;
        for (i, op) in ops.iter().enumerate() {
            self.check_cancel()?;
            let OperatorKind::Graph(g) = &op.kind else {
                return Err(QueryError::syntax(
                    format!(
                        "'{}' cannot read a graph: only {GRAPH_OPERATORS} can (graph-to-table makes a table of it)",
                        operator_word(op)
                    ),
                    op_name_span(op),
                ));
            };
            match g.as_ref() {
                GraphOp::MakeGraph(_) => {
                    return Err(QueryError::syntax(
                        "make-graph needs a table of edges, not a graph",
                        op_name_span(op),
                    ));
                }
                GraphOp::MarkComponents { strong, id } => {
                    let name = id.as_ref().map_or("ComponentId", |i| i.name.as_str());
                    graph.mark_components(*strong, name, self.cancel(), op.span)?;
                    last = op.span;
                }
                GraphOp::ToTable(exports) => {
                    return Ok((self.graph_to_table(&graph, exports, op.span)?, i + 1));
                }
                GraphOp::Match(m) => {
                    return Ok((self.graph_match(&graph, m, op.span)?, i + 1));
                }
            }
        }
        Err(QueryError::syntax(
            format!("the query ends with a graph: pipe it into {GRAPH_OPERATORS}"),
            Span::new(last.start, last.end),
        ))
    }

    /// Builds the graph of `make-graph`; `only` keeps the node rows whose
    /// partition column holds that value.
    fn make_graph(
        &self,
        spec: &MakeGraph,
        edges: DataFrame,
        only: Option<(&str, &crate::kql::value::Scalar)>,
        span: Span,
    ) -> Result<Graph, QueryError> {
        let mut nodes = Vec::with_capacity(spec.nodes.len());
        for (pipeline, id) in &spec.nodes {
            let mut frame = self.pipeline(pipeline, None)?;
            if let Some((column, value)) = only {
                frame = keep_value(&frame, column, value, pipeline.span)?;
            }
            nodes.push((frame, id));
        }
        Graph::build(
            GraphSource {
                edges,
                source: &spec.source,
                target: &spec.target,
                undirected: spec.undirected,
                nodes,
                node_id: spec.node_id.as_ref(),
            },
            self.cancel(),
            span,
        )
    }

    /// `make-graph ... partitioned-by Col (ops)`: a graph per value of
    /// `Col` (in the order the edges first show it), `ops` run on each,
    /// the tables put one after another.
    fn partitioned(
        &self,
        spec: &MakeGraph,
        column: &crate::kql::ast::Ident,
        body: &[Operator],
        edges: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let values = model::column(&edges, column, "the edges")?.clone();
        let mut seen: Vec<crate::kql::value::Scalar> = Vec::new();
        for i in 0..values.len() {
            let v = crate::kql::value::Scalar::from_series(&values, i);
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        let mut out: Option<DataFrame> = None;
        for value in &seen {
            self.check_cancel()?;
            let part = keep_value(&edges, &column.name, value, column.span)?;
            let graph = self.make_graph(spec, part, Some((&column.name, value)), span)?;
            let (table, used) = self.on_graph(graph, body, span)?;
            if used < body.len() {
                return Err(QueryError::syntax(
                    "the operators of partitioned-by must end with the graph operator that makes the table",
                    body[used].span,
                ));
            }
            match &mut out {
                None => out = Some(table),
                Some(o) => {
                    o.vstack_mut(&table)
                        .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?;
                }
            }
        }
        match out {
            Some(o) => Ok(o),
            None => {
                // No edges: run the operators once on the empty graph, for
                // the columns of an empty result.
                let graph = self.make_graph(spec, edges.clear(), None, span)?;
                Ok(self.on_graph(graph, body, span)?.0)
            }
        }
    }
}

impl Runner<'_> {
    /// The named tables of a statement ending with `graph-to-table nodes
    /// as N, edges as E`: the statement runs once per table.
    pub(crate) fn graph_tables(
        &self,
        p: &crate::kql::ast::Pipeline,
    ) -> Result<Vec<(String, DataFrame)>, QueryError> {
        let Some(last) = p.ops.last() else {
            return Ok(Vec::new());
        };
        let OperatorKind::Graph(g) = &last.kind else {
            return Ok(Vec::new());
        };
        let GraphOp::ToTable(exports) = g.as_ref() else {
            return Ok(Vec::new());
        };
        let mut tables = Vec::with_capacity(exports.len());
        for export in exports {
            let Some(alias) = &export.alias else {
                continue;
            };
            let mut one = p.clone();
            let n = one.ops.len() - 1;
            one.ops[n] = Operator {
                kind: OperatorKind::Graph(Box::new(GraphOp::ToTable(vec![export.clone()]))),
                span: last.span,
            };
            tables.push((alias.name.clone(), self.pipeline(&one, None)?));
        }
        Ok(tables)
    }
}

/// Whether `graph(...)` at the head of a pipeline is Kusto's reference to
/// a stored graph model (not a `let` function of that name).
pub(crate) fn is_graph_model(name: &str, scope: &crate::kql::run::Scope) -> bool {
    name == "graph" && scope.get(name).is_none()
}

/// `graph("Model")` reads a graph model kept by a cluster.
pub fn graph_model_error(span: Span) -> QueryError {
    QueryError::new(
        crate::kql::error::ErrorKind::Unsupported,
        "graph() reads a graph model stored on a cluster, which Quarry (offline) does not have: build the graph from tables with make-graph",
        Some(span),
    )
}

/// Whether a pipeline's result is a graph: it ends with make-graph or
/// graph-mark-components after make-graph, or reads a graph `let`
/// (`is_graph`) through graph-mark-components only.
pub fn makes_graph(p: &crate::kql::ast::Pipeline, is_graph: impl Fn(&str) -> bool) -> bool {
    let keeps_graph = |op: &Operator| {
        matches!(&op.kind, OperatorKind::Graph(g)
            if matches!(g.as_ref(), GraphOp::MarkComponents { .. }))
    };
    match p.ops.iter().rposition(|op| {
        matches!(&op.kind, OperatorKind::Graph(g)
            if matches!(g.as_ref(), GraphOp::MakeGraph(m) if m.partition.is_none()))
    }) {
        Some(made) => p.ops[made + 1..].iter().all(keeps_graph),
        None => {
            matches!(&p.source, crate::kql::ast::Source::Table(id) if is_graph(&id.name))
                && p.ops.iter().all(keeps_graph)
        }
    }
}

/// The rows of `frame` whose `column` holds `value`.
fn keep_value(
    frame: &DataFrame,
    column: &str,
    value: &crate::kql::value::Scalar,
    span: Span,
) -> Result<DataFrame, QueryError> {
    let Ok(c) = frame.column(column) else {
        return Err(QueryError::unknown(
            format!("partitioned-by needs the column '{column}' in the edges and every node table"),
            span,
        ));
    };
    let c = c.as_materialized_series();
    let mask: BooleanChunked = (0..c.len())
        .map(|i| Some(&crate::kql::value::Scalar::from_series(c, i) == value))
        .collect();
    frame
        .filter(&mask)
        .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))
}

/// The operator's name as written, for messages.
fn operator_word(op: &Operator) -> &'static str {
    use OperatorKind as K;
    match &op.kind {
        K::Where(_) => "where",
        K::Search { .. } => "search",
        K::Project(_) => "project",
        K::ProjectAway(_) => "project-away",
        K::ProjectKeep(_) => "project-keep",
        K::ProjectByNames(_) => "project-by-names",
        K::ProjectRename(_) => "project-rename",
        K::ProjectReorder(_) => "project-reorder",
        K::Extend(_) => "extend",
        K::Summarize { .. } => "summarize",
        K::Sort(_) => "sort",
        K::Top { .. } => "top",
        K::Take(_) => "take",
        K::TopNested(_) => "top-nested",
        K::Distinct(_) => "distinct",
        K::Count => "count",
        K::Join { .. } => "join",
        K::Lookup { .. } => "lookup",
        K::Union { .. } => "union",
        K::MvExpand { .. } => "mv-expand",
        K::Invoke { .. } => "invoke",
        K::As(_) => "as",
        K::Serialize(_) => "serialize",
        K::Render(_) => "render",
        K::GetSchema => "getschema",
        K::Parse { .. } => "parse",
        K::Sample(_) => "sample",
        K::MvApply { .. } => "mv-apply",
        K::Evaluate { .. } => "evaluate",
        K::MakeSeries { .. } => "make-series",
        K::ParseKv(_) => "parse-kv",
        K::ParseWhere { .. } => "parse-where",
        K::Scan(_) => "scan",
        K::Partition { .. } => "partition",
        K::Reduce { .. } => "reduce",
        K::Datatable { .. }
        | K::Print(_)
        | K::Range { .. }
        | K::ExternalData { .. }
        | K::InlineExternalTable(_) => "this operator",
        K::Graph(g) => g.name(),
        K::Fork(_) => "fork",
        K::Facet { .. } => "facet",
        K::SampleDistinct { .. } => "sample-distinct",
        K::TopHitters { .. } => "top-hitters",
        K::Consume => "consume",
        K::Find(_) => "find",
        K::MacroExpand(_) => "macro-expand",
    }
}

/// The span of the operator's name, for the caret.
fn op_name_span(op: &Operator) -> Span {
    use OperatorKind as K;
    let word = operator_word(op);
    // Names with aliases (filter, order, limit, mvexpand) may be written
    // at another length: the caret covers the whole operator then.
    let aliased = matches!(
        op.kind,
        K::Where(_) | K::Sort(_) | K::Take(_) | K::MvExpand { .. } | K::MvApply { .. }
    );
    if aliased || word.contains(' ') || op.span.end - op.span.start < word.len() {
        return op.span;
    }
    Span::new(op.span.start, op.span.start + word.len())
}
