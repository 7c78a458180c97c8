//! `graph-shortest-paths` by breadth-first search, for the common pattern
//! `(a)-[e*min..max]->(b)` (min 0 or 1) whose conditions each read one
//! element: from every start node, the nodes are reached layer by layer,
//! and each target's shortest paths are read back along the edges that
//! first reached it. Other patterns are searched for every path and the
//! shortest kept (see `matching`), which costs far more.

use super::ast::Direction;
use super::model::Graph;
use super::pattern::Plan;
use super::search::{Filters, Limits, Matches, Walks};
use crate::kql::error::QueryError;
use crate::kql::limits::{Growth, Unit};

/// Edges looked at between two looks at the cancel flag.
const CHECK_EVERY: u64 = 1 << 14;

/// Whether the breadth-first search gives the same paths as searching
/// every path: one variable-length edge from 0 or 1 edges long, and
/// every condition turned into a filter.
pub fn applies(plan: &Plan, filters: &Filters) -> bool {
    filters.complete
        && plan.sequences.len() == 1
        && plan.edges.len() == 1
        && plan.edges[0].variable
        && plan.edges[0].min <= 1
        && plan.edges[0].left != plan.edges[0].right
}

const UNSEEN: u32 = u32::MAX;

/// The shortest paths from every allowed start node to every allowed end
/// node: the first found (`all` false) or all of them.
pub fn find(
    graph: &Graph,
    plan: &Plan,
    filters: &Filters,
    all: bool,
    limits: &Limits,
) -> Result<Matches, QueryError> {
    let slot = &plan.edges[0];
    let (from, to) = (slot.left, slot.right);
    let n = graph.node_count();
    let mut out = Matches {
        nodes: vec![Vec::new(); plan.node_slots],
        walks: vec![Walks::default()],
        count: 0,
    };
    let allowed = |mask: &Option<Vec<bool>>, i: u32| mask.as_ref().is_none_or(|m| m[i as usize]);
    let mut dist = vec![UNSEEN; n];
    let mut preds: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    let mut touched: Vec<u32> = Vec::new();
    let mut work = 0u64;
    let mut item_bytes = 0u64;
    for s in 0..n as u32 {
        if !allowed(&filters.nodes[from], s) {
            continue;
        }
        limits.cancel.check()?;
        for &t in &touched {
            dist[t as usize] = UNSEEN;
            preds[t as usize].clear();
        }
        touched.clear();
        dist[s as usize] = 0;
        touched.push(s);
        let mut frontier = vec![s];
        let mut layer = 0u32;
        while !frontier.is_empty() && layer < slot.max {
            layer += 1;
            let mut next = Vec::new();
            for &u in &frontier {
                // Walking on from u makes it an inner node of the path.
                if u != s && !allowed(&filters.inner[0], u) {
                    continue;
                }
                for (e, w) in hops(graph, slot.direction, u) {
                    work += 1;
                    if work.is_multiple_of(CHECK_EVERY) {
                        limits.cancel.check()?;
                    }
                    if !allowed(&filters.edges[0], e) {
                        continue;
                    }
                    let d = &mut dist[w as usize];
                    if *d == UNSEEN {
                        *d = layer;
                        touched.push(w);
                        next.push(w);
                        preds[w as usize].push((e, u));
                    } else if *d == layer && all {
                        preds[w as usize].push((e, u));
                    }
                }
            }
            frontier = next;
        }
        // Targets in the order they were reached.
        for &t in &touched {
            let d = dist[t as usize];
            if d < slot.min || !allowed(&filters.nodes[to], t) {
                continue;
            }
            for (edges, nodes) in paths(t, s, &preds, all) {
                let bytes = 24 + 8 * edges.len() as u64;
                item_bytes = item_bytes.max(bytes);
                let count = out.count as u64 + 1;
                if count.saturating_mul(item_bytes) > limits.budget.bytes() {
                    limits.budget.admit(&Growth {
                        operator: limits.operator,
                        count,
                        unit: Unit::Rows,
                        item_bytes,
                        advice: "it stopped counting there; constrain the start and end nodes in 'where' or use output=any",
                        span: limits.span,
                    })?;
                }
                out.nodes[from].push(s);
                out.nodes[to].push(t);
                let walks = &mut out.walks[0];
                walks.starts.push(walks.edges.len());
                walks.edges.extend(edges);
                walks.nodes.extend(nodes);
                out.count += 1;
            }
        }
    }
    Ok(out)
}

/// The edges of a hop from `u` and the node each reaches, walking the
/// pattern's edge from its left end to its right.
fn hops(g: &Graph, direction: Direction, u: u32) -> Vec<(u32, u32)> {
    let out = g.outgoing[u as usize]
        .iter()
        .map(|&e| (e, g.target[e as usize]));
    let inc = g.incoming[u as usize]
        .iter()
        .filter(|&&e| g.source[e as usize] != g.target[e as usize])
        .map(|&e| (e, g.source[e as usize]));
    match (g.undirected, direction) {
        (true, _) | (false, Direction::Any) => out.chain(inc).collect(),
        (false, Direction::Right) => out.collect(),
        (false, Direction::Left) => g.incoming[u as usize]
            .iter()
            .map(|&e| (e, g.source[e as usize]))
            .collect(),
    }
}

/// The shortest paths from `s` to `t` read back along `preds`, each as
/// its edges and nodes from `s`: the first (`all` false) or every one.
fn paths(t: u32, s: u32, preds: &[Vec<(u32, u32)>], all: bool) -> Vec<(Vec<u32>, Vec<u32>)> {
    let mut found = Vec::new();
    // (node, which predecessor next), walking back from t.
    let mut stack: Vec<(u32, usize)> = vec![(t, 0)];
    let mut edges: Vec<u32> = Vec::new();
    while let Some(&mut (node, ref mut at)) = stack.last_mut() {
        if node == s {
            let mut nodes: Vec<u32> = stack.iter().map(|(n, _)| *n).collect();
            nodes.reverse();
            let mut path = edges.clone();
            path.reverse();
            found.push((path, nodes));
            if !all {
                break;
            }
            stack.pop();
            edges.pop();
            continue;
        }
        match preds[node as usize].get(*at) {
            Some(&(e, back)) => {
                *at += 1;
                edges.push(e);
                stack.push((back, 0));
            }
            None => {
                stack.pop();
                edges.pop();
            }
        }
    }
    found
}
