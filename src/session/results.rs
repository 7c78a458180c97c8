//! A step whose query makes several tables (`fork`'s legs, `facet`'s
//! counts, `evaluate preview`): one table is shown at a time, and `]`/`[`
//! switch between them. Each table keeps its own cursor, and a drill
//! continues from the query that makes the shown table alone, since KQL
//! allows no operator after `fork`.

use super::chart::StepChart;
use super::investigation::{Step, ViewState, column_infos};
use super::kql_text::split_stages;
use crate::kql::Rows;

/// The tables of a step's query, and which one the step shows.
#[derive(Clone, Debug)]
pub struct StepResults {
    /// What made them, as the analyst wrote it: `fork`, `facet`,
    /// `evaluate preview`.
    pub what: String,
    tables: Vec<ResultTable>,
    shown: usize,
}

/// One table of a step's query.
#[derive(Clone, Debug)]
pub struct ResultTable {
    /// Its name (`fork`'s `Name=(...)` or `as Name`, the column a `facet`
    /// table counts), else the documentation's word for it.
    pub label: String,
    /// The query that makes this table alone, when there is one.
    pub pipeline: Option<String>,
    rows: Rows,
    /// The cursor and marks it had when another table was shown.
    view: ViewState,
    /// The chart of the first table (a query's chart is of its result).
    chart: Option<StepChart>,
}

impl ResultTable {
    /// A table of a step's query: its label, the query that makes it
    /// alone, and its rows.
    pub fn new(label: String, pipeline: Option<String>, rows: Rows) -> ResultTable {
        ResultTable {
            label,
            pipeline,
            rows,
            view: ViewState::default(),
            chart: None,
        }
    }
}

impl StepResults {
    /// The tables `what` made, the first shown; `None` for fewer than two.
    pub fn new(what: String, tables: Vec<ResultTable>) -> Option<StepResults> {
        (tables.len() > 1).then_some(StepResults {
            what,
            tables,
            shown: 0,
        })
    }

    /// Which table is shown (0-based).
    pub fn shown(&self) -> usize {
        self.shown
    }

    /// Every table, in the query's order.
    pub fn tables(&self) -> &[ResultTable] {
        &self.tables
    }

    /// The shown table.
    pub fn current(&self) -> &ResultTable {
        &self.tables[self.shown]
    }

    /// Where the step is among its tables, for its breadcrumb:
    /// `2/3 Web`.
    pub fn position(&self) -> String {
        format!(
            "{}/{} {}",
            self.shown + 1,
            self.tables.len(),
            self.current().label
        )
    }
}

impl Step {
    /// Shows the table `delta` places after the shown one among the
    /// step's tables (wrapping), keeping the cursor each had. False when
    /// the step's query made one table.
    pub fn show_result(&mut self, delta: isize) -> bool {
        let Some(mut results) = self.results.take() else {
            return false;
        };
        let n = results.tables.len() as isize;
        let next = (results.shown as isize + delta).rem_euclid(n) as usize;
        let leaving = &mut results.tables[results.shown];
        leaving.view = std::mem::take(&mut self.view);
        leaving.chart = self.chart.take();
        let coming = &mut results.tables[next];
        self.rows = coming.rows.clone();
        self.columns = column_infos(&self.rows);
        self.view = std::mem::take(&mut coming.view);
        self.chart = coming.chart.take();
        // A timeline is of the rows it was drawn from.
        self.timeline = None;
        results.shown = next;
        self.results = Some(results);
        true
    }

    /// The stages a drill on this step continues from: its own, or, when
    /// it shows one of several tables, the query that makes that table
    /// alone. An error says why a table cannot be narrowed.
    pub fn drill_stages(&self) -> Result<Vec<String>, String> {
        let Some(results) = &self.results else {
            return Ok(self.stages.clone());
        };
        let table = results.current();
        match &table.pipeline {
            Some(p) => Ok(split_stages(p)),
            None => Err(format!(
                "no KQL query makes the table '{}' of {} alone, so it cannot be \
                 narrowed; edit the pipeline (:) instead",
                table.label, results.what
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;
    use crate::session::investigation::ViewKind;

    fn rows(values: &[i64]) -> Rows {
        let frame = DataFrame::new(values.len(), vec![Column::new("n".into(), values.to_vec())])
            .expect("a frame");
        Rows::whole(frame)
    }

    fn forked() -> Step {
        let tables = vec![
            ResultTable::new("leg 1".into(), Some("T | take 3".into()), rows(&[1, 2, 3])),
            ResultTable::new(
                "Web".into(),
                Some("T | where n > 1 | count".into()),
                rows(&[2]),
            ),
            ResultTable::new("prev-sequence-next".into(), None, rows(&[7, 8])),
        ];
        let mut step = Step::new(
            ViewKind::Table,
            "fork (take 3) Web=(where n > 1 | count)".into(),
            vec!["T".into(), "fork (take 3) Web=(where n > 1 | count)".into()],
            rows(&[1, 2, 3]),
        );
        step.results = StepResults::new("fork".into(), tables);
        step
    }

    #[test]
    fn switching_shows_each_table_with_its_own_cursor() {
        let mut step = forked();
        step.view.row = 2;
        let position = |s: &Step| s.results.as_ref().map(StepResults::position);
        assert_eq!(position(&step).as_deref(), Some("1/3 leg 1"));
        assert!(step.show_result(1));
        assert_eq!(step.rows(), 1);
        assert_eq!(step.view.row, 0);
        assert_eq!(position(&step).as_deref(), Some("2/3 Web"));
        // Backwards past the first wraps to the last.
        assert!(step.show_result(-2));
        assert_eq!(step.rows(), 2);
        assert_eq!(step.results.as_ref().map(StepResults::shown), Some(2));
        assert!(step.show_result(1));
        assert_eq!(step.view.row, 2, "the first table's cursor came back");
        assert_eq!(step.rows(), 3);
    }

    #[test]
    fn a_drill_continues_from_the_shown_tables_own_query() {
        let mut step = forked();
        assert_eq!(
            step.drill_stages(),
            Ok(vec!["T".to_string(), "take 3".to_string()])
        );
        step.show_result(1);
        assert_eq!(
            step.drill_stages(),
            Ok(vec!["T".into(), "where n > 1".into(), "count".into()])
        );
        step.show_result(1);
        assert_eq!(
            step.drill_stages(),
            Err(
                "no KQL query makes the table 'prev-sequence-next' of fork alone, so it \
                 cannot be narrowed; edit the pipeline (:) instead"
                    .to_string()
            )
        );
    }

    #[test]
    fn a_step_with_one_table_does_not_switch() {
        let mut step = Step::new(ViewKind::Table, "T".into(), vec!["T".into()], rows(&[1]));
        assert!(!step.show_result(1));
        assert_eq!(step.drill_stages(), Ok(vec!["T".to_string()]));
        assert!(StepResults::new("fork".into(), vec![]).is_none());
    }
}
