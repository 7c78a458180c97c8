//! Replies from the worker: loads, query results, rule runs, exports, each changing the session state the views draw.

use super::*;
use crate::session::export::ExportError;
use crate::text::thousands;
use crate::tui::worker::Reply;

impl App {
    /// A reply from the worker.
    pub fn handle_reply(&mut self, reply: Reply) {
        self.handle_reply_inner(reply);
        self.save_state();
    }

    pub(super) fn handle_reply_inner(&mut self, reply: Reply) {
        match reply {
            Reply::LoadStarted { id, tables } => {
                if let Some(l) = self.loading.as_mut().filter(|l| l.ticket.id == id) {
                    l.tables = tables;
                }
            }
            Reply::LoadProgress {
                id,
                progress,
                index,
                count,
            } => {
                if let Some(l) = self.loading.as_mut().filter(|l| l.ticket.id == id) {
                    l.progress = Some((progress, index, count));
                }
            }
            Reply::TablesLoaded { id, tables, errors } => {
                let Some(l) = self.loading.as_mut().filter(|l| l.ticket.id == id) else {
                    return;
                };
                l.catalog.errors.extend(errors);
                for table in tables {
                    if let Err(e) = l.catalog.merge(table) {
                        l.catalog.errors.push(e);
                    }
                }
                // The next table's progress is still to come.
                l.progress = None;
                let catalog = l.catalog.clone();
                // The clock's note waits for the last table.
                let message = self.message.take();
                self.set_catalog(catalog);
                self.message = message;
            }
            Reply::Loaded {
                id,
                errors,
                cancelled,
                elapsed,
            } => {
                let Some(l) = self.loading.take_if(|l| l.ticket.id == id) else {
                    return;
                };
                let mut catalog = l.catalog;
                catalog.errors.splice(0..0, errors);
                let tables = catalog.tables().count();
                let failed = catalog.errors.len();
                let warned = catalog.tables().filter(|t| !t.warnings.is_empty()).count();
                self.set_catalog(catalog);
                let mut text = format!(
                    "{} {} loaded in {:.1} s",
                    tables,
                    if tables == 1 { "table" } else { "tables" },
                    elapsed.as_secs_f64()
                );
                if cancelled {
                    text = format!("loading cancelled: {text}");
                }
                if failed > 0 {
                    text.push_str(&format!("; {failed} failed (listed below)"));
                }
                if warned > 0 {
                    text.push_str(&format!("; {warned} with warnings (listed below)"));
                }
                let unused = self.functions.warnings.len();
                text.push_str(&stored_note(self.functions.len(), unused));
                // The clock note from set_catalog is worth keeping too.
                if let Some(Message::Info(note)) = &self.message {
                    text = format!("{text}; {note}");
                }
                self.message = Some(
                    if cancelled || failed > 0 || warned > 0 || unused > 0 || tables == 0 {
                        Message::Warning(text)
                    } else {
                        Message::Info(text)
                    },
                );
                if let Some(resume) = self.resume.take()
                    && self.inv.depth() == 0
                    && self.pending.is_none()
                {
                    self.reopen(resume);
                }
            }
            Reply::QueryDone {
                id,
                result,
                several,
                warnings,
                chart,
                elapsed,
            } => {
                if let Some((_, asked)) = self.cancelling.take_if(|(c, _)| *c == id) {
                    // A newer query's own message is not overwritten.
                    if self.pending.is_none() {
                        self.message = Some(Message::Info(format!(
                            "query cancelled ({} ms after ctrl+c)",
                            asked.elapsed().as_millis()
                        )));
                    }
                    return;
                }
                if self.pending.as_ref().is_none_or(|p| p.ticket.id != id) {
                    return;
                }
                let Some(p) = self.pending.take() else {
                    return;
                };
                match result {
                    Ok(frame) => {
                        self.last_query_time = Some(elapsed);
                        self.failed_pipeline = None;
                        self.push_result(p, frame, several, chart);
                        // An answer from fewer tables than the query names
                        // is said, before anything else.
                        if !warnings.is_empty() {
                            self.message = Some(Message::Warning(warnings.join("; ")));
                        }
                    }
                    Err(e) if e.kind == crate::kql::error::ErrorKind::Cancelled => {
                        self.message = Some(Message::Warning("query cancelled".into()));
                    }
                    Err(e) => {
                        let e = p.plan.map_error(e);
                        self.error = Some(ErrorView::query(&e, &p.full_text));
                        if p.typed {
                            self.failed_pipeline = Some(p.full_text.clone());
                        }
                    }
                }
            }
            Reply::RuleDone {
                id,
                index,
                result,
                warnings,
                elapsed,
            } => self.rule_done(id, index, result, warnings, elapsed),
            Reply::RulesScanning { id, progress } => self.rules_scanning(id, progress),
            Reply::RulesDone {
                id,
                ran,
                fired,
                failed,
                cancelled,
            } => self.rules_done(id, ran, fired, failed, cancelled),
            Reply::RemoteDone {
                id,
                result,
                elapsed,
            } => self.remote_done(id, result, elapsed),
            Reply::RemoteTables { id, result } => self.remote_tables_done(id, result),
            Reply::TimelineDone { id, result } => self.timeline_done(id, result),
            Reply::ExportDone { id, path, result } => {
                if self.export.as_ref().is_none_or(|e| e.ticket.id != id) {
                    return;
                }
                self.export = None;
                match result {
                    Ok(n) => {
                        self.message = Some(Message::Info(format!(
                            "exported {} {} to {}",
                            thousands(n),
                            if n == 1 { "row" } else { "rows" },
                            path.display()
                        )));
                    }
                    Err(ExportError::Exists(p)) => {
                        // Created meanwhile: ask, as for a file that was there.
                        self.prompt = Some(PromptKind::ConfirmOverwrite(p));
                    }
                    Err(e) => {
                        self.error = Some(ErrorView::plain(format!("export failed: {e}")));
                    }
                }
            }
        }
        self.fit();
    }

    /// Applies every reply already waiting; returns whether there was one.
    pub fn poll_worker(&mut self) -> bool {
        let mut any = false;
        while let Some(reply) = self.worker.try_recv() {
            self.handle_reply(reply);
            any = true;
        }
        any
    }

    /// Waits for replies until no work is running or `timeout` passes;
    /// returns whether the work finished. For tests and tools.
    pub fn wait_idle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.busy() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            if let Some(reply) = self
                .worker
                .recv_timeout(left.min(Duration::from_millis(50)))
            {
                self.handle_reply(reply);
            }
        }
        true
    }

    /// Waits up to `timeout` for a running export to finish, so quitting
    /// never leaves half a file behind (queries are simply abandoned).
    pub fn finish_export(&mut self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.export.is_some() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            if let Some(reply) = self
                .worker
                .recv_timeout(left.min(Duration::from_millis(50)))
            {
                self.handle_reply(reply);
            }
        }
    }
}

/// What the load summary says of the stored functions: "; 4 stored
/// functions; 1 definition not used (listed below)", or nothing.
fn stored_note(functions: usize, unused: usize) -> String {
    let mut note = String::new();
    match functions {
        0 => {}
        1 => note.push_str("; 1 stored function"),
        n => note.push_str(&format!("; {n} stored functions")),
    }
    match unused {
        0 => {}
        1 => note.push_str("; 1 function definition not used (listed below)"),
        n => note.push_str(&format!(
            "; {n} function definitions not used (listed below)"
        )),
    }
    note
}
