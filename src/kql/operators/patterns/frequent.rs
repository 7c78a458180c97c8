//! Closed frequent patterns, found level by level as Apriori finds
//! frequent item sets: the engine of `basket`, `diffpatterns` and
//! `diffpatterns_text`.
//!
//! A pattern is *frequent* when it covers at least Threshold of the
//! weight of one of the sets rows are counted in (one set for basket; A
//! and B for the diff plugins). Many patterns cover exactly the same rows
//! (`Damage == "NO"` and `Damage == "NO", DamageCrops == 0` when no damage
//! means no crop damage): of those only the largest, the *closed* one, is
//! worth showing. It is found from a smallest pattern with those rows, a
//! *generator* (no value of it can be dropped without covering more
//! rows), by adding every value all its rows share.
//!
//! So the levels grow generators (A-Close, Pasquier et al. 1999): level
//! k joins two generators of level k-1 that share their first k-2
//! values, keeps the candidate if all its k-1 sub-patterns are generators
//! and it is frequent, and drops it if it covers as much as one of them.
//! A generator's size is its number of uncorrelated dimensions, which
//! MaxDimensions bounds; the closed pattern can fix more.
//!
//! The work is bounded: at most [`MAX_CANDIDATES`] candidates are counted
//! and the row sets of the frequent values must fit in the memory budget,
//! else the query stops saying what to change; the cancel flag is looked
//! at between candidates.

use std::collections::HashMap;

use super::bits::{Rows, Weights};
use super::{ABSENT, Item, Table};
use crate::kql::ast::Span;
use crate::kql::error::{ErrorKind, QueryError};
use crate::kql::limits::{Cancel, human_bytes};
use crate::text::thousands;

/// Candidates counted before a mining run stops: beyond, the patterns are
/// too many to read, and the run too long to wait for.
pub const MAX_CANDIDATES: usize = 1_000_000;

/// Candidates counted between two looks at the cancel flag.
const CHECK_EVERY: usize = 64;

/// One mining run.
pub struct Miner<'a> {
    pub plugin: &'static str,
    pub table: &'a Table,
    /// The sets rows are counted in; a row in none is left out.
    pub sets: Vec<Rows>,
    /// The share of a set's weight a pattern must cover in some set.
    pub threshold: f64,
    /// The largest generator (uncorrelated dimensions).
    pub max_dims: usize,
    /// The memory the frequent values' row sets may take.
    pub budget_bytes: u64,
    /// The most candidates counted ([`MAX_CANDIDATES`]).
    pub max_candidates: usize,
    /// Where errors point.
    pub span: Span,
    pub cancel: Cancel<'a>,
}

/// A closed pattern: its values in dimension order, its weight in each
/// set, and the size of the generator it was found from.
#[derive(Debug, Clone, PartialEq)]
pub struct Closed {
    pub items: Vec<Item>,
    pub counts: Vec<f64>,
    pub dims: usize,
}

/// The closed patterns of a run, and what finds their rows again.
pub struct Mined {
    pub patterns: Vec<Closed>,
    values: Values,
    counted: Rows,
}

impl Mined {
    /// The counted rows having all of `items` (values of closed patterns,
    /// which are all frequent).
    pub fn rows(&self, items: &[Item]) -> Rows {
        let mut rows = self.counted.clone();
        for &(d, code) in items {
            match self.values.index[d as usize].get(&code) {
                Some(&v) => rows.and(&self.values.rows[v as usize]),
                None => return Rows::none(rows.words().len() * 64),
            }
        }
        rows
    }
}

/// A generator: frequent values (indices into the miner's list, in
/// dimension order) and its weight in each set.
struct Generator {
    values: Vec<u32>,
    counts: Vec<f64>,
}

/// The frequent values and their rows.
struct Values {
    items: Vec<Item>,
    rows: Vec<Rows>,
    /// Per dimension, per code: the value's index.
    index: Vec<HashMap<u32, u32>>,
}

impl Miner<'_> {
    /// The total weight of each set.
    pub fn totals(&self) -> Vec<f64> {
        self.sets.iter().map(|s| self.table.weights.of(s)).collect()
    }

    /// Every closed frequent pattern, the one of the empty generator (the
    /// values every counted row shares) first when `with_empty` and it
    /// fixes any. Each closed pattern appears once, found from its first
    /// generator: smallest first, then in value order.
    pub fn closed(&self, with_empty: bool) -> Result<Mined, QueryError> {
        let totals = self.totals();
        let mut counted = Rows::none(self.table.len);
        for s in &self.sets {
            counted.or(s);
        }
        let values = self.frequent_values(&totals)?;
        let all: f64 = totals.iter().sum();
        let mut levels: Vec<Vec<Generator>> = Vec::new();
        let first: Vec<Generator> = (0..values.items.len() as u32)
            .map(|v| Generator {
                counts: self.count(&values, None, &[v]),
                values: vec![v],
            })
            // A value of every counted row generates nothing new.
            .filter(|g| g.counts.iter().sum::<f64>() < all)
            .collect();
        let mut candidates = first.len();
        levels.push(first);
        while levels.len() < self.max_dims {
            let Some(last) = levels.last().filter(|l| l.len() > 1) else {
                break;
            };
            let next = self.next_level(last, &values, &mut candidates)?;
            if next.is_empty() {
                break;
            }
            levels.push(next);
        }

        // A pattern's closure holds its sub-patterns' closures (their rows
        // include its rows), so each generator starts from its two join
        // parents' closures and checks only the other columns.
        let mut found: Vec<Closed> = Vec::new();
        let mut seen: HashMap<Vec<Item>, ()> = HashMap::new();
        let shared = self.closure(&[], &[], &counted, &values);
        if with_empty && !shared.is_empty() {
            seen.insert(shared.clone(), ());
            found.push(Closed {
                items: shared.clone(),
                counts: totals.clone(),
                dims: 0,
            });
        }
        let mut parents: Vec<Vec<Item>> = Vec::new();
        let mut checked = 0usize;
        for level in &levels {
            let index: HashMap<&[u32], usize> = levels
                .iter()
                .find(|l| {
                    l.first().map(|g| g.values.len()) == level.first().map(|g| g.values.len() - 1)
                })
                .map(|l| {
                    l.iter()
                        .enumerate()
                        .map(|(i, g)| (g.values.as_slice(), i))
                        .collect()
                })
                .unwrap_or_default();
            let mut closures = Vec::with_capacity(level.len());
            for g in level {
                checked += 1;
                if checked.is_multiple_of(CHECK_EVERY) {
                    self.cancel.check()?;
                }
                let mut inherited = shared.clone();
                let k = g.values.len();
                if k > 1 {
                    for skip in [k - 1, k - 2] {
                        let sub: Vec<u32> = g
                            .values
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != skip)
                            .map(|(_, v)| *v)
                            .collect();
                        if let Some(&p) = index.get(sub.as_slice()) {
                            inherited.extend_from_slice(&parents[p]);
                        }
                    }
                }
                let mut rows = counted.clone();
                for &v in &g.values {
                    rows.and(&values.rows[v as usize]);
                }
                let items = self.closure(&g.values, &inherited, &rows, &values);
                if seen.insert(items.clone(), ()).is_none() {
                    found.push(Closed {
                        items: items.clone(),
                        counts: g.counts.clone(),
                        dims: k,
                    });
                }
                closures.push(items);
            }
            parents = closures;
        }
        Ok(Mined {
            patterns: found,
            values,
            counted,
        })
    }

    /// The values frequent in some set, in dimension then code order, with
    /// their rows (counted rows only).
    fn frequent_values(&self, totals: &[f64]) -> Result<Values, QueryError> {
        let table = self.table;
        let sets = self.sets.len();
        // Which set each row is counted in (at most one: the sets are
        // disjoint).
        let mut set_of = vec![u8::MAX; table.len];
        for (s, rows) in self.sets.iter().enumerate() {
            for r in rows.iter() {
                set_of[r] = s as u8;
            }
        }
        let mut items = Vec::new();
        for (d, dim) in table.dims.iter().enumerate() {
            self.cancel.check()?;
            let mut weight = vec![0.0; dim.distinct as usize * sets];
            for (r, &code) in dim.codes.iter().enumerate() {
                let s = set_of[r];
                if s != u8::MAX && code != ABSENT {
                    weight[code as usize * sets + s as usize] += table.weights.of_row(r);
                }
            }
            for code in 0..dim.distinct {
                let w = &weight[code as usize * sets..(code as usize + 1) * sets];
                if self.is_frequent(w, totals) {
                    items.push((d as u32, code));
                }
            }
        }
        let need = items.len() as u64 * table.len.div_ceil(64) as u64 * 8;
        if need > self.budget_bytes {
            return Err(QueryError::new(
                ErrorKind::Limit,
                format!(
                    "{} would need about {} for the rows of its {} frequent values, more than the memory budget of {} (set with --max-memory); raise Threshold, or project fewer columns",
                    self.plugin,
                    human_bytes(need),
                    thousands(items.len() as u64),
                    human_bytes(self.budget_bytes),
                ),
                Some(self.span),
            ));
        }
        let mut index: Vec<HashMap<u32, u32>> = vec![HashMap::new(); table.dims.len()];
        for (i, &(d, code)) in items.iter().enumerate() {
            index[d as usize].insert(code, i as u32);
        }
        let mut rows = vec![Rows::none(table.len); items.len()];
        for (d, dim) in table.dims.iter().enumerate() {
            self.cancel.check()?;
            if index[d].is_empty() {
                continue;
            }
            for (r, code) in dim.codes.iter().enumerate() {
                if set_of[r] != u8::MAX
                    && let Some(&i) = index[d].get(code)
                {
                    rows[i as usize].insert(r);
                }
            }
        }
        Ok(Values { items, rows, index })
    }

    fn is_frequent(&self, counts: &[f64], totals: &[f64]) -> bool {
        counts
            .iter()
            .zip(totals)
            .any(|(c, t)| *t > 0.0 && *c > 0.0 && c / t >= self.threshold)
    }

    /// The weight in each set of the rows having all of `values` (and in
    /// `base`, the rows of a pattern they extend, when given).
    fn count(&self, values: &Values, base: Option<&[u64]>, of: &[u32]) -> Vec<f64> {
        let weights = &self.table.weights;
        let words = self.table.len.div_ceil(64);
        let mut counts = vec![0.0; self.sets.len()];
        let mut unit = vec![0u64; self.sets.len()];
        for w in 0..words {
            let mut x = base.map_or(!0u64, |b| b[w]);
            for &v in of {
                x &= values.rows[v as usize].words()[w];
                if x == 0 {
                    break;
                }
            }
            if x == 0 {
                continue;
            }
            for (s, set) in self.sets.iter().enumerate() {
                let y = x & set.words()[w];
                match weights {
                    Weights::Unit => unit[s] += u64::from(y.count_ones()),
                    Weights::Column(_) => {
                        let mut bits = y;
                        while bits != 0 {
                            let b = bits.trailing_zeros() as usize;
                            counts[s] += weights.of_row(w * 64 + b);
                            bits &= bits - 1;
                        }
                    }
                }
            }
        }
        if matches!(weights, Weights::Unit) {
            for (c, u) in counts.iter_mut().zip(unit) {
                *c = u as f64;
            }
        }
        counts
    }

    /// The generators of the next level (see the module's comment).
    fn next_level(
        &self,
        level: &[Generator],
        values: &Values,
        candidates: &mut usize,
    ) -> Result<Vec<Generator>, QueryError> {
        let totals = self.totals();
        let known: HashMap<&[u32], f64> = level
            .iter()
            .map(|g| (g.values.as_slice(), g.counts.iter().sum()))
            .collect();
        let k = level[0].values.len() + 1;
        let mut next = Vec::new();
        let mut candidate = vec![0u32; k];
        let mut sub = vec![0u32; k - 1];
        // The rows of `a`, which every candidate of this round extends.
        let mut a_rows: Vec<u64> = Vec::new();
        for (i, a) in level.iter().enumerate() {
            a_rows.clear();
            for b in &level[i + 1..] {
                if a.values[..k - 2] != b.values[..k - 2] {
                    break;
                }
                let (x, y) = (a.values[k - 2], b.values[k - 2]);
                if values.items[x as usize].0 == values.items[y as usize].0 {
                    continue;
                }
                candidate[..k - 1].copy_from_slice(&a.values);
                candidate[k - 1] = y;
                // Every sub-pattern must be a generator; the two dropping
                // x or y are a and b.
                let mut subsets: Vec<f64> = vec![a.counts.iter().sum(), b.counts.iter().sum()];
                let mut all_known = true;
                for skip in 0..k - 2 {
                    sub.clear();
                    sub.extend(
                        candidate
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != skip)
                            .map(|(_, v)| *v),
                    );
                    match known.get(sub.as_slice()) {
                        Some(&c) => subsets.push(c),
                        None => {
                            all_known = false;
                            break;
                        }
                    }
                }
                if !all_known {
                    continue;
                }
                *candidates += 1;
                if *candidates > self.max_candidates {
                    return Err(self.too_many(k));
                }
                if candidates.is_multiple_of(CHECK_EVERY) {
                    self.cancel.check()?;
                }
                if a_rows.is_empty() {
                    let mut rows = values.rows[a.values[0] as usize].clone();
                    for &v in &a.values[1..] {
                        rows.and(&values.rows[v as usize]);
                    }
                    a_rows.extend_from_slice(rows.words());
                }
                let counts = self.count(values, Some(&a_rows), &[y]);
                let sum: f64 = counts.iter().sum();
                if !self.is_frequent(&counts, &totals) || subsets.contains(&sum) {
                    continue;
                }
                next.push(Generator {
                    values: candidate.clone(),
                    counts,
                });
            }
        }
        Ok(next)
    }

    fn too_many(&self, level: usize) -> QueryError {
        QueryError::new(
            ErrorKind::Limit,
            format!(
                "{} would count more than {} candidate patterns (reached at {level} dimensions); raise Threshold, lower MaxDimensions, or project fewer columns",
                self.plugin,
                thousands(self.max_candidates as u64),
            ),
            Some(self.span),
        )
    }

    /// The closed pattern of a generator with the given rows: its values
    /// and every value all those rows share, in dimension order; the
    /// values of `inherited` are known to be shared.
    fn closure(
        &self,
        generator: &[u32],
        inherited: &[Item],
        rows: &Rows,
        values: &Values,
    ) -> Vec<Item> {
        let mut items: Vec<Item> = generator
            .iter()
            .map(|&v| values.items[v as usize])
            .chain(inherited.iter().copied())
            .collect();
        items.sort_unstable();
        items.dedup();
        let Some(first) = rows.first() else {
            return items;
        };
        for (d, dim) in self.table.dims.iter().enumerate() {
            if items.iter().any(|(id, _)| *id as usize == d) {
                continue;
            }
            let code = dim.codes[first];
            // A shared value covers at least the generator's rows, so it
            // is frequent itself.
            if let Some(&v) = values.index[d].get(&code)
                && rows.within(&values.rows[v as usize])
            {
                items.push((d as u32, code));
            }
        }
        items.sort_unstable();
        items
    }
}

#[cfg(test)]
mod tests {
    use super::super::Dim;
    use super::*;

    fn table(columns: &[&[u32]]) -> Table {
        Table {
            dims: columns
                .iter()
                .map(|c| Dim {
                    codes: c.to_vec(),
                    distinct: c
                        .iter()
                        .filter(|&&x| x != ABSENT)
                        .max()
                        .map_or(0, |m| m + 1),
                })
                .collect(),
            weights: Weights::Unit,
            len: columns[0].len(),
        }
    }

    fn miner(t: &Table, threshold: f64, max_dims: usize) -> Miner<'_> {
        Miner {
            plugin: "basket",
            table: t,
            sets: vec![Rows::from_fn(t.len, |_| true)],
            threshold,
            max_dims,
            budget_bytes: 1 << 30,
            max_candidates: MAX_CANDIDATES,
            span: Span::default(),
            cancel: Cancel::default(),
        }
    }

    #[test]
    fn closed_patterns_of_a_small_table() {
        // Rows: (a0 b0 c0) x2, (a0 b0 c1), (a1 b1 c1). b follows a.
        let t = table(&[&[0, 0, 0, 1], &[0, 0, 0, 1], &[0, 0, 1, 1]]);
        let found = miner(&t, 0.25, 5).closed(true).unwrap().patterns;
        let got: Vec<(Vec<Item>, f64)> = found
            .iter()
            .map(|c| (c.items.clone(), c.counts[0]))
            .collect();
        assert_eq!(
            got,
            vec![
                (vec![(0, 0), (1, 0)], 3.0),
                (vec![(0, 1), (1, 1), (2, 1)], 1.0),
                (vec![(0, 0), (1, 0), (2, 0)], 2.0),
                (vec![(2, 1)], 2.0),
                (vec![(0, 0), (1, 0), (2, 1)], 1.0),
            ]
        );
        // A threshold of a half keeps a0 b0 (3 of 4), a0 b0 c0 and c1 (2).
        let found = miner(&t, 0.5, 5).closed(true).unwrap().patterns;
        assert_eq!(found.len(), 3);
        // One dimension at most: no (a0 c1) generator.
        let found = miner(&t, 0.25, 1).closed(true).unwrap().patterns;
        assert_eq!(found.len(), 4);
    }

    #[test]
    fn values_in_every_row_are_the_empty_patterns_closure() {
        let t = table(&[&[0, 0, 0], &[0, 1, 1]]);
        let found = miner(&t, 0.3, 5).closed(true).unwrap().patterns;
        assert_eq!(found[0].items, vec![(0, 0)]);
        assert_eq!(found[0].dims, 0);
        assert!(found[1..].iter().all(|c| c.items.contains(&(0, 0))));
        let mined = miner(&t, 0.3, 5).closed(true).unwrap();
        assert_eq!(mined.rows(&[(1, 1)]).iter().collect::<Vec<_>>(), vec![1, 2]);
        assert!(miner(&t, 0.3, 5).closed(false).unwrap().patterns[0].dims > 0);
    }

    #[test]
    fn absent_values_are_never_items() {
        let t = table(&[&[0, 0, 0], &[ABSENT, ABSENT, 0]]);
        let found = miner(&t, 0.3, 5).closed(true).unwrap().patterns;
        assert_eq!(found[0].items, vec![(0, 0)]);
        assert_eq!(found[1].items, vec![(0, 0), (1, 0)]);
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn runs_beyond_their_bounds_stop_with_advice() {
        // 12 independent binary columns: every pair of values is frequent.
        let rows = 4096;
        let columns: Vec<Vec<u32>> = (0..12)
            .map(|c| (0..rows).map(|r| ((r >> c) & 1) as u32).collect())
            .collect();
        let refs: Vec<&[u32]> = columns.iter().map(|c| c.as_slice()).collect();
        let t = table(&refs);
        let mut m = miner(&t, 0.015, 5);
        m.budget_bytes = 10;
        let Err(e) = m.closed(true) else {
            panic!("ran within 10 bytes")
        };
        assert_eq!(
            e.message,
            "basket would need about 12.0 KiB for the rows of its 24 frequent values, more than the memory budget of 10 bytes (set with --max-memory); raise Threshold, or project fewer columns"
        );
        // 24 values, 264 pairs, 1,760 triples, 7,920 and 25,344 beyond.
        let mut m = miner(&t, 0.015, 5);
        m.max_candidates = 300;
        let Err(e) = m.closed(true) else {
            panic!("counted fewer than 300 candidates")
        };
        assert_eq!(
            e.message,
            "basket would count more than 300 candidate patterns (reached at 3 dimensions); raise Threshold, lower MaxDimensions, or project fewer columns"
        );
        m.max_candidates = 40_000;
        assert!(m.closed(true).is_ok());
    }

    #[test]
    fn a_cancelled_run_stops() {
        let t = table(&[&[0, 0, 1], &[0, 1, 1]]);
        let flag = std::sync::atomic::AtomicBool::new(true);
        let mut m = miner(&t, 0.3, 5);
        m.cancel = Cancel::new(Some(&flag));
        let Err(e) = m.closed(true) else {
            panic!("ran on")
        };
        assert_eq!(e.kind, ErrorKind::Cancelled);
    }
}
