//! The investigation: a stack of steps, each one KQL pipeline and its
//! cached result, plus where the analyst's cursor was in it.
//!
//! Home is always the bottom step. Every drill pushes a step; going back
//! pops one, and the step below comes back exactly as it was left (cursor,
//! scroll, marks, selection), without running anything.

use polars::prelude::*;

use super::chart::StepChart;
use super::kql_text::{join_stages, join_stages_multiline};
use super::results::StepResults;
use super::selection::Selection;
use super::timeline::Timeline;
use crate::data::types::KqlType;
use crate::kql::Rows;
use crate::kql::value::{Scalar, series_to_text};
use crate::text::{display_width, escape_for_terminal};

/// Rows sampled from the top of a result to size its columns. Sizing never
/// reads the whole column: a five-million-row result costs what a fifty-row
/// one does.
pub const WIDTH_SAMPLE_ROWS: usize = 200;

/// Widest a column is drawn; longer cells are cut with an ellipsis and are
/// read whole in the record view or the detail panel.
pub const MAX_COLUMN_WIDTH: usize = 40;

/// What a step shows and how its keys behave.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewKind {
    /// The catalog: every loaded table. Has no pipeline.
    Home,
    /// All-table search results: hits per table (`search "x" | summarize ...`).
    SearchResults {
        /// The searched text.
        term: String,
        /// The `Hits` column and its totals.
        counts: CountInfo,
    },
    /// Any query result.
    Table,
    /// A frequency table made with `F`: the keys, then the count.
    Frequency {
        /// The key columns.
        keys: Vec<String>,
        /// The count column and its totals.
        counts: CountInfo,
    },
    /// One row of the step below, every field on its own line.
    Record {
        /// The row in the frame.
        row: usize,
    },
}

/// The count column of a frequency-like result, with what the share and
/// the bar are measured against (computed once, when the result arrives).
#[derive(Clone, Debug, PartialEq)]
pub struct CountInfo {
    /// The column holding the counts.
    pub column: String,
    /// The sum of all counts.
    pub total: f64,
    /// The largest count.
    pub max: f64,
}

impl CountInfo {
    /// Reads the totals of `column` in `rows`.
    pub fn from_rows(rows: &Rows, column: &str) -> CountInfo {
        let counts = rows
            .select(&[column.to_string()], crate::kql::Cancel::default())
            .ok();
        let (total, max) = counts
            .as_ref()
            .and_then(|f| f.column(column).ok())
            .and_then(|c| c.as_materialized_series().cast(&DataType::Float64).ok())
            .and_then(|s| {
                let ca = s.f64().ok()?.clone();
                Some((ca.sum().unwrap_or(0.0), ca.max().unwrap_or(0.0)))
            })
            .unwrap_or((0.0, 0.0));
        CountInfo {
            column: column.to_string(),
            total,
            max,
        }
    }
}

/// How one column is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnInfo {
    /// The column name.
    pub name: String,
    /// Its KQL type.
    pub kind: KqlType,
    /// Display width in terminal columns: header and sampled cells,
    /// escaped, at most [`MAX_COLUMN_WIDTH`].
    pub width: usize,
}

impl ColumnInfo {
    /// Numbers are right-aligned.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.kind,
            KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Decimal | KqlType::Timespan
        )
    }
}

/// Sizes every column of `rows` from its header and first rows.
pub fn column_infos(rows: &Rows) -> Vec<ColumnInfo> {
    let sample = rows.window(0, WIDTH_SAMPLE_ROWS);
    sample
        .columns()
        .iter()
        .map(|c| {
            let kind = KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic);
            let text = series_to_text(c.as_materialized_series());
            let cells = text
                .iter()
                .map(|v| display_width(&escape_for_terminal(v.unwrap_or(""))))
                .max()
                .unwrap_or(0);
            let header = display_width(&escape_for_terminal(c.name()));
            ColumnInfo {
                name: c.name().to_string(),
                kind,
                width: header.max(cells).clamp(1, MAX_COLUMN_WIDTH),
            }
        })
        .collect()
}

/// Where the analyst is in a step: cursor, scroll, marks, selection.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewState {
    /// Cursor row (in the record view: the field).
    pub row: usize,
    /// Cursor column, an index into the frame's columns.
    pub col: usize,
    /// First row drawn.
    pub row_offset: usize,
    /// First column drawn.
    pub col_offset: usize,
    /// Columns marked as frequency keys (`m`), in marking order.
    pub marked: Vec<String>,
    /// Selected rows.
    pub selection: Selection,
}

impl ViewState {
    /// Moves the cursor by `delta` rows within `0..len`.
    pub fn move_row(&mut self, delta: isize, len: usize) {
        let target = if delta < 0 {
            self.row.saturating_sub(delta.unsigned_abs())
        } else {
            self.row.saturating_add(delta as usize)
        };
        self.row = target.min(len.saturating_sub(1));
    }

    /// Moves the cursor by `delta` columns within `0..ncols`.
    pub fn move_col(&mut self, delta: isize, ncols: usize) {
        let target = if delta < 0 {
            self.col.saturating_sub(delta.unsigned_abs())
        } else {
            self.col.saturating_add(delta as usize)
        };
        self.col = target.min(ncols.saturating_sub(1));
    }

    /// Keeps the cursor inside `len` rows and `ncols` columns, and the
    /// cursor row inside a window `height` rows high.
    pub fn fit_rows(&mut self, len: usize, height: usize) {
        self.row = self.row.min(len.saturating_sub(1));
        let height = height.max(1);
        if self.row < self.row_offset {
            self.row_offset = self.row;
        } else if self.row >= self.row_offset + height {
            self.row_offset = self.row + 1 - height;
        }
        // No empty space below the last row when there are rows to show.
        self.row_offset = self.row_offset.min(len.saturating_sub(height));
    }

    /// Scrolls columns so the cursor column is visible in `width` terminal
    /// columns, given each column's width and the gap between columns.
    pub fn fit_columns(&mut self, widths: &[usize], gap: usize, width: usize) {
        self.col = self.col.min(widths.len().saturating_sub(1));
        if self.col < self.col_offset {
            self.col_offset = self.col;
        }
        while self.col_offset < self.col {
            let used: usize = widths[self.col_offset..=self.col]
                .iter()
                .map(|w| w + gap)
                .sum();
            if used <= width {
                break;
            }
            self.col_offset += 1;
        }
    }

    /// Marks `column` as a frequency key, or unmarks it.
    pub fn toggle_mark(&mut self, column: &str) {
        if let Some(i) = self.marked.iter().position(|c| c == column) {
            self.marked.remove(i);
        } else {
            self.marked.push(column.to_string());
        }
    }
}

/// One step of the investigation.
#[derive(Clone, Debug)]
pub struct Step {
    /// What the step shows.
    pub kind: ViewKind,
    /// Its breadcrumb label.
    pub label: String,
    /// The pipeline that produced `frame`, one entry per stage (empty at
    /// home). A record step has its table's pipeline.
    pub stages: Vec<String>,
    /// The cached result: rows a view gathers as it draws them.
    pub rows: Rows,
    /// How each column is drawn.
    pub columns: Vec<ColumnInfo>,
    /// Cursor, scroll, marks, selection.
    pub view: ViewState,
    /// The chart of a pipeline that ends in `render`.
    pub chart: Option<StepChart>,
    /// The timeline shown above the table (`t`).
    pub timeline: Option<Timeline>,
    /// The other tables of a query that makes several (`fork`, `facet`).
    pub results: Option<StepResults>,
}

impl Step {
    /// A step showing `rows`, the result of `stages`.
    pub fn new(kind: ViewKind, label: String, stages: Vec<String>, rows: impl Into<Rows>) -> Step {
        let rows = rows.into();
        let chart = match kind {
            ViewKind::Table => StepChart::for_result(&join_stages(&stages), &rows),
            _ => None,
        };
        Step::with_chart(kind, label, stages, rows, chart)
    }

    /// A step showing `rows` and the chart already built from them (the
    /// workbench's worker builds it off the UI thread).
    pub fn with_chart(
        kind: ViewKind,
        label: String,
        stages: Vec<String>,
        rows: impl Into<Rows>,
        chart: Option<StepChart>,
    ) -> Step {
        let rows = rows.into();
        let columns = column_infos(&rows);
        Step {
            kind,
            label,
            stages,
            rows,
            columns,
            view: ViewState::default(),
            chart,
            timeline: None,
            results: None,
        }
    }

    /// The home step.
    pub fn home() -> Step {
        Step {
            kind: ViewKind::Home,
            label: "Home".to_string(),
            stages: Vec::new(),
            rows: Rows::default(),
            columns: Vec::new(),
            view: ViewState::default(),
            chart: None,
            timeline: None,
            results: None,
        }
    }

    /// The record view of `row` of this step.
    pub fn record(&self, row: usize) -> Step {
        Step {
            kind: ViewKind::Record { row },
            label: format!("row {}", row + 1),
            stages: self.stages.clone(),
            rows: self.rows.clone(),
            columns: self.columns.clone(),
            view: ViewState::default(),
            chart: None,
            timeline: None,
            results: None,
        }
    }

    /// The pipeline on one line.
    pub fn pipeline(&self) -> String {
        join_stages(&self.stages)
    }

    /// The pipeline with one stage per line, for copying.
    pub fn pipeline_multiline(&self) -> String {
        join_stages_multiline(&self.stages)
    }

    /// Rows in view.
    pub fn rows(&self) -> usize {
        match self.kind {
            ViewKind::Home => 0,
            _ => self.rows.height(),
        }
    }

    /// The value at `row`, `col` (null when out of range).
    pub fn cell(&self, row: usize, col: usize) -> Scalar {
        self.rows.cell(row, col)
    }

    /// The row the cursor designates: in a record, its row; else the
    /// cursor row.
    pub fn current_row(&self) -> usize {
        match self.kind {
            ViewKind::Record { row } => row,
            _ => self.view.row,
        }
    }

    /// The column the cursor designates: in a record, the field under the
    /// cursor; else the cursor column.
    pub fn current_col(&self) -> usize {
        match self.kind {
            ViewKind::Record { .. } => self.view.row,
            _ => self.view.col,
        }
    }

    /// The name of the current column.
    pub fn current_column_name(&self) -> Option<&str> {
        self.columns
            .get(self.current_col())
            .map(|c| c.name.as_str())
    }

    /// The value under the cursor.
    pub fn current_value(&self) -> Scalar {
        self.cell(self.current_row(), self.current_col())
    }
}

/// The stack of steps, home at the bottom.
#[derive(Clone, Debug)]
pub struct Investigation {
    steps: Vec<Step>,
}

impl Default for Investigation {
    fn default() -> Investigation {
        Investigation::new()
    }
}

impl Investigation {
    /// Just home.
    pub fn new() -> Investigation {
        Investigation {
            steps: vec![Step::home()],
        }
    }

    /// Every step, home first.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The step on top.
    pub fn current(&self) -> &Step {
        self.steps.last().expect("home is never popped")
    }

    /// The step on top, to move its cursor.
    pub fn current_mut(&mut self) -> &mut Step {
        self.steps.last_mut().expect("home is never popped")
    }

    /// Index of the top step (0 at home).
    pub fn depth(&self) -> usize {
        self.steps.len() - 1
    }

    /// The step below the top one.
    pub fn parent(&self) -> Option<&Step> {
        self.steps.len().checked_sub(2).map(|i| &self.steps[i])
    }

    /// Pushes a step.
    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// Pops the top step, never home. Returns whether one was popped.
    pub fn pop(&mut self) -> bool {
        if self.steps.len() > 1 {
            self.steps.pop();
            true
        } else {
            false
        }
    }

    /// Replaces the top step (a second `s` reverses the sort instead of
    /// stacking a second one). At home, pushes.
    pub fn replace_top(&mut self, step: Step) {
        if self.steps.len() > 1 {
            self.steps.pop();
        }
        self.steps.push(step);
    }

    /// The pipelines of every step, for saving the session.
    pub fn pipelines(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.steps {
            let p = s.pipeline();
            if !p.is_empty() && out.last() != Some(&p) {
                out.push(p);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        df!(
            "Name" => ["a", "bb\u{1b}", ""],
            "N" => [1i64, 20, 300],
        )
        .unwrap()
    }

    #[test]
    fn columns_are_sized_from_header_and_escaped_cells() {
        let cols = column_infos(&frame().into());
        assert_eq!(cols[0].width, 4); // "Name" vs "bb\e"
        assert_eq!(cols[1].width, 3);
        assert!(cols[1].is_numeric() && !cols[0].is_numeric());
    }

    #[test]
    fn stack_push_pop_replace() {
        let mut inv = Investigation::new();
        assert!(!inv.pop());
        let s = Step::new(ViewKind::Table, "T".into(), vec!["T".into()], frame());
        inv.push(s.clone());
        inv.current_mut().view.row = 2;
        let sorted = Step::new(
            ViewKind::Table,
            "sort".into(),
            vec!["T".into(), "sort by N asc".into()],
            frame(),
        );
        inv.push(sorted.clone());
        inv.replace_top(sorted);
        assert_eq!(inv.depth(), 2);
        assert!(inv.pop());
        assert_eq!(inv.current().view.row, 2);
        assert_eq!(inv.pipelines(), vec!["T".to_string()]);
        assert_eq!(inv.current().cell(1, 1), Scalar::Long(20));
        assert_eq!(inv.current().cell(9, 9), Scalar::Null(KqlType::String));
    }

    #[test]
    fn scrolling_keeps_the_cursor_visible() {
        let mut v = ViewState::default();
        v.move_row(50, 100);
        v.fit_rows(100, 10);
        assert_eq!((v.row, v.row_offset), (50, 41));
        v.move_row(-100, 100);
        v.fit_rows(100, 10);
        assert_eq!((v.row, v.row_offset), (0, 0));
        v.move_row(1000, 100);
        v.fit_rows(100, 10);
        assert_eq!((v.row, v.row_offset), (99, 90));
        v.fit_rows(5, 10);
        assert_eq!((v.row, v.row_offset), (4, 0));
        v.fit_rows(0, 10);
        assert_eq!((v.row, v.row_offset), (0, 0));

        let widths = [10, 10, 10, 10];
        v.col = 3;
        v.fit_columns(&widths, 2, 25);
        assert_eq!(v.col_offset, 2);
        v.col = 0;
        v.fit_columns(&widths, 2, 25);
        assert_eq!(v.col_offset, 0);
    }

    #[test]
    fn counts() {
        let f = df!("K" => ["a", "b"], "Count" => [3i64, 1]).unwrap();
        let c = CountInfo::from_rows(&f.clone().into(), "Count");
        assert_eq!((c.total, c.max), (4.0, 3.0));
        let c = CountInfo::from_rows(&f.clone().into(), "Nope");
        assert_eq!((c.total, c.max), (0.0, 0.0));
    }
}
