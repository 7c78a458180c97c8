//! The answers a predicate has given about the values of a large shared
//! dictionary, kept so that no value is asked about twice.
//!
//! An encoded column shares one dictionary with every same-named column of
//! every table (see `data::encode`); on 50 million rows the dictionary of
//! command lines holds two million values. A `where` over such a column
//! runs a slice at a time (so Ctrl+C is seen), and trying every value of the
//! dictionary for every slice made a search of 50M rows take an hour. Kept
//! answers make the whole query ask once per value the rows use, and the
//! same search run again ask nothing.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use polars::prelude::CategoricalMapping;

use super::recent::Recent;

/// Kept predicates at most; the least recently used are dropped first.
const CAPACITY: usize = 32;
/// Keys longer than this (an `in` list of thousands of values) are not
/// kept: their answers hold for one call.
const MAX_KEY: usize = 1 << 16;

/// What a predicate computes, with every input it reads: two predicates
/// with equal keys must give equal answers for every value. A wrong key
/// would answer one query from another's results, so each caller builds
/// it from all of its inputs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PredicateKey(String);

impl PredicateKey {
    /// The key of the predicate named `what` over `inputs`; each input is
    /// written with its length, so no two lists of inputs read the same.
    pub fn new<S: AsRef<str>>(what: &str, inputs: impl IntoIterator<Item = S>) -> PredicateKey {
        let mut key = what.to_string();
        for input in inputs {
            let input = input.as_ref();
            key.push_str(&format!("|{}:", input.len()));
            key.push_str(input);
        }
        PredicateKey(key)
    }

    /// The key as text, to make it an input of another key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One answer per code: not asked yet, false, or true.
pub struct Answers {
    slots: Vec<AtomicU8>,
}

const UNKNOWN: u8 = 0;
const NO: u8 = 1;
const YES: u8 = 2;

impl Answers {
    /// Room for the codes below `bound`, none asked.
    pub fn new(bound: usize) -> Answers {
        Answers {
            slots: (0..bound).map(|_| AtomicU8::new(UNKNOWN)).collect(),
        }
    }

    /// Asks `ask` about `code` unless it was asked before. Two threads may
    /// ask about the same code at once; both get the same answer.
    #[inline]
    pub fn answer(&self, code: u32, ask: impl FnOnce() -> bool) {
        if let Some(slot) = self.slots.get(code as usize)
            && slot.load(Ordering::Relaxed) == UNKNOWN
        {
            slot.store(if ask() { YES } else { NO }, Ordering::Relaxed);
        }
    }

    /// The answer given about `code`, if any.
    #[inline]
    pub fn known(&self, code: u32) -> Option<bool> {
        match self.slots.get(code as usize)?.load(Ordering::Relaxed) {
            YES => Some(true),
            NO => Some(false),
            _ => None,
        }
    }
}

type Key = (usize, usize, PredicateKey);

/// Kept answers, with their mapping: it keeps the mapping alive, so its
/// address stays a valid key.
type Entry = (Arc<CategoricalMapping>, Arc<Answers>);

fn kept_answers() -> &'static Mutex<Recent<Key, Entry>> {
    static KEPT: OnceLock<Mutex<Recent<Key, Entry>>> = OnceLock::new();
    KEPT.get_or_init(|| Mutex::new(Recent::new(CAPACITY)))
}

/// The kept answers of `key` for the codes below `bound` of `mapping`,
/// made empty the first time. A dictionary's values never change once
/// given a code (it only grows, and grows into a new mapping when it
/// widens), so answers kept for a mapping and bound stay true.
pub fn kept(mapping: &Arc<CategoricalMapping>, bound: usize, key: PredicateKey) -> Arc<Answers> {
    if key.0.len() > MAX_KEY {
        return Arc::new(Answers::new(bound));
    }
    let id = (Arc::as_ptr(mapping) as usize, bound, key);
    let Ok(mut kept) = kept_answers().lock() else {
        return Arc::new(Answers::new(bound));
    };
    if let Some((_, answers)) = kept.get(&id) {
        return answers;
    }
    let answers = Arc::new(Answers::new(bound));
    kept.insert(id, (Arc::clone(mapping), Arc::clone(&answers)));
    answers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_different_inputs_differ() {
        // Without lengths, ("a|1:b") and ("a", "b") could read alike.
        assert!(PredicateKey::new("has", ["a|1:b"]) != PredicateKey::new("has", ["a", "b"]));
        assert!(PredicateKey::new("has", ["x"]) != PredicateKey::new("contains", ["x"]));
        assert!(PredicateKey::new("has", ["x"]) == PredicateKey::new("has", ["x"]));
    }

    #[test]
    fn each_code_is_asked_once() {
        let answers = Answers::new(4);
        let asked = std::sync::atomic::AtomicUsize::new(0);
        for code in [1, 2, 1, 1, 3, 2] {
            answers.answer(code, || {
                asked.fetch_add(1, Ordering::Relaxed);
                code % 2 == 1
            });
        }
        assert_eq!(asked.load(Ordering::Relaxed), 3);
        assert_eq!(answers.known(0), None);
        assert_eq!(answers.known(1), Some(true));
        assert_eq!(answers.known(2), Some(false));
        // Past the bound: never asked, never known.
        answers.answer(9, || panic!("asked about a code past the bound"));
        assert_eq!(answers.known(9), None);
    }
}
