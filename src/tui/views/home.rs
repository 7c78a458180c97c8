//! Home: the catalog. Every table with its rows, time range and columns;
//! Enter opens one, `/` searches them all. While tables load, their
//! progress.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::common::{cell, fill, put, safe, short_datetime};
use crate::text::thousands;
use crate::tui::app::{App, home_list_height, percent};

/// Draws the tables not loaded yet with their progress, from the top of
/// `area`; returns the lines drawn.
fn draw_loading(buf: &mut Buffer, area: Rect, w: usize, app: &App) -> u16 {
    let Some(l) = &app.loading else {
        return 0;
    };
    let theme = &app.theme;
    let current = l.progress.as_ref().map(|(_, i, _)| *i);
    let mut lines = vec!["Loading tables".to_string()];
    for (i, name) in l.tables.iter().enumerate() {
        if app.summaries.iter().any(|t| &t.name == name) {
            continue;
        }
        let status = match current {
            Some(c) if i < c => "done".to_string(),
            Some(c) if i == c => l
                .progress
                .as_ref()
                .map(|(p, _, _)| {
                    let pct = percent(p.bytes, p.total_bytes).unwrap_or(0);
                    format!("{pct:>3}%  {} rows", thousands(p.rows as u64))
                })
                .unwrap_or_default(),
            _ => "waiting".to_string(),
        };
        lines.push(format!("{}  {}", cell(name, 32, false), status));
    }
    let mut drawn = 0;
    for (i, line) in lines.iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.bottom() {
            break;
        }
        let style = if i == 0 { theme.header } else { theme.normal };
        put(buf, area.x, y, line, w, style);
        drawn += 1;
    }
    drawn
}

/// Draws home.
pub fn draw(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    fill(buf, area, theme.normal);
    if area.height == 0 {
        return;
    }
    let w = usize::from(area.width.saturating_sub(2));
    let x = area.x + 1;
    if app.loading.is_some() && app.summaries.is_empty() {
        draw_loading(
            buf,
            Rect::new(x, area.y, area.width.saturating_sub(1), area.height),
            w,
            app,
        );
        return;
    }

    let mut y = area.y;
    if app.summaries.is_empty() {
        put(buf, x, y, "No tables loaded.", w, theme.header);
        y += 1;
        put(
            buf,
            x,
            y,
            "Give files or folders of exported tables: quarry PATH...  (no PATH: the bundled sample data)",
            w,
            theme.dim,
        );
        y += 2;
        draw_failures(
            buf,
            Rect::new(area.x, y, area.width, area.bottom().saturating_sub(y)),
            app,
        );
        return;
    }

    // The table list.
    let name_w = app
        .summaries
        .iter()
        .map(|t| crate::text::display_width(&safe(&t.name)))
        .max()
        .unwrap_or(5)
        .clamp(5, 36);
    let list_h = home_list_height(usize::from(area.height), app.summaries.len());
    let rows_w = app
        .summaries
        .iter()
        .map(|t| thousands(t.rows as u64).len())
        .max()
        .unwrap_or(4)
        .max(4);
    let header = format!(
        "{}  {}  {}  {}  {}",
        cell("Table", name_w, false),
        cell("Rows", rows_w, true),
        cell("From (UTC)", 16, false),
        cell("To", 16, false),
        "Cols"
    );
    fill(buf, Rect::new(area.x, y, area.width, 1), theme.header);
    put(buf, x, y, &header, w, theme.header);
    y += 1;
    let view = &app.inv.steps()[0].view;
    for (i, t) in app
        .summaries
        .iter()
        .enumerate()
        .skip(view.row_offset)
        .take(list_h.saturating_sub(1))
    {
        let (from, to) = match t.range {
            Some(r) => (short_datetime(r.first), short_datetime(r.last)),
            None => (String::new(), String::new()),
        };
        let line = format!(
            "{}  {}  {}  {}  {}",
            cell(&t.name, name_w, false),
            cell(&thousands(t.rows as u64), rows_w, true),
            cell(&from, 16, false),
            cell(&to, 16, false),
            t.columns.len()
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

    // Tables still loading: the ones above are usable already.
    if app.loading.is_some() && y < area.bottom() {
        y += draw_loading(
            buf,
            Rect::new(x, y, area.width.saturating_sub(1), area.bottom() - y),
            w,
            app,
        ) + 1;
    }

    // The columns of the table under the cursor.
    if let Some(t) = app.summaries.get(view.row) {
        if y < area.bottom() {
            let title = format!("{} columns of {}", t.columns.len(), safe(&t.name));
            put(buf, x, y, &title, w, theme.breadcrumb);
            y += 1;
        }
        let mut line = String::new();
        let mut lines = Vec::new();
        for (name, kind) in &t.columns {
            let item = format!("{} {}", safe(name), kind.name());
            let extra = if line.is_empty() { 0 } else { 3 };
            if !line.is_empty()
                && crate::text::display_width(&line) + extra + crate::text::display_width(&item) > w
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
        let room = usize::from(area.bottom().saturating_sub(y)).saturating_sub(
            usize::from(!app.catalog.errors.is_empty()) * 2
                + usize::from(app.catalog.tables().any(|t| !t.warnings.is_empty())) * 2
                + usize::from(!app.last_session.is_empty()) * 2
                + super::stored::height(app),
        );
        let shown = lines.len().min(room.max(1));
        for (n, l) in lines.iter().take(shown).enumerate() {
            if y >= area.bottom() {
                break;
            }
            let text = if n + 1 == shown && shown < lines.len() {
                format!("{}  …", l)
            } else {
                l.clone()
            };
            put(buf, x + 2, y, &text, w.saturating_sub(2), theme.normal);
            y += 1;
        }
    }
    if y + 1 < area.bottom() {
        y = super::stored::draw(
            buf,
            Rect::new(area.x, y, area.width, area.bottom() - y),
            app,
        );
    }
    if !app.catalog.errors.is_empty() && y + 1 < area.bottom() {
        y += 1;
        y = draw_failures(
            buf,
            Rect::new(area.x, y, area.width, area.bottom() - y),
            app,
        );
    }
    let warnings = app.catalog.warning_lines();
    if !warnings.is_empty() && y + 1 < area.bottom() {
        y += 1;
        y = draw_list(
            buf,
            Rect::new(area.x, y, area.width, area.bottom() - y),
            app,
            "Loaded with warnings:",
            theme.signature.warn,
            &warnings,
        );
    }
    if let Some(last) = app.last_session.last().filter(|_| y + 1 < area.bottom()) {
        y += 1;
        let text = format!("Last session: {}   (: then up recalls it)", safe(last));
        put(buf, x, y, &text, w, theme.dim);
    }
}

/// The files that failed to load; returns the row after them.
fn draw_failures(buf: &mut Buffer, area: Rect, app: &App) -> u16 {
    let errors: Vec<String> = app.catalog.errors.iter().map(|e| e.to_string()).collect();
    draw_list(
        buf,
        area,
        app,
        &format!("{} failed to load:", errors.len()),
        app.theme.error,
        &errors,
    )
}

/// A titled list under the table list (files that failed, cells read as
/// null), cut short with a pointer to `quarry tables` when the screen
/// runs out; returns the row after it.
fn draw_list(
    buf: &mut Buffer,
    area: Rect,
    app: &App,
    title: &str,
    title_style: Style,
    lines: &[String],
) -> u16 {
    let theme = &app.theme;
    let w = usize::from(area.width.saturating_sub(2));
    let mut y = area.y;
    if lines.is_empty() || area.height == 0 {
        return y;
    }
    put(buf, area.x + 1, y, title, w, title_style);
    y += 1;
    for (i, line) in lines.iter().enumerate() {
        if y >= area.bottom() {
            break;
        }
        let left = lines.len() - i;
        if y + 1 == area.bottom() && left > 1 {
            put(
                buf,
                area.x + 3,
                y,
                &format!("… and {left} more (quarry tables lists them)"),
                w,
                theme.dim,
            );
            y += 1;
            break;
        }
        put(
            buf,
            area.x + 3,
            y,
            &safe(line),
            w.saturating_sub(2),
            theme.normal,
        );
        y += 1;
    }
    y
}
