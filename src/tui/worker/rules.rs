//! Detection rules run as one job ([`Job::RunRules`](super::Job::RunRules)):
//! the rules share scans of the tables they read
//! ([`crate::hunt::batch::run_all`]), and each rule's outcome is sent back
//! as it finishes, so the triage fills in while the rest still run.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use super::{Reply, Ticket, guarded};
use crate::data::catalog::Catalog;
use crate::hunt::batch::{Outcome, Prepared, RulesWatch, Scanning, rule_pool, run_all};
use crate::kql::error::ErrorKind;
use crate::kql::{QueryError, RunOptions};

/// Runs `rules` (each with its place in the App's list), sending a
/// [`Reply::RuleDone`] per rule and progress while tables are scanned;
/// returns the closing [`Reply::RulesDone`].
pub(super) fn run(
    ticket: &Ticket,
    rules: Vec<(usize, Prepared)>,
    catalog: &Catalog,
    options: &RunOptions,
    tx: &Sender<Reply>,
) -> Reply {
    let (places, prepared): (Vec<usize>, Vec<Prepared>) = rules.into_iter().unzip();
    let replies = Replies {
        ticket,
        tx,
        reported: places.iter().map(|_| AtomicBool::new(false)).collect(),
        places,
        fired: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        warnings: Mutex::default(),
    };
    let result = guarded(ticket, || {
        let pool = rule_pool().map_err(|e| QueryError::runtime(e, None))?;
        pool.install(|| run_all(catalog, &prepared, options, &replies));
        Ok(())
    });
    // A panic (which `guarded` turns into an error) or a cancel ends the
    // run early: the rules it had not answered get that error, so none is
    // left "running".
    if let Err(e) = result {
        for (i, reported) in replies.reported.iter().enumerate() {
            if !reported.load(Ordering::Relaxed) {
                replies.finished(i, Err(e.clone()), Duration::ZERO);
            }
        }
    }
    Reply::RulesDone {
        id: ticket.id,
        ran: replies.places.len(),
        fired: replies.fired.into_inner(),
        failed: replies.failed.into_inner(),
        cancelled: ticket.cancel.load(Ordering::Relaxed),
    }
}

/// Sends each rule's outcome and the scans' progress to the App.
struct Replies<'a> {
    ticket: &'a Ticket,
    tx: &'a Sender<Reply>,
    /// Each rule's place in the App's list.
    places: Vec<usize>,
    /// Whether each rule's outcome was sent.
    reported: Vec<AtomicBool>,
    fired: AtomicUsize,
    failed: AtomicUsize,
    /// Each rule's warnings, until its outcome is sent with them.
    warnings: Mutex<HashMap<usize, Vec<String>>>,
}

impl RulesWatch for Replies<'_> {
    fn scanning(&self, progress: &Scanning) {
        let _ = self.tx.send(Reply::RulesScanning {
            id: self.ticket.id,
            progress: progress.clone(),
        });
    }

    fn warned(&self, i: usize, warnings: Vec<String>) {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(i, warnings);
    }

    fn finished(&self, i: usize, outcome: Outcome, elapsed: Duration) {
        let (Some(&index), Some(reported)) = (self.places.get(i), self.reported.get(i)) else {
            return;
        };
        if reported.swap(true, Ordering::Relaxed) {
            return;
        }
        // As for a query: work cancelled after its last operator still
        // reports cancelled, since the analyst asked for it to stop.
        let result = if self.ticket.cancel.load(Ordering::Relaxed) {
            Err(QueryError::cancelled())
        } else {
            outcome
        };
        match &result {
            Ok((hits, _)) if hits.height() > 0 => {
                self.fired.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(e) if e.kind == ErrorKind::Cancelled => {}
            Err(_) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        let warnings = self
            .warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&i)
            .unwrap_or_default();
        let _ = self.tx.send(Reply::RuleDone {
            id: self.ticket.id,
            index,
            result,
            warnings,
            elapsed,
        });
    }
}
