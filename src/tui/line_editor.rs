//! A single-line text editor for the prompts: `/` search, `:` the KQL
//! pipeline, the export file name.
//!
//! While a prompt is open every key goes here, not to the keymap (see
//! [`Context::Prompt`](super::action::Context::Prompt)). The keys are the
//! readline ones analysts already have in their fingers:
//!
//! | key                        | does                                   |
//! |----------------------------|----------------------------------------|
//! | Enter                      | submit ([`EditOutcome::Submit`])       |
//! | Esc, Ctrl+c                | cancel ([`EditOutcome::Cancel`])       |
//! | Left/Right, Ctrl+b/Ctrl+f  | move one character                     |
//! | Ctrl+Left/Right, Alt+b/Alt+f | move one word                        |
//! | Home/End, Ctrl+a/Ctrl+e    | start / end of line                    |
//! | Backspace, Ctrl+h / Delete, Ctrl+d | delete before / at the cursor  |
//! | Ctrl+w, Alt+Backspace      | delete the word before the cursor      |
//! | Ctrl+u / Ctrl+k            | delete to start / to end of line       |
//! | Up/Down, Ctrl+p/Ctrl+n     | history (the unfinished line is kept)  |
//!
//! The cursor is a *character* index, so editing never splits a UTF-8
//! sequence. Rendering scrolls horizontally to keep the cursor in view and
//! shows characters that must not reach the terminal escaped, like cells.

use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

use crate::text::{needs_escape, push_escaped};

/// What the prompt should do after a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditOutcome {
    /// Keep the prompt open (the key edited the line, moved, or was ignored).
    Continue,
    /// Enter: run this text. It has been added to the history and the line
    /// cleared.
    Submit(String),
    /// Esc or Ctrl+c: close the prompt without running anything. The line
    /// has been cleared.
    Cancel,
}

/// Most history entries kept; older ones are dropped first.
const HISTORY_LIMIT: usize = 500;

/// State of one single-line prompt: the text, the cursor, the history and
/// the horizontal scroll.
#[derive(Clone, Debug, Default)]
pub struct LineEditor {
    /// The line, as chars: the cursor and every edit index it directly.
    chars: Vec<char>,
    /// Cursor position in chars, `0..=chars.len()`.
    cursor: usize,
    history: Vec<String>,
    /// Index into `history` while browsing it with Up/Down.
    history_pos: Option<usize>,
    /// The line being typed before browsing started, restored by Down.
    draft: Option<Vec<char>>,
    /// First visible char; kept between frames so the view does not jump.
    scroll: usize,
}

impl LineEditor {
    /// An empty editor with no history.
    pub fn new() -> LineEditor {
        LineEditor::default()
    }

    /// An empty editor with earlier entries (oldest first), for example the
    /// query history saved from a previous session.
    pub fn with_history(history: Vec<String>) -> LineEditor {
        let mut editor = LineEditor::new();
        for entry in history {
            editor.push_history(entry);
        }
        editor
    }

    /// The current line.
    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    /// Whether the line is empty.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The cursor position, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Replaces the line (for `:`, the current pipeline) with the cursor at
    /// its end. Control characters are cleaned as by [`insert_str`](Self::insert_str).
    pub fn set_text(&mut self, text: &str) {
        self.chars.clear();
        self.cursor = 0;
        self.scroll = 0;
        self.reset_history_browsing();
        self.insert_str(text);
    }

    /// Empties the line and stops browsing history.
    pub fn clear(&mut self) {
        self.chars.clear();
        self.cursor = 0;
        self.scroll = 0;
        self.reset_history_browsing();
    }

    /// The history, oldest first.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Adds an entry to the history unless it is blank or repeats the last one.
    pub fn push_history(&mut self, entry: String) {
        if entry.trim().is_empty() || self.history.last() == Some(&entry) {
            return;
        }
        self.history.push(entry);
        if self.history.len() > HISTORY_LIMIT {
            let excess = self.history.len() - HISTORY_LIMIT;
            self.history.drain(..excess);
        }
    }

    /// Inserts one character at the cursor. Control characters are dropped:
    /// a prompt is one line, and a raw ESC in it would reach the terminal.
    pub fn insert_char(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        self.chars.insert(self.cursor, c);
        self.cursor += 1;
    }

    /// Inserts text at the cursor, for a bracketed paste. Line breaks and
    /// tabs become spaces (a pipeline pasted from a multi-line editor stays
    /// valid KQL) and other control characters are dropped.
    pub fn insert_str(&mut self, text: &str) {
        let mut deduped: Vec<char> = Vec::with_capacity(text.len());
        let mut prev_cr = false;
        for c in text.chars() {
            match c {
                // CRLF is one line break, so one space.
                '\n' if prev_cr => {}
                '\r' | '\n' | '\t' => deduped.push(' '),
                c if c.is_control() => {}
                c => deduped.push(c),
            }
            prev_cr = c == '\r';
        }
        let n = deduped.len();
        self.chars.splice(self.cursor..self.cursor, deduped);
        self.cursor += n;
    }

    /// Applies one key. Key releases and unbound keys are ignored
    /// ([`EditOutcome::Continue`]).
    pub fn handle(&mut self, key: &KeyEvent) -> EditOutcome {
        if key.kind == KeyEventKind::Release {
            return EditOutcome::Continue;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Enter => {
                let text = self.text();
                self.push_history(text.clone());
                self.clear();
                return EditOutcome::Submit(text);
            }
            KeyCode::Esc => {
                self.clear();
                return EditOutcome::Cancel;
            }
            KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
                'c' => {
                    self.clear();
                    return EditOutcome::Cancel;
                }
                'a' => self.cursor = 0,
                'e' => self.cursor = self.chars.len(),
                'b' => self.cursor = self.cursor.saturating_sub(1),
                'f' => self.cursor = (self.cursor + 1).min(self.chars.len()),
                'h' => self.backspace(),
                'd' => self.delete(),
                'w' => self.delete_word_back(),
                'u' => {
                    self.chars.drain(..self.cursor);
                    self.cursor = 0;
                }
                'k' => self.chars.truncate(self.cursor),
                'p' => self.history_prev(),
                'n' => self.history_next(),
                _ => {}
            },
            KeyCode::Char(c) if alt => match c {
                'b' => self.cursor = self.word_start_before(self.cursor),
                'f' => self.cursor = self.word_end_after(self.cursor),
                _ => {}
            },
            KeyCode::Char(c) => self.insert_char(c),
            KeyCode::Backspace if alt || ctrl => self.delete_word_back(),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left if ctrl || alt => self.cursor = self.word_start_before(self.cursor),
            KeyCode::Right if ctrl || alt => self.cursor = self.word_end_after(self.cursor),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.chars.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.chars.len(),
            KeyCode::Up => self.history_prev(),
            KeyCode::Down => self.history_next(),
            _ => {}
        }
        EditOutcome::Continue
    }

    fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.chars.remove(self.cursor);
        }
    }

    fn delete(&mut self) {
        if self.cursor < self.chars.len() {
            self.chars.remove(self.cursor);
        }
    }

    /// Ctrl+w deletes back to the previous whitespace, like a shell: in KQL
    /// that removes `"192.168.0.1"` or `RemoteIP` whole.
    fn delete_word_back(&mut self) {
        let mut start = self.cursor;
        while start > 0 && self.chars[start - 1].is_whitespace() {
            start -= 1;
        }
        while start > 0 && !self.chars[start - 1].is_whitespace() {
            start -= 1;
        }
        self.chars.drain(start..self.cursor);
        self.cursor = start;
    }

    fn is_word(c: char) -> bool {
        c.is_alphanumeric() || c == '_'
    }

    fn word_start_before(&self, from: usize) -> usize {
        let mut i = from;
        while i > 0 && !Self::is_word(self.chars[i - 1]) {
            i -= 1;
        }
        while i > 0 && Self::is_word(self.chars[i - 1]) {
            i -= 1;
        }
        i
    }

    fn word_end_after(&self, from: usize) -> usize {
        let mut i = from;
        let n = self.chars.len();
        while i < n && !Self::is_word(self.chars[i]) {
            i += 1;
        }
        while i < n && Self::is_word(self.chars[i]) {
            i += 1;
        }
        i
    }

    fn history_prev(&mut self) {
        if self.history.is_empty() {
            return;
        }
        let pos = match self.history_pos {
            None => {
                self.draft = Some(std::mem::take(&mut self.chars));
                self.history.len() - 1
            }
            Some(0) => 0,
            Some(p) => p - 1,
        };
        self.history_pos = Some(pos);
        self.chars = self.history[pos].chars().collect();
        self.cursor = self.chars.len();
    }

    fn history_next(&mut self) {
        let Some(pos) = self.history_pos else {
            return;
        };
        if pos + 1 < self.history.len() {
            self.history_pos = Some(pos + 1);
            self.chars = self.history[pos + 1].chars().collect();
        } else {
            self.history_pos = None;
            self.chars = self.draft.take().unwrap_or_default();
        }
        self.cursor = self.chars.len();
    }

    fn reset_history_browsing(&mut self) {
        self.history_pos = None;
        self.draft = None;
    }

    /// Columns a char takes on screen: its escape when it needs one.
    fn cell_width(c: char) -> usize {
        if needs_escape(c) {
            let mut s = String::new();
            push_escaped(&mut s, c);
            s.len()
        } else {
            c.width().unwrap_or(0)
        }
    }

    /// Chooses the visible window for a text area `width` columns wide:
    /// returns `(first, last)` char indices (`last` exclusive) and the
    /// cursor's column inside the area.
    ///
    /// The window moves only as far as needed to keep the cursor visible,
    /// and slides back left when text is deleted so no space is wasted. One
    /// column is reserved for the cursor when it sits after the last char.
    pub fn layout(&mut self, width: usize) -> (usize, usize, usize) {
        let n = self.chars.len();
        self.cursor = self.cursor.min(n);
        if width == 0 {
            return (self.cursor, self.cursor, 0);
        }
        let w = |i: usize| Self::cell_width(self.chars[i]);
        // Width needed to show chars first..cursor plus the cursor cell.
        let cursor_cell = if self.cursor < n {
            w(self.cursor).max(1)
        } else {
            1
        };
        let span =
            |first: usize| -> usize { (first..self.cursor).map(w).sum::<usize>() + cursor_cell };

        let mut first = self.scroll.min(self.cursor);
        while first < self.cursor && span(first) > width {
            first += 1;
        }
        // Slide back while everything from first-1 to the end still fits.
        let tail = |first: usize| -> usize {
            (first..n).map(w).sum::<usize>() + usize::from(self.cursor == n)
        };
        while first > 0 && tail(first - 1) <= width {
            first -= 1;
        }
        self.scroll = first;

        let mut used = 0;
        let mut last = first;
        let mut cursor_col = 0;
        while last < n {
            let cw = w(last);
            if used + cw > width {
                break;
            }
            if last == self.cursor {
                cursor_col = used;
            }
            used += cw;
            last += 1;
        }
        if self.cursor >= last {
            cursor_col = used.min(width - 1);
        }
        (first, last, cursor_col)
    }

    /// Draws `prompt` then the line into `area` (its first row), and returns
    /// where the terminal cursor belongs, for `Frame::set_cursor_position`.
    ///
    /// The cell under the cursor is also drawn with `cursor_style`, so the
    /// cursor stays visible on terminals that hide their own. The prompt is
    /// trusted text (`/`, `:`); the line is escaped as cells are.
    pub fn render(
        &mut self,
        area: Rect,
        buf: &mut Buffer,
        prompt: &str,
        style: Style,
        cursor_style: Style,
    ) -> Option<Position> {
        if area.width == 0 || area.height == 0 {
            return None;
        }
        let row = Rect { height: 1, ..area };
        buf.set_style(row, style);
        let (x_after_prompt, _) =
            buf.set_stringn(row.x, row.y, prompt, usize::from(row.width), style);
        let prompt_width = x_after_prompt - row.x;
        let text_width = usize::from(row.width - prompt_width);
        if text_width == 0 {
            return None;
        }
        let (first, last, cursor_col) = self.layout(text_width);
        let mut x = x_after_prompt;
        let mut cell = String::new();
        for &c in &self.chars[first..last] {
            cell.clear();
            push_escaped(&mut cell, c);
            let (next, _) = buf.set_stringn(x, row.y, &cell, usize::from(row.right() - x), style);
            x = next;
        }
        let pos = Position::new(x_after_prompt + cursor_col as u16, row.y);
        buf.set_style(
            Rect {
                x: pos.x,
                y: pos.y,
                width: 1,
                height: 1,
            },
            cursor_style,
        );
        Some(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(e: &mut LineEditor, code: KeyCode) -> EditOutcome {
        e.handle(&KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn ctrl(e: &mut LineEditor, c: char) -> EditOutcome {
        e.handle(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }

    fn alt(e: &mut LineEditor, code: KeyCode) -> EditOutcome {
        e.handle(&KeyEvent::new(code, KeyModifiers::ALT))
    }

    fn typed(text: &str) -> LineEditor {
        let mut e = LineEditor::new();
        for c in text.chars() {
            press(&mut e, KeyCode::Char(c));
        }
        e
    }

    #[test]
    fn typing_and_moving() {
        let mut e = typed("wher");
        assert_eq!(e.text(), "wher");
        assert_eq!(e.cursor(), 4);
        press(&mut e, KeyCode::Char('e'));
        press(&mut e, KeyCode::Home);
        press(&mut e, KeyCode::Char('|'));
        press(&mut e, KeyCode::Char(' '));
        assert_eq!(e.text(), "| where");
        press(&mut e, KeyCode::End);
        assert_eq!(e.cursor(), 7);
        ctrl(&mut e, 'a');
        assert_eq!(e.cursor(), 0);
        ctrl(&mut e, 'e');
        assert_eq!(e.cursor(), 7);
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        assert_eq!(e.cursor(), 5);
        press(&mut e, KeyCode::Right);
        assert_eq!(e.cursor(), 6);
        for _ in 0..5 {
            press(&mut e, KeyCode::Right);
        }
        assert_eq!(e.cursor(), 7);
        for _ in 0..10 {
            press(&mut e, KeyCode::Left);
        }
        assert_eq!(e.cursor(), 0);
    }

    #[test]
    fn shifted_characters_are_typed() {
        let mut e = LineEditor::new();
        e.handle(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
        e.handle(&KeyEvent::new(KeyCode::Char('"'), KeyModifiers::SHIFT));
        assert_eq!(e.text(), "G\"");
    }

    #[test]
    fn utf8_editing_is_by_character() {
        let mut e = typed("né日本🔥");
        assert_eq!(e.cursor(), 5);
        press(&mut e, KeyCode::Backspace);
        assert_eq!(e.text(), "né日本");
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Backspace);
        assert_eq!(e.text(), "n日本");
        press(&mut e, KeyCode::Delete);
        assert_eq!(e.text(), "n本");
        press(&mut e, KeyCode::Char('ü'));
        assert_eq!(e.text(), "nü本");
        assert_eq!(e.cursor(), 2);
    }

    #[test]
    fn deletions() {
        let mut e = typed("| where RemoteIP has \"10.0\"");
        ctrl(&mut e, 'w');
        assert_eq!(e.text(), "| where RemoteIP has ");
        ctrl(&mut e, 'w');
        assert_eq!(e.text(), "| where RemoteIP ");
        alt(&mut e, KeyCode::Backspace);
        assert_eq!(e.text(), "| where ");
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        ctrl(&mut e, 'k');
        assert_eq!(e.text(), "| wher");
        ctrl(&mut e, 'u');
        assert_eq!(e.text(), "");
        assert_eq!(e.cursor(), 0);
        // Nothing to delete: no panic, no change.
        press(&mut e, KeyCode::Backspace);
        press(&mut e, KeyCode::Delete);
        ctrl(&mut e, 'w');
        assert_eq!(e.text(), "");

        let mut e = typed("abc def");
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        ctrl(&mut e, 'u');
        assert_eq!(e.text(), "ef");
        assert_eq!(e.cursor(), 0);
        ctrl(&mut e, 'd');
        assert_eq!(e.text(), "f");
    }

    #[test]
    fn word_motion() {
        let mut e = typed("where foo_bar == \"x\"");
        alt(&mut e, KeyCode::Char('b'));
        assert_eq!(e.cursor(), 18); // start of x
        e.handle(&KeyEvent::new(KeyCode::Left, KeyModifiers::CONTROL));
        assert_eq!(e.cursor(), 6); // start of foo_bar
        e.handle(&KeyEvent::new(KeyCode::Right, KeyModifiers::CONTROL));
        assert_eq!(e.cursor(), 13); // end of foo_bar
        alt(&mut e, KeyCode::Char('f'));
        assert_eq!(e.cursor(), 19);
    }

    #[test]
    fn submit_and_cancel() {
        let mut e = typed("search \"x\"");
        assert_eq!(
            press(&mut e, KeyCode::Enter),
            EditOutcome::Submit("search \"x\"".into())
        );
        assert_eq!(e.text(), "");
        assert_eq!(e.history(), ["search \"x\""]);
        let mut e2 = typed("abc");
        assert_eq!(press(&mut e2, KeyCode::Esc), EditOutcome::Cancel);
        assert_eq!(e2.text(), "");
        let mut e3 = typed("abc");
        assert_eq!(ctrl(&mut e3, 'c'), EditOutcome::Cancel);
        assert!(e3.history().is_empty());
        // An empty submit is allowed but not remembered.
        assert_eq!(
            press(&mut e3, KeyCode::Enter),
            EditOutcome::Submit(String::new())
        );
        assert!(e3.history().is_empty());
    }

    #[test]
    fn releases_are_ignored() {
        let mut e = LineEditor::new();
        let mut k = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        k.kind = KeyEventKind::Release;
        assert_eq!(e.handle(&k), EditOutcome::Continue);
        assert_eq!(e.text(), "");
    }

    #[test]
    fn history_browsing_keeps_the_draft() {
        let mut e = LineEditor::with_history(vec!["one".into(), "two".into(), "two".into()]);
        assert_eq!(e.history(), ["one", "two"]);
        for c in "dra".chars() {
            press(&mut e, KeyCode::Char(c));
        }
        press(&mut e, KeyCode::Up);
        assert_eq!(e.text(), "two");
        assert_eq!(e.cursor(), 3);
        press(&mut e, KeyCode::Up);
        assert_eq!(e.text(), "one");
        press(&mut e, KeyCode::Up);
        assert_eq!(e.text(), "one");
        press(&mut e, KeyCode::Down);
        assert_eq!(e.text(), "two");
        press(&mut e, KeyCode::Down);
        assert_eq!(e.text(), "dra");
        press(&mut e, KeyCode::Down);
        assert_eq!(e.text(), "dra");

        // Editing a recalled entry does not change the history.
        ctrl(&mut e, 'p');
        press(&mut e, KeyCode::Char('!'));
        assert_eq!(e.text(), "two!");
        assert_eq!(
            press(&mut e, KeyCode::Enter),
            EditOutcome::Submit("two!".into())
        );
        assert_eq!(e.history(), ["one", "two", "two!"]);
        ctrl(&mut e, 'p');
        assert_eq!(e.text(), "two!");
        ctrl(&mut e, 'n');
        assert_eq!(e.text(), "");
    }

    #[test]
    fn history_on_empty_is_a_no_op() {
        let mut e = typed("x");
        press(&mut e, KeyCode::Up);
        press(&mut e, KeyCode::Down);
        assert_eq!(e.text(), "x");
    }

    #[test]
    fn history_is_bounded() {
        let e = LineEditor::with_history((0..600).map(|i| i.to_string()).collect());
        assert_eq!(e.history().len(), HISTORY_LIMIT);
        assert_eq!(e.history()[0], "100");
    }

    #[test]
    fn paste_and_set_text_clean_control_characters() {
        let mut e = LineEditor::new();
        e.insert_str("T\r\n| where x\n| take\t10\u{1b}[31m");
        assert_eq!(e.text(), "T | where x | take 10[31m");
        e.set_text("a\u{7}b");
        assert_eq!(e.text(), "ab");
        assert_eq!(e.cursor(), 2);
        e.handle(&KeyEvent::new(KeyCode::Home, KeyModifiers::NONE));
        e.insert_str("日本");
        assert_eq!(e.text(), "日本ab");
        assert_eq!(e.cursor(), 2);
    }

    #[test]
    fn layout_scrolls_to_keep_the_cursor_visible() {
        let mut e = typed("0123456789");
        // Cursor at the end needs one extra column.
        assert_eq!(e.layout(20), (0, 10, 10));
        assert_eq!(e.layout(5), (6, 10, 4));
        // Moving left inside the window does not scroll.
        press(&mut e, KeyCode::Left);
        press(&mut e, KeyCode::Left);
        // The end-of-line cursor cell is free now, so one more char shows.
        assert_eq!(e.layout(5), (5, 10, 3));
        // Moving past the left edge scrolls just enough.
        for _ in 0..4 {
            press(&mut e, KeyCode::Left);
        }
        assert_eq!(e.cursor(), 4);
        assert_eq!(e.layout(5), (4, 9, 0));
        press(&mut e, KeyCode::Home);
        assert_eq!(e.layout(5), (0, 5, 0));
        press(&mut e, KeyCode::End);
        assert_eq!(e.layout(5), (6, 10, 4));
        // Deleting slides the window back.
        ctrl(&mut e, 'w');
        assert_eq!(e.layout(5), (0, 0, 0));
        assert_eq!(e.layout(0), (0, 0, 0));
    }

    #[test]
    fn layout_with_wide_and_escaped_chars() {
        let mut e = typed("日本語");
        // 6 columns of text + cursor; width 4 shows one wide char + cursor.
        assert_eq!(e.layout(4), (2, 3, 2));
        press(&mut e, KeyCode::Home);
        assert_eq!(e.layout(4), (0, 2, 0));
        let mut e = LineEditor::new();
        e.chars = vec!['a', '\u{202e}', 'b'];
        e.cursor = 3;
        // a(1) + \u{202e}(8) + b(1) + cursor(1)
        assert_eq!(e.layout(11), (0, 3, 10));
        assert_eq!(e.layout(3), (2, 3, 1));
    }

    fn row(buf: &Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    }

    #[test]
    fn render_draws_prompt_text_and_cursor() {
        let mut e = typed("where x");
        let area = Rect::new(0, 0, 12, 1);
        let mut buf = Buffer::empty(area);
        let cursor_style = Style::new().reversed();
        let pos = e.render(area, &mut buf, ": ", Style::new(), cursor_style);
        assert_eq!(row(&buf, 0), ": where x   ");
        assert_eq!(pos, Some(Position::new(9, 0)));
        assert!(
            buf[(9, 0)]
                .modifier
                .contains(ratatui::style::Modifier::REVERSED)
        );
        assert!(
            !buf[(8, 0)]
                .modifier
                .contains(ratatui::style::Modifier::REVERSED)
        );

        // Narrow: scrolled so the cursor is still on screen.
        let area = Rect::new(0, 0, 6, 1);
        let mut buf = Buffer::empty(area);
        let pos = e.render(area, &mut buf, ": ", Style::new(), cursor_style);
        assert_eq!(row(&buf, 0), ": e x ");
        assert_eq!(pos, Some(Position::new(5, 0)));
    }

    #[test]
    fn render_escapes_hostile_text() {
        let mut e = LineEditor::new();
        e.chars = "a\u{202e}b".chars().collect();
        e.cursor = 0;
        let area = Rect::new(0, 0, 14, 1);
        let mut buf = Buffer::empty(area);
        e.render(area, &mut buf, "/", Style::new(), Style::new());
        assert_eq!(row(&buf, 0), "/a\\u{202e}b   ");
    }

    #[test]
    fn render_in_tiny_areas_does_not_panic() {
        let mut e = typed("日本語 text");
        for w in 0..6 {
            let area = Rect::new(0, 0, w, 1);
            let mut buf = Buffer::empty(area);
            let pos = e.render(area, &mut buf, ": ", Style::new(), Style::new());
            if let Some(p) = pos {
                assert!(p.x < w.max(1));
            }
        }
    }
}
