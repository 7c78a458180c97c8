//! Home on a remote engine (`quarry --remote URL`): the engine's tables,
//! with what they hold, then the tables pulled into the local catalog;
//! under them, the columns of the table under the cursor when the service
//! lists them. While the tables are being listed, or when they could not
//! be, it says so (a query typed with `:` runs there anyway).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{cell, fill, put, safe, wrap};
use crate::text::thousands;
use crate::tui::app::{App, home_list_height};

/// Draws home on a remote engine.
pub fn draw(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    fill(buf, area, theme.normal);
    let Some(remote) = app.remote() else {
        return;
    };
    if area.height == 0 {
        return;
    }
    let w = usize::from(area.width.saturating_sub(2));
    let x = area.x + 1;
    let mut y = area.y;
    if app.summaries.is_empty() {
        let title = if remote.listing() {
            format!("Listing the tables of {}…", remote.label())
        } else {
            format!("No tables listed on {}.", remote.label())
        };
        put(buf, x, y, &safe(&title), w, theme.header);
        y += 1;
        // Said once: above, while the error is up; here after.
        if let Some(e) = remote
            .listing_error
            .as_ref()
            .filter(|_| app.error().is_none())
        {
            for line in wrap(e, w, 3) {
                put(buf, x, y, &line, w, theme.error);
                y += 1;
            }
        }
        put(
            buf,
            x,
            y,
            ": runs a query there anyway (its tables are named as in the service)",
            w,
            theme.dim,
        );
        return;
    }

    let name_w = app
        .summaries
        .iter()
        .map(|t| crate::text::display_width(&safe(&t.name)))
        .max()
        .unwrap_or(5)
        .clamp(5, 40);
    let rows_w = app
        .summaries
        .iter()
        .map(|t| thousands(t.rows as u64).len())
        .max()
        .unwrap_or(4)
        .max(4);
    let list_h = home_list_height(usize::from(area.height), app.summaries.len());
    let header = format!(
        "{}  {}  {}  What it holds",
        cell("Table", name_w, false),
        cell("Where", 6, false),
        cell("Rows", rows_w, true),
    );
    fill(buf, Rect::new(area.x, y, area.width, 1), theme.header);
    put(buf, x, y, &header, w, theme.header);
    y += 1;
    let view = &app.investigation().steps()[0].view;
    for (i, t) in app
        .summaries
        .iter()
        .enumerate()
        .skip(view.row_offset)
        .take(list_h.saturating_sub(1))
    {
        let (place, rows, about) = match remote.table(&t.name) {
            Some(r) => ("remote", String::new(), r.description.clone()),
            None => (
                "local",
                thousands(t.rows as u64),
                "pulled from the remote engine".to_string(),
            ),
        };
        let line = format!(
            "{}  {}  {}  {}",
            cell(&t.name, name_w, false),
            cell(place, 6, false),
            cell(&rows, rows_w, true),
            safe(&about)
        );
        let style = if i == view.row {
            theme.normal.patch(theme.cursor_row)
        } else {
            theme.normal
        };
        fill(buf, Rect::new(area.x, y, area.width, 1), style);
        put(buf, x, y, &line, w, style);
        y += 1;
    }
    y += 1;

    // The columns of the table under the cursor, when they are known.
    let Some(t) = app.summaries.get(view.row) else {
        return;
    };
    let columns: Vec<String> = match remote.table(&t.name) {
        Some(r) => r
            .columns
            .iter()
            .map(|(n, ty)| format!("{} {}", safe(n), safe(ty)))
            .collect(),
        None => t
            .columns
            .iter()
            .map(|(n, kind)| format!("{} {}", safe(n), kind.name()))
            .collect(),
    };
    if y >= area.bottom() {
        return;
    }
    if columns.is_empty() {
        put(
            buf,
            x,
            y,
            &format!(
                "{}: enter shows its rows (the service does not list its columns)",
                safe(&t.name)
            ),
            w,
            theme.dim,
        );
        return;
    }
    put(
        buf,
        x,
        y,
        &format!("{} columns of {}", columns.len(), safe(&t.name)),
        w,
        theme.breadcrumb,
    );
    y += 1;
    let mut line = String::new();
    let mut lines = Vec::new();
    for item in columns {
        let sep = if line.is_empty() { 0 } else { 3 };
        if !line.is_empty()
            && crate::text::display_width(&line) + sep + crate::text::display_width(&item) > w
        {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(&item);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    let room = usize::from(area.bottom().saturating_sub(y));
    let shown = lines.len().min(room);
    for (n, l) in lines.iter().take(shown).enumerate() {
        let text = if n + 1 == shown && shown < lines.len() {
            format!("{l}  …")
        } else {
            l.clone()
        };
        put(buf, x + 2, y, &text, w.saturating_sub(2), theme.normal);
        y += 1;
    }
}
