//! The chart view: what a query's `render` asks for, drawn in cells.
//! Lines, areas and points use ratatui's braille `Chart` (here); columns,
//! bars, pies and cards are drawn cell by cell (`cells`) because they need
//! what `BarChart` has not (stacked segments, a pattern per series when
//! NO_COLOR hides the colours). Every series has a colour from the theme
//! and, without colour, a mark of its own; the legend shows both.
//!
//! `ysplit=axes` puts the first series' axis on the left and the others'
//! right of the plot, each in its series' colour (and, without colour,
//! headed by its mark); `ysplit=panels` stacks one plot per series, all on
//! the x axis drawn under the last. Anomaly marks are `◆` in the error
//! colour on the series they flag.

mod cells;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Chart as RChart, Dataset, GraphType, Widget};

use super::common::{fill, fit, put};
use crate::kql::render::AxisScale;
use crate::session::chart::ticks;
use crate::session::chart::{Chart, Series, Shape, StepChart, XKind};
use crate::text::display_width;
use crate::tui::theme::Theme;

/// Marks for lines and points without colour, one per series.
const MONO_MARKS: [char; 8] = ['•', '+', 'x', 'o', '*', '#', '~', '='];
/// Fills for bars and slices without colour, one per series.
const MONO_FILLS: [char; 8] = ['█', '▓', '▒', '░', '#', '%', '=', '+'];
/// An anomaly mark, in colour or not.
const ANOMALY_MARK: char = '◆';

/// How the series of one plot are drawn: the theme, and each series'
/// place in the palette (a panel's series keep the whole chart's colours).
struct Pen<'a> {
    theme: &'a Theme,
    colours: Vec<usize>,
}

impl Pen<'_> {
    fn colour(&self, i: usize) -> usize {
        self.colours.get(i).copied().unwrap_or(i)
    }

    fn style(&self, s: &Series, i: usize) -> Style {
        if s.anomaly {
            self.theme
                .normal
                .patch(self.theme.error)
                .add_modifier(Modifier::BOLD)
        } else {
            self.theme
                .normal
                .patch(self.theme.chart[self.colour(i) % self.theme.chart.len()])
        }
    }

    /// A series' mark in a line without colour.
    fn mark(&self, i: usize) -> char {
        MONO_MARKS[self.colour(i) % 8]
    }

    /// A series' fill for bars and slices.
    fn fill(&self, i: usize) -> char {
        if self.theme.monochrome {
            MONO_FILLS[self.colour(i) % 8]
        } else {
            '█'
        }
    }

    fn legend_mark(&self, shape: Shape, s: &Series, i: usize) -> String {
        if s.anomaly {
            return ANOMALY_MARK.to_string().repeat(2);
        }
        match (self.theme.monochrome, shape) {
            (true, Shape::Line | Shape::Scatter) => self.mark(i).to_string().repeat(2),
            (true, _) => self.fill(i).to_string().repeat(2),
            (false, Shape::Line) => "──".to_string(),
            (false, Shape::Scatter) => "••".to_string(),
            (false, _) => "██".to_string(),
        }
    }

    /// An axis label of series `i` (`ysplit=axes`): without colour, headed
    /// by the series' mark so the axis can be told from the others.
    fn axis_label(&self, shape: Shape, i: usize, label: &str) -> String {
        if !self.theme.monochrome {
            return label.to_string();
        }
        let mark = match shape {
            Shape::Line | Shape::Scatter => self.mark(i),
            _ => self.fill(i),
        };
        format!("{mark}{label}")
    }
}

fn whole_pen<'a>(theme: &'a Theme, chart: &Chart) -> Pen<'a> {
    Pen {
        theme,
        colours: (0..chart.series.len()).collect(),
    }
}

/// Draws a step's chart in `area`.
pub fn draw(buf: &mut Buffer, area: Rect, sc: &StepChart, theme: &Theme) {
    fill(buf, area, theme.normal);
    if area.height < 4 || area.width < 20 {
        return;
    }
    let chart = match &sc.chart {
        Ok(c) => c,
        Err(e) => {
            put(
                buf,
                area.x + 1,
                area.y,
                &fit(&e.to_string(), usize::from(area.width) - 2),
                usize::from(area.width),
                theme.error,
            );
            return;
        }
    };
    let title = chart
        .title
        .clone()
        .unwrap_or_else(|| chart.visualization.name().to_string());
    let w = usize::from(area.width);
    put(
        buf,
        area.x + 1,
        area.y,
        &fit(&title, w - 2),
        w - 2,
        theme.header.add_modifier(Modifier::BOLD),
    );
    let pen = whole_pen(theme, chart);
    let entries = legend_entries(chart);
    let legend_w = if chart.legend && !entries.is_empty() && chart.shape != Shape::Card {
        let widest = entries.iter().map(|e| display_width(e)).max().unwrap_or(0) + 4;
        (widest as u16).min(area.width / 3).max(8)
    } else {
        0
    };
    let mut notes = chart.notes();
    let plot_w = area
        .width
        .saturating_sub(if legend_w > 0 { legend_w + 1 } else { 0 });
    let hidden = hidden_axes(chart, &pen, plot_w);
    if !hidden.is_empty() {
        notes.push(format!(
            "no room for the axes of {} (the line under the chart reads their values)",
            hidden.join(", ")
        ));
    }
    let readout = readout(chart, sc.cursor);
    let footer = (notes.len() + 1) as u16;
    let mut body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1 + footer),
        ..area
    };
    let ry = body.y + body.height;
    put(
        buf,
        area.x + 1,
        ry,
        &fit(&readout, w - 2),
        w - 2,
        theme.prompt,
    );
    for (i, note) in notes.iter().enumerate() {
        put(
            buf,
            area.x + 1,
            ry + 1 + i as u16,
            &fit(note, w - 2),
            w - 2,
            theme.dim,
        );
    }
    if chart.shape == Shape::Card {
        cells::card(buf, body, chart, theme);
        return;
    }
    if legend_w > 0 {
        let legend_area = Rect {
            x: body.x + body.width - legend_w,
            width: legend_w,
            ..body
        };
        body.width -= legend_w + 1;
        legend(buf, legend_area, chart, &pen, &entries, sc.cursor);
    }
    let cursor_x = cursor_x(chart, sc.cursor);
    if !chart.panels.is_empty() {
        panels(buf, body, chart, sc.cursor, cursor_x, theme);
        return;
    }
    match chart.shape {
        Shape::Pie => cells::pie(buf, body, chart, &pen, sc.cursor),
        Shape::Column => cells::columns(buf, body, chart, &pen, sc.cursor, true, None),
        Shape::Bar => cells::bars(buf, body, chart, &pen, sc.cursor),
        _ => plot(buf, body, chart, &pen, cursor_x, WHOLE),
    }
}

/// The x of the cursor on a plot of points (None on categories).
fn cursor_x(chart: &Chart, cursor: usize) -> Option<f64> {
    if matches!(chart.x, XKind::Category(_)) {
        return None;
    }
    let stops = chart.stops();
    stops
        .get(cursor.min(stops.len().saturating_sub(1)))
        .copied()
}

/// The legend's lines: series names, or slices with their share.
fn legend_entries(chart: &Chart) -> Vec<String> {
    if chart.shape == Shape::Pie {
        let (Some(s), XKind::Category(labels)) = (chart.series.first(), &chart.x) else {
            return Vec::new();
        };
        let total: f64 = s.y.iter().sum();
        return s
            .x
            .iter()
            .zip(&s.y)
            .map(|(x, v)| {
                let label = labels.get(*x as usize).map_or("", String::as_str);
                let share = if total > 0.0 { v / total * 100.0 } else { 0.0 };
                format!("{label} {} ({share:.1}%)", ticks::number(*v))
            })
            .collect();
    }
    chart
        .series
        .iter()
        .map(|s| {
            if s.anomaly {
                format!("{} (anomaly)", s.name)
            } else {
                s.name.clone()
            }
        })
        .collect()
}

fn legend(
    buf: &mut Buffer,
    area: Rect,
    chart: &Chart,
    pen: &Pen<'_>,
    entries: &[String],
    cursor: usize,
) {
    let theme = pen.theme;
    let w = usize::from(area.width);
    for (i, entry) in entries.iter().enumerate().take(usize::from(area.height)) {
        let y = area.y + i as u16;
        let (mark, style) = match chart.series.get(i) {
            Some(s) if chart.shape != Shape::Pie => {
                (pen.legend_mark(chart.shape, s, i), pen.style(s, i))
            }
            // A pie's entries are its slices, coloured in turn.
            _ => (
                pen.fill(i).to_string().repeat(2),
                theme.normal.patch(theme.chart[i % theme.chart.len()]),
            ),
        };
        let x = put(buf, area.x, y, &mark, 2, style);
        let style = if chart.shape == Shape::Pie && i == cursor {
            theme.cursor_cell
        } else {
            theme.normal
        };
        put(
            buf,
            x + 1,
            y,
            &fit(entry, w.saturating_sub(3)),
            w.saturating_sub(3),
            style,
        );
    }
}

/// The line under the chart: the cursor's x and every series' value there
/// (an anomaly series only where it marks one).
fn readout(chart: &Chart, cursor: usize) -> String {
    match chart.shape {
        Shape::Card => return String::new(),
        Shape::Pie => {
            let (Some(s), XKind::Category(labels)) = (chart.series.first(), &chart.x) else {
                return String::new();
            };
            let Some((x, v)) = s.x.get(cursor).zip(s.y.get(cursor)) else {
                return String::new();
            };
            let total: f64 = s.y.iter().sum();
            let share = if total > 0.0 { v / total * 100.0 } else { 0.0 };
            let label = labels.get(*x as usize).map_or("", String::as_str);
            return format!("▸ {label}: {} ({share:.1}%)", ticks::number(*v));
        }
        _ => {}
    }
    let stops = chart.stops();
    let Some(x) = stops.get(cursor.min(stops.len().saturating_sub(1))) else {
        return String::new();
    };
    let values: Vec<String> = chart
        .series
        .iter()
        .zip(chart.values_at(*x))
        .filter_map(|(s, (name, v))| match (s.anomaly, v) {
            (true, None) => None,
            (true, Some(v)) => Some(format!("{ANOMALY_MARK} {name} {}", ticks::number(v))),
            (false, v) => Some(format!(
                "{name} {}",
                v.map_or("—".to_string(), ticks::number)
            )),
        })
        .collect();
    format!("▸ {}   {}", chart.x_text(*x), values.join("   "))
}

/// Labels for an x axis at evenly spaced values between its bounds.
fn x_labels(chart: &Chart, lo: f64, hi: f64, count: usize) -> Vec<String> {
    let count = count.max(2);
    (0..count)
        .map(|i| {
            let v = lo + (hi - lo) * i as f64 / (count - 1) as f64;
            match &chart.x {
                XKind::Time => ticks::time_label(v, hi - lo),
                XKind::Number if chart.x_scale == AxisScale::Log => ticks::number(10f64.powf(v)),
                XKind::Number => ticks::number(v),
                XKind::Category(labels) => {
                    labels.get(v.round() as usize).cloned().unwrap_or_default()
                }
            }
        })
        .collect()
}

/// The y axis of a plot: its bounds (in the space it is drawn in) and its
/// labels, bottom first. With one axis per series, the first series'.
fn y_axis(chart: &Chart, pen: &Pen<'_>, rows: u16) -> (f64, f64, Vec<String>) {
    if let Some(first) = chart.axes.first() {
        let labels = first
            .labels
            .iter()
            .map(|l| pen.axis_label(chart.shape, first.series, l))
            .collect();
        return (0.0, 1.0, labels);
    }
    let count = usize::from(rows / 3).clamp(2, 6);
    ticks::covering(chart.y_range.0, chart.y_range.1, count, chart.y_scale)
}

/// The x bounds of a plot, in the space it is drawn in.
fn x_bounds(chart: &Chart) -> (f64, f64) {
    let sx = |v: f64| ticks::scaled(v, chart.x_scale);
    let (mut lo, mut hi) = (
        sx(chart.x_range.0).unwrap_or(0.0),
        sx(chart.x_range.1).unwrap_or(1.0),
    );
    if hi <= lo {
        lo -= 1.0;
        hi += 1.0;
    }
    (lo, hi)
}

/// Width of the axes right of a plot (`ysplit=axes`), one per series past
/// the first: each its widest label and a space.
fn side_axis_widths(chart: &Chart, pen: &Pen<'_>) -> Vec<u16> {
    chart
        .axes
        .iter()
        .skip(1)
        .map(|a| {
            a.labels
                .iter()
                .map(|l| display_width(&pen.axis_label(chart.shape, a.series, l)))
                .max()
                .unwrap_or(1) as u16
                + 1
        })
        .collect()
}

/// How many axes right of a plot `width` columns wide leaves room for
/// (at most a third of it).
fn side_axes_fitting(chart: &Chart, pen: &Pen<'_>, width: u16) -> usize {
    let mut used = 0;
    side_axis_widths(chart, pen)
        .into_iter()
        .take_while(|w| {
            used += w;
            used <= width / 3
        })
        .count()
}

/// The series whose axes do not fit beside a plot `width` columns wide.
fn hidden_axes(chart: &Chart, pen: &Pen<'_>, width: u16) -> Vec<String> {
    if chart.shape == Shape::Bar {
        return Vec::new();
    }
    let fitting = side_axes_fitting(chart, pen, width);
    chart
        .axes
        .iter()
        .skip(1 + fitting)
        .filter_map(|a| chart.series.get(a.series).map(|s| s.name.clone()))
        .collect()
}

/// Draws the axes right of a plot whose rows run from `top` for `height`:
/// each label on the row the first axis puts its own at the same height.
/// Returns the columns they took.
fn side_axes(
    buf: &mut Buffer,
    area: Rect,
    top: u16,
    height: u16,
    chart: &Chart,
    pen: &Pen<'_>,
) -> u16 {
    let fitting = side_axes_fitting(chart, pen, area.width);
    let widths = side_axis_widths(chart, pen);
    let total: u16 = widths.iter().take(fitting).sum();
    let mut x = area.right().saturating_sub(total);
    for (axis, w) in chart.axes.iter().skip(1).zip(&widths).take(fitting) {
        let style = chart
            .series
            .get(axis.series)
            .map_or(pen.theme.dim, |s| pen.style(s, axis.series));
        let n = axis.labels.len().max(2) as u16;
        for (i, label) in axis.labels.iter().enumerate() {
            let dy = i as u16 * height.saturating_sub(1) / (n - 1);
            let y = (top + height).saturating_sub(1 + dy);
            let text = pen.axis_label(chart.shape, axis.series, label);
            put(buf, x + 1, y, &text, usize::from(*w - 1), style);
        }
        x += w;
    }
    total
}

/// Where a plot sits among others.
#[derive(Clone, Copy)]
struct Part {
    /// The x axis is drawn under it (panels share the last one's).
    x_axis: bool,
    /// The width its y labels are padded to (panels line up).
    pad: usize,
    /// It is a panel: its y title names its series, in its colour.
    panel: bool,
}

/// The whole chart in one plot.
const WHOLE: Part = Part {
    x_axis: true,
    pad: 0,
    panel: false,
};

/// Lines, areas and points on ratatui's braille chart.
fn plot(
    buf: &mut Buffer,
    area: Rect,
    chart: &Chart,
    pen: &Pen<'_>,
    cursor_x: Option<f64>,
    part: Part,
) {
    let Part { x_axis, pad, panel } = part;
    let theme = pen.theme;
    let mut area = area;
    // The y title (a panel's series) on a row of its own: over the plot it
    // would hide the top of the lines.
    if area.height > 4 && !chart.y_title.is_empty() {
        let style = match chart.series.first() {
            Some(s) if panel => pen.style(s, 0),
            _ => theme.dim,
        };
        let w = usize::from(area.width);
        put(buf, area.x, area.y, &fit(&chart.y_title, w), w, style);
        area.y += 1;
        area.height -= 1;
    }
    let graph_h = if x_axis {
        area.height.saturating_sub(2)
    } else {
        area.height
    };
    if !chart.axes.is_empty() {
        area.width -= side_axes(buf, area, area.y, graph_h, chart, pen);
    }
    let (ylo, yhi, ylabels) = y_axis(chart, pen, area.height);
    let sy = |v: f64| ticks::scaled(v, chart.y_scale);
    let sx = |v: f64| ticks::scaled(v, chart.x_scale);
    let (xlo, xhi) = x_bounds(chart);
    let data: Vec<Vec<(f64, f64)>> = chart
        .series
        .iter()
        .map(|s| {
            s.x.iter()
                .zip(&s.top)
                .filter_map(|(x, y)| Some((sx(*x)?, sy(*y)?)))
                .collect()
        })
        .collect();
    let cursor_line: Vec<(f64, f64)> = cursor_x
        .and_then(sx)
        .map(|x| vec![(x, ylo), (x, yhi)])
        .unwrap_or_default();
    let mut datasets = Vec::new();
    datasets.push(
        Dataset::default()
            .data(&cursor_line)
            .graph_type(GraphType::Line)
            .marker(if theme.monochrome {
                Marker::Custom('│')
            } else {
                Marker::Braille
            })
            .style(theme.dim),
    );
    let graph = match chart.shape {
        Shape::Scatter => GraphType::Scatter,
        Shape::Area => GraphType::Area,
        _ => GraphType::Line,
    };
    // Stacked areas are drawn top layer first, so each lower layer covers
    // the part of the fill that belongs to it; anomaly marks go last, over
    // the lines they flag.
    let mut order: Vec<usize> = if chart.shape == Shape::Area {
        (0..data.len()).rev().collect()
    } else {
        (0..data.len()).collect()
    };
    order.sort_by_key(|&i| chart.series[i].anomaly);
    for i in order {
        let s = &chart.series[i];
        let (graph, marker) = match (s.anomaly, theme.monochrome, chart.shape) {
            (true, _, _) => (GraphType::Scatter, Marker::Custom(ANOMALY_MARK)),
            (false, true, _) => (graph, Marker::Custom(pen.mark(i))),
            (false, false, Shape::Scatter) => (graph, Marker::Dot),
            (false, false, _) => (graph, Marker::Braille),
        };
        datasets.push(
            Dataset::default()
                .data(&data[i])
                .graph_type(graph)
                .fill_to_y(ylo)
                .marker(marker)
                .style(pen.style(s, i)),
        );
    }
    let axis_style = theme.dim;
    let label_style = match chart.axes.first() {
        Some(a) => chart
            .series
            .get(a.series)
            .map_or(axis_style, |s| pen.style(s, a.series)),
        None => axis_style,
    };
    let xlabels = if x_axis {
        let count = (usize::from(area.width) / 18).clamp(2, 6);
        x_labels(chart, xlo, xhi, count)
    } else {
        Vec::new()
    };
    let mut x = Axis::default().bounds([xlo, xhi]).style(axis_style);
    if x_axis {
        x = x
            .title(Line::styled(fit(&chart.x_title, 40), axis_style))
            .labels(xlabels.into_iter().map(|l| Line::styled(l, axis_style)));
    }
    let widget = RChart::new(datasets)
        .style(theme.normal)
        .legend_position(None)
        .x_axis(x)
        .y_axis(
            Axis::default()
                .bounds([ylo, yhi])
                .labels(
                    ylabels
                        .into_iter()
                        .map(|l| Line::styled(format!("{l:>pad$}"), label_style)),
                )
                .style(axis_style),
        );
    widget.render(area, buf);
}

/// `ysplit=panels`: one plot per series, stacked, sharing the x axis drawn
/// under the last; as many as have three rows each.
fn panels(
    buf: &mut Buffer,
    area: Rect,
    chart: &Chart,
    cursor: usize,
    cursor_x: Option<f64>,
    theme: &Theme,
) {
    if area.height < 3 {
        return;
    }
    let shown = chart.panels.len().min(usize::from(area.height / 3)).max(1);
    let mut body = area;
    if shown < chart.panels.len() {
        body.height -= 1;
        put(
            buf,
            area.x + 1,
            area.y + area.height - 1,
            &format!(
                "{shown} of {} panels shown: the terminal is too short for more",
                chart.panels.len()
            ),
            usize::from(area.width) - 1,
            theme.dim,
        );
    }
    let h = body.height / shown as u16;
    let pens: Vec<Pen<'_>> = chart.panels[..shown]
        .iter()
        .map(|p| Pen {
            theme,
            colours: chart.palette_of(p),
        })
        .collect();
    // The y labels of every panel as wide as the widest (and as the first
    // x label leans left), so the plots line up over the shared x axis.
    let pad = match chart.shape {
        Shape::Column => 0,
        _ => {
            let (xlo, xhi) = x_bounds(chart);
            let first_x = x_labels(chart, xlo, xhi, (usize::from(area.width) / 18).clamp(2, 6))
                .first()
                .map_or(0, |l| display_width(l).saturating_sub(1));
            chart.panels[..shown]
                .iter()
                .zip(&pens)
                .flat_map(|(p, pen)| y_axis(p, pen, h).2)
                .map(|l| display_width(&l))
                .max()
                .unwrap_or(0)
                .max(first_x)
        }
    };
    let gutter = chart.panels[..shown]
        .iter()
        .zip(&pens)
        .map(|(p, pen)| cells::value_gutter(p, pen, h))
        .max();
    for (k, (panel, pen)) in chart.panels[..shown].iter().zip(&pens).enumerate() {
        let last = k + 1 == shown;
        let rect = Rect {
            y: body.y + h * k as u16,
            height: if last { body.height - h * k as u16 } else { h },
            ..body
        };
        match chart.shape {
            Shape::Column => cells::columns(buf, rect, panel, pen, cursor, last, gutter),
            Shape::Bar => cells::bars(buf, rect, panel, pen, cursor),
            _ => plot(
                buf,
                rect,
                panel,
                pen,
                cursor_x,
                Part {
                    x_axis: last,
                    pad,
                    panel: true,
                },
            ),
        }
    }
}
