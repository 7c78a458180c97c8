//! Gives every column its KQL type.
//!
//! The documented Defender tables get their documented types, even for a
//! column that is empty in the file; other columns are inferred from their
//! values. Strings are never null. See `data::types` for how each KQL type
//! is held.
//!
//! Loaders type a table chunk by chunk ([`type_chunk`]), so the text of a
//! chunk can be dropped as soon as it is typed, and then join the chunks
//! ([`assemble`]). An inferred column can come out differently in two chunks
//! (numbers in the first, a word in the tenth); [`assemble`] then widens it
//! to the narrowest type that holds both (long and real to real, anything
//! else to string), and a column that was empty in a chunk takes the type
//! the other chunks decided.

mod assemble;

use std::path::Path;

use polars::prelude::*;

pub(crate) use assemble::{Coalescer, assemble};

use super::decimal::{self, Decimal};
use super::schema;
use super::time::{format_datetime, format_timespan, parse_datetime, parse_timespan};
use super::types::KqlType;
use super::warning::{BadCells, Place, SHOWN_CELLS};

/// Types every column of a raw frame loaded for `table`. A value that
/// cannot be read as its column's documented type is null (see
/// [`type_chunk`], which also says which cells those were).
pub fn normalize(table: &str, frame: DataFrame) -> PolarsResult<DataFrame> {
    let (typed, _) = type_chunk(schema::documented(table), frame)?;
    assemble(vec![typed])
}

/// The documented type of `column` in `table`, if `table` is documented and
/// lists it.
pub fn documented_type(table: &str, column: &str) -> Option<KqlType> {
    lookup(schema::documented(table), column)
}

/// A documented table's column list, as [`schema::documented`] gives it.
pub(crate) type Documented = Option<&'static [(&'static str, KqlType)]>;

pub(crate) fn lookup(documented: Documented, column: &str) -> Option<KqlType> {
    documented?
        .iter()
        .find(|(n, _)| *n == column)
        .map(|(_, t)| *t)
}

/// Cells of one column of a chunk that could not be read as the column's
/// documented type: they are null, as Kusto's ingestion makes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadRows {
    pub column: String,
    pub kind: KqlType,
    /// How many cells.
    pub count: usize,
    /// The first few ([`SHOWN_CELLS`]): 0-based row in the chunk, and the
    /// text found there.
    pub first: Vec<(usize, String)>,
}

impl BadRows {
    pub(crate) fn new(column: &str, kind: KqlType) -> BadRows {
        BadRows {
            column: column.to_string(),
            kind,
            count: 0,
            first: Vec::new(),
        }
    }

    /// Counts a bad cell at `row`, keeping its text if it is among the
    /// first few.
    pub(crate) fn add(&mut self, row: usize, text: &str) {
        self.count += 1;
        if self.first.len() < SHOWN_CELLS {
            self.first.push((row, text.to_string()));
        }
    }

    /// The cells as a file's [`BadCells`], placed by `place` (a chunk row to
    /// a line or row of the file).
    pub(crate) fn into_cells(self, path: &Path, place: impl Fn(usize) -> Place) -> BadCells {
        let mut cells = BadCells::new(path.to_path_buf(), self.column, self.kind);
        for (row, text) in &self.first {
            cells.add(place(*row), text);
        }
        cells.count = self.count;
        cells
    }
}

/// Types one chunk of a table. Documented columns take their documented
/// type; a value that cannot be read as that type is null, and listed in
/// the [`BadRows`] returned. Other columns are inferred from this chunk's
/// values. A column with no value at all in this chunk becomes a `Null`
/// column, left for [`assemble`] to decide.
pub(crate) fn type_chunk(
    documented: Documented,
    frame: DataFrame,
) -> PolarsResult<(DataFrame, Vec<BadRows>)> {
    let height = frame.height();
    let mut columns = Vec::with_capacity(frame.width());
    let mut bad = Vec::new();
    for column in frame.into_columns() {
        let series = column.take_materialized_series();
        let typed = match lookup(documented, series.name()) {
            // Every value read (the usual case) costs one pass; only a
            // column with an unreadable value is read again, leniently.
            Some(kind) => match convert(&series, kind) {
                Ok(typed) => typed,
                Err(_) => {
                    let (typed, rows) = convert_lenient(&series, kind)?;
                    if rows.count > 0 {
                        bad.push(rows);
                    }
                    typed
                }
            },
            None => infer(&series)?,
        };
        columns.push(typed.into_column());
    }
    Ok((DataFrame::new(height, columns)?, bad))
}

/// [`convert`], with a value that cannot be read as `kind` made null and
/// listed.
fn convert_lenient(series: &Series, kind: KqlType) -> PolarsResult<(Series, BadRows)> {
    let name = series.name().clone();
    let mut bad = BadRows::new(name.as_str(), kind);
    let text = if series.dtype() == &DataType::String {
        series.str()?.clone()
    } else {
        to_text(&kql_series(series)?)
    };
    fn lenient<T>(
        ca: &StringChunked,
        bad: &mut BadRows,
        f: impl Fn(&str) -> Option<T>,
    ) -> Vec<Option<T>> {
        ca.iter()
            .enumerate()
            .map(|(i, v)| match v.map(str::trim) {
                None | Some("") => None,
                Some(t) => {
                    let parsed = f(t);
                    if parsed.is_none() {
                        bad.add(i, v.unwrap_or(t));
                    }
                    parsed
                }
            })
            .collect()
    }
    let out = match kind {
        KqlType::String => fill_empty(&text).into_series(),
        KqlType::Bool => {
            let v: BooleanChunked = lenient(&text, &mut bad, parse_bool).into_iter().collect();
            v.into_series()
        }
        KqlType::Long => {
            let v: Int64Chunked = lenient(&text, &mut bad, parse_long).into_iter().collect();
            v.into_series()
        }
        KqlType::Int => {
            let v: Int32Chunked = lenient(&text, &mut bad, parse_int).into_iter().collect();
            v.into_series()
        }
        KqlType::Real => {
            let v: Float64Chunked = lenient(&text, &mut bad, parse_real).into_iter().collect();
            v.into_series()
        }
        KqlType::Decimal => {
            decimal::column(name.clone(), &lenient(&text, &mut bad, Decimal::parse))
        }
        KqlType::Datetime => {
            let v: Int64Chunked = lenient(&text, &mut bad, parse_datetime)
                .into_iter()
                .collect();
            v.into_datetime(TimeUnit::Nanoseconds, None).into_series()
        }
        KqlType::Timespan => {
            let v: Int64Chunked = lenient(&text, &mut bad, parse_timespan)
                .into_iter()
                .collect();
            v.into_duration(TimeUnit::Nanoseconds).into_series()
        }
        KqlType::Dynamic => {
            let v: BinaryChunked = lenient(&text, &mut bad, dynamic_value)
                .into_iter()
                .collect();
            v.into_series()
        }
    };
    Ok((out.with_name(name), bad))
}

/// Converts a typed chunk column to the type `assemble` chose for it, which
/// holds all its values (see `assemble::join`).
fn fit(series: Series, kind: KqlType) -> PolarsResult<Series> {
    let target = kind.polars();
    // A decimal column keeps its own scale (`assemble` brings chunks to one).
    if series.dtype() == &target || kind == KqlType::Decimal && decimal::is_decimal(series.dtype())
    {
        return Ok(series);
    }
    let name = series.name().clone();
    if series.dtype() == &DataType::Null {
        return Ok(match kind {
            KqlType::String => StringChunked::full(name, "", series.len()).into_series(),
            _ => Series::full_null(name, series.len(), &target),
        });
    }
    let from = KqlType::of(series.dtype());
    if matches!(
        (from, kind),
        (Some(KqlType::Int), KqlType::Long) | (Some(KqlType::Int | KqlType::Long), KqlType::Real)
    ) {
        return series.cast(&target);
    }
    let text = to_text(&series).with_name(name);
    if kind == KqlType::String {
        return Ok(text.into_series());
    }
    if kind == KqlType::Dynamic {
        // Widening never loses a value: text that is not JSON (malformed
        // JSON included) is a JSON string.
        let v: BinaryChunked = text
            .iter()
            .map(|v| match v.map(str::trim) {
                None | Some("") => None,
                Some(t) => Some(dynamic_bytes(t)),
            })
            .collect();
        return Ok(v.with_name(text.name().clone()).into_series());
    }
    let text = text.into_series();
    convert(&text, kind).map_err(
        |row| polars_err!(ComputeError: "column {}: cannot widen row {} to {}", text.name(), row + 1, kind),
    )
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
                s.str().map(|ca| fill_empty(ca).into_column())
            } else if c.null_count() > 0
                && let Some(filled) = super::encode::fill_nulls(c.as_materialized_series())
            {
                // An encoded column with nulls (the unmatched side of an
                // outer join): filled, still encoded.
                filled.map(IntoColumn::into_column)
            } else if c.null_count() > 0
                && let Some(text) = super::encode::decode(c.as_materialized_series())
            {
                // A categorical column from elsewhere: as text, filled.
                Ok(fill_empty(&text).into_column())
            } else {
                Ok(c)
            }
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(height, columns)
}

/// Nulls as "" (strings have no null in KQL).
///
/// Readers (Parquet's, Polars' kernels) hold a null string as an empty view,
/// so dropping the validity turns every null into "" without copying a
/// single string; the nulls are checked, and any that was not empty is
/// filled the slow way.
fn fill_empty(ca: &StringChunked) -> StringChunked {
    if ca.null_count() == 0 {
        return ca.clone();
    }
    let chunks: Vec<ArrayRef> = ca.chunks().iter().map(|a| a.with_validity(None)).collect();
    if let Ok(series) = Series::try_from((ca.name().clone(), chunks))
        && let Ok(filled) = series.str()
    {
        let all_empty = ca
            .iter()
            .zip(filled.iter())
            .all(|(old, new)| old.is_some() || new == Some(""));
        if all_empty {
            return filled.clone();
        }
    }
    let filled: StringChunked = ca.iter().map(|v| Some(v.unwrap_or(""))).collect();
    filled.with_name(ca.name().clone())
}

/// The KQL type of a column with no documented type: non-text columns are
/// mapped onto KQL's types; text columns become the narrowest type that every
/// non-empty value parses as (bool, long, real, datetime, dynamic, string).
/// A text column with no non-empty value is returned as a `Null` column:
/// this chunk does not decide its type.
pub(crate) fn infer(series: &Series) -> PolarsResult<Series> {
    if series.dtype() == &DataType::Null {
        return Ok(series.clone());
    }
    if series.dtype() != &DataType::String {
        return kql_series(series);
    }
    let ca = series.str()?;
    let mut sample = ca.iter().flatten().filter(|v| !v.trim().is_empty());
    let Some(first) = sample.next() else {
        return Ok(Series::full_null(
            series.name().clone(),
            series.len(),
            &DataType::Null,
        ));
    };
    let first = first.trim();
    let mut candidates: Vec<KqlType> = Vec::new();
    if parse_bool_word(first).is_some() {
        candidates.push(KqlType::Bool);
    }
    if looks_integral(first) {
        candidates.push(KqlType::Long);
    }
    if looks_real(first) {
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

/// A decimal number (not `NaN` or `inf`, which would make any column of
/// words starting with them numeric).
fn looks_real(s: &str) -> bool {
    s.parse::<f64>().is_ok()
        && !looks_like_id(s)
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
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

/// A documented bool: the words as Defender (`True`) and JSON (`true`)
/// write them, and `1`/`0`.
pub fn parse_bool(s: &str) -> Option<bool> {
    parse_bool_word(s).or(match s {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    })
}

/// A long as text: digits, or a real with no fraction (`5.0`, as some
/// exporters write every number).
pub fn parse_long(t: &str) -> Option<i64> {
    t.parse::<i64>().ok().or_else(|| {
        t.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
            .map(|f| f as i64)
    })
}

/// An int as text, like [`parse_long`] but in range.
pub fn parse_int(t: &str) -> Option<i32> {
    parse_long(t).and_then(|v| i32::try_from(v).ok())
}

/// A real as text; `NaN` and the infinities as Kusto spells them too.
pub fn parse_real(t: &str) -> Option<f64> {
    t.parse::<f64>().ok()
}

/// Text as dynamic JSON: JSON text as is, anything else as a JSON string.
pub fn dynamic_bytes(t: &str) -> Vec<u8> {
    if serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok() {
        t.as_bytes().to_vec()
    } else {
        json_string(t)
    }
}

/// Text read into a dynamic column, as Kusto's `parse_json` reads it: JSON
/// text as is, other text as a JSON string; but an object or array that is
/// not valid JSON (cut short by Excel's 32,767-character cell limit, say)
/// cannot be read: `None`.
pub fn dynamic_value(t: &str) -> Option<Vec<u8>> {
    if serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok() {
        Some(t.as_bytes().to_vec())
    } else if t.starts_with('{') || t.starts_with('[') {
        None
    } else {
        Some(json_string(t))
    }
}

fn json_string(t: &str) -> Vec<u8> {
    serde_json::Value::String(t.to_string())
        .to_string()
        .into_bytes()
}

/// Converts a column to a KQL type. Text is parsed (empty text is null for
/// non-string types); on a value that does not parse, returns its row.
pub fn convert(series: &Series, kind: KqlType) -> Result<Series, usize> {
    let name = series.name().clone();
    if series.dtype() == &DataType::Null {
        return fit(series.clone(), kind).map_err(|_| 0usize);
    }
    if kind == KqlType::String
        && super::encode::dictionary_name(series.dtype()).is_some()
        && series.null_count() == 0
    {
        // Text a reader encoded as it parsed.
        return Ok(series.clone());
    }
    if series.dtype() != &DataType::String {
        let coerced = kql_series(series).map_err(|_| 0usize)?;
        let from = KqlType::of(coerced.dtype());
        if from == Some(kind) {
            return Ok(coerced);
        }
        if kind == KqlType::String {
            return Ok(to_text(&coerced).with_name(name).into_series());
        }
        if matches!(
            (from, kind),
            (Some(KqlType::Int), KqlType::Long)
                | (Some(KqlType::Int | KqlType::Long), KqlType::Real)
        ) {
            return coerced.cast(&kind.polars()).map_err(|_| 0usize);
        }
        // A number where a datetime is documented, say: go through text
        // (a real where a decimal is, by its shortest digits).
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
            fill_empty(ca).into_series()
        }
        KqlType::Bool => {
            let v: BooleanChunked = parse_all(ca, parse_bool)?.into_iter().collect();
            v.into_series()
        }
        KqlType::Long => {
            let v: Int64Chunked = parse_all(ca, parse_long)?.into_iter().collect();
            v.into_series()
        }
        KqlType::Int => {
            let v: Int32Chunked = parse_all(ca, parse_int)?.into_iter().collect();
            v.into_series()
        }
        KqlType::Real => {
            let v: Float64Chunked = parse_all(ca, parse_real)?.into_iter().collect();
            v.into_series()
        }
        KqlType::Decimal => decimal::column(name.clone(), &parse_all(ca, Decimal::parse)?),
        KqlType::Datetime => {
            let v: Int64Chunked = parse_all(ca, parse_datetime)?.into_iter().collect();
            v.into_datetime(TimeUnit::Nanoseconds, None).into_series()
        }
        KqlType::Timespan => {
            let v: Int64Chunked = parse_all(ca, parse_timespan)?.into_iter().collect();
            v.into_duration(TimeUnit::Nanoseconds).into_series()
        }
        KqlType::Dynamic => {
            let v: BinaryChunked = parse_all(ca, dynamic_value)?.into_iter().collect();
            v.into_series()
        }
    };
    Ok(out.with_name(name))
}

/// Any KQL-typed column as text, the way Kusto prints each type (datetimes
/// with seven fractional digits, dynamic as its JSON); null is "".
fn to_text(series: &Series) -> StringChunked {
    let name = series.name().clone();
    let text: StringChunked = match series.dtype() {
        DataType::String => series
            .str()
            .map(|ca| ca.iter().map(|v| Some(v.unwrap_or(""))).collect())
            .unwrap_or_default(),
        // Dynamic as text is its JSON, except that a JSON string is its
        // text (`"a"` is `a`), as `tostring()` has it.
        DataType::Binary => series
            .binary()
            .map(|ca| {
                ca.iter()
                    .map(|v| {
                        Some(match v {
                            None => std::borrow::Cow::Borrowed(""),
                            Some(b) if b.first() == Some(&b'"') => {
                                match serde_json::from_slice::<String>(b) {
                                    Ok(text) => std::borrow::Cow::Owned(text),
                                    Err(_) => String::from_utf8_lossy(b),
                                }
                            }
                            Some(b) => String::from_utf8_lossy(b),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        DataType::Datetime(_, _) => match series.cast(&KqlType::Datetime.polars()) {
            Ok(s) => s
                .datetime()
                .map(|ca| {
                    ca.physical()
                        .iter()
                        .map(|v| Some(v.map(format_datetime).unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => StringChunked::default(),
        },
        DataType::Duration(_) => match series.cast(&KqlType::Timespan.polars()) {
            Ok(s) => s
                .duration()
                .map(|ca| {
                    ca.physical()
                        .iter()
                        .map(|v| Some(v.map(format_timespan).unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => StringChunked::default(),
        },
        // Exact digits, no trailing zeros (Polars would pad to the scale).
        DataType::Decimal(_, _) => decimal::values(series)
            .unwrap_or_default()
            .into_iter()
            .map(|v| Some(v.map(|d| d.to_string()).unwrap_or_default()))
            .collect(),
        DataType::Boolean
        | DataType::Int32
        | DataType::Int64
        | DataType::Float64
        | DataType::Int8
        | DataType::Int16
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32 => match series.cast(&DataType::String) {
            Ok(s) => s
                .str()
                .map(|ca| ca.iter().map(|v| Some(v.unwrap_or(""))).collect())
                .unwrap_or_default(),
            Err(_) => StringChunked::default(),
        },
        _ => (0..series.len())
            .map(|i| {
                Some(match series.get(i) {
                    Ok(AnyValue::Null) | Err(_) => String::new(),
                    Ok(v) => v.to_string(),
                })
            })
            .collect(),
    };
    text.with_name(name)
}

/// The KQL type a column of this Polars type loads as (see [`kql_series`]).
pub fn kql_type_of(dtype: &DataType) -> KqlType {
    use DataType as D;
    match dtype {
        D::Boolean => KqlType::Bool,
        D::Int8 | D::Int16 | D::Int32 | D::UInt8 | D::UInt16 => KqlType::Int,
        D::Int64 | D::UInt32 | D::UInt64 => KqlType::Long,
        D::Float32 | D::Float64 => KqlType::Real,
        D::Decimal(_, _) => KqlType::Decimal,
        D::Datetime(_, _) | D::Date => KqlType::Datetime,
        D::Duration(_) => KqlType::Timespan,
        D::String | D::Null | D::Categorical(_, _) | D::Enum(_, _) => KqlType::String,
        _ => KqlType::Dynamic,
    }
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
        // Any precision (a Parquet decimal(10, 2)) held as 38 digits, its
        // scale kept: the same mantissas.
        D::Decimal(38, _) => return Ok(series.clone()),
        D::Decimal(_, scale) => D::Decimal(decimal::MAX_DIGITS as usize, *scale),
        D::Datetime(TimeUnit::Nanoseconds, None) | D::Duration(TimeUnit::Nanoseconds) => {
            return Ok(series.clone());
        }
        D::Datetime(_, Some(_)) => {
            // A zoned instant: the same instant, as naive UTC.
            let utc = series.cast(&D::Datetime(TimeUnit::Nanoseconds, None))?;
            return Ok(utc);
        }
        D::Datetime(_, _) | D::Date => D::Datetime(TimeUnit::Nanoseconds, None),
        D::Duration(_) => D::Duration(TimeUnit::Nanoseconds),
        D::String => return convert(series, KqlType::String).map_err(|_| unreachable_err()),
        D::Null => {
            return Ok(StringChunked::full(series.name().clone(), "", series.len()).into_series());
        }
        D::Categorical(_, _) | D::Enum(_, _) => {
            let s = series.cast(&D::String)?;
            return convert(&s, KqlType::String).map_err(|_| unreachable_err());
        }
        _ => {
            return Ok(to_json(series)
                .with_name(series.name().clone())
                .into_series());
        }
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
        // Inside a dynamic a decimal is a real, as in Kusto.
        AnyValue::Decimal(m, _, scale) => decimal::from_any(*m, *scale)
            .and_then(|d| serde_json::Number::from_f64(d.to_f64()))
            .map_or(J::Null, J::Number),
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
            J::String(format_datetime(ns))
        }
        other => J::String(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(name: &str, values: &[&str]) -> Column {
        Column::new(name.into(), values)
    }

    #[test]
    fn documented_types_even_when_empty() {
        let f = DataFrame::new(2, vec![text("RemotePort", &["", ""])]).unwrap();
        let typed = normalize("DeviceNetworkEvents", f).unwrap();
        assert_eq!(
            typed.column("RemotePort").unwrap().dtype(),
            &DataType::Int32
        );
    }

    #[test]
    fn bad_documented_values_are_null_and_listed() {
        let f = DataFrame::new(
            4,
            vec![
                text("RemotePort", &["443", "https", "", "44x3"]),
                text(
                    "IsInitiatingProcessRemoteSession",
                    &["True", "yes", "0", ""],
                ),
            ],
        )
        .unwrap();
        let (typed, bad) = type_chunk(schema::documented("DeviceNetworkEvents"), f).unwrap();
        let port = typed.column("RemotePort").unwrap();
        assert_eq!(port.dtype(), &DataType::Int32);
        assert_eq!(port.null_count(), 3);
        let remote = typed.column("IsInitiatingProcessRemoteSession").unwrap();
        assert_eq!(remote.dtype(), &DataType::Boolean);
        assert_eq!(remote.null_count(), 2);
        assert_eq!(
            bad,
            [
                BadRows {
                    column: "RemotePort".into(),
                    kind: KqlType::Int,
                    count: 2,
                    first: vec![(1, "https".into()), (3, "44x3".into())],
                },
                BadRows {
                    column: "IsInitiatingProcessRemoteSession".into(),
                    kind: KqlType::Bool,
                    count: 1,
                    first: vec![(1, "yes".into())],
                },
            ]
        );
        // A long where an int is documented, out of its range.
        let f = DataFrame::new(2, vec![Column::new("RemotePort".into(), [1i64, 1 << 40])]).unwrap();
        let (typed, bad) = type_chunk(schema::documented("DeviceNetworkEvents"), f).unwrap();
        assert_eq!(typed.column("RemotePort").unwrap().null_count(), 1);
        assert_eq!(bad[0].first, [(1, "1099511627776".to_string())]);
    }

    #[test]
    fn lenient_real_and_dynamic() {
        let s = Series::new("x".into(), &["1.5", "1,5", " ", "NaN"]);
        let (v, bad) = convert_lenient(&s, KqlType::Real).unwrap();
        assert_eq!(v.null_count(), 2);
        assert_eq!(bad.first, [(1, "1,5".to_string())]);
        // Malformed objects and arrays cannot be read; other text is a
        // JSON string, as parse_json has it.
        let s = Series::new("d".into(), &["{\"a\":1}", "{\"cut", "plain", "[1,"]);
        assert!(convert(&s, KqlType::Dynamic).is_err());
        let (v, bad) = convert_lenient(&s, KqlType::Dynamic).unwrap();
        assert_eq!(v.null_count(), 2);
        assert_eq!(bad.count, 2);
        assert_eq!(v.binary().unwrap().get(2), Some(&b"\"plain\""[..]));
        // Widening text into a dynamic column keeps every value.
        let widened = fit(s, KqlType::Dynamic).unwrap();
        assert_eq!(widened.null_count(), 0);
    }
}
