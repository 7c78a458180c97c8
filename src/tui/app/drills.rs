//! Drills on the view under the cursor: keep or exclude a value, count by a column, sort, hide or mark columns, select rows, open a group, go back. Each is a KQL stage.

use super::queries::{NewKind, Placement};
use super::*;
use crate::session::kql_text;

impl App {
    pub(super) fn current_column(&self) -> Option<(String, crate::kql::value::Scalar)> {
        if !self.table_like() && !matches!(self.inv.current().kind, ViewKind::Record { .. }) {
            return None;
        }
        let step = self.inv.current();
        if step.rows.height() == 0 {
            return None;
        }
        let name = step.current_column_name()?.to_string();
        Some((name, step.current_value()))
    }

    pub(super) fn filter(&mut self, keep: bool) {
        let Some((col, value)) = self.current_column() else {
            self.message = Some(Message::Info("no cell here to filter on".into()));
            return;
        };
        let stage = kql_text::filter_stage(&col, &value, keep);
        let label = stage.trim_start_matches("where ").to_string();
        self.append(stage, label, NewKind::Table, Placement::Push, Some(col));
    }

    pub(super) fn frequency(&mut self) {
        let step = self.inv.current();
        let marked: Vec<String> = step
            .view
            .marked
            .iter()
            .filter(|m| step.columns.iter().any(|c| &c.name == *m))
            .cloned()
            .collect();
        let keys = if marked.is_empty() {
            match self.current_column() {
                Some((c, _)) => vec![c],
                None => {
                    // An empty view still has columns to count by.
                    match step.current_column_name() {
                        Some(c) => vec![c.to_string()],
                        None => return,
                    }
                }
            }
        } else {
            marked
        };
        let stage = kql_text::frequency_stage(&keys);
        let label = format!("count by {}", keys.join(", "));
        self.append(
            stage,
            label,
            NewKind::Frequency(keys),
            Placement::Push,
            None,
        );
    }

    pub(super) fn sort(&mut self) {
        if !self.table_like() {
            return;
        }
        let step = self.inv.current();
        let Some(col) = step.current_column_name().map(str::to_string) else {
            return;
        };
        // `s` again on the same column reverses the sort in place.
        let previous = step
            .stages
            .last()
            .and_then(|s| kql_text::parse_sort_stage(s));
        let (descending, placement) = match previous {
            Some((c, desc)) if c == col && self.inv.depth() > 1 => (!desc, Placement::ReplaceTop),
            _ => (false, Placement::Push),
        };
        let stage = kql_text::sort_stage(&col, descending);
        let kind = match &step.kind {
            ViewKind::Frequency { keys, .. } => NewKind::Frequency(keys.clone()),
            _ => NewKind::Table,
        };
        self.append(stage.clone(), stage, kind, placement, Some(col));
    }

    pub(super) fn hide_column(&mut self) {
        if !self.table_like() {
            return;
        }
        let step = self.inv.current();
        let Some(col) = step.current_column_name().map(str::to_string) else {
            return;
        };
        // Hiding several columns in a row makes one `project-away` stage.
        let (columns, placement) = match step
            .stages
            .last()
            .and_then(|s| kql_text::parse_hide_stage(s))
        {
            Some(mut cols) if self.inv.depth() > 1 => {
                cols.push(col);
                (cols, Placement::ReplaceTop)
            }
            _ => (vec![col], Placement::Push),
        };
        let stage = kql_text::hide_stage(&columns);
        // Stay at the same position: the column to the right moves in.
        let focus = step
            .columns
            .get(step.view.col + 1)
            .or_else(|| {
                step.view
                    .col
                    .checked_sub(1)
                    .and_then(|i| step.columns.get(i))
            })
            .map(|c| c.name.clone());
        self.append(stage.clone(), stage, NewKind::Table, placement, focus);
    }

    pub(super) fn mark_column(&mut self) {
        if !self.table_like() {
            return;
        }
        let step = self.inv.current_mut();
        if let Some(name) = step.current_column_name().map(str::to_string) {
            step.view.toggle_mark(&name);
        }
    }

    pub(super) fn toggle_select(&mut self) {
        if !self.table_like() {
            return;
        }
        let len = self.view_len();
        let step = self.inv.current_mut();
        if len == 0 {
            return;
        }
        let row = step.view.row;
        step.view.selection.toggle(row);
        step.view.move_row(1, len);
    }

    pub(super) fn drill_in(&mut self) {
        let depth = self.inv.depth();
        let step = self.inv.current();
        match &step.kind {
            ViewKind::Home => {
                let Some(t) = self.summaries.get(step.view.row) else {
                    return;
                };
                let name = t.name.clone();
                let stages = vec![kql_text::quote_ident(&name)];
                self.run_full(stages, name, NewKind::Table, false);
            }
            ViewKind::SearchResults { term, .. } => {
                let row = step.view.row;
                let Some(col) = step.columns.iter().position(|c| c.name == "$table") else {
                    return;
                };
                if row >= step.rows.height() {
                    return;
                }
                let table = step.cell(row, col).to_text().into_owned();
                let stages = vec![kql_text::search_in_stage(&table, term)];
                self.run_full(stages, table, NewKind::Table, false);
            }
            ViewKind::Frequency { keys, .. } => {
                let row = step.view.row;
                if row >= step.rows.height() || depth < 2 {
                    return;
                }
                let values: Vec<(String, crate::kql::value::Scalar)> = keys
                    .iter()
                    .filter_map(|k| {
                        let i = step.columns.iter().position(|c| &c.name == k)?;
                        Some((k.clone(), step.cell(row, i)))
                    })
                    .collect();
                if values.len() != keys.len() {
                    return;
                }
                let stage = kql_text::group_stage(&values);
                let label = stage.trim_start_matches("where ").to_string();
                // The group's rows: the stage goes after the pipeline the
                // frequency was counted on, replacing the summarize.
                let Some(parent) = self.inv.parent() else {
                    return;
                };
                let base_stages = match parent.drill_stages() {
                    Ok(stages) => stages,
                    Err(why) => {
                        self.message = Some(Message::Warning(why));
                        return;
                    }
                };
                let base_frame = parent.rows.clone();
                self.append_on(
                    base_stages,
                    base_frame,
                    stage,
                    label,
                    NewKind::Table,
                    Placement::Push,
                    None,
                    false,
                );
            }
            ViewKind::Table => {
                if step.rows.height() == 0 {
                    return;
                }
                // A typed `summarize ... by` result: Enter shows the group's
                // rows, as on a frequency table.
                let row = step.view.row;
                // On one of several tables, the query that makes it alone.
                let stages = step.drill_stages().unwrap_or_default();
                let group = kql_text::summarized_keys(&stages).and_then(|(keys, base)| {
                    let values = keys
                        .iter()
                        .map(|k| {
                            let i = step.columns.iter().position(|c| &c.name == k)?;
                            Some((k.clone(), step.cell(row, i)))
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some((base.to_vec(), kql_text::group_stage(&values)))
                });
                if let Some((mut stages, stage)) = group {
                    let label = stage.trim_start_matches("where ").to_string();
                    stages.push(stage);
                    self.run_full(stages, label, NewKind::Table, false);
                    return;
                }
                let record = step.record(row);
                self.inv.push(record);
            }
            ViewKind::Record { .. } => {}
        }
    }

    pub(super) fn back(&mut self) {
        if let Some(p) = self.pending.take() {
            p.ticket.cancel();
            self.message = Some(Message::Warning(format!("cancelled: {}", p.label)));
            return;
        }
        if !self.inv.pop() {
            let quit = self
                .keymap
                .keys(Action::Quit, Context::Home)
                .first()
                .map_or_else(|| "quit".to_string(), |k| k.to_string());
            self.message = Some(Message::Info(format!("this is the start; {quit} quits")));
        }
    }
}
