//! The timeline strip (`t`): a histogram of the view's rows over time,
//! drawn above its table, with the cursor bin and the range being chosen.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{fill, fit, put};
use crate::data::time::format_datetime;
use crate::session::chart::ticks;
use crate::session::investigation::Step;
use crate::session::timeline::Timeline;
use crate::text::{display_width, thousands};
use crate::tui::theme::Theme;

/// Rows the strip takes: bars, time labels, and the status of the range.
pub const HEIGHT: u16 = 8;
const BAR_ROWS: usize = 5;
const EIGHTHS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Bins a timeline of `width` columns holds (one column each, inside the
/// margins).
pub fn bins_for(width: u16) -> usize {
    usize::from(width.saturating_sub(2)).max(1)
}

/// The area left for the table under the strip.
pub fn table_area(area: Rect, step: &Step) -> Rect {
    match step.timeline {
        Some(_) if area.height > HEIGHT + 2 => Rect {
            y: area.y + HEIGHT,
            height: area.height - HEIGHT,
            ..area
        },
        _ => area,
    }
}

/// Text of a time, minutes or seconds as the bin width needs.
fn when(ns: i64, step: i64) -> String {
    let full = format_datetime(ns);
    // 2024-05-01T06:00:00.0000000Z -> 2024-05-01 06:00[:00]
    let cut = if step % 60_000_000_000 == 0 { 16 } else { 19 };
    full.get(..cut).unwrap_or(&full).replace('T', " ")
}

/// Draws the strip in the top [`HEIGHT`] rows of `area`.
pub fn draw(buf: &mut Buffer, area: Rect, t: &Timeline, theme: &Theme) {
    let strip = Rect {
        height: HEIGHT.min(area.height),
        ..area
    };
    fill(buf, strip, theme.normal);
    if strip.height < HEIGHT || strip.width < 20 {
        return;
    }
    let max = t.counts.iter().copied().max().unwrap_or(0).max(1);
    let (a, b) = t.selected();
    let x0 = strip.x + 1;
    for (i, &n) in t
        .counts
        .iter()
        .enumerate()
        .take(usize::from(strip.width - 2))
    {
        let x = x0 + i as u16;
        let eighths = (n as f64 / max as f64 * (BAR_ROWS * 8) as f64).round() as usize;
        // A bin with rows always shows, however small beside the largest.
        let eighths = if n > 0 { eighths.max(1) } else { 0 };
        let style = if i == t.cursor {
            theme.cursor_cell
        } else if t.anchor.is_some() && (a..=b).contains(&i) {
            theme.selection
        } else {
            theme.chart[0]
        };
        for row in 0..BAR_ROWS {
            let y = strip.y + (BAR_ROWS - 1 - row) as u16;
            let lo = row * 8;
            let sym = if eighths >= lo + 8 {
                "█"
            } else if eighths > lo {
                EIGHTHS[eighths - lo - 1]
            } else if i == t.cursor || (t.anchor.is_some() && (a..=b).contains(&i)) {
                // The chosen bins stand out even where they are empty.
                " "
            } else {
                continue;
            };
            buf[(x, y)].set_symbol(sym).set_style(style);
        }
    }
    // Time labels under the bars: start, middle, end.
    let y = strip.y + BAR_ROWS as u16;
    let n = t.counts.len();
    let first = when(t.bin_start(0), t.step);
    put(buf, x0, y, &first, display_width(&first), theme.dim);
    let last = when(t.bin_start(n), t.step);
    let lw = display_width(&last) as u16;
    let end = (x0 + n as u16).min(strip.x + strip.width - 1);
    if end > x0 + display_width(&first) as u16 + lw + 2 {
        put(
            buf,
            end.saturating_sub(lw),
            y,
            &last,
            usize::from(lw),
            theme.dim,
        );
    }
    // What the bins are and what is chosen.
    let (from, to) = (t.bin_start(a), t.bin_start(b + 1));
    let chosen = if t.anchor.is_some() { "range" } else { "bin" };
    let info = format!(
        "{}: {} bins of {} · {chosen} {} – {}: {} rows (largest bin {}){}",
        t.column,
        n,
        ticks::duration(t.step),
        when(from, t.step),
        when(to, t.step),
        thousands(t.selected_rows()),
        thousands(max),
        if t.nulls > 0 {
            format!(" · {} rows without a time", thousands(t.nulls as u64))
        } else {
            String::new()
        }
    );
    let w = usize::from(strip.width - 2);
    put(buf, x0, y + 1, &fit(&info, w), w, theme.normal);
    let help = "←/→ move · space: start/end a range · enter: narrow to it · esc or t: close";
    put(buf, x0, y + 2, &fit(help, w), w, theme.dim);
}
