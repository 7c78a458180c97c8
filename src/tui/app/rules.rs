//! The keys of the detection rules: the list and its triage (move, run
//! one or all, group by tactic, copy a rule's KQL), rule runs handed to the
//! worker and their results, and pivots from a hit.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::queries::NewKind;
use super::{App, ErrorView, Message, RuleEntry};
use crate::hunt::batch::{Prepared, Scanning};
use crate::hunt::pivot::Pivot;
use crate::hunt::rules::Rule;
use crate::session::hits::Hits;
use crate::session::investigation::{Step, ViewKind};
use crate::session::kql_text;
use crate::text::thousands;
use crate::tui::action::Action;
use crate::tui::worker::{Job, Ticket};

/// A rule run in flight.
pub(super) struct RuleRun {
    pub(super) ticket: Ticket,
    pub(super) index: usize,
    /// Open the hits when done (Enter), or only count them (A).
    pub(super) open: bool,
    /// Its outcome came; the job (which runs other rules too) is still
    /// at work until the worker says all are done.
    pub(super) done: bool,
    /// When its job was submitted, for the spinner.
    pub(super) started: Instant,
}

impl App {
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
        self.rules = Some(rules.into_iter().map(RuleEntry::new).collect());
    }

    /// The rules in the order the list shows them: after runs, a triage
    /// (rules that fired first, by severity then hits; grouped by tactic
    /// with `T`).
    pub fn rule_order(&self) -> Vec<usize> {
        let rules = self.rules.as_deref().unwrap_or(&[]);
        crate::hunt::triage::order_entries(rules, self.rules_by_tactic)
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

    pub(super) fn rules_action(&mut self, action: Action) {
        let Some(current) = self.rules_open else {
            return;
        };
        // The cursor stays on its rule while runs reorder the triage.
        let order = self.rule_order();
        let len = order.len();
        let pos = order.iter().position(|&i| i == current).unwrap_or(0);
        let mut go = |to: usize| {
            if let Some(&i) = order.get(to.min(len.saturating_sub(1))) {
                self.rules_open = Some(i);
            }
        };
        match action {
            Action::MoveUp => go(pos.saturating_sub(1)),
            Action::MoveDown => go(pos + 1),
            Action::PageUp | Action::HalfPageUp | Action::FirstRow => go(0),
            Action::PageDown | Action::HalfPageDown | Action::LastRow => go(len),
            Action::GroupByTactic => {
                self.rules_by_tactic = !self.rules_by_tactic;
                let how = if self.rules_by_tactic {
                    "rules that fired, grouped by tactic"
                } else {
                    "rules that fired, by severity then hits"
                };
                self.message = Some(Message::Info(how.into()));
            }
            Action::RunRule => self.run_rules(&[current], true),
            Action::RunAllRules => self.run_all_rules(),
            Action::CopyPipeline => {
                let i = current;
                if let Some(text) = self.bound(i) {
                    self.clipboard = Some(text);
                    self.message = Some(Message::Info("copied the rule's KQL".into()));
                }
            }
            Action::Back => self.rules_open = None,
            Action::ShowHelp => self.help = Some(0),
            Action::Cancel => self.cancel(),
            Action::Quit => {
                self.save_state();
                self.quit = true;
            }
            _ => {}
        }
    }

    /// The bound query of rule `i`.
    pub(super) fn bound(&self, i: usize) -> Option<String> {
        let entry = self.rules.as_ref()?.get(i)?;
        entry
            .rule
            .bound_query(&std::collections::BTreeMap::new())
            .ok()
    }

    pub(super) fn run_all_rules(&mut self) {
        let n = self.rules().len();
        let all: Vec<usize> = (0..n).collect();
        self.rules_open.get_or_insert(0);
        self.run_rules(&all, false);
    }

    /// Runs rules as one job, sharing the scans of tables they read;
    /// `open` shows the (single) result when done.
    pub(super) fn run_rules(&mut self, indices: &[usize], open: bool) {
        if self.loading.is_some() {
            self.message = Some(Message::Warning("still loading the tables".into()));
            return;
        }
        if self.rule_runs.is_empty() {
            self.rule_runs_total = 0;
        }
        let mut batch = Vec::new();
        for &index in indices {
            let Some(entry) = self.rules.as_ref().and_then(|r| r.get(index)) else {
                continue;
            };
            match Prepared::of(&entry.rule) {
                Ok(rule) => batch.push((index, rule)),
                Err(e) => {
                    self.error = Some(ErrorView::plain(format!(
                        "rule {}: {}",
                        entry.rule.id, e.message
                    )));
                }
            }
        }
        if batch.is_empty() {
            return;
        }
        let places: Vec<usize> = batch.iter().map(|(index, _)| *index).collect();
        let ticket = self.worker.submit(Job::RunRules {
            rules: batch,
            catalog: Arc::clone(&self.catalog),
            now: self.now.unwrap_or(0),
            data_dirs: self.data_dirs.clone(),
            functions: Arc::clone(&self.functions),
        });
        self.rule_scan = None;
        let started = std::time::Instant::now();
        for index in places {
            // One job, one cancel flag: Ctrl+C cancels every rule of it.
            self.rule_runs.push(RuleRun {
                ticket: ticket.clone(),
                index,
                open,
                done: false,
                started,
            });
            self.rule_runs_total += 1;
        }
    }

    /// Rules running together have read more of a shared table.
    pub(super) fn rules_scanning(&mut self, id: u64, progress: Scanning) {
        if self.rule_runs.iter().any(|r| r.ticket.id == id) {
            self.rule_scan = Some(progress);
        }
    }

    /// Every rule of a job has its outcome: with several, say how they
    /// went (the last rule's own message would be an arbitrary one).
    pub(super) fn rules_done(
        &mut self,
        id: u64,
        ran: usize,
        fired: usize,
        failed: usize,
        cancelled: bool,
    ) {
        self.rule_runs.retain(|r| r.ticket.id != id);
        if self.rule_runs.is_empty() {
            self.rule_scan = None;
        }
        if cancelled || ran < 2 {
            return;
        }
        let could_not = match failed {
            0 => String::new(),
            n => format!(", {} could not run", thousands(n as u64)),
        };
        self.message = Some(Message::Info(format!(
            "ran {} rules: {} fired{could_not}",
            thousands(ran as u64),
            thousands(fired as u64)
        )));
    }

    pub(super) fn rule_done(
        &mut self,
        id: u64,
        index: usize,
        result: crate::tui::worker::RuleOutcome,
        warnings: Vec<String>,
        elapsed: Duration,
    ) {
        let Some(run) = self
            .rule_runs
            .iter_mut()
            .find(|r| r.ticket.id == id && r.index == index && !r.done)
        else {
            return;
        };
        run.done = true;
        let open = run.open;
        // Rules finish once the shared scans are over (but for those that
        // did not parse, which finish before the scans begin).
        self.rule_scan = None;
        let text = self.bound(index).unwrap_or_default();
        let Some(entry) = self.rules.as_mut().and_then(|r| r.get_mut(index)) else {
            return;
        };
        entry.last_run = Some(chrono::Local::now());
        entry.warnings = warnings;
        match result {
            Ok((frame, reasons)) => {
                entry.hits = Some(frame.height());
                entry.error = None;
                entry.findings = Some(crate::hunt::triage::Findings::of(
                    &frame,
                    &entry.rule.entities,
                ));
                let title = entry.rule.title.clone();
                let n = frame.height();
                let hits = format!(
                    "{title}: {} {}",
                    thousands(n as u64),
                    if n == 1 { "hit" } else { "hits" }
                );
                // Hits from fewer tables than the rule names are said so.
                self.message = Some(match entry.warnings.is_empty() {
                    true => Message::Info(hits),
                    false => Message::Warning(format!("{hits}; {}", entry.warnings.join("; "))),
                });
                if open {
                    self.last_query_time = Some(elapsed);
                    let step = Step::new(ViewKind::Table, title, vec![text], frame);
                    let pipeline = step.pipeline();
                    self.hits.retain(|h| h.pipeline != pipeline);
                    self.hits.push(Hits {
                        pipeline,
                        rule: index,
                        reasons,
                        frame: step.rows.clone().into_frame(),
                    });
                    self.inv.push(step);
                    self.rules_open = None;
                    self.fit();
                }
            }
            Err(e) if e.kind == crate::kql::error::ErrorKind::Cancelled => {
                self.message = Some(Message::Warning("rule run cancelled".into()));
            }
            Err(e) => {
                entry.hits = None;
                entry.findings = None;
                entry.error = Some(e.message.clone());
                // Running them all, the triage lists what could not run.
                if open {
                    self.error = Some(ErrorView::query(&e, &text));
                }
            }
        }
    }

    /// A new pipeline from the hit under the cursor.
    pub(super) fn pivot(&mut self, pivot: Pivot) {
        let Some(hits) = self.current_hits() else {
            self.message = Some(Message::Info("pivots start from a rule's hit".into()));
            return;
        };
        let step = self.inv.current();
        if step.rows.height() == 0 {
            return;
        }
        let row = step.current_row();
        let cell = |name: &str| {
            step.columns
                .iter()
                .position(|c| c.name == name)
                .map(|c| step.cell(row, c))
        };
        let entities = self
            .rules
            .as_ref()
            .and_then(|r| r.get(hits.rule))
            .map(|e| e.rule.entities.clone())
            .unwrap_or_default();
        let text = match crate::hunt::pivot::pivot_query(pivot, &entities, &cell) {
            Ok(text) => text,
            Err(why) => {
                self.message = Some(Message::Info(why));
                return;
            }
        };
        let stages = kql_text::split_stages(&text);
        let label = stages.last().cloned().unwrap_or_default();
        self.run_full(stages, label, NewKind::Table, false);
    }
}
