//! `inline_external_table ... kind=storage`: files in the declared format
//! under one or more storage URIs, each read by the `externaldata`
//! readers, with partition columns taken from the files' paths.
//!
//! A URI whose local copy is a folder (a container or a prefix) means
//! every file under it, in path order, except hidden and marker files
//! (names starting with `.` or `_`, as Spark writes `_SUCCESS`) and those
//! `namePrefix` / `fileExtension` leave out. Partition columns follow the
//! declared ones: a plain partition's value is the one its path names; a
//! partition defined `= expr` is that expression of the row's own columns
//! (Kusto uses the path only to skip files, so both agree on good data).

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::path_format::{Partition, PathFormat};
use super::read::{Layout, Shape, layout, read_file};
use super::{FORMATS, Want, declared_kinds, rows_to_frame};
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, InlineExternalTable, Literal, OpOption, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::convert::coerce;
use crate::kql::operators::val_column;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

/// The name errors give the operator.
pub(super) const OPERATOR: &str = "inline_external_table";

/// The `with (...)` properties of `kind=storage`.
const PROPERTIES: &[&str] = &["includeHeaders", "encoding", "namePrefix", "fileExtension"];

/// Checks an `inline_external_table` without reading anything, for
/// `quarry check` and before a run.
pub fn check_inline_external_table(t: &InlineExternalTable) -> Result<(), QueryError> {
    declared_kinds(&t.columns)?;
    match t.kind.name.to_ascii_lowercase().as_str() {
        "storage" => check_storage(t).map(|_| ()),
        "delta" => super::delta::check_delta(t),
        other => Err(QueryError::syntax(
            format!("{OPERATOR} kind '{other}' is not one of storage, delta"),
            t.kind.span,
        )),
    }
}

/// How a storage-mode table reads its files, from its clauses.
struct Storage {
    format: String,
    /// `includeHeaders`: skip the first record of every file (`All`) or
    /// of the first file only (`FirstFile`).
    headers: Headers,
    name_prefix: Option<String>,
    file_extension: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Headers {
    None,
    All,
    FirstFile,
}

fn check_storage(t: &InlineExternalTable) -> Result<Storage, QueryError> {
    if t.columns.is_empty() {
        return Err(QueryError::syntax(
            format!("{OPERATOR} kind=storage needs its columns: (Name:type, ...) before 'kind'"),
            t.kind.span,
        ));
    }
    let Some(format) = &t.data_format else {
        return Err(QueryError::syntax(
            format!(
                "{OPERATOR} kind=storage needs dataformat=... (csv, tsv, txt, json, parquet, ...)"
            ),
            t.kind.span,
        ));
    };
    let lower = format.name.to_ascii_lowercase();
    if !FORMATS.contains(&lower.as_str()) {
        return Err(QueryError::unsupported(
            &format!("{OPERATOR} dataformat '{}'", format.name),
            format.span,
        ));
    }
    for p in &t.partitions {
        let kind = KqlType::parse(&p.kind);
        if !matches!(
            kind,
            Some(KqlType::String | KqlType::Datetime | KqlType::Long)
        ) {
            return Err(QueryError::syntax(
                format!(
                    "partition '{}' is {}: a partition is string, datetime or long",
                    p.name.name, p.kind
                ),
                p.name.span,
            ));
        }
        if t.columns.iter().any(|(c, _)| c.name == p.name.name) {
            return Err(QueryError::syntax(
                format!(
                    "partition '{}' has the name of a declared column",
                    p.name.name
                ),
                p.name.span,
            ));
        }
    }
    if !t.path_format.is_empty() && t.partitions.is_empty() {
        return Err(QueryError::syntax(
            "pathformat needs partition by (...) to name the partitions it reads",
            t.kind.span,
        ));
    }
    if !t.partitions.is_empty() {
        PathFormat::new(&t.path_format, &partitions_of(t), t.kind.span)?;
    }
    let mut storage = Storage {
        format: lower,
        headers: Headers::None,
        name_prefix: None,
        file_extension: None,
    };
    for p in &t.properties {
        storage.take(p)?;
    }
    Ok(storage)
}

impl Storage {
    fn take(&mut self, p: &OpOption) -> Result<(), QueryError> {
        let name = p.name.name.as_str();
        let value = &p.value.name;
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        if is("includeHeaders") {
            self.headers = match value.to_ascii_lowercase().as_str() {
                "all" => Headers::All,
                "firstfile" => Headers::FirstFile,
                "none" => Headers::None,
                _ => {
                    return Err(QueryError::syntax(
                        format!("includeHeaders '{value}' is not one of All, FirstFile, None"),
                        p.value.span,
                    ));
                }
            };
        } else if is("encoding") {
            // Text is read as UTF-8, a byte-order mark or not.
            if !["utf8nobom", "utf8bom", "utf8", "utf-8"]
                .contains(&value.to_ascii_lowercase().as_str())
            {
                return Err(QueryError::unsupported(
                    &format!("encoding '{value}' (Quarry reads UTF-8, UTF8NoBOM or UTF8BOM)"),
                    p.value.span,
                ));
            }
        } else if is("namePrefix") {
            self.name_prefix = Some(value.clone());
        } else if is("fileExtension") {
            self.file_extension = Some(value.trim_start_matches('.').to_ascii_lowercase());
        } else {
            return Err(QueryError::syntax(
                format!(
                    "{OPERATOR} property '{name}' is not one of {}",
                    PROPERTIES.join(", ")
                ),
                p.name.span,
            ));
        }
        Ok(())
    }

    /// Whether a file under a folder is one to read.
    fn wants(&self, name: &str) -> bool {
        if name.starts_with(['.', '_']) {
            return false;
        }
        if let Some(prefix) = &self.name_prefix
            && !name.starts_with(prefix.as_str())
        {
            return false;
        }
        match &self.file_extension {
            Some(ext) => name
                .to_ascii_lowercase()
                .strip_suffix(ext.as_str())
                .is_some_and(|stem| stem.ends_with('.')),
            None => true,
        }
    }
}

impl Runner<'_> {
    pub(in crate::kql::operators) fn op_inline_external_table(
        &self,
        t: &InlineExternalTable,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        check_inline_external_table(t)?;
        if t.kind.name.eq_ignore_ascii_case("delta") {
            return self.delta_table(t, span);
        }
        let storage = check_storage(t)?;
        let kinds = declared_kinds(&t.columns)?;
        let names: Vec<&str> = t.columns.iter().map(|(n, _)| n.name.as_str()).collect();
        let partitions = partitions_of(t);
        let path_format = (!partitions.is_empty())
            .then(|| PathFormat::new(&t.path_format, &partitions, t.kind.span))
            .transpose()?;
        let shape = Shape {
            names: &names,
            kinds: &kinds,
        };
        let mut rows = Vec::new();
        let mut first_file = true;
        for expr in &t.uris {
            let uri = self.connection_string(expr)?;
            let root = self.local_copy(OPERATOR, &uri, expr.span, Want::Either)?;
            let files = files_under(&root, &storage).map_err(|m| {
                QueryError::runtime(format!("{OPERATOR} cannot read {m}"), Some(expr.span))
            })?;
            if files.is_empty() && root.is_dir() {
                continue;
            }
            for (path, relative) in files {
                self.check_cancel()?;
                let fail = |m: String| {
                    QueryError::runtime(
                        format!("{OPERATOR} cannot read {}: {m}", path.display()),
                        Some(expr.span),
                    )
                };
                let partition_values = match &path_format {
                    None => Vec::new(),
                    Some(f) => {
                        let Some(relative) = &relative else {
                            return Err(fail(format!(
                                "partitions are read from paths under a folder, and {uri} is a file"
                            )));
                        };
                        f.values(relative)
                            .map_err(|m| fail(format!("its path {relative} {m}")))?
                    }
                };
                let layout = layout(&storage.format);
                // Headers are a text format's first record; JSON and
                // Parquet name their columns themselves.
                let text = matches!(layout, Layout::Delimited(_) | Layout::Lines);
                let skip = text
                    && match storage.headers {
                        Headers::All => true,
                        Headers::FirstFile => first_file,
                        Headers::None => false,
                    };
                first_file = false;
                let file = read_file(&path, layout, shape, None, &uri, skip).map_err(fail)?;
                rows.extend(file.into_iter().map(|mut row| {
                    row.extend(partition_values.iter().cloned());
                    row
                }));
            }
        }
        let mut all_names = names.clone();
        all_names.extend(partitions.iter().map(|p| p.name));
        let mut all_kinds = kinds.clone();
        all_kinds.extend(partitions.iter().map(|p| p.kind));
        let mut frame = rows_to_frame(&all_names, &all_kinds, rows, span)?;
        for (p, partition) in t.partitions.iter().zip(&partitions) {
            if let Some(e) = &p.expr {
                let value = coerce_val(self.eval(e, &frame)?, partition.kind);
                let column = val_column(value, partition.name, frame.height());
                frame
                    .replace(partition.name, column)
                    .map_err(|e| crate::kql::operators::polars_error(e, p.name.span))?;
            }
        }
        Ok(frame)
    }

    /// A storage connection string: a string literal, or a query
    /// parameter (a `let`) holding one.
    pub(super) fn connection_string(&self, e: &Expr) -> Result<String, QueryError> {
        if let ExprKind::Literal(Literal::String(s)) = &e.kind {
            return Ok(s.clone());
        }
        match self.eval_scalar(e, &DataFrame::empty())? {
            Scalar::String(s) => Ok(s),
            other => Err(QueryError::type_error(
                format!(
                    "a storage connection string is a string, not {}",
                    other.kind().name()
                ),
                e.span,
            )),
        }
    }
}

/// The partition columns, typed (checked to be string, datetime or long).
fn partitions_of(t: &InlineExternalTable) -> Vec<Partition<'_>> {
    t.partitions
        .iter()
        .map(|p| Partition {
            name: &p.name.name,
            kind: KqlType::parse(&p.kind).unwrap_or(KqlType::String),
        })
        .collect()
}

/// A value brought to a partition's type.
fn coerce_val(v: Val, kind: KqlType) -> Val {
    match v {
        Val::Scalar(s) => Val::Scalar(coerce(&s, kind)),
        Val::Column(c) if KqlType::of(c.dtype()) == Some(kind) => Val::Column(c),
        Val::Column(c) => {
            let values = (0..c.len())
                .map(|i| coerce(&Scalar::from_series(&c, i), kind))
                .collect();
            Val::Column(crate::kql::functions::scalars_to_series(
                c.name(),
                kind,
                values,
            ))
        }
    }
}

/// The files a URI's local copy holds: itself when it is a file (no path
/// to read partitions from), else every wanted file under the folder with
/// its `/`-separated path relative to it, in path order.
fn files_under(root: &Path, storage: &Storage) -> Result<Vec<(PathBuf, Option<String>)>, String> {
    if !root.is_dir() {
        return Ok(vec![(root.to_path_buf(), None)]);
    }
    let mut out = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with(['.', '_']) {
                    pending.push(path);
                }
            } else if storage.wants(&name) {
                let relative = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((path, Some(relative)));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}
