//! The record view: one row, every field on its own line, long values
//! wrapped. The cursor is on a field; `f`, `x`, `F`, `Y` act on it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{cell, fill, put, wrap};
use crate::session::investigation::{Step, ViewKind};
use crate::text::display_width;
use crate::text::thousands;
use crate::tui::theme::Theme;

/// Widest the field-name column gets.
const MAX_NAME_WIDTH: usize = 32;
/// Most lines one value takes.
const MAX_VALUE_LINES: usize = 12;

/// Draws a record step.
pub fn draw(buf: &mut Buffer, area: Rect, step: &Step, theme: &Theme) {
    fill(buf, area, theme.normal);
    let ViewKind::Record { row } = step.kind else {
        return;
    };
    if area.height == 0 {
        return;
    }
    let title = format!(
        " row {} of {} ({} fields)",
        thousands(row as u64 + 1),
        thousands(step.rows.height() as u64),
        step.columns.len()
    );
    fill(buf, Rect { height: 1, ..area }, theme.header);
    put(
        buf,
        area.x,
        area.y,
        &title,
        usize::from(area.width),
        theme.header,
    );
    let name_w = name_width(step);
    let value_x = area.x + 1 + name_w as u16 + 2;
    let value_w = usize::from(area.right().saturating_sub(value_x));
    let mut y = area.y + 1;
    for (i, info) in step.columns.iter().enumerate().skip(step.view.row_offset) {
        if y >= area.bottom() {
            break;
        }
        let value = step.cell(row, i).to_text().into_owned();
        let lines = wrap(&value, value_w, MAX_VALUE_LINES);
        let cursor = i == step.view.row;
        let style = if cursor {
            theme.normal.patch(theme.cursor_row)
        } else {
            theme.normal
        };
        let name_style = if cursor {
            style.patch(theme.cursor_cell)
        } else {
            style.patch(theme.dim)
        };
        for (n, line) in lines.iter().enumerate() {
            if y >= area.bottom() {
                break;
            }
            fill(buf, Rect::new(area.x, y, area.width, 1), style);
            if n == 0 {
                put(
                    buf,
                    area.x + 1,
                    y,
                    &cell(&info.name, name_w, false),
                    name_w,
                    name_style,
                );
            }
            if value.is_empty() {
                put(buf, value_x, y, "·", value_w, style.patch(theme.dim));
            } else {
                put(buf, value_x, y, line, value_w, style);
            }
            y += 1;
        }
    }
}

/// Lines field `i` of the record takes at `width` terminal columns.
pub fn field_height(step: &Step, i: usize, width: u16) -> usize {
    let ViewKind::Record { row } = step.kind else {
        return 1;
    };
    let name_w = name_width(step);
    let value_w = usize::from(width).saturating_sub(1 + name_w + 2);
    let value = step.cell(row, i).to_text().into_owned();
    super::common::wrapped_height(&value, value_w, MAX_VALUE_LINES)
}

/// The width of the field-name column: the longest name, up to a limit.
fn name_width(step: &Step) -> usize {
    step.columns
        .iter()
        .map(|c| display_width(&super::common::safe(&c.name)))
        .max()
        .unwrap_or(0)
        .min(MAX_NAME_WIDTH)
}
