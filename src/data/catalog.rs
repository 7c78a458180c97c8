//! The catalog: every loaded table by name, and every file that failed.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::types::KqlType;
use super::warning::LoadWarning;

/// Why a file could not be loaded, with the line when one is to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    /// 1-based line number in the (decompressed) file.
    pub line: Option<usize>,
    pub message: String,
}

impl LoadError {
    /// An error about `path`, at `line` when one is to blame.
    pub fn new(path: &Path, line: Option<usize>, message: impl Into<String>) -> LoadError {
        LoadError {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// Whether the load stopped because it was cancelled, not because the
    /// file is bad.
    pub fn is_cancelled(&self) -> bool {
        self.message == super::load::CANCELLED
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for LoadError {}

/// A loaded table: its frame, typed as `data::types` describes, the files
/// it came from, and what loading them got past (see `data::warning`).
#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    pub frame: DataFrame,
    pub files: Vec<PathBuf>,
    /// Cells loaded as null because they could not be read, files read as
    /// Windows-1252: in file order. Empty for a table made in memory.
    pub warnings: Vec<LoadWarning>,
}

/// The first and last value of a table's time column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    /// Nanoseconds since the Unix epoch, UTC.
    pub first: i64,
    pub last: i64,
}

impl Table {
    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.frame.height()
    }

    /// Column names with their KQL types, in order.
    pub fn columns(&self) -> Vec<(String, KqlType)> {
        self.frame
            .columns()
            .iter()
            .map(|c| {
                (
                    c.name().to_string(),
                    KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic),
                )
            })
            .collect()
    }

    /// The column that dates each row: `Timestamp`, `TimeGenerated`, or
    /// else the first datetime column.
    pub fn time_column(&self) -> Option<&str> {
        let cols = self.frame.columns();
        let is_dt = |c: &&Column| KqlType::of(c.dtype()) == Some(KqlType::Datetime);
        ["Timestamp", "TimeGenerated"]
            .iter()
            .find_map(|n| cols.iter().filter(is_dt).find(|c| c.name() == *n))
            .or_else(|| cols.iter().find(is_dt))
            .map(|c| c.name().as_str())
    }

    /// First and last time of the time column, ignoring nulls.
    pub fn time_range(&self) -> Option<TimeRange> {
        let col = self.frame.column(self.time_column()?).ok()?;
        let ns = col
            .as_materialized_series()
            .datetime()
            .ok()?
            .physical()
            .clone();
        Some(TimeRange {
            first: ns.min()?,
            last: ns.max()?,
        })
    }

    /// The table's warnings, one line each, safe for a terminal (the one
    /// text `quarry tables`, `quarry query` and the workbench show).
    pub fn warning_lines(&self) -> Vec<String> {
        self.warnings.iter().map(LoadWarning::line).collect()
    }

    /// The newest value of any datetime column (the default data clock).
    pub fn newest_datetime(&self) -> Option<i64> {
        self.frame
            .columns()
            .iter()
            .filter(|c| KqlType::of(c.dtype()) == Some(KqlType::Datetime))
            .filter_map(|c| c.as_materialized_series().datetime().ok()?.physical().max())
            .max()
    }
}

/// Every loaded table by name, and the files that failed to load.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    tables: BTreeMap<String, Table>,
    pub errors: Vec<LoadError>,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// Adds or replaces a table. Encoded columns of every table are then
    /// widened where the new table's values widened their dictionary (see
    /// `encode`), so tables still join and stack on their codes.
    pub fn insert(&mut self, table: Table) {
        self.tables.insert(table.name.clone(), table);
        for table in self.tables.values_mut() {
            let frame = std::mem::take(&mut table.frame);
            // Widening only converts codes; should it fail, the table keeps
            // its narrower codes, which are still read correctly (joins and
            // unions then compare text).
            table.frame = match super::encode::widen_frame(frame.clone()) {
                Ok(widened) => widened,
                Err(_) => frame,
            };
        }
    }

    /// Adds a table, appending its rows to a loaded table of the same name
    /// (streaming-API envelopes in several files feed one table). Columns
    /// are matched by name; see `load::concat_frames`. On failure the
    /// catalog is unchanged.
    pub fn merge(&mut self, table: Table) -> Result<(), LoadError> {
        let Some(existing) = self.tables.remove(&table.name) else {
            self.insert(table);
            return Ok(());
        };
        let frames = vec![existing.frame.clone(), table.frame];
        match super::load::concat_frames(frames) {
            Ok(frame) => {
                let mut files = existing.files;
                files.extend(table.files);
                files.dedup();
                let mut warnings = existing.warnings;
                warnings.extend(table.warnings);
                self.insert(Table {
                    name: table.name,
                    frame,
                    files,
                    warnings,
                });
                Ok(())
            }
            Err(e) => {
                let path = table.files.first().cloned().unwrap_or_default();
                let name = table.name.clone();
                self.insert(existing);
                Err(LoadError::new(
                    &path,
                    None,
                    format!("cannot append to table {name}: {e}"),
                ))
            }
        }
    }

    /// Removes a table (to reload it, say).
    pub fn remove(&mut self, name: &str) -> Option<Table> {
        self.tables.remove(name)
    }

    /// The table of exactly this name.
    pub fn get(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Kusto table names are case-sensitive, but a case-only mismatch is
    /// worth a hint; this finds such a table.
    pub fn get_ignore_case(&self, name: &str) -> Option<&Table> {
        self.tables
            .values()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// Tables in name order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }

    /// Table names in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// Whether no table loaded.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Every table's warnings, one line each, safe for a terminal, as
    /// `table: warning`, tables in name order.
    pub fn warning_lines(&self) -> Vec<String> {
        self.tables
            .values()
            .flat_map(|t| {
                let name = crate::text::escape_for_terminal(&t.name).into_owned();
                t.warning_lines()
                    .into_iter()
                    .map(move |w| format!("{name}: {w}"))
            })
            .collect()
    }

    /// The newest datetime in any column of any table: Quarry's default
    /// clock, because exports are historical.
    pub fn newest_datetime(&self) -> Option<i64> {
        self.tables
            .values()
            .filter_map(Table::newest_datetime)
            .max()
    }
}
