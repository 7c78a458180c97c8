//! A chart as an SVG document, for reports: the title, axes with their
//! labels, a legend, and one `<path class="series">` per series (per slice
//! for a pie). Written as text: the format is small and fixed, and every
//! piece of data in it is escaped.

use std::fmt::Write;

use quick_xml::escape::escape;

use super::ticks::{self, Ticks};
use super::{Chart, Series, Shape, XKind};
use crate::kql::render::{AxisScale, Stacking};

/// Width and height of the document, in pixels.
pub const WIDTH: f64 = 960.0;
pub const HEIGHT: f64 = 540.0;

/// Series colours (Tableau 10); dashes tell lines apart in grey print.
const COLOURS: &[&str] = &[
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
];
const DASHES: &[&str] = &["", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 2 1 2", "3 5"];

const LEFT: f64 = 80.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 60.0;

/// The plot area and the mapping from values to pixels.
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    xr: (f64, f64),
    yr: (f64, f64),
    x_scale: AxisScale,
    y_scale: AxisScale,
}

impl Frame {
    fn px(&self, x: f64) -> Option<f64> {
        let v = ticks::scaled(x, self.x_scale)?;
        let lo = ticks::scaled(self.xr.0, self.x_scale).unwrap_or(0.0);
        let hi = ticks::scaled(self.xr.1, self.x_scale).unwrap_or(1.0);
        let span = if hi > lo { hi - lo } else { 1.0 };
        Some(self.x0 + (v - lo) / span * (self.x1 - self.x0))
    }
    fn py(&self, y: f64) -> Option<f64> {
        let v = ticks::scaled(y, self.y_scale)?;
        let lo = ticks::scaled(self.yr.0, self.y_scale).unwrap_or(0.0);
        let hi = ticks::scaled(self.yr.1, self.y_scale).unwrap_or(1.0);
        let span = if hi > lo { hi - lo } else { 1.0 };
        let v = v.clamp(lo, hi);
        Some(self.y1 - (v - lo) / span * (self.y1 - self.y0))
    }
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, content: &str) {
    let _ = writeln!(
        out,
        r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}">{}</text>"#,
        escape(content)
    );
}

/// The chart as an SVG document.
pub fn write(chart: &Chart) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    out.push_str(r#"<rect width="100%" height="100%" fill="white"/>"#);
    out.push('\n');
    let title = chart
        .title
        .clone()
        .unwrap_or_else(|| chart.visualization.name().to_string());
    let _ = writeln!(
        out,
        r#"<text class="title" x="{:.1}" y="28" text-anchor="middle" font-size="18">{}</text>"#,
        WIDTH / 2.0,
        escape(&title)
    );
    match chart.shape {
        Shape::Card => card(&mut out, chart),
        Shape::Pie => pie(&mut out, chart),
        _ => plot(&mut out, chart),
    }
    for (i, note) in chart.notes().iter().enumerate() {
        text(
            &mut out,
            LEFT,
            HEIGHT - 8.0 - 14.0 * i as f64,
            "start",
            "note",
            note,
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Room for each y axis past the first (`ysplit=axes`), right of the plot.
const AXIS_GAP: f64 = 80.0;
/// Space between panels (`ysplit=panels`).
const PANEL_GAP: f64 = 16.0;
/// Anomaly marks are red, as Kusto draws them.
const ANOMALY: &str = "#d62728";

/// Where one plot goes, in pixels, and whether its x labels are drawn
/// (panels share the bottom one's).
struct Place {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    x_labels: bool,
}

fn fill_of(s: &Series, colour: usize) -> &'static str {
    if s.anomaly {
        ANOMALY
    } else {
        COLOURS[colour % COLOURS.len()]
    }
}

fn plot(out: &mut String, chart: &Chart) {
    let extra_axes = chart.axes.len().saturating_sub(1) as f64;
    let horizontal = chart.shape == Shape::Bar;
    let x1 = if horizontal {
        WIDTH - RIGHT
    } else {
        WIDTH - RIGHT - AXIS_GAP * extra_axes
    };
    let y1 = if horizontal {
        HEIGHT - BOTTOM - 14.0 * extra_axes
    } else {
        HEIGHT - BOTTOM
    };
    if chart.panels.is_empty() {
        let place = Place {
            x0: LEFT,
            x1,
            y0: TOP,
            y1,
            x_labels: true,
        };
        let colours: Vec<usize> = (0..chart.series.len()).collect();
        plot_in(out, chart, &place, &colours);
    } else {
        let n = chart.panels.len() as f64;
        let h = (y1 - TOP - PANEL_GAP * (n - 1.0)) / n;
        for (k, panel) in chart.panels.iter().enumerate() {
            let y0 = TOP + k as f64 * (h + PANEL_GAP);
            let place = Place {
                x0: LEFT,
                x1,
                y0,
                y1: y0 + h,
                x_labels: k + 1 == chart.panels.len(),
            };
            plot_in(out, panel, &place, &chart.palette_of(panel));
        }
    }
    if chart.legend {
        let entries: Vec<(String, &str)> = chart
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let name = if s.anomaly {
                    format!("{} (anomaly)", s.name)
                } else {
                    s.name.clone()
                };
                (name, fill_of(s, i))
            })
            .collect();
        legend(out, &entries);
    }
}

/// One plot of `chart` in `place`: axes, labels, titles, series.
fn plot_in(out: &mut String, chart: &Chart, place: &Place, colours: &[usize]) {
    let horizontal = chart.shape == Shape::Bar;
    let categories = match &chart.x {
        XKind::Category(labels) => Some(labels.as_slice()),
        _ => None,
    };
    let bars = matches!(chart.shape, Shape::Column | Shape::Bar);
    // Bars sit between category ticks: half a slot of room at each end.
    let xr = if bars {
        (chart.x_range.0 - 0.5, chart.x_range.1 + 0.5)
    } else if chart.x_range.1 > chart.x_range.0 {
        chart.x_range
    } else {
        (chart.x_range.0 - 1.0, chart.x_range.0 + 1.0)
    };
    let f = Frame {
        x0: place.x0,
        x1: place.x1,
        y0: place.y0,
        y1: place.y1,
        xr,
        yr: chart.y_range,
        x_scale: if bars {
            AxisScale::Linear
        } else {
            chart.x_scale
        },
        y_scale: chart.y_scale,
    };
    let ticks_count = if place.y1 - place.y0 < 200.0 { 4 } else { 6 };
    let value_ticks = ticks::numeric(chart.y_range.0, chart.y_range.1, ticks_count, chart.y_scale);
    let cat_ticks = |labels: &[String]| Ticks {
        values: (0..labels.len()).map(|i| i as f64).collect(),
        labels: labels.to_vec(),
    };
    let key_ticks = match (&chart.x, categories) {
        (_, Some(labels)) => thinned(cat_ticks(labels), f.x1 - f.x0, horizontal, f.y1 - f.y0),
        (XKind::Time, _) => ticks::time(xr.0, xr.1, 6),
        _ => ticks::numeric(xr.0, xr.1, 6, chart.x_scale),
    };
    out.push_str(r##"<g class="axes" stroke="#333" fill="none">"##);
    let _ = write!(
        out,
        r#"<path d="M{:.1} {:.1} V{:.1} H{:.1}"/>"#,
        f.x0, f.y0, f.y1, f.x1
    );
    out.push_str("</g>\n");
    // Horizontal bars swap the axes: categories down the left side.
    let (down, across) = if horizontal {
        (&key_ticks, &value_ticks)
    } else {
        (&value_ticks, &key_ticks)
    };
    let flip = |v: f64| -> Option<f64> {
        if horizontal {
            // A category's row: first at the top.
            let n = xr.1 - xr.0;
            Some(f.y0 + (v - xr.0) / n * (f.y1 - f.y0))
        } else {
            f.py(v)
        }
    };
    if chart.axes.is_empty() || horizontal {
        for (v, label) in down.values.iter().zip(&down.labels) {
            if let Some(y) = flip(*v) {
                text(out, f.x0 - 6.0, y + 4.0, "end", "y-label", label);
            }
        }
    } else {
        value_axes(out, chart, &f, colours);
    }
    if place.x_labels && (chart.axes.is_empty() || !horizontal) {
        for (v, label) in across.values.iter().zip(&across.labels) {
            let x = if horizontal {
                let span = chart.y_range.1 - chart.y_range.0;
                ticks::scaled(*v, chart.y_scale)
                    .map(|_| f.x0 + (v - chart.y_range.0) / span * (f.x1 - f.x0))
            } else {
                f.px(*v)
            };
            if let Some(x) = x {
                text(out, x, f.y1 + 18.0, "middle", "x-label", label);
            }
        }
    } else if place.x_labels {
        value_axes(out, chart, &f, colours);
    }
    let (x_title, y_title) = if horizontal {
        (&chart.y_title, &chart.x_title)
    } else {
        (&chart.x_title, &chart.y_title)
    };
    if place.x_labels {
        let below = if horizontal {
            14.0 * chart.axes.len().saturating_sub(1) as f64
        } else {
            0.0
        };
        text(
            out,
            (f.x0 + f.x1) / 2.0,
            f.y1 + 40.0 + below,
            "middle",
            "x-title",
            x_title,
        );
    }
    let mid = (f.y0 + f.y1) / 2.0;
    let _ = writeln!(
        out,
        r#"<text class="y-title" x="18" y="{mid:.1}" text-anchor="middle" transform="rotate(-90 18 {mid:.1})">{}</text>"#,
        escape(y_title)
    );
    let n = chart.series.iter().filter(|s| !s.anomaly).count().max(1) as f64;
    let stacked = matches!(chart.stacking, Stacking::Stacked | Stacking::Stacked100);
    let mut slot_index = 0.0;
    for (i, s) in chart.series.iter().enumerate() {
        let colour = colours.get(i).copied().unwrap_or(i);
        let fill = fill_of(s, colour);
        if s.anomaly {
            let _ = writeln!(
                out,
                r#"<path class="series" data-series="{}" data-kind="anomaly" fill="{fill}" stroke="white" d="{}"/>"#,
                escape(&s.name),
                dots_path(&f, s, 4.5)
            );
            continue;
        }
        let d = match chart.shape {
            Shape::Column | Shape::Bar => {
                let slot = if stacked { 1.0 } else { n };
                let width = 0.8 / slot;
                let offset = if stacked {
                    -0.4
                } else {
                    -0.4 + width * slot_index
                };
                bars_path(&f, s, offset, width, horizontal, chart)
            }
            Shape::Scatter => dots_path(&f, s, 2.5),
            Shape::Area => area_path(&f, s),
            _ => line_path(&f, s),
        };
        slot_index += 1.0;
        let style = match chart.shape {
            Shape::Line => format!(
                r#"fill="none" stroke="{fill}" stroke-width="2" stroke-dasharray="{}""#,
                DASHES[colour % DASHES.len()]
            ),
            Shape::Area => format!(r#"fill="{fill}" fill-opacity="0.45" stroke="{fill}""#),
            _ => format!(r#"fill="{fill}" stroke="none""#),
        };
        let _ = writeln!(
            out,
            r#"<path class="series" data-series="{}" {style} d="{d}"/>"#,
            escape(&s.name)
        );
    }
}

/// Pixels a character of a label takes, about (12px sans-serif).
const CHAR_PX: f64 = 7.0;

/// Category ticks that fit along `length` pixels: every k-th label when
/// all of them would overlap (across: by their width; down: by the line).
fn thinned(all: Ticks, length: f64, down: bool, height: f64) -> Ticks {
    let n = all.labels.len().max(1);
    let need = if down {
        16.0
    } else {
        all.labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(1) as f64
            * CHAR_PX
            + 8.0
    };
    let room = if down { height } else { length };
    let every = ((n as f64 * need / room).ceil() as usize).max(1);
    Ticks {
        values: all.values.iter().copied().step_by(every).collect(),
        labels: all.labels.into_iter().step_by(every).collect(),
    }
}

/// `ysplit=axes`: an axis per series, labels in its colour. Upright
/// charts put the first on the left and the others right of the plot;
/// horizontal bars put them in rows under it. Every axis spans the plot,
/// its labels evenly spaced, as the series are scaled to it.
fn value_axes(out: &mut String, chart: &Chart, f: &Frame, colours: &[usize]) {
    let horizontal = chart.shape == Shape::Bar;
    for (k, axis) in chart.axes.iter().enumerate() {
        let colour =
            COLOURS[colours.get(axis.series).copied().unwrap_or(axis.series) % COLOURS.len()];
        let class = if k == 0 {
            "y-label".to_string()
        } else {
            format!("y-label-{}", k + 1)
        };
        let n = axis.labels.len().max(2) - 1;
        let x_line = f.x1 + AXIS_GAP * (k as f64 - 1.0) + 4.0;
        if k > 0 && !horizontal {
            let _ = writeln!(
                out,
                r#"<path class="axis" stroke="{colour}" fill="none" d="M{x_line:.1} {:.1} V{:.1}"/>"#,
                f.y0, f.y1
            );
        }
        for (i, label) in axis.labels.iter().enumerate() {
            let at = i as f64 / n as f64;
            let (x, y, anchor) = if horizontal {
                (
                    f.x0 + at * (f.x1 - f.x0),
                    f.y1 + 18.0 + 14.0 * k as f64,
                    "middle",
                )
            } else if k == 0 {
                (f.x0 - 6.0, f.y1 - at * (f.y1 - f.y0) + 4.0, "end")
            } else {
                (x_line + 6.0, f.y1 - at * (f.y1 - f.y0) + 4.0, "start")
            };
            let _ = writeln!(
                out,
                r#"<text class="{class}" x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" fill="{colour}">{}</text>"#,
                escape(label)
            );
        }
    }
}

fn line_path(f: &Frame, s: &Series) -> String {
    let mut d = String::new();
    let mut pen = 'M';
    for (x, y) in s.x.iter().zip(&s.top) {
        match (f.px(*x), f.py(*y)) {
            (Some(px), Some(py)) => {
                let _ = write!(d, "{pen}{px:.1} {py:.1} ");
                pen = 'L';
            }
            // A gap where a log axis cannot show the value.
            _ => pen = 'M',
        }
    }
    d.trim_end().to_string()
}

fn area_path(f: &Frame, s: &Series) -> String {
    let top = line_path(f, s);
    if top.is_empty() {
        return top;
    }
    let mut d = top;
    for (x, y) in s.x.iter().zip(&s.bottom).rev() {
        if let (Some(px), Some(py)) = (f.px(*x), f.py(*y).or(Some(f.y1))) {
            let _ = write!(d, " L{px:.1} {py:.1}");
        }
    }
    d.push_str(" Z");
    d
}

fn dots_path(f: &Frame, s: &Series, r: f64) -> String {
    let mut d = String::new();
    for (x, y) in s.x.iter().zip(&s.top) {
        if let (Some(px), Some(py)) = (f.px(*x), f.py(*y)) {
            let _ = write!(
                d,
                "M{:.1} {py:.1} a{r} {r} 0 1 0 {} 0 a{r} {r} 0 1 0 {} 0 ",
                px - r,
                2.0 * r,
                -2.0 * r
            );
        }
    }
    d.trim_end().to_string()
}

fn bars_path(
    f: &Frame,
    s: &Series,
    offset: f64,
    width: f64,
    horizontal: bool,
    chart: &Chart,
) -> String {
    let mut d = String::new();
    let (xr0, xr1) = f.xr;
    let span_v = chart.y_range.1 - chart.y_range.0;
    let value_px = |v: f64| -> f64 {
        if horizontal {
            f.x0 + (v.clamp(chart.y_range.0, chart.y_range.1) - chart.y_range.0) / span_v
                * (f.x1 - f.x0)
        } else {
            f.py(v).unwrap_or(f.y1)
        }
    };
    for i in 0..s.x.len() {
        let a = s.x[i] + offset;
        let b = a + width;
        let (v0, v1) = (value_px(s.bottom[i]), value_px(s.top[i]));
        if horizontal {
            let y = |c: f64| f.y0 + (c - xr0) / (xr1 - xr0) * (f.y1 - f.y0);
            let _ = write!(
                d,
                "M{:.1} {:.1} H{:.1} V{:.1} H{:.1} Z ",
                v0,
                y(a),
                v1,
                y(b),
                v0
            );
        } else {
            let (Some(pa), Some(pb)) = (f.px(a), f.px(b)) else {
                continue;
            };
            let _ = write!(d, "M{pa:.1} {v0:.1} V{v1:.1} H{pb:.1} V{v0:.1} Z ");
        }
    }
    d.trim_end().to_string()
}

/// The legend: each entry's text and colour.
fn legend(out: &mut String, entries: &[(String, &str)]) {
    let x = WIDTH - RIGHT + 20.0;
    out.push_str("<g class=\"legend\">\n");
    for (i, (name, colour)) in entries.iter().enumerate() {
        let y = TOP + 10.0 + 20.0 * i as f64;
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{colour}"/>"#,
            y - 10.0
        );
        // A long name in smaller type rather than off the page.
        let room = WIDTH - (x + 18.0) - 4.0;
        let wide = name.chars().count() as f64 * CHAR_PX;
        let size = if wide > room {
            (12.0 * room / wide).max(7.0)
        } else {
            12.0
        };
        let _ = writeln!(
            out,
            r#"<text class="legend-label" x="{:.1}" y="{y:.1}" text-anchor="start" font-size="{size:.1}">{}</text>"#,
            x + 18.0,
            escape(name)
        );
    }
    out.push_str("</g>\n");
}

fn pie(out: &mut String, chart: &Chart) {
    let Some(s) = chart.series.first() else {
        return;
    };
    let labels = match &chart.x {
        XKind::Category(l) => l.clone(),
        _ => Vec::new(),
    };
    let total: f64 = s.y.iter().sum();
    let (cx, cy, r) = ((WIDTH - RIGHT) / 2.0, HEIGHT / 2.0 + 10.0, 190.0);
    let mut angle = -std::f64::consts::FRAC_PI_2;
    let mut names = Vec::new();
    for (i, (x, v)) in s.x.iter().zip(&s.y).enumerate() {
        let label = labels.get(*x as usize).cloned().unwrap_or_default();
        let share = if total > 0.0 { v / total } else { 0.0 };
        names.push(format!(
            "{label} ({}, {:.1}%)",
            ticks::number(*v),
            share * 100.0
        ));
        let sweep = share * std::f64::consts::TAU;
        let d = if share >= 0.9999 {
            format!(
                "M{:.1} {cy:.1} a{r} {r} 0 1 0 {:.1} 0 a{r} {r} 0 1 0 {:.1} 0 Z",
                cx - r,
                2.0 * r,
                -2.0 * r
            )
        } else {
            let (x0, y0) = (cx + r * angle.cos(), cy + r * angle.sin());
            let end = angle + sweep;
            let (x1, y1) = (cx + r * end.cos(), cy + r * end.sin());
            let large = if sweep > std::f64::consts::PI { 1 } else { 0 };
            format!("M{cx:.1} {cy:.1} L{x0:.1} {y0:.1} A{r} {r} 0 {large} 1 {x1:.1} {y1:.1} Z")
        };
        angle += sweep;
        let _ = writeln!(
            out,
            r#"<path class="series" data-series="{}" fill="{}" stroke="white" d="{d}"/>"#,
            escape(&label),
            COLOURS[i % COLOURS.len()]
        );
    }
    if chart.legend {
        let entries: Vec<(String, &str)> = names
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n, COLOURS[i % COLOURS.len()]))
            .collect();
        legend(out, &entries);
    }
}

fn card(out: &mut String, chart: &Chart) {
    for (i, (name, value)) in chart.card.iter().enumerate() {
        let y = TOP + 60.0 + 70.0 * i as f64;
        let _ = writeln!(
            out,
            r#"<text class="card-value" x="{:.1}" y="{y:.1}" text-anchor="middle" font-size="32">{}</text>"#,
            WIDTH / 2.0,
            escape(value)
        );
        text(out, WIDTH / 2.0, y + 20.0, "middle", "card-name", name);
    }
}
