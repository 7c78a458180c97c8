//! The `tui` layer: a thin skin over `session`. Keys become actions,
//! actions change state, state is drawn.
//!
//! - [`app`]: the state and [`App::step`], the one place it changes;
//! - [`views`]: drawing, nothing else;
//! - [`worker`]: loading, queries and exports off the UI thread;
//! - [`run`]: the event loop tying them to the terminal;
//! - [`supervisor`]: the parent process that restores the terminal however
//!   the workbench dies.

pub mod action;
pub mod app;
pub mod config;
pub mod keymap;
pub mod layout;
pub mod line_editor;
pub mod supervisor;
pub mod terminal;
pub mod theme;
pub mod views;
pub mod worker;

pub use app::{App, AppOptions, ClockFn};

use std::io;
use std::time::Duration;

use ratatui::crossterm::event::{self, Event};

use crate::session::persist::SavedState;
use config::Config;
use keymap::Keymap;
use theme::Theme;

/// What `quarry [PATH...]` opens the workbench with.
pub struct Options {
    /// Files and folders to load (already defaulted to the sample data).
    pub paths: Vec<String>,
    /// `paths` is the bundled sample data (no PATH was given).
    pub sample: bool,
    /// The query clock (`--now`).
    pub clock: ClockFn,
    /// `--theme`, overriding the config file.
    pub theme: Option<String>,
    /// `--max-memory`, overriding the config file.
    pub max_memory: Option<crate::kql::Budget>,
    /// `--remote URL`: the engine every pipeline runs on, instead of `paths`.
    pub remote: Option<crate::remote::Engine>,
}

/// How often the screen redraws while work runs (the spinner), and so how
/// soon a finished query shows.
const BUSY_TICK: Duration = Duration::from_millis(30);
/// How long to wait for a key when nothing runs.
const IDLE_TICK: Duration = Duration::from_millis(500);

/// Reads the config, keymap and theme, opens the terminal, and runs the
/// workbench until the analyst quits. Configuration errors are returned
/// before the terminal is touched, so they print normally.
pub fn run(options: Options) -> io::Result<()> {
    let config = match Config::default_path() {
        Some(p) => Config::load(&p).map_err(io::Error::other)?,
        None => Config::default(),
    };
    let keymap = match Keymap::default_path() {
        Some(p) => Keymap::load(&p).map_err(io::Error::other)?,
        None => Keymap::default(),
    };
    let theme_name = options
        .theme
        .clone()
        .or(config.theme.clone())
        .unwrap_or_else(|| "dark".to_string());
    let theme = Theme::load(&theme_name, Theme::user_dir().as_deref()).map_err(io::Error::other)?;
    let state_path = SavedState::default_path();
    let (saved, warning) = match &state_path {
        Some(p) => SavedState::load(p),
        None => (SavedState::default(), None),
    };
    let export_dir = std::env::current_dir()?;
    let mut app = App::new(AppOptions {
        keymap,
        theme,
        clock: options.clock,
        export_dir,
        raw_export: config.export.raw,
        state_path,
        saved,
        sample_data: options.sample,
        budget: options.max_memory.or(config.max_memory),
        functions_folder: crate::kql::stored::config_folder(),
    });
    if let Some(w) = warning {
        app.message = Some(app::Message::Warning(w));
    }
    match options.remote {
        Some(engine) => app.open_remote(engine),
        None => app.load(options.paths),
    }
    // From here the state file says the workbench is open, so a workbench
    // killed from now on is reopened where it was.
    app.begin_session();

    let mut guard = terminal::TerminalGuard::enter()
        .map_err(|e| io::Error::new(e.kind(), format!("the workbench needs a terminal: {e}")))?;
    // Without the handler SIGTERM would leave the terminal raw; failing to
    // install it is not worth refusing to start.
    let _ = terminal::install_signal_handlers();
    let size = guard.size()?;
    app.resize(size.width, size.height);
    let result = event_loop(&mut guard, &mut app);
    app.finish_export(Duration::from_secs(30));
    app.end_session();
    drop(guard);
    result
}

fn event_loop(terminal: &mut terminal::Tui, app: &mut App) -> io::Result<()> {
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|f| views::draw(f, app))?;
            dirty = false;
        }
        if app.should_quit() {
            return Ok(());
        }
        let tick = if app.busy() || app.stopping() {
            BUSY_TICK
        } else {
            IDLE_TICK
        };
        if event::poll(tick)? {
            // Take every event already waiting before drawing again, so a
            // held key never queues up frames.
            loop {
                match event::read()? {
                    Event::Key(k) => app.handle_key(k),
                    Event::Paste(s) => app.handle_paste(&s),
                    Event::Resize(w, h) => app.resize(w, h),
                    _ => {}
                }
                dirty = true;
                if app.should_quit() || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        if app.poll_worker() || app.busy() || app.stopping() {
            dirty = true;
        }
        if let Some(Err(e)) = app
            .take_clipboard()
            .map(|t| terminal::copy_to_clipboard(&t))
        {
            app.message = Some(app::Message::Warning(format!("not copied: {e}")));
            dirty = true;
        }
    }
}
