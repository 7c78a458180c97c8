//! The workbench on a remote engine (`quarry --remote URL`): home lists
//! the engine's tables, every step's pipeline runs there (capped, see
//! `session::engine`), and `P` pulls the view into the local catalog as a
//! table, after which drills on it run locally.
//!
//! Which engine runs a pipeline is the session's choice
//! ([`crate::session::engine::Engine::place`]); this file only keeps what
//! the screen needs: the remote tables, what each remote view's answer
//! said (capped, partial), and the pull in flight.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use polars::prelude::DataFrame;

use super::queries::NewKind;
use super::{App, ErrorView, Message, PromptKind, TableSummary};
use crate::data::catalog::{Catalog, Table};
use crate::kql::QueryError;
use crate::remote::tables::RemoteTable;
use crate::session::chart::StepChart;
use crate::session::engine::{Engine, Place, REMOTE_ROW_CAP, Remote, RemoteView};
use crate::session::investigation::{Step, ViewKind};
use crate::session::kql_text;
use crate::tui::line_editor::LineEditor;
use crate::tui::worker::{Job, Reply, Ticket};

/// The remote side of the workbench.
pub struct RemoteState {
    engine: Engine,
    /// The engine's tables, as home lists them.
    pub(crate) tables: Vec<RemoteTable>,
    /// The listing in flight.
    listing: Option<(Ticket, Instant)>,
    /// Why the tables could not be listed.
    pub(crate) listing_error: Option<String>,
    /// What each remote view's answer said, by the view's pipeline.
    views: HashMap<String, ViewNotes>,
    /// The pull in flight.
    pull: Option<PendingPull>,
    /// The name a pull is given.
    pub(crate) name_editor: LineEditor,
    /// The pipeline the open name prompt is for.
    naming: Option<String>,
}

/// What the service (or the cap) said about a remote view.
#[derive(Clone, Debug, Default)]
struct ViewNotes {
    capped: bool,
    partial: bool,
}

struct PendingPull {
    ticket: Ticket,
    started: Instant,
    name: String,
    /// The view pulled, to open the table in its place if it is still on
    /// screen when the rows arrive.
    pipeline: String,
}

impl RemoteState {
    fn remote(&self) -> Option<&Remote> {
        self.engine.remote()
    }

    /// The engine in a few words.
    pub fn label(&self) -> String {
        self.remote().map(Remote::label).unwrap_or_default()
    }

    /// Whether the tables are still being listed.
    pub fn listing(&self) -> bool {
        self.listing.is_some()
    }

    /// The remote table called `name`, if any.
    pub fn table(&self, name: &str) -> Option<&RemoteTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

impl App {
    /// Opens the workbench on `engine`: its tables are listed on the
    /// worker, and every pipeline runs there until pulled home.
    pub fn open_remote(&mut self, engine: crate::remote::Engine) {
        let remote = Remote::new(engine, REMOTE_ROW_CAP);
        let ticket = self.worker.submit(Job::RemoteTables {
            engine: Arc::clone(remote.engine()),
        });
        // A crashed local session is not reopened on remote data.
        self.resume = None;
        let (now, note) = (self.clock)(&Catalog::new());
        self.now = Some(now);
        if let Some(note) = note {
            self.message = Some(Message::Info(note));
        }
        self.remote = Some(RemoteState {
            engine: Engine::Remote(remote),
            tables: Vec::new(),
            listing: Some((ticket, Instant::now())),
            listing_error: None,
            views: HashMap::new(),
            pull: None,
            name_editor: LineEditor::new(),
            naming: None,
        });
    }

    /// The remote side, when the workbench runs on a remote engine.
    pub fn remote(&self) -> Option<&RemoteState> {
        self.remote.as_ref()
    }

    /// The work a query becomes: a remote view when the session runs it
    /// remotely, else `None` (a local query).
    pub(super) fn remote_job(&self, text: &str) -> Option<Job> {
        let r = self.remote.as_ref()?;
        let remote = r.remote()?;
        (r.engine.place(text, &self.catalog) == Place::Remote).then(|| Job::Remote {
            engine: Arc::clone(remote.engine()),
            text: text.to_string(),
            cap: Some(remote.cap()),
        })
    }

    /// Whether `text` would run on the remote engine; the service, not
    /// Quarry's parser, then judges its KQL.
    pub(super) fn runs_remotely(&self, text: &str) -> bool {
        self.remote
            .as_ref()
            .is_some_and(|r| r.engine.place(text, &self.catalog) == Place::Remote)
    }

    /// A remote query finished: a pull, or a view, which then ends as a
    /// local query does (pushed as a step, or shown as an error).
    pub(super) fn remote_done(
        &mut self,
        id: u64,
        result: Result<RemoteView, QueryError>,
        elapsed: Duration,
    ) {
        if self
            .remote
            .as_ref()
            .and_then(|r| r.pull.as_ref())
            .is_some_and(|p| p.ticket.id == id)
        {
            self.pull_done(result);
            return;
        }
        let pending = self
            .pending
            .as_ref()
            .filter(|p| p.ticket.id == id)
            .map(|p| {
                (
                    kql_text::join_stages(&p.stages),
                    matches!(p.kind, NewKind::Table),
                )
            });
        let (frame, notes) = match result {
            Ok(view) => (
                Ok(crate::kql::Rows::whole(view.frame)),
                Some((view.notes, view.capped)),
            ),
            Err(e) => (Err(e), None),
        };
        // A remote view holds a few thousand rows: its chart is drawn here.
        let chart = match (&frame, &pending) {
            (Ok(frame), Some((pipeline, true))) => StepChart::for_result(pipeline, frame),
            _ => None,
        };
        self.handle_reply_inner(Reply::QueryDone {
            id,
            result: frame,
            several: Vec::new(),
            warnings: Vec::new(),
            chart: chart.map(Into::into),
            elapsed,
        });
        let pushed = pending.is_some() && self.pending.is_none() && self.error.is_none();
        if let (true, Some((notes, capped))) = (pushed, notes) {
            let pipeline = self.inv.current().pipeline();
            let partial = notes.len() > usize::from(capped);
            if !notes.is_empty() {
                self.message = Some(Message::Warning(notes.join("; ")));
            }
            if let Some(r) = self.remote.as_mut() {
                r.views.insert(pipeline, ViewNotes { capped, partial });
            }
        }
    }

    /// The remote tables arrived (or could not be listed).
    pub(super) fn remote_tables_done(&mut self, id: u64, result: Result<Vec<RemoteTable>, String>) {
        let Some(r) = self.remote.as_mut() else {
            return;
        };
        if r.listing.as_ref().is_none_or(|(t, _)| t.id != id) {
            return;
        }
        r.listing = None;
        let label = r.label();
        match result {
            Ok(tables) => {
                r.tables = tables;
                self.message = Some(Message::Info(format!(
                    "{} tables on {label}; every view runs there, at most {} rows (P pulls a view home)",
                    r.tables.len(),
                    crate::text::thousands(REMOTE_ROW_CAP as u64)
                )));
            }
            Err(e) => {
                r.listing_error = Some(e.clone());
                self.error = Some(ErrorView::plain(format!("cannot list the tables: {e}")));
            }
        }
        self.rebuild_summaries();
    }

    /// Home's lines: the remote tables, then the local ones pulled.
    fn rebuild_summaries(&mut self) {
        let Some(r) = self.remote.as_ref() else {
            return;
        };
        let mut summaries: Vec<TableSummary> =
            r.tables.iter().map(TableSummary::of_remote).collect();
        summaries.extend(self.catalog.tables().map(TableSummary::of));
        self.summaries = summaries;
        self.fit();
    }

    /// What the status bar says of the remote engine and of the view on
    /// screen (capped, partial, local).
    pub fn remote_parts(&self) -> Vec<String> {
        let Some(r) = self.remote.as_ref() else {
            return Vec::new();
        };
        let mut parts = vec![format!("remote: {}", r.label())];
        let step = self.inv.current();
        if matches!(step.kind, ViewKind::Home | ViewKind::Record { .. }) {
            return parts;
        }
        let pipeline = step.pipeline();
        match r.views.get(&pipeline) {
            Some(v) if v.capped => parts.push("capped".to_string()),
            Some(v) if v.partial => parts.push("partial result".to_string()),
            Some(_) => {}
            None if r.engine.place(&pipeline, &self.catalog) == Place::Local => {
                parts.push("local".to_string())
            }
            None => {}
        }
        parts
    }

    /// Remote work the spinner shows: the listing, a pull.
    pub(super) fn remote_busy(&self) -> Option<(Instant, String)> {
        let r = self.remote.as_ref()?;
        if let Some((_, started)) = &r.listing {
            return Some((*started, format!("listing the tables of {}", r.label())));
        }
        r.pull
            .as_ref()
            .map(|p| (p.started, format!("pulling {} from {}", p.name, r.label())))
    }

    /// Cancels the pull and the listing; whether there was one. A remote
    /// view query cancelled is not waited for: its request is left to end
    /// on its own thread, and its answer is dropped.
    pub(super) fn cancel_remote(&mut self) -> bool {
        let remote_view = self.worker.remote_view_id();
        if self
            .cancelling
            .is_some_and(|(id, _)| Some(id) == remote_view)
        {
            self.cancelling = None;
        }
        let Some(r) = self.remote.as_mut() else {
            return false;
        };
        let mut any = false;
        if let Some(p) = r.pull.take() {
            p.ticket.cancel();
            any = true;
        }
        if let Some((t, _)) = r.listing.take() {
            t.cancel();
            r.listing_error = Some("listing cancelled".into());
            any = true;
        }
        any
    }

    /// `P`: asks for the name of the local table the view becomes.
    pub(super) fn pull_table(&mut self) {
        let step = self.inv.current();
        let table_like = matches!(
            step.kind,
            ViewKind::Table | ViewKind::Frequency { .. } | ViewKind::SearchResults { .. }
        );
        let Some(r) = self.remote.as_mut() else {
            self.message = Some(Message::Info(
                "P pulls a view of a remote engine home (quarry --remote URL); these tables are local"
                    .into(),
            ));
            return;
        };
        if !table_like {
            self.message = Some(Message::Info("open a table view to pull it".into()));
            return;
        }
        if r.pull.is_some() {
            self.message = Some(Message::Warning(
                "a pull is running (ctrl+c cancels it)".into(),
            ));
            return;
        }
        let pipeline = step.pipeline();
        let name = free_name(&default_name(&step.stages), &self.catalog, &r.tables);
        r.name_editor.set_text(&name);
        r.naming = Some(pipeline);
        self.prompt = Some(PromptKind::PullName);
    }

    /// The name was given: checked, then the view becomes that table (its
    /// rows as they are, or the whole result fetched when the view was
    /// capped).
    pub(super) fn submit_pull_name(&mut self, text: &str) {
        let name = text.trim().to_string();
        let Some(r) = self.remote.as_mut() else {
            return;
        };
        let Some(pipeline) = r.naming.take() else {
            return;
        };
        let problem = if crate::remote::save::check_table_name(&name).is_err() {
            Some(format!(
                "{name:?} cannot name a table: letters, digits and _, not starting with a digit"
            ))
        } else if r.table(&name).is_some() {
            Some(format!(
                "{name} is a table of {}: a local table of that name would hide it",
                r.label()
            ))
        } else if self.catalog.get(&name).is_some() {
            Some(format!("a local table {name} exists already"))
        } else {
            None
        };
        if let Some(problem) = problem {
            self.message = Some(Message::Warning(format!("{problem}; choose another name")));
            r.name_editor.set_text(&name);
            r.naming = Some(pipeline);
            self.prompt = Some(PromptKind::PullName);
            return;
        }
        let step = self.inv.current();
        if step.pipeline() != pipeline {
            return;
        }
        let capped = r.views.get(&pipeline).is_some_and(|v| v.capped);
        if !capped {
            // Every row is on screen already (a remote view's rows are
            // gathered): no request.
            let frame = step.rows.clone().into_frame();
            self.add_pulled(name, frame, &pipeline, Vec::new());
            return;
        }
        let Some(remote) = r.remote() else {
            return;
        };
        let ticket = self.worker.submit(Job::Remote {
            engine: Arc::clone(remote.engine()),
            text: pipeline.clone(),
            cap: None,
        });
        r.pull = Some(PendingPull {
            ticket,
            started: Instant::now(),
            name,
            pipeline,
        });
    }

    fn pull_done(&mut self, result: Result<RemoteView, QueryError>) {
        let Some(pull) = self.remote.as_mut().and_then(|r| r.pull.take()) else {
            return;
        };
        match result {
            Ok(view) => self.add_pulled(pull.name, view.frame, &pull.pipeline, view.notes),
            Err(e) if e.kind == crate::kql::error::ErrorKind::Cancelled => {
                self.message = Some(Message::Warning(format!("pull of {} cancelled", pull.name)));
            }
            Err(e) => {
                self.error = Some(ErrorView::plain(format!(
                    "cannot pull {}: {}",
                    pull.name, e.message
                )));
            }
        }
    }

    /// Adds `frame` to the local catalog as `name`, and opens it in place
    /// of the view it came from when that is still on screen.
    fn add_pulled(&mut self, name: String, frame: DataFrame, pipeline: &str, notes: Vec<String>) {
        let rows = frame.height();
        let mut catalog = (*self.catalog).clone();
        catalog.insert(Table {
            name: name.clone(),
            frame: frame.clone(),
            files: Vec::new(),
            warnings: Vec::new(),
        });
        self.catalog = Arc::new(catalog);
        self.rebuild_summaries();
        if self.inv.current().pipeline() == pipeline {
            let step = Step::new(
                ViewKind::Table,
                format!("{name} (local)"),
                vec![kql_text::quote_ident(&name)],
                frame,
            );
            self.inv.push(step);
            self.fit();
        }
        let mut text = format!(
            "pulled {} {} into the local table {name}: drills on it run locally",
            crate::text::thousands(rows as u64),
            if rows == 1 { "row" } else { "rows" }
        );
        for n in notes {
            text.push_str("; ");
            text.push_str(&n);
        }
        self.message = Some(if text.contains("; ") {
            Message::Warning(text)
        } else {
            Message::Info(text)
        });
    }
}

/// A table name from the view's source: `SigninLogs_pulled`.
fn default_name(stages: &[String]) -> String {
    let source: String = kql_text::source_label(stages)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let source = source.trim_matches('_');
    if source.is_empty() || source.starts_with(|c: char| c.is_ascii_digit()) {
        "Pulled".to_string()
    } else {
        format!("{source}_pulled")
    }
}

/// `name`, or `name_2`, `name_3`...: the first not taken here or there.
fn free_name(name: &str, local: &Catalog, remote: &[RemoteTable]) -> String {
    let taken = |n: &str| local.get(n).is_some() || remote.iter().any(|t| t.name == n);
    if !taken(name) {
        return name.to_string();
    }
    (2..)
        .map(|i| format!("{name}_{i}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulled_tables_are_named_after_their_source() {
        assert_eq!(default_name(&["SigninLogs".into()]), "SigninLogs_pulled");
        assert_eq!(
            default_name(&["search \"10.0.0.1\"".into(), "take 5".into()]),
            "search_10_0_0_1_pulled"
        );
        assert_eq!(default_name(&["print 1".into()]), "print_pulled");
        let remote = vec![RemoteTable {
            name: "SigninLogs_pulled".into(),
            description: String::new(),
            columns: Vec::new(),
        }];
        assert_eq!(
            free_name("SigninLogs_pulled", &Catalog::new(), &remote),
            "SigninLogs_pulled_2"
        );
    }
}
