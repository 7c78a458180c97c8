//! Loading the analyst's tables on the worker: the progress home shows,
//! the stored functions read first, and a catalog handed in directly.

use std::sync::Arc;
use std::time::Instant;

use super::{App, Message};
use crate::data::catalog::Catalog;
use crate::data::load::Progress;
use crate::session::persist::absolute_data_paths;
use crate::session::tables::TableSummary;
use crate::tui::worker::{Job, Ticket};

/// Loading progress.
pub struct LoadState {
    pub(super) ticket: Ticket,
    pub(super) started: Instant,
    /// Tables found, in load order.
    pub tables: Vec<String>,
    /// The latest progress: table, its index, how many.
    pub progress: Option<(Progress, usize, usize)>,
    /// The tables loaded so far (on screen and queryable already).
    pub(super) catalog: Catalog,
}

impl App {
    /// Starts loading `paths` on the worker; home shows the progress.
    pub fn load(&mut self, paths: Vec<String>) {
        self.data_dirs = crate::data::source::externaldata_dirs(&paths);
        // A few small text files, read before the tables so that the first
        // query can call them.
        let folders = crate::kql::stored::folders(&paths, self.functions_folder.clone());
        self.functions = Arc::new(crate::kql::stored::load(&folders));
        self.data_paths = absolute_data_paths(&paths);
        // A view of other data would not make sense (or would fail).
        if self
            .resume
            .as_ref()
            .is_some_and(|r| r.data != self.data_paths)
        {
            self.resume = None;
        }
        let ticket = self.worker.submit(Job::Load { paths });
        self.loading = Some(LoadState {
            ticket,
            started: Instant::now(),
            tables: Vec::new(),
            progress: None,
            catalog: Catalog::new(),
        });
    }

    /// Uses an already loaded catalog (tests, benchmarks).
    pub fn set_catalog(&mut self, catalog: Catalog) {
        self.summaries = catalog.tables().map(TableSummary::of).collect();
        let (now, note) = (self.clock)(&catalog);
        self.now = Some(now);
        if let Some(note) = note {
            self.message = Some(Message::Info(note));
        }
        self.catalog = Arc::new(catalog);
        self.fit();
    }
}
