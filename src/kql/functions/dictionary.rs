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

use polars::prelude::*;

/// Columns shorter than this are matched row by row: building a dictionary
/// would cost more than it saves.
const MIN_ROWS: usize = 65_536;
/// Columns with more distinct values than rows / this are not worth it.
const MAX_DISTINCT_RATIO: usize = 8;
/// Cached columns at most; the oldest are dropped first.
const CAPACITY: usize = 256;

/// A column as codes into its distinct values.
pub struct Dictionary {
    pub values: Vec<String>,
    /// One code per row; `u32::MAX` for null.
    pub codes: Vec<u32>,
}

impl Dictionary {
    /// Evaluates `f` once per distinct value and spreads the answers over
    /// the rows (null rows stay null).
    pub fn map_bool(&self, name: PlSmallStr, f: impl Fn(&str) -> bool) -> BooleanChunked {
        let flags: Vec<bool> = self.values.iter().map(|v| f(v)).collect();
        self.spread(name, &flags)
    }

    /// Like [`Dictionary::map_bool`], but `None` when no value matches, so
    /// callers can skip the column without touching its rows.
    pub fn map_bool_any(
        &self,
        name: PlSmallStr,
        f: impl Fn(&str) -> bool,
    ) -> Option<BooleanChunked> {
        let flags: Vec<bool> = self.values.iter().map(|v| f(v)).collect();
        flags.contains(&true).then(|| self.spread(name, &flags))
    }

    fn spread(&self, name: PlSmallStr, flags: &[bool]) -> BooleanChunked {
        let mut out: BooleanChunked = self
            .codes
            .iter()
            .map(|&c| flags.get(c as usize).copied())
            .collect();
        out.rename(name);
        out
    }
}

type Key = (usize, usize, usize);

struct Entry {
    /// Keeps the column's memory alive, so its address stays a valid key.
    _column: StringChunked,
    dictionary: Option<Arc<Dictionary>>,
    stamp: u64,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<Key, Entry>,
    clock: u64,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
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
    if let Ok(mut c) = cache().lock() {
        c.clock += 1;
        let stamp = c.clock;
        if let Some(e) = c.entries.get_mut(&key) {
            e.stamp = stamp;
            return e.dictionary.clone();
        }
    }
    let built = build(ca).map(Arc::new);
    if let Ok(mut c) = cache().lock() {
        if c.entries.len() >= CAPACITY
            && let Some(oldest) = c
                .entries
                .iter()
                .min_by_key(|(_, e)| e.stamp)
                .map(|(k, _)| *k)
        {
            c.entries.remove(&oldest);
        }
        let stamp = c.clock;
        c.entries.insert(
            key,
            Entry {
                _column: ca.clone(),
                dictionary: built.clone(),
                stamp,
            },
        );
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
    Some(Dictionary { values, codes })
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
        assert_eq!(d.values, vec!["alpha", "beta", "gamma"]);
        let m = d.map_bool("c".into(), |s| s.starts_with('b'));
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
}
