//! What the workbench is busy with, in words and time: the spinner and
//! the status bar's activity (loading, a query, rules, an export, remote
//! work), and the stop of a cancelled query.

use std::time::Duration;

use super::App;
use crate::text::thousands;

impl App {
    /// Whether work is running (loading, a query, an export).
    pub fn busy(&self) -> bool {
        self.loading.is_some()
            || self.pending.is_some()
            || self.export.is_some()
            || self.timeline_started().is_some()
            || !self.rule_runs.is_empty()
            || self.remote_busy().is_some()
    }

    /// Whether a cancelled query is still stopping: the event loop polls
    /// for it as often as for running work, so its end shows (and is
    /// timed) when it happens, not at the next idle tick.
    pub fn stopping(&self) -> bool {
        self.cancelling.is_some()
    }

    /// Seconds since work started, for the spinner; `None` when idle.
    pub fn busy_for(&self) -> Option<Duration> {
        let started = self
            .pending
            .as_ref()
            .map(|p| p.started)
            .or(self.loading.as_ref().map(|l| l.started))
            .or(self.export.as_ref().map(|e| e.started))
            .or(self.timeline_started())
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
        if self.timeline_started().is_some() {
            return Some("drawing the timeline".to_string());
        }
        self.remote_busy().map(|(_, doing)| doing)
    }

    /// Time since the App started (the spinner's phase).
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }
}

/// `done` of `total` as a whole percentage (at most 100), when known.
pub fn percent(done: u64, total: u64) -> Option<u64> {
    done.saturating_mul(100)
        .checked_div(total)
        .map(|p| p.min(100))
}
