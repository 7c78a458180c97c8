//! An x axis of arrays: what `make-series` returns, one row per series
//! with its points in arrays. render-operator.md: "If this column is of
//! type dynamic and it holds an array, the individual values in the array
//! are treated as the values of the x-axis", and "the values of each
//! y-axis should also be an array of a similar length, with each y-axis
//! occurring in a single column".
//!
//! Such a result is turned into one row per point: the x array's values,
//! the row's other (scalar) columns, which name its series, and the
//! numeric arrays' values as y columns. The chart is then built as from a
//! `summarize`, with the roles set: the x array as `xcolumn`, the numeric
//! arrays as `ycolumns` (unless named), the scalar columns as `series`
//! (unless named). So `make-series count() on Timestamp step 1h by
//! ActionType | render timechart` draws one line per ActionType, and the
//! arrays `series_decompose_anomalies` adds become more lines (or marks,
//! in an anomalychart).

use polars::prelude::*;
use serde_json::Value as Json;

use super::columns::ChartError;
use crate::data::time::parse_datetime;
use crate::data::types::KqlType;
use crate::kql::render::{RenderSpec, Visualization};
use crate::kql::value::{parse_json_bytes, series_to_text};

/// What an array column's elements are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Elements {
    Times,
    Numbers,
    Other,
}

/// One array column: its name and what it holds.
struct ArrayColumn {
    name: String,
    elements: Elements,
}

/// Rows looked at to tell what a dynamic column holds.
const LOOK: usize = 64;

/// A JSON element as a point value: a datetime in nanoseconds, or a number.
fn element(v: &Json, elements: Elements) -> Option<f64> {
    match (v, elements) {
        (Json::String(s), Elements::Times) => parse_datetime(s).map(|ns| ns as f64),
        (Json::Number(n), _) => n.as_f64(),
        (Json::Bool(b), Elements::Numbers) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

/// What the first non-null element of the column's first arrays is.
fn classify(values: &BinaryChunked) -> Option<Elements> {
    let mut array_seen = false;
    for bytes in values.iter().flatten().take(LOOK) {
        let Json::Array(items) = parse_json_bytes(bytes) else {
            // A dynamic column of bags or scalars is no series.
            return None;
        };
        array_seen = true;
        if let Some(first) = items.iter().find(|v| !v.is_null()) {
            return Some(match first {
                Json::String(s) if parse_datetime(s).is_some() => Elements::Times,
                Json::Number(_) | Json::Bool(_) => Elements::Numbers,
                _ => Elements::Other,
            });
        }
    }
    // Only empty arrays: nothing to draw from them, but arrays still.
    array_seen.then_some(Elements::Numbers)
}

fn binary(frame: &DataFrame, name: &str) -> Option<BinaryChunked> {
    let c = frame.column(name).ok()?;
    c.as_materialized_series().binary().ok().cloned()
}

fn array_columns(frame: &DataFrame) -> Vec<ArrayColumn> {
    frame
        .columns()
        .iter()
        .filter(|c| KqlType::of(c.dtype()) == Some(KqlType::Dynamic))
        .filter_map(|c| {
            let values = binary(frame, c.name())?;
            Some(ArrayColumn {
                name: c.name().to_string(),
                elements: classify(&values)?,
            })
        })
        .collect()
}

/// The frame of points and the spec with its roles set, when the chart's
/// x column holds arrays; None when it does not (the result is read as
/// rows).
pub(super) fn expand(
    frame: &DataFrame,
    spec: &RenderSpec,
) -> Result<Option<(DataFrame, RenderSpec)>, ChartError> {
    let arrays = array_columns(frame);
    if arrays.is_empty() {
        return Ok(None);
    }
    let x = match &spec.xcolumn {
        Some(name) => match arrays.iter().find(|a| &a.name == name) {
            Some(a) => a,
            None => return Ok(None),
        },
        None => {
            let scalar = |c: &&Column| !arrays.iter().any(|a| a.name == c.name().as_str());
            let kind = |c: &Column| KqlType::of(c.dtype());
            // The first datetime column, scalar or array, as Kusto picks it.
            let first_time = frame.columns().iter().find(|c| {
                kind(c) == Some(KqlType::Datetime)
                    || arrays
                        .iter()
                        .any(|a| a.name == c.name().as_str() && a.elements == Elements::Times)
            });
            let timed = matches!(
                spec.visualization,
                Visualization::TimeChart | Visualization::AnomalyChart
            );
            let plain_x = frame
                .columns()
                .iter()
                .filter(scalar)
                .any(|c| kind(c).is_some_and(|k| k.is_numeric() || k == KqlType::Datetime));
            match first_time.and_then(|c| arrays.iter().find(|a| a.name == c.name().as_str())) {
                Some(a) => a,
                // A datetime column of single values comes first: rows.
                None if timed || plain_x => return Ok(None),
                // make-series on a number puts its axis after the aggregates.
                None => match arrays
                    .iter()
                    .rev()
                    .find(|a| a.elements == Elements::Numbers)
                {
                    Some(a) => a,
                    None => return Ok(None),
                },
            }
        }
    };
    if x.elements == Elements::Other {
        return Err(ChartError::TextArray(x.name.clone()));
    }
    let is_array = |name: &str| arrays.iter().any(|a| a.name == name);
    let ys: Vec<String> = if spec.ycolumns.is_empty() {
        arrays
            .iter()
            .filter(|a| a.name != x.name && a.elements == Elements::Numbers)
            .map(|a| a.name.clone())
            .collect()
    } else {
        spec.ycolumns.clone()
    };
    for (property, names) in [("ycolumns", &ys), ("anomalycolumns", &spec.anomaly_columns)] {
        for name in names {
            if frame.column(name).is_ok() && !is_array(name) {
                return Err(ChartError::NotAnArray {
                    property,
                    column: name.clone(),
                    x: x.name.clone(),
                });
            }
        }
    }
    // Anomaly columns (named, or guessed by name) are read even when the
    // y columns leave them out.
    let mut arrays_read = ys.clone();
    let guessed = [super::columns::ANOMALIES.to_string()];
    let anomalies = match spec.visualization {
        Visualization::AnomalyChart if spec.anomaly_columns.is_empty() => &guessed[..],
        Visualization::AnomalyChart => &spec.anomaly_columns[..],
        _ => &[],
    };
    for name in anomalies {
        if !arrays_read.contains(name) && is_array(name) {
            arrays_read.push(name.clone());
        }
    }
    let keys: Vec<String> = if spec.series.is_empty() {
        frame
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .filter(|n| !is_array(n))
            .collect()
    } else {
        spec.series.clone()
    };
    let points = points(frame, x, &keys, &arrays_read)?;
    let mut roles = spec.clone();
    roles.xcolumn = Some(x.name.clone());
    roles.ycolumns = ys;
    roles.series = keys;
    Ok(Some((points, roles)))
}

/// One row per element of each row's x array.
fn points(
    frame: &DataFrame,
    x: &ArrayColumn,
    keys: &[String],
    ys: &[String],
) -> Result<DataFrame, ChartError> {
    let Some(xs) = binary(frame, &x.name) else {
        return Err(ChartError::Empty);
    };
    let key_text: Vec<Option<StringChunked>> = keys
        .iter()
        .map(|k| {
            frame
                .column(k)
                .ok()
                .map(|c| series_to_text(c.as_materialized_series()))
        })
        .collect();
    let y_values: Vec<Option<BinaryChunked>> = ys.iter().map(|y| binary(frame, y)).collect();
    let mut out_x: Vec<Option<f64>> = Vec::new();
    let mut out_keys: Vec<Vec<Option<String>>> = vec![Vec::new(); keys.len()];
    let mut out_ys: Vec<Vec<Option<f64>>> = vec![Vec::new(); ys.len()];
    for (row, bytes) in xs.iter().enumerate() {
        let Some(Json::Array(items)) = bytes.map(parse_json_bytes) else {
            continue;
        };
        let n = items.len();
        out_x.extend(items.iter().map(|v| element(v, x.elements)));
        for (k, text) in key_text.iter().enumerate() {
            let value = text.as_ref().and_then(|t| t.get(row)).map(str::to_string);
            out_keys[k].extend(std::iter::repeat_n(value, n));
        }
        for (j, values) in y_values.iter().enumerate() {
            let parsed = values
                .as_ref()
                .and_then(|v| v.get(row))
                .map(parse_json_bytes);
            let items: &[Json] = match &parsed {
                Some(Json::Array(a)) => a,
                _ => &[],
            };
            // A shorter array leaves the last points without a value.
            out_ys[j]
                .extend((0..n).map(|i| items.get(i).and_then(|v| element(v, Elements::Numbers))));
        }
    }
    let height = out_x.len();
    let mut columns: Vec<Column> = Vec::with_capacity(1 + keys.len() + ys.len());
    let x_column = match x.elements {
        Elements::Times => {
            let ns: Int64Chunked = out_x.iter().map(|v| v.map(|v| v as i64)).collect();
            ns.with_name(x.name.as_str().into())
                .into_datetime(TimeUnit::Nanoseconds, None)
                .into_column()
        }
        _ => Float64Chunked::from_iter_options(x.name.as_str().into(), out_x.into_iter())
            .into_column(),
    };
    columns.push(x_column);
    for (name, values) in keys.iter().zip(out_keys) {
        // A column names one role: x, y or series.
        if frame.column(name).is_ok() && *name != x.name && !ys.contains(name) {
            columns.push(
                StringChunked::from_iter_options(name.as_str().into(), values.into_iter())
                    .into_column(),
            );
        }
    }
    for (name, values) in ys.iter().zip(out_ys) {
        if frame.column(name).is_ok() {
            columns.push(
                Float64Chunked::from_iter_options(name.as_str().into(), values.into_iter())
                    .into_column(),
            );
        }
    }
    DataFrame::new(height, columns).map_err(|_| ChartError::Empty)
}
