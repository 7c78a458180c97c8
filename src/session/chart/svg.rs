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

fn plot(out: &mut String, chart: &Chart) {
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
        x0: LEFT,
        x1: WIDTH - RIGHT,
        y0: TOP,
        y1: HEIGHT - BOTTOM,
        xr,
        yr: chart.y_range,
        x_scale: if bars {
            AxisScale::Linear
        } else {
            chart.x_scale
        },
        y_scale: chart.y_scale,
    };
    let value_ticks = ticks::numeric(chart.y_range.0, chart.y_range.1, 6, chart.y_scale);
    let cat_ticks = |labels: &[String]| Ticks {
        values: (0..labels.len()).map(|i| i as f64).collect(),
        labels: labels.to_vec(),
    };
    let key_ticks = match (&chart.x, categories) {
        (_, Some(labels)) => cat_ticks(labels),
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
    for (v, label) in down.values.iter().zip(&down.labels) {
        if let Some(y) = flip(*v) {
            text(out, f.x0 - 6.0, y + 4.0, "end", "y-label", label);
        }
    }
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
    let (x_title, y_title) = if horizontal {
        (&chart.y_title, &chart.x_title)
    } else {
        (&chart.x_title, &chart.y_title)
    };
    text(
        out,
        (f.x0 + f.x1) / 2.0,
        f.y1 + 40.0,
        "middle",
        "x-title",
        x_title,
    );
    let _ = writeln!(
        out,
        r#"<text class="y-title" x="18" y="{:.1}" text-anchor="middle" transform="rotate(-90 18 {:.1})">{}</text>"#,
        (f.y0 + f.y1) / 2.0,
        (f.y0 + f.y1) / 2.0,
        escape(y_title)
    );
    let n = chart.series.len().max(1) as f64;
    let stacked = matches!(chart.stacking, Stacking::Stacked | Stacking::Stacked100);
    for (i, s) in chart.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let d = match chart.shape {
            Shape::Column | Shape::Bar => {
                let slot = if stacked { 1.0 } else { n };
                let width = 0.8 / slot;
                let offset = if stacked {
                    -0.4
                } else {
                    -0.4 + width * i as f64
                };
                bars_path(&f, s, offset, width, horizontal, chart)
            }
            Shape::Scatter => dots_path(&f, s),
            Shape::Area => area_path(&f, s),
            _ => line_path(&f, s),
        };
        let style = match chart.shape {
            Shape::Line => format!(
                r#"fill="none" stroke="{colour}" stroke-width="2" stroke-dasharray="{}""#,
                DASHES[i % DASHES.len()]
            ),
            Shape::Area => format!(r#"fill="{colour}" fill-opacity="0.45" stroke="{colour}""#),
            _ => format!(r#"fill="{colour}" stroke="none""#),
        };
        let _ = writeln!(
            out,
            r#"<path class="series" data-series="{}" {style} d="{d}"/>"#,
            escape(&s.name)
        );
    }
    if chart.legend {
        let names: Vec<String> = chart.series.iter().map(|s| s.name.clone()).collect();
        legend(out, &names);
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

fn dots_path(f: &Frame, s: &Series) -> String {
    let mut d = String::new();
    for (x, y) in s.x.iter().zip(&s.top) {
        if let (Some(px), Some(py)) = (f.px(*x), f.py(*y)) {
            let _ = write!(
                d,
                "M{:.1} {py:.1} a2.5 2.5 0 1 0 5 0 a2.5 2.5 0 1 0 -5 0 ",
                px - 2.5
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

fn legend(out: &mut String, names: &[String]) {
    let x = WIDTH - RIGHT + 20.0;
    out.push_str("<g class=\"legend\">\n");
    for (i, name) in names.iter().enumerate() {
        let y = TOP + 10.0 + 20.0 * i as f64;
        let _ = writeln!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/>"#,
            y - 10.0,
            COLOURS[i % COLOURS.len()]
        );
        text(out, x + 18.0, y, "start", "legend-label", name);
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
        legend(out, &names);
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
