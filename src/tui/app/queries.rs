//! Queries as the analyst types them (search, a pipeline) and as drills append them: planned on the step below, handed to the worker, pushed as a step when the result comes back.

use super::*;
use crate::kql::{QueryError, Rows};
use crate::session::chart::{StepChart, without_render};
use crate::session::investigation::{CountInfo, Step};
use crate::session::kql_text::{self, Plan};
use crate::session::results::{ResultTable, StepResults};
use crate::tui::worker::{Job, Ticket};

/// What kind of step a query will make.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum NewKind {
    Table,
    Frequency(Vec<String>),
    SearchResults(String),
}

/// Where the new step goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Placement {
    Push,
    ReplaceTop,
}

/// A query in flight and the step it will make.
pub(super) struct Pending {
    pub(super) ticket: Ticket,
    pub(super) started: Instant,
    pub(super) kind: NewKind,
    pub(super) label: String,
    pub(super) stages: Vec<String>,
    pub(super) placement: Placement,
    pub(super) plan: Plan,
    pub(super) full_text: String,
    /// The cursor goes back to this column in the new step.
    pub(super) focus: Option<String>,
    /// The pipeline came from the `:` prompt (a failure reopens it).
    pub(super) typed: bool,
}

impl Pending {
    /// A query to submit: pushed as a new step, its full text the plan's.
    pub(super) fn new(kind: NewKind, label: String, stages: Vec<String>, plan: Plan) -> Pending {
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

impl App {
    pub(super) fn cancel(&mut self) {
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
        if self.cancel_timeline() {
            what.push("timeline");
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

    pub(super) fn submit_search(&mut self, text: &str) {
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

    pub(super) fn submit_pipeline(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let current = self.inv.current().stages.clone();
        if let Some(rest) = kql_text::appended_part(&current, text) {
            let step = self.inv.current();
            let (rows, focus) = (
                step.rows.clone(),
                step.current_column_name().map(str::to_string),
            );
            let label = rest.clone();
            self.append_on(
                current,
                rows,
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

    pub(super) fn reopen_pipeline(&mut self, text: &str, err: &QueryError) {
        self.error = Some(ErrorView::query(err, text));
        self.query_editor.set_text(text);
        self.prompt = Some(PromptKind::Pipeline);
    }

    /// Appends `stage` to the current step.
    pub(super) fn append(
        &mut self,
        stage: String,
        label: String,
        kind: NewKind,
        placement: Placement,
        focus: Option<String>,
    ) {
        // `render` stays last: a drill on a chart's rows goes before it.
        let base = match placement {
            Placement::Push => Some(self.inv.current()),
            Placement::ReplaceTop => self.inv.parent(),
        };
        let Some(base) = base else {
            return;
        };
        // On one of several tables, the query that makes it alone.
        let (stages, rows) = match base.drill_stages() {
            Ok(stages) => (without_render(&stages), base.rows.clone()),
            Err(why) => {
                self.message = Some(Message::Warning(why));
                return;
            }
        };
        if stages.is_empty() {
            return;
        }
        self.append_on(stages, rows, stage, label, kind, placement, focus, false);
    }

    /// Runs `stage` after `base` (whose result is `rows`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn append_on(
        &mut self,
        base: Vec<String>,
        rows: Rows,
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
            Plan::Cached { table, .. } => Some((table.clone(), rows)),
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
    pub(super) fn run_full(
        &mut self,
        stages: Vec<String>,
        label: String,
        kind: NewKind,
        typed: bool,
    ) {
        let text = kql_text::join_stages(&stages);
        let pending = Pending {
            typed,
            ..Pending::new(kind, label, stages, Plan::Full { text })
        };
        self.submit_query(pending, None);
    }

    pub(super) fn submit_query(&mut self, mut pending: Pending, register: Option<(String, Rows)>) {
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
                functions: Arc::clone(&self.functions),
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

    pub(super) fn push_result(
        &mut self,
        p: Pending,
        rows: Rows,
        several: Vec<(Option<String>, Rows)>,
        chart: Option<Box<StepChart>>,
    ) {
        let kind = match p.kind {
            NewKind::Table => ViewKind::Table,
            NewKind::Frequency(keys) => {
                let column = kql_text::count_column(&keys);
                let counts = CountInfo::from_rows(&rows, &column);
                ViewKind::Frequency { keys, counts }
            }
            NewKind::SearchResults(term) => {
                let counts = CountInfo::from_rows(&rows, "Hits");
                ViewKind::SearchResults { term, counts }
            }
        };
        // The worker built the chart (a table's only).
        let chart = chart
            .filter(|_| matches!(kind, ViewKind::Table))
            .map(|c| *c);
        let results = several_results(&p.full_text, several);
        let mut step = Step::with_chart(kind, p.label, p.stages, rows, chart);
        self.note_chart(&step);
        if let Some(results) = results {
            self.message = Some(Message::Info(results_note(&results, self.results_keys())));
            step.results = Some(results);
        }
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
}

/// The tables of a query that makes several, each with its label and the
/// query that makes it alone; `None` for a query that makes one.
fn several_results(text: &str, tables: Vec<(Option<String>, Rows)>) -> Option<StepResults> {
    // Most queries make one table: their text is not parsed again here,
    // on the UI thread.
    if tables.len() < 2 {
        return None;
    }
    let (what, labels) = crate::kql::several_results(text)?;
    let mut pipelines = crate::kql::result_pipelines(text).unwrap_or_default();
    pipelines.resize(tables.len(), None);
    let tables = tables
        .into_iter()
        .zip(pipelines)
        .enumerate()
        .map(|(i, ((name, rows), pipeline))| {
            let label = name
                .or_else(|| labels.get(i).cloned())
                .unwrap_or_else(|| format!("table {}", i + 1));
            ResultTable::new(label, pipeline, rows)
        })
        .collect();
    StepResults::new(what, tables)
}

/// What the analyst is told when a query made several tables.
fn results_note(results: &StepResults, keys: String) -> String {
    let labels: Vec<&str> = results.tables().iter().map(|t| t.label.as_str()).collect();
    format!(
        "{} made {} tables ({}): {keys} switch between them",
        results.what,
        labels.len(),
        labels.join(", ")
    )
}
