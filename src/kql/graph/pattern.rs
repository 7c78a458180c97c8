//! A `graph-match` pattern made ready to search: its variables numbered
//! (a node named twice is one slot), its edges as slots between node
//! slots, and the order the search walks them in.

use std::collections::HashMap;

use super::ast::{Direction, GraphMatch};
use crate::kql::ast::Span;
use crate::kql::error::QueryError;

/// What a pattern variable names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Var {
    Node(usize),
    Edge(usize),
}

/// One edge of the pattern, between two node slots.
#[derive(Clone, Debug)]
pub struct EdgeSlot {
    pub name: Option<String>,
    pub left: usize,
    pub right: usize,
    pub direction: Direction,
    pub min: u32,
    pub max: u32,
    /// Written with `*min..max`: its properties read as arrays.
    pub variable: bool,
    pub span: Span,
}

/// One step of the search: walk edge slot `edge` from the node slot on
/// its left (or its right) to the other.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub edge: usize,
    pub from_left: bool,
}

/// A pattern, numbered.
pub struct Plan {
    pub node_slots: usize,
    pub edges: Vec<EdgeSlot>,
    pub vars: HashMap<String, Var>,
    /// Per sequence: its first node slot and its edge slots, in order.
    pub sequences: Vec<(usize, Vec<usize>)>,
}

impl Plan {
    /// Numbers the pattern of `m`; a node named twice is one slot, an
    /// edge named twice or a pattern in pieces is an error.
    pub fn new(m: &GraphMatch) -> Result<Plan, QueryError> {
        let mut vars: HashMap<String, Var> = HashMap::new();
        let mut node_slots = 0usize;
        let mut edges: Vec<EdgeSlot> = Vec::new();
        let mut sequences = Vec::new();
        let mut node_slot =
            |name: &Option<crate::kql::ast::Ident>, vars: &mut HashMap<String, Var>| match name {
                None => {
                    node_slots += 1;
                    Ok(node_slots - 1)
                }
                Some(id) => match vars.get(&id.name) {
                    Some(Var::Node(s)) => Ok(*s),
                    Some(Var::Edge(_)) => Err(QueryError::syntax(
                        format!("'{}' names an edge of the pattern, not a node", id.name),
                        id.span,
                    )),
                    None => {
                        node_slots += 1;
                        vars.insert(id.name.clone(), Var::Node(node_slots - 1));
                        Ok(node_slots - 1)
                    }
                },
            };
        for seq in &m.sequences {
            let first = node_slot(&seq.first.name, &mut vars)?;
            let mut left = first;
            let mut slots = Vec::new();
            for (edge, node) in &seq.rest {
                let e = edges.len();
                if let Some(id) = &edge.name {
                    match vars.get(&id.name) {
                        Some(Var::Edge(_)) => {
                            return Err(QueryError::syntax(
                                format!(
                                    "the edge variable '{}' appears twice in the pattern",
                                    id.name
                                ),
                                id.span,
                            ));
                        }
                        Some(Var::Node(_)) => {
                            return Err(QueryError::syntax(
                                format!("'{}' names a node of the pattern, not an edge", id.name),
                                id.span,
                            ));
                        }
                        None => {
                            vars.insert(id.name.clone(), Var::Edge(e));
                        }
                    }
                }
                let right = node_slot(&node.name, &mut vars)?;
                let (min, max) = edge.length.unwrap_or((1, 1));
                edges.push(EdgeSlot {
                    name: edge.name.as_ref().map(|i| i.name.clone()),
                    left,
                    right,
                    direction: edge.direction,
                    min,
                    max,
                    variable: edge.length.is_some(),
                    span: edge.span,
                });
                slots.push(e);
                left = right;
            }
            sequences.push((first, slots));
        }
        let plan = Plan {
            node_slots,
            edges,
            vars,
            sequences,
        };
        plan.check_connected(m.pattern_span)?;
        Ok(plan)
    }

    /// Kusto matches only patterns whose sequences share node variables.
    fn check_connected(&self, span: Span) -> Result<(), QueryError> {
        if self.node_slots == 0 {
            return Ok(());
        }
        let mut reached = vec![false; self.node_slots];
        reached[0] = true;
        let mut grew = true;
        while grew {
            grew = false;
            for e in &self.edges {
                if reached[e.left] != reached[e.right] {
                    reached[e.left] = true;
                    reached[e.right] = true;
                    grew = true;
                }
            }
        }
        if reached.iter().all(|r| *r) {
            Ok(())
        } else {
            Err(QueryError::syntax(
                "the pattern's sequences are not connected: each sequence must share a node variable with another",
                span,
            ))
        }
    }

    /// The order to walk the edges in from node slot `start`: each step
    /// leaves a slot already bound.
    pub fn steps(&self, start: usize) -> Vec<Step> {
        let mut bound = vec![false; self.node_slots];
        bound[start] = true;
        let mut done = vec![false; self.edges.len()];
        let mut steps = Vec::with_capacity(self.edges.len());
        while steps.len() < self.edges.len() {
            let before = steps.len();
            for (i, e) in self.edges.iter().enumerate() {
                if done[i] || !(bound[e.left] || bound[e.right]) {
                    continue;
                }
                done[i] = true;
                steps.push(Step {
                    edge: i,
                    from_left: bound[e.left],
                });
                bound[e.left] = true;
                bound[e.right] = true;
            }
            if steps.len() == before {
                // Unreachable: `check_connected` refused such a pattern.
                break;
            }
        }
        steps
    }

    /// The names of the pattern's variables, sorted, for messages.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.vars.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}
