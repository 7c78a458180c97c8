//! The stored functions on home: how many, each with its parameters (what
//! a query calls), and the definitions that could not be read or are not
//! used, with their file and line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{put, safe};
use crate::tui::app::App;

/// At most this many lines list the functions; the last ends with `…` when
/// some are left out.
const MAX_NAME_LINES: usize = 3;

/// The lines [`draw`] takes at most: a blank, the title, the functions,
/// and two for the problems' title and first line.
pub fn height(app: &App) -> usize {
    let f = &app.functions;
    let names = if f.is_empty() { 0 } else { 2 };
    let problems = if f.warnings.is_empty() { 0 } else { 2 };
    if names + problems == 0 {
        0
    } else {
        1 + names + problems
    }
}

/// The functions' signatures, joined into lines of at most `width`
/// columns; at most [`MAX_NAME_LINES`].
fn name_lines(app: &App, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut left = app.functions.len();
    for f in app.functions.iter() {
        let item = safe(&f.signature()).into_owned();
        let joined = crate::text::display_width(&line) + 3 + crate::text::display_width(&item);
        if !line.is_empty() && joined > width {
            lines.push(std::mem::take(&mut line));
            if lines.len() == MAX_NAME_LINES {
                break;
            }
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&item);
        left -= 1;
    }
    if lines.len() < MAX_NAME_LINES && !line.is_empty() {
        lines.push(line);
    } else if left > 0
        && let Some(last) = lines.last_mut()
    {
        last.push_str(&format!("  … and {left} more"));
    }
    lines
}

/// Draws the stored functions from the top of `area`; returns the row
/// after them (`area.y` when there is nothing to say).
pub fn draw(buf: &mut Buffer, area: Rect, app: &App) -> u16 {
    let theme = &app.theme;
    let f = &app.functions;
    let mut y = area.y;
    if (f.is_empty() && f.warnings.is_empty()) || area.height < 2 {
        return y;
    }
    let x = area.x + 1;
    let w = usize::from(area.width.saturating_sub(2));
    y += 1;
    if !f.is_empty() {
        let title = match f.len() {
            1 => "1 stored function".to_string(),
            n => format!("{n} stored functions"),
        };
        put(buf, x, y, &title, w, theme.breadcrumb);
        y += 1;
        for line in name_lines(app, w.saturating_sub(2)) {
            if y >= area.bottom() {
                return y;
            }
            put(buf, x + 2, y, &line, w.saturating_sub(2), theme.normal);
            y += 1;
        }
    }
    if !f.warnings.is_empty() && y < area.bottom() {
        let title = match f.warnings.len() {
            1 => "1 stored function definition not used:".to_string(),
            n => format!("{n} stored function definitions not used:"),
        };
        put(buf, x, y, &title, w, theme.signature.warn);
        y += 1;
        for (i, warning) in f.warnings.iter().enumerate() {
            if y >= area.bottom() {
                break;
            }
            let left = f.warnings.len() - i;
            let text = if y + 1 == area.bottom() && left > 1 {
                format!("… and {left} more (quarry check --functions DIR shows them)")
            } else {
                safe(&warning.to_string()).into_owned()
            };
            put(buf, x + 2, y, &text, w.saturating_sub(2), theme.normal);
            y += 1;
        }
    }
    y
}
