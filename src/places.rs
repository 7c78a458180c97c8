//! Where Quarry keeps and finds its files: the one place that builds the
//! platform directories (`~/.config/quarry`, `~/.local/share/quarry` on
//! Linux), so that every reader and writer agrees.

use std::path::PathBuf;

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "quarry")
}

/// The platform config directory (`~/.config/quarry` on Linux), if a home
/// directory is known: config.toml, keymap.toml, themes/, rules/.
pub fn config_dir() -> Option<PathBuf> {
    project().map(|d| d.config_dir().to_path_buf())
}

/// The platform data directory (`~/.local/share/quarry` on Linux), if a
/// home directory is known: state.json, sample-data/, externaldata/.
pub fn data_dir() -> Option<PathBuf> {
    project().map(|d| d.data_dir().to_path_buf())
}

/// A file or folder in the config directory.
pub fn config_file(name: &str) -> Option<PathBuf> {
    config_dir().map(|d| d.join(name))
}

/// A file or folder in the data directory.
pub fn data_file(name: &str) -> Option<PathBuf> {
    data_dir().map(|d| d.join(name))
}
