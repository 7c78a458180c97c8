//! The readers behind `externaldata` and `inline_external_table`: one
//! local file's records as rows of the declared columns.
//!
//! Delimited formats map fields to columns by position, JSON and Parquet
//! by name, unless an ingestion mapping says otherwise. Text that does not
//! parse as a column's type is null, as Kusto ingests it.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use serde_json::Value as Json;

use super::mapping::{Mapping, Record};
use crate::data::decimal::Decimal;
use crate::data::load::{LoadControl, load_table};
use crate::data::normalize::{parse_bool, parse_int, parse_long, parse_real};
use crate::data::source::{Compression, Format, SourceFile, TableSource};
use crate::data::time::{parse_datetime, parse_timespan};
use crate::data::types::KqlType;
use crate::kql::expr::json_scalar;
use crate::kql::functions::convert::coerce;
use crate::kql::value::Scalar;

/// The declared columns a file's records are read into.
#[derive(Clone, Copy)]
pub(super) struct Shape<'a> {
    pub names: &'a [&'a str],
    pub kinds: &'a [KqlType],
}

/// How a file's records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    Delimited(u8),
    Lines,
    Raw,
    Json,
    Parquet,
}

pub(super) fn layout(format: &str) -> Layout {
    match format {
        "tsv" | "tsve" => Layout::Delimited(b'\t'),
        "psv" => Layout::Delimited(b'|'),
        "scsv" => Layout::Delimited(b';'),
        "sohsv" => Layout::Delimited(0x01),
        "txt" => Layout::Lines,
        "raw" => Layout::Raw,
        "json" | "multijson" => Layout::Json,
        "parquet" => Layout::Parquet,
        _ => Layout::Delimited(b','),
    }
}

/// Why a mapping cannot read a layout's records, if it cannot.
pub(super) fn mapping_misfit(mapping: &Mapping, layout: Layout, format: &str) -> Option<String> {
    let hierarchical = matches!(layout, Layout::Json | Layout::Parquet);
    if hierarchical && mapping.reads_fields() {
        Some(format!(
            "ingestionMapping: an Ordinal is a CSV mapping's, and format '{format}' needs a JSON mapping (Path)"
        ))
    } else if !hierarchical && mapping.reads_paths() {
        Some(format!(
            "ingestionMapping: a Path is a JSON mapping's, and format '{format}' needs a CSV mapping (Ordinal)"
        ))
    } else {
        None
    }
}

/// One file's rows. `source` is the storage URI (a mapping's
/// `SourceLocation`); `skip_first` drops the file's first record.
/// The error is a message without the file's name (the caller adds it).
pub(super) fn read_file(
    path: &Path,
    layout: Layout,
    shape: Shape,
    mapping: Option<&Mapping>,
    source: &str,
    skip_first: bool,
) -> Result<Vec<Vec<Scalar>>, String> {
    let records = if layout == Layout::Parquet {
        match mapping {
            None => return read_parquet(path, shape).map(|rows| skip(rows, skip_first)),
            Some(_) => parquet_records(path)?,
        }
    } else if let (None, Layout::Delimited(delimiter)) = (mapping, layout) {
        // The usual feed: each record typed as it is read, so a million
        // rows never stand as text records and typed rows at once.
        let text = read_text(path).map_err(|e| e.to_string())?;
        return delimited_rows(&text, delimiter, shape).map(|rows| skip(rows, skip_first));
    } else {
        let text = read_text(path).map_err(|e| e.to_string())?;
        read_records(&text, layout)?
    };
    let records = skip(records, skip_first);
    Ok(records
        .iter()
        .map(|(line, record)| match (mapping, record) {
            (Some(m), Raw::Fields(f)) => m.row(&Record::Fields(f), shape.kinds, source, *line),
            (Some(m), Raw::Json(j)) => m.row(&Record::Json(j), shape.kinds, source, *line),
            (None, Raw::Fields(f)) => by_position(|i| f.get(i).map(String::as_str), shape),
            (None, Raw::Json(j)) => shape
                .names
                .iter()
                .zip(shape.kinds)
                .map(|(n, k)| j.get(n).map_or(Scalar::Null(*k), |v| from_json(v, *k)))
                .collect(),
        })
        .collect())
}

fn skip<T>(mut rows: Vec<T>, first: bool) -> Vec<T> {
    if first && !rows.is_empty() {
        rows.remove(0);
    }
    rows
}

/// A file's text, decompressed when it ends in `.gz`; invalid UTF-8 is
/// replaced rather than refused (feeds are often Latin-1).
pub(super) fn read_text(path: &Path) -> std::io::Result<String> {
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

/// A record as read, before it meets the declared columns.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Raw {
    Fields(Vec<String>),
    Json(Json),
}

/// A delimited file's records as rows of the declared columns, by
/// position, read as [`read_records`] reads them.
fn delimited_rows(text: &str, delimiter: u8, shape: Shape) -> Result<Vec<Vec<Scalar>>, String> {
    let mut reader = delimited_reader(text, delimiter);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("record {}: {e}", i + 1))?;
        rows.push(by_position(|i| record.get(i), shape));
    }
    Ok(rows)
}

/// A record's fields as a row of the declared columns, by position: a
/// missing field is null, text that is not of its column's type too.
fn by_position<'a>(field: impl Fn(usize) -> Option<&'a str>, shape: Shape) -> Vec<Scalar> {
    shape
        .kinds
        .iter()
        .enumerate()
        .map(|(i, k)| field(i).map_or(Scalar::Null(*k), |v| from_text(v, *k)))
        .collect()
}

/// The reader of delimited text: no header row (Kusto reads every record
/// as data unless told to skip one), records of any length.
fn delimited_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes())
}

/// The records of a text file, each with the line it starts on.
pub(super) fn read_records(text: &str, layout: Layout) -> Result<Vec<(usize, Raw)>, String> {
    match layout {
        Layout::Raw => Ok(vec![(1, Raw::Fields(vec![text.to_string()]))]),
        Layout::Lines => Ok(text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(i, l)| {
                let l = l.strip_suffix('\r').unwrap_or(l);
                (i + 1, Raw::Fields(vec![l.to_string()]))
            })
            .collect()),
        Layout::Delimited(delimiter) => {
            let mut reader = delimited_reader(text, delimiter);
            let mut out = Vec::new();
            for (i, record) in reader.records().enumerate() {
                let record = record.map_err(|e| format!("record {}: {e}", i + 1))?;
                let line = record.position().map_or(i + 1, |p| p.line() as usize);
                out.push((line, Raw::Fields(record.iter().map(String::from).collect())));
            }
            Ok(out)
        }
        Layout::Json | Layout::Parquet => {
            let mut out = Vec::new();
            let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Json>();
            let (mut counted_to, mut line) = (0, 1);
            loop {
                // The next value starts after the whitespace that follows
                // the previous one.
                let rest = &text[stream.byte_offset()..];
                let start = stream.byte_offset() + (rest.len() - rest.trim_start().len());
                let Some(value) = stream.next() else { break };
                let value = value.map_err(|e| format!("invalid JSON: {e}"))?;
                line += text[counted_to..start].matches('\n').count();
                counted_to = start;
                // multijson allows one array of objects.
                match value {
                    Json::Array(items) => {
                        out.extend(items.into_iter().map(|v| (line, Raw::Json(v))))
                    }
                    other => out.push((line, Raw::Json(other))),
                }
            }
            Ok(out)
        }
    }
}

/// A Parquet file as Quarry loads any export: typed by its own schema.
pub(super) fn load_parquet(path: &Path) -> Result<polars::prelude::DataFrame, String> {
    let source = TableSource {
        name: "externaldata".into(),
        files: vec![SourceFile {
            path: path.to_path_buf(),
            format: Format::Parquet,
            compression: Compression::None,
        }],
        explicit_name: true,
    };
    let cancel = AtomicBool::new(false);
    let control = LoadControl::new(&|_| {}, &cancel);
    let (tables, errors) = load_table(&source, &control);
    if let Some(e) = errors.into_iter().next() {
        return Err(e.message);
    }
    Ok(tables
        .into_iter()
        .next()
        .map(|t| t.frame)
        .unwrap_or_default())
}

/// A Parquet file's columns of the declared names, each brought to its
/// declared type; a column the file lacks is null.
fn read_parquet(path: &Path, shape: Shape) -> Result<Vec<Vec<Scalar>>, String> {
    let frame = load_parquet(path)?;
    let columns: Vec<Option<&polars::prelude::Series>> = shape
        .names
        .iter()
        .map(|n| frame.column(n).ok().map(|c| c.as_materialized_series()))
        .collect();
    Ok((0..frame.height())
        .map(|i| {
            columns
                .iter()
                .zip(shape.kinds)
                .map(|(c, k)| match c {
                    Some(c) => coerce(&Scalar::from_series(c, i), *k),
                    None => Scalar::Null(*k),
                })
                .collect()
        })
        .collect())
}

/// A Parquet file's rows as JSON objects, for a mapping's paths.
fn parquet_records(path: &Path) -> Result<Vec<(usize, Raw)>, String> {
    let frame = load_parquet(path)?;
    let columns = frame.columns();
    Ok((0..frame.height())
        .map(|i| {
            let row = columns
                .iter()
                .map(|c| {
                    let v = Scalar::from_series(c.as_materialized_series(), i);
                    (c.name().to_string(), v.to_json())
                })
                .collect();
            (i + 1, Raw::Json(Json::Object(row)))
        })
        .collect())
}

/// A text field as a value of the declared type; text that does not parse
/// is null, as Kusto ingests it.
pub(crate) fn from_text(field: &str, kind: KqlType) -> Scalar {
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
pub(super) fn from_json(v: &Json, kind: KqlType) -> Scalar {
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

    fn rows(text: &str, layout: Layout) -> Vec<Vec<Scalar>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, text).unwrap();
        let shape = Shape {
            names: &["a", "b"],
            kinds: &[KqlType::String, KqlType::Long],
        };
        read_file(&path, layout, shape, None, "", false).unwrap()
    }

    #[test]
    fn records() {
        let r = rows("x,1\n\"y,z\",\n", Layout::Delimited(b','));
        assert_eq!(
            r,
            vec![
                vec![Scalar::String("x".into()), Scalar::Long(1)],
                vec![Scalar::String("y,z".into()), Scalar::Null(KqlType::Long)],
            ]
        );
        let r = rows("l1\r\n\r\nl2\n", Layout::Lines);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1][0], Scalar::String("l2".into()));
        let r = rows("[{\"a\":\"p\",\"b\":2}]\n{\"b\":\"3\"}", Layout::Json);
        assert_eq!(r[0], vec![Scalar::String("p".into()), Scalar::Long(2)]);
        assert_eq!(r[1], vec![Scalar::Null(KqlType::String), Scalar::Long(3)]);
        assert!(read_records("{", Layout::Json).is_err());
    }

    #[test]
    fn records_know_their_lines() {
        let lines = |text: &str, layout| -> Vec<usize> {
            read_records(text, layout)
                .unwrap()
                .into_iter()
                .map(|(l, _)| l)
                .collect()
        };
        assert_eq!(
            lines("{\"a\":1}\n\n{\n \"a\":2\n}\n{}", Layout::Json),
            [1, 3, 6]
        );
        assert_eq!(
            lines("a\n\"b\nc\"\nd\n", Layout::Delimited(b',')),
            [1, 2, 4]
        );
        assert_eq!(lines("a\n\nb\n", Layout::Lines), [1, 3]);
    }
}
