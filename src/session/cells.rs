//! Cells as text and JSON, the same for the screen, CSV exports and the
//! command line.

use polars::prelude::*;
use serde_json::Value as Json;

use crate::kql::value::{Scalar, series_to_text};

/// The header of a frame.
pub fn header(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Every column of a frame as text (`tostring()` of each cell), computed
/// once per column so rendering many rows stays cheap.
pub fn text_columns(frame: &DataFrame) -> Vec<StringChunked> {
    frame
        .columns()
        .iter()
        .map(|c| series_to_text(c.as_materialized_series()))
        .collect()
}

/// The text of one row, given the frame's text columns.
pub fn row_text(columns: &[StringChunked], row: usize) -> Vec<String> {
    columns
        .iter()
        .map(|c| c.get(row).unwrap_or("").to_string())
        .collect()
}

/// Rows of text in the order given.
pub fn rows_text<'a>(
    columns: &'a [StringChunked],
    rows: impl Iterator<Item = usize> + 'a,
) -> impl Iterator<Item = Vec<String>> + 'a {
    rows.map(move |r| row_text(columns, r))
}

/// One row as a JSON object, keys in column order: datetimes as RFC 3339
/// strings ending in `Z`, numbers as numbers, decimals as strings of their
/// exact digits (as Kusto's own JSON answers write them: a JSON number
/// would be read back as a double), dynamic as JSON, null as null.
pub fn row_json(frame: &DataFrame, row: usize) -> serde_json::Map<String, Json> {
    let mut obj = serde_json::Map::new();
    for c in frame.columns() {
        let s = c.as_materialized_series();
        let v = match Scalar::from_series(s, row) {
            Scalar::Decimal(d) => Json::String(d.to_string()),
            v => v.to_json(),
        };
        obj.insert(c.name().to_string(), v);
    }
    obj
}
