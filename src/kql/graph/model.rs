//! The graph `make-graph` builds: nodes and edges, each with the
//! properties of the row it came from, and the adjacency the pattern
//! search walks.

use std::collections::HashMap;

use polars::prelude::*;

use crate::data::types::KqlType;
use crate::kql::ast::{Ident, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::functions::{hash::value_hash, scalars_to_series};
use crate::kql::limits::Cancel;
use crate::kql::operators::fill_strings;
use crate::kql::value::Scalar;

/// Rows read between two looks at the cancel flag.
const CHECK_EVERY: usize = 1 << 16;

/// A graph: a value only graph operators accept.
#[derive(Clone)]
pub struct Graph {
    /// One row per node: its properties (the columns of the node tables,
    /// or the `with_node_id` property).
    pub nodes: DataFrame,
    /// The id of each node, as the edges and node tables wrote it.
    pub keys: Vec<Scalar>,
    /// One row per edge: the row of the edge table it came from.
    pub edges: DataFrame,
    pub source: Vec<u32>,
    pub target: Vec<u32>,
    /// The edges leaving and entering each node.
    pub outgoing: Vec<Vec<u32>>,
    pub incoming: Vec<Vec<u32>>,
    /// Built with `--`: every edge can be walked either way.
    pub undirected: bool,
}

/// How a node id is compared: ints and longs of equal value are the same
/// node; other types by their text.
#[derive(Clone, PartialEq, Eq, Hash)]
enum NodeKey {
    Number(i64),
    Text(KqlType, String),
}

impl NodeKey {
    /// `None` for a null id (such an edge has no end to attach to).
    fn of(s: &Scalar) -> Option<NodeKey> {
        match s {
            _ if s.is_null() => None,
            Scalar::Int(v) => Some(NodeKey::Number(i64::from(*v))),
            Scalar::Long(v) => Some(NodeKey::Number(*v)),
            other => Some(NodeKey::Text(other.kind(), other.to_text().into_owned())),
        }
    }
}

/// The tables and columns a graph is built from.
pub struct GraphSource<'a> {
    pub edges: DataFrame,
    pub source: &'a Ident,
    pub target: &'a Ident,
    pub undirected: bool,
    /// Node tables, each with its id column.
    pub nodes: Vec<(DataFrame, &'a Ident)>,
    pub node_id: Option<&'a Ident>,
}

/// A column of `frame`, or an error naming the closest one.
pub fn column<'f>(
    frame: &'f DataFrame,
    name: &Ident,
    what: &str,
) -> Result<&'f Series, QueryError> {
    frame
        .column(&name.name)
        .map(|c| c.as_materialized_series())
        .map_err(|_| {
            let names: Vec<&str> = frame
                .get_column_names()
                .into_iter()
                .map(|s| s.as_str())
                .collect();
            QueryError::unknown(
                format!(
                    "unknown column '{}' in {what}{}",
                    name.name,
                    did_you_mean(&name.name, names)
                ),
                name.span,
            )
        })
}

impl Graph {
    /// Builds the graph: the node tables' rows first, in order (rows with
    /// the same id are one node), then the edges' ends no node table has.
    pub fn build(src: GraphSource, cancel: Cancel, span: Span) -> Result<Graph, QueryError> {
        let sources = column(&src.edges, src.source, "the edges")?.clone();
        let targets = column(&src.edges, src.target, "the edges")?.clone();
        let mut index: HashMap<NodeKey, u32> = HashMap::new();
        let mut keys: Vec<Scalar> = Vec::new();
        // Per node table, the row each node was first given by.
        let mut table_rows: Vec<Vec<Option<IdxSize>>> = Vec::new();
        for (frame, id) in &src.nodes {
            let ids = column(frame, id, "the node table")?;
            let mut rows: Vec<Option<IdxSize>> = Vec::new();
            for r in 0..ids.len() {
                if r.is_multiple_of(CHECK_EVERY) {
                    cancel.check()?;
                }
                let value = Scalar::from_series(ids, r);
                let Some(key) = NodeKey::of(&value) else {
                    continue;
                };
                let n = *index.entry(key).or_insert_with(|| {
                    keys.push(value);
                    (keys.len() - 1) as u32
                }) as usize;
                if rows.len() <= n {
                    rows.resize(n + 1, None);
                }
                let slot = &mut rows[n];
                if slot.is_none() {
                    *slot = Some(r as IdxSize);
                }
            }
            table_rows.push(rows);
        }
        let from_tables = keys.len();
        let mut source = Vec::with_capacity(sources.len());
        let mut target = Vec::with_capacity(sources.len());
        let mut kept_edges: Vec<IdxSize> = Vec::with_capacity(sources.len());
        for r in 0..sources.len() {
            if r.is_multiple_of(CHECK_EVERY) {
                cancel.check()?;
            }
            let mut ends = [0u32; 2];
            let mut whole = true;
            for (k, column) in [&sources, &targets].into_iter().enumerate() {
                let value = Scalar::from_series(column, r);
                let Some(key) = NodeKey::of(&value) else {
                    whole = false;
                    break;
                };
                ends[k] = *index.entry(key).or_insert_with(|| {
                    keys.push(value);
                    (keys.len() - 1) as u32
                });
            }
            if whole {
                source.push(ends[0]);
                target.push(ends[1]);
                kept_edges.push(r as IdxSize);
            }
        }
        let count = keys.len();
        let edges = if kept_edges.len() == src.edges.height() {
            src.edges.clone()
        } else {
            let idx = IdxCa::from_vec("".into(), kept_edges);
            crate::kql::operators::gather(&src.edges, &idx, cancel, span)?
        };
        let key_kind = sources.dtype();
        let key_kind = KqlType::of(key_kind).unwrap_or(KqlType::Dynamic);
        let nodes = node_properties(&src, &table_rows, &keys, from_tables, key_kind, span)?;
        let mut outgoing = vec![Vec::new(); count];
        let mut incoming = vec![Vec::new(); count];
        for (e, (&s, &t)) in source.iter().zip(&target).enumerate() {
            outgoing[s as usize].push(e as u32);
            incoming[t as usize].push(e as u32);
        }
        Ok(Graph {
            nodes,
            keys,
            edges,
            source,
            target,
            outgoing,
            incoming,
            undirected: src.undirected,
        })
    }

    /// How many nodes the graph has.
    pub fn node_count(&self) -> usize {
        self.keys.len()
    }

    /// How many edges the graph has.
    pub fn edge_count(&self) -> usize {
        self.source.len()
    }

    /// Edges entering a node (all of its edges in an undirected graph).
    pub fn degree_in(&self, n: u32) -> i64 {
        let n = n as usize;
        if self.undirected {
            (self.incoming[n].len() + self.outgoing[n].len()) as i64
        } else {
            self.incoming[n].len() as i64
        }
    }

    /// Edges leaving a node (all of its edges in an undirected graph).
    pub fn degree_out(&self, n: u32) -> i64 {
        let n = n as usize;
        if self.undirected {
            (self.incoming[n].len() + self.outgoing[n].len()) as i64
        } else {
            self.outgoing[n].len() as i64
        }
    }

    /// The node's hash, as `graph-to-table ... with_node_id=` exports it
    /// (Kusto's `hash()` of the id).
    pub fn node_hash(&self, n: u32) -> i64 {
        value_hash(&self.keys[n as usize]).map_or(0, |h| h as i64)
    }

    /// `graph-mark-components`: numbers the components 0, 1, ... in the
    /// order of their first node, and sets the property `name` of every
    /// node to its component.
    pub fn mark_components(
        &mut self,
        strong: bool,
        name: &str,
        cancel: Cancel,
        span: Span,
    ) -> Result<(), QueryError> {
        let raw = if strong && !self.undirected {
            super::components::strong(self, cancel)?
        } else {
            super::components::weak(self, cancel)?
        };
        // Renumber by first node, so ids read 0, 1, 2 down the nodes.
        let mut renumber: HashMap<u32, i64> = HashMap::new();
        let ids: Vec<i64> = raw
            .iter()
            .map(|c| {
                let next = renumber.len() as i64;
                *renumber.entry(*c).or_insert(next)
            })
            .collect();
        let column = Series::new(name.into(), ids);
        self.nodes
            .with_column(column.into_column())
            .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?;
        Ok(())
    }
}

/// The node properties: the node tables' columns (a node in several tables
/// takes the first non-null value of each), or the `with_node_id` column.
fn node_properties(
    src: &GraphSource,
    table_rows: &[Vec<Option<IdxSize>>],
    keys: &[Scalar],
    from_tables: usize,
    key_kind: KqlType,
    span: Span,
) -> Result<DataFrame, QueryError> {
    let count = keys.len();
    let runtime = |e: PolarsError| QueryError::runtime(e.to_string(), Some(span));
    if let Some(id) = src.node_id {
        let column = scalars_to_series(&id.name, key_kind, keys.to_vec());
        return DataFrame::new(count, vec![column.into_column()]).map_err(runtime);
    }
    let mut columns: Vec<Series> = Vec::new();
    for (t, (frame, id)) in src.nodes.iter().enumerate() {
        let mut rows = table_rows[t].clone();
        rows.resize(count, None);
        let idx: IdxCa = rows.into_iter().collect();
        for c in frame.columns() {
            let mut taken = c.as_materialized_series().take(&idx).map_err(runtime)?;
            // A node only the edges name still has its id, under the first
            // node table's id column.
            if t == 0 && c.name().as_str() == id.name && from_tables < count {
                let ids = scalars_to_series(c.name(), key_kind, keys.to_vec());
                let ids = ids.cast(taken.dtype()).unwrap_or(ids);
                if ids.dtype() == taken.dtype() {
                    let missing: BooleanChunked =
                        (0..count).map(|n| Some(n >= from_tables)).collect();
                    taken = ids.zip_with(&missing, &taken).map_err(runtime)?;
                }
            }
            match columns.iter_mut().find(|s| s.name() == c.name()) {
                None => columns.push(taken),
                Some(earlier) => {
                    let Ok(later) = taken.cast(earlier.dtype()) else {
                        return Err(QueryError::type_error(
                            format!(
                                "the node tables hold '{}' as different types ({} and {})",
                                c.name(),
                                earlier.dtype(),
                                taken.dtype()
                            ),
                            span,
                        ));
                    };
                    let missing = earlier.is_null();
                    *earlier = later.zip_with(&missing, earlier).map_err(runtime)?;
                }
            }
        }
    }
    let frame = DataFrame::new(
        count,
        columns.into_iter().map(|s| s.into_column()).collect(),
    )
    .map_err(runtime)?;
    fill_strings(frame, span)
}
