//! The one-line prompts (search, query, export path, pull name, ...) and the help screen: keys typed while one of them is open.

use super::*;
use crate::tui::line_editor::EditOutcome;
use ratatui::crossterm::event::KeyModifiers;

impl App {
    pub(super) fn prompt_editor(&mut self) -> Option<&mut LineEditor> {
        match self.prompt.as_ref()? {
            PromptKind::Search => Some(&mut self.search_editor),
            PromptKind::Pipeline => Some(&mut self.query_editor),
            PromptKind::ExportName => Some(&mut self.export_editor),
            PromptKind::ConfirmOverwrite(_) => Some(&mut self.confirm_editor),
            PromptKind::PullName => self.remote.as_mut().map(|r| &mut r.name_editor),
        }
    }

    pub(super) fn prompt_key(&mut self, key: KeyEvent) {
        let Some(kind) = self.prompt.clone() else {
            return;
        };
        if let PromptKind::ConfirmOverwrite(path) = &kind {
            let answer = match key.code {
                KeyCode::Char('y' | 'Y')
                    if key.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE =>
                {
                    Some(true)
                }
                KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(false),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Some(false),
                _ => None,
            };
            match answer {
                Some(true) => {
                    self.prompt = None;
                    self.start_export(path.clone(), true);
                }
                Some(false) => {
                    // Back to the name, to choose another.
                    self.prompt = Some(PromptKind::ExportName);
                    self.export_editor.set_text(&path.to_string_lossy());
                }
                None => {}
            }
            return;
        }
        let Some(editor) = self.prompt_editor() else {
            return;
        };
        match editor.handle(&key) {
            EditOutcome::Continue => {}
            EditOutcome::Cancel => {
                self.prompt = None;
            }
            EditOutcome::Submit(text) => {
                self.prompt = None;
                self.error = None;
                self.message = None;
                match kind {
                    PromptKind::Search => self.submit_search(&text),
                    PromptKind::Pipeline => self.submit_pipeline(&text),
                    PromptKind::ExportName => self.submit_export_name(&text),
                    PromptKind::PullName => self.submit_pull_name(&text),
                    PromptKind::ConfirmOverwrite(_) => {}
                }
            }
        }
    }

    /// A bracketed paste: into the open prompt, else ignored (a pasted `Q`
    /// must not quit).
    pub fn handle_paste(&mut self, text: &str) {
        if let Some(editor) = self.prompt_editor() {
            editor.insert_str(text);
        }
    }

    pub(super) fn open_prompt(&mut self, kind: PromptKind) {
        if self.loading.is_some()
            && self.summaries.is_empty()
            && matches!(kind, PromptKind::Search | PromptKind::Pipeline)
        {
            self.message = Some(Message::Warning(
                "no table is loaded yet (ctrl+c stops loading)".into(),
            ));
            return;
        }
        if kind == PromptKind::Search {
            self.search_editor.clear();
        }
        self.prompt = Some(kind);
    }

    pub(super) fn help_action(&mut self, action: Action) {
        let lines = self.help_lines().len();
        let page = self.page_rows();
        let Some(scroll) = self.help.as_mut() else {
            return;
        };
        let max = lines.saturating_sub(page);
        let mv = |s: &mut usize, d: isize| {
            *s = s.saturating_add_signed(d).min(max);
        };
        match action {
            Action::MoveUp => mv(scroll, -1),
            Action::MoveDown => mv(scroll, 1),
            Action::PageUp => mv(scroll, -(page as isize)),
            Action::PageDown => mv(scroll, page as isize),
            Action::HalfPageUp => mv(scroll, -((page / 2) as isize)),
            Action::HalfPageDown => mv(scroll, (page / 2) as isize),
            Action::FirstRow => *scroll = 0,
            Action::LastRow => *scroll = max,
            Action::Back | Action::ShowHelp => self.help = None,
            Action::Cancel => self.cancel(),
            Action::Quit => {
                self.save_state();
                self.quit = true;
            }
            _ => {}
        }
    }

    /// The help screen's lines: every binding, from the keymap, then the
    /// prompt keys.
    pub fn help_lines(&self) -> Vec<String> {
        let mut lines = self.keymap.help_lines();
        lines.push(String::new());
        lines.push("In a prompt (/ search, : pipeline, export file name)".to_string());
        for (k, h) in self.keymap.hints(Context::Prompt) {
            lines.push(format!("  {k:<14}{h}"));
        }
        lines.push("  ctrl+a/ctrl+e start / end of line".to_string());
        lines
    }
}
