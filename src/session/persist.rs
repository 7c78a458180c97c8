//! What survives between sessions: the query and search histories and the
//! pipelines of the last session, in one JSON file in the platform data
//! directory (`~/.local/share/quarry/state.json` on Linux).

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
}

impl SavedState {
    /// `state.json` in the platform data directory, if a home is known.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "quarry").map(|d| d.data_dir().join("state.json"))
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
        };
        s.save(&path).unwrap();
        assert_eq!(SavedState::load(&path), (s, None));
        fs::write(&path, "{not json").unwrap();
        let (state, warning) = SavedState::load(&path);
        assert_eq!(state, SavedState::default());
        assert!(warning.unwrap().starts_with("ignoring "));
    }
}
