//! `config.toml` in the platform config directory
//! (`~/.config/quarry/config.toml` on Linux):
//!
//! ```toml
//! theme = "light"          # dark (default), light, high-contrast, or a user theme
//!
//! max_memory = "8GB"       # a query's memory budget (default: half the machine's)
//!
//! [export]
//! raw = false              # true: CSV cells exactly as they are, formulas included
//! ```
//!
//! Key bindings are in `keymap.toml` next to it, user themes in `themes/`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The settings; every one has a default, so a missing file is fine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The theme's name.
    pub theme: Option<String>,
    /// Export settings.
    pub export: ExportConfig,
    /// `max_memory = "8GB"`: the memory a query may use for the rows it
    /// builds (default: half of this machine's memory, or what is free).
    #[serde(deserialize_with = "budget")]
    pub max_memory: Option<crate::kql::Budget>,
}

/// Reads `max_memory` as a memory size.
fn budget<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<crate::kql::Budget>, D::Error> {
    let text = String::deserialize(d)?;
    crate::kql::limits::parse_size(&text)
        .map(|b| Some(crate::kql::Budget::new(b)))
        .map_err(serde::de::Error::custom)
}

/// `[export]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportConfig {
    /// Write cells without neutralising spreadsheet formulas.
    pub raw: bool,
}

impl Config {
    /// `config.toml` in the platform config directory, if a home is known.
    pub fn default_path() -> Option<PathBuf> {
        crate::places::config_file("config.toml")
    }

    /// Reads the file; a missing file is the defaults, any other problem an
    /// error naming the file.
    pub fn load(path: &Path) -> Result<Config, String> {
        match fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| format!("{}: {}", path.display(), e.message().replace('\n', "; "))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_defaults_values_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        assert_eq!(Config::load(&path), Ok(Config::default()));
        fs::write(&path, "theme = \"light\"\n[export]\nraw = true\n").unwrap();
        assert_eq!(
            Config::load(&path),
            Ok(Config {
                theme: Some("light".into()),
                export: ExportConfig { raw: true },
                max_memory: None,
            })
        );
        fs::write(&path, "max_memory = \"512MB\"\n").unwrap();
        assert_eq!(
            Config::load(&path).map(|c| c.max_memory),
            Ok(Some(crate::kql::Budget::new(512 << 20)))
        );
        fs::write(&path, "max_memory = \"lots\"\n").unwrap();
        let err = Config::load(&path).unwrap_err();
        assert!(
            err.contains("'lots' is not a memory size (try 512MB or 4GB)"),
            "{err}"
        );
        fs::write(&path, "them = \"light\"\n").unwrap();
        let err = Config::load(&path).unwrap_err();
        assert!(err.contains("unknown field `them`"), "{err}");
    }
}
