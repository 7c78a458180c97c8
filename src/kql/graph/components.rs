//! Connected components for `graph-mark-components`: weak ones (edges
//! walked either way) by union-find, strong ones by Tarjan's algorithm,
//! without recursion so a long chain cannot overflow the stack.

use super::model::Graph;
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;

/// Steps between two looks at the cancel flag.
const CHECK_EVERY: usize = 1 << 16;

/// A label per node; nodes joined by edges either way share one.
pub fn weak(g: &Graph, cancel: Cancel) -> Result<Vec<u32>, QueryError> {
    let mut parent: Vec<u32> = (0..g.node_count() as u32).collect();
    fn root(parent: &mut [u32], mut n: u32) -> u32 {
        while parent[n as usize] != n {
            let up = parent[parent[n as usize] as usize];
            parent[n as usize] = up;
            n = up;
        }
        n
    }
    for (e, (&s, &t)) in g.source.iter().zip(&g.target).enumerate() {
        if e.is_multiple_of(CHECK_EVERY) {
            cancel.check()?;
        }
        let (a, b) = (root(&mut parent, s), root(&mut parent, t));
        if a != b {
            // The smaller index stays the root, so labels follow node order.
            let (low, high) = if a < b { (a, b) } else { (b, a) };
            parent[high as usize] = low;
        }
    }
    Ok((0..g.node_count() as u32)
        .map(|n| root(&mut parent, n))
        .collect())
}

/// A label per node; nodes that reach each other along the edges'
/// directions share one.
pub fn strong(g: &Graph, cancel: Cancel) -> Result<Vec<u32>, QueryError> {
    const UNSEEN: u32 = u32::MAX;
    let n = g.node_count();
    let mut order = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut label = vec![UNSEEN; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut next = 0u32;
    let mut steps = 0usize;
    for start in 0..n as u32 {
        if order[start as usize] != UNSEEN {
            continue;
        }
        // (node, position in its outgoing edges)
        let mut walk: Vec<(u32, usize)> = vec![(start, 0)];
        order[start as usize] = next;
        low[start as usize] = next;
        next += 1;
        stack.push(start);
        on_stack[start as usize] = true;
        while let Some(&mut (v, ref mut at)) = walk.last_mut() {
            steps += 1;
            if steps.is_multiple_of(CHECK_EVERY) {
                cancel.check()?;
            }
            let edges = &g.outgoing[v as usize];
            if *at < edges.len() {
                let w = g.target[edges[*at] as usize];
                *at += 1;
                if order[w as usize] == UNSEEN {
                    order[w as usize] = next;
                    low[w as usize] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    walk.push((w, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(order[w as usize]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(parent, _)) = walk.last() {
                low[parent as usize] = low[parent as usize].min(low[v as usize]);
            }
            if low[v as usize] == order[v as usize] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    label[w as usize] = v;
                    if w == v {
                        break;
                    }
                }
            }
        }
    }
    Ok(label)
}
