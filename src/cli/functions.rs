//! The stored functions of a command: read from the data folders'
//! `functions/` and the config directory's (with `--functions DIR` first,
//! where a command takes it), each definition that could not be read told
//! on standard error with its file, line and a caret.

use std::path::PathBuf;
use std::sync::Arc;

use crate::kql::stored::{self, StoredFunctions};

/// Reads the stored functions of `folders` (first wins), warning on
/// standard error of every definition that could not be read or is not
/// used.
pub(super) fn load_reporting(folders: &[PathBuf]) -> Arc<StoredFunctions> {
    let functions = stored::load(folders);
    for w in &functions.warnings {
        eprintln!("warning: {}", w.render());
    }
    Arc::new(functions)
}

/// The stored functions of a command that read the tables at `paths`.
pub(super) fn for_data(paths: &[String]) -> Arc<StoredFunctions> {
    load_reporting(&stored::folders(paths, stored::config_folder()))
}
