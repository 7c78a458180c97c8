//! `externaldata`: a table whose schema the query declares and whose rows
//! come from a file in external storage.
//!
//! Quarry works offline and never downloads. For an `http(s)://` (or any
//! other `scheme://`) URI it reads a local copy instead: the URI's file name
//! (its last path segment, percent-decoded, without `?query` or `#fragment`)
//! in one of [`RunOptions::externaldata_dirs`](crate::kql::RunOptions), in
//! order. A URI without a scheme (`/tmp/x.csv`, `C:\x.csv`, `file:///x.csv`)
//! is a local path and is read as it is. A missing copy is a runtime error
//! saying where to save it.
//!
//! Formats, as Kusto's ingestion formats define them: `csv`, `tsv`/`tsve`,
//! `psv`, `scsv`, `sohsv` (delimited, fields mapped to the declared columns
//! by position), `txt` (one record per non-empty line, the line in the first
//! column), `raw` (the whole file in the first column), `json`/`multijson`
//! (objects, one per line or spread over lines or inside one array, mapped
//! to columns by property name). Without `format`, the file extension
//! decides, and CSV is the default. `ignoreFirstRecord=true` skips the first
//! record of every file. A `.gz` file is decompressed.

use std::io::Read;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value as Json;

use super::polars_error;
use crate::data::decimal::Decimal;
use crate::data::normalize::{parse_bool, parse_int, parse_long, parse_real};
use crate::data::time::{parse_datetime, parse_timespan};
use crate::data::types::KqlType;
use crate::kql::ast::{Ident, OpOption, Span};
use crate::kql::error::QueryError;
use crate::kql::expr::json_scalar;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

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
];

/// The `with (...)` properties that change how rows are read and that
/// Quarry does not implement: refusing them beats reading wrong rows.
const UNSUPPORTED_PROPERTIES: &[&str] = &["ingestionMapping", "ingestionMappingReference"];

/// Checks the properties of an `externaldata` without reading anything, for
/// `quarry check` and before a run.
pub fn check_externaldata(properties: &[OpOption]) -> Result<(), QueryError> {
    for p in properties {
        let name = p.name.name.as_str();
        if UNSUPPORTED_PROPERTIES
            .iter()
            .any(|u| u.eq_ignore_ascii_case(name))
        {
            return Err(QueryError::unsupported(
                &format!("externaldata property '{name}'"),
                p.name.span,
            ));
        }
        if name.eq_ignore_ascii_case("format") {
            let format = p.value.name.to_ascii_lowercase();
            if !FORMATS.contains(&format.as_str()) {
                return Err(QueryError::unsupported(
                    &format!("externaldata format '{}'", p.value.name),
                    p.value.span,
                ));
            }
        }
    }
    Ok(())
}

/// How a file's records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Delimited(u8),
    Lines,
    Raw,
    Json,
}

fn layout(format: &str) -> Layout {
    match format {
        "tsv" | "tsve" => Layout::Delimited(b'\t'),
        "psv" => Layout::Delimited(b'|'),
        "scsv" => Layout::Delimited(b';'),
        "sohsv" => Layout::Delimited(0x01),
        "txt" => Layout::Lines,
        "raw" => Layout::Raw,
        "json" | "multijson" => Layout::Json,
        _ => Layout::Delimited(b','),
    }
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
    Remote { file_name: Option<String> },
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
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let last = match rest.split_once('/') {
        Some((_host, path)) => path.rsplit('/').next().unwrap_or(""),
        None => "",
    };
    let decoded = percent_encoding::percent_decode_str(last)
        .decode_utf8_lossy()
        .into_owned();
    // The name comes from the query: it must stay a plain file name.
    let safe = !decoded.is_empty()
        && decoded != "."
        && decoded != ".."
        && !decoded.contains(['/', '\\', '\0'])
        && !decoded.contains(':');
    Location::Remote {
        file_name: safe.then_some(decoded),
    }
}

impl Runner<'_> {
    pub(super) fn op_externaldata(
        &self,
        columns: &[(Ident, String)],
        uris: &[(String, Span)],
        properties: &[OpOption],
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        check_externaldata(properties)?;
        let property = |n: &str| {
            properties
                .iter()
                .find(|p| p.name.name.eq_ignore_ascii_case(n))
                .map(|p| p.value.name.clone())
        };
        let format = property("format").map(|f| f.to_ascii_lowercase());
        let ignore_first =
            property("ignoreFirstRecord").is_some_and(|v| parse_bool(&v).unwrap_or(false));
        let mut kinds = Vec::with_capacity(columns.len());
        for (name, ty) in columns {
            let kind = KqlType::parse(ty).ok_or_else(|| {
                QueryError::syntax(
                    format!("unknown type '{ty}' for column '{}'", name.name),
                    name.span,
                )
            })?;
            kinds.push(kind);
        }
        let names: Vec<&str> = columns.iter().map(|(n, _)| n.name.as_str()).collect();
        let mut values: Vec<Vec<Scalar>> = vec![Vec::new(); columns.len()];
        for (uri, uri_span) in uris {
            self.check_cancel()?;
            let path = self.externaldata_path(uri, *uri_span)?;
            let text = read_text(&path).map_err(|e| {
                QueryError::runtime(
                    format!("externaldata cannot read {}: {e}", path.display()),
                    Some(*uri_span),
                )
            })?;
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let format = format.as_deref().unwrap_or_else(|| format_from_name(name));
            let records = read_records(&text, layout(format), &names, &kinds).map_err(|m| {
                QueryError::runtime(
                    format!("externaldata cannot read {}: {m}", path.display()),
                    Some(*uri_span),
                )
            })?;
            for record in records.into_iter().skip(usize::from(ignore_first)) {
                for (column, value) in values.iter_mut().zip(record) {
                    column.push(value);
                }
            }
        }
        let height = values.first().map_or(0, Vec::len);
        let series: Vec<Column> = names
            .iter()
            .zip(&kinds)
            .zip(values)
            .map(|((name, kind), vals)| scalars_to_series(name, *kind, vals).into_column())
            .collect();
        let frame = DataFrame::new(height, series).map_err(|e| polars_error(e, span))?;
        super::fill_strings(frame, span)
    }

    /// The local file an `externaldata` URI reads.
    fn externaldata_path(&self, uri: &str, span: Span) -> Result<PathBuf, QueryError> {
        match locate(uri) {
            Location::Local(path) => Ok(path),
            Location::Remote { file_name: None } => Err(QueryError::runtime(
                format!(
                    "externaldata needs a local copy of {uri}: Quarry does not download (it works offline), \
                     and this URI has no file name to look for; use a local path instead"
                ),
                Some(span),
            )),
            Location::Remote {
                file_name: Some(name),
            } => {
                let dirs = &self.options.externaldata_dirs;
                if let Some(found) = dirs.iter().map(|d| d.join(&name)).find(|p| p.is_file()) {
                    return Ok(found);
                }
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
                Err(QueryError::runtime(
                    format!(
                        "externaldata needs a local copy of {uri}: Quarry does not download (it works offline); \
                         save it as {target}{others}"
                    ),
                    Some(span),
                ))
            }
        }
    }
}

/// A file's text, decompressed when it ends in `.gz`; invalid UTF-8 is
/// replaced rather than refused (feeds are often Latin-1).
fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let gz = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let bytes = if gz {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice()).read_to_end(&mut out)?;
        out
    } else {
        bytes
    };
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// The records of a file, each with one value per declared column.
fn read_records(
    text: &str,
    layout: Layout,
    names: &[&str],
    kinds: &[KqlType],
) -> Result<Vec<Vec<Scalar>>, String> {
    let first_only = |field: &str| -> Vec<Scalar> {
        kinds
            .iter()
            .enumerate()
            .map(|(i, k)| {
                if i == 0 {
                    from_text(field, *k)
                } else {
                    Scalar::Null(*k)
                }
            })
            .collect()
    };
    match layout {
        Layout::Raw => Ok(vec![first_only(text)]),
        Layout::Lines => Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| first_only(l.strip_suffix('\r').unwrap_or(l)))
            .collect()),
        Layout::Delimited(delimiter) => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let mut out = Vec::new();
            for (i, record) in reader.records().enumerate() {
                let record = record.map_err(|e| format!("record {}: {e}", i + 1))?;
                out.push(
                    kinds
                        .iter()
                        .enumerate()
                        .map(|(j, k)| match record.get(j) {
                            Some(field) => from_text(field, *k),
                            None => Scalar::Null(*k),
                        })
                        .collect(),
                );
            }
            Ok(out)
        }
        Layout::Json => {
            let mut out = Vec::new();
            for value in serde_json::Deserializer::from_str(text).into_iter::<Json>() {
                let value = value.map_err(|e| format!("invalid JSON: {e}"))?;
                // multijson allows one array of objects.
                let items = match value {
                    Json::Array(items) => items,
                    other => vec![other],
                };
                for item in items {
                    out.push(
                        names
                            .iter()
                            .zip(kinds)
                            .map(|(n, k)| match item.get(n) {
                                Some(v) => from_json(v, *k),
                                None => Scalar::Null(*k),
                            })
                            .collect(),
                    );
                }
            }
            Ok(out)
        }
    }
}

/// A text field as a value of the declared type; text that does not parse
/// is null, as Kusto ingests it.
pub(super) fn from_text(field: &str, kind: KqlType) -> Scalar {
    if kind == KqlType::String {
        return Scalar::String(field.to_string());
    }
    let t = field.trim();
    if t.is_empty() {
        return Scalar::Null(kind);
    }
    let parsed = match kind {
        KqlType::Bool => parse_bool(t).map(Scalar::Bool),
        KqlType::Int => parse_int(t).map(Scalar::Int),
        KqlType::Long => parse_long(t).map(Scalar::Long),
        KqlType::Real => parse_real(t).map(Scalar::Real),
        // The digits as written, exactly.
        KqlType::Decimal => Decimal::parse(t).map(Scalar::Decimal),
        KqlType::Datetime => parse_datetime(t).map(Scalar::Datetime),
        KqlType::Timespan => parse_timespan(t).map(Scalar::Timespan),
        KqlType::Dynamic => Some(Scalar::Dynamic(
            serde_json::from_str(t).unwrap_or_else(|_| Json::String(field.to_string())),
        )),
        KqlType::String => Some(Scalar::String(field.to_string())),
    };
    parsed.unwrap_or(Scalar::Null(kind))
}

/// A JSON property as a value of the declared type.
fn from_json(v: &Json, kind: KqlType) -> Scalar {
    match (kind, v) {
        (KqlType::Dynamic, v) => Scalar::Dynamic(v.clone()),
        (_, Json::Null) => Scalar::Null(kind),
        (KqlType::String, Json::String(s)) => Scalar::String(s.clone()),
        (KqlType::String, other) => Scalar::String(other.to_string()),
        (_, Json::String(s)) => from_text(s, kind),
        (KqlType::Real, Json::Number(n)) => n.as_f64().map_or(Scalar::Null(kind), Scalar::Real),
        (KqlType::Decimal, Json::Number(n)) => {
            Decimal::parse(&n.to_string()).map_or(Scalar::Null(kind), Scalar::Decimal)
        }
        (KqlType::Bool, Json::Bool(b)) => Scalar::Bool(*b),
        (KqlType::Long | KqlType::Int, Json::Number(_)) => match json_scalar(v) {
            Scalar::Long(x) if kind == KqlType::Long => Scalar::Long(x),
            Scalar::Long(x) => i32::try_from(x).map_or(Scalar::Null(kind), Scalar::Int),
            _ => Scalar::Null(kind),
        },
        _ => Scalar::Null(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_of_urls() {
        let name = |u: &str| match locate(u) {
            Location::Remote { file_name } => file_name,
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

    #[test]
    fn records() {
        let kinds = [KqlType::String, KqlType::Long];
        let names = ["a", "b"];
        let r = read_records("x,1\n\"y,z\",\n", Layout::Delimited(b','), &names, &kinds).unwrap();
        assert_eq!(
            r,
            vec![
                vec![Scalar::String("x".into()), Scalar::Long(1)],
                vec![Scalar::String("y,z".into()), Scalar::Null(KqlType::Long)],
            ]
        );
        let r = read_records("l1\r\n\r\nl2\n", Layout::Lines, &names, &kinds).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1][0], Scalar::String("l2".into()));
        let r = read_records(
            "[{\"a\":\"p\",\"b\":2}]\n{\"b\":\"3\"}",
            Layout::Json,
            &names,
            &kinds,
        )
        .unwrap();
        assert_eq!(r[0], vec![Scalar::String("p".into()), Scalar::Long(2)]);
        assert_eq!(r[1], vec![Scalar::Null(KqlType::String), Scalar::Long(3)]);
        assert!(read_records("{", Layout::Json, &names, &kinds).is_err());
    }
}
