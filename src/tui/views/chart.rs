//! The chart view: what a query's `render` asks for, drawn in cells.
//! Lines, areas and points use ratatui's braille `Chart`; columns, bars,
//! pies and cards are drawn cell by cell because they need what `BarChart`
//! has not (stacked segments, a pattern per series when NO_COLOR hides the
//! colours). Every series has a colour from the theme and, without colour,
//! a mark of its own; the legend shows both.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Chart as RChart, Dataset, GraphType, Widget};

use super::common::{fill, fit, put};
use crate::kql::render::{AxisScale, Stacking};
use crate::session::chart::ticks::{self, Ticks};
use crate::session::chart::{Chart, Shape, StepChart, XKind};
use crate::text::display_width;
use crate::tui::theme::Theme;

/// Marks for lines and points without colour, one per series.
const MONO_MARKS: [char; 8] = ['•', '+', 'x', 'o', '*', '#', '~', '='];
/// Fills for bars and slices without colour, one per series.
const MONO_FILLS: [char; 8] = ['█', '▓', '▒', '░', '#', '%', '=', '+'];
/// Eighths of a cell, for the tops of columns and the ends of bars.
const UP_EIGHTHS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const RIGHT_EIGHTHS: [&str; 8] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"];

/// How series `i` is drawn: its style, its mark in a line, its fill.
fn series_style(theme: &Theme, i: usize) -> Style {
    theme.normal.patch(theme.chart[i % theme.chart.len()])
}

fn legend_mark(theme: &Theme, shape: Shape, i: usize) -> String {
    match (theme.monochrome, shape) {
        (true, Shape::Line | Shape::Scatter) => MONO_MARKS[i % 8].to_string().repeat(2),
        (true, _) => MONO_FILLS[i % 8].to_string().repeat(2),
        (false, Shape::Line) => "──".to_string(),
        (false, Shape::Scatter) => "••".to_string(),
        (false, _) => "██".to_string(),
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
    let notes = chart.notes();
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
        card(buf, body, chart, theme);
        return;
    }
    let entries = legend_entries(chart);
    if chart.legend && !entries.is_empty() {
        let widest = entries.iter().map(|e| display_width(e)).max().unwrap_or(0) + 4;
        let lw = (widest as u16).min(area.width / 3).max(8);
        let legend_area = Rect {
            x: body.x + body.width - lw,
            width: lw,
            ..body
        };
        body.width -= lw + 1;
        legend(buf, legend_area, chart, &entries, sc.cursor, theme);
    }
    match chart.shape {
        Shape::Pie => pie(buf, body, chart, sc.cursor, theme),
        Shape::Column => columns(buf, body, chart, sc.cursor, theme),
        Shape::Bar => bars(buf, body, chart, sc.cursor, theme),
        _ => plot(buf, body, chart, sc.cursor, theme),
    }
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
    chart.series.iter().map(|s| s.name.clone()).collect()
}

fn legend(
    buf: &mut Buffer,
    area: Rect,
    chart: &Chart,
    entries: &[String],
    cursor: usize,
    theme: &Theme,
) {
    let w = usize::from(area.width);
    for (i, entry) in entries.iter().enumerate().take(usize::from(area.height)) {
        let y = area.y + i as u16;
        let x = put(
            buf,
            area.x,
            y,
            &legend_mark(theme, chart.shape, i),
            2,
            series_style(theme, i),
        );
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

/// The line under the chart: the cursor's x and every series' value there.
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
        .values_at(*x)
        .into_iter()
        .map(|(name, v)| format!("{name} {}", v.map_or("—".to_string(), ticks::number)))
        .collect();
    format!("▸ {}   {}", chart.x_text(*x), values.join("   "))
}

/// Ticks spanning `lo..=hi` exactly at their ends, so ratatui, which
/// spreads labels evenly between the bounds, puts each at its value.
fn covering(lo: f64, hi: f64, count: usize, scale: AxisScale) -> (f64, f64, Vec<String>) {
    if scale == AxisScale::Log && lo > 0.0 {
        let (a, b) = (
            lo.log10().floor(),
            hi.log10().ceil().max(lo.log10().floor() + 1.0),
        );
        let labels = (a as i32..=b as i32)
            .map(|e| ticks::number(10f64.powi(e)))
            .collect();
        return (a, b, labels);
    }
    let Ticks { values, .. } = ticks::numeric(lo, hi, count, AxisScale::Linear);
    let step = match values.as_slice() {
        [a, b, ..] => b - a,
        _ => (hi - lo).max(1.0),
    };
    let mut first = values.first().copied().unwrap_or(lo);
    let mut last = values.last().copied().unwrap_or(hi);
    while first > lo {
        first -= step;
    }
    while last < hi {
        last += step;
    }
    let n = ((last - first) / step).round() as usize;
    let labels = (0..=n)
        .map(|i| ticks::number(first + step * i as f64))
        .collect();
    (first, last, labels)
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

/// Lines, areas and points on ratatui's braille chart.
fn plot(buf: &mut Buffer, area: Rect, chart: &Chart, cursor: usize, theme: &Theme) {
    let rows = usize::from(area.height / 3).clamp(2, 6);
    let (ylo, yhi, ylabels) = covering(chart.y_range.0, chart.y_range.1, rows, chart.y_scale);
    let sx = |v: f64| ticks::scaled(v, chart.x_scale);
    let sy = |v: f64| ticks::scaled(v, chart.y_scale);
    let (mut xlo, mut xhi) = (
        sx(chart.x_range.0).unwrap_or(0.0),
        sx(chart.x_range.1).unwrap_or(1.0),
    );
    if xhi <= xlo {
        xlo -= 1.0;
        xhi += 1.0;
    }
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
    let stops = chart.stops();
    let cursor_line: Vec<(f64, f64)> = stops
        .get(cursor.min(stops.len().saturating_sub(1)))
        .and_then(|x| sx(*x))
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
    // the part of the fill that belongs to it.
    let order: Vec<usize> = if chart.shape == Shape::Area {
        (0..data.len()).rev().collect()
    } else {
        (0..data.len()).collect()
    };
    for i in order {
        let marker = match (theme.monochrome, chart.shape) {
            (true, _) => Marker::Custom(MONO_MARKS[i % 8]),
            (false, Shape::Scatter) => Marker::Dot,
            (false, _) => Marker::Braille,
        };
        datasets.push(
            Dataset::default()
                .data(&data[i])
                .graph_type(graph)
                .fill_to_y(ylo)
                .marker(marker)
                .style(series_style(theme, i)),
        );
    }
    let label_count = (usize::from(area.width) / 18).clamp(2, 6);
    let xlabels = x_labels(chart, xlo, xhi, label_count);
    let axis_style = theme.dim;
    let widget = RChart::new(datasets)
        .style(theme.normal)
        .legend_position(None)
        .x_axis(
            Axis::default()
                .title(Line::styled(fit(&chart.x_title, 40), axis_style))
                .bounds([xlo, xhi])
                .labels(xlabels.into_iter().map(|l| Line::styled(l, axis_style)))
                .style(axis_style),
        )
        .y_axis(
            Axis::default()
                .title(Line::styled(fit(&chart.y_title, 40), axis_style))
                .bounds([ylo, yhi])
                .labels(ylabels.into_iter().map(|l| Line::styled(l, axis_style)))
                .style(axis_style),
        );
    widget.render(area, buf);
}

/// The value axis of columns: label width, and a mapping to rows.
struct ValueAxis {
    lo: f64,
    hi: f64,
    labels: Vec<String>,
}

fn value_axis(chart: &Chart, rows: usize) -> ValueAxis {
    let (lo, hi, labels) = covering(
        chart.y_range.0.min(0.0),
        chart.y_range.1,
        rows,
        AxisScale::Linear,
    );
    ValueAxis { lo, hi, labels }
}

/// Categories that fit in `slots`, keeping `cursor` in view.
fn window(n: usize, slots: usize, cursor: usize) -> std::ops::Range<usize> {
    let slots = slots.max(1);
    if n <= slots {
        return 0..n;
    }
    let start = cursor.saturating_sub(slots - 1).min(n - slots);
    start..start + slots
}

fn categories(chart: &Chart) -> &[String] {
    match &chart.x {
        XKind::Category(l) => l.as_slice(),
        _ => &[],
    }
}

/// Value of series `s` at category `c`: (bottom, top).
fn segment(chart: &Chart, s: usize, c: usize) -> Option<(f64, f64)> {
    let series = chart.series.get(s)?;
    let i = series.x.iter().position(|x| *x as usize == c)?;
    Some((series.bottom[i], series.top[i]))
}

fn stacked(chart: &Chart) -> bool {
    matches!(chart.stacking, Stacking::Stacked | Stacking::Stacked100)
}

/// Vertical columns: one per series side by side, or stacked.
fn columns(buf: &mut Buffer, area: Rect, chart: &Chart, cursor: usize, theme: &Theme) {
    if area.height < 4 {
        return;
    }
    let plot_h = usize::from(area.height - 2);
    let axis = value_axis(chart, (plot_h / 3).clamp(2, 6));
    let gutter = axis
        .labels
        .iter()
        .map(|l| display_width(l))
        .max()
        .unwrap_or(1) as u16
        + 1;
    let plot = Rect {
        x: area.x + gutter + 1,
        y: area.y,
        width: area.width.saturating_sub(gutter + 1),
        height: plot_h as u16,
    };
    // Value labels down the left, evenly spaced like the ticks.
    let n_labels = axis.labels.len().max(2);
    for (i, label) in axis.labels.iter().enumerate() {
        let row = plot_h - 1 - (i * (plot_h - 1)) / (n_labels - 1);
        let text = format!("{label:>w$}", w = usize::from(gutter - 1));
        put(
            buf,
            area.x,
            plot.y + row as u16,
            &text,
            usize::from(gutter),
            theme.dim,
        );
        put(buf, area.x + gutter, plot.y + row as u16, "┤", 1, theme.dim);
    }
    let labels = categories(chart);
    let series = chart.series.len().max(1);
    // Slots as wide as the room allows, up to what a label needs.
    let least = if stacked(chart) { 2 } else { series } + 1;
    let widest = labels.iter().map(|l| display_width(l)).max().unwrap_or(1) + 1;
    let slot_w = (usize::from(plot.width) / labels.len().max(1))
        .min(widest.max(least).min(16))
        .max(least);
    let bar_w = if stacked(chart) {
        slot_w - 1
    } else {
        ((slot_w - 1) / series).max(1)
    };
    let shown = window(labels.len(), usize::from(plot.width) / slot_w, cursor);
    let scale =
        |v: f64| -> f64 { ((v - axis.lo) / (axis.hi - axis.lo) * plot_h as f64 * 8.0).max(0.0) };
    for (k, c) in shown.clone().enumerate() {
        let x0 = plot.x + (k * slot_w) as u16;
        for s in 0..chart.series.len() {
            let Some((bottom, top)) = segment(chart, s, c) else {
                continue;
            };
            let (x, width) = if stacked(chart) {
                (x0, bar_w as u16)
            } else {
                (x0 + (s * bar_w) as u16, bar_w as u16)
            };
            let style = series_style(theme, s);
            let fill_char = if theme.monochrome {
                MONO_FILLS[s % 8]
            } else {
                '█'
            };
            let (b8, t8) = (scale(bottom).round() as usize, scale(top).round() as usize);
            for row in 0..plot_h {
                let cell_lo = row * 8;
                let symbol = if t8 >= cell_lo + 8 && b8 <= cell_lo {
                    Some(fill_char.to_string())
                } else if t8 > cell_lo && b8 <= cell_lo && !stacked(chart) && !theme.monochrome {
                    Some(UP_EIGHTHS[t8 - cell_lo - 1].to_string())
                } else if stacked(chart) && t8 > cell_lo + 3 && b8 <= cell_lo + 4 {
                    // Stacked segments are drawn in whole cells, each cell
                    // to the series that covers most of it.
                    Some(fill_char.to_string())
                } else {
                    None
                };
                if let Some(sym) = symbol {
                    let y = plot.y + (plot_h - 1 - row) as u16;
                    for dx in 0..width {
                        if x + dx < plot.x + plot.width {
                            buf[(x + dx, y)].set_symbol(&sym).set_style(style);
                        }
                    }
                }
            }
        }
        let label_style = if c == cursor {
            theme.cursor_cell
        } else {
            theme.dim
        };
        let label = labels.get(c).map_or("", String::as_str);
        put(
            buf,
            x0,
            plot.y + plot.height,
            &fit(label, slot_w - 1),
            slot_w - 1,
            label_style,
        );
    }
    put(
        buf,
        plot.x,
        plot.y + plot.height + 1,
        &fit(&chart.x_title, usize::from(plot.width)),
        usize::from(plot.width),
        theme.dim,
    );
}

/// Horizontal bars: categories down the left, values across.
fn bars(buf: &mut Buffer, area: Rect, chart: &Chart, cursor: usize, theme: &Theme) {
    if area.height < 3 || area.width < 12 {
        return;
    }
    let labels = categories(chart);
    let label_w = labels
        .iter()
        .map(|l| display_width(l))
        .max()
        .unwrap_or(1)
        .clamp(1, 20);
    let plot_x = area.x + label_w as u16 + 1;
    let plot_w = usize::from(area.width).saturating_sub(label_w + 2);
    let axis = value_axis(chart, (plot_w / 14).clamp(2, 6));
    let series = chart.series.len().max(1);
    let rows_per = if stacked(chart) { 1 } else { series };
    let slot_h = rows_per + usize::from(rows_per > 1);
    let plot_h = usize::from(area.height - 2);
    let shown = window(labels.len(), plot_h / slot_h, cursor);
    let scale =
        |v: f64| -> f64 { ((v - axis.lo) / (axis.hi - axis.lo) * plot_w as f64 * 8.0).max(0.0) };
    for (k, c) in shown.enumerate() {
        let y0 = area.y + (k * slot_h) as u16;
        let label_style = if c == cursor {
            theme.cursor_cell
        } else {
            theme.dim
        };
        put(
            buf,
            area.x,
            y0,
            &fit(labels.get(c).map_or("", String::as_str), label_w),
            label_w,
            label_style,
        );
        put(buf, plot_x - 1, y0, "│", 1, theme.dim);
        for s in 0..chart.series.len() {
            let Some((bottom, top)) = segment(chart, s, c) else {
                continue;
            };
            let y = if stacked(chart) { y0 } else { y0 + s as u16 };
            let style = series_style(theme, s);
            let fill_char = if theme.monochrome {
                MONO_FILLS[s % 8]
            } else {
                '█'
            };
            let (b8, t8) = (scale(bottom).round() as usize, scale(top).round() as usize);
            for col in 0..plot_w {
                let lo = col * 8;
                let symbol = if t8 >= lo + 8 && b8 <= lo {
                    Some(fill_char.to_string())
                } else if t8 > lo && b8 <= lo && !stacked(chart) && !theme.monochrome {
                    Some(RIGHT_EIGHTHS[t8 - lo - 1].to_string())
                } else if stacked(chart) && t8 > lo + 3 && b8 <= lo + 4 {
                    Some(fill_char.to_string())
                } else {
                    None
                };
                if let Some(sym) = symbol {
                    buf[(plot_x + col as u16, y)]
                        .set_symbol(&sym)
                        .set_style(style);
                }
            }
        }
    }
    // The value axis along the bottom.
    let y = area.y + area.height - 2;
    let n = axis.labels.len().max(2);
    for (i, label) in axis.labels.iter().enumerate() {
        let col = (i * plot_w.saturating_sub(1)) / (n - 1);
        let w = display_width(label);
        let x = (plot_x as usize + col)
            .saturating_sub(w / 2)
            .min(usize::from(area.x + area.width).saturating_sub(w));
        put(buf, x as u16, y, label, w, theme.dim);
    }
    put(
        buf,
        plot_x,
        y + 1,
        &fit(&chart.y_title, plot_w),
        plot_w,
        theme.dim,
    );
}

/// A disc of slices, cell by cell (a cell is about twice as tall as wide).
fn pie(buf: &mut Buffer, area: Rect, chart: &Chart, cursor: usize, theme: &Theme) {
    let Some(s) = chart.series.first() else {
        return;
    };
    let total: f64 = s.y.iter().sum();
    if total <= 0.0 {
        put(
            buf,
            area.x + 1,
            area.y,
            "every slice is zero",
            usize::from(area.width),
            theme.dim,
        );
        return;
    }
    // Cumulative shares, as fractions of a turn.
    let mut ends = Vec::with_capacity(s.y.len());
    let mut run = 0.0;
    for v in &s.y {
        run += v / total;
        ends.push(run);
    }
    let r = (f64::from(area.height) / 2.0).min(f64::from(area.width) / 4.0) - 0.5;
    if r < 1.0 {
        return;
    }
    let (cx, cy) = (
        f64::from(area.x) + f64::from(area.width) / 2.0,
        f64::from(area.y) + f64::from(area.height) / 2.0,
    );
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let dx = (f64::from(x) + 0.5 - cx) / 2.0;
            let dy = f64::from(y) + 0.5 - cy;
            if dx * dx + dy * dy > r * r {
                continue;
            }
            // Clockwise from twelve o'clock, as pies are read.
            let turn = (dx.atan2(-dy) / std::f64::consts::TAU).rem_euclid(1.0);
            let slice = ends
                .iter()
                .position(|e| turn < *e)
                .unwrap_or(ends.len() - 1);
            let mut style = series_style(theme, slice);
            if slice == cursor {
                style = style.add_modifier(Modifier::BOLD);
            }
            let sym = if theme.monochrome {
                MONO_FILLS[slice % 8]
            } else {
                '█'
            };
            buf[(x, y)].set_symbol(&sym.to_string()).set_style(style);
        }
    }
}

/// `render card`: each value large enough to read across the room.
fn card(buf: &mut Buffer, area: Rect, chart: &Chart, theme: &Theme) {
    let w = usize::from(area.width);
    for (i, (name, value)) in chart.card.iter().enumerate() {
        let y = area.y + 1 + 3 * i as u16;
        if y + 1 >= area.y + area.height {
            break;
        }
        let value = fit(value, w - 2);
        let x = area.x + ((w - display_width(&value)) / 2) as u16;
        put(
            buf,
            x,
            y,
            &value,
            w,
            theme.normal.add_modifier(Modifier::BOLD),
        );
        let name = fit(name, w - 2);
        let x = area.x + ((w - display_width(&name)) / 2) as u16;
        put(buf, x, y + 1, &name, w, theme.dim);
    }
}
