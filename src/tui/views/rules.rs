//! The detection rules list (`R`): title, severity, last run and hits of
//! each rule; Enter runs one, `A` runs them all.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::common::{cell, fill, put};
use crate::text::thousands;
use crate::tui::app::App;
use crate::tui::theme::Theme;

const SEVERITY_W: usize = 13;
const LAST_RUN_W: usize = 10;
const HITS_W: usize = 8;
const GAP: usize = 2;

/// The style of a severity name.
pub fn severity_style(theme: &Theme, severity: &str) -> Style {
    match severity {
        "high" => theme.severity.high,
        "medium" => theme.severity.medium,
        "low" => theme.severity.low,
        _ => theme.severity.informational,
    }
}

/// Draws the rules list.
pub fn draw(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    fill(buf, area, theme.normal);
    if area.height == 0 || area.width < 20 {
        return;
    }
    let rules = app.rules.as_deref().unwrap_or(&[]);
    let cursor = app.rules_open.unwrap_or(0);
    let x = area.x + 1;
    let inner = usize::from(area.width - 1);
    let fixed = SEVERITY_W + LAST_RUN_W + HITS_W + 3 * GAP;
    let title_w = inner.saturating_sub(fixed).max(10);
    let header = format!(
        "{}{:gap$}{}{:gap$}{}{:gap$}{}",
        cell("Rule", title_w, false),
        "",
        cell("Severity", SEVERITY_W, false),
        "",
        cell("Last run", LAST_RUN_W, false),
        "",
        cell("Hits", HITS_W, true),
        gap = GAP
    );
    put(buf, x, area.y, &header, inner, theme.header);
    if rules.is_empty() {
        put(buf, x, area.y + 1, "(no rules)", inner, theme.dim);
        return;
    }
    let rows = usize::from(area.height - 1);
    let offset = cursor.saturating_sub(rows.saturating_sub(1));
    for (i, entry) in rules.iter().enumerate().skip(offset).take(rows) {
        let y = area.y + 1 + (i - offset) as u16;
        let mut row_style = theme.normal;
        if i == cursor {
            row_style = row_style.patch(theme.cursor_row);
            fill(buf, Rect::new(area.x, y, area.width, 1), row_style);
        }
        let title = format!("{}  {}", entry.rule.id, entry.rule.title);
        let mut cx = x;
        cx = put(
            buf,
            cx,
            y,
            &cell(&title, title_w, false),
            title_w,
            row_style,
        );
        cx += GAP as u16;
        let sev = &entry.rule.severity;
        put(
            buf,
            cx,
            y,
            &cell(sev, SEVERITY_W, false),
            SEVERITY_W,
            row_style.patch(severity_style(theme, sev)),
        );
        cx += (SEVERITY_W + GAP) as u16;
        let (last, hits) = if app.rule_running(i) {
            ("running…".to_string(), String::new())
        } else {
            let last = entry
                .last_run
                .map_or_else(|| "never".to_string(), |t| t.format("%H:%M:%S").to_string());
            let hits = match (&entry.error, entry.hits) {
                (Some(_), _) => "error".to_string(),
                (None, Some(n)) => thousands(n as u64),
                (None, None) => "·".to_string(),
            };
            (last, hits)
        };
        put(
            buf,
            cx,
            y,
            &cell(&last, LAST_RUN_W, false),
            LAST_RUN_W,
            row_style,
        );
        cx += (LAST_RUN_W + GAP) as u16;
        put(buf, cx, y, &cell(&hits, HITS_W, true), HITS_W, row_style);
    }
    // The description of the rule under the cursor, below the list.
    let list_end = area.y + 1 + rules.len().min(rows) as u16;
    if let Some(entry) = rules.get(cursor) {
        let width = inner.saturating_sub(1);
        for (y, line) in (list_end + 1..area.bottom()).zip(entry.rule.description.lines()) {
            put(
                buf,
                x,
                y,
                &super::common::fit(line, width),
                width,
                theme.dim,
            );
        }
    }
}
