//! The keys of pictures: a `render` query's chart (flip to the table, move
//! the cursor along it, write it to SVG) and the timeline of any table
//! (`t`, choose a range, narrow the view to it).

use std::path::PathBuf;
use std::time::Instant;

use super::queries::{NewKind, Placement};
use super::{App, Message};
use crate::data::types::KqlType;
use crate::session::chart::{StepChart, svg};
use crate::session::export::{ExportError, default_export_name, write_file_atomic};
use crate::session::investigation::{Step, ViewKind};
use crate::session::timeline::Timeline;
use crate::tui::action::{Action, Context};
use crate::tui::views;
use crate::tui::worker::{Job, Ticket};

/// A timeline the worker is binning, for the step at `depth` whose
/// pipeline is `pipeline` (it is dropped if the analyst has moved on).
pub(super) struct PendingTimeline {
    ticket: Ticket,
    depth: usize,
    pipeline: String,
    started: Instant,
}

impl App {
    /// Handles `action` when a chart or a timeline is on screen, or is one
    /// of their keys; false to let the table have it.
    pub(super) fn picture_action(&mut self, action: Action) -> bool {
        match action {
            Action::ToggleChart => {
                self.toggle_chart();
                return true;
            }
            Action::ExportChart => {
                self.export_chart();
                return true;
            }
            Action::Timeline => {
                self.toggle_timeline();
                return true;
            }
            _ => {}
        }
        if self.chart_showing() {
            return self.chart_key(action);
        }
        if self.inv.current().timeline.is_some() {
            return self.timeline_key(action);
        }
        false
    }

    /// Whether a picture key, or a drill under a chart, does anything
    /// here (None: not one of those). The hints bar shows `c` where a
    /// chart can be flipped to, `E` where one is on screen, `t` over a
    /// table with times; under a chart it hides the drills, which need the
    /// table.
    pub(super) fn picture_available(&self, action: Action) -> Option<bool> {
        let step = self.inv.current();
        let table = matches!(step.kind, ViewKind::Table);
        // The rules list over a chart has its own keys.
        let under_chart = self.chart_showing() && self.context() == Context::Table;
        Some(match action {
            Action::ToggleChart => table && step.chart.is_some(),
            Action::ExportChart => {
                self.chart_showing() && step.chart.as_ref().is_some_and(|c| c.chart.is_ok())
            }
            Action::Timeline => {
                table
                    && !self.chart_showing()
                    && step.columns.iter().any(|c| c.kind == KqlType::Datetime)
            }
            a if works_on_rows(a) => !under_chart,
            _ => return None,
        })
    }

    /// The chart is on screen (not its table).
    pub(crate) fn chart_showing(&self) -> bool {
        self.inv.current().chart.as_ref().is_some_and(|c| c.showing)
    }

    /// Says why a result asked to be drawn is shown as a table.
    pub(super) fn note_chart(&mut self, step: &Step) {
        if let Some(StepChart { chart: Err(e), .. }) = &step.chart {
            self.message = Some(Message::Warning(e.to_string()));
        }
    }

    fn toggle_chart(&mut self) {
        let step = self.inv.current_mut();
        match &mut step.chart {
            Some(c) => {
                c.showing = !c.showing;
                if let (true, Err(e)) = (c.showing, &c.chart) {
                    let text = e.to_string();
                    c.showing = false;
                    self.message = Some(Message::Warning(text));
                }
            }
            None => {
                self.message = Some(Message::Info(
                    "no chart here: end the query with render (for example | render timechart)"
                        .into(),
                ));
            }
        }
    }

    fn chart_key(&mut self, action: Action) -> bool {
        let Some(c) = self.inv.current_mut().chart.as_mut() else {
            return false;
        };
        match action {
            Action::MoveLeft | Action::PrevColumn | Action::MoveUp => c.move_cursor(-1),
            Action::MoveRight | Action::NextColumn | Action::MoveDown => c.move_cursor(1),
            Action::PageUp | Action::HalfPageUp => c.move_cursor(-10),
            Action::PageDown | Action::HalfPageDown => c.move_cursor(10),
            Action::FirstRow => c.move_cursor(isize::MIN / 2),
            Action::LastRow => c.move_cursor(isize::MAX / 2),
            a if works_on_rows(a) => {
                let key = self.key_of(Action::ToggleChart);
                self.message = Some(Message::Info(format!(
                    "this is the chart: {key} shows the table to work on its rows"
                )));
            }
            _ => return false,
        }
        true
    }

    pub(super) fn key_of(&self, action: Action) -> String {
        self.keymap
            .keys(action, crate::tui::action::Context::Table)
            .first()
            .map_or_else(|| action.name().to_string(), |k| k.to_string())
    }

    fn toggle_timeline(&mut self) {
        if self.chart_showing() || !matches!(self.inv.current().kind, ViewKind::Table) {
            self.message = Some(Message::Info(
                "the timeline is drawn over a table of rows".into(),
            ));
            return;
        }
        if self.timeline_job.take().is_some_and(|j| {
            j.ticket.cancel();
            j.depth == self.inv.depth()
        }) {
            // `t` again while it is being drawn: never mind.
            return;
        }
        let width = self.areas().centre.width;
        let step = self.inv.current_mut();
        if step.timeline.take().is_some() {
            return;
        }
        // The cursor's column if it holds times, else the first that does.
        // Binning reads the whole column: the worker does it.
        let job = Job::Timeline {
            rows: step.rows.clone(),
            column: step.current_column_name().map(str::to_string),
            bins: views::timeline::bins_for(width),
        };
        let pipeline = step.pipeline();
        let ticket = self.worker.submit(job);
        self.timeline_job = Some(PendingTimeline {
            ticket,
            depth: self.inv.depth(),
            pipeline,
            started: Instant::now(),
        });
    }

    /// The worker binned a timeline: shown if its step is still on top.
    pub(super) fn timeline_done(&mut self, id: u64, result: Result<Timeline, String>) {
        let Some(job) = self.timeline_job.take_if(|j| j.ticket.id == id) else {
            return;
        };
        if self.inv.depth() != job.depth || self.inv.current().pipeline() != job.pipeline {
            return;
        }
        let step = self.inv.current_mut();
        match result {
            Ok(t) => step.timeline = Some(t),
            Err(e) => self.message = Some(Message::Info(e)),
        }
    }

    /// When the timeline being binned was asked for, if one is.
    pub(super) fn timeline_started(&self) -> Option<Instant> {
        self.timeline_job.as_ref().map(|j| j.started)
    }

    /// Stops binning a timeline; whether one was being binned.
    pub(super) fn cancel_timeline(&mut self) -> bool {
        self.timeline_job
            .take()
            .map(|j| j.ticket.cancel())
            .is_some()
    }

    fn timeline_key(&mut self, action: Action) -> bool {
        let page = 10;
        let step = self.inv.current_mut();
        let Some(t) = step.timeline.as_mut() else {
            return false;
        };
        match action {
            Action::MoveLeft => t.move_cursor(-1),
            Action::MoveRight => t.move_cursor(1),
            Action::PrevColumn => t.move_cursor(-page),
            Action::NextColumn => t.move_cursor(page),
            Action::ToggleSelect => t.toggle_anchor(),
            Action::Back => step.timeline = None,
            Action::DrillIn => {
                let stage = t.stage();
                let (a, b) = t.selected();
                let label = format!("{} {}", t.column, if a == b { "bin" } else { "range" });
                self.append(stage, label, NewKind::Table, Placement::Push, None);
            }
            _ => return false,
        }
        true
    }

    /// Writes the chart on screen to `<export dir>/quarry-<label>-<time>.svg`
    /// (a new name, never over a file).
    fn export_chart(&mut self) {
        let step = self.inv.current();
        let Some(c) = step.chart.as_ref() else {
            self.message = Some(Message::Info(
                "no chart here: end the query with render to draw one".into(),
            ));
            return;
        };
        let chart = match &c.chart {
            Ok(chart) => chart,
            Err(e) => {
                self.message = Some(Message::Warning(e.to_string()));
                return;
            }
        };
        let doc = svg::write(chart);
        let name = default_export_name(chrono::Utc::now(), &step.label);
        let name = name.strip_suffix(".csv").unwrap_or(&name).to_string();
        let mut path: PathBuf = self.export_dir.join(format!("{name}.svg"));
        let mut n = 2;
        loop {
            match write_file_atomic(&path, doc.as_bytes(), false) {
                Ok(()) => {
                    self.message = Some(Message::Info(format!(
                        "chart written to {}",
                        path.display()
                    )));
                    return;
                }
                Err(ExportError::Exists(_)) if n < 100 => {
                    path = self.export_dir.join(format!("{name}-{n}.svg"));
                    n += 1;
                }
                Err(e) => {
                    self.message = Some(Message::Warning(format!("chart not written: {e}")));
                    return;
                }
            }
        }
    }
}

/// The table keys that work on rows, which wait under a chart until the
/// analyst flips to its table.
fn works_on_rows(action: Action) -> bool {
    matches!(
        action,
        Action::FilterKeep
            | Action::FilterExclude
            | Action::Frequency
            | Action::Sort
            | Action::DrillIn
            | Action::MarkColumn
            | Action::HideColumn
            | Action::ToggleSelect
            | Action::SelectAll
            | Action::CopyCell
            | Action::ToggleDetail
    )
}
