//! Help (`?`): every key, from the same keymap table the keys are looked up
//! in, so it always shows the bindings that work (including the user's).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::common::{fill, put, safe};
use crate::tui::app::App;

/// Draws help, scrolled to `scroll`.
pub fn draw(buf: &mut Buffer, area: Rect, app: &App, scroll: usize) {
    let theme = &app.theme;
    fill(buf, area, theme.normal);
    if area.height == 0 {
        return;
    }
    let w = usize::from(area.width.saturating_sub(2));
    fill(buf, Rect { height: 1, ..area }, theme.header);
    put(
        buf,
        area.x + 1,
        area.y,
        "Keys (change them in keymap.toml; q or esc closes this)",
        w,
        theme.header,
    );
    for (i, line) in app.help_lines().iter().skip(scroll).enumerate() {
        let y = area.y + 1 + i as u16;
        if y >= area.bottom() {
            break;
        }
        let heading = !line.starts_with(' ') && !line.is_empty();
        let style = if heading {
            theme.normal.patch(theme.breadcrumb)
        } else {
            theme.normal
        };
        put(buf, area.x + 1, y, &safe(line), w, style);
    }
}
