//! The table view: any query result as a grid. Only the visible rows and
//! columns are sliced out of the frame and turned into text, so a
//! five-million-row result draws as fast as a fifty-row one.
//!
//! The frequency and search-results views are this grid plus a share and
//! a bar column ([`draw_grid`] with counts).

use polars::prelude::*;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{cell, fill, put};
use crate::kql::value::series_to_text;
use crate::session::investigation::{CountInfo, Step};
use crate::tui::layout::{COLUMN_GAP, GUTTER, MIN_BAR_WIDTH, SHARE_WIDTH};
use crate::tui::theme::Theme;

/// Draws a plain result.
pub fn draw(buf: &mut Buffer, area: Rect, step: &Step, theme: &Theme) {
    draw_grid(buf, area, step, theme, None);
}

/// Which frame columns fit in `width` from `first`: (index, drawn width).
/// The last one may be cut, if at least a few columns of it show.
pub fn visible_columns(widths: &[usize], first: usize, width: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut used = 0;
    for (i, &w) in widths.iter().enumerate().skip(first) {
        let gap = if out.is_empty() { 0 } else { COLUMN_GAP };
        if used + gap + w <= width {
            out.push((i, w));
            used += gap + w;
        } else {
            let left = width.saturating_sub(used + gap);
            if left >= 3 || out.is_empty() {
                out.push((i, left.min(w)));
            }
            break;
        }
    }
    out
}

/// Draws the grid; with `counts`, a share and a bar column follow the
/// frame's columns (frequency and search results).
pub fn draw_grid(
    buf: &mut Buffer,
    area: Rect,
    step: &Step,
    theme: &Theme,
    counts: Option<&CountInfo>,
) {
    fill(buf, area, theme.normal);
    if area.height == 0 || area.width <= GUTTER {
        return;
    }
    let view = &step.view;
    let reserved = if counts.is_some() {
        SHARE_WIDTH + MIN_BAR_WIDTH + 2 * COLUMN_GAP
    } else {
        0
    };
    let inner = usize::from(area.width - GUTTER);
    let widths: Vec<usize> = step.columns.iter().map(|c| c.width).collect();
    let cols = visible_columns(&widths, view.col_offset, inner.saturating_sub(reserved));
    let rows_shown =
        usize::from(area.height - 1).min(step.rows.height().saturating_sub(view.row_offset));
    // Only the rows on screen are gathered (a step may pick millions).
    let window = step.rows.window(view.row_offset, rows_shown);

    // Header.
    let y = area.y;
    fill(buf, Rect { height: 1, ..area }, theme.header);
    let mut x = area.x + GUTTER;
    for (n, &(c, w)) in cols.iter().enumerate() {
        if n > 0 {
            x += COLUMN_GAP as u16;
        }
        let info = &step.columns[c];
        let mut style = theme.header;
        if view.marked.iter().any(|m| m == &info.name) {
            style = style.patch(theme.marked_column);
        }
        put(buf, x, y, &cell(&info.name, w, info.is_numeric()), w, style);
        x += w as u16;
    }
    let grid_end = x;
    let (share_x, bar_x, bar_w) = {
        let share_x = grid_end + COLUMN_GAP as u16;
        let bar_x = share_x + (SHARE_WIDTH + COLUMN_GAP) as u16;
        let bar_w = usize::from(area.right().saturating_sub(bar_x)).min(40);
        (share_x, bar_x, bar_w)
    };
    if counts.is_some() {
        put(
            buf,
            share_x,
            y,
            &cell("Share", SHARE_WIDTH, true),
            SHARE_WIDTH,
            theme.header,
        );
    }

    // Text of the visible cells only.
    let texts: Vec<StringChunked> = cols
        .iter()
        .map(|&(c, _)| series_to_text(window.columns()[c].as_materialized_series()))
        .collect();
    let count_values: Option<Vec<Option<f64>>> = counts.and_then(|ci| {
        let s = window
            .column(&ci.column)
            .ok()?
            .as_materialized_series()
            .cast(&DataType::Float64)
            .ok()?;
        Some(s.f64().ok()?.iter().collect())
    });

    for i in 0..rows_shown {
        let row = view.row_offset + i;
        let y = area.y + 1 + i as u16;
        let selected = view.selection.contains(row);
        let mut row_style = theme.normal;
        if selected {
            row_style = row_style.patch(theme.selection);
        }
        if row == view.row {
            row_style = row_style.patch(theme.cursor_row);
        }
        fill(buf, Rect::new(area.x, y, area.width, 1), row_style);
        if selected {
            put(buf, area.x, y, "▌", 1, row_style.patch(theme.selection));
        }
        let mut x = area.x + GUTTER;
        for (n, &(c, w)) in cols.iter().enumerate() {
            if n > 0 {
                x += COLUMN_GAP as u16;
            }
            let info = &step.columns[c];
            let text = texts[n].get(i).unwrap_or("");
            let mut style = row_style;
            if row == view.row && c == view.col {
                style = style.patch(theme.cursor_cell);
            }
            if text.is_empty() {
                put(
                    buf,
                    x,
                    y,
                    &cell("·", w, info.is_numeric()),
                    w,
                    style.patch(theme.dim),
                );
            } else {
                put(buf, x, y, &cell(text, w, info.is_numeric()), w, style);
            }
            x += w as u16;
        }
        if let (Some(ci), Some(values)) = (counts, &count_values) {
            let v = values.get(i).copied().flatten().unwrap_or(0.0);
            let share = if ci.total > 0.0 {
                100.0 * v / ci.total
            } else {
                0.0
            };
            put(
                buf,
                share_x,
                y,
                &cell(&format!("{share:.1}%"), SHARE_WIDTH, true),
                SHARE_WIDTH,
                row_style,
            );
            if bar_w > 0 {
                let bar = bar(v, ci.max, bar_w);
                put(
                    buf,
                    bar_x,
                    y,
                    &bar,
                    bar_w,
                    row_style.patch(theme.breadcrumb),
                );
            }
        }
    }
    if step.rows.height() == 0 {
        put(
            buf,
            area.x + GUTTER,
            area.y + 1,
            "(no rows)",
            inner,
            theme.dim,
        );
    }
}

/// A bar `value / max` of `width` columns, in eighths of a block.
pub fn bar(value: f64, max: f64, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    if max <= 0.0 || value <= 0.0 || width == 0 {
        return String::new();
    }
    let eighths = ((value / max).min(1.0) * (width * 8) as f64).round() as usize;
    let eighths = eighths.max(1);
    let mut s = "█".repeat(eighths / 8);
    s.push_str(PARTS[eighths % 8]);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_that_fit() {
        assert_eq!(visible_columns(&[5, 5, 5], 0, 12), vec![(0, 5), (1, 5)]);
        assert_eq!(visible_columns(&[5, 5, 5], 0, 16), vec![(0, 5), (1, 5)]);
        assert_eq!(
            visible_columns(&[5, 5, 5], 0, 17),
            vec![(0, 5), (1, 5), (2, 3)]
        );
        assert_eq!(
            visible_columns(&[5, 5, 5], 0, 19),
            vec![(0, 5), (1, 5), (2, 5)]
        );
        assert_eq!(visible_columns(&[50], 0, 10), vec![(0, 10)]);
        assert_eq!(visible_columns(&[5, 5], 1, 10), vec![(1, 5)]);
    }

    #[test]
    fn bars() {
        assert_eq!(bar(10.0, 10.0, 4), "████");
        assert_eq!(bar(5.0, 10.0, 4), "██");
        assert_eq!(bar(1.0, 10.0, 4), "▍");
        assert_eq!(bar(0.001, 10.0, 4), "▏");
        assert_eq!(bar(0.0, 10.0, 4), "");
    }
}
