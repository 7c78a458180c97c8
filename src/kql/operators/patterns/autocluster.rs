//! `evaluate autocluster([SizeWeight, WeightColumn, NumSeeds,
//! CustomWildcard, ...])`: a few patterns that sum up the rows.
//!
//! Seed-Expand, as autocluster-plugin.md and the paper it cites describe
//! it: a segment (a pattern) scores the weighted geometric mean of its
//! coverage (its share of the rows' weight) and its informativeness (its
//! share of the columns it fixes), with weights SizeWeight (0 to 1,
//! exclusive; default 0.5) and 1 - SizeWeight. From each of NumSeeds
//! (default 25) seed rows a local search looks for the best segment
//! around it:
//!
//! - the search starts with the seed row itself (every column fixed) and
//!   frees one column at a time, the one whose freeing covers the most
//!   more rows (on a tie, the column with the most distinct values, where
//!   a row's own identifiers are; then the leftmost), down to one column;
//! - its results are the peaks of that path (segments scoring more than
//!   the step before and at least as much as the step after), counted
//!   once the path covers more rows than the seed's own copies: freeing a
//!   row's identifiers one by one covers no more rows and only lowers the
//!   score. The first peak is the seed's own cluster (the local optimum a
//!   hill climb stops at); later ones are wider segments it belongs to.
//!   If the path never climbs, its best step is the result. Each result
//!   has every column its rows all share fixed again;
//! - Kusto picks seeds at random; Quarry takes the most typical row (the
//!   largest sum of the logarithms of its values' weights) that is
//!   neither in an earlier seed's own cluster nor covered by the segments
//!   taken so far, so each seed explores new ground and the result does
//!   not change between runs.
//!
//! The segments found are taken best score first, each only if it
//! adds at least [`MIN_COVERAGE`] of the weight to the rows the segments
//! taken before it cover (fewer rows are outliers, or the same rows told
//! again), and neither fixes all the values of a taken segment nor has
//! all its values fixed by one (the same pattern, more or less refined):
//! so the segments differ from each other, as the documentation's
//! machine-learning tutorial says they do.
//!
//! Output: `SegmentId`, `Count` (long), `Percent` of the total weight,
//! then every column but the weight column (an int or long column).
//! Rows come in order of coverage times the number of columns fixed (the
//! order of autocluster-plugin.md's examples and of the tutorial's),
//! ties by count.

use std::collections::HashMap;

use polars::prelude::*;

use super::bits::Rows;
use super::{
    Args, Item, Table, count_column, dimension_columns, dimensions, nested, output, percent,
    read_weights,
};
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;
use crate::kql::run::Runner;

const PLUGIN: &str = "autocluster";

/// The smallest share of the weight a segment must add to those taken
/// before it to be shown: the default Threshold of basket and
/// diffpatterns.
pub const MIN_COVERAGE: f64 = 0.05;

/// The most memory the row sets of the seeds' values are kept in between
/// seeds (each seed row's values recur in the next seeds).
const CACHE_BYTES: usize = 256 << 20;

impl Runner<'_> {
    /// `autocluster`; also returns the dimension columns, for `*` in an
    /// output schema.
    pub(in crate::kql::operators) fn autocluster(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let args = Args::new(PLUGIN, args, None)?;
        let size_weight = args
            .number(
                self,
                0,
                "SizeWeight",
                |w| w > 0.0 && w < 1.0,
                "a number between 0 and 1 (exclusive)",
            )?
            .unwrap_or(0.5);
        let weight = args.column(1, "WeightColumn", &frame)?;
        let seeds = args.whole(self, 2, "NumSeeds", 1, i64::MAX)?.unwrap_or(25);
        let wildcards = args.wildcards(self, 3)?;
        let (weights, whole) = read_weights(PLUGIN, &frame, weight.as_ref(), true)?;
        let except: Vec<&str> = weight.iter().map(|(n, _)| n.as_str()).collect();
        let (table, sources) = dimensions(&frame, &except, weights, self.cancel())?;
        let total = table.weights.of(&Rows::from_fn(table.len, |_| true));
        let mut search = Search {
            table: &table,
            size_weight,
            total,
            cancel: self.cancel(),
            cache: HashMap::new(),
            cache_bytes: 0,
        };
        let mut segments = search.run(seeds as usize)?;
        segments.sort_by(|a, b| {
            let key = |s: &Segment| s.count * s.items.len() as f64;
            key(b).total_cmp(&key(a)).then(b.count.total_cmp(&a.count))
        });

        let n = segments.len();
        let mut columns = vec![
            Column::new("SegmentId".into(), (0..n as i64).collect::<Vec<_>>()),
            count_column("Count", segments.iter().map(|s| s.count), whole),
            Column::new(
                "Percent".into(),
                segments
                    .iter()
                    .map(|s| percent(s.count, total))
                    .collect::<Vec<_>>(),
            ),
        ];
        let items: Vec<&[Item]> = segments.iter().map(|s| s.items.as_slice()).collect();
        columns.extend(dimension_columns(&sources, &items, &wildcards));
        let kept = sources.iter().map(|s| s.name.clone()).collect();
        Ok((output(columns, n, span)?, kept))
    }
}

/// A segment: its values in column order, weight, score and rows.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    items: Vec<Item>,
    count: f64,
    score: f64,
    rows: Rows,
}

/// One autocluster run.
struct Search<'a> {
    table: &'a Table,
    size_weight: f64,
    total: f64,
    cancel: Cancel<'a>,
    /// The rows of the values seen in seeds.
    cache: HashMap<Item, Rows>,
    cache_bytes: usize,
}

impl Search<'_> {
    /// The segments to show (see the module's comment), best score first.
    fn run(&mut self, seeds: usize) -> Result<Vec<Segment>, QueryError> {
        let table = self.table;
        if table.dims.is_empty() || self.total <= 0.0 {
            return Ok(Vec::new());
        }
        let typical = self.typicality()?;
        // The seeds' own segments, and the rows of the segments taken so
        // far: the next seed comes from neither.
        let mut explored = Rows::none(table.len);
        let mut covered = Rows::none(table.len);
        let mut found: Vec<Segment> = Vec::new();
        for _ in 0..seeds {
            self.cancel.check()?;
            let seed = (0..table.len)
                .filter(|&r| !covered.contains(r) && table.weights.of_row(r) > 0.0)
                .fold(None, |best: Option<usize>, r| match best {
                    Some(b) if typical[b] >= typical[r] => Some(b),
                    _ => Some(r),
                });
            let Some(seed) = seed else { break };
            let segments = self.expand(seed)?;
            if let Some(own) = segments.first() {
                explored.or(&own.rows);
            }
            for segment in segments {
                if !found.iter().any(|s| s.items == segment.items) {
                    found.push(segment);
                }
            }
            covered = explored.clone();
            covered.or(&self.take(&found).1);
        }
        Ok(self.take(&found).0)
    }

    /// The segments to show among those found, and the rows they cover:
    /// best score first, each adding at least [`MIN_COVERAGE`] to the rows
    /// of those before, none refining another.
    fn take(&self, found: &[Segment]) -> (Vec<Segment>, Rows) {
        let table = self.table;
        let mut order: Vec<&Segment> = found.iter().collect();
        order.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.count.total_cmp(&a.count))
        });
        let mut taken: Vec<Segment> = Vec::new();
        let mut taken_rows = Rows::none(table.len);
        let mut new = vec![0u64; taken_rows.words().len()];
        for s in order {
            if taken.iter().any(|t| nested(&t.items, &s.items)) {
                continue;
            }
            for ((n, a), t) in new.iter_mut().zip(s.rows.words()).zip(taken_rows.words()) {
                *n = a & !t;
            }
            if table.weights.of_words(&new) < MIN_COVERAGE * self.total {
                continue;
            }
            taken_rows.or(&s.rows);
            taken.push(s.clone());
        }
        (taken, taken_rows)
    }

    /// Each row's typicality: the sum over columns of the logarithm of its
    /// value's weight (rows of no weight never seed).
    fn typicality(&self) -> Result<Vec<f64>, QueryError> {
        let table = self.table;
        let mut typical = vec![0.0; table.len];
        for dim in &table.dims {
            self.cancel.check()?;
            let mut weight = vec![0.0; dim.distinct as usize];
            for (r, &c) in dim.codes.iter().enumerate() {
                weight[c as usize] += table.weights.of_row(r);
            }
            for (t, &c) in typical.iter_mut().zip(&dim.codes) {
                *t += weight[c as usize].max(f64::MIN_POSITIVE).ln();
            }
        }
        Ok(typical)
    }

    fn score(&self, count: f64, fixed: usize) -> f64 {
        let coverage = count / self.total;
        let informative = fixed as f64 / self.table.dims.len() as f64;
        coverage.powf(self.size_weight) * informative.powf(1.0 - self.size_weight)
    }

    /// The rows having `item`'s value.
    fn rows_of(&mut self, item: Item) -> Result<Rows, QueryError> {
        if let Some(rows) = self.cache.get(&item) {
            return Ok(rows.clone());
        }
        let codes = &self.table.dims[item.0 as usize].codes;
        let rows = Rows::with_code(codes, item.1, self.cancel)?;
        let bytes = rows.words().len() * 8;
        if self.cache_bytes + bytes <= CACHE_BYTES {
            self.cache_bytes += bytes;
            self.cache.insert(item, rows.clone());
        }
        Ok(rows)
    }

    /// The local search from `seed` (see the module's comment): the peaks
    /// of its path, closed, in path order (the seed's own segment first).
    fn expand(&mut self, seed: usize) -> Result<Vec<Segment>, QueryError> {
        let table = self.table;
        let m = table.dims.len();
        let items: Vec<Item> = (0..m)
            .map(|d| (d as u32, table.dims[d].codes[seed]))
            .collect();
        let rows: Vec<Rows> = items
            .iter()
            .map(|&i| self.rows_of(i))
            .collect::<Result<_, _>>()?;
        let words = table.len.div_ceil(64);
        // Bits of real rows in each word (the last word may be short).
        let valid = |w: usize| {
            let left = table.len - w * 64;
            if left >= 64 {
                !0u64
            } else {
                (1u64 << left) - 1
            }
        };
        let mut fixed: Vec<usize> = (0..m).collect();
        let mut ones = vec![0u64; words];
        let mut twos = vec![0u64; words];
        let mut scratch = vec![0u64; words];
        // The segment of every column: the rows equal to the seed.
        let mut count = {
            let mut all = Rows::from_fn(table.len, |_| true);
            rows.iter().for_each(|r| all.and(r));
            table.weights.of(&all)
        };
        let seed_count = count;
        // Each step's score, weight and fixed columns.
        let mut path: Vec<(f64, f64, Vec<usize>)> = Vec::new();
        loop {
            path.push((self.score(count, fixed.len()), count, fixed.clone()));
            if fixed.len() == 1 {
                break;
            }
            self.cancel.check()?;
            // Rows differing from the seed in at least one (ones) and in at
            // least two (twos) of the fixed columns.
            ones.fill(0);
            twos.fill(0);
            for &d in &fixed {
                for (w, bits) in rows[d].words().iter().enumerate() {
                    let differ = !bits & valid(w);
                    twos[w] |= ones[w] & differ;
                    ones[w] |= differ;
                }
            }
            // Freeing column d adds the rows differing only there.
            let mut choice: Option<(usize, f64)> = None;
            for (i, &d) in fixed.iter().enumerate() {
                for (w, s) in scratch.iter_mut().enumerate() {
                    *s = !rows[d].words()[w] & valid(w) & !twos[w];
                }
                let gain = table.weights.of_words(&scratch);
                let better = match choice {
                    None => true,
                    Some((j, g)) => {
                        gain > g
                            || (gain == g && table.dims[d].distinct > table.dims[fixed[j]].distinct)
                    }
                };
                if better {
                    choice = Some((i, gain));
                }
            }
            let Some((i, gain)) = choice else { break };
            fixed.remove(i);
            count += gain;
        }
        // The peaks once the path covers more than the seed's copies (the
        // steps before free a row's identifiers); if it never climbs, its
        // best step.
        let mut peaks: Vec<usize> = (1..path.len())
            .filter(|&i| {
                let s = path[i].0;
                path[i].1 > seed_count
                    && s > path[i - 1].0
                    && path.get(i + 1).is_none_or(|next| s >= next.0)
            })
            .collect();
        if peaks.is_empty() {
            let best = (0..path.len()).fold(0, |b, i| if path[i].0 > path[b].0 { i } else { b });
            peaks.push(best);
        }
        Ok(peaks
            .into_iter()
            .map(|p| {
                // Close the segment: fix again what all its rows share.
                let fixed = &path[p].2;
                let mut segment_rows = Rows::from_fn(table.len, |_| true);
                for &d in fixed {
                    segment_rows.and(&rows[d]);
                }
                let closed: Vec<Item> = (0..m)
                    .filter(|d| fixed.contains(d) || segment_rows.within(&rows[*d]))
                    .map(|d| items[d])
                    .collect();
                let count = table.weights.of(&segment_rows);
                Segment {
                    score: self.score(count, closed.len()),
                    items: closed,
                    count,
                    rows: segment_rows,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::Dim;
    use super::super::bits::Weights;
    use super::*;

    fn table(columns: &[&[u32]]) -> Table {
        Table {
            dims: columns
                .iter()
                .map(|c| Dim {
                    codes: c.to_vec(),
                    distinct: c.iter().max().map_or(0, |m| m + 1),
                })
                .collect(),
            weights: Weights::Unit,
            len: columns[0].len(),
        }
    }

    fn search(t: &Table, size_weight: f64) -> Search<'_> {
        Search {
            table: t,
            size_weight,
            total: t.len as f64,
            cancel: Cancel::default(),
            cache: HashMap::new(),
            cache_bytes: 0,
        }
    }

    #[test]
    fn expanding_frees_the_identifying_column_first() {
        // Column 0 is an id; columns 1 and 2 repeat: rows 0-3 are (a, x),
        // row 4 is (b, y).
        let t = table(&[&[0, 1, 2, 3, 4], &[0, 0, 0, 0, 1], &[0, 0, 0, 0, 1]]);
        let segments = search(&t, 0.5).expand(0).unwrap();
        assert_eq!(segments.len(), 1);
        let segment = &segments[0];
        assert_eq!(segment.items, vec![(1, 0), (2, 0)]);
        assert_eq!(segment.count, 4.0);
        assert_eq!(segment.rows.iter().collect::<Vec<_>>(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn seeds_come_from_rows_not_yet_covered() {
        // Rows 0-3 are (a, x), rows 4-6 (b, y), row 7 (b, z). The seeds are
        // rows 0, 4 and 7; row 7's search ends at (b) alone, which the
        // segment (b, y) refines.
        let t = table(&[
            &[0, 1, 2, 3, 4, 5, 6, 7],
            &[0, 0, 0, 0, 1, 1, 1, 1],
            &[0, 0, 0, 0, 1, 1, 1, 2],
        ]);
        let found = search(&t, 0.5).run(25).unwrap();
        let items: Vec<Vec<Item>> = found.into_iter().map(|s| s.items).collect();
        assert_eq!(items, vec![vec![(1, 0), (2, 0)], vec![(1, 1), (2, 1)]]);
    }

    #[test]
    fn a_cancelled_search_stops() {
        let t = table(&[&[0, 1, 2], &[0, 0, 1]]);
        let flag = std::sync::atomic::AtomicBool::new(true);
        let mut s = search(&t, 0.5);
        s.cancel = Cancel::new(Some(&flag));
        let e = s.run(25).unwrap_err();
        assert_eq!(e.kind, crate::kql::error::ErrorKind::Cancelled);
    }
}
