//! All-table search results (`/` at home): hits per table, most first.
//! Enter opens one table's hits (`search in (T) "x"`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::session::investigation::{Step, ViewKind};
use crate::tui::theme::Theme;

/// Draws a search-results step.
pub fn draw(buf: &mut Buffer, area: Rect, step: &Step, theme: &Theme) {
    let counts = match &step.kind {
        ViewKind::SearchResults { counts, .. } => Some(counts),
        _ => None,
    };
    super::table::draw_grid(buf, area, step, theme, counts);
    if step.frame.height() == 0 {
        if let ViewKind::SearchResults { term, .. } = &step.kind {
            let text = format!(
                "no table has \"{}\" (search matches whole terms; try *{}* for any substring)",
                super::common::safe(term),
                super::common::safe(term)
            );
            super::common::put(buf, area.x + 1, area.y + 1, &text, usize::from(area.width.saturating_sub(1)), theme.dim);
        }
    }
}
