//! The status bar ("sample data" when the tables are Quarry's bundled
//! sample, data clock, rows in view, rows selected, the last query time,
//! and a spinner with progress while work runs) and, under it, the keys
//! that act here, generated from the keymap.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{fill, fit, put};
use crate::data::time::format_datetime;
use crate::session::investigation::ViewKind;
use crate::text::display_width;
use crate::text::thousands;
use crate::tui::action::{Action, Context};
use crate::tui::app::{App, Message, PromptKind};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The right-hand part: whose data, rows, selection, query time, clock.
pub fn stats(app: &App) -> String {
    stats_parts(app).join(" │ ")
}

/// The parts of [`stats`]: those that always show ("sample data", the
/// rows), then those that give way to a long message, least needed last
/// (selection, query time, clock).
fn stats_parts(app: &App) -> Vec<String> {
    let step = app.current();
    let mut parts = Vec::new();
    // First, so a narrow terminal cuts the clock before it: an analyst must
    // never take answers about the bundled sample for answers about theirs.
    if app.sample_data {
        parts.push("sample data".to_string());
    }
    // Where the view ran, and whether it holds every row.
    parts.extend(app.remote_parts());
    match step.kind {
        ViewKind::Home if app.remote().is_some() => {
            parts.push(format!("{} tables", app.summaries.len()));
        }
        ViewKind::Home => {
            let rows: usize = app.summaries.iter().map(|t| t.rows).sum();
            parts.push(format!(
                "{} tables, {} rows",
                app.summaries.len(),
                thousands(rows as u64)
            ));
        }
        ViewKind::Record { row } => {
            parts.push(format!(
                "row {} of {}",
                row + 1,
                thousands(step.rows.height() as u64)
            ));
        }
        _ => {
            let rows = step.rows.height();
            parts.push(format!(
                "{} {}",
                thousands(rows as u64),
                if rows == 1 { "row" } else { "rows" }
            ));
            parts.push(format!(
                "{} sel",
                thousands(step.view.selection.count(rows) as u64)
            ));
        }
    }
    if let Some(t) = app.last_query_time() {
        parts.push(format_elapsed(t));
    }
    if let Some(now) = app.now {
        parts.push(format!("clock {}", short_clock(now)));
    }
    parts
}

/// How many parts of [`stats_parts`] always show.
fn kept_parts(app: &App) -> usize {
    usize::from(app.sample_data) + app.remote_parts().len() + 1
}

/// `12 ms`, `1.4 s`.
pub fn format_elapsed(t: std::time::Duration) -> String {
    if t.as_millis() < 1000 {
        format!("{} ms", t.as_millis())
    } else {
        format!("{:.1} s", t.as_secs_f64())
    }
}

/// The clock as an RFC 3339 instant to the second: the status bar is
/// narrow, and the seconds are what an analyst compares.
fn short_clock(ns: i64) -> String {
    let s = format_datetime(ns);
    match s.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => s,
    }
}

/// Draws the status bar.
pub fn draw(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    fill(buf, area, theme.status_bar);
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let (text, style) = if let (Some(activity), Some(t)) = (app.activity(), app.busy_for()) {
        let frame = SPINNER[(app.uptime().as_millis() / 80) as usize % SPINNER.len()];
        let cancel = app
            .keymap
            .keys(Action::Cancel, cancel_context(app))
            .first()
            .map(|k| format!(" ({k} cancels)"))
            .unwrap_or_default();
        (
            format!("{frame} {activity} {}{cancel}", format_elapsed(t)),
            theme.status_bar,
        )
    } else {
        match app.message() {
            Some(Message::Info(m)) => (m.clone(), theme.status_bar),
            Some(Message::Warning(m)) => (m.clone(), theme.status_bar.patch(theme.error)),
            None => (String::new(), theme.status_bar),
        }
    };
    // A message the stats would cut short takes the room of the stats that
    // can wait (clock, query time, selection), never of "sample data".
    let mut parts = stats_parts(app);
    let need = display_width(&fit(&text, width)) + 3;
    while parts.len() > kept_parts(app) && need + display_width(&parts.join(" │ ")) > width {
        parts.pop();
    }
    let right = fit(&parts.join(" │ "), width.saturating_sub(2));
    let right_w = display_width(&right);
    let right_x = area.right().saturating_sub(right_w as u16 + 1);
    put(buf, right_x, area.y, &right, right_w, theme.status_bar);
    let left_w = usize::from(right_x.saturating_sub(area.x)).saturating_sub(2);
    put(buf, area.x + 1, area.y, &fit(&text, left_w), left_w, style);
}

/// Draws the hints line: the primary key of the actions that matter here.
pub fn draw_hints(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    fill(buf, area, theme.hint_text);
    let mut x = area.x + 1;
    let context = app.context();
    let hints = match app.prompt() {
        // The overwrite question takes one key, not a line.
        Some(PromptKind::ConfirmOverwrite(_)) => vec![
            ("y".to_string(), "replace the file"),
            ("n, esc".to_string(), "choose another name"),
        ],
        _ => app.keymap.hints(context),
    };
    for (key, label) in hints {
        // Actions this build does not have (rules) are left out.
        if context != Context::Prompt
            && Action::ALL
                .iter()
                .any(|a| a.hint() == label && a.available_in(context) && !app.available(*a))
        {
            continue;
        }
        // `c` flips between the two: it names the one it shows.
        let label = if label == Action::ToggleChart.hint() && app.chart_showing() {
            "table"
        } else {
            label
        };
        let need = display_width(&key) + 1 + display_width(label) + 2;
        if x + need as u16 > area.right() {
            break;
        }
        x = put(buf, x, area.y, &key, display_width(&key), theme.hint_key);
        x = put(
            buf,
            x + 1,
            area.y,
            label,
            display_width(label),
            theme.hint_text,
        );
        x += 2;
    }
}

/// Where the cancel key is looked up: the view's context (prompts have no
/// bindings, so the view under them).
fn cancel_context(app: &App) -> Context {
    match app.context() {
        Context::Prompt | Context::Rules => {
            if matches!(app.current().kind, ViewKind::Home) {
                Context::Home
            } else {
                Context::Table
            }
        }
        c => c,
    }
}
