//! The keys of a step whose query made several tables (`fork`, `facet`):
//! `]` and `[` show the next and the previous one.

use super::{App, Message};
use crate::tui::action::Action;

impl App {
    /// Shows the table `delta` places away among the current step's.
    pub(super) fn show_result(&mut self, delta: isize) {
        let step = self.inv.current_mut();
        if !step.show_result(delta) {
            self.message = Some(Message::Info(
                "this query made one table: fork, facet and evaluate preview make several".into(),
            ));
            return;
        }
        if let Some(r) = &step.results {
            let table = r.current();
            self.message = Some(Message::Info(format!(
                "{} table {}: {}",
                r.what,
                r.position(),
                table
                    .pipeline
                    .as_deref()
                    .unwrap_or("no query makes it alone")
            )));
        }
    }

    /// The keys that switch tables, as the hints say them: `] [`.
    pub(super) fn results_keys(&self) -> String {
        format!(
            "{} {}",
            self.key_of(Action::NextResult),
            self.key_of(Action::PrevResult)
        )
    }
}
