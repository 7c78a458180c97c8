//! The supervising parent: `quarry` (the workbench, not the subcommands)
//! runs as the child of a small process that remembers the terminal's state
//! and puts it back however the workbench dies.
//!
//! A process cannot clean up after every death of its own: a panic hook and
//! a SIGTERM handler ([`super::terminal`]) cover panics and polite signals,
//! but an allocation failure aborts, the kernel's OOM killer sends SIGKILL,
//! and a segfault is a segfault. Each of those used to leave the analyst's
//! shell raw (no echo, output in a staircase). So:
//!
//! - The parent saves the terminal's termios (`tcgetattr`) and re-executes
//!   its own binary ([`std::env::current_exe`]) with the same arguments and
//!   [`SUPERVISED_ENV`] set; the child inherits stdin and stdout and runs
//!   the workbench as before. The parent holds nothing else: no tables, no
//!   threads of note, a few kilobytes of memory, so the OOM killer picks
//!   the child.
//! - When the child dies abnormally, the parent restores the terminal if
//!   the child left it in Quarry's mode (the termios differs from the saved
//!   one): attributes reset, mouse capture, bracketed paste and focus
//!   reporting off, the alternate screen left, the cursor shown, then the
//!   saved termios. It says what happened and exits as a shell would report
//!   the child (128 + the signal). A normal exit passes its status through
//!   silently.
//! - The child's standard error goes through the parent: while the child
//!   has the terminal in full-screen mode its messages are held (they would
//!   be drawn over the screen and then lost with the alternate screen) and
//!   printed once the terminal is back, so "memory allocation of N bytes
//!   failed" is read after an abort instead of vanishing.
//! - The parent does not die of the signals a terminal sends to the whole
//!   foreground group (SIGINT, SIGQUIT): the child decides what they mean.
//!   SIGTERM and SIGHUP are forwarded to the child, whose own handler
//!   restores the terminal and exits with 128 + the signal; the parent then
//!   exits with that status. Job control (SIGTSTP, SIGCONT) keeps its
//!   default: parent and child stop and continue together.
//!
//! Without a terminal (stdin and `/dev/tty` both unavailable: a pipe, a
//! test harness) there is no state to protect and the workbench runs
//! unsupervised; so it does when the binary cannot be found again (it was
//! deleted or replaced while running) or the child cannot be started, and
//! on platforms other than Unix.

/// Set in the child's environment: "you are the supervised workbench, do
/// not supervise again".
pub const SUPERVISED_ENV: &str = "QUARRY_SUPERVISED";

/// Runs the workbench (`workbench` returns its exit status) in a supervised
/// child when possible, in this process otherwise; returns the status to
/// exit with.
pub fn run(workbench: impl FnOnce() -> i32) -> i32 {
    if std::env::var_os(SUPERVISED_ENV).is_some() {
        return workbench();
    }
    #[cfg(unix)]
    if let Some(status) = unix::supervise() {
        return status;
    }
    workbench()
}

/// What the supervisor tells the analyst after the workbench died of
/// `signal` (its number and name), or `None` to say nothing (a polite
/// signal that found the terminal untouched).
pub fn signal_message(signal: i32, name: Option<&str>, restored: bool) -> Option<String> {
    use signal_hook::consts::signal::*;
    let name = name
        .map(str::to_string)
        .unwrap_or_else(|| format!("signal {signal}"));
    let what = match signal {
        SIGKILL => format!("was killed by {name} (perhaps the system ran out of memory)"),
        SIGABRT => format!("aborted ({name}: a memory allocation failed, or an internal error)"),
        SIGSEGV | SIGBUS | SIGILL | SIGFPE => {
            format!("crashed ({name}: a bug in Quarry or in a library it uses)")
        }
        SIGINT | SIGTERM | SIGHUP | SIGPIPE if !restored => return None,
        _ => format!("was stopped by {name}"),
    };
    Some(crashed(&what, restored))
}

/// The message after the workbench exited with `code` without dying of a
/// signal, or `None` when the exit was an ordinary one.
pub fn exit_message(code: i32, restored: bool) -> Option<String> {
    match code {
        // Rust's status for a panic that reached the top of a thread's stack.
        101 => Some(crashed(
            "stopped on an internal error (the message is above)",
            restored,
        )),
        _ if restored => Some(crashed(
            &format!("exited with status {code} without putting the terminal back"),
            true,
        )),
        _ => None,
    }
}

fn crashed(what: &str, restored: bool) -> String {
    let terminal = if restored {
        "; your terminal has been restored"
    } else {
        ""
    };
    format!(
        "quarry: the workbench {what}{terminal}. Your investigation was saved: run quarry again to reopen it."
    )
}

#[cfg(unix)]
mod unix {
    use std::collections::VecDeque;
    use std::fs::OpenOptions;
    use std::io::{self, IsTerminal, Read, Write};
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::{Command, Stdio};
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use ratatui::crossterm::{cursor, event, queue, style, terminal};
    use rustix::process::{Pid, Signal, kill_process};
    use rustix::termios::{OptionalActions, Termios, tcgetattr, tcsetattr};
    use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    use signal_hook::iterator::Signals;

    use super::SUPERVISED_ENV;

    /// Most of the child's held-back standard error that is kept (the end).
    const HELD_LIMIT: usize = 64 * 1024;

    /// The terminal as it was when Quarry started.
    struct Tty {
        fd: OwnedFd,
        saved: Termios,
        /// Whether standard output is the terminal, and so where the
        /// child's screen modes were switched on.
        stdout: bool,
    }

    impl Tty {
        /// The terminal the workbench will use, as crossterm finds it:
        /// stdin if it is one, else the controlling terminal.
        fn open() -> Option<Tty> {
            let fd: OwnedFd = if io::stdin().is_terminal() {
                io::stdin().as_fd().try_clone_to_owned().ok()?
            } else {
                let f = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/dev/tty")
                    .ok()?;
                if !f.is_terminal() {
                    return None;
                }
                f.into()
            };
            let saved = tcgetattr(&fd).ok()?;
            Some(Tty {
                fd,
                saved,
                stdout: io::stdout().is_terminal(),
            })
        }

        /// Whether the terminal is no longer as saved (the child left it
        /// raw). An unreadable terminal (closed) counts as untouched:
        /// nothing can be restored on it anyway.
        fn disturbed(&self) -> bool {
            tcgetattr(&self.fd).is_ok_and(|now| !same_modes(&now, &self.saved))
        }

        /// Every mode the workbench may have switched on, off again, then
        /// the saved termios. Each step is tried whatever the others did.
        fn restore(&self) {
            if self.stdout {
                let mut out = io::stdout().lock();
                let _ = queue!(
                    out,
                    style::ResetColor,
                    style::SetAttribute(style::Attribute::Reset),
                    event::DisableMouseCapture,
                    event::DisableBracketedPaste,
                    event::DisableFocusChange,
                    terminal::LeaveAlternateScreen,
                    cursor::Show,
                );
                let _ = out.flush();
            }
            let _ = tcsetattr(&self.fd, OptionalActions::Now, &self.saved);
        }
    }

    fn same_modes(a: &Termios, b: &Termios) -> bool {
        a.input_modes == b.input_modes
            && a.output_modes == b.output_modes
            && a.control_modes == b.control_modes
            && a.local_modes == b.local_modes
    }

    /// Runs the workbench as a supervised child and returns the status to
    /// exit with, or `None` if it cannot be supervised here (the caller
    /// then runs it in this process).
    pub fn supervise() -> Option<i32> {
        let tty = Arc::new(Tty::open()?);
        let exe = std::env::current_exe().ok()?;
        let mut args = std::env::args_os();
        let mut command = Command::new(&exe);
        if let Some(arg0) = args.next() {
            command.arg0(arg0);
        }
        command
            .args(args)
            .env(SUPERVISED_ENV, "1")
            .stderr(Stdio::piped());
        let mut child = command.spawn().ok()?;
        let pid = Pid::from_child(&child);

        // Registered only once the child runs: if the handlers were in
        // place and the spawn failed, the unsupervised workbench would
        // silently ignore Ctrl+C while it starts.
        if let Ok(mut signals) = Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT]) {
            let _ = thread::Builder::new()
                .name("quarry-supervisor-signals".into())
                .spawn(move || {
                    for signal in signals.forever() {
                        let forward = match signal {
                            SIGTERM => Signal::TERM,
                            SIGHUP => Signal::HUP,
                            // The terminal sent it to the child as well.
                            _ => continue,
                        };
                        let _ = kill_process(pid, forward);
                    }
                });
        }

        let held = child.stderr.take().map(|pipe| {
            let (tx, rx) = mpsc::channel();
            let relay_tty = Arc::clone(&tty);
            let _ = thread::Builder::new()
                .name("quarry-supervisor-stderr".into())
                .spawn(move || {
                    let _ = tx.send(relay(pipe, &relay_tty));
                });
            rx
        });

        let status = match child.wait() {
            Ok(s) => s,
            // Cannot happen for a child we spawned; if it does, there is no
            // status to report, and the terminal is all that matters.
            Err(_) => {
                if tty.disturbed() {
                    tty.restore();
                }
                return Some(1);
            }
        };
        let restored = tty.disturbed();
        if restored {
            tty.restore();
        }
        // The pipe closes with the child; a grandchild holding it open
        // must not keep the analyst waiting.
        let held = held
            .and_then(|rx| rx.recv_timeout(Duration::from_secs(2)).ok())
            .unwrap_or_default();
        let mut err = io::stderr().lock();
        if !held.is_empty() {
            let _ = err.write_all(&held);
            if !held.ends_with(b"\n") {
                let _ = err.write_all(b"\n");
            }
        }
        let (message, code) = match (status.signal(), status.code()) {
            (Some(signal), _) => (
                super::signal_message(
                    signal,
                    signal_hook::low_level::signal_name(signal),
                    restored,
                ),
                128 + signal,
            ),
            (None, Some(code)) => (super::exit_message(code, restored), code),
            (None, None) => (None, 1),
        };
        if let Some(m) = message {
            let _ = writeln!(err, "{m}");
        }
        let _ = err.flush();
        Some(code)
    }

    /// Copies the child's standard error to ours while the terminal is as
    /// saved; holds it back while the child has the screen, and returns
    /// what was held (its last [`HELD_LIMIT`] bytes).
    fn relay(mut pipe: impl Read, tty: &Tty) -> Vec<u8> {
        let mut held: VecDeque<u8> = VecDeque::new();
        let mut buf = [0u8; 8192];
        loop {
            let n = match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            if held.is_empty() && !tty.disturbed() {
                let mut err = io::stderr().lock();
                let _ = err.write_all(&buf[..n]);
                let _ = err.flush();
            } else {
                held.extend(&buf[..n]);
                let excess = held.len().saturating_sub(HELD_LIMIT);
                held.drain(..excess);
            }
        }
        held.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signal_hook::consts::signal::*;

    #[test]
    fn messages_say_what_happened() {
        assert_eq!(
            signal_message(SIGKILL, Some("SIGKILL"), true).unwrap(),
            "quarry: the workbench was killed by SIGKILL (perhaps the system ran out of memory); \
             your terminal has been restored. Your investigation was saved: run quarry again to reopen it."
        );
        assert!(
            signal_message(SIGABRT, Some("SIGABRT"), true)
                .unwrap()
                .contains("aborted (SIGABRT: a memory allocation failed, or an internal error)")
        );
        // Ctrl+C before the screen was taken: nothing to say.
        assert_eq!(signal_message(SIGINT, Some("SIGINT"), false), None);
        assert_eq!(exit_message(0, false), None);
        assert_eq!(exit_message(1, false), None);
        assert!(exit_message(101, false).unwrap().contains("internal error"));
        assert!(
            exit_message(3, true)
                .unwrap()
                .contains("exited with status 3 without putting the terminal back")
        );
    }
}
