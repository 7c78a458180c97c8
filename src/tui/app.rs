//! The workbench's state and the one place it changes.
//!
//! A key becomes an [`Action`] through the keymap ([`App::handle_key`]);
//! [`App::step`] applies it; replies from the worker arrive through
//! [`App::handle_reply`]. Views read the state and draw it.
//!
//! Every step that changes rows is a KQL stage: the App writes the stage
//! (with `session::kql_text`), plans it (on the cached frame of the step
//! below when it can), hands it to the worker, and pushes the step when the
//! result comes back. Until then the previous view stays, fully usable.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use polars::prelude::DataFrame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

use super::action::{Action, Context};
use super::keymap::Keymap;
use super::layout::{self, Areas, LayoutInput};
use super::line_editor::{EditOutcome, LineEditor};
use super::theme::Theme;
use super::worker::{Job, Reply, Ticket, Worker};
use crate::data::catalog::{Catalog, TimeRange};
use crate::data::load::Progress;
use crate::data::types::KqlType;
use crate::hunt::pivot::Pivot;
use crate::hunt::rules::Rule;
use crate::kql::QueryError;
use crate::kql::lexer::{TokenKind, tokenize};
use crate::session::Investigation;
use crate::session::chart::{StepChart, without_render};
use crate::session::export::ExportError;
use crate::session::hits::Hits;
use crate::session::investigation::{CountInfo, Step, ViewKind};
use crate::session::kql_text::{self, Plan};
use crate::session::persist::SavedState;
use crate::text::thousands;

mod output;
mod pictures;
mod remote;
mod rules;

pub use remote::RemoteState;

/// Resolves the query clock once the tables are loaded: the instant, and a
/// note for the analyst when it was not pinned.
pub type ClockFn = Box<dyn Fn(&Catalog) -> (i64, Option<String>) + Send>;

/// Everything the App needs from outside.
pub struct AppOptions {
    /// Keys.
    pub keymap: Keymap,
    /// Colours.
    pub theme: Theme,
    /// The query clock.
    pub clock: ClockFn,
    /// Where exports go by default (the working directory).
    pub export_dir: PathBuf,
    /// Export cells raw, without formula neutralisation.
    pub raw_export: bool,
    /// Where histories and the session are saved; `None` saves nothing.
    pub state_path: Option<PathBuf>,
    /// What the last session saved.
    pub saved: SavedState,
    /// The tables are Quarry's bundled sample data, not the analyst's: the
    /// status bar says so.
    pub sample_data: bool,
    /// The memory budget of every query (`--max-memory`, config.toml);
    /// `None` follows the machine's memory.
    pub budget: Option<crate::kql::Budget>,
}

impl AppOptions {
    /// Defaults for tests and tools: default keys and theme, the data
    /// clock, exports in `export_dir`, nothing saved.
    pub fn new(export_dir: PathBuf) -> AppOptions {
        AppOptions {
            keymap: Keymap::default(),
            theme: Theme::default(),
            clock: Box::new(|c: &Catalog| (c.newest_datetime().unwrap_or(0), None)),
            export_dir,
            raw_export: false,
            state_path: None,
            saved: SavedState::default(),
            sample_data: false,
            budget: None,
        }
    }
}

/// A line of the home view: one loaded table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSummary {
    /// Table name.
    pub name: String,
    /// Row count.
    pub rows: usize,
    /// First and last time.
    pub range: Option<TimeRange>,
    /// Columns and types.
    pub columns: Vec<(String, KqlType)>,
}

/// Which prompt is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// `/`: search.
    Search,
    /// `:`: the whole pipeline.
    Pipeline,
    /// `e`: the export file name.
    ExportName,
    /// The export file exists: replace it?
    ConfirmOverwrite(PathBuf),
    /// `P`: the name of the local table a remote view becomes.
    PullName,
}

impl PromptKind {
    /// The text before the input.
    pub fn label(&self) -> String {
        match self {
            PromptKind::Search => "/ ".into(),
            PromptKind::Pipeline => ": ".into(),
            PromptKind::ExportName => "export to: ".into(),
            PromptKind::ConfirmOverwrite(p) => {
                format!("{} exists. Replace it? (y/n) ", p.display())
            }
            PromptKind::PullName => "pull as local table: ".into(),
        }
    }
}

/// A message in the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Something done.
    Info(String),
    /// Something that did not work.
    Warning(String),
}

/// An error shown above the view, with the query it points into.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorView {
    /// What went wrong.
    pub message: String,
    /// The query text, when the error points into one.
    pub source: Option<String>,
    /// The character columns (0-based, end exclusive) the caret marks.
    pub caret: Option<(usize, usize)>,
}

impl ErrorView {
    /// A query error against the text it concerns.
    pub fn query(err: &QueryError, source: &str) -> ErrorView {
        let caret = err.span.map(|s| {
            let clamp = |o: usize| {
                let mut o = o.min(source.len());
                while !source.is_char_boundary(o) {
                    o -= 1;
                }
                o
            };
            let (start, end) = (clamp(s.start), clamp(s.end.max(s.start)));
            let a = source[..start].chars().count();
            let b = source[..end].chars().count();
            (a, b.max(a + 1))
        });
        ErrorView {
            message: err.message.clone(),
            source: caret.is_some().then(|| source.to_string()),
            caret,
        }
    }

    /// A plain message.
    pub fn plain(message: impl Into<String>) -> ErrorView {
        ErrorView {
            message: message.into(),
            source: None,
            caret: None,
        }
    }

    /// Lines it takes on screen, `width` columns wide.
    pub fn height(&self, width: u16) -> u16 {
        let width = usize::from(width.saturating_sub(2));
        crate::tui::views::error::lines(self, width).len() as u16
    }
}

/// What kind of step a query will make.
#[derive(Clone, Debug, PartialEq)]
enum NewKind {
    Table,
    Frequency(Vec<String>),
    SearchResults(String),
}

/// Where the new step goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    Push,
    ReplaceTop,
}

/// A query in flight and the step it will make.
struct Pending {
    ticket: Ticket,
    started: Instant,
    kind: NewKind,
    label: String,
    stages: Vec<String>,
    placement: Placement,
    plan: Plan,
    full_text: String,
    /// The cursor goes back to this column in the new step.
    focus: Option<String>,
    /// The pipeline came from the `:` prompt (a failure reopens it).
    typed: bool,
}

impl Pending {
    /// A query to submit: pushed as a new step, its full text the plan's.
    fn new(kind: NewKind, label: String, stages: Vec<String>, plan: Plan) -> Pending {
        Pending {
            // Replaced by the worker's when submitted.
            ticket: Ticket {
                id: 0,
                cancel: Default::default(),
            },
            started: Instant::now(),
            kind,
            label,
            stages,
            placement: Placement::Push,
            full_text: plan.text().to_string(),
            plan,
            focus: None,
            typed: false,
        }
    }
}

/// Loading progress.
pub struct LoadState {
    ticket: Ticket,
    started: Instant,
    /// Tables found, in load order.
    pub tables: Vec<String>,
    /// The latest progress: table, its index, how many.
    pub progress: Option<(Progress, usize, usize)>,
    /// The tables loaded so far (on screen and queryable already).
    catalog: Catalog,
}

/// A detection rule in the workbench's list.
#[derive(Clone, Debug)]
pub struct RuleEntry {
    /// The rule.
    pub rule: Rule,
    /// When it last ran (wall clock).
    pub last_run: Option<chrono::DateTime<chrono::Local>>,
    /// Hits of the last run.
    pub hits: Option<usize>,
    /// Why the last run failed.
    pub error: Option<String>,
    /// What the last run found (hits, their times, devices).
    pub findings: Option<crate::hunt::triage::Findings>,
}

/// A rule run in flight.
struct RuleRun {
    ticket: Ticket,
    index: usize,
    /// Open the hits when done (Enter), or only count them (A).
    open: bool,
}

struct PendingExport {
    ticket: Ticket,
    started: Instant,
    path: PathBuf,
}

/// The workbench.
pub struct App {
    /// Keys.
    pub keymap: Keymap,
    /// The query Ctrl+C cancelled and when, until the worker says it has
    /// stopped: the status line says "cancelling" until then, and how long
    /// stopping took after.
    cancelling: Option<(u64, Instant)>,
    /// Colours.
    pub theme: Theme,
    pub(crate) inv: Investigation,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) summaries: Vec<TableSummary>,
    pub(crate) loading: Option<LoadState>,
    worker: Worker,
    pending: Option<Pending>,
    export: Option<PendingExport>,
    /// The detection rules (loaded when first opened).
    pub(crate) rules: Option<Vec<RuleEntry>>,
    /// The rules list is open, with the rule under its cursor.
    pub(crate) rules_open: Option<usize>,
    /// The triage groups the rules that fired by ATT&CK tactic.
    pub(crate) rules_by_tactic: bool,
    rule_runs: Vec<RuleRun>,
    rule_runs_total: usize,
    /// Rule results on the stack, with their verdicts.
    pub(crate) hits: Vec<Hits>,
    pub(crate) prompt: Option<PromptKind>,
    pub(crate) query_editor: LineEditor,
    pub(crate) search_editor: LineEditor,
    pub(crate) export_editor: LineEditor,
    pub(crate) confirm_editor: LineEditor,
    pub(crate) help: Option<usize>,
    pub(crate) show_detail: bool,
    pub(crate) pipeline_expanded: bool,
    pub(crate) error: Option<ErrorView>,
    /// The last pipeline that failed, offered again by `:`.
    failed_pipeline: Option<String>,
    pub(crate) message: Option<Message>,
    pub(crate) last_query_time: Option<Duration>,
    pub(crate) now: Option<i64>,
    clock: ClockFn,
    pub(crate) size: Rect,
    quit: bool,
    clipboard: Option<String>,
    export_dir: PathBuf,
    raw_export: bool,
    state_path: Option<PathBuf>,
    pub(crate) last_session: Vec<String>,
    /// What was last written to `state_path`, so it is written only when it
    /// changes.
    written: Option<SavedState>,
    /// The session is live: saved with `open` set until [`App::end_session`].
    session_open: bool,
    /// The data paths given to [`App::load`], made absolute.
    data_paths: Vec<String>,
    /// The last session ended without quitting: where it was, to reopen
    /// once the data has loaded.
    resume: Option<Resume>,
    /// The tables are the bundled sample data.
    pub(crate) sample_data: bool,
    /// Folders of the loaded files, where `externaldata` looks.
    data_dirs: Vec<PathBuf>,
    started: Instant,
    /// The remote engine the workbench runs on (`quarry --remote URL`).
    pub(crate) remote: Option<RemoteState>,
}

/// How many rows `PageDown` moves when the view height is unknown.
const DEFAULT_PAGE: usize = 10;

impl App {
    /// A workbench with no tables yet; call [`App::load`] or
    /// [`App::set_catalog`].
    pub fn new(options: AppOptions) -> App {
        let AppOptions {
            keymap,
            theme,
            clock,
            export_dir,
            raw_export,
            state_path,
            saved,
            sample_data,
            budget,
        } = options;
        let mut history = saved.query_history.clone();
        // The query running when Quarry last stopped comes last, so `:` then
        // Up offers it first.
        for p in saved.last_session.iter().chain(&saved.running) {
            if !history.contains(p) {
                history.push(p.clone());
            }
        }
        let resume = saved.open.then(|| Resume {
            view: saved.view.clone(),
            running: saved.running.clone(),
            data: saved.data.clone(),
        });
        App {
            keymap,
            theme,
            inv: Investigation::new(),
            catalog: Arc::new(Catalog::new()),
            summaries: Vec::new(),
            loading: None,
            worker: Worker::spawn(budget),
            pending: None,
            cancelling: None,
            export: None,
            rules: None,
            rules_open: None,
            rules_by_tactic: false,
            rule_runs: Vec::new(),
            rule_runs_total: 0,
            hits: Vec::new(),
            prompt: None,
            query_editor: LineEditor::with_history(history),
            search_editor: LineEditor::with_history(saved.search_history.clone()),
            export_editor: LineEditor::new(),
            confirm_editor: LineEditor::new(),
            help: None,
            show_detail: false,
            pipeline_expanded: false,
            error: None,
            failed_pipeline: None,
            message: None,
            last_query_time: None,
            now: None,
            clock,
            size: Rect::new(0, 0, layout::MIN_WIDTH, layout::MIN_HEIGHT),
            quit: false,
            clipboard: None,
            export_dir,
            raw_export,
            state_path,
            last_session: saved.last_session,
            written: None,
            session_open: false,
            data_paths: Vec::new(),
            resume,
            sample_data,
            data_dirs: Vec::new(),
            started: Instant::now(),
            remote: None,
        }
    }

    /// Starts loading `paths` on the worker; home shows the progress.
    pub fn load(&mut self, paths: Vec<String>) {
        self.data_dirs = crate::data::source::externaldata_dirs(&paths);
        self.data_paths = absolute_paths(&paths);
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
        self.summaries = catalog
            .tables()
            .map(|t| TableSummary {
                name: t.name.clone(),
                rows: t.rows(),
                range: t.time_range(),
                columns: t.columns(),
            })
            .collect();
        let (now, note) = (self.clock)(&catalog);
        self.now = Some(now);
        if let Some(note) = note {
            self.message = Some(Message::Info(note));
        }
        self.catalog = Arc::new(catalog);
        self.fit();
    }

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

    /// Whether work is running (loading, a query, an export).
    pub fn busy(&self) -> bool {
        self.loading.is_some()
            || self.pending.is_some()
            || self.export.is_some()
            || !self.rule_runs.is_empty()
            || self.remote_busy().is_some()
    }

    /// Whether a cancelled query is still stopping: the event loop polls
    /// for it as often as for running work, so its end shows (and is
    /// timed) when it happens, not at the next idle tick.
    pub fn stopping(&self) -> bool {
        self.cancelling.is_some()
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

    /// Seconds since work started, for the spinner; `None` when idle.
    pub fn busy_for(&self) -> Option<Duration> {
        let started = self
            .pending
            .as_ref()
            .map(|p| p.started)
            .or(self.loading.as_ref().map(|l| l.started))
            .or(self.export.as_ref().map(|e| e.started))
            .or(self.rule_runs.first().map(|_| self.started))
            .or(self.remote_busy().map(|(started, _)| started))?;
        Some(started.elapsed())
    }

    /// What the worker is doing, in words.
    pub fn activity(&self) -> Option<String> {
        if let Some(l) = &self.loading {
            // Queries meanwhile see only the tables loaded so far: say so.
            let ready = match self.summaries.len() {
                0 => String::new(),
                1 => "; 1 table ready to query".to_string(),
                n => format!("; {n} tables ready to query"),
            };
            let doing = match &l.progress {
                Some((p, i, n)) => {
                    let pct = percent(p.bytes, p.total_bytes)
                        .map(|pct| format!(" {pct}%"))
                        .unwrap_or_default();
                    format!(
                        "loading {} ({}/{}){pct}, {} rows",
                        p.table,
                        i + 1,
                        n,
                        thousands(p.rows as u64)
                    )
                }
                None if l.tables.is_empty() => "finding tables".to_string(),
                None => "loading".to_string(),
            };
            return Some(doing + &ready);
        }
        if let Some(p) = &self.pending {
            return Some(format!("running {}", p.label));
        }
        if !self.rule_runs.is_empty() {
            let done = self.rule_runs_total - self.rule_runs.len();
            return Some(format!(
                "running rules {}/{}",
                done + 1,
                self.rule_runs_total
            ));
        }
        if let Some(e) = &self.export {
            return Some(format!("exporting to {}", e.path.display()));
        }
        self.remote_busy().map(|(_, doing)| doing)
    }

    /// Time since the App started (the spinner's phase).
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// The terminal was resized.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Rect::new(0, 0, width, height);
        self.fit();
    }

    /// The context keys are looked up in.
    pub fn context(&self) -> Context {
        if self.prompt.is_some() {
            Context::Prompt
        } else if self.help.is_some() {
            Context::Help
        } else if self.rules_open.is_some() {
            Context::Rules
        } else if matches!(self.inv.current().kind, ViewKind::Home) {
            Context::Home
        } else {
            Context::Table
        }
    }

    /// Whether an action does anything here; the hints bar leaves the
    /// others out (pivots need a rule's hits).
    pub fn available(&self, action: Action) -> bool {
        match action {
            Action::PivotConnections
            | Action::PivotProcessEvents
            | Action::PivotDeviceActivity
            | Action::PivotUrl
            | Action::PivotAccount => self.current_hits().is_some(),
            Action::PullTable => self.remote.is_some(),
            // Chart, SVG and timeline keys where there is a picture to draw;
            // drills wait for the table under a chart.
            a => self.picture_available(a).unwrap_or(true),
        }
    }

    /// The rules, loading them (built-in and the user's) the first time.
    pub fn rules(&mut self) -> &[RuleEntry] {
        if self.rules.is_none() {
            let dir = crate::hunt::rules::user_dir();
            let (rules, errors) = crate::hunt::rules::load_all(dir.as_deref());
            if let Some(e) = errors.first() {
                self.message = Some(Message::Warning(format!("rule not loaded: {e}")));
            }
            self.set_rules(rules);
        }
        self.rules.as_deref().unwrap_or(&[])
    }

    /// Replaces the rules (tests, tools).
    pub fn set_rules(&mut self, rules: Vec<Rule>) {
        self.rules = Some(
            rules
                .into_iter()
                .map(|rule| RuleEntry {
                    rule,
                    last_run: None,
                    hits: None,
                    error: None,
                    findings: None,
                })
                .collect(),
        );
    }

    /// The rules in the order the list shows them: after runs, a triage
    /// (rules that fired first, by severity then hits; grouped by tactic
    /// with `T`).
    pub fn rule_order(&self) -> Vec<usize> {
        let rules = self.rules.as_deref().unwrap_or(&[]);
        let standings: Vec<crate::hunt::triage::Standing> = rules
            .iter()
            .map(|e| crate::hunt::triage::Standing {
                severity: &e.rule.severity,
                tactic: e.rule.tactics.first().map(String::as_str),
                hits: e.hits,
                failed: e.error.is_some(),
            })
            .collect();
        crate::hunt::triage::order(&standings, self.rules_by_tactic)
    }

    /// Whether rule `i` is running now.
    pub fn rule_running(&self, i: usize) -> bool {
        self.rule_runs.iter().any(|r| r.index == i)
    }

    /// The rule results on screen with their verdicts, when the current
    /// step is one.
    pub fn current_hits(&self) -> Option<&Hits> {
        let step = self.inv.current();
        if !matches!(step.kind, ViewKind::Table) {
            return None;
        }
        let pipeline = step.pipeline();
        self.hits.iter().rev().find(|h| h.pipeline == pipeline)
    }

    /// The layout of the screen now.
    pub fn areas(&self) -> Areas {
        layout::areas(self.size, self.layout_input())
    }

    fn layout_input(&self) -> LayoutInput {
        let step = self.inv.current();
        let pipeline_lines = if self.pipeline_expanded && !step.stages.is_empty() {
            step.stages.len() as u16
        } else {
            1
        };
        let table_like = !matches!(step.kind, ViewKind::Home) && self.help.is_none();
        LayoutInput {
            pipeline_lines,
            error_lines: self.error.as_ref().map_or(0, |e| e.height(self.size.width)),
            prompt: self.prompt.is_some(),
            detail: (self.show_detail || self.current_hits().is_some())
                && table_like
                && self.rules_open.is_none(),
        }
    }

    // ----- events ---------------------------------------------------------

    /// A key press: to the open prompt, or through the keymap.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        self.handle_key_inner(key);
        self.save_state();
    }

    fn handle_key_inner(&mut self, key: KeyEvent) {
        if self.prompt.is_some() {
            self.prompt_key(key);
            self.fit();
            return;
        }
        let context = self.context();
        match self.keymap.action_for(&key, context) {
            Some(action) => {
                // A shown error or message lasts until the next action.
                self.error = None;
                self.message = None;
                self.step(action);
            }
            None => {
                if !matches!(key.code, KeyCode::Modifier(_)) {
                    self.message = Some(Message::Info(format!(
                        "{} does nothing here; ? lists the keys",
                        describe_key(&key)
                    )));
                }
            }
        }
        self.fit();
    }

    /// A bracketed paste: into the open prompt, else ignored (a pasted `Q`
    /// must not quit).
    pub fn handle_paste(&mut self, text: &str) {
        if let Some(editor) = self.prompt_editor() {
            editor.insert_str(text);
        }
    }

    fn prompt_editor(&mut self) -> Option<&mut LineEditor> {
        match self.prompt.as_ref()? {
            PromptKind::Search => Some(&mut self.search_editor),
            PromptKind::Pipeline => Some(&mut self.query_editor),
            PromptKind::ExportName => Some(&mut self.export_editor),
            PromptKind::ConfirmOverwrite(_) => Some(&mut self.confirm_editor),
            PromptKind::PullName => self.remote.as_mut().map(|r| &mut r.name_editor),
        }
    }

    fn prompt_key(&mut self, key: KeyEvent) {
        let Some(kind) = self.prompt.clone() else {
            return;
        };
        if let PromptKind::ConfirmOverwrite(path) = &kind {
            let answer = match key.code {
                KeyCode::Char('y' | 'Y')
                    if key.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE =>
                {
                    Some(true)
                }
                KeyCode::Char('n' | 'N') | KeyCode::Esc => Some(false),
                KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => Some(false),
                _ => None,
            };
            match answer {
                Some(true) => {
                    self.prompt = None;
                    self.start_export(path.clone(), true);
                }
                Some(false) => {
                    // Back to the name, to choose another.
                    self.prompt = Some(PromptKind::ExportName);
                    self.export_editor.set_text(&path.to_string_lossy());
                }
                None => {}
            }
            return;
        }
        let Some(editor) = self.prompt_editor() else {
            return;
        };
        match editor.handle(&key) {
            EditOutcome::Continue => {}
            EditOutcome::Cancel => {
                self.prompt = None;
            }
            EditOutcome::Submit(text) => {
                self.prompt = None;
                self.error = None;
                self.message = None;
                match kind {
                    PromptKind::Search => self.submit_search(&text),
                    PromptKind::Pipeline => self.submit_pipeline(&text),
                    PromptKind::ExportName => self.submit_export_name(&text),
                    PromptKind::PullName => self.submit_pull_name(&text),
                    PromptKind::ConfirmOverwrite(_) => {}
                }
            }
        }
    }

    /// A reply from the worker.
    pub fn handle_reply(&mut self, reply: Reply) {
        self.handle_reply_inner(reply);
        self.save_state();
    }

    fn handle_reply_inner(&mut self, reply: Reply) {
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
                // The clock note from set_catalog is worth keeping too.
                if let Some(Message::Info(note)) = &self.message {
                    text = format!("{text}; {note}");
                }
                self.message = Some(if cancelled || failed > 0 || warned > 0 || tables == 0 {
                    Message::Warning(text)
                } else {
                    Message::Info(text)
                });
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
                        self.push_result(p, frame, chart);
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
                elapsed,
            } => self.rule_done(id, index, result, elapsed),
            Reply::RemoteDone {
                id,
                result,
                elapsed,
            } => self.remote_done(id, result, elapsed),
            Reply::RemoteTables { id, result } => self.remote_tables_done(id, result),
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

    // ----- actions --------------------------------------------------------

    /// Applies one action.
    pub fn step(&mut self, action: Action) {
        if self.help.is_some() {
            self.help_action(action);
            return;
        }
        if self.rules_open.is_some() {
            self.rules_action(action);
            return;
        }
        if self.picture_action(action) {
            return;
        }
        let page = self.page_rows();
        match action {
            Action::MoveUp => self.move_rows(-1),
            Action::MoveDown => self.move_rows(1),
            Action::PageUp => self.move_rows(-(page as isize)),
            Action::PageDown => self.move_rows(page as isize),
            Action::HalfPageUp => self.move_rows(-((page / 2).max(1) as isize)),
            Action::HalfPageDown => self.move_rows((page / 2).max(1) as isize),
            Action::FirstRow => self.move_rows(isize::MIN / 2),
            Action::LastRow => self.move_rows(isize::MAX / 2),
            Action::MoveLeft | Action::PrevColumn => self.move_cols(-1),
            Action::MoveRight | Action::NextColumn => self.move_cols(1),
            Action::Search => self.open_prompt(PromptKind::Search),
            Action::EditPipeline => {
                let text = self
                    .failed_pipeline
                    .clone()
                    .unwrap_or_else(|| self.inv.current().pipeline());
                self.query_editor.set_text(&text);
                self.open_prompt(PromptKind::Pipeline);
            }
            Action::FilterKeep => self.filter(true),
            Action::FilterExclude => self.filter(false),
            Action::Frequency => self.frequency(),
            Action::Sort => self.sort(),
            Action::DrillIn => self.drill_in(),
            Action::Back => self.back(),
            Action::ExpandPipeline => self.pipeline_expanded = !self.pipeline_expanded,
            Action::MarkColumn => self.mark_column(),
            Action::HideColumn => self.hide_column(),
            Action::ToggleSelect => self.toggle_select(),
            Action::SelectAll => {
                if self.table_like() {
                    self.inv.current_mut().view.selection.select_all();
                }
            }
            Action::ClearSelection => self.inv.current_mut().view.selection.clear(),
            Action::Export => self.open_export(),
            Action::PullTable => self.pull_table(),
            Action::CopyPipeline => self.copy_pipeline(),
            Action::CopyCell => self.copy_cell(),
            Action::OpenRules => {
                self.rules();
                self.rules_open = Some(self.rule_order().first().copied().unwrap_or(0));
            }
            Action::RunRule | Action::GroupByTactic => {}
            Action::RunAllRules => self.run_all_rules(),
            Action::PivotConnections => self.pivot(Pivot::Connections),
            Action::PivotProcessEvents => self.pivot(Pivot::ProcessEvents),
            Action::PivotDeviceActivity => self.pivot(Pivot::DeviceActivity),
            Action::PivotUrl => self.pivot(Pivot::UrlActivity),
            Action::PivotAccount => self.pivot(Pivot::AccountActivity),
            Action::ToggleDetail => self.show_detail = !self.show_detail,
            Action::ShowHelp => self.help = Some(0),
            Action::Cancel => self.cancel(),
            // Handled by picture_action.
            Action::Timeline | Action::ToggleChart | Action::ExportChart => {}
            Action::Quit => {
                self.save_state();
                self.quit = true;
            }
        }
    }

    fn help_action(&mut self, action: Action) {
        let lines = self.help_lines().len();
        let page = self.page_rows();
        let Some(scroll) = self.help.as_mut() else {
            return;
        };
        let max = lines.saturating_sub(page);
        let mv = |s: &mut usize, d: isize| {
            *s = s.saturating_add_signed(d).min(max);
        };
        match action {
            Action::MoveUp => mv(scroll, -1),
            Action::MoveDown => mv(scroll, 1),
            Action::PageUp => mv(scroll, -(page as isize)),
            Action::PageDown => mv(scroll, page as isize),
            Action::HalfPageUp => mv(scroll, -((page / 2) as isize)),
            Action::HalfPageDown => mv(scroll, (page / 2) as isize),
            Action::FirstRow => *scroll = 0,
            Action::LastRow => *scroll = max,
            Action::Back | Action::ShowHelp => self.help = None,
            Action::Cancel => self.cancel(),
            Action::Quit => {
                self.save_state();
                self.quit = true;
            }
            _ => {}
        }
    }

    /// The help screen's lines: every binding, from the keymap, then the
    /// prompt keys.
    pub fn help_lines(&self) -> Vec<String> {
        let mut lines = self.keymap.help_lines();
        lines.push(String::new());
        lines.push("In a prompt (/ search, : pipeline, export file name)".to_string());
        for (k, h) in self.keymap.hints(Context::Prompt) {
            lines.push(format!("  {k:<14}{h}"));
        }
        lines.push("  ctrl+a/ctrl+e start / end of line".to_string());
        lines
    }

    fn open_prompt(&mut self, kind: PromptKind) {
        if self.loading.is_some()
            && self.summaries.is_empty()
            && matches!(kind, PromptKind::Search | PromptKind::Pipeline)
        {
            self.message = Some(Message::Warning(
                "no table is loaded yet (ctrl+c stops loading)".into(),
            ));
            return;
        }
        if kind == PromptKind::Search {
            self.search_editor.clear();
        }
        self.prompt = Some(kind);
    }

    fn table_like(&self) -> bool {
        matches!(
            self.inv.current().kind,
            ViewKind::Table | ViewKind::Frequency { .. } | ViewKind::SearchResults { .. }
        )
    }

    /// Rows of the current view that fit on screen.
    pub fn page_rows(&self) -> usize {
        let a = self.areas();
        let h = usize::from(a.centre.height);
        let h = match self.inv.current().kind {
            _ if self.help.is_some() => h.saturating_sub(1),
            ViewKind::Home => home_list_height(h, self.summaries.len()).saturating_sub(1),
            ViewKind::Record { .. } => h.saturating_sub(1),
            // The timeline strip takes the top of the table's room.
            _ if self.inv.current().timeline.is_some() => {
                h.saturating_sub(1 + usize::from(super::views::timeline::HEIGHT))
            }
            _ => h.saturating_sub(1),
        };
        if h == 0 { DEFAULT_PAGE } else { h }
    }

    fn move_rows(&mut self, delta: isize) {
        let len = self.view_len();
        let step = self.inv.current_mut();
        step.view.move_row(delta, len);
    }

    fn move_cols(&mut self, delta: isize) {
        if !self.table_like() {
            return;
        }
        let step = self.inv.current_mut();
        let n = step.columns.len();
        step.view.move_col(delta, n);
    }

    /// Rows the cursor moves over: tables at home, fields in a record,
    /// rows elsewhere.
    fn view_len(&self) -> usize {
        let step = self.inv.current();
        match step.kind {
            ViewKind::Home => self.summaries.len(),
            ViewKind::Record { .. } => step.columns.len(),
            _ => step.frame.height(),
        }
    }

    /// Keeps cursors and scroll positions valid for the current size.
    pub fn fit(&mut self) {
        let areas = self.areas();
        let len = self.view_len();
        let page = self.page_rows();
        let centre_width = usize::from(areas.centre.width);
        let step = self.inv.current_mut();
        match &step.kind {
            ViewKind::Home => step.view.fit_rows(len, page),
            ViewKind::Record { .. } => {
                step.view.fit_rows(len, page);
                // Long values wrap: scroll by whole fields until the
                // cursor's field fits below the first one shown.
                let width = areas.centre.width;
                while step.view.row_offset < step.view.row {
                    let used: usize = (step.view.row_offset..=step.view.row)
                        .map(|i| super::views::record::field_height(step, i, width))
                        .sum();
                    if used <= page {
                        break;
                    }
                    step.view.row_offset += 1;
                }
            }
            ViewKind::Table => {
                step.view.fit_rows(len, page);
                let widths: Vec<usize> = step.columns.iter().map(|c| c.width).collect();
                let w = centre_width.saturating_sub(usize::from(layout::GUTTER));
                step.view.fit_columns(&widths, layout::COLUMN_GAP, w);
            }
            ViewKind::Frequency { .. } | ViewKind::SearchResults { .. } => {
                step.view.fit_rows(len, page);
                let widths: Vec<usize> = step.columns.iter().map(|c| c.width).collect();
                let w = centre_width.saturating_sub(
                    usize::from(layout::GUTTER) + layout::SHARE_WIDTH + layout::MIN_BAR_WIDTH + 4,
                );
                step.view.fit_columns(&widths, layout::COLUMN_GAP, w);
            }
        }
    }

    // ----- steps ----------------------------------------------------------

    fn current_column(&self) -> Option<(String, crate::kql::value::Scalar)> {
        if !self.table_like() && !matches!(self.inv.current().kind, ViewKind::Record { .. }) {
            return None;
        }
        let step = self.inv.current();
        if step.frame.height() == 0 {
            return None;
        }
        let name = step.current_column_name()?.to_string();
        Some((name, step.current_value()))
    }

    fn filter(&mut self, keep: bool) {
        let Some((col, value)) = self.current_column() else {
            self.message = Some(Message::Info("no cell here to filter on".into()));
            return;
        };
        let stage = kql_text::filter_stage(&col, &value, keep);
        let label = stage.trim_start_matches("where ").to_string();
        self.append(stage, label, NewKind::Table, Placement::Push, Some(col));
    }

    fn frequency(&mut self) {
        let step = self.inv.current();
        let marked: Vec<String> = step
            .view
            .marked
            .iter()
            .filter(|m| step.columns.iter().any(|c| &c.name == *m))
            .cloned()
            .collect();
        let keys = if marked.is_empty() {
            match self.current_column() {
                Some((c, _)) => vec![c],
                None => {
                    // An empty view still has columns to count by.
                    match step.current_column_name() {
                        Some(c) => vec![c.to_string()],
                        None => return,
                    }
                }
            }
        } else {
            marked
        };
        let stage = kql_text::frequency_stage(&keys);
        let label = format!("count by {}", keys.join(", "));
        self.append(
            stage,
            label,
            NewKind::Frequency(keys),
            Placement::Push,
            None,
        );
    }

    fn sort(&mut self) {
        if !self.table_like() {
            return;
        }
        let step = self.inv.current();
        let Some(col) = step.current_column_name().map(str::to_string) else {
            return;
        };
        // `s` again on the same column reverses the sort in place.
        let previous = step
            .stages
            .last()
            .and_then(|s| kql_text::parse_sort_stage(s));
        let (descending, placement) = match previous {
            Some((c, desc)) if c == col && self.inv.depth() > 1 => (!desc, Placement::ReplaceTop),
            _ => (false, Placement::Push),
        };
        let stage = kql_text::sort_stage(&col, descending);
        let kind = match &step.kind {
            ViewKind::Frequency { keys, .. } => NewKind::Frequency(keys.clone()),
            _ => NewKind::Table,
        };
        self.append(stage.clone(), stage, kind, placement, Some(col));
    }

    fn hide_column(&mut self) {
        if !self.table_like() {
            return;
        }
        let step = self.inv.current();
        let Some(col) = step.current_column_name().map(str::to_string) else {
            return;
        };
        // Hiding several columns in a row makes one `project-away` stage.
        let (columns, placement) = match step
            .stages
            .last()
            .and_then(|s| kql_text::parse_hide_stage(s))
        {
            Some(mut cols) if self.inv.depth() > 1 => {
                cols.push(col);
                (cols, Placement::ReplaceTop)
            }
            _ => (vec![col], Placement::Push),
        };
        let stage = kql_text::hide_stage(&columns);
        // Stay at the same position: the column to the right moves in.
        let focus = step
            .columns
            .get(step.view.col + 1)
            .or_else(|| {
                step.view
                    .col
                    .checked_sub(1)
                    .and_then(|i| step.columns.get(i))
            })
            .map(|c| c.name.clone());
        self.append(stage.clone(), stage, NewKind::Table, placement, focus);
    }

    fn mark_column(&mut self) {
        if !self.table_like() {
            return;
        }
        let step = self.inv.current_mut();
        if let Some(name) = step.current_column_name().map(str::to_string) {
            step.view.toggle_mark(&name);
        }
    }

    fn toggle_select(&mut self) {
        if !self.table_like() {
            return;
        }
        let len = self.view_len();
        let step = self.inv.current_mut();
        if len == 0 {
            return;
        }
        let row = step.view.row;
        step.view.selection.toggle(row);
        step.view.move_row(1, len);
    }

    fn drill_in(&mut self) {
        let depth = self.inv.depth();
        let step = self.inv.current();
        match &step.kind {
            ViewKind::Home => {
                let Some(t) = self.summaries.get(step.view.row) else {
                    return;
                };
                let name = t.name.clone();
                let stages = vec![kql_text::quote_ident(&name)];
                self.run_full(stages, name, NewKind::Table, false);
            }
            ViewKind::SearchResults { term, .. } => {
                let row = step.view.row;
                let Some(col) = step.columns.iter().position(|c| c.name == "$table") else {
                    return;
                };
                if row >= step.frame.height() {
                    return;
                }
                let table = step.cell(row, col).to_text().into_owned();
                let stages = vec![kql_text::search_in_stage(&table, term)];
                self.run_full(stages, table, NewKind::Table, false);
            }
            ViewKind::Frequency { keys, .. } => {
                let row = step.view.row;
                if row >= step.frame.height() || depth < 2 {
                    return;
                }
                let values: Vec<(String, crate::kql::value::Scalar)> = keys
                    .iter()
                    .filter_map(|k| {
                        let i = step.columns.iter().position(|c| &c.name == k)?;
                        Some((k.clone(), step.cell(row, i)))
                    })
                    .collect();
                if values.len() != keys.len() {
                    return;
                }
                let stage = kql_text::group_stage(&values);
                let label = stage.trim_start_matches("where ").to_string();
                // The group's rows: the stage goes after the pipeline the
                // frequency was counted on, replacing the summarize.
                let Some(parent) = self.inv.parent() else {
                    return;
                };
                let base_stages = parent.stages.clone();
                let base_frame = parent.frame.clone();
                self.append_on(
                    base_stages,
                    base_frame,
                    stage,
                    label,
                    NewKind::Table,
                    Placement::Push,
                    None,
                    false,
                );
            }
            ViewKind::Table => {
                if step.frame.height() == 0 {
                    return;
                }
                // A typed `summarize ... by` result: Enter shows the group's
                // rows, as on a frequency table.
                let row = step.view.row;
                let group = kql_text::summarized_keys(&step.stages).and_then(|(keys, base)| {
                    let values = keys
                        .iter()
                        .map(|k| {
                            let i = step.columns.iter().position(|c| &c.name == k)?;
                            Some((k.clone(), step.cell(row, i)))
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some((base.to_vec(), kql_text::group_stage(&values)))
                });
                if let Some((mut stages, stage)) = group {
                    let label = stage.trim_start_matches("where ").to_string();
                    stages.push(stage);
                    self.run_full(stages, label, NewKind::Table, false);
                    return;
                }
                let record = step.record(row);
                self.inv.push(record);
            }
            ViewKind::Record { .. } => {}
        }
    }

    fn back(&mut self) {
        if let Some(p) = self.pending.take() {
            p.ticket.cancel();
            self.message = Some(Message::Warning(format!("cancelled: {}", p.label)));
            return;
        }
        if !self.inv.pop() {
            let quit = self
                .keymap
                .keys(Action::Quit, Context::Home)
                .first()
                .map_or_else(|| "quit".to_string(), |k| k.to_string());
            self.message = Some(Message::Info(format!("this is the start; {quit} quits")));
        }
    }

    fn cancel(&mut self) {
        let mut what = Vec::new();
        if let Some(p) = self.pending.take() {
            p.ticket.cancel();
            self.cancelling = Some((p.ticket.id, Instant::now()));
            what.push("query");
        }
        if let Some(l) = &self.loading {
            l.ticket.cancel();
            what.push("loading");
        }
        if !self.rule_runs.is_empty() {
            for r in self.rule_runs.drain(..) {
                r.ticket.cancel();
            }
            what.push("rules");
        }
        if let Some(e) = self.export.take() {
            // The worker removes the partial file.
            e.ticket.cancel();
            what.push("export");
        }
        if self.cancel_remote() {
            what.push("remote work");
        }
        if what.is_empty() {
            self.message = Some(Message::Info("nothing is running".into()));
        } else {
            self.message = Some(Message::Warning(format!(
                "cancelling {}",
                what.join(" and ")
            )));
        }
    }

    fn submit_search(&mut self, text: &str) {
        let term = text.trim();
        if term.is_empty() {
            return;
        }
        match self.inv.current().kind {
            ViewKind::Home | ViewKind::SearchResults { .. } => {
                let stages = kql_text::global_search_stages(term);
                let label = kql_text::search_stage(term);
                self.run_full(
                    stages,
                    label,
                    NewKind::SearchResults(term.to_string()),
                    false,
                );
            }
            _ => {
                let stage = kql_text::search_stage(term);
                self.append(stage.clone(), stage, NewKind::Table, Placement::Push, None);
            }
        }
    }

    fn submit_pipeline(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let current = self.inv.current().stages.clone();
        if let Some(rest) = kql_text::appended_part(&current, text) {
            let step = self.inv.current();
            let (frame, focus) = (
                step.frame.clone(),
                step.current_column_name().map(str::to_string),
            );
            let label = rest.clone();
            self.append_on(
                current,
                frame,
                rest,
                label,
                NewKind::Table,
                Placement::Push,
                focus,
                true,
            );
            return;
        }
        // A remote engine judges its own KQL (it knows more than Quarry).
        if let Err(e) = crate::kql::parser::parse(text)
            && !self.runs_remotely(text)
        {
            self.reopen_pipeline(text, &e);
            return;
        }
        let stages = kql_text::split_stages(text);
        let label = stages.last().cloned().unwrap_or_default();
        self.run_full(stages, label, NewKind::Table, true);
    }

    fn reopen_pipeline(&mut self, text: &str, err: &QueryError) {
        self.error = Some(ErrorView::query(err, text));
        self.query_editor.set_text(text);
        self.prompt = Some(PromptKind::Pipeline);
    }

    /// Appends `stage` to the current step.
    fn append(
        &mut self,
        stage: String,
        label: String,
        kind: NewKind,
        placement: Placement,
        focus: Option<String>,
    ) {
        // `render` stays last: a drill on a chart's rows goes before it.
        let (stages, frame) = match placement {
            Placement::Push => {
                let s = self.inv.current();
                (without_render(&s.stages), s.frame.clone())
            }
            Placement::ReplaceTop => match self.inv.parent() {
                Some(p) => (without_render(&p.stages), p.frame.clone()),
                None => return,
            },
        };
        if stages.is_empty() {
            return;
        }
        self.append_on(stages, frame, stage, label, kind, placement, focus, false);
    }

    /// Runs `stage` after `base` (whose result is `frame`).
    #[allow(clippy::too_many_arguments)]
    fn append_on(
        &mut self,
        base: Vec<String>,
        frame: DataFrame,
        stage: String,
        label: String,
        kind: NewKind,
        placement: Placement,
        focus: Option<String>,
        typed: bool,
    ) {
        let full_text = format!("{} | {stage}", kql_text::join_stages(&base));
        let plan = match kql_text::plan_append(&base, &stage) {
            Ok((_, plan)) => plan,
            Err(_) if self.runs_remotely(&full_text) => Plan::Full {
                text: full_text.clone(),
            },
            Err(e) => {
                if typed {
                    self.reopen_pipeline(&full_text, &e);
                } else {
                    self.error = Some(ErrorView::query(&e, &full_text));
                }
                return;
            }
        };
        let mut stages = base;
        // A stage the App wrote is one step, even `summarize ... | sort ...`;
        // typed text is split so each of its stages shows on its own.
        if typed {
            stages.extend(kql_text::split_stages(&stage));
        } else {
            stages.push(stage);
        }
        let register = match &plan {
            Plan::Cached { table, .. } => Some((table.clone(), frame)),
            Plan::Full { .. } => None,
        };
        self.submit_query(
            Pending {
                placement,
                full_text,
                focus,
                typed,
                ..Pending::new(kind, label, stages, plan)
            },
            register,
        );
    }

    /// Runs a whole pipeline on the catalog.
    fn run_full(&mut self, stages: Vec<String>, label: String, kind: NewKind, typed: bool) {
        let text = kql_text::join_stages(&stages);
        let pending = Pending {
            typed,
            ..Pending::new(kind, label, stages, Plan::Full { text })
        };
        self.submit_query(pending, None);
    }

    fn submit_query(&mut self, mut pending: Pending, register: Option<(String, DataFrame)>) {
        // While loading, queries see the tables loaded so far.
        if self.loading.is_some() && self.summaries.is_empty() {
            self.message = Some(Message::Warning("no table is loaded yet".into()));
            return;
        }
        // Saved before the worker starts: if this query brings Quarry down
        // (at once, even), the next start knows which one it was.
        if self.state_path.is_some() {
            let mut state = self.saved_state();
            state.running = Some(pending.full_text.clone());
            self.write_state(state);
        }
        let job = match self.remote_job(&pending.full_text) {
            Some(remote) => remote,
            None => Job::Query {
                text: pending.plan.text().to_string(),
                catalog: Arc::clone(&self.catalog),
                register,
                now: self.now.unwrap_or(0),
                data_dirs: self.data_dirs.clone(),
                chart_of: matches!(pending.kind, NewKind::Table)
                    .then(|| kql_text::join_stages(&pending.stages)),
            },
        };
        let ticket = self.worker.submit(job);
        // The worker cancels the query this one replaces.
        pending.ticket = ticket;
        pending.started = Instant::now();
        self.pending = Some(pending);
    }

    fn push_result(&mut self, p: Pending, frame: DataFrame, chart: Option<Box<StepChart>>) {
        let kind = match p.kind {
            NewKind::Table => ViewKind::Table,
            NewKind::Frequency(keys) => {
                let column = kql_text::count_column(&keys);
                let counts = CountInfo::from_frame(&frame, &column);
                ViewKind::Frequency { keys, counts }
            }
            NewKind::SearchResults(term) => {
                let counts = CountInfo::from_frame(&frame, "Hits");
                ViewKind::SearchResults { term, counts }
            }
        };
        // The worker built the chart (a table's only).
        let chart = chart
            .filter(|_| matches!(kind, ViewKind::Table))
            .map(|c| *c);
        let mut step = Step::with_chart(kind, p.label, p.stages, frame, chart);
        self.note_chart(&step);
        if let Some(i) = p
            .focus
            .as_ref()
            .and_then(|focus| step.columns.iter().position(|c| &c.name == focus))
        {
            step.view.col = i;
        }
        // Hits narrowed or reordered are still hits to judge, each with why
        // it fired.
        let pipeline = step.pipeline();
        if matches!(step.kind, ViewKind::Table)
            && !self.hits.iter().any(|h| h.pipeline == pipeline)
            && let Some(h) = self.hits.iter().rev().find(|h| {
                step.stages
                    .strip_prefix(std::slice::from_ref(&h.pipeline))
                    .is_some_and(kql_text::keeps_rows)
            })
        {
            let narrowed = h.narrowed(&step);
            self.hits.push(narrowed);
        }
        match p.placement {
            Placement::Push => self.inv.push(step),
            Placement::ReplaceTop => self.inv.replace_top(step),
        }
    }

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

    fn write_state(&mut self, state: SavedState) {
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
    fn resume_pending(&self) -> Option<&Resume> {
        self.resume
            .as_ref()
            .filter(|_| self.inv.depth() == 0 && self.pending.is_none())
    }

    /// Reopens the view of a session that ended without quitting, and says
    /// which query was running then (it is not run again: it may be what
    /// stopped Quarry).
    fn reopen(&mut self, resume: Resume) {
        // The view itself was running (being reopened, say) when Quarry
        // stopped: running it again could stop Quarry again, every start.
        let view = resume.view.filter(|v| resume.running.as_ref() != Some(v));
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

/// Where a session that ended without quitting was.
struct Resume {
    view: Option<String>,
    running: Option<String>,
    data: Vec<String>,
}

/// The data paths as given, made absolute (`Name=path` keeps its name), so
/// that the same data opened from another folder is recognised.
fn absolute_paths(paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .map(|p| {
            let (name, path) = match p.split_once('=') {
                Some((n, path)) if !Path::new(p).exists() => (Some(n), path),
                _ => (None, p.as_str()),
            };
            let abs = std::fs::canonicalize(path)
                .map_or_else(|_| path.to_string(), |a| a.to_string_lossy().into_owned());
            match name {
                Some(n) => format!("{n}={abs}"),
                None => abs,
            }
        })
        .collect()
}

/// Rows of the table list at home: the tables and a header, leaving room
/// for the selected table's columns below.
pub fn home_list_height(centre: usize, tables: usize) -> usize {
    (tables + 1)
        .min(centre.saturating_sub(6).max(centre / 2))
        .max(1)
}

/// `path` inside `dir` unless it is absolute; `~/` is the home directory.
fn expand_path(dir: &Path, text: &str) -> PathBuf {
    if let (Some(rest), Some(home)) = (text.strip_prefix("~/"), directories::BaseDirs::new()) {
        return home.home_dir().join(rest);
    }
    let p = Path::new(text);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// The table a pipeline starts from, for export file names.
fn source_label(stages: &[String]) -> String {
    let Some(first) = stages.first() else {
        return String::new();
    };
    for t in tokenize(first) {
        match t.kind {
            TokenKind::Ident(name)
                if !matches!(
                    name.as_str(),
                    "search" | "in" | "union" | "kind" | "let" | "withsource"
                ) =>
            {
                return name;
            }
            TokenKind::Str(s) if first.starts_with("search \"") => {
                return format!("search {s}");
            }
            _ => {}
        }
    }
    "query".to_string()
}

/// `done` of `total` as a whole percentage (at most 100), when known.
pub fn percent(done: u64, total: u64) -> Option<u64> {
    done.saturating_mul(100)
        .checked_div(total)
        .map(|p| p.min(100))
}

fn describe_key(key: &KeyEvent) -> String {
    match super::keymap::KeyChord::from_event(key) {
        Some(k) => k.to_string(),
        None => "that key".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(5_000_000), "5,000,000");
    }

    #[test]
    fn labels_for_file_names() {
        assert_eq!(
            source_label(&["NetworkCommunicationEvents".into()]),
            "NetworkCommunicationEvents"
        );
        assert_eq!(
            source_label(&["search in (NetworkCommunicationEvents) \"x\"".into()]),
            "NetworkCommunicationEvents"
        );
        assert_eq!(
            source_label(&["search \"192.168.0\"".into()]),
            "search 192.168.0"
        );
        assert_eq!(source_label(&[]), "");
    }

    #[test]
    fn paths_are_relative_to_the_export_dir() {
        let dir = Path::new("/work");
        assert_eq!(expand_path(dir, "a.csv"), PathBuf::from("/work/a.csv"));
        assert_eq!(expand_path(dir, "/tmp/a.csv"), PathBuf::from("/tmp/a.csv"));
    }

    #[test]
    fn error_carets_count_characters() {
        let src = "T | where é == 1 | nope";
        let at = src.find("nope").unwrap();
        let e = QueryError::syntax("bad", crate::kql::ast::Span::new(at, at + 4));
        let v = ErrorView::query(&e, src);
        assert_eq!(v.caret, Some((19, 23)));
        assert_eq!(v.height(80), 3);
    }
}
