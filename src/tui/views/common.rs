//! Small drawing helpers shared by the views. Everything that puts data on
//! the screen goes through [`safe`] or [`fit`], which escape control
//! characters and bidi overrides (see `crate::text`).

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

use crate::text::{display_width, escape_for_terminal, truncate_to_width};

/// The text with everything that must not reach a terminal escaped.
pub fn safe(s: &str) -> Cow<'_, str> {
    escape_for_terminal(s)
}

/// Escaped, then cut to `width` columns with an ellipsis.
pub fn fit(s: &str, width: usize) -> String {
    truncate_to_width(&escape_for_terminal(s), width)
}

/// Escaped, cut, and padded to exactly `width` columns (numbers on the right).
pub fn cell(s: &str, width: usize, right: bool) -> String {
    let t = fit(s, width);
    let pad = width.saturating_sub(display_width(&t));
    if right {
        format!("{}{t}", " ".repeat(pad))
    } else {
        format!("{t}{}", " ".repeat(pad))
    }
}

/// Writes already safe text at (x, y), at most `width` columns; returns the
/// column after it.
pub fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, width: usize, style: Style) -> u16 {
    if width == 0 || y >= buf.area.bottom() || x >= buf.area.right() {
        return x;
    }
    let width = width.min(usize::from(buf.area.right() - x));
    buf.set_stringn(x, y, text, width, style).0
}

/// Fills a rectangle with a style (and blanks).
pub fn fill(buf: &mut Buffer, area: Rect, style: Style) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            buf[(x, y)].set_symbol(" ").set_style(style);
        }
    }
}

/// The escaped text cut into lines of at most `width` columns, breaking at
/// character boundaries (values such as command lines rarely have spaces
/// where a reader would want them). At most `max_lines` lines; the last one
/// ends with `…` when text was left out.
pub fn wrap(s: &str, width: usize, max_lines: usize) -> Vec<String> {
    let text = escape_for_terminal(s);
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            lines.push(std::mem::take(&mut line));
            used = 0;
            if lines.len() == max_lines {
                break;
            }
        }
        line.push(c);
        used += w;
    }
    if lines.len() < max_lines {
        lines.push(line);
    } else if let Some(last) = lines.last_mut() {
        // More text follows: end the last line with an ellipsis.
        while !last.is_empty() && display_width(last) + 1 > width {
            last.pop();
        }
        last.push('…');
    }
    lines
}

/// How many lines [`wrap`] makes, without building them.
pub fn wrapped_height(s: &str, width: usize, max_lines: usize) -> usize {
    let w = display_width(&escape_for_terminal(s)).max(1);
    w.div_ceil(width.max(1)).clamp(1, max_lines.max(1))
}

/// `2025-03-18 12:00`: to the minute, which is what a table's range needs
/// (the rows themselves show every digit).
pub fn short_datetime(ns: i64) -> String {
    let s = crate::data::time::format_datetime(ns);
    match (s.get(..10), s.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_cut_and_align() {
        assert_eq!(cell("ab", 4, false), "ab  ");
        assert_eq!(cell("12", 4, true), "  12");
        assert_eq!(cell("abcdef", 4, false), "abc…");
        assert_eq!(cell("a\u{1b}b", 6, false), "a\\eb  ");
    }

    #[test]
    fn wrapping() {
        assert_eq!(wrap("abcdefg", 3, 10), vec!["abc", "def", "g"]);
        assert_eq!(wrap("abcdefg", 3, 2), vec!["abc", "de…"]);
        assert_eq!(wrap("", 3, 2), vec![""]);
        assert_eq!(wrap("a\nb", 10, 2), vec!["a\\nb"]);
        assert_eq!(wrapped_height("abcdefg", 3, 10), 3);
        assert_eq!(wrapped_height("", 3, 10), 1);
    }
}
