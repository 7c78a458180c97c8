//! The keys that take rows out of Quarry: export the view (or the
//! selection) to CSV, copy the pipeline or a cell.

use std::path::PathBuf;
use std::time::Instant;

use super::{App, Message, PromptKind};
use crate::session::export::{ExportOptions, default_export_name, expand_path};
use crate::session::investigation::ViewKind;
use crate::session::kql_text::source_label;
use crate::tui::worker::{Job, Ticket};

/// An export in flight.
pub(super) struct PendingExport {
    pub(super) ticket: Ticket,
    pub(super) started: Instant,
    pub(super) path: PathBuf,
}

impl App {
    pub(super) fn open_export(&mut self) {
        let step = self.inv.current();
        if matches!(step.kind, ViewKind::Home) {
            self.message = Some(Message::Info("open a table first: enter".into()));
            return;
        }
        let label = source_label(&step.stages);
        let name = default_export_name(chrono::Utc::now(), &label);
        self.export_editor.set_text(&name);
        self.prompt = Some(PromptKind::ExportName);
    }

    pub(super) fn submit_export_name(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let path = expand_path(&self.export_dir, text);
        if std::fs::symlink_metadata(&path).is_ok() {
            self.prompt = Some(PromptKind::ConfirmOverwrite(path));
            return;
        }
        self.start_export(path, false);
    }

    /// The rows `e` writes: the selection, else every row, in view order;
    /// `None` means all.
    pub(super) fn export_rows(&self) -> Option<Vec<usize>> {
        let step = self.inv.current();
        match step.kind {
            ViewKind::Record { row } => Some(vec![row]),
            _ => {
                let len = step.rows.height();
                let sel = &step.view.selection;
                if sel.is_empty(len) || sel.count(len) == len {
                    None
                } else {
                    Some(sel.rows(len))
                }
            }
        }
    }

    pub(super) fn start_export(&mut self, path: PathBuf, overwrite: bool) {
        let rows = self.export_rows();
        let rows_of_step = self.inv.current().rows.clone();
        let ticket = self.worker.submit(Job::Export {
            path: path.clone(),
            frame: rows_of_step,
            rows,
            options: ExportOptions {
                raw: self.raw_export,
                overwrite,
            },
        });
        self.export = Some(PendingExport {
            ticket,
            started: Instant::now(),
            path,
        });
    }

    pub(super) fn copy_pipeline(&mut self) {
        let text = self.inv.current().pipeline_multiline();
        if text.is_empty() {
            self.message = Some(Message::Info("no pipeline here yet".into()));
            return;
        }
        let lines = text.lines().count();
        self.clipboard = Some(text);
        self.message = Some(Message::Info(format!(
            "copied the pipeline ({lines} {}) to the clipboard",
            if lines == 1 { "line" } else { "lines" }
        )));
    }

    pub(super) fn copy_cell(&mut self) {
        let Some((col, value)) = self.current_column() else {
            return;
        };
        let text = value.to_text().into_owned();
        self.message = Some(Message::Info(format!(
            "copied {col} ({} characters) to the clipboard",
            text.chars().count()
        )));
        self.clipboard = Some(text);
    }
}
