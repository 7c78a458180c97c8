//! The order of rows for `sort` and `top`, computed so that Ctrl+C stops
//! it within a fraction of a second on millions of rows.
//!
//! Each sort key becomes one order-preserving 64-bit number per row (a
//! timestamp or count as itself, a real by its bits, text by its rank
//! among the distinct values), direction and null placement included. The
//! rows are then sorted by the last key, then stably by each earlier one
//! (least significant key first), each pass a merge sort of 64k-row runs
//! that checks the cancel flag between runs and while merging. Ties keep
//! the input order, as Polars' `maintain_order` sort did.

use polars::prelude::*;
use rayon::prelude::*;

use std::sync::Arc;

use super::groups;
use crate::data::encode;
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;

/// Rows sorted (or merged) between two looks at the cancel flag.
const RUN: usize = 1 << 16;

/// One sort key: the column and how it orders.
pub(super) struct OrderKey<'a> {
    pub column: &'a Column,
    pub descending: bool,
    pub nulls_last: bool,
}

/// The row numbers of `keys`' rows in sorted order, the first `limit` of
/// them; `Ok(None)` when a key's type has no order here (the caller lets
/// Polars sort).
pub(super) fn row_order(
    keys: &[OrderKey],
    limit: Option<usize>,
    cancel: Cancel,
) -> Result<Option<Vec<IdxSize>>, QueryError> {
    let Some(rows) = keys.first().map(|k| k.column.len()) else {
        return Ok(None);
    };
    if rows >= IdxSize::MAX as usize {
        return Ok(None);
    }
    if let Some(n) = limit
        && selects_few(n, rows)
    {
        return top_rows(keys, n, cancel);
    }
    let mut numbered = Vec::with_capacity(keys.len());
    for k in keys {
        match ordinals(k, cancel)? {
            Some(o) => numbered.push(o),
            None => return Ok(None),
        }
    }
    let mut order: Vec<IdxSize> = (0..rows as IdxSize).collect();
    for (pass, key) in numbered.iter().enumerate().rev() {
        let whole = !matches!(limit, Some(n) if pass == 0 && n < rows / 8);
        if whole && let Some(done) = without_comparing(key, &order, cancel)? {
            order = done;
            continue;
        }
        // (key, position in the current order): unique, so an unstable
        // sort of these is the stable sort of the rows.
        // Built a run at a time, looking at the flag: 50M pairs take a
        // tenth of a second and more.
        let mut pairs: Vec<(u64, IdxSize)> = vec![(0, 0); order.len()];
        pairs
            .par_chunks_mut(RUN)
            .zip(order.par_chunks(RUN))
            .enumerate()
            .try_for_each(|(run, (out, rows))| {
                cancel.check()?;
                for (j, (slot, &row)) in out.iter_mut().zip(rows).enumerate() {
                    *slot = (key[row as usize], (run * RUN + j) as IdxSize);
                }
                Ok::<(), QueryError>(())
            })?;
        match limit {
            // The last pass of `top n` needs only the first n in order.
            Some(n) if pass == 0 && n < rows / 8 => {
                cancel.check()?;
                if n > 0 {
                    pairs.select_nth_unstable(n - 1);
                }
                pairs.truncate(n);
                pairs.sort_unstable();
            }
            _ => sort(&mut pairs, cancel)?,
        }
        let mut next: Vec<IdxSize> = vec![0; pairs.len()];
        next.par_chunks_mut(RUN)
            .zip(pairs.par_chunks(RUN))
            .try_for_each(|(out, sorted)| {
                cancel.check()?;
                for (slot, &(_, i)) in out.iter_mut().zip(sorted) {
                    *slot = order[i as usize];
                }
                Ok::<(), QueryError>(())
            })?;
        order = next;
    }
    if let Some(n) = limit {
        order.truncate(n);
    }
    Ok(Some(order))
}

/// The rows `order` stably sorted by `key` (one number per row), when it
/// takes no comparison sort: keys already in order (an export sorted by
/// time, sorted by time again) keep the order; keys in the reverse order
/// are reversed, rows of equal keys keeping theirs; keys over a small range
/// (text ranks, ports, counts) are counted into place. `None`: none of
/// these.
fn without_comparing(
    key: &[u64],
    order: &[IdxSize],
    cancel: Cancel,
) -> Result<Option<Vec<IdxSize>>, QueryError> {
    let at = |i: usize| key[order[i] as usize];
    let rows = order.len();
    // Whether each run of rows is in order (ascending, descending), and
    // between runs: the flag is looked at between runs.
    let runs: Vec<(bool, bool, u64, u64)> = (0..rows)
        .into_par_iter()
        .step_by(RUN)
        .map(|start| {
            cancel.check()?;
            let end = (start + RUN).min(rows);
            let (mut up, mut down) = (true, true);
            let (mut lo, mut hi) = (u64::MAX, 0);
            for i in start..end {
                let k = at(i);
                lo = lo.min(k);
                hi = hi.max(k);
                if i > start {
                    let previous = at(i - 1);
                    up &= previous <= k;
                    down &= previous >= k;
                }
            }
            Ok((up, down, lo, hi))
        })
        .collect::<Result<_, QueryError>>()?;
    let joins =
        |ok: fn(u64, u64) -> bool| (1..runs.len()).all(|r| ok(at(r * RUN - 1), at(r * RUN)));
    if runs.iter().all(|r| r.0) && joins(|a, b| a <= b) {
        return Ok(Some(order.to_vec()));
    }
    if runs.iter().all(|r| r.1) && joins(|a, b| a >= b) {
        // Runs of equal keys, last run first, each in its own order.
        let mut out = Vec::with_capacity(rows);
        let mut end = rows;
        while end > 0 {
            if out.len() % RUN == 0 {
                cancel.check()?;
            }
            let k = at(end - 1);
            let mut start = end - 1;
            while start > 0 && at(start - 1) == k {
                start -= 1;
            }
            out.extend_from_slice(&order[start..end]);
            end = start;
        }
        return Ok(Some(out));
    }
    let lo = runs.iter().map(|r| r.2).min().unwrap_or(0);
    let hi = runs.iter().map(|r| r.3).max().unwrap_or(0);
    let range = hi - lo;
    if range >= (rows as u64 / 8).clamp(COUNTED, 1 << 22) {
        return Ok(None);
    }
    // A counting sort: stable, two passes over the rows.
    let mut starts = vec![0usize; range as usize + 2];
    for (i, &row) in order.iter().enumerate() {
        if i % RUN == 0 {
            cancel.check()?;
        }
        starts[(key[row as usize] - lo) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut out: Vec<IdxSize> = vec![0; rows];
    for (i, &row) in order.iter().enumerate() {
        if i % RUN == 0 {
            cancel.check()?;
        }
        let slot = &mut starts[(key[row as usize] - lo) as usize];
        out[*slot] = row;
        *slot += 1;
    }
    Ok(Some(out))
}

/// Keys over fewer values than this (or than an eighth of the rows, up
/// to four million) are counted into place rather than compared.
const COUNTED: u64 = 1 << 16;

/// At most this many rows are selected by [`top_rows`]; more go through the
/// full sort.
const FEW: usize = 8192;

/// Whether the first `n` of `rows` rows are picked by [`top_rows`] rather
/// than by a full sort.
pub(super) fn selects_few(n: usize, rows: usize) -> bool {
    n <= FEW && n < rows / 8
}

/// One key as [`top_rows`] compares it: numbers by their ordinals (which
/// carry direction and null placement), text and dynamic values by their
/// bytes.
enum Compared<'a> {
    Numbers(Vec<u64>),
    Text {
        values: &'a <StringType as PolarsDataType>::Array,
        descending: bool,
        null_low: bool,
    },
    Bytes {
        values: &'a <BinaryType as PolarsDataType>::Array,
        descending: bool,
        null_low: bool,
    },
    /// Encoded text: codes, compared by the text they stand for.
    Codes {
        codes: &'a <UInt32Type as PolarsDataType>::Array,
        mapping: &'a CategoricalMapping,
        descending: bool,
        null_low: bool,
    },
}

impl Compared<'_> {
    fn cmp(&self, a: usize, b: usize) -> std::cmp::Ordering {
        fn placed<T: Ord + ?Sized>(
            a: Option<&T>,
            b: Option<&T>,
            descending: bool,
            null_low: bool,
        ) -> std::cmp::Ordering {
            use std::cmp::Ordering::*;
            let o = match (a, b) {
                (None, None) => Equal,
                (None, Some(_)) if null_low => Less,
                (None, Some(_)) => Greater,
                (Some(_), None) if null_low => Greater,
                (Some(_), None) => Less,
                (Some(x), Some(y)) => x.cmp(y),
            };
            if descending { o.reverse() } else { o }
        }
        match self {
            Compared::Numbers(v) => v[a].cmp(&v[b]),
            Compared::Text {
                values,
                descending,
                null_low,
            } => placed(values.get(a), values.get(b), *descending, *null_low),
            Compared::Bytes {
                values,
                descending,
                null_low,
            } => placed(values.get(a), values.get(b), *descending, *null_low),
            Compared::Codes {
                codes,
                mapping,
                descending,
                null_low,
            } => {
                let text = |i: usize| {
                    codes
                        .get(i)
                        .map(|c| mapping.cat_to_str(c).unwrap_or_default())
                };
                placed(text(a), text(b), *descending, *null_low)
            }
        }
    }
}

/// The first `n` rows in the keys' order, for `top n` with a small n:
/// each run of rows keeps its best n (text compared where it lies, never
/// hashed or ranked), then the survivors are sorted. Ties keep input order.
fn top_rows(
    keys: &[OrderKey],
    n: usize,
    cancel: Cancel,
) -> Result<Option<Vec<IdxSize>>, QueryError> {
    let rows = keys.first().map_or(0, |k| k.column.len());
    if n == 0 {
        return Ok(Some(Vec::new()));
    }
    // Text keys in one chunk each, kept alive while they are compared.
    let mut text: Vec<Series> = Vec::new();
    let mut encoded: Vec<(UInt32Chunked, Arc<CategoricalMapping>)> = Vec::new();
    for k in keys {
        let s = k.column.as_materialized_series();
        if matches!(s.dtype(), DataType::String | DataType::Binary) {
            text.push(s.rechunk());
        } else if let Some((codes, mapping)) = encode::codes(s) {
            encoded.push((codes.rechunk().into_owned(), mapping));
        }
    }
    let mut next_codes = encoded.iter();
    let mut compared = Vec::with_capacity(keys.len());
    let mut next_text = text.iter();
    for k in keys {
        let null_low = k.nulls_last == k.descending;
        match k.column.dtype() {
            DataType::String => {
                let Some(values) = next_text
                    .next()
                    .and_then(|s| s.str().ok())
                    .and_then(|c| c.downcast_iter().next())
                else {
                    return Ok(None);
                };
                compared.push(Compared::Text {
                    values,
                    descending: k.descending,
                    null_low,
                });
            }
            DataType::Binary => {
                let Some(values) = next_text
                    .next()
                    .and_then(|s| s.binary().ok())
                    .and_then(|c| c.downcast_iter().next())
                else {
                    return Ok(None);
                };
                compared.push(Compared::Bytes {
                    values,
                    descending: k.descending,
                    null_low,
                });
            }
            DataType::Categorical(..) | DataType::Enum(..) => {
                let Some((codes, mapping)) = next_codes.next() else {
                    return Ok(None);
                };
                let Some(codes) = codes.downcast_iter().next() else {
                    return Ok(None);
                };
                compared.push(Compared::Codes {
                    codes,
                    mapping,
                    descending: k.descending,
                    null_low,
                });
            }
            _ => match ordinals(k, cancel)? {
                Some(o) => compared.push(Compared::Numbers(o)),
                None => return Ok(None),
            },
        }
    }
    let cmp = |a: &IdxSize, b: &IdxSize| {
        let (a, b) = (*a as usize, *b as usize);
        compared
            .iter()
            .map(|k| k.cmp(a, b))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| a.cmp(&b))
    };
    let mut order: Vec<IdxSize> = (0..rows as IdxSize).collect();
    let mut best: Vec<IdxSize> = order
        .par_chunks_mut(RUN)
        .map(|run| {
            cancel.check()?;
            if run.len() > n {
                run.select_nth_unstable_by(n - 1, cmp);
            }
            Ok(run[..n.min(run.len())].to_vec())
        })
        .collect::<Result<Vec<_>, QueryError>>()?
        .concat();
    cancel.check()?;
    best.sort_unstable_by(cmp);
    best.truncate(n);
    Ok(Some(best))
}

/// Each row's place in the key's order as a number: smaller sorts first.
fn ordinals(key: &OrderKey, cancel: Cancel) -> Result<Option<Vec<u64>>, QueryError> {
    let s = key.column.as_materialized_series();
    const SIGN: u64 = 1 << 63;
    // Nulls take the smallest or largest number; the others shift by one
    // so that none collides with them.
    let null_low = key.nulls_last == key.descending;
    let place = |v: Option<u64>| {
        let n = match v {
            None if null_low => 0,
            None => u64::MAX,
            Some(x) if null_low => x.saturating_add(1),
            Some(x) => x.min(u64::MAX - 1),
        };
        if key.descending { !n } else { n }
    };
    // One pass over the rows, looking at the flag every run of them.
    let placed = |values: &mut dyn Iterator<Item = Option<u64>>| -> Result<Vec<u64>, QueryError> {
        let mut out = Vec::with_capacity(s.len());
        for (i, v) in values.enumerate() {
            if i.is_multiple_of(RUN) {
                cancel.check()?;
            }
            out.push(place(v));
        }
        Ok(out)
    };
    match s.dtype() {
        DataType::Float64 | DataType::Float32 => {
            let Ok(reals) = s.cast(&DataType::Float64) else {
                return Ok(None);
            };
            let Ok(reals) = reals.f64() else {
                return Ok(None);
            };
            let mut values = reals.iter().map(|v| {
                v.map(|x| {
                    // -0.0 equals 0.0; negative reals order by their
                    // bits reversed.
                    let bits = if x == 0.0 { 0 } else { x.to_bits() };
                    if bits & SIGN != 0 { !bits } else { bits | SIGN }
                })
            });
            placed(&mut values).map(Some)
        }
        // Text ranks (see `sort::text_rank`): read as they are, not copied
        // to 64 bits first.
        DataType::UInt32 => {
            let Ok(ranks) = s.u32() else {
                return Ok(None);
            };
            let mut values = ranks.iter().map(|v| v.map(|x| u64::from(x) ^ SIGN));
            placed(&mut values).map(Some)
        }
        DataType::Boolean
        | DataType::UInt8
        | DataType::UInt16
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::Datetime(_, _)
        | DataType::Duration(_)
        | DataType::Date => {
            let Ok(ints) = s.to_physical_repr().cast(&DataType::Int64) else {
                return Ok(None);
            };
            let Ok(ints) = ints.i64() else {
                return Ok(None);
            };
            let mut values = ints.iter().map(|v| v.map(|x| x as u64 ^ SIGN));
            placed(&mut values).map(Some)
        }
        DataType::String | DataType::Binary => match ranks(s, cancel)? {
            Some(r) => placed(&mut r.into_iter()).map(Some),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Text (or dynamic values' JSON bytes) as each row's rank among the
/// distinct values: the distinct values are grouped and sorted, not every
/// row.
fn ranks(s: &Series, cancel: Cancel) -> Result<Option<Vec<Option<u64>>>, QueryError> {
    let Some(g) = groups::group_ids(std::slice::from_ref(s), cancel)? else {
        return Ok(None);
    };
    let firsts = IdxCa::from_vec("".into(), g.first_rows.clone());
    let distinct = s
        .take(&firsts)
        .map_err(|e| QueryError::runtime(e.to_string(), None))?;
    let mut by_value: Vec<(&[u8], IdxSize)> = Vec::with_capacity(distinct.len());
    let text;
    let bytes;
    match distinct.dtype() {
        DataType::String => {
            text = distinct.str().map(|c| c.rechunk().into_owned()).ok();
            let Some(arr) = text.as_ref().and_then(|c| c.downcast_iter().next()) else {
                return Ok(None);
            };
            for (i, v) in arr.iter().enumerate() {
                by_value.push((v.unwrap_or("").as_bytes(), i as IdxSize));
            }
        }
        _ => {
            bytes = distinct.binary().map(|c| c.rechunk().into_owned()).ok();
            let Some(arr) = bytes.as_ref().and_then(|c| c.downcast_iter().next()) else {
                return Ok(None);
            };
            for (i, v) in arr.iter().enumerate() {
                by_value.push((v.unwrap_or(&[]), i as IdxSize));
            }
        }
    }
    // UTF-8 bytes order as their characters do.
    sort(&mut by_value, cancel)?;
    let mut rank = vec![0u64; by_value.len()];
    for (r, &(_, group)) in by_value.iter().enumerate() {
        rank[group as usize] = r as u64;
    }
    let nulls = s.null_count() > 0;
    let is_null = s.is_null();
    Ok(Some(
        g.ids
            .iter()
            .enumerate()
            .map(|(row, &group)| {
                if nulls && is_null.get(row) == Some(true) {
                    None
                } else {
                    Some(rank[group as usize])
                }
            })
            .collect(),
    ))
}

/// Sorts `v` (whose items are all distinct, so stability does not arise)
/// in runs, then merges the runs pairwise, checking `cancel` every run.
fn sort<T: Ord + Copy + Send + Sync>(v: &mut Vec<T>, cancel: Cancel) -> Result<(), QueryError> {
    v.par_chunks_mut(RUN).try_for_each(|run| {
        cancel.check()?;
        run.sort_unstable();
        Ok::<(), QueryError>(())
    })?;
    let mut width = RUN;
    let mut from = std::mem::take(v);
    let mut into = from.clone();
    while width < from.len() {
        into.par_chunks_mut(2 * width)
            .zip(from.par_chunks(2 * width))
            .try_for_each(|(out, pair)| {
                let (a, b) = pair.split_at(width.min(pair.len()));
                merge(a, b, out, cancel)
            })?;
        std::mem::swap(&mut from, &mut into);
        width *= 2;
    }
    *v = from;
    Ok(())
}

/// Merges the sorted `a` and `b` into `out`.
fn merge<T: Ord + Copy>(a: &[T], b: &[T], out: &mut [T], cancel: Cancel) -> Result<(), QueryError> {
    let (mut i, mut j) = (0, 0);
    for (k, slot) in out.iter_mut().enumerate() {
        if k.is_multiple_of(RUN) {
            cancel.check()?;
        }
        *slot = if j >= b.len() || (i < a.len() && a[i] <= b[j]) {
            i += 1;
            a[i - 1]
        } else {
            j += 1;
            b[j - 1]
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(columns: &[(Column, bool, bool)], limit: Option<usize>) -> Vec<IdxSize> {
        let keys: Vec<OrderKey> = columns
            .iter()
            .map(|(c, d, n)| OrderKey {
                column: c,
                descending: *d,
                nulls_last: *n,
            })
            .collect();
        row_order(&keys, limit, Cancel::default())
            .expect("not cancelled")
            .expect("orderable")
    }

    /// Polars' stable sort of the same keys: the reference.
    fn polars_order(columns: &[(Column, bool, bool)], limit: Option<usize>) -> Vec<IdxSize> {
        let rows = columns[0].0.len();
        let mut cols: Vec<Column> = columns
            .iter()
            .enumerate()
            .map(|(i, (c, _, _))| c.clone().with_name(format!("k{i}").into()))
            .collect();
        cols.push(Column::new(
            "row".into(),
            (0..rows as IdxSize).collect::<Vec<_>>(),
        ));
        let options = SortMultipleOptions::default()
            .with_order_descending_multi(columns.iter().map(|c| c.1).collect::<Vec<_>>())
            .with_nulls_last_multi(columns.iter().map(|c| c.2).collect::<Vec<_>>())
            .with_maintain_order(true);
        let names: Vec<String> = (0..columns.len()).map(|i| format!("k{i}")).collect();
        let sorted = DataFrame::new(rows, cols)
            .and_then(|f| f.sort(names, options))
            .expect("sorted");
        let mut out: Vec<IdxSize> = sorted
            .column("row")
            .expect("row")
            .idx()
            .expect("idx")
            .into_no_null_iter()
            .collect();
        if let Some(n) = limit {
            out.truncate(n);
        }
        out
    }

    #[test]
    fn orders_like_a_stable_sort_in_every_direction() {
        let rows: usize = 300_000;
        let host: Vec<String> = (0..rows)
            .map(|i| format!("host-{}", (i * 7919) % 1013))
            .collect();
        let port: Vec<Option<i64>> = (0..rows)
            .map(|i| (i % 11 != 0).then_some(((i * 31) % 97) as i64 - 40))
            .collect();
        let real: Vec<Option<f64>> = (0..rows)
            .map(|i| (i % 13 != 0).then_some(((i * 17) % 101) as f64 / 7.0 - 5.0))
            .collect();
        let host = Column::new("h".into(), host);
        let port = Column::new("p".into(), port);
        let real = Column::new("r".into(), real);
        for (desc, last) in [(false, false), (false, true), (true, false), (true, true)] {
            let keys = [
                (host.clone(), desc, last),
                (port.clone(), !desc, last),
                (real.clone(), desc, !last),
            ];
            assert_eq!(
                order(&keys, None),
                polars_order(&keys, None),
                "{desc} {last}"
            );
            assert_eq!(order(&keys, Some(25)), polars_order(&keys, Some(25)));
            let one = [(port.clone(), desc, last)];
            assert_eq!(order(&one, Some(10)), polars_order(&one, Some(10)));
        }
    }

    #[test]
    fn keys_already_in_order_or_reversed_or_few_sort_without_comparing() {
        let rows: usize = 400_000;
        // Times an export holds in order, with runs of equal times; a wide
        // range, so only the in-order paths avoid comparing.
        let time: Vec<i64> = (0..rows).map(|i| (i / 3) as i64 * 1_000_000_007).collect();
        let ascending = Column::new("t".into(), time.clone());
        let descending = Column::new("d".into(), time.iter().rev().copied().collect::<Vec<_>>());
        let few = Column::new(
            "f".into(),
            (0..rows)
                .map(|i| ((i * 7919) % 300) as i64)
                .collect::<Vec<_>>(),
        );
        let wide = Column::new(
            "w".into(),
            (0..rows)
                .map(|i| ((i as i64 * 2_654_435_761) % 1_000_003) * 1_000_000_007)
                .collect::<Vec<_>>(),
        );
        for (desc, last) in [(false, false), (false, true), (true, false), (true, true)] {
            for keys in [
                vec![(ascending.clone(), desc, last)],
                vec![(descending.clone(), desc, last)],
                vec![(few.clone(), desc, last)],
                vec![(wide.clone(), desc, last)],
                vec![(few.clone(), desc, last), (ascending.clone(), !desc, last)],
                vec![
                    (few.clone(), !desc, last),
                    (descending.clone(), desc, !last),
                ],
            ] {
                assert_eq!(
                    order(&keys, None),
                    polars_order(&keys, None),
                    "{desc} {last}"
                );
            }
        }
    }

    #[test]
    fn top_picks_what_the_full_sort_puts_first() {
        let rows: usize = 200_000;
        // Few distinct values, so ties decide much of the answer; some null.
        let text: Vec<Option<String>> = (0..rows)
            .map(|i| (i % 17 != 0).then(|| format!("cmd /c {}", (i * 7919) % 211)))
            .collect();
        let text = Column::new("t".into(), text);
        let bytes = text.cast(&DataType::Binary).expect("binary");
        let when = Column::new(
            "w".into(),
            (0..rows)
                .map(|i| ((i * 13) % 1000) as i64)
                .collect::<Vec<_>>(),
        );
        let frame = DataFrame::new(rows, vec![text.clone()]).expect("frame");
        let encoded = crate::data::encode::encode_frame(frame)
            .expect("encoded")
            .column("t")
            .expect("t")
            .clone();
        assert!(crate::data::encode::codes(encoded.as_materialized_series()).is_some());
        for (desc, last) in [(false, false), (false, true), (true, false), (true, true)] {
            for n in [0, 1, 100, FEW] {
                // Encoded text orders as its text does.
                assert_eq!(
                    order(&[(encoded.clone(), desc, last)], Some(n)),
                    polars_order(&[(text.clone(), desc, last)], Some(n)),
                    "encoded {desc} {last} {n}"
                );
                for keys in [
                    vec![(text.clone(), desc, last)],
                    vec![(bytes.clone(), desc, last)],
                    vec![(when.clone(), desc, last), (text.clone(), !desc, last)],
                ] {
                    assert_eq!(
                        order(&keys, Some(n)),
                        polars_order(&keys, Some(n)),
                        "{desc} {last} {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_cancelled_top_stops() {
        let flag = std::sync::atomic::AtomicBool::new(true);
        let c = Column::new(
            "x".into(),
            (0..200_000).map(|i| format!("v{i}")).collect::<Vec<_>>(),
        );
        let keys = [OrderKey {
            column: &c,
            descending: false,
            nulls_last: false,
        }];
        let r = row_order(&keys, Some(10), Cancel::new(Some(&flag)));
        assert_eq!(r.err().map(|e| e.message), Some("query cancelled".into()));
    }

    #[test]
    fn a_cancelled_sort_stops() {
        let flag = std::sync::atomic::AtomicBool::new(true);
        let c = Column::new("x".into(), (0..200_000i64).rev().collect::<Vec<_>>());
        let keys = [OrderKey {
            column: &c,
            descending: false,
            nulls_last: false,
        }];
        let r = row_order(&keys, None, Cancel::new(Some(&flag)));
        assert_eq!(r.err().map(|e| e.message), Some("query cancelled".into()));
    }
}
