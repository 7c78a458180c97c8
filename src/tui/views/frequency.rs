//! The frequency view (`F`): one row per group of the key columns, largest
//! first, with its count, its share of all rows and a bar.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::session::investigation::{Step, ViewKind};
use crate::tui::theme::Theme;

/// Draws a frequency step.
pub fn draw(buf: &mut Buffer, area: Rect, step: &Step, theme: &Theme) {
    let counts = match &step.kind {
        ViewKind::Frequency { counts, .. } => Some(counts),
        _ => None,
    };
    super::table::draw_grid(buf, area, step, theme, counts);
}
