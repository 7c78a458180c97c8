//! Where an investigation's pipelines run: on the local catalog (the
//! exported tables, `kql::run`), or on a remote engine (Log Analytics,
//! Data Explorer, Defender: `remote::Engine`) chosen when the workbench
//! opens (`quarry --remote URL`).
//!
//! On a remote engine every step's pipeline is sent there unchanged, with
//! one `take` added so a view never holds more than [`REMOTE_ROW_CAP`]
//! rows; a view that reached the cap says so. A view pulled into the local
//! catalog is a local table from then on: a pipeline that names a local
//! table runs locally (a remote engine cannot see it), every other one
//! remotely. Views never know which ran.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use polars::prelude::DataFrame;

use super::chart::is_render_stage;
use super::kql_text::split_stages;
use crate::data::catalog::Catalog;
use crate::kql::lexer::{TokenKind, tokenize};
use crate::remote::{self, RemoteError};

/// The most rows a remote view holds: enough to read and drill, few enough
/// to come back quickly and not to cost the service's quota.
pub const REMOTE_ROW_CAP: usize = 10_000;

/// The engine of an investigation.
#[derive(Clone)]
pub enum Engine {
    /// The local catalog only.
    Local,
    /// A remote engine; what is pulled from it joins the local catalog.
    Remote(Remote),
}

/// Where one pipeline runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Local,
    Remote,
}

impl Engine {
    /// Where `text` runs, given the local tables.
    pub fn place(&self, text: &str, local: &Catalog) -> Place {
        match self {
            Engine::Local => Place::Local,
            Engine::Remote(_) if names_local_table(text, local) => Place::Local,
            Engine::Remote(_) => Place::Remote,
        }
    }

    /// The remote engine, if the investigation has one.
    pub fn remote(&self) -> Option<&Remote> {
        match self {
            Engine::Local => None,
            Engine::Remote(r) => Some(r),
        }
    }
}

/// A remote engine as the workbench uses it.
#[derive(Clone)]
pub struct Remote {
    engine: Arc<remote::Engine>,
    cap: usize,
}

impl Remote {
    /// The engine, its views capped at `cap` rows.
    pub fn new(engine: remote::Engine, cap: usize) -> Remote {
        Remote {
            engine: Arc::new(engine),
            cap: cap.max(1),
        }
    }

    /// The engine, for the worker.
    pub fn engine(&self) -> &Arc<remote::Engine> {
        &self.engine
    }

    /// The most rows a view holds.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The engine in a few words: `Log Analytics at api.loganalytics.io`.
    pub fn label(&self) -> String {
        let e = self.engine.endpoint();
        format!("{} at {}", e.api.service(), e.host())
    }
}

/// Whether `text` names a table of `local` (a table pulled from the remote
/// engine): identifiers anywhere in the query count, so a `join` or
/// `union` with a pulled table runs locally too.
fn names_local_table(text: &str, local: &Catalog) -> bool {
    tokenize(text).iter().any(|t| match &t.kind {
        TokenKind::Ident(name) => local.get(name).is_some(),
        _ => false,
    })
}

/// The text sent for a view of `text`: one row more than `cap` is asked
/// for (`| take cap+1`, before a final `render`), so that a view that
/// reached the cap is known. The `take` goes on its own line, so a comment
/// at the end of the query does not swallow it. Data Explorer's management
/// commands (`.show ...`) are sent as they are.
pub fn capped_text(text: &str, cap: usize) -> String {
    let body = text.trim().trim_end_matches(';').trim_end();
    if body.starts_with('.') {
        return body.to_string();
    }
    let take = format!("take {}", cap.saturating_add(1));
    let stages = split_stages(body);
    if let Some(last) = stages
        .last()
        .filter(|s| stages.len() > 1 && is_render_stage(s))
        && let Some(at) = body.rfind(last.as_str())
        && let Some(head) = body[..at].trim_end().strip_suffix('|')
    {
        return format!("{}\n| {take}\n| {last}", head.trim_end());
    }
    format!("{body}\n| {take}")
}

/// A remote view: at most the cap's rows, and what the analyst must know
/// about them (capped, partial, truncated by the service).
#[derive(Debug)]
pub struct RemoteView {
    pub frame: DataFrame,
    pub notes: Vec<String>,
    /// More rows than the cap matched.
    pub capped: bool,
}

/// Runs `text` on the engine: capped at `cap` rows for a view, whole (up
/// to the service's own limits) for `None`, as a pull needs. Runs on the
/// workbench's worker, never on the UI thread; `cancel` stops reading the
/// answer.
pub fn run_remote(
    engine: &remote::Engine,
    text: &str,
    cap: Option<usize>,
    cancel: &AtomicBool,
) -> Result<RemoteView, RemoteError> {
    let sent = match cap {
        Some(cap) => capped_text(text, cap),
        None => text.to_string(),
    };
    let result = engine.run_until(&sent, None, &|_| {}, cancel)?;
    let mut notes = result.notes;
    let mut frame = result.frame;
    let capped = cap.is_some_and(|cap| frame.height() > cap);
    if let Some(cap) = cap.filter(|_| capped) {
        frame = frame.head(Some(cap));
        notes.insert(
            0,
            format!(
                "capped at {} rows: narrow the query, or P pulls the whole result",
                crate::text::thousands(cap as u64)
            ),
        );
    }
    Ok(RemoteView {
        frame,
        notes,
        capped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::Table;
    use polars::prelude::df;

    #[test]
    fn the_cap_is_one_more_row_before_any_render() {
        assert_eq!(
            capped_text("SigninLogs | where Level == 4", 10_000),
            "SigninLogs | where Level == 4\n| take 10001"
        );
        assert_eq!(
            capped_text(
                "T | summarize count() by bin(TimeGenerated, 1h) | render timechart",
                100
            ),
            "T | summarize count() by bin(TimeGenerated, 1h)\n| take 101\n| render timechart"
        );
        // A comment at the end stays a comment; a trailing `;` goes.
        assert_eq!(
            capped_text("let x = 1;\nT | where a == x // why;\n", 5),
            "let x = 1;\nT | where a == x // why\n| take 6"
        );
        assert_eq!(capped_text(".show tables", 5), ".show tables");
        // `render` alone is not a stage after a pipe: nothing to move.
        assert_eq!(capped_text("render", 5), "render\n| take 6");
    }

    #[test]
    fn a_pipeline_naming_a_pulled_table_runs_locally() {
        let mut local = Catalog::new();
        local.insert(Table {
            name: "Signins_pulled".into(),
            frame: df!("a" => [1i64]).unwrap(),
            files: Vec::new(),
            warnings: Vec::new(),
        });
        let endpoint = remote::Endpoint::parse("http://127.0.0.1:9/v1/workspaces/w").unwrap();
        let engine = Engine::Remote(Remote::new(
            remote::Engine::new(
                endpoint,
                remote::Token::new("t"),
                remote::Settings::default(),
            ),
            REMOTE_ROW_CAP,
        ));
        assert_eq!(
            engine.place("Signins_pulled | where a == 1", &local),
            Place::Local
        );
        assert_eq!(
            engine.place("SigninLogs | join (Signins_pulled) on a", &local),
            Place::Local
        );
        assert_eq!(engine.place("SigninLogs | take 5", &local), Place::Remote);
        // A string that spells the name is not a table.
        assert_eq!(
            engine.place("SigninLogs | where App == \"Signins_pulled\"", &local),
            Place::Remote
        );
        assert_eq!(Engine::Local.place("SigninLogs", &local), Place::Local);
        assert_eq!(
            engine.remote().map(Remote::label).as_deref(),
            Some("Log Analytics at 127.0.0.1")
        );
    }
}
