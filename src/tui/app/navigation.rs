//! Moving around a view: rows and columns, pages, and keeping the cursor in sight.

use super::*;

/// How many rows `PageDown` moves when the view height is unknown.
const DEFAULT_PAGE: usize = 10;

impl App {
    pub(super) fn table_like(&self) -> bool {
        matches!(
            self.inv.current().kind,
            ViewKind::Table | ViewKind::Frequency { .. } | ViewKind::SearchResults { .. }
        )
    }

    /// Rows of the current view that fit on screen.
    pub fn page_rows(&self) -> usize {
        let a = self.areas();
        let h = usize::from(a.centre.height);
        let h = match self.inv.current().kind {
            _ if self.help.is_some() => h.saturating_sub(1),
            ViewKind::Home => home_list_height(h, self.summaries.len()).saturating_sub(1),
            ViewKind::Record { .. } => h.saturating_sub(1),
            // The timeline strip takes the top of the table's room.
            _ if self.inv.current().timeline.is_some() => {
                h.saturating_sub(1 + usize::from(crate::tui::views::timeline::HEIGHT))
            }
            _ => h.saturating_sub(1),
        };
        if h == 0 { DEFAULT_PAGE } else { h }
    }

    pub(super) fn move_rows(&mut self, delta: isize) {
        let len = self.view_len();
        let step = self.inv.current_mut();
        step.view.move_row(delta, len);
    }

    pub(super) fn move_cols(&mut self, delta: isize) {
        if !self.table_like() {
            return;
        }
        let step = self.inv.current_mut();
        let n = step.columns.len();
        step.view.move_col(delta, n);
    }

    /// Rows the cursor moves over: tables at home, fields in a record,
    /// rows elsewhere.
    pub(super) fn view_len(&self) -> usize {
        let step = self.inv.current();
        match step.kind {
            ViewKind::Home => self.summaries.len(),
            ViewKind::Record { .. } => step.columns.len(),
            _ => step.rows.height(),
        }
    }

    /// Keeps cursors and scroll positions valid for the current size.
    pub fn fit(&mut self) {
        let areas = self.areas();
        let len = self.view_len();
        let page = self.page_rows();
        let centre_width = usize::from(areas.centre.width);
        let step = self.inv.current_mut();
        match &step.kind {
            ViewKind::Home => step.view.fit_rows(len, page),
            ViewKind::Record { .. } => {
                step.view.fit_rows(len, page);
                // Long values wrap: scroll by whole fields until the
                // cursor's field fits below the first one shown.
                let width = areas.centre.width;
                while step.view.row_offset < step.view.row {
                    let used: usize = (step.view.row_offset..=step.view.row)
                        .map(|i| crate::tui::views::record::field_height(step, i, width))
                        .sum();
                    if used <= page {
                        break;
                    }
                    step.view.row_offset += 1;
                }
            }
            ViewKind::Table => {
                step.view.fit_rows(len, page);
                let widths: Vec<usize> = step.columns.iter().map(|c| c.width).collect();
                let w = centre_width.saturating_sub(usize::from(layout::GUTTER));
                step.view.fit_columns(&widths, layout::COLUMN_GAP, w);
            }
            ViewKind::Frequency { .. } | ViewKind::SearchResults { .. } => {
                step.view.fit_rows(len, page);
                let widths: Vec<usize> = step.columns.iter().map(|c| c.width).collect();
                let w = centre_width.saturating_sub(
                    usize::from(layout::GUTTER) + layout::SHARE_WIDTH + layout::MIN_BAR_WIDTH + 4,
                );
                step.view.fit_columns(&widths, layout::COLUMN_GAP, w);
            }
        }
    }
}
