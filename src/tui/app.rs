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
use crate::kql::{QueryError, Rows};
use crate::kql::lexer::{TokenKind, tokenize};
use crate::session::Investigation;
use crate::session::chart::{StepChart, without_render};
use crate::session::export::ExportError;
use crate::session::hits::Hits;
use crate::session::investigation::{CountInfo, Step, ViewKind};
use crate::session::kql_text::{self, Plan};
use crate::session::persist::SavedState;
use crate::text::thousands;

mod drills;
mod navigation;
mod output;
mod persist;
mod pictures;
mod prompt;
mod queries;
mod remote;
mod replies;
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
    /// The config directory's folder of stored functions; `None` reads
    /// only the data folders' `functions/`.
    pub functions_folder: Option<PathBuf>,
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
            functions_folder: None,
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
    /// Its outcome came; the job (which runs other rules too) is still
    /// at work until the worker says all are done.
    done: bool,
    /// When its job was submitted, for the spinner.
    started: Instant,
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
    /// How far running rules have read a table they share.
    rule_scan: Option<crate::hunt::batch::Scanning>,
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
    /// The stored functions of the data folders and the config folder.
    pub(crate) functions: Arc<crate::kql::stored::StoredFunctions>,
    functions_folder: Option<PathBuf>,
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
            functions_folder,
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
            rule_scan: None,
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
            functions: Arc::default(),
            functions_folder,
            started: Instant::now(),
            remote: None,
        }
    }

    /// Starts loading `paths` on the worker; home shows the progress.
    pub fn load(&mut self, paths: Vec<String>) {
        self.data_dirs = crate::data::source::externaldata_dirs(&paths);
        // A few small text files, read before the tables so that the first
        // query can call them.
        let folders = crate::kql::stored::folders(&paths, self.functions_folder.clone());
        self.functions = Arc::new(crate::kql::stored::load(&folders));
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
            .or(self.rule_runs.first().map(|r| r.started))
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
            if let Some(scan) = &self.rule_scan {
                return Some(scan.words());
            }
            // Rules of a job run in parallel: how many are done, as the
            // command line says.
            let running = self.rule_runs.iter().filter(|r| !r.done).count();
            return Some(format!(
                "running rules: {}/{} done",
                self.rule_runs_total.saturating_sub(running),
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
        self.rule_runs.iter().any(|r| r.index == i && !r.done)
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

    // ----- steps ----------------------------------------------------------
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
