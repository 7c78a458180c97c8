//! Group ids for `summarize ... by` and `distinct` (and the matching of
//! joins, the ranks of sorts), fast over millions of groups
//! (`summarize count() by RemoteIP, RemotePort` on a week of traffic).
//!
//! Each row's key becomes one 64-bit number (see `keys`): the key values
//! packed side by side when they fit, else a hash of them, whose equal
//! numbers are then compared value by value so that a hash collision never
//! merges groups. Rows find their group in one of two ways:
//!
//! - few groups: each thread takes a share of the rows with its own hash
//!   table, which stays in cache; the tables are then merged.
//! - many groups (a thread's table grows past [`FEW_GROUPS`]): the numbers
//!   are sketched (HyperLogLog) to estimate how many groups, rows are
//!   partitioned by their number into buckets of a few thousand groups
//!   each, so each bucket's table stays in cache, and the buckets are
//!   grouped in parallel.
//!
//! Groups are numbered in order of first appearance, as Kusto's (and
//! Polars' stable) grouping does.

mod keys;
mod table;

use std::sync::atomic::{AtomicBool, Ordering};

use polars::prelude::*;
use rayon::prelude::*;

use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;
use keys::Keys;
use table::Table;

/// Rows handled between two looks at the cancel flag.
const BLOCK: usize = 1 << 16;
/// Groups up to which each thread groups its share of the rows in one
/// table (beyond, a thread's table outgrows the caches).
const FEW_GROUPS: usize = 1 << 18;
/// Groups per bucket when there are many: a table of twice as many slots
/// (16 bytes each) fits in a core's cache.
const BUCKET_GROUPS: usize = 2048;
/// Rows a thread's share must have for threads to pay.
const SHARE_ROWS: usize = 1 << 17;

/// Each row's group, numbered from 0 in order of first appearance.
pub struct Groups {
    /// The group of each row.
    pub ids: Vec<u32>,
    /// The first row of each group, in group order.
    pub first_rows: Vec<IdxSize>,
}

impl Groups {
    /// How many groups there are.
    pub fn len(&self) -> usize {
        self.first_rows.len()
    }

    /// The rows ordered by group, keeping row order within a group.
    pub fn permutation(&self) -> Vec<IdxSize> {
        let mut start = vec![0 as IdxSize; self.first_rows.len() + 1];
        for &g in &self.ids {
            start[g as usize + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut out = vec![0 as IdxSize; self.ids.len()];
        for (row, &g) in self.ids.iter().enumerate() {
            let slot = &mut start[g as usize];
            out[*slot as usize] = row as IdxSize;
            *slot += 1;
        }
        out
    }

    /// The group of each row in [`Groups::permutation`] order: ascending.
    pub fn sorted_ids(&self) -> Vec<u32> {
        let mut sizes = vec![0u32; self.first_rows.len()];
        for &g in &self.ids {
            sizes[g as usize] += 1;
        }
        let mut out = Vec::with_capacity(self.ids.len());
        for (g, &n) in sizes.iter().enumerate() {
            out.extend(std::iter::repeat_n(g as u32, n as usize));
        }
        out
    }
}

/// How rows find their group; tests choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// Queries are always adaptive; tests force the other two.
#[cfg_attr(not(test), allow(dead_code))]
enum Strategy {
    /// Tables, unless a thread's table gets more than this many groups:
    /// then buckets.
    Adaptive(usize),
    /// A table per thread, merged.
    Tables,
    /// Buckets of a few thousand groups.
    Buckets,
}

/// The groups of the rows of `keys` (equal-length columns), `Ok(None)` for a
/// key type that cannot be grouped here (the caller lets Polars group).
/// Stops with the cancelled error within a block of rows of `cancel`.
pub fn group_ids(keys: &[Series], cancel: Cancel) -> Result<Option<Groups>, QueryError> {
    group_ids_with(keys, u64::MAX, Strategy::Adaptive(FEW_GROUPS), true, cancel)
}

/// The first row of each distinct key of `keys`, in row order (what
/// [`group_ids`] gives as `first_rows`, without numbering every row);
/// `Ok(None)` for a key type that cannot be grouped here.
pub fn distinct_rows(keys: &[Series], cancel: Cancel) -> Result<Option<Vec<IdxSize>>, QueryError> {
    Ok(group_ids_with(
        keys,
        u64::MAX,
        Strategy::Adaptive(FEW_GROUPS),
        false,
        cancel,
    )?
    .map(|g| g.first_rows))
}

/// Each row's value of `column` as a small number, when its values are
/// few integers or codes: `1..=n` (`n` is returned, at most `max`), 0 for
/// null. Distinct values get distinct numbers; `Ok(None)` when the values
/// span more than `max` numbers.
pub fn small_codes(
    column: &Series,
    max: u64,
    cancel: Cancel,
) -> Result<Option<(Vec<u16>, u64)>, QueryError> {
    let Some(keys) = Keys::read(std::slice::from_ref(column), u64::MAX) else {
        return Ok(None);
    };
    let Some(bits) = keys.packed_bits() else {
        return Ok(None);
    };
    if bits > 16 || (1u64 << bits) - 1 > max {
        return Ok(None);
    }
    let mut codes = vec![0u16; column.len()];
    codes
        .par_chunks_mut(BLOCK)
        .enumerate()
        .try_for_each(|(b, out)| {
            cancel.check()?;
            let mut packed = vec![0u64; out.len()];
            keys.packed(b * BLOCK, &mut packed);
            for (c, &p) in out.iter_mut().zip(&packed) {
                *c = p as u16;
            }
            Ok::<(), QueryError>(())
        })?;
    Ok(Some((codes, (1u64 << bits) - 1)))
}

/// [`group_ids`] with hashes cut down to `hash_bits` (a mask) and the
/// strategy forced: tests make every hashed key collide with others, and
/// check every strategy. Without `with_ids`, only the first rows are
/// found (`ids` is empty).
fn group_ids_with(
    columns: &[Series],
    hash_bits: u64,
    strategy: Strategy,
    with_ids: bool,
    cancel: Cancel,
) -> Result<Option<Groups>, QueryError> {
    let Some(rows) = columns.first().map(|k| k.len()) else {
        return Ok(None);
    };
    if rows >= u32::MAX as usize {
        return Ok(None);
    }
    let Some(keys) = Keys::read(columns, hash_bits) else {
        return Ok(None);
    };
    cancel.check()?;
    let limit = match strategy {
        Strategy::Adaptive(few) => Some(few),
        Strategy::Tables => Some(usize::MAX),
        Strategy::Buckets => None,
    };
    if let Some(limit) = limit
        && let Some(groups) = by_tables(rows, &keys, limit, with_ids, cancel)?
    {
        return Ok(Some(groups));
    }
    // Many groups: one number per row, and a sketch of how many distinct
    // ones, which sizes the buckets.
    let mut numbers: Vec<u64> = vec![0; rows];
    let sketch = numbers
        .par_chunks_mut(BLOCK)
        .enumerate()
        .map(|(c, out)| {
            cancel.check()?;
            keys.numbers(c * BLOCK, out);
            let mut sketch = Sketch::new();
            for &k in out.iter() {
                sketch.add(k);
            }
            Ok(sketch)
        })
        .try_reduce(Sketch::new, |mut a, b| {
            a.merge(&b);
            Ok(a)
        })?;
    let estimate = sketch.estimate().min(rows);
    Ok(Some(by_buckets(
        &numbers, &keys, estimate, with_ids, cancel,
    )?))
}

/// A HyperLogLog sketch of the key numbers (already scrambled): about 2%
/// error, which is all the choice of strategy and table sizes needs.
struct Sketch([u8; Sketch::REGISTERS]);

impl Sketch {
    const BITS: u32 = 11;
    const REGISTERS: usize = 1 << Self::BITS;

    fn new() -> Sketch {
        Sketch([0; Self::REGISTERS])
    }

    #[inline]
    fn add(&mut self, k: u64) {
        let register = (k >> (64 - Self::BITS)) as usize;
        let rank = ((k << Self::BITS) | (1 << (Self::BITS - 1))).leading_zeros() as u8 + 1;
        let r = &mut self.0[register];
        *r = (*r).max(rank);
    }

    fn merge(&mut self, other: &Sketch) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a = (*a).max(*b);
        }
    }

    fn estimate(&self) -> usize {
        let m = Self::REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self.0.iter().map(|&r| (-f64::from(r)).exp2()).sum();
        let raw = alpha * m * m / sum;
        let zeros = self.0.iter().filter(|&&r| r == 0).count();
        let e = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        e.round() as usize
    }
}

/// A pointer that threads may write through at indices no other thread
/// writes.
#[derive(Clone, Copy)]
struct Shared<T>(*mut T);
// SAFETY: used only where each index is written by one thread (see the
// callers), and read only after the threads have finished.
unsafe impl<T> Send for Shared<T> {}
unsafe impl<T> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// # Safety
    /// `i` is within the allocation, and no other thread touches it.
    unsafe fn write(self, i: usize, v: T) {
        unsafe { self.0.add(i).write(v) }
    }
}

/// `all` cut into the buckets' ranges (`start` holds where each begins,
/// and the end).
fn bucket_slices<'a>(all: &'a mut [u64], start: &[usize]) -> Vec<&'a mut [u64]> {
    let mut slices = Vec::with_capacity(start.len().saturating_sub(1));
    let mut rest = all;
    for w in start.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        slices.push(head);
        rest = tail;
    }
    slices
}

/// The row shares of the threads: `[start, end)` each, in row order.
fn shares(rows: usize) -> Vec<(usize, usize)> {
    let n = rayon::current_num_threads().min(rows / SHARE_ROWS).max(1);
    (0..n).map(|i| (rows * i / n, rows * (i + 1) / n)).collect()
}

/// One thread's share of the rows, grouped: the first row and the key
/// number of each of its groups.
struct Share {
    firsts: Vec<u32>,
    numbers: Vec<u64>,
}

/// Few groups: each thread groups a share of the rows in its own table
/// (the key numbers computed a block at a time, in the cache); the first
/// share's groups keep their numbers, each next share's groups are looked
/// up in (or added to) the merged table. `None` as soon as a share has more
/// than `limit` groups: there are many groups, and buckets group them
/// faster.
fn by_tables(
    rows: usize,
    keys: &Keys,
    limit: usize,
    with_ids: bool,
    cancel: Cancel,
) -> Result<Option<Groups>, QueryError> {
    let exact = keys.exact();
    let shares = shares(rows);
    let mut ids = vec![0u32; rows];
    let mut outs: Vec<(usize, &mut [u32])> = Vec::new();
    let mut rest = &mut ids[..];
    for &(start, end) in &shares {
        let (out, tail) = rest.split_at_mut(end - start);
        outs.push((start, out));
        rest = tail;
    }
    let crowded = AtomicBool::new(false);
    let locals = outs
        .into_par_iter()
        .map(|(start, out)| {
            let mut table = Table::new(1 << 10, 0);
            let mut share = Share {
                firsts: Vec::new(),
                numbers: Vec::new(),
            };
            let mut numbers = vec![0u64; BLOCK.min(out.len())];
            for (b, block) in out.chunks_mut(BLOCK).enumerate() {
                cancel.check()?;
                if share.firsts.len() > limit || crowded.load(Ordering::Relaxed) {
                    crowded.store(true, Ordering::Relaxed);
                    return Ok(None);
                }
                let base = start + b * BLOCK;
                let numbers = &mut numbers[..block.len()];
                keys.numbers(base, numbers);
                for (i, (id, &k)) in block.iter_mut().zip(numbers.iter()).enumerate() {
                    let row = base + i;
                    let next = share.firsts.len() as u32;
                    let g = table.group_of(k, next, |g| {
                        exact || keys.same(share.firsts[g as usize] as usize, row)
                    });
                    if g == next {
                        share.firsts.push(row as u32);
                        share.numbers.push(k);
                    }
                    *id = g;
                }
            }
            Ok(Some((table, share)))
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    let Some(locals) = locals.into_iter().collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    let mut locals = locals.into_iter();
    let Some((mut table, mut merged)) = locals.next() else {
        return Ok(Some(Groups {
            ids,
            first_rows: Vec::new(),
        }));
    };
    for ((start, end), (_, share)) in shares.iter().skip(1).zip(locals) {
        let mut renumber = Vec::with_capacity(share.firsts.len());
        for (block, numbers) in share.firsts.chunks(BLOCK).zip(share.numbers.chunks(BLOCK)) {
            cancel.check()?;
            for (&row, &k) in block.iter().zip(numbers) {
                let next = merged.firsts.len() as u32;
                let g = table.group_of(k, next, |g| {
                    exact || keys.same(merged.firsts[g as usize] as usize, row as usize)
                });
                if g == next {
                    merged.firsts.push(row);
                    merged.numbers.push(k);
                }
                renumber.push(g);
            }
        }
        if !with_ids {
            continue;
        }
        ids[*start..*end]
            .par_chunks_mut(BLOCK)
            .try_for_each(|block| {
                cancel.check()?;
                for id in block {
                    *id = renumber[*id as usize];
                }
                Ok::<(), QueryError>(())
            })?;
    }
    if !with_ids {
        ids = Vec::new();
    }
    Ok(Some(Groups {
        ids,
        first_rows: merged.firsts.into_iter().map(|r| r as IdxSize).collect(),
    }))
}

/// Many groups: rows are partitioned by the top bits of their number into
/// buckets of about [`BUCKET_GROUPS`] groups (in row order within each),
/// each bucket is grouped in its own small table, and the groups are
/// numbered by their first rows. Every pass reads memory in order (one
/// stream per bucket), never at random over all the rows.
fn by_buckets(
    numbers: &[u64],
    keys: &Keys,
    estimate: usize,
    with_ids: bool,
    cancel: Cancel,
) -> Result<Groups, QueryError> {
    let rows = numbers.len();
    let exact = keys.exact();
    let bucket_bits = (estimate / BUCKET_GROUPS)
        .next_power_of_two()
        .trailing_zeros()
        .clamp(1, 12);
    let buckets = 1usize << bucket_bits;
    let bucket_of = |k: u64| (k >> (64 - bucket_bits)) as usize;

    // Each block's count per bucket, then where each block's rows go in
    // each bucket: blocks in row order, so rows stay in order within a
    // bucket.
    let counts: Vec<Vec<u32>> = numbers
        .par_chunks(BLOCK)
        .map(|block| {
            cancel.check()?;
            let mut n = vec![0u32; buckets];
            for &k in block {
                n[bucket_of(k)] += 1;
            }
            Ok(n)
        })
        .collect::<Result<_, QueryError>>()?;
    let mut bucket_start = vec![0usize; buckets + 1];
    let mut offsets: Vec<Vec<usize>> = vec![vec![0; buckets]; counts.len()];
    let mut at = 0usize;
    for b in 0..buckets {
        bucket_start[b] = at;
        for (c, n) in counts.iter().enumerate() {
            offsets[c][b] = at;
            at += n[b] as usize;
        }
    }
    bucket_start[buckets] = at;
    drop(counts);
    let mut sorted_numbers = vec![0u64; rows];
    let mut sorted_rows = vec![0u32; rows];
    let (to_numbers, to_rows) = (
        Shared(sorted_numbers.as_mut_ptr()),
        Shared(sorted_rows.as_mut_ptr()),
    );
    numbers
        .par_chunks(BLOCK)
        .zip(offsets.par_iter_mut())
        .enumerate()
        .try_for_each(|(c, (block, at))| {
            cancel.check()?;
            for (i, &k) in block.iter().enumerate() {
                let slot = &mut at[bucket_of(k)];
                // SAFETY: the offsets give each (block, bucket) its own
                // range of slots, which the block's count fills exactly.
                unsafe {
                    to_numbers.write(*slot, k);
                    to_rows.write(*slot, (c * BLOCK + i) as u32);
                }
                *slot += 1;
            }
            Ok::<(), QueryError>(())
        })?;

    // Each bucket's groups, numbered within the bucket, and each row's
    // number (in bucket order, over its key number, no longer needed).
    let mut local = sorted_numbers;
    let per_bucket = estimate / buckets + estimate / buckets / 4 + 16;
    let firsts: Vec<Vec<u32>> = bucket_slices(&mut local, &bucket_start)
        .into_par_iter()
        .enumerate()
        .map(|(b, slice)| {
            let start = bucket_start[b];
            let rows = &sorted_rows[start..start + slice.len()];
            let mut table = Table::new(per_bucket.min(slice.len()), bucket_bits);
            let mut firsts: Vec<u32> = Vec::new();
            for (block, block_rows) in slice.chunks_mut(BLOCK).zip(rows.chunks(BLOCK)) {
                cancel.check()?;
                for (k, &row) in block.iter_mut().zip(block_rows) {
                    let next = firsts.len() as u32;
                    let g = table.group_of(*k, next, |g| {
                        exact || keys.same(firsts[g as usize] as usize, row as usize)
                    });
                    if g == next {
                        firsts.push(row);
                    }
                    *k = u64::from(g);
                }
            }
            Ok(firsts)
        })
        .collect::<Result<_, QueryError>>()?;

    // A group's number is how many groups' first rows come before its
    // own: count them with one bit per row (a few hundred kilobytes, in
    // the cache).
    let total: usize = firsts.iter().map(Vec::len).sum();
    let mut marks = vec![0u64; rows.div_ceil(64)];
    for f in &firsts {
        cancel.check()?;
        for &row in f {
            marks[row as usize / 64] |= 1 << (row % 64);
        }
    }
    let mut before = Vec::with_capacity(marks.len());
    let mut seen = 0u32;
    for m in &marks {
        before.push(seen);
        seen += m.count_ones();
    }
    let rank_of = |row: u32| {
        let (w, bit) = (row as usize / 64, row % 64);
        before[w] + (marks[w] & ((1u64 << bit) - 1)).count_ones()
    };
    // Each row's group number, written at its row: the writes scatter, but
    // writes do not wait on memory as reads would.
    let mut ids = Vec::new();
    if with_ids {
        ids = vec![0u32; rows];
        let to_ids = Shared(ids.as_mut_ptr());
        bucket_slices(&mut local, &bucket_start)
            .into_par_iter()
            .enumerate()
            .zip(firsts.par_iter())
            .try_for_each(|((b, slice), firsts)| {
                let start = bucket_start[b];
                let rows = &sorted_rows[start..start + slice.len()];
                for (block, block_rows) in slice.chunks(BLOCK).zip(rows.chunks(BLOCK)) {
                    cancel.check()?;
                    for (&g, &row) in block.iter().zip(block_rows) {
                        // SAFETY: every row is in exactly one bucket, once.
                        unsafe { to_ids.write(row as usize, rank_of(firsts[g as usize])) };
                    }
                }
                Ok::<(), QueryError>(())
            })?;
    }
    drop(firsts);
    drop(local);
    drop(sorted_rows);
    let mut first_rows: Vec<IdxSize> = Vec::with_capacity(total);
    for (w, &m) in marks.iter().enumerate() {
        let mut m = m;
        while m != 0 {
            first_rows.push((w * 64 + m.trailing_zeros() as usize) as IdxSize);
            m &= m - 1;
        }
    }
    Ok(Groups { ids, first_rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The group ids a plain hash map gives, numbered by first appearance.
    fn first_appearance<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Vec<u32> {
        let mut seen = std::collections::HashMap::new();
        keys.map(|k| {
            let n = seen.len() as u32;
            *seen.entry(k).or_insert(n)
        })
        .collect()
    }

    /// The groups of `keys` by each strategy, which must agree, and their
    /// first rows, which must be each group's first row.
    fn grouped(keys: &[Series], hash_bits: u64) -> Vec<u32> {
        let mut all = Vec::new();
        // Adaptive with a small limit: tables for few groups, buckets
        // after giving up on tables for many.
        let strategies = [
            Strategy::Adaptive(FEW_GROUPS),
            Strategy::Adaptive(100),
            Strategy::Tables,
            Strategy::Buckets,
        ];
        for strategy in strategies {
            let g = group_ids_with(keys, hash_bits, strategy, true, Cancel::default())
                .expect("not cancelled")
                .expect("groupable");
            let mut firsts = Vec::new();
            for (row, &id) in g.ids.iter().enumerate() {
                if id as usize == firsts.len() {
                    firsts.push(row as IdxSize);
                }
                assert!(
                    (id as usize) < firsts.len(),
                    "{strategy:?}: numbered out of order"
                );
            }
            assert_eq!(g.first_rows, firsts, "{strategy:?}");
            let distinct = group_ids_with(keys, hash_bits, strategy, false, Cancel::default())
                .expect("not cancelled")
                .expect("groupable");
            assert_eq!(
                distinct.first_rows, firsts,
                "{strategy:?}: first rows alone"
            );
            all.push(g.ids);
        }
        for other in &all[1..] {
            assert_eq!(&all[0], other);
        }
        all.swap_remove(0)
    }

    fn ids(keys: &[Series]) -> Vec<u32> {
        grouped(keys, u64::MAX)
    }

    #[test]
    fn groups_are_numbered_by_first_appearance() {
        let ip = Series::new("ip".into(), &["b", "a", "b", "c", "a", "b"]);
        let port = Series::new("port".into(), &[1i32, 1, 1, 1, 1, 2]);
        assert_eq!(ids(std::slice::from_ref(&ip)), [0, 1, 0, 2, 1, 0]);
        assert_eq!(ids(&[ip, port]), [0, 1, 0, 2, 1, 3]);
        let g = group_ids(&[Series::new("x".into(), &[5i64, 7, 5])], Cancel::default())
            .expect("not cancelled")
            .expect("groupable");
        assert_eq!(g.first_rows, [0, 1]);
        assert_eq!(g.len(), 2);
        assert_eq!(g.permutation(), [0, 2, 1]);
        assert_eq!(g.sorted_ids(), [0, 0, 1]);
    }

    #[test]
    fn no_rows_are_no_groups() {
        let empty = Series::new("x".into(), Vec::<i64>::new());
        let g = group_ids(&[empty], Cancel::default())
            .expect("not cancelled")
            .expect("groupable");
        assert_eq!(g.len(), 0);
        assert!(g.ids.is_empty());
    }

    #[test]
    fn nulls_form_their_own_group_and_reals_group_by_value() {
        let n = Series::new("n".into(), &[Some(1i32), None, Some(1), None, Some(0)]);
        assert_eq!(ids(&[n]), [0, 1, 0, 1, 2]);
        let r = Series::new("r".into(), &[0.0f64, -0.0, f64::NAN, f64::NAN, 1.5]);
        assert_eq!(ids(&[r]), [0, 0, 1, 1, 2]);
        let wide = Series::new("w".into(), &[Some(i64::MIN), None, Some(i64::MAX), None]);
        assert_eq!(ids(&[wide]), [0, 1, 2, 1]);
        let all_null = Series::new("z".into(), &[None::<i64>, None, None]);
        let b = Series::new("b".into(), &[Some(true), None, Some(true)]);
        assert_eq!(ids(&[all_null, b]), [0, 1, 0]);
    }

    #[test]
    fn colliding_hashes_never_merge_groups() {
        // Two bits of hash: thousands of keys share four numbers, and only
        // comparing the values tells them apart.
        let rows = 20_000;
        let text: Vec<String> = (0..rows).map(|i| format!("host-{}", i % 997)).collect();
        let port: Vec<Option<i64>> = (0..rows)
            .map(|i| (i % 5 != 0).then_some((i % 3) as i64))
            .collect();
        let keys = [
            Series::new("h".into(), text.clone()),
            Series::new("p".into(), port.clone()),
        ];
        let want = first_appearance(text.iter().zip(&port));
        assert_eq!(grouped(&keys, 0b11), want);
    }

    #[test]
    fn many_hashed_groups_match_a_plain_map() {
        // Text keys (hashed) with enough rows for many buckets and several
        // threads' shares.
        let rows: u64 = 400_000;
        let text: Vec<String> = (0..rows)
            .map(|i| format!("10.0.{}.{}", (i * 7919) % 251, i % 13))
            .collect();
        let port: Vec<i64> = (0..rows).map(|i| ((i * 31) % 7) as i64).collect();
        let keys = [
            Series::new("ip".into(), text.clone()),
            Series::new("port".into(), port.clone()),
        ];
        assert_eq!(ids(&keys), first_appearance(text.iter().zip(&port)));
    }

    #[test]
    fn many_packed_groups_match_a_plain_map() {
        // Integers of several widths, encoded text and nulls, packed into
        // one number: about 300k groups over 600k rows.
        let rows: u64 = 600_000;
        let mix = |i: u64| keys::scramble(i ^ 0x5555);
        let a: Vec<Option<i32>> = (0..rows)
            .map(|i| (mix(i) % 17 != 0).then_some((mix(i) % 40_000) as i32 - 20_000))
            .collect();
        let b: Vec<u8> = (0..rows).map(|i| (mix(i + 7) % 8) as u8).collect();
        let names: Vec<String> = (0..rows)
            .map(|i| format!("dev-{}", mix(i + 3) % 500))
            .collect();
        let text =
            StringChunked::from_iter_values("DeviceName".into(), names.iter().map(String::as_str));
        let encoded = crate::data::encode::encode(&text)
            .expect("encode")
            .expect("repetitive");
        let keys = [
            Series::new("a".into(), a.clone()),
            Series::new("b".into(), b.clone()),
            encoded,
        ];
        let want = first_appearance(a.iter().zip(&b).zip(&names));
        assert_eq!(ids(&keys), want);
    }

    #[test]
    fn a_cancelled_grouping_stops() {
        let flag = std::sync::atomic::AtomicBool::new(true);
        let x = Series::new("x".into(), (0..1000i64).collect::<Vec<_>>());
        let r = group_ids(&[x], Cancel::new(Some(&flag)));
        assert_eq!(r.err(), Some(QueryError::cancelled()));
    }
}
