//! External storage: `externaldata` here, `inline_external_table` in
//! `inline` (storage mode) and `delta` (Delta mode), with the readers in
//! `read`, ingestion mappings in `mapping` and partition paths in
//! `path_format`.
//!
//! Quarry works offline and never downloads. For an `http(s)://` (or any
//! other `scheme://`) URI it reads a local copy instead, found by
//! [`Runner::local_copy`], the one resolver: the URI's path after the host
//! (percent-decoded, without `?query`, `#fragment` or `;option=...`), else a
//! shorter tail of it down to the last segment alone, in one of
//! [`RunOptions::externaldata_dirs`](crate::kql::RunOptions), in order. A
//! URI without a scheme (`/tmp/x.csv`, `C:\x.csv`, `file:///x.csv`) is a
//! local path and is read as it is. A missing copy is a runtime error
//! saying where to save it.
//!
//! Formats, as Kusto's ingestion formats define them: `csv`, `tsv`/`tsve`,
//! `psv`, `scsv`, `sohsv` (delimited, fields mapped to the declared columns
//! by position), `txt` (one record per non-empty line, the line in the first
//! column), `raw` (the whole file in the first column), `json`/`multijson`
//! (objects, one per line or spread over lines or inside one array, mapped
//! to columns by property name), `parquet` (columns by name). An
//! `ingestionMapping` maps otherwise. Without `format`, the file extension
//! decides, and CSV is the default. `ignoreFirstRecord=true` skips the first
//! record of every file. A `.gz` file is decompressed.

mod delta;
mod inline;
mod mapping;
mod path_format;
mod read;

use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::polars_error;
use crate::data::normalize::parse_bool;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, Ident, OpOption, Span};
use crate::kql::error::{ErrorKind, QueryError};
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

pub use inline::check_inline_external_table;
use mapping::Mapping;
pub(super) use read::from_text;
use read::{Shape, layout, mapping_misfit, read_file};

/// The `format` values Quarry reads.
const FORMATS: &[&str] = &[
    "csv",
    "tsv",
    "tsve",
    "psv",
    "scsv",
    "sohsv",
    "txt",
    "raw",
    "json",
    "multijson",
    "parquet",
];

/// How an `externaldata` reads its files, from its `with (...)`.
struct Reading {
    format: Option<String>,
    ignore_first: bool,
    mapping: Option<(Mapping, Span)>,
}

/// Checks the properties of an `externaldata` without reading anything, for
/// `quarry check` and before a run.
pub fn check_externaldata(
    columns: &[(Ident, String)],
    properties: &[OpOption],
) -> Result<(), QueryError> {
    reading(columns, properties).map(|_| ())
}

fn reading(columns: &[(Ident, String)], properties: &[OpOption]) -> Result<Reading, QueryError> {
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.name.as_str()).collect();
    let mut out = Reading {
        format: None,
        ignore_first: false,
        mapping: None,
    };
    for p in properties {
        let name = p.name.name.as_str();
        if name.eq_ignore_ascii_case("ingestionMappingReference") {
            return Err(QueryError::new(
                ErrorKind::Unsupported,
                format!(
                    "ingestionMappingReference names an ingestion mapping stored on a cluster \
                     ('{}'), and Quarry has no cluster: write the mapping itself, \
                     ingestionMapping='[{{\"Column\":...,\"Properties\":{{...}}}}]'",
                    p.value.name
                ),
                Some(p.name.span),
            ));
        }
        if name.eq_ignore_ascii_case("ingestionMapping") {
            let mapping = Mapping::parse(&p.value.name, &names, p.value.span)?;
            out.mapping = Some((mapping, p.value.span));
        } else if name.eq_ignore_ascii_case("ignoreFirstRecord") {
            out.ignore_first = parse_bool(&p.value.name).unwrap_or(false);
        } else if name.eq_ignore_ascii_case("format") {
            let format = p.value.name.to_ascii_lowercase();
            if !FORMATS.contains(&format.as_str()) {
                return Err(QueryError::unsupported(
                    &format!("externaldata format '{}'", p.value.name),
                    p.value.span,
                ));
            }
            out.format = Some(format);
        }
    }
    if let (Some(format), Some((mapping, span))) = (&out.format, &out.mapping)
        && let Some(m) = mapping_misfit(mapping, layout(format), format)
    {
        return Err(QueryError::syntax(m, *span));
    }
    Ok(out)
}

/// The declared column types.
pub(super) fn declared_kinds(columns: &[(Ident, String)]) -> Result<Vec<KqlType>, QueryError> {
    columns
        .iter()
        .map(|(name, ty)| {
            KqlType::parse(ty).ok_or_else(|| {
                QueryError::syntax(
                    format!("unknown type '{ty}' for column '{}'", name.name),
                    name.span,
                )
            })
        })
        .collect()
}

/// Rows of values as a frame of the named, typed columns.
pub(super) fn rows_to_frame(
    names: &[&str],
    kinds: &[KqlType],
    rows: Vec<Vec<Scalar>>,
    span: Span,
) -> Result<DataFrame, QueryError> {
    let height = rows.len();
    let mut values: Vec<Vec<Scalar>> = vec![Vec::with_capacity(height); names.len()];
    for row in rows {
        for (column, value) in values.iter_mut().zip(row) {
            column.push(value);
        }
    }
    let series: Vec<Column> = names
        .iter()
        .zip(kinds)
        .zip(values)
        .map(|((name, kind), vals)| scalars_to_series(name, *kind, vals).into_column())
        .collect();
    let frame = DataFrame::new(height, series).map_err(|e| polars_error(e, span))?;
    super::fill_strings(frame, span)
}

/// The format a file name implies when the query names none (Kusto detects
/// it from the extension and defaults to CSV).
fn format_from_name(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    FORMATS.iter().copied().find(|f| *f == ext).unwrap_or("csv")
}

/// Where a URI's data is: a URL to find a local copy of, or a local path.
enum Location {
    /// The URL's path segments after the host, decoded, the file (or
    /// folder) name last; empty when there is no usable name.
    Remote {
        segments: Vec<String>,
    },
    Local(PathBuf),
}

fn locate(uri: &str) -> Location {
    let trimmed = uri.trim();
    if let Some(path) = trimmed.strip_prefix("file://") {
        return Location::Local(PathBuf::from(path));
    }
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Location::Local(PathBuf::from(trimmed));
    };
    // A drive letter (`C:\x`) has no `//`, so a scheme here is a real one;
    // still, only a plain word counts.
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return Location::Local(PathBuf::from(trimmed));
    }
    // A storage connection string's options (`;managed_identity=...`,
    // `;sharedkey=...`) and a SAS (`?sig=...`) are not part of the name.
    let rest = rest.split(['?', '#', ';']).next().unwrap_or("");
    // A folder (a container or a prefix) may end with `/`.
    let path = match rest.split_once('/') {
        Some((_host, path)) => path.trim_end_matches('/'),
        None => "",
    };
    // The names come from the query: each must stay a plain name, and only
    // the tail after the last that is not one is kept.
    let mut segments: Vec<String> = path
        .rsplit('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .take_while(|s| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && !s.contains(['/', '\\', '\0'])
                && !s.contains(':')
        })
        .collect();
    segments.reverse();
    Location::Remote { segments }
}

impl Runner<'_> {
    pub(super) fn op_externaldata(
        &self,
        columns: &[(Ident, String)],
        uris: &[Expr],
        properties: &[OpOption],
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let reading = reading(columns, properties)?;
        let kinds = declared_kinds(columns)?;
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.name.as_str()).collect();
        let shape = Shape {
            names: &names,
            kinds: &kinds,
        };
        let mut rows = Vec::new();
        for expr in uris {
            self.check_cancel()?;
            let uri = self.connection_string(expr)?;
            let (uri, uri_span) = (uri.as_str(), &expr.span);
            let path = self.local_copy("externaldata", uri, *uri_span, Want::File)?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let format = reading
                .format
                .as_deref()
                .unwrap_or_else(|| format_from_name(name));
            let mapping = reading.mapping.as_ref().map(|(m, _)| m);
            if let Some((m, mapping_span)) = &reading.mapping
                && let Some(why) = mapping_misfit(m, layout(format), format)
            {
                return Err(QueryError::syntax(
                    format!("{why} ({} is read as {format})", path.display()),
                    *mapping_span,
                ));
            }
            let file = read_file(
                &path,
                layout(format),
                shape,
                mapping,
                uri,
                reading.ignore_first,
            )
            .map_err(|m| {
                QueryError::runtime(
                    format!("externaldata cannot read {}: {m}", path.display()),
                    Some(*uri_span),
                )
            })?;
            rows.extend(file);
        }
        rows_to_frame(&names, &kinds, rows, span)
    }

    /// The local copy of a storage URI: the one place `externaldata` and
    /// `inline_external_table` turn a URI into a path. `operator` names the
    /// caller in errors; `want` says whether a file, a folder (a container,
    /// a prefix, a Delta table's root) or either will do.
    pub(super) fn local_copy(
        &self,
        operator: &str,
        uri: &str,
        span: Span,
        want: Want,
    ) -> Result<PathBuf, QueryError> {
        match locate(uri) {
            Location::Local(path) => Ok(path),
            Location::Remote { segments } if segments.is_empty() => Err(QueryError::runtime(
                format!(
                    "{operator} needs a local copy of {uri}: Quarry does not download (it works offline), \
                     and this URI has no file name to look for; use a local path instead"
                ),
                Some(span),
            )),
            Location::Remote { segments } => {
                let dirs = &self.options.externaldata_dirs;
                let fits = |p: &Path| match want {
                    Want::File => p.is_file(),
                    Want::Folder => p.is_dir(),
                    Want::Either => p.exists(),
                };
                // The URL's whole path first, then shorter tails down to the
                // name alone: same-named files (`.../01/part-0.csv`,
                // `.../02/part-0.csv`) are told apart by their folders.
                for first in 0..segments.len() {
                    let tail: PathBuf = segments[first..].iter().collect();
                    if let Some(found) = dirs.iter().map(|d| d.join(&tail)).find(|p| fits(p)) {
                        return Ok(found);
                    }
                }
                let name = segments.last().cloned().unwrap_or_default();
                let target = match dirs.first() {
                    Some(d) => d.join(&name).display().to_string(),
                    None => name.clone(),
                };
                let others = if dirs.len() > 1 {
                    let rest: Vec<String> =
                        dirs[1..].iter().map(|d| d.display().to_string()).collect();
                    format!(" (or in {})", rest.join(", "))
                } else {
                    String::new()
                };
                let what = match want {
                    Want::Folder => "the folder ",
                    Want::File | Want::Either => "",
                };
                Err(QueryError::runtime(
                    format!(
                        "{operator} needs a local copy of {uri}: Quarry does not download (it works offline); \
                         save it as {what}{target}{others}"
                    ),
                    Some(span),
                ))
            }
        }
    }
}

/// What a storage URI's local copy must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Want {
    File,
    Folder,
    Either,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_of_urls() {
        let name = |u: &str| match locate(u) {
            Location::Remote { segments } => segments.last().cloned(),
            Location::Local(p) => Some(format!("local:{}", p.display())),
        };
        assert_eq!(
            name("https://raw.githubusercontent.com/a/b/main/x%20y/lots-project.txt"),
            Some("lots-project.txt".into())
        );
        assert_eq!(
            name("https://host/dir/list.csv?sig=abc#frag"),
            Some("list.csv".into())
        );
        assert_eq!(
            name("https://bazaar.abuse.ch/export/txt/md5/recent"),
            Some("recent".into())
        );
        assert_eq!(
            name("https://acct.blob.core.windows.net/users.txt;managed_identity=..."),
            Some("users.txt".into())
        );
        assert_eq!(
            name("abfss://fs@acct.dfs.core.windows.net/delta/customer-events/;sharedkey=k"),
            Some("customer-events".into())
        );
        assert!(matches!(
            locate("https://h/c/..%2Fx/2026/01/part-0.csv?sig=s"),
            Location::Remote { segments } if segments == ["2026", "01", "part-0.csv"]
        ));
        assert_eq!(name("https://host/"), None);
        assert_eq!(name("https://host"), None);
        assert_eq!(name("https://host/a/..%2F..%2Fetc"), None);
        assert_eq!(name("https://host/a/%2e%2e"), None);
        assert_eq!(name("/tmp/x.csv"), Some("local:/tmp/x.csv".into()));
        assert_eq!(name("file:///tmp/x.csv"), Some("local:/tmp/x.csv".into()));
        assert_eq!(
            name(r"C:\feeds\x.csv"),
            Some(r"local:C:\feeds\x.csv".into())
        );
    }

    #[test]
    fn formats_from_names() {
        assert_eq!(format_from_name("a.TSV"), "tsv");
        assert_eq!(format_from_name("a.json.gz"), "json");
        assert_eq!(format_from_name("a.txt"), "txt");
        assert_eq!(format_from_name("recent"), "csv");
    }
}
