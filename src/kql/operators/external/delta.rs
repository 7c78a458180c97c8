//! `inline_external_table ... kind=delta`: a Delta Lake table from a local
//! copy of its root folder.
//!
//! The log's JSON commits (`_delta_log/00000000000000000000.json`, ...)
//! are replayed in order: `metaData` gives the schema and the partition
//! columns, `add` and `remove` the live data files (Parquet, read by the
//! `externaldata` reader) and their `partitionValues`. Without declared
//! columns the table has the schema's; declared ones must be in it.
//! Checkpoints (`*.checkpoint.parquet`) are not read: a log that needs one
//! (its JSON commits cleaned up) is an error that says so, as are deletion
//! vectors and column mapping, which would change which rows or columns a
//! data file holds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value as Json;

use super::inline::OPERATOR;
use super::read::{Layout, Shape, from_text, read_file};
use super::{Want, declared_kinds, rows_to_frame};
use crate::data::types::KqlType;
use crate::kql::ast::{InlineExternalTable, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// Checks the clauses of a `kind=delta` table.
pub(super) fn check_delta(t: &InlineExternalTable) -> Result<(), QueryError> {
    let refuse = |what: &str, span: Span| {
        Err(QueryError::syntax(
            format!("{OPERATOR} kind=delta takes no {what}: the Delta log says it"),
            span,
        ))
    };
    if let Some(f) = &t.data_format {
        return refuse("dataformat", f.span);
    }
    if let Some(p) = t.partitions.first() {
        return refuse("partition by", p.name.span);
    }
    if !t.path_format.is_empty() {
        return refuse("pathformat", t.kind.span);
    }
    if let Some(p) = t.properties.first() {
        return Err(QueryError::syntax(
            format!(
                "{OPERATOR} kind=delta takes no with (...) properties ('{}' is for kind=storage)",
                p.name.name
            ),
            p.name.span,
        ));
    }
    if let Some(second) = t.uris.get(1) {
        return Err(QueryError::syntax(
            format!("{OPERATOR} kind=delta reads exactly one Delta table root"),
            second.span,
        ));
    }
    Ok(())
}

/// A data file's partition values (null where the log writes null).
type PartitionValues = HashMap<String, Option<String>>;

/// A data file (its path as the log writes it) and its partition values.
type DataFile = (String, PartitionValues);

/// A JSON commit's version and file.
type Commit = (u64, PathBuf);

/// The table a replayed log describes.
#[derive(Debug, Default)]
struct Snapshot {
    /// The schema's columns, in order.
    columns: Vec<(String, KqlType)>,
    partition_columns: Vec<String>,
    /// Live data files (paths relative to the root, as the log writes
    /// them) with their partition values, in the order added.
    files: Vec<DataFile>,
}

impl Runner<'_> {
    pub(super) fn delta_table(
        &self,
        t: &InlineExternalTable,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let Some(expr) = t.uris.first() else {
            return Err(QueryError::syntax(
                format!("{OPERATOR} kind=delta needs its table root"),
                span,
            ));
        };
        let uri = self.connection_string(expr)?;
        let root = self.local_copy(OPERATOR, &uri, expr.span, Want::Folder)?;
        let fail = |m: String| QueryError::runtime(m, Some(expr.span));
        let snapshot = replay(&root).map_err(fail)?;
        let (names, kinds): (Vec<String>, Vec<KqlType>) = if t.columns.is_empty() {
            snapshot.columns.iter().cloned().unzip()
        } else {
            for (c, _) in &t.columns {
                if !snapshot.columns.iter().any(|(n, _)| *n == c.name) {
                    let have: Vec<&str> =
                        snapshot.columns.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(QueryError::syntax(
                        format!(
                            "column '{}' is not in the Delta table's schema (its columns: {})",
                            c.name,
                            have.join(", ")
                        ),
                        c.span,
                    ));
                }
            }
            let kinds = declared_kinds(&t.columns)?;
            (
                t.columns.iter().map(|(c, _)| c.name.clone()).collect(),
                kinds,
            )
        };
        let is_partition = |n: &str| snapshot.partition_columns.iter().any(|p| p == n);
        // The data files hold the other columns; partitions come from the log.
        let data: Vec<(usize, &str, KqlType)> = names
            .iter()
            .zip(&kinds)
            .enumerate()
            .filter(|(_, (n, _))| !is_partition(n))
            .map(|(i, (n, k))| (i, n.as_str(), *k))
            .collect();
        let data_names: Vec<&str> = data.iter().map(|(_, n, _)| *n).collect();
        let data_kinds: Vec<KqlType> = data.iter().map(|(_, _, k)| *k).collect();
        let shape = Shape {
            names: &data_names,
            kinds: &data_kinds,
        };
        let mut rows = Vec::new();
        for (file, partition_values) in &snapshot.files {
            self.check_cancel()?;
            let path = data_file(&root, file).map_err(fail)?;
            let read = read_file(&path, Layout::Parquet, shape, None, &uri, false)
                .map_err(|m| fail(format!("{OPERATOR} cannot read {}: {m}", path.display())))?;
            for values in read {
                let mut row: Vec<Scalar> = kinds.iter().map(|k| Scalar::Null(*k)).collect();
                for ((i, _, _), v) in data.iter().zip(values) {
                    row[*i] = v;
                }
                for (i, (n, k)) in names.iter().zip(&kinds).enumerate() {
                    if is_partition(n) {
                        row[i] = match partition_values.get(n) {
                            Some(Some(text)) => from_text(text, *k),
                            _ => Scalar::Null(*k),
                        };
                    }
                }
                rows.push(row);
            }
        }
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        rows_to_frame(&names, &kinds, rows, span)
    }
}

/// A data file's local path: the log's path is relative to the root and
/// percent-encoded.
fn data_file(root: &Path, file: &str) -> Result<PathBuf, String> {
    let decoded = percent_encoding::percent_decode_str(file).decode_utf8_lossy();
    if decoded.contains("://") || decoded.starts_with('/') || decoded.split('/').any(|s| s == "..")
    {
        return Err(format!(
            "{OPERATOR}: the Delta log of {} names the data file '{file}' outside the table's folder, \
             which Quarry does not read",
            root.display()
        ));
    }
    Ok(decoded
        .split('/')
        .fold(root.to_path_buf(), |p, s| p.join(s)))
}

/// The commits of a log folder: `(version, path)` of each JSON commit, in
/// order, and the checkpoint files' names.
fn commits(log: &Path) -> Result<(Vec<Commit>, Vec<String>), String> {
    let entries = std::fs::read_dir(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut commits = Vec::new();
    let mut checkpoints = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", log.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".json")
            && stem.len() == 20
            && let Ok(version) = stem.parse::<u64>()
        {
            commits.push((version, entry.path()));
        } else if name.contains(".checkpoint.") && name.ends_with(".parquet") {
            checkpoints.push(name);
        }
    }
    commits.sort();
    checkpoints.sort();
    Ok((commits, checkpoints))
}

/// Replays the JSON commits of the table at `root`.
fn replay(root: &Path) -> Result<Snapshot, String> {
    let log = root.join("_delta_log");
    if !log.is_dir() {
        return Err(format!(
            "{OPERATOR}: {} is not a Delta table: it has no _delta_log folder",
            root.display()
        ));
    }
    let (commits, checkpoints) = commits(&log)?;
    let needs_checkpoint = |why: &str| {
        format!(
            "{OPERATOR}: the Delta log in {} {why}; Quarry replays a Delta log from its JSON commits \
             and does not read checkpoint Parquet files{}",
            log.display(),
            if checkpoints.is_empty() {
                String::new()
            } else {
                format!(" ({})", checkpoints.join(", "))
            }
        )
    };
    match commits.first() {
        None if checkpoints.is_empty() => {
            return Err(format!(
                "{OPERATOR}: the Delta log in {} has no commits",
                log.display()
            ));
        }
        None => {
            return Err(needs_checkpoint(
                "has only checkpoint files, no JSON commits to replay",
            ));
        }
        Some((first, _)) if *first > 0 => {
            return Err(needs_checkpoint(&format!(
                "starts at version {first} (the commits before it were cleaned up)"
            )));
        }
        Some(_) => {}
    }
    let mut snapshot = Snapshot::default();
    let mut live: Vec<Option<DataFile>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (expected, (version, path)) in commits.iter().enumerate() {
        if *version != expected as u64 {
            return Err(format!(
                "{OPERATOR}: the Delta log in {} has no commit {expected} (the next is {version})",
                log.display()
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = || format!("{}:{}", path.display(), n + 1);
            let action: Json = serde_json::from_str(line)
                .map_err(|e| format!("{OPERATOR}: {}: not a Delta log action ({e})", at()))?;
            if let Some(meta) = action.get("metaData") {
                read_metadata(meta, &mut snapshot)
                    .map_err(|m| format!("{OPERATOR}: {}: {m}", at()))?;
            }
            if let Some(add) = action.get("add") {
                if add.get("deletionVector").is_some_and(|d| !d.is_null()) {
                    return Err(format!(
                        "{OPERATOR}: {}: the file has a deletion vector, which Quarry does not apply",
                        at()
                    ));
                }
                let file = add
                    .get("path")
                    .and_then(Json::as_str)
                    .ok_or_else(|| format!("{OPERATOR}: {}: an add action without a path", at()))?;
                let values = add
                    .get("partitionValues")
                    .and_then(Json::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().map(String::from)))
                            .collect()
                    })
                    .unwrap_or_default();
                match index.get(file) {
                    Some(&i) => live[i] = Some((file.to_string(), values)),
                    None => {
                        index.insert(file.to_string(), live.len());
                        live.push(Some((file.to_string(), values)));
                    }
                }
            }
            if let Some(remove) = action.get("remove")
                && let Some(file) = remove.get("path").and_then(Json::as_str)
                && let Some(i) = index.remove(file)
            {
                live[i] = None;
            }
        }
    }
    if snapshot.columns.is_empty() {
        return Err(format!(
            "{OPERATOR}: the Delta log in {} has no metaData action with the table's schema",
            log.display()
        ));
    }
    snapshot.files = live.into_iter().flatten().collect();
    Ok(snapshot)
}

fn read_metadata(meta: &Json, snapshot: &mut Snapshot) -> Result<(), String> {
    let mode = meta
        .pointer("/configuration/delta.columnMapping.mode")
        .and_then(Json::as_str)
        .unwrap_or("none");
    if mode != "none" {
        return Err(format!(
            "the table uses column mapping (mode '{mode}'), which Quarry does not read"
        ));
    }
    let schema_text = meta
        .get("schemaString")
        .and_then(Json::as_str)
        .ok_or("a metaData action without a schemaString")?;
    let schema: Json = serde_json::from_str(schema_text)
        .map_err(|e| format!("the schemaString is not JSON ({e})"))?;
    let fields = schema
        .get("fields")
        .and_then(Json::as_array)
        .ok_or("the schemaString has no fields")?;
    snapshot.columns = fields
        .iter()
        .map(|f| {
            let name = f.get("name").and_then(Json::as_str).unwrap_or_default();
            (
                name.to_string(),
                delta_type(f.get("type").unwrap_or(&Json::Null)),
            )
        })
        .collect();
    snapshot.partition_columns = meta
        .get("partitionColumns")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    Ok(())
}

/// A Delta schema type as the KQL type Kusto gives it.
fn delta_type(t: &Json) -> KqlType {
    let Some(name) = t.as_str() else {
        // struct, array and map types are objects.
        return KqlType::Dynamic;
    };
    match name {
        "string" | "binary" => KqlType::String,
        "long" => KqlType::Long,
        "integer" | "short" | "byte" => KqlType::Int,
        "float" | "double" => KqlType::Real,
        "boolean" => KqlType::Bool,
        "timestamp" | "timestamp_ntz" | "date" => KqlType::Datetime,
        n if n.starts_with("decimal") => KqlType::Decimal,
        _ => KqlType::Dynamic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_types() {
        assert_eq!(delta_type(&Json::from("timestamp")), KqlType::Datetime);
        assert_eq!(delta_type(&Json::from("decimal(10,2)")), KqlType::Decimal);
        assert_eq!(delta_type(&Json::from("integer")), KqlType::Int);
        assert_eq!(
            delta_type(&serde_json::json!({"type":"array","elementType":"long"})),
            KqlType::Dynamic
        );
    }

    #[test]
    fn data_files_stay_in_the_table() {
        let root = Path::new("/t");
        assert_eq!(
            data_file(root, "Region=East%20US/part-0.parquet").unwrap(),
            PathBuf::from("/t/Region=East US/part-0.parquet")
        );
        assert!(data_file(root, "../x.parquet").is_err());
        assert!(data_file(root, "abfss://a@b/x.parquet").is_err());
    }
}
