//! What `render KIND [with (...)]` asks for. The operator changes no data:
//! like Kusto's "Visualization" annotation, this travels with the result and
//! the workbench and the SVG writer read it.

use super::ast::{OperatorKind, Query, Span};

/// The chart a query asks for (`render timechart`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visualization {
    AnomalyChart,
    AreaChart,
    BarChart,
    Card,
    ColumnChart,
    LadderChart,
    LineChart,
    PieChart,
    PivotChart,
    ScatterChart,
    StackedAreaChart,
    Table,
    TimeChart,
    TimePivot,
    TreeMap,
}

/// Every visualization with its name in KQL.
pub const VISUALIZATIONS: &[(&str, Visualization)] = &[
    ("anomalychart", Visualization::AnomalyChart),
    ("areachart", Visualization::AreaChart),
    ("barchart", Visualization::BarChart),
    ("card", Visualization::Card),
    ("columnchart", Visualization::ColumnChart),
    ("ladderchart", Visualization::LadderChart),
    ("linechart", Visualization::LineChart),
    ("piechart", Visualization::PieChart),
    ("pivotchart", Visualization::PivotChart),
    ("scatterchart", Visualization::ScatterChart),
    ("stackedareachart", Visualization::StackedAreaChart),
    ("table", Visualization::Table),
    ("timechart", Visualization::TimeChart),
    ("timepivot", Visualization::TimePivot),
    ("treemap", Visualization::TreeMap),
];

impl Visualization {
    /// The name as written after `render`.
    pub fn name(self) -> &'static str {
        VISUALIZATIONS
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("table", |(n, _)| n)
    }

    /// The visualization called `name` (case-sensitive, as in Kusto).
    pub fn from_name(name: &str) -> Option<Visualization> {
        VISUALIZATIONS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// The `kind` property: how several series share the chart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stacking {
    /// Each series stands on its own (`default`, `unstacked`).
    #[default]
    Unstacked,
    /// Series are stacked one atop the other.
    Stacked,
    /// Stacked and stretched to 100% at every x.
    Stacked100,
    /// `kind=map` (geospatial): parsed, drawn as the plain chart.
    Map,
}

/// How an axis is scaled (`xaxis`, `yaxis`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AxisScale {
    #[default]
    Linear,
    Log,
}

/// The `ysplit` property.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum YSplit {
    /// One y axis for every series.
    #[default]
    None,
    /// One y axis per series, on one chart.
    Axes,
    /// One chart per y column (at most five).
    Panels,
}

/// `render KIND with (...)`, its properties decoded. Unset properties are
/// left for the chart to guess, as Kusto's user agents do.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderSpec {
    pub visualization: Visualization,
    pub title: Option<String>,
    pub xcolumn: Option<String>,
    pub ycolumns: Vec<String>,
    pub series: Vec<String>,
    pub stacking: Stacking,
    pub xtitle: Option<String>,
    pub ytitle: Option<String>,
    /// `legend=hidden` sets this to false.
    pub legend: bool,
    pub ymin: Option<f64>,
    pub ymax: Option<f64>,
    pub xaxis: AxisScale,
    pub yaxis: AxisScale,
    pub accumulate: bool,
    pub ysplit: YSplit,
    /// `anomalycolumns` (anomalychart only).
    pub anomaly_columns: Vec<String>,
    /// The whole `render ...` operator in the query text.
    pub span: Span,
}

impl RenderSpec {
    /// A spec with every property unset.
    pub fn new(visualization: Visualization, span: Span) -> RenderSpec {
        RenderSpec {
            visualization,
            title: None,
            xcolumn: None,
            ycolumns: Vec::new(),
            series: Vec::new(),
            stacking: Stacking::Unstacked,
            xtitle: None,
            ytitle: None,
            legend: true,
            ymin: None,
            ymax: None,
            xaxis: AxisScale::Linear,
            yaxis: AxisScale::Linear,
            accumulate: false,
            ysplit: YSplit::None,
            anomaly_columns: Vec::new(),
            span,
        }
    }
}

/// The `render` that ends `query`, if any (the parser refuses one that is
/// not last).
pub fn render_of(query: &Query) -> Option<&RenderSpec> {
    match &query.body.ops.last()?.kind {
        OperatorKind::Render(spec) => Some(spec),
        _ => None,
    }
}

/// The `render` that ends the query `text`, if it parses and has one.
pub fn render_of_text(text: &str) -> Option<RenderSpec> {
    let query = super::parser::parse(text).ok()?;
    render_of(&query).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (name, v) in VISUALIZATIONS {
            assert_eq!(v.name(), *name);
            assert_eq!(Visualization::from_name(name), Some(*v));
        }
        assert_eq!(Visualization::from_name("TimeChart"), None);
    }

    #[test]
    fn the_last_render_travels_with_the_query() {
        let spec = render_of_text("T | take 3 | render piechart with (title=\"Ports\")")
            .expect("a render");
        assert_eq!(spec.visualization, Visualization::PieChart);
        assert_eq!(spec.title.as_deref(), Some("Ports"));
        assert_eq!(render_of_text("T | take 3"), None);
    }
}
