//! Charts: what `render` asks for, built from a result frame into series
//! that any surface can draw (the workbench's cells, an SVG file). Nothing
//! here knows about terminals.
//!
//! `arrays` turns make-series arrays into points, `columns` picks the x,
//! y and series columns as Kusto's user agents do, `shape` accumulates,
//! stacks and bins, `split` places anomalies and splits y (`ysplit`),
//! `ticks` writes axis labels, `svg` writes the chart as a file.

mod arrays;
mod columns;
mod shape;
mod split;
pub mod svg;
pub mod ticks;

use polars::prelude::DataFrame;

use crate::kql::render::{AxisScale, RenderSpec, Stacking, Visualization, YSplit};

pub use columns::ChartError;

/// Most series a chart draws; the legend names the ones left out. Beyond
/// this, neither colours nor markers tell lines apart.
pub const MAX_SERIES: usize = 8;

/// Most points a series keeps: longer ones are binned (first, smallest,
/// largest and last point of each bin, so spikes survive). More than any
/// terminal or page is wide.
pub const MAX_POINTS: usize = 4096;

/// Most panels `ysplit=panels` draws (Kusto's "Maximum five panels").
pub const MAX_PANELS: usize = 5;

/// What the x axis holds.
#[derive(Clone, Debug, PartialEq)]
pub enum XKind {
    /// Datetimes, as milliseconds since the epoch.
    Time,
    /// Numbers.
    Number,
    /// Text (or any value) shown as labels; x is the label's index.
    Category(Vec<String>),
}

/// How the chart is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Lines joining points (timechart, linechart).
    Line,
    /// Lines filled down to the series below (areachart, stackedareachart).
    Area,
    /// Unjoined points (scatterchart).
    Scatter,
    /// Vertical bars per category (columnchart).
    Column,
    /// Horizontal bars per category (barchart).
    Bar,
    /// Slices of a disc (piechart).
    Pie,
    /// The first row's values (card).
    Card,
}

/// One line, set of bars or pie slice family.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The legend's text: the series key, the y column, or both.
    pub name: String,
    /// The values of the series columns, as the legend writes them (empty
    /// when nothing splits the series).
    pub key: String,
    /// The y column the values come from.
    pub column: String,
    /// Anomaly marks (anomalychart's `anomalycolumns`): `y` holds the
    /// anomaly column's non-zero values, `top` the value of the series
    /// they flag (same key, first y column) where the mark is drawn.
    pub anomaly: bool,
    /// X of each point (ms for time, the index for categories).
    pub x: Vec<f64>,
    /// The value as read (accumulated if asked), for the cursor and labels.
    pub y: Vec<f64>,
    /// Where the point is drawn: `y`, or the top of its stacked segment.
    pub top: Vec<f64>,
    /// Bottom of the stacked segment (0 when unstacked).
    pub bottom: Vec<f64>,
}

/// A chart ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub visualization: Visualization,
    pub shape: Shape,
    pub title: Option<String>,
    pub x_title: String,
    pub y_title: String,
    pub x: XKind,
    pub x_scale: AxisScale,
    pub y_scale: AxisScale,
    pub stacking: Stacking,
    pub ysplit: YSplit,
    pub legend: bool,
    pub series: Vec<Series>,
    /// Series left out beyond [`MAX_SERIES`] (pie: slices merged into "other").
    pub dropped: Vec<String>,
    /// Smallest and largest x drawn.
    pub x_range: (f64, f64),
    /// Smallest and largest y drawn (after `ymin`/`ymax` and stacking).
    pub y_range: (f64, f64),
    /// `card`: the first row, field by field.
    pub card: Vec<(String, String)>,
    /// Rows read, and whether long series were binned to [`MAX_POINTS`].
    pub rows: usize,
    pub binned: bool,
    /// `ysplit=axes`: one axis per series, the first drawn on the left.
    /// Each series is then drawn scaled to its own axis, in `0..=1`
    /// (`y_range`); `y` keeps the values as read.
    pub axes: Vec<YAxis>,
    /// `ysplit=panels`: one chart per series (with its anomaly marks),
    /// stacked, each with its own y axis and this chart's x axis.
    pub panels: Vec<Chart>,
    /// What was asked but could not be done, said under the chart.
    pub remarks: Vec<String>,
}

/// One of several y axes (`ysplit=axes`).
#[derive(Clone, Debug, PartialEq)]
pub struct YAxis {
    /// The series it measures (its colour), an index into `series`.
    pub series: usize,
    /// Its labels, evenly spaced from the bottom of the plot to the top.
    pub labels: Vec<String>,
}

impl Chart {
    /// Builds the chart `spec` asks for from `frame`.
    pub fn build(frame: &DataFrame, spec: &RenderSpec) -> Result<Chart, ChartError> {
        let shape = shape_of(spec)?;
        if shape == Shape::Card {
            return Ok(columns::card(frame, spec));
        }
        // make-series results: one row per series, arrays of points.
        let expanded = match shape {
            Shape::Pie => None,
            _ => arrays::expand(frame, spec)?,
        };
        let (frame, spec) = match &expanded {
            Some((f, s)) => (f, s),
            None => (frame, spec),
        };
        let picked = columns::pick(frame, spec, shape)?;
        let mut chart = columns::read(frame, spec, shape, picked)?;
        shape::finish(&mut chart, spec);
        split::split(&mut chart, spec);
        Ok(chart)
    }

    /// The notes worth showing under the chart: dropped series, binning,
    /// properties that could not apply.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.dropped.is_empty() {
            let (what, most) = if self.shape == Shape::Pie {
                ("merged into \"other\"", MAX_SERIES.to_string())
            } else if self.ysplit == YSplit::Panels {
                ("not drawn", format!("{MAX_PANELS} panels"))
            } else {
                ("not drawn", MAX_SERIES.to_string())
            };
            notes.push(format!(
                "{} more series {what} (at most {most}): {}",
                self.dropped.len(),
                self.dropped.join(", ")
            ));
        }
        notes.extend(self.remarks.iter().cloned());
        if self.binned {
            notes.push(format!(
                "{} rows binned to at most {} points per series",
                crate::text::thousands(self.rows as u64),
                crate::text::thousands(MAX_POINTS as u64)
            ));
        }
        notes
    }

    /// Every distinct x across the series, in order: where the cursor stops.
    pub fn stops(&self) -> Vec<f64> {
        let mut xs: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| s.x.iter().copied())
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        xs
    }

    /// The value of each series at `x` (None where it has no point).
    pub fn values_at(&self, x: f64) -> Vec<(String, Option<f64>)> {
        self.series
            .iter()
            .map(|s| {
                let v = s.x.iter().position(|&p| p == x).map(|i| s.y[i]);
                (s.name.clone(), v)
            })
            .collect()
    }

    /// The x value as the axis writes it (a date, a number, a label).
    pub fn x_text(&self, x: f64) -> String {
        match &self.x {
            XKind::Time => {
                // The cursor's time always shows its hour and minute.
                let t = ticks::datetime_full(x);
                if t.len() == 10 {
                    format!("{t} 00:00")
                } else {
                    t
                }
            }
            XKind::Number => ticks::number(x),
            XKind::Category(labels) => labels.get(x.max(0.0) as usize).cloned().unwrap_or_default(),
        }
    }
}

/// The drawing a visualization stands for; kinds Quarry does not draw
/// are refused here (the table still shows).
fn shape_of(spec: &RenderSpec) -> Result<Shape, ChartError> {
    Ok(match spec.visualization {
        Visualization::TimeChart | Visualization::LineChart | Visualization::AnomalyChart => {
            Shape::Line
        }
        Visualization::AreaChart | Visualization::StackedAreaChart => Shape::Area,
        Visualization::ScatterChart => Shape::Scatter,
        Visualization::ColumnChart => Shape::Column,
        Visualization::BarChart => Shape::Bar,
        Visualization::PieChart => Shape::Pie,
        Visualization::Card => Shape::Card,
        other => return Err(ChartError::NotDrawn(other.name())),
    })
}

/// The pipeline without a final `render` stage: a drill appends after the
/// data, since `render` must stay last.
pub fn without_render(stages: &[String]) -> Vec<String> {
    let mut out = stages.to_vec();
    if out.last().is_some_and(|s| is_render_stage(s)) {
        out.pop();
    }
    out
}

/// Whether a stage is a `render` operator.
pub fn is_render_stage(stage: &str) -> bool {
    let s = stage.trim_start();
    s.strip_prefix("render")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

/// A step's chart: what was asked, what was built, and how it is shown.
#[derive(Clone, Debug)]
pub struct StepChart {
    pub spec: RenderSpec,
    /// The chart, or why it cannot be drawn (shown instead of it).
    pub chart: Result<Chart, ChartError>,
    /// The chart is shown (else the table).
    pub showing: bool,
    /// Index into [`Chart::stops`] (pie, columns: into the categories).
    pub cursor: usize,
}

impl StepChart {
    /// The chart for the result of `pipeline` if it ends in a `render` that
    /// draws something (`render table` shows the table).
    pub fn for_result(pipeline: &str, rows: &crate::kql::Rows) -> Option<StepChart> {
        let spec = crate::kql::render::render_of_text(pipeline)?;
        if spec.visualization == Visualization::Table {
            return None;
        }
        // A pipeline that ends in `render` is never left ungathered, so
        // this is the frame itself.
        let frame = rows.clone().into_frame();
        let chart = Chart::build(&frame, &spec);
        // A chart that cannot be drawn leaves the table on screen.
        let showing = chart.is_ok();
        Some(StepChart {
            spec,
            chart,
            showing,
            cursor: 0,
        })
    }

    /// Moves the cursor by `delta` stops.
    pub fn move_cursor(&mut self, delta: isize) {
        let n = match &self.chart {
            Ok(c) if matches!(c.shape, Shape::Pie) => c.series.first().map_or(0, |s| s.x.len()),
            Ok(c) => c.stops().len(),
            Err(_) => 0,
        };
        self.cursor = self
            .cursor
            .saturating_add_signed(delta)
            .min(n.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests;
