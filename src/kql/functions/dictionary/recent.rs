//! A small cache that forgets its least recently used entry when full:
//! the dictionaries of plain text columns and the answers kept for
//! predicates both live in one.

use std::collections::HashMap;
use std::hash::Hash;

/// At most `capacity` entries; each read or write stamps its entry, and a
/// full cache drops the oldest stamp to make room.
pub struct Recent<K, V> {
    entries: HashMap<K, (V, u64)>,
    clock: u64,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> Recent<K, V> {
    pub fn new(capacity: usize) -> Recent<K, V> {
        Recent {
            entries: HashMap::new(),
            clock: 0,
            capacity,
        }
    }

    /// The entry of `key`, made the most recent.
    pub fn get(&mut self, key: &K) -> Option<V> {
        self.clock += 1;
        let stamp = self.clock;
        let (value, at) = self.entries.get_mut(key)?;
        *at = stamp;
        Some(value.clone())
    }

    /// Adds (or replaces) the entry of `key`, dropping the oldest when full.
    pub fn insert(&mut self, key: K, value: V) {
        if self.entries.len() >= self.capacity
            && !self.entries.contains_key(&key)
            && let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(k, _)| k.clone())
        {
            self.entries.remove(&oldest);
        }
        self.clock += 1;
        self.entries.insert(key, (value, self.clock));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_entry_goes_first() {
        let mut recent = Recent::new(2);
        recent.insert("a", 1);
        recent.insert("b", 2);
        assert_eq!(recent.get(&"a"), Some(1));
        recent.insert("c", 3);
        assert_eq!(recent.get(&"b"), None);
        assert_eq!(recent.get(&"a"), Some(1));
        assert_eq!(recent.get(&"c"), Some(3));
    }
}
