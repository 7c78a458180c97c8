//! Distinct-value dictionaries of large text columns, so a string predicate
//! runs once per distinct value instead of once per row.
//!
//! Exported event tables repeat the same device names, process names,
//! hashes and action types row after row: a 5-million-row column typically
//! holds a few thousand distinct values. The dictionary of a loaded column
//! is built the first time a predicate scans it and kept, keyed by the
//! identity of the column's memory (the cache holds the column, so that
//! memory cannot be reused while the key lives).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use polars::prelude::arity::unary_elementwise_values;
use polars::prelude::*;

use crate::data::encode;

mod memo;
mod recent;

use recent::Recent;

/// Columns shorter than this are matched row by row: building a dictionary
/// would cost more than it saves.
const MIN_ROWS: usize = 65_536;
/// Columns with more distinct values than rows / this are not worth it.
const MAX_DISTINCT_RATIO: usize = 8;
/// Cached columns at most; the oldest are dropped first.
const CAPACITY: usize = 256;
/// Shared dictionaries with more values than this keep their answers
/// ([`Dictionary::map_bool`]); smaller ones are tried whole each time.
const SMALL_DICTIONARY: usize = 1 << 12;

pub use memo::PredicateKey;

/// A column as codes into its distinct values.
pub struct Dictionary {
    values: Values,
    /// One code per row; null for null.
    codes: UInt32Chunked,
}

enum Values {
    /// Built from a text column.
    Owned(Vec<String>),
    /// An encoded column's values (see `data::encode`): codes below the
    /// bound, some perhaps used only by other columns sharing them.
    Shared(Arc<CategoricalMapping>, usize),
}

impl Dictionary {
    /// The dictionary of an encoded (Categorical) column: no work, the
    /// column already is one.
    pub fn of_encoded(s: &Series) -> Option<Dictionary> {
        let (codes, mapping) = encode::codes(s)?;
        let bound = mapping.num_cats_upper_bound();
        Some(Dictionary {
            values: Values::Shared(mapping, bound),
            codes: codes.with_name(s.name().clone()),
        })
    }

    /// The distinct values (and, for shared ones, perhaps a few more).
    pub fn values(&self) -> Vec<&str> {
        match &self.values {
            Values::Owned(v) => v.iter().map(String::as_str).collect(),
            Values::Shared(m, n) => (0..*n)
                .map(|i| m.cat_to_str(i as u32).unwrap_or_default())
                .collect(),
        }
    }

    /// Evaluates `f` once per distinct value and spreads the answers over
    /// the rows (null rows stay null).
    ///
    /// `key` names the predicate `f` computes, with every input it reads
    /// (see [`PredicateKey`]): a large shared dictionary (an encoded column
    /// of millions of command lines, shared by every table) then keeps the
    /// answers it has given, so a query that runs slice by slice, or the
    /// same search again, asks `f` once per value in all. Without a key the
    /// answers are kept for this call only.
    pub fn map_bool(
        &self,
        name: PlSmallStr,
        key: Option<PredicateKey>,
        f: impl Fn(&str) -> bool + Sync,
    ) -> BooleanChunked {
        match self.large_shared() {
            Some((mapping, bound)) => self.map_bool_memo(name, mapping, bound, key, f),
            None => {
                let flags: Vec<bool> = self.values().into_iter().map(f).collect();
                self.spread(name, &flags)
            }
        }
    }

    /// Like [`Dictionary::map_bool`], but `None` when no value matches, so
    /// callers can skip the column without touching its rows.
    pub fn map_bool_any(
        &self,
        name: PlSmallStr,
        key: Option<PredicateKey>,
        f: impl Fn(&str) -> bool + Sync,
    ) -> Option<BooleanChunked> {
        if self.large_shared().is_some() {
            let out = self.map_bool(name, key, f);
            return out.any().then_some(out);
        }
        let flags: Vec<bool> = self.values().into_iter().map(f).collect();
        flags.contains(&true).then(|| self.spread(name, &flags))
    }

    /// The mapping and bound of a shared dictionary too large to try every
    /// value of for each call: a slice of 16k rows may be matched against
    /// an encoded column of two million distinct command lines.
    fn large_shared(&self) -> Option<(&Arc<CategoricalMapping>, usize)> {
        match &self.values {
            Values::Shared(m, n) if *n > SMALL_DICTIONARY => Some((m, *n)),
            _ => None,
        }
    }

    /// Asks `f` only about the values the rows use, each once (across calls
    /// too, with a key), in parallel, then spreads the answers.
    fn map_bool_memo(
        &self,
        name: PlSmallStr,
        mapping: &Arc<CategoricalMapping>,
        bound: usize,
        key: Option<PredicateKey>,
        f: impl Fn(&str) -> bool + Sync,
    ) -> BooleanChunked {
        use rayon::prelude::*;
        let memo = match key {
            Some(key) => memo::kept(mapping, bound, key),
            None => Arc::new(memo::Answers::new(bound)),
        };
        let blocks: Vec<&[u32]> = self
            .codes
            .downcast_iter()
            .flat_map(|a| a.values().as_slice().chunks(1 << 15))
            .collect();
        blocks.par_iter().for_each(|codes| {
            for &c in codes.iter() {
                // Codes under null rows are whatever was there: asking
                // about them is harmless, they are never read.
                memo.answer(c, || f(mapping.cat_to_str(c).unwrap_or_default()));
            }
        });
        let mut out: BooleanChunked =
            unary_elementwise_values(&self.codes, |c: u32| memo.known(c) == Some(true));
        out.rename(name);
        out
    }

    fn spread(&self, name: PlSmallStr, flags: &[bool]) -> BooleanChunked {
        let mut out: BooleanChunked = unary_elementwise_values(&self.codes, |c: u32| {
            flags.get(c as usize).copied().unwrap_or(false)
        });
        out.rename(name);
        out
    }
}

/// The dictionary of a text column: an encoded column's own, or for a
/// large, repetitive plain one, built on first use and cached.
pub fn dictionary_of(s: &Series) -> Option<Arc<Dictionary>> {
    match s.dtype() {
        DataType::String => dictionary(s.str().ok()?),
        _ => Dictionary::of_encoded(s).map(Arc::new),
    }
}

type Key = (usize, usize, usize);

/// A column's dictionary (`None`: not worth one), with the column itself:
/// it keeps the column's memory alive, so its address stays a valid key.
type Entry = (StringChunked, Option<Arc<Dictionary>>);

fn cache() -> &'static Mutex<Recent<Key, Entry>> {
    static CACHE: OnceLock<Mutex<Recent<Key, Entry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Recent::new(CAPACITY)))
}

/// The address of the column's first buffer of string views: clones of a
/// column (every query starts from a clone of the loaded table) share it.
fn key(ca: &StringChunked) -> Option<Key> {
    let first = ca.downcast_iter().next()?;
    let addr = first.views().as_ptr() as usize;
    Some((addr, ca.chunks().len(), ca.len()))
}

/// The dictionary of a large, repetitive column, built on first use; `None`
/// for small or high-cardinality columns.
pub fn dictionary(ca: &StringChunked) -> Option<Arc<Dictionary>> {
    if ca.len() < MIN_ROWS {
        return None;
    }
    let key = key(ca)?;
    if let Ok(mut c) = cache().lock()
        && let Some((_, dictionary)) = c.get(&key)
    {
        return dictionary;
    }
    let built = build(ca).map(Arc::new);
    if let Ok(mut c) = cache().lock() {
        c.insert(key, (ca.clone(), built.clone()));
    }
    built
}

fn build(ca: &StringChunked) -> Option<Dictionary> {
    let limit = ca.len() / MAX_DISTINCT_RATIO;
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut values: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    for v in ca.iter() {
        let code = match v {
            None => u32::MAX,
            Some(s) => match index.get(s) {
                Some(&c) => c,
                None => {
                    if values.len() >= limit {
                        return None;
                    }
                    let c = values.len() as u32;
                    index.insert(s, c);
                    values.push(s.to_string());
                    c
                }
            },
        };
        codes.push(code);
    }
    let codes: UInt32Chunked = codes
        .into_iter()
        .map(|c| (c != u32::MAX).then_some(c))
        .collect();
    Some(Dictionary {
        values: Values::Owned(values),
        codes: codes.with_name(ca.name().clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_columns_get_a_dictionary_and_answers_match_row_by_row() {
        let rows: Vec<&str> = (0..100_000)
            .map(|i| ["alpha", "beta", "gamma"][i % 3])
            .collect();
        let ca = StringChunked::from_slice("c".into(), &rows);
        let d = dictionary(&ca).expect("repetitive column");
        assert_eq!(d.values(), vec!["alpha", "beta", "gamma"]);
        let m = d.map_bool("c".into(), None, |s: &str| s.starts_with('b'));
        assert_eq!(m.sum(), Some(33_333));
        // Same column again: the cached dictionary.
        assert!(Arc::ptr_eq(&d, &dictionary(&ca).unwrap()));
    }

    #[test]
    fn unique_or_small_columns_are_matched_row_by_row() {
        let rows: Vec<String> = (0..100_000).map(|i| format!("v{i}")).collect();
        let ca = StringChunked::from_iter_values("c".into(), rows.iter().map(String::as_str));
        assert!(dictionary(&ca).is_none());
        let small = StringChunked::from_slice("c".into(), &["a", "a"]);
        assert!(dictionary(&small).is_none());
    }

    #[test]
    fn large_shared_dictionaries_ask_each_value_once_across_slices() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        // 10,000 distinct values over 20,000 rows, one null: encoded, and
        // past SMALL_DICTIONARY, so answers are kept.
        let rows: Vec<Option<String>> = (0..20_000)
            .map(|i| (i != 10_005).then(|| format!("cmd.exe /c job{}", i % 10_000)))
            .collect();
        let ca: StringChunked = rows.iter().map(|v| v.as_deref()).collect();
        let ca = ca.with_name("memo_test_command_line".into());
        let encoded = encode::encode(&ca).unwrap().expect("worth encoding");
        let asked = AtomicUsize::new(0);
        let ends_in_7 = |v: &str| {
            asked.fetch_add(1, Ordering::Relaxed);
            v.ends_with('7')
        };
        let key = || Some(PredicateKey::new("test-ends-in-7", ["7"]));
        // A slice of the first 3,000 rows: only its values are asked about.
        let first = dictionary_of(&encoded.slice(0, 3_000)).unwrap();
        let got = first.map_bool("c".into(), key(), ends_in_7);
        assert_eq!(asked.load(Ordering::Relaxed), 3_000);
        assert_eq!(got.sum(), Some(300));
        // The whole column: the first 3,000 values were answered already.
        let whole = dictionary_of(&encoded).unwrap();
        let got = whole.map_bool("c".into(), key(), ends_in_7);
        assert_eq!(asked.load(Ordering::Relaxed), 10_000);
        let expected: Vec<Option<bool>> = rows
            .iter()
            .map(|v| v.as_ref().map(|v| v.ends_with('7')))
            .collect();
        let got: Vec<Option<bool>> = got.downcast_iter().flat_map(|a| a.iter()).collect();
        assert_eq!(got, expected);
        // Without a key nothing is kept: every used value is asked again.
        let none = whole.map_bool_any("c".into(), None, ends_in_7);
        assert_eq!(asked.load(Ordering::Relaxed), 20_000);
        assert_eq!(none.and_then(|m| m.sum()), Some(2_000));
    }
}
