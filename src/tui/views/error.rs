//! An error above the view: the message and, for a query, the line with a
//! caret under what is wrong, scrolled so the caret is on screen however
//! long the pipeline is. The previous result stays below it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{fill, put, safe, wrap};
use crate::text::display_width;
use crate::tui::app::{App, ErrorView};

/// Lines a long message may take: a refused query's says what to do at
/// its end.
pub const MESSAGE_LINES: usize = 3;

/// The lines to draw in `width` columns.
pub fn lines(err: &ErrorView, width: usize) -> Vec<String> {
    let mut out = wrap(&format!("error: {}", err.message), width, MESSAGE_LINES);
    if let (Some(src), Some((a, b))) = (&err.source, err.caret) {
        // One line per char so escapes stay aligned with their caret.
        let cells: Vec<String> = src
            .chars()
            .map(|c| safe(&c.to_string()).into_owned())
            .collect();
        let widths: Vec<usize> = cells.iter().map(|c| display_width(c)).collect();
        let room = width.saturating_sub(4).max(8);
        let before: usize = widths[..a.min(widths.len())].iter().sum();
        // Start so the caret sits about a third of the way in when the
        // line does not fit.
        let total: usize = widths.iter().sum();
        let mut start = 0;
        if total + 1 > room {
            let target = before.saturating_sub(room / 3);
            let mut acc = 0;
            while start < cells.len() && acc + widths[start] <= target {
                acc += widths[start];
                start += 1;
            }
        }
        let mut text = String::new();
        let mut caret = String::new();
        let mut used = 0;
        let lead = if start > 0 { "…" } else { " " };
        for i in start..cells.len() {
            if used + widths[i] > room {
                break;
            }
            text.push_str(&cells[i]);
            let mark = if i >= a && i < b { "^" } else { " " };
            caret.push_str(&mark.repeat(widths[i]));
            used += widths[i];
        }
        if b > cells.len() || a >= cells.len() {
            caret.push('^');
        }
        out.push(format!("  {lead}{text}"));
        out.push(format!("   {}", caret.trim_end()));
    }
    out
}

/// Draws the error.
pub fn draw(buf: &mut Buffer, area: Rect, app: &App) {
    let theme = &app.theme;
    let Some(err) = app.error() else {
        return;
    };
    fill(buf, area, theme.normal);
    let width = usize::from(area.width.saturating_sub(2));
    let all = lines(err, width);
    for (i, line) in all.iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.bottom() {
            break;
        }
        // The query's line is plain; the message and the caret are red.
        let source_line = err.source.is_some() && i + 2 == all.len();
        let style = if source_line {
            theme.normal
        } else {
            theme.error
        };
        put(buf, area.x + 1, y, line, width, style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_the_span() {
        let e = ErrorView {
            message: "unknown column 'Nope'".into(),
            source: Some("T | where Nope == 1".into()),
            caret: Some((10, 14)),
        };
        assert_eq!(
            lines(&e, 80),
            vec![
                "error: unknown column 'Nope'".to_string(),
                "   T | where Nope == 1".to_string(),
                "             ^^^^".to_string(),
            ]
        );
    }

    #[test]
    fn long_lines_scroll_to_the_caret() {
        let src = format!("{} | where Nope == 1", "x".repeat(200));
        let at = src.find("Nope").unwrap();
        let e = ErrorView {
            message: "m".into(),
            source: Some(src),
            caret: Some((at, at + 4)),
        };
        let l = lines(&e, 40);
        assert!(l[1].contains("Nope"), "{l:?}");
        let col = l[1][..l[1].find("Nope").unwrap()].chars().count();
        assert_eq!(l[2].find('^'), Some(col));
    }

    #[test]
    fn long_messages_wrap_so_their_advice_shows() {
        let e = ErrorView {
            message: "join would produce 2,500,000,000 rows (about 1010.5 GiB); \
                      filter both sides first, or join on more keys"
                .into(),
            source: None,
            caret: None,
        };
        assert_eq!(
            lines(&e, 50),
            vec![
                "error: join would produce 2,500,000,000 rows (abou".to_string(),
                "t 1010.5 GiB); filter both sides first, or join on".to_string(),
                " more keys".to_string(),
            ]
        );
        assert_eq!(e.height(52), 3);
    }
}
