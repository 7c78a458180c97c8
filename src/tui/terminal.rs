//! Owning the terminal: entering and leaving the full-screen mode, and
//! making sure the user's shell is usable again however Quarry stops.
//!
//! Three exits are covered:
//!
//! - normal return or `?`: [`TerminalGuard`]'s `Drop`;
//! - a panic on the UI thread: [`install_panic_hook`] restores the terminal
//!   *before* the panic message is printed, so the message is readable and
//!   not lost in the alternate screen (a panic on any other thread is an
//!   error for the query it happened in, and leaves the terminal alone);
//! - SIGTERM / SIGHUP (terminal closed, `kill`): [`install_signal_handlers`]
//!   restores and exits with status 128 + signal.
//!
//! What a process cannot do for itself (an abort, SIGKILL, a segfault) the
//! supervising parent does ([`super::supervisor`]).
//!
//! In raw mode Ctrl+C arrives as a key, not SIGINT, so it can mean "cancel
//! running work" ([`Action::Cancel`](super::action::Action::Cancel)).
//!
//! Bracketed paste is enabled: a paste arrives as one `Event::Paste(String)`
//! that the App should give to the open prompt
//! ([`LineEditor::insert_str`](super::line_editor::LineEditor::insert_str))
//! or ignore, instead of a burst of keys that would each run an action
//! (a pasted `Q` would quit).

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::thread;

use base64::Engine as _;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{cursor, event, execute, terminal};
use signal_hook::consts::signal::{SIGHUP, SIGTERM};
use signal_hook::iterator::Signals;

/// The ratatui terminal Quarry draws on.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Whether the terminal is in Quarry's mode and so needs restoring. Shared by
/// the guard, the panic hook and the signal thread so that whichever runs
/// first restores and the others do nothing.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Holds the terminal in full-screen raw mode; restores it when dropped.
///
/// Dereferences to the ratatui [`Terminal`], so `guard.draw(|f| ...)` works.
pub struct TerminalGuard {
    terminal: Tui,
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen, enables bracketed paste,
    /// and installs the panic hook. On failure the terminal is restored
    /// before the error is returned.
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        *UI_THREAD.lock().unwrap_or_else(|e| e.into_inner()) = Some(thread::current().id());
        ACTIVE.store(true, Ordering::SeqCst);
        let setup = (|| {
            terminal::enable_raw_mode()?;
            execute!(
                io::stdout(),
                terminal::EnterAlternateScreen,
                event::EnableBracketedPaste,
                cursor::Hide
            )?;
            Terminal::new(CrosstermBackend::new(io::stdout()))
        })();
        match setup {
            Ok(mut terminal) => {
                terminal.clear()?;
                Ok(TerminalGuard { terminal })
            }
            Err(e) => {
                let _ = restore();
                Err(e)
            }
        }
    }

    /// The ratatui terminal.
    pub fn terminal(&mut self) -> &mut Tui {
        &mut self.terminal
    }
}

impl std::ops::Deref for TerminalGuard {
    type Target = Tui;

    fn deref(&self) -> &Tui {
        &self.terminal
    }
}

impl std::ops::DerefMut for TerminalGuard {
    fn deref_mut(&mut self) -> &mut Tui {
        &mut self.terminal
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Leaves the alternate screen and raw mode, shows the cursor and turns
/// bracketed paste off. Does nothing if the terminal is not in Quarry's
/// mode, so it is safe to call from several places.
///
/// Every step is attempted even if an earlier one fails (a closed terminal
/// fails them all, and then nothing matters); the first error is returned.
pub fn restore() -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    // Hold the lock so a frame being drawn on another thread cannot
    // interleave with the restoring sequences.
    let mut out = io::stdout().lock();
    let results = [
        execute!(out, event::DisableBracketedPaste),
        execute!(out, terminal::LeaveAlternateScreen),
        execute!(out, cursor::Show),
        terminal::disable_raw_mode(),
        out.flush(),
    ];
    results.into_iter().find(Result::is_err).unwrap_or(Ok(()))
}

/// Chains a panic hook that restores the terminal before the previous hook
/// prints the message, for a panic on the UI thread only. Installed once
/// however often it is called.
///
/// Where a panic happens decides what it means:
///
/// - on the UI thread (the one that entered the [`TerminalGuard`]), outside
///   [`run_catching`]: the workbench is going down (the panic unwinds
///   through the event loop), so the terminal is restored first and the
///   message printed where the analyst can read it;
/// - anywhere else while the workbench has the screen: the worker thread,
///   a loader thread, or one of the rayon threads Polars computes on. Such a
///   panic reaches [`run_catching`] on the thread that started the work
///   (rayon hands a worker's panic to the thread that waits for it) and
///   becomes an error for that query while the workbench goes on. The
///   terminal must stay as it is: restoring it here (as this hook once did
///   for any thread not itself inside `run_catching`) left a running
///   workbench drawing on a cooked terminal. Nothing is printed either (it
///   would be drawn over the screen); the message, with its location, is
///   kept for `run_catching` to report;
/// - with no workbench on screen (the command line, tests): the previous
///   hook prints as usual.
///
/// A panic that kills the process some other way (an abort, or a panic on
/// a thread nothing catches) is the supervisor's to clean up after
/// ([`super::supervisor`]).
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let catching = CATCHING.with(std::cell::Cell::get);
            let on_ui = ui_thread() == Some(thread::current().id());
            if catching || (!on_ui && ACTIVE.load(Ordering::SeqCst)) {
                remember_panic(panic_message(info));
                return;
            }
            if on_ui {
                let _ = restore();
            }
            previous(info);
        }));
    });
}

/// The thread that entered the terminal guard: the one whose panic ends
/// the workbench.
static UI_THREAD: Mutex<Option<thread::ThreadId>> = Mutex::new(None);

fn ui_thread() -> Option<thread::ThreadId> {
    *UI_THREAD.lock().unwrap_or_else(|e| e.into_inner())
}

/// Messages (with locations) of recent panics the hook kept quiet, newest
/// last, for [`run_catching`] to report. A few, because several rayon
/// threads can panic in one query.
static RECENT_PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());
const RECENT_LIMIT: usize = 16;

fn remember_panic(message: String) {
    let mut recent = RECENT_PANICS.lock().unwrap_or_else(|e| e.into_inner());
    if recent.len() >= RECENT_LIMIT {
        recent.remove(0);
    }
    recent.push(message);
}

/// The kept message of the panic whose payload reads `text` (taking it),
/// else `text` itself (the location is then unknown).
fn take_panic_message(text: &str) -> String {
    let mut recent = RECENT_PANICS.lock().unwrap_or_else(|e| e.into_inner());
    let at = format!("{text} at ");
    match recent.iter().rposition(|m| m == text || m.starts_with(&at)) {
        Some(i) => recent.remove(i),
        None => text.to_string(),
    }
}

thread_local! {
    /// Whether this thread is inside [`run_catching`].
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

fn panic_message(info: &std::panic::PanicHookInfo<'_>) -> String {
    let text = payload_text(info.payload());
    match info.location() {
        Some(l) => format!("{text} at {}:{}", l.file(), l.line()),
        None => text,
    }
}

/// Runs `f`, turning a panic into `Err(message)` without disturbing the
/// terminal: the worker uses it so that a bug in one query is an error
/// message, not a dead workbench. A panic on another thread that `f`
/// waits for (a rayon thread inside Polars) is caught the same way: rayon
/// resumes it here.
pub fn run_catching<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    install_panic_hook();
    let was = CATCHING.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(was));
    result.map_err(|payload| take_panic_message(&payload_text(payload.as_ref())))
}

/// Watches for SIGTERM and SIGHUP on a background thread; on either, the
/// terminal is restored and the process exits with 128 + the signal number
/// (the shell convention), without running the rest of the program.
///
/// Exiting from the signal thread is deliberate: the UI thread may be
/// blocked reading keys from a terminal that no longer exists (SIGHUP).
/// Anything that must survive such an exit (history, a running export)
/// must already be written atomically, as exports are.
pub fn install_signal_handlers() -> io::Result<thread::JoinHandle<()>> {
    let mut signals = Signals::new([SIGTERM, SIGHUP])?;
    thread::Builder::new()
        .name("quarry-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                let _ = restore();
                std::process::exit(128 + signal);
            }
        })
}

/// Most text [`copy_to_clipboard`] sends. Terminals cap OSC 52 payloads
/// (often around 100 kB) and silently drop larger ones; refusing loudly is
/// better than a copy that silently did nothing.
pub const CLIPBOARD_LIMIT: usize = 75_000;

/// The OSC 52 sequence that asks the terminal to put `text` on the system
/// clipboard: `ESC ] 52 ; c ; BASE64 BEL`.
///
/// The text travels base64-encoded, so nothing in it (however hostile) can
/// end the sequence early or be interpreted by the terminal.
pub fn osc52_sequence(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\u{1b}]52;c;{encoded}\u{7}")
}

/// Copies `text` to the clipboard through the terminal (OSC 52), which also
/// works over SSH. Writes straight to stdout, which is safe between frames:
/// the sequence draws nothing and does not move the cursor.
///
/// Errors with `InvalidInput` when `text` is longer than
/// [`CLIPBOARD_LIMIT`] bytes. Terminals that do not support OSC 52 ignore
/// the sequence, and there is no way to know; inside tmux it needs
/// `set -g set-clipboard on`.
pub fn copy_to_clipboard(text: &str) -> io::Result<()> {
    if text.len() > CLIPBOARD_LIMIT {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "too large to copy through the terminal ({} bytes; the limit is {CLIPBOARD_LIMIT})",
                text.len()
            ),
        ));
    }
    let mut out = io::stdout().lock();
    out.write_all(osc52_sequence(text).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_encodes_the_text() {
        assert_eq!(osc52_sequence("hello"), "\u{1b}]52;c;aGVsbG8=\u{7}");
        assert_eq!(osc52_sequence(""), "\u{1b}]52;c;\u{7}");
        // Hostile text cannot terminate the sequence: it is all base64.
        let seq = osc52_sequence("a\u{7}\u{1b}\\b日本");
        let payload = &seq["\u{1b}]52;c;".len()..seq.len() - 1];
        assert!(
            payload
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
        );
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(payload)
                .unwrap(),
            "a\u{7}\u{1b}\\b日本".as_bytes()
        );
    }

    #[test]
    fn oversized_copies_are_refused() {
        let err = copy_to_clipboard(&"x".repeat(CLIPBOARD_LIMIT + 1)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            err.to_string(),
            "too large to copy through the terminal (75001 bytes; the limit is 75000)"
        );
    }

    #[test]
    fn panics_are_caught_quietly() {
        let r: Result<(), String> = run_catching(|| panic!("boom {}", 1));
        let msg = r.unwrap_err();
        assert!(msg.starts_with("boom 1 at "), "{msg}");
        assert_eq!(run_catching(|| 5), Ok(5));
    }

    #[test]
    fn restore_without_enter_is_a_no_op() {
        // Must not touch the terminal (tests may run without one).
        assert!(restore().is_ok());
        assert!(restore().is_ok());
    }
}
