//! Which columns a chart plots, as Kusto's user agents guess them when the
//! query does not say (render-operator.md, "How to render continuous
//! data"), and reading their values out of the frame.

use std::collections::HashMap;

use polars::prelude::*;
use thiserror::Error;

use super::{Chart, MAX_SERIES, Series, Shape, XKind};
use crate::data::types::KqlType;
use crate::kql::error::did_you_mean;
use crate::kql::render::{RenderSpec, Stacking, Visualization};
use crate::kql::value::series_to_text;

/// Why a result cannot be drawn as asked. The table still shows.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ChartError {
    #[error("Quarry does not draw {0} charts; the result is shown as a table")]
    NotDrawn(&'static str),
    #[error("{0} needs a datetime column for its x axis; the result has none (columns: {1})")]
    NoTimeColumn(&'static str, String),
    #[error("no numeric column to plot (columns: {0}); summarize a count() or name ycolumns")]
    NoNumericColumn(String),
    #[error("render {property} names '{column}', which is not a column of the result{hint}")]
    UnknownColumn {
        property: &'static str,
        column: String,
        hint: String,
    },
    #[error("ycolumns names '{0}', a {1} column; only numbers can be plotted")]
    NotNumeric(String, &'static str),
    #[error("nothing to plot: the result has no rows with a value")]
    Empty,
    #[error(
        "a datetime x axis needs at least two distinct times; every row is at {0} (render columnchart shows a single time)"
    )]
    OnePoint(String),
    #[error(
        "{property} names '{column}', which holds one value per row, while the x column '{x}' holds arrays; name array columns (as make-series makes them)"
    )]
    NotAnArray {
        property: &'static str,
        column: String,
        x: String,
    },
    #[error(
        "the x column '{0}' holds arrays of text; an x axis of arrays needs datetimes or numbers"
    )]
    TextArray(String),
}

/// The columns chosen for each role.
pub(super) struct Picked {
    x: String,
    ys: Vec<String>,
    series: Vec<String>,
    /// The y columns that hold anomalies (anomalychart).
    anomalies: Vec<String>,
}

/// The name `series_decompose_anomalies` examples give their anomaly
/// column: an anomalychart without `anomalycolumns` marks it.
pub(super) const ANOMALIES: &str = "anomalies";

fn kinds(frame: &DataFrame) -> Vec<(String, KqlType)> {
    frame
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

fn described(cols: &[(String, KqlType)]) -> String {
    if cols.is_empty() {
        return "none".to_string();
    }
    cols.iter()
        .map(|(n, k)| format!("{n}:{k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn find<'a>(
    cols: &'a [(String, KqlType)],
    property: &'static str,
    name: &str,
) -> Result<&'a (String, KqlType), ChartError> {
    cols.iter()
        .find(|(n, _)| n == name)
        .ok_or_else(|| ChartError::UnknownColumn {
            property,
            column: name.to_string(),
            hint: did_you_mean(name, cols.iter().map(|(n, _)| n.as_str())),
        })
}

/// Picks the x, y and series columns: the query's properties first, then
/// Kusto's defaults (a timechart's x is its first datetime column, every
/// other numeric column is a y, text columns split series).
pub(super) fn pick(
    frame: &DataFrame,
    spec: &RenderSpec,
    shape: Shape,
) -> Result<Picked, ChartError> {
    let cols = kinds(frame);
    let x = match &spec.xcolumn {
        Some(name) => find(&cols, "xcolumn", name)?.0.clone(),
        None if spec.visualization == Visualization::TimeChart
            || spec.visualization == Visualization::AnomalyChart =>
        {
            cols.iter()
                .find(|(_, k)| *k == KqlType::Datetime)
                .map(|(n, _)| n.clone())
                .ok_or_else(|| {
                    ChartError::NoTimeColumn(spec.visualization.name(), described(&cols))
                })?
        }
        None => match cols.first() {
            Some((n, _)) => n.clone(),
            None => return Err(ChartError::NoNumericColumn(described(&cols))),
        },
    };
    let mut series = Vec::new();
    for name in &spec.series {
        series.push(find(&cols, "series", name)?.0.clone());
    }
    let mut ys = Vec::new();
    for name in &spec.ycolumns {
        let (n, k) = find(&cols, "ycolumns", name)?;
        if !k.is_numeric() {
            return Err(ChartError::NotNumeric(n.clone(), k.name()));
        }
        ys.push(n.clone());
    }
    if ys.is_empty() {
        ys = cols
            .iter()
            .filter(|(n, k)| k.is_numeric() && *n != x && !series.contains(n))
            .map(|(n, _)| n.clone())
            .collect();
        if shape == Shape::Pie {
            ys.truncate(1);
        }
    }
    let mut anomalies = Vec::new();
    if spec.visualization == Visualization::AnomalyChart {
        for name in &spec.anomaly_columns {
            let (n, k) = find(&cols, "anomalycolumns", name)?;
            if !k.is_numeric() {
                return Err(ChartError::NotNumeric(n.clone(), k.name()));
            }
            if !ys.contains(n) {
                ys.push(n.clone());
            }
            anomalies.push(n.clone());
        }
        let guessed = cols
            .iter()
            .find(|(n, k)| n == ANOMALIES && k.is_numeric() && *n != x);
        if let (true, Some((n, _))) = (spec.anomaly_columns.is_empty(), guessed) {
            if !ys.contains(n) {
                ys.push(n.clone());
            }
            anomalies.push(n.clone());
        }
    }
    if ys.iter().all(|y| anomalies.contains(y)) {
        return Err(ChartError::NoNumericColumn(described(&cols)));
    }
    if spec.series.is_empty() && shape != Shape::Pie {
        let text = cols.iter().filter(|(n, k)| {
            matches!(k, KqlType::String | KqlType::Bool) && *n != x && !ys.contains(n)
        });
        series = match shape {
            // "one string column whose values group the numeric columns;
            // further string columns are ignored"
            Shape::Line | Shape::Area | Shape::Scatter => {
                text.take(1).map(|(n, _)| n.clone()).collect()
            }
            _ => text.map(|(n, _)| n.clone()).collect(),
        };
    }
    Ok(Picked {
        x,
        ys,
        series,
        anomalies,
    })
}

/// Values of `name` as floats (nulls stay null).
fn floats(frame: &DataFrame, name: &str) -> Option<Float64Chunked> {
    let s = frame.column(name).ok()?.as_materialized_series();
    let s = match s.dtype() {
        // Datetimes and timespans plot in milliseconds.
        DataType::Datetime(_, _) | DataType::Duration(_) => {
            let ns = s.cast(&DataType::Int64).ok()?;
            let ms: Float64Chunked = ns
                .i64()
                .ok()?
                .iter()
                .map(|v| v.map(|v| v as f64 / 1e6))
                .collect();
            return Some(ms);
        }
        _ => s.cast(&DataType::Float64).ok()?,
    };
    s.f64().ok().cloned()
}

/// A column as small codes, one per distinct value in order of first
/// appearance: millions of rows are grouped without a string per row.
struct Codes {
    codes: Vec<Option<u32>>,
    names: Vec<String>,
}

fn coded(frame: &DataFrame, name: &str) -> Codes {
    let mut names: Vec<String> = Vec::new();
    let Ok(column) = frame.column(name) else {
        return Codes {
            codes: Vec::new(),
            names,
        };
    };
    if KqlType::of(column.dtype()) == Some(KqlType::Datetime) {
        let mut index: HashMap<u64, u32> = HashMap::new();
        let codes = floats(frame, name)
            .map(|f| {
                f.iter()
                    .map(|v| {
                        let v = v?;
                        Some(*index.entry(v.to_bits()).or_insert_with(|| {
                            names.push(super::ticks::datetime_full(v));
                            names.len() as u32 - 1
                        }))
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Codes { codes, names };
    }
    let text = series_to_text(column.as_materialized_series());
    let mut index: HashMap<String, u32> = HashMap::new();
    let codes = text
        .iter()
        .map(|v| {
            let v = v?;
            if let Some(&i) = index.get(v) {
                return Some(i);
            }
            let i = names.len() as u32;
            names.push(v.to_string());
            index.insert(v.to_string(), i);
            Some(i)
        })
        .collect();
    Codes { codes, names }
}

/// Reads the picked columns into series.
pub(super) fn read(
    frame: &DataFrame,
    spec: &RenderSpec,
    shape: Shape,
    picked: Picked,
) -> Result<Chart, ChartError> {
    let x_type = frame
        .column(&picked.x)
        .ok()
        .and_then(|c| KqlType::of(c.dtype()))
        .unwrap_or(KqlType::Dynamic);
    let plotted = matches!(shape, Shape::Line | Shape::Area | Shape::Scatter);
    let continuous = plotted && (x_type.is_numeric() || x_type == KqlType::Datetime);
    let mut categories: Vec<String> = Vec::new();
    let (x_kind, xs): (XKind, Vec<Option<f64>>) = if continuous {
        let kind = if x_type == KqlType::Datetime {
            XKind::Time
        } else {
            XKind::Number
        };
        let xs = floats(frame, &picked.x)
            .map(|f| f.iter().collect())
            .unwrap_or_default();
        (kind, xs)
    } else {
        let Codes { codes, names } = coded(frame, &picked.x);
        categories = names
            .into_iter()
            .map(|n| {
                if n.is_empty() {
                    "(empty)".to_string()
                } else {
                    n
                }
            })
            .collect();
        let xs = codes.into_iter().map(|c| c.map(f64::from)).collect();
        (XKind::Category(Vec::new()), xs)
    };
    let keys: Vec<Codes> = picked.series.iter().map(|s| coded(frame, s)).collect();
    let mut all: Vec<Series> = Vec::new();
    // Few series keys (the usual case) are looked up in a table rather
    // than hashed for each of millions of rows.
    let radix: u128 = keys
        .iter()
        .map(|k| k.names.len() as u128 + 1)
        .fold(1u128, |a, r| a.saturating_mul(r));
    let dense = radix <= 1 << 16;
    let mut slot: HashMap<(u128, usize), usize> = HashMap::new();
    for (yi, ycol) in picked.ys.iter().enumerate() {
        let mut table: Vec<Option<usize>> = vec![None; if dense { radix as usize } else { 0 }];
        let Some(ys) = floats(frame, ycol) else {
            continue;
        };
        for (row, (x, y)) in xs.iter().zip(ys.iter()).enumerate() {
            let (Some(x), Some(y)) = (*x, y) else {
                continue;
            };
            if !y.is_finite() {
                continue;
            }
            let key = series_key(&keys, row);
            let known = if dense {
                table.get(key as usize).copied().flatten()
            } else {
                slot.get(&(key, yi)).copied()
            };
            let i = match known {
                Some(i) => i,
                None => {
                    let label = series_label(&keys, row);
                    all.push(Series {
                        name: series_name(&label, ycol, picked.ys.len(), picked.series.is_empty()),
                        key: if picked.series.is_empty() {
                            String::new()
                        } else {
                            label
                        },
                        column: ycol.clone(),
                        anomaly: picked.anomalies.contains(ycol),
                        x: Vec::new(),
                        y: Vec::new(),
                        top: Vec::new(),
                        bottom: Vec::new(),
                    });
                    let i = all.len() - 1;
                    match table.get_mut(key as usize) {
                        Some(cell) if dense => *cell = Some(i),
                        _ => {
                            slot.insert((key, yi), i);
                        }
                    }
                    i
                }
            };
            all[i].x.push(x);
            all[i].y.push(y);
        }
    }
    if all.is_empty() {
        return Err(ChartError::Empty);
    }
    if x_kind == XKind::Time {
        let first = all[0].x[0];
        if all.iter().all(|s| s.x.iter().all(|&x| x == first)) {
            return Err(ChartError::OnePoint(super::ticks::datetime_full(first)));
        }
    }
    let x = match x_kind {
        XKind::Category(_) => XKind::Category(categories),
        other => other,
    };
    let stacking = match (spec.visualization, spec.stacking) {
        (Visualization::StackedAreaChart, Stacking::Unstacked) => Stacking::Stacked,
        (_, s) => s,
    };
    let mut chart = Chart {
        visualization: spec.visualization,
        shape,
        title: spec.title.clone(),
        x_title: spec.xtitle.clone().unwrap_or_else(|| picked.x.clone()),
        y_title: spec.ytitle.clone().unwrap_or_else(|| picked.ys.join(", ")),
        x,
        x_scale: spec.xaxis,
        y_scale: spec.yaxis,
        stacking,
        ysplit: spec.ysplit,
        legend: spec.legend,
        series: Vec::new(),
        dropped: Vec::new(),
        x_range: (0.0, 0.0),
        y_range: (0.0, 0.0),
        card: Vec::new(),
        rows: frame.height(),
        binned: false,
        axes: Vec::new(),
        panels: Vec::new(),
        remarks: Vec::new(),
    };
    if shape == Shape::Pie {
        pie(&mut chart, all);
    } else {
        let cap = super::split::series_cap(spec, shape, stacking);
        keep_largest(&mut chart, all, cap);
    }
    Ok(chart)
}

/// The series of `row`: its codes in every series column, as one number
/// (mixed radix, null the last digit of each).
fn series_key(keys: &[Codes], row: usize) -> u128 {
    keys.iter().fold(0u128, |acc, k| {
        let radix = k.names.len() as u128 + 1;
        let digit = k
            .codes
            .get(row)
            .copied()
            .flatten()
            .map_or(radix - 1, u128::from);
        acc.wrapping_mul(radix).wrapping_add(digit)
    })
}

/// The series of `row` as the legend writes it.
fn series_label(keys: &[Codes], row: usize) -> String {
    keys.iter()
        .map(|k| match k.codes.get(row).copied().flatten() {
            Some(c) => k.names.get(c as usize).map_or("", String::as_str),
            None => "",
        })
        .map(|v| if v.is_empty() { "(empty)" } else { v })
        .collect::<Vec<_>>()
        .join(", ")
}

fn series_name(key: &str, ycol: &str, ycols: usize, unsplit: bool) -> String {
    match (unsplit, ycols) {
        (true, _) => ycol.to_string(),
        (false, 1) => key.to_string(),
        (false, _) => format!("{key}: {ycol}"),
    }
}

fn total(s: &Series) -> f64 {
    s.y.iter().map(|v| v.abs()).sum()
}

/// Keeps the `cap` series with the largest totals, in their order of
/// appearance; the others are named in `dropped`, largest first. Anomaly
/// marks do not count: they stay with the series they flag.
fn keep_largest(chart: &mut Chart, all: Vec<Series>, cap: usize) {
    let values: Vec<usize> = (0..all.len()).filter(|&i| !all[i].anomaly).collect();
    if values.len() <= cap {
        chart.series = all;
        return;
    }
    let mut order = values;
    order.sort_by(|&a, &b| total(&all[b]).total_cmp(&total(&all[a])).then(a.cmp(&b)));
    let kept: Vec<usize> = order[..cap].to_vec();
    chart.dropped = order[cap..].iter().map(|&i| all[i].name.clone()).collect();
    let kept_keys: Vec<&str> = kept.iter().map(|&i| all[i].key.as_str()).collect();
    let keep: Vec<bool> = all
        .iter()
        .enumerate()
        .map(|(i, s)| kept.contains(&i) || (s.anomaly && kept_keys.contains(&s.key.as_str())))
        .collect();
    chart.series = all
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(s, _)| s)
        .collect();
}

/// One series of slices, one per category (values summed; negatives
/// cannot be slices). Past [`MAX_SERIES`] slices the smallest are merged
/// into "other".
fn pie(chart: &mut Chart, all: Vec<Series>) {
    let XKind::Category(labels) = &chart.x else {
        return;
    };
    let mut sums = vec![0.0f64; labels.len()];
    for s in all.iter().take(1) {
        for (x, y) in s.x.iter().zip(&s.y) {
            if let Some(v) = sums.get_mut(*x as usize) {
                *v += y.max(0.0);
            }
        }
    }
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| sums[b].total_cmp(&sums[a]).then(a.cmp(&b)));
    let mut names = labels.clone();
    let mut keep: Vec<usize> = (0..labels.len()).collect();
    if labels.len() > MAX_SERIES {
        let kept: Vec<usize> = order[..MAX_SERIES - 1].to_vec();
        chart.dropped = order[MAX_SERIES - 1..]
            .iter()
            .map(|&i| labels[i].clone())
            .collect();
        let other: f64 = order[MAX_SERIES - 1..].iter().map(|&i| sums[i]).sum();
        keep = (0..labels.len()).filter(|i| kept.contains(i)).collect();
        let mut kept_sums: Vec<f64> = keep.iter().map(|&i| sums[i]).collect();
        names = keep.iter().map(|&i| labels[i].clone()).collect();
        names.push("other".to_string());
        kept_sums.push(other);
        sums = kept_sums;
        keep = (0..names.len()).collect();
    }
    let name = all.first().map(|s| s.name.clone()).unwrap_or_default();
    let column = all.first().map(|s| s.column.clone()).unwrap_or_default();
    chart.series = vec![Series {
        name,
        key: String::new(),
        column,
        anomaly: false,
        x: keep.iter().map(|&i| i as f64).collect(),
        y: sums.clone(),
        top: sums,
        bottom: Vec::new(),
    }];
    chart.x = XKind::Category(names);
}

/// `render card`: the first row's values, field by field.
pub(super) fn card(frame: &DataFrame, spec: &RenderSpec) -> Chart {
    let first = frame.head(Some(1));
    let card = first
        .columns()
        .iter()
        .map(|c| {
            let text = series_to_text(c.as_materialized_series());
            let value = text.get(0).unwrap_or("").to_string();
            (c.name().to_string(), value)
        })
        .collect();
    Chart {
        visualization: spec.visualization,
        shape: Shape::Card,
        title: spec.title.clone(),
        x_title: String::new(),
        y_title: String::new(),
        x: XKind::Number,
        x_scale: spec.xaxis,
        y_scale: spec.yaxis,
        stacking: spec.stacking,
        ysplit: spec.ysplit,
        legend: spec.legend,
        series: Vec::new(),
        dropped: Vec::new(),
        x_range: (0.0, 0.0),
        y_range: (0.0, 0.0),
        card,
        rows: frame.height(),
        binned: false,
        axes: Vec::new(),
        panels: Vec::new(),
        remarks: Vec::new(),
    }
}
