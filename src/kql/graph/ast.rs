//! The syntax of Kusto's graph operators: `make-graph`, `graph-match`,
//! `graph-shortest-paths`, `graph-to-table` and `graph-mark-components`.

use crate::kql::ast::{Assignment, Expr, Ident, Operator, Pipeline, Span};

/// One graph operator, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphOp {
    MakeGraph(MakeGraph),
    /// `graph-match`, or `graph-shortest-paths` when `shortest` is set.
    Match(GraphMatch),
    ToTable(Vec<TableExport>),
    /// `graph-mark-components [kind=weak|strong] [with_component_id=Name]`
    MarkComponents {
        strong: bool,
        id: Option<Ident>,
    },
}

impl GraphOp {
    /// The operator's name, as messages name it.
    pub fn name(&self) -> &'static str {
        match self {
            GraphOp::MakeGraph(_) => "make-graph",
            GraphOp::Match(m) if m.shortest.is_some() => "graph-shortest-paths",
            GraphOp::Match(_) => "graph-match",
            GraphOp::ToTable(_) => "graph-to-table",
            GraphOp::MarkComponents { .. } => "graph-mark-components",
        }
    }
}

/// `make-graph Src --> Dst [with T1 on c1, T2 on c2 | with_node_id=Name]
/// [partitioned-by Col (graph operators)]`
#[derive(Debug, Clone, PartialEq)]
pub struct MakeGraph {
    pub source: Ident,
    pub target: Ident,
    /// `--` rather than `-->`: every edge can be walked both ways.
    pub undirected: bool,
    /// The node tables and their id columns.
    pub nodes: Vec<(Pipeline, Ident)>,
    /// `with_node_id=Name`: the node id becomes a property of that name.
    pub node_id: Option<Ident>,
    /// `partitioned-by Col (ops)`: one graph per value of `Col`.
    pub partition: Option<(Ident, Vec<Operator>)>,
}

/// Which repeated elements a match may hold (`cycles=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cycles {
    /// No edge twice (the default).
    UniqueEdges,
    /// No node twice along a sequence.
    None,
    All,
}

/// `graph-match [cycles=c] pattern [where cond] project ...`, and
/// `graph-shortest-paths [output=any|all] pattern where cond project ...`.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphMatch {
    pub cycles: Cycles,
    /// `Some(all)` for graph-shortest-paths: every shortest path of each
    /// pair (`output=all`) or one (`output=any`, the default).
    pub shortest: Option<bool>,
    pub sequences: Vec<Sequence>,
    pub condition: Option<Expr>,
    pub project: Vec<Assignment>,
    pub pattern_span: Span,
}

/// `(a)-[e]->(b)<--(c)`: a node, then edges each followed by a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    pub first: NodePattern,
    pub rest: Vec<(EdgePattern, NodePattern)>,
}

/// `(name)` or `()`.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePattern {
    pub name: Option<Ident>,
    pub span: Span,
}

/// How an edge of a pattern runs between the nodes either side of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `-->`: from the left node to the right one.
    Right,
    /// `<--`
    Left,
    /// `--`
    Any,
}

/// `-[name*min..max]->` and the other edge forms.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgePattern {
    pub name: Option<Ident>,
    pub direction: Direction,
    /// `*min..max`: a variable-length edge.
    pub length: Option<(u32, u32)>,
    pub span: Span,
}

/// What `graph-to-table` exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Element {
    Nodes,
    Edges,
}

/// `nodes [as N] [with_node_id=C]` or `edges [as E] [with_source_id=S]
/// [with_target_id=T]`.
#[derive(Debug, Clone, PartialEq)]
pub struct TableExport {
    pub element: Element,
    pub alias: Option<Ident>,
    pub node_id: Option<Ident>,
    pub source_id: Option<Ident>,
    pub target_id: Option<Ident>,
    pub span: Span,
}
