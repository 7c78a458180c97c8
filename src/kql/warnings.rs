//! Warnings a query gives beside its result, as Kusto gives them in its
//! query status: the sources a fuzzy `union` or `macro-expand` left out.
//! The caller reads them after the run (the command line prints them on
//! standard error, the workbench in its status bar), so an answer drawn
//! from fewer tables than the query names never passes silently.

use std::sync::{Arc, Mutex};

/// Where a query's warnings gather. Clones share one list, so the caller
/// keeps a clone of the [`super::RunOptions`]' sink and reads it after.
#[derive(Clone, Debug, Default)]
pub struct Warnings(Arc<Mutex<Vec<String>>>);

impl Warnings {
    /// Adds a warning, once however often it is given (a `union` in a
    /// function called per row says it once).
    pub fn push(&self, text: String) {
        let mut list = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !list.contains(&text) {
            list.push(text);
        }
    }

    /// The warnings given so far, in order, leaving none behind.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_list_and_a_warning_is_said_once() {
        let sink = Warnings::default();
        let clone = sink.clone();
        clone.push("left out A".into());
        clone.push("left out B".into());
        clone.push("left out A".into());
        assert_eq!(sink.take(), ["left out A", "left out B"]);
        assert!(sink.take().is_empty());
    }
}
