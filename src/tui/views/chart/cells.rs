//! Charts drawn cell by cell: columns and bars (side by side or stacked,
//! each series with its colour or, without colour, its fill), pies and
//! cards. With one axis per series (`ysplit=axes`) the first series'
//! values go on the left of the columns (under the bars) and the others'
//! right of them (in rows under the bars).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::{MONO_FILLS, Pen, side_axes};
use crate::kql::render::{AxisScale, Stacking};
use crate::session::chart::ticks;
use crate::session::chart::{Chart, XKind};
use crate::text::display_width;
use crate::tui::theme::Theme;
use crate::tui::views::common::{fit, put};

/// Eighths of a cell, for the tops of columns and the ends of bars.
const UP_EIGHTHS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const RIGHT_EIGHTHS: [&str; 8] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"];

/// The value axis of columns: label width, and a mapping to rows.
struct ValueAxis {
    lo: f64,
    hi: f64,
    labels: Vec<String>,
}

/// The value axis of `chart` in about `rows` steps; with one axis per
/// series, the first series' (the values are drawn in `0..=1`).
fn value_axis(chart: &Chart, pen: &Pen<'_>, rows: usize) -> ValueAxis {
    if let Some(first) = chart.axes.first() {
        return ValueAxis {
            lo: 0.0,
            hi: 1.0,
            labels: first
                .labels
                .iter()
                .map(|l| pen.axis_label(chart.shape, first.series, l))
                .collect(),
        };
    }
    let (lo, hi, labels) = ticks::covering(
        chart.y_range.0.min(0.0),
        chart.y_range.1,
        rows,
        AxisScale::Linear,
    );
    ValueAxis { lo, hi, labels }
}

/// Columns the value labels of columns `height` rows tall take, with the
/// tick: panels take the widest so their columns line up.
pub(super) fn value_gutter(chart: &Chart, pen: &Pen<'_>, height: u16) -> u16 {
    let rows = usize::from(height.saturating_sub(2));
    value_axis(chart, pen, (rows / 3).clamp(2, 6))
        .labels
        .iter()
        .map(|l| display_width(l))
        .max()
        .unwrap_or(1) as u16
        + 1
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

/// Vertical columns: one per series side by side, or stacked. `x_axis`:
/// the categories are written under them (panels share the last one's);
/// `gutter`: the width of the value labels, when panels line up.
pub(super) fn columns(
    buf: &mut Buffer,
    area: Rect,
    chart: &Chart,
    pen: &Pen<'_>,
    cursor: usize,
    x_axis: bool,
    gutter: Option<u16>,
) {
    let theme = pen.theme;
    let below: u16 = if x_axis { 2 } else { 0 };
    if area.height < 2 + below {
        return;
    }
    let plot_h = usize::from(area.height - below);
    let axis = value_axis(chart, pen, (plot_h / 3).clamp(2, 6));
    let gutter = gutter.unwrap_or_else(|| {
        axis.labels
            .iter()
            .map(|l| display_width(l))
            .max()
            .unwrap_or(1) as u16
            + 1
    });
    let mut plot = Rect {
        x: area.x + gutter + 1,
        y: area.y,
        width: area.width.saturating_sub(gutter + 1),
        height: plot_h as u16,
    };
    if !chart.axes.is_empty() {
        plot.width -= side_axes(buf, plot, plot.y, plot.height, chart, pen);
    }
    let label_style = match chart.axes.first() {
        Some(a) => chart
            .series
            .get(a.series)
            .map_or(theme.dim, |s| pen.style(s, a.series)),
        None => theme.dim,
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
            label_style,
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
            let style = pen.style(&chart.series[s], s);
            let fill_char = pen.fill(s);
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
        if !x_axis {
            continue;
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
    if x_axis {
        put(
            buf,
            plot.x,
            plot.y + plot.height + 1,
            &fit(&chart.x_title, usize::from(plot.width)),
            usize::from(plot.width),
            theme.dim,
        );
    }
}

/// Horizontal bars: categories down the left, values across (a row of
/// value labels per axis under them).
pub(super) fn bars(buf: &mut Buffer, area: Rect, chart: &Chart, pen: &Pen<'_>, cursor: usize) {
    let theme = pen.theme;
    let axis_rows = chart.axes.len().max(1);
    if usize::from(area.height) < 2 + axis_rows || area.width < 12 {
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
    let axis = value_axis(chart, pen, (plot_w / 14).clamp(2, 6));
    let series = chart.series.len().max(1);
    let rows_per = if stacked(chart) { 1 } else { series };
    let slot_h = rows_per + usize::from(rows_per > 1);
    let plot_h = usize::from(area.height) - 1 - axis_rows;
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
            let style = pen.style(&chart.series[s], s);
            let fill_char = pen.fill(s);
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
    // The value axes along the bottom: one, or one per series.
    let y = area.y + area.height - 1 - axis_rows as u16;
    let rows: Vec<(Vec<String>, ratatui::style::Style)> = if chart.axes.is_empty() {
        vec![(axis.labels.clone(), theme.dim)]
    } else {
        chart
            .axes
            .iter()
            .map(|a| {
                let style = chart
                    .series
                    .get(a.series)
                    .map_or(theme.dim, |s| pen.style(s, a.series));
                let labels = a
                    .labels
                    .iter()
                    .map(|l| pen.axis_label(chart.shape, a.series, l))
                    .collect();
                (labels, style)
            })
            .collect()
    };
    for (r, (labels, style)) in rows.iter().enumerate() {
        let n = labels.len().max(2);
        for (i, label) in labels.iter().enumerate() {
            let col = (i * plot_w.saturating_sub(1)) / (n - 1);
            let w = display_width(label);
            let x = (plot_x as usize + col)
                .saturating_sub(w / 2)
                .min(usize::from(area.x + area.width).saturating_sub(w));
            put(buf, x as u16, y + r as u16, label, w, *style);
        }
    }
    put(
        buf,
        plot_x,
        y + axis_rows as u16,
        &fit(&chart.y_title, plot_w),
        plot_w,
        theme.dim,
    );
}

/// A disc of slices, cell by cell (a cell is about twice as tall as wide).
pub(super) fn pie(buf: &mut Buffer, area: Rect, chart: &Chart, pen: &Pen<'_>, cursor: usize) {
    let theme = pen.theme;
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
            let mut style = theme.normal.patch(theme.chart[slice % theme.chart.len()]);
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
pub(super) fn card(buf: &mut Buffer, area: Rect, chart: &Chart, theme: &Theme) {
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
