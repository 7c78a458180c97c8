//! Gives every column its KQL type.
//!
//! The documented Defender tables get their documented types, even for a
//! column that is empty in the file; other columns are inferred from their
//! values. Strings are never null. See `data::types` for how each KQL type
//! is held.

use polars::prelude::*;

use super::schema;
use super::time::{parse_datetime, parse_timespan};
use super::types::KqlType;

/// Types every column of a raw frame loaded for `table`.
pub fn normalize(table: &str, frame: DataFrame) -> PolarsResult<DataFrame> {
    let documented = schema::documented(table);
    let height = frame.height();
    let mut columns = Vec::with_capacity(frame.width());
    for column in frame.into_columns() {
        let wanted = documented.and_then(|cols| {
            cols.iter()
                .find(|(n, _)| *n == column.name().as_str())
                .map(|(_, t)| *t)
        });
        let series = column.take_materialized_series();
        let typed = match wanted {
            Some(kind) => convert(&series, kind).map_err(|row| {
                polars_err!(ComputeError: "column {}: value {:?} in row {} is not a {}",
                    series.name(), cell_text(&series, row), row + 1, kind)
            })?,
            None => infer(&series)?,
        };
        columns.push(typed.into_column());
    }
    DataFrame::new(height, columns)
}

fn cell_text(series: &Series, row: usize) -> String {
    series
        .get(row)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// Replaces nulls in string columns by "" (strings have no null in KQL).
pub fn fill_string_nulls(frame: DataFrame) -> PolarsResult<DataFrame> {
    let height = frame.height();
    let columns = frame
        .into_columns()
        .into_iter()
        .map(|c| {
            if c.dtype() == &DataType::String && c.null_count() > 0 {
                let s = c.take_materialized_series();
                let filled: StringChunked = s
                    .str()
                    .expect("checked dtype")
                    .iter()
                    .map(|v| Some(v.unwrap_or("")))
                    .collect();
                filled.with_name(s.name().clone()).into_column()
            } else {
                c
            }
        })
        .collect();
    DataFrame::new(height, columns)
}

/// The KQL type of a column with no documented type: non-text columns are
/// mapped onto KQL's types; text columns become the narrowest type that every
/// non-empty value parses as (bool, long, real, datetime, dynamic, string).
fn infer(series: &Series) -> PolarsResult<Series> {
    if series.dtype() != &DataType::String {
        return kql_series(series);
    }
    let ca = series.str()?;
    let mut sample = ca.iter().flatten().filter(|v| !v.trim().is_empty());
    let Some(first) = sample.next() else {
        return convert(series, KqlType::String).map_err(|_| unreachable_err());
    };
    let first = first.trim();
    let mut candidates: Vec<KqlType> = Vec::new();
    if parse_bool_word(first).is_some() {
        candidates.push(KqlType::Bool);
    }
    if looks_integral(first) {
        candidates.push(KqlType::Long);
    }
    if first.parse::<f64>().is_ok() && !looks_like_id(first) {
        candidates.push(KqlType::Real);
    }
    if first.len() >= 10 && parse_datetime(first).is_some() {
        candidates.push(KqlType::Datetime);
    }
    if (first.starts_with('{') || first.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(first).is_ok()
    {
        candidates.push(KqlType::Dynamic);
    }
    for kind in candidates {
        // Values that parse as the type in every row decide it; datetime
        // inference also requires every value to look like a date, so that
        // a column of numbers is never read as dates.
        if let Ok(s) = convert(series, kind) {
            return Ok(s);
        }
    }
    convert(series, KqlType::String).map_err(|_| unreachable_err())
}

fn unreachable_err() -> PolarsError {
    polars_err!(ComputeError: "text column could not be read as string")
}

/// `007` or a 20-digit number is an identifier, not a number.
fn looks_like_id(s: &str) -> bool {
    let digits = s.trim_start_matches('-');
    (digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.")) || digits.len() > 18
}

fn looks_integral(s: &str) -> bool {
    !looks_like_id(s) && s.parse::<i64>().is_ok()
}

/// Only the words: `1`/`0` stay numbers unless the column is documented bool.
fn parse_bool_word(s: &str) -> Option<bool> {
    match s {
        "True" | "true" | "TRUE" => Some(true),
        "False" | "false" | "FALSE" => Some(false),
        _ => None,
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    parse_bool_word(s).or(match s {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    })
}

/// Converts a column to a KQL type. Text is parsed (empty text is null for
/// non-string types); on a value that does not parse, returns its row.
pub fn convert(series: &Series, kind: KqlType) -> Result<Series, usize> {
    let name = series.name().clone();
    if series.dtype() != &DataType::String {
        let coerced = kql_series(series).map_err(|_| 0usize)?;
        if KqlType::of(coerced.dtype()) == Some(kind) {
            return Ok(coerced);
        }
        if kind == KqlType::String {
            return Ok(to_text(&coerced).with_name(name).into_series());
        }
        // A number where a datetime is documented, say: go through text.
        return convert(&to_text(&coerced).with_name(name).into_series(), kind);
    }
    let ca = series.str().map_err(|_| 0usize)?;
    fn parse_all<T, F>(ca: &StringChunked, f: F) -> Result<Vec<Option<T>>, usize>
    where
        F: Fn(&str) -> Option<T>,
    {
        ca.iter()
            .enumerate()
            .map(|(i, v)| match v.map(str::trim) {
                None | Some("") => Ok(None),
                Some(t) => f(t).map(Some).ok_or(i),
            })
            .collect()
    }
    let out = match kind {
        KqlType::String => {
            if ca.null_count() == 0 {
                return Ok(series.clone());
            }
            let filled: StringChunked = ca.iter().map(|v| Some(v.unwrap_or(""))).collect();
            filled.into_series()
        }
        KqlType::Bool => {
            let v: BooleanChunked = parse_all(ca, parse_bool)?.into_iter().collect();
            v.into_series()
        }
        KqlType::Long => {
            let v: Int64Chunked = parse_all(ca, |t| {
                t.parse::<i64>()
                    .ok()
                    .or_else(|| t.parse::<f64>().ok().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            })?
            .into_iter()
            .collect();
            v.into_series()
        }
        KqlType::Int => {
            let v: Int32Chunked = parse_all(ca, |t| t.parse::<i32>().ok())?.into_iter().collect();
            v.into_series()
        }
        KqlType::Real => {
            let v: Float64Chunked = parse_all(ca, |t| t.parse::<f64>().ok())?.into_iter().collect();
            v.into_series()
        }
        KqlType::Datetime => {
            let v: Int64Chunked = parse_all(ca, parse_datetime)?.into_iter().collect();
            v.into_datetime(TimeUnit::Nanoseconds, None).into_series()
        }
        KqlType::Timespan => {
            let v: Int64Chunked = parse_all(ca, parse_timespan)?.into_iter().collect();
            v.into_duration(TimeUnit::Nanoseconds).into_series()
        }
        KqlType::Dynamic => {
            let v: BinaryChunked = ca
                .iter()
                .map(|v| match v.map(str::trim) {
                    None | Some("") => None,
                    Some(t) => Some(match serde_json::from_str::<serde_json::Value>(t) {
                        Ok(_) => t.as_bytes().to_vec(),
                        // Text that is not JSON is a dynamic string value.
                        Err(_) => serde_json::Value::String(t.to_string())
                            .to_string()
                            .into_bytes(),
                    }),
                })
                .collect();
            v.into_series()
        }
    };
    Ok(out.with_name(name))
}

fn to_text(series: &Series) -> StringChunked {
    (0..series.len())
        .map(|i| {
            Some(match series.get(i) {
                Ok(AnyValue::Null) | Err(_) => String::new(),
                Ok(AnyValue::Datetime(ns, _, _)) => super::time::format_datetime(ns),
                Ok(AnyValue::Binary(b)) => String::from_utf8_lossy(b).into_owned(),
                Ok(AnyValue::String(s)) => s.to_string(),
                Ok(v) => v.to_string(),
            })
        })
        .collect()
}

/// Maps any Polars column onto the KQL type that holds it (unsigned and
/// narrow integers widened, lists and structs to dynamic JSON, ...).
pub fn kql_series(series: &Series) -> PolarsResult<Series> {
    use DataType as D;
    let target = match series.dtype() {
        D::Boolean | D::Int32 | D::Int64 | D::Float64 | D::Binary => return Ok(series.clone()),
        D::Int8 | D::Int16 | D::UInt8 | D::UInt16 => D::Int32,
        D::UInt32 | D::UInt64 => D::Int64,
        D::Float32 => D::Float64,
        D::Datetime(TimeUnit::Nanoseconds, None) | D::Duration(TimeUnit::Nanoseconds) => {
            return Ok(series.clone());
        }
        D::Datetime(_, _) | D::Date => D::Datetime(TimeUnit::Nanoseconds, None),
        D::Duration(_) => D::Duration(TimeUnit::Nanoseconds),
        D::String => return convert(series, KqlType::String).map_err(|_| unreachable_err()),
        D::Null => {
            let empty: StringChunked = (0..series.len()).map(|_| Some("")).collect();
            return Ok(empty.with_name(series.name().clone()).into_series());
        }
        D::Categorical(_, _) | D::Enum(_, _) => {
            let s = series.cast(&D::String)?;
            return convert(&s, KqlType::String).map_err(|_| unreachable_err());
        }
        _ => return Ok(to_json(series).with_name(series.name().clone()).into_series()),
    };
    series.cast(&target)
}

/// Nested Parquet values (lists, structs) become dynamic JSON text.
fn to_json(series: &Series) -> BinaryChunked {
    (0..series.len())
        .map(|i| {
            let v = series.get(i).ok()?;
            if v.is_null() {
                return None;
            }
            Some(any_to_json(&v).to_string().into_bytes())
        })
        .collect()
}

fn any_to_json(v: &AnyValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        AnyValue::Null => J::Null,
        AnyValue::Boolean(b) => J::Bool(*b),
        AnyValue::String(s) => J::String(s.to_string()),
        AnyValue::StringOwned(s) => J::String(s.to_string()),
        AnyValue::Int8(x) => J::from(*x),
        AnyValue::Int16(x) => J::from(*x),
        AnyValue::Int32(x) => J::from(*x),
        AnyValue::Int64(x) => J::from(*x),
        AnyValue::UInt8(x) => J::from(*x),
        AnyValue::UInt16(x) => J::from(*x),
        AnyValue::UInt32(x) => J::from(*x),
        AnyValue::UInt64(x) => J::from(*x),
        AnyValue::Float32(x) => J::from(f64::from(*x)),
        AnyValue::Float64(x) => J::from(*x),
        AnyValue::List(s) => J::Array(
            (0..s.len())
                .map(|i| s.get(i).map(|v| any_to_json(&v)).unwrap_or(J::Null))
                .collect(),
        ),
        AnyValue::Datetime(ns, unit, _) => {
            let ns = match unit {
                TimeUnit::Nanoseconds => *ns,
                TimeUnit::Microseconds => ns * 1_000,
                TimeUnit::Milliseconds => ns * 1_000_000,
            };
            J::String(super::time::format_datetime(ns))
        }
        other => J::String(other.to_string()),
    }
}
