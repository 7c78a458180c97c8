//! The screen's size and how it is cut: the areas the views draw in, and
//! how much of home the table list takes.

use ratatui::layout::Rect;

use super::App;
use crate::session::investigation::ViewKind;
use crate::tui::layout::{self, Areas, LayoutInput};

impl App {
    /// The terminal was resized.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        self.fit();
    }

    /// The layout of the screen now.
    pub fn areas(&self) -> Areas {
        layout::areas(self.size, self.layout_input())
    }

    fn layout_input(&self) -> LayoutInput {
        let step = self.inv.current();
        let pipeline_lines = if self.pipeline_expanded && !step.stages.is_empty() {
            step.stages.len() as u16
        } else {
            1
        };
        let table_like = !matches!(step.kind, ViewKind::Home) && self.help.is_none();
        LayoutInput {
            pipeline_lines,
            error_lines: self.error.as_ref().map_or(0, |e| e.height(self.size.width)),
            prompt: self.prompt.is_some(),
            detail: (self.show_detail || self.current_hits().is_some())
                && table_like
                && self.rules_open.is_none(),
        }
    }
}

/// Rows of the table list at home: the tables and a header, leaving room
/// for the selected table's columns below.
pub fn home_list_height(centre: usize, tables: usize) -> usize {
    (tables + 1)
        .min(centre.saturating_sub(6).max(centre / 2))
        .max(1)
}
