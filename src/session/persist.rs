//! What survives between sessions: the query and search histories and the
//! pipelines of the last session, in one JSON file in the platform data
//! directory (`~/.local/share/quarry/state.json` on Linux).
//!
//! The workbench writes it as the investigation goes (after every change:
//! a step opened or closed, a query started or finished, a prompt
//! submitted), not only when the analyst quits, so a workbench that is
//! killed (the OOM killer's SIGKILL leaves no chance to save) reopens where
//! the analyst was. [`SavedState::open`] says whether the last writer quit
//! cleanly; if it did not, the next start reopens [`SavedState::view`] and
//! names [`SavedState::running`], the query running when it stopped (likely
//! the culprit, so it is not run again).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Entries kept per history; older ones are dropped first.
pub const HISTORY_LIMIT: usize = 500;

/// The saved state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedState {
    /// Pipelines run with `:`, oldest first.
    pub query_history: Vec<String>,
    /// Texts searched with `/`, oldest first.
    pub search_history: Vec<String>,
    /// The pipelines of the steps open when the last session ended.
    pub last_session: Vec<String>,
    /// The pipeline on screen when last saved; `None` at home.
    pub view: Option<String>,
    /// The query that was running when last saved, if any.
    pub running: Option<String>,
    /// The data the session was opened on: the paths as given, made
    /// absolute. A reopened view only makes sense on the same data.
    pub data: Vec<String>,
    /// Whether a workbench was still open when it saved this (it had not
    /// quit cleanly).
    pub open: bool,
}

impl SavedState {
    /// `state.json` in the platform data directory, if a home is known.
    pub fn default_path() -> Option<PathBuf> {
        crate::places::data_file("state.json")
    }

    /// Reads the state; a missing file is an empty state, and so is a
    /// damaged one (with the reason, so it can be shown): history is a
    /// convenience, never a reason not to start.
    pub fn load(path: &Path) -> (SavedState, Option<String>) {
        match fs::read_to_string(path) {
            Ok(text) => match serde_json::from_str::<SavedState>(&text) {
                Ok(mut s) => {
                    s.trim();
                    (s, None)
                }
                Err(e) => (
                    SavedState::default(),
                    Some(format!("ignoring {}: {e}", path.display())),
                ),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => (SavedState::default(), None),
            Err(e) => (
                SavedState::default(),
                Some(format!("cannot read {}: {e}", path.display())),
            ),
        }
    }

    fn trim(&mut self) {
        for h in [&mut self.query_history, &mut self.search_history] {
            if h.len() > HISTORY_LIMIT {
                let excess = h.len() - HISTORY_LIMIT;
                h.drain(..excess);
            }
        }
    }

    /// Writes the state atomically (temporary file, then rename), creating
    /// the directory if needed.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let mut copy = self.clone();
        copy.trim();
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(&copy).map_err(io::Error::other)?;
        let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
        let result = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("state.json");
        assert_eq!(SavedState::load(&path), (SavedState::default(), None));
        let s = SavedState {
            query_history: vec!["T | take 1".into(), "a\nb".into()],
            search_history: vec!["x".into()],
            last_session: vec!["T".into()],
            view: Some("T | take 1".into()),
            running: Some("T | count".into()),
            data: vec!["/cases/1".into()],
            open: true,
        };
        s.save(&path).unwrap();
        assert_eq!(SavedState::load(&path), (s, None));
        fs::write(&path, "{not json").unwrap();
        let (state, warning) = SavedState::load(&path);
        assert_eq!(state, SavedState::default());
        assert!(warning.unwrap().starts_with("ignoring "));
        // A file from before these fields were saved still reads.
        fs::write(&path, r#"{"query_history":["a"]}"#).unwrap();
        let (state, warning) = SavedState::load(&path);
        assert_eq!(warning, None);
        assert_eq!(state.query_history, vec!["a".to_string()]);
        assert!(!state.open);
    }
}
