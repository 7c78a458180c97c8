//! The prompt line: `/` search, `:` pipeline, the export file name and the
//! overwrite question. Keys go to the line editor while it is open.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::common::{fill, safe};
use crate::tui::app::{App, PromptKind};

/// Draws the open prompt and places the terminal cursor in it.
pub fn draw(f: &mut Frame<'_>, area: Rect, app: &mut App) {
    let Some(kind) = app.prompt.clone() else {
        return;
    };
    let theme = app.theme.clone();
    let style = theme
        .normal
        .patch(theme.prompt)
        .remove_modifier(Modifier::BOLD);
    let cursor_style = theme.cursor_cell;
    fill(f.buffer_mut(), area, theme.normal);
    // The label holds a path for the overwrite question: escape it too.
    let label = safe(&kind.label()).into_owned();
    let editor = match kind {
        PromptKind::Search => &mut app.search_editor,
        PromptKind::Pipeline => &mut app.query_editor,
        PromptKind::ExportName => &mut app.export_editor,
        PromptKind::ConfirmOverwrite(_) => &mut app.confirm_editor,
        PromptKind::PullName => match app.remote.as_mut() {
            Some(r) => &mut r.name_editor,
            None => return,
        },
    };
    let rect = Rect {
        x: area.x + 1,
        width: area.width.saturating_sub(2),
        ..area
    };
    if let Some(pos) = editor.render(rect, f.buffer_mut(), &label, style, cursor_style) {
        f.set_cursor_position(pos);
    }
}
