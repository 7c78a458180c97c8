//! Read access to the workbench's state, for the views, the event loop
//! and tests.

use std::time::Duration;

use super::{App, ErrorView, Message, PromptKind};
use crate::data::catalog::Catalog;
use crate::session::Investigation;
use crate::session::investigation::Step;

impl App {
    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The investigation.
    pub fn investigation(&self) -> &Investigation {
        &self.inv
    }

    /// The step on screen.
    pub fn current(&self) -> &Step {
        self.inv.current()
    }

    /// The open prompt, if any.
    pub fn prompt(&self) -> Option<&PromptKind> {
        self.prompt.as_ref()
    }

    /// The error on screen, if any.
    pub fn error(&self) -> Option<&ErrorView> {
        self.error.as_ref()
    }

    /// The status message, if any.
    pub fn message(&self) -> Option<&Message> {
        self.message.as_ref()
    }

    /// Whether the analyst asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Text the analyst asked to copy; the event loop sends it to the
    /// terminal's clipboard.
    pub fn take_clipboard(&mut self) -> Option<String> {
        self.clipboard.take()
    }

    /// How long the last query took.
    pub fn last_query_time(&self) -> Option<Duration> {
        self.last_query_time
    }

    /// Replaces the last query time (snapshot tests pin it).
    pub fn set_last_query_time(&mut self, t: Option<Duration>) {
        self.last_query_time = t;
    }
}
