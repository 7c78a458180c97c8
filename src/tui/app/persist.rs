//! The investigation saved as it goes, and reopened where the analyst left it.

use super::*;

impl App {
    /// What would be saved now: histories, the open pipelines, the view,
    /// the query running, the data, whether the session is still open.
    pub fn saved_state(&self) -> SavedState {
        let pipelines = self.inv.pipelines();
        SavedState {
            query_history: self.query_editor.history().to_vec(),
            search_history: self.search_editor.history().to_vec(),
            last_session: if pipelines.is_empty() {
                self.last_session.clone()
            } else {
                pipelines
            },
            // Until a crashed session is reopened, where it was is still
            // the place to reopen (if this start dies too, say).
            view: match self.resume_pending() {
                Some(r) => r.view.clone(),
                None => Some(self.current().pipeline()).filter(|p| !p.is_empty()),
            },
            running: match self.resume_pending() {
                Some(r) => r.running.clone(),
                None => self.pending.as_ref().map(|p| p.full_text.clone()),
            },
            data: self.data_paths.clone(),
            open: self.session_open,
        }
    }

    /// Saves the state if it changed since it was last written (when a
    /// state path is set). Called after every key and every reply, so the
    /// file follows the investigation; it is small and written atomically.
    pub fn save_state(&mut self) {
        if self.state_path.is_some() {
            self.write_state(self.saved_state());
        }
    }

    pub(super) fn write_state(&mut self, state: SavedState) {
        let Some(path) = self.state_path.clone() else {
            return;
        };
        if self.written.as_ref() == Some(&state) {
            return;
        }
        self.last_session = state.last_session.clone();
        match state.save(&path) {
            Ok(()) => self.written = Some(state),
            Err(e) => {
                // Said once per change, not on every key after it.
                self.written = Some(state);
                self.message = Some(Message::Warning(format!(
                    "cannot save history to {}: {e}",
                    path.display()
                )));
            }
        }
    }

    /// Marks the session as live: until [`App::end_session`], the saved
    /// state says the workbench is open, so if it dies the next start
    /// reopens where it was.
    pub fn begin_session(&mut self) {
        self.session_open = true;
        self.save_state();
    }

    /// The analyst quit: saved as closed, so the next start opens at home.
    pub fn end_session(&mut self) {
        self.session_open = false;
        self.save_state();
    }

    /// The crashed session still to reopen: none once the analyst has
    /// moved (opened a step, started a query) while the data loaded.
    pub(super) fn resume_pending(&self) -> Option<&Resume> {
        self.resume
            .as_ref()
            .filter(|_| self.inv.depth() == 0 && self.pending.is_none())
    }

    /// Reopens the view of a session that ended without quitting, and says
    /// which query was running then (it is not run again: it may be what
    /// stopped Quarry).
    pub(super) fn reopen(&mut self, resume: Resume) {
        let view = resume.view_to_reopen().map(str::to_string);
        let running = resume
            .running
            .map(|r| crate::text::escape_for_terminal(&r).into_owned());
        let message = match (&view, running) {
            (Some(view), running) => {
                self.submit_pipeline(view);
                match running {
                    Some(r) => format!(
                        "reopened your last session; it stopped while running {r} \
                         (not run again: : then up recalls it)"
                    ),
                    None => "reopened your last session, which ended unexpectedly".to_string(),
                }
            }
            (None, Some(r)) => format!(
                "your last session stopped while running {r} (not run again: : then up recalls it)"
            ),
            (None, None) => return,
        };
        if self.error.is_none() {
            self.message = Some(Message::Warning(message));
        }
    }
}
