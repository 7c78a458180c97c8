//! Where each part of the screen goes. Pure: the App uses it to know how
//! many rows a page is and which columns fit, the views to draw there, so
//! the two always agree.

use ratatui::layout::Rect;

/// The smallest terminal the workbench draws in.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal the workbench draws in.
pub const MIN_HEIGHT: u16 = 24;
/// Most lines the expanded pipeline bar takes.
pub const MAX_PIPELINE_LINES: u16 = 8;
/// Most lines an error takes.
pub const MAX_ERROR_LINES: u16 = 6;
/// Blank columns between two table columns.
pub const COLUMN_GAP: usize = 2;
/// The selection marker column left of every row.
pub const GUTTER: u16 = 1;
/// Columns the frequency view draws after the frame's: share, then bar.
pub const SHARE_WIDTH: usize = 6;
/// Narrowest frequency bar.
pub const MIN_BAR_WIDTH: usize = 10;

/// The parts of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// Steps, one line.
    pub breadcrumb: Rect,
    /// The KQL pipeline, one line or expanded.
    pub pipeline: Rect,
    /// An error with its caret; zero height when there is none.
    pub error: Rect,
    /// The current view.
    pub centre: Rect,
    /// The detail panel, when shown.
    pub detail: Option<Rect>,
    /// The open prompt.
    pub prompt: Option<Rect>,
    /// The status bar.
    pub status: Rect,
    /// The keys that act here.
    pub hints: Rect,
}

/// What decides the layout besides the terminal size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LayoutInput {
    /// Lines the pipeline bar wants (1 when collapsed).
    pub pipeline_lines: u16,
    /// Lines the error wants (0 when there is none).
    pub error_lines: u16,
    /// A prompt is open.
    pub prompt: bool,
    /// The detail panel is shown.
    pub detail: bool,
}

/// Whether the terminal is big enough to draw in.
pub fn fits(size: Rect) -> bool {
    size.width >= MIN_WIDTH && size.height >= MIN_HEIGHT
}

/// Splits the screen.
pub fn areas(size: Rect, input: LayoutInput) -> Areas {
    let mut y = size.y;
    let mut take = |h: u16, bottom: &mut u16| -> Rect {
        let h = h.min(bottom.saturating_sub(y));
        let r = Rect::new(size.x, y, size.width, h);
        y += h;
        r
    };
    let mut bottom = size.y + size.height;
    let breadcrumb = take(1, &mut bottom);
    let pipeline = take(
        input.pipeline_lines.clamp(1, MAX_PIPELINE_LINES),
        &mut bottom,
    );
    let error = take(input.error_lines.min(MAX_ERROR_LINES), &mut bottom);
    // From the bottom up: hints, status, prompt.
    let mut from_bottom = |h: u16| -> Rect {
        let h = h.min(bottom.saturating_sub(y));
        bottom -= h;
        Rect::new(size.x, bottom, size.width, h)
    };
    let hints = from_bottom(1);
    let status = from_bottom(1);
    let prompt = input.prompt.then(|| from_bottom(1));
    let centre_full = Rect::new(size.x, y, size.width, bottom.saturating_sub(y));
    let (centre, detail) = if input.detail && centre_full.width >= 60 {
        let w = (centre_full.width * 2 / 5).clamp(30, 70);
        let centre = Rect {
            width: centre_full.width - w,
            ..centre_full
        };
        let detail = Rect {
            x: centre_full.x + centre_full.width - w,
            width: w,
            ..centre_full
        };
        (centre, Some(detail))
    } else {
        (centre_full, None)
    };
    Areas {
        breadcrumb,
        pipeline,
        error,
        centre,
        detail,
        prompt,
        status,
        hints,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_80_by_24() {
        let a = areas(
            Rect::new(0, 0, 80, 24),
            LayoutInput {
                pipeline_lines: 1,
                ..Default::default()
            },
        );
        assert_eq!(a.breadcrumb, Rect::new(0, 0, 80, 1));
        assert_eq!(a.pipeline, Rect::new(0, 1, 80, 1));
        assert_eq!(a.error.height, 0);
        assert_eq!(a.centre, Rect::new(0, 2, 80, 20));
        assert_eq!(a.status, Rect::new(0, 22, 80, 1));
        assert_eq!(a.hints, Rect::new(0, 23, 80, 1));
        assert!(a.prompt.is_none() && a.detail.is_none());
    }

    #[test]
    fn prompt_error_and_detail() {
        let a = areas(
            Rect::new(0, 0, 100, 30),
            LayoutInput {
                pipeline_lines: 20,
                error_lines: 3,
                prompt: true,
                detail: true,
            },
        );
        assert_eq!(a.pipeline.height, MAX_PIPELINE_LINES);
        assert_eq!(a.error, Rect::new(0, 9, 100, 3));
        assert_eq!(a.prompt, Some(Rect::new(0, 27, 100, 1)));
        assert_eq!(a.centre, Rect::new(0, 12, 60, 15));
        assert_eq!(a.detail, Some(Rect::new(60, 12, 40, 15)));
    }

    #[test]
    fn tiny_sizes_do_not_underflow() {
        for w in 0..5 {
            for h in 0..6 {
                let a = areas(
                    Rect::new(0, 0, w, h),
                    LayoutInput {
                        pipeline_lines: 3,
                        error_lines: 3,
                        prompt: true,
                        detail: true,
                    },
                );
                assert!(a.centre.height <= h);
            }
        }
    }
}
