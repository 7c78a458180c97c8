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
//!
//! This file holds the App, its construction and the key -> action
//! dispatch; the rest is in `app/`: one file per family of actions
//! (drills, navigation, queries, rules, pictures, output, prompts, remote),
//! the worker's replies, loading, saving the session, what the screen says
//! and reads. Hunt and session decisions live below, in `hunt` and
//! `session`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use ratatui::layout::Rect;

use super::action::{Action, Context};
use super::keymap::Keymap;
use super::layout;
use super::line_editor::LineEditor;
use super::theme::Theme;
use super::worker::Worker;
use crate::data::catalog::Catalog;
use crate::hunt::pivot::Pivot;
use crate::session::Investigation;
use crate::session::hits::Hits;
use crate::session::investigation::ViewKind;
use crate::session::persist::{Resume, SavedState};

mod drills;
mod loading;
mod messages;
mod navigation;
mod output;
mod persist;
mod pictures;
mod prompt;
mod queries;
mod remote;
mod replies;
mod results;
mod rules;
mod screen;
mod state;
mod status;

use output::PendingExport;
use queries::Pending;
use rules::RuleRun;

pub use crate::hunt::triage::RuleEntry;
pub use crate::session::tables::TableSummary;
pub use loading::LoadState;
pub use messages::{ErrorView, Message, PromptKind};
pub use remote::RemoteState;
pub use screen::home_list_height;
pub use status::percent;

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
    /// The timeline the worker is binning, and for which step.
    timeline_job: Option<pictures::PendingTimeline>,
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
        let history = saved.recall_history();
        let resume = saved.resume();
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
            timeline_job: None,
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
            Action::NextResult | Action::PrevResult => self.inv.current().results.is_some(),
            // Chart, SVG and timeline keys where there is a picture to draw;
            // drills wait for the table under a chart.
            a => self.picture_available(a).unwrap_or(true),
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
            Action::NextResult => self.show_result(1),
            Action::PrevResult => self.show_result(-1),
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
}

fn describe_key(key: &KeyEvent) -> String {
    match super::keymap::KeyChord::from_event(key) {
        Some(k) => k.to_string(),
        None => "that key".to_string(),
    }
}
