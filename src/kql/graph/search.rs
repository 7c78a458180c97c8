//! Finding every match of a pattern in a graph: a depth-first search over
//! the pattern's steps, each variable-length edge walked without
//! recursion, with the `where` conditions that test one element at a
//! time applied while walking, and the memory budget and cancel flag
//! looked at as matches pile up.

use super::ast::{Cycles, Direction};
use super::model::Graph;
use super::pattern::{Plan, Step};
use crate::kql::ast::Span;
use crate::kql::error::QueryError;
use crate::kql::limits::{Budget, Cancel, Growth, Unit};

/// Steps of the walk between two looks at the cancel flag.
const CHECK_EVERY: u64 = 1 << 14;

/// Which elements may stand for each part of the pattern, from the
/// `where` conditions that read one element alone (`None`: any).
#[derive(Default, Clone)]
pub struct Filters {
    pub nodes: Vec<Option<Vec<bool>>>,
    pub edges: Vec<Option<Vec<bool>>>,
    /// The nodes a variable-length edge may pass through.
    pub inner: Vec<Option<Vec<bool>>>,
    /// Every part of the condition became one of these filters.
    pub complete: bool,
}

impl Filters {
    /// No filter yet: every element may stand for every part.
    pub fn new(plan: &Plan) -> Filters {
        Filters {
            nodes: vec![None; plan.node_slots],
            edges: vec![None; plan.edges.len()],
            inner: vec![None; plan.edges.len()],
            complete: true,
        }
    }
}

fn allowed(mask: &Option<Vec<bool>>, i: u32) -> bool {
    mask.as_ref().is_none_or(|m| m[i as usize])
}

/// The walks one edge slot took in every match: its edges and the nodes
/// along them (one more than the edges), left to right as the pattern is
/// written.
#[derive(Default, Clone)]
pub struct Walks {
    pub starts: Vec<usize>,
    pub edges: Vec<u32>,
    pub nodes: Vec<u32>,
}

impl Walks {
    /// How many matches' walks are kept.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// No walk kept (an edge slot nothing has filled).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The edges of match `m`.
    pub fn edges_of(&self, m: usize) -> &[u32] {
        let end = self.starts.get(m + 1).copied().unwrap_or(self.edges.len());
        &self.edges[self.starts[m]..end]
    }

    /// The nodes of match `m`, both ends included.
    pub fn nodes_of(&self, m: usize) -> &[u32] {
        let n = self.edges_of(m).len();
        let start = self.starts[m] + m;
        &self.nodes[start..start + n + 1]
    }

    fn push(&mut self, edges: &[u32], nodes: &[u32]) {
        self.starts.push(self.edges.len());
        self.edges.extend_from_slice(edges);
        self.nodes.extend_from_slice(nodes);
    }
}

/// Every match found: per node slot, the node of each match; per edge
/// slot, its walk.
#[derive(Default)]
pub struct Matches {
    pub nodes: Vec<Vec<u32>>,
    pub walks: Vec<Walks>,
    pub count: usize,
}

/// Tests the matches from a row on against the whole `where`, saying
/// which to keep: run on every few thousand matches as they are found,
/// so those that fail never pile up.
pub type Sieve<'s> = Box<dyn FnMut(&Matches, usize) -> Result<Vec<bool>, QueryError> + 's>;

/// Matches found between two runs of the sieve.
const SIEVE_EVERY: usize = 1 << 16;

impl Matches {
    /// Keeps, of the matches from `from` on, those `keep` marks.
    fn retain_from(&mut self, from: usize, keep: &[bool]) {
        for nodes in &mut self.nodes {
            let mut at = from;
            for i in from..nodes.len() {
                if keep[i - from] {
                    nodes[at] = nodes[i];
                    at += 1;
                }
            }
            nodes.truncate(at);
        }
        for walks in &mut self.walks {
            if walks.starts.len() <= from {
                continue;
            }
            let mut kept = Walks::default();
            for i in from..walks.len() {
                if keep[i - from] {
                    let (edges, nodes) = (walks.edges_of(i).to_vec(), walks.nodes_of(i).to_vec());
                    kept.push(&edges, &nodes);
                }
            }
            let cut = walks.starts[from];
            walks.edges.truncate(cut);
            walks.nodes.truncate(cut + from);
            walks.starts.truncate(from);
            for i in 0..kept.len() {
                walks.push(kept.edges_of(i), kept.nodes_of(i));
            }
        }
        self.count = from + keep.iter().filter(|k| **k).count();
    }
}

/// What the search needs besides the graph and the pattern.
pub struct Limits<'a> {
    pub budget: &'a Budget,
    pub cancel: Cancel<'a>,
    /// The operator, for the budget's message.
    pub operator: &'a str,
    pub span: Span,
}

struct Search<'a> {
    graph: &'a Graph,
    plan: &'a Plan,
    filters: &'a Filters,
    cycles: Cycles,
    limits: &'a Limits<'a>,
    steps: Vec<Step>,
    bound: Vec<Option<u32>>,
    /// The current walk of each edge slot, as walked (not yet oriented).
    current: Vec<(Vec<u32>, Vec<u32>, bool)>,
    used: Vec<bool>,
    work: u64,
    /// The bytes of the largest match kept so far.
    item_bytes: u64,
    out: Matches,
    sieve: Option<Sieve<'a>>,
    /// The matches before this one have passed the sieve.
    sieved: usize,
}

/// Finds every match of `plan` in `graph`.
pub fn find(
    graph: &Graph,
    plan: &Plan,
    filters: &Filters,
    cycles: Cycles,
    limits: &Limits,
    sieve: Option<Sieve>,
) -> Result<Matches, QueryError> {
    let start = (0..plan.node_slots)
        .min_by_key(|&s| match &filters.nodes[s] {
            Some(m) => m.iter().filter(|b| **b).count(),
            None => graph.node_count(),
        })
        .unwrap_or(0);
    let mut search = Search {
        graph,
        plan,
        filters,
        cycles,
        limits,
        steps: plan.steps(start),
        bound: vec![None; plan.node_slots],
        current: vec![(Vec::new(), Vec::new(), true); plan.edges.len()],
        used: vec![false; graph.edge_count()],
        work: 0,
        item_bytes: 0,
        out: Matches {
            nodes: vec![Vec::new(); plan.node_slots],
            walks: vec![Walks::default(); plan.edges.len()],
            count: 0,
        },
        sieve,
        sieved: 0,
    };
    if plan.node_slots == 0 {
        return Ok(search.out);
    }
    for n in 0..graph.node_count() as u32 {
        if !allowed(&filters.nodes[start], n) {
            continue;
        }
        search.bound[start] = Some(n);
        search.step(0)?;
    }
    search.sift()?;
    Ok(search.out)
}

impl Search<'_> {
    /// Runs the sieve over the matches it has not seen.
    fn sift(&mut self) -> Result<(), QueryError> {
        let from = self.sieved;
        if from >= self.out.count {
            return Ok(());
        }
        if let Some(sieve) = self.sieve.as_mut() {
            let keep = sieve(&self.out, from)?;
            self.out.retain_from(from, &keep);
        }
        self.sieved = self.out.count;
        Ok(())
    }

    fn tick(&mut self) -> Result<(), QueryError> {
        self.work += 1;
        if self.work.is_multiple_of(CHECK_EVERY) {
            self.limits.cancel.check()?;
        }
        Ok(())
    }

    fn step(&mut self, i: usize) -> Result<(), QueryError> {
        let Some(step) = self.steps.get(i).copied() else {
            return self.emit();
        };
        let slot = &self.plan.edges[step.edge];
        let (from, to) = if step.from_left {
            (slot.left, slot.right)
        } else {
            (slot.right, slot.left)
        };
        let (min, max) = (slot.min, slot.max);
        let Some(u) = self.bound[from] else {
            return Ok(());
        };
        let mut edges: Vec<u32> = Vec::new();
        let mut nodes: Vec<u32> = vec![u];
        let mut cursors: Vec<usize> = vec![0];
        if min == 0 {
            self.arrive(i, step, to, &edges, &nodes)?;
        }
        while let Some(cursor) = cursors.last_mut() {
            self.tick()?;
            let depth = edges.len() as u32;
            let here = nodes[nodes.len() - 1];
            let can_extend =
                depth < max && (depth == 0 || allowed(&self.filters.inner[step.edge], here));
            let mut next = None;
            if can_extend {
                next = self.next_hop(here, step, cursor, &nodes);
            }
            match next {
                Some((e, w)) => {
                    edges.push(e);
                    nodes.push(w);
                    self.used[e as usize] = true;
                    cursors.push(0);
                    if edges.len() as u32 >= min {
                        self.arrive(i, step, to, &edges, &nodes)?;
                    }
                }
                None => {
                    cursors.pop();
                    match edges.pop() {
                        Some(e) => {
                            self.used[e as usize] = false;
                            nodes.pop();
                        }
                        None => break,
                    }
                }
            }
        }
        Ok(())
    }

    /// The next edge to walk from `here` for this step, past `cursor`.
    fn next_hop(
        &self,
        here: u32,
        step: Step,
        cursor: &mut usize,
        path: &[u32],
    ) -> Option<(u32, u32)> {
        let g = self.graph;
        let slot = &self.plan.edges[step.edge];
        let direction = if g.undirected {
            Direction::Any
        } else {
            slot.direction
        };
        // Walking forwards along the edges' direction, or against it.
        let forwards = match (direction, step.from_left) {
            (Direction::Right, true) | (Direction::Left, false) => Some(true),
            (Direction::Right, false) | (Direction::Left, true) => Some(false),
            (Direction::Any, _) => None,
        };
        let out = &g.outgoing[here as usize];
        let inc = &g.incoming[here as usize];
        loop {
            let at = *cursor;
            *cursor += 1;
            let (e, w) = match forwards {
                Some(true) => {
                    let e = *out.get(at)?;
                    (e, g.target[e as usize])
                }
                Some(false) => {
                    let e = *inc.get(at)?;
                    (e, g.source[e as usize])
                }
                None if at < out.len() => {
                    let e = out[at];
                    (e, g.target[e as usize])
                }
                None => {
                    let e = *inc.get(at - out.len())?;
                    // A loop was already walked among the outgoing edges.
                    if g.source[e as usize] == g.target[e as usize] {
                        continue;
                    }
                    (e, g.source[e as usize])
                }
            };
            if !allowed(&self.filters.edges[step.edge], e) {
                continue;
            }
            if self.cycles == Cycles::UniqueEdges && self.used[e as usize] {
                continue;
            }
            if self.cycles == Cycles::None && path.contains(&w) {
                continue;
            }
            return Some((e, w));
        }
    }

    /// A walk of step `i` ended at the last of `nodes`: bind the node slot
    /// it reaches and go on with the next step.
    fn arrive(
        &mut self,
        i: usize,
        step: Step,
        to: usize,
        edges: &[u32],
        nodes: &[u32],
    ) -> Result<(), QueryError> {
        let v = nodes[nodes.len() - 1];
        let newly = match self.bound[to] {
            Some(b) if b != v => return Ok(()),
            Some(_) => false,
            None => {
                if !allowed(&self.filters.nodes[to], v) {
                    return Ok(());
                }
                self.bound[to] = Some(v);
                true
            }
        };
        let current = &mut self.current[step.edge];
        current.0.clear();
        current.0.extend_from_slice(edges);
        current.1.clear();
        current.1.extend_from_slice(nodes);
        current.2 = step.from_left;
        let result = self.step(i + 1);
        if newly {
            self.bound[to] = None;
        }
        result
    }

    /// A whole match: keep it, unless `cycles=none` finds a node twice
    /// along one of its sequences.
    fn emit(&mut self) -> Result<(), QueryError> {
        if self.cycles == Cycles::None && self.repeats_a_node() {
            return Ok(());
        }
        let mut bytes = 4 * self.bound.len() as u64;
        for (edges, _, _) in &self.current {
            bytes += 16 + 8 * edges.len() as u64;
        }
        // The longest match so far prices them all, so the count refused
        // is one past the limit the message names.
        self.item_bytes = self.item_bytes.max(bytes);
        let bytes = self.item_bytes;
        let mut count = self.out.count as u64 + 1;
        if count.saturating_mul(bytes) > self.limits.budget.bytes()
            && self.sieve.is_some()
            && self.out.count - self.sieved >= 1024
        {
            // Those the condition drops take no room: drop them first (a
            // few at a time would cost an evaluation per match).
            self.sift()?;
            count = self.out.count as u64 + 1;
        }
        if count.saturating_mul(bytes) > self.limits.budget.bytes() {
            self.limits.budget.admit(&Growth {
                operator: self.limits.operator,
                count,
                unit: Unit::Rows,
                item_bytes: bytes,
                advice: "it stopped counting there; constrain the pattern in 'where', shorten its variable-length edges or use cycles=none",
                span: self.limits.span,
            })?;
        }
        for (slot, node) in self.bound.iter().enumerate() {
            self.out.nodes[slot].push(node.unwrap_or(0));
        }
        for (slot, (edges, nodes, from_left)) in self.current.iter_mut().enumerate() {
            if !*from_left {
                edges.reverse();
                nodes.reverse();
            }
            self.out.walks[slot].push(edges, nodes);
            if !*from_left {
                edges.reverse();
                nodes.reverse();
            }
        }
        self.out.count += 1;
        if self.out.count - self.sieved >= SIEVE_EVERY {
            self.sift()?;
        }
        Ok(())
    }

    fn repeats_a_node(&self) -> bool {
        let mut seen: Vec<u32> = Vec::new();
        for (first, edges) in &self.plan.sequences {
            seen.clear();
            if let Some(n) = self.bound[*first] {
                seen.push(n);
            }
            for &e in edges {
                let (_, nodes, from_left) = &self.current[e];
                let walk: Box<dyn Iterator<Item = &u32>> = if *from_left {
                    Box::new(nodes.iter().skip(1))
                } else {
                    Box::new(nodes.iter().rev().skip(1))
                };
                for &n in walk {
                    if seen.contains(&n) {
                        return true;
                    }
                    seen.push(n);
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use polars::prelude::*;

    use super::*;
    use crate::kql::ast::{Ident, Span};
    use crate::kql::graph::ast::{Direction, EdgePattern, GraphMatch, NodePattern, Sequence};
    use crate::kql::graph::model::GraphSource;

    fn ident(name: &str) -> Ident {
        Ident {
            name: name.into(),
            span: Span::default(),
        }
    }

    /// Three nodes linked both ways: 2^n walks of n edges from each.
    fn triangle() -> Graph {
        let edges = df!(
            "src" => ["a", "b", "b", "c", "a", "c"],
            "dst" => ["b", "a", "c", "b", "c", "a"],
        )
        .expect("a frame");
        let (src, dst, id) = (ident("src"), ident("dst"), ident("id"));
        Graph::build(
            GraphSource {
                edges,
                source: &src,
                target: &dst,
                undirected: false,
                nodes: Vec::new(),
                node_id: Some(&id),
            },
            Cancel::default(),
            Span::default(),
        )
        .expect("a graph")
    }

    /// `(x)-[e*1..max]->(y)`
    fn walk(max: u32) -> Plan {
        let node = |n: &str| NodePattern {
            name: Some(ident(n)),
            span: Span::default(),
        };
        let m = GraphMatch {
            cycles: Cycles::All,
            shortest: None,
            sequences: vec![Sequence {
                first: node("x"),
                rest: vec![(
                    EdgePattern {
                        name: Some(ident("e")),
                        direction: Direction::Right,
                        length: Some((1, max)),
                        span: Span::default(),
                    },
                    node("y"),
                )],
            }],
            condition: None,
            project: Vec::new(),
            pattern_span: Span::default(),
        };
        Plan::new(&m).expect("a plan")
    }

    #[test]
    fn walks_are_kept_in_pattern_order() {
        let g = triangle();
        let plan = walk(2);
        let budget = Budget::new(1 << 30);
        let limits = Limits {
            budget: &budget,
            cancel: Cancel::default(),
            operator: "graph-match",
            span: Span::default(),
        };
        let m = find(&g, &plan, &Filters::new(&plan), Cycles::All, &limits, None).expect("matches");
        // From each of 3 nodes: 2 walks of one edge, 4 of two.
        assert_eq!(m.count, 18);
        for i in 0..m.count {
            let nodes = m.walks[0].nodes_of(i);
            assert_eq!(nodes[0], m.nodes[0][i]);
            assert_eq!(nodes[nodes.len() - 1], m.nodes[1][i]);
        }
    }

    /// A search that would run for ever stops when the flag is set.
    #[test]
    fn a_long_search_looks_at_the_cancel_flag() {
        let g = triangle();
        let plan = walk(60);
        let budget = Budget::new(u64::MAX);
        let flag = AtomicBool::new(true);
        let limits = Limits {
            budget: &budget,
            cancel: Cancel::new(Some(&flag)),
            operator: "graph-match",
            span: Span::default(),
        };
        let e = find(&g, &plan, &Filters::new(&plan), Cycles::All, &limits, None)
            .err()
            .expect("cancelled");
        assert_eq!(e, QueryError::cancelled());
    }
}
