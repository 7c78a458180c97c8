//! The `where` and `project` of `graph-match` over its matches. An
//! expression is rewritten so every graph reference (`n.Prop`, a bare
//! variable, `all()`, `any()`, `map()`, `node_degree_in()`, ...) becomes
//! a column computed for the rows at hand, and the ordinary evaluator
//! runs the rest. `all()`, `any()` and `map()` evaluate their expression
//! once per element (edge or inner node) of every match's walk, over
//! rows that repeat each match once per element.

use std::collections::HashMap;

use polars::prelude::*;
use serde_json::Value as Json;

use super::model::Graph;
use super::pattern::{Plan, Var};
use super::search::Matches;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, Ident, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

/// The graph functions of `where` and `project` (what `quarry check`
/// accepts there besides the ordinary functions).
pub const FUNCTIONS: &[&str] = &[
    "all",
    "any",
    "map",
    "inner_nodes",
    "labels",
    "node_degree_in",
    "node_degree_out",
    "node_id",
];

/// What expressions of one operator read.
pub struct Context<'a> {
    pub runner: &'a Runner<'a>,
    pub graph: &'a Graph,
    pub plan: &'a Plan,
}

/// The elements `all()`, `any()` or `map()` run over, one row each.
struct Elements {
    /// Inner nodes rather than edges.
    nodes: bool,
    ids: Vec<u32>,
    /// The variable, for messages.
    var: String,
}

/// One set of rows: each a match (repeated per element inside `all()`).
pub struct Lower<'a> {
    cx: &'a Context<'a>,
    matches: &'a Matches,
    rows: Vec<u32>,
    elements: Option<Elements>,
    columns: Vec<Column>,
    cache: HashMap<String, String>,
}

impl<'a> Lower<'a> {
    /// Rows for the matches `rows` of `matches`.
    pub fn new(cx: &'a Context<'a>, matches: &'a Matches, rows: Vec<u32>) -> Lower<'a> {
        Lower {
            cx,
            matches,
            rows,
            elements: None,
            columns: Vec::new(),
            cache: HashMap::new(),
        }
    }

    /// Evaluates `e` over the rows.
    pub fn eval(&mut self, e: &Expr) -> Result<Val, QueryError> {
        let lowered = self.lower(e)?;
        let frame = DataFrame::new(self.rows.len(), self.columns.clone())
            .map_err(|err| QueryError::runtime(err.to_string(), Some(e.span)))?;
        self.cx.runner.eval(&lowered, &frame)
    }

    fn height(&self) -> usize {
        self.rows.len()
    }

    /// Keeps a computed column under an internal name, and names it.
    fn add(&mut self, key: String, series: Series, span: Span) -> Expr {
        let name = format!("\u{1}graph{}", self.columns.len());
        self.columns
            .push(series.with_name(name.as_str().into()).into_column());
        self.cache.insert(key, name.clone());
        Expr {
            kind: ExprKind::Name(name),
            span,
        }
    }

    fn cached(&self, key: &str, span: Span) -> Option<Expr> {
        self.cache.get(key).map(|name| Expr {
            kind: ExprKind::Name(name.clone()),
            span,
        })
    }

    fn lower(&mut self, e: &Expr) -> Result<Expr, QueryError> {
        let span = e.span;
        let kind = match &e.kind {
            ExprKind::Name(n) => return self.name(n, span),
            ExprKind::Member { target, name } => {
                if let ExprKind::Name(v) = &target.kind
                    && let Some(var) = self.var(v)
                {
                    return self.property(var, v, name);
                }
                ExprKind::Member {
                    target: Box::new(self.lower(target)?),
                    name: name.clone(),
                }
            }
            ExprKind::Call { name, args } => {
                let lname = name.name.to_ascii_lowercase();
                if FUNCTIONS.contains(&lname.as_str()) {
                    return self.graph_function(&lname, name, args, span);
                }
                ExprKind::Call {
                    name: name.clone(),
                    args: self.lower_all(args)?,
                }
            }
            ExprKind::Negate(x) => ExprKind::Negate(Box::new(self.lower(x)?)),
            ExprKind::Binary { op, left, right } => ExprKind::Binary {
                op: *op,
                left: Box::new(self.lower(left)?),
                right: Box::new(self.lower(right)?),
            },
            ExprKind::StringOp { op, left, right } => ExprKind::StringOp {
                op: *op,
                left: Box::new(self.lower(left)?),
                right: Box::new(self.lower(right)?),
            },
            ExprKind::List { op, left, items } => ExprKind::List {
                op: *op,
                left: Box::new(self.lower(left)?),
                items: self.lower_all(items)?,
            },
            ExprKind::Between {
                negated,
                value,
                low,
                high,
            } => ExprKind::Between {
                negated: *negated,
                value: Box::new(self.lower(value)?),
                low: Box::new(self.lower(low)?),
                high: Box::new(self.lower(high)?),
            },
            ExprKind::Index { target, index } => ExprKind::Index {
                target: Box::new(self.lower(target)?),
                index: Box::new(self.lower(index)?),
            },
            ExprKind::Tuple(items) => ExprKind::Tuple(self.lower_all(items)?),
            ExprKind::NamedArg { name, value } => ExprKind::NamedArg {
                name: name.clone(),
                value: Box::new(self.lower(value)?),
            },
            ExprKind::Literal(_)
            | ExprKind::Star
            | ExprKind::SearchTerm { .. }
            | ExprKind::Tabular(_) => e.kind.clone(),
        };
        Ok(Expr { kind, span })
    }

    fn lower_all(&mut self, items: &[Expr]) -> Result<Vec<Expr>, QueryError> {
        items.iter().map(|i| self.lower(i)).collect()
    }

    fn var(&self, name: &str) -> Option<Var> {
        self.cx.plan.vars.get(name).copied()
    }

    /// The properties of the elements being walked, if any.
    fn element_frame(&self) -> Option<&DataFrame> {
        let el = self.elements.as_ref()?;
        Some(if el.nodes {
            &self.cx.graph.nodes
        } else {
            &self.cx.graph.edges
        })
    }

    /// A bare name: an element's property inside `all()`/`map()`, a
    /// variable (its properties as a bag), or a `let` value.
    fn name(&mut self, n: &str, span: Span) -> Result<Expr, QueryError> {
        let bare = Expr {
            kind: ExprKind::Name(n.to_string()),
            span,
        };
        if let Some(frame) = self.element_frame()
            && let Ok(c) = frame.column(n)
        {
            let key = format!("element.{n}");
            if let Some(e) = self.cached(&key, span) {
                return Ok(e);
            }
            let ids = &self
                .elements
                .as_ref()
                .map(|el| el.ids.clone())
                .unwrap_or_default();
            let series = take(c.as_materialized_series(), ids, span)?;
            return Ok(self.add(key, series, span));
        }
        if let Some(var) = self.var(n) {
            let key = format!("{n}.*");
            if let Some(e) = self.cached(&key, span) {
                return Ok(e);
            }
            let series = self.whole(var)?;
            return Ok(self.add(key, series, span));
        }
        if self.cx.runner.scope.get(n).is_some() {
            return Ok(bare);
        }
        Err(self.unknown(n, span))
    }

    fn unknown(&self, n: &str, span: Span) -> QueryError {
        if let (Some(el), Some(frame)) = (&self.elements, self.element_frame()) {
            let what = if el.nodes { "inner nodes" } else { "edges" };
            let names: Vec<&str> = frame
                .get_column_names()
                .into_iter()
                .map(|s| s.as_str())
                .collect();
            return QueryError::unknown(
                format!(
                    "'{n}' is not a property of the {what} of '{}'{}",
                    el.var,
                    did_you_mean(n, names)
                ),
                span,
            );
        }
        let names = self.cx.plan.names();
        QueryError::unknown(
            format!(
                "unknown variable '{n}': the pattern names {}{}",
                if names.is_empty() {
                    "no variables".to_string()
                } else {
                    names.join(", ")
                },
                did_you_mean(n, names.iter().copied())
            ),
            span,
        )
    }

    /// The node of node slot `s` in each row.
    fn nodes_of(&self, s: usize) -> Vec<u32> {
        self.rows
            .iter()
            .map(|&m| self.matches.nodes[s][m as usize])
            .collect()
    }

    /// `v.Prop`: a node's or edge's property; an array of them along a
    /// variable-length edge.
    fn property(&mut self, var: Var, v: &str, prop: &Ident) -> Result<Expr, QueryError> {
        let span = prop.span;
        let key = format!("{v}.{}", prop.name);
        if let Some(e) = self.cached(&key, span) {
            return Ok(e);
        }
        let g = self.cx.graph;
        let (frame, what) = match var {
            Var::Node(_) => (&g.nodes, "node"),
            Var::Edge(_) => (&g.edges, "edge"),
        };
        let Ok(column) = frame.column(&prop.name) else {
            let names: Vec<&str> = frame
                .get_column_names()
                .into_iter()
                .map(|s| s.as_str())
                .collect();
            let listed = if names.is_empty() {
                "it has none".to_string()
            } else {
                format!("its properties: {}", names.join(", "))
            };
            return Err(QueryError::unknown(
                format!(
                    "the {what} '{v}' has no property '{}' ({listed}){}",
                    prop.name,
                    did_you_mean(&prop.name, names.iter().copied())
                ),
                span,
            ));
        };
        let column = column.as_materialized_series();
        let series = match var {
            Var::Node(s) => take(column, &self.nodes_of(s), span)?,
            Var::Edge(e) if !self.cx.plan.edges[e].variable => {
                let ids: Vec<u32> = self
                    .rows
                    .iter()
                    .map(|&m| self.matches.walks[e].edges_of(m as usize)[0])
                    .collect();
                take(column, &ids, span)?
            }
            Var::Edge(e) => {
                let mut values: Vec<Scalar> = Vec::with_capacity(self.height());
                for (i, &m) in self.rows.iter().enumerate() {
                    self.tick(i)?;
                    let items = self.matches.walks[e]
                        .edges_of(m as usize)
                        .iter()
                        .map(|&id| Scalar::from_series(column, id as usize).to_json())
                        .collect();
                    values.push(Scalar::Dynamic(Json::Array(items)));
                }
                scalars_to_series("", KqlType::Dynamic, values)
            }
        };
        Ok(self.add(key, series, span))
    }

    /// A variable on its own: a node or edge as a property bag, a
    /// variable-length edge as an array of them.
    fn whole(&self, var: Var) -> Result<Series, QueryError> {
        let g = self.cx.graph;
        let bag = |frame: &DataFrame, i: u32| {
            let map: serde_json::Map<String, Json> = frame
                .columns()
                .iter()
                .map(|c| {
                    let v = Scalar::from_series(c.as_materialized_series(), i as usize);
                    (c.name().to_string(), v.to_json())
                })
                .collect();
            Json::Object(map)
        };
        let mut values: Vec<Scalar> = Vec::with_capacity(self.height());
        for (i, &m) in self.rows.iter().enumerate() {
            self.tick(i)?;
            let m = m as usize;
            values.push(Scalar::Dynamic(match var {
                Var::Node(s) => bag(&g.nodes, self.matches.nodes[s][m]),
                Var::Edge(e) if !self.cx.plan.edges[e].variable => {
                    bag(&g.edges, self.matches.walks[e].edges_of(m)[0])
                }
                Var::Edge(e) => Json::Array(
                    self.matches.walks[e]
                        .edges_of(m)
                        .iter()
                        .map(|&id| bag(&g.edges, id))
                        .collect(),
                ),
            }));
        }
        Ok(scalars_to_series("", KqlType::Dynamic, values))
    }

    /// Looks at the cancel flag every so many rows of a row-by-row loop.
    fn tick(&self, i: usize) -> Result<(), QueryError> {
        if i.is_multiple_of(1 << 14) {
            self.cx.runner.check_cancel()?;
        }
        Ok(())
    }

    fn graph_function(
        &mut self,
        lname: &str,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> Result<Expr, QueryError> {
        match lname {
            "all" | "any" | "map" => self.over_walk(lname, name, args, span),
            "inner_nodes" => Err(QueryError::type_error(
                "inner_nodes() can only be the first argument of all(), any() or map()",
                name.span,
            )),
            _ => self.node_function(lname, name, args, span),
        }
    }

    /// `node_degree_in(n)`, `node_degree_out(n)`, `node_id(n)`,
    /// `labels(x)`; without an argument inside `all()`/`any()`/`map()`,
    /// of each element.
    fn node_function(
        &mut self,
        lname: &str,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> Result<Expr, QueryError> {
        let g = self.cx.graph;
        let ids: Vec<u32> = match args {
            [] => match &self.elements {
                Some(el) if el.nodes => el.ids.clone(),
                Some(el) if lname == "labels" => el.ids.clone(),
                _ => {
                    return Err(QueryError::type_error(
                        format!(
                            "{lname}() needs a node variable, or is used without one inside all(), any() or map() over inner_nodes()"
                        ),
                        name.span,
                    ));
                }
            },
            [arg] => match &arg.kind {
                ExprKind::Name(v) => match self.var(v) {
                    Some(Var::Node(s)) => self.nodes_of(s),
                    Some(Var::Edge(_)) if lname == "labels" => vec![0; self.height()],
                    Some(Var::Edge(_)) => {
                        return Err(QueryError::type_error(
                            format!("{lname}() takes a node variable, and '{v}' is an edge"),
                            arg.span,
                        ));
                    }
                    None => return Err(self.unknown(v, arg.span)),
                },
                _ => {
                    return Err(QueryError::type_error(
                        format!("{lname}() takes a variable of the pattern"),
                        arg.span,
                    ));
                }
            },
            _ => {
                return Err(QueryError::type_error(
                    format!("{lname}() takes at most one argument, a variable of the pattern"),
                    span,
                ));
            }
        };
        let series = match lname {
            "node_degree_in" => Series::new(
                "".into(),
                ids.iter().map(|&n| g.degree_in(n)).collect::<Vec<_>>(),
            ),
            "node_degree_out" => Series::new(
                "".into(),
                ids.iter().map(|&n| g.degree_out(n)).collect::<Vec<_>>(),
            ),
            "node_id" => Series::new(
                "".into(),
                ids.iter()
                    .map(|&n| g.keys[n as usize].to_text().into_owned())
                    .collect::<Vec<_>>(),
            ),
            // Graphs made by make-graph carry no labels (only graph models
            // do), so every element's labels are an empty array.
            _ => scalars_to_series(
                "",
                KqlType::Dynamic,
                vec![Scalar::Dynamic(Json::Array(Vec::new())); ids.len()],
            ),
        };
        let key = format!("{lname}#{}", self.columns.len());
        Ok(self.add(key, series, span))
    }

    /// `all(e, cond)`, `any(e, cond)`, `map(e, expr)`, and their
    /// `inner_nodes(e)` forms.
    fn over_walk(
        &mut self,
        lname: &str,
        name: &Ident,
        args: &[Expr],
        span: Span,
    ) -> Result<Expr, QueryError> {
        if self.elements.is_some() {
            return Err(QueryError::type_error(
                format!("{lname}() cannot be used inside all(), any() or map()"),
                name.span,
            ));
        }
        let usage = || {
            QueryError::type_error(
                format!(
                    "{lname}() takes a variable-length edge of the pattern (or inner_nodes() of one) and an expression"
                ),
                span,
            )
        };
        let [walk, inner] = args else {
            return Err(usage());
        };
        let (nodes, var) = match &walk.kind {
            ExprKind::Name(v) => (false, v),
            ExprKind::Call { name: f, args } if f.name.eq_ignore_ascii_case("inner_nodes") => {
                match args.as_slice() {
                    [
                        Expr {
                            kind: ExprKind::Name(v),
                            ..
                        },
                    ] => (true, v),
                    _ => return Err(usage()),
                }
            }
            _ => return Err(usage()),
        };
        let slot = match self.var(var) {
            Some(Var::Edge(e)) if self.cx.plan.edges[e].variable => e,
            Some(_) => {
                return Err(QueryError::type_error(
                    format!(
                        "{lname}() needs a variable-length edge (as in -[{var}*1..3]->), and '{var}' is not one"
                    ),
                    walk.span,
                ));
            }
            None => return Err(self.unknown(var, walk.span)),
        };
        let walks = &self.matches.walks[slot];
        let mut owners: Vec<u32> = Vec::new();
        let mut ids: Vec<u32> = Vec::new();
        let mut counts: Vec<usize> = Vec::with_capacity(self.height());
        for (i, &m) in self.rows.iter().enumerate() {
            self.tick(i)?;
            let elements = if nodes {
                // A walk of no edges has no inner nodes.
                let all = walks.nodes_of(m as usize);
                all.get(1..all.len().saturating_sub(1)).unwrap_or(&[])
            } else {
                walks.edges_of(m as usize)
            };
            counts.push(elements.len());
            ids.extend_from_slice(elements);
            owners.extend(std::iter::repeat_n(m, elements.len()));
        }
        let mut child = Lower::new(self.cx, self.matches, owners);
        child.elements = Some(Elements {
            nodes,
            ids,
            var: var.clone(),
        });
        let value = child.eval(inner)?;
        let total = child.height();
        let series = aggregate(lname, &value, &counts, total);
        let key = format!("{lname}#{}", self.columns.len());
        Ok(self.add(key, series, span))
    }
}

/// Folds one value per element into one per row: `counts[r]` elements
/// belong to row `r`, in order.
fn aggregate(lname: &str, value: &Val, counts: &[usize], total: usize) -> Series {
    let mut at = 0usize;
    match lname {
        "map" => {
            let values: Vec<Scalar> = counts
                .iter()
                .map(|&n| {
                    let items = (at..at + n).map(|i| value.get(i).to_json()).collect();
                    at += n;
                    Scalar::Dynamic(Json::Array(items))
                })
                .collect();
            scalars_to_series("", KqlType::Dynamic, values)
        }
        _ => {
            let bools = value.to_bools(total);
            let all = lname == "all";
            let out: Vec<bool> = counts
                .iter()
                .map(|&n| {
                    let mut hits = (at..at + n).map(|i| bools.get(i) == Some(true));
                    at += n;
                    if all {
                        hits.all(|b| b)
                    } else {
                        hits.any(|b| b)
                    }
                })
                .collect();
            Series::new("".into(), out)
        }
    }
}

/// Rows `ids` of `column`, in that order.
pub fn take(column: &Series, ids: &[u32], span: Span) -> Result<Series, QueryError> {
    let idx = IdxCa::from_vec("".into(), ids.iter().map(|&i| i as IdxSize).collect());
    column
        .take(&idx)
        .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))
}
