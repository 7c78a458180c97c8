//! Group ids for `summarize ... by` and `distinct` (and the matching of
//! joins, the ranks of sorts), fast over millions of groups
//! (`summarize count() by RemoteIP, RemotePort` on a week of traffic).
//!
//! Each row's key becomes one 64-bit number (see `keys`): the key values
//! packed side by side when they fit, else a hash of them, whose equal
//! numbers are then compared value by value so that a hash collision never
//! merges groups. The number of groups is estimated first (a HyperLogLog
//! sketch of the numbers, a few milliseconds), and decides how rows find
//! their group:
//!
//! - few groups: each thread takes a share of the rows with its own hash
//!   table, which stays in cache; the tables are then merged.
//! - many groups: rows are partitioned by their number into buckets of a
//!   few thousand groups each, so each bucket's table stays in cache, and
//!   the buckets are grouped in parallel.
//!
//! Groups are numbered in order of first appearance, as Kusto's (and
//! Polars' stable) grouping does.

mod keys;
mod table;

use polars::prelude::*;
use rayon::prelude::*;

use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;
use keys::Keys;
use table::Table;

/// Rows handled between two looks at the cancel flag.
const BLOCK: usize = 1 << 16;
/// Estimated groups up to which each thread groups its share of the rows
/// in one table (beyond, a thread's table outgrows the caches).
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

/// How rows find their group; tests choose, queries let the estimate
/// choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strategy {
    /// A table per thread, merged.
    Tables,
    /// Buckets of a few thousand groups.
    Buckets,
}

/// The groups of the rows of `keys` (equal-length columns), `Ok(None)` for a
/// key type that cannot be grouped here (the caller lets Polars group).
/// Stops with the cancelled error within a block of rows of `cancel`.
pub fn group_ids(keys: &[Series], cancel: Cancel) -> Result<Option<Groups>, QueryError> {
    group_ids_with(keys, u64::MAX, None, cancel)
}

/// [`group_ids`] with hashes cut down to `hash_bits` (a mask) and the
/// strategy forced: tests make every hashed key collide with others, and
/// check both strategies.
fn group_ids_with(
    columns: &[Series],
    hash_bits: u64,
    strategy: Option<Strategy>,
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
    // One number per row, and a sketch of how many distinct ones.
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
    let strategy = strategy.unwrap_or(if estimate <= FEW_GROUPS {
        Strategy::Tables
    } else {
        Strategy::Buckets
    });
    let groups = match strategy {
        Strategy::Tables => by_tables(&numbers, &keys, estimate, cancel)?,
        Strategy::Buckets => by_buckets(&numbers, &keys, estimate, cancel)?,
    };
    Ok(Some(groups))
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

/// The row shares of the threads: `[start, end)` each, in row order.
fn shares(rows: usize) -> Vec<(usize, usize)> {
    let n = rayon::current_num_threads().min(rows / SHARE_ROWS).max(1);
    (0..n).map(|i| (rows * i / n, rows * (i + 1) / n)).collect()
}

/// Few groups: each thread groups a share of the rows in its own table;
/// the first share's groups keep their numbers, each next share's groups
/// are looked up in (or added to) the merged table.
fn by_tables(
    numbers: &[u64],
    keys: &Keys,
    estimate: usize,
    cancel: Cancel,
) -> Result<Groups, QueryError> {
    let rows = numbers.len();
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
    let locals = outs
        .into_par_iter()
        .map(|(start, out)| {
            let mut table = Table::new(estimate.min(out.len()), 0);
            let mut firsts: Vec<u32> = Vec::new();
            for (b, block) in out.chunks_mut(BLOCK).enumerate() {
                cancel.check()?;
                let base = start + b * BLOCK;
                for (i, id) in block.iter_mut().enumerate() {
                    let row = base + i;
                    let next = firsts.len() as u32;
                    let g = table.group_of(numbers[row], next, |g| {
                        exact || keys.same(firsts[g as usize] as usize, row)
                    });
                    if g == next {
                        firsts.push(row as u32);
                    }
                    *id = g;
                }
            }
            Ok((table, firsts))
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    let mut locals = locals.into_iter();
    let Some((mut table, mut firsts)) = locals.next() else {
        return Ok(Groups {
            ids,
            first_rows: Vec::new(),
        });
    };
    for ((start, end), (_, local_firsts)) in shares.iter().skip(1).zip(locals) {
        let mut renumber = Vec::with_capacity(local_firsts.len());
        for block in local_firsts.chunks(BLOCK) {
            cancel.check()?;
            for &row in block {
                let next = firsts.len() as u32;
                let g = table.group_of(numbers[row as usize], next, |g| {
                    exact || keys.same(firsts[g as usize] as usize, row as usize)
                });
                if g == next {
                    firsts.push(row);
                }
                renumber.push(g);
            }
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
    Ok(Groups {
        ids,
        first_rows: firsts.into_iter().map(|r| r as IdxSize).collect(),
    })
}

/// Many groups: rows are partitioned by the top bits of their number into
/// buckets of about [`BUCKET_GROUPS`] groups (in row order within each),
/// each bucket is grouped in its own small table, and the groups are then
/// renumbered by their first rows.
fn by_buckets(
    numbers: &[u64],
    keys: &Keys,
    estimate: usize,
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

    // Each block's count per bucket, then where each block writes in each
    // bucket: blocks in row order, so rows stay in order within a bucket.
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
    drop(offsets);

    // Each bucket's groups, numbered within the bucket; each row's number
    // within its bucket goes to `ids` for now.
    let mut ids = vec![0u32; rows];
    let to_ids = Shared(ids.as_mut_ptr());
    let per_bucket = estimate / buckets + estimate / buckets / 4 + 16;
    let firsts: Vec<Vec<u32>> = (0..buckets)
        .into_par_iter()
        .map(|b| {
            let (start, end) = (bucket_start[b], bucket_start[b + 1]);
            let mut table = Table::new(per_bucket.min(end - start), bucket_bits);
            let mut firsts: Vec<u32> = Vec::new();
            for block in (start..end).step_by(BLOCK) {
                cancel.check()?;
                for pos in block..(block + BLOCK).min(end) {
                    let (k, row) = (sorted_numbers[pos], sorted_rows[pos]);
                    let next = firsts.len() as u32;
                    let g = table.group_of(k, next, |g| {
                        exact || keys.same(firsts[g as usize] as usize, row as usize)
                    });
                    if g == next {
                        firsts.push(row);
                    }
                    // SAFETY: every row is in exactly one bucket, once.
                    unsafe { to_ids.write(row as usize, g) };
                }
            }
            Ok(firsts)
        })
        .collect::<Result<_, QueryError>>()?;
    drop(sorted_numbers);
    drop(sorted_rows);

    // A group's number is how many groups' first rows come before its
    // own: count them with one bit per row.
    let mut base = Vec::with_capacity(buckets);
    let mut total = 0usize;
    for f in &firsts {
        base.push(total);
        total += f.len();
    }
    let mut marks = vec![0u64; rows.div_ceil(64)];
    for f in &firsts {
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
    let mut rank = vec![0u32; total];
    let mut slices: Vec<&mut [u32]> = Vec::with_capacity(buckets);
    let mut rest = &mut rank[..];
    for f in &firsts {
        let (head, tail) = rest.split_at_mut(f.len());
        slices.push(head);
        rest = tail;
    }
    slices
        .into_par_iter()
        .zip(firsts.par_iter())
        .for_each(|(out, f)| {
            for (r, &row) in out.iter_mut().zip(f) {
                let (w, bit) = (row as usize / 64, row % 64);
                *r = before[w] + (marks[w] & ((1u64 << bit) - 1)).count_ones();
            }
        });
    drop(firsts);
    cancel.check()?;
    let mut first_rows: Vec<IdxSize> = Vec::with_capacity(total);
    for (w, &m) in marks.iter().enumerate() {
        let mut m = m;
        while m != 0 {
            first_rows.push((w * 64 + m.trailing_zeros() as usize) as IdxSize);
            m &= m - 1;
        }
    }
    ids.par_chunks_mut(BLOCK)
        .zip(numbers.par_chunks(BLOCK))
        .try_for_each(|(block, nums)| {
            cancel.check()?;
            for (id, &k) in block.iter_mut().zip(nums) {
                *id = rank[base[bucket_of(k)] + *id as usize];
            }
            Ok::<(), QueryError>(())
        })?;
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
        for strategy in [None, Some(Strategy::Tables), Some(Strategy::Buckets)] {
            let g = group_ids_with(keys, hash_bits, strategy, Cancel::default())
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
            all.push(g.ids);
        }
        assert_eq!(all[0], all[1]);
        assert_eq!(all[1], all[2]);
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
