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

/// Columns shorter than this are matched row by row: building a dictionary
/// would cost more than it saves.
const MIN_ROWS: usize = 65_536;
/// Columns with more distinct values than rows / this are not worth it.
const MAX_DISTINCT_RATIO: usize = 8;
/// Cached columns at most; the oldest are dropped first.
const CAPACITY: usize = 256;

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
    pub fn map_bool(&self, name: PlSmallStr, f: impl Fn(&str) -> bool) -> BooleanChunked {
        let flags: Vec<bool> = self.values().into_iter().map(f).collect();
        self.spread(name, &flags)
    }

    /// Like [`Dictionary::map_bool`], but `None` when no value matches, so
    /// callers can skip the column without touching its rows.
    pub fn map_bool_any(
        &self,
        name: PlSmallStr,
        f: impl Fn(&str) -> bool,
    ) -> Option<BooleanChunked> {
        let flags: Vec<bool> = self.values().into_iter().map(f).collect();
        flags.contains(&true).then(|| self.spread(name, &flags))
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
