//! The parts of a `where` that read one element alone
//! (`mallory.name == "Mallory"`, `attacks.edge_type == "attacks"`,
//! `all(e, line == "red")`, `all(inner_nodes(e), wifi)`) are evaluated
//! once over the graph's nodes or edges before the search, so it never
//! walks into an element no match could hold. The whole condition is
//! still evaluated on every match afterwards: this only prunes.

use std::collections::BTreeSet;

use super::eval::{Context, Lower};
use super::model::Graph;
use super::pattern::{Plan, Var};
use super::search::{Filters, Matches, Walks};
use crate::kql::ast::{BinaryOp, Expr, ExprKind};
use crate::kql::error::QueryError;

/// The filters a condition implies.
pub fn filters(cx: &Context, condition: Option<&Expr>) -> Result<Filters, QueryError> {
    let mut filters = Filters::new(cx.plan);
    let Some(condition) = condition else {
        return Ok(filters);
    };
    let mut parts = Vec::new();
    conjuncts(condition, &mut parts);
    for part in parts {
        let vars = referenced(cx.plan, part);
        let [var] = vars.into_iter().collect::<Vec<_>>()[..] else {
            filters.complete = false;
            continue;
        };
        match var {
            Var::Node(s) => {
                let matches = every_node(cx.graph, cx.plan, s);
                let mask = mask_of(cx, &matches, part)?;
                merge(&mut filters.nodes[s], mask);
            }
            Var::Edge(e) if !cx.plan.edges[e].variable => {
                let matches = every_edge(cx.graph, cx.plan, e);
                let mask = mask_of(cx, &matches, part)?;
                merge(&mut filters.edges[e], mask);
            }
            Var::Edge(e) => {
                // `all(e, cond)` and `all(inner_nodes(e), cond)`, whose
                // condition reads the element alone.
                let ExprKind::Call { name, args } = &part.kind else {
                    filters.complete = false;
                    continue;
                };
                let [walk, inner] = args.as_slice() else {
                    filters.complete = false;
                    continue;
                };
                if !name.name.eq_ignore_ascii_case("all") || !referenced(cx.plan, inner).is_empty()
                {
                    filters.complete = false;
                    continue;
                }
                let nodes = matches!(&walk.kind, ExprKind::Call { name, .. }
                    if name.name.eq_ignore_ascii_case("inner_nodes"));
                let matches = if nodes {
                    every_node_walk(cx.graph, cx.plan, e)
                } else {
                    every_edge(cx.graph, cx.plan, e)
                };
                let mask = mask_of(cx, &matches, part)?;
                if nodes {
                    merge(&mut filters.inner[e], mask);
                } else {
                    merge(&mut filters.edges[e], mask);
                }
            }
        }
    }
    Ok(filters)
}

fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary {
            op: BinaryOp::And,
            left,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        _ => out.push(e),
    }
}

/// The pattern variables an expression reads. Inside `all()`, `any()`
/// and `map()`, bare names are the elements' properties, not variables.
fn referenced(plan: &Plan, e: &Expr) -> BTreeSet<Var> {
    let mut found = BTreeSet::new();
    visit(plan, e, &mut found);
    found
}

fn visit(plan: &Plan, e: &Expr, found: &mut BTreeSet<Var>) {
    match &e.kind {
        ExprKind::Name(n) => {
            if let Some(v) = plan.vars.get(n) {
                found.insert(*v);
            }
        }
        ExprKind::Call { name, args }
            if ["all", "any", "map"].contains(&name.name.to_ascii_lowercase().as_str())
                && args.len() == 2 =>
        {
            visit(plan, &args[0], found);
            visit_members(plan, &args[1], found);
        }
        _ => {
            for child in children(e) {
                visit(plan, child, found);
            }
        }
    }
}

/// Inside `all()`/`map()`: only `v.Prop` names a variable.
fn visit_members(plan: &Plan, e: &Expr, found: &mut BTreeSet<Var>) {
    if let ExprKind::Member { target, .. } = &e.kind
        && let ExprKind::Name(n) = &target.kind
        && let Some(v) = plan.vars.get(n)
    {
        found.insert(*v);
        return;
    }
    if let ExprKind::Call { args, .. } = &e.kind {
        // node_degree_in(n) and friends name a variable too.
        for a in args {
            if let ExprKind::Name(n) = &a.kind
                && let Some(v) = plan.vars.get(n)
            {
                found.insert(*v);
            }
        }
    }
    for child in children(e) {
        visit_members(plan, child, found);
    }
}

/// The expressions directly inside `e`.
fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Negate(x) | ExprKind::Member { target: x, .. } => vec![x],
        ExprKind::NamedArg { value, .. } => vec![value],
        ExprKind::Binary { left, right, .. } | ExprKind::StringOp { left, right, .. } => {
            vec![left, right]
        }
        ExprKind::List { left, items, .. } => {
            let mut v: Vec<&Expr> = vec![left];
            v.extend(items.iter());
            v
        }
        ExprKind::Between {
            value, low, high, ..
        } => vec![value, low, high],
        ExprKind::Call { args, .. } | ExprKind::Tuple(args) => args.iter().collect(),
        ExprKind::Index { target, index } => vec![target, index],
        ExprKind::Literal(_)
        | ExprKind::Name(_)
        | ExprKind::Star
        | ExprKind::SearchTerm { .. }
        | ExprKind::Tabular(_) => Vec::new(),
    }
}

/// Matches in which node slot `s` is each node in turn.
fn every_node(g: &Graph, plan: &Plan, s: usize) -> Matches {
    let mut m = empty(plan);
    m.nodes[s] = (0..g.node_count() as u32).collect();
    m.count = g.node_count();
    m
}

/// Matches in which edge slot `e` is each edge in turn.
fn every_edge(g: &Graph, plan: &Plan, e: usize) -> Matches {
    let mut m = empty(plan);
    let mut walks = Walks::default();
    for (i, (&s, &t)) in g.source.iter().zip(&g.target).enumerate() {
        walks.starts.push(i);
        walks.edges.push(i as u32);
        walks.nodes.extend([s, t]);
    }
    m.walks[e] = walks;
    m.count = g.edge_count();
    m
}

/// Matches in which the one inner node of edge slot `e` is each node in
/// turn (a walk of two edges, whose edges nothing reads).
fn every_node_walk(g: &Graph, plan: &Plan, e: usize) -> Matches {
    let mut m = empty(plan);
    let mut walks = Walks::default();
    for n in 0..g.node_count() as u32 {
        walks.starts.push(2 * n as usize);
        walks.edges.extend([0, 0]);
        walks.nodes.extend([n, n, n]);
    }
    m.walks[e] = walks;
    m.count = g.node_count();
    m
}

fn empty(plan: &Plan) -> Matches {
    Matches {
        nodes: vec![Vec::new(); plan.node_slots],
        walks: vec![Walks::default(); plan.edges.len()],
        count: 0,
    }
}

/// Where `part` holds, over every row of `matches`.
fn mask_of(cx: &Context, matches: &Matches, part: &Expr) -> Result<Vec<bool>, QueryError> {
    let rows: Vec<u32> = (0..matches.count as u32).collect();
    let mut lower = Lower::new(cx, matches, rows);
    let value = lower.eval(part)?;
    let bools = value.to_bools(matches.count);
    Ok((0..matches.count)
        .map(|i| bools.get(i) == Some(true))
        .collect())
}

fn merge(slot: &mut Option<Vec<bool>>, mask: Vec<bool>) {
    match slot {
        None => *slot = Some(mask),
        Some(old) => {
            for (o, m) in old.iter_mut().zip(mask) {
                *o = *o && m;
            }
        }
    }
}
