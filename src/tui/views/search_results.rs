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
    if let (0, ViewKind::SearchResults { term, .. }) = (step.rows.height(), &step.kind) {
        let term = super::common::safe(term);
        let text = format!(
            "no table has \"{term}\" (search matches whole terms; try *{term}* for any substring)"
        );
        let width = usize::from(area.width.saturating_sub(1));
        super::common::put(buf, area.x + 1, area.y + 1, &text, width, theme.dim);
    }
}
