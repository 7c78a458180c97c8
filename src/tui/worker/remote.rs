//! Remote work: a pipeline run on a remote engine, a remote engine's
//! tables listed. Each runs on a thread of its own, so a service that takes
//! minutes holds up neither the screen nor local queries; a newer view
//! query cancels the one running (which then stops reading its answer).

use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use super::{Job, Reply, Ticket, Worker};
use crate::kql::QueryError;
use crate::session::engine::run_remote;

/// Starts `job` if it is remote work and returns `None`; gives any other
/// job back for the queue. A query of either kind replaces the remote view
/// query running; a remote view query replaces the local queries waiting
/// or running, as a local one does.
pub(super) fn submit(worker: &mut Worker, job: Job, ticket: &Ticket) -> Option<Job> {
    let view = match &job {
        Job::Remote { cap, .. } => cap.is_some(),
        Job::RemoteTables { .. } => false,
        Job::Query { .. } => {
            if let Some(running) = worker.remote_view.take() {
                running.cancel();
            }
            return Some(job);
        }
        _ => return Some(job),
    };
    if view {
        if let Some(running) = worker.remote_view.replace(ticket.clone()) {
            running.cancel();
        }
        let (lock, _) = &*worker.shared;
        let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
        q.jobs.retain(|j| !matches!(j.job, Job::Query { .. }));
        if let Some(running) = q.running_query.take() {
            running.cancel();
        }
    }
    let tx = worker.sender.clone();
    let mine = ticket.clone();
    let spawned = thread::Builder::new()
        .name("quarry-remote".into())
        .spawn(move || {
            let _ = tx.send(run(&mine, job));
        });
    if let Err(e) = spawned {
        let _ = worker.sender.send(Reply::RemoteDone {
            id: ticket.id,
            result: Err(QueryError::runtime(
                format!("cannot start the remote query: {e}"),
                None,
            )),
            elapsed: Duration::ZERO,
        });
    }
    None
}

impl Worker {
    /// The remote view query running, if any: cancelling it needs no
    /// wait (its thread is left to end with its request).
    pub fn remote_view_id(&self) -> Option<u64> {
        self.remote_view.as_ref().map(|t| t.id)
    }
}

/// Runs remote work and says how it went; a panic is an error the analyst
/// sees, and work cancelled meanwhile reports cancelled.
pub(super) fn run(ticket: &Ticket, job: Job) -> Reply {
    let started = Instant::now();
    match job {
        Job::Remote { engine, text, cap } => {
            let ran = crate::tui::terminal::run_catching(|| {
                run_remote(&engine, &text, cap, &ticket.cancel)
            });
            let result = if ticket.cancel.load(Ordering::Relaxed) {
                Err(QueryError::cancelled())
            } else {
                match ran {
                    Ok(Ok(view)) => Ok(view),
                    Ok(Err(e)) => Err(QueryError::runtime(one_line(&e.to_string()), None)),
                    Err(msg) => Err(QueryError::runtime(
                        format!("internal error (please report it): {msg}"),
                        None,
                    )),
                }
            };
            Reply::RemoteDone {
                id: ticket.id,
                result,
                elapsed: started.elapsed(),
            }
        }
        Job::RemoteTables { engine } => {
            let result = crate::tui::terminal::run_catching(|| engine.tables())
                .unwrap_or_else(|msg| Err(internal(msg)))
                .map_err(|e| one_line(&e.to_string()));
            Reply::RemoteTables {
                id: ticket.id,
                result,
            }
        }
        // Not remote work: never handed here.
        _ => Reply::RemoteDone {
            id: ticket.id,
            result: Err(QueryError::runtime("not remote work", None)),
            elapsed: Duration::ZERO,
        },
    }
}

/// A service's message of several lines (its inner errors) on one line,
/// as the error line above a view shows it.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn internal(msg: String) -> crate::remote::RemoteError {
    crate::remote::RemoteError::Usage(format!("internal error (please report it): {msg}"))
}
