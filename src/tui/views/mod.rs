//! The views: they only draw. Each reads the App (or one step) and writes
//! a buffer; none runs a query, touches a file or changes state (the line
//! editor keeps its own horizontal scroll, as a widget does).

pub mod breadcrumb;
pub mod chart;
pub mod common;
pub mod detail;
pub mod error;
pub mod frequency;
pub mod help;
pub mod home;
pub mod profile;
pub mod prompt;
pub mod record;
pub mod remote_home;
pub mod rules;
pub mod search_results;
pub mod status;
pub mod stored;
pub mod table;
pub mod timeline;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::app::App;
use super::layout;
use crate::session::investigation::ViewKind;

/// Draws the whole screen.
pub fn draw(f: &mut Frame<'_>, app: &mut App) {
    let size = f.area();
    if !layout::fits(size) {
        draw_too_small(f, size, app);
        return;
    }
    let areas = app.areas();
    let buf = f.buffer_mut();
    breadcrumb::draw_breadcrumb(buf, areas.breadcrumb, app);
    breadcrumb::draw_pipeline(buf, areas.pipeline, app);
    error::draw(buf, areas.error, app);
    let step = app.current();
    if let Some(scroll) = app.help {
        help::draw(buf, areas.centre, app, scroll);
    } else if app.rules_open.is_some() {
        rules::draw(buf, areas.centre, app);
    } else {
        match step.kind {
            ViewKind::Home if app.remote().is_some() => remote_home::draw(buf, areas.centre, app),
            ViewKind::Home => home::draw(buf, areas.centre, app),
            ViewKind::SearchResults { .. } => {
                search_results::draw(buf, areas.centre, step, &app.theme)
            }
            ViewKind::Table => match (&step.chart, &step.timeline) {
                (Some(c), _) if c.showing => chart::draw(buf, areas.centre, c, &app.theme),
                (_, Some(t)) => {
                    timeline::draw(buf, areas.centre, t, &app.theme);
                    let rest = timeline::table_area(areas.centre, step);
                    table::draw(buf, rest, step, &app.theme);
                }
                _ => table::draw(buf, areas.centre, step, &app.theme),
            },
            ViewKind::Frequency { .. } => frequency::draw(buf, areas.centre, step, &app.theme),
            ViewKind::Record { .. } => record::draw(buf, areas.centre, step, &app.theme),
        }
        if let Some(detail) = areas.detail {
            match app.current_hits() {
                Some(hits) => profile::draw(buf, detail, step, hits, &app.theme),
                None => detail::draw(buf, detail, step, &app.theme),
            }
        }
    }
    status::draw(buf, areas.status, app);
    status::draw_hints(buf, areas.hints, app);
    if let Some(p) = areas.prompt {
        prompt::draw(f, p, app);
    }
}

fn draw_too_small(f: &mut Frame<'_>, size: Rect, app: &App) {
    let theme = &app.theme;
    let buf = f.buffer_mut();
    common::fill(buf, size, theme.normal);
    let lines = [
        format!(
            "Quarry needs a terminal of at least {}x{}",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        ),
        format!("(this one is {}x{}).", size.width, size.height),
        "Make it larger, or press Q to quit.".to_string(),
    ];
    let top = size.y + size.height.saturating_sub(lines.len() as u16) / 2;
    for (i, line) in lines.iter().enumerate() {
        let w = crate::text::display_width(line) as u16;
        let x = size.x + size.width.saturating_sub(w) / 2;
        common::put(
            buf,
            x,
            top + i as u16,
            line,
            usize::from(size.width),
            theme.normal,
        );
    }
}
