//! Group ids for `summarize ... by` and `distinct`, fast over millions of
//! groups (`summarize count() by RemoteIP, RemotePort` on a week of
//! traffic).
//!
//! Each row's key becomes one 64-bit number: the key values packed side by
//! side when they fit (small integers, encoded text's codes, timestamps
//! within a range), else a hash of them. Rows are bucketed by that number
//! and each bucket sorted, so equal keys lie side by side; hashed keys are
//! then compared value by value, so a hash collision never merges groups.
//! Groups are numbered in order of first appearance, as Kusto's (and
//! Polars' stable) grouping does.

use std::hash::BuildHasher;

use polars::prelude::*;
use rayon::prelude::*;

use crate::data::encode;
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;

/// Rows per bucket, on average: a bucket is sorted within the cache.
const BUCKET_ROWS: usize = 4096;

/// Each row's group, numbered from 0 in order of first appearance.
pub struct Groups {
    /// The group of each row.
    pub ids: Vec<u32>,
    /// The first row of each group, in group order.
    pub first_rows: Vec<IdxSize>,
}

impl Groups {
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

/// One key column, read for grouping.
enum Part {
    /// Numbers (and encoded text's codes) as offsets from the smallest, so
    /// that they fit in `bits`; 0 is null.
    Packed { values: Vec<u64>, bits: u32 },
    /// Numbers whose range leaves no room for null.
    Wide { values: Vec<u64>, nulls: Vec<bool> },
    /// Text, compared by value (one chunk, no nulls: KQL text has none).
    Text(StringChunked),
    /// Dynamic values, compared as their JSON bytes (one chunk), and
    /// whether each is null.
    Bytes(BinaryChunked, Vec<bool>),
}

impl Part {
    fn read(s: &Series) -> Option<Part> {
        let numbers = match s.dtype() {
            DataType::String => {
                let ca = s.str().ok()?;
                let ca = if ca.null_count() > 0 {
                    ca.iter().map(|v| Some(v.unwrap_or(""))).collect()
                } else {
                    ca.clone()
                };
                return Some(Part::Text(ca.rechunk().into_owned()));
            }
            DataType::Binary => {
                let ca = s.binary().ok()?;
                let nulls = ca.iter().map(|v| v.is_none()).collect();
                return Some(Part::Bytes(ca.rechunk().into_owned(), nulls));
            }
            DataType::Float64 => {
                // -0.0 groups with 0.0, and every NaN with every other.
                let bits: Int64Chunked = s
                    .f64()
                    .ok()?
                    .iter()
                    .map(|v| {
                        v.map(|x| match x {
                            x if x.is_nan() => f64::NAN.to_bits() as i64,
                            0.0 => 0,
                            x => x.to_bits() as i64,
                        })
                    })
                    .collect();
                bits
            }
            DataType::Categorical(_, _) => {
                let (codes, _) = encode::codes(s)?;
                codes.cast(&DataType::Int64).ok()?.i64().ok()?.clone()
            }
            DataType::Boolean
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt32
            | DataType::Datetime(_, _)
            | DataType::Duration(_) => s
                .to_physical_repr()
                .cast(&DataType::Int64)
                .ok()?
                .i64()
                .ok()?
                .clone(),
            _ => return None,
        };
        let (Some(min), Some(max)) = (numbers.min(), numbers.max()) else {
            // All null.
            return Some(Part::Packed {
                values: vec![0; s.len()],
                bits: 1,
            });
        };
        let span = (max as i128 - min as i128) as u128 + 2;
        if span <= u64::MAX as u128 {
            let bits = 128 - (span - 1).leading_zeros();
            let offset = |v: i64| (v.wrapping_sub(min) as u64).wrapping_add(1);
            // Nulls as min - 1, whose offset is 0: the fast, null-free path.
            let numbers = match min.checked_sub(1) {
                Some(below) if numbers.null_count() > 0 => {
                    numbers.fill_null_with_values(below).unwrap_or(numbers)
                }
                _ => numbers,
            };
            let values = if numbers.null_count() == 0 {
                let mut values = Vec::with_capacity(numbers.len());
                for arr in numbers.downcast_iter() {
                    values.extend(arr.values().iter().map(|&v| offset(v)));
                }
                values
            } else {
                numbers.iter().map(|v| v.map_or(0, offset)).collect()
            };
            Some(Part::Packed { values, bits })
        } else {
            Some(Part::Wide {
                values: numbers.iter().map(|v| v.unwrap_or(0) as u64).collect(),
                nulls: numbers.iter().map(|v| v.is_none()).collect(),
            })
        }
    }

    /// Bits this part takes in a packed key, `None` if it cannot be packed.
    fn bits(&self) -> Option<u32> {
        match self {
            Part::Packed { bits, .. } => Some(*bits),
            _ => None,
        }
    }

    fn hash(&self, row: usize, state: &PlRandomState) -> u64 {
        match self {
            Part::Packed { values, .. } => values[row],
            Part::Wide { values, nulls } => values[row] ^ u64::from(nulls[row]).rotate_right(1),
            Part::Text(ca) => state.hash_one(text(ca, row)),
            Part::Bytes(ca, nulls) => state.hash_one((bytes(ca, row), nulls[row])),
        }
    }

    fn same(&self, a: usize, b: usize) -> bool {
        match self {
            Part::Packed { values, .. } => values[a] == values[b],
            Part::Wide { values, nulls } => values[a] == values[b] && nulls[a] == nulls[b],
            Part::Text(ca) => text(ca, a) == text(ca, b),
            Part::Bytes(ca, nulls) => nulls[a] == nulls[b] && bytes(ca, a) == bytes(ca, b),
        }
    }
}

fn text(ca: &StringChunked, row: usize) -> &str {
    match ca.downcast_iter().next() {
        // SAFETY: `row` < the column's length, and the column is one chunk.
        Some(arr) => unsafe { arr.value_unchecked(row) },
        None => "",
    }
}

fn bytes(ca: &BinaryChunked, row: usize) -> &[u8] {
    match ca.downcast_iter().next() {
        // SAFETY: `row` < the column's length, and the column is one chunk.
        Some(arr) => unsafe { arr.value_unchecked(row) },
        None => &[],
    }
}

/// Scatters bits over the word, so that buckets are evenly filled whatever
/// the key's layout.
fn mix(k: u64) -> u64 {
    (k ^ (k >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9)
}

/// The groups of the rows of `keys` (equal-length columns), `Ok(None)` for a
/// key type that cannot be grouped here (the caller lets Polars group).
/// Stops with the cancelled error within a few thousand rows of `cancel`.
pub fn group_ids(keys: &[Series], cancel: Cancel) -> Result<Option<Groups>, QueryError> {
    group_ids_hashed(keys, u64::MAX, cancel)
}

/// [`group_ids`] with hashes cut down to `hash_bits` (a mask): tests use a
/// tiny mask to make every hashed key collide with others.
fn group_ids_hashed(
    keys: &[Series],
    hash_bits: u64,
    cancel: Cancel,
) -> Result<Option<Groups>, QueryError> {
    let Some(rows) = keys.first().map(|k| k.len()) else {
        return Ok(None);
    };
    if rows >= u32::MAX as usize {
        return Ok(None);
    }
    let Some(parts) = keys
        .par_iter()
        .map(Part::read)
        .collect::<Option<Vec<Part>>>()
    else {
        return Ok(None);
    };
    cancel.check()?;
    let packed_bits: Option<u32> = parts.iter().map(Part::bits).sum();
    let exact = packed_bits.is_some_and(|b| b <= 64);
    let state = PlRandomState::default();

    // One number per row: the packed key, or a hash of it.
    let mut keyed: Vec<u64> = vec![0; rows];
    keyed
        .par_chunks_mut(1 << 16)
        .enumerate()
        .try_for_each(|(c, out)| {
            cancel.check()?;
            let base = c << 16;
            for (i, k) in out.iter_mut().enumerate() {
                let row = base + i;
                *k = if exact {
                    parts.iter().fold(0u64, |acc, p| match p {
                        Part::Packed { values, bits } => {
                            acc.checked_shl(*bits).unwrap_or(0) | values[row]
                        }
                        _ => acc,
                    })
                } else {
                    parts
                        .iter()
                        .fold(0u64, |acc, p| mix(acc.rotate_left(5) ^ p.hash(row, &state)))
                        & hash_bits
                };
            }
            Ok::<(), QueryError>(())
        })?;

    // Buckets by the mixed number, filled in row order, then each sorted by
    // (number, row): equal keys are adjacent, first row first.
    let bucket_bits = (rows / BUCKET_ROWS)
        .max(1)
        .next_power_of_two()
        .trailing_zeros();
    let bucket_of = |k: u64| {
        if bucket_bits == 0 {
            0
        } else {
            (mix(k) >> (64 - bucket_bits)) as usize
        }
    };
    let mut start = vec![0usize; (1 << bucket_bits) + 1];
    for &k in &keyed {
        start[bucket_of(k) + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let bounds = start.clone();
    let mut order: Vec<(u64, u32)> = vec![(0, 0); rows];
    for (row, &k) in keyed.iter().enumerate() {
        let slot = &mut start[bucket_of(k)];
        order[*slot] = (k, row as u32);
        *slot += 1;
    }
    drop(keyed);
    // Within a bucket (rows in order), a small hash table finds each row's
    // group; hashed keys are compared value by value with the groups that
    // share their number, so a collision never merges two keys.
    let same = |a: u32, b: u32| parts.iter().all(|p| p.same(a as usize, b as usize));
    cancel.check()?;
    let found: Vec<(Vec<u32>, Vec<u32>)> = bounds
        .par_windows(2)
        .map(|w| {
            if cancel.is_set() {
                return (Vec::new(), Vec::new());
            }
            let bucket = &order[w[0]..w[1]];
            let mut first_of: PlHashMap<u64, u32> = PlHashMap::with_capacity(bucket.len());
            let mut firsts: Vec<u32> = Vec::new();
            // For hashed keys: the next group with the same number.
            let mut chain: Vec<u32> = Vec::new();
            let mut local = Vec::with_capacity(bucket.len());
            for &(k, row) in bucket {
                let g = match first_of.get(&k) {
                    Some(&g) if exact => g,
                    Some(&g) => {
                        let mut g = g;
                        loop {
                            if same(firsts[g as usize], row) {
                                break g;
                            }
                            if chain[g as usize] == u32::MAX {
                                let new = firsts.len() as u32;
                                chain[g as usize] = new;
                                firsts.push(row);
                                chain.push(u32::MAX);
                                break new;
                            }
                            g = chain[g as usize];
                        }
                    }
                    None => {
                        let new = firsts.len() as u32;
                        first_of.insert(k, new);
                        firsts.push(row);
                        chain.push(u32::MAX);
                        new
                    }
                };
                local.push(g);
            }
            (local, firsts)
        })
        .collect();
    cancel.check()?;
    let mut group_of_row: Vec<u32> = vec![0; rows];
    let mut first_rows: Vec<u32> = Vec::new();
    for (w, (local, firsts)) in bounds.windows(2).zip(&found) {
        let base = first_rows.len() as u32;
        for (&(_, row), &g) in order[w[0]..w[1]].iter().zip(local) {
            group_of_row[row as usize] = base + g;
        }
        first_rows.extend_from_slice(firsts);
    }
    drop(found);
    drop(order);

    // Renumbered by first appearance.
    let mut head_of = vec![u32::MAX; rows];
    for (g, &row) in first_rows.iter().enumerate() {
        head_of[row as usize] = g as u32;
    }
    let mut rank = vec![0u32; first_rows.len()];
    let mut ordered_first = Vec::with_capacity(first_rows.len());
    for (row, &g) in head_of.iter().enumerate() {
        if g != u32::MAX {
            rank[g as usize] = ordered_first.len() as u32;
            ordered_first.push(row as IdxSize);
        }
    }
    for g in &mut group_of_row {
        *g = rank[*g as usize];
    }
    Ok(Some(Groups {
        ids: group_of_row,
        first_rows: ordered_first,
    }))
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

    fn ids(keys: &[Series]) -> Vec<u32> {
        group_ids(keys, Cancel::default())
            .expect("not cancelled")
            .expect("groupable")
            .ids
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
        assert_eq!(g.permutation(), [0, 2, 1]);
        assert_eq!(g.sorted_ids(), [0, 0, 1]);
    }

    #[test]
    fn nulls_form_their_own_group_and_reals_group_by_value() {
        let n = Series::new("n".into(), &[Some(1i32), None, Some(1), None, Some(0)]);
        assert_eq!(ids(&[n]), [0, 1, 0, 1, 2]);
        let r = Series::new("r".into(), &[0.0f64, -0.0, f64::NAN, f64::NAN, 1.5]);
        assert_eq!(ids(&[r]), [0, 0, 1, 1, 2]);
        let wide = Series::new("w".into(), &[Some(i64::MIN), None, Some(i64::MAX), None]);
        assert_eq!(ids(&[wide]), [0, 1, 2, 1]);
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
        let got = group_ids_hashed(&keys, 0b11, Cancel::default())
            .expect("not cancelled")
            .expect("groupable")
            .ids;
        let want = first_appearance(text.iter().zip(&port));
        assert_eq!(got, want);
    }

    #[test]
    fn many_hashed_groups_match_a_plain_map() {
        // Text keys (hashed) with enough rows for many buckets.
        let rows = 200_000;
        let text: Vec<String> = (0..rows)
            .map(|i| format!("10.0.{}.{}", i % 251, i % 13))
            .collect();
        let port: Vec<i64> = (0..rows).map(|i| (i % 7) as i64).collect();
        let keys = [
            Series::new("ip".into(), text.clone()),
            Series::new("port".into(), port.clone()),
        ];
        let got = ids(&keys);
        let want = first_appearance(text.iter().zip(&port));
        assert_eq!(got, want);
    }
}
