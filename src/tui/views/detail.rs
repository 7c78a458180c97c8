//! The detail panel (`p`): the row under the cursor, field by field, next
//! to the table, so wide values can be read without leaving the grid.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{fill, put, safe, wrap};
use crate::session::investigation::Step;
use crate::text::thousands;
use crate::tui::theme::Theme;

/// Most lines one value takes in the panel.
const MAX_VALUE_LINES: usize = 6;

/// Draws the panel for the current row of `step`.
pub fn draw(buf: &mut Buffer, area: Rect, step: &Step, theme: &Theme) {
    fill(buf, area, theme.normal);
    if area.width < 4 || area.height == 0 {
        return;
    }
    // A left border separates the panel from the grid.
    for y in area.top()..area.bottom() {
        put(buf, area.x, y, "│", 1, theme.border);
    }
    let x = area.x + 2;
    let w = usize::from(area.width - 2);
    let row = step.current_row();
    let rows = step.rows.height();
    let title = if rows == 0 {
        "no row".to_string()
    } else {
        format!(
            "row {} of {}",
            thousands(row as u64 + 1),
            thousands(rows as u64)
        )
    };
    put(buf, x, area.y, &title, w, theme.header);
    if rows == 0 {
        return;
    }
    let mut y = area.y + 1;
    let current = step.current_col();
    for (i, info) in step.columns.iter().enumerate() {
        if y >= area.bottom() {
            break;
        }
        let name_style = if i == current {
            theme.normal.patch(theme.cursor_cell)
        } else {
            theme.normal.patch(theme.marked_column)
        };
        put(buf, x, y, &safe(&info.name), w, name_style);
        y += 1;
        let value = step.cell(row, i).to_text().into_owned();
        if value.is_empty() {
            if y < area.bottom() {
                put(buf, x + 2, y, "·", w.saturating_sub(2), theme.dim);
                y += 1;
            }
            continue;
        }
        for line in wrap(&value, w.saturating_sub(2), MAX_VALUE_LINES) {
            if y >= area.bottom() {
                break;
            }
            put(buf, x + 2, y, &line, w.saturating_sub(2), theme.normal);
            y += 1;
        }
    }
}
