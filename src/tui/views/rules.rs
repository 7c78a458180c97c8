//! The detection rules (`R`) and, once they have run, the triage: every
//! rule with its severity, hits, devices, first and last hit and tactic,
//! the rules that fired first (most severe, then noisiest), and why a rule
//! could not run. Enter runs one (and opens its hits), `A` runs them all,
//! `T` groups the rules that fired by tactic.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::common::{cell, fill, put, short_datetime};
use crate::text::thousands;
use crate::tui::app::{App, RuleEntry};
use crate::tui::theme::Theme;

/// Before any run: what each rule is. Name, width, right-aligned; the
/// ones at the end go first when the screen is narrow.
const RULE_COLUMNS: &[(&str, usize, bool)] = &[
    ("Severity", 13, false),
    ("Tactic", 18, false),
    ("Last run", 8, false),
    ("Hits", 8, true),
];

/// After runs, the triage: what each rule found.
const COLUMNS: &[(&str, usize, bool)] = &[
    ("Severity", 13, false),
    ("Hits", 8, true),
    ("Devices", 7, true),
    ("First hit", 16, false),
    ("Last hit", 16, false),
    ("Tactic", 18, false),
    ("Last run", 8, false),
];
const GAP: usize = 2;
/// The title keeps at least this much room before columns are dropped.
const TITLE_MIN: usize = 30;

/// The style of a severity name.
pub fn severity_style(theme: &Theme, severity: &str) -> Style {
    match severity {
        "critical" | "high" => theme.severity.high,
        "medium" => theme.severity.medium,
        "low" => theme.severity.low,
        _ => theme.severity.informational,
    }
}

/// The cells of rule `i` for [`COLUMNS`].
fn cells(app: &App, i: usize, entry: &RuleEntry) -> [String; 7] {
    let dot = || "·".to_string();
    let found = entry.findings.as_ref();
    let (hits, last_run) = if app.rule_running(i) {
        (String::new(), "running…".to_string())
    } else {
        let hits = match (&entry.error, entry.hits) {
            (Some(_), _) => "error".to_string(),
            // `!`: fewer tables were read than the rule names.
            (None, Some(n)) if !entry.warnings.is_empty() => format!("{}!", thousands(n as u64)),
            (None, Some(n)) => thousands(n as u64),
            (None, None) => dot(),
        };
        let last = entry
            .last_run
            .map_or_else(|| "never".to_string(), |t| t.format("%H:%M:%S").to_string());
        (hits, last)
    };
    [
        entry.rule.severity.clone(),
        hits,
        found
            .and_then(|f| f.devices)
            .map_or_else(dot, |n| thousands(n as u64)),
        found.and_then(|f| f.first).map_or_else(dot, short_datetime),
        found.and_then(|f| f.last).map_or_else(dot, short_datetime),
        entry.rule.tactics.first().cloned().unwrap_or_else(dot),
        last_run,
    ]
}

/// The line above the list: what the runs found, and the order.
fn summary(app: &App, rules: &[RuleEntry]) -> Option<String> {
    let ran = rules
        .iter()
        .filter(|e| e.hits.is_some() || e.error.is_some())
        .count();
    if ran == 0 {
        return None;
    }
    let fired = rules
        .iter()
        .filter(|e| e.hits.is_some_and(|n| n > 0))
        .count();
    let failed = rules.iter().filter(|e| e.error.is_some()).count();
    let hits: usize = rules.iter().filter_map(|e| e.hits).sum();
    let mut text = format!(
        "{fired} of {} rules fired ({} hits)",
        thousands(rules.len() as u64),
        thousands(hits as u64)
    );
    if failed > 0 {
        text.push_str(&format!(", {failed} could not run"));
    }
    text.push_str(if app.rules_by_tactic {
        "; grouped by tactic (T: by severity)"
    } else {
        "; by severity then hits (T: by tactic)"
    });
    Some(text)
}

/// Draws the rules list.
pub fn draw(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    fill(buf, area, theme.normal);
    if area.height < 2 || area.width < 20 {
        return;
    }
    let rules = app.rules.as_deref().unwrap_or(&[]);
    let order = app.rule_order();
    let current = app.rules_open.unwrap_or(0);
    let cursor = order.iter().position(|&i| i == current).unwrap_or(0);
    let x = area.x + 1;
    let inner = usize::from(area.width - 1);
    // As many columns as leave the title its room.
    let summary = summary(app, rules);
    let all = if summary.is_some() {
        COLUMNS
    } else {
        RULE_COLUMNS
    };
    let mut shown = all.len();
    while shown > 1 && all[..shown].iter().map(|c| c.1 + GAP).sum::<usize>() + TITLE_MIN > inner {
        shown -= 1;
    }
    let columns = &all[..shown];
    let title_w = inner
        .saturating_sub(columns.iter().map(|c| c.1 + GAP).sum())
        .max(10);
    let mut y = area.y;
    if let Some(text) = summary {
        put(buf, x, y, &text, inner, theme.breadcrumb);
        y += 1;
    }
    let mut header = cell("Rule", title_w, false);
    for (name, w, right) in columns {
        header.push_str(&" ".repeat(GAP));
        header.push_str(&cell(name, *w, *right));
    }
    put(buf, x, y, &header, inner, theme.header);
    y += 1;
    if rules.is_empty() {
        put(buf, x, y, "(no rules)", inner, theme.dim);
        return;
    }
    let rows = usize::from(area.bottom().saturating_sub(y));
    let offset = cursor.saturating_sub(rows.saturating_sub(1));
    for (n, &i) in order.iter().enumerate().skip(offset).take(rows) {
        let Some(entry) = rules.get(i) else { continue };
        let ry = y + (n - offset) as u16;
        let mut row_style = theme.normal;
        if n == cursor {
            row_style = row_style.patch(theme.cursor_row);
            fill(buf, Rect::new(area.x, ry, area.width, 1), row_style);
        }
        let title = format!("{}  {}", entry.rule.id, entry.rule.title);
        let mut cx = put(
            buf,
            x,
            ry,
            &cell(&title, title_w, false),
            title_w,
            row_style,
        );
        let cells = cells(app, i, entry);
        for (name, w, right) in columns {
            let text = match *name {
                "Severity" => &cells[0],
                "Hits" => &cells[1],
                "Devices" => &cells[2],
                "First hit" => &cells[3],
                "Last hit" => &cells[4],
                "Tactic" => &cells[5],
                _ => &cells[6],
            };
            cx += GAP as u16;
            let style = match *name {
                "Severity" => row_style.patch(severity_style(theme, text)),
                "Hits" if entry.error.is_some() => row_style.patch(theme.error),
                _ => row_style,
            };
            cx = put(buf, cx, ry, &cell(text, *w, *right), *w, style);
        }
    }
    // Under the list: why the rule under the cursor could not run, else
    // its description.
    let list_end = y + order.len().min(rows) as u16;
    if let Some(entry) = rules.get(current) {
        let width = inner.saturating_sub(1);
        let (text, style) = match &entry.error {
            Some(e) => (format!("could not run: {e}"), theme.error),
            None if !entry.warnings.is_empty() => (
                format!("warning: {}", entry.warnings.join("\nwarning: ")),
                theme.error,
            ),
            None => (entry.rule.description.clone(), theme.dim),
        };
        for (y, line) in (list_end + 1..area.bottom()).zip(text.lines()) {
            put(buf, x, y, &super::common::fit(line, width), width, style);
        }
    }
}
