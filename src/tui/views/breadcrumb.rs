//! The top of the screen: the breadcrumb of steps, and the KQL pipeline
//! that produces the current view (one line, or one stage per line when
//! expanded with `v`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::common::{fill, put, safe};
use crate::session::investigation::ViewKind;
use crate::text::{display_width, truncate_to_width};
use crate::tui::app::App;

const SEPARATOR: &str = " › ";

/// Draws the breadcrumb: the newest steps, cut from the left.
pub fn draw_breadcrumb(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    fill(buf, area, theme.normal);
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width.saturating_sub(2));
    let mut crumbs: Vec<String> = app
        .investigation()
        .steps()
        .iter()
        .map(|s| {
            // Where a step is among its tables stays readable however
            // long its label.
            let label = truncate_to_width(&safe(&s.label), 48);
            match &s.results {
                Some(r) => format!("{label} [{}]", safe(&r.position())),
                None => label,
            }
        })
        .collect();
    if app.help.is_some() {
        crumbs.push("help".to_string());
    }
    // Drop the oldest crumbs until the rest fits, keeping "Home" first.
    let mut skipped = false;
    loop {
        let text = joined(&crumbs, skipped);
        if display_width(&text) <= width || crumbs.len() <= 2 {
            break;
        }
        crumbs.remove(1);
        skipped = true;
    }
    let text = truncate_to_width(&joined(&crumbs, skipped), width);
    // The last crumb (where the analyst is) stands out.
    let last = crumbs.last().cloned().unwrap_or_default();
    let head_w = display_width(&text).saturating_sub(display_width(&last));
    let x = put(buf, area.x + 1, area.y, &text, head_w, theme.breadcrumb);
    let last_style = theme.breadcrumb.add_modifier(Modifier::BOLD);
    put(
        buf,
        x,
        area.y,
        &text_tail(&text, head_w),
        width.saturating_sub(head_w),
        last_style,
    );
}

fn joined(crumbs: &[String], skipped: bool) -> String {
    match crumbs.split_first() {
        Some((home, rest)) if skipped => {
            let mut parts = vec![home.clone(), "…".to_string()];
            parts.extend(rest.iter().cloned());
            parts.join(SEPARATOR)
        }
        _ => crumbs.join(SEPARATOR),
    }
}

/// What follows the first `width` columns of `text`.
fn text_tail(text: &str, width: usize) -> String {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        if used >= width {
            return text[i..].to_string();
        }
        used += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
    }
    String::new()
}

/// The lines of the pipeline bar: `KQL` and the pipeline, or a hint at home.
pub fn pipeline_lines(app: &App, width: usize, expanded: bool) -> Vec<String> {
    let step = app.current();
    if step.stages.is_empty() {
        return vec![match step.kind {
            ViewKind::Home => {
                "KQL  (none yet: enter opens a table, / searches every table, : writes a query)"
                    .to_string()
            }
            _ => String::new(),
        }];
    }
    let room = width.saturating_sub(5);
    if expanded {
        return step
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let lead = if i == 0 { "KQL  " } else { "     | " };
                format!(
                    "{lead}{}",
                    truncate_to_width(&safe(&unbroken(s)), room.saturating_sub(2))
                )
            })
            .collect();
    }
    let stages: Vec<String> = step
        .stages
        .iter()
        .map(|s| safe(&unbroken(s)).into_owned())
        .collect();
    vec![format!("KQL  {}", one_line(&stages, room))]
}

/// A stage written over several lines (a rule's query, a pasted one) on
/// one: each line break and the indentation after it read as one space,
/// not as an escaped `\n`.
fn unbroken(stage: &str) -> String {
    stage
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stages on one line in `room` columns. Too long, the middle stages
/// give way first: the source says where the rows come from and the last
/// stages what was done last, and both matter more than the middle.
pub fn one_line(stages: &[String], room: usize) -> String {
    let full = stages.join(" | ");
    if display_width(&full) <= room || stages.len() < 2 {
        return truncate_to_width(&full, room);
    }
    let n = stages.len();
    let sep = |keep: usize| if keep == n - 1 { " | " } else { " | … | " };
    for keep in (1..n).rev() {
        let text = format!(
            "{}{}{}",
            stages[0],
            sep(keep),
            stages[n - keep..].join(" | ")
        );
        if display_width(&text) <= room {
            return text;
        }
    }
    // The source, shortened, and the last stage whole.
    let tail = format!("{}{}", sep(1), stages[n - 1]);
    let left = room.saturating_sub(display_width(&tail));
    if left >= 12 {
        return format!("{}{tail}", truncate_to_width(&stages[0], left));
    }
    // Even that is too long: the newest end, cut from the left.
    let chars: Vec<char> = full.chars().collect();
    let mut start = 0;
    while start < chars.len() {
        let tail: String = chars[start..].iter().collect();
        if display_width(&tail) < room {
            return format!("…{tail}");
        }
        start += 1;
    }
    "…".to_string()
}

/// Draws the pipeline bar.
pub fn draw_pipeline(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    fill(buf, area, theme.normal);
    let width = usize::from(area.width.saturating_sub(2));
    let lines = pipeline_lines(app, width, app.pipeline_expanded);
    for (i, line) in lines.iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.bottom() {
            break;
        }
        // "KQL" is a label; the query itself in the prompt colour.
        let (label, rest) = line.split_at(line.len().min(5));
        let x = put(buf, area.x + 1, y, label, width, theme.dim);
        let style = theme
            .normal
            .patch(theme.prompt)
            .remove_modifier(Modifier::BOLD);
        put(buf, x, y, rest, width.saturating_sub(5), style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn middle_stages_give_way() {
        let stages = v(&[
            "search \"192.168.0\"",
            "summarize Hits = count() by $table",
            "sort by Hits desc",
        ]);
        assert_eq!(one_line(&stages, 200), stages.join(" | "));
        assert_eq!(
            one_line(&stages, 45),
            "search \"192.168.0\" | … | sort by Hits desc"
        );
        let long = one_line(&stages, 20);
        assert!(
            display_width(&long) <= 20 && long.starts_with('…'),
            "{long}"
        );
        assert_eq!(
            one_line(&v(&["a very long single stage"]), 10),
            "a very lo…"
        );
        assert_eq!(
            one_line(&stages, 40),
            "search \"192.168… | … | sort by Hits desc"
        );
        let two = v(&["search in (NetworkCommunicationEvents) \"x\"", "count"]);
        assert_eq!(one_line(&two, 30), "search in (NetworkCom… | count");
    }

    #[test]
    fn a_stage_over_several_lines_reads_on_one() {
        assert_eq!(
            unbroken("union isfuzzy=true A, B\n| where x > 0\r\n    | take 1\n"),
            "union isfuzzy=true A, B | where x > 0 | take 1"
        );
        // Other control characters are left for `safe` to escape.
        assert_eq!(
            unbroken("T | where s == \"\x1b[31m\""),
            "T | where s == \"\x1b[31m\""
        );
    }
}
