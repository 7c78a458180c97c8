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

    /// The query history the `:` prompt offers: the saved history, then
    /// the last session's pipelines not in it, then the query running when
    /// Quarry last stopped, last, so that `:` then Up offers it first.
    pub fn recall_history(&self) -> Vec<String> {
        let mut history = self.query_history.clone();
        for p in self.last_session.iter().chain(&self.running) {
            if !history.contains(p) {
                history.push(p.clone());
            }
        }
        history
    }

    /// Where to reopen, when the last session ended without quitting.
    pub fn resume(&self) -> Option<Resume> {
        self.open.then(|| Resume {
            view: self.view.clone(),
            running: self.running.clone(),
            data: self.data.clone(),
        })
    }
}

/// Where a session that ended without quitting was, to reopen once the
/// data has loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resume {
    /// The pipeline on screen.
    pub view: Option<String>,
    /// The query running when it stopped.
    pub running: Option<String>,
    /// The data it was opened on ([`absolute_data_paths`]).
    pub data: Vec<String>,
}

impl Resume {
    /// The view to reopen: none when the view itself was running (being
    /// reopened, say) when Quarry stopped, since running it again could
    /// stop Quarry again, every start.
    pub fn view_to_reopen(&self) -> Option<&str> {
        self.view
            .as_deref()
            .filter(|v| self.running.as_deref() != Some(*v))
    }
}

/// The data paths as given, made absolute (`Name=path` keeps its name), so
/// that the same data opened from another folder is recognised.
pub fn absolute_data_paths(paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .map(|p| {
            let (name, path) = match p.split_once('=') {
                Some((n, path)) if !Path::new(p).exists() => (Some(n), path),
                _ => (None, p.as_str()),
            };
            let abs = fs::canonicalize(path)
                .map_or_else(|_| path.to_string(), |a| a.to_string_lossy().into_owned());
            match name {
                Some(n) => format!("{n}={abs}"),
                None => abs,
            }
        })
        .collect()
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

    #[test]
    fn the_running_query_is_recalled_first_and_not_reopened() {
        let s = SavedState {
            query_history: vec!["A".into(), "B".into()],
            last_session: vec!["B".into(), "C".into()],
            view: Some("C".into()),
            running: Some("C | count".into()),
            data: vec!["/cases/1".into()],
            open: true,
            ..SavedState::default()
        };
        assert_eq!(s.recall_history(), ["A", "B", "C", "C | count"]);
        let r = s.resume().unwrap();
        assert_eq!(r.data, ["/cases/1"]);
        assert_eq!(r.view_to_reopen(), Some("C"));
        let crashed_on_view = Resume {
            running: Some("C".into()),
            ..r
        };
        assert_eq!(crashed_on_view.view_to_reopen(), None);
        let quit = SavedState { open: false, ..s };
        assert_eq!(quit.resume(), None);
    }

    #[test]
    fn data_paths_are_made_absolute_keeping_names() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("t.csv");
        fs::write(&file, "a\n1\n").unwrap();
        let abs = fs::canonicalize(&file)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let given = [
            file.to_string_lossy().into_owned(),
            format!("Procs={}", file.display()),
            "no/such/file.csv".to_string(),
        ];
        assert_eq!(
            absolute_data_paths(&given),
            [
                abs.clone(),
                format!("Procs={abs}"),
                "no/such/file.csv".into()
            ]
        );
    }
}
