//! Charts in several parts, and marks on lines.
//!
//! - `ysplit=axes`: "a single chart is displayed with multiple y-axes (one
//!   per series)". Each series is scaled to an axis of its own, so a count
//!   in the thousands and one in the tens both fill the plot.
//! - `ysplit=panels`: one chart per series, stacked, each with its own y
//!   axis and all sharing the x axis; at most five (render-operator.md).
//!   The documentation says "one chart for each ycolumn value", and its
//!   example (`summarize count() by State, bin(StartTime, 1d) | render
//!   timechart with (ysplit=panels)`) draws one panel per state: a panel
//!   per series, which is a panel per y column when no column splits them.
//! - anomalychart: the anomaly columns' non-zero points become marks on the
//!   series they flag.

use super::shape::y_range;
use super::ticks;
use super::{Chart, MAX_PANELS, MAX_SERIES, Series, Shape, YAxis};
use crate::kql::render::{AxisScale, RenderSpec, Stacking, YSplit};

/// Ticks per axis of `ysplit=axes` (about; round steps decide).
const AXIS_TICKS: usize = 4;

/// Whether `ysplit` can apply: lines, areas, points, columns and bars not
/// stacked (stacked series share one axis by definition).
fn splittable(shape: Shape, stacking: Stacking) -> bool {
    matches!(
        shape,
        Shape::Line | Shape::Area | Shape::Scatter | Shape::Column | Shape::Bar
    ) && !matches!(stacking, Stacking::Stacked | Stacking::Stacked100)
}

/// How many series (not counting anomaly marks) a chart keeps: five in
/// panels, else [`MAX_SERIES`].
pub(super) fn series_cap(spec: &RenderSpec, shape: Shape, stacking: Stacking) -> usize {
    if spec.ysplit == YSplit::Panels && splittable(shape, stacking) {
        MAX_PANELS
    } else {
        MAX_SERIES
    }
}

/// The series an anomaly series flags: the first value series of its key.
fn base_of(series: &[Series], anomaly: &Series) -> Option<usize> {
    series
        .iter()
        .position(|s| !s.anomaly && s.key == anomaly.key)
}

/// Keeps each anomaly series' non-zero points and sets where they are
/// drawn: on the value of the series they flag at the same x (stacked or
/// accumulated, as that series is drawn). Without such a series, a mark
/// stands at its own value.
pub(super) fn place_anomalies(series: &mut [Series]) {
    for i in 0..series.len() {
        if !series[i].anomaly {
            continue;
        }
        let base =
            base_of(series, &series[i]).map(|b| (series[b].x.clone(), series[b].top.clone()));
        let s = &mut series[i];
        let (mut x, mut y, mut top) = (Vec::new(), Vec::new(), Vec::new());
        for (px, py) in s.x.iter().zip(&s.y) {
            if *py == 0.0 {
                continue;
            }
            let at = match &base {
                Some((bx, btop)) => match bx.binary_search_by(|v| v.total_cmp(px)) {
                    Ok(j) => btop[j],
                    // The flagged series has no value there: nothing to mark.
                    Err(_) => continue,
                },
                None => *py,
            };
            x.push(*px);
            y.push(*py);
            top.push(at);
        }
        s.bottom = vec![0.0; x.len()];
        (s.x, s.y, s.top) = (x, y, top);
    }
}

/// Applies `ysplit` to a finished chart.
pub(super) fn split(chart: &mut Chart, spec: &RenderSpec) {
    if chart.ysplit == YSplit::None {
        return;
    }
    let values: Vec<usize> = (0..chart.series.len())
        .filter(|&i| !chart.series[i].anomaly)
        .collect();
    if !splittable(chart.shape, chart.stacking) {
        let why = match chart.shape {
            Shape::Pie | Shape::Card => "it applies to lines, areas, points, columns and bars",
            _ => "stacked series share one axis",
        };
        chart.remarks.push(format!(
            "ysplit={} not applied: {why}",
            split_name(chart.ysplit)
        ));
        chart.ysplit = YSplit::None;
        return;
    }
    if values.len() < 2 {
        // One series: one axis, one panel, the plain chart.
        chart.ysplit = YSplit::None;
        return;
    }
    match chart.ysplit {
        YSplit::Axes => axes(chart, &values, spec),
        YSplit::Panels => panels(chart, &values, spec),
        YSplit::None => {}
    }
}

fn split_name(s: YSplit) -> &'static str {
    match s {
        YSplit::None => "none",
        YSplit::Axes => "axes",
        YSplit::Panels => "panels",
    }
}

/// One axis per value series; its points (and its anomaly marks) are
/// scaled to that axis, in `0..=1`.
fn axes(chart: &mut Chart, values: &[usize], spec: &RenderSpec) {
    let scale = chart.y_scale;
    for &v in values {
        let mine: Vec<usize> = (0..chart.series.len())
            .filter(|&i| {
                i == v
                    || (chart.series[i].anomaly
                        && base_of(&chart.series, &chart.series[i]) == Some(v))
            })
            .collect();
        let own: Vec<Series> = mine.iter().map(|&i| chart.series[i].clone()).collect();
        let (lo, hi) = y_range(&own, scale, spec.ymin, spec.ymax);
        let (blo, bhi, labels) = ticks::covering(lo, hi, AXIS_TICKS, scale);
        let unit = |value: f64| -> f64 {
            let at = match scale {
                // Nothing at or below zero on a log axis: the bottom.
                AxisScale::Log if value <= 0.0 => blo,
                AxisScale::Log => value.log10(),
                AxisScale::Linear => value,
            };
            ((at - blo) / (bhi - blo)).clamp(0.0, 1.0)
        };
        for &i in &mine {
            let s = &mut chart.series[i];
            s.top = s.top.iter().map(|t| unit(*t)).collect();
            s.bottom = s.bottom.iter().map(|b| unit(*b)).collect();
        }
        chart.axes.push(YAxis { series: v, labels });
    }
    chart.y_range = (0.0, 1.0);
    chart.y_scale = AxisScale::Linear;
}

/// One chart per value series, with its anomaly marks and its own y
/// range; all share the x range (and categories).
fn panels(chart: &mut Chart, values: &[usize], spec: &RenderSpec) {
    let mut panels = Vec::new();
    for &v in values.iter().take(MAX_PANELS) {
        let series: Vec<Series> = chart
            .series
            .iter()
            .filter(|s| {
                std::ptr::eq(*s, &chart.series[v])
                    || (s.anomaly && base_of(&chart.series, s) == Some(v))
            })
            .cloned()
            .collect();
        let y_range = y_range(&series, chart.y_scale, spec.ymin, spec.ymax);
        panels.push(Chart {
            title: None,
            y_title: chart.series[v].name.clone(),
            ysplit: YSplit::None,
            legend: false,
            series,
            dropped: Vec::new(),
            y_range,
            card: Vec::new(),
            axes: Vec::new(),
            panels: Vec::new(),
            remarks: Vec::new(),
            ..chart.clone_frame()
        });
    }
    chart.panels = panels;
}

impl Chart {
    /// The palette index of each of `part`'s series (a panel of this
    /// chart): that of the same series here, so a panel's line keeps its
    /// legend colour.
    pub fn palette_of(&self, part: &Chart) -> Vec<usize> {
        part.series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                self.series
                    .iter()
                    .position(|w| w.name == s.name && w.anomaly == s.anomaly)
                    .unwrap_or(i)
            })
            .collect()
    }

    /// This chart without its series and parts, to build parts from.
    fn clone_frame(&self) -> Chart {
        Chart {
            visualization: self.visualization,
            shape: self.shape,
            title: self.title.clone(),
            x_title: self.x_title.clone(),
            y_title: self.y_title.clone(),
            x: self.x.clone(),
            x_scale: self.x_scale,
            y_scale: self.y_scale,
            stacking: self.stacking,
            ysplit: self.ysplit,
            legend: self.legend,
            series: Vec::new(),
            dropped: Vec::new(),
            x_range: self.x_range,
            y_range: self.y_range,
            card: Vec::new(),
            rows: self.rows,
            binned: self.binned,
            axes: Vec::new(),
            panels: Vec::new(),
            remarks: Vec::new(),
        }
    }
}
